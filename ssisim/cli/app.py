"""The ``ssisim`` command line: parses, calls the library, prints."""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

import click

from ssisim.errors import ScenarioError, SsisimError

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _version() -> str:
    try:
        return metadata.version("ssisim")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(_version(), "--version", prog_name="ssisim")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Simulate LinkedIn's Social Selling Index: does a bigger network beat a better one?

    Write a scenario (YAML), run it, read weekly.csv, summary.csv and the
    figures. `ssisim COMMAND --help` for each command.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def _load(scenario: Path, overrides: Sequence[str | tuple[str, str]]) -> Any:
    from ssisim.scenario.loading import load_scenario

    return load_scenario(scenario, overrides)


def _new_out_dir(out: Path | None, name: str) -> Path:
    """``--out``, or a fresh ``results/<name>/<timestamp>``; refused if it exists."""
    from ssisim.results.files import default_output_dir

    out_dir = out if out is not None else default_output_dir(name)
    if out_dir.exists():
        raise SsisimError(f"{out_dir}: already exists; choose another --out (nothing was written)")
    return out_dir


_SET_HELP = "Override a scenario key, e.g. --set population.size=5000 (repeatable)."


_SCHEDULER_HELP = (
    "Run on a Dask cluster: a scheduler address (tcp://host:8786), or 'local' for a "
    "LocalCluster on this machine; default: local processes (also SSISIM_SCHEDULER, "
    "execution.scheduler)."
)


def _experiment_options(f: Any) -> Any:
    """The options ``run``, ``sweep`` and ``sensitivity`` share."""
    options = [
        click.option("--seed", type=click.IntRange(min=0), help="The seed."),
        click.option("--weeks", type=click.IntRange(min=1), help="Horizon in weeks."),
        click.option(
            "--out",
            "out",
            type=click.Path(path_type=Path),
            help="Output directory (must not exist; default results/<scenario name>/<timestamp>/).",
        ),
        click.option(
            "--workers",
            type=click.IntRange(min=0),
            help="Local worker processes (0: all cores, the default; or execution.workers). "
            "Results do not depend on it.",
        ),
        click.option("--scheduler", metavar="ADDRESS", help=_SCHEDULER_HELP),
        click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=_SET_HELP),
        click.option(
            "--resume",
            type=click.Path(path_type=Path),
            metavar="DIR",
            help="Run only what an interrupted run in DIR did not finish, then write its results.",
        ),
        click.option(
            "--dry-run",
            is_flag=True,
            help="Print the runs and an estimate of time, memory and disk.",
        ),
        click.option(
            "--force", is_flag=True, help="Run even if the memory estimate exceeds what is free."
        ),
        click.option(
            "--no-figures", is_flag=True, help="Skip the figures (redraw later with `ssisim plot`)."
        ),
        click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary table."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _scenario_options(
    overrides: Sequence[str], extra: Sequence[tuple[str, Any, str]]
) -> list[str | tuple[str, str]]:
    options: list[str | tuple[str, str]] = list(overrides)
    for key, value, flag in extra:
        if value is not None:
            options.append((f"{key}={value}", f"{flag} {value}"))
    return options


def _experiment(
    kind: str,
    scenario: Path,
    options: Sequence[str | tuple[str, str]],
    *,
    out: Path | None,
    workers: int | None,
    scheduler: str | None,
    resume: Path | None,
    dry_run: bool,
    force: bool,
    quiet: bool,
) -> Any:
    """Load, plan, estimate, execute into the store: what the three commands share.

    Returns None after a dry run, else (scenario, store, outcome, extra) where
    ``extra`` is what the plan needed besides (the sensitivity design).
    """
    from rich.console import Console

    from ssisim.engine.executors import resolve_scheduler
    from ssisim.engine.plan import Plan
    from ssisim.experiments.pipeline import estimate, memory_estimate, open_store, run_plan
    from ssisim.experiments.store import ResultStore, read_plan
    from ssisim.results.files import default_output_dir

    if resume is not None and out is not None:
        raise click.UsageError("give either --out or --resume, not both")
    sc = _load(scenario, options)
    extra: dict[str, Any] = {}

    def plan_for(chunk_runs: int | None) -> Plan:
        if kind == "sweep":
            from ssisim.experiments.sweep import sweep_plan

            if not sc.sweep.active:
                raise ScenarioError(
                    f"{scenario}:1: sweep: the scenario declares no sweep; add e.g. "
                    "sweep: {grid: {strategies.open-bar.invites_per_week: [20, 50, 100]}}"
                )
            return sweep_plan(sc, scenario, chunk_runs)
        if kind == "sensitivity":
            from ssisim.experiments.sensitivity import sensitivity_plan

            plan, extra["design"] = sensitivity_plan(sc, scenario, chunk_runs)
            return plan
        return Plan.single(sc, chunk_runs or sc.execution.chunk_runs)

    n_workers = workers if workers is not None else sc.execution.workers
    n_workers = (os.cpu_count() or 1) if n_workers == 0 else n_workers
    address = resolve_scheduler(scheduler, sc.execution.scheduler)
    out_dir = resume or out or default_output_dir(sc.name)
    if dry_run:
        plan = plan_for(int(read_plan(resume)["chunk_runs"]) if resume else None)
        done = ResultStore(resume, plan).done() if resume else set()
        todo = [c for c in plan.chunks() if c not in done]
        est = estimate(plan, n_workers, todo=todo, local=address is None)
        where = f"Dask scheduler {address}" if address else f"{est.workers} local worker(s)"
        click.echo(f"{kind} {sc.name!r} on {where}, results in {out_dir}")
        for line in est.lines():
            click.echo(f"  {line}")
        if not est.fits:
            click.echo(f"  refused without --force: {est.refusal()}")
        return None

    store, done = open_store(kind, sc, plan_for, out_dir, resume is not None)
    if address is None and not force:
        from ssisim.experiments.pipeline import Estimate, available_memory

        todo_n = max(1, min(n_workers, len(store.plan.chunks()) - len(done)))
        worker, total = memory_estimate(store.plan, todo_n)
        free = available_memory()
        if free is not None and total > free:
            if resume is None:
                import shutil

                shutil.rmtree(store.root, ignore_errors=True)  # nothing was run: leave nothing
            check = Estimate(0, 0, 0, 0, todo_n, 0.0, worker, total, 0, free, True)
            raise SsisimError(check.refusal())

    console = Console(stderr=True, quiet=quiet)
    total_runs = store.plan.runs - sum(c.runs for c in done)
    command = f"ssisim {kind} {scenario}"
    try:
        with _progress(console, total_runs, quiet) as advance:
            outcome = run_plan(
                store,
                done,
                workers=n_workers,
                scheduler=address,
                retries=sc.execution.retries,
                progress=advance,
            )
    except SsisimError:
        if resume is None and not store.done():  # nothing ran: leave nothing behind
            import shutil

            shutil.rmtree(store.root, ignore_errors=True)
        raise
    except KeyboardInterrupt:
        on_disk = sum(c.runs for c in store.done())
        click.echo(
            f"interrupted: {on_disk:,} of {store.plan.runs:,} runs on disk in {store.root}; "
            f"finish with `{command} --resume {store.root}`",
            err=True,
        )
        sys.exit(EXIT_INTERRUPTED)
    return sc, store, outcome, extra


def _finish(kind: str, scenario: Path, store: Any, outcome: Any, head: str) -> None:
    """The final line; the failures, if any, on stderr with exit status 1."""
    from ssisim.experiments.pipeline import failure_line, rate_line

    click.echo(f"{head}: {rate_line(outcome)}; results in {store.root}")
    if outcome.failures:
        click.echo(
            failure_line(outcome.failures, store.root, f"ssisim {kind} {scenario}"), err=True
        )
        sys.exit(1)


@cli.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--reps", type=click.IntRange(min=1), help="Replications per strategy.")
@_experiment_options
def run(
    scenario: Path,
    reps: int | None,
    seed: int | None,
    weeks: int | None,
    out: Path | None,
    workers: int | None,
    scheduler: str | None,
    overrides: tuple[str, ...],
    resume: Path | None,
    dry_run: bool,
    force: bool,
    no_figures: bool,
    quiet: bool,
) -> None:
    """Run a scenario: every strategy, every replication; write the results.

    Writes weekly.csv, summary.csv, manifest.json and figures/ into OUT
    (default results/<scenario name>/<timestamp>/), and the runs as they
    finish under weekly/ (Parquet), so that an interrupted run can be resumed.
    """
    from rich.console import Console

    from ssisim.cli.tables import terminal_table
    from ssisim.experiments.pipeline import finalize_run, run_manifest
    from ssisim.results.outcomes import debate_sentences, write_outcomes

    options = _scenario_options(
        overrides,
        [("replications", reps, "--reps"), ("seed", seed, "--seed"), ("weeks", weeks, "--weeks")],
    )
    done = _experiment(
        "run", scenario, options, out=out, workers=workers, scheduler=scheduler,
        resume=resume, dry_run=dry_run, force=force, quiet=quiet,
    )  # fmt: skip
    if done is None:
        return
    sc, store, outcome, _ = done
    weekly, summary = finalize_run(store, run_manifest("run", sc, outcome), outcome.failures)
    _, debate = write_outcomes(store.root, weekly, sc.contexts, sc.weeks)
    if not no_figures:
        from ssisim.plots.redraw import redraw

        redraw(store.root)
    if not quiet:
        Console().print(terminal_table(summary, sc.weeks))
        for sentence in debate_sentences(debate):
            click.echo(sentence)
    head = f"{len(sc.strategies)} strategies x {sc.replications} replications, {sc.weeks} weeks"
    _finish("run", scenario, store, outcome, head)


@cli.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--reps", type=click.IntRange(min=1), help="Replications per strategy and point.")
@_experiment_options
def sweep(
    scenario: Path,
    reps: int | None,
    seed: int | None,
    weeks: int | None,
    out: Path | None,
    workers: int | None,
    scheduler: str | None,
    overrides: tuple[str, ...],
    resume: Path | None,
    dry_run: bool,
    force: bool,
    no_figures: bool,
    quiet: bool,
) -> None:
    """Run every point of the scenario's sweep: block (grid and samples).

    Writes summary.csv (per point, strategy, checkpoint and metric, with the
    swept values as columns), points.csv, manifest.json, figures/sweep.png,
    and every run under weekly/ (Parquet, one folder per point). Interrupted?
    --resume DIR runs only what is missing; the files come out the same.
    """
    from ssisim.experiments.pipeline import finalize_sweep, run_manifest

    options = _scenario_options(
        overrides,
        [("replications", reps, "--reps"), ("seed", seed, "--seed"), ("weeks", weeks, "--weeks")],
    )
    done = _experiment(
        "sweep", scenario, options, out=out, workers=workers, scheduler=scheduler,
        resume=resume, dry_run=dry_run, force=force, quiet=quiet,
    )  # fmt: skip
    if done is None:
        return
    sc, store, outcome, _ = done
    plan = store.plan
    extra = {"sweep": {"points": len(plan.points), "columns": list(plan.columns)}}
    at_horizon = finalize_sweep(store, run_manifest("sweep", sc, outcome, extra), outcome.failures)
    if not no_figures:
        from ssisim.plots.redraw import redraw

        redraw(store.root)
    if not quiet and not at_horizon.empty:
        from rich.console import Console

        Console().print(_sweep_table(at_horizon, plan.columns, sc.weeks))
    strategies = len(sc.strategies)
    head = (
        f"sweep of {len(plan.points)} points x {strategies} "
        f"strateg{'y' if strategies == 1 else 'ies'} x {sc.replications} replications"
    )
    _finish("sweep", scenario, store, outcome, head)


def _sweep_table(at_horizon: Any, columns: Sequence[str], weeks: int, limit: int = 25) -> Any:
    from rich.table import Table

    ssi = at_horizon[at_horizon["metric"] == "ssi"]
    strategies = list(dict.fromkeys(ssi["strategy"]))
    table = Table(title="SSI at the horizon: mean ± 95% CI")
    table.add_column("point", justify="right")
    for c in columns:
        table.add_column(c.rsplit(".", 1)[-1], justify="right", overflow="fold")
    for s in strategies:
        table.add_column(s, justify="right")
    points = list(dict.fromkeys(ssi["point"]))
    for p in points[:limit]:
        rows = ssi[ssi["point"] == p].set_index("strategy")
        first = rows.iloc[0]
        cells = [
            f"{rows.loc[s, 'mean']:.1f} ± {rows.loc[s, 'ci_high'] - rows.loc[s, 'mean']:.1f}"
            if s in rows.index
            else ""
            for s in strategies
        ]
        table.add_row(str(p), *[_fmt(first[c]) for c in columns], *cells)
    if len(points) > limit:
        table.caption = f"first {limit} of {len(points)} points; all in summary.csv"
    return table


@cli.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--samples", type=click.IntRange(min=2), help="Saltelli's N (a power of 2).")
@click.option(
    "--reps", type=click.IntRange(min=1), help="Replications per design point (averaged)."
)
@_experiment_options
def sensitivity(
    scenario: Path,
    samples: int | None,
    reps: int | None,
    seed: int | None,
    weeks: int | None,
    out: Path | None,
    workers: int | None,
    scheduler: str | None,
    overrides: tuple[str, ...],
    resume: Path | None,
    dry_run: bool,
    force: bool,
    no_figures: bool,
    quiet: bool,
) -> None:
    """Which uncertain parameter moves the SSI most: Sobol' indices and a tornado.

    Reads the scenario's sensitivity: block (parameters and their ranges) and
    writes sobol.csv (first-order and total indices with 95% intervals, per
    strategy and output), tornado.csv, samples.csv, figures/sobol.png and
    figures/tornado.png.
    """
    from ssisim.experiments.pipeline import run_manifest
    from ssisim.experiments.sensitivity import analyze
    from ssisim.results.files import MANIFEST_FILE, write_json

    options = _scenario_options(
        overrides,
        [
            ("sensitivity.samples", samples, "--samples"),
            ("sensitivity.replications", reps, "--reps"),
            ("seed", seed, "--seed"),
            ("weeks", weeks, "--weeks"),
        ],
    )
    done = _experiment(
        "sensitivity", scenario, options, out=out, workers=workers, scheduler=scheduler,
        resume=resume, dry_run=dry_run, force=force, quiet=quiet,
    )  # fmt: skip
    if done is None:
        return
    sc, store, outcome, extra = done
    design = extra["design"]
    head = (
        f"sensitivity of {len(design.parameters)} parameters, "
        f"{design.sobol_points} Sobol' points + {len(store.plan.points) - design.sobol_points} "
        f"tornado points x {len(sc.strategies)} strateg{'y' if len(sc.strategies) == 1 else 'ies'}"
        f" x {sc.sensitivity.replications} replications"
    )
    info = {"sensitivity": {"parameters": list(design.parameters), "outputs": list(design.outputs)}}
    write_json(store.root / MANIFEST_FILE, run_manifest("sensitivity", sc, outcome, info))
    if outcome.failures:
        _finish("sensitivity", scenario, store, outcome, head)
    seed_value = sc.sensitivity.seed if sc.sensitivity.seed is not None else sc.seed
    sobol_table, _tornado, _ = analyze(store, design, seed_value)
    if not no_figures:
        from ssisim.plots.redraw import redraw

        redraw(store.root)
    top = sobol_table[sobol_table["output"] == design.outputs[0]]
    if not quiet:
        from rich.console import Console

        Console().print(_sobol_table(top, design.outputs[0], sc.weeks))
    best = (
        top.sort_values("ST", ascending=False, kind="stable")
        .groupby("strategy", sort=False)
        .head(1)
    )
    moves = "; ".join(
        f"{r.strategy}: {r.parameter} moves {design.outputs[0]} most (ST {r.ST:.2f} ± {r.ST_conf:.2f})"
        for r in best.itertuples()
    )
    _finish("sensitivity", scenario, store, outcome, head + (f"; {moves}" if moves else ""))


def _sobol_table(rows: Any, output: str, weeks: int) -> Any:
    from rich.table import Table

    table = Table(title=f"Sobol' indices of {output} at week {weeks} (± 95% CI half-width)")
    for name in ("strategy", "parameter", "first order S1", "total ST"):
        table.add_column(name, justify="left" if name in ("strategy", "parameter") else "right")
    for r in rows.sort_values(
        ["strategy", "ST"], ascending=[True, False], kind="stable"
    ).itertuples():
        table.add_row(
            r.strategy,
            r.parameter,
            f"{r.S1:.2f} ± {r.S1_conf:.2f}",
            f"{r.ST:.2f} ± {r.ST_conf:.2f}",
        )
    return table


class _progress:
    """A rich progress bar with runs per second and time left, or nothing when quiet."""

    def __init__(self, console: Any, total: int, quiet: bool) -> None:
        self.console, self.total, self.quiet = console, total, quiet
        self.bar: Any = None

    def __enter__(self) -> Any:
        if self.quiet:
            return lambda n: None
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn("simulating"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        self.bar.__enter__()
        task = self.bar.add_task("runs", total=self.total, rate="")
        start = time.perf_counter()
        done = [0]

        def advance(n: int) -> None:
            done[0] += n
            rate = done[0] / max(time.perf_counter() - start, 1e-9)
            self.bar.update(task, advance=n, rate=f"{rate:.1f} runs/s")

        return advance

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)


@cli.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=_SET_HELP)
def validate(scenario: Path, overrides: tuple[str, ...]) -> None:
    """Check a scenario without running it; print what it would run."""
    sc = _load(scenario, overrides)
    names = ", ".join(s.name for s in sc.strategies)
    click.echo(
        f"{scenario}: valid: {sc.name!r}, {len(sc.strategies)} strategies ({names}), "
        f"{sc.replications} replications, {sc.weeks} weeks, {sc.population.size:,} members"
    )


@cli.command()
@click.argument("name", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the settings as JSON.")
def strategies(name: str | None, as_json: bool) -> None:
    """List the built-in strategies, or show one's settings."""
    from rich.console import Console
    from rich.table import Table

    from ssisim.scenario.schema import Strategy
    from ssisim.scenario.strategies import BUILTIN_STRATEGIES

    if name is not None and name not in BUILTIN_STRATEGIES:
        import difflib

        close = difflib.get_close_matches(name, list(BUILTIN_STRATEGIES), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise SsisimError(f"strategies: no built-in strategy {name!r}{hint}")
    chosen = [name] if name else list(BUILTIN_STRATEGIES)
    full = {n: Strategy(name=n, **BUILTIN_STRATEGIES[n]).model_dump(mode="json") for n in chosen}
    if as_json:
        click.echo(json.dumps(full, indent=2))
        return
    console = Console()
    if name is None:
        table = Table(title="Built-in strategies (`ssisim strategies NAME` for every setting)")
        table.add_column("name", no_wrap=True)
        for col in ("posts/wk", "invites/wk", "accepts", "Sales Nav."):
            table.add_column(col, overflow="fold")
        for n, settings in full.items():
            table.add_row(
                n,
                _fmt(settings["posts_per_week"]),
                _fmt(settings["invites_per_week"]),
                _fmt(settings["accept_policy"]),
                "yes" if settings["sales_navigator"] else "",
            )
        console.print(table)
        for n, settings in full.items():
            console.print(
                f"[bold]{n}[/bold]: {settings['description']} [dim](source: {settings['source']})[/dim]"
            )
        return
    fields = [f for f in Strategy.model_fields if f not in ("name", "description", "source")]
    table = Table(title=f"{name} (per week unless stated)")
    table.add_column("setting")
    table.add_column("value", overflow="fold")
    for f in fields:
        table.add_row(f, _fmt(full[name][f]))
    table.add_row("source", full[name]["source"])
    console.print(table)
    console.print(f"[bold]{name}[/bold]: {full[name]['description']}")


def _fmt(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


@cli.command()
@click.argument("run_dir", type=click.Path(path_type=Path))
def plot(run_dir: Path) -> None:
    """Redraw the figures of a results directory from its files."""
    from ssisim.plots.redraw import redraw as plot_all

    paths = plot_all(run_dir)
    click.echo(f"{len(paths)} figures in {run_dir / 'figures'}")


@cli.command()
@click.option(
    "--quick",
    is_flag=True,
    help="A reduced plan (about a tenth of the runs): a first look, and what the tests run.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=2024,
    show_default=True,
    help="Seed of every simulation.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Local worker processes (0: all cores). Results do not depend on it.",
)
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="KEY=VALUE",
    help="Change the default model for every target, e.g. --set answers.messaging.cold_reply_rate=0.2 (repeatable).",
)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    help="Output directory (must not exist; default results/calibration/<timestamp>/).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress messages and no table.")
def calibrate(
    quick: bool, seed: int, workers: int, overrides: tuple[str, ...], out: Path | None, quiet: bool
) -> None:
    """Check the default model against every published SSI figure (C1-C10, decay).

    Prints a table (id, statement, source article, simulated mean with its
    95% CI, target range, pass or fail) and writes calibration.csv,
    calibration.png and manifest.json. Exit status 1 if any target fails.
    """
    from rich.console import Console

    from ssisim.experiments.calibration import CalibrationPlan, write_calibration
    from ssisim.experiments.calibration import calibrate as run_calibration
    from ssisim.plots.redraw import redraw

    plan = CalibrationPlan.quick() if quick else CalibrationPlan()
    out_dir = _new_out_dir(out, "calibration")
    err = Console(stderr=True, quiet=quiet)
    started = time.perf_counter()
    table = run_calibration(
        plan,
        seed=seed,
        overrides=overrides,
        workers=workers,
        progress=lambda m: err.print(f"[dim]{m}[/dim]"),
    )
    elapsed = time.perf_counter() - started
    manifest = {
        "kind": "calibration",
        "plan": "quick" if quick else "full",
        "seed": seed,
        "overrides": list(overrides),
        "command": [Path(sys.argv[0]).name, *sys.argv[1:]],
        "seconds": round(elapsed, 1),
        "passed": int(table.passed.sum()),
        "targets": len(table),
    }
    write_calibration(out_dir, table, manifest)
    redraw(out_dir)
    if not quiet:
        Console().print(_calibration_table(table))
    failed = table[~table.passed]
    click.echo(
        f"{len(table) - len(failed)}/{len(table)} targets pass ({'quick' if quick else 'full'} plan, "
        f"{elapsed:.0f} s); results in {out_dir}"
    )
    if len(failed):
        click.echo(
            "failing: " + ", ".join(f"{r.id} ({r.statement})" for r in failed.itertuples()),
            err=True,
        )
        sys.exit(1)


def _calibration_table(table: Any) -> Any:
    from rich.table import Table

    out = Table(title="Calibration: simulated mean (95% CI) against the published figures")
    for col, kw in (
        ("id", {}),
        ("statement", {"overflow": "fold", "max_width": 46}),
        ("source", {"max_width": 14, "overflow": "fold"}),
        ("simulated", {"justify": "right"}),
        ("target", {"justify": "right"}),
        ("", {}),
    ):
        out.add_column(col, **kw)
    for r in table.itertuples(index=False):
        digits = 0 if abs(r.target_high) >= 1000 else (2 if r.unit == "ratio" else 1)
        ci = (
            ""
            if not (r.ci_high > r.ci_low)
            else f" ({r.ci_low:,.{digits}f}-{r.ci_high:,.{digits}f})"
        )
        target = (
            f"< {r.target_high:,.{digits}f}"
            if r.id == "C4"
            else f"{r.target_low:,.{digits}f}-{r.target_high:,.{digits}f}"
        )
        out.add_row(
            r.id,
            r.statement,
            r.source,
            f"{r.mean:,.{digits}f}{ci}",
            f"{target} {r.unit}",
            "[green]pass[/green]" if r.passed else "[red]FAIL[/red]",
        )
    return out


@cli.command()
@click.argument("readings", type=click.Path(path_type=Path))
@click.option(
    "--routine",
    type=click.Path(path_type=Path),
    required=True,
    help="Scenario whose strategy is what you did over the readings' period.",
)
@click.option(
    "--strategy", "strategy_name", metavar="NAME", help="The routine's strategy, if it has several."
)
@click.option(
    "--start-week",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Week of the routine at the first reading (0: the routine starts on that day).",
)
@click.option(
    "--reps", type=click.IntRange(min=1), help="Replications averaged (default: the routine's)."
)
@click.option(
    "--ridge",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    help="Pull toward the routine's scoring, in points squared (see docs/fit.md).",
)
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=_SET_HELP)
@click.option(
    "--out", type=click.Path(path_type=Path), help="Write the fitted scoring to this YAML file."
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no tables.")
def fit(
    readings: Path,
    routine: Path,
    strategy_name: str | None,
    start_week: int,
    reps: int | None,
    ridge: float,
    overrides: tuple[str, ...],
    out: Path | None,
    quiet: bool,
) -> None:
    """Fit the pillar weights and saturation scales to your own SSI readings.

    READINGS is a CSV file of dated dashboard readings (date, ssi, brand,
    people, insights, relationships; ';' or ',' between columns). Prints the
    error per pillar with the routine's scoring and with the fitted one;
    --out writes a weights file that a scenario includes with
    `scoring: FILE`. See docs/fit.md.
    """
    from rich.console import Console

    from ssisim.experiments.fit import (
        fit_readings,
        load_routine,
        read_readings,
        report_tables,
        write_weights,
    )

    started = time.perf_counter()
    frame = read_readings(readings)
    options: list[str | tuple[str, str]] = list(overrides)
    if reps is not None:
        options.append((f"replications={reps}", f"--reps {reps}"))
    sc, strategy = load_routine(
        routine, frame, strategy=strategy_name, start_week=start_week, overrides=options
    )
    console = Console(stderr=True, quiet=quiet)
    with _progress(console, sc.replications, quiet) as advance:
        result = fit_readings(
            frame, sc, strategy, start_week=start_week, ridge=ridge, progress=advance
        )
    if out is not None:
        write_weights(out, result, routine=str(routine))
    elapsed = time.perf_counter() - started
    if not quiet:
        report = Console()
        for table in report_tables(result):
            report.print(table)
        for note in result.notes:
            report.print(f"note: {note}")
    ssi = result.errors.set_index("score").loc["ssi"]
    click.echo(
        f"{len(frame)} readings (weeks {start_week}-{result.horizon_weeks}), "
        f"{sc.replications} replications of {strategy.name!r} in {elapsed:.1f} s; "
        f"ssi RMSE {ssi['rmse_baseline']:.2f} -> {ssi['rmse_fitted']:.2f} points"
        + (f"; weights in {out}" if out is not None else "")
    )


@cli.command()
@click.argument("scenario", type=click.Path(path_type=Path), required=False)
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=_SET_HELP)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=Path("results/explain"),
    show_default=True,
    help="Directory for pillar-responses.png (created if needed; the figure is replaced).",
)
def explain(scenario: Path | None, overrides: tuple[str, ...], out: Path) -> None:
    """Show how the four pillars are scored: every input, its weight and scale.

    Uses the default scoring, or SCENARIO's (with --set changes). Prints the
    table of inputs and draws how each pillar answers to each input
    (pillar-responses.png, as in docs/model.md).
    """
    from rich.console import Console
    from rich.table import Table

    from ssisim.pillars import (
        INPUTS,
        MAX_PILLAR,
        SALES_NAVIGATOR_INPUTS,
        ceiling_without_sales_navigator,
    )
    from ssisim.plots.scoring import plot_pillar_responses
    from ssisim.scenario.loading import parse_scenario
    from ssisim.scenario.schema import Scoring

    if scenario is not None:
        scoring = _load(scenario, overrides).scoring
    elif overrides:
        scoring = parse_scenario(
            "name: explain\nstrategies: [inactive]\n", "defaults", overrides
        ).scoring
    else:
        scoring = Scoring()
    table = Table(title="Pillar inputs: weight (relative within the pillar), scale, most points")
    for col in ("pillar", "input", "weight", "scale", "max points"):
        table.add_column(col, justify="left" if col in ("pillar", "input") else "right")
    for pillar, names in INPUTS.items():
        params = getattr(scoring, pillar)
        total = sum(getattr(params, n).weight for n in names)
        for name in names:
            p = getattr(params, name)
            sn = " (Sales Navigator)" if (pillar, name) in SALES_NAVIGATOR_INPUTS else ""
            table.add_row(
                pillar,
                name + sn,
                f"{p.weight:g}",
                f"{p.scale:g}",
                f"{MAX_PILLAR * p.weight / total:.1f}",
            )
    Console().print(table)
    path = plot_pillar_responses(scoring, out / "pillar-responses.png")
    click.echo(
        f"ceiling without Sales Navigator: {ceiling_without_sales_navigator(scoring):.1f} points; "
        f"activity counts as a trailing average (half-life {scoring.activity_half_life_weeks:g} weeks); "
        f"figure: {path}"
    )


# --------------------------------------------------------------------------- the debate
# `ssisim team`, `ssisim cohort` and `ssisim outcomes` (docs/debate.md).


def _debate_manifest(sc: Any, command: str, workers: int, seconds: float) -> dict[str, Any]:
    from ssisim.results.files import manifest

    return manifest(command, sc, run={"workers": workers, "seconds": round(seconds, 3)})


_DEBATE_OPTIONS = [
    click.option("--seed", type=click.IntRange(min=0), help="The seed."),
    click.option("--weeks", type=click.IntRange(min=1), help="Horizon in weeks."),
    click.option(
        "--out",
        "out",
        type=click.Path(path_type=Path),
        help="Output directory (must not exist; default results/<scenario name>/<timestamp>/).",
    ),
    click.option(
        "--workers",
        type=click.IntRange(min=0),
        default=0,
        show_default=True,
        help="Local worker processes (0: all cores). Results do not depend on it.",
    ),
    click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=_SET_HELP),
    click.option("--quiet", "-q", is_flag=True, help="No progress bar and no tables."),
]


def _debate_options(f: Any) -> Any:
    for option in reversed(_DEBATE_OPTIONS):
        f = option(f)
    return f


@cli.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--reps", type=click.IntRange(min=1), help="Replications of each member's year.")
@_debate_options
def team(
    scenario: Path,
    reps: int | None,
    seed: int | None,
    weeks: int | None,
    out: Path | None,
    workers: int,
    overrides: tuple[str, ...],
    quiet: bool,
) -> None:
    """Run a sales team (the scenario's `team:` block) and its monthly leaderboard.

    Every member is a seller of the same company in the same population, with
    their own routine. Writes weekly.csv, summary.csv, leaderboard.csv, the
    outcomes tables and figures (leaderboard.png among them) into OUT.
    """
    from rich.console import Console
    from rich.table import Table

    from ssisim.experiments.teams import leaderboard_sentences, run_team, write_team
    from ssisim.plots.redraw import redraw

    options = _scenario_options(
        overrides,
        [("replications", reps, "--reps"), ("seed", seed, "--seed"), ("weeks", weeks, "--weeks")],
    )
    sc = _load(scenario, options)
    if sc.team is None:
        raise ScenarioError(
            f"{scenario}:1: team: the scenario has no `team:` block (see docs/debate.md)"
        )
    out_dir = _new_out_dir(out, sc.name)
    runs = len(sc.team.members) * sc.replications
    with _progress(Console(stderr=True, quiet=quiet), runs, quiet) as advance:
        result = run_team(sc, workers=workers, progress=advance)
    write_team(out_dir, result, _debate_manifest(result.scenario, "team", workers, result.seconds))
    redraw(out_dir)
    board = result.leaderboard
    if not quiet:
        last = board[board["month"] == board["month"].max()].sort_values("rank")
        table = Table(
            title=f"Leaderboard after month {int(last['month'].iloc[0])} (mean of {sc.replications} replications)"
        )
        for col in (
            "rank",
            "member",
            "strategy",
            "SSI",
            "change",
            "first",
            f"+{sc.team.goal_points:g}",
            "opportunities",
        ):
            table.add_column(col, justify="left" if col in ("member", "strategy") else "right")
        for r in last.itertuples(index=False):
            table.add_row(
                str(r.rank),
                r.member,
                r.strategy,
                f"{r.ssi:.1f}",
                f"{r.ssi_change:+.1f}",
                f"{r.first_share:.0%}",
                f"{r.goal_share:.0%}",
                f"{r.opportunities:.1f}",
            )
        Console().print(table)
        for line in leaderboard_sentences(board, result.scenario):
            click.echo(line)
    click.echo(
        f"{runs} runs ({len(sc.team.members)} members x {sc.replications} replications, "
        f"{sc.weeks} weeks) in {result.seconds:.1f} s; results in {out_dir}"
    )


@cli.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--sellers", type=click.IntRange(min=2), help="Sellers in the cohort.")
@_debate_options
def cohort(
    scenario: Path,
    sellers: int | None,
    seed: int | None,
    weeks: int | None,
    out: Path | None,
    workers: int,
    overrides: tuple[str, ...],
    quiet: bool,
) -> None:
    """Test LinkedIn's claim (C8): do sellers with an SSI of 70+ create 45% more opportunities?

    Simulates the scenario's `cohort:` (many sellers, mixed routines, one
    population) and reports, per business context, the ratio of the mean
    opportunities of high- to low-SSI sellers with a 95% bootstrap interval.
    Writes sellers.csv, ratio.csv, weekly.csv, cohort.png and manifest.json.
    """
    from rich.console import Console
    from rich.table import Table

    from ssisim.experiments.cohort import cohort_sentences, run_cohort, write_cohort
    from ssisim.plots.redraw import redraw

    options = _scenario_options(
        overrides,
        [
            ("cohort.sellers", sellers, "--sellers"),
            ("seed", seed, "--seed"),
            ("weeks", weeks, "--weeks"),
        ],
    )
    sc = _load(scenario, options)
    if sc.cohort is None:
        raise ScenarioError(
            f"{scenario}:1: cohort: the scenario has no `cohort:` block (see docs/debate.md)"
        )
    out_dir = _new_out_dir(out, sc.name)
    with _progress(Console(stderr=True, quiet=quiet), sc.cohort.sellers, quiet) as advance:
        result = run_cohort(sc, workers=workers, progress=advance)
    write_cohort(
        out_dir, result, _debate_manifest(result.scenario, "cohort", workers, result.seconds)
    )
    redraw(out_dir)
    if not quiet:
        table = Table(title="Opportunities of sellers with a high SSI over those with a low one")
        for col in ("context", "high (n)", "low (n)", "mean high", "mean low", "ratio", "95% CI"):
            table.add_column(col, justify="left" if col == "context" else "right")
        for r in result.ratios.itertuples(index=False):
            table.add_row(
                str(r.context),
                str(r.n_high),
                str(r.n_low),
                f"{r.mean_high:.1f}",
                f"{r.mean_low:.1f}",
                f"{r.ratio:.2f}",
                f"{r.ci_low:.2f}-{r.ci_high:.2f}",
            )
        Console().print(table)
        for line in cohort_sentences(result.ratios, result.scenario):
            click.echo(line)
    click.echo(
        f"{sc.cohort.sellers} sellers, {sc.weeks} weeks, in {result.seconds:.1f} s; results in {out_dir}"
    )


@cli.command()
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.option(
    "--scenario",
    "scenario",
    type=click.Path(path_type=Path),
    help="Take the business contexts from this scenario instead of the run's own.",
)
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="KEY=VALUE",
    help="Change a context, e.g. --set contexts.complex.deal_value_eur=300000 (repeatable).",
)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    help="Output directory for the tables and figures (must not exist; default RUN_DIR/outcomes/<timestamp>).",
)
def outcomes(
    run_dir: Path, scenario: Path | None, overrides: tuple[str, ...], out: Path | None
) -> None:
    """Re-evaluate a run's opportunities, value and hours under other business contexts.

    Reads RUN_DIR/weekly.csv (no simulation), applies the contexts (the run's,
    or SCENARIO's, with --set changes), prints one sentence per context and
    writes outcomes.csv, outcomes_summary.csv and the debate's figures.
    """
    import yaml

    from ssisim.plots.debate import plot_debate_figures
    from ssisim.results.files import atomic_directory, default_output_dir
    from ssisim.results.outcomes import debate_sentences, write_outcomes
    from ssisim.results.tables import read_results
    from ssisim.scenario.loading import parse_scenario

    weekly, _summary, manifest = read_results(run_dir)
    if scenario is not None:
        sc = _load(scenario, overrides)
    else:
        found = manifest.get("scenario")
        base: dict[str, Any] = found if isinstance(found, dict) else {}
        data = {
            "name": base.get("name", "outcomes"),
            "strategies": ["inactive"],
            "contexts": base.get("contexts"),
        }
        sc = parse_scenario(yaml.safe_dump(data), f"{run_dir}/manifest.json", overrides)
    out_dir = out if out is not None else default_output_dir("outcomes", root=run_dir)
    with atomic_directory(out_dir) as tmp:
        _, summary = write_outcomes(tmp, weekly, sc.contexts)
        plot_debate_figures(summary, tmp / "figures", title_suffix=sc.name)
    for line in debate_sentences(summary):
        click.echo(line)
    click.echo(f"outcomes in {out_dir}")


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: one-line errors, exit code 2 for user errors, 130 on Ctrl-C."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get("SSISIM_DEBUG") == "1"
    try:
        cli.main(args=args, prog_name="ssisim", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.UsageError as exc:
        if debug:
            raise
        cmd = exc.ctx.command_path if exc.ctx else "ssisim"
        click.echo(f"{cmd}: {exc.format_message()} (see `{cmd} --help`)", err=True)
        sys.exit(EXIT_USAGE)
    except (click.Abort, KeyboardInterrupt):
        click.echo("interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    except SsisimError as exc:
        if debug:
            raise
        click.echo(f"error: {exc}" if not isinstance(exc, ScenarioError) else str(exc), err=True)
        sys.exit(EXIT_USAGE)

"""The ``ssisim`` command line: parses, calls the library, prints."""

from __future__ import annotations

import json
import os
import platform as _platform
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
    from ssisim.scenario import load_scenario

    return load_scenario(scenario, overrides)


_SET_HELP = "Override a scenario key, e.g. --set population.size=5000 (repeatable)."


@cli.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--reps", type=click.IntRange(min=1), help="Replications per strategy.")
@click.option("--seed", type=click.IntRange(min=0), help="The run's seed.")
@click.option("--weeks", type=click.IntRange(min=1), help="Horizon in weeks.")
@click.option("--out", "out", type=click.Path(path_type=Path), help="Output directory (must not exist).")
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Local worker processes (0: all cores). Results do not depend on it.",
)
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=_SET_HELP)
@click.option("--no-figures", is_flag=True, help="Skip the figures (redraw later with `ssisim plot`).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary table.")
def run(
    scenario: Path,
    reps: int | None,
    seed: int | None,
    weeks: int | None,
    out: Path | None,
    workers: int,
    overrides: tuple[str, ...],
    no_figures: bool,
    quiet: bool,
) -> None:
    """Run a scenario: every strategy, every replication; write the results.

    Writes weekly.csv, summary.csv, manifest.json and figures/ into OUT
    (default results/<scenario name>/<timestamp>/).
    """
    from rich.console import Console

    from ssisim.engine import run_replications
    from ssisim.model import RunStats
    from ssisim.results import (
        default_output_dir,
        summarize,
        terminal_table,
        weekly_frame,
        write_results,
    )

    options: list[str | tuple[str, str]] = list(overrides)
    for key, value, flag in (("replications", reps, "--reps"), ("seed", seed, "--seed"), ("weeks", weeks, "--weeks")):
        if value is not None:
            options.append((f"{key}={value}", f"{flag} {value}"))
    sc = _load(scenario, options)
    out_dir = out if out is not None else default_output_dir(sc.name)
    if out_dir.exists():
        raise SsisimError(f"{out_dir}: already exists; choose another --out (nothing was written)")

    console = Console(stderr=True, quiet=quiet)
    runs = len(sc.strategies) * sc.replications
    stats = RunStats()
    started = time.perf_counter()
    with _progress(console, runs, quiet) as advance:
        records = run_replications(sc, workers=workers, progress=advance, stats=stats)
    elapsed = time.perf_counter() - started

    order = [s.name for s in sc.strategies]
    weekly = weekly_frame(records, order)
    summary = summarize(weekly, sc.effective_checkpoints(), order)
    manifest = _manifest(sc, workers, elapsed, runs, stats.events)
    write_results(out_dir, weekly, summary, manifest)
    if not no_figures:
        from ssisim.plots import plot_figures

        plot_figures(
            weekly,
            out_dir / "figures",
            title_suffix=sc.name,
            boost_threshold_ssi=sc.platform.boost_threshold_ssi,
        )
    if not quiet:
        Console().print(terminal_table(summary, sc.weeks))
    click.echo(
        f"{runs} runs ({len(sc.strategies)} strategies x {sc.replications} replications, "
        f"{sc.weeks} weeks) in {elapsed:.1f} s ({runs / max(elapsed, 1e-9):.1f} runs/s); "
        f"results in {out_dir}"
    )


class _progress:
    """A rich progress bar with runs per second, or nothing when quiet."""

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


def _manifest(sc: Any, workers: int, elapsed: float, runs: int, events: int) -> dict[str, Any]:
    packages: dict[str, str | None] = {}
    for name in ("ssisim", "numpy", "simpy", "networkx", "pandas", "pydantic", "scipy", "seaborn"):
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    return {
        "scenario": sc.model_dump(mode="json"),
        "seed": sc.seed,
        "command": [Path(sys.argv[0]).name, *sys.argv[1:]],
        "versions": {"python": _platform.python_version(), **packages},
        "run": {"workers": workers, "runs": runs, "events": events, "seconds": round(elapsed, 3)},
    }


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

    from ssisim.scenario import Strategy
    from ssisim.strategies import BUILTIN_STRATEGIES

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
    fields = [f for f in Strategy.model_fields if f not in ("name", "description", "source")]
    table = Table(title="Built-in strategies (per week unless stated)")
    table.add_column("setting")
    for n in chosen:
        table.add_column(n)
    for f in fields:
        table.add_row(f, *[_fmt(full[n][f]) for n in chosen])
    table.add_row("source", *[full[n]["source"] for n in chosen])
    console = Console()
    console.print(table)
    for n in chosen:
        console.print(f"[bold]{n}[/bold]: {full[n]['description']}")


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
    from ssisim.plots import plot_all

    paths = plot_all(run_dir)
    click.echo(f"{len(paths)} figures in {run_dir / 'figures'}")


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

"""The model: ``ssisim validate``, ``strategies``, ``calibrate``, ``explain`` and ``fit``."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click

from ssisim.cli.options import (
    EXIT_FAILED,
    SET_HELP,
    counted,
    date_order_options,
    load,
    new_out_dir,
    scenario_overrides,
    trust_options,
)

__all__ = ["calibrate", "explain", "fit", "strategies", "validate"]


@click.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=SET_HELP)
@trust_options
def validate(scenario: Path, overrides: tuple[str, ...]) -> None:
    """Check a scenario without running it; print what it would run.

    Runs every check `run`, `sweep` and `sensitivity` run, their blocks included.
    """
    from ssisim.experiments.pipeline import validate_experiments

    sc = load(scenario, overrides)
    more = validate_experiments(sc, scenario, overrides)
    names = ", ".join(s.name for s in sc.strategies)
    click.echo(
        f"{scenario}: valid: {sc.name!r}, "
        f"{counted(len(sc.strategies), 'strategy', 'strategies')} ({names}), "
        f"{counted(sc.replications, 'replication')}, {counted(sc.weeks, 'week')}, "
        f"{sc.population.size:,} members"
    )
    for line in more:
        click.echo(f"  {line}")


@click.command()
@click.argument("name", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the settings as JSON.")
def strategies(name: str | None, as_json: bool) -> None:
    """List the built-in strategies, or show one's settings."""
    from ssisim.cli.tables import output_console, strategies_table, strategy_table
    from ssisim.errors import SsisimError
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
    console = output_console()
    if name is None:
        console.print(strategies_table(full))
        for n, settings in full.items():
            console.print(
                f"[bold]{n}[/bold]: {settings['description']} [dim](source: {settings['source']})[/dim]"
            )
        return
    fields = [  # as written in a scenario (``from``, not the field ``from_``)
        field.alias or f
        for f, field in Strategy.model_fields.items()
        if f not in ("name", "description", "source")
    ]
    console.print(strategy_table(name, full[name], fields))
    console.print(f"[bold]{name}[/bold]: {full[name]['description']}")


@click.command()
@click.option(
    "--quick",
    is_flag=True,
    help="A reduced plan (a fifth of the runs): a first look, and what the tests run.",
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

    from ssisim.cli.tables import calibration_table, output_console
    from ssisim.experiments.calibration import CalibrationPlan, write_calibration
    from ssisim.experiments.calibration import calibrate as run_calibration
    from ssisim.plots.redraw import redraw

    plan = CalibrationPlan.quick() if quick else CalibrationPlan()
    out_dir = new_out_dir(out, "calibration")
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
        output_console().print(calibration_table(table))
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
        sys.exit(EXIT_FAILED)


@click.command()
@click.argument("readings", type=click.Path(path_type=Path), nargs=-1, required=True)
@click.option(
    "--routine",
    type=click.Path(path_type=Path),
    help="Scenario whose strategy is what you did over the readings' period.",
)
@click.option(
    "--member",
    type=click.Path(path_type=Path),
    help="Instead of --routine: member.yaml from `ssisim import` (what you actually did).",
)
@date_order_options("Dates", "Dates in this strptime format, e.g. '%m/%d/%Y'.")
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
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=SET_HELP)
@click.option(
    "--out", type=click.Path(path_type=Path), help="Write the fitted scoring to this YAML file."
)
@click.option(
    "--results",
    "results_dir",
    type=click.Path(path_type=Path),
    help="Also write a results folder (predictions.csv, errors.csv, parameters.csv, "
    "manifest.json, figures/fit.png) that `ssisim plot` and `ssisim report` read; must not exist.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no tables.")
def fit(
    readings: tuple[Path, ...],
    routine: Path | None,
    member: Path | None,
    date_order: str | None,
    strategy_name: str | None,
    start_week: int,
    reps: int | None,
    ridge: float,
    overrides: tuple[str, ...],
    out: Path | None,
    results_dir: Path | None,
    quiet: bool,
) -> None:
    """Fit the pillar weights and saturation scales to your own SSI readings.

    READINGS is a CSV file of dated dashboard readings (date, ssi, brand,
    people, insights, relationships; ';' or ',' between columns). Prints the
    error per pillar with the routine's scoring and with the fitted one;
    --out writes a weights file that a scenario includes with
    `scoring: FILE`. See docs/fit.md.
    """
    from ssisim.cli.progress import progress_bar
    from ssisim.cli.tables import output_console
    from ssisim.experiments.fit import (
        fit_readings,
        load_routine,
        read_readings,
        report_tables,
        write_weights,
    )
    from ssisim.experiments.readings import member_routine

    if (routine is None) == (member is None):
        raise click.UsageError("give --routine SCENARIO or --member member.yaml (one of them)")
    started = time.perf_counter()
    frame = read_readings(readings, date_order)
    options = scenario_overrides(overrides, [("replications", reps, "--reps")])
    if member is not None:
        sc, strategy = member_routine(member, frame, start_week=start_week, overrides=options)
    else:
        assert routine is not None
        sc, strategy = load_routine(
            routine, frame, strategy=strategy_name, start_week=start_week, overrides=options
        )
    with progress_bar(sc.replications, quiet) as advance:
        result = fit_readings(
            frame, sc, strategy, start_week=start_week, ridge=ridge, progress=advance
        )
    if out is not None:
        write_weights(out, result, routine=str(routine or member))
    elapsed = time.perf_counter() - started
    if results_dir is not None:
        from ssisim.plots.redraw import redraw
        from ssisim.results.files import atomic_directory, manifest, write_csv, write_json

        with atomic_directory(results_dir) as tmp:
            write_csv(result.predictions, tmp / "predictions.csv")
            write_csv(result.errors, tmp / "errors.csv")
            write_csv(result.parameters, tmp / "parameters.csv")
            info = {"readings": len(frame), "strategy": strategy.name, "ridge": ridge}
            write_json(tmp / "manifest.json", manifest("fit", sc, fit=info))
        redraw(results_dir)
    if not quiet:
        report = output_console()
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
        + (f"; results in {results_dir}" if results_dir is not None else "")
    )


@click.command()
@click.argument("scenario", type=click.Path(path_type=Path), required=False)
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=SET_HELP)
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
    from ssisim.cli.tables import output_console, pillar_inputs_table
    from ssisim.pillars import ceiling_without_sales_navigator
    from ssisim.plots.scoring import plot_pillar_responses
    from ssisim.scenario.loading import parse_scenario
    from ssisim.scenario.schema import Scoring

    if scenario is not None:
        scoring = load(scenario, overrides).scoring
    elif overrides:
        scoring = parse_scenario(
            "name: explain\nstrategies: [inactive]\n", "defaults", overrides
        ).scoring
    else:
        scoring = Scoring()
    output_console().print(pillar_inputs_table(scoring))
    path = plot_pillar_responses(scoring, out / "pillar-responses.png")
    click.echo(
        f"ceiling without Sales Navigator: {ceiling_without_sales_navigator(scoring):.1f} points; "
        f"activity counts as a trailing average (half-life {scoring.activity_half_life_weeks:g} weeks); "
        f"figure: {path}"
    )

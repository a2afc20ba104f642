"""The debate (docs/debate.md): ``ssisim team``, ``ssisim cohort`` and ``ssisim outcomes``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ssisim.cli.options import debate_options, load, new_out_dir, scenario_overrides

if TYPE_CHECKING:
    from ssisim.scenario.schema import Scenario

__all__ = ["cohort", "outcomes", "team"]


def _manifest(sc: Scenario, command: str, workers: int, seconds: float) -> dict[str, Any]:
    from ssisim.results.files import manifest

    return manifest(command, sc, run={"workers": workers, "seconds": round(seconds, 3)})


@click.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--reps", type=click.IntRange(min=1), help="Replications of each member's year.")
@debate_options
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

    from ssisim.cli.progress import progress_bar
    from ssisim.cli.tables import leaderboard_table
    from ssisim.errors import ScenarioError
    from ssisim.experiments.teams import leaderboard_sentences, run_team, write_team
    from ssisim.plots.redraw import redraw

    options = scenario_overrides(
        overrides,
        [("replications", reps, "--reps"), ("seed", seed, "--seed"), ("weeks", weeks, "--weeks")],
    )
    sc = load(scenario, options)
    if sc.team is None:
        raise ScenarioError(
            f"{scenario}:1: team: the scenario has no `team:` block (see docs/debate.md)"
        )
    out_dir = new_out_dir(out, sc.name)
    runs = len(sc.team.members) * sc.replications
    with progress_bar(runs, quiet) as advance:
        result = run_team(sc, workers=workers, progress=advance)
    write_team(out_dir, result, _manifest(result.scenario, "team", workers, result.seconds))
    redraw(out_dir)
    if not quiet:
        Console().print(leaderboard_table(result.leaderboard, sc.replications, sc.team.goal_points))
        for line in leaderboard_sentences(result.leaderboard, result.scenario):
            click.echo(line)
    click.echo(
        f"{runs} runs ({len(sc.team.members)} members x {sc.replications} replications, "
        f"{sc.weeks} weeks) in {result.seconds:.1f} s; results in {out_dir}"
    )


@click.command()
@click.argument("scenario", type=click.Path(path_type=Path))
@click.option("--sellers", type=click.IntRange(min=2), help="Sellers in the cohort.")
@debate_options
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

    from ssisim.cli.progress import progress_bar
    from ssisim.cli.tables import cohort_table
    from ssisim.errors import ScenarioError
    from ssisim.experiments.cohort import cohort_sentences, run_cohort, write_cohort
    from ssisim.plots.redraw import redraw

    options = scenario_overrides(
        overrides,
        [
            ("cohort.sellers", sellers, "--sellers"),
            ("seed", seed, "--seed"),
            ("weeks", weeks, "--weeks"),
        ],
    )
    sc = load(scenario, options)
    if sc.cohort is None:
        raise ScenarioError(
            f"{scenario}:1: cohort: the scenario has no `cohort:` block (see docs/debate.md)"
        )
    out_dir = new_out_dir(out, sc.name)
    with progress_bar(sc.cohort.sellers, quiet) as advance:
        result = run_cohort(sc, workers=workers, progress=advance)
    write_cohort(out_dir, result, _manifest(result.scenario, "cohort", workers, result.seconds))
    redraw(out_dir)
    if not quiet:
        Console().print(cohort_table(result.ratios))
        for line in cohort_sentences(result.ratios, result.scenario):
            click.echo(line)
    click.echo(
        f"{sc.cohort.sellers} sellers, {sc.weeks} weeks, in {result.seconds:.1f} s; results in {out_dir}"
    )


@click.command()
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
    from ssisim.plots.debate import plot_debate_figures
    from ssisim.results.files import atomic_directory, default_output_dir
    from ssisim.results.outcomes import debate_sentences, write_outcomes
    from ssisim.results.tables import read_results
    from ssisim.scenario.loading import scenario_from_manifest

    weekly, _summary, manifest = read_results(run_dir)
    if scenario is not None:
        sc = load(scenario, overrides)
    else:
        sc = scenario_from_manifest(manifest, f"{run_dir}/manifest.json", overrides)
    out_dir = out if out is not None else default_output_dir("outcomes", root=run_dir)
    with atomic_directory(out_dir) as tmp:
        _, summary = write_outcomes(tmp, weekly, sc.contexts)
        plot_debate_figures(summary, tmp / "figures", title_suffix=sc.name)
    for line in debate_sentences(summary):
        click.echo(line)
    click.echo(f"outcomes in {out_dir}")

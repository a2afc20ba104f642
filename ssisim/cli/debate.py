"""The debate (docs/debate.md): ``ssisim team``, ``ssisim cohort`` and ``ssisim outcomes``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ssisim.cli.options import (
    debate_options,
    load,
    new_out_dir,
    no_figures_option,
    scenario_overrides,
)

if TYPE_CHECKING:
    from ssisim.scenario.schema import Scenario

__all__ = ["cohort", "outcomes", "sweep_outcomes", "team"]


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
    no_figures: bool = False,
) -> None:
    """Run a sales team (the scenario's `team:` block) and its monthly leaderboard.

    Every member is a seller of the same company in the same population, with
    their own routine. Writes weekly.csv, summary.csv, leaderboard.csv, the
    outcomes tables and figures (leaderboard.png among them) into OUT.
    """
    from ssisim.cli.progress import progress_bar
    from ssisim.cli.tables import leaderboard_table, output_console
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
    if not no_figures:
        redraw(out_dir)
    if not quiet:
        output_console().print(
            leaderboard_table(result.leaderboard, sc.replications, sc.team.goal_points)
        )
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
    no_figures: bool = False,
) -> None:
    """Test LinkedIn's claim (C8): do sellers with an SSI of 70+ create 45% more opportunities?

    Simulates the scenario's `cohort:` (many sellers, mixed routines, one
    population) and reports, per business context, the ratio of the mean
    opportunities of high- to low-SSI sellers with a 95% bootstrap interval.
    Writes sellers.csv, ratio.csv, weekly.csv, cohort.png and manifest.json.
    """
    from ssisim.cli.progress import progress_bar
    from ssisim.cli.tables import cohort_table, output_console
    from ssisim.errors import ScenarioError
    from ssisim.experiments.cohort import (
        claim_sentence,
        cohort_sentences,
        ratio_curve,
        run_cohort,
        write_cohort,
    )
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
    if not no_figures:
        redraw(out_dir)
    if not quiet:
        output_console().print(cohort_table(result.ratios))
        for line in cohort_sentences(result.ratios, result.scenario):
            click.echo(line)
        if result.scenario.answers.leads.existing_rate > 0:
            click.echo(claim_sentence(ratio_curve(result.sellers, result.scenario)))
    click.echo(
        f"{sc.cohort.sellers} sellers, {sc.weeks} weeks, in {result.seconds:.1f} s; results in {out_dir}"
    )


@click.command()
@click.argument("run_dir", type=click.Path(path_type=Path))
@click.argument(
    "scenario_file", metavar="[SCENARIO]", required=False, type=click.Path(path_type=Path)
)
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
@no_figures_option("Skip the figures: the tables and the sentences only.")
def outcomes(
    run_dir: Path,
    scenario_file: Path | None,
    scenario: Path | None,
    overrides: tuple[str, ...],
    out: Path | None,
    no_figures: bool = False,
) -> None:
    """Re-evaluate a run's opportunities, value and hours under other business contexts.

    Reads RUN_DIR/weekly.csv (no simulation), or every point of a sweep
    folder, applies the contexts (the run's, or SCENARIO's, given as a second
    argument or with --scenario, with --set changes), prints one verdict
    sentence per context and writes outcomes.csv, outcomes_summary.csv,
    differences.csv and the debate's figures (not with --no-figures).
    """
    from ssisim.results.files import atomic_directory, default_output_dir
    from ssisim.results.outcomes import debate_sentences

    if scenario_file is not None and scenario is not None:
        raise click.UsageError("give the scenario once: as SCENARIO or with --scenario")
    scenario = scenario_file if scenario_file is not None else scenario
    _contexts_only(overrides)
    manifest = _read_manifest(run_dir)
    if scenario is not None:
        sc = load(scenario, overrides)
    else:
        from ssisim.scenario.loading import scenario_from_manifest

        sc = scenario_from_manifest(manifest, f"{run_dir}/manifest.json", overrides)
    out_dir = out if out is not None else default_output_dir("outcomes", root=run_dir)
    if (run_dir / "points.csv").is_file():
        from ssisim.results.files import atomic_directory as _atomic
        from ssisim.results.flips import is_one_at_a_time

        with _atomic(out_dir) as tmp:
            sweep_outcomes(run_dir, sc, tmp)
            sentences = sweep_flips(run_dir, tmp) if is_one_at_a_time(manifest) else []
        for line in sentences:
            click.echo(line)
        click.echo(f"outcomes of every sweep point in {out_dir}")
        return
    import pandas as pd

    from ssisim.results.outcomes import write_outcomes
    from ssisim.results.tables import read_results

    weekly, _summary, _ = read_results(run_dir)
    with atomic_directory(out_dir) as tmp:
        _, summary = write_outcomes(tmp, weekly, sc.contexts)
        if not no_figures:
            from ssisim.plots.debate import plot_debate_figures
            from ssisim.plots.redraw import read_verdicts

            plot_debate_figures(summary, tmp / "figures", title_suffix=sc.name,
                                verdicts=read_verdicts(tmp))  # fmt: skip
    for line in debate_sentences(pd.read_csv(out_dir / "outcomes.csv")):
        click.echo(line)
    click.echo(f"outcomes in {out_dir}")


def _contexts_only(overrides: tuple[str, ...]) -> None:
    """Refuse a ``--set`` outside the business contexts: re-valuing a run's weeks
    cannot change what was simulated (it was ignored, silently)."""
    from ssisim.errors import ScenarioError
    from ssisim.scenario.loading import printable
    from ssisim.scenario.schema import Scenario

    keys = {f.alias or name for name, f in Scenario.model_fields.items()}
    for item in overrides:
        key, sep, _ = item.partition("=")
        key = key.strip()
        if not sep or key.split(".")[0] not in keys:
            continue  # not KEY=VALUE, or an unknown key: the scenario's loading says so
        if key != "contexts" and not key.startswith("contexts."):
            raise ScenarioError(
                printable(
                    f"--set {item}: `ssisim outcomes` changes the business contexts only "
                    f"(contexts.NAME.KEY); {key} changes the runs: `ssisim run` with that --set"
                )
            )


def _read_manifest(run_dir: Path) -> dict[str, Any]:
    import json

    from ssisim.errors import DataError
    from ssisim.results.files import folder_problem

    path = run_dir / "manifest.json"
    if not run_dir.is_dir():
        raise DataError(f"{run_dir}: no such results directory")
    problem = folder_problem(run_dir)
    if problem is not None:
        raise DataError(problem)
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path}: cannot be read ({exc})") from None
    return data if isinstance(data, dict) else {}


def sweep_outcomes(run_dir: Path, sc: Scenario, out_dir: Path | None = None) -> list[Path]:
    """Outcomes at every point of a sweep (contexts swept too, if they are)."""
    from ssisim.results.outcomes import write_sweep_outcomes
    from ssisim.scenario.loading import parse_scenario

    parsed: dict[tuple[tuple[str, str], ...], Any] = {}  # most points share their contexts

    def contexts_at(values: Mapping[str, Any]) -> Any:
        swept = tuple(
            (f"{k}={v}", f"point {k}={v}") for k, v in values.items() if k.startswith("contexts.")
        )
        if not swept:
            return sc.contexts
        if swept not in parsed:
            import yaml

            data = {"name": sc.name, "strategies": ["inactive"], "contexts": _dumped(sc)}
            text = yaml.safe_dump(data)
            parsed[swept] = parse_scenario(text, f"{run_dir}/points.csv", list(swept)).contexts
        return parsed[swept]

    return write_sweep_outcomes(run_dir, contexts_at, out_dir)


def sweep_flips(run_dir: Path, out_dir: Path | None = None) -> list[str]:
    """A one-at-a-time sweep's flips.csv and flips.txt, beside its outcomes
    (:mod:`ssisim.results.flips`); the sentences."""
    from ssisim.results.flips import write_flips

    _, sentences = write_flips(run_dir if out_dir is None else out_dir, run_dir / "points.csv")
    return sentences


def _dumped(sc: Scenario) -> dict[str, Any]:
    from ssisim.scenario.schema import DEFAULT_CONTEXTS

    kept = {k: v.model_dump(mode="json") for k, v in sc.contexts.items()}
    return {**{k: None for k in DEFAULT_CONTEXTS if k not in kept}, **kept}

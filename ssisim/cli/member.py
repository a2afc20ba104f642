"""A member's own SSI: ``ssisim import`` (their LinkedIn export) and ``ssisim plan``."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from ssisim.cli.options import SET_HELP, date_order_options

__all__ = ["MEMBER_COMMANDS", "import_export", "plan"]


@click.command("import")
@click.argument("archive", type=click.Path(path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("member"),
    show_default=True,
    help="Directory for member.yaml, weekly.csv and composition.csv (new, or empty).",
)
@click.option(
    "--scenario",
    type=click.Path(path_type=Path),
    help="Classify the network against this scenario's market (default: the defaults).",
)
@click.option(
    "--readings",
    type=click.Path(path_type=Path),
    help="Your SSI readings (one or more); the latest is kept as your week-0 score.",
)
@date_order_options("Readings dates", "The readings file's date format, e.g. '%d/%m/%Y'.")
def import_export(
    archive: Path,
    out: Path,
    scenario: Path | None,
    readings: Path | None,
    date_order: str | None,
) -> None:
    """Import your LinkedIn data export (ARCHIVE: the zip or its folder).

    Writes counts and classes only: no name, email, URL, company or message
    leaves the import. See docs/own-data.md.
    """
    from ssisim.cli.options import load
    from ssisim.member.write import check_out_dir, import_member

    if date_order is not None and readings is None:
        raise click.UsageError("--dayfirst, --monthfirst and --date-format read --readings")
    check_out_dir(out)
    population = load(scenario, []).population if scenario is not None else None
    reading = None
    if readings is not None:
        from ssisim.experiments.readings import latest_reading

        reading = latest_reading(readings, date_order)
    path, doc = import_member(archive, out, population, reading)
    net = doc["network"]
    unknown = doc["export"]["unknown"]
    habits = doc["habits"]
    rates = ", ".join(
        f"{k.removesuffix('_per_week').replace('_', ' ')} {v:.1f}"
        for k, v in habits.items()
        if k != "weeks" and v is not None
    )
    click.echo(
        f"{net['connections']} connections ({net['hidden_connections']} hidden), "
        f"{net['relevant']} relevant of {net['classified']} classified "
        f"({net['unclassified_industry_share']:.0%} of industries unclassified), "
        f"{net['decision_makers']} decision makers, "
        f"{net['colleagues'] if net['colleagues'] is not None else 'unknown'} colleagues"
    )
    click.echo(f"last {habits['weeks']} weeks, a week: {rates or 'no activity known'}")
    if unknown:
        click.echo(f"unknown (files missing from the archive): {', '.join(unknown)}")
    click.echo(f"written: {path} (counts and classes only)")


@click.command()
@click.option("--target", type=float, required=True, help="The SSI to reach (0-100).")
@click.option(
    "--by",
    "by_date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    required=True,
    help="The date on which to be at or above the target (YYYY-MM-DD).",
)
@click.option(
    "--start",
    "start",
    type=click.Path(path_type=Path),
    help="member.yaml from `ssisim import`, or a scenario (its first strategy is today's routine).",
)
@click.option(
    "--team",
    type=click.Path(path_type=Path),
    help="A team file (name, date, SSI, pillars, ranks): plan each member to the same date, "
    "from their latest reading (--start: a scenario for the market and today's routine).",
)
@date_order_options("Team dates", "The team file's date format, e.g. '%m/%d/%Y'.")
@click.option(
    "--from",
    "from_date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The plan's first day, its week 0 (default: the date of your latest reading, else today).",
)
@click.option(
    "--max-hours", type=float, default=4.0, show_default=True, help="Hours a week at most."
)
@click.option(
    "--confidence",
    type=float,
    default=0.8,
    show_default=True,
    help="Least probability of being at or above the target on the date.",
)
@click.option(
    "--sales-navigator",
    type=click.Choice(["no", "yes"]),
    default="no",
    show_default=True,
    help="Whether the routine may use Sales Navigator.",
)
@click.option(
    "--budget",
    type=int,
    metavar="N",
    default=300,
    show_default=True,
    help="Simulations the plan may spend: --reps per candidate routine searched, and 20 "
    "each of the chosen and the current routine for the report. At least 40 + 10 x --reps "
    "(100 at --reps 6: 10 candidates, all exploratory); under 30 candidates (260 at --reps 6) "
    "the plan says the search was small.",
)
@click.option(
    "--reps",
    type=click.IntRange(min=1),
    default=6,
    show_default=True,
    help="Replications per candidate routine.",
)
@click.option("--seed", type=click.IntRange(min=0), help="The seed (default: the scenario's).")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE", help=SET_HELP)
@click.option("--out", type=click.Path(path_type=Path), help="Directory for the plan (new).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def plan(
    target: float,
    by_date: dt.datetime,
    start: Path | None,
    team: Path | None,
    date_order: str | None,
    from_date: dt.datetime | None,
    max_hours: float,
    confidence: float,
    sales_navigator: str,
    budget: int,
    reps: int,
    seed: int | None,
    overrides: tuple[str, ...],
    out: Path | None,
    quiet: bool,
) -> None:
    """Find the cheapest routine that has your SSI at or above --target on --by.

    The score is judged on the date (a routine that crosses the target and
    falls back below it by then does not count). The plan starts from your
    latest reading's date (or --from, or today), so the weeks from the
    reading to today are simulated too. Searches routines (Optuna's TPE,
    common random numbers) within the platform's limits and --max-hours;
    writes plan.yaml (run it with `ssisim run`), trials.csv,
    opportunities.csv and tradeoff.png.
    """
    from ssisim.cli.options import current_trust, new_out_dir, scenario_overrides
    from ssisim.cli.progress import progress_bar
    from ssisim.experiments.plan import PlanRequest, plan_routine, write_plan
    from ssisim.member.scenario import load_member_scenario
    from ssisim.plots.plan import plot_plan_tradeoff

    started = time.perf_counter()
    options = scenario_overrides(overrides, [("seed", seed, "--seed")])
    request = PlanRequest(
        target_ssi=target,
        horizon_weeks=1,  # set below, from the plan's start
        max_hours_per_week=max_hours,
        confidence=confidence,
        sales_navigator=sales_navigator == "yes",
        budget_runs=budget,
        replications=reps,
    )
    if team is not None:
        when = from_date.date() if from_date is not None else None
        _plan_team(team, start, date_order, request, options, out, quiet, by_date.date(), when)
        click.echo(f"in {time.perf_counter() - started:.0f} s")
        return
    if start is None:
        raise click.UsageError("give --start member.yaml (or a scenario), or --team team.csv")
    if date_order is not None:
        raise click.UsageError(
            "--dayfirst, --monthfirst and --date-format read a --team file's dates "
            "(member.yaml's are ISO)"
        )
    scenario = load_member_scenario(start, options, current_trust())
    reading = _reading_date(scenario.population.seller.from_)
    first = _plan_start(from_date, reading)
    request = replace(request, horizon_weeks=_horizon(by_date.date(), first, from_date, reading))
    request.check()
    # a reading before today: plan.txt's first line says the weeks to today are simulated
    if reading is not None and from_date is not None and reading != first:
        click.echo(
            f"note: your reading of {reading.isoformat()} is taken as your score on "
            f"{first.isoformat()} (--from)"
        )
    out_dir = new_out_dir(out, "plan")
    with progress_bar(budget, quiet) as advance:
        result = plan_routine(scenario, scenario.strategies[0], request, advance)
    written = write_plan(out_dir, result, scenario, by=by_date.date(), start=first)
    figure = plot_plan_tradeoff(
        result.trials,
        out_dir / "tradeoff.png",
        target_ssi=target,
        confidence=confidence,
        chosen_trial=result.chosen_trial,
        by=by_date.date().isoformat(),
    )
    elapsed = time.perf_counter() - started
    for line in written.lines:
        click.echo(line)
    click.echo(
        f"{result.runs} simulations in {elapsed:.0f} s (seed {result.seed}); "
        f"written: {written.plan_yaml}, figure: {figure}"
    )


def _reading_date(member: str | None) -> dt.date | None:
    """The date of the member file's reading (``ssi.date``), or None (no member file or reading)."""
    if member is None:
        return None
    from ssisim.member.scenario import member_reading, read_member

    if member_reading(member) is None:
        return None
    try:
        return dt.date.fromisoformat(str(read_member(member)["ssi"]["date"]))
    except (KeyError, TypeError, ValueError):
        return None


def _plan_start(from_date: dt.datetime | None, reading: dt.date | None) -> dt.date:
    """The plan's week 0: --from, else the member's latest reading's date, else today."""
    if from_date is not None:
        return from_date.date()
    return reading if reading is not None else dt.date.today()


def _horizon(
    by: dt.date, first: dt.date, from_date: dt.datetime | None, reading: dt.date | None
) -> int:
    """Whole weeks from the plan's start to ``--by``, at least one.

    A date before today is refused unless ``--from`` places the plan in the
    past on purpose; a date before the start, or within a week of it, always.
    """
    why = (
        "--from"
        if from_date is not None
        else "your latest reading's date"
        if reading is not None
        else "today"
    )
    days = (by - first).days
    if (
        by < dt.date.today() and from_date is None
    ):  # with --from, a past window is the member's choice
        raise click.BadParameter(
            f"{by.isoformat()} is in the past (today is {dt.date.today().isoformat()})",
            param_hint="--by",
        )
    if days < 0:
        raise click.BadParameter(
            f"{by.isoformat()} is before the plan's start, {first.isoformat()} ({why})",
            param_hint="--by",
        )
    if days < 7:
        raise click.BadParameter(
            f"{by.isoformat()} is less than a week after the plan's start, {first.isoformat()} "
            f"({why})",
            param_hint="--by",
        )
    return days // 7


def _plan_team(
    team: Path,
    start: Path | None,
    date_order: str | None,
    request: Any,
    options: list[Any],
    out: Path | None,
    quiet: bool,
    by: dt.date,
    from_date: dt.date | None,
) -> None:
    """``ssisim plan --team``: one plan per member (``m1``, ``m2``...) and ``team.csv``.

    Each member starts from their latest reading (week-0 score, on the
    reading's date unless ``from_date``) with the start scenario's seller and
    first strategy (default: an inactive routine); everything is read and
    checked before anything is written.
    """
    import tempfile

    import pandas as pd
    import yaml

    from ssisim.cli.options import current_trust, new_out_dir
    from ssisim.cli.progress import progress_bar
    from ssisim.experiments.plan import (
        TEAM_SUMMARY_COLUMNS,
        plan_routine,
        reading_member_document,
        team_summary_row,
        write_plan,
    )
    from ssisim.experiments.readings import read_team, team_latest
    from ssisim.member.scenario import is_member_file, load_member_scenario
    from ssisim.plots.plan import plot_plan_tradeoff
    from ssisim.results.files import atomic_text

    if start is not None and is_member_file(start):
        raise click.BadParameter(
            "with --team, --start is a scenario (the market and today's routine), not a "
            "member file",
            param_hint="--start",
        )
    latest = team_latest(read_team(team, date_order))
    out_dir = new_out_dir(out, "plan-team")
    rows = []
    with tempfile.TemporaryDirectory(prefix="ssisim-team-") as tmp:
        scenarios = []
        for _, row in latest.iterrows():
            member = str(row["member"])
            reading = {"date": row["date"].date().isoformat()}
            reading.update(
                {k: float(row[k]) for k in ("ssi", "brand", "people", "insights", "relationships")}
            )
            path = Path(tmp) / member / "member.yaml"
            path.parent.mkdir()
            path.write_text(yaml.safe_dump(reading_member_document(reading)), encoding="utf-8")
            label = f"{team}: {member}"
            if start is None:
                base = Path(tmp) / member / "scenario.yaml"
                base.write_text(
                    "name: team\npopulation: {seller: {from: member.yaml}}\n"
                    "strategies: [{name: as-is}]\n",
                    encoding="utf-8",
                )
                scenario = load_member_scenario(base, options, current_trust())
            else:
                extra = (f"population.seller.from={path}", label)
                scenario = load_member_scenario(start, [*options, extra], current_trust())
            first = from_date or row["date"].date()
            when = dt.datetime.combine(from_date, dt.time()) if from_date is not None else None
            try:
                weeks = _horizon(by, first, when, row["date"].date())
            except click.BadParameter as exc:
                raise click.BadParameter(f"{label}: {exc.message}", param_hint="--by") from None
            member_request = replace(request, horizon_weeks=weeks)
            member_request.check()
            scenarios.append((member, reading, scenario, member_request, first))
        out_dir.mkdir(parents=True, exist_ok=False)
        for member, reading, scenario, member_request, first in scenarios:
            if not quiet:
                click.echo(f"{member}: SSI {reading['ssi']:g} on {reading['date']}", err=True)
            with progress_bar(member_request.budget_runs, quiet) as advance:
                result = plan_routine(scenario, scenario.strategies[0], member_request, advance)
            plan_dir = out_dir / member
            write_plan(plan_dir, result, scenario, by=by, start=first)
            plot_plan_tradeoff(
                result.trials,
                plan_dir / "tradeoff.png",
                target_ssi=request.target_ssi,
                confidence=request.confidence,
                chosen_trial=result.chosen_trial,
                by=by.isoformat(),
            )
            rows.append(team_summary_row(member, reading, result, member))
    summary = pd.DataFrame(rows, columns=list(TEAM_SUMMARY_COLUMNS))
    with atomic_text(out_dir / "team.csv") as f:  # whole or not at all, as every results file
        summary.to_csv(f, index=False, float_format="%.6g", lineterminator="\n")
    click.echo(
        f"{len(rows)} members planned to SSI {request.target_ssi:g} by {by.isoformat()} "
        "(members as m1, m2... in the order of the team file; no name is written)"
    )
    click.echo(summary.drop(columns=["plan"]).to_string(index=False))
    click.echo(f"written: {out_dir / 'team.csv'} and one plan folder per member")


MEMBER_COMMANDS = (import_export, plan)
"""The commands of this module, in the order ``ssisim --help`` lists them."""

"""Teams and leaderboards: a sales team's SSI, month by month (``002``).

``002`` suggests running a team competition on the SSI: a board on the wall
with each seller's score of the month, "dinner for whoever gains 10 points by
the end of the month". A *team* scenario (a ``team:`` block) simulates several
sellers of one company in the same population: the first member is the
population's seller, the others are drawn from the seller's company
(:func:`ssisim.population.build.team_seats`); every member starts connected to the
others, with a week-0 network built as the seller's, and shares the target
market. Each member's year is one run (the members do not act on each other
during the year); the runs go through the engine like any strategy's.

The leaderboard has one row per month and member. A month is
``team.month_weeks`` weeks (4 by default: the SSI is refreshed weekly, so a
month must be whole weeks, and equal months make the monthly gains
comparable; calendar months would alternate 4 and 5 weeks). For each month,
averaged over replications: the SSI at the month's last week, its change over
the month, the rank (1 = highest SSI that week, within each replication), the
share of replications in which the member ranked first and in which they
gained ``team.goal_points`` or more, and the opportunities of the month in the
``team.context`` business context.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ssisim.engine.driver import run_replications
from ssisim.errors import ScenarioError
from ssisim.population.cache import population_for
from ssisim.population.seats import team_seats
from ssisim.results.files import atomic_directory, write_csv, write_json
from ssisim.results.outcomes import eligible_leads, write_outcomes
from ssisim.results.tables import summarize, weekly_frame
from ssisim.scenario.schema import Scenario, Strategy, find_routine

__all__ = [
    "LEADERBOARD_COLUMNS",
    "TeamResult",
    "goal_months",
    "leaderboard_runs",
    "leaderboard_sentences",
    "leaderboard_table",
    "run_team",
    "team_scenario",
    "write_team",
]

LEADERBOARD_COLUMNS: tuple[str, ...] = (
    "month",
    "week",
    "member",
    "strategy",
    "ssi",
    "ssi_change",
    "rank",
    "mean_rank",
    "first_share",
    "goal_share",
    "opportunities",
)
"""Columns of ``leaderboard.csv``: ``rank`` ranks the members' mean SSI that month;
``mean_rank`` averages the rank each replication gave."""


def _routine(scenario: Scenario, name: str) -> Strategy:
    return find_routine(scenario, name, "team.members")


def team_scenario(scenario: Scenario) -> Scenario:
    """The scenario whose strategies are the team's members, each at their seat.

    Member ``k`` follows its routine under its own name, at seat ``k``; the
    routine's name is kept in the strategy's ``source``.

    Raises
    ------
    ScenarioError
        No ``team:`` block, or a member names an unknown strategy.
    """
    team = scenario.team
    if team is None:
        raise ScenarioError(f"{scenario.name}: no `team:` block; see docs/debate.md")
    members = []
    for k, m in enumerate(team.members):
        base = _routine(scenario, m.strategy)
        fields = base.model_dump()
        fields.update(
            name=m.name,
            description=f"team member {k}: {base.name}",
            source=base.name,
            seat=k,
        )
        members.append(fields)
    data = scenario.model_dump(mode="json")
    data["strategies"] = members
    return Scenario.model_validate(data)


def leaderboard_runs(weekly: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """The leaderboard of every replication: one row per (replication, month, member).

    Columns ``replication, month, week, member, ssi, ssi_change, rank, goal,
    opportunities``.
    """
    team = scenario.team
    if team is None:
        raise ScenarioError(f"{scenario.name}: no `team:` block")
    ctx = scenario.contexts[team.context]
    frame = weekly.copy()
    frame["_opp"] = sum(
        leads * getattr(ctx.conversion, o) for o, leads in eligible_leads(frame, ctx).items()
    )
    last = int(frame["week"].max())
    months = last // team.month_weeks
    if months < 1:
        raise ScenarioError(
            f"team.month_weeks: a month of {team.month_weeks} weeks is longer than the "
            f"{last} weeks simulated"
        )
    ssi = frame.pivot_table(
        index=["strategy", "replication"], columns="week", values="ssi", sort=False
    )
    frame["_month"] = (frame["week"] - 1) // team.month_weeks + 1
    opp = (
        frame[(frame["week"] >= 1) & (frame["_month"] <= months)]
        .groupby(["strategy", "replication", "_month"], sort=False)["_opp"]
        .sum()
    )
    rows = []
    for m in range(1, months + 1):
        end, start = m * team.month_weeks, (m - 1) * team.month_weeks
        part = pd.DataFrame(
            {
                "ssi": ssi[end],
                "ssi_change": ssi[end] - ssi[start],
            }
        ).reset_index()
        part["opportunities"] = [
            float(opp.get((s, r, m), 0.0))
            for s, r in zip(part["strategy"], part["replication"], strict=True)
        ]
        part["month"] = m
        part["week"] = end
        rows.append(part)
    board = pd.concat(rows, ignore_index=True).rename(columns={"strategy": "member"})
    board["rank"] = (
        board.groupby(["replication", "month"])["ssi"]
        .rank(ascending=False, method="min")
        .astype(np.int64)
    )
    board["goal"] = board["ssi_change"] >= team.goal_points
    return board[
        [
            "replication",
            "month",
            "week",
            "member",
            "ssi",
            "ssi_change",
            "rank",
            "goal",
            "opportunities",
        ]
    ]


def leaderboard_table(weekly: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """The monthly leaderboard, averaged over replications (columns :data:`LEADERBOARD_COLUMNS`).

    ``scenario`` is the team scenario (:func:`team_scenario`) or the original
    one; members are listed in team order within each month.
    """
    team = scenario.team
    assert team is not None
    routine = {m.name: m.strategy for m in team.members}
    runs = leaderboard_runs(weekly, scenario)
    runs = runs.assign(first=runs["rank"] == 1)
    g = runs.groupby(["month", "member"], sort=False)
    table = pd.DataFrame(
        {
            "week": g["week"].first(),
            "ssi": g["ssi"].mean(),
            "ssi_change": g["ssi_change"].mean(),
            "mean_rank": g["rank"].mean(),
            "first_share": g["first"].mean(),
            "goal_share": g["goal"].mean(),
            "opportunities": g["opportunities"].mean(),
        }
    ).reset_index()
    table["rank"] = (
        table.groupby("month")["ssi"].rank(ascending=False, method="min").astype(np.int64)
    )
    table["strategy"] = table["member"].map(routine)
    order = {m.name: i for i, m in enumerate(team.members)}
    table = table.assign(_o=table["member"].map(order)).sort_values(["month", "_o"], kind="stable")
    return table.drop(columns="_o").reset_index(drop=True)[list(LEADERBOARD_COLUMNS)]


def goal_months(table: pd.DataFrame) -> pd.Series:
    """Per member (in team order), the months in which they gained the goal or
    more, on average over replications: the sum of the months' ``goal_share``.

    The leaderboard's terminal table and :func:`leaderboard_sentences` both say
    this count, so that they agree (a month's ``goal_share`` alone is 0 for
    everyone after the first months, when the gains are small).
    """
    return table.groupby("member", sort=False)["goal_share"].sum()


def leaderboard_sentences(table: pd.DataFrame, scenario: Scenario) -> list[str]:
    """The board in words: who leads at the end, and who met the monthly goal most often."""
    team = scenario.team
    assert team is not None
    last = table[table["month"] == table["month"].max()].sort_values("rank")
    top = last.iloc[0]
    out = [
        f"After month {int(top.month)} (week {int(top.week)}), {top.member} ({top.strategy}) leads "
        f"with an SSI of {top.ssi:.1f} (first in {top.first_share:.0%} of replications)."
    ]
    goals = goal_months(table)
    most = goals[np.isclose(goals, goals.max())]  # every member tied at the most
    names = list(map(str, most.index))
    who = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
    out.append(
        f"Gaining {team.goal_points:g} points in a month ({team.goal_points:g}-point goal, 002) "
        f"happened most to {who}: {most.iloc[0]:.1f} "
        f"{'month' if round(most.iloc[0], 1) == 1 else 'months'} out of "
        f"{int(table['month'].max())} on "
        f"average; most gains come in the first months, when a new routine lifts the trailing "
        f"activity from zero."
    )
    opp = table.groupby("member", sort=False)["opportunities"].sum()
    rich = int(np.argmax(opp.to_numpy()))
    months = int(table["month"].max())
    out.append(
        f"Over the {months} month{'' if months == 1 else 's'}, {opp.index[rich]} brought the "
        f"most {team.context} opportunities "
        f"({opp.iloc[rich]:.1f}); the leaderboard of scores and the one of opportunities "
        + ("agree." if opp.index[rich] == top.member else "disagree.")
    )
    return out


@dataclass
class TeamResult:
    """What :func:`run_team` returns."""

    scenario: Scenario
    weekly: pd.DataFrame
    leaderboard: pd.DataFrame
    seconds: float = 0.0


def run_team(
    scenario: Scenario,
    *,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> TeamResult:
    """Simulate every member of ``scenario.team`` and build the monthly leaderboard.

    Raises
    ------
    ScenarioError
        No ``team:`` block, an unknown strategy, or a team larger than the
        seller's company.
    """
    sc = team_scenario(scenario)
    assert sc.team is not None
    try:  # fail early, in one line, if the company is too small
        team_seats(population_for(sc), len(sc.team.members), np.random.default_rng(0))
    except ValueError as exc:
        raise ScenarioError(f"{scenario.name}: {exc}") from None
    started = time.perf_counter()
    records = run_replications(sc, workers=workers, progress=progress)
    weekly = weekly_frame(records, [s.name for s in sc.strategies])
    board = leaderboard_table(weekly, sc)
    return TeamResult(sc, weekly, board, time.perf_counter() - started)


def write_team(out_dir: Path, result: TeamResult, manifest: Mapping[str, Any]) -> list[Path]:
    """Write a team run: ``weekly.csv``, ``summary.csv``, ``leaderboard.csv``,
    ``manifest.json``, the debate's tables and every figure (``figures/``,
    with ``leaderboard.png``), atomically.

    Raises
    ------
    DataError
        ``out_dir`` exists or cannot be written.
    """
    sc = result.scenario
    out_dir = Path(out_dir)
    order = [s.name for s in sc.strategies]
    written: list[Path] = []
    with atomic_directory(out_dir) as tmp:
        write_csv(result.weekly, tmp / "weekly.csv")
        write_csv(summarize(result.weekly, sc.effective_checkpoints(), order), tmp / "summary.csv")
        write_csv(result.leaderboard, tmp / "leaderboard.csv")
        write_json(tmp / "manifest.json", manifest)
        written += [
            tmp / n for n in ("weekly.csv", "summary.csv", "leaderboard.csv", "manifest.json")
        ]
        written += write_outcomes(tmp, result.weekly, sc.contexts, sc.weeks)[0]
    return [out_dir / p.relative_to(tmp) for p in written]

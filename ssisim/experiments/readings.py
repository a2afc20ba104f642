"""Readings and history from where people keep them.

The readings files themselves (wide, long, several joined; dates never
guessed) are read by :func:`ssisim.experiments.fit.read_readings`; this adds
the latest reading (a member's week-0 score), team files, and the routine of
an imported member over the readings' period (:func:`member_routine`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ssisim.errors import DataError
from ssisim.experiments.fit import read_readings, reading_weeks
from ssisim.member.scenario import load_member_scenario, read_member
from ssisim.scenario.loading import Override
from ssisim.scenario.schema import PILLARS, Scenario, Strategy

__all__ = ["latest_reading", "member_routine"]


def latest_reading(path: str | Path, date_order: str | None = None) -> dict[str, Any]:
    """The last reading of a readings file: ``date`` (ISO), ``ssi`` and the pillars."""
    frame = read_readings(path, date_order)
    last = frame.iloc[-1]
    return {
        "date": last["date"].date().isoformat(),
        **{k: float(last[k]) for k in ("ssi", *PILLARS)},
    }


_HISTORY_RATES = {
    "posts_per_week": "posts",
    "comments_per_week": "comments",
    "reactions_per_week": "reactions",
    "invites_per_week": "invitations_sent",
    "warm_messages_per_week": "messages_sent",
}


def member_routine(
    member: str | Path,
    readings: pd.DataFrame,
    *,
    start_week: int = 0,
    overrides: Sequence[Override] = (),
) -> tuple[Scenario, Strategy]:
    """The routine of an imported member over the readings' period, for :func:`fit_readings`.

    The member's seller block and habits (``member.yaml``), with each rate
    replaced by its weekly mean in ``weekly.csv`` over the weeks the readings
    span (the member's history, not their last quarter); an activity whose
    file the export lacked keeps the member file's value. The simulation
    runs one constant routine at those means: week-to-week changes within the
    period are averaged out (``docs/own-data.md``).

    Raises
    ------
    DataError
        The member file or its weekly.csv is missing or malformed.
    """
    member = Path(member)
    weeks = reading_weeks(readings, start_week)
    horizon = int(weeks[-1])
    source = readings.attrs.get("path", "readings")
    scenario = load_member_scenario(
        member, [*overrides, (f"weeks={horizon}", f"{source}: readings up to week {horizon}")]
    )
    strategy = scenario.strategies[0]
    weekly_path = member.parent / str(read_member(member).get("weekly", "weekly.csv"))
    try:
        history = pd.read_csv(weekly_path, parse_dates=["week_start"])
    except (OSError, ValueError) as exc:
        raise DataError(f"{weekly_path}: cannot read the member's weekly history ({exc})") from None
    first = readings["date"].iloc[0] - pd.Timedelta(weeks=start_week)
    last = readings["date"].iloc[-1]
    span = history[
        (history["week_start"] >= first - pd.Timedelta(days=6)) & (history["week_start"] <= last)
    ]
    rates: dict[str, Any] = {}
    for rate, column in _HISTORY_RATES.items():
        if column in span and len(span) and span[column].notna().all():
            rates[rate] = round(float(span[column].mean()), 3)
    strategy = Strategy.model_validate({**strategy.model_dump(), **rates})
    scenario = scenario.model_copy(update={"strategies": (strategy,)})
    return scenario, strategy

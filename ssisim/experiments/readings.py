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
from ssisim.experiments.fit import (
    _cell,
    _date_order,
    _frame,
    _map_header,
    _normalize_header,
    _parse_row,
    _raw_table,
    read_readings,
    reading_weeks,
)
from ssisim.member.scenario import (
    EXPORT_TOLERANCE_DAYS,
    export_window,
    load_member_scenario,
    read_member,
)
from ssisim.scenario.loading import Override
from ssisim.scenario.schema import PILLARS, Scenario, Strategy

__all__ = [
    "EXPORT_TOLERANCE_DAYS",
    "TEAM_NAME_HEADERS",
    "check_export_window",
    "latest_reading",
    "member_routine",
    "read_team",
    "team_latest",
]


def latest_reading(path: str | Path, date_order: str | None = None) -> dict[str, Any]:
    """The last reading of a readings file: ``date`` (ISO), ``ssi`` and the pillars,
    and ``where`` (``FILE:LINE``, for messages; never written).

    One reading is enough (the fit's minimum, :data:`~ssisim.experiments.fit.MIN_READINGS`,
    is the fit's own): only the latest is kept.
    """
    frame = read_readings(path, date_order, min_readings=1)
    last = frame.iloc[-1]
    return {
        "date": last["date"].date().isoformat(),
        **{k: float(last[k]) for k in ("ssi", *PILLARS)},
        "where": f"{frame.attrs.get('path', path)}:{int(last['line'])}",  # for messages only
    }


TEAM_NAME_HEADERS: tuple[str, ...] = (
    "name",
    "member",
    "seller",
    "person",
    "nom",
    "membre",
    "vendeur",
    "full name",
)
"""Headers of a team file's member column (compared lower case, without accents)."""

MAX_TEAM_MEMBERS = 200
"""Members of a team file at most (each is planned on its own)."""


def read_team(path: str | Path, date_order: str | None = None) -> pd.DataFrame:
    """A team file: one or more dated readings per member (name, date, SSI, pillars, ranks).

    The wide readings layout (:func:`ssisim.experiments.fit.read_readings`:
    the same headers, separators, decimal commas and date rules) with a
    column naming the member (:data:`TEAM_NAME_HEADERS`). The names are read
    in memory only, to group the rows: members are returned as ``m1``,
    ``m2``, ... in the order they first appear in the file, and no name is
    ever written or shown.

    Returns
    -------
    pandas.DataFrame
        ``member`` then the columns of ``read_readings`` (``date``, ``ssi``, the pillars, the ranks) and
        ``line``, in file order; each member's readings in date order.

    Raises
    ------
    DataError
        One line ``FILE:LINE: column: what is wrong``: no member column, a
        member without a name, a malformed reading (as ``read_readings``),
        a member's dates repeated or out of order, more than
        :data:`MAX_TEAM_MEMBERS` members, no reading.
    """
    path = Path(path)
    header, header_at, raw, sep = _raw_table(path)
    names = [_normalize_header(h) for h in header]
    who = next((i for i, n in enumerate(names) if n in TEAM_NAME_HEADERS), None)
    if who is None:
        raise DataError(
            f"{path}:{header_at}: name: missing column, expected a header such as 'name' or "
            "'member' (one row per member and date)"
        )
    columns = _map_header(header, f"{path}:{header_at}", sep)
    order = _date_order(
        path, [(line, _cell(cells, columns, "date") or "") for line, cells in raw], date_order
    )
    labels: dict[str, str] = {}
    last: dict[str, dict[str, Any]] = {}
    rows = []
    for line, cells in raw:
        name = cells[who].strip() if who < len(cells) else ""
        if not name:
            raise DataError(f"{path}:{line}: name: missing value (a member's name or label)")
        key = name.casefold()
        if key not in labels:
            if len(labels) >= MAX_TEAM_MEMBERS:
                raise DataError(
                    f"{path}:{line}: name: more than {MAX_TEAM_MEMBERS} members in a team file"
                )
            labels[key] = f"m{len(labels) + 1}"
        row = _parse_row(cells, columns, line, f"{path}:{line}", order)
        before = last.get(key)
        if before is not None and row["date"] <= before["date"]:
            what = "same date as" if row["date"] == before["date"] else "earlier than"
            raise DataError(
                f"{path}:{line}: date: {what} line {before['line']} for member "
                f"{labels[key]}; each member's readings must be in date order "
                f"(got {row['date'].isoformat()})"
            )
        last[key] = row
        rows.append({"member": labels[key], **row})
    if not rows:
        raise DataError(f"{path}:{header_at}: no reading below the header")
    frame = _frame(rows, str(path))
    frame.insert(0, "member", [row["member"] for row in rows])
    return frame


def team_latest(team: pd.DataFrame) -> pd.DataFrame:
    """Each member's latest reading (one row per member, in the file's order of members)."""
    order = {m: i for i, m in enumerate(dict.fromkeys(team["member"]))}
    latest = team.groupby("member", sort=False).tail(1)
    latest = latest.sort_values("member", key=lambda s: s.map(order), kind="stable")
    return latest.reset_index(drop=True)


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
        The member file or its weekly.csv is missing or malformed; a reading
        outside the export's window (:func:`check_export_window`).
    """
    member = Path(member)
    check_export_window(member, readings)
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


def check_export_window(member: str | Path, readings: pd.DataFrame) -> None:
    """Refuse a reading dated outside the member's export, in one line naming it.

    The fit compares each reading with the member's activity in the weeks
    before it, from ``weekly.csv``: a reading before the export's first week
    (``export.first_week``) or more than :data:`EXPORT_TOLERANCE_DAYS` after
    its last week's start (``export.last_week``) would be fitted to activity
    the export does not hold. A member file without an export (a team
    file's reading) is not checked.

    Raises
    ------
    DataError
        ``FILE:LINE: date: DATE is before the export's first week (...)``, or after its end.
    """
    export = read_member(member).get("export")
    window = export_window(export)
    if window is None:
        return
    first, end = (pd.Timestamp(day) for day in window)
    source = readings.attrs.get("path", "readings")
    covers = (
        f"the export ({Path(member).name}) covers {first.date().isoformat()} to "
        f"{end.date().isoformat()} (its last week and {EXPORT_TOLERANCE_DAYS - 7} days after)"
    )
    for _, row in readings.iterrows():
        day = row["date"]
        if day < first or day > end:
            where = "before" if day < first else "after"
            raise DataError(
                f"{source}:{int(row['line'])}: date: {day.date().isoformat()} is {where} the "
                f"member's export; {covers}: the fit would read activity the export does not hold"
            )

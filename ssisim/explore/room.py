"""The room's own routines: a short form, a simulated year, a live leaderboard.

A participant describes their week (:func:`parse_form`); their year is
simulated from the explorer's scenario with their routine and their current
number of connections (:func:`routine_scenarios`: the routine, and one
variant per change of :data:`MOVES`, all under the same random numbers, so
that the variants differ by the change alone); :func:`project` turns the runs
into an :class:`Entry` of the :class:`Board`. The board ranks everyone by the
SSI projected at the trainer's date and says, for each, which single change
would move their score most.

Nothing typed is written anywhere: the board lives in the app's memory
until the trainer resets it or exports it (:meth:`Board.csv`, bytes handed to
the browser). A team's readings (name, date, SSI, pillars) start members
from their real score (:func:`team_entries`): the reading is their week-0
score and its gap to the model fades at the activity half-life, as for an
imported member (``docs/own-data.md``).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import tempfile
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ssisim.errors import DataError, SsisimError
from ssisim.experiments.fit import _normalize_header, _raw_table
from ssisim.experiments.readings import TEAM_NAME_HEADERS, read_team, team_latest
from ssisim.explore.runs import RunResult
from ssisim.pillars import MAX_PILLAR
from ssisim.results.outcomes import eligible_leads
from ssisim.results.tables import weekly_frame
from ssisim.scenario.schema import PILLARS, Scenario, Strategy
from ssisim.scenario.strategies import BUILTIN_STRATEGIES

__all__ = [
    "BOARD_COLUMNS",
    "MIN_MOVE_POINTS",
    "MOVES",
    "TARGETS",
    "Board",
    "Entry",
    "FormError",
    "Routine",
    "parse_form",
    "project",
    "routine_scenarios",
    "team_entries",
    "week_of",
]

ROUTINE_NAME = "routine"
"""Every participant's strategy (and each variant) runs under this name: the same
random numbers for all, so a variant's difference is its change alone."""

BASE_ROUTINE = "beginner"
"""What the form does not ask (profile, reactions, searches, profile views) is this built-in's."""

TARGETS: dict[str, tuple[str, ...]] = {
    "people I know (mutual contacts)": ("mutual_contacts", "second_degree"),
    "my target market": ("relevant", "mutual_contacts"),
    "decision makers": ("decision_makers", "relevant"),
    "anyone in my second degree": ("second_degree", "anyone"),
    "whoever viewed my profile, then anyone": ("profile_viewers", "second_degree", "anyone"),
}
"""The form's "who to" choices and the invitation targeting each stands for."""

MOVES: tuple[tuple[str, dict[str, Any]], ...] = (
    ("two more posts a week", {"posts_per_week": 2.0}),
    ("five more comments a week", {"comments_per_week": 5.0}),
    ("twenty more invitations a week to the target market", {"invites_per_week": 20.0}),
    ("five more personal messages a week", {"warm_messages_per_week": 5.0}),
    ("Sales Navigator", {"sales_navigator": True}),
)
"""The single changes tried for "what would move my score most" (numbers are added)."""

BOARD_COLUMNS: tuple[str, ...] = (
    "rank",
    "name",
    "ssi_now",
    "ssi_projected",
    "change",
    "opportunities",
    "hours_per_week",
    "best_move",
    "best_move_points",
)
"""Columns of the board (and of its CSV export)."""

_LIMITS: dict[str, tuple[float, float]] = {
    "posts": (0.0, 35.0),
    "comments": (0.0, 200.0),
    "invitations": (0.0, 500.0),
    "messages": (0.0, 200.0),
    "connections": (0.0, 30_000.0),
    "ssi": (0.0, 100.0),
}
_LABELS = {
    "posts": "posts a week",
    "comments": "comments a week",
    "invitations": "invitations a week",
    "messages": "messages a week",
    "connections": "current connections",
    "ssi": "SSI today",
}
MAX_NAME = 40
MIN_MOVE_POINTS = 0.5
"""A single change adding less than this to the projected SSI is not named as a move."""


class FormError(SsisimError):
    """What is wrong with a participant's form, in one line for the page."""


@dataclass(frozen=True)
class Routine:
    """One participant's week, as typed (checked by :func:`parse_form`)."""

    name: str
    posts: float
    comments: float
    invitations: float
    target: str
    messages: float
    sales_navigator: bool
    connections: int
    ssi: float | None = None
    pillars: Mapping[str, float] = field(default_factory=dict)


def _number(values: Mapping[str, Any], key: str, *, optional: bool = False) -> float | None:
    raw = values.get(key)
    text = "" if raw is None else str(raw).strip().replace(",", ".")
    low, high = _LIMITS[key]
    if not text:
        if optional:
            return None
        raise FormError(f"{_LABELS[key]}: missing; type a number from {low:g} to {high:,.0f}")
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):  # letters, and 'nan' or 'inf', which float() reads
        raise FormError(
            f"{_LABELS[key]}: {text[:20]!r} is not a number; type a number from {low:g} to {high:,.0f}"
        )
    if not low <= value <= high:
        raise FormError(f"{_LABELS[key]}: {value:g} is out of range ({low:g} to {high:,.0f})")
    return value


def parse_form(values: Mapping[str, Any]) -> Routine:
    """A participant's routine from the form's values (strings, as typed).

    Keys: ``name``, ``posts``, ``comments``, ``invitations``, ``target`` (a key
    of :data:`TARGETS`), ``messages``, ``sales_navigator`` (bool),
    ``connections``, ``ssi`` (optional).

    Raises
    ------
    FormError
        One line: the field and what to type instead.
    """
    name = " ".join(str(values.get("name") or "").split())
    if not name:
        raise FormError("name: missing; type a first name or a nickname")
    if len(name) > MAX_NAME or not name.isprintable() or re.search(r"[<>]", name):
        raise FormError(f"name: at most {MAX_NAME} characters, without < or >")
    target = str(values.get("target") or "")
    if target not in TARGETS:
        raise FormError(f"who to invite: choose one of: {', '.join(TARGETS)}")
    numbers = {k: _number(values, k) for k in ("posts", "comments", "invitations", "messages")}
    connections = _number(values, "connections")
    ssi = _number(values, "ssi", optional=True)
    return Routine(
        name=name,
        posts=float(numbers["posts"] or 0.0),
        comments=float(numbers["comments"] or 0.0),
        invitations=float(numbers["invitations"] or 0.0),
        target=target,
        messages=float(numbers["messages"] or 0.0),
        sales_navigator=bool(values.get("sales_navigator")),
        connections=round(connections or 0.0),
        ssi=ssi,
    )


def routine_strategy(routine: Routine, change: Mapping[str, Any] | None = None) -> Strategy:
    """The participant's routine as a strategy (``change``: numbers added, flags set)."""
    fields: dict[str, Any] = {
        **BUILTIN_STRATEGIES[BASE_ROUTINE],
        "name": ROUTINE_NAME,
        "description": "a participant's routine (ssisim explore)",
        "source": "",
        "posts_per_week": routine.posts,
        "comments_per_week": routine.comments,
        "invites_per_week": routine.invitations,
        "invite_targeting": TARGETS[routine.target],
        "warm_messages_per_week": routine.messages,
        "sales_navigator": routine.sales_navigator,
    }
    for key, value in (change or {}).items():
        if isinstance(value, bool):
            fields[key] = value
        else:
            fields[key] = float(fields.get(key, 0.0)) + float(value)
            if key == "invites_per_week":
                fields["invite_targeting"] = TARGETS["my target market"]
    return Strategy.model_validate(fields)


def routine_scenarios(base: Scenario, routine: Routine) -> list[tuple[str, Scenario]]:
    """The participant's year and one year per move of :data:`MOVES` that changes something.

    Each is ``base`` with one strategy (named :data:`ROUTINE_NAME`) and the
    seller's current connections, as many as the page's population and the
    platform's limit can hold (a participant with 12,000 contacts in a room of
    10,000 members starts with 9,999: the scenario refuses more); the first
    label is ``""`` (as typed).
    """
    room = min(base.population.size - 1, base.platform.connection_limit)
    seller = base.population.seller.model_copy(
        update={"initial_connections": min(routine.connections, room)}
    )
    population = base.population.model_copy(update={"seller": seller})
    out = []
    for label, change in (("", {}), *MOVES):
        if change.get("sales_navigator") and routine.sales_navigator:
            continue
        strategy = routine_strategy(routine, change)
        sc = base.model_copy(
            update={"population": population, "strategies": (strategy,), "team": None}
        )
        out.append((label, Scenario.model_validate(sc.model_dump(by_alias=True))))
    return out


def _from_reading(
    scores: pd.DataFrame, reading: float | None, pillars: Mapping[str, float], half_life: float
) -> pd.DataFrame:
    """Start a run's scores from a reading, as an imported member's run does.

    Week 0 shows the reading; the gap ``reading - model`` (per pillar, or the
    SSI's gap spread equally over the four) fades at the activity half-life
    (:meth:`ssisim.sim.ledger.Ledger.start_from_reading`). Here it is applied
    to the finished run, so the visibility boost follows the simulated score.
    """
    if reading is None:
        return scores
    out = scores.copy()
    first = scores[scores["week"] == 0].set_index("replication")
    decay = 0.5 ** (1.0 / half_life)
    factor = decay ** out["week"].to_numpy(dtype=np.float64)
    reps = out["replication"]
    for pillar in PILLARS:
        gap = (
            pillars[pillar] - first[pillar]
            if pillar in pillars
            else (reading - first["ssi"]) / len(PILLARS)
        )
        value = out[pillar] + reps.map(gap).to_numpy() * factor
        out[pillar] = np.clip(value, 0.0, MAX_PILLAR)
    gap_ssi = reading - first["ssi"]
    out["ssi"] = np.clip(out["ssi"] + reps.map(gap_ssi).to_numpy() * factor, 0.0, 4 * MAX_PILLAR)
    return out


@dataclass(frozen=True)
class Entry:
    """A participant on the board: their projected year, week by week (means over replications)."""

    name: str
    routine: Routine
    ssi: np.ndarray
    opportunities: np.ndarray
    hours: np.ndarray
    moves: Mapping[str, np.ndarray]

    def row(self, week: int) -> dict[str, Any]:
        week = max(0, min(week, self.ssi.size - 1))
        best, points = "", 0.0
        for label, ssi in self.moves.items():
            gain = float(ssi[week] - self.ssi[week])
            if gain > points:
                best, points = label, gain
        return {
            "name": self.name,
            "ssi_now": float(self.ssi[0]),
            "ssi_projected": float(self.ssi[week]),
            "change": float(self.ssi[week] - self.ssi[0]),
            "opportunities": float(self.opportunities[week]),
            "hours_per_week": float(self.hours[week] / week) if week else 0.0,
            "best_move": best
            if points >= MIN_MOVE_POINTS
            else "no single change adds half a point",
            "best_move_points": points,
        }


def project(
    routine: Routine,
    runs: Sequence[tuple[str, Scenario, Sequence[RunResult]]],
    context: str = "volume",
) -> Entry:
    """A board entry from the runs of :func:`routine_scenarios` (label, scenario, results)."""
    ssi_by: dict[str, np.ndarray] = {}
    opp = hours = np.zeros(0)
    for label, sc, results in runs:
        weekly = weekly_frame([rec for r in results for rec in r.records], [ROUTINE_NAME])
        half = sc.scoring.activity_half_life_weeks
        weekly = _from_reading(weekly, routine.ssi, routine.pillars, half)
        ssi = weekly.groupby("week", sort=True)["ssi"].mean().to_numpy()
        ssi_by[label] = ssi
        if label == "":
            ctx = (
                sc.contexts[context] if context in sc.contexts else next(iter(sc.contexts.values()))
            )
            total = np.zeros(len(weekly))
            for origin, leads in eligible_leads(weekly, ctx).items():
                total += leads * getattr(ctx.conversion, origin)
            by_week = (
                pd.DataFrame({"week": weekly["week"], "o": total, "h": weekly["hours"]})
                .groupby("week", sort=True)
                .mean()
            )
            by_week.loc[0, ["o", "h"]] = 0.0  # week 0 is the starting point, not a week lived
            opp = by_week["o"].cumsum().to_numpy()
            hours = by_week["h"].cumsum().to_numpy()
    base = ssi_by.pop("")
    return Entry(routine.name, routine, base, opp, hours, ssi_by)


def week_of(date: dt.date, today: dt.date, weeks: int) -> int:
    """The simulated week of a calendar date (week 0 is today), within the horizon."""
    return max(0, min(weeks, round((date - today).days / 7)))


class Board:
    """The room's leaderboard, shared by every page of the app (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[str, Entry] = {}
        self.version = 0

    def add(self, entry: Entry) -> None:
        """Add a participant (a name already on the board is replaced: a new routine)."""
        with self._lock:
            self._entries[entry.name.casefold()] = entry
            self.version += 1

    def reset(self) -> None:
        with self._lock:
            self._entries.clear()
            self.version += 1

    def routine(self, name: str) -> Routine | None:
        """The routine a participant entered, if they are on the board."""
        found = self._entries.get(name.casefold())
        return found.routine if found else None

    def table(self, week: int) -> pd.DataFrame:
        """The board at ``week``: ranked by projected SSI (columns :data:`BOARD_COLUMNS`)."""
        with self._lock:
            rows = [e.row(week) for e in self._entries.values()]
        frame = pd.DataFrame(rows, columns=[c for c in BOARD_COLUMNS if c != "rank"])
        frame = frame.sort_values(["ssi_projected", "name"], ascending=[False, True], kind="stable")
        frame.insert(0, "rank", np.arange(1, len(frame) + 1))
        return frame.reset_index(drop=True)

    def csv(self, week: int, date: dt.date) -> bytes:
        """The board as CSV (UTF-8), for the trainer's export only."""
        table = self.table(week).round(
            {
                "ssi_now": 1,
                "ssi_projected": 1,
                "change": 1,
                "opportunities": 1,
                "hours_per_week": 1,
                "best_move_points": 1,
            }
        )
        table.insert(1, "projected_at", date.isoformat())
        # a name a spreadsheet would read as a formula (=, +, -, @) is written as text
        table["name"] = [f"'{n}" if str(n)[:1] in "=+-@" else n for n in table["name"]]
        buf = io.StringIO()
        table.to_csv(buf, index=False, lineterminator="\n")
        return buf.getvalue().encode("utf-8")


def _names(path: Path) -> list[str]:
    """The members' names of a team file, in order of first appearance (memory only)."""
    header, _, raw, _ = _raw_table(path)
    heads = [_normalize_header(h) for h in header]
    who = next(i for i, n in enumerate(heads) if n in TEAM_NAME_HEADERS)
    names: dict[str, str] = {}
    for _, cells in raw:  # grouped exactly as read_team groups them (m1, m2, ...)
        name = cells[who].strip() if who < len(cells) else ""
        names.setdefault(name.casefold(), name)
    return list(names.values())


def _board_name(name: str) -> str:
    """A readings file's name as the form would take it: printable, without ``<`` or
    ``>``, spaces collapsed, at most :data:`MAX_NAME` characters (a file's name is
    cleaned rather than refused: one odd name should not stop the team)."""
    kept = "".join(c for c in name if c.isprintable() and c not in "<>")
    return " ".join(kept.split())[:MAX_NAME]


def team_entries(data: bytes, filename: str, routine: Routine) -> list[Routine]:
    """Each member of a team readings file, starting from their latest reading.

    The file is read with :func:`ssisim.experiments.readings.read_team`
    (the same headers, separators and date rules as ``ssisim fit``) from a
    private temporary file removed at once; every member follows ``routine``
    (its name replaced) from their SSI and pillars of the latest reading.

    Raises
    ------
    DataError
        One line naming the file's line and column.
    """
    name = Path(filename or "team.csv").name
    with tempfile.TemporaryDirectory(prefix="ssisim-explore-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        try:
            latest = team_latest(read_team(path))
            names = _names(path)
        except DataError as exc:
            raise DataError(str(exc).replace(str(path), name)) from None
    out = []
    for (_, row), member in zip(latest.iterrows(), names, strict=True):
        pillars = {p: float(row[p]) for p in PILLARS if p in row and pd.notna(row[p])}
        out.append(
            replace(
                routine,
                name=_board_name(member) or str(row["member"]),
                ssi=float(row["ssi"]),
                pillars=pillars,
            )
        )
    return out

"""Scenarios that start from an imported member: ``from: member.yaml``.

``population.seller.from`` and a strategy's ``from`` name a member file
written by ``ssisim import``. The scenario loader resolves them
(:func:`ssisim.scenario.loading.load_scenario`: relative to the scenario's
folder, confined to it unless ``--allow-path``, a regular file of at most
:data:`~ssisim.scenario.loading.MAX_NAMED_FILE_BYTES`), fills the seller's
block with the member's ``seller:`` values and the strategy with their
``routine:`` values (what the scenario writes itself wins), and keeps
``from`` as the resolved absolute path, so that
:mod:`ssisim.population.seats` places the member's network.

This module reads a resolved member file (:func:`read_member`, cached) and
loads a ``member.yaml`` given in place of a scenario
(:func:`load_member_scenario`).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from ssisim.errors import DataError, ScenarioError
from ssisim.scenario.loading import (
    MAX_NAMED_FILE_BYTES,
    MEMBER_FORMAT_PREFIX,
    Override,
    Trust,
    check_member_network,
    load_scenario,
    member_format_problem,
    parse_scenario,
    parse_yaml,
)
from ssisim.scenario.schema import Scenario

__all__ = [
    "MAX_NAMED_FILE_BYTES",
    "is_member_file",
    "load_member_scenario",
    "member_reading",
    "read_member",
]


@functools.lru_cache(maxsize=8)
def _read_member_cached(path: str, mtime_ns: int) -> dict[str, Any]:
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataError(f"{path}:{mark.line + 1 if mark else 1}: YAML syntax error") from None
    problem = member_format_problem(data.get("format") if isinstance(data, dict) else None)
    if problem is not None:
        line = parse_yaml(text, path)[1].get(("format",), 1) if isinstance(data, dict) else 1
        raise DataError(f"{path}:{line}: format: {problem}")
    for key in ("seller", "routine"):  # `network` is absent from a team member's readings
        if not isinstance(data.get(key), dict):
            raise DataError(f"{path}:1: {key}: missing block; import the export again")
    check_member_network(data.get("network"), path, parse_yaml(text, path)[1])
    return data


def read_member(path: str | Path) -> dict[str, Any]:
    """Read a ``member.yaml`` written by ``ssisim import`` (cached by path and modification time).

    Raises
    ------
    DataError
        Not a member file, or an unreadable one.
    """
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        raise DataError(f"{path}: no such member file (write one with `ssisim import`)") from None
    if stat.st_size > MAX_NAMED_FILE_BYTES:
        raise DataError(
            f"{path}: {stat.st_size:,} bytes; a member file is at most {MAX_NAMED_FILE_BYTES:,}"
        )
    return _read_member_cached(str(path.resolve()), stat.st_mtime_ns)


def member_reading(path: str | Path) -> dict[str, float] | None:
    """The member's latest SSI reading (``ssi`` and the pillars it has), or None."""
    found = read_member(path).get("ssi")
    if not isinstance(found, dict):
        return None
    out: dict[str, float] = {}
    for key in ("ssi", "brand", "people", "insights", "relationships"):
        value = found.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and value == value:
            out[key] = float(value)
    return out if "ssi" in out else None


def is_member_file(path: str | Path) -> bool:
    """Whether ``path`` is a member file (its ``format:`` says so), read within the limits."""
    path = Path(path)
    try:
        if not path.is_file() or path.stat().st_size > MAX_NAMED_FILE_BYTES:
            return False
        with path.open(encoding="utf-8") as fh:
            head = fh.read(4096)
    except (OSError, UnicodeDecodeError):
        return False
    return any(
        line.startswith("format:") and MEMBER_FORMAT_PREFIX in line for line in head.splitlines()
    )


def load_member_scenario(
    path: str | Path, overrides: Sequence[Override] = (), trust: Trust | None = None
) -> Scenario:
    """Load a scenario (or a ``member.yaml`` alone) with its ``from:`` files resolved.

    A ``member.yaml`` given in place of a scenario starts a scenario of its
    own: the member as the seller, and their habits as the strategy ``as-is``.

    Raises
    ------
    ScenarioError
        The scenario or a named file is invalid.
    """
    path = Path(path)
    if not path.exists():
        raise ScenarioError(f"{path}: no such scenario or member file")
    if is_member_file(path):
        data = {
            "name": "member",
            "population": {"seller": {"from": path.name}},
            "strategies": [{"name": "as-is", "from": path.name}],
        }
        return parse_scenario(yaml.safe_dump(data, sort_keys=False), str(path), overrides, trust)
    return load_scenario(path, overrides, trust)


EXPORT_TOLERANCE_DAYS = 14
"""Days after the export's last week's start that a reading may be dated, for ``fit --member``.

The last week of ``weekly.csv`` starts on a Monday and may be partial (the
archive was requested mid-week): its 7 days are in the window, and 7 days
more, for a reading noted in the days after the archive arrived. One week
of activity the export does not show weighs ``1 - 0.5 ** (1 / 4)``, about
16%, in the trailing averages the SSI reads (the default activity half-life
of 4 weeks); a reading later than that reads activity the fit cannot see.
"""


def export_window(export: Any) -> tuple[dt.date, dt.date] | None:
    """The days a reading may fall on for a member's export (``member.yaml``'s
    ``export:``): from its first week to :data:`EXPORT_TOLERANCE_DAYS` after its
    last week's start; None without an export's weeks."""
    if not isinstance(export, Mapping):
        return None
    try:
        first = dt.date.fromisoformat(str(export["first_week"]))
        last = dt.date.fromisoformat(str(export["last_week"]))
    except (KeyError, ValueError):
        return None
    return first, last + dt.timedelta(days=EXPORT_TOLERANCE_DAYS - 1)

"""Which assumptions flip a verdict, and how far they must move.

A one-at-a-time sweep (``sweep: {one_at_a_time: ...}``,
:func:`ssisim.experiments.sweep.one_at_a_time_rows`) runs the scenario as
written (the baseline, point 0) and, for each assumption, one point per
value with only that assumption changed, every point under the same random
streams (common random numbers). Each point has its paired differences
(``differences.csv``, one block of rows per point); here each pair of
strategies gets, at each point, the verdict :func:`ssisim.results.verdicts.verdicts`
gives when only those two are compared (at :data:`ssisim.stats.CONFIDENCE`):
the winner's name when the interval of the paired difference excludes zero,
else :data:`NO_CLEAR`.

For each (context, metric, pair of strategies, assumption), ``flips.csv``
(:data:`FLIP_COLUMNS`) holds the baseline verdict, the verdict at every
value tried, and, on each side of the baseline value, the first value
(nearest the baseline) whose verdict differs: the winner swaps, or the
verdict becomes or stops being "no clear difference". Its move is relative
to the baseline value (``+150%``). Empty when the verdict holds over the
values tried on that side: the verdict does not flip *within the range
tried*, which says nothing of values beyond it. Assumptions whose values are
not numbers (text, ``null``, lists) have no sides: their ``changes`` count
and ``verdicts`` say where the verdict differs.

A key of one business context (``contexts.volume.deal_value_eur``) has rows
for that context's verdicts only: it cannot change another's.

A point where a pair has no difference (a per-hour value of a routine that
takes no time) has the verdict :data:`NOT_AVAILABLE`, which neither flips
nor holds.

Examples
--------
>>> import pandas as pd
>>> points = pd.DataFrame({"point": [0, 1, 2], "x": [1.0, 0.5, 2.5]})
>>> rows = [dict(point=p, x=x, context="volume", metric="opportunities",
...              strategy_a="a", strategy_b="b", n=10, mean_a=m, mean_b=5.0,
...              difference=m - 5.0, ci_low=m - 6.0, ci_high=m - 4.0, clear=abs(m - 5) > 1)
...         for p, x, m in [(0, 1.0, 8.0), (1, 0.5, 5.5), (2, 2.5, 9.0)]]
>>> flips = find_flips(pd.DataFrame(rows), points)
>>> r = flips.iloc[0]
>>> r.baseline_verdict, float(r.flip_below), r.flip_below_move, r.flip_below_verdict
('a', 0.5, '-50%', 'no clear difference')
>>> bool(pd.isna(r.flip_above)), int(r.changes)
(True, 1)
>>> r.verdicts
'0.5: no clear difference; 1 (baseline): a; 2.5: a'
>>> flip_sentences(flips)[0]  # doctest: +NORMALIZE_WHITESPACE
'volume, opportunities, a against b: a ahead at the baseline; it becomes no clear
 difference when x falls to 0.5 (-50%).'
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ssisim.errors import DataError
from ssisim.results.files import atomic_text, write_csv
from ssisim.results.outcomes import MIN_HOURS_PER_WEEK, OUTCOMES_FILE, POINTS_FILE
from ssisim.results.verdicts import (
    DIFFERENCES_FILE,
    inactive_strategies,
    pair_winners,
)

__all__ = [
    "FLIPS_FILE",
    "FLIPS_TEXT_FILE",
    "FLIP_COLUMNS",
    "NOT_AVAILABLE",
    "NO_CLEAR",
    "find_flips",
    "flip_sentences",
    "is_one_at_a_time",
    "one_at_a_time_layout",
    "pair_verdicts",
    "relative_move",
    "write_flips",
]

FLIPS_FILE = "flips.csv"
FLIPS_TEXT_FILE = "flips.txt"
NO_CLEAR = "no clear difference"
NOT_AVAILABLE = "n/a"
BASELINE_POINT = 0
"""A one-at-a-time sweep's point 0 is the scenario as written."""

FLIP_COLUMNS: tuple[str, ...] = (
    "context",
    "metric",
    "strategy_a",
    "strategy_b",
    "parameter",
    "baseline_value",
    "baseline_verdict",
    "verdicts",
    "changes",
    "flip_below",
    "flip_below_move",
    "flip_below_verdict",
    "flip_above",
    "flip_above_move",
    "flip_above_verdict",
)
"""Columns of ``flips.csv``: ``verdicts`` lists ``value: verdict`` in the order
of the values (the baseline marked); ``changes`` counts the values whose
verdict differs from the baseline's; ``flip_below`` / ``flip_above`` is the
value nearest the baseline, below / above it, whose verdict differs (empty:
none within the values tried), with its move relative to the baseline value
and the verdict there."""

_NAMES = {
    "ssi": "SSI",
    "opportunities": "opportunities",
    "pipeline_value_eur": "pipeline value",
    "value_per_hour_eur": "pipeline value per hour",
    "hours_per_week": "hours per week (fewer is better)",
    "pitches_received": "pitches received (fewer is better)",
}


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _plain(value: Any) -> Any:
    """A cell as a Python value (numpy scalars to int, float, bool)."""
    return value.item() if hasattr(value, "item") else value


def _text(value: Any) -> str:
    """A value as the verdicts list writes it: 0.002, 150, True, text as is."""
    if isinstance(value, float):
        return f"{value:.10g}"
    return str(value)


def relative_move(value: float, baseline: float) -> str:
    """How far ``value`` is from ``baseline``, relative to it: ``+150%``, ``-50%``.

    Empty when the baseline is 0 (no relative move from nothing).

    >>> relative_move(0.01, 0.004), relative_move(0.002, 0.004), relative_move(104, 100)
    ('+150%', '-50%', '+4.0%')
    >>> relative_move(1.0, 0.0)
    ''
    """
    if baseline == 0 or not (math.isfinite(value) and math.isfinite(baseline)):
        return ""
    r = (value - baseline) / abs(baseline)
    return f"{r:+.0%}" if abs(r) >= 0.1 else f"{r:+.1%}"


def is_one_at_a_time(manifest: Mapping[str, Any]) -> bool:
    """Whether a results folder's manifest records a one-at-a-time sweep.

    >>> is_one_at_a_time({"scenario": {"sweep": {"one_at_a_time": {"weeks": [26]}}}})
    True
    >>> is_one_at_a_time({"scenario": {"sweep": {"grid": {"weeks": [26]}}}}), is_one_at_a_time({})
    (False, False)
    """
    scenario = manifest.get("scenario")
    sweep = scenario.get("sweep") if isinstance(scenario, Mapping) else None
    return isinstance(sweep, Mapping) and bool(sweep.get("one_at_a_time"))


def one_at_a_time_layout(points: pd.DataFrame, baseline: int = BASELINE_POINT) -> pd.DataFrame:
    """Which assumption each point of a one-at-a-time sweep varies, and to what.

    Parameters
    ----------
    points : pandas.DataFrame
        ``points.csv``: ``point`` and one column per assumption.
    baseline : int
        The baseline point (every assumption at the scenario's value).

    Returns
    -------
    pandas.DataFrame
        Columns ``point, parameter, value``: one row per point other than the
        baseline, in point order.

    Raises
    ------
    DataError
        The table is not a one-at-a-time sweep's: no baseline row, or a point
        that differs from the baseline in no assumption or in more than one.
    """
    keys = [c for c in points.columns if c != "point"]
    if not keys:
        raise DataError(f"{POINTS_FILE}: no swept column; not a one-at-a-time sweep")
    table = points.set_index("point")
    if baseline not in table.index:
        raise DataError(f"{POINTS_FILE}: no baseline point {baseline}")
    base = {k: _plain(table.loc[baseline, k]) for k in keys}
    rows = []
    for values in points.to_dict("records"):
        point = int(values["point"])
        if point == baseline:
            continue
        moved = [k for k in keys if not _equal(_plain(values[k]), base[k])]
        if len(moved) != 1:
            what = ", ".join(moved) if moved else "no assumption"
            raise DataError(
                f"{POINTS_FILE}: point {point} differs from the baseline (point {baseline}) in "
                f"{what}; a one-at-a-time sweep changes exactly one"
            )
        rows.append({"point": point, "parameter": moved[0], "value": _plain(values[moved[0]])})
    return pd.DataFrame(rows, columns=["point", "parameter", "value"])


def _equal(a: Any, b: Any) -> bool:
    if _number(a) and _number(b):
        return float(a) == float(b) or (math.isnan(float(a)) and math.isnan(float(b)))
    if isinstance(a, float) and isinstance(b, float):
        return math.isnan(a) and math.isnan(b)
    return bool(a == b)


def pair_verdicts(
    differences: pd.DataFrame, *, inactive: Sequence[str] = ()
) -> dict[tuple[Any, ...], str]:
    """The verdict of every pair of strategies, per point, context and metric.

    Parameters
    ----------
    differences : pandas.DataFrame
        :func:`ssisim.results.verdicts.paired_differences`, with a ``point``
        column for a sweep (one block per point).
    inactive : sequence of str
        Passed to :func:`ssisim.results.verdicts.verdicts`: a pair with an
        inactive strategy has no verdict on a per-hour metric.

    Returns
    -------
    dict
        ``(point, context, metric, strategy_a, strategy_b)`` to the winner's
        name, or :data:`NO_CLEAR` (``point`` None without a point column).
    """
    table = differences if "point" in differences.columns else differences.assign(point=None)
    winners = pair_winners(table, inactive=inactive)
    rows = table.loc[winners.index]
    return {
        (_plain(p), str(c), str(m), str(a), str(b)): NO_CLEAR if w is None else str(w)
        for p, c, m, a, b, w in zip(
            rows["point"],
            rows["context"],
            rows["metric"],
            rows["strategy_a"],
            rows["strategy_b"],
            winners,
            strict=True,
        )
    }


def find_flips(
    differences: pd.DataFrame,
    points: pd.DataFrame,
    *,
    baseline: int = BASELINE_POINT,
    inactive: Sequence[str] = (),
) -> pd.DataFrame:
    """Where each pair's verdict changes as one assumption moves from the baseline.

    Parameters
    ----------
    differences : pandas.DataFrame
        A one-at-a-time sweep's ``differences.csv`` (a ``point`` column).
    points : pandas.DataFrame
        Its ``points.csv``.
    baseline : int
        The baseline point.
    inactive : sequence of str
        Strategies left out of the per-hour verdicts (see
        :func:`ssisim.results.verdicts.verdicts`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`FLIP_COLUMNS`, one row per (context, metric, pair,
        assumption) that has a verdict at the baseline, in the order of
        ``differences`` then of the assumptions; a key of another business
        context (``contexts.volume.*`` for the ``complex`` context's
        verdicts) has no row, as it cannot change them.

    Raises
    ------
    DataError
        ``points`` is not a one-at-a-time sweep's (see :func:`one_at_a_time_layout`).
    """
    layout = one_at_a_time_layout(points, baseline)
    keys = [c for c in points.columns if c != "point"]
    base_values = points.set_index("point").loc[baseline]
    found = pair_verdicts(differences, inactive=inactive)
    combos = list(
        dict.fromkeys(
            (str(r.context), str(r.metric), str(r.strategy_a), str(r.strategy_b))
            for r in differences.itertuples(index=False)
        )
    )
    rows = []
    for context, metric, a, b in combos:
        at_base = found.get((baseline, context, metric, a, b))
        if at_base is None:
            continue
        for key in keys:
            if _other_context(key, context):
                continue
            base = _plain(base_values[key])
            tried = [
                (_plain(r.value), found.get((r.point, context, metric, a, b), NOT_AVAILABLE))
                for r in layout[layout["parameter"] == key].itertuples(index=False)
            ]
            rows.append(_flip_row(context, metric, a, b, key, base, at_base, tried))
    return pd.DataFrame(rows, columns=list(FLIP_COLUMNS))


def _other_context(key: str, context: str) -> bool:
    """Whether ``key`` is a key of another business context than ``context``
    (``contexts.volume.deal_value_eur`` changes no verdict of ``complex``).

    >>> _other_context("contexts.volume.deal_value_eur", "complex")
    True
    >>> _other_context("contexts.complex.deal_value_eur", "complex")
    False
    >>> _other_context("answers.leads.inbound_rate", "complex")
    False
    """
    parts = key.split(".")
    return len(parts) > 2 and parts[0] == "contexts" and parts[1] != context


def _flip_row(
    context: str,
    metric: str,
    a: str,
    b: str,
    key: str,
    base: Any,
    at_base: str,
    tried: list[tuple[Any, str]],
) -> dict[str, Any]:
    numeric = _number(base) and all(_number(v) for v, _ in tried)
    listed = [(base, at_base, " (baseline)"), *((v, verdict, "") for v, verdict in tried)]
    if numeric:
        listed.sort(key=lambda item: float(item[0]))
    shown = "; ".join(f"{_text(v)}{mark}: {verdict}" for v, verdict, mark in listed)

    def changed(verdict: str) -> bool:
        return verdict not in (at_base, NOT_AVAILABLE)

    row: dict[str, Any] = {
        "context": context,
        "metric": metric,
        "strategy_a": a,
        "strategy_b": b,
        "parameter": key,
        "baseline_value": base,
        "baseline_verdict": at_base,
        "verdicts": shown,
        "changes": sum(changed(verdict) for _, verdict in tried),
    }
    for side in ("below", "above"):
        row[f"flip_{side}"] = row[f"flip_{side}_move"] = row[f"flip_{side}_verdict"] = None
        if not numeric:
            continue
        if side == "below":
            nearest = sorted((t for t in tried if t[0] < base), key=lambda t: -float(t[0]))
        else:
            nearest = sorted((t for t in tried if t[0] > base), key=lambda t: float(t[0]))
        first = next(((v, verdict) for v, verdict in nearest if changed(verdict)), None)
        if first is not None:
            row[f"flip_{side}"] = first[0]
            row[f"flip_{side}_move"] = relative_move(float(first[0]), float(base)) or None
            row[f"flip_{side}_verdict"] = first[1]
    return row


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def _phrase(verdict: str) -> str:
    return verdict if verdict == NO_CLEAR else f"{verdict} ahead"


def flip_sentences(flips: pd.DataFrame) -> list[str]:
    """One sentence per (context, metric, pair): the baseline verdict, and the
    assumptions that change it, grouped by the verdict they lead to, the
    smallest relative move first.

    For example: "complex, pipeline value, open-bar against club-select: no
    clear difference at the baseline; it becomes club-select ahead when
    answers.leads.outbound_rate rises to 0.6 (+100%) or when
    answers.leads.introduction_rate rises to 0.016 (+300%); it holds over the
    values tried of 10 other assumptions."
    """
    sentences = []
    groups = flips.groupby(["context", "metric", "strategy_a", "strategy_b"], sort=False)
    for (context, metric, a, b), rows in groups:
        at_base = str(rows["baseline_verdict"].iloc[0])
        clauses: list[tuple[float, str, str]] = []  # (distance, verdict, clause)
        unordered: list[str] = []
        held = 0
        for r in rows.to_dict("records"):
            mine = []
            for side, verb in (("below", "falls to"), ("above", "rises to")):
                value = r[f"flip_{side}"]
                if _missing(value):
                    continue
                move = "" if _missing(r[f"flip_{side}_move"]) else str(r[f"flip_{side}_move"])
                distance = abs(float(move.rstrip("%"))) if move else math.inf
                clause = f"{r['parameter']} {verb} {_text(value)}{f' ({move})' if move else ''}"
                mine.append((distance, str(r[f"flip_{side}_verdict"]), clause))
            clauses += mine
            if not mine and r["changes"] > 0:  # values that are not numbers: no sides
                unordered.append(str(r["parameter"]))
            held += not mine and not r["changes"] > 0
        clauses.sort(key=lambda c: c[0])
        text = f"{context}, {_NAMES.get(str(metric), str(metric))}, {a} against {b}: "
        text += f"{_phrase(at_base)} at the baseline"
        for verdict in dict.fromkeys(v for _, v, _ in clauses):
            whens = [f"when {c}" for _, v, c in clauses if v == verdict]
            joined = whens[0] if len(whens) == 1 else f"{', '.join(whens[:-1])} or {whens[-1]}"
            text += f"; it becomes {_phrase(verdict)} {joined}"
        for name in unordered:
            text += f"; it changes with {name} (see flips.csv)"
        plural = "s" if held != 1 else ""
        if clauses or unordered:
            if held:
                text += f"; it holds over the values tried of {held} other assumption{plural}"
        else:
            text += f", and at every value tried of the {held} assumption{plural}"
        sentences.append(text + ".")
    return sentences


def write_flips(out_dir: Path, points_path: Path) -> tuple[list[Path], list[str]]:
    """Write ``flips.csv`` and ``flips.txt`` for a one-at-a-time sweep.

    Parameters
    ----------
    out_dir : Path
        The folder holding the sweep's ``differences.csv`` and
        ``outcomes.csv`` (:func:`ssisim.results.outcomes.write_sweep_outcomes`);
        the files are written there, atomically.
    points_path : Path
        The sweep's ``points.csv``.

    Returns
    -------
    (list of Path, list of str)
        The files written; the sentences of :func:`flip_sentences`.

    Raises
    ------
    DataError
        A file is missing or is not a one-at-a-time sweep's.
    """
    out_dir = Path(out_dir)
    try:
        points = pd.read_csv(points_path)
        differences = pd.read_csv(out_dir / DIFFERENCES_FILE)
        hours = pd.read_csv(
            out_dir / OUTCOMES_FILE, usecols=["point", "strategy", "hours_per_week"]
        )
    except (OSError, ValueError) as exc:
        raise DataError(f"{out_dir}: cannot read the sweep's tables ({exc})") from None
    inactive = inactive_strategies(hours[hours["point"] == BASELINE_POINT], MIN_HOURS_PER_WEEK)
    flips = find_flips(differences, points, inactive=inactive)
    sentences = flip_sentences(flips)
    paths = [out_dir / FLIPS_FILE, out_dir / FLIPS_TEXT_FILE]
    with atomic_text(paths[0]) as f:
        write_csv(flips, f)
    with atomic_text(paths[1]) as f:
        f.write("".join(f"{s}\n" for s in sentences))
    return paths, sentences

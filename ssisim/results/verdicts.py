"""Verdicts: which strategy did better, as paired differences under common random numbers.

Replication ``r`` of every strategy shares the streams strategies have in
common (the population, the existing relationships), so strategies are
compared pair by pair, replication by replication: the interval of the mean
difference is the interval of the per-replication differences
(:func:`ssisim.stats.paired_difference`, Student t at
:data:`ssisim.stats.CONFIDENCE`). A verdict names a winner only when that
interval excludes zero; otherwise it says "no clear difference".

For each business context and each metric of :data:`VERDICT_METRICS`, every
pair of strategies gets a row of ``differences.csv`` (:data:`DIFFERENCE_COLUMNS`).
A verdict compares the best strategy (by mean) with the runner-up: if the
best is clearly ahead of the runner-up, it is clearly ahead of all.

Examples
--------
>>> import pandas as pd
>>> table = pd.DataFrame({"strategy": ["a"] * 3 + ["b"] * 3, "context": "volume",
...     "replication": [0, 1, 2] * 2, "opportunities": [5.0, 6.0, 7.0, 1.0, 2.0, 2.5],
...     "hours_per_week": 1.0})
>>> d = paired_differences(table, metrics=("opportunities",))
>>> d[["strategy_a", "strategy_b", "difference", "clear"]].to_dict("records")
[{'strategy_a': 'a', 'strategy_b': 'b', 'difference': 4.166666666666667, 'clear': True}]
>>> verdict_sentences(d)
['In the volume context, a brought more opportunities than b (+4.2, 95% CI +3.4 to +4.9).']
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ssisim.results.files import atomic_text, write_csv
from ssisim.stats import CONFIDENCE, paired_difference

__all__ = [
    "DIFFERENCES_FILE",
    "DIFFERENCE_COLUMNS",
    "VERDICT_METRICS",
    "Verdict",
    "inactive_strategies",
    "pair_winners",
    "paired_differences",
    "shown_decimals",
    "verdict_sentences",
    "verdicts",
    "write_differences",
]

DIFFERENCES_FILE = "differences.csv"


@dataclass(frozen=True)
class _Metric:
    name: str
    more: str  # "more opportunities"
    less: str  # "fewer opportunities"
    noun: str  # "opportunities": "no clear difference in opportunities between ..."
    higher_is_better: bool
    money: bool = False
    per_hour: bool = False  # compared among routines that take time only
    unit: str = ""  # after the difference: "(−1.0 h/week, ...)"


VERDICT_METRICS: tuple[_Metric, ...] = (
    _Metric("ssi", "a higher SSI", "a lower SSI", "SSI", True),
    _Metric("opportunities", "more opportunities", "fewer opportunities", "opportunities", True),
    _Metric(
        "pipeline_value_eur",
        "more pipeline value",
        "less pipeline value",
        "pipeline value",
        True,
        money=True,
    ),
    _Metric(
        "value_per_hour_eur",
        "more pipeline value per hour",
        "less pipeline value per hour",
        "pipeline value per hour",
        True,
        money=True,
        per_hour=True,
    ),
    _Metric("hours_per_week", "more hours", "fewer hours", "hours", False, unit="h/week"),
    _Metric("pitches_received", "more pitches", "fewer pitches", "pitches received", False),
)
"""What a verdict is given on: SSI at the horizon, opportunities, pipeline value,
value per hour, hours of routine a week (the tables' unit), unsolicited pitches
received. Only the per-hour metrics leave out the routines that take almost no
time (``inactive`` in :func:`verdicts`): every other metric compares all routines."""

DIFFERENCE_COLUMNS: tuple[str, ...] = (
    "context",
    "metric",
    "strategy_a",
    "strategy_b",
    "n",
    "mean_a",
    "mean_b",
    "difference",
    "ci_low",
    "ci_high",
    "clear",
)
"""Columns of ``differences.csv``: ``difference = mean of (a - b)`` over the
``n`` paired replications, its interval, and whether the interval excludes 0."""

_BY_NAME = {m.name: m for m in VERDICT_METRICS}


def paired_differences(
    outcomes: pd.DataFrame, metrics: Sequence[str] | None = None
) -> pd.DataFrame:
    """Every pair of strategies, per context and metric, paired by replication.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        One row per (strategy, context, replication), e.g. ``outcomes.csv``.
    metrics : sequence of str, optional
        Default: the names of :data:`VERDICT_METRICS` present in ``outcomes``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`DIFFERENCE_COLUMNS`; pairs ``(a, b)`` with ``a`` before
        ``b`` in the order of first appearance. A pair where either value is
        missing (a per-hour value of a routine that takes no time) is left out
        of that metric's pairs.
    """
    names = [m.name for m in VERDICT_METRICS] if metrics is None else list(metrics)
    names = [m for m in names if m in outcomes.columns]
    strategies = list(dict.fromkeys(outcomes["strategy"]))
    contexts = list(dict.fromkeys(outcomes["context"]))
    # Paired by replication on numpy arrays: pandas' aligned concat per pair and
    # metric cost about a millisecond each (a sweep's outcomes pair thousands).
    context_of = outcomes["context"].to_numpy()
    strategy_of = outcomes["strategy"].to_numpy()
    replication = outcomes["replication"].to_numpy()
    values = {m: outcomes[m].to_numpy() for m in names}
    rows = []
    for context in contexts:
        here = context_of == context
        rows_of = {s: np.flatnonzero(here & (strategy_of == s)) for s in strategies}
        pairs = []
        for a, b in itertools.combinations(strategies, 2):
            ia, ib = rows_of[a], rows_of[b]
            # a's replications that b has too, in a's order (an inner join on the replication)
            at_b = pd.Index(replication[ib]).get_indexer(replication[ia])
            pairs.append((a, b, ia[at_b >= 0], ib[at_b[at_b >= 0]]))
        for metric in names:
            for a, b, ia, ib in pairs:
                va, vb = values[metric][ia], values[metric][ib]
                kept = ~(pd.isna(va) | pd.isna(vb))
                if not kept.any():
                    continue
                va, vb = va[kept].astype(np.float64), vb[kept].astype(np.float64)
                d = paired_difference(va, vb)
                rows.append(
                    {
                        "context": context,
                        "metric": metric,
                        "strategy_a": a,
                        "strategy_b": b,
                        "n": d.n,
                        "mean_a": float(va.mean()),
                        "mean_b": float(vb.mean()),
                        "difference": d.mean,
                        "ci_low": d.low,
                        "ci_high": d.high,
                        "clear": d.clear,
                    }
                )
    return pd.DataFrame(rows, columns=list(DIFFERENCE_COLUMNS))


@dataclass(frozen=True)
class Verdict:
    """The best strategy on one metric in one context, against the runner-up."""

    context: str
    metric: str
    best: str
    runner_up: str
    difference: float  # best - runner-up, in the metric's unit
    low: float
    high: float
    clear: bool

    def phrase(self, money: str = "€", *, interval: bool = True, tense: str = "past") -> str:
        """The verdict as a clause: "open-bar brought more opportunities than club-select (...)".

        ``interval`` False gives the difference only (figure titles);
        ``tense`` "present" says "brings" (a finding) rather than "brought".
        """
        m = _BY_NAME[self.metric]
        fmt = _number(self.metric, money)
        ci = f", {CONFIDENCE:.0%} CI {fmt(self.low)} to {fmt(self.high)}" if interval else ""
        d = f"{fmt(self.difference)} {m.unit}" if m.unit else fmt(self.difference)
        if not self.clear:
            return (
                f"no clear difference in {m.noun} between {self.best} "
                f"and {self.runner_up} ({d}{ci})"
            )
        what = m.more if m.higher_is_better else m.less
        verbs = {"ssi": "reached", "hours_per_week": "took", "pitches_received": "received"}
        verb = verbs.get(m.name, "brought")
        if tense == "present":
            verb = {"reached": "reaches", "took": "takes", "received": "receives"}.get(
                verb, "brings"
            )
        return f"{self.best} {verb} {what} than {self.runner_up} ({d}{ci})"


def pair_winners(differences: pd.DataFrame, *, inactive: Sequence[str] = ()) -> pd.Series:
    """Row by row, the verdict :func:`verdicts` gives each row's pair alone, vectorised.

    Each row of ``differences`` (one pair of strategies, one context and
    metric; a sweep's rows for every point) gets the better strategy's name
    when its difference is clear, else None. Rows :func:`verdicts` would not
    judge (a metric it does not know; a pair with an inactive strategy on a
    per-hour metric) are left out. As in :func:`verdicts`, strategy a wins a tie, or a
    comparison with a missing mean.

    Examples
    --------
    >>> d = pd.DataFrame({"context": ["volume"] * 2, "metric": ["ssi", "hours_per_week"],
    ...     "strategy_a": ["a", "a"], "strategy_b": ["b", "b"], "mean_a": [60.0, 5.0],
    ...     "mean_b": [55.0, 3.0], "clear": [True, False]})
    >>> pair_winners(d).tolist()
    ['a', None]
    """
    metric = differences["metric"].astype(str)
    higher = metric.map({m.name: m.higher_is_better for m in VERDICT_METRICS})
    per_hour = metric.isin([m.name for m in VERDICT_METRICS if m.per_hour])
    judged = higher.notna() & (
        ~per_hour
        | ~(differences["strategy_a"].isin(inactive) | differences["strategy_b"].isin(inactive))
    )
    rows = differences[judged]
    up = higher[judged].astype(bool).to_numpy()
    mean_a = rows["mean_a"].to_numpy(dtype=float)
    mean_b = rows["mean_b"].to_numpy(dtype=float)
    b_wins = np.where(up, mean_b > mean_a, mean_b < mean_a)  # strict: a keeps ties and NaN
    best = np.where(b_wins, rows["strategy_b"].astype(str), rows["strategy_a"].astype(str))
    clear = rows["clear"].astype(bool).to_numpy()
    said = [str(w) if c else None for w, c in zip(best.tolist(), clear.tolist(), strict=True)]
    return pd.Series(said, index=rows.index, dtype="object")


def shown_decimals(x: float, decimals: int, most: int = 3) -> int:
    """The decimals to show ``x`` with: ``decimals``, or more when a value that
    is not zero would read as zero (a bound at +0.1 shown as "+0", a difference
    of −0.003 as "−0.0"), up to its first significant digit and at most
    ``most`` (below that, float noise: 2e-16 stays "0.000").

    >>> shown_decimals(173.2, 0), shown_decimals(0.12, 0), shown_decimals(-0.003, 1)
    (0, 1, 3)
    >>> shown_decimals(0.00096, 1), shown_decimals(2.2e-16, 1), shown_decimals(0.004, 0, 2)
    (3, 3, 2)
    """
    v = abs(x)
    if v == 0 or not math.isfinite(v) or round(v, decimals) != 0:
        return decimals
    first = -math.floor(math.log10(v))  # the first significant digit's place
    if round(v, first - 1) != 0:  # 0.00096 rounds up to 0.001: one place fewer
        first -= 1
    return max(decimals, min(first, most))


def _number(metric: str, money: str) -> Callable[[float], str]:
    m = _BY_NAME.get(metric)

    def fmt(x: float) -> str:
        if not math.isfinite(x):
            return "n/a"
        sign = "+" if x > 0 else ("−" if x < 0 else "")
        v = abs(x)
        if m is not None and m.money:
            return f"{sign}{money}{v:,.{shown_decimals(v, 0, 2)}f}"  # cents at most
        return f"{sign}{v:,.{shown_decimals(v, 1)}f}" if v < 1000 else f"{sign}{v:,.0f}"

    return fmt


def verdicts(
    differences: pd.DataFrame,
    *,
    inactive: Sequence[str] = (),
) -> list[Verdict]:
    """One verdict per (context, metric): the best strategy against the runner-up.

    Parameters
    ----------
    differences : pandas.DataFrame
        :func:`paired_differences` (or ``differences.csv``).
    inactive : sequence of str
        Strategies left out of the per-hour verdicts (value per hour): dividing
        by almost no hours would make doing nothing look best. Every other
        verdict compares every strategy (doing nothing may well take the
        fewest hours, or receive the fewest pitches).
    """
    # Grouped in plain Python: a verdict table has tens of rows, and pandas'
    # per-group filtering cost about 1 ms a group (the explorer redraws them).
    idle = {str(s) for s in inactive}  # names compared as text: a CSV reads "1" as 1
    groups: dict[tuple[str, str], list[dict[Any, Any]]] = {}
    for r in differences.to_dict("records"):
        if pd.isna(r["context"]) or pd.isna(r["metric"]):
            continue  # a missing context or metric: groupby would drop the row too
        groups.setdefault((str(r["context"]), str(r["metric"])), []).append(r)
    out = []
    for (context, metric), rows in groups.items():
        m = _BY_NAME.get(metric)
        if m is None:
            continue
        if m.per_hour:
            rows = [
                r
                for r in rows
                if str(r["strategy_a"]) not in idle and str(r["strategy_b"]) not in idle
            ]
        if not rows:
            continue
        means: dict[str, float] = {}
        for r in rows:
            means.setdefault(str(r["strategy_a"]), float(r["mean_a"]))
            means.setdefault(str(r["strategy_b"]), float(r["mean_b"]))
        # means equal to 9 significant digits are a tie (a table read back from its CSV
        # differs in the last bits): the strategies' order decides, the same either way
        ranked = sorted(means, key=lambda s: float(f"{means[s]:.9g}"), reverse=m.higher_is_better)
        best, second = ranked[0], ranked[1]
        row = next(
            (r for r in rows if {str(r["strategy_a"]), str(r["strategy_b"])} == {best, second}),
            None,
        )
        if row is None:  # a table without the pair of the two best (hand-made): no verdict
            continue
        sign = 1.0 if str(row["strategy_a"]) == best else -1.0
        lo, hi = sorted((sign * float(row["ci_low"]), sign * float(row["ci_high"])))
        out.append(
            Verdict(
                context=context,
                metric=metric,
                best=best,
                runner_up=second,
                difference=sign * float(row["difference"]),
                low=lo,
                high=hi,
                clear=bool(row["clear"]),
            )
        )
    return out


def inactive_strategies(outcomes: pd.DataFrame, min_hours_per_week: float = 0.5) -> list[str]:
    """Strategies whose routine takes less than ``min_hours_per_week`` on average."""
    if "hours_per_week" not in outcomes.columns:
        return []
    mean = outcomes.groupby("strategy", sort=False)["hours_per_week"].mean()
    return [str(s) for s, h in mean.items() if np.isfinite(h) and h < min_hours_per_week]


def verdict_sentences(
    differences: pd.DataFrame,
    contexts: Sequence[str] | None = None,
    *,
    inactive: Sequence[str] = (),
    money: str = "€",
) -> list[str]:
    """One sentence per context: the verdicts on each metric, joined by semicolons."""
    found = verdicts(differences, inactive=inactive)
    names = contexts if contexts is not None else list(dict.fromkeys(v.context for v in found))
    sentences = []
    for name in names:
        parts = [v.phrase(money) for v in found if v.context == name]
        if parts:
            sentences.append(f"In the {name} context, {'; '.join(parts)}.")
    return sentences


def write_differences(out_dir: Path, outcomes: pd.DataFrame) -> tuple[Path, pd.DataFrame]:
    """Write ``differences.csv`` (atomically) into ``out_dir``; return it and its table."""
    table = paired_differences(outcomes)
    path = Path(out_dir) / DIFFERENCES_FILE
    with atomic_text(path) as f:
        write_csv(table, f)
    return path, table

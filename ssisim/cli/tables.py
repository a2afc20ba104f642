"""Tables for the terminal (rich): the library returns data frames, the command line prints them."""

from __future__ import annotations

import math
import typing
from collections.abc import Sequence

import pandas as pd
from rich.table import Table

from ssisim.errors import DataError
from ssisim.records import WeekRecord
from ssisim.results.tables import SUMMARY_COLUMNS
from ssisim.stats import CONFIDENCE

__all__ = ["terminal_table"]

_RECORD_TYPES = typing.get_type_hints(WeekRecord)

_DEFAULT_TABLE_METRICS: tuple[str, ...] = (
    "ssi",
    "brand",
    "people",
    "insights",
    "relationships",
    "connections",
    "relevant_connections",
    "acceptance_rate",
)


_PERCENT_METRICS = frozenset({"acceptance_rate", "boosted"})


def terminal_table(
    summary: pd.DataFrame, week: int, metrics: Sequence[str] = _DEFAULT_TABLE_METRICS
) -> Table:
    """A rich table of one checkpoint week: one row per strategy.

    Parameters
    ----------
    summary : pandas.DataFrame
        The summary table (see :func:`summarize`).
    week : int
        The checkpoint week to show.
    metrics : sequence of str
        The columns of the table, in order, headed by the metric's name with
        spaces for underscores. Rates and shares (``acceptance_rate``,
        ``boosted``) are shown in percent; counts of 100 or more without
        decimals.

    Returns
    -------
    rich.table.Table
        Cells read ``mean ± half-width of the 95% CI``; ``± n/a`` when there
        is a single replication.

    Raises
    ------
    DataError
        ``week`` or a metric is not in ``summary``.
    """
    missing = [c for c in SUMMARY_COLUMNS if c not in summary.columns]
    if missing:
        raise DataError(f"summary table: missing column {missing[0]!r}")
    at_week = summary[summary["week"] == week]
    if at_week.empty:
        weeks = sorted(summary["week"].unique().tolist())
        raise DataError(f"summary table: no rows for week {week} (weeks present: {weeks})")
    unknown = [m for m in metrics if m not in set(at_week["metric"])]
    if unknown:
        raise DataError(f"summary table: no metric {unknown[0]!r} at week {week}")

    ns = at_week.loc[at_week["metric"].isin(metrics), "n"]
    caption = None
    if not ns.empty:
        low, high = int(ns.min()), int(ns.max())
        caption = f"n = {low} replications" if low == high else f"n = {low}..{high} replications"
    table = Table(title=f"Week {week}: mean ± {CONFIDENCE:.0%} CI", caption=caption)
    cells = at_week.set_index(["strategy", "metric"])
    strategies = list(dict.fromkeys(at_week["strategy"].tolist()))
    rows = [
        [strategy, *(_cell(cells, strategy, metric) for metric in metrics)]
        for strategy in strategies
    ]
    table.add_column("strategy", no_wrap=True)
    for metric in metrics:
        # Spaces, not underscores, so that a narrow terminal wraps headers at
        # word boundaries; cells wrap at spaces too, keeping numbers whole.
        header = metric.replace("_", " ") + (" (%)" if metric in _PERCENT_METRICS else "")
        table.add_column(header, justify="right", overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table


def _cell(cells: pd.DataFrame, strategy: str, metric: str) -> str:
    key = (strategy, metric)
    if key not in cells.index:
        return ""
    mean, ci_high = (float(v) for v in cells.loc[key, ["mean", "ci_high"]].to_numpy(dtype=float))
    half = ci_high - mean
    scale, digits = 1.0, 1
    if metric in _PERCENT_METRICS:
        scale = 100.0
    elif _RECORD_TYPES.get(metric) is int and abs(mean) >= 100:
        digits = 0  # "1523 ± 12" rather than "1523.4 ± 12.3": fits a terminal
    if math.isnan(mean):
        return "n/a"
    spread = "n/a" if math.isnan(half) else f"{half * scale:.{digits}f}"
    return f"{mean * scale:.{digits}f} ± {spread}"

"""Results: records to tidy tables, summaries with confidence intervals, files.

A run's output directory holds three files, the contract between the engine
and everything that reads results (plots, reports, ``ssisim plot DIR``):

``weekly.csv``
    One row per (strategy, replication, week), columns
    :data:`~ssisim.records.WEEKLY_COLUMNS` in that order (see
    :class:`~ssisim.records.WeekRecord`).
``summary.csv``
    One row per (strategy, checkpoint week, metric), columns
    :data:`SUMMARY_COLUMNS`: the mean over replications and its 95%
    confidence interval.
``manifest.json``
    What produced the run (scenario, seed, versions...), as given by the caller.

Statistics
----------
For each (strategy, week, metric), ``n`` is the number of replications with a
value (missing values, e.g. an undefined ``acceptance_rate``, are left out),
``mean`` their mean, ``std`` their sample standard deviation (``ddof=1``) and
``ci_low``/``ci_high`` the 95% confidence interval of the mean,
``mean -/+ t(0.975, n - 1) * std / sqrt(n)`` (Student t). With ``n < 2`` the
spread is unknown: ``std``, ``ci_low`` and ``ci_high`` are NaN (empty in the
CSV files). Booleans (``boosted``) are summarised as the share of
replications where they are true.
"""

from __future__ import annotations

import json
import typing
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ssisim.errors import DataError
from ssisim.records import KEY_COLUMNS, METRIC_COLUMNS, WEEKLY_COLUMNS, WeekRecord
from ssisim.results.files import MANIFEST_FILE
from ssisim.stats import t_quantiles

__all__ = [
    "SUMMARY_COLUMNS",
    "fill_outbound_warmth",
    "read_results",
    "summarize",
    "tidy_weekly",
    "timeseries",
    "weekly_frame",
]

SUMMARY_COLUMNS: tuple[str, ...] = (
    "strategy",
    "week",
    "metric",
    "n",
    "mean",
    "std",
    "ci_low",
    "ci_high",
)
"""Columns of :func:`summarize` and :func:`timeseries`, in order."""

WEEKLY_FILE = "weekly.csv"
SUMMARY_FILE = "summary.csv"


_WEEKLY_TYPES: dict[str, type] = {
    name: typing.get_type_hints(WeekRecord)[name] for name in WEEKLY_COLUMNS
}
_SUMMARY_TYPES: dict[str, type] = {
    "strategy": str,
    "week": int,
    "metric": str,
    "n": int,
    "mean": float,
    "std": float,
    "ci_low": float,
    "ci_high": float,
}
_DTYPES: dict[type, Any] = {str: "str", int: "int64", float: "float64", bool: "bool"}


# --------------------------------------------------------------------------- tables


def weekly_frame(records: Iterable[WeekRecord], strategy_order: Sequence[str]) -> pd.DataFrame:
    """Build the weekly table from the records of a run.

    Parameters
    ----------
    records : iterable of WeekRecord
        One record per (strategy, replication, week), in any order.
    strategy_order : sequence of str
        The strategies in the order of the scenario; rows follow it.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`~ssisim.records.WEEKLY_COLUMNS` in that order, sorted
        by strategy (in ``strategy_order``), replication and week, with a
        fresh 0..N-1 index. ``strategy`` holds strings, counts are ``int64``,
        scores and rates ``float64``, ``boosted`` is ``bool``.

    Raises
    ------
    DataError
        A record names a strategy missing from ``strategy_order``, or two
        records share a (strategy, replication, week).

    Examples
    --------
    >>> from ssisim.records import WeekRecord
    >>> row = WeekRecord("open-bar", 0, 0, 20.0, 5.0, 5.0, 5.0, 5.0, 150, 30, 3, 10,
    ...                  0, 0, 0, float("nan"), 0, 0, 0, 0, 0, 0, 0, 0, False)
    >>> weekly_frame([row], ["open-bar"])[["strategy", "week", "ssi"]]
       strategy  week   ssi
    0  open-bar     0  20.0
    """
    frame = pd.DataFrame.from_records(list(records), columns=list(WEEKLY_COLUMNS))
    return tidy_weekly(frame, strategy_order)


def tidy_weekly(frame: pd.DataFrame, strategy_order: Sequence[str]) -> pd.DataFrame:
    """Give a weekly table the dtypes, column order and row order of :func:`weekly_frame`.

    For tables read back from files (e.g. the Parquet chunks of
    :mod:`ssisim.experiments.store`): columns :data:`~ssisim.records.WEEKLY_COLUMNS`
    only, rows by strategy (in ``strategy_order``), replication and week.

    Raises
    ------
    DataError
        As :func:`weekly_frame`.
    """
    frame = frame[list(WEEKLY_COLUMNS)].astype({c: _DTYPES[t] for c, t in _WEEKLY_TYPES.items()})
    rank = _strategy_rank(frame["strategy"], strategy_order, "weekly records")
    frame = (
        frame.assign(_rank=rank)
        .sort_values(["_rank", "replication", "week"], kind="stable")
        .drop(columns="_rank")
        .reset_index(drop=True)
    )
    dupes = frame.duplicated(list(KEY_COLUMNS))
    if dupes.any():
        s, r, w = frame.loc[dupes, list(KEY_COLUMNS)].iloc[0].tolist()
        raise DataError(
            f"weekly records: (strategy, replication, week) = ({s!r}, {r}, {w}) appears twice"
        )
    return frame


def summarize(
    weekly: pd.DataFrame,
    checkpoints: Sequence[int],
    strategy_order: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Summarise every metric at the checkpoint weeks across replications.

    Parameters
    ----------
    weekly : pandas.DataFrame
        The weekly table (see :func:`weekly_frame`).
    checkpoints : sequence of int
        Weeks to summarise (e.g. ``Scenario.effective_checkpoints()``); each
        must be present in ``weekly``. Duplicates are dropped, order is ascending.
    strategy_order : sequence of str, optional
        Order of the strategies in the result; default: first appearance in
        ``weekly``.

    Returns
    -------
    pandas.DataFrame
        Tidy table, columns :data:`SUMMARY_COLUMNS`: one row per (strategy,
        week, metric), metrics being :data:`~ssisim.records.METRIC_COLUMNS` in
        that order. See the module notes for the statistics (NaN spread
        when ``n < 2``; booleans as shares).

    Raises
    ------
    DataError
        A checkpoint week or a needed column is missing from ``weekly``, a
        strategy of ``weekly`` is missing from ``strategy_order``, or ``weekly``
        holds several points of a sweep.

    Examples
    --------
    >>> summary = summarize(weekly, [12, 26, 52])  # doctest: +SKIP
    >>> summary.query("metric == 'ssi' and week == 52")  # doctest: +SKIP
    """
    weeks = sorted({int(c) for c in checkpoints})
    _require_columns(weekly, ("strategy", "week", *METRIC_COLUMNS), "weekly table")
    require_one_point(weekly, "weekly table")
    missing = sorted(set(weeks) - set(weekly["week"].unique().tolist()))
    if missing:
        raise DataError(
            f"weekly table: no rows for checkpoint week(s) {missing} "
            f"(weeks present: {_span(weekly['week'])})"
        )
    return _describe(weekly[weekly["week"].isin(weeks)], METRIC_COLUMNS, strategy_order)


def timeseries(weekly: pd.DataFrame, metrics: Sequence[str]) -> pd.DataFrame:
    """Summarise some metrics at every week, e.g. to draw lines with bands.

    Parameters
    ----------
    weekly : pandas.DataFrame
        The weekly table (see :func:`weekly_frame`).
    metrics : sequence of str
        Columns of ``weekly`` to summarise, e.g. ``["ssi", "connections"]``.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`SUMMARY_COLUMNS`, one row per (strategy, week, metric)
        present in ``weekly``; strategies in order of first appearance, then
        weeks ascending, then metrics in the order given. Same statistics as
        :func:`summarize`.

    Raises
    ------
    DataError
        A metric is not a column of ``weekly``.
    """
    _require_columns(weekly, ("strategy", "week", *metrics), "weekly table")
    return _describe(weekly, tuple(metrics), None)


def _describe(
    weekly: pd.DataFrame, metrics: Sequence[str], strategy_order: Sequence[str] | None
) -> pd.DataFrame:
    metrics = list(dict.fromkeys(metrics))
    values = weekly[list(metrics)].astype("float64")
    values.insert(0, "week", weekly["week"].to_numpy())
    values.insert(0, "strategy", weekly["strategy"].to_numpy())
    groups = values.groupby(["strategy", "week"], sort=False)
    # Wide (group x metric) statistics first: one pass over the table, then
    # stacked to one row per metric; cheap even with 10^7 rows.
    parts = {"n": groups.count(), "mean": groups.mean(), "std": groups.std(ddof=1)}
    table = (
        pd.DataFrame({name: wide[metrics].stack() for name, wide in parts.items()})
        .rename_axis(["strategy", "week", "metric"])
        .reset_index()
    )

    n = table["n"].to_numpy(dtype="int64")
    ok = n >= 2
    quantile = t_quantiles(n)
    sqrt_n = np.sqrt(np.where(ok, n, 1))
    std = table["std"].to_numpy(dtype="float64", copy=True)
    std[~ok] = np.nan
    half = quantile * std / sqrt_n
    table["std"] = std
    table["ci_low"] = table["mean"] - half
    table["ci_high"] = table["mean"] + half

    order = strategy_order if strategy_order is not None else _first_seen(weekly["strategy"])
    metric_rank = {m: i for i, m in enumerate(metrics)}
    table = (
        table.assign(
            _s=_strategy_rank(table["strategy"], order, "weekly table"),
            _m=table["metric"].map(metric_rank),
        )
        .sort_values(["_s", "week", "_m"], kind="stable")
        .drop(columns=["_s", "_m"])
        .reset_index(drop=True)
    )
    return table.astype({c: _DTYPES[t] for c, t in _SUMMARY_TYPES.items()})[list(SUMMARY_COLUMNS)]


def _first_seen(strategies: pd.Series) -> list[str]:
    return list(dict.fromkeys(strategies.tolist()))


def _strategy_rank(strategies: pd.Series, order: Sequence[str], what: str) -> pd.Series:
    rank: dict[str, int] = {}
    for name in order:
        rank.setdefault(name, len(rank))
    unknown = sorted(set(strategies.unique().tolist()) - rank.keys())
    if unknown:
        raise DataError(
            f"{what}: strategy {unknown[0]!r} is not in the strategy order {list(rank)}"
        )
    return strategies.map(rank)


def _require_columns(
    frame: pd.DataFrame, columns: Iterable[str], where: str, hint: str = ""
) -> None:
    missing = [c for c in dict.fromkeys(columns) if c not in frame.columns]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        raise DataError(f"{where}: missing column{'s' if len(missing) > 1 else ''} {names}{hint}")


def require_one_point(frame: pd.DataFrame, where: str) -> None:
    """A sweep's table (a ``point`` column with several values) summarised or
    evaluated as one would pool its points as if they were replications: one
    line saying what to pass instead."""
    if "point" not in frame.columns:
        return
    points = frame["point"].nunique()
    if points > 1:
        raise DataError(
            f"{where}: holds {points:,} sweep points (its `point` column), which would be "
            "pooled as replications; pass one point's rows (weekly[weekly.point == 0]) or "
            "read the sweep's summary.csv"
        )


def _span(weeks: pd.Series) -> str:
    if weeks.empty:
        return "none"
    return f"{int(weeks.min())}..{int(weeks.max())}"


# --------------------------------------------------------------------------- files


def read_results(run_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """Read a run directory written by :func:`write_results`.

    Parameters
    ----------
    run_dir : Path
        A directory holding ``weekly.csv``, ``summary.csv`` and ``manifest.json``.

    Returns
    -------
    weekly : pandas.DataFrame
        Columns :data:`~ssisim.records.WEEKLY_COLUMNS` first (extra columns
        are kept after them), with the dtypes of :func:`weekly_frame`.
    summary : pandas.DataFrame
        Columns :data:`SUMMARY_COLUMNS` first, dtypes of :func:`summarize`.
    manifest : dict
        The parsed ``manifest.json``.

    Raises
    ------
    DataError
        One line, ``FILE: what is wrong``: the directory or a file is
        missing, a CSV lacks required columns (named) or holds values of the
        wrong type, the manifest is not a JSON object.
    """
    run_dir = Path(run_dir)
    if not run_dir.exists():
        raise DataError(f"{run_dir}: no such results directory")
    if not run_dir.is_dir():
        raise DataError(f"{run_dir}: not a directory; expected a results directory")
    weekly = _read_csv(run_dir / WEEKLY_FILE, _WEEKLY_TYPES)
    summary = _read_csv(run_dir / SUMMARY_FILE, _SUMMARY_TYPES)
    manifest = _read_manifest(run_dir / MANIFEST_FILE)
    return weekly, summary, manifest


def fill_outbound_warmth(frame: pd.DataFrame) -> pd.DataFrame:
    """Weekly rows written before cold replies could be leads: every outbound lead
    was then warm, so each missing ``leads_outbound*_warm`` column equals its
    ``leads_outbound*`` column (exact). Changes ``frame`` in place; returns it.

    Examples
    --------
    >>> old = pd.DataFrame({"leads_outbound": [2], "leads_outbound_dm": [1]})
    >>> fill_outbound_warmth(old)["leads_outbound_dm_warm"].tolist()
    [1]
    """
    for kind in ("", "_target", "_dm"):
        every, warm = f"leads_outbound{kind}", f"leads_outbound{kind}_warm"
        if warm not in frame.columns and every in frame.columns:
            frame[warm] = frame[every]
    return frame


def _read_csv(path: Path, types: Mapping[str, type]) -> pd.DataFrame:
    if not path.is_file():
        raise DataError(f"{path}: missing file")
    text_columns = [c for c, t in types.items() if t is str]
    try:
        # Only empty cells are missing: a strategy may well be called "NA".
        frame = pd.read_csv(
            path,
            dtype=dict.fromkeys(text_columns, "str"),
            keep_default_na=False,
            na_values=[""],
            encoding="utf-8",
        )
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: empty file, expected a header line") from None
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{path}: not a readable CSV file ({first})") from None
    fill_outbound_warmth(frame)
    # every column is one ssisim writes: a missing one means another version wrote it
    hint = " (written by another version of ssisim? run its scenario again)"
    _require_columns(frame, types, str(path), hint)
    for column, kind in types.items():
        frame[column] = _coerce(frame[column], kind, path)
    extra = [c for c in frame.columns if c not in types]
    return frame[[*types, *extra]]


def _coerce(column: pd.Series, kind: type, path: Path) -> pd.Series:
    if column.empty:
        return column.astype(_DTYPES[kind])
    dtype = column.dtype
    if kind is bool:
        ok = pd.api.types.is_bool_dtype(dtype)
    elif kind is int:
        ok = pd.api.types.is_integer_dtype(dtype)
    elif kind is float:
        ok = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    else:
        ok = not column.isna().any()
    if not ok:
        wanted = {bool: "True/False", int: "integers", float: "numbers", str: "text"}[kind]
        bad = _first_bad(column, kind)
        raise DataError(f"{path}: column {column.name!r} must hold {wanted} only (got {bad!r})")
    return column.astype(_DTYPES[kind])


def _first_bad(column: pd.Series, kind: type) -> Any:
    """The first value of ``column`` that is not of ``kind`` ("" for an empty cell)."""
    if kind is bool:
        bad = ~column.astype("str").isin(["True", "False"])
    elif kind is str:
        bad = column.isna()
    else:
        numeric = pd.to_numeric(column, errors="coerce")
        bad = numeric.isna() if kind is int else numeric.isna() & column.notna()
        if kind is int:
            bad |= numeric.notna() & (numeric % 1 != 0)
    if not bad.any():
        return str(column.dtype)
    value = column[bad].iloc[0]
    return "" if pd.isna(value) else value


def _read_manifest(path: Path) -> dict[str, Any]:
    if not path.is_file():
        raise DataError(f"{path}: missing file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg})") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not a UTF-8 text file ({exc.reason})") from None
    if not isinstance(data, dict):
        raise DataError(f"{path}: expected a JSON object (got {type(data).__name__})")
    return data


# --------------------------------------------------------------------------- terminal

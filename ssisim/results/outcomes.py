"""What the SSI does not measure: business contexts turn leads into outcomes.

A run records, every week, the *leads* it produced (members with whom a
business conversation starts), by origin and by class of member (see
:data:`ssisim.records.LEAD_COLUMNS`), and what the routine cost (``hours``),
the pitches received and the known contacts. Whether a lead is worth anything
depends on the business: a :class:`~ssisim.scenario.schema.BusinessContext` says who
can buy, how many leads of each origin become opportunities, what a deal is
worth and how long it takes. The contexts are applied here, to the weekly
table, after the simulation: one simulation serves every context (the
contexts share their random numbers), and a results directory can be
re-evaluated under other contexts without simulating again
(``ssisim outcomes RUN_DIR``).

For each (strategy, context, replication), over weeks 1 to the horizon ``H``:

- ``opportunities_<origin>`` = sum of the weeks' eligible leads of that origin
  x the context's conversion (an expectation: fractional);
- ``opportunities`` = their sum; ``pipeline_value_eur`` = opportunities x
  ``deal_value_eur``;
- ``won_value_eur`` = the opportunities of week ``w`` with ``w +
  sales_cycle_weeks <= H``, x ``win_rate`` x ``deal_value_eur``;
- ``hours`` = the time the routine took (sum of the weeks), and
  ``hours_per_week``;
- ``opportunities_per_hour`` and ``value_per_hour_eur``: the opportunities the
  routine brings (inbound, outbound, introductions; *not* the existing
  relationships', which come whatever one does) per hour it took, NaN for a
  routine that took no time;
- stocks at week ``H``: ``ssi``, ``known_contacts``, ``connections``,
  ``relevant_connections``, ``decision_maker_connections``, ``strong_ties``;
  and ``pitches_received`` and ``restricted_weeks`` summed.

Eligible leads: ``buyers`` picks the columns (any member, ``_target`` or
``_dm``); a lead through a warm tie (``_warm``) counts in full, a cold one
``1 / warm_premium`` (nothing with ``warm_tie_required``); the existing
relationships' leads are warm by construction (:func:`eligible_leads`). The
mechanisms are in ``docs/debate.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ssisim.errors import DataError
from ssisim.results.files import atomic_text, write_csv
from ssisim.results.tables import fill_outbound_warmth, require_one_point
from ssisim.results.verdicts import (
    DIFFERENCES_FILE,
    VERDICT_METRICS,
    inactive_strategies,
    paired_differences,
    verdict_sentences,
    write_differences,
)
from ssisim.scenario.schema import BusinessContext
from ssisim.stats import t_quantiles

__all__ = [
    "ORIGINS",
    "OUTCOME_COLUMNS",
    "OUTCOME_METRICS",
    "cold_weight",
    "debate_sentences",
    "eligible_columns",
    "eligible_leads",
    "leaders",
    "outcomes_table",
    "summarize_outcomes",
    "write_outcomes",
    "write_sweep_outcomes",
]

ORIGINS: tuple[str, ...] = ("inbound", "outbound", "introduction", "existing")
"""Where a lead comes from; ``existing`` are the seller's week-0 relationships."""

OUTCOME_METRICS: tuple[str, ...] = (
    "ssi",
    "opportunities_inbound",
    "opportunities_outbound",
    "opportunities_introduction",
    "opportunities_existing",
    "opportunities",
    "pipeline_value_eur",
    "won_value_eur",
    "hours",
    "hours_per_week",
    "opportunities_per_hour",
    "value_per_hour_eur",
    "pitches_received",
    "known_contacts",
    "connections",
    "relevant_connections",
    "decision_maker_connections",
    "strong_ties",
    "restricted_weeks",
)
"""The outcomes of one (strategy, context, replication), in the order of ``outcomes.csv``."""

OUTCOME_COLUMNS: tuple[str, ...] = ("strategy", "context", "replication", *OUTCOME_METRICS)
"""Columns of ``outcomes.csv``."""

MIN_HOURS_PER_WEEK = 0.5
"""Below this average time a week, a routine gets no per-hour outcome: dividing
by almost nothing (the inactive account answering a few invitations) would
make doing nothing look best."""

OUTCOMES_FILE = "outcomes.csv"
OUTCOMES_SUMMARY_FILE = "outcomes_summary.csv"

_SUFFIX = {"anyone": "", "target": "_target", "target_decision_makers": "_dm"}
_STOCKS = (
    "ssi",
    "known_contacts",
    "connections",
    "relevant_connections",
    "decision_maker_connections",
    "strong_ties",
)


def eligible_columns(context: BusinessContext) -> dict[str, tuple[str, str | None]]:
    """The weekly columns ``context`` counts, per origin: all leads, and those
    through a warm tie (None for the existing relationships, warm by construction).

    Examples
    --------
    >>> from ssisim.scenario.schema import BusinessContext
    >>> ctx = BusinessContext(buyers="target_decision_makers", warm_premium=4,
    ...     conversion=dict(inbound=.3, outbound=.3, introduction=.3, existing=.3),
    ...     deal_value_eur=1e5, sales_cycle_weeks=26, win_rate=.2)
    >>> eligible_columns(ctx)["inbound"]
    ('leads_inbound_dm', 'leads_inbound_dm_warm')
    >>> eligible_columns(ctx)["existing"]
    ('leads_existing_dm', None)
    """
    suffix = _SUFFIX[context.buyers]
    return {
        origin: (
            f"leads_{origin}{suffix}",
            None if origin == "existing" else f"leads_{origin}{suffix}_warm",
        )
        for origin in ORIGINS
    }


def cold_weight(context: BusinessContext) -> float:
    """What a lead through a cold tie counts, a warm one counting 1.

    Examples
    --------
    >>> from ssisim.scenario.schema import BusinessContext
    >>> base = dict(buyers="anyone", deal_value_eur=1e3, sales_cycle_weeks=2, win_rate=.4,
    ...     conversion=dict(inbound=.5, outbound=.1, introduction=.3, existing=.3))
    >>> cold_weight(BusinessContext(**base, warm_premium=4))
    0.25
    >>> cold_weight(BusinessContext(**base, warm_premium=4, warm_tie_required=True))
    0.0
    """
    return 0.0 if context.warm_tie_required else 1.0 / context.warm_premium


def eligible_leads(weekly: pd.DataFrame, context: BusinessContext) -> dict[str, np.ndarray]:
    """Per origin and row of ``weekly``, the leads ``context`` counts: warm ones
    in full, cold ones weighted by :func:`cold_weight` (fractional)."""
    cold = cold_weight(context)
    out = {}
    for origin, (every, warm) in eligible_columns(context).items():
        leads = weekly[every].to_numpy(dtype=np.float64)
        if warm is not None and cold != 1.0:
            hot = weekly[warm].to_numpy(dtype=np.float64)
            leads = hot + cold * (leads - hot)
        out[origin] = leads
    return out


def outcomes_table(
    weekly: pd.DataFrame,
    contexts: Mapping[str, BusinessContext],
    horizon_week: int | None = None,
) -> pd.DataFrame:
    """Outcomes per (strategy, context, replication) from the weekly table.

    Parameters
    ----------
    weekly : pandas.DataFrame
        The weekly table (``weekly.csv``), with the lead columns.
    contexts : mapping of str to BusinessContext
        Usually ``scenario.contexts``; one block of rows per context, in order.
    horizon_week : int, optional
        The last week counted (default: the last week of ``weekly``).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`OUTCOME_COLUMNS`; strategies in order of first
        appearance, then contexts, then replications. See the module
        docstring for each outcome.

    Raises
    ------
    DataError
        A needed column or the horizon week is missing, or ``weekly`` holds
        several points of a sweep.
    """
    if not contexts:
        raise DataError("outcomes: no business context to evaluate (contexts: is empty)")
    needed = {
        c
        for ctx in contexts.values()
        for pair in eligible_columns(ctx).values()
        for c in pair
        if c is not None
    }
    needed |= {
        "strategy",
        "replication",
        "week",
        "hours",
        "pitches_received",
        "restricted",
        *_STOCKS,
    }
    missing = sorted(needed - set(weekly.columns))
    if missing:
        raise DataError(f"weekly table: missing column(s) {', '.join(map(repr, missing))}")
    require_one_point(weekly, "weekly table")
    last = int(weekly["week"].max()) if horizon_week is None else int(horizon_week)
    weeks = weekly["week"].to_numpy()
    if not (weeks == last).any():
        raise DataError(f"weekly table: no rows for the horizon week {last}")
    order = list(dict.fromkeys(weekly["strategy"].tolist()))
    keys = ["strategy", "replication"]
    flows = weekly[(weeks >= 1) & (weeks <= last)]
    stocks = weekly[weeks == last].set_index(keys)[list(_STOCKS)]
    closes = flows["week"].to_numpy(dtype=np.float64)
    # Every sum over the weeks (the costs, then each context's opportunities by
    # origin and those closing by the horizon) in one groupby: per column the
    # same sums as one groupby each, at a fraction of pandas' per-call cost.
    columns: dict[str, Any] = {
        c: flows[c].to_numpy() for c in ("hours", "pitches_received", "restricted")
    }
    for i, ctx in enumerate(contexts.values()):
        closed = closes + ctx.sales_cycle_weeks <= last
        for origin, leads in eligible_leads(flows, ctx).items():
            per_week = leads * getattr(ctx.conversion, origin)
            columns[f"o{i}_{origin}"] = per_week
            columns[f"w{i}_{origin}"] = per_week * closed
    # grouped by the keys' own values, never aligned on the index (a table
    # concatenated without ignore_index repeats its index values)
    keyed = {k: flows[k].to_numpy() for k in keys}
    sums = pd.DataFrame({**keyed, **columns}).groupby(keys, sort=False).sum()
    base = stocks.join(sums[["hours", "pitches_received", "restricted"]], how="left").fillna(
        {"hours": 0.0, "pitches_received": 0, "restricted": 0}
    )
    per_run = sums.reindex(base.index).fillna(0.0)
    horizon = max(last, 1)

    parts = []
    for i, (name, ctx) in enumerate(contexts.items()):
        frame = base.copy()
        total: Any = 0.0
        linkedin: Any = 0.0
        won: Any = 0.0
        # arrays in base's row order (per_run was reindexed to it): assigning
        # Series would align each one on the MultiIndex again
        for origin in ORIGINS:
            opp = per_run[f"o{i}_{origin}"].to_numpy()
            frame[f"opportunities_{origin}"] = opp
            total = total + opp
            if origin != "existing":
                linkedin = linkedin + opp
            won = won + per_run[f"w{i}_{origin}"].to_numpy()
        hours = frame["hours"].to_numpy(dtype=np.float64)
        timed = hours >= MIN_HOURS_PER_WEEK * horizon
        per_hour = np.where(
            timed, np.asarray(linkedin, dtype=np.float64) / np.where(timed, hours, 1.0), np.nan
        )
        frame["opportunities"] = total
        frame["pipeline_value_eur"] = total * ctx.deal_value_eur
        frame["won_value_eur"] = won * ctx.win_rate * ctx.deal_value_eur
        frame["hours_per_week"] = hours / horizon
        frame["opportunities_per_hour"] = per_hour
        frame["value_per_hour_eur"] = per_hour * ctx.deal_value_eur
        frame["restricted_weeks"] = frame["restricted"].astype(np.int64)
        frame["context"] = name
        parts.append(frame.reset_index())
    out = pd.concat(parts, ignore_index=True)
    rank = {s: i for i, s in enumerate(order)}
    ctx_rank = {c: i for i, c in enumerate(contexts)}
    out = (
        out.assign(_s=out["strategy"].map(rank), _c=out["context"].map(ctx_rank))
        .sort_values(["_s", "_c", "replication"], kind="stable")
        .drop(columns=["_s", "_c"])
        .reset_index(drop=True)
    )
    out["pitches_received"] = out["pitches_received"].astype(np.int64)
    for c in (
        "known_contacts",
        "connections",
        "relevant_connections",
        "decision_maker_connections",
        "strong_ties",
    ):
        out[c] = out[c].astype(np.int64)
    return out[list(OUTCOME_COLUMNS)]


def summarize_outcomes(outcomes: pd.DataFrame) -> pd.DataFrame:
    """Mean and 95% confidence interval of every outcome, per strategy and context.

    Returns
    -------
    pandas.DataFrame
        Columns ``strategy, context, metric, n, mean, std, ci_low, ci_high``;
        ``n`` counts the replications with a value (a per-hour outcome is
        missing for a routine that took no time); Student t intervals, NaN
        spread when ``n < 2``.
    """
    keys = ["strategy", "context"]
    values = outcomes[[*keys, *OUTCOME_METRICS]]
    groups = values.groupby(keys, sort=False)
    parts = {
        "n": groups.count(),
        "mean": groups.mean(),
        "std": groups.std(ddof=1),
    }
    table = (
        pd.DataFrame(
            {k: v[list(OUTCOME_METRICS)].stack(future_stack=True) for k, v in parts.items()}
        )
        .rename_axis([*keys, "metric"])
        .reset_index()
    )
    n = table["n"].to_numpy(dtype=np.int64)
    ok = n >= 2
    q = t_quantiles(n)
    half = q * table["std"].to_numpy(dtype=np.float64) / np.sqrt(np.maximum(n, 1))
    table["std"] = np.where(ok, table["std"], np.nan)
    table["ci_low"] = table["mean"] - half
    table["ci_high"] = table["mean"] + half
    table["n"] = n
    return table


# --------------------------------------------------------------------------- the summary sentence

_LEADS_ON: tuple[tuple[str, str, bool, str], ...] = (
    # metric, what it is called, higher is better, format
    ("opportunities", "the most opportunities", True, "{:,.1f}"),
    ("pipeline_value_eur", "the most pipeline value", True, "€{:,.0f}"),
    ("value_per_hour_eur", "the most pipeline value per hour", True, "€{:,.0f}/h"),
    ("hours_per_week", "the fewest hours", False, "{:.1f} h/week"),
    ("pitches_received", "the fewest pitches", False, "{:,.0f}"),
    ("known_contacts", "the most known contacts", True, "{:,.0f}"),
    ("ssi", "the highest SSI", True, "{:.1f}"),
)

_PER_HOUR = frozenset(m.name for m in VERDICT_METRICS if m.per_hour)
"""The outcomes per hour of routine (the verdicts' own): compared among routines
of at least :data:`MIN_HOURS_PER_WEEK` only."""


def leaders(summary: pd.DataFrame, context: str) -> list[tuple[str, str, float, str]]:
    """Which strategy led on each outcome in one context.

    Strategies that took less than :data:`MIN_HOURS_PER_WEEK` are left out of
    the per-hour comparisons only (:data:`_PER_HOUR`: dividing by almost no
    hours is meaningless); every other outcome compares every strategy, so
    "the fewest hours" is the fewest of all. Returns ``(description, strategy, mean, formatted mean)`` tuples
    in the order of :data:`_LEADS_ON`.
    """
    rows = summary[summary["context"] == context].set_index(["metric", "strategy"])["mean"]
    active = rows.xs("hours_per_week", level="metric")
    active_names = [s for s, h in active.items() if h >= MIN_HOURS_PER_WEEK]
    out = []
    for metric, label, higher, fmt in _LEADS_ON:
        if metric not in rows.index.get_level_values("metric"):
            continue
        values = rows.xs(metric, level="metric")
        if metric in _PER_HOUR:
            values = values[[s for s in values.index if s in active_names]]
        values = values.dropna()
        if values.empty:
            continue
        pick = int(np.argmax(values.to_numpy()) if higher else np.argmin(values.to_numpy()))
        best, value = str(values.index[pick]), float(values.iloc[pick])
        out.append((label, best, value, fmt.format(value)))
    return out


_NOUN: dict[str, str] = {m.name: m.noun for m in VERDICT_METRICS} | {
    "known_contacts": "known contacts"  # described, never a verdict
}
"""What each outcome of :data:`_LEADS_ON` is called on its own (one strategy, no ranking)."""


def _described(summary: pd.DataFrame, context: str) -> str:
    """The outcomes of a context's only strategy, each by its name and mean
    (``opportunities 28.2; pipeline value €41,200; ...``)."""
    rows = summary[summary["context"] == context].set_index("metric")["mean"]
    parts = []
    for metric, _label, _higher, fmt in _LEADS_ON:
        if metric in rows.index and pd.notna(rows[metric]):
            parts.append(f"{_NOUN[metric]} {fmt.format(float(rows[metric]))}")
    return "; ".join(parts)


def debate_sentences(
    table: pd.DataFrame, contexts: Sequence[str] | None = None, *, money: str = "€"
) -> list[str]:
    """One sentence per context: the verdicts, or who led on which outcome.

    Given an outcomes table (one row per replication, :func:`outcomes_table`),
    the sentences are paired verdicts (:mod:`ssisim.results.verdicts`): a
    strategy is named as doing better only when the 95% interval of the
    paired difference excludes zero, else "no clear difference". For
    example: "In the volume context, open-bar brought more opportunities than
    club-select (+41.3, 95% CI +35.0 to +47.6); ...".

    Given a summary only (:func:`summarize_outcomes`, no replications to
    pair), they say which strategy had the best mean on each outcome, for
    example "In the volume context, open-bar brought the most opportunities
    (225.4), ..." (see :func:`leaders`).
    """
    if "replication" in table.columns and table["strategy"].nunique() < 2:
        table = summarize_outcomes(table)  # nothing to pair: say what the one strategy did
    if "replication" in table.columns:
        differences = paired_differences(table)
        return verdict_sentences(
            differences,
            contexts,
            inactive=inactive_strategies(table, MIN_HOURS_PER_WEEK),
            money=money,
        )
    summary = table
    names = list(contexts) if contexts is not None else list(dict.fromkeys(summary["context"]))
    sentences = []
    for name in names:
        alone = summary.loc[summary["context"] == name, "strategy"].unique()
        if len(alone) == 1:  # nothing to compare: what the one strategy did
            described = _described(summary, name)
            if described:
                sentences.append(
                    f"In the {name} context, {alone[0]} (the only strategy): {described}."
                )
            continue
        items = leaders(summary, name)
        if not items:
            continue
        by_strategy: dict[str, list[str]] = {}
        for label, strategy, _value, text in items:
            verb = "had" if label.startswith("the highest") or "known" in label else "brought"
            if "fewest" in label:
                verb = "took" if "hours" in label else "received"
            by_strategy.setdefault(strategy, []).append(f"{verb} {label} ({text})")
        clauses = [f"{s} {', '.join(parts)}" for s, parts in by_strategy.items()]
        body = "; ".join(clauses)
        sentences.append(f"In the {name} context, {body}.")
    return sentences


# --------------------------------------------------------------------------- files


def write_outcomes(
    out_dir: Path,
    weekly: pd.DataFrame,
    contexts: Mapping[str, BusinessContext],
    horizon_week: int | None = None,
) -> tuple[list[Path], pd.DataFrame]:
    """Write the debate's tables into a results directory.

    Writes ``outcomes.csv`` (one row per strategy, context and replication,
    columns :data:`OUTCOME_COLUMNS`), ``outcomes_summary.csv`` (means with
    95% confidence intervals, full precision) and ``differences.csv`` (the
    paired differences of :func:`ssisim.results.verdicts.paired_differences`),
    each to a temporary name then renamed. The
    figures are drawn from them by :func:`ssisim.plots.redraw.redraw`.

    Parameters
    ----------
    out_dir : Path
        The directory being filled.
    weekly : pandas.DataFrame
        The run's weekly table.
    contexts : mapping of str to BusinessContext
        Usually ``scenario.contexts``.
    horizon_week : int, optional
        The week outcomes are read at (default: the last week of the table).

    Returns
    -------
    (list of Path, pandas.DataFrame)
        The files written; the summary (for :func:`debate_sentences`).
    """
    out_dir = Path(out_dir)
    outcomes = outcomes_table(weekly, contexts, horizon_week)
    summary = summarize_outcomes(outcomes)
    paths = [out_dir / OUTCOMES_FILE, out_dir / OUTCOMES_SUMMARY_FILE]
    for path, table in zip(paths, (outcomes, summary), strict=True):
        with atomic_text(path) as f:
            write_csv(table, f)
    paths.append(write_differences(out_dir, outcomes)[0])
    return paths, summary


# --------------------------------------------------------------------------- recorded runs and sweeps

SWEEP_WEEKLY_DIR = "weekly"
POINTS_FILE = "points.csv"


def _point_frames(root: Path) -> Iterator[tuple[int, pd.DataFrame]]:
    """Each sweep point's weekly rows, read from ``weekly/point=NNNNNN/*.parquet``."""
    for folder in sorted((root / SWEEP_WEEKLY_DIR).glob("point=*")):
        files = sorted(folder.glob("*.parquet"))
        if not files:
            continue
        try:
            point = int(folder.name.split("=", 1)[1])
            # one table from the chunks' files, then one pandas frame (a frame per
            # file and their concat cost twice as much on a sweep's many small files)
            frame = pa.concat_tables([pq.read_table(f) for f in files]).to_pandas()
        except (OSError, ValueError) as exc:
            raise DataError(f"{folder}: cannot be read ({exc})") from None
        frame["strategy"] = frame["strategy"].astype(str)
        yield point, fill_outbound_warmth(frame)


def write_sweep_outcomes(
    root: Path,
    contexts_at: Callable[[Mapping[str, Any]], Mapping[str, BusinessContext]],
    out_dir: Path | None = None,
) -> list[Path]:
    """Outcomes per sweep point: ``outcomes.csv``, ``outcomes_summary.csv``, ``differences.csv``.

    Each table is the run's table (:func:`write_outcomes`) with the point's
    index and swept values as its first columns, one point at a time (never
    every point's weekly rows at once).

    Parameters
    ----------
    root : Path
        A sweep directory (``points.csv`` and ``weekly/point=*/``).
    contexts_at : callable
        The business contexts of a point, given its swept values
        (``{"contexts.volume.deal_value_eur": 3000, ...}``): a sweep may
        sweep the contexts themselves.
    out_dir : Path, optional
        Where to write (default ``root``).

    Raises
    ------
    DataError
        The directory holds no sweep, or a point's files cannot be read.
    """
    root = Path(root)
    points_path = root / POINTS_FILE
    if not points_path.is_file():
        raise DataError(f"{root}: not a sweep directory (no {POINTS_FILE})")
    points = pd.read_csv(points_path).set_index("point")
    columns = [c for c in points.columns]
    out_dir = root if out_dir is None else Path(out_dir)
    names = (OUTCOMES_FILE, OUTCOMES_SUMMARY_FILE, DIFFERENCES_FILE)
    paths = [out_dir / n for n in names]
    found = False
    with (
        atomic_text(paths[0]) as f_out,
        atomic_text(paths[1]) as f_sum,
        atomic_text(paths[2]) as f_diff,
    ):
        for point, frame in _point_frames(root):
            values = (
                {str(k): v for k, v in points.loc[point].to_dict().items()}
                if point in points.index
                else {}
            )
            order = list(dict.fromkeys(frame["strategy"]))
            rank = {s: i for i, s in enumerate(order)}
            weekly = frame.assign(_s=frame["strategy"].map(rank)).sort_values(
                ["_s", "replication", "week"], kind="stable"
            )
            weekly = weekly.drop(columns=["_s", *[c for c in columns if c in weekly.columns]])
            outcomes = outcomes_table(weekly.reset_index(drop=True), contexts_at(values))
            tables = (outcomes, summarize_outcomes(outcomes), paired_differences(outcomes))
            for handle, table in zip((f_out, f_sum, f_diff), tables, strict=True):
                # the point's columns first, built apart (inserting them one by one
                # into the wide table cost half a millisecond each)
                first = pd.DataFrame(index=table.index)
                for i, (name, value) in enumerate([("point", point), *values.items()]):
                    first.insert(i, name, value)
                write_csv(pd.concat([first, table], axis=1), handle, header=not found)
            found = True
    if not found:
        for p in paths:
            p.unlink(missing_ok=True)
        raise DataError(f"{root}: no weekly rows under {SWEEP_WEEKLY_DIR}/ to evaluate")
    return paths

"""Tables for the terminal (rich): the library returns data frames, the command line prints them.

Imported by the commands when they run, never at start-up (pandas, rich).
"""

from __future__ import annotations

import math
import textwrap
import typing
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table

from ssisim.errors import DataError
from ssisim.pillars import INPUTS, MAX_PILLAR, SALES_NAVIGATOR_INPUTS
from ssisim.records import WeekRecord
from ssisim.results.tables import SUMMARY_COLUMNS
from ssisim.scenario.schema import Scoring
from ssisim.stats import CONFIDENCE

__all__ = [
    "SUMMARY_MD",
    "SUMMARY_TXT",
    "calibration_table",
    "cohort_table",
    "fmt",
    "leaderboard_table",
    "pillar_inputs_table",
    "save_summary",
    "sobol_table",
    "strategies_table",
    "strategy_table",
    "sweep_table",
    "terminal_table",
]

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

_HEADERS: dict[str, str] = {
    "ssi": "SSI",
    "relationships": "relat.",
    "connections": "conn.",
    "relevant_connections": "relevant conn.",
    "acceptance_rate": "accept.",
}
"""Short headers of the terminal table, so that it fits 80 columns."""

SUMMARY_TXT = "summary.txt"
SUMMARY_MD = "summary.md"


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
        is a single replication; ``n/a`` for a missing value, and for an
        acceptance rate with no invitation to accept (see :func:`_undefined_rate`).

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
    table = Table(
        title=f"Week {week}: mean ± {CONFIDENCE:.0%} CI",
        caption=caption,
        box=box.SIMPLE_HEAD,
        padding=(0, 0, 0, 1),
        pad_edge=False,
    )
    cells = at_week.set_index(["strategy", "metric"])
    strategies = list(dict.fromkeys(at_week["strategy"].tolist()))
    rows = [
        # a hyphen may end a line: long strategy names wrap at their words
        [
            textwrap.fill(strategy, 11),
            *(
                "n/a"
                if metric == "acceptance_rate" and _undefined_rate(cells, strategy)
                else _cell(cells, strategy, metric)
                for metric in metrics
            ),
        ]
        for strategy in strategies
    ]
    table.add_column("strategy", min_width=min(11, max(len(s) for s in strategies)))
    for metric in metrics:
        # Short headers, each word whole (min_width): the table fits 80
        # columns; cells wrap at the space before "±", keeping numbers whole.
        header = _HEADERS.get(metric, metric.replace("_", " "))
        header += " %" if metric in _PERCENT_METRICS else ""
        widest = max(len(w) for w in header.split())
        table.add_column(header, justify="right", min_width=widest)
    for row in rows:
        table.add_row(*row)
    return table


def _undefined_rate(cells: pd.DataFrame, strategy: str) -> bool:
    """Whether ``strategy``'s acceptance rate is undefined that week: no
    invitation sent that week in any replication, and none ever accepted (the
    simulation's trailing rate, accepted / max(sent, 1), then reads 0: a
    routine that sends no invitations, not one whose invitations are refused)."""
    keys = [(strategy, "invitations_sent"), (strategy, "acceptance_rate")]
    if not all(k in cells.index for k in keys):
        return False
    sent, rate = (cells.loc[k, ["mean", "ci_high"]].to_numpy(dtype=float) for k in keys)
    return bool(sent[0] == 0 and rate[0] == 0 and not rate[1] > 0)


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
    # the interval under the mean: the table fits 80 columns
    return f"{mean * scale:.{digits}f}\n±{spread}"


def fmt(value: Any) -> str:
    """A setting or a swept value in a cell: lists joined by commas, floats with ``g``."""
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, float):
        return f"{value:g}"
    if value is None:
        return "—"
    return str(value)


def sweep_table(
    at_horizon: pd.DataFrame,
    columns: Sequence[str],
    weeks: int,
    limit: int = 25,
    changes: Mapping[int, tuple[str, Any] | None] | None = None,
) -> Table:
    """The SSI at each sweep point's horizon, one row per point (the first ``limit``).

    ``changes`` (a one-at-a-time sweep) shows what each point changes in one
    column, rather than every key's value.
    """
    ssi = at_horizon[at_horizon["metric"] == "ssi"]
    strategies = list(dict.fromkeys(ssi["strategy"]))
    table = Table(title="SSI at the horizon: mean ± 95% CI")
    table.add_column("point", justify="right")
    if changes is not None:
        table.add_column("changed", overflow="fold")
        columns = ()
    for c in columns:
        table.add_column(c.rsplit(".", 1)[-1], justify="right", overflow="fold")
    for s in strategies:
        table.add_column(s, justify="right")
    points = list(dict.fromkeys(ssi["point"]))
    for p in points[:limit]:
        rows = ssi[ssi["point"] == p].set_index("strategy")
        first = rows.iloc[0]
        cells = [
            f"{rows.loc[s, 'mean']:.1f} ± {rows.loc[s, 'ci_high'] - rows.loc[s, 'mean']:.1f}"
            if s in rows.index
            else ""
            for s in strategies
        ]
        if changes is not None:
            change = changes.get(int(p))
            what = "baseline" if change is None else f"{change[0]} = {fmt(change[1])}"
            table.add_row(str(p), what, *cells)
            continue
        table.add_row(str(p), *[fmt(first[c]) for c in columns], *cells)
    if len(points) > limit:
        table.caption = f"first {limit} of {len(points)} points; all in summary.csv"
    return table


def sobol_table(rows: Any, output: str, weeks: int) -> Table:
    """Sobol' indices of one output, per strategy, the most influential parameter first."""
    table = Table(title=f"Sobol' indices of {output} at week {weeks} (± 95% CI half-width)")
    for name in ("strategy", "parameter", "first order S1", "total ST"):
        table.add_column(name, justify="left" if name in ("strategy", "parameter") else "right")
    for r in rows.sort_values(
        ["strategy", "ST"], ascending=[True, False], kind="stable"
    ).itertuples():
        table.add_row(
            r.strategy,
            r.parameter,
            f"{r.S1:.2f} ± {r.S1_conf:.2f}",
            f"{r.ST:.2f} ± {r.ST_conf:.2f}",
        )
    return table


def calibration_table(table: Any) -> Table:
    """Every calibration target: simulated mean (95% CI), target range, pass or fail."""
    out = Table(title="Calibration: simulated mean (95% CI) against the published figures")
    for col, kw in (
        ("id", {}),
        ("statement", {"overflow": "fold", "max_width": 46}),
        ("source", {"max_width": 14, "overflow": "fold"}),
        ("simulated", {"justify": "right"}),
        ("target", {"justify": "right"}),
        ("", {}),
    ):
        out.add_column(col, **kw)
    for r in table.itertuples(index=False):
        digits = 0 if abs(r.target_high) >= 1000 else (2 if r.unit == "ratio" else 1)
        ci = (
            ""
            if not (r.ci_high > r.ci_low)
            else f" ({r.ci_low:,.{digits}f}-{r.ci_high:,.{digits}f})"
        )
        target = (
            f"< {r.target_high:,.{digits}f}"
            if r.id == "C4"
            else f"{r.target_low:,.{digits}f}-{r.target_high:,.{digits}f}"
        )
        out.add_row(
            r.id,
            r.statement,
            r.source,
            f"{r.mean:,.{digits}f}{ci}",
            f"{target} {r.unit}",
            "[green]pass[/green]" if r.passed else "[red]FAIL[/red]",
        )
    return out


def leaderboard_table(board: pd.DataFrame, replications: int, goal_points: float) -> Table:
    """A team's leaderboard after its last month.

    ``change`` and ``first`` are the last month's; the goal column counts the
    months, over the whole board, in which the member gained ``goal_points``
    or more (mean over replications, as the sentence under the table says:
    :func:`ssisim.experiments.teams.goal_months`).
    """
    from ssisim.experiments.teams import goal_months

    month = int(board["month"].max())
    last = board[board["month"] == month].sort_values("rank")
    goals = goal_months(board)
    table = Table(
        title=f"Leaderboard after month {month} (mean of {replications} replications)",
        caption=(
            f"change, first, opport.: month {month}. months +{goal_points:g}: months gaining "
            f"{goal_points:g}+ points (of {month})"
        ),
    )
    for col in (
        "rank",
        "member",
        "strategy",
        "SSI",
        "change",
        "first",
        f"months\n+{goal_points:g}",
        "opport.",  # short: the table fits 80 columns
    ):
        table.add_column(col, justify="left" if col in ("member", "strategy") else "right")
    for r in last.itertuples(index=False):
        table.add_row(
            str(r.rank),
            str(r.member),
            str(r.strategy),
            f"{r.ssi:.1f}",
            _signed(r.ssi_change),
            f"{r.first_share:.0%}",
            f"{goals.get(r.member, 0.0):.1f}",
            f"{r.opportunities:.1f}",
        )
    return table


def _signed(x: Any, digits: int = 1) -> str:
    """``+0.3``, ``-0.3``, and ``+0.0`` for what rounds to zero (never ``-0.0``).

    >>> _signed(-0.04), _signed(-0.3), _signed(0.26)
    ('+0.0', '-0.3', '+0.3')
    """
    v = round(float(x), digits) + 0.0  # -0.0 + 0.0 is 0.0
    return f"{v:+.{digits}f}"


def cohort_table(ratios: pd.DataFrame) -> Table:
    """Per business context, the opportunities of high- over low-SSI sellers."""
    table = Table(title="Opportunities of sellers with a high SSI over those with a low one")
    for col in ("context", "high (n)", "low (n)", "mean high", "mean low", "ratio", "95% CI"):
        table.add_column(col, justify="left" if col == "context" else "right")
    for r in ratios.itertuples(index=False):
        table.add_row(
            str(r.context),
            str(r.n_high),
            str(r.n_low),
            f"{r.mean_high:.1f}",
            f"{r.mean_low:.1f}",
            f"{r.ratio:.2f}",
            f"{r.ci_low:.2f}-{r.ci_high:.2f}",
        )
    return table


def strategies_table(full: Mapping[str, Mapping[str, Any]]) -> Table:
    """The built-in strategies, one row each."""
    table = Table(
        title="Built-in strategies (`ssisim strategies NAME` for every setting)",
        caption="SN: with Sales Navigator",
    )
    table.add_column("name", no_wrap=True)
    for col in ("posts/wk", "invites/wk", "accepts", "SN"):
        # a rule's name never split in two (mutual_contacts needs 15 characters)
        table.add_column(col, overflow="fold", min_width=15 if col == "accepts" else None)
    for n, settings in full.items():
        table.add_row(
            n,
            fmt(settings["posts_per_week"]),
            fmt(settings["invites_per_week"]),
            fmt(settings["accept_policy"]),
            "yes" if settings["sales_navigator"] else "",
        )
    return table


def strategy_table(name: str, settings: Mapping[str, Any], fields: Sequence[str]) -> Table:
    """One strategy's settings, one row each, then its source."""
    table = Table(title=f"{name} (per week unless stated)")
    table.add_column("setting")
    table.add_column("value", overflow="fold")
    for f in fields:
        table.add_row(f, fmt(settings[f]))
    table.add_row("source", settings["source"])
    return table


def pillar_inputs_table(scoring: Scoring) -> Table:
    """Every input of every pillar: weight, scale and the most points it can give."""
    table = Table(title="Pillar inputs: weight (relative within the pillar), scale, most points")
    for col in ("pillar", "input", "weight", "scale", "max points"):
        table.add_column(col, justify="left" if col in ("pillar", "input") else "right")
    for pillar, names in INPUTS.items():
        params = getattr(scoring, pillar)
        total = sum(getattr(params, n).weight for n in names)
        for name in names:
            p = getattr(params, name)
            sn = " (Sales Navigator)" if (pillar, name) in SALES_NAVIGATOR_INPUTS else ""
            table.add_row(
                pillar,
                name + sn,
                f"{p.weight:g}",
                f"{p.scale:g}",
                f"{MAX_PILLAR * p.weight / total:.1f}",
            )
    return table


def _markdown(table: Table) -> str:
    def cell(x: Any) -> str:
        return str(x).replace("|", "\\|").replace("\n", " ")

    headers = [cell(c.header) for c in table.columns]
    rows = list(zip(*[list(c.cells) for c in table.columns], strict=True))
    lines = [f"**{table.title}**", ""] if table.title else []
    lines += ["| " + " | ".join(headers) + " |"]
    lines += ["|" + "|".join(":--" if c.justify == "left" else "--:" for c in table.columns) + "|"]
    lines += ["| " + " | ".join(cell(x) for x in row) + " |" for row in rows]
    if table.caption:
        lines += ["", f"_{table.caption}_"]
    return "\n".join(lines)


PIPE_WIDTH = 120
"""Columns of the tables printed to a pipe or a file (rich's 80 wraps the wide
ones: the calibration table took about 100 lines); ``COLUMNS`` overrides it."""


def output_console() -> Console:
    """The console the tables are printed on: the terminal's width, or
    :data:`PIPE_WIDTH` columns when standard output is not a terminal."""
    import os
    import sys

    # standard output itself, not rich's is_terminal (FORCE_COLOR makes a pipe a terminal)
    if sys.stdout.isatty() or os.environ.get("COLUMNS"):
        return Console()
    return Console(width=PIPE_WIDTH)


def save_summary(
    out_dir: Any, tables: Sequence[Table], sentences: Sequence[str], width: int = 80
) -> list[Any]:
    """Save what the terminal shows: ``summary.txt`` (80 columns) and ``summary.md``.

    Returns
    -------
    list of Path
    """
    import io
    from pathlib import Path

    from ssisim.results.files import atomic_text

    out_dir = Path(out_dir)
    console = Console(file=io.StringIO(), width=width, record=True, color_system=None)
    for table in tables:
        console.print(table)
    for sentence in sentences:
        console.print(sentence, markup=False, highlight=False)
    text = console.export_text(styles=False)
    md = "\n\n".join([*(_markdown(t) for t in tables), *sentences]) + "\n"
    paths = [out_dir / SUMMARY_TXT, out_dir / SUMMARY_MD]
    for path, content in zip(paths, (text, md), strict=True):
        with atomic_text(path) as f:
            f.write(content)
    return paths

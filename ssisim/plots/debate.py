"""Figures of the debate: what the SSI hides (opportunities, value per hour, pitches),
the networks' composition, a team's leaderboard and a cohort's claim (C8)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, StrMethodFormatter

from ssisim.plots.style import (
    DPI,
    compact,
    footnote,
    save,
    strategy_colors,
    style,
)
from ssisim.stats import CONFIDENCE

__all__ = ["DEBATE_FIGURE_NAMES", "plot_cohort", "plot_debate_figures", "plot_leaderboard"]


DEBATE_FIGURE_NAMES: tuple[str, ...] = (
    "ssi-vs-opportunities-per-hour.png",
    "outcomes.png",
    "network-composition.png",
)
"""The files :func:`plot_debate_figures` writes, in order."""


_ORIGIN_STYLE: dict[str, tuple[str, str]] = {
    # origin: (label, hatch); colours come from the strategy, shades from the origin
    "inbound": ("inbound (content)", ""),
    "outbound": ("outbound (warm replies)", "//"),
    "introduction": ("introductions (ties)", ".."),
    "existing": ("existing relationships", "xx"),
}


def _debate_means(summary: pd.DataFrame, context: str | None = None) -> pd.DataFrame:
    """Wide table strategy x metric of means (and ``<metric>_lo``/``_hi`` CI ends)."""
    rows = summary if context is None else summary[summary["context"] == context]
    if context is None:
        rows = rows[rows["context"] == rows["context"].iloc[0]]
    wide = rows.pivot_table(
        index="strategy", columns="metric", values=["mean", "ci_low", "ci_high"], sort=False
    )
    out = pd.DataFrame(wide["mean"]).copy()
    for m in out.columns.tolist():
        out[f"{m}_lo"] = wide["ci_low"][m]
        out[f"{m}_hi"] = wide["ci_high"][m]
    return out


def _err(frame: pd.DataFrame, metric: str) -> Any:
    import numpy as np

    mean = frame[metric].to_numpy(dtype=float)
    # the outcomes are never negative: the lower whisker stops at zero
    low_end = np.maximum(frame[f"{metric}_lo"].to_numpy(dtype=float), 0.0)
    lo = np.nan_to_num(mean - low_end, nan=0.0)
    hi = np.nan_to_num(frame[f"{metric}_hi"].to_numpy(dtype=float) - mean, nan=0.0)
    return [np.maximum(lo, 0), np.maximum(hi, 0)]


def plot_debate_figures(summary: pd.DataFrame, out_dir: Path, title_suffix: str = "") -> list[Path]:
    """Draw the debate's three figures from an outcomes summary.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`ssisim.results.outcomes.summarize_outcomes` (or ``outcomes_summary.csv``).
    out_dir : Path
        Where to write :data:`DEBATE_FIGURE_NAMES`; created if needed.
    title_suffix : str
        Appended to the titles (e.g. the scenario name).

    Returns
    -------
    list of Path
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    strategies = list(dict.fromkeys(summary["strategy"]))
    contexts = list(dict.fromkeys(summary["context"]))
    colors = strategy_colors(strategies)
    suffix = f" — {title_suffix}" if title_suffix and title_suffix[0].isalnum() else title_suffix
    n = int(summary["n"].max()) if len(summary) else 0
    note = (
        f"Means of {n} replications; bars and whiskers: {CONFIDENCE:.0%} confidence intervals. "
        "Per hour: the opportunities the routine brings (existing relationships left out), "
        "for routines of half an hour a week or more."
    )
    figures = [
        _ssi_per_hour_figure(summary, contexts, colors, suffix, note),
        _outcomes_figure(summary, contexts, colors, suffix, note),
        _composition_figure(
            summary,
            colors,
            suffix,
            f"Means of {n} replications at the horizon. Known contacts: tie at least the known "
            "threshold (0.3 by default), people one could name; strong ties: the SSI's (0.5).",
        ),
    ]
    return [
        save(fig, out_dir / name) for fig, name in zip(figures, DEBATE_FIGURE_NAMES, strict=True)
    ]


def _ssi_per_hour_figure(
    summary: pd.DataFrame,
    contexts: Sequence[str],
    colors: Mapping[str, Any],
    suffix: str,
    note: str,
) -> Figure:
    import numpy as np

    with style():
        fig = Figure(figsize=(6.5 * len(contexts), 6), dpi=DPI, layout="constrained")
        axes = fig.subplots(1, len(contexts), squeeze=False)[0]
        for ax, ctx in zip(axes, contexts, strict=True):
            wide = _debate_means(summary, ctx)
            untimed = []
            # neighbours along x get their labels on opposite sides: fewer overlaps
            xs = wide["opportunities_per_hour"].dropna().sort_values()
            side = {name: k % 2 for k, name in enumerate(xs.index)}
            for name, color in colors.items():
                if name not in wide.index:
                    continue
                row = wide.loc[[name]]
                x = float(row["opportunities_per_hour"].iloc[0])
                if not np.isfinite(x):
                    untimed.append(name)
                    continue
                ax.errorbar(
                    row["opportunities_per_hour"],
                    row["ssi"],
                    xerr=_err(row, "opportunities_per_hour"),
                    yerr=_err(row, "ssi"),
                    fmt="o",
                    color=color,
                    markersize=9,
                    capsize=3,
                    label=name,
                )
                ax.annotate(
                    name,
                    (x, float(row["ssi"].iloc[0])),
                    xytext=(6, 7 if side.get(name, 0) else -15),
                    textcoords="offset points",
                )
            ax.set_ylim(0, 100)
            ax.set_xlim(left=0)
            ax.set_xlabel("opportunities per hour of routine (LinkedIn-driven)")
            ax.set_ylabel("SSI at the horizon (points, 0–100)")
            deal = _context_note(summary, ctx)
            ax.set_title(f"{ctx} context{deal}")
            if untimed:
                ax.text(
                    0.98,
                    0.02,
                    "no per-hour figure: " + ", ".join(untimed),
                    transform=ax.transAxes,
                    ha="right",
                    va="bottom",
                    fontsize="small",
                    color="0.35",
                )
        fig.suptitle(
            f"The score against what an hour of LinkedIn brings{suffix}", fontweight="bold"
        )
        footnote(fig, note)
    return fig


def _context_note(summary: pd.DataFrame, context: str) -> str:
    rows = summary[(summary["context"] == context) & (summary["metric"] == "opportunities")]
    value = summary[(summary["context"] == context) & (summary["metric"] == "pipeline_value_eur")]
    if rows.empty or value.empty:
        return ""
    opp, val = rows["mean"].sum(), value["mean"].sum()
    return f" (about €{val / opp:,.0f} an opportunity)" if opp > 0 else ""


def _outcomes_figure(
    summary: pd.DataFrame,
    contexts: Sequence[str],
    colors: Mapping[str, Any],
    suffix: str,
    note: str,
) -> Figure:
    names = list(colors)
    height = 0.42 * len(names) + 1.4
    with style():
        fig = Figure(figsize=(17, height * (len(contexts) + 1)), dpi=DPI, layout="constrained")
        grid = fig.subplots(len(contexts) + 1, 3, squeeze=False)
        for r, ctx in enumerate(contexts):
            wide = _debate_means(summary, ctx).reindex(names)
            _stacked_origins(grid[r, 0], wide, colors, f"{ctx}: opportunities by origin")
            _bars(grid[r, 1], wide, "pipeline_value_eur", colors, f"{ctx}: pipeline value (€)")
            _bars(
                grid[r, 2],
                wide,
                "value_per_hour_eur",
                colors,
                f"{ctx}: pipeline value per hour (€/h)",
            )
        wide = _debate_means(summary).reindex(names)
        _bars(grid[-1, 0], wide, "hours_per_week", colors, "hours a week the routine takes")
        _bars(grid[-1, 1], wide, "pitches_received", colors, "unsolicited pitches received (year)")
        _bars(grid[-1, 2], wide, "known_contacts", colors, "known contacts at the horizon")
        # the title is the legend's: constrained layout would put an outside legend
        # on top of a suptitle (as in header)
        _origin_legend(fig, f"What the SSI does not measure, by business context{suffix}")
        footnote(fig, note)
    return fig


def _stacked_origins(ax: Axes, wide: pd.DataFrame, colors: Mapping[str, Any], title: str) -> None:
    names = list(wide.index)
    left = [0.0] * len(names)
    for origin, (_label, hatch) in _ORIGIN_STYLE.items():
        col = f"opportunities_{origin}"
        values = wide[col].fillna(0.0).tolist()
        alpha = 0.3 if origin == "existing" else 0.9
        for i, name in enumerate(names):
            ax.barh(
                i,
                values[i],
                left=left[i],
                color=colors[name],
                alpha=alpha,
                hatch=hatch,
                edgecolor="white",
                height=0.7,
            )
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_title(title, loc="left", fontsize="medium")
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))


def _origin_legend(fig: Figure, title: str) -> None:
    fig.legend(
        handles=[
            Patch(
                facecolor="0.5",
                alpha=0.3 if o == "existing" else 0.9,
                hatch=h,
                edgecolor="white",
                label=lab,
            )
            for o, (lab, h) in _ORIGIN_STYLE.items()
        ],
        title=title,
        title_fontproperties={"weight": "bold", "size": "large"},
        loc="outside upper center",
        ncols=len(_ORIGIN_STYLE),
        frameon=False,
        fontsize="small",
    )


def _bars(ax: Axes, wide: pd.DataFrame, metric: str, colors: Mapping[str, Any], title: str) -> None:
    import numpy as np

    names = list(wide.index)
    values = wide[metric].to_numpy(dtype=float)
    shown = np.nan_to_num(values, nan=0.0)
    err = _err(wide, metric)
    ax.barh(
        range(len(names)), shown, color=[colors[n] for n in names], height=0.7, xerr=err, capsize=2
    )
    ax.set_xlim(left=0)
    for i, v in enumerate(values):
        if not np.isfinite(v):
            ax.annotate(
                "n/a", (0, i), xytext=(4, 0), textcoords="offset points", va="center", color="0.4"
            )
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_title(title, loc="left", fontsize="medium")
    top = np.nanmax(np.abs(shown), initial=0)
    if top >= 100_000:  # compact (150k, 1.5M): long tick labels would overlap
        ax.xaxis.set_major_formatter(FuncFormatter(compact))
    else:
        ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}" if top >= 10 else "{x:,.2f}"))


def _composition_figure(
    summary: pd.DataFrame, colors: Mapping[str, Any], suffix: str, note: str
) -> Figure:
    import numpy as np

    wide = _debate_means(summary).reindex(list(colors))
    kinds = (
        ("connections", "all connections", 0.25),
        ("relevant_connections", "relevant (target market)", 0.5),
        ("decision_maker_connections", "decision makers", 0.7),
        ("known_contacts", "known contacts (warm ties)", 0.85),
        ("strong_ties", "strong ties", 1.0),
    )
    names = list(wide.index)
    with style():
        fig = Figure(figsize=(11, 0.9 * len(names) + 2), dpi=DPI, layout="constrained")
        ax = fig.subplots()
        step = 0.16
        for k, (metric, _label, alpha) in enumerate(kinds):
            values = np.maximum(wide[metric].to_numpy(dtype=float), 0.8)
            y = np.arange(len(names)) + (k - 2) * step
            ax.barh(y, values, height=step * 0.95, color=[colors[n] for n in names], alpha=alpha)
            for yi, v in zip(y, wide[metric].to_numpy(dtype=float), strict=True):
                ax.annotate(
                    f"{v:,.0f}",
                    (max(v, 0.8), yi),
                    xytext=(3, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize="x-small",
                )
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        ax.set_yticks(range(len(names)), names)
        ax.invert_yaxis()
        ax.set_xlabel("contacts at the horizon (log scale)")
        ax.legend(
            handles=[Patch(facecolor="0.35", alpha=a, label=lab) for _m, lab, a in kinds],
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            ncols=len(kinds),
            frameon=False,
            fontsize="small",
        )
        fig.suptitle(f"Who is in each network, and how well known{suffix}", fontweight="bold")
        footnote(fig, note)
    return fig


def plot_leaderboard(table: pd.DataFrame, team: Any, path: Path) -> Path:
    """Draw a team's monthly leaderboard: SSI at each month's end, and the monthly gains.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`ssisim.experiments.teams.leaderboard_table` (or ``leaderboard.csv``).
    team : Team
        For the goal (``goal_points``) and the members' order.
    path : Path
        The PNG to write (atomically).
    """
    import numpy as np

    members = [m.name for m in team.members]
    colors = strategy_colors(members)
    months = sorted(table["month"].unique().tolist())
    with style():
        fig = Figure(figsize=(15, 6), dpi=DPI, layout="constrained")
        left, right = fig.subplots(1, 2, width_ratios=(1, 1.3))
        width = 0.8 / max(len(members), 1)
        for i, name in enumerate(members):
            rows = table[table["member"] == name].sort_values("month")
            label = f"{name} ({rows['strategy'].iloc[0]})" if len(rows) else name
            left.plot(
                rows["month"], rows["ssi"], marker="o", color=colors[name], linewidth=2, label=label
            )
            if len(rows):
                last = rows.iloc[-1]
                left.annotate(
                    f"#{int(last['rank'])}",
                    (last["month"], last["ssi"]),
                    xytext=(6, 0),
                    textcoords="offset points",
                    va="center",
                    color=colors[name],
                    fontweight="bold",
                )
            x = np.asarray(rows["month"], dtype=float) + (i - (len(members) - 1) / 2) * width
            right.bar(x, rows["ssi_change"], width=width * 0.95, color=colors[name], label=name)
        right.axhline(team.goal_points, color="0.3", linestyle="--", linewidth=1.2)
        right.annotate(
            f"goal: +{team.goal_points:g} points in a month (002)",
            xy=(1, team.goal_points),
            xycoords=("axes fraction", "data"),
            xytext=(-4, 4),
            textcoords="offset points",
            ha="right",
            fontsize="small",
            color="0.25",
        )
        right.axhline(0, color="0.5", linewidth=0.8)
        left.set_ylim(0, 100)
        for ax in (left, right):
            ax.set_xticks(months)
            ax.set_xlabel(f"month ({team.month_weeks} weeks each)")
        left.set_ylabel("SSI at the month's end (points)")
        right.set_ylabel("SSI change over the month (points)")
        left.set_title("Leaderboard: SSI and rank", loc="left")
        right.set_title("Who gained the most this month?", loc="left")
        left.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            ncols=3,
            frameon=False,
            fontsize="small",
        )
        fig.suptitle("The team's SSI competition, month by month", fontweight="bold")
        n = int(table.attrs.get("replications", 0)) if hasattr(table, "attrs") else 0
        footnote(
            fig,
            "Means over replications"
            + (f" (n = {n})" if n else "")
            + "; rank: order of the mean SSI at each month's end.",
        )
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return save(fig, path)


def plot_cohort(sellers: pd.DataFrame, ratios: pd.DataFrame, cohort: Any, path: Path) -> Path:
    """Draw the cohort (C8): each seller's SSI against their opportunities, and the ratios.

    Parameters
    ----------
    sellers : pandas.DataFrame
        :func:`ssisim.experiments.cohort.sellers_table` (or ``sellers.csv``).
    ratios : pandas.DataFrame
        :func:`ssisim.experiments.cohort.opportunity_ratios` (or ``ratio.csv``).
    cohort : Cohort
        For the SSI thresholds.
    path : Path
        The PNG to write (atomically).
    """
    import numpy as np

    contexts = ratios["context"].tolist()
    routines = list(dict.fromkeys(sellers["routine"]))
    colors = strategy_colors(routines)
    with style():
        fig = Figure(figsize=(6 * len(contexts) + 5, 6), dpi=DPI, layout="constrained")
        axes = fig.subplots(1, len(contexts) + 1, width_ratios=(*([1.2] * len(contexts)), 0.9))
        for ax, ctx in zip(axes[:-1], contexts, strict=True):
            for name in routines:
                rows = sellers[sellers["routine"] == name]
                ax.scatter(
                    rows["ssi"],
                    rows[f"opportunities_{ctx}"],
                    s=14,
                    alpha=0.7,
                    color=colors[name],
                    label=name,
                )
            for x in (cohort.low_ssi, cohort.high_ssi):
                ax.axvline(x, color="0.4", linestyle="--", linewidth=1)
            ax.set_xlim(0, 100)
            ax.set_xlabel("SSI at the horizon (points)")
            ax.set_ylabel(f"opportunities in the year ({ctx})")
            ax.set_title(f"{ctx} context: one point per seller", loc="left")
        axes[0].legend(fontsize="small", loc="upper left")
        ax = axes[-1]
        y = np.arange(len(contexts))
        mean = ratios["ratio"].to_numpy(dtype=float)
        lo = np.nan_to_num(mean - ratios["ci_low"].to_numpy(dtype=float))
        hi = np.nan_to_num(ratios["ci_high"].to_numpy(dtype=float) - mean)
        ax.errorbar(mean, y, xerr=[lo, hi], fmt="o", color="0.15", capsize=4, markersize=8)
        ax.axvline(1.45, color="tab:red", linestyle="--", linewidth=1.2)
        ax.axvline(1.0, color="0.5", linewidth=0.8)
        ax.annotate(
            "LinkedIn: 1.45 (002)",
            xy=(1.45, 1),
            xycoords=("data", "axes fraction"),
            xytext=(4, -14),
            textcoords="offset points",
            color="tab:red",
            fontsize="small",
        )
        ax.set_yticks(y, contexts)
        ax.set_ylim(-0.6, len(contexts) - 0.4)
        ax.invert_yaxis()
        ax.set_xlabel(f"opportunities, SSI ≥ {cohort.high_ssi:g} over SSI ≤ {cohort.low_ssi:g}")
        ax.set_title("The opportunity ratio (95% CI)", loc="left")
        fig.suptitle(
            "Do social selling leaders create 45% more opportunities? (C8)", fontweight="bold"
        )
        footnote(
            fig,
            f"{len(sellers)} sellers, one run each; intervals: percentile bootstrap over sellers.",
        )
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return save(fig, path)

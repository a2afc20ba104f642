"""Figures of the debate: what the SSI hides (opportunities, value per hour, pitches),
the networks' composition, a team's leaderboard and a cohort's claim (C8)."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ssisim.plots.style import (
    compact,
    currency_symbol,
    footnote,
    legend_right,
    money,
    new_figure,
    panel_title,
    panel_xlabel,
    save,
    strategy_colors,
    style,
    title,
    top_down,
)
from ssisim.results.verdicts import Verdict
from ssisim.stats import CONFIDENCE

__all__ = ["DEBATE_FIGURE_NAMES", "plot_cohort", "plot_debate_figures", "plot_leaderboard"]


DEBATE_FIGURE_NAMES: tuple[str, ...] = (
    "ssi-vs-opportunities-per-hour.png",
    "opportunities.png",
    "pipeline-value.png",
    "value-per-hour.png",
    "effort.png",
    "network-composition.png",
)
"""The files :func:`plot_debate_figures` writes, in order: one message each."""

MAX_PANELS = 3
"""At most this many contexts side by side in one figure; more go to ``NAME-2.png``, ..."""


_ORIGIN_STYLE: dict[str, tuple[str, str]] = {
    # origin: (label, hatch); colours come from the strategy, shades from the origin
    "inbound": ("inbound (content)", ""),
    "outbound": ("outbound (replies)", "//"),
    "introduction": ("introductions (ties)", ".."),
    "existing": ("existing relationships", "xx"),
}


def _debate_means(summary: pd.DataFrame, context: str | None = None) -> pd.DataFrame:
    """Wide table strategy x metric of means (and ``<metric>_lo``/``_hi`` CI ends)."""
    rows = summary if context is None else summary[summary["context"] == context]
    if context is None:
        rows = rows[rows["context"] == rows["context"].iloc[0]]
    wide = rows.pivot_table(
        index="strategy",
        columns="metric",
        values=["mean", "ci_low", "ci_high"],
        sort=False,
        dropna=False,
    )
    out = pd.DataFrame(wide["mean"]).copy()
    for m in out.columns.tolist():
        out[f"{m}_lo"] = wide["ci_low"][m]
        out[f"{m}_hi"] = wide["ci_high"][m]
    return out


def _err(frame: pd.DataFrame, metric: str) -> Any:
    mean = frame[metric].to_numpy(dtype=float)
    # the outcomes are never negative: the lower whisker stops at zero
    low_end = np.maximum(frame[f"{metric}_lo"].to_numpy(dtype=float), 0.0)
    lo = np.nan_to_num(mean - low_end, nan=0.0)
    hi = np.nan_to_num(frame[f"{metric}_hi"].to_numpy(dtype=float) - mean, nan=0.0)
    return [np.maximum(lo, 0), np.maximum(hi, 0)]


def _findings(
    verdicts: Sequence[Verdict], metric: str, contexts: Sequence[str], fallback: str
) -> str:
    """The verdicts on ``metric`` in ``contexts`` as one title."""
    money = currency_symbol()
    found = [v for v in verdicts if v.metric == metric and v.context in contexts]
    if not found:
        return fallback
    if len(found) == 1 or all(v.best == found[0].best and v.clear for v in found):
        text = found[0].phrase(money, interval=False, tense="present")
        if len(found) > 1:
            text = text.split(" (", 1)[0] + " in every context"
        # a strategy's name is written as it is; a sentence starts with a capital
        return text if found[0].clear else text[:1].upper() + text[1:]
    winners = [f"{v.context}: {v.best if v.clear else 'no clear winner'}" for v in found]
    noun = _METRIC_NOUNS.get(metric, metric)
    if not any(v.clear for v in found):
        pairs = "; ".join(f"{v.context}: {v.best} and {v.runner_up}" for v in found)
        return f"No clear difference between the two leaders on {noun.split(' ', 2)[-1]} ({pairs})"
    return f"Who brings {noun} depends on the context ({'; '.join(winners)})"


_METRIC_NOUNS = {
    "opportunities": "the most opportunities",
    "pipeline_value_eur": "the most pipeline value",
    "value_per_hour_eur": "the most value per hour",
    "hours_per_week": "the fewest hours",
    "ssi": "the highest SSI",
}


def _panel_verdict(verdicts: Sequence[Verdict], metric: str, context: str) -> str:
    """A panel's second title line: the context's verdict, in short."""
    for v in verdicts:
        if v.metric == metric and v.context == context:
            if v.clear:
                return f"\nbest: {v.best}, ahead of {v.runner_up}"
            return f"\nno clear difference ({v.best}, {v.runner_up})"
    return ""


def plot_debate_figures(
    summary: pd.DataFrame,
    out_dir: Path,
    title_suffix: str = "",
    *,
    verdicts: Sequence[Verdict] = (),
) -> list[Path]:
    """Draw the debate's figures from an outcomes summary, one message each.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`ssisim.results.outcomes.summarize_outcomes` (or ``outcomes_summary.csv``).
    out_dir : Path
        Where to write :data:`DEBATE_FIGURE_NAMES`; created if needed.
    title_suffix : str
        The figures' subtitle (the scenario's name).
    verdicts : sequence of Verdict
        The paired verdicts (:func:`ssisim.results.verdicts.verdicts`): the
        titles state them. Without, the titles say what is shown.

    Returns
    -------
    list of Path
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    strategies = list(dict.fromkeys(summary["strategy"]))
    all_contexts = list(dict.fromkeys(summary["context"]))
    colors = strategy_colors(strategies)
    subtitle = title_suffix.removeprefix(" — ").strip()
    n = int(summary["n"].max()) if len(summary) else 0
    note = (
        f"Means of {n} replications; whiskers: {CONFIDENCE:.0%} confidence intervals. "
        "Per hour: the opportunities the routine brings (existing relationships left out), "
        "for routines of half an hour a week or more."
    )
    money = currency_symbol()
    paths: list[Path] = []
    groups = [all_contexts[i : i + MAX_PANELS] for i in range(0, len(all_contexts), MAX_PANELS)]
    for g, contexts in enumerate(groups):
        tail = "" if g == 0 else f"-{g + 1}"
        per_context = [
            ("ssi-vs-opportunities-per-hour", _ssi_per_hour_figure(
                summary, contexts, colors, subtitle, note)),
            ("opportunities", _opportunities_figure(
                summary, contexts, colors, subtitle, note,
                _findings(verdicts, "opportunities", contexts, "Opportunities by origin"),
                verdicts)),
            ("pipeline-value", _per_context_bars(
                summary, contexts, colors, subtitle, note, "pipeline_value_eur",
                f"pipeline value ({money.strip()})",
                _findings(verdicts, "pipeline_value_eur", contexts, "Pipeline value"),
                verdicts)),
            ("value-per-hour", _per_context_bars(
                summary, contexts, colors, subtitle, note, "value_per_hour_eur",
                f"pipeline value per hour of routine ({money.strip()}/h)",
                _findings(verdicts, "value_per_hour_eur", contexts, "Pipeline value per hour"),
                verdicts)),
        ]  # fmt: skip
        for name, fig in per_context:
            paths.append(save(fig, out_dir / f"{name}{tail}.png"))
    first = all_contexts[:1]
    effort = _findings(verdicts, "hours_per_week", first, "What the routine costs")
    paths.insert(
        4, save(_effort_figure(summary, colors, subtitle, note, effort), out_dir / "effort.png")
    )
    composition_note = (
        f"Means of {n} replications at the horizon. Known contacts: tie at least the known "
        "threshold (0.3 by default), people one could name; strong ties: the SSI's (0.5)."
    )
    paths.insert(
        5,
        save(
            _composition_figure(summary, colors, subtitle, composition_note),
            out_dir / "network-composition.png",
        ),
    )
    return paths


def _ssi_per_hour_figure(
    summary: pd.DataFrame,
    contexts: Sequence[str],
    colors: Mapping[str, Any],
    subtitle: str,
    note: str,
) -> Figure:
    with style():
        fig = new_figure()
        axes = fig.subplots(1, len(contexts), squeeze=False, sharey=True)[0]
        bests = []
        for ax, ctx in zip(axes, contexts, strict=True):
            wide = _debate_means(summary, ctx)
            untimed = []
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
                    markersize=10,
                    capsize=3,
                    label=name,
                )
            per_hour = wide["opportunities_per_hour"].dropna()
            if len(per_hour):
                bests.append((ctx, str(per_hour.idxmax()), str(wide["ssi"].idxmax())))
            ax.set_ylim(0, 100)
            ax.set_xlim(left=0)
            ax.margins(x=0.15)
            panel_xlabel(ax, "opportunities per hour of routine", len(axes))
            panel_title(ax, f"{ctx} context{_context_note(summary, ctx)}", len(axes))
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
        axes[0].set_ylabel("SSI at the horizon (points, 0–100)")
        differ = [(c, b, s) for c, b, s in bests if b != s]
        if not bests:
            finding = "The score against what an hour of LinkedIn brings"
        elif differ:
            c, b, s = differ[0]
            finding = f"The highest SSI ({s}) is not the most opportunities per hour ({c}: {b})"
        else:
            finding = f"{bests[0][2]} leads on both the SSI and the opportunities per hour"
        title(fig, finding, subtitle)
        legend_right(fig, colors)
        footnote(fig, note)
    return fig


def _context_note(summary: pd.DataFrame, context: str) -> str:
    rows = summary[(summary["context"] == context) & (summary["metric"] == "opportunities")]
    value = summary[(summary["context"] == context) & (summary["metric"] == "pipeline_value_eur")]
    if rows.empty or value.empty:
        return ""
    opp, val = rows["mean"].sum(), value["mean"].sum()
    return f" (about {money(val / opp)} an opportunity)" if opp > 0 else ""


def _opportunities_figure(
    summary: pd.DataFrame,
    contexts: Sequence[str],
    colors: Mapping[str, Any],
    subtitle: str,
    note: str,
    finding: str,
    verdicts: Sequence[Verdict] = (),
) -> Figure:
    names = list(colors)
    with style():
        fig = new_figure()
        axes = fig.subplots(1, len(contexts), squeeze=False, sharey=True)[0]
        for ax, ctx in zip(axes, contexts, strict=True):
            wide = _debate_means(summary, ctx).reindex(names)
            panel = f"{ctx} context{_panel_verdict(verdicts, 'opportunities', ctx)}"
            _stacked_origins(ax, wide, colors, panel, len(axes))
            panel_xlabel(ax, "opportunities over the horizon (mean)", len(axes))
        title(fig, finding, subtitle)
        _origin_legend(fig)
        footnote(fig, note)
    return fig


def _per_context_bars(
    summary: pd.DataFrame,
    contexts: Sequence[str],
    colors: Mapping[str, Any],
    subtitle: str,
    note: str,
    metric: str,
    xlabel: str,
    finding: str,
    verdicts: Sequence[Verdict] = (),
) -> Figure:
    names = list(colors)
    with style():
        fig = new_figure()
        axes = fig.subplots(1, len(contexts), squeeze=False, sharey=True)[0]
        for ax, ctx in zip(axes, contexts, strict=True):
            wide = _debate_means(summary, ctx).reindex(names)
            panel = f"{ctx} context{_panel_verdict(verdicts, metric, ctx)}"
            _bars(ax, wide, metric, colors, panel, money_axis=True, panels=len(axes))
            panel_xlabel(ax, xlabel, len(axes))
        title(fig, finding, subtitle)
        footnote(fig, note)
    return fig


def _effort_figure(
    summary: pd.DataFrame, colors: Mapping[str, Any], subtitle: str, note: str, finding: str
) -> Figure:
    names = list(colors)
    wide = _debate_means(summary).reindex(names)
    with style():
        fig = new_figure()
        left, right = fig.subplots(1, 2, sharey=True)
        _bars(left, wide, "hours_per_week", colors, "Time the routine takes")
        left.set_xlabel("hours per week (mean)")
        _bars(right, wide, "pitches_received", colors, "Unsolicited pitches received")
        right.set_xlabel("pitches over the horizon (count, mean)")
        title(fig, finding, subtitle)
        footnote(fig, note)
    return fig


def _stacked_origins(
    ax: Axes, wide: pd.DataFrame, colors: Mapping[str, Any], name: str, panels: int = 1
) -> None:
    names = list(wide.index)
    left = [0.0] * len(names)
    for origin, (_label, hatch) in _ORIGIN_STYLE.items():
        col = f"opportunities_{origin}"
        values = wide[col].fillna(0.0).tolist()
        alpha = 0.3 if origin == "existing" else 0.9
        for i, strategy in enumerate(names):
            ax.barh(
                i,
                values[i],
                left=left[i],
                color=colors[strategy],
                alpha=alpha,
                hatch=hatch,
                edgecolor="white",
                height=0.7,
            )
        left = [a + b for a, b in zip(left, values, strict=True)]
    for i, total in enumerate(left):
        ax.annotate(f"{total:,.0f}", (total, i), xytext=(4, 0), textcoords="offset points",
                    va="center", fontweight="bold")  # fmt: skip
    ax.set_yticks(range(len(names)), names)
    top_down(ax)
    ax.set_xlim(0, max(max(left, default=0.0), 1.0) * 1.18)
    panel_title(ax, name, panels)
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    ax.xaxis.set_major_formatter(FuncFormatter(compact))


def _origin_legend(fig: Figure) -> None:
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
        title="origin of the opportunity",
        loc="outside right upper",
        frameon=False,
    )


def _bars(
    ax: Axes,
    wide: pd.DataFrame,
    metric: str,
    colors: Mapping[str, Any],
    name: str,
    *,
    money_axis: bool = False,
    panels: int = 2,
) -> None:
    names = list(wide.index)
    values = wide[metric].to_numpy(dtype=float)
    shown = np.nan_to_num(values, nan=0.0)
    err = _err(wide, metric)
    ax.barh(
        range(len(names)), shown, color=[colors[n] for n in names], height=0.7, xerr=err, capsize=3
    )
    ax.set_xlim(left=0)
    for i, v in enumerate(values):
        if not np.isfinite(v):
            ax.annotate(
                "n/a", (0, i), xytext=(4, 0), textcoords="offset points", va="center", color="0.4"
            )
    ax.set_yticks(range(len(names)), names)
    top_down(ax)
    panel_title(ax, name, panels)
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=5))
    if money_axis:
        ax.xaxis.set_major_formatter(FuncFormatter(money))
    else:  # compact (2.5, 150k, 1.5M): long tick labels would overlap
        ax.xaxis.set_major_formatter(FuncFormatter(compact))


_KINDS: tuple[tuple[str, str], ...] = (
    ("connections", "all connections"),
    ("relevant_connections", "relevant (target market)"),
    ("decision_maker_connections", "decision makers"),
    ("known_contacts", "known contacts (warm ties)"),
    ("strong_ties", "strong ties"),
)


def _composition_figure(
    summary: pd.DataFrame, colors: Mapping[str, Any], subtitle: str, note: str
) -> Figure:
    """One panel per kind of contact, each on its own linear scale from zero."""
    wide = _debate_means(summary).reindex(list(colors))
    names = list(wide.index)
    known = wide["known_contacts"]
    finding = "Who is in each network, and how well known"
    if len(names) >= 2 and known.notna().any():
        big = wide["connections"].idxmax()
        warm = known.idxmax()
        if big != warm:
            finding = f"{big} has the biggest network, {warm} knows the most people in it"
        else:
            finding = f"{big} has the biggest network and knows the most people in it"
    with style():
        fig = new_figure()
        axes = fig.subplots(1, len(_KINDS), sharey=True)
        for ax, (metric, name) in zip(axes, _KINDS, strict=True):
            values = wide[metric].to_numpy(dtype=float)
            ax.barh(range(len(names)), np.nan_to_num(values), color=[colors[n] for n in names],
                    height=0.7)  # fmt: skip
            top = float(np.nanmax(values, initial=0.0))
            for i, v in enumerate(values):
                ax.annotate(f"{v:,.0f}" if np.isfinite(v) else "n/a", (0, i), xytext=(3, 0),
                            textcoords="offset points", va="center", fontsize="small",
                            color="white" if np.isfinite(v) and v > 0.35 * top else "0.15",
                            fontweight="bold")  # fmt: skip
            ax.set_xlim(0, max(top, 1.0) * 1.05)
            ax.xaxis.set_major_locator(MaxNLocator(nbins=2))
            ax.xaxis.set_major_formatter(FuncFormatter(compact))
            ax.set_title(textwrap.fill(name, 16), loc="left", fontsize="medium")
            ax.grid(axis="y", visible=False)
        axes[0].set_yticks(range(len(names)), names)
        top_down(axes[0])
        axes[len(axes) // 2].set_xlabel("contacts at the horizon (count, mean)")
        title(fig, finding, subtitle)
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
    ranks: dict[str, int] = {}
    with style():
        fig = new_figure()
        left, right = fig.subplots(1, 2, width_ratios=(1, 1.3))
        width = 0.8 / max(len(members), 1)
        for i, name in enumerate(members):
            rows = table[table["member"] == name].sort_values("month")
            label = f"{name} ({rows['strategy'].iloc[0]})" if len(rows) else name
            if len(rows):  # the rank in the legend: labels on the lines would collide
                label = f"#{int(rows.iloc[-1]['rank'])} {label}"
                ranks[label] = int(rows.iloc[-1]["rank"])
            left.plot(
                rows["month"], rows["ssi"], marker="o", color=colors[name], linewidth=2, label=label
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
        step = -(-len(months) // 7)  # at most 7 month labels: readable on a slide
        for ax in (left, right):
            ax.set_xticks(months[::step])
            ax.set_xlabel(f"month ({team.month_weeks} weeks each)")
        left.set_ylabel("SSI at the month's end (points)")
        right.set_ylabel("SSI change over the month (points)")
        left.set_title("Leaderboard: SSI and rank", loc="left")
        right.set_title("Who gained the most this month?", loc="left")
        handles, labels = left.get_legend_handles_labels()
        order = sorted(range(len(labels)), key=lambda i: ranks.get(labels[i], 99))
        fig.legend(
            [handles[i] for i in order],
            [labels[i] for i in order],
            title="rank after the last month",
            loc="outside right center",  # upper, it would collide with a long title
            frameon=False,
        )
        last = table[table["month"] == table["month"].max()].sort_values("rank")
        finding = "The team's SSI competition, month by month"
        if len(last):
            top = last.iloc[0]
            finding = f"{top['member']} ({top['strategy']}) leads after month {int(top['month'])} with an SSI of {top['ssi']:.0f}"
        title(fig, finding)
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
        fig = new_figure()
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
            panel_title(ax, f"{ctx} context: one point per seller", len(axes))
        handles, names = axes[0].get_legend_handles_labels()  # beside the panels: off the points
        fig.legend(handles, names, loc="outside right upper", frameon=False)
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
        top_down(ax)
        panel_xlabel(
            ax, f"opportunities, SSI ≥ {cohort.high_ssi:g} over SSI ≤ {cohort.low_ssi:g}", 2
        )
        ax.set_title("The opportunity ratio (95% CI)", loc="left")
        ratio = ratios.set_index("context")
        verdicts_c8 = []
        for ctx in contexts:
            lo, hi = float(ratio.loc[ctx, "ci_low"]), float(ratio.loc[ctx, "ci_high"])
            if lo > 1.45 or hi < 1.45:
                verdicts_c8.append(f"{ctx}: {'above' if lo > 1.45 else 'below'} 1.45")
            else:
                verdicts_c8.append(f"{ctx}: consistent with 1.45")
        title(
            fig,
            "Do social selling leaders create 45% more opportunities? " + "; ".join(verdicts_c8),
            "LinkedIn's claim C8",
        )
        footnote(
            fig,
            f"{len(sellers)} sellers, one run each; intervals: percentile bootstrap over sellers.",
        )
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return save(fig, path)

"""Figures of a run: the SSI, the four pillars and the network over the weeks.

Every figure shows, per strategy, the mean over replications as a line and its
confidence interval as a shaded band (see :mod:`ssisim.results.tables` for
the statistics), drawn from the weekly table alone.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

from ssisim.errors import DataError
from ssisim.plots.style import (
    band_note,
    footnote,
    legend_right,
    lines_with_bands,
    new_figure,
    save,
    strategy_colors,
    style,
    title,
    top_down,
)
from ssisim.results.tables import timeseries
from ssisim.scenario.schema import PILLARS, Platform

__all__ = ["DEFAULT_BOOST_THRESHOLD", "FIGURE_NAMES", "plot_figures"]

FIGURE_NAMES: tuple[str, ...] = ("ssi.png", "pillars.png", "network.png")
"""The files :func:`plot_figures` writes, in order."""

_PILLAR_TITLES: dict[str, str] = {
    "brand": "establish your professional brand",
    "people": "find the right people",
    "insights": "engage with insights",
    "relationships": "build relationships",
}
DEFAULT_BOOST_THRESHOLD: float = Platform.model_fields["boost_threshold_ssi"].default


def plot_figures(
    weekly: pd.DataFrame,
    out_dir: Path,
    title_suffix: str = "",
    *,
    boost_threshold_ssi: float | None = DEFAULT_BOOST_THRESHOLD,
    ssi_finding: str = "",
) -> list[Path]:
    """Draw the figures of a weekly table into a directory.

    Parameters
    ----------
    weekly : pandas.DataFrame
        The weekly table (see :func:`ssisim.results.tables.weekly_frame`); strategies
        are drawn in order of first appearance.
    out_dir : Path
        Where to write the files; created if needed.
    title_suffix : str
        The subtitle of every figure (usually the scenario's name).
    boost_threshold_ssi : float or None
        SSI (points) above which the platform boosts visibility, drawn as a
        dashed line on the SSI figure; None draws no line.
    ssi_finding : str
        The SSI figure's title: the paired verdict on the SSI at the horizon
        (:meth:`ssisim.results.verdicts.Verdict.headline`); default, a finding
        read from the means.

    Returns
    -------
    list of Path
        The files written, in the order of :data:`FIGURE_NAMES` (the suffix
        follows the format of :func:`ssisim.plots.style.settings`):

        ``ssi.png``
            SSI (0-100) over the weeks.
        ``pillars.png``
            The four pillars (0-25 each), one panel each.
        ``network.png``
            Connections over the weeks, and the share of relevant
            connections at the last week.

    Raises
    ------
    DataError
        ``weekly`` is empty or lacks a needed column.
    """
    if weekly.empty:
        raise DataError("weekly table: no rows to plot")
    subtitle = title_suffix.removeprefix(" — ").strip()
    metrics = ("ssi", *PILLARS, "connections", "relevant_connections")
    bands = timeseries(weekly, metrics)
    strategies = list(dict.fromkeys(weekly["strategy"].tolist()))
    colors = strategy_colors(strategies)
    note = band_note(bands)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    figures = {
        "ssi.png": _ssi_figure(bands, colors, subtitle, note, boost_threshold_ssi, ssi_finding),
        "pillars.png": _pillars_figure(bands, colors, subtitle, note),
        "network.png": _network_figure(bands, colors, subtitle, note),
    }
    return [save(figures[name], out_dir / name) for name in FIGURE_NAMES]


def _at_last(bands: pd.DataFrame, metric: str) -> pd.Series:
    last = bands[(bands["week"] == bands["week"].max()) & (bands["metric"] == metric)]
    return last.set_index("strategy")["mean"].astype(float)


def _ssi_finding(bands: pd.DataFrame) -> str:
    ssi = _at_last(bands, "ssi").sort_values(ascending=False)
    if len(ssi) < 2:
        return f"{ssi.index[0]} reaches an SSI of {ssi.iloc[0]:.0f}" if len(ssi) else "SSI"
    return (
        f"{ssi.index[0]} reaches the highest mean SSI ({ssi.iloc[0]:.0f}, "
        f"{ssi.iloc[0] - ssi.iloc[1]:.1f} points above {ssi.index[1]})"
    )


def _pillars_finding(bands: pd.DataFrame) -> str:
    gaps = {p: _at_last(bands, p) for p in PILLARS}
    spread = {p: float(v.max() - v.min()) for p, v in gaps.items() if len(v)}
    if len(next(iter(gaps.values()), [])) < 2 or not spread:
        return "The four SSI pillars over time"
    pillar = max(spread, key=lambda p: spread[p])
    v = gaps[pillar]
    return (
        f"The strategies differ most on {pillar!r} ({_PILLAR_TITLES[pillar]}): "
        f"{v.idxmax()} {v.max():.1f} against {v.idxmin()} {v.min():.1f} points"
    )


def _network_finding(bands: pd.DataFrame) -> str:
    total = _at_last(bands, "connections")
    relevant = _at_last(bands, "relevant_connections")
    if len(total) < 2:
        return "Bigger or better network?"
    big, small = str(total.idxmax()), str(total.idxmin())
    share = (relevant / total.where(total > 0)).fillna(0.0)
    ratio = total[big] / total[small] if total[small] > 0 else math.inf
    times = f"{ratio:.1f}×" if math.isfinite(ratio) else "far"
    return (
        f"{big}'s network is {times} bigger than {small}'s; "
        f"{share[big]:.0%} of it is relevant, against {share[small]:.0%}"
    )


# --------------------------------------------------------------------------- figures


def _ssi_figure(
    bands: pd.DataFrame,
    colors: Mapping[str, Any],
    subtitle: str,
    note: str,
    threshold: float | None,
    finding: str,
) -> Figure:
    with style():
        fig = new_figure()
        ax = fig.subplots()
        lines_with_bands(ax, bands, "ssi", colors)
        if threshold is not None:
            ax.axhline(threshold, color="0.35", linestyle="--", linewidth=1.5, zorder=1)
            ax.annotate(
                f"visibility boost threshold ({threshold:g})",
                xy=(0, threshold),
                xycoords=("axes fraction", "data"),
                xytext=(6, 5),
                textcoords="offset points",
                ha="left",
                va="bottom",
                color="0.25",
            )
        ax.set_ylim(0, 100)
        ax.set_xlabel("week since start (weeks)")
        ax.set_ylabel("SSI (points, 0–100)")
        title(fig, finding or _ssi_finding(bands), subtitle)
        legend_right(fig, colors)
        footnote(fig, note)
    return fig


def _pillars_figure(
    bands: pd.DataFrame, colors: Mapping[str, Any], subtitle: str, note: str
) -> Figure:
    with style():
        fig = new_figure()
        axes = fig.subplots(2, 2, sharex=True, sharey=True)
        for ax, pillar in zip(axes.flat, PILLARS, strict=True):
            lines_with_bands(ax, bands, pillar, colors)
            ax.set_title(f"{pillar}: {_PILLAR_TITLES.get(pillar, '')}", loc="left")
            ax.set_ylim(0, 25)
        for ax in axes[1]:
            ax.set_xlabel("week since start (weeks)")
        for ax in axes[:, 0]:
            ax.set_ylabel("points (0–25)")
        title(fig, _pillars_finding(bands), subtitle)
        legend_right(fig, colors)
        footnote(fig, note)
    return fig


def _network_figure(
    bands: pd.DataFrame, colors: Mapping[str, Any], subtitle: str, note: str
) -> Figure:
    with style():
        fig = new_figure()
        left, right = fig.subplots(1, 2, width_ratios=(3, 2))

        lines_with_bands(left, bands, "connections", colors)
        left.set_ylim(bottom=0)
        left.set_xlabel("week since start (weeks)")
        left.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        left.set_ylabel("connections (count)")
        left.set_title("Network size", loc="left")
        _composition(right, bands, colors)
        title(fig, _network_finding(bands), subtitle)
        legend_right(fig, colors)
        footnote(fig, note)
    return fig


def _composition(ax: Axes, bands: pd.DataFrame, colors: Mapping[str, Any]) -> None:
    """Horizontal stacked bars: relevant and other connections at the last week."""
    last = int(bands["week"].max())
    at_last = bands[bands["week"] == last].pivot_table(
        index="strategy", columns="metric", values="mean", sort=False
    )
    names = [s for s in colors if s in at_last.index]
    total = at_last.loc[names, "connections"].to_numpy(dtype=float)
    relevant = at_last.loc[names, "relevant_connections"].to_numpy(dtype=float)
    # Horizontal bars: long strategy names read level, first strategy on top.
    y = list(range(len(names)))
    for i, name in enumerate(names):
        ax.barh(i, relevant[i], color=colors[name], edgecolor="white", height=0.65)
        ax.barh(
            i,
            total[i] - relevant[i],
            left=relevant[i],
            color=colors[name],
            alpha=0.35,
            edgecolor="white",
            hatch="//",
            height=0.65,
        )
        share = relevant[i] / total[i] if total[i] > 0 else math.nan
        ax.annotate(
            "no connections" if math.isnan(share) else f"{share:.0%} relevant",
            xy=(total[i], i),
            xytext=(5, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            fontweight="bold",
        )
    ax.set_yticks(y, [textwrap.fill(n, 18) for n in names])
    top_down(ax)
    # Room on the right for the "xx% relevant" labels.
    ax.set_xlim(0, max(float(total.max()) if len(total) else 0.0, 1.0) * 1.35)
    ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.set_xlabel("connections (count, mean)")
    ax.set_title(f"Network composition at week {last}")
    ax.grid(axis="y", visible=False)
    ax.legend(
        handles=[
            Patch(facecolor="0.45", edgecolor="white", label="relevant (target market)"),
            Patch(facecolor="0.45", alpha=0.35, hatch="//", edgecolor="white", label="other"),
        ],
        # Below the axis: inside, a long bar would hide it or its label.
        loc="upper center",
        bbox_to_anchor=(0.5, -0.16),
        ncols=2,
        frameon=False,
    )


# --------------------------------------------------------------------------- helpers


# --------------------------------------------------------------------------- the debate
# Figures of what the SSI does not measure (docs/debate.md), drawn from the
# tables of ssisim.results.outcomes, ssisim.experiments.teams and ssisim.experiments.cohort alone.

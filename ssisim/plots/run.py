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
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

from ssisim.errors import DataError
from ssisim.plots.style import (
    DPI,
    band_note,
    footnote,
    header,
    lines_with_bands,
    save,
    strategy_colors,
    style,
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
) -> list[Path]:
    """Draw the figures of a weekly table into a directory.

    Parameters
    ----------
    weekly : pandas.DataFrame
        The weekly table (see :func:`ssisim.results.tables.weekly_frame`); strategies
        are drawn in order of first appearance.
    out_dir : Path
        Where to write the PNG files; created if needed.
    title_suffix : str
        Appended to every figure title. A bare name (starting with a letter
        or digit, e.g. the scenario name) is joined with ``" — "``; anything
        else is appended as given (``" (draft)"``).
    boost_threshold_ssi : float or None
        SSI (points) above which the platform boosts visibility, drawn as a
        dashed line on the SSI figure; None draws no line.

    Returns
    -------
    list of Path
        The files written, in the order of :data:`FIGURE_NAMES`:

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
    if title_suffix[:1].isalnum():
        title_suffix = f" — {title_suffix}"
    metrics = ("ssi", *PILLARS, "connections", "relevant_connections")
    bands = timeseries(weekly, metrics)
    strategies = list(dict.fromkeys(weekly["strategy"].tolist()))
    colors = strategy_colors(strategies)
    note = band_note(bands)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    figures = {
        "ssi.png": _ssi_figure(bands, colors, title_suffix, note, boost_threshold_ssi),
        "pillars.png": _pillars_figure(bands, colors, title_suffix, note),
        "network.png": _network_figure(bands, colors, title_suffix, note),
    }
    return [save(figures[name], out_dir / name) for name in FIGURE_NAMES]


# --------------------------------------------------------------------------- figures


def _ssi_figure(
    bands: pd.DataFrame,
    colors: Mapping[str, Any],
    title_suffix: str,
    note: str,
    threshold: float | None,
) -> Figure:
    with style(), sns.plotting_context("notebook", font_scale=1.15):
        fig = Figure(figsize=(10, 6), dpi=DPI, layout="constrained")
        ax = fig.subplots()
        lines_with_bands(ax, bands, "ssi", colors)
        if threshold is not None:
            ax.axhline(threshold, color="0.35", linestyle="--", linewidth=1.5, zorder=1)
            ax.annotate(
                f"visibility boost threshold ({threshold:g})",
                xy=(1, threshold),
                xycoords=("axes fraction", "data"),
                xytext=(-6, 5),
                textcoords="offset points",
                ha="right",
                va="bottom",
                color="0.25",
            )
        ax.set_ylim(0, 100)
        ax.set_xlabel("week since start (weeks)")
        ax.set_ylabel("SSI (points, 0–100)")
        header(fig, f"Social Selling Index over time{title_suffix}", colors)
        footnote(fig, note)
    return fig


def _pillars_figure(
    bands: pd.DataFrame, colors: Mapping[str, Any], title_suffix: str, note: str
) -> Figure:
    with style(), sns.plotting_context("notebook", font_scale=1.1):
        fig = Figure(figsize=(12, 8.5), dpi=DPI, layout="constrained")
        axes = fig.subplots(2, 2, sharex=True, sharey=True)
        for ax, pillar in zip(axes.flat, PILLARS, strict=True):
            lines_with_bands(ax, bands, pillar, colors)
            subtitle = _PILLAR_TITLES.get(pillar)
            ax.set_title(f"{pillar}: {subtitle}" if subtitle else pillar)
            ax.set_ylim(0, 25)
        for ax in axes[1]:
            ax.set_xlabel("week since start (weeks)")
        for ax in axes[:, 0]:
            ax.set_ylabel("pillar score (points, 0–25)")
        header(fig, f"The four SSI pillars over time{title_suffix}", colors)
        footnote(fig, note)
    return fig


def _network_figure(
    bands: pd.DataFrame, colors: Mapping[str, Any], title_suffix: str, note: str
) -> Figure:
    with style(), sns.plotting_context("notebook", font_scale=1.1):
        fig = Figure(figsize=(13, 6), dpi=DPI, layout="constrained")
        left, right = fig.subplots(1, 2, width_ratios=(3, 2))

        lines_with_bands(left, bands, "connections", colors)
        left.set_ylim(bottom=0)
        left.set_xlabel("week since start (weeks)")
        left.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        left.set_ylabel("connections (count)")
        left.set_title("Network size")
        _composition(right, bands, colors)
        header(fig, f"Bigger or better network?{title_suffix}", colors)
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
    ax.invert_yaxis()
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

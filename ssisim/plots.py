"""Figures of a run, drawn from its tables alone.

Plots read the weekly table (:func:`ssisim.results.read_results`) and never
import the model or the engine, so ``ssisim plot DIR`` redraws a finished run
without simulating again. Figures are built with the object-oriented
matplotlib API (:class:`matplotlib.figure.Figure`, no ``pyplot``): nothing
changes the user's backend or global style, and nothing stays open afterwards.

Every figure shows, per strategy, the mean over replications as a line and its
95% confidence interval as a shaded band (see :mod:`ssisim.results` for the
statistics). A strategy keeps the same colour in every figure.
"""

from __future__ import annotations

import math
import os
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator, StrMethodFormatter

from ssisim.errors import DataError
from ssisim.results import CONFIDENCE, read_results, timeseries
from ssisim.scenario import PILLARS, Platform

__all__ = ["FIGURE_NAMES", "plot_all", "plot_figures", "strategy_colors"]

FIGURE_NAMES: tuple[str, ...] = ("ssi.png", "pillars.png", "network.png")
"""The files :func:`plot_figures` writes, in order."""

DPI = 120
_BAND_ALPHA = 0.2
_PILLAR_TITLES: dict[str, str] = {
    "brand": "establish your professional brand",
    "people": "find the right people",
    "insights": "engage with insights",
    "relationships": "build relationships",
}
_DEFAULT_BOOST_THRESHOLD: float = Platform.model_fields["boost_threshold_ssi"].default


def plot_all(run_dir: Path) -> list[Path]:
    """Draw (again) every figure of a results directory.

    Parameters
    ----------
    run_dir : Path
        A directory written by :func:`ssisim.results.write_results`.

    Returns
    -------
    list of Path
        ``run_dir/figures/<name>`` for each name of :data:`FIGURE_NAMES`;
        existing files are replaced.

    Raises
    ------
    DataError
        The directory or its files are missing or malformed.

    Notes
    -----
    The scenario name for the titles is read from the manifest key
    ``scenario`` (a name, or a mapping with ``name``) or ``scenario_name``;
    the SSI threshold line from the first ``boost_threshold_ssi`` found
    anywhere in the manifest (default: the scenario default).
    """
    run_dir = Path(run_dir)
    weekly, _summary, manifest = read_results(run_dir)
    name = _scenario_name(manifest)
    threshold = _find_number(manifest, "boost_threshold_ssi")
    return plot_figures(
        weekly,
        run_dir / "figures",
        title_suffix=name or "",
        boost_threshold_ssi=_DEFAULT_BOOST_THRESHOLD if threshold is None else threshold,
    )


def plot_figures(
    weekly: pd.DataFrame,
    out_dir: Path,
    title_suffix: str = "",
    *,
    boost_threshold_ssi: float | None = _DEFAULT_BOOST_THRESHOLD,
) -> list[Path]:
    """Draw the figures of a weekly table into a directory.

    Parameters
    ----------
    weekly : pandas.DataFrame
        The weekly table (see :func:`ssisim.results.weekly_frame`); strategies
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
    note = _band_note(bands)

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    figures = {
        "ssi.png": _ssi_figure(bands, colors, title_suffix, note, boost_threshold_ssi),
        "pillars.png": _pillars_figure(bands, colors, title_suffix, note),
        "network.png": _network_figure(bands, colors, title_suffix, note),
    }
    return [_save(figures[name], out_dir / name) for name in FIGURE_NAMES]


def strategy_colors(strategies: Sequence[str]) -> dict[str, tuple[float, float, float]]:
    """One colour per strategy, from a colour-blind-safe palette, in the order given."""
    palette = "colorblind" if len(strategies) <= 10 else "husl"
    return dict(zip(strategies, sns.color_palette(palette, len(strategies)), strict=True))


# --------------------------------------------------------------------------- figures


def _style() -> Any:
    # A context manager: the style applies to figures made inside it only.
    return sns.axes_style("whitegrid")


def _ssi_figure(
    bands: pd.DataFrame,
    colors: Mapping[str, Any],
    title_suffix: str,
    note: str,
    threshold: float | None,
) -> Figure:
    with _style(), sns.plotting_context("notebook", font_scale=1.15):
        fig = Figure(figsize=(10, 6), dpi=DPI, layout="constrained")
        ax = fig.subplots()
        _lines_with_bands(ax, bands, "ssi", colors)
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
        _header(fig, f"Social Selling Index over time{title_suffix}", colors)
        _footnote(fig, note)
    return fig


def _pillars_figure(
    bands: pd.DataFrame, colors: Mapping[str, Any], title_suffix: str, note: str
) -> Figure:
    with _style(), sns.plotting_context("notebook", font_scale=1.1):
        fig = Figure(figsize=(12, 8.5), dpi=DPI, layout="constrained")
        axes = fig.subplots(2, 2, sharex=True, sharey=True)
        for ax, pillar in zip(axes.flat, PILLARS, strict=True):
            _lines_with_bands(ax, bands, pillar, colors)
            subtitle = _PILLAR_TITLES.get(pillar)
            ax.set_title(f"{pillar}: {subtitle}" if subtitle else pillar)
            ax.set_ylim(0, 25)
        for ax in axes[1]:
            ax.set_xlabel("week since start (weeks)")
        for ax in axes[:, 0]:
            ax.set_ylabel("pillar score (points, 0–25)")
        _header(fig, f"The four SSI pillars over time{title_suffix}", colors)
        _footnote(fig, note)
    return fig


def _network_figure(
    bands: pd.DataFrame, colors: Mapping[str, Any], title_suffix: str, note: str
) -> Figure:
    with _style(), sns.plotting_context("notebook", font_scale=1.1):
        fig = Figure(figsize=(13, 6), dpi=DPI, layout="constrained")
        left, right = fig.subplots(1, 2, width_ratios=(3, 2))

        _lines_with_bands(left, bands, "connections", colors)
        left.set_ylim(bottom=0)
        left.set_xlabel("week since start (weeks)")
        left.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        left.set_ylabel("connections (count)")
        left.set_title("Network size")
        _composition(right, bands, colors)
        _header(fig, f"Bigger or better network?{title_suffix}", colors)
        _footnote(fig, note)
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


def _lines_with_bands(
    ax: Axes, bands: pd.DataFrame, metric: str, colors: Mapping[str, Any]
) -> None:
    rows = bands[bands["metric"] == metric]
    for name, color in colors.items():
        sub = rows[rows["strategy"] == name].sort_values("week")
        if sub.empty:
            continue
        week = sub["week"].to_numpy()
        ax.fill_between(
            week,
            sub["ci_low"].to_numpy(dtype=float),
            sub["ci_high"].to_numpy(dtype=float),
            color=color,
            alpha=_BAND_ALPHA,
            linewidth=0,
        )
        ax.plot(week, sub["mean"].to_numpy(dtype=float), color=color, linewidth=2.2, label=name)
    ax.set_xlim(rows["week"].min(), max(rows["week"].max(), rows["week"].min() + 1))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _line_handle(color: Any) -> Line2D:
    return Line2D([], [], color=color, linewidth=2.2)


def _header(fig: Figure, title: str, colors: Mapping[str, Any]) -> None:
    """The figure's title with the strategies' legend under it, rows read left to right."""
    names = list(colors)
    rows = math.ceil(len(names) / 4)
    ncols = math.ceil(len(names) / rows)
    # Legend fills columns first; reorder so that rows read in strategy order.
    order = [i for col in range(ncols) for i in range(col, len(names), ncols)]
    # The title is the legend's: constrained layout puts an "outside" legend
    # on top of a suptitle rather than below it.
    fig.legend(
        [_line_handle(colors[names[i]]) for i in order],
        [names[i] for i in order],
        title=title,
        title_fontproperties={"weight": "bold", "size": "large"},
        loc="outside upper center",
        ncols=ncols,
        frameon=False,
    )


def _band_note(bands: pd.DataFrame) -> str:
    ns = bands["n"]
    low, high = int(ns.min()), int(ns.max())
    n = f"{low}" if low == high else f"{low}–{high}"
    if high < 2:
        return f"Lines: one replication per strategy (n = {n}); no confidence band."
    return (
        f"Lines: mean of n = {n} replications per strategy; "
        f"shaded bands: {CONFIDENCE:.0%} confidence interval of the mean."
    )


def _footnote(fig: Figure, note: str) -> None:
    fig.supxlabel(note, fontsize="small", color="0.3", x=0.01, ha="left")


def _save(fig: Figure, path: Path) -> Path:
    # Write next to the target, then rename: a reader never sees half a PNG.
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        fig.savefig(tmp, format="png", dpi=DPI, metadata={"Software": None})
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _scenario_name(manifest: Mapping[str, Any]) -> str | None:
    scenario = manifest.get("scenario")
    if isinstance(scenario, str) and scenario:
        return scenario
    if isinstance(scenario, Mapping) and isinstance(scenario.get("name"), str):
        return str(scenario["name"])
    name = manifest.get("scenario_name")
    return name if isinstance(name, str) and name else None


def _find_number(data: Any, key: str) -> float | None:
    """The first number stored under ``key`` anywhere in nested mappings and lists."""
    if isinstance(data, Mapping):
        value = data.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        children: Any = data.values()
    elif isinstance(data, list | tuple):
        children = data
    else:
        return None
    for child in children:
        found = _find_number(child, key)
        if found is not None:
            return found
    return None

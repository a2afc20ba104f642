"""The one style of every ssisim figure: theme, colours, bands, titles, notes, saving.

Figures are built with the object-oriented matplotlib API
(:class:`matplotlib.figure.Figure`, no ``pyplot``): nothing changes the
user's backend or global style, and nothing stays open afterwards. Every
figure is drawn inside :func:`style` (seaborn's ``whitegrid`` theme, the
``notebook`` context) and saved by :func:`save` (atomically, at
:data:`DPI`, without a timestamp in the file). A strategy keeps the same
colour in every figure of a directory (:func:`strategy_colors`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from ssisim.results.files import atomic_file
from ssisim.stats import CONFIDENCE

P = ParamSpec("P")
R = TypeVar("R")

__all__ = [
    "BAND_ALPHA",
    "DPI",
    "band_note",
    "compact",
    "find_number",
    "footnote",
    "header",
    "line_handle",
    "lines_with_bands",
    "save",
    "scenario_name",
    "strategy_colors",
    "style",
    "themed",
]

DPI = 120


BAND_ALPHA = 0.2


def strategy_colors(strategies: Sequence[str]) -> dict[str, tuple[float, float, float]]:
    """One colour per strategy, from a colour-blind-safe palette, in the order given."""
    palette = "colorblind" if len(strategies) <= 10 else "husl"
    return dict(zip(strategies, sns.color_palette(palette, len(strategies)), strict=True))


def themed(draw: Callable[P, R]) -> Callable[P, R]:
    """Draw a figure function's figures inside :func:`style`."""

    @functools.wraps(draw)
    def drawn(*args: P.args, **kwargs: P.kwargs) -> R:
        with style():
            return draw(*args, **kwargs)

    return drawn


@contextmanager
def style(font_scale: float = 1.0) -> Iterator[None]:
    """The theme of every figure, for the figures made inside the block only."""
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=font_scale):
        yield


def lines_with_bands(ax: Axes, bands: pd.DataFrame, metric: str, colors: Mapping[str, Any]) -> None:
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
            alpha=BAND_ALPHA,
            linewidth=0,
        )
        ax.plot(week, sub["mean"].to_numpy(dtype=float), color=color, linewidth=2.2, label=name)
    ax.set_xlim(rows["week"].min(), max(rows["week"].max(), rows["week"].min() + 1))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def line_handle(color: Any) -> Line2D:
    return Line2D([], [], color=color, linewidth=2.2)


def header(fig: Figure, title: str, colors: Mapping[str, Any]) -> None:
    """The figure's title with the strategies' legend under it, rows read left to right."""
    names = list(colors)
    rows = math.ceil(len(names) / 4)
    ncols = math.ceil(len(names) / rows)
    # Legend fills columns first; reorder so that rows read in strategy order.
    order = [i for col in range(ncols) for i in range(col, len(names), ncols)]
    # The title is the legend's: constrained layout puts an "outside" legend
    # on top of a suptitle rather than below it.
    fig.legend(
        [line_handle(colors[names[i]]) for i in order],
        [names[i] for i in order],
        title=title,
        title_fontproperties={"weight": "bold", "size": "large"},
        loc="outside upper center",
        ncols=ncols,
        frameon=False,
    )


def band_note(bands: pd.DataFrame) -> str:
    ns = bands["n"]
    low, high = int(ns.min()), int(ns.max())
    n = f"{low}" if low == high else f"{low}–{high}"
    if high < 2:
        return f"Lines: one replication per strategy (n = {n}); no confidence band."
    return (
        f"Lines: mean of n = {n} replications per strategy; "
        f"shaded bands: {CONFIDENCE:.0%} confidence interval of the mean."
    )


def footnote(fig: Figure, note: str) -> None:
    fig.supxlabel(note, fontsize="small", color="0.3", x=0.01, ha="left")


def save(fig: Figure, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path) as tmp:  # a reader never sees half a PNG
        fig.savefig(tmp, format="png", dpi=DPI, metadata={"Software": None})
    return path


def scenario_name(manifest: Mapping[str, Any]) -> str | None:
    scenario = manifest.get("scenario")
    if isinstance(scenario, str) and scenario:
        return scenario
    if isinstance(scenario, Mapping) and isinstance(scenario.get("name"), str):
        return str(scenario["name"])
    name = manifest.get("scenario_name")
    return name if isinstance(name, str) and name else None


def find_number(data: Any, key: str) -> float | None:
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
        found = find_number(child, key)
        if found is not None:
            return found
    return None


def compact(x: float, _pos: int | None = None) -> str:
    """Tick labels like 250k or 1.5M."""
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(x) >= size:
            return f"{x / size:,.3g}{suffix}"
    return f"{x:,.0f}"

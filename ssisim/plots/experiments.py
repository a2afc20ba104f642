"""Figures of sweeps and sensitivity analyses, drawn from their tables alone,
in the style of every other figure (:mod:`ssisim.plots.style`): 16:9, at most
:data:`MAX_PANELS` panels side by side, more panels in further files
(``sobol.png``, ``sobol-2.png``, ...), axis labels in words."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter

from ssisim.plots.style import (
    BAND_ALPHA,
    compact,
    currency_symbol,
    footnote,
    label,
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
from ssisim.results.flips import NO_CLEAR
from ssisim.stats import CONFIDENCE

__all__ = [
    "MAX_PANELS",
    "flips_figures",
    "sobol_figure",
    "sobol_figures",
    "sobol_warnings",
    "sweep_figure",
    "sweep_figures",
    "tornado_figure",
    "tornado_figures",
]

MAX_PANELS = 3
"""Panels side by side in one figure; more go to further files."""

TORNADO_PANELS = 2
"""Tornado panels side by side: each has its own parameter labels (sorted by swing)."""

SOBOL_CONF_WIDE = 0.25
"""A Sobol' index whose interval half-width exceeds this is called imprecise."""

FLIP_BINS: tuple[tuple[float, str, str], ...] = (
    (25.0, "within 25%", "#B2182B"),
    (50.0, "within 50%", "#EF8A62"),
    (100.0, "within 100%", "#FDDBC7"),
    (math.inf, "beyond 100%", "#FFF5EB"),
)
"""How far the nearest change of a verdict is from the baseline, and its colour
on the flips figure (the nearer, the darker)."""
HOLDS_COLOR = "#D9D9D9"


def _numbered(path: Path, k: int) -> Path:
    return path if k == 0 else path.with_name(f"{path.stem}-{k + 1}{path.suffix}")


def _alone(at_horizon: pd.DataFrame, columns: Sequence[str], column: str) -> pd.DataFrame:
    """The rows of a one-at-a-time sweep where only ``column`` may differ from
    the baseline (point 0): the baseline and that key's own points."""
    base = at_horizon[at_horizon["point"] == 0]
    if base.empty:
        return at_horizon
    keep = pd.Series(True, index=at_horizon.index)
    for other in columns:
        if other != column:
            keep &= at_horizon[other] == base[other].iloc[0]
    return at_horizon[keep]


def sweep_figures(
    at_horizon: pd.DataFrame,
    columns: Sequence[str],
    path: Path,
    subtitle: str = "",
    *,
    one_at_a_time: bool = False,
) -> list[Path]:
    """Each metric at the horizon against each numeric swept key, per strategy.

    ``at_horizon`` holds summary rows (``point``, the swept columns,
    ``strategy``, ``metric``, ``mean``, ``ci_low``, ``ci_high``). One figure
    per swept key (``sweep.png``, ``sweep-2.png``, ...), one panel per metric
    (at most :data:`MAX_PANELS`); lines and 95% bands when one key is swept,
    points with 95% bars when several are (the other keys vary too). A
    one-at-a-time sweep (``one_at_a_time``) draws each key's points with the
    baseline's (point 0), the other keys at their baseline values: lines.
    """
    numeric = [c for c in columns if pd.api.types.is_numeric_dtype(at_horizon[c])]
    if at_horizon.empty or not numeric:
        return []
    metrics = list(dict.fromkeys(at_horizon["metric"]))[:MAX_PANELS]
    strategies = list(dict.fromkeys(at_horizon["strategy"]))
    colors = strategy_colors(strategies)
    lines = len(numeric) == 1 or one_at_a_time
    everything = at_horizon
    paths = []
    for k, column in enumerate(numeric):
        at_horizon = _alone(everything, columns, column) if one_at_a_time else everything
        with style():
            fig = new_figure()
            axes = fig.subplots(1, len(metrics), squeeze=False)[0]
            for ax, metric in zip(axes, metrics, strict=True):
                for strategy in strategies:
                    rows = at_horizon[
                        (at_horizon["metric"] == metric) & (at_horizon["strategy"] == strategy)
                    ].sort_values(column)
                    x = rows[column].to_numpy(dtype=float)
                    y = rows["mean"].to_numpy(dtype=float)
                    lo, hi = rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float)
                    if lines:
                        ax.fill_between(x, lo, hi, color=colors[strategy], alpha=BAND_ALPHA, lw=0)
                        ax.plot(x, y, "o-", color=colors[strategy], lw=2.2, ms=6)
                    else:
                        err = np.nan_to_num(np.vstack([y - lo, hi - y]))
                        ax.errorbar(x, y, yerr=err, fmt="o", ms=6, capsize=3,
                                    color=colors[strategy])  # fmt: skip
                unit = f" ({currency_symbol().strip()})" if column.endswith("_eur") else ""
                panel_xlabel(ax, label(column) + unit, len(axes))
                ax.set_ylabel(f"{label(metric)} at the horizon")
                ax.set_ylim(0, 100 if metric == "ssi" else None)
                ax.set_ylim(bottom=0)
                ax.yaxis.set_major_formatter(FuncFormatter(compact))
            title(fig, _sweep_finding(at_horizon, column, metrics[0], strategies), subtitle)
            legend_right(fig, colors)
            note = f"Mean and {CONFIDENCE:.0%} confidence interval over the replications at each point."
            if one_at_a_time:
                note += " One key at a time: the others at the scenario's own values."
            elif len(numeric) > 1:
                note += " Other swept keys vary at each value: points, not lines."
            footnote(fig, note)
        paths.append(save(fig, _numbered(path, k)))
    return paths


def sweep_figure(
    at_horizon: pd.DataFrame, columns: Sequence[str], path: Path, title: str = ""
) -> Path | None:
    """The first of :func:`sweep_figures` (kept for callers of one figure)."""
    paths = sweep_figures(at_horizon, columns, path, title)
    return paths[0] if paths else None


def _sweep_finding(
    at_horizon: pd.DataFrame, column: str, metric: str, strategies: Sequence[str]
) -> str:
    """The title: how ``metric`` moves with ``column`` for the strategy it moves
    most (the first on a tie: a key of one routine leaves the others flat)."""

    def means_of(strategy: str) -> pd.Series:
        rows = at_horizon[(at_horizon["metric"] == metric) & (at_horizon["strategy"] == strategy)]
        return rows.sort_values(column).groupby(column, sort=True)["mean"].mean()

    spans = {s: means_of(s) for s in strategies}
    strategy = max(
        strategies, key=lambda s: float(spans[s].max() - spans[s].min()) if len(spans[s]) else 0.0
    )
    means = spans[strategy]
    if len(means) < 2:
        return f"{label(metric)} against {label(column)}"
    first, last = float(means.iloc[0]), float(means.iloc[-1])
    if compact(float(means.min())) == compact(float(means.max())):  # flat, as drawn
        return (
            f"{label(metric)} stays flat for every strategy as {label(column)} goes from "
            f"{means.index[0]:g} to {means.index[-1]:g}"
        )
    peak = means.idxmax()
    verb = "rises" if last > first else "falls"
    text = (
        f"{strategy}: {label(metric)} {verb} from {compact(first)} to {compact(last)} "
        f"as {label(column)} goes from {means.index[0]:g} to {means.index[-1]:g}"
    )
    if peak not in (means.index[0], means.index[-1]):
        text += f" (highest at {peak:g})"
    return text


def sobol_warnings(sobol: pd.DataFrame) -> list[str]:
    """Why the indices cannot be trusted, if they cannot: one line per problem.

    An index outside [0, 1] (beyond rounding) or an interval wider than
    :data:`SOBOL_CONF_WIDE` says the sample is too small.
    """
    out = []
    values = sobol[["S1", "ST"]].to_numpy(dtype=float)
    outside = int(np.sum((values < -0.05) | (values > 1.05)))
    conf = sobol[["S1_conf", "ST_conf"]].to_numpy(dtype=float)
    wide = int(np.sum(conf > SOBOL_CONF_WIDE))
    if outside:
        out.append(
            f"{outside} Sobol' index(es) outside [0, 1]: the sample is too small "
            "(raise sensitivity.samples or --samples)"
        )
    if wide:
        out.append(
            f"{wide} Sobol' interval(s) wider than ±{SOBOL_CONF_WIDE:g}: the sample is too "
            "small to rank the parameters (raise sensitivity.samples or --samples)"
        )
    return out


def _panels(table: pd.DataFrame) -> list[tuple[str, str]]:
    return list(dict.fromkeys(zip(table["output"], table["strategy"], strict=True)))


def sobol_figures(sobol: pd.DataFrame, path: Path, subtitle: str = "") -> list[Path]:
    """First-order (S1) and total (ST) Sobol' indices with their 95% intervals.

    One panel per (output, strategy), at most :data:`MAX_PANELS` a figure
    (``sobol.png``, ``sobol-2.png``, ...); a warning on every figure when
    :func:`sobol_warnings` finds one.
    """
    panels = _panels(sobol)
    params = list(dict.fromkeys(sobol["parameter"]))
    warnings = sobol_warnings(sobol)
    paths = []
    for k in range(0, len(panels), MAX_PANELS):
        group = panels[k : k + MAX_PANELS]
        with style():
            fig = new_figure()
            axes = fig.subplots(1, len(group), squeeze=False, sharey=True)[0]
            y = np.arange(len(params))
            for ax, (output, strategy) in zip(axes, group, strict=True):
                rows = (
                    sobol[(sobol["output"] == output) & (sobol["strategy"] == strategy)]
                    .set_index("parameter")
                    .reindex(params)
                )
                ax.barh(y - 0.2, rows["S1"], 0.4, xerr=rows["S1_conf"], capsize=2,
                        color="#0072B2", label="first order (S1)")  # fmt: skip
                ax.barh(y + 0.2, rows["ST"], 0.4, xerr=rows["ST_conf"], capsize=2,
                        color="#E69F00", label="total (ST)")  # fmt: skip
                ax.axvline(0, color="0.3", lw=0.8)
                ax.axvspan(1.0, 10.0, color="0.92", lw=0, zorder=0)
                low = float(np.nanmin(rows[["S1", "ST"]].to_numpy(), initial=0.0))
                ax.set_xlim(min(0.0, low) - 0.05, 1.1)
                panel_title(ax, f"{label(output)} — {strategy}", len(axes))
                ax.set_xlabel("share of variance")
                ax.grid(axis="y", visible=False)
            axes[0].set_yticks(y, [label(p) for p in params])
            top_down(axes[0])
            output, strategy = group[0]
            first = sobol[(sobol["output"] == output) & (sobol["strategy"] == strategy)]
            top = first.sort_values("ST", ascending=False).iloc[0]
            finding = (
                f"{label(str(top['parameter']))} moves {label(output)} most "
                f"(total index {top['ST']:.2f} ± {top['ST_conf']:.2f})"
            )
            title(fig, finding, subtitle)
            handles, names = axes[0].get_legend_handles_labels()
            fig.legend(handles, names, loc="outside right upper", frameon=False)
            note = f"Bars: Sobol' indices at the horizon; whiskers: {CONFIDENCE:.0%} intervals."
            footnote(fig, note, " ".join(warnings))
        paths.append(save(fig, _numbered(path, k // MAX_PANELS)))
    return paths


def sobol_figure(sobol: pd.DataFrame, path: Path, title: str = "") -> Path:
    """The first of :func:`sobol_figures`."""
    return sobol_figures(sobol, path, title)[0]


def _bound(parameter: str, value: float) -> str:
    """A parameter's end for a tick label: an amount with its currency, else as given."""
    return money(value) if parameter.endswith("_eur") else f"{value:,g}"


def tornado_figures(tornado: pd.DataFrame, path: Path, subtitle: str = "") -> list[Path]:
    """One-at-a-time swings around the baseline, widest on top: one panel per
    (output, strategy), at most :data:`MAX_PANELS` a figure."""
    panels = _panels(tornado)
    paths = []
    per = TORNADO_PANELS
    for k in range(0, len(panels), per):
        group = panels[k : k + per]
        with style():
            fig = new_figure()
            axes = fig.subplots(1, len(group), squeeze=False)[0]
            for ax, (output, strategy) in zip(axes, group, strict=True):
                rows = tornado[
                    (tornado["output"] == output) & (tornado["strategy"] == strategy)
                ].sort_values("swing", ascending=True)
                base = float(rows["at_baseline"].iloc[0]) if len(rows) else 0.0
                y = np.arange(len(rows))
                ax.barh(
                    y, rows["at_low"] - base, left=base, color="#0072B2", label="at the low end"
                )
                ax.barh(y, rows["at_high"] - base, left=base, color="#D55E00", alpha=0.85,
                        label="at the high end")  # fmt: skip
                ax.set_yticks(
                    y,
                    [
                        f"{textwrap.fill(label(p), 26)}\n[{_bound(p, lo)} – {_bound(p, hi)}]"
                        for p, lo, hi in zip(
                            rows["parameter"], rows["low"], rows["high"], strict=True
                        )
                    ],
                    fontsize="small",
                )
                ax.axvline(base, color="0.2", lw=1)
                panel_title(ax, f"{label(output)} — {strategy} (baseline {base:.1f})", len(axes))
                ax.set_xlabel(f"{label(output)} at the horizon")
                ax.grid(axis="y", visible=False)
            output, strategy = group[0]
            first = tornado[(tornado["output"] == output) & (tornado["strategy"] == strategy)]
            top = first.sort_values("swing", ascending=False).iloc[0]
            finding = (
                f"{label(str(top['parameter']))} swings {label(output)} most: "
                f"{top['at_low']:.1f} to {top['at_high']:.1f} over its range"
            )
            title(fig, finding, subtitle)
            handles, names = axes[0].get_legend_handles_labels()
            fig.legend(handles, names, loc="outside right upper", frameon=False)
            footnote(
                fig, "Each parameter moved alone to its low and high end, the others at baseline."
            )
        paths.append(save(fig, _numbered(path, k // per)))
    return paths


def tornado_figure(tornado: pd.DataFrame, path: Path, title: str = "") -> Path:
    """The first of :func:`tornado_figures`."""
    return tornado_figures(tornado, path, title)[0]


def _nearest(row: pd.Series) -> tuple[float, str, str] | None:
    """A flips row's nearest change: (|move| in %, signed move, verdict there)."""
    found = []
    for side in ("below", "above"):
        move = row[f"flip_{side}_move"]
        value = row[f"flip_{side}"]
        if isinstance(value, float) and math.isnan(value):
            continue
        text = move if isinstance(move, str) and move else "?"
        size = abs(float(text.rstrip("%"))) if text != "?" else math.inf
        found.append((size, text, str(row[f"flip_{side}_verdict"])))
    return min(found, key=lambda f: f[0]) if found else None


def flips_figures(flips: pd.DataFrame, path: Path, subtitle: str = "") -> list[Path]:
    """Which assumption changes which verdict, and how near the baseline (``flips.csv``).

    One figure per pair of strategies (``flips.png``, ``flips-2.png``, ...):
    a row per assumption, a column per (context, metric); a cell shows the
    move to the nearest value tried that changes the verdict, coloured by how
    near (:data:`FLIP_BINS`), bold with ``⇄`` when the winner swaps (an
    assumption whose values are not numbers, changing it, in the farthest
    bin's colour); grey when the verdict holds over every value tried, blank
    when the assumption is another context's.
    """
    paths: list[Path] = []
    pairs = list(dict.fromkeys(zip(flips["strategy_a"], flips["strategy_b"], strict=True)))
    for k, (a, b) in enumerate(pairs):
        rows = flips[(flips["strategy_a"] == a) & (flips["strategy_b"] == b)]
        params = list(dict.fromkeys(rows["parameter"]))
        columns = list(dict.fromkeys(zip(rows["context"], rows["metric"], strict=True)))
        cells = {(r["parameter"], r["context"], r["metric"]): r for _, r in rows.iterrows()}
        nearest_all: list[tuple[float, str, str, str, str]] = []
        with style():
            fig = new_figure()
            ax = fig.subplots()
            for i, param in enumerate(params):
                for j, (context, metric) in enumerate(columns):
                    r = cells.get((param, context, metric))
                    if r is None:
                        continue
                    near = _nearest(r)
                    if near is None:  # holds; or changes at values that are not numbers
                        color = FLIP_BINS[-1][2] if r["changes"] > 0 else HOLDS_COLOR
                        text, swap = "", False
                    else:
                        size, text, verdict = near
                        color = next(c for limit, _, c in FLIP_BINS if size <= limit)
                        base = str(r["baseline_verdict"])
                        swap = verdict not in (base, NO_CLEAR) and base != NO_CLEAR
                        text = f"⇄ {text}" if swap else text
                        nearest_all.append((size, text, param, context, metric))
                    square = Rectangle((j - 0.5, i - 0.5), 1, 1, facecolor=color)
                    square.set(edgecolor="white", linewidth=1.5)
                    ax.add_patch(square)
                    if text:
                        ink = "white" if color == FLIP_BINS[0][2] else "0.1"
                        ax.text(j, i, text, ha="center", va="center", fontsize="x-small",
                                color=ink, fontweight="bold" if swap else "normal")  # fmt: skip
            ax.set_xlim(-0.5, len(columns) - 0.5)
            ax.set_ylim(len(params) - 0.5, -0.5)
            ax.set_xticks(
                range(len(columns)),
                [f"{c} — {label(m)}" for c, m in columns],
                fontsize="x-small",
                rotation=30,
                ha="right",
                rotation_mode="anchor",
            )
            ax.set_yticks(range(len(params)), [label(p) for p in params], fontsize="x-small")
            ax.grid(False)
            ax.tick_params(length=0)
            for spine in ax.spines.values():
                spine.set_visible(False)
            held = sum(1 for r in cells.values() if not r["changes"] > 0)
            finding = (
                f"{held} of {len(cells)} verdicts of {a} against {b} hold over every value tried"
            )
            if nearest_all:
                size, text, param, context, metric = min(nearest_all, key=lambda n: n[0])
                finding += (
                    f"; the nearest change: {label(metric)} ({context}) at {label(param)} "
                    f"{text.removeprefix('⇄ ')}"
                )
            title(fig, finding, subtitle)
            handles = [Patch(facecolor=c, label=name) for _, name, c in FLIP_BINS]
            handles.append(Patch(facecolor=HOLDS_COLOR, label="holds over the values tried"))
            fig.legend(handles=handles, loc="outside right upper", frameon=False,
                       title="nearest change", fontsize="small")  # fmt: skip
            footnote(
                fig,
                "Each cell: the move from the baseline to the nearest value tried at which the "
                "verdict changes (the winner swaps, marked ⇄ in bold, or it becomes or stops "
                "being no clear difference); one assumption moved at a time.",
            )
        paths.append(save(fig, _numbered(path, k)))
    return paths

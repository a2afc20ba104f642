"""Figures of sweeps and sensitivity analyses, drawn from their tables alone,
in the style of every other figure (:mod:`ssisim.plots.style`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ssisim.plots.style import save, strategy_colors, themed
from ssisim.stats import CONFIDENCE

__all__ = ["sobol_figure", "sweep_figure", "tornado_figure"]


@themed
def sweep_figure(
    at_horizon: pd.DataFrame, columns: Sequence[str], path: Path, title: str = ""
) -> Path | None:
    """Each metric at the horizon against each numeric swept key, per strategy.

    ``at_horizon`` holds summary rows (``point``, the swept columns,
    ``strategy``, ``metric``, ``mean``, ``ci_low``, ``ci_high``). Points are
    joined by lines when only one key is swept; the bars are 95% CIs.
    """
    numeric = [c for c in columns if pd.api.types.is_numeric_dtype(at_horizon[c])]
    if at_horizon.empty or not numeric:
        return None
    metrics = list(dict.fromkeys(at_horizon["metric"]))
    strategies = list(dict.fromkeys(at_horizon["strategy"]))
    colors = strategy_colors(strategies)
    fig = Figure(figsize=(4.2 * len(numeric), 3.0 * len(metrics)), layout="constrained")
    axes = fig.subplots(len(metrics), len(numeric), squeeze=False)
    for i, metric in enumerate(metrics):
        for j, column in enumerate(numeric):
            ax = axes[i][j]
            for strategy in strategies:
                rows = at_horizon[
                    (at_horizon["metric"] == metric) & (at_horizon["strategy"] == strategy)
                ].sort_values(column)
                x = rows[column].to_numpy(dtype=float)
                y = rows["mean"].to_numpy(dtype=float)
                err = np.vstack([y - rows["ci_low"], rows["ci_high"] - y])
                err = np.nan_to_num(err)
                ax.errorbar(
                    x,
                    y,
                    yerr=err,
                    fmt="o-" if len(numeric) == 1 else "o",
                    ms=4,
                    capsize=3,
                    color=colors[strategy],
                    label=strategy,
                )
            ax.set_xlabel(column)
            ax.set_ylabel(f"{metric.replace('_', ' ')} at the horizon")
            ax.grid(alpha=0.3)
    axes[0][0].legend(frameon=False, fontsize="small")
    fig.suptitle(title or f"Sweep: mean and {CONFIDENCE:.0%} CI at the horizon")
    return save(fig, path)


@themed
def sobol_figure(sobol: pd.DataFrame, path: Path, title: str = "") -> Path:
    """First-order (S1) and total (ST) Sobol' indices with their 95% intervals:
    one panel per (output, strategy)."""
    outputs = list(dict.fromkeys(sobol["output"]))
    strategies = list(dict.fromkeys(sobol["strategy"]))
    params = list(dict.fromkeys(sobol["parameter"]))
    height = max(2.2, 0.45 * len(params) + 1.0)
    fig = Figure(figsize=(5.2 * len(strategies), height * len(outputs)), layout="constrained")
    axes = fig.subplots(len(outputs), len(strategies), squeeze=False)
    y = np.arange(len(params))
    for i, output in enumerate(outputs):
        for j, strategy in enumerate(strategies):
            ax = axes[i][j]
            rows = (
                sobol[(sobol["output"] == output) & (sobol["strategy"] == strategy)]
                .set_index("parameter")
                .reindex(params)
            )
            ax.barh(y - 0.2, rows["S1"], 0.4, xerr=rows["S1_conf"], capsize=2,
                    color="C0", label="first order (S1)")  # fmt: skip
            ax.barh(y + 0.2, rows["ST"], 0.4, xerr=rows["ST_conf"], capsize=2,
                    color="C1", label="total (ST)")  # fmt: skip
            ax.set_yticks(y, params, fontsize="small")
            ax.invert_yaxis()
            ax.axvline(0, color="0.5", lw=0.8)
            ax.set_xlim(left=min(0.0, float(np.nanmin(rows[["S1", "ST"]].to_numpy())) - 0.05))
            ax.set_title(f"{output} — {strategy}", fontsize="medium")
            ax.grid(axis="x", alpha=0.3)
    axes[0][0].legend(frameon=False, fontsize="small", loc="lower right")
    fig.suptitle(title or f"Sobol' indices at the horizon ({CONFIDENCE:.0%} CI)")
    return save(fig, path)


@themed
def tornado_figure(tornado: pd.DataFrame, path: Path, title: str = "") -> Path:
    """One-at-a-time swings around the baseline: one panel per (output, strategy),
    parameters sorted by swing, widest on top."""
    outputs = list(dict.fromkeys(tornado["output"]))
    strategies = list(dict.fromkeys(tornado["strategy"]))
    n = tornado["parameter"].nunique()
    height = max(2.2, 0.4 * n + 1.0)
    fig = Figure(figsize=(5.2 * len(strategies), height * len(outputs)), layout="constrained")
    axes = fig.subplots(len(outputs), len(strategies), squeeze=False)
    for i, output in enumerate(outputs):
        for j, strategy in enumerate(strategies):
            ax = axes[i][j]
            rows = tornado[
                (tornado["output"] == output) & (tornado["strategy"] == strategy)
            ].sort_values("swing", ascending=True)
            base = float(rows["at_baseline"].iloc[0]) if len(rows) else 0.0
            y = np.arange(len(rows))
            ax.barh(y, rows["at_low"] - base, left=base, color="C0", label="at low")
            ax.barh(y, rows["at_high"] - base, left=base, color="C3", alpha=0.8, label="at high")
            ax.set_yticks(
                y,
                [
                    f"{p} [{lo:g}, {hi:g}]"
                    for p, lo, hi in zip(rows["parameter"], rows["low"], rows["high"], strict=True)
                ],
                fontsize="small",
            )
            ax.axvline(base, color="0.2", lw=0.8)
            ax.set_title(f"{output} — {strategy} (baseline {base:.1f})", fontsize="medium")
            ax.grid(axis="x", alpha=0.3)
    axes[0][0].legend(frameon=False, fontsize="small", loc="lower right")
    fig.suptitle(title or "One at a time: each parameter at its low and high end")
    return save(fig, path)

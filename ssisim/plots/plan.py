"""The trade-off of ``ssisim plan``: hours a week against the chance of reaching the target,
and against opportunities. Reads the plan's ``trials.csv`` only.

When no candidate reaches the target with the confidence asked, the left
panel shows the median score reached on the date instead of the chance (all
zeros, or nearly, would say nothing), with the target as a line: how far the
member is, and what more hours buy."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from ssisim.plots.style import footnote, save, strategy_colors, style

__all__ = ["plot_plan_tradeoff"]


def _frontier(trials: pd.DataFrame, y: str) -> pd.DataFrame:
    """The candidates no cheaper candidate beats on ``y`` (the trade-off curve)."""
    best = float("-inf")
    keep = []
    for _, row in trials.sort_values(["hours_per_week", y], ascending=[True, False]).iterrows():
        if row[y] > best:
            keep.append(row)
            best = row[y]
    return pd.DataFrame(keep)


def plot_plan_tradeoff(
    trials: pd.DataFrame,
    path: Path,
    *,
    target_ssi: float,
    confidence: float,
    chosen_trial: int | None = None,
    by: str = "",
) -> Path:
    """Draw hours a week against P(reach the target) and against opportunities per context.

    Parameters
    ----------
    trials : pandas.DataFrame
        ``trials.csv`` of a plan: ``trial``, ``hours_per_week``,
        ``probability``, ``opportunities_<context>``.
    path : Path
        The PNG to write (atomically).
    target_ssi, confidence : float
        For the titles and the confidence line.
    chosen_trial : int, optional
        The trial to highlight.
    by : str
        The date, for the title.

    Returns
    -------
    Path
    """
    contexts = [
        c.removeprefix("opportunities_")
        for c in map(str, trials.columns)
        if c.startswith("opportunities_")
    ]
    colors = strategy_colors(contexts or ["none"])
    with style():
        fig = Figure(figsize=(11, 4.6), layout="constrained")
        left, right = fig.subplots(1, 2)
        reached = bool((trials["probability"] >= confidence).any())
        y = "probability" if reached or "median_ssi" not in trials else "median_ssi"
        left.scatter(
            trials["hours_per_week"], trials[y], color="0.6", s=22, label="candidate routines"
        )
        front = _frontier(trials, y)
        left.step(
            front["hours_per_week"],
            front[y],
            where="post",
            color="tab:blue",
            linewidth=2,
            label="best chance for the hours" if y == "probability" else "best median score",
        )
        left.axhline(
            confidence if y == "probability" else target_ssi,
            color="tab:red",
            linestyle="--",
            linewidth=1,
            label=f"confidence {confidence:.0%}"
            if y == "probability"
            else f"target {target_ssi:g}",
        )
        if chosen_trial is not None and (trials["trial"] == chosen_trial).any():
            row = trials[trials["trial"] == chosen_trial].iloc[0]
            left.scatter(
                [row["hours_per_week"]],
                [row[y]],
                s=140,
                marker="*",
                color="tab:red",
                zorder=5,
                label="the plan" if reached else "the most likely routine",
            )
        left.set_xlabel("hours a week")
        when = f" on {by}" if by else ""  # judged on the date (docs/own-data.md)
        if y == "probability":
            left.set_ylabel(f"P(SSI ≥ {target_ssi:g}{when})")
            left.set_ylim(-0.03, 1.03)
            left.legend(loc="center right", fontsize="small")
            left.set_title("Chance of reaching the target", loc="left")
        else:
            top = max(float(trials[y].max()), target_ssi)
            left.set_ylabel(f"median SSI{when}")
            left.set_ylim(0, min(100.0, top * 1.1 + 1))
            left.legend(loc="lower right", fontsize="small")
            left.set_title(
                f"Out of reach: the median score reached (target {target_ssi:g})", loc="left"
            )
        for context in contexts:
            column = f"opportunities_{context}"
            right.scatter(
                trials["hours_per_week"], trials[column], s=14, alpha=0.5, color=colors[context]
            )
            f = _frontier(trials, column)
            right.step(
                f["hours_per_week"],
                f[column],
                where="post",
                color=colors[context],
                linewidth=2,
                label=context,
            )
        if chosen_trial is not None and contexts:
            row = trials[trials["trial"] == chosen_trial].iloc[0]
            for context in contexts:
                right.scatter(
                    [row["hours_per_week"]],
                    [row[f"opportunities_{context}"]],
                    s=120,
                    marker="*",
                    color=colors[context],
                    edgecolor="black",
                    zorder=5,
                )
        right.set_xlabel("hours a week")
        right.set_ylabel("opportunities by the date (mean)")
        right.set_title("Opportunities, per business context", loc="left")
        if contexts:
            right.legend(fontsize="small", title="context")
        footnote(
            fig,
            f"Points: {len(trials)} candidate routines, under common random numbers; "
            "star: the plan.\nLines: the best seen at or below each number of hours.",
        )
        return save(fig, Path(path))

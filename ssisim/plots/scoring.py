"""Figures of the scoring model: the calibration targets, and how each pillar answers to its inputs."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from ssisim.plots.style import footnote, new_figure, save, style, title, words
from ssisim.scenario.schema import PILLARS, Scoring
from ssisim.stats import CONFIDENCE

__all__ = ["plot_calibration", "plot_fit", "plot_pillar_responses"]


def plot_calibration(table: pd.DataFrame, path: Path, subtitle: str = "") -> Path:
    """Draw the calibration table: where each simulated mean falls in its target range.

    One row per target, on a common scale: 0 is the low end of the target
    range and 1 its high end (the grey band), so targets in different units
    share one 16:9 panel; the simulated mean and its 95% CI are placed on
    that scale, and written out in their unit on the right.

    Parameters
    ----------
    table : pandas.DataFrame
        The table of :func:`ssisim.experiments.calibration.calibrate` (or its CSV).
    path : Path
        The file to write (atomically).
    subtitle : str
        Under the title.

    Returns
    -------
    Path
        ``path`` (its suffix follows the format setting).
    """
    records = [
        SimpleNamespace(**{str(k): v for k, v in r.items()}) for r in table.to_dict("records")
    ]
    with style():
        fig = new_figure()
        ax = fig.subplots()
        ax.axvspan(0, 1, color="0.88", lw=0)
        limit = 1.6
        labels = []
        for i, row in enumerate(records):
            lo, hi = float(row.target_low), float(row.target_high)
            span = hi - lo if hi > lo else 1.0

            def scaled(v: float, lo: float = lo, span: float = span) -> float:
                return (
                    max(-limit + 1, min(limit, (v - lo) / span)) if math.isfinite(v) else math.nan
                )

            mean = float(row.mean)
            x = scaled(mean)
            c_lo = scaled(float(row.ci_low)) if math.isfinite(row.ci_low) else x
            c_hi = scaled(float(row.ci_high)) if math.isfinite(row.ci_high) else x
            color = "#009E73" if row.passed else "#D55E00"
            if math.isfinite(x):
                ax.errorbar([x], [i], xerr=[[max(x - c_lo, 0)], [max(c_hi - x, 0)]], fmt="o",
                            color=color, capsize=3, markersize=7)  # fmt: skip
            digits = 0 if abs(hi) >= 1000 else (2 if row.unit == "ratio" else 1)
            verdict = "✓" if row.passed else "✗"
            ax.annotate(
                f"{verdict} {mean:,.{digits}f} (target {lo:,.{digits}f}–{hi:,.{digits}f} {row.unit})",
                xy=(1.0, i),
                xycoords=("axes fraction", "data"),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                fontsize="small",
                color=color,
            )
            statement = words(str(row.statement))  # translated whole, then shortened
            labels.append(
                f"{row.id}  {statement if len(statement) <= 48 else statement[:47] + '…'}"
            )
        ax.set_yticks(range(len(records)), labels, fontsize="small")
        ax.set_ylim(len(records) - 0.5, -0.5)
        ax.set_xlim(-limit + 1, limit)
        ax.set_xticks([0, 1], ["low end\nof the target", "high end\nof the target"])
        ax.grid(axis="y", visible=False)
        passed = sum(bool(r.passed) for r in records)
        failed = [str(r.id) for r in records if not r.passed]
        finding = f"{passed} of {len(records)} calibration targets met"
        if failed:
            finding += f"; missed: {', '.join(dict.fromkeys(failed))}"
        title(fig, finding, subtitle or "The model against the published figures")
        footnote(
            fig,
            f"Simulated mean and {CONFIDENCE:.0%} CI placed within each target's range (grey); "
            "values beyond the axis are drawn at its edge.",
        )
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return save(fig, path)


def plot_fit(
    predictions: pd.DataFrame, errors: pd.DataFrame, path: Path, subtitle: str = ""
) -> Path:
    """A fit: the member's readings against the default and the fitted model, per pillar.

    Parameters
    ----------
    predictions : pandas.DataFrame
        One row per reading: ``week``, then for ``ssi`` and each pillar the
        reading, ``<name>_baseline`` and ``<name>_fitted`` (``predictions.csv``).
    errors : pandas.DataFrame
        ``score``, ``rmse_baseline``, ``rmse_fitted`` (``errors.csv``).
    path : Path
        The file to write.
    """
    rmse: Any = errors.set_index("score") if "score" in errors.columns else pd.DataFrame()
    with style():
        fig = new_figure()
        axes = fig.subplot_mosaic(
            [["ssi", PILLARS[0], PILLARS[1]], ["ssi", PILLARS[2], PILLARS[3]]]
        )
        week = predictions["week"].to_numpy(dtype=float)
        for name, ax in axes.items():
            if name not in predictions.columns:
                ax.set_visible(False)
                continue
            ax.plot(week, predictions[f"{name}_baseline"], color="0.45", ls="--", lw=2,
                    label="default model")  # fmt: skip
            ax.plot(week, predictions[f"{name}_fitted"], color="#0072B2", lw=2.4,
                    label="fitted model")  # fmt: skip
            ax.scatter(week, predictions[name], color="black", s=28, zorder=3,
                       label="your readings")  # fmt: skip
            ax.set_ylim(0, 100 if name == "ssi" else 25)
            err = ""
            if name in rmse.index:
                err = f" (error {rmse.loc[name, 'rmse_baseline']:.1f} → {rmse.loc[name, 'rmse_fitted']:.1f})"
            ax.set_title(f"{'SSI' if name == 'ssi' else name}{err}", loc="left", fontsize="medium")
            ax.set_xlabel("week of the routine")
        axes["ssi"].set_ylabel("points")
        handles, names = axes["ssi"].get_legend_handles_labels()
        fig.legend(handles, names, loc="outside right upper", frameon=False)
        finding = "Your readings against the default and the fitted model"
        if "ssi" in rmse.index:
            b, f = float(rmse.loc["ssi", "rmse_baseline"]), float(rmse.loc["ssi", "rmse_fitted"])
            finding = f"The fitted scoring cuts the SSI error from {b:.1f} to {f:.1f} points (RMSE)"
        title(fig, finding, subtitle)
        footnote(fig, "Models: means over the replications at each reading's week.")
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return save(fig, path)


def plot_pillar_responses(scoring: Scoring, path: Path) -> Path:
    """How each pillar answers to each of its inputs, one panel per input.

    Each panel shows the points an input adds to its pillar as the input
    grows from zero, the others held at zero: ``25 w / sum(w) * s(x)``, with
    ``s`` the saturation of :mod:`ssisim.pillars`. The dotted line marks the
    saturation scale (63% of the input's points for counts, all of them for
    shares).

    Parameters
    ----------
    scoring : Scoring
        Weights and scales (e.g. ``Scoring()`` or a scenario's ``scoring``).
    path : Path
        The PNG file to write (atomically).

    Returns
    -------
    Path
        ``path``.
    """
    import numpy as np

    from ssisim.pillars import INPUTS, MAX_PILLAR, SALES_NAVIGATOR_INPUTS, SHARE_INPUTS, input_score

    cols = max(len(names) for names in INPUTS.values())
    with style():
        fig = Figure(figsize=(3.0 * cols, 2.5 * len(INPUTS)), layout="constrained")
        axes = fig.subplots(len(INPUTS), cols, squeeze=False)
        for r, (pillar, names) in enumerate(INPUTS.items()):
            params = getattr(scoring, pillar)
            total = sum(getattr(params, n).weight for n in names)
            for c in range(cols):
                ax = axes[r, c]
                if c >= len(names):
                    ax.set_visible(False)
                    continue
                name = names[c]
                p = getattr(params, name)
                share = name in SHARE_INPUTS
                x = np.linspace(0.0, 1.0 if share else 4.0 * p.scale, 200)
                top = MAX_PILLAR * p.weight / total
                ax.plot(x, top * input_score(x, p.scale, share), color="tab:blue")
                ax.axvline(p.scale, color="0.5", ls=":", lw=1)
                ax.set_ylim(
                    0, MAX_PILLAR * max(getattr(params, n).weight for n in names) / total * 1.08
                )
                sn = " (Sales Navigator)" if (pillar, name) in SALES_NAVIGATOR_INPUTS else ""
                ax.set_title(f"{name}{sn}", fontsize="small")
                ax.set_xlabel(_INPUT_UNITS.get(name, ""), fontsize="x-small")
                ax.tick_params(labelsize="x-small")
                if c == 0:
                    ax.set_ylabel(f"{pillar}\npoints (of 25)", fontsize="small")
                ax.text(
                    0.97,
                    0.05,
                    f"w {p.weight:g} → max {top:.1f}\nscale {p.scale:g}",
                    transform=ax.transAxes,
                    ha="right",
                    va="bottom",
                    fontsize="x-small",
                    color="0.3",
                )
        fig.suptitle(
            "How each pillar answers to each input (others at zero); dotted: the saturation scale"
        )
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return save(fig, path)


_INPUT_UNITS: dict[str, str] = {
    "profile_completeness": "share of the profile filled",
    "posts": "posts + articles a week (trailing)",
    "engagement": "reactions + comments received a week",
    "endorsements": "endorsements received (stock)",
    "searches": "searches a week",
    "profile_views": "profiles viewed a week",
    "relevant_connections": "relevant connections",
    "acceptance_rate": "accepted / sent (trailing)",
    "lead_tools": "lead searches + views / 4, a week",
    "shares": "shares a week",
    "comments": "comments a week",
    "replies": "replies received a week",
    "inmail": "InMails a week",
    "decision_makers": "decision-maker connections",
    "multi_dm_accounts": "companies with 2+ decision makers",
    "colleagues": "colleagues among connections",
    "strong_ties": "ties at or above the strong threshold",
    "teamlink": "colleagues reachable via TeamLink",
}

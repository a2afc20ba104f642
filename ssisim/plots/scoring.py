"""Figures of the scoring model: the calibration targets, and how each pillar answers to its inputs."""

from __future__ import annotations

import math
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
from matplotlib.figure import Figure

from ssisim.plots.style import (
    save,
    style,
)
from ssisim.scenario.schema import Scoring

__all__ = ["plot_calibration", "plot_pillar_responses"]


def plot_calibration(table: pd.DataFrame, path: Path) -> Path:
    """Draw the calibration table: each target's range and the simulated mean with its CI.

    Parameters
    ----------
    table : pandas.DataFrame
        The table of :func:`ssisim.experiments.calibration.calibrate` (or its CSV).
    path : Path
        The PNG file to write (atomically).

    Returns
    -------
    Path
        ``path``.
    """
    rows = len(table)
    with style():
        fig = Figure(figsize=(9.5, 0.62 * rows + 1.2), layout="constrained")
        axes = fig.subplots(rows, 1, squeeze=False)[:, 0]
        records = [
            SimpleNamespace(**{str(k): v for k, v in r.items()}) for r in table.to_dict("records")
        ]
        for ax, row in zip(axes, records, strict=True):
            lo, hi = float(row.target_low), float(row.target_high)
            mean = float(row.mean)
            ci_lo = float(row.ci_low) if math.isfinite(row.ci_low) else mean
            ci_hi = float(row.ci_high) if math.isfinite(row.ci_high) else mean
            span = [v for v in (lo, hi, mean, ci_lo, ci_hi) if math.isfinite(v)]
            pad = 0.15 * (max(span) - min(span) or 1.0)
            ax.axvspan(lo, hi, color="0.85", lw=0)
            color = "tab:green" if row.passed else "tab:red"
            if math.isfinite(mean):
                ax.errorbar(
                    [mean],
                    [0],
                    xerr=[[mean - ci_lo], [ci_hi - mean]],
                    fmt="o",
                    color=color,
                    capsize=3,
                )
            ax.set_xlim(min(span) - pad, max(span) + pad)
            ax.set_yticks([])
            ax.set_ylim(-1, 1)
            verdict = "pass" if row.passed else "FAIL"
            ax.set_ylabel(f"{row.id}", rotation=0, ha="right", va="center", fontsize="small")
            ax.set_title(
                f"{row.statement}  [{row.unit}; {verdict}]", fontsize="small", loc="left", pad=2
            )
            ax.tick_params(axis="x", labelsize="x-small", pad=1)
        fig.suptitle("Calibration: target range (grey) and simulated mean with its 95% CI")
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

"""Figures of a run, drawn from its tables alone.

Plots read the weekly table (:func:`ssisim.results.tables.read_results`) and never
import the model or the engine, so ``ssisim plot DIR`` redraws a finished run
without simulating again. Figures are built with the object-oriented
matplotlib API (:class:`matplotlib.figure.Figure`, no ``pyplot``): nothing
changes the user's backend or global style, and nothing stays open afterwards.

Every figure shows, per strategy, the mean over replications as a line and its
95% confidence interval as a shaded band (see :mod:`ssisim.results.tables` for the
statistics). A strategy keeps the same colour in every figure.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter, MaxNLocator, StrMethodFormatter

from ssisim.errors import DataError
from ssisim.results.files import atomic_file
from ssisim.results.tables import read_results, timeseries
from ssisim.scenario.schema import PILLARS, Platform, Scoring
from ssisim.stats import CONFIDENCE

__all__ = [
    "FIGURE_NAMES",
    "plot_all",
    "plot_calibration",
    "plot_figures",
    "plot_pillar_responses",
    "strategy_colors",
]

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
        A directory written by :func:`ssisim.results.tables.write_results`.

    Returns
    -------
    list of Path
        ``run_dir/figures/<name>`` for each name of :data:`FIGURE_NAMES`,
        then of :data:`DEBATE_FIGURE_NAMES` when the directory holds
        ``outcomes_summary.csv``; existing files are replaced.

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
    paths = plot_figures(
        weekly,
        run_dir / "figures",
        title_suffix=name or "",
        boost_threshold_ssi=_DEFAULT_BOOST_THRESHOLD if threshold is None else threshold,
    )
    outcomes = run_dir / "outcomes_summary.csv"
    if outcomes.exists():  # the debate's figures, from the outcomes table
        try:
            summary = pd.read_csv(outcomes)
        except (OSError, ValueError) as exc:
            raise DataError(f"{outcomes}: cannot be read ({exc})") from None
        paths += plot_debate_figures(summary, run_dir / "figures", title_suffix=name or "")
    return paths


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
    with atomic_file(path) as tmp:  # a reader never sees half a PNG
        fig.savefig(tmp, format="png", dpi=DPI, metadata={"Software": None})
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
    with _style():
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
        return _save(fig, path)


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
    with _style():
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
        return _save(fig, path)


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


# --------------------------------------------------------------------------- the debate
# Figures of what the SSI does not measure (docs/debate.md), drawn from the
# tables of ssisim.results.outcomes, ssisim.experiments.teams and ssisim.experiments.cohort alone.

DEBATE_FIGURE_NAMES: tuple[str, ...] = (
    "ssi-vs-opportunities-per-hour.png",
    "outcomes.png",
    "network-composition.png",
)
"""The files :func:`plot_debate_figures` writes, in order."""

_ORIGIN_STYLE: dict[str, tuple[str, str]] = {
    # origin: (label, hatch); colours come from the strategy, shades from the origin
    "inbound": ("inbound (content)", ""),
    "outbound": ("outbound (warm replies)", "//"),
    "introduction": ("introductions (ties)", ".."),
    "existing": ("existing relationships", "xx"),
}


def _debate_means(summary: pd.DataFrame, context: str | None = None) -> pd.DataFrame:
    """Wide table strategy x metric of means (and ``<metric>_lo``/``_hi`` CI ends)."""
    rows = summary if context is None else summary[summary["context"] == context]
    if context is None:
        rows = rows[rows["context"] == rows["context"].iloc[0]]
    wide = rows.pivot_table(
        index="strategy", columns="metric", values=["mean", "ci_low", "ci_high"], sort=False
    )
    out = pd.DataFrame(wide["mean"]).copy()
    for m in out.columns.tolist():
        out[f"{m}_lo"] = wide["ci_low"][m]
        out[f"{m}_hi"] = wide["ci_high"][m]
    return out


def _err(frame: pd.DataFrame, metric: str) -> Any:
    import numpy as np

    mean = frame[metric].to_numpy(dtype=float)
    # the outcomes are never negative: the lower whisker stops at zero
    low_end = np.maximum(frame[f"{metric}_lo"].to_numpy(dtype=float), 0.0)
    lo = np.nan_to_num(mean - low_end, nan=0.0)
    hi = np.nan_to_num(frame[f"{metric}_hi"].to_numpy(dtype=float) - mean, nan=0.0)
    return [np.maximum(lo, 0), np.maximum(hi, 0)]


def plot_debate_figures(summary: pd.DataFrame, out_dir: Path, title_suffix: str = "") -> list[Path]:
    """Draw the debate's three figures from an outcomes summary.

    Parameters
    ----------
    summary : pandas.DataFrame
        :func:`ssisim.results.outcomes.summarize_outcomes` (or ``outcomes_summary.csv``).
    out_dir : Path
        Where to write :data:`DEBATE_FIGURE_NAMES`; created if needed.
    title_suffix : str
        Appended to the titles (e.g. the scenario name).

    Returns
    -------
    list of Path
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    strategies = list(dict.fromkeys(summary["strategy"]))
    contexts = list(dict.fromkeys(summary["context"]))
    colors = strategy_colors(strategies)
    suffix = f" — {title_suffix}" if title_suffix and title_suffix[0].isalnum() else title_suffix
    n = int(summary["n"].max()) if len(summary) else 0
    note = (
        f"Means of {n} replications; bars and whiskers: {CONFIDENCE:.0%} confidence intervals. "
        "Per hour: the opportunities the routine brings (existing relationships left out), "
        "for routines of half an hour a week or more."
    )
    figures = [
        _ssi_per_hour_figure(summary, contexts, colors, suffix, note),
        _outcomes_figure(summary, contexts, colors, suffix, note),
        _composition_figure(
            summary,
            colors,
            suffix,
            f"Means of {n} replications at the horizon. Known contacts: tie at least the known "
            "threshold (0.3 by default), people one could name; strong ties: the SSI's (0.5).",
        ),
    ]
    return [
        _save(fig, out_dir / name) for fig, name in zip(figures, DEBATE_FIGURE_NAMES, strict=True)
    ]


def _ssi_per_hour_figure(
    summary: pd.DataFrame,
    contexts: Sequence[str],
    colors: Mapping[str, Any],
    suffix: str,
    note: str,
) -> Figure:
    import numpy as np

    with _style():
        fig = Figure(figsize=(6.5 * len(contexts), 6), dpi=DPI, layout="constrained")
        axes = fig.subplots(1, len(contexts), squeeze=False)[0]
        for ax, ctx in zip(axes, contexts, strict=True):
            wide = _debate_means(summary, ctx)
            untimed = []
            # neighbours along x get their labels on opposite sides: fewer overlaps
            xs = wide["opportunities_per_hour"].dropna().sort_values()
            side = {name: k % 2 for k, name in enumerate(xs.index)}
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
                    markersize=9,
                    capsize=3,
                    label=name,
                )
                ax.annotate(
                    name,
                    (x, float(row["ssi"].iloc[0])),
                    xytext=(6, 7 if side.get(name, 0) else -15),
                    textcoords="offset points",
                )
            ax.set_ylim(0, 100)
            ax.set_xlim(left=0)
            ax.set_xlabel("opportunities per hour of routine (LinkedIn-driven)")
            ax.set_ylabel("SSI at the horizon (points, 0–100)")
            deal = _context_note(summary, ctx)
            ax.set_title(f"{ctx} context{deal}")
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
        fig.suptitle(
            f"The score against what an hour of LinkedIn brings{suffix}", fontweight="bold"
        )
        _footnote(fig, note)
    return fig


def _context_note(summary: pd.DataFrame, context: str) -> str:
    rows = summary[(summary["context"] == context) & (summary["metric"] == "opportunities")]
    value = summary[(summary["context"] == context) & (summary["metric"] == "pipeline_value_eur")]
    if rows.empty or value.empty:
        return ""
    opp, val = rows["mean"].sum(), value["mean"].sum()
    return f" (about €{val / opp:,.0f} an opportunity)" if opp > 0 else ""


def _outcomes_figure(
    summary: pd.DataFrame,
    contexts: Sequence[str],
    colors: Mapping[str, Any],
    suffix: str,
    note: str,
) -> Figure:
    names = list(colors)
    height = 0.42 * len(names) + 1.4
    with _style():
        fig = Figure(figsize=(17, height * (len(contexts) + 1)), dpi=DPI, layout="constrained")
        grid = fig.subplots(len(contexts) + 1, 3, squeeze=False)
        for r, ctx in enumerate(contexts):
            wide = _debate_means(summary, ctx).reindex(names)
            _stacked_origins(grid[r, 0], wide, colors, f"{ctx}: opportunities by origin")
            _bars(grid[r, 1], wide, "pipeline_value_eur", colors, f"{ctx}: pipeline value (€)")
            _bars(
                grid[r, 2],
                wide,
                "value_per_hour_eur",
                colors,
                f"{ctx}: pipeline value per hour (€/h)",
            )
        wide = _debate_means(summary).reindex(names)
        _bars(grid[-1, 0], wide, "hours_per_week", colors, "hours a week the routine takes")
        _bars(grid[-1, 1], wide, "pitches_received", colors, "unsolicited pitches received (year)")
        _bars(grid[-1, 2], wide, "known_contacts", colors, "known contacts at the horizon")
        # the title is the legend's: constrained layout would put an outside legend
        # on top of a suptitle (as in _header)
        _origin_legend(fig, f"What the SSI does not measure, by business context{suffix}")
        _footnote(fig, note)
    return fig


def _stacked_origins(ax: Axes, wide: pd.DataFrame, colors: Mapping[str, Any], title: str) -> None:
    names = list(wide.index)
    left = [0.0] * len(names)
    for origin, (_label, hatch) in _ORIGIN_STYLE.items():
        col = f"opportunities_{origin}"
        values = wide[col].fillna(0.0).tolist()
        alpha = 0.3 if origin == "existing" else 0.9
        for i, name in enumerate(names):
            ax.barh(
                i,
                values[i],
                left=left[i],
                color=colors[name],
                alpha=alpha,
                hatch=hatch,
                edgecolor="white",
                height=0.7,
            )
        left = [a + b for a, b in zip(left, values, strict=True)]
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_title(title, loc="left", fontsize="medium")
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))


def _origin_legend(fig: Figure, title: str) -> None:
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
        title=title,
        title_fontproperties={"weight": "bold", "size": "large"},
        loc="outside upper center",
        ncols=len(_ORIGIN_STYLE),
        frameon=False,
        fontsize="small",
    )


def _bars(ax: Axes, wide: pd.DataFrame, metric: str, colors: Mapping[str, Any], title: str) -> None:
    import numpy as np

    names = list(wide.index)
    values = wide[metric].to_numpy(dtype=float)
    shown = np.nan_to_num(values, nan=0.0)
    err = _err(wide, metric)
    ax.barh(
        range(len(names)), shown, color=[colors[n] for n in names], height=0.7, xerr=err, capsize=2
    )
    ax.set_xlim(left=0)
    for i, v in enumerate(values):
        if not np.isfinite(v):
            ax.annotate(
                "n/a", (0, i), xytext=(4, 0), textcoords="offset points", va="center", color="0.4"
            )
    ax.set_yticks(range(len(names)), names)
    ax.invert_yaxis()
    ax.set_title(title, loc="left", fontsize="medium")
    top = np.nanmax(np.abs(shown), initial=0)
    if top >= 100_000:  # compact (150k, 1.5M): long tick labels would overlap
        ax.xaxis.set_major_formatter(FuncFormatter(_compact))
    else:
        ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}" if top >= 10 else "{x:,.2f}"))


def _compact(x: float, _pos: int | None = None) -> str:
    """Tick labels like 250k or 1.5M."""
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(x) >= size:
            return f"{x / size:,.3g}{suffix}"
    return f"{x:,.0f}"


def _composition_figure(
    summary: pd.DataFrame, colors: Mapping[str, Any], suffix: str, note: str
) -> Figure:
    import numpy as np

    wide = _debate_means(summary).reindex(list(colors))
    kinds = (
        ("connections", "all connections", 0.25),
        ("relevant_connections", "relevant (target market)", 0.5),
        ("decision_maker_connections", "decision makers", 0.7),
        ("known_contacts", "known contacts (warm ties)", 0.85),
        ("strong_ties", "strong ties", 1.0),
    )
    names = list(wide.index)
    with _style():
        fig = Figure(figsize=(11, 0.9 * len(names) + 2), dpi=DPI, layout="constrained")
        ax = fig.subplots()
        step = 0.16
        for k, (metric, _label, alpha) in enumerate(kinds):
            values = np.maximum(wide[metric].to_numpy(dtype=float), 0.8)
            y = np.arange(len(names)) + (k - 2) * step
            ax.barh(y, values, height=step * 0.95, color=[colors[n] for n in names], alpha=alpha)
            for yi, v in zip(y, wide[metric].to_numpy(dtype=float), strict=True):
                ax.annotate(
                    f"{v:,.0f}",
                    (max(v, 0.8), yi),
                    xytext=(3, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize="x-small",
                )
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
        ax.set_yticks(range(len(names)), names)
        ax.invert_yaxis()
        ax.set_xlabel("contacts at the horizon (log scale)")
        ax.legend(
            handles=[Patch(facecolor="0.35", alpha=a, label=lab) for _m, lab, a in kinds],
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            ncols=len(kinds),
            frameon=False,
            fontsize="small",
        )
        fig.suptitle(f"Who is in each network, and how well known{suffix}", fontweight="bold")
        _footnote(fig, note)
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
    with _style():
        fig = Figure(figsize=(15, 6), dpi=DPI, layout="constrained")
        left, right = fig.subplots(1, 2, width_ratios=(1, 1.3))
        width = 0.8 / max(len(members), 1)
        for i, name in enumerate(members):
            rows = table[table["member"] == name].sort_values("month")
            label = f"{name} ({rows['strategy'].iloc[0]})" if len(rows) else name
            left.plot(
                rows["month"], rows["ssi"], marker="o", color=colors[name], linewidth=2, label=label
            )
            if len(rows):
                last = rows.iloc[-1]
                left.annotate(
                    f"#{int(last['rank'])}",
                    (last["month"], last["ssi"]),
                    xytext=(6, 0),
                    textcoords="offset points",
                    va="center",
                    color=colors[name],
                    fontweight="bold",
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
        for ax in (left, right):
            ax.set_xticks(months)
            ax.set_xlabel(f"month ({team.month_weeks} weeks each)")
        left.set_ylabel("SSI at the month's end (points)")
        right.set_ylabel("SSI change over the month (points)")
        left.set_title("Leaderboard: SSI and rank", loc="left")
        right.set_title("Who gained the most this month?", loc="left")
        left.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.12),
            ncols=3,
            frameon=False,
            fontsize="small",
        )
        fig.suptitle("The team's SSI competition, month by month", fontweight="bold")
        n = int(table.attrs.get("replications", 0)) if hasattr(table, "attrs") else 0
        _footnote(
            fig,
            "Means over replications"
            + (f" (n = {n})" if n else "")
            + "; rank: order of the mean SSI at each month's end.",
        )
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return _save(fig, path)


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
    with _style():
        fig = Figure(figsize=(6 * len(contexts) + 5, 6), dpi=DPI, layout="constrained")
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
            ax.set_title(f"{ctx} context: one point per seller", loc="left")
        axes[0].legend(fontsize="small", loc="upper left")
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
        ax.invert_yaxis()
        ax.set_xlabel(f"opportunities, SSI ≥ {cohort.high_ssi:g} over SSI ≤ {cohort.low_ssi:g}")
        ax.set_title("The opportunity ratio (95% CI)", loc="left")
        fig.suptitle(
            "Do social selling leaders create 45% more opportunities? (C8)", fontweight="bold"
        )
        _footnote(
            fig,
            f"{len(sellers)} sellers, one run each; intervals: percentile bootstrap over sellers.",
        )
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return _save(fig, path)


__all__ += ["DEBATE_FIGURE_NAMES", "plot_cohort", "plot_debate_figures", "plot_leaderboard"]

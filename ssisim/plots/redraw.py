"""Draw (again) every figure of a results directory, whatever kind it is.

``ssisim plot DIR`` and every command that writes results call
:func:`redraw`: the figures are always drawn from the files on disk, never
from the engine or the model, so a directory redraws the same figures at any
time (after a change of style, on another machine, after ``--no-figures``).

The kind of a directory is read from its manifest (``kind``), or else from
the files it holds:

===============  ==================================  =================================
kind             files read                          figures written
===============  ==================================  =================================
``run``          ``weekly.csv``, ``summary.csv``,    ``figures/ssi.png``, ``pillars.png``,
                 ``outcomes_summary.csv`` if any     ``network.png`` and the debate's
``team``         the same and ``leaderboard.csv``    the same and ``figures/leaderboard.png``
``sweep``        ``summary.csv``, ``manifest.json``  ``figures/sweep.png``
``sensitivity``  ``sobol.csv``, ``tornado.csv``      ``figures/sobol.png``, ``tornado.png``
``cohort``       ``sellers.csv``, ``ratio.csv``      ``cohort.png``
``calibration``  ``calibration.csv``                 ``calibration.png``
===============  ==================================  =================================
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from ssisim.errors import DataError
from ssisim.plots.debate import plot_cohort, plot_debate_figures, plot_leaderboard
from ssisim.plots.experiments import sobol_figure, sweep_figure, tornado_figure
from ssisim.plots.run import DEFAULT_BOOST_THRESHOLD, plot_figures
from ssisim.plots.scoring import plot_calibration
from ssisim.plots.style import find_number, scenario_name
from ssisim.results.tables import read_results
from ssisim.scenario.schema import Cohort, Team

__all__ = ["KINDS", "SWEEP_FIGURE_METRICS", "directory_kind", "redraw"]

KINDS: tuple[str, ...] = ("run", "team", "sweep", "sensitivity", "cohort", "calibration")
"""The kinds of results directory :func:`redraw` knows."""

SWEEP_FIGURE_METRICS: tuple[str, ...] = ("ssi", "connections", "relevant_connections")
"""What a sweep's figure shows at the horizon, against each swept key."""

# the file that tells each kind apart when the manifest does not say
_MARKERS: tuple[tuple[str, str], ...] = (
    ("calibration.csv", "calibration"),
    ("sobol.csv", "sensitivity"),
    ("sellers.csv", "cohort"),
    ("leaderboard.csv", "team"),
    ("points.csv", "sweep"),
    ("weekly.csv", "run"),
)


def _manifest(run_dir: Path) -> dict[str, Any]:
    path = run_dir / "manifest.json"
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path}: cannot be read ({exc})") from None
    return data if isinstance(data, dict) else {}


def directory_kind(run_dir: Path, manifest: Mapping[str, Any] | None = None) -> str:
    """The kind of a results directory (one of :data:`KINDS`).

    Raises
    ------
    DataError
        ``run_dir`` is not a directory, or holds no results ssisim knows.
    """
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        raise DataError(f"{run_dir}: no such results directory")
    kind = (manifest if manifest is not None else _manifest(run_dir)).get("kind")
    if kind in KINDS:
        return str(kind)
    for marker, found in _MARKERS:
        if (run_dir / marker).exists():
            return found
    raise DataError(
        f"{run_dir}: no results to draw (expected one of {', '.join(m for m, _ in _MARKERS)})"
    )


def _csv(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise DataError(f"{path}: missing file")
    try:
        return pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: cannot be read ({exc})") from None


def _block(manifest: Mapping[str, Any], key: str, model: Any, run_dir: Path) -> Any:
    scenario = manifest.get("scenario")
    block = scenario.get(key) if isinstance(scenario, Mapping) else None
    if block is None:
        raise DataError(f"{run_dir / 'manifest.json'}: scenario.{key}: missing")
    try:
        return model.model_validate(block)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise DataError(
            f"{run_dir / 'manifest.json'}: scenario.{key}.{where}: {first['msg']}"
        ) from None


def _run_figures(run_dir: Path) -> list[Path]:
    weekly, _summary, manifest = read_results(run_dir)
    name = scenario_name(manifest) or ""
    threshold = find_number(manifest, "boost_threshold_ssi")
    paths = plot_figures(
        weekly,
        run_dir / "figures",
        title_suffix=name,
        boost_threshold_ssi=DEFAULT_BOOST_THRESHOLD if threshold is None else threshold,
    )
    outcomes = run_dir / "outcomes_summary.csv"
    if outcomes.exists():  # the debate's figures, from the outcomes table
        paths += plot_debate_figures(_csv(outcomes), run_dir / "figures", title_suffix=name)
    return paths


def _sweep_figures(run_dir: Path, manifest: Mapping[str, Any]) -> list[Path]:
    summary = _csv(run_dir / "summary.csv")
    sweep = manifest.get("sweep")
    columns = list(sweep.get("columns", [])) if isinstance(sweep, Mapping) else []
    horizon = summary.groupby("point")["week"].transform("max")
    at_horizon = summary[
        (summary["week"] == horizon) & summary["metric"].isin(SWEEP_FIGURE_METRICS)
    ]
    title = scenario_name(manifest) or ""
    path = sweep_figure(at_horizon, columns, run_dir / "figures" / "sweep.png", title)
    return [] if path is None else [path]


def _sensitivity_figures(run_dir: Path, manifest: Mapping[str, Any]) -> list[Path]:
    name = scenario_name(manifest)
    prefix = f"{name}: " if name else ""
    return [
        sobol_figure(
            _csv(run_dir / "sobol.csv"),
            run_dir / "figures" / "sobol.png",
            f"{prefix}Sobol' indices",
        ),
        tornado_figure(
            _csv(run_dir / "tornado.csv"),
            run_dir / "figures" / "tornado.png",
            f"{prefix}one at a time",
        ),
    ]


def redraw(run_dir: Path) -> list[Path]:
    """Draw (again) every figure of a results directory of any kind.

    Parameters
    ----------
    run_dir : Path
        A directory written by ``ssisim run``, ``sweep``, ``sensitivity``,
        ``team``, ``cohort`` or ``calibrate``.

    Returns
    -------
    list of Path
        The figures written (existing files are replaced, each atomically).

    Raises
    ------
    DataError
        The directory or a file it needs is missing or malformed; one line.
    """
    run_dir = Path(run_dir)
    manifest = _manifest(run_dir) if run_dir.is_dir() else {}
    kind = directory_kind(run_dir, manifest)
    if kind == "calibration":
        return [plot_calibration(_csv(run_dir / "calibration.csv"), run_dir / "calibration.png")]
    if kind == "sensitivity":
        return _sensitivity_figures(run_dir, manifest)
    if kind == "sweep":
        return _sweep_figures(run_dir, manifest)
    if kind == "cohort":
        cohort = _block(manifest, "cohort", Cohort, run_dir)
        sellers, ratios = _csv(run_dir / "sellers.csv"), _csv(run_dir / "ratio.csv")
        return [plot_cohort(sellers, ratios, cohort, run_dir / "cohort.png")]
    paths = _run_figures(run_dir)
    if kind == "team":
        team = _block(manifest, "team", Team, run_dir)
        board = _csv(run_dir / "leaderboard.csv")
        paths.append(plot_leaderboard(board, team, run_dir / "figures" / "leaderboard.png"))
    return paths

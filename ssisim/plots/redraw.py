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
``sweep``        ``summary.csv``, ``manifest.json``  ``figures/sweep.png`` (one per key,
                 (one at a time: each key drawn      ``sweep-2.png``, ...)
                 with the baseline only);            and, one at a time, ``flips.png``
                 ``flips.csv`` if any
``sensitivity``  ``sobol.csv``, ``tornado.csv``      ``figures/sobol.png``, ``tornado.png``
``cohort``       ``sellers.csv``, ``ratio.csv``      ``cohort.png``
``calibration``  ``calibration.csv``                 ``calibration.png``
``fit``          ``predictions.csv``, ``errors.csv``  ``figures/fit.png``
===============  ==================================  =================================

A run's debate figures (``opportunities.png``, ``pipeline-value.png``, ...)
are titled with the paired verdicts of ``differences.csv`` (computed from
``outcomes.csv`` when the folder predates it). Figures are drawn with the
:class:`~ssisim.plots.style.Settings` given (context, format, strategies),
the currency from :func:`ssisim.plots.client.client_options`.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from ssisim.errors import DataError
from ssisim.plots.client import client_options, to_currency
from ssisim.plots.debate import plot_cohort, plot_debate_figures, plot_leaderboard
from ssisim.plots.experiments import (
    flips_figures,
    sobol_figures,
    sweep_figures,
    tornado_figures,
)
from ssisim.plots.run import DEFAULT_BOOST_THRESHOLD, plot_figures
from ssisim.plots.scoring import plot_calibration, plot_fit
from ssisim.plots.style import Settings, find_number, scenario_name, settings, using
from ssisim.results.files import atomic_file, folder_problem
from ssisim.results.flips import FLIPS_FILE, is_one_at_a_time
from ssisim.results.outcomes import MIN_HOURS_PER_WEEK
from ssisim.results.tables import read_results
from ssisim.results.verdicts import (
    DIFFERENCES_FILE,
    Verdict,
    inactive_strategies,
    paired_differences,
    verdicts,
)
from ssisim.scenario.schema import Cohort, Team

__all__ = [
    "KINDS",
    "SWEEP_FIGURE_METRICS",
    "directory_kind",
    "read_manifest",
    "read_verdicts",
    "redraw",
    "tornado_in_currency",
]

KINDS: tuple[str, ...] = ("run", "team", "sweep", "sensitivity", "cohort", "calibration", "fit")
"""The kinds of results directory :func:`redraw` knows."""

SWEEP_FIGURE_METRICS: tuple[str, ...] = ("ssi", "connections", "relevant_connections")
"""What a sweep's figure shows at the horizon, against each swept key."""

# the file that tells each kind apart when the manifest does not say
_MARKERS: tuple[tuple[str, str], ...] = (
    ("calibration.csv", "calibration"),
    ("predictions.csv", "fit"),
    ("sobol.csv", "sensitivity"),
    ("sellers.csv", "cohort"),
    ("leaderboard.csv", "team"),
    ("points.csv", "sweep"),
    ("weekly.csv", "run"),
)


def read_manifest(run_dir: Path) -> dict[str, Any]:
    """A results folder's ``manifest.json`` ({} when it has none)."""
    path = Path(run_dir) / "manifest.json"
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{path}: cannot be read ({exc})") from None
    return data if isinstance(data, dict) else {}


_manifest = read_manifest


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
    problem = folder_problem(run_dir)
    if problem is not None:
        raise DataError(problem)
    for marker, found in _MARKERS:
        if (run_dir / marker).exists():
            return found
    if (run_dir / "plan.yaml").is_file() and (run_dir / "trials.csv").is_file():
        raise DataError(
            f"{run_dir}: a plan (`ssisim plan`: plan.txt, tradeoff.png) is not a results folder; "
            f"`ssisim run {shlex.quote(str(run_dir / 'plan.yaml'))} --report` runs and reports "
            "the routine it proposes"
        )
    if (run_dir / "outcomes.csv").is_file():
        raise DataError(
            f"{run_dir}: outcomes re-valued by `ssisim outcomes` (tables and figures only); "
            "the report is the run folder's"
        )
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


def _only(frame: pd.DataFrame, column: str = "strategy") -> pd.DataFrame:
    """The rows of the strategies :func:`settings` asks for (all by default)."""
    wanted = settings().strategies
    if wanted is None or column not in frame.columns:
        return frame
    kept = frame[frame[column].isin(wanted)]
    present = list(dict.fromkeys(frame[column].astype(str)))
    # a table of every strategy names them all: a name it lacks is a typo, not a choice
    unknown = [w for w in wanted if w not in present] if column == "strategy" else []
    if kept.empty or unknown:
        what = (
            f"{', '.join(repr(w) for w in unknown)} not in the results"
            if unknown and not kept.empty
            else "none of them in the results"
        )
        raise DataError(f"--strategies {','.join(wanted)}: {what} (got {', '.join(present)})")
    return kept


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


def read_verdicts(run_dir: Path, eur_to: float | None = None) -> list[Verdict]:
    """The paired verdicts of a run folder (``differences.csv``, or from ``outcomes.csv``).

    Amounts are multiplied by ``eur_to`` (default: the figures' settings) from euros.
    """
    run_dir = Path(run_dir)
    outcomes_path = run_dir / "outcomes.csv"
    if not outcomes_path.exists():
        return []
    outcomes = _only(_csv(outcomes_path))
    path = run_dir / DIFFERENCES_FILE
    if path.exists() and settings().strategies is None:
        differences = _csv(path)
    else:
        differences = paired_differences(outcomes)
    rate = _rate() if eur_to is None else eur_to
    return verdicts(
        to_currency(differences, rate), inactive=inactive_strategies(outcomes, MIN_HOURS_PER_WEEK)
    )


def _run_figures(run_dir: Path) -> list[Path]:
    weekly, _summary, manifest = read_results(run_dir)
    weekly = _only(weekly)
    name = scenario_name(manifest) or ""
    threshold = find_number(manifest, "boost_threshold_ssi")
    found = read_verdicts(run_dir)
    ssi = [v for v in found if v.metric == "ssi"]
    paths = plot_figures(
        weekly,
        run_dir / "figures",
        title_suffix=name,
        boost_threshold_ssi=DEFAULT_BOOST_THRESHOLD if threshold is None else threshold,
        ssi_finding=_headline(ssi[0]) if ssi else "",
    )
    outcomes = run_dir / "outcomes_summary.csv"
    if outcomes.exists():  # the debate's figures, from the outcomes table
        summary = to_currency(_only(_csv(outcomes)), _rate())
        paths += plot_debate_figures(
            summary, run_dir / "figures", title_suffix=name, verdicts=found
        )
    return paths


def _headline(v: Verdict) -> str:
    text = v.phrase(interval=False, tense="present")
    return text if v.clear else text[:1].upper() + text[1:]


def _sweep_figures(run_dir: Path, manifest: Mapping[str, Any]) -> list[Path]:
    summary = to_currency(_only(_csv(run_dir / "summary.csv")), _rate())
    sweep = manifest.get("sweep")
    columns = list(sweep.get("columns", [])) if isinstance(sweep, Mapping) else []
    if not columns and (run_dir / "points.csv").exists():
        columns = [c for c in _csv(run_dir / "points.csv").columns if c != "point"]
    horizon = summary.groupby("point")["week"].transform("max")
    at_horizon = summary[
        (summary["week"] == horizon) & summary["metric"].isin(SWEEP_FIGURE_METRICS)
    ]
    title = scenario_name(manifest) or ""
    path = run_dir / "figures" / "sweep.png"
    paths = sweep_figures(
        at_horizon, columns, path, title, one_at_a_time=is_one_at_a_time(manifest)
    )
    if (run_dir / FLIPS_FILE).exists():  # a one-at-a-time sweep: where the verdicts change
        flips = _only(_csv(run_dir / FLIPS_FILE), "strategy_a")
        wanted = settings().strategies
        if wanted is not None:
            flips = flips[flips["strategy_b"].isin(wanted)]
        paths += flips_figures(flips, run_dir / "figures" / "flips.png", title)
    return paths


def _rate() -> float:
    """The figures' rate: one euro in their currency (1 in euros)."""
    return settings().eur_to or 1.0


def tornado_in_currency(tornado: pd.DataFrame, rate: float) -> pd.DataFrame:
    """A tornado table with its euro amounts (an ``*_eur`` parameter's range, an
    ``*_eur`` output's values) multiplied by ``rate``."""
    by_parameter = to_currency(tornado, rate, metric="parameter", columns=("low", "high"))
    return to_currency(
        by_parameter,
        rate,
        metric="output",
        columns=("at_baseline", "at_low", "at_high", "swing"),
    )


def _sensitivity_figures(run_dir: Path, manifest: Mapping[str, Any]) -> list[Path]:
    name = scenario_name(manifest) or ""
    tornado = tornado_in_currency(_only(_csv(run_dir / "tornado.csv")), _rate())
    return [
        *sobol_figures(_only(_csv(run_dir / "sobol.csv")), run_dir / "figures" / "sobol.png", name),
        *tornado_figures(tornado, run_dir / "figures" / "tornado.png", name),
    ]


def redraw(run_dir: Path, options: Settings | None = None) -> list[Path]:
    """Draw (again) every figure of a results directory of any kind.

    Parameters
    ----------
    run_dir : Path
        A directory written by ``ssisim run``, ``sweep``, ``sensitivity``,
        ``team``, ``cohort``, ``calibrate`` or ``fit``.
    options : Settings, optional
        Context (``paper``, ``talk``), format (``png``, ``svg``, ``pdf``),
        strategies to draw; the currency (and its rate from euros) and the
        language are the folder's (:func:`ssisim.plots.client.client_options`,
        as in its report) unless set here.

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
    chosen = options if options is not None else Settings()
    default = Settings()
    folder = client_options(  # options first, then report.yaml: the report's own settings
        run_dir,
        manifest,
        language=None if chosen.language == default.language else chosen.language,
        currency=None if chosen.currency == default.currency else chosen.currency,
        eur_to=None if chosen.eur_to is None else str(chosen.eur_to),
    )
    chosen = replace(
        chosen, currency=folder.currency, eur_to=folder.eur_to, language=folder.language
    )
    with using(chosen), _all_or_nothing(run_dir):
        return _draw(run_dir, kind, manifest)


_IMAGES = (".png", ".svg", ".pdf")


@contextmanager
def _all_or_nothing(run_dir: Path) -> Iterator[None]:
    """The folder's figures all drawn again, or left as they were.

    Each figure is written atomically, but a set drawn again (in the report's
    language, say) and stopped half-way (Ctrl-C, a full disk) would mix old
    and new figures: the images of the folder and of ``figures/`` are kept
    in memory first (a few hundred kilobytes) and put back on any failure,
    the new ones removed."""
    places = [run_dir, run_dir / "figures"]

    def images() -> dict[Path, bytes]:
        return {
            p: p.read_bytes()
            for place in places
            if place.is_dir()
            for p in place.iterdir()
            if p.suffix in _IMAGES and p.is_file()
        }

    before = images()
    try:
        yield
    except BaseException:
        try:
            for path in [p for place in places if place.is_dir() for p in place.iterdir()]:
                if path.suffix in _IMAGES and path.is_file() and path not in before:
                    path.unlink(missing_ok=True)
            for path, data in before.items():
                if not path.is_file() or path.read_bytes() != data:
                    with atomic_file(path) as tmp:
                        tmp.write_bytes(data)
        except OSError:  # the disk that failed the drawing may fail this too: its error stands
            pass
        raise


def _draw(run_dir: Path, kind: str, manifest: Mapping[str, Any]) -> list[Path]:
    name = scenario_name(manifest) or ""
    if kind == "calibration":
        return [plot_calibration(_csv(run_dir / "calibration.csv"), run_dir / "calibration.png")]
    if kind == "fit":
        return [
            plot_fit(
                _csv(run_dir / "predictions.csv"),
                _csv(run_dir / "errors.csv"),
                run_dir / "figures" / "fit.png",
                name,
            )
        ]
    if kind == "sensitivity":
        return _sensitivity_figures(run_dir, manifest)
    if kind == "sweep":
        return _sweep_figures(run_dir, manifest)
    if kind == "cohort":
        cohort = _block(manifest, "cohort", Cohort, run_dir)
        sellers = _only(_csv(run_dir / "sellers.csv"), "routine")
        ratios = _csv(run_dir / "ratio.csv")
        return [plot_cohort(sellers, ratios, cohort, run_dir / "cohort.png")]
    paths = _run_figures(run_dir)
    if kind == "team":
        team = _block(manifest, "team", Team, run_dir)
        board = _csv(run_dir / "leaderboard.csv")
        paths.append(plot_leaderboard(board, team, run_dir / "figures" / "leaderboard.png"))
    return paths

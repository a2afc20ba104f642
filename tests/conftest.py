"""Shared test helpers."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

# pandas, hypothesis and ssisim are imported where they are used: under xdist the
# process that hands out the tests imports this file too, and runs none of them.


@pytest.hookimpl(tryfirst=True)  # before hypothesis' own plugin reads --hypothesis-profile
def pytest_configure(config: pytest.Config) -> None:
    """CI replays the same examples on every run (a red main names a change, not a
    draw); locally hypothesis explores new examples each time and keeps its failures."""
    distributing = bool(config.getoption("numprocesses", None))
    if (
        distributing
        and not hasattr(config, "workerinput")  # xdist's controller: it runs no test
        and not os.environ.get("CI")
        and not config.getoption("--hypothesis-profile", None)
    ):
        return
    from hypothesis import settings

    settings.register_profile("ci", derandomize=True, print_blob=True)
    if os.environ.get("CI"):
        settings.load_profile("ci")


WriteRun = Callable[[Path, "pd.DataFrame", "pd.DataFrame", dict[str, Any]], Path]


def write_run_dir(
    out: Path, weekly: pd.DataFrame, summary: pd.DataFrame, manifest: dict[str, Any]
) -> Path:
    """A run directory as the pipeline writes one: tables and manifest, atomically."""
    from ssisim.results.files import MANIFEST_FILE, atomic_directory, write_csv, write_json
    from ssisim.results.tables import SUMMARY_FILE, WEEKLY_FILE

    with atomic_directory(out) as tmp:
        write_csv(weekly, tmp / WEEKLY_FILE)
        write_csv(summary, tmp / SUMMARY_FILE)
        write_json(tmp / MANIFEST_FILE, manifest)
    return out


@pytest.fixture
def write_run() -> WriteRun:
    """Write a run directory (weekly.csv, summary.csv, manifest.json) from tables."""
    return write_run_dir


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``ssisim ARGS`` in this process: its exit status, stdout and stderr (what
    was captured before is dropped)."""
    from ssisim.cli.main import main

    capsys.readouterr()
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def saved_figures(
    monkeypatch: pytest.MonkeyPatch, render: bool = False, layout: bool = True
) -> list[Figure]:
    """The figures saved from now on (every figure goes through ``Figure.savefig``),
    in order. Unless ``render``, no pixels are drawn and the file written is a
    PNG signature only; the figure is then laid out as saving it would
    (``layout``), or left for the caller to lay out."""
    from matplotlib.figure import Figure

    figures: list[Figure] = []
    savefig = Figure.savefig

    def keep(self: Figure, fname: object, *args: object, **kwargs: object) -> None:
        figures.append(self)
        if render:
            savefig(self, fname, *args, **kwargs)  # type: ignore[arg-type]
            return
        if layout:
            self.draw_without_rendering()  # layout and tick labels, as savefig does
        Path(str(fname)).write_bytes(b"\x89PNG\r\n\x1a\n")

    monkeypatch.setattr(Figure, "savefig", keep)
    return figures


def assert_redraws(out: Path, figures: list[str]) -> None:
    """``ssisim plot OUT`` draws the given figures again from the files alone.

    The figures are built and laid out as saving them does, but not rasterised
    (:func:`saved_figures`): the command that wrote OUT drew the same figures'
    pixels already."""
    from ssisim.cli.main import main

    for name in figures:
        (out / name).unlink()
    with pytest.MonkeyPatch.context() as patch:
        drawn = saved_figures(patch)
        try:
            main(["plot", str(out)])
        except SystemExit as exc:  # main exits only with a status to report
            assert exc.code in (0, None), exc.code
    assert len(drawn) >= len(figures)
    for name in figures:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


def synthetic_weekly(
    strategies: tuple[str, ...] = ("open-bar", "club-select"),
    replications: int = 4,
    weeks: int = 6,
) -> pd.DataFrame:
    """A weekly table without simulating: the first strategy brings clearly more leads."""
    import typing

    from ssisim.records import WeekRecord
    from ssisim.results.tables import weekly_frame

    zeros = {c: t() for c, t in typing.get_type_hints(WeekRecord).items()}
    records = []
    for s, name in enumerate(strategies):
        for rep in range(replications):
            for week in range(weeks + 1):
                flows = week > 0
                lead = (3 - s) * int(flows) + (rep % 2)
                records.append(
                    WeekRecord(
                        **{
                            **zeros,
                            "strategy": name,
                            "replication": rep,
                            "week": week,
                            "ssi": 20.0 + week * (4 + s) + rep * 0.3,
                            "brand": 5.0 + week,
                            "people": 5.0 + week * (1 + s),
                            "insights": 4.0 + week,
                            "relationships": 6.0 + week,
                            "connections": 150 + week * (40 - 15 * s),
                            "relevant_connections": 30 + week * (5 + 5 * s),
                            "decision_maker_connections": 3 + week,
                            "known_contacts": 20 + week * (1 + s),
                            "strong_ties": 5 + s * week,
                            "leads_inbound": lead,
                            "leads_inbound_dm": lead // 2,
                            "leads_inbound_dm_warm": lead // 3,
                            "leads_outbound": lead,
                            "leads_outbound_dm": lead // 2,
                            "leads_existing": int(flows),
                            "leads_existing_dm": int(flows),
                            "hours": (2.0 + s) if flows else 0.0,
                            "pitches_received": (2 - s) * int(flows),
                        }
                    )
                )
    return weekly_frame(records, list(strategies))


def synthetic_fit_tables(out: Path, rmse_baseline: float = 9.15, rmse_fitted: float = 1.25) -> Path:
    """A fit folder's tables (``predictions.csv``, ``errors.csv``, ``parameters.csv``)
    in ``out`` (made if missing): four readings, the SSI and each pillar rising, the
    defaults' prediction flat, the fitted one near the readings; a parameter row per
    note the fit can write."""
    import pandas as pd

    out.mkdir(parents=True, exist_ok=True)
    weeks = [0, 4, 8, 12]
    table: dict[str, list[object]] = {
        "date": ["2025-01-06", "2025-02-03", "2025-03-03", "2025-03-31"],
        "week": list(weeks),
    }
    for name, top in (
        ("ssi", 60.0),
        ("brand", 15.0),
        ("people", 15.0),
        ("insights", 12.0),
        ("relationships", 14.0),
    ):
        table[name] = [top * (0.5 + w / 24) for w in weeks]
        table[f"{name}_baseline"] = [top * 0.8 for _ in weeks]
        table[f"{name}_fitted"] = [top * (0.52 + w / 25) for w in weeks]
    pd.DataFrame(table).to_csv(out / "predictions.csv", index=False)
    pd.DataFrame(
        {
            "score": ["ssi", "brand"],
            "readings": [4, 4],
            "rmse_baseline": [rmse_baseline, 2.0],
            "rmse_fitted": [rmse_fitted, 0.4],
        }
    ).to_csv(out / "errors.csv", index=False)
    from ssisim.experiments.fit import _NOTE_CODES  # every note the table can hold

    notes = ["", *_NOTE_CODES]
    pd.DataFrame(
        {
            "pillar": ["brand", "people", "insights", "relationships", "brand"][: len(notes)],
            "input": ["posts", "lead_tools", "comments", "teamlink", "endorsements"][: len(notes)],
            "weight_baseline": [0.25] * len(notes),
            "weight_fitted": [0.31] * len(notes),
            "scale_baseline": [1.5] * len(notes),
            "scale_fitted": [0.9] * len(notes),
            "fitted": ["weight, scale", "", "scale", "weight", "weight, scale"][: len(notes)],
            "note": notes,
        }
    ).to_csv(out / "parameters.csv", index=False)
    return out


def synthetic_run_dir(out: Path, **kwargs: Any) -> Path:
    """A complete run folder (tables, outcomes, manifest, figures) from :func:`synthetic_weekly`."""
    from ssisim.plots.redraw import redraw
    from ssisim.results.files import manifest
    from ssisim.results.outcomes import write_outcomes
    from ssisim.results.tables import summarize
    from ssisim.scenario.loading import parse_scenario

    weekly = synthetic_weekly(**kwargs)
    names = list(dict.fromkeys(weekly["strategy"]))
    weeks = int(weekly["week"].max())
    sc = parse_scenario(
        f"name: bank-cisos\ndescription: Three routines for selling to CISOs at banks.\n"
        f"weeks: {weeks}\nreplications: {weekly['replication'].nunique()}\n"
        f"population: {{size: 1500}}\nstrategies: [{', '.join(names)}]\n"
        "platform: {boost_threshold_ssi: 65}\n"
    )
    summary = summarize(weekly, [weeks], names)
    write_run_dir(out, weekly, summary, manifest("run", sc))
    write_outcomes(out, weekly, sc.contexts, weeks)
    redraw(out)
    return out


@pytest.fixture(scope="session")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One synthetic run folder for the report's tests (read only: copy it to change it).

    Built once per test session, not once per xdist worker: the first worker to
    need it draws it (its figures are most of the cost) in the directory the
    workers' temporary directories share, the others wait for it and read it."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return synthetic_run_dir(tmp_path_factory.mktemp("report") / "run")
    import fcntl
    import shutil

    shared = tmp_path_factory.getbasetemp().parent  # this session's, one per run
    folder = shared / "run_folder"
    with open(shared / "run_folder.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if not folder.is_dir():
            building = shared / "run_folder.building"
            shutil.rmtree(building, ignore_errors=True)
            synthetic_run_dir(building / "run")
            (building / "run").rename(folder)
    return folder

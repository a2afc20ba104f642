"""Tests for ssisim.plots: figures drawn from a results directory, and redrawn from its files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import write_run_dir

from ssisim.errors import DataError
from ssisim.plots.redraw import redraw as plot_all
from ssisim.plots.run import FIGURE_NAMES, plot_figures
from ssisim.plots.style import strategy_colors
from ssisim.records import WEEKLY_COLUMNS, WeekRecord
from ssisim.results.tables import summarize, weekly_frame

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
ORDER = ("open-bar", "club-select")


def _weekly(replications: int = 3, weeks: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    records = []
    for i, strategy in enumerate(ORDER):
        for rep in range(replications):
            for week in range(weeks + 1):
                pillars = np.clip(3.0 + (2 + i) * week + rng.normal(0, 1, 4), 0, 25)
                fields: dict[str, Any] = dict.fromkeys(WEEKLY_COLUMNS, 0)
                fields.update(
                    strategy=strategy,
                    replication=rep,
                    week=week,
                    ssi=float(pillars.sum()),
                    brand=float(pillars[0]),
                    people=float(pillars[1]),
                    insights=float(pillars[2]),
                    relationships=float(pillars[3]),
                    connections=150 + (80 - 60 * i) * week + rep,
                    relevant_connections=30 + (8 + 4 * i) * week,
                    acceptance_rate=0.3,
                    boosted=bool(pillars.sum() > 70),
                )
                records.append(WeekRecord(**fields))
    return weekly_frame(records, ORDER)


def _assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert len(data) > 10_000, path  # a blank 120-dpi canvas alone is a few kB
    assert data.startswith(PNG_MAGIC), path


def test_plot_all_writes_and_rewrites_the_figures(tmp_path: Path) -> None:
    weekly = _weekly()
    run = write_run_dir(
        tmp_path / "run",
        weekly,
        summarize(weekly, [6]),
        {"scenario": {"name": "demo", "platform": {"boost_threshold_ssi": 60}}},
    )
    paths = plot_all(run)
    assert paths == [run / "figures" / name for name in FIGURE_NAMES]
    assert [p.name for p in paths] == ["ssi.png", "pillars.png", "network.png"]
    for path in paths:
        _assert_png(path)

    for path in paths:
        path.write_bytes(b"stale")
    assert plot_all(run) == paths
    for path in paths:
        _assert_png(path)
    # No temporary files left beside the figures.
    assert sorted(p.name for p in (run / "figures").iterdir()) == sorted(FIGURE_NAMES)


def test_plot_figures_with_one_replication(tmp_path: Path) -> None:
    # n = 1: no confidence band, the lines must still be drawn.
    paths = plot_figures(_weekly(replications=1, weeks=2), tmp_path / "figs", " — one run")
    for path in paths:
        _assert_png(path)


def test_plot_figures_refuses_an_empty_table(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no rows to plot"):
        plot_figures(_weekly().iloc[:0], tmp_path)


def test_plot_all_reports_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such results directory"):
        plot_all(tmp_path / "nowhere")


def test_strategy_colors_are_stable_and_distinct() -> None:
    colors = strategy_colors(["a", "b", "c"])
    assert list(colors) == ["a", "b", "c"]
    assert len(set(colors.values())) == 3
    assert strategy_colors(["a", "b", "c"]) == colors

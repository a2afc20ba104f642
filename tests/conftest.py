"""Shared test helpers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from ssisim.results.files import MANIFEST_FILE, atomic_directory, write_csv, write_json
from ssisim.results.tables import SUMMARY_FILE, WEEKLY_FILE

WriteRun = Callable[[Path, pd.DataFrame, pd.DataFrame, dict[str, Any]], Path]


def write_run_dir(
    out: Path, weekly: pd.DataFrame, summary: pd.DataFrame, manifest: dict[str, Any]
) -> Path:
    """A run directory as the pipeline writes one: tables and manifest, atomically."""
    with atomic_directory(out) as tmp:
        write_csv(weekly, tmp / WEEKLY_FILE)
        write_csv(summary, tmp / SUMMARY_FILE)
        write_json(tmp / MANIFEST_FILE, manifest)
    return out


@pytest.fixture
def write_run() -> WriteRun:
    """Write a run directory (weekly.csv, summary.csv, manifest.json) from tables."""
    return write_run_dir


def assert_redraws(out: Path, figures: list[str]) -> None:
    """``ssisim plot OUT`` draws the given figures again from the files alone."""
    from ssisim.cli.main import main

    for name in figures:
        (out / name).unlink()
    try:
        main(["plot", str(out)])
    except SystemExit as exc:  # main exits only with a status to report
        assert exc.code in (0, None), exc.code
    for name in figures:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name

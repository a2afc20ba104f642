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

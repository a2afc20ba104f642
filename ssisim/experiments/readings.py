"""Readings from where people keep them: the latest one, for a member's week-0 score."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ssisim.experiments.fit import read_readings
from ssisim.scenario.schema import PILLARS

__all__ = ["latest_reading"]


def latest_reading(path: str | Path) -> dict[str, Any]:
    """The last reading of a readings file: ``date`` (ISO), ``ssi`` and the pillars."""
    frame = read_readings(path)
    last = frame.iloc[-1]
    return {
        "date": last["date"].date().isoformat(),
        **{k: float(last[k]) for k in ("ssi", *PILLARS)},
    }

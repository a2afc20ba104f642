"""The figures' text: in the report's language, and readable on a slide (talk context)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from ssisim.plots.redraw import redraw
from ssisim.plots.style import Settings


def _drawn(monkeypatch: pytest.MonkeyPatch) -> list[Figure]:
    """The figures saved from now on (every figure goes through Figure.savefig)."""
    figures: list[Figure] = []
    savefig = Figure.savefig

    def keep(self: Figure, *args: object, **kwargs: object) -> None:
        figures.append(self)
        savefig(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Figure, "savefig", keep)
    return figures


def _titles(figures: list[Figure]) -> list[str]:
    return [" ".join(f._suptitle.get_text().split()) for f in figures if f._suptitle]


def test_a_french_report_draws_french_figures(run_folder: Path, tmp_path: Path, monkeypatch):
    folder = tmp_path / "run"
    shutil.copytree(run_folder, folder)
    figures = _drawn(monkeypatch)
    redraw(folder, Settings(language="en"))
    english = _titles(figures)
    labels_en = {a.get_ylabel() for f in figures for a in f.axes if a.get_ylabel()}
    figures.clear()
    (folder / "report.yaml").write_text("language: fr\n")  # as the report reads it
    redraw(folder)
    french = _titles(figures)
    labels_fr = {a.get_ylabel() for f in figures for a in f.axes if a.get_ylabel()}
    assert len(french) == len(english) >= 8
    assert not set(english) & set(french), "an English title in a French figure"
    assert all(en != fr for en, fr in zip(english, french, strict=True))
    assert "semaines depuis le début" in {a.get_xlabel() for f in figures for a in f.axes}
    assert len(labels_fr - labels_en) >= len(labels_en) // 2

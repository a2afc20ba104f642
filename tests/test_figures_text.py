"""The figures' text readable on a slide (talk context); French figures: tests/test_french.py."""

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


def _overlaps(fig: Figure) -> list[tuple[str, str]]:
    """Pairs of drawn texts whose boxes overlap (a title's reserved blank line left out)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text
    from matplotlib.transforms import Bbox

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    hidden: set[int] = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            drawn = {id(t.label1) for t in axis._update_ticks()} | {
                id(t.label2) for t in axis._update_ticks()
            }
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                hidden |= {id(t) for t in (tick.label1, tick.label2) if id(t) not in drawn}
    boxes = []
    for text in fig.findobj(Text):
        words = text.get_text()
        if not words.strip() or not text.get_visible() or id(text) in hidden:
            continue
        box = text.get_window_extent(renderer)
        if words.endswith("\n"):  # a title's blank last line: the subtitle's place
            box = Bbox.from_extents(box.x0, box.y0 + box.height / (words.count("\n") + 1),
                                    box.x1, box.y1)  # fmt: skip
        boxes.append((words, box))
    out = []
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1 :]:
            both = Bbox.intersection(box_a, box_b)
            if both is not None and both.width > 1 and both.height > 1:
                out.append((a[:40], b[:40]))
    return out


def _team_and_sweep(tmp_path: Path) -> None:
    """A team's leaderboard and a sweep's figure, from small synthetic tables."""
    import numpy as np
    import pandas as pd

    from ssisim.plots.debate import plot_leaderboard
    from ssisim.plots.experiments import sweep_figures
    from ssisim.scenario.schema import Team

    names = ["alice", "bruno", "chloe", "david", "emma"]
    routines = ["open-bar", "club-select", "linkedin-playbook", "beginner", "zoom"]
    team = Team.model_validate(
        {"members": [{"name": n, "strategy": s} for n, s in zip(names, routines, strict=True)]}
    )
    rows = []
    for month in range(1, 14):
        ssi = {n: 20 + month * (2 + k) + (k % 2) for k, n in enumerate(names)}
        order = sorted(names, key=lambda n: -ssi[n])
        for n, s in zip(names, routines, strict=True):
            rows.append({"month": month, "week": 4 * month, "member": n, "strategy": s,
                         "ssi": ssi[n], "ssi_change": 2 + names.index(n),
                         "rank": order.index(n) + 1})  # fmt: skip
    plot_leaderboard(pd.DataFrame(rows), team, tmp_path / "leaderboard.png")
    sweep = []
    for point, value in enumerate(np.linspace(10, 100, 5)):
        for s in ("open-bar", "club-select"):
            for metric in ("ssi", "connections", "relevant_connections"):
                mean = value * (1.5 if s == "open-bar" else 1.0)
                sweep.append({"point": point, "strategies.open-bar.invites_per_week": value,
                              "strategy": s, "metric": metric, "mean": mean,
                              "ci_low": mean - 3, "ci_high": mean + 3})  # fmt: skip
    sweep_figures(pd.DataFrame(sweep), ["strategies.open-bar.invites_per_week"],
                  tmp_path / "sweep.png", "a sweep")  # fmt: skip


def test_talk_figures_are_16_by_9_without_overlapping_text(
    run_folder: Path, tmp_path: Path, monkeypatch
):
    from ssisim.plots.style import using

    folder = tmp_path / "run"
    shutil.copytree(run_folder, folder)
    figures = _drawn(monkeypatch)
    redraw(folder, Settings(context="talk"))
    with using(Settings(context="talk")):
        _team_and_sweep(tmp_path)
    assert len(figures) >= 11
    for fig in figures:
        width, height = fig.get_size_inches()
        name = fig._suptitle.get_text() if fig._suptitle else "?"
        assert width / height == pytest.approx(16 / 9, rel=1e-3), name
        assert width >= 13, name  # a slide's 13.33 inches: large type stays large
        assert _overlaps(fig) == [], name

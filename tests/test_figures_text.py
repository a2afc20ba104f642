"""The figures' text readable on a slide (talk context); French figures: tests/test_french.py."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import saved_figures
from matplotlib.backend_bases import RendererBase
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from ssisim.plots.redraw import redraw
from ssisim.plots.style import Settings


def _layout(fig: Figure) -> RendererBase:
    """Lay the figure out as saving it does (no pixels drawn); its renderer."""
    fig.draw_without_rendering()
    return fig._get_renderer()  # type: ignore[attr-defined]


def _text_boxes(fig: Figure, renderer: RendererBase) -> list[tuple[str, Bbox]]:
    """Every drawn text's box (tick labels matplotlib hides left out; a title's reserved
    blank line, the subtitle's place, left out)."""
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
    return boxes


def _marker_boxes(fig: Figure, renderer: RendererBase) -> list[tuple[str, Bbox]]:
    """Every data marker (lines' markers, error bars' caps, scatter points), clipped to its
    axes as drawn, and every legend handle: a box each."""
    px = fig.dpi / 72.0
    out: list[tuple[str, Bbox]] = []

    def add(name: str, x: float, y: float, size: float, clip: Bbox | None) -> None:
        if not (np.isfinite(x) and np.isfinite(y)):
            return
        box: Bbox | None = Bbox.from_extents(x - size / 2, y - size / 2, x + size / 2, y + size / 2)
        if clip is not None:
            box = Bbox.intersection(box, clip)
        if box is not None and box.width > 0 and box.height > 0:
            out.append((name, box))

    for ax in fig.axes:
        if not ax.get_visible():
            continue
        frame = ax.get_window_extent(renderer)
        for line in ax.get_lines():
            marker = line.get_marker()
            if not line.get_visible() or marker in (None, "", " ", "None", "none"):
                continue
            xy = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
            clip = frame if line.get_clip_on() else None
            for x, y in xy:
                add(f"marker {line.get_label()}", x, y, line.get_markersize() * px, clip)
        for coll in ax.collections:
            if not isinstance(coll, PathCollection) or not coll.get_visible():
                continue
            xy = coll.get_offset_transform().transform(np.asarray(coll.get_offsets(), dtype=float))
            sizes = np.sqrt(np.broadcast_to(coll.get_sizes(), (len(xy),))) * px
            clip = frame if coll.get_clip_on() else None
            for (x, y), size in zip(xy, sizes, strict=True):
                add(f"point {coll.get_label()}", x, y, size, clip)
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes)]
    for legend in legends:
        if legend is None or not legend.get_visible():
            continue
        # each entry is a row (handle's drawing area, label) of a column of the legend
        for column in legend._legend_handle_box.get_children():
            for entry in column.get_children():
                handle_area = entry.get_children()[0]
                out.append((f"legend handle of {legend.get_title().get_text()[:20]}",
                            handle_area.get_window_extent(renderer)))  # fmt: skip
    return out


def _collide(
    a: list[tuple[str, Bbox]], b: list[tuple[str, Bbox]] | None = None
) -> list[tuple[str, str]]:
    """The pairs (a box of ``a``, a later box of ``a`` or any of ``b``) whose
    intersection (:meth:`Bbox.intersection`) is more than a pixel wide and high, in
    that order; every pair compared at once."""
    others = a if b is None else b
    if not a or not others:
        return []

    def extents(boxes: list[tuple[str, Bbox]]) -> np.ndarray:
        return np.array([(box.xmin, box.ymin, box.xmax, box.ymax) for _, box in boxes])

    ea, eb = extents(a)[:, None, :], extents(others)[None, :, :]
    width = np.minimum(ea[..., 2], eb[..., 2]) - np.maximum(ea[..., 0], eb[..., 0])
    height = np.minimum(ea[..., 3], eb[..., 3]) - np.maximum(ea[..., 1], eb[..., 1])
    hit = (width > 1) & (height > 1)
    if b is None:  # each pair once: a box against the boxes after it
        hit &= np.triu(np.ones_like(hit), k=1)
    return [(a[i][0][:40], others[j][0][:40]) for i, j in zip(*np.nonzero(hit), strict=True)]


def _overlaps(fig: Figure) -> list[tuple[str, str]]:
    """Pairs of drawn texts whose boxes overlap, markers or legend handles on a text, and
    texts cut by the figure's edge."""
    renderer = _layout(fig)
    texts = _text_boxes(fig, renderer)
    page = fig.bbox.padded(1.0)
    cut = [("cut at the figure's edge", words[:40]) for words, box in texts
           if not page.containsx(box.x0) or not page.containsx(box.x1)
           or not page.containsy(box.y0) or not page.containsy(box.y1)]  # fmt: skip
    return cut + _collide(texts) + _collide(_marker_boxes(fig, renderer), texts)


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


@pytest.mark.parametrize(
    "language", ["en", pytest.param("fr", marks=pytest.mark.slow)]
)  # French: the same figures, longer words (the French text: tests/test_french.py)
def test_talk_figures_are_16_by_9_without_overlapping_text(
    language: str, run_folder: Path, tmp_path: Path, monkeypatch
):
    from ssisim.plots.style import using

    folder = tmp_path / "run"
    shutil.copytree(run_folder, folder)
    figures = saved_figures(monkeypatch, layout=False)
    redraw(folder, Settings(context="talk", language=language))
    with using(Settings(context="talk", language=language)):
        _team_and_sweep(tmp_path)
    assert len(figures) >= 11
    for fig in figures:
        width, height = fig.get_size_inches()
        name = fig._suptitle.get_text() if fig._suptitle else "?"
        assert width / height == pytest.approx(16 / 9, rel=1e-3), name
        assert width >= 13, name  # a slide's 13.33 inches: large type stays large
        assert _overlaps(fig) == [], name


def test_the_check_sees_a_marker_under_a_text_and_a_text_cut():
    from ssisim.plots.style import new_figure

    fig = new_figure()
    ax = fig.subplots()
    ax.plot([0.5], [0.5], "o", markersize=12)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    assert _overlaps(fig) == []
    ax.text(0.5, 0.5, "on the marker", ha="center", va="center")
    assert _overlaps(fig) == [("marker _child0", "on the marker")]
    fig.text(0.99, 0.01, "past the edge")
    assert ("cut at the figure's edge", "past the edge") in _overlaps(fig)


@pytest.mark.parametrize(
    "language", ["en", pytest.param("fr", marks=pytest.mark.slow)]
)  # French: the same figures, longer words (the French text: tests/test_french.py)
@pytest.mark.parametrize("kind", ["sensitivity", "cohort", "calibration", "fit"])
def test_talk_figures_of_every_other_kind(
    kind: str, language: str, run_folder: Path, tmp_path: Path, monkeypatch
):
    from test_french import kind_folder

    folder = kind_folder(kind, run_folder, tmp_path)
    figures = saved_figures(monkeypatch, layout=False)
    redraw(folder, Settings(context="talk", language=language))
    assert figures
    for fig in figures:
        width, height = fig.get_size_inches()
        name = fig._suptitle.get_text() if fig._suptitle else "?"
        assert width / height == pytest.approx(16 / 9, rel=1e-3), name
        assert width >= 13, name
        assert _overlaps(fig) == [], name

"""The explorer's figures and tables, drawn with Bokeh from a :class:`~ssisim.explore.model.Picture`.

Every figure takes its colours from :func:`ssisim.plots.style.strategy_colors`:
a strategy has the same colour on the page as in every figure of the
project. Figures are built once per list of strategies (:class:`Charts`); a
new picture refills their data sources, and replaying the year moves the
week markers and refills the network drawings, without rebuilding anything.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from bokeh.models import ColumnDataSource, FactorRange, HoverTool, Range1d
from bokeh.models.annotations import Span, Title
from bokeh.plotting import figure
from matplotlib.colors import to_hex

from ssisim.explore.model import NUMBER_LABELS, NUMBERS, Picture
from ssisim.explore.runs import CONTACT_KINDS, NetworkTrace
from ssisim.plots.style import strategy_colors
from ssisim.results.outcomes import ORIGINS
from ssisim.scenario.schema import PILLARS

__all__ = [
    "KIND_COLORS",
    "Charts",
    "HiddenCharts",
    "LineChart",
    "NetworkDrawing",
    "colors_of",
    "hidden_table",
    "numbers_table",
]

KIND_COLORS: dict[str, str] = {
    "decision maker": "#B2182B",
    "relevant": "#2166AC",
    "other": "#A0A0A0",
}
"""A contact's colour in the network drawings, by :data:`~ssisim.explore.runs.CONTACT_KINDS`."""

GOLDEN_ANGLE = math.pi * (3.0 - math.sqrt(5.0))
MAX_DRAWN_SECOND_DEGREE = 2_500
ORIGIN_COLORS = ("#4477AA", "#EE6677", "#228833", "#BBBBBB")


def _scalar(value: Any) -> float:
    """A table cell as a float (NaN when missing)."""
    return float(value) if value is not None else float("nan")


def _title(fig: Any) -> Title:
    title = fig.title
    assert isinstance(title, Title)
    return title


def colors_of(names: Sequence[str]) -> dict[str, str]:
    """Each strategy's colour as a hex string (:func:`ssisim.plots.style.strategy_colors`)."""
    return {name: to_hex(rgb) for name, rgb in strategy_colors(list(names)).items()}


def _figure(title: str, height: int, y_range: tuple[float, float] | None = None) -> Any:
    fig = figure(
        title=title,
        height=height,
        sizing_mode="stretch_width",
        toolbar_location=None,
        tools="",
        x_axis_label="week",
    )
    if y_range is not None:
        fig.y_range = Range1d(start=y_range[0], end=y_range[1])
    _title(fig).text_font_size = "12pt"
    fig.xgrid.grid_line_alpha = 0.3
    fig.ygrid.grid_line_alpha = 0.3
    return fig


class LineChart:
    """A metric's mean and 95% band over the weeks, one colour per strategy, and a
    week marker; :meth:`show` refills it from another picture of the same strategies."""

    def __init__(
        self,
        names: Sequence[str],
        metric: str,
        title: str,
        height: int = 260,
        y_range: tuple[float, float] | None = None,
        legend: bool = False,
    ) -> None:
        self.metric = metric
        self.figure = _figure(title, height, y_range)
        colors = colors_of(names)
        self.sources: dict[str, ColumnDataSource] = {}
        for name in names:
            source = ColumnDataSource({"week": [], "mean": [], "low": [], "high": []})
            self.figure.varea(
                "week", "low", "high", source=source, fill_color=colors[name], fill_alpha=0.2
            )
            extra = {"legend_label": name} if legend else {}
            self.figure.line(
                "week", "mean", source=source, line_color=colors[name], line_width=2.5, **extra
            )
            self.sources[name] = source
        if legend:
            self.figure.legend.location = "top_left"
            self.figure.legend.background_fill_alpha = 0.6
        self.marker = Span(location=0, dimension="height", line_color="#444444", line_dash="dashed")
        self.figure.add_layout(self.marker)

    def fill(self, parts: Mapping[Any, pd.DataFrame], empty: pd.DataFrame) -> None:
        """Refill from a picture's bands split by (metric, strategy); ``empty`` for a missing one."""
        for name, source in self.sources.items():
            part = parts.get((self.metric, name), empty.iloc[0:0])
            source.data = {
                "week": part["week"].to_numpy(),
                "mean": part["mean"].to_numpy(),
                "low": part["ci_low"].fillna(part["mean"]).to_numpy(),
                "high": part["ci_high"].fillna(part["mean"]).to_numpy(),
            }


def _fmt(metric: str, value: float) -> str:
    if value is None or not np.isfinite(value):
        return "–"
    if metric == "relevant_share":
        return f"{value:.0%}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.1f}"


def _delta(metric: str, value: float) -> str:
    if value is None or not np.isfinite(value) or abs(value) < 1e-9:
        return ""
    sign = "+" if value > 0 else "−"
    text = f"{abs(value) * 100:.0f} pts" if metric == "relevant_share" else _fmt(metric, abs(value))
    if text.strip("0.% pts") == "":  # rounds to nothing: no sign on a zero ("−0 pts")
        return ""
    return f"{sign}{text}"


def numbers_table(picture: Picture, week: int, change: pd.DataFrame | None = None) -> str:
    """The numbers at ``week`` as an HTML table (``id="numbers"``), with the
    change since the previous picture when given."""
    table = picture.numbers(week)
    colors = colors_of(picture.strategies)
    head = "".join(
        f'<th><span class="swatch" style="background:{colors[n]}"></span>{html.escape(n)}</th>'
        + ("<th class='delta'>Δ</th>" if change is not None else "")
        for n in picture.strategies
    )
    body = []
    for metric in NUMBERS:
        cells = []
        for name in picture.strategies:
            value = _scalar(table.loc[name, metric])
            cells.append(f'<td data-strategy="{html.escape(name)}">{_fmt(metric, value)}</td>')
            if change is not None:
                d = _scalar(change.loc[name, metric]) if name in change.index else float("nan")
                cells.append(f"<td class='delta'>{_delta(metric, d)}</td>")
        body.append(
            f'<tr data-metric="{metric}"><th>{NUMBER_LABELS[metric]}</th>{"".join(cells)}</tr>'
        )
    return (
        f'<table id="numbers" class="numbers" data-run="{picture.run}" data-week="{week}">'
        f"<caption>week {week}: mean of {picture.scenario.replications} replications"
        f"</caption><thead><tr><th></th>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def hidden_table(wide: pd.DataFrame, picture: Picture, week: int, currency: str = "€") -> str:
    """What the SSI hides, per strategy and context, as an HTML table (``id="hidden"``)."""
    colors = colors_of(picture.strategies)
    rows = []
    for rec in wide.to_dict("records"):
        name = str(rec["strategy"])
        value_h = rec.get("value_per_hour_eur")
        per_hour = (
            f"{currency}{value_h:,.0f}" if value_h is not None and np.isfinite(value_h) else "–"
        )
        rows.append(
            "<tr>"
            f'<th><span class="swatch" style="background:{colors.get(name, "#888")}"></span>'
            f"{html.escape(name)}</th><td>{html.escape(str(rec['context']))}</td>"
            f"<td>{rec['opportunities_inbound']:.1f}</td><td>{rec['opportunities_outbound']:.1f}</td>"
            f"<td>{rec['opportunities_introduction']:.1f}</td>"
            f"<td>{rec['opportunities_existing']:.1f}</td>"
            f"<td>{per_hour}</td><td>{rec['hours_per_week']:.1f}</td>"
            f"<td>{rec['pitches_received']:,.0f}</td></tr>"
        )
    return (
        f'<table id="hidden" class="numbers"><caption>weeks 1–{week}: what the SSI does not '
        "count (opportunities by origin, pipeline value per hour of routine, hours, pitches "
        "received)</caption><thead><tr><th>strategy</th><th>context</th><th>inbound</th>"
        "<th>outbound</th><th>introductions</th><th>existing</th><th>value / hour</th>"
        f"<th>hours / week</th><th>pitches</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
    )


class HiddenCharts:
    """Opportunities by origin (stacked) and pipeline value per hour, per strategy
    in each business context; :meth:`show` refills them at another week."""

    def __init__(self, names: Sequence[str], contexts: Sequence[str]) -> None:
        self.factors = [(c, n) for c in contexts for n in names]
        colors = colors_of(names)
        self.opp_source = ColumnDataSource({"x": [], **{o: [] for o in ORIGINS}})
        self.opportunities = figure(
            x_range=FactorRange(factors=list(self.factors)),
            height=260,
            sizing_mode="stretch_width",
            toolbar_location=None,
            tools="",
            title="Opportunities by origin",
        )
        self.opportunities.vbar_stack(
            list(ORIGINS),
            x="x",
            width=0.8,
            source=self.opp_source,
            color=list(ORIGIN_COLORS),
            legend_label=list(ORIGINS),
        )
        legend = self.opportunities.legend[0]
        legend.orientation = "horizontal"
        self.opportunities.add_layout(legend, "above")  # above the bars, never over them
        self.opportunities.xaxis.major_label_orientation = 0.6
        self.bar_colors = [colors[n] for _, n in self.factors]
        self.value_source = ColumnDataSource({"x": [], "v": [], "c": []})
        self.value = figure(
            x_range=FactorRange(factors=list(self.factors)),
            height=260,
            sizing_mode="stretch_width",
            toolbar_location=None,
            tools="",
            title="Pipeline value per hour of routine (€)",
        )
        self.value.vbar(x="x", top="v", width=0.8, source=self.value_source, color="c")
        self.value.xaxis.major_label_orientation = 0.6

    def show(self, wide: pd.DataFrame, week: int) -> None:
        index = wide.set_index(["context", "strategy"])
        data: dict[str, Any] = {"x": self.factors}
        for origin in ORIGINS:
            data[origin] = [_scalar(index.loc[f, f"opportunities_{origin}"]) for f in self.factors]
        self.opp_source.data = data
        _title(self.opportunities).text = f"Opportunities by origin, weeks 1–{week}"
        values = [_scalar(index.loc[f, "value_per_hour_eur"]) for f in self.factors]
        self.value_source.data = {
            "x": self.factors,
            "v": [v if np.isfinite(v) else 0.0 for v in values],
            "c": self.bar_colors,
        }


class NetworkDrawing:
    """One strategy's network at a week: contacts as a sunflower around the seller
    (older contacts inside), coloured by kind, sized by tie strength; second
    degree faintly around it. ``scale`` contacts fill the unit disc, the same
    for every strategy of a picture, so a bigger network looks bigger."""

    def __init__(self, name: str, color: str) -> None:
        self.name = name
        rng = np.random.default_rng(0)  # only where faint dots sit: no model stream
        m = MAX_DRAWN_SECOND_DEGREE
        angle = rng.uniform(0, 2 * math.pi, m)
        ring = np.sqrt(rng.uniform(1.08**2, 1.4**2, m))
        self.ring_x, self.ring_y = ring * np.cos(angle), ring * np.sin(angle)
        self.trace: NetworkTrace | None = None
        self.shown: tuple[NetworkTrace, int] | None = None  # the trace and week on the page
        self.contacts = ColumnDataSource({"x": [], "y": [], "size": [], "color": [], "kind": []})
        self.second = ColumnDataSource({"x": [], "y": []})
        fig = figure(
            title=name,
            height=340,
            width=340,
            toolbar_location=None,
            tools="",
            match_aspect=True,
            x_range=Range1d(start=-1.45, end=1.45),
            y_range=Range1d(start=-1.45, end=1.45),
        )
        _title(fig).text_color = color
        _title(fig).text_font_size = "13pt"
        fig.axis.visible = False
        fig.grid.visible = False
        fig.outline_line_color = None
        fig.scatter("x", "y", source=self.second, size=2, color="#777777", alpha=0.12)
        fig.scatter(
            "x",
            "y",
            source=self.contacts,
            size="size",
            color="color",
            alpha=0.8,
            line_color=None,
        )
        fig.scatter([0], [0], size=14, color=color, line_color="black")
        fig.add_tools(HoverTool(tooltips=[("contact", "@kind")]))
        self.figure = fig
        self.caption = ""

    def load(self, trace: NetworkTrace, scale: int) -> None:
        """Take another run's trace; ``scale`` contacts fill the disc (common to a picture)."""
        self.trace = trace
        self.shown = None
        self.scale = max(scale, 1)
        n = trace.kinds.size
        i = np.arange(n, dtype=np.float64)
        radius = np.sqrt((i + 0.5) / self.scale)
        self.x = radius * np.cos(i * GOLDEN_ANGLE)
        self.y = radius * np.sin(i * GOLDEN_ANGLE)
        self.kind = np.asarray(CONTACT_KINDS, dtype=object)[trace.kinds]
        self.color = np.asarray([KIND_COLORS[k] for k in CONTACT_KINDS], dtype=object)[trace.kinds]

    def at(self, week: int) -> str:
        """Show the network at ``week``; return its caption."""
        t = self.trace
        if t is None:
            return ""
        week = max(0, min(week, t.sizes.size - 1))
        if self.shown is not None and self.shown[0] is t and self.shown[1] == week:
            return self.caption  # already on the page: nothing is sent again
        self.shown = (t, week)
        k = int(t.sizes[week])
        ties = t.ties[week].astype(np.float64)
        self.contacts.data = {
            "x": self.x[:k],
            "y": self.y[:k],
            "size": 3.0 + 11.0 * np.sqrt(ties),
            "color": self.color[:k],
            "kind": self.kind[:k],
        }
        second = int(t.second_degree[week])
        shown = min(
            second * MAX_DRAWN_SECOND_DEGREE // max(int(t.second_degree.max()), 1),
            MAX_DRAWN_SECOND_DEGREE,
        )
        self.second.data = {"x": self.ring_x[:shown], "y": self.ring_y[:shown]}
        kinds = t.kinds[:k]
        counts = {kind: int((kinds == i).sum()) for i, kind in enumerate(CONTACT_KINDS)}
        strong = int((ties >= 0.5).sum())
        self.caption = (
            f"week {week}: {k:,} contacts ({counts['decision maker']:,} decision makers, "
            f"{counts['relevant']:,} other relevant, {counts['other']:,} others; {strong:,} "
            f"strong ties); {second:,} members in the second degree"
        )
        return self.caption


class Charts:
    """Every figure of the page for one list of strategies (and contexts).

    Built once; a new picture of the same strategies refills the data
    sources (:meth:`show`), and the week player moves the markers and the
    networks (:meth:`at`). Bokeh models already on a page must be changed
    under its session's lock: the page calls these from its callbacks.
    """

    def __init__(self, names: Sequence[str], contexts: Sequence[str]) -> None:
        self.names = tuple(names)
        self.contexts = tuple(contexts)
        self.ssi = LineChart(names, "ssi", "SSI (mean and 95% band)", 300, (0, 100), legend=True)
        self.pillars = [LineChart(names, p, p, 200, (0, 25)) for p in PILLARS]
        self.network = [
            LineChart(names, metric, title, 200)
            for metric, title in (
                ("connections", "connections"),
                ("relevant_share", "relevant share"),
                ("decision_maker_connections", "decision makers"),
                ("known_contacts", "known contacts"),
            )
        ]
        self.hidden = HiddenCharts(names, contexts)
        colors = colors_of(names)
        self.drawings = {name: NetworkDrawing(name, colors[name]) for name in names}
        self.shown: tuple[pd.DataFrame, dict[str, NetworkTrace]] | None = None

    def fits(self, picture: Picture) -> bool:
        return self.names == tuple(picture.strategies) and self.contexts == tuple(
            picture.scenario.contexts
        )

    @property
    def lines(self) -> list[LineChart]:
        return [self.ssi, *self.pillars, *self.network]

    def show(self, picture: Picture) -> None:
        """Refill every figure from ``picture`` (the same strategies).

        A picture of the same runs (a business context changed) leaves the
        curves and the networks as they are: nothing is sent to the page again.
        """
        if self.shown is not None and self.shown[0] is picture.bands:
            if self.shown[1] is picture.traces:
                return
        else:
            bands = picture.bands
            parts = dict(iter(bands.groupby(["metric", "strategy"], sort=False)))
            for chart in self.lines:
                chart.fill(parts, bands)
        self.shown = (picture.bands, picture.traces)
        traces = picture.traces
        scale = max((int(t.sizes.max()) for t in traces.values()), default=1)
        for name, drawing in self.drawings.items():
            if name in traces:
                drawing.load(traces[name], scale)

    def at(self, picture: Picture, week: int, hidden: bool = True) -> None:
        """Move to ``week``: markers, networks, and (if ``hidden``) what the SSI hides up to it."""
        for chart in self.lines:
            chart.marker.location = week
        for drawing in self.drawings.values():
            drawing.at(week)
        if hidden:
            wide, _ = picture.hidden(max(week, 1))
            self.hidden.show(wide, max(week, 1))


def legend_html() -> str:
    """The network drawings' legend."""
    items = "".join(
        f'<span class="swatch" style="background:{c}"></span>{html.escape(k)} '
        for k, c in KIND_COLORS.items()
    )
    return (
        f'<div class="legend">{items} · dot size: tie strength · faint ring: members who know '
        "one of the contacts (second degree) · the seller at the centre, older contacts inside</div>"
    )

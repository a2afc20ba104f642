"""The one style of every ssisim figure: theme, colours, bands, titles, notes, saving.

Figures are built with the object-oriented matplotlib API
(:class:`matplotlib.figure.Figure`, no ``pyplot``): nothing changes the
user's backend or global style, and nothing stays open afterwards. Every
figure is drawn inside :func:`style` (seaborn's ``whitegrid`` theme, the
``notebook`` context) and saved by :func:`save` (atomically, at
:data:`DPI`, without a timestamp in the file). A strategy keeps the same
colour in every figure of a directory (:func:`strategy_colors`).
"""

from __future__ import annotations

import functools
import math
import textwrap
import weakref
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.ticker import Formatter, MaxNLocator

from ssisim.plots.french import translate
from ssisim.results.files import atomic_file
from ssisim.stats import CONFIDENCE

P = ParamSpec("P")
R = TypeVar("R")

__all__ = [
    "BAND_ALPHA",
    "BUILTIN_COLORS",
    "DPI",
    "FIGSIZE",
    "PALETTE",
    "Settings",
    "band_note",
    "compact",
    "currency_symbol",
    "find_number",
    "footnote",
    "header",
    "label",
    "legend_right",
    "line_handle",
    "lines_with_bands",
    "money",
    "new_figure",
    "panel_title",
    "panel_xlabel",
    "save",
    "scenario_name",
    "settings",
    "strategy_colors",
    "style",
    "themed",
    "title",
    "top_down",
    "using",
    "words",
]

DPI = 120

BAND_ALPHA = 0.2

PALETTE: tuple[str, ...] = (
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9",
    "#882255", "#332288", "#117733", "#999933", "#AA4499", "#44AA99",
)  # fmt: skip
"""Colour-blind-safe colours (Okabe & Ito, 2008; Tol's "muted" scheme) that
strategy names are hashed into."""

BUILTIN_COLORS: dict[str, str] = {
    "inactive": "#7F7F7F",
    "beginner": "#56B4E9",
    "active": "#009E73",
    "power-user": "#332288",
    "industrial": "#E69F00",
    "open-bar": "#D55E00",
    "club-select": "#0072B2",
    "patient-inbound": "#117733",
    "zoom": "#CC79A7",
    "linkedin-playbook": "#882255",
    "power-user-sales-navigator": "#AA4499",
}
"""The built-in strategies' colours: the same in every figure of every run."""


@dataclass(frozen=True)
class Settings:
    """How figures are drawn: set once per :func:`ssisim.plots.redraw.redraw`.

    Attributes
    ----------
    context : {"paper", "talk"}
        ``talk``: larger type and thicker lines, readable from the back of a
        room on a 16:9 slide; ``paper`` for a report or a client's PDF.
    format : {"png", "svg", "pdf"}
        The files' format.
    strategies : tuple of str or None
        Draw only these strategies (None: all).
    currency : str
        ISO code of the amounts shown.
    language : {"en", "fr"}
        The language of the figures' text (titles, labels, legends, notes,
        numbers): the report's (:func:`ssisim.plots.client.client_options`).
    eur_to : float or None
        Units of ``currency`` per euro: the model's amounts are in euros and
        are multiplied by it before they are drawn (1 for EUR; None: the
        folder's, resolved by :func:`ssisim.plots.redraw.redraw`).
    """

    context: str = "paper"
    format: str = "png"
    strategies: tuple[str, ...] | None = None
    currency: str = "EUR"
    language: str = "en"
    eur_to: float | None = None


CONTEXTS: tuple[str, ...] = ("paper", "talk")
FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
FIGSIZE: dict[str, tuple[float, float]] = {"paper": (12.0, 6.75), "talk": (13.333, 7.5)}
"""Every figure is 16:9 (inches); at :data:`DPI` a talk figure is 1600 x 900 pixels."""
_FONT_SCALE = {"paper": 1.0, "talk": 1.35}
_TITLE_WIDTH = {"paper": 66, "talk": 52}  # characters of a title line at x-large
_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "INR": "₹"}

_settings: ContextVar[Settings] = ContextVar("ssisim_plot_settings", default=Settings())  # noqa: B039


def settings() -> Settings:
    """The settings figures are being drawn with."""
    return _settings.get()


@contextmanager
def using(new: Settings) -> Iterator[Settings]:
    """Draw the figures made inside the block with ``new``."""
    token = _settings.set(new)
    try:
        yield new
    finally:
        _settings.reset(token)


def currency_symbol(code: str | None = None) -> str:
    """``€`` for EUR, ``$`` for USD, ...; other codes as ``CHF `` (code and a space).

    >>> currency_symbol("EUR"), currency_symbol("CHF")
    ('€', 'CHF ')
    """
    code = (code or settings().currency).upper()
    return _SYMBOLS.get(code, f"{code} ")


def money(x: float, _pos: int | None = None, code: str | None = None) -> str:
    """An amount for a tick or a label: ``€12,300``, ``€1.5M``.

    >>> money(1_500_000, code="USD"), money(950, code="EUR")
    ('$1.5M', '€950')
    """
    return f"{'-' if x < 0 else ''}{currency_symbol(code)}{compact(abs(x))}"


def strategy_colors(strategies: Sequence[str]) -> dict[str, tuple[float, float, float]]:
    """One colour per strategy name, the same in every figure and every run.

    A built-in strategy has its colour (:data:`BUILTIN_COLORS`); another name
    is hashed (CRC-32 of its UTF-8 bytes, stable across runs and machines,
    unlike :func:`hash`) into :data:`PALETTE`; when two names of one figure
    fall on the same colour, the later one takes the next free colour.

    >>> strategy_colors(["club-select"])["club-select"] == strategy_colors(["x", "club-select"])["club-select"]
    True
    """
    out: dict[str, tuple[float, float, float]] = {}
    taken: set[str] = set()
    custom = []
    for name in dict.fromkeys(strategies):
        if name in BUILTIN_COLORS:
            out[name] = to_rgb(BUILTIN_COLORS[name])
            taken.add(BUILTIN_COLORS[name])
        else:
            custom.append(name)
    for name in custom:
        start = zlib.crc32(name.encode("utf-8")) % len(PALETTE)
        for k in range(len(PALETTE)):
            color = PALETTE[(start + k) % len(PALETTE)]
            if color not in taken or len(taken) >= len(PALETTE):
                break
        taken.add(color)
        out[name] = to_rgb(color)
    return {name: out[name] for name in dict.fromkeys(strategies)}


def new_figure(**kwargs: Any) -> Figure:
    """A 16:9 figure of the current context, laid out by constrained layout."""
    return Figure(figsize=FIGSIZE[settings().context], dpi=DPI, layout="constrained", **kwargs)


_WORDS: dict[str, str] = {
    "invites_per_week": "invitations per week",
    "posts_per_week": "posts per week",
    "articles_per_week": "articles per week",
    "comments_per_week": "comments per week",
    "shares_per_week": "shares per week",
    "messages_per_week": "messages per week",
    "searches_per_week": "searches per week",
    "profile_views_per_week": "profiles viewed per week",
    "deal_value_eur": "deal value",
    "pipeline_value_eur": "pipeline value",
    "won_value_eur": "won value",
    "value_per_hour_eur": "pipeline value per hour",
    "sales_cycle_weeks": "sales cycle (weeks)",
    "win_rate": "win rate",
    "boost_threshold_ssi": "visibility boost threshold (SSI)",
    "boost_reach": "visibility boost (share of reach)",
    "invite_cap_per_week": "invitation cap per week",
    "connection_limit": "connection limit",
    "initial_connections": "initial connections",
    "ssi": "SSI",
    "hours_per_week": "hours per week",
    "pitches_received": "unsolicited pitches received",
    "relevant_connections": "relevant connections",
    "decision_maker_connections": "decision-maker connections",
    "known_contacts": "known contacts",
    "strong_ties": "strong ties",
    "opportunities_per_hour": "opportunities per hour",
    "acceptance_rate": "acceptance rate",
    "activity_half_life_weeks": "activity half-life (weeks)",
    "relevance_floor": "relevance floor",
    "cold_reply_rate": "reply rate to cold messages",
    "feed_share": "share of the feed",
}


_MOTS: dict[str, str] = {
    "invites_per_week": "invitations par semaine",
    "posts_per_week": "publications par semaine",
    "articles_per_week": "articles par semaine",
    "comments_per_week": "commentaires par semaine",
    "shares_per_week": "partages par semaine",
    "messages_per_week": "messages par semaine",
    "searches_per_week": "recherches par semaine",
    "profile_views_per_week": "profils consultés par semaine",
    "deal_value_eur": "valeur d'une affaire",
    "pipeline_value_eur": "valeur de pipeline",
    "won_value_eur": "valeur gagnée",
    "value_per_hour_eur": "valeur de pipeline par heure",
    "sales_cycle_weeks": "cycle de vente (semaines)",
    "win_rate": "taux de réussite",
    "boost_threshold_ssi": "seuil de visibilité accrue (SSI)",
    "boost_reach": "visibilité accrue (part de la portée)",
    "invite_cap_per_week": "plafond d'invitations par semaine",
    "connection_limit": "limite de relations",
    "initial_connections": "relations initiales",
    "ssi": "SSI",
    "hours": "heures",
    "hours_per_week": "heures par semaine",
    "pitches_received": "sollicitations non désirées reçues",
    "connections": "relations",
    "relevant_connections": "relations pertinentes",
    "decision_maker_connections": "relations décideurs",
    "known_contacts": "contacts connus",
    "strong_ties": "liens forts",
    "opportunities": "opportunités",
    "opportunities_per_hour": "opportunités par heure",
    "acceptance_rate": "taux d'acceptation",
    "activity_half_life_weeks": "demi-vie de l'activité (semaines)",
    "relevance_floor": "plancher de pertinence",
    "cold_reply_rate": "taux de réponse aux messages à froid",
    "feed_share": "part du fil",
    "size": "taille",
    "weeks": "semaines",
    "messaging": "messagerie",
    "acceptance": "acceptation",
    # the report's table columns
    "strategy": "stratégie",
    "context": "contexte",
    "metric": "indicateur",
    "pair": "paire",
    "difference": "différence",
    "interval": "intervalle",
    "clear": "nette",
    "rank": "rang",
    "member": "membre",
    "ssi_change": "variation du SSI",
    "point": "point",
    "parameter": "paramètre",
    "output": "sortie",
    "low": "bas",
    "high": "haut",
    "at_low": "au bas",
    "at_high": "au haut",
    "at_baseline": "à la référence",
    "swing": "amplitude",
    "ratio": "rapport",
    "mean": "moyenne",
    "ci_low": "IC bas",
    "ci_high": "IC haut",
    "n_high": "n (SSI élevé)",
    "n_low": "n (SSI bas)",
    "mean_high": "moyenne (SSI élevé)",
    "mean_low": "moyenne (SSI bas)",
    "linkedin_share_high": "part LinkedIn (SSI élevé)",
    "linkedin_share_low": "part LinkedIn (SSI bas)",
    "id": "id",
    "statement": "affirmation",
    "source": "source",
    "target_low": "cible basse",
    "target_high": "cible haute",
    "unit": "unité",
    "passed": "atteinte",
    "score": "score",
    "readings": "relevés",
    "rmse_baseline": "RMSE par défaut",
    "rmse_fitted": "RMSE ajusté",
    "pillar": "pilier",
    "name": "nom",
    "weight": "poids",
    "scale": "échelle",
    "fitted": "ajusté",
    "baseline": "par défaut",
    "default": "par défaut",
    "free": "libre",
    "brand": "marque",
    "people": "personnes",
    "insights": "échanges",
    "relationships": "relations",
    # the pillars' inputs, and the fit's parameter table
    "input": "entrée",
    "note": "note",
    "weight_baseline": "poids par défaut",
    "weight_fitted": "poids ajusté",
    "scale_baseline": "échelle par défaut",
    "scale_fitted": "échelle ajustée",
    "profile_completeness": "profil complété",
    "posts": "publications",
    "engagement": "engagement reçu",
    "endorsements": "recommandations de compétences",
    "searches": "recherches",
    "profile_views": "profils consultés",
    "lead_tools": "outils de prospection (Sales Navigator)",
    "shares": "partages",
    "comments": "commentaires",
    "replies": "réponses",
    "inmail": "InMail",
    "decision_makers": "décideurs",
    "multi_dm_accounts": "comptes à plusieurs décideurs",
    "colleagues": "collègues",
    "teamlink": "TeamLink",
}
""":data:`_WORDS` in French (and the report's columns): :func:`label` in French."""


def label(key: str, language: str | None = None) -> str:
    """Words for a column or a dotted scenario key, never the raw key.

    ``language``: the figures' (:func:`settings`) unless given.

    >>> label("strategies.open-bar.invites_per_week")
    'open-bar: invitations per week'
    >>> label("contexts.complex.deal_value_eur")
    'complex context: deal value'
    >>> label("population.size")
    'population size'
    >>> label("relevant_connections")
    'relevant connections'
    >>> label("contexts.complex.deal_value_eur", "fr")
    "contexte complex\xa0: valeur d'une affaire"
    """
    if (language or settings().language) == "fr":
        return _label_fr(key)
    parts = key.split(".")
    words = [_WORDS.get(p, p.replace("_", " ")) for p in parts]
    if parts[0] == "strategies" and len(parts) >= 3:
        return f"{parts[1]}: {' '.join(words[2:])}"
    if parts[0] == "answers" and len(parts) >= 3:
        return f"{words[1]}: {' '.join(words[2:])}"
    if parts[0] == "contexts" and len(parts) >= 3:
        return f"{parts[1]} context: {' '.join(words[2:])}"
    if parts[0] in ("population", "platform", "scoring") and len(parts) >= 2:
        return " ".join([parts[0], *words[1:]]) if parts[0] == "population" else " ".join(words[1:])
    return " ".join(words)


def _label_fr(key: str) -> str:
    parts = key.split(".")
    words = [_MOTS.get(p, p.replace("_", " ")) for p in parts]
    if parts[0] == "strategies" and len(parts) >= 3:
        return f"{parts[1]}\u00a0: {' '.join(words[2:])}"
    if parts[0] == "answers" and len(parts) >= 3:
        return f"{words[1]}\u00a0: {' '.join(words[2:])}"
    if parts[0] == "contexts" and len(parts) >= 3:
        return f"contexte {parts[1]}\u00a0: {' '.join(words[2:])}"
    if parts[0] == "population" and len(parts) >= 2:
        return f"population\u00a0: {' '.join(words[1:])}"
    if parts[0] in ("platform", "scoring") and len(parts) >= 2:
        return " ".join(words[1:])
    return " ".join(words)


def title(fig: Figure, finding: str, subtitle: str = "") -> None:
    """The figure's finding as its title (bold), the scenario's name under it (grey).

    The title keeps a blank second line, which constrained layout reserves;
    the subtitle is drawn on it.
    """
    width = _TITLE_WIDTH.get(settings().context, 90)
    finding = textwrap.fill(words(finding), width, break_on_hyphens=False)
    fig.suptitle(
        f"{finding}\n" if subtitle else finding,
        fontweight="bold",
        fontsize="x-large",
        x=0.01,
        ha="left",
        linespacing=1.25,
    )
    if subtitle:
        sub = fig.text(0.01, 1.0, subtitle, ha="left", va="bottom", fontsize="large", color="0.35")
        _SUBTITLES[fig] = sub
        _place_subtitle(fig)


_SUBTITLES: weakref.WeakKeyDictionary[Figure, Text] = weakref.WeakKeyDictionary()
"""Each figure's subtitle, placed on its title's blank last line."""


def _place_subtitle(fig: Figure) -> None:
    """Put the subtitle on the title's last (blank) line, measured."""
    sub, text = _SUBTITLES.get(fig), fig._suptitle  # type: ignore[attr-defined]
    if sub is None or text is None:
        return
    from matplotlib.backends.backend_agg import RendererAgg

    height_pt = fig.get_figheight() * 72.0
    # constrained layout puts the title's top 3 points (h_pad) below the edge
    dpi = float(fig.dpi)
    renderer = RendererAgg(fig.get_figwidth() * dpi, fig.get_figheight() * dpi, dpi)
    title_pt = text.get_window_extent(renderer).height * 72.0 / dpi
    sub.set_y(1.0 - (3.0 + title_pt - 0.1 * float(text.get_fontsize())) / height_pt)


def _refill(text: Text, room: float, renderer: Any, *, paragraph: bool) -> bool:
    """Wrap ``text`` narrower until it is at most ``room`` pixels wide; True if it changed.

    ``paragraph``: its lines are one paragraph (a title); else each line is
    wrapped on its own (a panel's name, then its verdict). A trailing blank
    line (the subtitle's place) is kept.
    """
    raw = text.get_text()
    width = text.get_window_extent(renderer).width
    if room <= 0 or width <= room + 0.5 or not raw.strip():
        return False
    blank = "\n" if raw.endswith("\n") else ""
    lines = [" ".join(raw.rstrip("\n").split("\n"))] if paragraph else raw.rstrip("\n").split("\n")
    chars = max(len(line) for line in lines)
    while chars > 8 and width > room + 0.5:
        chars = min(chars - 1, int(chars * room / width))
        fill = [textwrap.fill(line, max(chars, 8), break_on_hyphens=False) for line in lines]
        text.set_text("\n".join(fill) + blank)
        width = text.get_window_extent(renderer).width
    return True


def _fit_titles(fig: Figure) -> None:
    """Titles that run past their panel, or under a legend beside the figure's title,
    wrapped narrower (measured after a layout: translated words are longer)."""
    engine = fig.get_layout_engine()
    if engine is None:
        return
    engine.execute(fig)  # the panels' places, without drawing them
    renderer = fig._get_renderer()  # type: ignore[attr-defined]
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        right = ax.get_window_extent(renderer).x1
        for text in (ax.title, ax._left_title, ax._right_title):  # type: ignore[attr-defined]
            left = text.get_window_extent(renderer).x0
            _refill(text, right - left, renderer, paragraph=False)
    sup = fig._suptitle  # type: ignore[attr-defined]
    if sup is None or not sup.get_text().strip():
        return
    box = sup.get_window_extent(renderer)
    right = fig.bbox.x1 - 6.0
    for legend in fig.legends:
        other = legend.get_window_extent(renderer)
        if other.y1 > box.y0 and other.y0 < box.y1 and other.x0 > box.x0:
            right = min(right, other.x0 - 12.0)
    if _refill(sup, right - box.x0, renderer, paragraph=True):
        _place_subtitle(fig)


def top_down(ax: Axes) -> None:
    """First category on top; axes sharing y are inverted once, not once each."""
    if not ax.yaxis_inverted():
        ax.invert_yaxis()


def legend_right(fig: Figure, colors: Mapping[str, Any], title_text: str = "") -> None:
    """The strategies' colours, right of the panels (never over a title or a line)."""
    fig.legend(
        [line_handle(c) for c in colors.values()],
        list(colors),
        title=title_text or None,
        loc="outside right upper",
        frameon=False,
    )


def themed(draw: Callable[P, R]) -> Callable[P, R]:
    """Draw a figure function's figures inside :func:`style`."""

    @functools.wraps(draw)
    def drawn(*args: P.args, **kwargs: P.kwargs) -> R:
        with style():
            return draw(*args, **kwargs)

    return drawn


@contextmanager
def style(font_scale: float = 1.0) -> Iterator[None]:
    """The theme of every figure, for the figures made inside the block only."""
    context = settings().context
    scale = font_scale * _FONT_SCALE.get(context, 1.0)
    with sns.axes_style("whitegrid"), sns.plotting_context("notebook", font_scale=scale):
        yield


def lines_with_bands(ax: Axes, bands: pd.DataFrame, metric: str, colors: Mapping[str, Any]) -> None:
    rows = bands[bands["metric"] == metric]
    for name, color in colors.items():
        sub = rows[rows["strategy"] == name].sort_values("week")
        if sub.empty:
            continue
        week = sub["week"].to_numpy()
        ax.fill_between(
            week,
            sub["ci_low"].to_numpy(dtype=float),
            sub["ci_high"].to_numpy(dtype=float),
            color=color,
            alpha=BAND_ALPHA,
            linewidth=0,
        )
        ax.plot(week, sub["mean"].to_numpy(dtype=float), color=color, linewidth=2.2, label=name)
    ax.set_xlim(rows["week"].min(), max(rows["week"].max(), rows["week"].min() + 1))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def line_handle(color: Any) -> Line2D:
    return Line2D([], [], color=color, linewidth=2.2)


def header(fig: Figure, title: str, colors: Mapping[str, Any]) -> None:
    """The figure's title with the strategies' legend under it, rows read left to right."""
    names = list(colors)
    rows = math.ceil(len(names) / 4)
    ncols = math.ceil(len(names) / rows)
    # Legend fills columns first; reorder so that rows read in strategy order.
    order = [i for col in range(ncols) for i in range(col, len(names), ncols)]
    # The title is the legend's: constrained layout puts an "outside" legend
    # on top of a suptitle rather than below it.
    fig.legend(
        [line_handle(colors[names[i]]) for i in order],
        [names[i] for i in order],
        title=title,
        title_fontproperties={"weight": "bold", "size": "large"},
        loc="outside upper center",
        ncols=ncols,
        frameon=False,
    )


def band_note(bands: pd.DataFrame) -> str:
    ns = bands["n"]
    low, high = int(ns.min()), int(ns.max())
    n = f"{low}" if low == high else f"{low}–{high}"
    if high < 2:
        return f"Lines: one replication per strategy (n = {n}); no confidence band."
    return (
        f"Lines: mean of n = {n} replications per strategy; "
        f"shaded bands: {CONFIDENCE:.0%} confidence interval of the mean."
    )


def footnote(fig: Figure, note: str, warning: str = "") -> None:
    """A note under the panels, wrapped to the figure's width; a warning first, in red."""
    width = {"paper": 150, "talk": 120}.get(settings().context, 150)
    text = textwrap.fill(words(note), width)
    if warning:
        text = textwrap.fill(f"⚠ {words(warning)}", width) + "\n" + text
    fig.supxlabel(
        text,
        fontsize="small",
        color="#B00020" if warning else "0.3",
        fontweight="bold" if warning else "normal",
        x=0.01,
        ha="left",
    )


def save(fig: Figure, path: Path) -> Path:
    """Write a figure atomically in the current format (the suffix follows it).

    No timestamp or software version in the file: the same figure is the
    same bytes (PNG, SVG; PDF without its creation date).
    """
    fmt = settings().format
    if settings().language != "en":  # longer words: the titles measured and refitted
        _translate_texts(fig)
        _translate_ticks(fig)
        _fit_titles(fig)
    path = Path(path).with_suffix(f".{fmt}")
    path.parent.mkdir(parents=True, exist_ok=True)
    metadata: dict[str, Any] = {"Software": None} if fmt == "png" else {"Creator": None}
    if fmt == "pdf":
        metadata["CreationDate"] = None
    if fmt == "svg":
        metadata = {"Creator": None, "Date": None}
    with atomic_file(path) as tmp:  # a reader never sees half a file
        fig.savefig(tmp, format=fmt, dpi=DPI, metadata=metadata)
    return path


def words(text: str) -> str:
    """``text`` in the figures' language (:attr:`Settings.language`; English as written)."""
    return translate(text, settings().language, settings().currency)


class _TranslatedTicks(Formatter):
    """A tick formatter whose labels are translated (numbers the French way)."""

    def __init__(self, inner: Formatter, language: str, code: str) -> None:
        self.inner, self.language, self.code = inner, language, code

    def set_axis(self, axis: Any) -> None:
        super().set_axis(axis)
        self.inner.set_axis(axis)

    def _say(self, text: str) -> str:
        return translate(text, self.language, self.code)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return self._say(self.inner(x, pos))

    def format_ticks(self, values: Any) -> list[str]:
        return [self._say(t) for t in self.inner.format_ticks(values)]

    def get_offset(self) -> str:
        return self._say(self.inner.get_offset())

    def set_locs(self, locs: Any) -> None:
        self.inner.set_locs(locs)

    def format_data_short(self, value: float) -> str:
        return self.inner.format_data_short(value)


def _translate_ticks(fig: Figure) -> None:
    """Every axis's tick labels in the figures' language (drawn when the figure is saved)."""
    language, code = settings().language, settings().currency
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            for get, put in (
                (axis.get_major_formatter, axis.set_major_formatter),
                (axis.get_minor_formatter, axis.set_minor_formatter),
            ):
                inner = get()
                if not isinstance(inner, _TranslatedTicks):
                    put(_TranslatedTicks(inner, language, code))


def panel_xlabel(ax: Axes, text: str, panels: int) -> None:
    """An x label repeated under ``panels`` panels of a row, wrapped so neighbours never touch."""
    width = max(20, {"paper": 96, "talk": 66}.get(settings().context, 96) // max(panels, 1))
    ax.set_xlabel(textwrap.fill(words(text), width, break_on_hyphens=False))


def panel_title(ax: Axes, text: str, panels: int, **kwargs: Any) -> None:
    """A panel's title (left), translated then wrapped so that neighbours in a row of
    ``panels`` never touch (each line of ``text`` wrapped on its own)."""
    width = max(16, {"paper": 110, "talk": 84}.get(settings().context, 110) // max(panels, 1))
    lines = words(text).split("\n")
    wrapped = "\n".join(textwrap.fill(line, width, break_on_hyphens=False) for line in lines)
    ax.set_title(wrapped, loc="left", **kwargs)


def _translate_texts(fig: Figure) -> None:
    """Every remaining English text of a figure (labels, legends, panel titles) translated."""
    from matplotlib.text import Text

    for artist in fig.findobj(Text):
        text = artist.get_text()
        if not text.strip():
            continue
        done = words(text)
        if done == text and "\n" in text:
            done = words(" ".join(text.split("\n")))
            if done == " ".join(text.split("\n")):
                done = "\n".join(words(line) for line in text.split("\n"))
        if done != text:
            artist.set_text(done)


def scenario_name(manifest: Mapping[str, Any]) -> str | None:
    scenario = manifest.get("scenario")
    if isinstance(scenario, str) and scenario:
        return scenario
    if isinstance(scenario, Mapping) and isinstance(scenario.get("name"), str):
        return str(scenario["name"])
    name = manifest.get("scenario_name")
    return name if isinstance(name, str) and name else None


def find_number(data: Any, key: str) -> float | None:
    """The first number stored under ``key`` anywhere in nested mappings and lists."""
    if isinstance(data, Mapping):
        value = data.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        children: Any = data.values()
    elif isinstance(data, list | tuple):
        children = data
    else:
        return None
    for child in children:
        found = find_number(child, key)
        if found is not None:
            return found
    return None


def compact(x: float, _pos: int | None = None) -> str:
    """Tick labels like 2.5, 250, 12k or 1.5M (never two ticks with one label).

    >>> [compact(v) for v in (0, 2.5, 250, 12_000, 1_500_000)]
    ['0', '2.5', '250', '12k', '1.5M']
    """
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if abs(x) >= size:
            return f"{x / size:,.3g}{suffix}"
    return f"{x:,.3g}"

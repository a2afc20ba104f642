"""The explorer's page, with Panel (HoloViz) on top of :mod:`ssisim.explore.model`.

Each browser session gets its own :class:`Page` (its own settings); the
worker pool (:class:`~ssisim.explore.runs.Runner`) and the room's
:class:`~ssisim.explore.room.Board` are shared by every session of the app.

A change of a setting re-simulates in the background: the page's results
are marked stale at once (the ``stale`` CSS class, and "updating…" in the
status line) and keep their old numbers; the new figures and numbers
replace them together when the runs are done. Changes made meanwhile are
gathered into one more update. A change of a business context only
re-reads the runs (outcomes are computed after the simulation), and the week
player replays the computed table.

This module imports Panel: the command line imports it only when
``ssisim explore`` runs, after checking that Panel is installed.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import html
import io
import ipaddress
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, get_args

import panel as pn
from panel.io.state import set_curdoc

from ssisim.errors import DataError, SsisimError
from ssisim.explore.figures import Charts, hidden_table, legend_html, numbers_table
from ssisim.explore.model import (
    PRESETS,
    SETTINGS_LABEL,
    SIZES,
    Explorer,
    Picture,
    Preset,
)
from ssisim.explore.room import (
    MIN_MOVE_POINTS,
    TARGETS,
    Board,
    FormError,
    Routine,
    parse_form,
    project,
    routine_scenarios,
    team_entries,
    week_of,
)
from ssisim.explore.runs import Runner, RunResult
from ssisim.scenario.loading import number_text
from ssisim.scenario.schema import SENIORITIES, Buyers, Scenario, Targeting
from ssisim.sim.routine import cap_note

__all__ = ["AppState", "Page", "make_app", "serve", "serve_in_thread"]

TARGETING: tuple[str, ...] = get_args(Targeting)
BUYERS: tuple[str, ...] = get_args(Buyers)

SEEN_PICTURES = 24
"""How many pictures the app keeps to show again when their settings come back."""

REUSED = (
    "these settings ran before (at start-up, on this page or another): "
    "their runs again, not simulated anew"
)
DISCONNECTED = (
    "The explorer's server has stopped: start `ssisim explore` again, then reload this page."
)
REVALUED = "the same runs, re-valued for the business contexts (nothing simulated)"
WAITED = "run at the same time for another page: shared, not simulated twice"


def _retrieved(future: asyncio.Future[Any]) -> None:
    """Mark a shared run's failure as seen (no page may be waiting to read it)."""
    if not future.cancelled():
        future.exception()


def _runs_key(scenario: Scenario) -> str:
    """What a picture's runs depend on: the scenario but its business contexts."""
    return scenario.model_dump_json(exclude={"contexts"})


CSS = """
:host(.stale) { opacity: 0.45; filter: grayscale(0.6); transition: opacity 0.15s; }
:host(.stale)::after { content: "updating…"; position: absolute; top: 8px; right: 16px;
  font: 600 18px sans-serif; color: #B2182B; }
"""
TABLE_CSS = """
table.numbers { border-collapse: collapse; font: 14px sans-serif; margin: 4px 0; }
table.numbers th, table.numbers td { padding: 3px 10px; text-align: right;
  border-bottom: 1px solid #ddd; }
table.numbers th:first-child { text-align: left; }
table.numbers caption { text-align: left; color: #555; padding-bottom: 4px; }
td.delta { color: #555; font-size: 12px; }
.swatch { display: inline-block; width: 11px; height: 11px; margin-right: 5px;
  border-radius: 2px; vertical-align: baseline; }
.legend { font: 13px sans-serif; color: #333; }
.verdict { font: 15px sans-serif; line-height: 1.4; }
.error { color: #B2182B; font: 600 14px sans-serif; }
.status { font: 14px sans-serif; color: #333; }
"""


@dataclass
class AppState:
    """What every session of the app shares: the base settings, the workers, the board."""

    base: Scenario | None
    runner: Runner
    board: Board = field(default_factory=Board)
    size: int | None = None
    replications: int | None = None
    today: dt.date = field(default_factory=dt.date.today)
    projected_at: dt.date | None = None
    board_context: str = "volume"
    pictures: OrderedDict[str, Picture] = field(default_factory=OrderedDict)
    """The last :data:`SEEN_PICTURES` pictures of every page, by what their runs depend on."""
    running: dict[str, asyncio.Future[Picture | None]] = field(default_factory=dict)
    """Runs under way for some page, by the same key: another page with the same
    settings waits for them instead of running them again."""

    def __post_init__(self) -> None:
        if self.projected_at is None:
            self.projected_at = self.today + dt.timedelta(weeks=12)

    def prime(self) -> float:
        """Run the page's first settings now, before any page asks: the first page
        (the trainer's, and then the room's) opens on them at once. Returns the seconds
        it took."""
        ex = self.explorer()
        scenario = ex.scenario()
        started = time.perf_counter()
        results = self.runner.run(scenario)
        seconds = time.perf_counter() - started
        self.remember(_runs_key(scenario), ex.picture(scenario, results, seconds))
        return seconds

    def remember(self, key: str, picture: Picture) -> None:
        """Keep a picture for any page whose settings come back to it.

        Going back to settings shown before (a slider moved back, a preset
        chosen again, the room's devices opening the page on its first
        settings) shows their runs again without simulating: the same
        scenario and seed give the same runs. The key leaves out the business
        contexts, which re-value runs but never change them. Nothing personal
        is in a picture: the settings and the runs they give. What is kept is a
        neutral copy (no page's update number or note): each page that shows it
        makes its own copy.
        """
        self.pictures[key] = replace(picture, run=0, note="")
        self.pictures.move_to_end(key)
        while len(self.pictures) > SEEN_PICTURES:
            self.pictures.popitem(last=False)

    def explorer(self) -> Explorer:
        return Explorer(self.base, size=self.size, replications=self.replications)


async def _finished(future: Future[list[RunResult]]) -> list[RunResult]:
    """A worker's results, awaited without blocking the page."""
    return await asyncio.wrap_future(future)


def _at_once(widget: Any) -> None:
    """Apply the widget's changes from the browser at once.

    Panel waits 50 ms (its ``_debounce``) before applying a change made in
    the browser, to gather a slider's values while it is dragged; these
    widgets re-simulate only when a slider is released (``value_throttled``)
    or a choice is made, so the wait only delayed every update.
    """
    widget._debounce = 0


def _refusal(message: str, key: str, label: str) -> str:
    """A scenario's refusal of a setting, said with the widget's label: ``volume: deal
    value (€): must be at least 0 (got -5.0)`` rather than the key's dotted path."""
    text = message.splitlines()[0].removeprefix(f"{SETTINGS_LABEL}: ")
    return f"{label}: {text.removeprefix(f'{key}: ')}"


def _html(text: str, **kwargs: Any) -> Any:
    return pn.pane.HTML(text, stylesheets=[TABLE_CSS], **kwargs)


class Page:
    """One browser session's page: the controls, the results, the room."""

    def __init__(self, app: AppState, local: bool = True) -> None:
        self.app = app
        self.ex = app.explorer()
        self.local = local
        self.picture: Picture | None = None
        self.previous: Picture | None = None
        self.runs = 0
        self.running = False
        self.pending = False
        self.stale = False
        self.syncing = False
        self.charts: Charts | None = None
        self.shown: Picture | None = None  # the picture on the page
        self.doc = pn.state.curdoc
        self.board_version = -1
        self._build()

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        ex = self.ex
        self.status = _html("", css_classes=["status"], name="status")
        self.error = _html("", name="error")
        self.preset_note = _html("")
        self.preset_buttons = []
        for preset in PRESETS:
            button = pn.widgets.Button(label=preset.title, color="light", width=250)
            button.on_click(self._preset_handler(preset))
            self.preset_buttons.append(button)

        self.strategies = pn.widgets.MultiChoice(
            label="Strategies side by side", options=list(ex.available), value=list(ex.selected)
        )
        self.editing = pn.widgets.Select(
            label="Routine of", options=list(ex.selected), value=ex.selected[0]
        )
        r = ex.routine(ex.selected[0])
        self.invites = pn.widgets.IntSlider(
            label="Invitations a week", start=0, end=850, step=5, value=int(r["invites_per_week"])
        )
        self.targeting = pn.widgets.MultiChoice(
            label="Invite (in order)", options=list(TARGETING), value=list(r["invite_targeting"])
        )
        self.notes = pn.widgets.FloatSlider(
            label="Share with a personal note",
            start=0,
            end=1,
            step=0.1,
            value=r["invite_note_share"],
        )
        self.posts = pn.widgets.FloatSlider(
            label="Posts a week", start=0, end=14, step=0.5, value=r["posts_per_week"]
        )
        self.comments = pn.widgets.FloatSlider(
            label="Comments a week", start=0, end=50, step=1, value=r["comments_per_week"]
        )
        self.messages = pn.widgets.FloatSlider(
            label="Personal messages a week",
            start=0,
            end=50,
            step=1,
            value=r["warm_messages_per_week"],
        )
        self.navigator = pn.widgets.Checkbox(label="Sales Navigator", value=r["sales_navigator"])
        self.budget = pn.widgets.FloatSlider(
            label="Time budget, hours a week (0: no limit)",
            start=0,
            end=40,
            step=0.5,
            value=r["hours_per_week_budget"] or 0.0,
        )
        cap = ex.value("platform.invite_cap_per_week")
        self.cap = pn.widgets.IntSlider(
            label="Invitation cap a week", start=0, end=1000, step=10, value=cap if cap else 100
        )
        self.no_cap = pn.widgets.Checkbox(label="No invitation cap", value=cap is None)
        self.threshold = pn.widgets.IntSlider(
            label="Boost threshold (SSI)",
            start=0,
            end=100,
            step=1,
            value=int(ex.value("platform.boost_threshold_ssi")),
        )
        self.boost = pn.widgets.FloatSlider(
            label="Boost: extra reach above it",
            start=0,
            end=2,
            step=0.05,
            value=float(ex.value("platform.boost_reach")),
        )
        self.deal = {
            c: pn.widgets.FloatInput(  # no bounds here: a value out of the scenario's
                label=f"{c}: deal value (€)",  # is refused in one line (_setting_handler)
                step=500 if c == "volume" else 10_000,
                value=float(ex.value(f"contexts.{c}.deal_value_eur")),
            )
            for c in ("volume", "complex")
        }
        self.buyers = {
            c: pn.widgets.Select(
                label=f"{c}: who can buy",
                options=list(BUYERS),
                value=ex.value(f"contexts.{c}.buyers"),
            )
            for c in ("volume", "complex")
        }
        self.premium = {
            c: pn.widgets.FloatSlider(
                label=f"{c}: a warm lead is worth (x a cold one)",
                start=1,
                end=50,
                step=1,
                value=float(ex.value(f"contexts.{c}.warm_premium")),
            )
            for c in ("volume", "complex")
        }
        self.clustering = pn.widgets.FloatSlider(
            label="Clustering (triadic closure)",
            start=0,
            # above 0.7, too few random ties to close: members left alone (docs/model.md);
            # a scenario's higher value stays reachable
            end=max(0.7, float(ex.value("population.triadic_closure"))),
            step=0.05,
            value=float(ex.value("population.triadic_closure")),
        )
        shares = ex.base.population.seniority_shares
        self.dm_from = pn.widgets.Select(
            label="Decision makers: members from this level up",
            options={
                f"{level} ({sum(shares[i:]):.0%} of members)": level
                for i, level in enumerate(SENIORITIES)
            },
            value=ex.value("population.decision_maker_from"),
        )
        size = int(ex.value("population.size"))
        self.size = pn.widgets.Select(
            label="Population (members)",
            options={f"{s:,}": s for s in sorted({*SIZES, size})},
            value=size,
        )
        self.reps = pn.widgets.IntSlider(
            label="Replications", start=2, end=30, step=1, value=int(ex.value("replications"))
        )
        self.export = pn.widgets.FileDownload(
            callback=self._export,
            filename=f"{ex.base.name}-explore.yaml",
            label="Export scenario YAML",
            color="primary",
            embed=False,
        )

        self.player = pn.widgets.Player(
            label="Week",
            start=0,
            end=ex.base.weeks,
            value=ex.base.weeks,
            interval=250,
            loop_policy="once",
            show_loop_controls=False,
            width=420,
        )
        self.player.param.watch(self._on_week, "value")
        self.player.param.watch(self._on_play, "direction")

        self.ssi_pane = pn.pane.Bokeh(sizing_mode="stretch_width")
        self.pillar_panes = pn.GridBox(ncols=2, sizing_mode="stretch_width")
        self.network_panes = pn.GridBox(ncols=2, sizing_mode="stretch_width")
        self.numbers = _html("", name="numbers")
        self.verdict = _html("", css_classes=["verdict"], name="verdict")
        self.hidden = _html("")
        self.hidden_figs = pn.GridBox(ncols=2, sizing_mode="stretch_width")
        self.drawing_row = pn.GridBox(ncols=3)
        self.drawing_captions = _html("")

        self.results = pn.Column(
            self.verdict,
            self.ssi_pane,
            self.numbers,
            pn.pane.Markdown("### The four pillars"),
            self.pillar_panes,
            pn.pane.Markdown("### The network"),
            self.network_panes,
            pn.pane.Markdown("### What the SSI hides"),
            self.hidden_figs,
            self.hidden,
            pn.pane.Markdown("### The networks drawn (replication 0)"),
            _html(legend_html()),
            self.drawing_row,
            self.drawing_captions,
            css_classes=["results"],
            stylesheets=[CSS],
            sizing_mode="stretch_width",
            styles={"position": "relative"},
        )

        self.strategies.param.watch(self._on_strategies, "value")
        self.editing.param.watch(self._on_editing, "value")
        routine_widgets: list[tuple[Any, str, Callable[[Any], Any]]] = [
            (self.invites, "invites_per_week", float),
            (self.targeting, "invite_targeting", tuple),
            (self.notes, "invite_note_share", float),
            (self.posts, "posts_per_week", float),
            (self.comments, "comments_per_week", float),
            (self.messages, "warm_messages_per_week", float),
            (self.navigator, "sales_navigator", bool),
            (self.budget, "hours_per_week_budget", lambda v: float(v) if v else None),
        ]
        for widget, key, cast in routine_widgets:
            event = "value_throttled" if hasattr(widget.param, "value_throttled") else "value"
            widget.param.watch(self._routine_handler(key, cast), event)
            _at_once(widget)
        setting_widgets: list[tuple[Any, str, Callable[[Any], Any], bool]] = [
            (self.threshold, "platform.boost_threshold_ssi", float, True),
            (self.boost, "platform.boost_reach", float, True),
            (self.clustering, "population.triadic_closure", float, True),
            (self.dm_from, "population.decision_maker_from", str, True),
            (self.size, "population.size", int, True),
            (self.reps, "replications", int, True),
            (self.deal["volume"], "contexts.volume.deal_value_eur", float, False),
            (self.deal["complex"], "contexts.complex.deal_value_eur", float, False),
            (self.buyers["volume"], "contexts.volume.buyers", str, False),
            (self.buyers["complex"], "contexts.complex.buyers", str, False),
            (self.premium["volume"], "contexts.volume.warm_premium", float, False),
            (self.premium["complex"], "contexts.complex.warm_premium", float, False),
        ]
        for widget, key, cast, _ in setting_widgets:
            event = "value_throttled" if hasattr(widget.param, "value_throttled") else "value"
            widget.param.watch(self._setting_handler(key, cast, widget), event)
            _at_once(widget)
        self.cap.param.watch(self._on_cap, "value_throttled")
        self.no_cap.param.watch(self._on_cap, "value")
        _at_once(self.cap)
        _at_once(self.no_cap)

        controls = pn.Column(
            pn.pane.Markdown("### The debate's moments"),
            *self.preset_buttons,
            self.preset_note,
            pn.pane.Markdown("### Strategies"),
            self.strategies,
            self.editing,
            self.invites,
            self.targeting,
            self.notes,
            self.posts,
            self.comments,
            self.messages,
            self.navigator,
            self.budget,
            pn.pane.Markdown("### Platform"),
            self.cap,
            self.no_cap,
            self.threshold,
            self.boost,
            pn.pane.Markdown("### Business contexts"),
            self.deal["volume"],
            self.buyers["volume"],
            self.premium["volume"],
            self.deal["complex"],
            self.buyers["complex"],
            self.premium["complex"],
            pn.pane.Markdown("### Population and runs"),
            self.clustering,
            self.dm_from,
            self.size,
            self.reps,
            self.export,
            width=300,
        )
        explore_tab = pn.Row(
            controls,
            pn.Column(self.player, self.error, self.results, sizing_mode="stretch_width"),
            sizing_mode="stretch_width",
        )
        self.tabs = pn.Tabs(
            ("Strategies", explore_tab), ("The room", self._room()), sizing_mode="stretch_width"
        )
        self.layout = pn.Column(
            pn.pane.Markdown(
                "## ssisim explore: does a bigger network beat a better one?", margin=(0, 10)
            ),
            self.status,
            self.tabs,
            sizing_mode="stretch_width",
        )

    # ------------------------------------------------------------------ the room

    def _room(self) -> Any:
        self.form = {
            "name": pn.widgets.TextInput(label="Your name (first name or nickname)", width=260),
            "posts": pn.widgets.TextInput(label="Posts a week", value="1", width=260),
            "comments": pn.widgets.TextInput(label="Comments a week", value="2", width=260),
            "invitations": pn.widgets.TextInput(label="Invitations a week", value="5", width=260),
            "target": pn.widgets.Select(
                label="Invitations to", options=list(TARGETS), value=next(iter(TARGETS)), width=260
            ),
            "messages": pn.widgets.TextInput(
                label="Personal messages a week", value="2", width=260
            ),
            "sales_navigator": pn.widgets.Checkbox(label="Sales Navigator"),
            "connections": pn.widgets.TextInput(
                label="Your connections today", value="300", width=260
            ),
            "ssi": pn.widgets.TextInput(
                label="Your SSI today (optional)", placeholder="e.g. 42", width=260
            ),
        }
        self.submit = pn.widgets.Button(label="Simulate my year", color="primary", width=260)
        self.submit.on_click(self._on_submit)
        self.form_message = _html("", name="form-message")
        self.board_html = _html("", name="leaderboard", sizing_mode="stretch_width")
        self.board_note = _html("")
        app = self.app
        self.date = pn.widgets.DatePicker(label="Projected SSI on", value=app.projected_at)
        self.date.param.watch(self._on_date, "value")
        self.reset = pn.widgets.Button(label="Reset the board", color="danger")
        self.reset.on_click(self._on_reset)
        self.board_csv = pn.widgets.FileDownload(
            callback=self._board_csv,
            filename="leaderboard.csv",
            label="Export the board (CSV)",
            embed=False,
            color="light",
        )
        self.readings = pn.widgets.FileInput(accept=".csv,.txt", label="Team readings (CSV)")
        self.readings.param.watch(self._on_readings, "value")
        trainer = pn.Column(
            pn.pane.Markdown(
                "### For the trainer\nThe board is kept in this app's memory only; "
                "nothing typed is written anywhere unless you export it."
            ),
            self.date,
            self.reset,
            self.board_csv,
            pn.pane.Markdown(
                "Load a team's readings (name, date, SSI, pillars) to start each member from "
                "their latest score; they follow the form's routine until they enter their own."
            ),
            self.readings,
        )
        form = pn.Column(
            pn.pane.Markdown(
                "### Your week\nWhat you do in a typical week; other habits are those of the "
                "`beginner` routine. Your year is simulated in this room's population."
            ),
            *self.form.values(),
            self.submit,
            self.form_message,
            width=300,
        )
        board = pn.Column(
            pn.pane.Markdown("### The room's leaderboard"),
            self.board_note,
            self.board_html,
            # only the trainer's page holds the controls: a hidden column would still be
            # in every participant's page (its export button, the names it downloads)
            *([trainer] if self.local else []),
            sizing_mode="stretch_width",
        )
        pn.state.add_periodic_callback(self._refresh_board, period=1000)
        self._refresh_board()
        return pn.Row(form, board, sizing_mode="stretch_width")

    def _board_week(self) -> int:
        date = self.app.projected_at or self.app.today
        return week_of(date, self.app.today, self.ex.base.weeks)

    def _refresh_board(self, force: bool = False) -> None:
        board = self.app.board
        if not force and board.version == self.board_version:
            return
        self.board_version = board.version
        week = self._board_week()
        table = board.table(week)
        date = self.app.projected_at or self.app.today
        self.board_note.object = (
            f"<div class='status'>projected SSI on {date.isoformat()} (week {week} of the "
            f"simulated year; week 0 is {self.app.today.isoformat()}), opportunities in the "
            f"{html.escape(self.app.board_context)} context over those weeks; "
            f"{len(table)} participant(s)</div>"
        )
        if table.empty:
            self.board_html.object = (
                # a row, not a caption: a caption is as wide as the table's (no) columns,
                # and wrapped one word per line
                '<table id="board" class="numbers" data-rows="0"><tbody><tr>'
                "<td style='text-align:left;white-space:nowrap'>No one yet: fill in the form."
                "</td></tr></tbody></table>"
            )
            return
        rows = "".join(
            f"<tr><td>{r['rank']}</td><th>{html.escape(str(r['name']))}</th>"
            f"<td>{r['ssi_now']:.1f}</td><td>{r['ssi_projected']:.1f}</td>"
            f"<td>{r['change']:+.1f}</td><td>{r['opportunities']:.1f}</td>"
            f"<td>{r['hours_per_week']:.1f}</td>"
            f"<td style='text-align:left'>{html.escape(str(r['best_move']))}"
            + (
                f" (+{r['best_move_points']:.1f})"
                if r["best_move_points"] >= MIN_MOVE_POINTS
                else ""
            )
            + "</td></tr>"
            for r in table.to_dict("records")
        )
        self.board_html.object = (
            f'<table id="board" class="numbers" data-rows="{len(table)}"><thead><tr><th>rank</th>'
            "<th>name</th><th>SSI today</th><th>SSI projected</th><th>change</th>"
            "<th>opportunities</th><th>hours / week</th><th style='text-align:left'>what would "
            f"move your score most</th></tr></thead><tbody>{rows}</tbody></table>"
        )

    def _on_date(self, event: Any) -> None:
        if event.new is None or not self.local:
            return
        self.app.projected_at = event.new
        self._refresh_board(force=True)

    def _on_reset(self, _event: Any) -> None:
        if not self.local:
            return
        self.app.board.reset()
        self.form_message.object = ""  # "… on the board" no longer is
        self._refresh_board(force=True)

    def _board_csv(self) -> io.BytesIO:
        if not self.local:
            return io.BytesIO(b"")
        date = self.app.projected_at or self.app.today
        return io.BytesIO(self.app.board.csv(self._board_week(), date))

    async def _simulate_routine(self, routine: Routine) -> None:
        scenario = self.ex.scenario()
        jobs = [
            (label, sc, self.app.runner.submit(sc, trace=False))
            for label, sc in routine_scenarios(scenario, routine)
        ]  # every variant submitted at once: the workers share them
        runs = []
        for label, sc, futures in jobs:
            results: list[RunResult] = []
            for f in futures:
                results.extend(await _finished(f))
            runs.append((label, sc, sorted(results, key=lambda r: r.replication)))
        self.app.board.add(project(routine, runs, self.app.board_context))
        self._refresh_board(force=True)

    def _form_error(self, exc: BaseException) -> None:
        text = str(exc) if isinstance(exc, SsisimError) else f"{type(exc).__name__}: {exc}"
        line = (text.strip().splitlines() or [type(exc).__name__])[0]
        self.form_message.object = f'<div class="error" id="form-error">{html.escape(line)}</div>'

    async def _on_submit(self, _event: Any) -> None:
        values = {k: w.value for k, w in self.form.items()}
        try:
            routine = parse_form(values)
        except FormError as exc:
            self._form_error(exc)
            return
        known = self.app.board.routine(routine.name)
        if known is not None and routine.ssi is None and known.ssi is not None:
            routine = replace(routine, ssi=known.ssi, pillars=known.pillars)
        self.form_message.object = (
            f'<div class="status" id="form-status">simulating {html.escape(routine.name)}\'s '
            "year…</div>"
        )
        self.submit.disabled = True
        try:
            await self._simulate_routine(routine)
        except Exception as exc:  # one line on the page, never a traceback
            self._form_error(exc)
            return
        finally:
            self.submit.disabled = False
        if known is None:
            said = f"{html.escape(routine.name)} is on the board."
        else:  # the same name (in any case): a new routine for the same row, said
            kept = f", SSI today {routine.ssi:g} kept" if routine.ssi is not None else ""
            said = (
                f"{html.escape(routine.name)} replaces the routine entered as "
                f"{html.escape(known.name)}{kept}."
            )
        self.form_message.object = f'<div class="status" id="form-status">{said}</div>'

    async def _on_readings(self, event: Any) -> None:
        if event.new is None or not self.local:
            return
        if not event.new:  # an empty file: said, not ignored (and no older line left up)
            name = self.readings.filename or "team.csv"
            self._form_error(DataError(f"{name}: empty file; no readings to read"))
            return
        values = {k: w.value for k, w in self.form.items()}
        values["name"] = "team"
        self.form_message.object = '<div class="status">reading the team\'s readings…</div>'
        try:
            routine = parse_form(values)
            members = team_entries(event.new, self.readings.filename or "team.csv", routine)
            self.form_message.object = (
                f'<div class="status">simulating {len(members)} members from their readings…</div>'
            )
            for member in members:
                await self._simulate_routine(member)
        except Exception as exc:  # one line on the page, never a traceback
            self._form_error(exc)
            return
        self.form_message.object = (
            f'<div class="status">{len(members)} members on the board from their readings.</div>'
        )

    # ------------------------------------------------------------------ settings

    def _export(self) -> io.StringIO:
        return io.StringIO(self.ex.export_yaml())

    def _sync_routine_widgets(self) -> None:
        name = self.editing.value
        if name not in self.ex.available:
            return
        r = self.ex.routine(name)
        self.syncing = True
        try:
            self.invites.value = int(min(r["invites_per_week"], self.invites.end))
            self.targeting.value = list(r["invite_targeting"])
            self.notes.value = float(r["invite_note_share"])
            self.posts.value = float(min(r["posts_per_week"], self.posts.end))
            self.comments.value = float(min(r["comments_per_week"], self.comments.end))
            self.messages.value = float(min(r["warm_messages_per_week"], self.messages.end))
            self.navigator.value = bool(r["sales_navigator"])
            self.budget.value = float(r["hours_per_week_budget"] or 0.0)
        finally:
            self.syncing = False

    def _sync_settings(self) -> None:
        ex = self.ex
        self.syncing = True
        try:
            self.strategies.value = list(ex.selected)
            self.editing.options = list(ex.selected)
            self.editing.value = ex.selected[0]
            cap = ex.value("platform.invite_cap_per_week")
            self.no_cap.value = cap is None
            if cap is not None:
                self.cap.value = int(cap)
            self.threshold.value = int(ex.value("platform.boost_threshold_ssi"))
            self.boost.value = float(ex.value("platform.boost_reach"))
            size = int(ex.value("population.size"))
            if size not in self.size.options.values():
                self.size.options = {**self.size.options, f"{size:,}": size}
            self.size.value = size
        finally:
            self.syncing = False
        self._sync_routine_widgets()

    def _routine_handler(self, key: str, cast: Callable[[Any], Any]) -> Callable[[Any], Any]:
        async def handler(event: Any) -> None:
            name = self.editing.value
            value = cast(event.new)
            if isinstance(value, float):  # a slider's steps add up in binary: 4.500000000000001
                value = round(value, 9)
            if self.syncing or name not in self.ex.available:
                return
            if self.ex.routine(name).get(key) == value:  # the page set it: nothing new
                return
            self.ex.set_routine(name, key, value)
            await self.update()

        return handler

    def _setting_handler(
        self, key: str, cast: Callable[[Any], Any], widget: Any
    ) -> Callable[[Any], Any]:
        async def handler(event: Any) -> None:
            if self.syncing:
                return
            used = self.ex.value(key)
            if event.new is None:  # a box emptied: say so, and show the value in use again
                self._show_error(f"{widget.label}: a value is needed (kept {number_text(used)})")
                self._show_in(widget, used)
                return
            if used == cast(event.new):
                return
            self.ex.set(key, cast(event.new))
            try:  # checked before anything uses it (a population too small for the
                self.ex.scenario()  # seller's network, a deal value out of bounds)
            except SsisimError as exc:
                self.ex.set(key, used)
                self._show_error(
                    f"{_refusal(str(exc), key, widget.label)} (kept {number_text(used)})"
                )
                self._show_in(widget, used)
                return
            if key.startswith("contexts.") and self.picture is not None and not self.running:
                await self.reread()
            else:
                await self.update()

        return handler

    async def _on_cap(self, _event: Any) -> None:
        cap = None if self.no_cap.value else int(self.cap.value or 0)
        # the page's own change (a preset) reaches here after the sync: nothing new then
        if self.syncing or self.ex.value("platform.invite_cap_per_week") == cap:
            return
        self.ex.set("platform.invite_cap_per_week", cap)
        await self.update()

    async def _on_strategies(self, event: Any) -> None:
        if self.syncing or list(event.new) == self.ex.selected:
            return
        try:
            self.ex.select(list(event.new))
        except SsisimError as exc:
            self._show_error(str(exc))
            return
        self.syncing = True
        try:
            self.editing.options = list(self.ex.selected)
            if self.editing.value not in self.ex.selected:
                self.editing.value = self.ex.selected[0]
        finally:
            self.syncing = False
        self._sync_routine_widgets()
        await self.update()

    def _on_editing(self, _event: Any) -> None:
        if not self.syncing:
            self._sync_routine_widgets()

    def _preset_handler(self, preset: Preset) -> Callable[[Any], Any]:
        async def handler(_event: Any) -> None:
            await self.run_preset(preset)

        return handler

    async def run_preset(self, preset: Preset) -> None:
        """Apply a preset: its ``before`` settings first (kept as the Δ reference), then its change."""
        self.preset_note.object = (
            f'<div class="status" id="preset-note" data-preset="{preset.name}"><b>'
            f"{html.escape(preset.title)}</b>: {html.escape(preset.says)}</div>"
        )
        if preset.before is not None:
            self.ex.apply(preset, before=True)
            self._sync_settings()
            await self.update()
        self.ex.apply(preset)
        self._sync_settings()
        await self.update()

    # ------------------------------------------------------------------ updates

    def _show_in(self, widget: Any, value: Any) -> None:
        """Set a widget back to ``value`` (the value in use) without reacting to it."""
        self.syncing = True
        try:
            widget.value = value
        finally:
            self.syncing = False

    def _show_error(self, message: str) -> None:
        self.error.object = f'<div class="error" id="page-error">{html.escape(message)}</div>'

    def _set_status(self, text: str, updating: bool) -> None:
        state = "updating" if updating else "ready"
        self.status.object = f'<div class="status" id="status" data-state="{state}">{text}</div>'

    def _describe(self, sc: Scenario, seconds: float | None) -> str:
        took = f"{seconds:.2f} s" if seconds is not None else "…"
        return (
            f"population {sc.population.size:,} members · {sc.replications} replications per "
            f"strategy · {sc.weeks} weeks · seed {sc.seed} · {self.app.runner.description()} · "
            f"last update {took}"
        )

    async def update(self) -> None:
        """Re-simulate with the page's settings; coalesce changes made meanwhile."""
        if self.running:
            self.pending = True
            return
        try:
            scenario = self.ex.scenario()
        except SsisimError as exc:
            self._show_error(str(exc))
            if self.stale:  # a run was cut short by these settings
                self._mark(False)
                self._set_status(
                    "the settings above are invalid; the picture is the last one", False
                )
            return
        self.running = True
        started = time.perf_counter()
        key = _runs_key(scenario)
        earlier = self.app.pictures.get(key)
        if earlier is None:  # runs to wait for: the picture is marked stale meanwhile
            with self._held():  # the mark and the status in one message
                self.error.object = ""
                self._mark(True)
                self._set_status(
                    "updating… (the picture below is from the previous settings) · "
                    + self._describe(scenario, None),
                    True,
                )
        else:  # at once: a mark sent now could reach the page after the picture
            self.error.object = ""
        shown = False
        try:
            picture = await self._picture(key, scenario, started)
            self.runs += 1
            picture.run = self.runs
            if self.picture is not None and self.picture.scenario != picture.scenario:
                # the Δ reference: the page's last other picture, shown or not (a preset's
                # "before" runs are never put up, and are the reference on purpose); the
                # same settings again keep it (a Δ against itself would be blank)
                self.previous = self.picture
            self.picture = picture
            if not self.pending:
                loop = asyncio.get_running_loop()
                week = max(1, min(self._week(), picture.weeks))
                await loop.run_in_executor(None, picture.hidden, week)  # off the page's loop
                self._locked(lambda: self._show(picture))
                shown = True  # _show clears the mark when it puts the picture up
        except Exception as exc:  # a run that failed: one line on the page, never a traceback
            self._show_error(f"the update failed: {type(exc).__name__}: {exc}".splitlines()[0])
        finally:
            self.running = False
        if self.pending:
            self.pending = False
            await self.update()
            return
        if not shown and self.stale:  # the update failed: the old picture stays
            self._mark(False)
            self._set_status("the last update failed; the picture is the previous one", False)

    async def _picture(self, key: str, scenario: Scenario, started: float) -> Picture:
        """The picture of ``scenario``: kept from before, being made for another page
        (then waited for), or made now."""
        waited = False
        while True:
            earlier = self.app.pictures.get(key)
            if earlier is not None:
                break
            under_way = self.app.running.get(key)
            if under_way is None:
                return await self._simulate(key, scenario, started)
            # another page runs these settings: wait for its runs (a failure is
            # this page's too; a page closed meanwhile leaves them to the next)
            waited = True
            await asyncio.shield(under_way)
        self.app.pictures.move_to_end(key)  # the most recently asked for stays longest
        same = earlier.scenario.contexts == scenario.contexts
        elapsed = time.perf_counter() - started
        mine = self.picture
        if mine is not None and mine.weekly is earlier.weekly and mine is not self.shown:
            # this page's own runs, made while a change was pending and never shown
            note, elapsed = ("" if same else REVALUED), mine.seconds + elapsed
        else:
            note = WAITED if waited else REUSED
        return replace(
            earlier,
            scenario=scenario,
            seconds=elapsed,
            note=note,
            _hidden=earlier._hidden if same else {},
        )

    async def _simulate(self, key: str, scenario: Scenario, started: float) -> Picture:
        """Run ``scenario`` and make its picture; pages asking meanwhile wait for it."""
        loop = asyncio.get_running_loop()
        done: asyncio.Future[Picture | None] = loop.create_future()
        done.add_done_callback(_retrieved)
        self.app.running[key] = done
        try:
            results: list[RunResult] = []
            for f in self.app.runner.submit(scenario):
                results.extend(await _finished(f))
            results.sort(key=lambda r: (r.strategy, r.replication))
            seconds = time.perf_counter() - started
            picture = await loop.run_in_executor(None, self.ex.picture, scenario, results, seconds)
            week = max(1, min(self._week(), picture.weeks))
            await loop.run_in_executor(None, picture.hidden, week)  # once for every waiting page
        except Exception as exc:
            done.set_exception(exc)  # the waiting pages fail with it: not run again by each
            raise
        except BaseException:
            done.set_result(None)  # this page was closed: a waiting page takes the runs over
            raise
        else:
            self.app.remember(key, picture)
            done.set_result(picture)
            return picture
        finally:
            if self.app.running.get(key) is done:
                del self.app.running[key]

    async def reread(self) -> None:
        """A business context changed: re-read the same runs (no simulation)."""
        picture = self.picture
        if picture is None:
            return
        try:
            scenario = self.ex.scenario()
        except SsisimError as exc:
            self._show_error(str(exc))
            return
        self.error.object = ""
        self.runs += 1
        self.previous = picture
        started = time.perf_counter()
        new = Picture(scenario, picture.weekly, picture.bands, picture.traces, 0.0, self.runs)
        new.hidden(max(1, min(self._week(), new.weeks)))  # the re-valuing: what it took
        new.seconds, new.note = time.perf_counter() - started, REVALUED
        self.picture = new
        self.app.remember(_runs_key(scenario), new)
        self._locked(lambda: self._show(new))

    def _week(self) -> int:
        return int(
            min(self.player.value, self.picture.weeks if self.picture else self.player.value)
        )

    def _show(self, picture: Picture) -> None:
        """Put a finished picture on the page, in one go (called under the session's lock).

        The mark goes first, then the new picture replaces the old: new
        numbers are never shown under the "stale" mark.
        """
        if picture is not self.picture or self.running:
            return  # a newer update is under way: it will show its own picture
        if self.charts is None or not self.charts.fits(picture):
            # New figures (the first picture, other strategies) go up without the
            # hold: held with the new panes, the tables' text never reached the
            # browser (Panel 1.9, seen in Chromium).
            self._put(picture)
            return
        with self._held():
            self._put(picture)

    def _held(self) -> Any:
        """Gather the model changes made in the block into one message to the browser.

        Without it each change (a dozen data sources, the tables, the status)
        goes as its own message, and the browser lays out and redraws the page
        after each.
        """
        if self.doc is None:
            return contextlib.nullcontext()
        stack = contextlib.ExitStack()
        stack.enter_context(set_curdoc(self.doc))
        stack.enter_context(pn.io.hold(self.doc))
        return stack

    def _mark(self, stale: bool) -> None:
        """Mark the results stale (or not): the ``stale`` class on their element.

        The class goes through the element's HTML attributes, not
        ``css_classes``: Bokeh lays out and repaints the whole page (every
        figure, about 0.4 s in Chromium) when a layout's ``css_classes``
        change, and only restyles the element when its attributes do.
        """
        self.stale = stale
        attributes = {"class": "stale"} if stale else {}
        models = [model for model, _ in getattr(self.results, "_models", {}).values()]
        classes = ["results", "stale"] if stale and not models else ["results"]
        if self.results.css_classes != classes:  # not shown yet: the class itself
            self.results.css_classes = classes
        for model in models:
            model.html_attributes = attributes

    def _put(self, picture: Picture) -> None:
        self._mark(False)
        self.shown = picture
        self.player.end = picture.weeks
        week = max(0, min(self._week(), picture.weeks))
        charts = self.charts
        fresh = charts is None or not charts.fits(picture)
        if charts is None or fresh:
            charts = Charts(picture.strategies, list(picture.scenario.contexts))
        charts.show(picture)
        charts.at(picture, week)
        if fresh:
            self.charts = charts
            self.ssi_pane.object = charts.ssi.figure
            self.pillar_panes.objects = [
                pn.pane.Bokeh(c.figure, sizing_mode="stretch_width") for c in charts.pillars
            ]
            self.network_panes.objects = [
                pn.pane.Bokeh(c.figure, sizing_mode="stretch_width") for c in charts.network
            ]
            self.hidden_figs.objects = [
                pn.pane.Bokeh(charts.hidden.opportunities, sizing_mode="stretch_width"),
                pn.pane.Bokeh(charts.hidden.value, sizing_mode="stretch_width"),
            ]
            self.drawing_row.objects = [pn.pane.Bokeh(d.figure) for d in charts.drawings.values()]
        self._tables(week)
        again = f" · {picture.note}" if picture.note else ""
        sc = picture.scenario  # a rate above the weekly cap changes nothing: say why
        held = "".join(f" · {n}" for n in (cap_note(st, sc) for st in sc.strategies) if n)
        self._set_status(  # last: "up to date" never before the new numbers are sent
            "up to date · " + self._describe(picture.scenario, picture.seconds) + again + held,
            False,
        )

    def _locked(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` under the session's document lock (at the next tick)."""
        if self.doc is None:
            callback()
        else:
            self.doc.add_next_tick_callback(callback)

    def _tables(self, week: int, hidden: bool = True) -> None:
        """The numbers, captions and (if ``hidden``) verdicts and hidden outcomes at ``week``."""
        pic = self.picture
        if pic is None:
            return
        self.numbers.object = numbers_table(pic, week, pic.change_from(self.previous, week))
        self._captions()
        if not hidden:
            return
        wide, sentences = pic.hidden(max(week, 1))
        if week == 0 and sentences:  # nothing has happened at week 0: say which week they are
            sentences = ["Week 0: the routines have not started; after week 1:", *sentences]
        self.verdict.object = (
            "<div class='verdict' id='verdicts'>"
            + "".join(f"<p>{html.escape(s)}</p>" for s in sentences)
            + "</div>"
            if sentences
            else "<div class='verdict' id='verdicts'><p>One strategy (or one replication): "
            "no paired verdict.</p></div>"
        )
        self.hidden.object = hidden_table(wide, pic, max(week, 1))

    def _captions(self) -> None:
        captions = []
        if self.charts is not None:
            captions = [
                f"<p><b>{html.escape(name)}</b>: {html.escape(d.caption)}</p>"
                for name, d in self.charts.drawings.items()
            ]
        self.drawing_captions.object = "<div class='legend'>" + "".join(captions) + "</div>"

    def _at_week(self, week: int) -> None:
        """Replay: move the week markers, the networks and the numbers (no simulation).

        While the player plays, what the SSI hides (outcomes and verdicts up to
        the week, the slowest part) waits for it to stop.
        """
        pic = self.picture
        if pic is None or self.charts is None:
            return
        week = max(0, min(week, pic.weeks))
        playing = bool(self.player.direction)
        self.charts.at(pic, week, hidden=not playing)
        self._tables(week, hidden=not playing)

    def _on_week(self, event: Any) -> None:
        self._at_week(int(event.new))

    def _on_play(self, event: Any) -> None:
        if not event.new:  # stopped: catch up with what the SSI hides
            self._at_week(int(self.player.value))

    def view(self) -> Any:
        """The page, with the first update scheduled once it is shown."""
        pn.state.onload(self._first)
        return self.layout

    async def _first(self) -> None:
        await self.update()


def trainer_page(host: str, peer: str | None) -> bool:
    """Whether a page is the trainer's: opened at a loopback name, from this machine.

    ``host`` is the request's ``Host`` header, ``peer`` the address the
    connection came from. The header alone is the browser's to say (a
    participant's tool can send ``Host: localhost``); the peer is the
    connection's own. Both must be loopback: a participant connects from
    their own address, and a proxy on this machine forwards the public name.

    Examples
    --------
    >>> trainer_page("127.0.0.1:5006", "127.0.0.1"), trainer_page("localhost", "::1")
    (True, True)
    >>> trainer_page("localhost:5006", "192.0.2.7")  # a spoofed header from the room
    False
    >>> trainer_page("192.0.2.2:5006", "127.0.0.1")  # this machine, at its network name
    False
    """
    name = host.strip()
    name = name.rsplit("]", 1)[0].lstrip("[") if name.startswith("[") else name.split(":")[0]
    return _loopback(name) and peer is not None and _loopback(peer)


def _loopback(address: str) -> bool:
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _is_local() -> bool:
    """Whether this session's page is the trainer's (:func:`trainer_page`).

    The room's devices reach the app at the machine's network address (with
    ``--host``); the trainer's controls (reset, export, readings) are shown
    only on pages opened at 127.0.0.1 or localhost on the machine itself.
    Outside a server (a page built in Python) there is no room: True.
    """
    context = getattr(pn.state.curdoc, "session_context", None)
    request = getattr(context, "request", None)
    if request is None:
        return True
    host = request.headers.get("Host", "")
    peer = getattr(request, "remote_ip", None)
    return trainer_page(str(host), str(peer) if peer else None)


def make_app(app: AppState) -> Callable[[], Any]:
    """The function Panel calls for each new session."""

    def session() -> Any:
        # Panel's toast when the websocket closes (the server stopped, Ctrl-C):
        # without it the page would stay on "updating…"
        pn.extension(notifications=True, disconnect_notification=DISCONNECTED)
        return Page(app, local=_is_local()).view()

    return session


def _origins(host: str, port: int) -> list[str]:
    """The page's addresses the app accepts websockets from (any, when it listens on all)."""
    if host in ("0.0.0.0", "::"):
        return ["*"]
    return [f"{host}:{port}", f"localhost:{port}", f"127.0.0.1:{port}"]


def room_address(host: str, port: int) -> str | None:
    """The address the room's phones and laptops open when the app listens on
    every IPv4 interface (``host`` 0.0.0.0): this machine's address on its
    local network, or None when it has none (no network) or ``host`` is
    another (``::`` listens on IPv6 only here, and Panel cannot serve a page
    asked for by an IPv6 address). Found by the route to a private address;
    nothing is sent."""
    if host != "0.0.0.0":
        return None
    import socket

    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.254.254.254", 1))  # UDP: no packet leaves
            found = str(probe.getsockname()[0])
    except OSError:
        return None
    return None if found.startswith("127.") or found == "0.0.0.0" else f"http://{found}:{port}/"


def serve_in_thread(state: AppState, port: int, host: str = "127.0.0.1") -> Any:
    """Serve the app from a background thread (tests, benchmarks); ``.stop()`` ends it."""
    return pn.serve(
        make_app(state),
        port=port,
        address=host,
        websocket_origin=_origins(host, port),
        show=False,
        threaded=True,
        start=True,
        verbose=False,
        title="ssisim explore",
    )


def serve(
    scenario: Path | None,
    *,
    port: int,
    host: str,
    show: bool,
    workers: int = 0,
    size: int | None = None,
    replications: int | None = None,
    ready: Callable[[str], None] | None = None,
    starting: Callable[[str], None] | None = None,
) -> None:
    """Serve the explorer until interrupted (blocking).

    Before serving it runs the page's first settings (:meth:`AppState.prime`),
    saying so through ``starting``; ``ready`` gets the page's address.

    Raises
    ------
    ScenarioError
        The scenario file is invalid.
    """
    base = Explorer.from_file(scenario, size=size, replications=replications)
    base.scenario()  # an invalid scenario or size fails here, before serving
    runner = Runner(workers)
    state = AppState(base.base, runner, size=size, replications=replications)
    # IPv6: "localhost" (an IPv6 literal in the Host header breaks Panel 1.9's location)
    local = {"0.0.0.0": "127.0.0.1"}.get(host, "localhost" if ":" in host else host)
    address = f"http://{local}:{port}/"
    if host in ("0.0.0.0", "::"):
        # every origin is allowed on purpose (the room's devices): not a warning to show
        logging.getLogger("bokeh.server.util").setLevel(logging.ERROR)
    try:
        if starting is not None:
            first = base.scenario()
            runs = len(first.strategies) * first.replications
            starting(
                f"running the page's first settings ({runs} runs, "
                f"{first.population.size:,} members) before serving"
            )
        state.prime()  # the first page opens on its runs at once
        if ready is not None:
            ready(address)
        pn.serve(
            make_app(state),
            port=port,
            address=host,
            websocket_origin=_origins(host, port),
            show=show,
            title="ssisim explore",
            verbose=False,
            threaded=False,
        )
    finally:
        runner.close()

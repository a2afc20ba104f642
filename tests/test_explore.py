"""The explorer's state layer, without a browser: settings, scenario, runs, picture, room."""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from ssisim.errors import DataError, ScenarioError
from ssisim.explore.model import PRESETS, Explorer, default_scenario
from ssisim.explore.room import (
    MOVES,
    Board,
    FormError,
    parse_form,
    project,
    routine_scenarios,
    team_entries,
    week_of,
)
from ssisim.explore.runs import Runner, run_task, traced
from ssisim.population.cache import population_for
from ssisim.results.tables import weekly_frame
from ssisim.scenario.loading import load_scenario
from ssisim.seeds import run_seed
from ssisim.sim.run import simulate

SIZE = 1_000


def _small(weeks: int = 8, reps: int = 2) -> Explorer:
    base = default_scenario().model_copy(update={"weeks": weeks})
    return Explorer(base, size=SIZE, replications=reps)


@pytest.fixture(scope="module")
def runner():
    r = Runner(1)
    yield r
    r.close()


FORM = {
    "name": "Ana",
    "posts": "2",
    "comments": "5",
    "invitations": "10",
    "target": "my target market",
    "messages": "3",
    "sales_navigator": False,
    "connections": "300",
    "ssi": "",
}


def test_tracing_a_run_changes_nothing_in_its_records():
    sc = _small(weeks=6).scenario()
    population = population_for(sc)
    for strategy in sc.strategies:
        seed = run_seed(sc, strategy, 1)
        records, trace = traced(population, sc, strategy, run_seed(sc, strategy, 1), 1)
        assert records == simulate(population, sc, strategy, seed, 1)
        assert list(trace.sizes) == [r.connections for r in records]
        assert trace.kinds.size == records[-1].connections
        assert [t.size for t in trace.ties] == list(trace.sizes)


def test_the_page_runs_what_ssisim_run_runs(runner):
    ex = _small()
    sc = ex.scenario()
    picture = ex.picture(sc, runner.run(sc), 0.0)
    expected = weekly_frame(
        [rec for task in (run_task(sc, s, [0, 1], False) for s in range(2)) for r in task
         for rec in r.records],
        [s.name for s in sc.strategies],
    )  # fmt: skip
    pd.testing.assert_frame_equal(
        picture.weekly.drop(columns="relevant_share"), expected, check_dtype=False
    )
    assert set(picture.traces) == {"open-bar", "club-select"}
    numbers = picture.numbers(8)
    assert list(numbers.index) == ["open-bar", "club-select"]
    assert numbers.loc["open-bar", "connections"] > numbers.loc["club-select", "connections"]
    wide, sentences = picture.hidden()
    assert set(wide["context"]) == {"volume", "complex"}
    assert len(sentences) == 2 and sentences[0].startswith("In the volume context, ")


def test_the_exported_yaml_is_the_page_s_scenario(tmp_path: Path):
    ex = _small()
    ex.set("platform.invite_cap_per_week", None)
    ex.set("contexts.complex.deal_value_eur", 250_000.0)
    ex.set("contexts.complex.warm_premium", 20.0)  # the page's "a warm lead is worth" slider
    ex.set_routine("club-select", "posts_per_week", 6.0)
    ex.set_routine("club-select", "invite_targeting", ("decision_makers", "relevant"))
    ex.select(["club-select", "zoom"])
    path = tmp_path / "page.yaml"
    path.write_text(ex.export_yaml(), encoding="utf-8")
    loaded = load_scenario(path)
    assert loaded == ex.scenario()
    assert loaded.strategies[0].posts_per_week == 6.0
    assert loaded.platform.invite_cap_per_week is None
    assert loaded.contexts["complex"].warm_premium == 20.0


def test_a_bad_setting_is_one_line():
    ex = _small()
    ex.set("platform.boost_reach", -1.0)
    with pytest.raises(ScenarioError) as err:
        ex.scenario()
    assert "\n" not in str(err.value) and "platform.boost_reach" in str(err.value)
    with pytest.raises(ScenarioError, match="at least one"):
        ex.select([])
    with pytest.raises(ScenarioError, match="unknown strategy 'nobody'"):
        ex.select(["nobody"])


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.name)
def test_every_preset_makes_a_valid_scenario(preset):
    ex = _small()
    ex.apply(preset)
    sc = ex.scenario()
    assert [s.name for s in sc.strategies] == list(preset.strategies)
    assert preset.strategy in preset.strategies
    for key, value in preset.changes.items():
        assert ex.value(key) == value
    if preset.min_size:
        assert sc.population.size >= preset.min_size
    if preset.before is not None:
        ex.apply(preset, before=True)
        assert all(ex.value(k) == v for k, v in preset.before.items())


def test_the_cap_preset_grows_industrial_s_network(runner):
    ex = _small(weeks=6)
    preset = next(p for p in PRESETS if p.name == "cap-and-industrial")
    ex.apply(preset, before=True)
    ex.set("population.size", 5_000)  # enough members to invite for six weeks
    before = ex.picture(ex.scenario(), runner.run(ex.scenario(), trace=False), 0.0)
    ex.apply(preset)
    ex.set("population.size", 5_000)
    after = ex.picture(ex.scenario(), runner.run(ex.scenario(), trace=False), 0.0)
    change = after.change_from(before, 6)
    assert change is not None
    assert change.loc["industrial", "connections"] > 200
    assert change.loc["open-bar", "connections"] == 0  # it sends exactly the cap anyway


def test_the_form_refuses_bad_input_in_one_line():
    assert parse_form(FORM).invitations == 10.0
    cases = {
        "posts": ("lots", "posts a week: 'lots' is not a number; type a number from 0 to 35"),
        "connections": ("-3", "current connections: -3 is out of range (0 to 30,000)"),
        "ssi": ("101", "SSI today: 101 is out of range (0 to 100)"),
        "comments": ("NaN", "comments a week: 'NaN' is not a number; type a number from 0 to 200"),
        "name": ("  ", "name: missing; type a first name or a nickname"),
    }
    for key, (value, message) in cases.items():
        with pytest.raises(FormError) as err:
            parse_form({**FORM, key: value})
        assert str(err.value) == message
    with pytest.raises(FormError, match="name: at most"):
        parse_form({**FORM, "name": "<script>"})


def test_a_participant_s_year_the_board_and_its_csv(runner):
    base = _small(weeks=8).scenario()
    board = Board()
    for name, ssi in (("Ana", ""), ("Bob", "45")):
        routine = parse_form({**FORM, "name": name, "ssi": ssi})
        jobs = routine_scenarios(base, routine)
        assert [label for label, _ in jobs] == ["", *(label for label, _ in MOVES)]
        assert all(sc.population.seller.initial_connections == 300 for _, sc in jobs)
        runs = [(label, sc, runner.run(sc, trace=False)) for label, sc in jobs]
        board.add(project(routine, runs))
    table = board.table(8)
    assert list(table["rank"]) == [1, 2]
    bob = table.set_index("name").loc["Bob"]
    assert bob["ssi_now"] == pytest.approx(45.0)  # starts from the SSI typed
    assert table["best_move"].str.len().min() > 0
    text = board.csv(8, dt.date(2027, 1, 1)).decode()
    assert text.splitlines()[0].startswith("rank,projected_at,name,ssi_now,ssi_projected")
    assert "Ana" in text and "Bob" in text
    board.reset()
    assert board.table(8).empty
    # more contacts than the room's population holds: as many as it can (it was
    # refused by the scenario check with a bare pydantic line on the form)
    many = parse_form({**FORM, "connections": "30000"})
    size = base.population.size
    assert all(
        sc.population.seller.initial_connections == size - 1
        for _, sc in routine_scenarios(base, many)
    )


def test_a_team_file_starts_members_from_their_readings():
    data = (
        b"name;date;ssi;brand;people;insights;relationships\n"
        b"Alice Martin;2026-02-23;40;10;10;10;10\n"
        b"Bob Durand;2026-02-23;22;5;6;5;6\n"
        b"Alice Martin;2026-03-02;41;10;10;10;11\n"
    )
    members = team_entries(data, "team.csv", parse_form(FORM))
    assert [(m.name, m.ssi) for m in members] == [("Alice Martin", 41.0), ("Bob Durand", 22.0)]
    assert members[0].pillars == {"brand": 10.0, "people": 10.0, "insights": 10.0,
                                  "relationships": 11.0}  # fmt: skip
    with pytest.raises(DataError) as err:
        team_entries(b"date;ssi\n2026-01-01;40\n", "/secret/folder/team.csv", parse_form(FORM))
    assert str(err.value).startswith("team.csv:1: name: missing column")
    assert "secret" not in str(err.value)
    # a file's names are held to the form's rule (printable, no < or >, 40 characters)
    odd = (
        b"name;date;ssi;brand;people;insights;relationships\n"
        b"<script>alert(1)</script>;2026-02-23;40;10;10;10;10\n"
        + b"A" * 60
        + b";2026-02-23;22;5;6;5;6\n"
    )
    names = [m.name for m in team_entries(odd, "team.csv", parse_form(FORM))]
    assert names == ["scriptalert(1)/script", "A" * 40]


def test_the_board_s_date_is_a_week_of_the_simulated_year():
    today = dt.date(2026, 11, 29)
    assert week_of(today, today, 52) == 0
    assert week_of(today + dt.timedelta(weeks=12), today, 52) == 12
    assert week_of(today + dt.timedelta(days=800), today, 52) == 52
    assert week_of(today - dt.timedelta(days=30), today, 52) == 0


def test_without_panel_the_command_says_how_to_install_it(monkeypatch, capsys):
    from ssisim.cli import explore as command
    from ssisim.cli.main import main

    real = importlib.util.find_spec
    monkeypatch.setattr(
        command.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "panel" else real(name, *a),
    )
    with pytest.raises(SystemExit) as exit_:
        main(["explore", "--no-show"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err == "error: ssisim explore needs Panel: pip install 'ssisim[explore]'\n"


def test_network_drawings_share_one_scale():
    pytest.importorskip("panel")
    from ssisim.explore.figures import Charts, colors_of
    from ssisim.plots.style import BUILTIN_COLORS

    ex = _small(weeks=4)
    sc = ex.scenario()
    results = [r for s in range(2) for r in run_task(sc, s, [0, 1], True)]
    picture = ex.picture(sc, results, 0.0)
    charts = Charts(picture.strategies, list(sc.contexts))
    charts.show(picture)
    charts.at(picture, 4)
    drawings = charts.drawings
    radius = {n: float(np.hypot(d.x, d.y).max()) for n, d in drawings.items()}
    big = max(radius, key=lambda n: radius[n])
    assert radius[big] == pytest.approx(1.0, abs=0.02)  # the biggest network fills the disc
    assert "contacts" in drawings[big].caption
    assert (
        colors_of(["club-select"])["club-select"].lower() == BUILTIN_COLORS["club-select"].lower()
    )


def test_a_room_page_that_says_localhost_gets_no_trainer_controls():
    """The trainer's page is told by the connection's address as well as the Host header:
    a participant's request that claims ``Host: localhost`` is still the room's."""
    from types import SimpleNamespace

    pytest.importorskip("panel")
    from panel.io.state import set_curdoc

    from ssisim.explore.app import _is_local

    def page(host: str, peer: str) -> bool:
        request = SimpleNamespace(headers={"Host": host}, remote_ip=peer)
        with set_curdoc(SimpleNamespace(session_context=SimpleNamespace(request=request))):
            return _is_local()

    assert page("localhost:5006", "127.0.0.1") and page("[::1]:5006", "::1")
    assert not page("localhost:5006", "192.0.2.7")  # the header is the browser's to say
    assert not page("192.0.2.2:5006", "192.0.2.7")
    assert not page("192.0.2.2:5006", "127.0.0.1")  # a proxy here forwards the public name


@contextlib.contextmanager
def _room(weeks: int, size: int) -> Iterator[tuple[Any, list[Any], Runner]]:
    """A small app on one in-process worker whose submitted scenarios are counted."""
    pytest.importorskip("panel")
    from ssisim.explore.app import AppState

    runner = Runner(1)
    submitted: list[Any] = []
    submit = runner.submit

    def counted(sc: Any, trace: bool = True) -> Any:
        submitted.append(sc)
        return submit(sc, trace)

    runner.submit = counted  # type: ignore[method-assign]
    try:
        base = default_scenario().model_copy(update={"weeks": weeks})
        yield AppState(base, runner, size=size, replications=2), submitted, runner
    finally:
        runner.close()


def _update_together(pages: list[Any]) -> None:
    """Every page's update at once, on one event loop (as a server's sessions)."""
    import asyncio

    async def together() -> None:
        await asyncio.gather(*(p.update() for p in pages))

    asyncio.run(together())


def test_pages_asking_for_the_same_settings_share_one_set_of_runs():
    """Three pages of the room updating at once on the same settings: the runs are
    submitted once; the other pages wait for them and show the same picture."""
    with _room(weeks=4, size=1000) as (app, submitted, _):
        from ssisim.explore.app import WAITED, Page

        pages = [Page(app), Page(app), Page(app)]
        _update_together(pages)
    assert len(submitted) == 1
    notes = [p.picture.note for p in pages if p.picture is not None]
    assert notes == ["", WAITED, WAITED]  # the two others waited for the first one's runs
    weekly = [p.picture.weekly for p in pages if p.picture is not None]
    assert all(w is weekly[0] for w in weekly)  # the very same runs, not a copy


def test_the_app_runs_the_first_settings_before_any_page_asks():
    """``ssisim explore`` primes the page's first settings at start-up: the first page's
    update then submits nothing and shows those runs."""
    import asyncio

    with _room(weeks=3, size=800) as (app, submitted, _):
        from ssisim.explore.app import REUSED, Page

        assert app.prime() > 0 and len(app.pictures) == 1
        submitted.clear()  # the priming's own runs
        page = Page(app)
        asyncio.run(page.update())
    assert submitted == [] and page.picture is not None and page.picture.note == REUSED
    assert page.picture.weekly is next(iter(app.pictures.values())).weekly


def test_a_shared_run_that_fails_fails_every_waiting_page_once():
    """The room's pages waiting for one set of runs that fails all show the failure;
    the runs are not started again by each of them."""
    with _room(weeks=3, size=800) as (app, submitted, runner):
        from ssisim.explore.app import WAITED, Page

        works = runner.submit

        def broken(sc, trace=True):  # runs that fail in a worker, as a model error would
            from concurrent.futures import Future

            submitted.append(sc)
            failed: Future = Future()
            failed.set_exception(RuntimeError("the model broke"))
            return [failed]

        runner.submit = broken
        pages = [Page(app) for _ in range(4)]
        _update_together(pages)
        assert len(submitted) == 1
        assert all("the update failed: RuntimeError: the model broke" in p.error.object
                   for p in pages)  # fmt: skip
        assert not app.running and not app.pictures
        # once it works again, pages waiting for one page's runs say so
        runner.submit = works
        _update_together(pages)
        notes = sorted(p.picture.note for p in pages if p.picture is not None)
        assert notes == ["", WAITED, WAITED, WAITED]


def test_the_room_s_address_is_this_machine_s_on_its_network(monkeypatch):
    import ipaddress
    import socket

    from ssisim.explore.app import room_address

    assert room_address("127.0.0.1", 5006) is None  # served to this machine only
    assert room_address("::", 5006) is None  # IPv6 only: an IPv4 address would not answer
    found = room_address("0.0.0.0", 5006)
    if found is not None:  # a machine with a network: an address the others can reach
        host = found.removeprefix("http://").removesuffix(":5006/")
        assert not ipaddress.ip_address(host).is_loopback

    class NoRoute:
        def __init__(self, *_args):
            pass

        def __enter__(self):
            return self

        def __exit__(self, *_exc):
            return False

        def connect(self, _address):
            raise OSError("Network is unreachable")

    monkeypatch.setattr(socket, "socket", NoRoute)
    assert room_address("0.0.0.0", 5006) is None  # no network: the caller says 0.0.0.0


def _settle(page: Any) -> None:
    """Let the page's own widget events (run as tasks after a change) and updates finish."""
    import asyncio

    async def settle() -> None:
        for _ in range(600):
            await asyncio.sleep(0.05)
            if not page.running and not page.pending:
                await asyncio.sleep(0.2)  # a late widget event would start another update
                if not page.running:
                    return

    asyncio.run(settle())


def _deltas(page: Any, metric: str) -> list[str]:
    import re

    page._tables(page.picture.weeks, hidden=False)  # what the page shows at the horizon
    row = re.search(rf'<tr data-metric="{metric}">(.*?)</tr>', page.numbers.object)
    assert row is not None
    return re.findall(r"<td class='delta'>(.*?)</td>", row.group(1))


def test_both_presets_with_a_before_show_what_their_change_moved():
    """The cap preset's Δ was blank: lifting the cap ticked "No invitation cap", whose
    event (after the preset's own update) ran the same settings again, and the page's
    Δ reference became the capped-lifted picture itself."""
    import asyncio

    with _room(weeks=4, size=800) as (app, _, _):
        from ssisim.explore.app import Page

        page = Page(app)
        asyncio.run(page.update())
        cap, boost = (next(p for p in PRESETS if p.name == n)
                      for n in ("cap-and-industrial", "boost-above-70"))  # fmt: skip
        for preset in (cap, boost, cap, cap):  # after another preset, and clicked twice
            runs = page.runs
            asyncio.run(page.run_preset(preset))
            _settle(page)
            assert page.runs == runs + 2  # the "before" and the preset: nothing run again
            assert page.previous is not None and page.picture is not None
            before, after = page.previous.scenario.platform, page.picture.scenario.platform
            if preset is cap:
                assert (before.invite_cap_per_week, after.invite_cap_per_week) == (100, None)
                industrial, open_bar = _deltas(page, "connections")
                assert industrial.startswith("+") and open_bar == ""  # the cap binds on one
            else:
                assert (before.boost_reach, after.boost_reach) == (0.0, 1.0)
                assert len(_deltas(page, "impressions")) == 2


def test_each_preset_runs_on_its_own_population():
    ex = _small()
    cap, open_bar = (next(p for p in PRESETS if p.name == n)
                     for n in ("cap-and-industrial", "open-bar-vs-club-select"))  # fmt: skip
    ex.apply(cap)
    assert ex.value("population.size") == 20_000
    ex.apply(open_bar)
    assert ex.value("population.size") == SIZE  # not the cap preset's 20,000
    ex.set("population.size", 5_000)  # a size chosen on the page: a preset sets its own
    ex.apply(open_bar)
    assert ex.value("population.size") == SIZE
    big = Explorer(default_scenario(), size=50_000)
    big.apply(cap)
    assert big.value("population.size") == 50_000  # the page's size, above the minimum


def test_the_exported_description_names_the_strategies_shown():
    import yaml

    ex = _small()
    assert yaml.safe_load(ex.export_yaml())["description"] == default_scenario().description
    ex.apply(next(p for p in PRESETS if p.name == "volume-vs-complex"))
    described = yaml.safe_load(ex.export_yaml())["description"]
    assert "industrial" in described and "linkedin-playbook" in described
    assert "Open bar" not in described
    assert ex.scenario().description == described  # the page's scenario, exported as it is


def test_a_deal_value_out_of_bounds_is_refused_in_one_line():
    """-100 typed in a deal value was silently ignored (the box said -100, the page used
    the last value): it is refused with one red line, and the box shows the value used."""
    import asyncio

    import param

    with _room(weeks=3, size=600) as (app, _, _):
        from ssisim.explore.app import Page

        page = Page(app)
        box = page.deal["volume"]

        async def typed(value: float | None) -> None:
            with param.edit_constant(box):  # as the browser sends it
                box.param.update(value=value, value_throttled=value)
            for _ in range(100):
                await asyncio.sleep(0.02)
                if not page.running:
                    break

        async def session() -> None:
            await page.update()
            await typed(3000.0)
            assert page.error.object == ""
            for bad in (-100.0, 2e12):
                await typed(bad)
                assert 'class="error"' in page.error.object
                assert "volume: deal value (€): must be at " in page.error.object
                assert "3,000" in page.error.object and "\n" not in page.error.object
                assert box.value == 3000.0
                assert page.ex.value("contexts.volume.deal_value_eur") == 3000.0
                assert "deal_value_eur: 3000.0" in page.ex.export_yaml()
            await typed(500.0)
            assert page.error.object == ""
            assert page.picture is not None
            assert page.picture.scenario.contexts["volume"].deal_value_eur == 500.0
            await typed(None)  # the box emptied: one line, the value in use shown again
            assert "volume: deal value (€): a value is needed (kept 500)" in (page.error.object)
            assert box.value == 500.0
            assert page.ex.value("contexts.volume.deal_value_eur") == 500.0

        asyncio.run(session())


def test_resetting_the_board_clears_the_form_s_message():
    with _room(weeks=3, size=600) as (app, _, _):
        from ssisim.explore.app import Page

        page = Page(app)
        page.form_message.object = '<div class="status">2 members on the board.</div>'
        page._on_reset(None)
        assert page.form_message.object == ""
        assert "<caption>" not in page.board_html.object  # one word a line in a caption
        assert "No one yet" in page.board_html.object


def test_the_status_says_when_the_weekly_cap_holds_a_routine_back():
    """Open bar at 125 invitations a week re-simulates to open bar at 100: the
    status line says why (a newcomer saw identical numbers and no reason)."""
    with _room(weeks=2, size=600) as (app, _, _):
        from ssisim.explore.app import Page

        page = Page(app)
        page.ex.set_routine("open-bar", "invites_per_week", 125.0)
        _update_together([page])
        assert page.picture is not None
        page._show(page.picture)  # what the server's next tick does (no document here)
        status = page.status.object
    assert "open-bar: 125 invitations a week planned; the weekly cap" in status
    assert "club-select:" not in status


def test_a_setting_the_scenario_refuses_names_the_explorers_settings():
    """A population too small for the seller's week-0 network was said at 'page:1:'."""
    from ssisim.errors import ScenarioError
    from ssisim.explore.model import Explorer
    from ssisim.scenario.loading import parse_scenario

    base = parse_scenario(
        "name: big\nstrategies: [open-bar, club-select]\n"
        "population: {size: 5000, seller: {initial_connections: 3000}}\n"
    )
    ex = Explorer(base, size=2000)
    with pytest.raises(ScenarioError) as info:
        ex.scenario()
    assert str(info.value).startswith(
        "the explorer's settings: population.seller.initial_connections: 3,000 contacts"
    )


def test_a_delta_that_rounds_to_nothing_has_no_sign():
    """'−0 pts' showed in a Δ cell (a change of −0.1 point of the relevant share)."""
    from ssisim.explore.figures import _delta

    assert _delta("relevant_share", -0.001) == ""
    assert _delta("relevant_share", 0.02) == "+2 pts"
    assert _delta("ssi", -0.06) == "−0.1"


def test_the_room_says_a_name_replaced_and_an_empty_readings_file():
    """'camille ' after 'Camille' (SSI 40) replaced her row and kept her SSI, saying only
    'camille is on the board.'; an empty readings file was ignored, an older error left up."""
    import asyncio
    from types import SimpleNamespace

    with _room(weeks=2, size=600) as (app, _, _):
        from ssisim.explore.app import Page

        page = Page(app)

        def submit(**values: object) -> str:
            for key, value in {**FORM, **values}.items():
                page.form[key].value = value
            asyncio.run(page._on_submit(None))
            return str(page.form_message.object)

        assert "Camille is on the board." in submit(name="Camille", ssi="40")
        said = submit(name="camille ", ssi="")
        assert "camille replaces the routine entered as Camille, SSI today 40 kept." in said
        assert len(app.board.table(2)) == 1
        page.form_message.object = '<div class="error">an older line</div>'
        page.readings.filename = "team_empty.csv"
        asyncio.run(page._on_readings(SimpleNamespace(new=b"")))
        assert "team_empty.csv: empty file" in str(page.form_message.object)

"""Teams: members at their seats, the monthly leaderboard, the command."""

from __future__ import annotations

import typing

import pandas as pd
import pytest
from click.testing import CliRunner

from ssisim.errors import ScenarioError
from ssisim.experiments.teams import (
    LEADERBOARD_COLUMNS,
    leaderboard_runs,
    leaderboard_table,
    run_team,
    team_scenario,
)
from ssisim.records import WeekRecord
from ssisim.results.tables import weekly_frame
from ssisim.scenario.loading import parse_scenario

TEAM = """
name: team-test
seed: 4
weeks: 8
replications: 2
population: {size: 3000}
strategies: [open-bar, {name: quiet, based_on: beginner}]
team:
  members:
    - {name: ann, strategy: open-bar}
    - {name: bob, strategy: quiet}
    - {name: cat, strategy: club-select}
  month_weeks: 4
"""


def test_team_scenario_seats_every_member():
    sc = team_scenario(parse_scenario(TEAM))
    assert [(s.name, s.seat, s.source) for s in sc.strategies] == [
        ("ann", 0, "open-bar"),
        ("bob", 1, "quiet"),
        ("cat", 2, "club-select"),
    ]
    assert sc.strategies[1].invites_per_week == 2  # the scenario's `quiet`, based on beginner
    with pytest.raises(ScenarioError, match=r"unknown strategy 'nobody'"):
        team_scenario(parse_scenario(TEAM.replace("strategy: quiet", "strategy: nobody")))
    with pytest.raises(ScenarioError, match=r"sits at seat 5, but team.members has 3 seats"):
        parse_scenario(TEAM.replace("{name: quiet, based_on: beginner}", "{name: q, seat: 5}"))
    with pytest.raises(ScenarioError, match=r"a team or a cohort, not both"):
        parse_scenario(TEAM + "cohort: {sellers: 10}\n")


def _board_weekly() -> pd.DataFrame:
    zeros = {c: t() for c, t in typing.get_type_hints(WeekRecord).items()}
    ssi = {"ann": [10, 20, 30, 40, 45, 46, 47, 48, 49], "bob": [10, 12, 14, 16, 18, 30, 50, 60, 70]}
    records = [
        WeekRecord(
            **{
                **zeros,
                "strategy": name,
                "week": week,
                "ssi": float(value),
                "leads_inbound": 2 if name == "ann" and week > 0 else 0,
            }
        )
        for name, series in ssi.items()
        for week, value in enumerate(series)
    ]
    return weekly_frame(records, list(ssi))


def test_leaderboard_exact():
    sc = parse_scenario(
        "name: b\nweeks: 8\nstrategies: [inactive]\n"
        "team: {members: [{name: ann, strategy: open-bar}, {name: bob, strategy: beginner}],"
        " month_weeks: 4, goal_points: 10}\n"
    )
    runs = leaderboard_runs(_board_weekly(), sc)
    assert runs[
        ["month", "week", "member", "ssi", "ssi_change", "rank", "goal"]
    ].values.tolist() == [
        [1, 4, "ann", 45.0, 35.0, 1, True],
        [1, 4, "bob", 18.0, 8.0, 2, False],
        [2, 8, "ann", 49.0, 4.0, 2, False],
        [2, 8, "bob", 70.0, 52.0, 1, True],
    ]
    # volume: inbound leads convert at 0.5; 2 a week for 4 weeks
    assert runs.opportunities.tolist() == [4.0, 0.0, 4.0, 0.0]
    table = leaderboard_table(_board_weekly(), sc)
    assert tuple(table.columns) == LEADERBOARD_COLUMNS
    assert table.strategy.tolist() == ["open-bar", "beginner"] * 2
    assert table.first_share.tolist() == [1.0, 0.0, 0.0, 1.0]


def _text(table) -> str:
    from rich.console import Console

    console = Console(record=True, width=120)
    console.print(table)
    return console.export_text()


def test_the_terminal_board_and_its_sentence_say_the_same_goal_count():
    """ann gained 35 points in month 1 and 4 in month 2; bob 8 then 52. The goal
    column used to show the last month's share (ann 0%) while the sentence counted
    ann's month 1: both now count the months with a gain of 10 or more."""
    from ssisim.cli.tables import leaderboard_table as terminal_board
    from ssisim.experiments.teams import leaderboard_sentences

    sc = parse_scenario(
        "name: b\nweeks: 8\nstrategies: [inactive]\n"
        "team: {members: [{name: ann, strategy: open-bar}, {name: bob, strategy: beginner}],"
        " month_weeks: 4, goal_points: 10}\n"
    )
    board = leaderboard_table(_board_weekly(), sc)
    assert board.groupby("member")["goal_share"].sum().to_dict() == {"ann": 1.0, "bob": 1.0}
    text = _text(terminal_board(board, 1, 10))
    cells = [[c for c in line.split() if c not in "│┃"] for line in text.splitlines()]
    rows = {c[1]: c for c in cells if len(c) == 8 and c[1] in ("ann", "bob")}
    assert rows["ann"][4:7] == ["+4.0", "0%", "1.0"]  # change, first, months with +10
    assert rows["bob"][4:7] == ["+52.0", "100%", "1.0"]
    sentence = leaderboard_sentences(board, sc)[1]
    assert "happened most to ann and bob: 1.0 month out of 2" in sentence


def test_a_change_that_rounds_to_zero_is_never_negative_zero():
    from ssisim.cli.tables import leaderboard_table as terminal_board

    board = pd.DataFrame(
        {"month": 1, "week": 4, "member": ["ann", "bob"], "strategy": "s", "ssi": [50.0, 40.0],
         "ssi_change": [-0.04, -0.3], "rank": [1, 2], "mean_rank": [1.0, 2.0],
         "first_share": [1.0, 0.0], "goal_share": 0.0, "opportunities": 1.0}
    )  # fmt: skip
    text = _text(terminal_board(board, 1, 10))
    assert "-0.0" not in text and "+0.0" in text and "-0.3" in text


def test_run_team_and_the_command(tmp_path, monkeypatch):
    from conftest import saved_figures

    from ssisim.cli.main import cli

    path = tmp_path / "team.yaml"
    path.write_text(TEAM)
    out = tmp_path / "out"
    args = ["team", str(path), "--out", str(out), "--workers", "1", "--no-figures"]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    assert "Leaderboard after month 2" in res.output and "leads with an SSI of" in res.output
    board = pd.read_csv(out / "leaderboard.csv")  # what run_team returned, as written
    assert len(board) == 2 * 3  # two months, three members
    for _month, rows in board.groupby("month"):
        assert sorted(rows["rank"]) == [1, 2, 3]
        assert rows.first_share.sum() == pytest.approx(1.0)
    assert set(pd.read_csv(out / "weekly.csv").strategy) == {"ann", "bob", "cat"}
    assert (out / "outcomes.csv").is_file() and not (out / "figures" / "ssi.png").exists()
    # the figures are drawn from the folder alone (once: drawing is most of this test);
    # laid out as saving them does, not rasterised (tests/test_plots.py draws pixels)
    drawn = saved_figures(monkeypatch)
    res = CliRunner().invoke(cli, ["plot", str(out)])
    assert res.exit_code == 0, res.output
    for name in ("leaderboard.png", "ssi.png", "opportunities.png"):
        assert (out / "figures" / name).read_bytes()[:4] == b"\x89PNG", name
    assert len(drawn) == len(list((out / "figures").glob("*.png")))


def test_a_team_larger_than_the_company_is_refused():
    members = ", ".join(f"{{name: m{i}, strategy: beginner}}" for i in range(400))
    sc = parse_scenario(f"name: big\nweeks: 4\npopulation: {{size: 3000}}\nstrategies: [inactive]\n"
                        f"team: {{members: [{members}]}}\n")  # fmt: skip
    with pytest.raises(
        ScenarioError, match=r"the seller's company has \d+ member\(s\); a team of 400"
    ):
        run_team(sc)

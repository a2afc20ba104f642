"""Sweeps: the sweep block, expansion into points, line-numbered errors, CRN."""

import re

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import assert_redraws

from ssisim.cli.main import cli, main
from ssisim.engine.driver import run_replications
from ssisim.errors import ScenarioError
from ssisim.experiments.sweep import sweep_plan, transform
from ssisim.scenario.loading import load_scenario, parse_scenario
from ssisim.scenario.schema import Uncertain

SWEEP = """\
name: sweep-test
seed: 4
weeks: 3
replications: 2
population: {size: 400}
strategies: [open-bar, club-select]
sweep:
  grid:
    strategies.open-bar.invites_per_week: "10:30:10"
"""


@pytest.fixture
def sweep_file(tmp_path):
    p = tmp_path / "sweep.yaml"
    p.write_text(SWEEP)
    return p


def test_start_stop_step_includes_stop_and_keeps_integers():
    sc = parse_scenario(SWEEP)
    assert sc.sweep.grid["strategies.open-bar.invites_per_week"].values == (10, 20, 30)
    floats = parse_scenario(SWEEP.replace('"10:30:10"', '"0.1:0.3:0.1"'))
    assert floats.sweep.grid["strategies.open-bar.invites_per_week"].values == (0.1, 0.2, 0.3)


def test_grid_times_samples_and_columns(sweep_file):
    text = SWEEP + (
        "  sample:\n    n: 3\n    ranges:\n"
        "      answers.acceptance.relevance_floor: [0.2, 0.8]\n"
        "      population.size: {low: 300, high: 600, integer: true}\n"
    )
    sweep_file.write_text(text)
    plan = sweep_plan(load_scenario(sweep_file), sweep_file)
    assert len(plan.points) == 3 * 3
    assert plan.column_kinds == (
        ("strategies.open-bar.invites_per_week", "int"),
        ("answers.acceptance.relevance_floor", "float"),
        ("population.size", "int"),
    )
    floors = [dict(p.values)["answers.acceptance.relevance_floor"] for p in plan.points[:3]]
    # Latin hypercube: one sample in each third of the range
    assert sorted(int((f - 0.2) / 0.2) for f in floors) == [0, 1, 2]
    for p in plan.points:
        values = dict(p.values)
        assert p.scenario.population.size == values["population.size"]
        assert (
            p.scenario.strategies[0].invites_per_week
            == values["strategies.open-bar.invites_per_week"]
        )
        assert not p.scenario.sweep.active
    # the design is seeded: the same plan twice
    again = sweep_plan(load_scenario(sweep_file), sweep_file)
    assert [p.values for p in again.points] == [p.values for p in plan.points]


@pytest.mark.parametrize(
    "entry,pattern",
    [
        ("strategies.open-bar.invite_per_week: [1]",
         r"sweep\.yaml:9: sweep\.grid\.strategies\.open-bar\.invite_per_week: unknown key \(did you mean 'invites_per_week'\?\)"),
        ("strategies.open-barr.invites_per_week: [1]",
         r"sweep\.yaml:9: sweep\.grid\.strategies\.open-barr\.invites_per_week: .*no entry 'open-barr' \(did you mean 'open-bar'\?\)"),
        ("strategies.open-bar.invites_per_week: [10, -5]",
         r"sweep\.yaml:9: sweep\.grid\.strategies\.open-bar\.invites_per_week: must be at least 0 \(got -5\)"),
        ("weeks: '3:1:1'", r"sweep\.yaml:9: sweep\.grid\.weeks: 'start:stop:step' needs start <= stop"),
        ("sweep.grid: [1]", r"sweep\.yaml:8: sweep\.grid: 'sweep.grid' cannot vary"),
    ],
)  # fmt: skip
def test_bad_sweep_entries_are_one_line_exit_2_nothing_written(
    tmp_path, sweep_file, capsys, entry, pattern
):
    sweep_file.write_text(SWEEP.replace('strategies.open-bar.invites_per_week: "10:30:10"', entry))
    out = tmp_path / "never"
    with pytest.raises(SystemExit) as info:
        main(["sweep", str(sweep_file), "--out", str(out), "-q"])
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert re.search(pattern, err), err
    assert not out.exists()


def test_sweep_without_a_sweep_block_is_refused(tmp_path, capsys):
    p = tmp_path / "plain.yaml"
    p.write_text(SWEEP.split("sweep:")[0])
    with pytest.raises(SystemExit) as info:
        main(["sweep", str(p), "--out", str(tmp_path / "o")])
    assert info.value.code == 2 and "declares no sweep" in capsys.readouterr().err


def test_common_random_numbers_across_points(tmp_path, sweep_file):
    out = tmp_path / "o"
    res = CliRunner().invoke(
        cli, ["sweep", str(sweep_file), "--out", str(out), "--workers", "1", "-q"]
    )
    assert res.exit_code == 0, res.output
    assert "sweep of 3 points x 2 strategies x 2 replications" in res.output
    summary = pd.read_csv(out / "summary.csv")
    assert list(summary.columns[:2]) == ["point", "strategies.open-bar.invites_per_week"]
    assert set(summary.point) == {0, 1, 2}
    # club-select is not swept: under CRN its results are the same at every point
    club = summary[summary.strategy == "club-select"].drop(
        columns=["point", "strategies.open-bar.invites_per_week"]
    )
    parts = [g.reset_index(drop=True) for _, g in club.groupby(summary.point)]
    for part in parts[1:]:
        pd.testing.assert_frame_equal(parts[0], part)
    # replication r at a point is replication r of the plain run with those values
    from ssisim.experiments.store import read_weekly

    weekly = read_weekly(out)
    sc = load_scenario(sweep_file, ["strategies.open-bar.invites_per_week=20"])
    plain = pd.DataFrame(run_replications(sc))
    mine = weekly[weekly.point == 1].drop(columns=["point", "strategies.open-bar.invites_per_week"])
    np.testing.assert_array_equal(mine.ssi.to_numpy(), plain.ssi.to_numpy())
    assert_redraws(out, ["figures/sweep.png"])
    assert pd.read_csv(out / "points.csv").shape == (3, 2)


@pytest.mark.parametrize("distribution", ["uniform", "loguniform", "triangular", "normal"])
def test_transform_stays_in_range_and_is_monotone(distribution):
    spec = Uncertain(low=2.0, high=8.0, distribution=distribution)
    u = np.linspace(0, 1, 101)
    x = transform(u, spec)
    assert x[0] == pytest.approx(2.0) and x[-1] == pytest.approx(8.0)
    assert np.all(np.diff(x) >= 0)
    ints = transform(u, Uncertain(low=1.2, high=4.7, integer=True))
    assert set(ints.tolist()) == {2.0, 3.0, 4.0}


def test_uncertain_ranges_are_checked():
    with pytest.raises(ScenarioError, match=r"low must be below high"):
        parse_scenario(SWEEP + "  sample: {n: 2, ranges: {weeks: [5, 2]}}\n")
    with pytest.raises(ScenarioError, match=r"loguniform needs low > 0"):
        parse_scenario(
            SWEEP
            + "  sample: {n: 2, ranges: {weeks: {low: 0, high: 2, distribution: loguniform}}}\n"
        )
    with pytest.raises(
        ScenarioError, match=r"sweep\.sample: .*n: set the number of samples|n: set the number"
    ):
        parse_scenario(SWEEP + "  sample: {ranges: {weeks: [2, 5]}}\n")

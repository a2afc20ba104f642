"""One-at-a-time sweeps: the block, its points, its errors."""

import re

import pytest

from ssisim.cli.main import main
from ssisim.errors import ScenarioError
from ssisim.experiments.sweep import sweep_plan
from ssisim.scenario.loading import load_scenario, parse_scenario

OAT = """\
name: oat-test
seed: 5
weeks: 3
replications: 3
population: {size: 300}
strategies: [open-bar, club-select]
sweep:
  one_at_a_time:
    answers.leads.inbound_rate: [0.01, 0.02, 0.08]
    strategies.open-bar.invites_per_week: "20:60:20"
    contexts.volume.deal_value_eur: [0, 3000]
"""
KEYS = [
    "answers.leads.inbound_rate",
    "strategies.open-bar.invites_per_week",
    "contexts.volume.deal_value_eur",
]


@pytest.fixture
def oat_file(tmp_path):
    p = tmp_path / "oat.yaml"
    p.write_text(OAT)
    return p


def test_the_block_takes_grid_values_and_counts_points():
    sc = parse_scenario(OAT)
    axes = sc.sweep.one_at_a_time
    assert list(axes) == KEYS
    assert axes["strategies.open-bar.invites_per_week"].values == (20, 40, 60)
    assert sc.sweep.active
    assert sc.sweep.points == 1 + 3 + 3 + 2  # an upper bound: 0.02 is the baseline's


def test_baseline_then_one_point_per_value_others_at_baseline(oat_file):
    sc = load_scenario(oat_file)
    plan = sweep_plan(sc, oat_file)
    assert plan.columns == tuple(KEYS)
    assert dict(plan.column_kinds) == {
        "answers.leads.inbound_rate": "float",
        "strategies.open-bar.invites_per_week": "float",
        "contexts.volume.deal_value_eur": "float",
    }
    base = {
        "answers.leads.inbound_rate": 0.02,
        "strategies.open-bar.invites_per_week": sc.strategies[0].invites_per_week,
        "contexts.volume.deal_value_eur": 1500.0,
    }
    assert base["strategies.open-bar.invites_per_week"] not in (20, 40, 60)
    expected = [base]
    expected += [{**base, KEYS[0]: v} for v in (0.01, 0.08)]  # 0.02 is the baseline
    expected += [{**base, KEYS[1]: v} for v in (20, 40, 60)]
    expected += [{**base, KEYS[2]: v} for v in (0, 3000)]
    assert [dict(p.values) for p in plan.points] == expected
    assert [p.index for p in plan.points] == list(range(len(expected)))
    # each point's scenario is the baseline with that key changed, and no sweep
    for p in plan.points:
        values = dict(p.values)
        assert p.scenario.answers.leads.inbound_rate == values[KEYS[0]]
        assert p.scenario.strategies[0].invites_per_week == values[KEYS[1]]
        assert p.scenario.strategies[1] == sc.strategies[1]
        assert p.scenario.contexts["volume"].deal_value_eur == values[KEYS[2]]
        assert p.scenario.replications == 3 and not p.scenario.sweep.active
    unswept = sc.model_dump(exclude={"sweep"})
    assert plan.points[0].scenario.model_dump(exclude={"sweep"}) == unswept


LINE_OF_KEY = {KEYS[0]: 9, KEYS[1]: 10}


@pytest.mark.parametrize(
    "old,new,pattern",
    [
        ("answers.leads.inbound_rate:", "answers.leads.inbound_rat:",
         r"oat\.yaml:9: sweep\.one_at_a_time\.answers\.leads\.inbound_rat: unknown key "
         r"\(did you mean 'inbound_rate'\?\)"),
        ("[0.01, 0.02, 0.08]", "[0.01, 1.5]",
         r"oat\.yaml:9: sweep\.one_at_a_time\.answers\.leads\.inbound_rate: .*less than or equal "
         r"to 1 \(got 1\.5\)"),
        ("[0.01, 0.02, 0.08]", "[0.01, 0.08, 0.010]",
         r"oat\.yaml:9: sweep\.one_at_a_time\.answers\.leads\.inbound_rate: 0\.01 is listed twice"),
        ('"20:60:20"', '"60:20:20"',
         r"oat\.yaml:10: sweep\.one_at_a_time\.strategies\.open-bar\.invites_per_week: "
         r"'start:stop:step' needs start <= stop"),
        ("strategies.open-bar.", "strategies.open-barr.",
         r"oat\.yaml:10: sweep\.one_at_a_time\.strategies\.open-barr\.invites_per_week: .*"
         r"no entry 'open-barr' \(did you mean 'open-bar'\?\)"),
        ("    contexts.volume.deal_value_eur: [0, 3000]\n",
         "    seed: [1, 2]\n  grid:\n    weeks: [2, 3]\n",
         r"oat\.yaml:8: sweep\.one_at_a_time: cannot be combined with sweep\.grid"),
        ("    contexts.volume.deal_value_eur: [0, 3000]\n",
         "  sample: {n: 2, ranges: {weeks: [2, 3]}}\n",
         r"oat\.yaml:8: sweep\.one_at_a_time: cannot be combined with sweep\.sample"),
        ("contexts.volume.deal_value_eur", "sweep.grid",
         r"oat\.yaml:8: sweep\.one_at_a_time: 'sweep\.grid' cannot vary"),
    ],
)  # fmt: skip
@pytest.mark.parametrize("command", ["sweep", "validate"])
def test_bad_entries_are_one_line_exit_2_nothing_written(
    tmp_path, oat_file, capsys, old, new, pattern, command
):
    assert old in OAT
    oat_file.write_text(OAT.replace(old, new))
    out = tmp_path / "never"
    args = [command, str(oat_file)] + (["--out", str(out), "-q"] if command == "sweep" else [])
    with pytest.raises(SystemExit) as info:
        main(args)
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert re.search(pattern, err), err
    assert not out.exists()


def test_a_value_equal_to_the_baseline_in_another_spelling_is_the_baseline():
    sc = parse_scenario(OAT.replace("[0.01, 0.02, 0.08]", "[0.01, 0.020]"))
    plan = sweep_plan(sc)
    assert [dict(p.values)[KEYS[0]] for p in plan.points[:3]] == [0.02, 0.01, 0.02]
    assert dict(plan.points[2].values)[KEYS[1]] == 20  # point 2 varies the next key


def test_a_sweep_without_a_file_places_errors_on_line_1():
    sc = parse_scenario(OAT.replace("[0.01, 0.02, 0.08]", "[0.01, 0.01]"))
    with pytest.raises(ScenarioError, match=r"^<scenario>:1: sweep\.one_at_a_time\.answers"):
        sweep_plan(sc)

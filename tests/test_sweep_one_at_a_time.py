"""One-at-a-time sweeps: the block, its points, its errors, and flips.csv end to end."""

import contextlib
import io
import re
from pathlib import Path

import pandas as pd
import pytest

from ssisim.cli.main import main
from ssisim.errors import ScenarioError
from ssisim.experiments.sweep import one_at_a_time_changes, sweep_plan
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


# one run per chunk, so that two workers share the runs of a point
CHUNKED = OAT.replace("replications: 3", "replications: 3\nexecution: {chunk_runs: 1}")


@pytest.fixture(scope="module")
def swept(tmp_path_factory) -> tuple[Path, Path, str]:
    """The tiny sweep run once for the module, on one worker, with its figures:
    its scenario, its folder and what it printed (the tests read, never write it).
    The figures are laid out as saving them does, not rasterised (what is read is
    their names; tests/test_sweep.py and tests/test_flips.py draw these figures'
    pixels)."""
    from conftest import saved_figures

    root = tmp_path_factory.mktemp("oat")
    scenario = root / "oat.yaml"
    scenario.write_text(CHUNKED)
    out = root / "o"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), pytest.MonkeyPatch.context() as patch:
        saved_figures(patch)
        main(["sweep", str(scenario), "--out", str(out), "--workers", "1"])
    return scenario, out, printed.getvalue()


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
    changes = one_at_a_time_changes(plan)
    assert changes[0] is None
    assert [changes[i] for i in range(1, len(expected))] == [
        (KEYS[0], 0.01), (KEYS[0], 0.08), (KEYS[1], 20), (KEYS[1], 40), (KEYS[1], 60),
        (KEYS[2], 0), (KEYS[2], 3000),
    ]  # fmt: skip


LINE_OF_KEY = {KEYS[0]: 9, KEYS[1]: 10}


@pytest.mark.parametrize(
    "old,new,pattern",
    [
        ("answers.leads.inbound_rate:", "answers.leads.inbound_rat:",
         r"oat\.yaml:9: sweep\.one_at_a_time\.answers\.leads\.inbound_rat: unknown key "
         r"\(did you mean 'inbound_rate'\?\)"),
        ("[0.01, 0.02, 0.08]", "[0.01, 1.5]",
         r"oat\.yaml:9: sweep\.one_at_a_time\.answers\.leads\.inbound_rate: must be at most "
         r"1 \(got 1\.5\)"),
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


# --------------------------------------------------------------------------- end to end


def _main(args, capsys):
    """Run the command line; its output. It returns on success and exits on an error."""
    try:
        main(args)
    except SystemExit as exc:
        pytest.fail(f"exit {exc.code}: {capsys.readouterr().err}")
    return capsys.readouterr().out


def _sweep(scenario, out, workers, capsys):
    args = ["sweep", str(scenario), "--out", str(out), "--workers", str(workers), "--no-figures"]
    return _main(args, capsys)


def test_sweep_writes_flips_and_says_them(tmp_path, swept):
    _, out, printed = swept
    points = pd.read_csv(out / "points.csv")
    assert list(points.columns) == ["point", *KEYS]
    assert len(points) == 1 + 2 + 3 + 2 and not points.isna().any().any()  # every row complete
    flips = pd.read_csv(out / "flips.csv")
    differences = pd.read_csv(out / "differences.csv")
    # one row per (context, metric, pair) with a baseline verdict, per assumption;
    # the volume context's deal value only for the volume context's verdicts
    combos = differences[differences.point == 0][["context", "metric"]].drop_duplicates()
    volume = (combos.context == "volume").sum()
    assert len(flips) == volume * 3 + (len(combos) - volume) * 2
    assert list(flips.parameter.unique()) == KEYS
    assert set(flips[flips.parameter == KEYS[2]].context) == {"volume"}
    # the baseline verdict is the run's: the same rows give the same verdicts
    from ssisim.results.verdicts import verdicts

    at_base = differences[differences.point == 0].drop(columns=["point", *KEYS])
    for v in verdicts(at_base):
        row = flips[(flips.context == v.context) & (flips.metric == v.metric)].iloc[0]
        assert row.baseline_verdict == (v.best if v.clear else "no clear difference")
    # the deal value scales both strategies' value alike: a verdict on value can only
    # change at 0, where every value is 0 (and then there is no clear difference)
    deal = flips[(flips.parameter == KEYS[2]) & (flips.context == "volume")]
    for row in deal.itertuples():
        if row.metric in ("pipeline_value_eur", "value_per_hour_eur"):
            assert pd.isna(row.flip_above)
            if row.baseline_verdict != "no clear difference":
                assert row.flip_below == 0 and row.flip_below_move == "-100%"
        else:  # the other metrics do not read the deal value
            assert row.changes == 0 and pd.isna(row.flip_below) and pd.isna(row.flip_above)
    # common random numbers: a context's key changes no run, so its points' summary
    # is the baseline's to the byte; a key of open-bar's leaves club-select's unchanged
    summary = pd.read_csv(out / "summary.csv").drop(columns=KEYS)
    at = {p: g.drop(columns="point").reset_index(drop=True) for p, g in summary.groupby("point")}
    for p in (6, 7):
        pd.testing.assert_frame_equal(at[p], at[0])
    for p in (3, 4, 5):
        club = [at[q][at[q].strategy == "club-select"].reset_index(drop=True) for q in (0, p)]
        pd.testing.assert_frame_equal(club[0], club[1])
        assert not at[p].equals(at[0])  # open-bar's own runs did change
    # the terminal table says what each point changed
    assert re.search(r"│\s+0 │ baseline\s+│", printed)
    assert re.search(r"│\s+1 │ answers\.leads\.inbound_rate = 0\.01\s+│", printed)
    sentences = (out / "flips.txt").read_text().splitlines()
    assert len(sentences) == len(combos)
    assert all(s in printed for s in sentences)
    assert sentences[0].startswith("volume, SSI, open-bar against club-select: ")
    # the report shows the rows whose verdict changes, in words
    from ssisim.report.build import build_report

    moved = flips[flips.changes > 0]
    assert len(moved), "the tiny sweep should change some verdict (it did at seed 5)"
    html = build_report(out, tmp_path / "r.html", draw=False).read_text(encoding="utf-8")
    assert f"the {len(flips) - len(moved)} of {len(flips)} rows of flips.csv" in html
    r = moved.iloc[0]
    side = "below" if not pd.isna(r.flip_below) else "above"
    assert f"({r[f'flip_{side}_move']}): {r[f'flip_{side}_verdict']}" in html


def test_outcomes_of_a_one_at_a_time_sweep_write_flips_again(tmp_path, swept, capsys):
    _, out, _ = swept
    again = tmp_path / "again"
    printed = _main(["outcomes", str(out), "--out", str(again)], capsys)
    assert (out / "flips.txt").read_text() in printed
    assert (again / "flips.csv").read_bytes() == (out / "flips.csv").read_bytes()
    assert (again / "flips.txt").read_bytes() == (out / "flips.txt").read_bytes()


def test_one_and_two_workers_give_the_same_flips(tmp_path, swept, capsys):
    scenario, one, _ = swept
    _sweep(scenario, tmp_path / "two", 2, capsys)
    for name in ("points.csv", "summary.csv", "differences.csv", "flips.csv", "flips.txt"):
        assert (one / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_figures_draw_each_key_with_the_baseline_only(tmp_path, swept):
    import shutil

    from conftest import assert_redraws

    from ssisim.plots.experiments import _alone, _sweep_finding

    out = tmp_path / "o"  # a copy: redrawing deletes the figures first
    shutil.copytree(swept[1], out)
    figures = ["sweep.png", "sweep-2.png", "sweep-3.png", "flips.png"]
    assert_redraws(out, [f"figures/{name}" for name in figures])
    summary = pd.read_csv(out / "summary.csv")
    at_horizon = summary[(summary.week == 3) & (summary.metric == "ssi")]
    # each key's figure: the baseline and that key's points, never another key's
    for key, points in zip(KEYS, ([0, 1, 2], [0, 3, 4, 5], [0, 6, 7]), strict=True):
        assert sorted(set(_alone(at_horizon, KEYS, key)["point"])) == points
    # the title follows the strategy the key moves: club-select is flat in its invitations
    title = _sweep_finding(
        _alone(at_horizon, KEYS, KEYS[1]), KEYS[1], "ssi", ["club-select", "open-bar"]
    )
    assert title.startswith("open-bar: SSI "), title
    flat = _sweep_finding(_alone(at_horizon, KEYS, KEYS[0]), KEYS[0], "ssi", ["open-bar"])
    assert flat.startswith("SSI stays flat for every strategy"), flat  # leads move no score


def test_the_figures_new_words_are_in_french():
    from ssisim.plots.french import translate

    note = (
        "Mean and 95% confidence interval over the replications at each point. One key at a "
        "time: the others at the scenario's own values."
    )
    assert translate(note).endswith("Une clé à la fois\xa0: les autres aux valeurs du scénario.")
    flat = translate("SSI stays flat for every strategy as weeks goes from 2 to 3")
    assert flat == "SSI reste stable pour chaque stratégie quand weeks va de 2 à 3"

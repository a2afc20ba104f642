"""Business contexts turn the weekly leads into outcomes; the debate's flip."""

from __future__ import annotations

import math
import typing

import pandas as pd
import pytest
from click.testing import CliRunner

from ssisim.engine.driver import run_replications
from ssisim.errors import ScenarioError
from ssisim.records import WeekRecord
from ssisim.results.outcomes import (
    MIN_HOURS_PER_WEEK,
    OUTCOME_COLUMNS,
    debate_sentences,
    eligible_columns,
    eligible_leads,
    leaders,
    outcomes_table,
    summarize_outcomes,
    write_outcomes,
)
from ssisim.results.tables import weekly_frame
from ssisim.scenario.loading import parse_scenario
from ssisim.scenario.schema import DEFAULT_CONTEXTS, BusinessContext

CONTEXT = BusinessContext(
    buyers="anyone",
    warm_tie_required=False,
    conversion={"inbound": 0.5, "outbound": 0.5, "introduction": 0.5, "existing": 0.5},
    deal_value_eur=100.0,
    sales_cycle_weeks=2.0,
    win_rate=0.5,
)


def _weekly(hours_per_week: tuple[float, float] = (1.0, 0.1)) -> pd.DataFrame:
    zeros = {c: t() for c, t in typing.get_type_hints(WeekRecord).items()}
    records = []
    for rep, hours in enumerate(hours_per_week):
        for week in range(5):
            flows = week > 0
            fields = {
                **zeros,
                "strategy": "s",
                "replication": rep,
                "week": week,
                "ssi": 50.0 + week,
                "leads_inbound": 2 if week in (1, 4) else 0,
                "leads_inbound_dm": 1 if week == 1 else 0,
                "leads_existing": int(flows),
                "leads_existing_dm": int(flows),
                "hours": hours if flows else 0.0,
                "pitches_received": int(flows),
                "known_contacts": 7,
                "restricted": week == 2,
            }
            records.append(WeekRecord(**fields))
    return weekly_frame(records, ["s"])


def test_eligible_columns_follow_buyers_and_warmth():
    cols = eligible_columns(CONTEXT)
    assert cols == {
        "inbound": ("leads_inbound", "leads_inbound_warm"),
        "outbound": ("leads_outbound", "leads_outbound_warm"),
        "introduction": ("leads_introduction", "leads_introduction_warm"),
        "existing": ("leads_existing", None),  # warm by construction
    }
    target = CONTEXT.model_copy(update={"buyers": "target"})
    assert eligible_columns(target)["outbound"] == (
        "leads_outbound_target",
        "leads_outbound_target_warm",
    )


def test_a_cold_lead_counts_one_warm_premium_th_of_a_warm_one():
    weekly = _weekly()
    weekly["leads_outbound_dm"] = 3
    weekly["leads_outbound_dm_warm"] = 1
    base = CONTEXT.model_copy(update={"buyers": "target_decision_makers"})
    for premium, expected in ((1.0, 3.0), (4.0, 1.0 + 2 / 4)):
        ctx = base.model_copy(update={"warm_premium": premium})
        assert eligible_leads(weekly, ctx)["outbound"].tolist() == [expected] * len(weekly)
    required = base.model_copy(update={"warm_premium": 4.0, "warm_tie_required": True})
    assert eligible_leads(weekly, required)["outbound"].tolist() == [1.0] * len(weekly)
    # the existing relationships' leads are warm whatever the premium
    assert (eligible_leads(weekly, required)["existing"] == weekly["leads_existing_dm"]).all()


def test_outcomes_exact_on_a_hand_made_table():
    out = outcomes_table(_weekly(), {"c": CONTEXT})
    assert tuple(out.columns) == OUTCOME_COLUMNS
    r0 = out.iloc[0]
    assert r0.opportunities_inbound == 2.0  # (2 + 2) x 0.5
    assert r0.opportunities_existing == 2.0  # 4 weeks x 1 x 0.5
    assert r0.opportunities == 4.0 and r0.pipeline_value_eur == 400.0
    # closing within the horizon (week + 2 <= 4): weeks 1 and 2 -> 1 + 0.5 + 0.5 = 2 opportunities
    assert r0.won_value_eur == pytest.approx(2 * 0.5 * 100)
    assert r0.hours == 4.0 and r0.hours_per_week == 1.0
    # per hour: only what the routine brings (inbound 2), not the existing relationships
    assert r0.opportunities_per_hour == pytest.approx(0.5) and r0.value_per_hour_eur == 50.0
    assert r0.ssi == 54.0 and r0.known_contacts == 7
    assert r0.pitches_received == 4 and r0.restricted_weeks == 1
    # under half an hour a week: no per-hour figure
    assert 0.1 < MIN_HOURS_PER_WEEK and math.isnan(out.iloc[1].opportunities_per_hour)
    # a complex context counts only warm decision makers: none inbound, existing ones do
    dm = CONTEXT.model_copy(update={"buyers": "target_decision_makers", "warm_tie_required": True})
    r = outcomes_table(_weekly(), {"dm": dm}).iloc[0]
    assert r.opportunities_inbound == 0.0 and r.opportunities_existing == 2.0


def test_outcomes_do_not_depend_on_the_tables_index():
    """Two runs' tables concatenated without ignore_index (a notebook's pd.concat) repeat
    their index values: the outcomes are those of the same rows numbered 0..n-1, and
    the same (in the order strategies first appear) when the rows are shuffled."""
    a, b = _weekly((1.0, 1.0)), _weekly((2.0, 2.0)).assign(strategy="t")
    b.loc[:, "leads_inbound"] *= 3
    b.loc[:, "hours"] *= 2
    expected = outcomes_table(pd.concat([a, b], ignore_index=True), {"volume": CONTEXT})
    repeated = pd.concat([a, b])  # index 0..k twice
    assert repeated.index.has_duplicates
    pd.testing.assert_frame_equal(outcomes_table(repeated, {"volume": CONTEXT}), expected)
    shuffled = outcomes_table(repeated.sample(frac=1.0, random_state=3), {"volume": CONTEXT})
    keys = ["strategy", "context", "replication"]  # strategies come in order of first appearance
    pd.testing.assert_frame_equal(
        shuffled.sort_values(keys).reset_index(drop=True),
        expected.sort_values(keys).reset_index(drop=True),
    )


def test_a_quiet_routine_is_left_out_of_the_per_hour_leaders_only():
    """Under MIN_HOURS_PER_WEEK a routine still takes the fewest hours and receives
    the fewest pitches (both used to go to the quietest routine above it); it has
    no value per hour."""
    weekly = pd.concat(
        [
            _weekly((0.2, 0.2)).assign(strategy="quiet"),
            _weekly((2.0, 2.0)).assign(strategy="busy"),
        ],
        ignore_index=True,
    )
    weekly.loc[weekly.strategy == "busy", "pitches_received"] *= 3
    table = outcomes_table(weekly, {"volume": CONTEXT})
    best = {label: name for label, name, _v, _t in leaders(summarize_outcomes(table), "volume")}
    assert best["the fewest hours"] == "quiet"
    assert best["the fewest pitches"] == "quiet"
    assert best["the most pipeline value per hour"] == "busy"
    (sentence,) = debate_sentences(summarize_outcomes(table))
    assert "took the fewest hours (0.2 h/week), received the fewest pitches (4)" in sentence
    assert "busy brought the most pipeline value per hour" in sentence


def test_one_strategy_is_described_not_ranked():
    """A run of one strategy said 'open-bar brought the most opportunities (28.2) ... had
    the highest SSI': nothing was compared. Its outcomes are said by name and mean."""
    table = outcomes_table(_weekly((1.0, 1.0)), {"volume": CONTEXT})
    (sentence,) = debate_sentences(table)
    assert sentence.startswith("In the volume context, s (the only strategy): opportunities 4.0;")
    assert "the most" not in sentence and "the fewest" not in sentence and "than" not in sentence
    assert "; SSI " in sentence and "hours " in sentence


def test_summary_and_sentences():
    weekly = pd.concat(
        [_weekly((1.0, 1.0)), _weekly((2.0, 2.0)).assign(strategy="t")], ignore_index=True
    )
    weekly.loc[weekly.strategy == "t", "leads_inbound"] *= 3
    summary = summarize_outcomes(outcomes_table(weekly, {"volume": CONTEXT}))
    row = summary.query("strategy == 's' and metric == 'opportunities'").iloc[0]
    assert row.n == 2 and row["mean"] == 4.0 and row.ci_low == row.ci_high == 4.0
    best = {label: name for label, name, _v, _t in leaders(summary, "volume")}
    assert best["the most opportunities"] == "t"
    assert best["the fewest hours"] == "s"
    (sentence,) = debate_sentences(summary)
    assert (
        sentence.startswith("In the volume context, ")
        and "t brought the most opportunities" in sentence
    )


def test_contexts_merge_over_the_defaults():
    sc = parse_scenario(
        "name: x\nstrategies: [inactive]\ncontexts:\n"
        "  complex: {deal_value_eur: 300000, conversion: {inbound: 0.1}}\n"
        "  volume: null\n"
        "  mine: {buyers: target, warm_tie_required: false, deal_value_eur: 10,"
        " sales_cycle_weeks: 1, win_rate: 1,"
        " conversion: {inbound: 1, outbound: 1, introduction: 1, existing: 1}}\n"
    )
    assert list(sc.contexts) == ["complex", "mine"]
    assert sc.contexts["complex"].deal_value_eur == 300000
    assert sc.contexts["complex"].conversion.inbound == 0.1
    assert (
        sc.contexts["complex"].conversion.outbound
        == DEFAULT_CONTEXTS["complex"]["conversion"]["outbound"]
    )
    with pytest.raises(  # the keys missing from one mapping, in one line
        ScenarioError,
        match=r"x\.yaml:3: contexts\.new: required keys are missing: buyers, conversion, "
        r"deal_value_eur, sales_cycle_weeks, win_rate$",
    ):
        parse_scenario(
            "name: x\nstrategies: [inactive]\ncontexts: {new: {warm_tie_required: true}}\n",
            "x.yaml",
        )
    with pytest.raises(ScenarioError, match=r"did you mean 'deal_value_eur'"):
        parse_scenario("name: x\nstrategies: [inactive]\ncontexts: {volume: {deal_value: 1}}\n")


def test_write_outcomes(tmp_path):
    sc = parse_scenario(
        "name: tiny-debate\nweeks: 4\nreplications: 2\npopulation: {size: 1500}\n"
        "strategies: [inactive, open-bar]\n"
    )
    weekly = weekly_frame(run_replications(sc), [s.name for s in sc.strategies])
    paths, summary = write_outcomes(tmp_path, weekly, sc.contexts, sc.weeks)
    assert set(summary.context) == set(sc.contexts)
    names = sorted(p.relative_to(tmp_path).as_posix() for p in paths)
    assert names == ["differences.csv", "outcomes.csv", "outcomes_summary.csv"]
    table = pd.read_csv(tmp_path / "outcomes.csv")
    assert len(table) == 2 * 2 * 2  # strategies x contexts x replications
    assert set(table.context) == {"volume", "complex"}


def test_ssisim_outcomes_re_evaluates_a_run_without_simulating(tmp_path, monkeypatch):
    from conftest import saved_figures

    from ssisim.cli.main import cli

    saved_figures(monkeypatch)  # laid out, not rasterised: the files' names are what is read

    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: re\nweeks: 3\nreplications: 2\npopulation: {size: 1500}\nstrategies: [open-bar]\n"
    )
    run_dir = tmp_path / "run"
    res = CliRunner().invoke(
        cli, ["run", str(scenario), "--out", str(run_dir), "-q", "--no-figures"]
    )
    assert res.exit_code == 0, res.output
    out = tmp_path / "again"
    res = CliRunner().invoke(
        cli,
        [
            "outcomes",
            str(run_dir),
            "--set",
            "contexts.volume.deal_value_eur=3000",
            "--out",
            str(out),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "In the volume context" in res.output and "In the complex context" in res.output
    assert (out / "figures" / "opportunities.png").is_file()  # the debate's figures, redrawn
    table = pd.read_csv(out / "outcomes.csv")
    volume = table[table.context == "volume"]
    assert volume.pipeline_value_eur.to_numpy() == pytest.approx(
        3000 * volume.opportunities.to_numpy()
    )


@pytest.mark.slow
def test_the_ranking_flips_when_only_the_context_changes():
    """The articles' central claim, from mechanisms (docs/debate.md, "The flip").

    One simulated table, two contexts differing only in their parameters: in
    the volume context the open bar brings more opportunities, and more per
    hour, than the club select; in a complex context where only leads through
    a warm tie count (``warm_tie_required``) the club select brings more
    pipeline value per hour. At the default warm premium (a cold lead worth a
    fifth of a warm one) the complex gap is within the noise: the flip needs a
    cold lead to be worth less than about a twentieth of a warm one
    (docs/debate.md). Tolerance: each paired difference (common random
    numbers, as the verdicts compute it) must exceed 2.5 standard errors; 48
    replications, so that an unlucky draw cannot fail the test when the model
    is right.
    """
    sc = parse_scenario(
        "name: flip\nseed: 1\nweeks: 52\nreplications: 48\npopulation: {size: 5000}\n"
        "strategies: [open-bar, club-select]\n"
        "contexts: {complex: {warm_tie_required: true}}\n"
    )
    weekly = weekly_frame(run_replications(sc, workers=0), [s.name for s in sc.strategies])
    out = outcomes_table(weekly, sc.contexts)

    def gap(context: str, metric: str) -> tuple[float, float]:
        rows = out[out.context == context].set_index(["strategy", "replication"])[metric]
        d = rows.loc["open-bar"].to_numpy() - rows.loc["club-select"].to_numpy()
        return float(d.mean()), float(d.std(ddof=1) / math.sqrt(d.size))

    for metric in ("opportunities", "value_per_hour_eur"):
        diff, se = gap("volume", metric)
        assert diff > 2.5 * se, (metric, diff, se)
    diff, se = gap("complex", "value_per_hour_eur")
    assert -diff > 2.5 * se, (diff, se)


# --------------------------------------------------------------------------- issue 13


def _copy_run(run_folder, tmp_path):
    import shutil

    folder = tmp_path / "run"
    shutil.copytree(run_folder, folder)
    return folder


def test_a_context_removed_with_null_stays_removed(run_folder, tmp_path):
    import json

    from ssisim.cli.main import cli

    folder = _copy_run(run_folder, tmp_path)
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text())
    del manifest["scenario"]["contexts"]["volume"]  # as run with `volume: null`
    path.write_text(json.dumps(manifest))
    res = CliRunner().invoke(
        cli, ["outcomes", str(folder), "--out", str(tmp_path / "o"), "--no-figures"]
    )
    assert res.exit_code == 0, res.output
    assert not (tmp_path / "o" / "figures").exists()
    assert set(pd.read_csv(tmp_path / "o" / "outcomes.csv").context) == {"complex"}
    assert "volume" not in res.output


def test_the_positional_scenario_form(run_folder, tmp_path):
    from ssisim.cli.main import cli

    scenario = tmp_path / "client.yaml"
    scenario.write_text(
        "name: client\nstrategies: [inactive]\ncontexts:\n  complex: null\n"
        "  volume: {deal_value_eur: 3000}\n"
    )
    out = tmp_path / "o"
    res = CliRunner().invoke(
        cli, ["outcomes", str(run_folder), str(scenario), "--out", str(out), "--no-figures"]
    )
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out / "outcomes.csv")
    assert set(table.context) == {"volume"}
    assert table.pipeline_value_eur.to_numpy() == pytest.approx(3000 * table.opportunities)
    res = CliRunner().invoke(
        cli, ["outcomes", str(run_folder), str(scenario), "--scenario", str(scenario)]
    )
    assert res.exit_code == 2 and "give the scenario once" in res.output


def test_outcomes_of_a_sweep_folder(tmp_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from conftest import synthetic_weekly

    from ssisim.cli.main import cli
    from ssisim.results.files import manifest

    root = tmp_path / "sweep"
    column = "contexts.volume.deal_value_eur"
    root.mkdir()
    pd.DataFrame({"point": [0, 1], column: [1000, 5000]}).to_csv(root / "points.csv", index=False)
    for point in (0, 1):
        folder = root / "weekly" / f"point={point:06d}"
        folder.mkdir(parents=True)
        frame = synthetic_weekly(replications=3, weeks=4)
        frame.insert(0, column, [1000, 5000][point])
        frame.to_parquet(folder / "s000-r0000000.parquet")
    sc = parse_scenario("name: sw\nstrategies: [open-bar, club-select]\n")
    (root / "manifest.json").write_text(__import__("json").dumps(manifest("sweep", sc)))
    out = tmp_path / "o"
    res = CliRunner().invoke(cli, ["outcomes", str(root), "--out", str(out)])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out / "outcomes.csv")
    assert list(table.columns[:2]) == ["point", column]
    volume = table[table.context == "volume"]
    # the swept deal value is applied at each point
    for point, value in ((0, 1000), (1, 5000)):
        rows = volume[volume.point == point]
        assert rows.pipeline_value_eur.to_numpy() == pytest.approx(value * rows.opportunities)
    assert {"point", "strategy", "context", "metric"} <= set(
        pd.read_csv(out / "outcomes_summary.csv").columns
    )
    assert (out / "differences.csv").is_file()


def test_scenario_from_manifest_keeps_a_removed_context_removed():
    from ssisim.scenario.loading import scenario_from_manifest

    run = parse_scenario("name: x\nstrategies: [inactive]\ncontexts: {volume: null}\n")
    manifest = {"scenario": run.model_dump(mode="json")}
    assert list(scenario_from_manifest(manifest).contexts) == list(run.contexts)
    assert "volume" not in scenario_from_manifest(manifest).contexts
    assert set(scenario_from_manifest({}).contexts) == set(DEFAULT_CONTEXTS)


@pytest.mark.parametrize(
    "item,said",
    [
        ("population.size=5000", "changes the business contexts only"),
        ("strategies.open-bar.invites_per_week=3", "changes the business contexts only"),
        (
            "contexts.mine.deal_value_eur=1000",
            "contexts.mine: required keys are missing: buyers, conversion",
        ),
        ("weeks", "expected KEY=VALUE"),  # the form is checked first
        ("contextsX.a=1", "unknown key"),  # a typo is a typo, not a change of the runs
    ],
)
def test_outcomes_set_is_a_context_change_named_in_one_line(
    run_folder, tmp_path, capsys, item, said
):
    """`--set population.size=5000` was ignored silently (the same bytes), a routine's
    key blamed on a missing strategy, a new context's missing keys on the manifest
    (four lines): refused in one line naming the option, nothing written."""
    from conftest import run_cli

    out = tmp_path / "o"
    code, _, err = run_cli(
        ["outcomes", str(run_folder), "--set", item, "--out", str(out), "--no-figures"], capsys
    )
    assert code == 2, err
    assert err.startswith(f"--set {item}: ") and said in err, err
    assert len(err.strip().splitlines()) == 1, err
    assert not out.exists()

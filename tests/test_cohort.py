"""The C8 cohort: generated sellers, the opportunity ratio and its interval."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import assert_redraws

from ssisim.cli.main import cli, main
from ssisim.errors import ScenarioError
from ssisim.experiments.cohort import (
    JITTERED_FIELDS,
    RATIO_COLUMNS,
    cohort_scenario,
    cohort_sentences,
    opportunity_ratios,
    run_cohort,
)
from ssisim.scenario.loading import load_scenario, parse_scenario
from ssisim.scenario.strategies import BUILTIN_STRATEGIES

COHORT = """
name: cohort-test
seed: 6
weeks: 6
population: {size: 3000}
strategies: [inactive]
cohort:
  sellers: 12
  routines: [inactive, {strategy: power-user, weight: 2}]
  jitter: 0.3
  bootstrap: 200
"""


def test_cohort_scenario_draws_routines_and_jitters_rates():
    sc = cohort_scenario(parse_scenario(COHORT))
    assert [s.seat for s in sc.strategies] == list(range(12)) and sc.replications == 1
    assert sc.strategies[0].name == "seller-00" and {s.source for s in sc.strategies} <= {
        "inactive",
        "power-user",
    }
    again = cohort_scenario(parse_scenario(COHORT))
    assert again.strategies == sc.strategies  # the same seed gives the same cohort
    flat = cohort_scenario(parse_scenario(COHORT.replace("jitter: 0.3", "jitter: 0")))
    for s in flat.strategies:
        base = BUILTIN_STRATEGIES[s.source]
        assert all(getattr(s, f) == base.get(f, 0.0) for f in JITTERED_FIELDS)
    # the factors have mean 1: over many power users the mean rate is the persona's
    big = cohort_scenario(
        parse_scenario(COHORT.replace("sellers: 12", "sellers: 3000").replace("inactive, {", "{"))
    )
    posts = np.array([s.posts_per_week for s in big.strategies])
    # LogNormal(s.d. 0.3): the mean of 3,000 has a standard error of 0.3 * 5 / sqrt(3000) = 0.03
    assert posts.mean() == pytest.approx(
        BUILTIN_STRATEGIES["power-user"]["posts_per_week"], abs=0.12
    )
    with pytest.raises(ScenarioError, match=r"no `cohort:` block"):
        cohort_scenario(parse_scenario("name: x\nstrategies: [inactive]\n"))


def test_ratio_and_bootstrap_interval_exact_on_a_table():
    sc = parse_scenario(COHORT)
    sellers = pd.DataFrame(
        {
            "seller": [f"s{i}" for i in range(6)],
            "routine": ["a"] * 6,
            "ssi": [80.0, 75.0, 72.0, 20.0, 25.0, 50.0],
            **{f"opportunities_{c}": [15.0, 15.0, 15.0, 10.0, 10.0, 99.0] for c in sc.contexts},
            **{f"opportunities_existing_{c}": [10.0] * 6 for c in sc.contexts},
        }
    )
    ratios = opportunity_ratios(sellers, sc, np.random.default_rng(0))
    assert tuple(ratios.columns) == RATIO_COLUMNS
    row = ratios.iloc[0]
    assert (row.n_high, row.n_low, row.ratio) == (3, 2, 1.5)  # the 50 sits in neither group
    assert row.ci_low == row.ci_high == 1.5  # no spread within the groups
    assert row.linkedin_share_high == pytest.approx(1 / 3) and row.linkedin_share_low == 0.0
    assert "1.50 times" in cohort_sentences(ratios, sc)[0]
    empty = opportunity_ratios(sellers.assign(ssi=50.0), sc)
    assert math.isnan(empty.iloc[0].ratio)
    assert "undefined" in cohort_sentences(empty, sc)[0]


def test_the_sentence_comparing_contexts_explains_only_what_the_numbers_show():
    sc = parse_scenario(COHORT)
    base = {"n_high": 30, "n_low": 30, "linkedin_share_low": 0.1}

    def sentences(volume: dict, complex_: dict) -> str:
        rows = [{"context": "volume", **base, **volume}, {"context": "complex", **base, **complex_}]
        return cohort_sentences(pd.DataFrame(rows), sc)[-1]

    overlap = sentences(
        {"ratio": 1.40, "ci_low": 1.30, "ci_high": 1.50, "linkedin_share_high": 0.3},
        {"ratio": 1.35, "ci_low": 1.25, "ci_high": 1.45, "linkedin_share_high": 0.2},
    )
    assert "cannot be told apart" in overlap and "because" not in overlap
    because = sentences(
        {"ratio": 1.60, "ci_low": 1.55, "ci_high": 1.65, "linkedin_share_high": 0.3},
        {"ratio": 1.20, "ci_low": 1.15, "ci_high": 1.25, "linkedin_share_high": 0.2},
    )
    assert because.startswith("The ratio is higher in the volume context") and "because" in because
    although = sentences(
        {"ratio": 1.60, "ci_low": 1.55, "ci_high": 1.65, "linkedin_share_high": 0.2},
        {"ratio": 1.20, "ci_low": 1.15, "ci_high": 1.25, "linkedin_share_high": 0.3},
    )
    assert "although" in although and "existing relationships" in although


def test_run_cohort_and_the_command(tmp_path):
    result = run_cohort(parse_scenario(COHORT))
    members = {s.seat for s in result.scenario.strategies}
    assert len(result.sellers) == 12 and len(members) == 12
    assert set(result.ratios.context) == {"volume", "complex"}
    path = tmp_path / "c.yaml"
    path.write_text(COHORT)
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["cohort", str(path), "--out", str(out), "--workers", "1"])
    assert res.exit_code == 0, res.output
    for name in ("sellers.csv", "ratio.csv", "weekly.csv", "cohort.png", "manifest.json"):
        assert (out / name).is_file(), name
    assert_redraws(out, ["cohort.png"])


@pytest.mark.slow
def test_linkedins_45_percent_lands_in_range_with_the_defaults():
    """C8: 1.3-1.6 in the volume context (the shipped scenario: 300 sellers)."""
    sc = load_scenario(Path(__file__).parent.parent / "scenarios" / "cohort-45-percent.yaml")
    ratios = run_cohort(sc, workers=0).ratios.set_index("context")
    assert 1.3 <= ratios.loc["volume", "ratio"] <= 1.6
    assert ratios.loc["volume", "ci_low"] > 1.0


def test_a_cohort_larger_than_the_industry_is_refused_before_any_run(tmp_path, capsys):
    path = tmp_path / "cohort.yaml"
    path.write_text(COHORT.replace("sellers: 12", "sellers: 2900"))
    with pytest.raises(SystemExit) as exit_info:
        main(["cohort", str(path), "--out", str(tmp_path / "o"), "--quiet"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "cohort.sellers: the seller's industry has" in err
    assert "2900 sellers need at least that many" in err
    assert not (tmp_path / "o").exists()


def test_the_claim_is_a_curve_over_the_existing_relationships_rate():
    """C8 as a curve (issue 10): rescaling the existing relationships' leads, which
    change no score, moves the ratio monotonically; at the scenario's own rate the
    curve gives the cohort's ratio exactly."""
    from ssisim.experiments.cohort import claim_sentence, ratio_curve

    sc = cohort_scenario(parse_scenario(COHORT))
    rng = np.random.default_rng(0)
    n = sc.cohort.sellers
    sellers = pd.DataFrame(
        {
            "seller": [f"s{i}" for i in range(n)],
            "ssi": np.r_[np.full(n // 2, 80.0), np.full(n - n // 2, 20.0)],
            **{
                f"opportunities_{ctx}": rng.uniform(50, 60, n)
                + np.r_[np.full(n // 2, 30.0), np.zeros(n - n // 2)]
                for ctx in sc.contexts
            },
            **{f"opportunities_existing_{ctx}": rng.uniform(40, 50, n) for ctx in sc.contexts},
        }
    )
    curve = ratio_curve(sellers, sc, rates=(0.02, sc.answers.leads.existing_rate, 0.3))
    for ctx in sc.contexts:
        ratios = curve[curve.context == ctx].sort_values("existing_rate").ratio.to_numpy()
        assert ratios[0] > ratios[1] > ratios[2], ratios
    at_own = curve[curve.existing_rate == sc.answers.leads.existing_rate].reset_index(drop=True)
    own = opportunity_ratios(sellers, sc)
    np.testing.assert_allclose(at_own.ratio, own.ratio)
    assert claim_sentence(curve).startswith("LinkedIn's 1.45 holds where")

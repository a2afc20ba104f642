"""Pillar arithmetic: bounds, sums, monotonicity, the Sales Navigator ceiling."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssisim.pillars import (
    INPUTS,
    SALES_NAVIGATOR_INPUTS,
    SHARE_INPUTS,
    ceiling_without_sales_navigator,
    input_score,
    pillar_scores,
)
from ssisim.scenario.schema import PILLARS, Scoring

SCORING = Scoring()
values = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)


def _inputs(draw_values, sales_navigator=True):
    it = iter(draw_values)
    out = {}
    for pillar, names in INPUTS.items():
        out[pillar] = {}
        for name in names:
            if not sales_navigator and (pillar, name) in SALES_NAVIGATOR_INPUTS:
                continue
            out[pillar][name] = next(it)
    return out


N_INPUTS = sum(len(v) for v in INPUTS.values())


def test_pillar_names_match_schema():
    assert tuple(INPUTS) == PILLARS
    for pillar, names in INPUTS.items():
        assert set(type(getattr(SCORING, pillar)).model_fields) == set(names)


@given(st.lists(values, min_size=N_INPUTS, max_size=N_INPUTS), st.booleans())
@settings(max_examples=300, deadline=None)
def test_pillars_bounded_and_sum(xs, sn):
    scores = pillar_scores(_inputs(xs, sn), SCORING)
    for pillar in PILLARS:
        assert 0.0 <= float(scores[pillar]) <= 25.0
    assert math.isclose(float(scores["ssi"]), sum(float(scores[p]) for p in PILLARS), abs_tol=1e-9)
    if not sn:
        assert float(scores["ssi"]) <= ceiling_without_sales_navigator(SCORING) + 1e-9


@given(st.lists(values, min_size=N_INPUTS, max_size=N_INPUTS), st.integers(0, N_INPUTS - 1), values)
@settings(max_examples=200, deadline=None)
def test_more_of_any_input_never_lowers_the_score(xs, which, extra):
    base = pillar_scores(_inputs(xs), SCORING)["ssi"]
    ys = list(xs)
    ys[which] += extra
    assert pillar_scores(_inputs(ys), SCORING)["ssi"] >= base - 1e-12


def test_saturated_inputs_reach_100_with_sales_navigator_only():
    huge = {
        p: {n: (1.0 if n in SHARE_INPUTS else 1e9) for n in names} for p, names in INPUTS.items()
    }
    assert float(pillar_scores(huge, SCORING)["ssi"]) == pytest.approx(100.0)
    without = {
        p: {n: v for n, v in d.items() if (p, n) not in SALES_NAVIGATOR_INPUTS}
        for p, d in huge.items()
    }
    ceiling = ceiling_without_sales_navigator(SCORING)
    assert float(pillar_scores(without, SCORING)["ssi"]) == pytest.approx(ceiling)
    assert ceiling < 100.0


def test_nothing_scores_zero_and_saturation_shapes():
    assert float(pillar_scores({}, SCORING)["ssi"]) == 0.0
    assert float(input_score(2.0, 2.0)) == pytest.approx(1 - math.exp(-1))
    assert float(input_score(0.25, 0.5, share=True)) == pytest.approx(0.5)
    assert float(input_score(2.0, 0.5, share=True)) == 1.0
    assert float(input_score(-3.0, 1.0)) == 0.0


def test_vectorised_over_members_equals_one_by_one():
    rng = np.random.default_rng(1)
    xs = rng.exponential(10.0, size=(N_INPUTS, 50))
    together = pillar_scores(_inputs(list(xs)), SCORING)
    for m in range(50):
        alone = pillar_scores(_inputs([x[m] for x in xs]), SCORING)
        for key in (*PILLARS, "ssi"):
            assert together[key][m] == pytest.approx(float(alone[key]))


def test_weights_are_relative_within_a_pillar():
    doubled = Scoring.model_validate(
        {"brand": {k: {"weight": 2 * v.weight, "scale": v.scale} for k, v in SCORING.brand}}
    )
    x = {"brand": {"posts": 3.0, "engagement": 12.0, "profile_completeness": 0.7}}
    assert float(pillar_scores(x, doubled)["brand"]) == pytest.approx(
        float(pillar_scores(x, SCORING)["brand"])
    )


def test_the_scalar_scorer_equals_pillar_scores_to_the_last_bit():
    """A run scores its member with ScalarScorer: the same numbers as the array path."""
    from ssisim.pillars import INPUTS, ScalarScorer
    from ssisim.scenario.schema import Scoring

    rng = np.random.default_rng(7)
    scoring = Scoring()
    scorer = ScalarScorer(scoring)
    for _ in range(300):
        inputs = {
            pillar: {
                name: float(rng.choice([0.0, -1.0, rng.exponential(3.0), rng.random()]))
                for name in names
                if rng.random() < 0.8  # a missing input counts as zero
            }
            for pillar, names in INPUTS.items()
        }
        fast = scorer(inputs)
        slow = {k: float(v) for k, v in pillar_scores(inputs, scoring).items()}
        # equal to the bit with the C library's expm1 on both sides (this machine);
        # numpy may use SIMD routines on some CPUs (AVX-512), within an ulp or two
        assert fast.keys() == slow.keys()
        for key in fast:
            assert fast[key] == pytest.approx(slow[key], rel=1e-14, abs=1e-13), key

"""The routine's table is its single source: rates, costs, processes and the cohort's jitter."""

import numpy as np
import pytest

from ssisim.experiments.cohort import JITTERED_FIELDS
from ssisim.population.cache import population_for
from ssisim.scenario.loading import parse_scenario
from ssisim.scenario.schema import Strategy, TimeCosts
from ssisim.sim.context import new_context
from ssisim.sim.routine import (
    ACTIVITIES,
    RATE_FIELDS,
    WEEKS_PER_MONTH,
    budget_factor,
    planned_minutes,
    scheduled_rates,
    start,
)

SCENARIO = """
name: table
weeks: 2
population: {size: 300}
platform: {invite_cap_per_week: 7}
strategies: [inactive]
"""


def _rates() -> list[str]:
    return [f for f in Strategy.model_fields if f.endswith(("_per_week", "_per_month"))]


def test_every_rate_of_the_strategy_is_one_row_of_the_table():
    assert sorted(RATE_FIELDS) == sorted(_rates())
    assert len(set(RATE_FIELDS)) == len(RATE_FIELDS) == len(ACTIVITIES)
    assert JITTERED_FIELDS == RATE_FIELDS  # the cohort jitters the table's rates, in its order
    for a in ACTIVITIES:
        assert a.schedule in ("repeating", "daily")
        assert callable(a.minutes) or a.minutes in TimeCosts.model_fields
        assert a.weeks_per_unit == (WEEKS_PER_MONTH if a.rate.endswith("_per_month") else 1.0)


def test_planned_minutes_is_the_sum_over_the_table():
    sc = parse_scenario(SCENARIO)
    rng = np.random.default_rng(3)
    rates = dict(zip(RATE_FIELDS, rng.uniform(0.5, 12.0, len(RATE_FIELDS)).tolist(), strict=True))
    st = Strategy(name="all", invite_note_share=0.3, **rates)
    rows = []
    for a in ACTIVITIES:
        alone = Strategy(name="one", invite_note_share=0.3, **{a.rate: rates[a.rate]})
        rows.append(planned_minutes(alone, sc))
        per_week = rates[a.rate] / a.weeks_per_unit
        per_week = min(per_week, 7) if a.capped else per_week
        cost = getattr(sc.time, a.minutes) if isinstance(a.minutes, str) else None
        if cost is not None:
            assert rows[-1] == pytest.approx(per_week * cost)
        assert rows[-1] > 0
    assert planned_minutes(st, sc) == pytest.approx(sum(rows))
    assert planned_minutes(Strategy(name="idle"), sc) == 0.0


def test_a_budget_scales_every_scheduled_rate_and_caps_invitations():
    sc = parse_scenario(SCENARIO)
    rates = dict.fromkeys(RATE_FIELDS, 10.0)
    free = Strategy(name="free", **rates)
    assert scheduled_rates(free, sc) == [10.0 / a.weeks_per_unit for a in ACTIVITIES]
    tight = free.model_copy(update={"hours_per_week_budget": 1.0})
    factor = budget_factor(tight, sc)
    assert 0 < factor < 1
    expected = [(7.0 if a.capped else 10.0 / a.weeks_per_unit) * factor for a in ACTIVITIES]
    assert scheduled_rates(tight, sc) == pytest.approx(expected)


def test_start_creates_one_process_per_repeating_row_and_per_daily_batch():
    sc = parse_scenario(SCENARIO)
    pop = population_for(sc)
    repeating = sum(a.schedule == "repeating" for a in ACTIVITIES)
    batches = len({a.action for a in ACTIVITIES if a.schedule == "daily"})
    for strategy, extra in (
        (Strategy(name="idle"), 0),
        (Strategy(name="busy", **dict.fromkeys(RATE_FIELDS, 1.0)), repeating + batches),
        (Strategy(name="warm", warm_messages_per_week=1.0), 1),
    ):
        ctx = new_context(pop, sc, strategy, np.random.default_rng(1), np.random.default_rng(2), 0)
        before = len(ctx.env._queue)  # simpy's event queue: a process starts with one event
        start(ctx)
        assert len(ctx.env._queue) - before == extra + 2  # + the refresh and the inbox


def test_equal_hours_scale_every_routine_up_or_down_to_the_same_time():
    from ssisim.scenario.loading import parse_scenario
    from ssisim.sim.routine import budget_factor, budget_note, planned_minutes

    sc = parse_scenario(
        "name: fair\nequal_hours_per_week: 4\nplatform: {invite_cap_per_week: null}\n"
        "strategies: [open-bar, club-select, inactive]\n"
    )
    for st in sc.strategies[:2]:
        scaled = st.model_copy(
            update={
                name: getattr(st, name) * budget_factor(st, sc)
                for name in type(st).model_fields
                if name.endswith(("_per_week", "_per_month")) and name != "hours_per_week_budget"
            }
        )
        assert planned_minutes(scaled, sc) == pytest.approx(4 * 60)
        assert "like every routine (equal_hours_per_week)" in (budget_note(st, sc) or "")
    inactive = sc.strategies[2]
    assert planned_minutes(inactive, sc) == 0 or budget_factor(inactive, sc) > 1

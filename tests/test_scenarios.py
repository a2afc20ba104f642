"""Every scenario shipped in scenarios/ validates and runs a short version."""

from pathlib import Path

import pytest

from ssisim.engine.driver import run_replications
from ssisim.scenario.loading import load_scenario

SCENARIOS = sorted((Path(__file__).parent.parent / "scenarios").glob("*.yaml"))


def test_there_are_scenarios():
    assert any(p.name == "open-bar-vs-club-select.yaml" for p in SCENARIOS)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_validates_and_runs_briefly(path):
    full = load_scenario(path)
    short = load_scenario(
        path, ["replications=2", "weeks=3", f"population.size={min(full.population.size, 3000)}"]
    )
    records = run_replications(short)
    assert len(records) == len(full.strategies) * 2 * 4
    assert all(0 <= r.ssi <= 100 for r in records)


SHORT = ["replications=2", "weeks=3", "population.size=500"]


def declares(path, what):
    """Whether a scenario declares a sweep or a sensitivity analysis (an invalid
    file declares nothing here: the test above reports it)."""
    try:
        sc = load_scenario(path)
    except Exception:
        return False
    return sc.sweep.active if what == "sweep" else bool(sc.sensitivity.parameters)


@pytest.mark.parametrize(
    "path",
    [p for p in SCENARIOS if declares(p, "sweep")],
    ids=lambda p: p.stem,
)
def test_sweep_scenario_expands_and_runs_its_first_points(path):
    from ssisim.engine.driver import execute
    from ssisim.engine.executors import InProcess
    from ssisim.engine.plan import Plan
    from ssisim.experiments.sweep import sweep_plan

    plan = sweep_plan(load_scenario(path, SHORT), path)
    assert len(plan.points) > 1 and plan.columns
    first = Plan(plan.points[:2], plan.chunk_runs, plan.column_kinds)
    report = execute(first, InProcess(), lambda r: None)
    assert report.runs == first.runs and not report.failures


@pytest.mark.parametrize(
    "path",
    [p for p in SCENARIOS if declares(p, "sensitivity")],
    ids=lambda p: p.stem,
)
def test_sensitivity_scenario_plans_and_runs_a_few_points(path):
    from ssisim.engine.driver import execute
    from ssisim.engine.executors import InProcess
    from ssisim.engine.plan import Plan
    from ssisim.experiments.sensitivity import sensitivity_plan

    plan, design = sensitivity_plan(load_scenario(path, [*SHORT, "sensitivity.samples=2"]), path)
    assert design.sobol_points == 2 * (len(design.parameters) + 2)
    few = Plan(plan.points[:3], plan.chunk_runs, plan.column_kinds)
    report = execute(few, InProcess(), lambda r: None)
    assert report.runs == few.runs and not report.failures

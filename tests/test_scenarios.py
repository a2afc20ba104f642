"""Every scenario shipped in scenarios/ validates and runs a short version."""

from pathlib import Path

import pytest

from ssisim.engine import run_replications
from ssisim.scenario import load_scenario

SCENARIOS = sorted((Path(__file__).parent.parent / "scenarios").glob("*.yaml"))


def test_there_are_scenarios():
    assert any(p.name == "open-bar-vs-club-select.yaml" for p in SCENARIOS)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_validates_and_runs_briefly(path):
    full = load_scenario(path)
    short = load_scenario(path, ["replications=2", "weeks=3", f"population.size={min(full.population.size, 3000)}"])
    records = run_replications(short)
    assert len(records) == len(full.strategies) * 2 * 4
    assert all(0 <= r.ssi <= 100 for r in records)

"""ssisim: an activity-based simulator of LinkedIn's Social Selling Index.

The Python API, for notebooks::

    import ssisim
    sc = ssisim.load_scenario("scenarios/open-bar-vs-club-select.yaml", ["replications=5"])
    records = ssisim.run_replications(sc)
    weekly = ssisim.weekly_frame(records, [s.name for s in sc.strategies])
    weekly.groupby(["strategy", "week"]).ssi.mean()
    outcomes = ssisim.outcomes_table(weekly, sc.contexts, sc.weeks)   # what the SSI hides
    ssisim.calibrate(ssisim.CalibrationPlan.quick())                   # the published figures
    with ssisim.Session(workers=2) as session:                         # workers kept between runs
        path = "scenarios/open-bar-vs-club-select.yaml"
        runs = [session.run(ssisim.load_scenario(path, [f"weeks={w}"])) for w in (13, 26, 52)]

See ``docs/model.md`` for the model and ``README.md`` for the command line.
"""

from __future__ import annotations

import importlib

# not `from typing import TYPE_CHECKING`: typing takes ~10 ms to import, and the
# command line's Ctrl-C handler is only set once this package is imported
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ssisim.engine.driver import Session, run_replications
    from ssisim.errors import DataError, ScenarioError, SsisimError
    from ssisim.experiments.calibration import TARGETS, CalibrationPlan, calibrate
    from ssisim.experiments.fit import fit_readings, read_readings
    from ssisim.pillars import ceiling_without_sales_navigator, pillar_scores
    from ssisim.population.build import Population, build_population
    from ssisim.population.cache import members_for, population_for
    from ssisim.population.members import score_members
    from ssisim.records import WeekRecord
    from ssisim.results.outcomes import debate_sentences, outcomes_table, summarize_outcomes
    from ssisim.results.tables import read_results, summarize, weekly_frame
    from ssisim.scenario.loading import load_scenario, parse_scenario
    from ssisim.scenario.schema import PILLARS, Scenario, Strategy
    from ssisim.seeds import run_seed
    from ssisim.sim.run import simulate

    __version__: str

# Every public name and the module that defines it, imported on first use
# (PEP 562): `import ssisim` (and so `ssisim --help`) loads none of numpy,
# pandas, scipy or simpy until a name is used.
_SOURCES: dict[str, str] = {
    "run_replications": "ssisim.engine.driver",
    "Session": "ssisim.engine.driver",
    "DataError": "ssisim.errors",
    "ScenarioError": "ssisim.errors",
    "SsisimError": "ssisim.errors",
    "TARGETS": "ssisim.experiments.calibration",
    "CalibrationPlan": "ssisim.experiments.calibration",
    "calibrate": "ssisim.experiments.calibration",
    "fit_readings": "ssisim.experiments.fit",
    "read_readings": "ssisim.experiments.fit",
    "ceiling_without_sales_navigator": "ssisim.pillars",
    "pillar_scores": "ssisim.pillars",
    "Population": "ssisim.population.build",
    "build_population": "ssisim.population.build",
    "members_for": "ssisim.population.cache",
    "population_for": "ssisim.population.cache",
    "score_members": "ssisim.population.members",
    "WeekRecord": "ssisim.records",
    "debate_sentences": "ssisim.results.outcomes",
    "outcomes_table": "ssisim.results.outcomes",
    "summarize_outcomes": "ssisim.results.outcomes",
    "read_results": "ssisim.results.tables",
    "summarize": "ssisim.results.tables",
    "weekly_frame": "ssisim.results.tables",
    "load_scenario": "ssisim.scenario.loading",
    "parse_scenario": "ssisim.scenario.loading",
    "PILLARS": "ssisim.scenario.schema",
    "Scenario": "ssisim.scenario.schema",
    "Strategy": "ssisim.scenario.schema",
    "run_seed": "ssisim.seeds",
    "simulate": "ssisim.sim.run",
}


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("ssisim")
    except metadata.PackageNotFoundError:  # pragma: no cover
        return "0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value: Any = _version()
    elif name in _SOURCES:
        value = getattr(importlib.import_module(_SOURCES[name]), name)
    else:
        raise AttributeError(f"module 'ssisim' has no attribute {name!r}")
    globals()[name] = value  # once: later look-ups do not come here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__, "__version__"})


__all__ = [
    "PILLARS",
    "TARGETS",
    "CalibrationPlan",
    "DataError",
    "Population",
    "Scenario",
    "ScenarioError",
    "Session",
    "SsisimError",
    "Strategy",
    "WeekRecord",
    "build_population",
    "calibrate",
    "ceiling_without_sales_navigator",
    "debate_sentences",
    "fit_readings",
    "load_scenario",
    "members_for",
    "outcomes_table",
    "parse_scenario",
    "pillar_scores",
    "population_for",
    "read_readings",
    "read_results",
    "run_replications",
    "run_seed",
    "score_members",
    "simulate",
    "summarize",
    "summarize_outcomes",
    "weekly_frame",
]

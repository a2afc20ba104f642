"""ssisim: an activity-based simulator of LinkedIn's Social Selling Index.

The Python API, for notebooks::

    import ssisim
    sc = ssisim.load_scenario("scenarios/open-bar-vs-club-select.yaml", ["replications=5"])
    records = ssisim.run_replications(sc)
    weekly = ssisim.weekly_frame(records, [s.name for s in sc.strategies])
    weekly.groupby(["strategy", "week"]).ssi.mean()
    outcomes = ssisim.outcomes_table(weekly, sc.contexts, sc.weeks)   # what the SSI hides
    ssisim.calibrate(ssisim.CalibrationPlan.quick())                   # the published figures

See ``docs/model.md`` for the model and ``README.md`` for the command line.
"""

from importlib import metadata as _metadata

from ssisim.engine.driver import run_replications
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

try:
    __version__ = _metadata.version("ssisim")
except _metadata.PackageNotFoundError:  # pragma: no cover
    __version__ = "0+unknown"

__all__ = [
    "PILLARS",
    "TARGETS",
    "CalibrationPlan",
    "DataError",
    "Population",
    "Scenario",
    "ScenarioError",
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

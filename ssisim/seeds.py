"""The seed contract: every random stream of ssisim, keyed by what it is.

One user seed per invocation (``seed:`` in the scenario, ``--seed`` on the
command line). Every stochastic unit draws from its own
:class:`numpy.random.SeedSequence`, keyed by what it is, never by worker,
batch or chunk:

=========================  ==========================================================
stream                     seed sequence
=========================  ==========================================================
the population             ``SeedSequence(population.seed)`` when the scenario sets
                           one, otherwise ``SeedSequence(seed, spawn_key=(0,))``
                           (:func:`population_seed`)
a run                      ``SeedSequence(seed, spawn_key=(1, 0, strategy_key,
                           replication))``; ``strategy_key`` is the CRC-32 of the
                           strategy's name (:func:`run_seed`)
an experiment's design     ``SeedSequence(seed, spawn_key=(2, what))``, ``what`` 0 for
                           sweep samples, 1 for the Sobol' design (:func:`design_rng`)
every member's activity    ``SeedSequence(population.seed, spawn_key=(2**32 - 1,))``
                           when the scenario sets ``population.seed``, otherwise
                           ``SeedSequence(seed, spawn_key=(2,))`` (:func:`activity_seed`)
the boost measurement (C6) ``SeedSequence(seed, spawn_key=(3,))`` (:func:`boost_seed`)
the debate's streams       ``SeedSequence(seed, spawn_key=(4, what, *index))``
                           (:func:`debate_rng`): ``what`` 0 team choice, 1 a team
                           seat's network, 2 cohort choice, 3 a cohort seat's network,
                           4 cohort routines, 5 cohort bootstrap, 6 a seller's existing
                           relationships in one replication (:func:`existing_rng`),
                           7 an imported member's week-0 network (``from:``),
                           8 a plan's search (``ssisim plan``)
=========================  ==========================================================

Inside a run, :func:`ssisim.sim.run.simulate` spawns three children of the
run's sequence in a fixed order: the routine's choices, the population's
answers, then the leads (new streams go at the end).

The second slot of a run's key is the sweep point's slot, and it is **0 at
every point**: replication ``r`` of a strategy draws the same stream whatever
the point (common random numbers), so the difference between two points is
the effect of the swept values, not noise. When a sweep varies a
``population.*`` key, each point builds its own population from the same
seed, and common random numbers then hold for the run streams only.

So the same seed gives the same bytes whatever the number of workers or the
executor, and adding replications, strategies or points leaves the existing
runs unchanged. ``docs/model.md`` ("The seed contract") tabulates the same.

Examples
--------
>>> run_seed_key(7, "open-bar", 3)
(1, 0, 626837707, 3)
"""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from ssisim.scenario.schema import Scenario, Strategy

__all__ = [
    "activity_seed",
    "boost_seed",
    "debate_rng",
    "design_rng",
    "existing_rng",
    "population_seed",
    "run_seed",
    "run_seed_key",
    "strategy_key",
]

POPULATION_STREAM = 0
RUN_STREAM = 1
DESIGN_STREAM = 2
ACTIVITY_STREAM = 2
"""The members' activity under the scenario seed (a key of length 1, so apart
from the designs' keys of length 2)."""
ACTIVITY_KEY_UNDER_POPULATION_SEED = 2**32 - 1
"""Under ``population.seed``: far from the population's own children 0, 1, ..."""
BOOST_STREAM = 3
DEBATE_STREAM = 4

# what the debate streams are for: the second slot of their key
TEAM_CHOICE, TEAM_SEAT, COHORT_CHOICE, COHORT_SEAT, COHORT_ROUTINES, COHORT_BOOTSTRAP = range(6)
EXISTING_RELATIONSHIPS = 6
MEMBER_NETWORK = 7
"""An imported member's week-0 network, placed once per scenario (:mod:`ssisim.population.seats`)."""
PLAN_SEARCH = 8
"""The sampler of ``ssisim plan`` (:mod:`ssisim.experiments.plan`)."""


def strategy_key(name: str) -> int:
    """A stable integer key for a strategy name (CRC-32 of its UTF-8 bytes, unlike ``hash``)."""
    return zlib.crc32(name.encode("utf-8"))


def population_seed(scenario: Scenario) -> np.random.SeedSequence:
    """The population's seed sequence."""
    if scenario.population.seed is not None:
        return np.random.SeedSequence(scenario.population.seed)
    return np.random.SeedSequence(scenario.seed, spawn_key=(POPULATION_STREAM,))


def run_seed_key(seed: int, strategy: str, replication: int, point: int = 0) -> tuple[int, ...]:
    """The spawn key of one run (the seed itself is the sequence's entropy)."""
    return (RUN_STREAM, point, strategy_key(strategy), replication)


def run_seed(
    scenario: Scenario, strategy: Strategy, replication: int, point: int = 0
) -> np.random.SeedSequence:
    """The seed sequence of one run.

    ``point`` is the sweep point's slot of the key. The engine passes 0 at
    every point (common random numbers); another value gives independent
    streams per point, for callers who want them.
    """
    key = run_seed_key(scenario.seed, strategy.name, replication, point)
    return np.random.SeedSequence(scenario.seed, spawn_key=key)


def design_rng(seed: int, what: int) -> np.random.Generator:
    """The generator of an experiment's design: ``what`` 0 for sweep samples, 1 for Sobol'."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(DESIGN_STREAM, what)))


def activity_seed(scenario: Scenario) -> np.random.SeedSequence:
    """The seed sequence of every member's activity (for the ranks).

    Examples
    --------
    >>> from ssisim.scenario.loading import parse_scenario
    >>> activity_seed(parse_scenario("name: x\\nseed: 5\\nstrategies: [inactive]")).spawn_key
    (2,)
    """
    if scenario.population.seed is not None:
        return np.random.SeedSequence(
            scenario.population.seed, spawn_key=(ACTIVITY_KEY_UNDER_POPULATION_SEED,)
        )
    return np.random.SeedSequence(scenario.seed, spawn_key=(ACTIVITY_STREAM,))


def boost_seed(seed: int) -> np.random.SeedSequence:
    """The seed sequence of the visibility boost's measurement (C6)."""
    return np.random.SeedSequence(seed, spawn_key=(BOOST_STREAM,))


def debate_rng(seed: int, what: int, *index: int) -> np.random.Generator:
    """The generator of a debate stream: ``SeedSequence(seed, spawn_key=(4, what, *index))``
    (no index means ``(4, what, 0)``)."""
    key = (DEBATE_STREAM, what, *(index or (0,)))
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=key))


def existing_rng(scenario: Scenario, strategy: Strategy, replication: int) -> np.random.Generator:
    """The stream of a seller's existing relationships in one replication, the same
    for every strategy of that seller (common random numbers)."""
    seat = 0 if strategy.seat is None else strategy.seat + 1
    return debate_rng(scenario.seed, EXISTING_RELATIONSHIPS, seat, replication)

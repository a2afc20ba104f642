"""This process's population and its members' scores, built once and shared by its runs.

A worker runs many replications of the same population: building it (and
scoring every member, for the ranks) once per process, never per run, is what
keeps a run cheap. Each cache holds one entry at a time, so memory stays flat
when a sweep moves from one population to the next.
"""

from __future__ import annotations

import threading

import numpy as np

from ssisim.population.build import Population, build_population
from ssisim.population.members import MemberScores, score_members
from ssisim.scenario.schema import Scenario
from ssisim.seeds import activity_seed, population_seed

__all__ = ["members_for", "population_for"]

_POPULATIONS: dict[str, Population] = {}
_MEMBERS: dict[str, tuple[Population, MemberScores]] = {}
_LOCK = threading.Lock()


def population_for(scenario: Scenario) -> Population:
    """Build the scenario's population, or reuse this process's copy of it.

    The cache holds one population per process (memory stays flat), keyed by
    its seed (:func:`ssisim.seeds.population_seed`) and parameters; it is
    shared by the threads of a process.
    """
    seq = population_seed(scenario)
    key = f"{seq.entropy}|{seq.spawn_key}|{scenario.population.model_dump_json()}"
    with _LOCK:
        found = _POPULATIONS.get(key)
        if found is not None:
            return found
        _POPULATIONS.clear()  # one population per process at a time keeps memory flat
        built = build_population(scenario.population, np.random.default_rng(seq))
        _POPULATIONS[key] = built
        return built


def members_for(population: Population, scenario: Scenario) -> MemberScores:
    """Score the population's members, or reuse this process's copy of them.

    Like :func:`population_for`: one entry per process, keyed by the
    population object itself (its identity), the activity seed, the habits,
    the scoring and the weeks, so that every run in a worker reuses it.
    Scored with ``keep_weeks=True`` and the stream of
    :func:`ssisim.seeds.activity_seed`.
    """
    seq = activity_seed(scenario)
    key = (
        f"{id(population)}|{seq.entropy}|{seq.spawn_key}|{scenario.weeks}|"
        f"{scenario.population.model_dump_json()}|{scenario.scoring.model_dump_json()}"
    )
    hit = _MEMBERS.get(key)
    if hit is not None and hit[0] is population:
        return hit[1]
    _MEMBERS.clear()  # one population's members per process at a time keeps memory flat
    scores = score_members(population, scenario, np.random.default_rng(seq))
    _MEMBERS[key] = (population, scores)
    return scores

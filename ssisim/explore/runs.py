"""The explorer's runs: the same runs as ``ssisim run``, and the seller's network week by week.

A page update runs every (strategy, replication) of a scenario with
:func:`ssisim.sim.run.simulate` from :func:`ssisim.seeds.run_seed`, exactly as
the engine's worker does: the same scenario and seed give the same records
as ``ssisim run``. Replication 0 of each strategy is traced instead
(:func:`traced`): the same run, played week by week, with the seller's
network read at the end of every week, for the network drawings. Tracing
changes nothing in the records (a test checks it).

The runs go to a :class:`Runner`: a persistent pool of worker processes that
keep their population cache from one update to the next, or this process
(``workers=1``).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from ssisim.engine.executors import quiet_pool, resolve_workers
from ssisim.population.build import Population
from ssisim.population.cache import population_for
from ssisim.records import WeekRecord
from ssisim.scenario.schema import Scenario, Strategy
from ssisim.seeds import run_seed
from ssisim.sim.context import DAYS_PER_WEEK
from ssisim.sim.run import prepared, simulate

__all__ = [
    "CONTACT_KINDS",
    "NetworkTrace",
    "RunResult",
    "Runner",
    "run_task",
    "traced",
]

CONTACT_KINDS: tuple[str, ...] = ("decision maker", "relevant", "other")
"""What a contact is, in the drawings' order: a decision maker (relevant or not),
else a relevant member (the target market), else anyone else."""


@dataclass(frozen=True)
class NetworkTrace:
    """The seller's network at the end of every week of one run.

    Attributes
    ----------
    kinds : numpy.ndarray of int8
        Per contact at the horizon, in the order the contacts came: an index
        of :data:`CONTACT_KINDS`. The contacts at week ``w`` are the first
        ``sizes[w]`` (contacts are never removed).
    sizes : numpy.ndarray of int64
        Contacts at the end of each week (week 0 first).
    ties : tuple of numpy.ndarray of float32
        Per week, the strength of each of its contacts' ties (0-1).
    second_degree : numpy.ndarray of int64
        Per week, members who are not contacts but know one (second degree).
    """

    kinds: np.ndarray
    sizes: np.ndarray
    ties: tuple[np.ndarray, ...]
    second_degree: np.ndarray


@dataclass(frozen=True)
class RunResult:
    """One run's records, and its network trace when it was traced."""

    strategy: int
    replication: int
    records: list[WeekRecord]
    trace: NetworkTrace | None = None


def traced(
    population: Population,
    scenario: Scenario,
    strategy: Strategy,
    seed: np.random.SeedSequence,
    replication: int = 0,
) -> tuple[list[WeekRecord], NetworkTrace]:
    """:func:`ssisim.sim.run.simulate`, played week by week to read the network.

    The streams, the start and the order of events are those of ``simulate``
    (SimPy runs the same events whether it is stopped between weeks or not),
    so the records are the same; the network is read just after each week's
    score refresh (day ``7w``).
    """
    ctx = prepared(population, scenario, strategy, seed, replication)
    net = ctx.net
    sizes: list[int] = []
    ties: list[np.ndarray] = []
    second: list[int] = []
    for week in range(scenario.weeks + 1):
        ctx.env.run(until=week * DAYS_PER_WEEK + 1e-3)
        contacts = net.contacts
        sizes.append(int(contacts.size))
        ties.append(net.tie[contacts].astype(np.float32))
        second.append(int(np.count_nonzero((net.mutual > 0) & ~net.contact)))
    ctx.env.run(until=scenario.weeks * DAYS_PER_WEEK + 0.5)
    final = net.contacts[: sizes[-1]]  # the contacts at the last week's refresh
    kinds = np.where(
        population.decision_maker[final], 0, np.where(population.relevant[final], 1, 2)
    ).astype(np.int8)
    trace = NetworkTrace(
        kinds=kinds,
        sizes=np.asarray(sizes, dtype=np.int64),
        ties=tuple(ties),
        second_degree=np.asarray(second, dtype=np.int64),
    )
    return ctx.ledger.records, trace


def run_task(
    scenario: Scenario, strategy: int, replications: Sequence[int], trace_first: bool
) -> list[RunResult]:
    """Run some replications of one strategy (in a worker or here); the first is
    traced when ``trace_first`` and it is replication 0."""
    population = population_for(scenario)
    st = scenario.strategies[strategy]
    out = []
    for rep in replications:
        seed = run_seed(scenario, st, rep)
        if trace_first and rep == 0:
            records, trace = traced(population, scenario, st, seed, rep)
            out.append(RunResult(strategy, rep, records, trace))
        else:
            out.append(RunResult(strategy, rep, simulate(population, scenario, st, seed, rep)))
    return out


class Runner:
    """Where the explorer's runs go: a persistent pool of processes, or this one.

    ``workers`` 0 takes every core; 1 runs in this process (in a thread, so
    the page stays responsive). The pool is started once and keeps each
    worker's population cache between updates.
    """

    def __init__(self, workers: int = 0) -> None:
        self.workers = max(1, resolve_workers(workers))
        self._pool: Executor
        if self.workers == 1:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ssisim-explore")
        else:
            # Ctrl-C stops `ssisim explore`; the workers ignore it and print nothing
            self._pool = quiet_pool(self.workers)

    def description(self) -> str:
        if self.workers == 1:
            return "1 worker (this process)"
        return f"{self.workers} worker processes"

    def submit(self, scenario: Scenario, trace: bool = True) -> list[Future[list[RunResult]]]:
        """Submit every run of ``scenario``, in tasks of a few replications each."""
        reps = list(range(scenario.replications))
        size = max(1, -(-len(reps) // max(1, self.workers)))
        if self.workers > 1 and len(scenario.strategies) >= self.workers:
            size = len(reps)  # one task per strategy already keeps every worker busy
        futures = []
        for s in range(len(scenario.strategies)):
            for i in range(0, len(reps), size):
                futures.append(self._pool.submit(run_task, scenario, s, reps[i : i + size], trace))
        return futures

    def run(self, scenario: Scenario, trace: bool = True) -> list[RunResult]:
        """Every run of ``scenario``, in (strategy, replication) order."""
        results = [r for f in self.submit(scenario, trace) for r in f.result()]
        return sorted(results, key=lambda r: (r.strategy, r.replication))

    def close(self) -> None:
        # waits for a run under way (a second or so): left running, the pool's
        # thread met a closed pipe at exit and printed a traceback
        self._pool.shutdown(wait=True, cancel_futures=True)

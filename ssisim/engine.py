"""Replications: seeding, sharing the population, local worker processes.

The seed contract
-----------------
One user seed per invocation (``seed:`` in the scenario, ``--seed``). Every
stochastic unit has its own :class:`numpy.random.SeedSequence`, keyed by what
it is, never by worker or chunk:

- the population: ``SeedSequence(population.seed)`` when the scenario sets one,
  otherwise ``SeedSequence(seed, spawn_key=(0,))``;
- a run: ``SeedSequence(seed, spawn_key=(1, point, strategy_key, replication))``
  where ``strategy_key`` is the CRC-32 of the strategy's name (stable across
  Python processes, unlike ``hash``) and ``point`` is the sweep point (0 for a
  plain run).

So the same seed gives the same bytes whatever the number of workers, adding
replications or strategies leaves the existing runs unchanged, and the
population is built once per population seed and shared by all runs.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass

import numpy as np

from ssisim.model import RunStats, simulate
from ssisim.population import Population, build_population
from ssisim.records import WeekRecord
from ssisim.scenario import Scenario, Strategy

__all__ = [
    "population_for",
    "population_seed",
    "run_replications",
    "run_seed",
    "strategy_key",
]

_POPULATION_STREAM = 0
_RUN_STREAM = 1


def strategy_key(name: str) -> int:
    """A stable integer key for a strategy name (CRC-32 of its UTF-8 bytes)."""
    return zlib.crc32(name.encode("utf-8"))


def population_seed(scenario: Scenario) -> np.random.SeedSequence:
    """The population's seed sequence (see the module's seed contract)."""
    if scenario.population.seed is not None:
        return np.random.SeedSequence(scenario.population.seed)
    return np.random.SeedSequence(scenario.seed, spawn_key=(_POPULATION_STREAM,))


def run_seed(
    scenario: Scenario, strategy: Strategy, replication: int, point: int = 0
) -> np.random.SeedSequence:
    """The seed sequence of one run (see the module's seed contract)."""
    return np.random.SeedSequence(
        scenario.seed,
        spawn_key=(_RUN_STREAM, point, strategy_key(strategy.name), replication),
    )


_CACHE: dict[str, Population] = {}


def population_for(scenario: Scenario) -> Population:
    """Build the scenario's population, or reuse this process's copy of it."""
    seq = population_seed(scenario)
    key = f"{seq.entropy}|{seq.spawn_key}|{scenario.population.model_dump_json()}"
    if key not in _CACHE:
        _CACHE.clear()  # one population per process at a time keeps memory flat
        _CACHE[key] = build_population(scenario.population, np.random.default_rng(seq))
    return _CACHE[key]


@dataclass(frozen=True)
class _Batch:
    strategy: int
    replications: tuple[int, ...]


def _run_batch(scenario: Scenario, batch: _Batch) -> tuple[list[WeekRecord], int]:
    population = population_for(scenario)
    strategy = scenario.strategies[batch.strategy]
    stats = RunStats()
    records: list[WeekRecord] = []
    for rep in batch.replications:
        records.extend(
            simulate(population, scenario, strategy, run_seed(scenario, strategy, rep), rep, stats)
        )
    return records, stats.events


def _batches(scenario: Scenario, replications: Sequence[int], workers: int) -> list[_Batch]:
    """Split the runs into batches: a few per worker, so scheduling costs little."""
    total = len(scenario.strategies) * len(replications)
    size = max(1, min(10, total // max(8 * workers, 1)))
    out: list[_Batch] = []
    for s in range(len(scenario.strategies)):
        for i in range(0, len(replications), size):
            out.append(_Batch(s, tuple(replications[i : i + size])))
    return out


def _context() -> mp.context.BaseContext:
    # forkserver: workers fork from a clean server that has imported ssisim once
    # (fast start, and safe next to the progress bar's thread); spawn elsewhere.
    if "forkserver" in mp.get_all_start_methods():
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["ssisim.engine"])
        return ctx
    return mp.get_context("spawn")


def run_replications(
    scenario: Scenario,
    *,
    workers: int = 1,
    replications: Sequence[int] | None = None,
    progress: Callable[[int], None] | None = None,
    stats: RunStats | None = None,
) -> list[WeekRecord]:
    """Run every strategy of a scenario for its replications.

    Parameters
    ----------
    scenario : Scenario
    workers : int
        Local worker processes; 1 runs in this process. 0 means all cores.
    replications : sequence of int, optional
        Which replications to run (default ``range(scenario.replications)``).
    progress : callable, optional
        Called with the number of runs just completed.
    stats : RunStats, optional
        Filled with the number of SimPy events processed.

    Returns
    -------
    list of WeekRecord
        Ordered by strategy (scenario order), replication and week, whatever
        the number of workers.
    """
    reps = list(range(scenario.replications)) if replications is None else list(replications)
    workers = os.cpu_count() or 1 if workers == 0 else workers
    batches = _batches(scenario, reps, workers)
    results: dict[_Batch, list[WeekRecord]] = {}
    events = 0
    if workers <= 1 or len(batches) == 1:
        for batch in batches:
            results[batch], n = _run_batch(scenario, batch)
            events += n
            if progress:
                progress(len(batch.replications))
    else:
        with ProcessPoolExecutor(max_workers=min(workers, len(batches)), mp_context=_context()) as pool:
            pending: dict[Future[tuple[list[WeekRecord], int]], _Batch] = {
                pool.submit(_run_batch, scenario, b): b for b in batches
            }
            try:
                while pending:
                    done, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in done:
                        batch = pending.pop(fut)
                        results[batch], n = fut.result()
                        events += n
                        if progress:
                            progress(len(batch.replications))
            except BaseException:
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    if stats is not None:
        stats.events += events
    return [rec for batch in batches for rec in results[batch]]

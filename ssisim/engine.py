"""Runs: seeding, sharing the population, and the task pipeline.

The seed contract
-----------------
One user seed per invocation (``seed:`` in the scenario, ``--seed``). Every
stochastic unit has its own :class:`numpy.random.SeedSequence`, keyed by what
it is, never by worker, batch or chunk:

- the population: ``SeedSequence(population.seed)`` when the scenario sets one,
  otherwise ``SeedSequence(seed, spawn_key=(0,))``;
- a run: ``SeedSequence(seed, spawn_key=(1, 0, strategy_key, replication))``
  where ``strategy_key`` is the CRC-32 of the strategy's name (stable across
  Python processes, unlike ``hash``);
- an experiment's design (sweep samples, the Sobol' design):
  ``SeedSequence(seed, spawn_key=(2, what))``, see :func:`design_rng`.
- every member's activity (for the ranks): ``SeedSequence(population.seed,
  spawn_key=(2**32 - 1,))`` when the scenario sets ``population.seed``,
  otherwise ``SeedSequence(seed, spawn_key=(2,))``; see
  :func:`ssisim.members.activity_seed`;
- teams and cohorts (seats, their networks, routines) and each seat's
  existing relationships: ``SeedSequence(seed, spawn_key=(4, ...))``, see
  ``docs/debate.md``, section 11.

``docs/model.md`` ("The seed contract") tabulates every stream.

The second slot of a run's key is the sweep point's slot, and it is **0 at
every point**: replication ``r`` of a strategy draws the same stream whatever
the point (common random numbers, CRN), so the difference between two points
is the effect of the swept values, not noise. The population is derived from
the seed as above, the same at every point; but when a sweep varies a
``population.*`` key, each point builds its own population from that same
seed (the cache is keyed by the population's parameters), and CRN then holds
for the run streams only.

So the same seed gives the same bytes whatever the number of workers or the
executor, adding replications, strategies or points leaves the existing runs
unchanged, and the population is built once per process and population
(seed and parameters), never per run.

The task pipeline
-----------------
A :class:`Plan` is a list of :class:`Point` s, each a validated
:class:`~ssisim.scenario.Scenario` (a plain run is one point). Every
(point, strategy, replication) is one run. Runs are grouped into
:class:`Chunk` s of consecutive replications of one point and strategy, with
boundaries fixed by the plan (``Plan.chunk_runs``), never by the executor: a
chunk is one results file, so the files do not depend on how the work was
spread. Chunks are sent to the executor in batches (a few chunks when they
are small), and :func:`execute` hands every finished chunk to a callback
as soon as it arrives (the results store writes it to disk).

A worker that dies (killed, out of memory) fails only the batch it was
running: the batch is split into its chunks, which are run again up to
``retries`` times, then reported as :class:`Failure` s by point, strategy and
replications. An exception raised by the model fails its chunk only, and is
not retried (it would fail again).
"""

from __future__ import annotations

import math
import os
import resource
import socket
import sys
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ssisim.model import RunStats, simulate
from ssisim.population import Population, build_population
from ssisim.records import WeekRecord
from ssisim.scenario import Scenario, Strategy

if TYPE_CHECKING:
    from ssisim.executors import Executor

__all__ = [
    "Chunk",
    "ChunkResult",
    "ExecutionReport",
    "Failure",
    "Plan",
    "Point",
    "design_rng",
    "execute",
    "population_for",
    "population_seed",
    "run_batch",
    "run_replications",
    "run_seed",
    "strategy_key",
]

_POPULATION_STREAM = 0
_RUN_STREAM = 1
_DESIGN_STREAM = 2

TARGET_SELLER_WEEKS = 260
"""Automatic chunk size: about this many simulated weeks per chunk (5 runs of
52 weeks, about a second at 20,000 members), so that scheduling and writing
cost little next to simulating."""
MIN_CHUNKS = 32
"""...but at least this many chunks in a plan when it has that many runs, so
that a few workers share the work evenly."""


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
    """The seed sequence of one run (see the module's seed contract).

    ``point`` is the sweep point's slot of the key. The engine passes 0 at
    every point (common random numbers); another value gives independent
    streams per point, for callers who want them.
    """
    return np.random.SeedSequence(
        scenario.seed,
        spawn_key=(_RUN_STREAM, point, strategy_key(strategy.name), replication),
    )


def design_rng(seed: int, what: int) -> np.random.Generator:
    """The generator of an experiment's design: ``what`` 0 for sweep samples,
    1 for the Sobol' design (see the module's seed contract)."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(_DESIGN_STREAM, what)))


_CACHE: dict[str, Population] = {}
_CACHE_LOCK = threading.Lock()


def population_for(scenario: Scenario) -> Population:
    """Build the scenario's population, or reuse this process's copy of it.

    The cache holds one population per process (memory stays flat), keyed by
    its seed and parameters; it is shared by the threads of a process.
    """
    seq = population_seed(scenario)
    key = f"{seq.entropy}|{seq.spawn_key}|{scenario.population.model_dump_json()}"
    with _CACHE_LOCK:
        found = _CACHE.get(key)
        if found is not None:
            return found
        _CACHE.clear()  # one population per process at a time keeps memory flat
        built = build_population(scenario.population, np.random.default_rng(seq))
        _CACHE[key] = built
        return built


# --------------------------------------------------------------------------- plans


@dataclass(frozen=True)
class Point:
    """One sweep point: a validated scenario and the swept values that made it.

    ``values`` pairs each swept column with its value, in column order; a
    plain run is one point with no values.
    """

    index: int
    scenario: Scenario
    values: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True, order=True)
class Chunk:
    """Consecutive replications of one point and strategy: one results file."""

    point: int
    strategy: int
    replications: tuple[int, ...]

    @property
    def runs(self) -> int:
        return len(self.replications)

    def describe(self, plan: Plan) -> str:
        """``point 3 (x=40), open-bar, replications 0-4``."""
        point = plan.points[self.point]
        values = ", ".join(f"{k}={v}" for k, v in point.values)
        where = f"point {self.point} ({values})" if values else f"point {self.point}"
        name = point.scenario.strategies[self.strategy].name
        return f"{where}, {name}, replications {_span(self.replications)}"


@dataclass(frozen=True)
class Plan:
    """Every run of an experiment, and how they are grouped into chunks.

    Parameters
    ----------
    points : tuple of Point
        Indexed 0..n-1 in order.
    chunk_runs : int
        Replications per chunk (the last chunk of a point and strategy may be
        shorter); fixed by the plan so that files never depend on workers.
    column_kinds : tuple of (str, str)
        The swept columns and their kind (``int``, ``float``, ``bool``, ``str``).
    """

    points: tuple[Point, ...]
    chunk_runs: int
    column_kinds: tuple[tuple[str, str], ...] = ()

    @classmethod
    def single(cls, scenario: Scenario, chunk_runs: int | None = None) -> Plan:
        """The plan of a plain run: one point."""
        points = (Point(0, scenario),)
        return cls(points, chunk_runs or scenario.execution.chunk_runs or auto_chunk_runs(points))

    @property
    def runs(self) -> int:
        return sum(len(p.scenario.strategies) * p.scenario.replications for p in self.points)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.column_kinds)

    def chunks(self, replications: Sequence[int] | None = None) -> list[Chunk]:
        """Every chunk, point by point, strategy by strategy, in replication order."""
        out: list[Chunk] = []
        for point in self.points:
            reps = (
                list(range(point.scenario.replications))
                if replications is None
                else list(replications)
            )
            for s in range(len(point.scenario.strategies)):
                for i in range(0, len(reps), self.chunk_runs):
                    out.append(Chunk(point.index, s, tuple(reps[i : i + self.chunk_runs])))
        return out


def auto_chunk_runs(points: Sequence[Point]) -> int:
    """Runs per chunk: about :data:`TARGET_SELLER_WEEKS` weeks of simulation,
    but at least :data:`MIN_CHUNKS` chunks when there are that many runs.

    A function of the plan alone (never of the workers): files and resumes
    depend on it.
    """
    weeks = max(p.scenario.weeks for p in points)
    reps = max(p.scenario.replications for p in points)
    runs = sum(len(p.scenario.strategies) * p.scenario.replications for p in points)
    size = max(1, math.ceil(TARGET_SELLER_WEEKS / weeks))
    size = min(size, max(1, math.ceil(runs / MIN_CHUNKS)))
    return max(1, min(size, reps))


# --------------------------------------------------------------------------- worker side


@dataclass(frozen=True)
class _Hooks:
    """Test-only fault injection (``SSISIM_TEST_EXIT_AT=POINT:REPLICATION[:once]``):
    a worker process (never the parent) exits abruptly before that run."""

    exit_at: tuple[int, int] | None = None
    once: bool = False
    parent_pid: int = 0

    @classmethod
    def from_env(cls) -> _Hooks:
        spec = os.environ.get("SSISIM_TEST_EXIT_AT", "")
        if not spec:
            return cls()
        parts = spec.split(":")
        return cls((int(parts[0]), int(parts[1])), parts[2:] == ["once"], os.getpid())


@dataclass(frozen=True)
class _Item:
    scenario: Scenario
    chunk: Chunk
    values: tuple[tuple[str, str, Any], ...]  # (column, kind, value)


@dataclass(frozen=True)
class Batch:
    """What one task carries to a worker: a few chunks and their scenarios."""

    items: tuple[_Item, ...]
    attempt: int = 0
    hooks: _Hooks = _Hooks()

    @property
    def runs(self) -> int:
        return sum(i.chunk.runs for i in self.items)


@dataclass
class ChunkResult:
    """A finished chunk: its results file (Parquet bytes) and what it cost."""

    chunk: Chunk
    data: bytes
    events: int
    sim_seconds: float
    build_seconds: float
    worker: str
    peak_bytes: int

    @property
    def runs(self) -> int:
        return self.chunk.runs


@dataclass
class ChunkError:
    """A chunk whose runs raised: the exception, on one line."""

    chunk: Chunk
    error: str


def run_batch(batch: Batch) -> list[ChunkResult | ChunkError]:
    """Run a batch's chunks (in a worker, or in this process). Never raises for
    a model error: that chunk becomes a :class:`ChunkError`."""
    from ssisim.store import chunk_bytes

    out: list[ChunkResult | ChunkError] = []
    for item in batch.items:
        try:
            t0 = time.perf_counter()
            population = population_for(item.scenario)
            t1 = time.perf_counter()
            strategy = item.scenario.strategies[item.chunk.strategy]
            stats = RunStats()
            records: list[WeekRecord] = []
            sim = 0.0
            for rep in item.chunk.replications:
                _maybe_exit(batch, item.chunk.point, rep)
                s0 = time.perf_counter()
                records.extend(
                    simulate(
                        population,
                        item.scenario,
                        strategy,
                        run_seed(item.scenario, strategy, rep),
                        rep,
                        stats,
                    )
                )
                sim += time.perf_counter() - s0
            data = chunk_bytes(records, item.values)
        except Exception as exc:  # a model error fails this chunk only
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            out.append(ChunkError(item.chunk, f"{type(exc).__name__}: {message}".rstrip(": ")))
            continue
        out.append(
            ChunkResult(item.chunk, data, stats.events, sim, t1 - t0, _worker_name(), _peak_bytes())
        )
    return out


def _maybe_exit(batch: Batch, point: int, rep: int) -> None:
    hooks = batch.hooks
    if hooks.exit_at != (point, rep) or os.getpid() == hooks.parent_pid:
        return
    if hooks.once and batch.attempt > 0:
        return
    os._exit(70)


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _peak_bytes() -> int:
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(value if sys.platform == "darwin" else value * 1024)


# --------------------------------------------------------------------------- driver


@dataclass(frozen=True)
class Failure:
    """Runs that did not complete, and why."""

    chunk: Chunk
    reason: str


@dataclass
class ExecutionReport:
    """What :func:`execute` did."""

    runs: int = 0
    chunks: int = 0
    events: int = 0
    sim_seconds: float = 0.0
    build_seconds: float = 0.0
    retried: int = 0
    failures: list[Failure] = field(default_factory=list)
    workers_peak_bytes: dict[str, int] = field(default_factory=dict)

    @property
    def failed_runs(self) -> int:
        return sum(f.chunk.runs for f in self.failures)


def _values(plan: Plan, point: Point) -> tuple[tuple[str, str, Any], ...]:
    kinds = dict(plan.column_kinds)
    return tuple((name, kinds[name], value) for name, value in point.values)


def _batches(plan: Plan, chunks: Sequence[Chunk], workers: int, hooks: _Hooks) -> list[Batch]:
    """Group consecutive chunks into batches of about :data:`TARGET_SELLER_WEEKS`
    weeks, keeping at least four batches per worker."""
    total_weeks = sum(c.runs * plan.points[c.point].scenario.weeks for c in chunks)
    target = min(TARGET_SELLER_WEEKS, max(1, total_weeks // max(4 * workers, 1)))
    out: list[Batch] = []
    items: list[_Item] = []
    weeks = 0
    for c in chunks:
        point = plan.points[c.point]
        items.append(_Item(point.scenario, c, _values(plan, point)))
        weeks += c.runs * point.scenario.weeks
        if weeks >= target:
            out.append(Batch(tuple(items), 0, hooks))
            items, weeks = [], 0
    if items:
        out.append(Batch(tuple(items), 0, hooks))
    return out


def execute(
    plan: Plan,
    executor: Executor,
    on_result: Callable[[ChunkResult], None],
    *,
    skip: Iterable[Chunk] = (),
    chunks: Sequence[Chunk] | None = None,
    progress: Callable[[int], None] | None = None,
    retries: int = 1,
) -> ExecutionReport:
    """Run a plan's chunks on an executor; hand each result over as it comes.

    Parameters
    ----------
    plan : Plan
    executor : Executor
        Where batches run (see :mod:`ssisim.executors`); closed on error or
        interrupt (running work stops), left open otherwise.
    on_result : callable
        Called in this thread with every finished chunk, in completion order.
    skip : iterable of Chunk
        Chunks already done (a resume).
    chunks : sequence of Chunk, optional
        The chunks to run (default ``plan.chunks()``).
    progress : callable, optional
        Called with the number of runs of every finished or failed chunk.
    retries : int
        How many times the chunks of a worker that died are run again.

    Returns
    -------
    ExecutionReport
        Counts, time simulated inside the workers, and the failures (by
        chunk); the caller decides what a failure means.
    """
    done = set(skip)
    todo = [c for c in (plan.chunks() if chunks is None else chunks) if c not in done]
    report = ExecutionReport()
    hooks = _Hooks.from_env()
    stop_after = int(os.environ.get("SSISIM_TEST_INTERRUPT_AFTER", "0") or 0)
    queue: deque[Batch] = deque(_batches(plan, todo, executor.workers, hooks))
    inflight: dict[int, Batch] = {}
    token = 0
    try:
        while queue or inflight:
            while queue and len(inflight) < executor.capacity:
                batch = queue.popleft()
                executor.submit(token, batch)
                inflight[token] = batch
                token += 1
            outcome = executor.wait()
            batch = inflight.pop(outcome.token)
            if outcome.results is not None:
                for result in outcome.results:
                    if isinstance(result, ChunkError):
                        report.failures.append(Failure(result.chunk, result.error))
                    else:
                        on_result(result)
                        report.runs += result.runs
                        report.chunks += 1
                        report.events += result.events
                        report.sim_seconds += result.sim_seconds
                        report.build_seconds += result.build_seconds
                        peak = report.workers_peak_bytes.get(result.worker, 0)
                        report.workers_peak_bytes[result.worker] = max(peak, result.peak_bytes)
                        if stop_after and report.chunks >= stop_after:
                            raise KeyboardInterrupt
                    if progress:
                        progress(result.chunk.runs)
                continue
            # the worker died: retry each chunk alone, so that one bad chunk
            # cannot take the others down with it
            if len(batch.items) > 1 or batch.attempt < retries:
                report.retried += 1
                for item in reversed(batch.items):
                    queue.appendleft(Batch((item,), batch.attempt + 1, batch.hooks))
                continue
            for item in batch.items:
                report.failures.append(Failure(item.chunk, outcome.died or "worker died"))
                if progress:
                    progress(item.chunk.runs)
    except BaseException:
        executor.close(cancel=True)
        raise
    return report


def run_replications(
    scenario: Scenario,
    *,
    workers: int = 1,
    replications: Sequence[int] | None = None,
    progress: Callable[[int], None] | None = None,
    stats: RunStats | None = None,
) -> list[WeekRecord]:
    """Run every strategy of a scenario for its replications, in memory.

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
        Ordered by strategy (scenario order), replication (in the order
        given) and week, whatever the number of workers.

    Raises
    ------
    SsisimError
        A run failed (its worker died twice, or the model raised).
    """
    from ssisim.errors import SsisimError
    from ssisim.executors import make_executor
    from ssisim.store import chunk_records

    reps = list(range(scenario.replications)) if replications is None else list(replications)
    workers = (os.cpu_count() or 1) if workers == 0 else workers
    if not reps:
        return []
    # chunks sized for the pipeline, but never one chunk for all the work
    size = max(1, min(10, len(reps) * len(scenario.strategies) // max(8 * workers, 1)))
    plan = Plan.single(scenario, chunk_runs=size)
    chunks = plan.chunks(reps)
    found: dict[Chunk, list[WeekRecord]] = {}

    def keep(result: ChunkResult) -> None:
        found[result.chunk] = chunk_records(result.data)

    with make_executor(workers=min(workers, len(chunks))) as executor:
        report = execute(plan, executor, keep, chunks=chunks, progress=progress)
    if report.failures:
        first = report.failures[0]
        raise SsisimError(
            f"{len(report.failures)} chunk(s) failed, first {first.chunk.describe(plan)}: "
            f"{first.reason}"
        )
    if stats is not None:
        stats.events += report.events
    return [rec for c in chunks for rec in found[c]]


def _span(values: Sequence[int]) -> str:
    if not values:
        return "none"
    if list(values) == list(range(values[0], values[0] + len(values))):
        return str(values[0]) if len(values) == 1 else f"{values[0]}-{values[-1]}"
    return ",".join(map(str, values))

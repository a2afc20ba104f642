"""The driver: run a plan's chunks on an executor, retry the chunks of dead workers.

Chunks are sent to the executor in batches (a few chunks when they are
small), and :func:`execute` hands every finished chunk to a callback as soon
as it arrives (the results store writes it to disk).

A worker that dies (killed, out of memory) fails only the batch it was
running: the batch is split into its chunks, which are run again up to
``retries`` times, then reported as :class:`Failure` s by point, strategy and
replications. An exception raised by the model fails its chunk only, and is
not retried (it would fail again).

Which streams the runs draw from is the seed contract of :mod:`ssisim.seeds`:
the same seed gives the same bytes whatever the number of workers or the
executor.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ssisim.engine.codec import chunk_records
from ssisim.engine.executors import Executor, make_executor, resolve_workers
from ssisim.engine.faults import Faults, interrupt_after
from ssisim.engine.plan import TARGET_SELLER_WEEKS, Chunk, Plan, Point
from ssisim.engine.worker import Batch, ChunkError, ChunkResult, Item
from ssisim.errors import SsisimError
from ssisim.records import WeekRecord
from ssisim.scenario.schema import Scenario
from ssisim.sim.routine import planned_minutes
from ssisim.sim.run import RunStats

__all__ = ["ExecutionReport", "Failure", "Session", "execute", "run_replications"]


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


MINUTES_PER_BASE_RUN = 250.0
"""Planned minutes a week that cost a run as much again as its fixed part (the
weekly refresh and record): :func:`heaviest_first`'s estimate of a chunk's cost,
fitted on the calibration's routines (an inactive run 45 ms, 52 weeks; +0.17 ms
a planned minute a week, the `maxed` routine 460 ms)."""


def heaviest_first(plan: Plan, chunks: Sequence[Chunk]) -> list[Chunk]:
    """The chunks point by point, in each point the costliest first (estimated:
    runs x weeks x (1 + planned minutes / :data:`MINUTES_PER_BASE_RUN`)), ties
    in plan order.

    Longest first keeps the last chunks short, so no worker finishes long after
    the other (the calibration's nine routines: the heaviest was last). The
    points keep their order: a worker keeps one population, and points that
    change it would be rebuilt at every switch (a sweep of the graph's rewiring
    took 2-3 times as long when its points were interleaved). Only the order of
    the work changes: each chunk's results are its own and are put back in plan
    order (the seed contract).
    """
    cost: dict[tuple[int, int], float] = {}

    def estimate(c: Chunk) -> float:
        key = (c.point, c.strategy)
        if key not in cost:
            sc = plan.points[c.point].scenario
            minutes = planned_minutes(sc.strategies[c.strategy], sc)
            cost[key] = sc.weeks * (1.0 + minutes / MINUTES_PER_BASE_RUN)
        return c.runs * cost[key]

    return sorted(chunks, key=lambda c: (c.point, -estimate(c)))


def _batches(plan: Plan, chunks: Sequence[Chunk], workers: int, faults: Faults) -> list[Batch]:
    """Group consecutive chunks into batches of about :data:`TARGET_SELLER_WEEKS`
    weeks, keeping at least four batches per worker."""
    total_weeks = sum(c.runs * plan.points[c.point].scenario.weeks for c in chunks)
    target = min(TARGET_SELLER_WEEKS, max(1, total_weeks // max(4 * workers, 1)))
    out: list[Batch] = []
    items: list[Item] = []
    weeks = 0
    for c in chunks:
        point = plan.points[c.point]
        items.append(Item(point.scenario, c, _values(plan, point)))
        weeks += c.runs * point.scenario.weeks
        if weeks >= target:
            out.append(Batch(tuple(items), 0, faults))
            items, weeks = [], 0
    if items:
        out.append(Batch(tuple(items), 0, faults))
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
        Where batches run (see :mod:`ssisim.engine.executors`); closed on error or
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
    todo = heaviest_first(
        plan, [c for c in (plan.chunks() if chunks is None else chunks) if c not in done]
    )
    report = ExecutionReport()
    faults = Faults.from_env()
    stop_after = interrupt_after()
    queue: deque[Batch] = deque(_batches(plan, todo, executor.workers, faults))
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
                    queue.appendleft(Batch((item,), batch.attempt + 1, batch.faults))
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
        They are started for this call and stopped after it: to run several
        scenarios on the same workers, use a :class:`Session`.
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
    reps = list(range(scenario.replications)) if replications is None else list(replications)
    if not reps:
        return []
    plan, chunks = _chunked(scenario, reps, resolve_workers(workers))
    with make_executor(workers=min(resolve_workers(workers), len(chunks))) as executor:
        return _run_chunks(plan, chunks, executor, progress, stats)


def _chunked(scenario: Scenario, reps: list[int], workers: int) -> tuple[Plan, list[Chunk]]:
    # chunks sized for the pipeline, but never one chunk for all the work
    size = max(1, min(10, len(reps) * len(scenario.strategies) // max(8 * workers, 1)))
    plan = Plan.single(scenario, chunk_runs=size)
    return plan, list(plan.chunks(reps))


def _run_chunks(
    plan: Plan,
    chunks: list[Chunk],
    executor: Executor,
    progress: Callable[[int], None] | None,
    stats: RunStats | None,
) -> list[WeekRecord]:
    found: dict[Chunk, list[WeekRecord]] = {}

    def keep(result: ChunkResult) -> None:
        found[result.chunk] = chunk_records(result.data)

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


class Session:
    """Worker processes kept from one call to the next (a notebook, a script, a calibration).

    :func:`run_replications` starts its workers for each call and stops them
    after it: about a second each time, and each worker builds its
    population again. A session starts its workers once (at its first run),
    and each worker keeps the last population it built
    (:func:`ssisim.population.cache.population_for`), so the next scenario
    on the same population starts at once. The results are those
    of :func:`run_replications`, to the byte (the seed contract).

    Parameters
    ----------
    workers : int
        Local worker processes; 1 runs in this process, 0 (the default) one
        per core.

    Examples
    --------
    >>> import ssisim
    >>> path = "scenarios/open-bar-vs-club-select.yaml"
    >>> with ssisim.Session() as session:  # doctest: +SKIP
    ...     year = session.run(ssisim.load_scenario(path, ["replications=4"]))
    ...     half = session.run(ssisim.load_scenario(path, ["replications=4", "weeks=26"]))

    Change a scenario with ``load_scenario``'s overrides (validated, as
    ``--set``), not with pydantic's ``model_copy(update=...)``, which skips
    the validation.
    """

    def __init__(self, workers: int = 0) -> None:
        self.workers = resolve_workers(workers)
        self._executor: Executor | None = make_executor(workers=self.workers)

    def run(
        self,
        scenario: Scenario,
        *,
        replications: Sequence[int] | None = None,
        progress: Callable[[int], None] | None = None,
        stats: RunStats | None = None,
    ) -> list[WeekRecord]:
        """Run every strategy of ``scenario`` on the session's workers.

        As :func:`run_replications` (same arguments but ``workers``, same
        records). An interrupt stops the running work and the workers (the
        next run starts fresh ones); a dead worker is replaced and its runs
        retried; an error of the model fails the call and keeps the workers.
        """
        if self._executor is None:
            raise SsisimError("this ssisim.Session is closed: start a new one")
        reps = list(range(scenario.replications)) if replications is None else list(replications)
        if not reps:
            return []
        plan, chunks = _chunked(scenario, reps, self.workers)
        return _run_chunks(plan, chunks, self._executor, progress, stats)

    def close(self) -> None:
        """Stop the workers (a closed session runs nothing more)."""
        if self._executor is not None:
            self._executor.close()
            self._executor = None

    def __repr__(self) -> str:
        state = "open" if self._executor is not None else "closed"
        return f"Session(workers={self.workers}, {state})"

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

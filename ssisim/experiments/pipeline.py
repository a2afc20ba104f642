"""Experiments end to end: plan, estimate, execute into a store, finalize.

``ssisim run``, ``ssisim sweep`` and ``ssisim sensitivity`` share this
pipeline; a plain run is a plan of one point. The command line only parses
options and prints.

Output directory (besides the chunk files and ``plan.json`` of
:mod:`ssisim.experiments.store`):

========================  =====================================================
``weekly.csv``            ``run`` only: one row per (strategy, replication, week)
``summary.csv``           per (strategy, checkpoint week, metric): n, mean, std,
                          95% CI; for a sweep, ``point`` and the swept values first
``points.csv``            sweeps: one row per point and its swept values
``failures.csv``          runs that did not complete, by point, strategy and
                          replications, and why (only when some failed)
``manifest.json``         the resolved scenario, seed, command, versions, what
                          ran where and how fast
``figures/``              the figures
========================  =====================================================

Final files are written to a temporary name and renamed. Their bytes depend
only on the scenario and the options that change it (never on workers,
executor, interruptions or resumes); ``manifest.json`` records timings and so
differs between runs.
"""

from __future__ import annotations

import shlex
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ssisim.engine.codec import chunk_bytes
from ssisim.engine.driver import ExecutionReport, execute
from ssisim.engine.executors import make_executor, resolve_scheduler, resolve_workers
from ssisim.engine.plan import Chunk, Plan
from ssisim.engine.worker import ChunkResult
from ssisim.errors import OperationalError, ScenarioError, SsisimError
from ssisim.experiments.sensitivity import Design, sensitivity_plan
from ssisim.experiments.store import ResultStore, plan_document, read_plan
from ssisim.experiments.sweep import sweep_plan
from ssisim.population.cache import population_for
from ssisim.results.files import (
    MANIFEST_FILE,
    atomic_text,
    default_output_dir,
    manifest,
    public_scenario,
    write_csv,
    write_json,
)
from ssisim.results.tables import SUMMARY_FILE, WEEKLY_FILE, summarize, tidy_weekly
from ssisim.scenario.loading import Override, Trust, load_scenario
from ssisim.scenario.schema import Scenario
from ssisim.seeds import run_seed
from ssisim.sim.run import RunStats, simulate

__all__ = [
    "Estimate",
    "Experiment",
    "ExperimentOptions",
    "Outcome",
    "estimate",
    "finalize_run",
    "finalize_sweep",
    "open_store",
    "prepare_experiment",
    "run_experiment",
    "run_manifest",
    "run_plan",
    "validate_experiments",
]

POINTS_FILE = "points.csv"
FAILURES_FILE = "failures.csv"
SWEEP_FIGURE_METRICS: tuple[str, ...] = ("ssi", "connections", "relevant_connections")

GiB = 2**30
MiB = 2**20
WORKER_BASE_BYTES = 160 * MiB
"""A worker's memory before its population: interpreter, numpy, simpy, pydantic, pyarrow."""
PROBE_MAX_MEMBERS = 100_000
"""Above this population size the estimate probes nothing: it answers from
:data:`BUILD_SECONDS_PER_MEMBER` and :data:`RUN_WEEK_SECONDS_PER_MEMBER` at once,
without building anything."""
PROBE_MAX_STRATEGIES = 8
"""At most this many strategies are probed (evenly spaced in the scenario's
order); the others are assumed to cost their average."""
ROW_DISK_BYTES = 600
"""Disk per weekly record before a probe measures it (Parquet and CSV, about)."""
BUILD_SECONDS_PER_MEMBER = 2e-5
"""Seconds to build a population, per member (measured: ~0.4 s for 20,000)."""
RUN_WEEK_SECONDS_PER_MEMBER = 2e-7
"""Seconds of one run-week, per member of the population (a rough average)."""
BUILD_OVERHEAD = 6.0
"""Peak memory of a population build, in multiples of the finished arrays
(716 MiB measured at 1,000,000 members for 125 MB of arrays)."""


def population_bytes(scenario: Scenario) -> int:
    """The finished population's arrays: about 29 + 4 x mean degree bytes a member."""
    params = scenario.population
    return int(params.size * (29 + 4 * params.mean_degree))


def memory_estimate(plan: Plan, workers: int) -> tuple[int, int]:
    """Peak bytes of one worker and of the whole run (workers + this process)."""
    biggest = max(population_bytes(p.scenario) for p in plan.points)
    worker = int(WORKER_BASE_BYTES + BUILD_OVERHEAD * biggest)
    total = worker * workers + (WORKER_BASE_BYTES if workers > 1 else 0)
    return worker, total


# --------------------------------------------------------------------------- estimate


@dataclass
class Estimate:
    """What a plan will cost, from a short probe run on this machine."""

    runs: int
    points: int
    chunks: int
    todo_runs: int
    workers: int
    seconds: float
    worker_bytes: int
    total_bytes: int
    disk_bytes: int
    available_bytes: int | None
    local: bool
    probed: bool = True
    """Whether the time comes from a probe run (else from per-member constants)."""
    disk_refusal: str | None = None
    """Why the results would not fit on the output folder's disk (:func:`disk_refusal`)."""

    @property
    def fits_memory(self) -> bool:
        return (
            not self.local
            or self.available_bytes is None
            or self.total_bytes <= self.available_bytes
        )

    @property
    def fits(self) -> bool:
        return self.fits_memory and self.disk_refusal is None

    def lines(self) -> list[str]:
        done = self.runs - self.todo_runs
        head = f"{self.runs:,} runs ({self.points:,} points, {self.chunks:,} result files)"
        if done:
            head += f", {done:,} already done, {self.todo_runs:,} to run"
        mem = f"~{_size(self.worker_bytes)} per worker, ~{_size(self.total_bytes)} in all"
        if self.available_bytes is not None and self.local:
            mem += f" ({_size(self.available_bytes)} available)"
        return [
            head,
            f"time: ~{_duration(self.seconds)} on {self.workers} worker(s)"
            + ("" if self.probed else " (rough: nothing was built to measure it)"),
            f"memory: {mem}",
            f"disk: ~{_size(self.disk_bytes)}",
        ]

    def refusal(self) -> str:
        if self.fits_memory and self.disk_refusal is not None:
            return self.disk_refusal
        assert self.available_bytes is not None
        return (
            f"estimated peak memory {_size(self.total_bytes)} ({self.workers} workers x "
            f"{_size(self.worker_bytes)} + this process) exceeds the {_size(self.available_bytes)} "
            "available; use fewer --workers or a smaller population, or --force to run anyway"
        )


def _size(n: float) -> str:
    if n >= GiB:
        return f"{n / GiB:.1f} GiB"
    if n >= MiB:
        return f"{n / MiB:.0f} MiB"
    return f"{n / 1024:.0f} KiB"


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def available_memory() -> int | None:
    """MemAvailable from /proc/meminfo (or psutil), in bytes; None if unknown."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except ImportError:  # pragma: no cover
        return None


def estimate(
    plan: Plan,
    workers: int,
    *,
    todo: Sequence[Chunk] | None = None,
    local: bool = True,
    out: Path | None = None,
) -> Estimate:
    """Estimate time, memory and disk by simulating a few weeks on this machine.

    The probe runs replication 0 of every strategy (at most
    :data:`PROBE_MAX_STRATEGIES`, evenly spaced), for up to 26 weeks, at
    the point with the largest population (the costliest), and scales up
    linearly in weeks and runs; parallel work is assumed 90% efficient.
    A population above :data:`PROBE_MAX_MEMBERS` members, or a plan whose
    memory estimate exceeds what is free, is not probed: the estimate then
    answers at once from per-member constants, building nothing.
    """
    # the whole plan is counted, never listed: a plan may hold millions of chunks
    n_chunks = plan.n_chunks
    n_todo = n_chunks if todo is None else len(todo)
    row_bytes: float = ROW_DISK_BYTES
    probe = max(plan.points, key=lambda p: p.scenario.population.size).scenario
    n = max(1, min(workers, n_todo or 1))
    worker, total = memory_estimate(plan, n)
    free = available_memory()
    if todo is None:
        todo_runs, run_weeks = plan.runs, plan.run_weeks
    else:
        todo_runs = sum(c.runs for c in todo)
        run_weeks = sum(c.runs * plan.points[c.point].scenario.weeks for c in todo)
    populations = len({p.scenario.population.model_dump_json() for p in plan.points})
    too_big = local and free is not None and total > free
    probed = not (probe.population.size > PROBE_MAX_MEMBERS or too_big)
    if not probed:  # answer at once from per-member constants, building nothing
        size = probe.population.size
        seconds = run_weeks * size * RUN_WEEK_SECONDS_PER_MEMBER / (n * (0.9 if n > 1 else 1.0))
        seconds += size * BUILD_SECONDS_PER_MEMBER * min(populations, n_todo or 1)
        disk = disk_estimate(plan)
    else:
        weeks = min(probe.weeks, 26)
        short = probe.model_copy(update={"weeks": weeks})
        started = time.perf_counter()
        population = population_for(short)
        build = time.perf_counter() - started
        started = time.perf_counter()
        records = []
        step = -(-len(short.strategies) // PROBE_MAX_STRATEGIES)  # ceil: at most 8 probed
        sample = short.strategies[::step]
        for strategy in sample:
            records.extend(
                simulate(population, short, strategy, run_seed(short, strategy, 0), 0, RunStats())
            )
        per_run_week = (time.perf_counter() - started) / (len(sample) * weeks)
        per_row = len(chunk_bytes(records, [(c, "str", "") for c in plan.columns])) / max(
            len(records), 1
        )
        seconds = run_weeks * per_run_week / (n * (0.9 if n > 1 else 1.0))
        seconds += build * min(populations, n_todo or 1) * (1 if populations > 1 else n) / n
        row_bytes = per_row
        disk = disk_estimate(plan, row_bytes=row_bytes)
    # the refusal from the same bytes a row as the estimate printed beside it
    no_room = disk_refusal(plan, out, todo, row_bytes) if out is not None else None
    return Estimate(
        runs=plan.runs,
        points=len(plan.points),
        chunks=n_chunks,
        todo_runs=todo_runs,
        workers=n,
        seconds=seconds,
        worker_bytes=worker,
        total_bytes=int(total),
        disk_bytes=disk,
        available_bytes=free,
        local=local,
        probed=probed,
        disk_refusal=no_room,
    )


# --------------------------------------------------------------------------- executing


def open_store(
    kind: str, base: Scenario, plan_for: Callable[[int | None], Plan], out: Path, resume: bool
) -> tuple[ResultStore, set[Chunk]]:
    """Create the results directory, or reopen it to resume.

    ``plan_for(chunk_runs)`` builds the plan; on a resume it is called with
    the chunk size the directory was planned with.
    """
    if resume:
        stored = read_plan(out)
        plan = plan_for(int(stored["chunk_runs"]))
        store = ResultStore.reopen(out, plan, plan_document(kind, public_scenario(base), plan))
        return store, store.done()
    if out.exists():
        raise SsisimError(
            f"{out}: already exists; choose another --out, or --resume {shlex.quote(str(out))} "
            "(nothing was written)"
        )
    plan = plan_for(None)
    return ResultStore.create(out, plan, plan_document(kind, public_scenario(base), plan)), set()


@dataclass
class Outcome:
    """What :func:`run_plan` did."""

    report: ExecutionReport
    seconds: float
    executor: str
    workers: int
    resumed_runs: int
    failures: list[dict[str, Any]] = field(default_factory=list)


def run_plan(
    store: ResultStore,
    done: set[Chunk],
    *,
    workers: int,
    scheduler: str | None,
    retries: int,
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Run the chunks not yet on disk, writing each as it finishes."""
    plan = store.plan
    todo = [c for c in plan.chunks() if c not in done]
    started = time.perf_counter()
    n = resolve_workers(workers)
    if not scheduler:
        n = max(1, min(n, len(todo)))
    if not todo:
        return Outcome(ExecutionReport(), 0.0, "nothing to run", 0, sum(c.runs for c in done))

    def write(result: ChunkResult) -> None:
        try:
            store.write(result.chunk, result.data)
        except OSError as exc:  # disk full, a folder made read-only
            raise OperationalError(
                f"{store.chunk_path(result.chunk)}: cannot write ({exc.strerror or exc})"
            ) from None

    with make_executor(workers=n, scheduler=scheduler, retries=retries) as executor:
        report = execute(plan, executor, write, chunks=todo, progress=progress, retries=retries)
        description, used = executor.description, executor.workers
    seconds = time.perf_counter() - started
    failures = [
        {
            "point": f.chunk.point,
            **dict(plan.points[f.chunk.point].values),
            "strategy": plan.points[f.chunk.point].scenario.strategies[f.chunk.strategy].name,
            "replications": _reps(f.chunk.replications),
            "reason": f.reason,
        }
        for f in sorted(report.failures, key=lambda f: f.chunk)
    ]
    return Outcome(report, seconds, description, used, sum(c.runs for c in done), failures)


def _reps(reps: Sequence[int]) -> str:
    return f"{reps[0]}-{reps[-1]}" if len(reps) > 1 else str(reps[0])


# --------------------------------------------------------------------------- the three commands

KINDS: tuple[str, ...] = ("run", "sweep", "sensitivity")


@dataclass(frozen=True)
class ExperimentOptions:
    """How to run an experiment: what ``ssisim run``, ``sweep`` and ``sensitivity`` are told.

    ``overrides`` are the ``--set`` values and the flags that change the
    scenario (``--reps``, ``--seed``, ``--weeks``, ...), in the order applied.
    ``workers`` None takes the scenario's ``execution.workers`` (0: all
    cores); ``scheduler`` None takes ``SSISIM_SCHEDULER``, then
    ``execution.scheduler``. ``out`` None with no ``resume`` writes to a fresh
    ``results/<scenario name>/<timestamp>/``. ``figures`` and ``quiet`` are
    for the caller: the pipeline draws nothing and prints nothing.
    """

    scenario: Path
    overrides: tuple[Override, ...] = ()
    out: Path | None = None
    workers: int | None = None
    scheduler: str | None = None
    resume: Path | None = None
    dry_run: bool = False
    force: bool = False
    figures: bool = True
    quiet: bool = False
    trust: Trust = field(default_factory=Trust)
    report: bool = False
    """``ssisim run --report``: for the caller too (and repeated by the command to finish)."""


@dataclass
class Experiment:
    """A loaded experiment: its scenario, where and how it runs, and (unless a
    dry run) its opened store. Made by :func:`prepare_experiment`."""

    kind: str
    options: ExperimentOptions
    scenario: Scenario
    workers: int
    scheduler: str | None
    out: Path
    design: Design | None = None
    """The sensitivity design (``sensitivity`` only), once planned."""
    estimate: Estimate | None = None
    """What the plan will cost (dry runs only)."""
    store: ResultStore | None = None
    done: set[Chunk] = field(default_factory=set)

    @property
    def command(self) -> str:
        """The command that runs it again, for messages: ``ssisim sweep FILE --reps 6``.

        The scenario's changes are repeated (``--set`` values and flags such as
        ``--reps``, shell-quoted): a resume must plan the same runs, and
        without them it is refused as another experiment; so are the folders
        the scenario may read (``--allow-path``) and ``--no-figures``. Where
        the runs go and how many workers run them are not.
        """
        parts = ["ssisim", self.kind, shlex.quote(str(self.options.scenario))]
        for change in self.options.overrides:
            if isinstance(change, tuple):  # ("key=value", "--flag value")
                flag, _, value = change[1].partition(" ")
                parts += [flag, shlex.quote(value)] if value else [flag]
            else:
                parts += ["--set", shlex.quote(change)]
        for folder in self.options.trust.allowed_dirs:  # the scenario loads only with them
            parts += ["--allow-path", shlex.quote(str(folder))]
        if self.options.trust.scheduler:
            parts.append("--trust-scenario-scheduler")
        if not self.options.figures:
            parts.append("--no-figures")
        if self.options.report:
            parts.append("--report")
        return " ".join(parts)

    @property
    def results(self) -> ResultStore:
        """The opened store (not on a dry run)."""
        if self.store is None:
            raise SsisimError(f"{self.command}: a dry run opens no results directory")
        return self.store

    @property
    def todo_runs(self) -> int:
        """Runs not yet on disk."""
        return self.results.plan.runs - sum(c.runs for c in self.done)

    def plan(self, chunk_runs: int | None) -> Plan:
        """The experiment's plan (``chunk_runs`` None: the default chunk size)."""
        plan, self.design = plan_experiment(
            self.kind, self.scenario, self.options.scenario, chunk_runs, self.options.overrides
        )
        return plan

    def interrupted_line(self) -> str:
        """What is on disk after an interruption, and how to finish."""
        store = self.results
        on_disk = sum(c.runs for c in store.done())
        return (
            f"interrupted: {on_disk:,} of {store.plan.runs:,} runs on disk in {store.root}; "
            f"finish with `{self.command} --resume {shlex.quote(str(store.root))}`"
        )


def plan_experiment(
    kind: str,
    sc: Scenario,
    source: Path | str,
    chunk_runs: int | None = None,
    overrides: Sequence[Override] = (),
) -> tuple[Plan, Design | None]:
    """The plan of ``ssisim run``, ``sweep`` or ``sensitivity`` (and the
    sensitivity design), every point validated.

    An error in a ``sweep:`` or ``sensitivity:`` block that a ``--set`` wrote
    names that ``--set``, not the first line of the file.

    Raises
    ------
    ScenarioError
        The experiment's block is missing or gives an invalid scenario.
    """
    try:
        if kind == "sweep":
            if not sc.sweep.active:
                raise ScenarioError(
                    f"{source}:1: sweep: the scenario declares no sweep; add e.g. "
                    "sweep: {grid: {strategies.open-bar.invites_per_week: [20, 50, 100]}}"
                )
            return sweep_plan(sc, source, chunk_runs), None
        if kind == "sensitivity":
            return sensitivity_plan(sc, source, chunk_runs)
        return Plan.single(sc, chunk_runs or sc.execution.chunk_runs), None
    except ScenarioError as exc:
        raise ScenarioError(_name_the_option(str(exc), str(source), kind, overrides)) from None


def _name_the_option(message: str, source: str, kind: str, overrides: Sequence[Override]) -> str:
    """Point a block's error that the file cannot place (line 1) at the ``--set`` that wrote it."""
    if not message.startswith(f"{source}:1: {kind}"):
        return message
    for entry in reversed(overrides):
        item, label = entry if isinstance(entry, tuple) else (entry, f"--set {entry}")
        if item.split("=", 1)[0].strip().split(".")[0] == kind:
            return f"{label}: {message.removeprefix(f'{source}:1: ')}"
    return message


def validate_experiments(
    sc: Scenario, source: Path | str, overrides: Sequence[Override] = ()
) -> list[str]:
    """What ``ssisim validate`` checks beyond the scenario: the ``sweep:`` and
    ``sensitivity:`` blocks, planned exactly as ``ssisim sweep`` and
    ``ssisim sensitivity`` plan them, and the memory a run needs.

    Returns
    -------
    list of str
        One line per experiment the scenario declares.

    Raises
    ------
    ScenarioError
        As :func:`plan_experiment`.
    """
    lines = []
    if sc.sweep.active:
        plan, _ = plan_experiment("sweep", sc, source, None, overrides)
        lines.append(f"sweep: {len(plan.points):,} points, {plan.runs:,} runs")
    if sc.sensitivity.parameters:
        plan, design = plan_experiment("sensitivity", sc, source, None, overrides)
        assert design is not None
        lines.append(
            f"sensitivity: {len(design.parameters)} parameters, {len(plan.points):,} design "
            f"points, {plan.runs:,} runs"
        )
    worker, _ = memory_estimate(Plan.single(sc, 1), 1)
    free = available_memory()
    note = f" ({_size(free)} available now)" if free is not None else ""
    lines.append(f"memory: ~{_size(worker)} per worker{note}")
    return lines


def prepare_experiment(kind: str, options: ExperimentOptions) -> Experiment:
    """Load the scenario and plan; on a dry run, estimate; else open the store.

    Opening creates the results directory (or reopens ``options.resume``) and,
    for local processes and unless ``options.force``, refuses a run whose
    memory estimate exceeds what is free (leaving nothing behind).

    Raises
    ------
    SsisimError
        The scenario is invalid, the directory exists, or the run would not fit.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown experiment kind {kind!r}")
    sc = load_scenario(options.scenario, options.overrides, options.trust)
    workers = resolve_workers(
        options.workers if options.workers is not None else sc.execution.workers
    )
    address = resolve_scheduler(options.scheduler, sc.execution.scheduler)
    resume = options.resume
    out = resume or options.out or default_output_dir(sc.name)
    exp = Experiment(kind, options, sc, workers, address, out)
    if options.dry_run:
        plan = exp.plan(int(read_plan(resume)["chunk_runs"]) if resume else None)
        if resume:
            done = ResultStore(resume, plan).done()
            todo: list[Chunk] | None = [c for c in plan.chunks() if c not in done]
        else:
            todo = None  # the whole plan: counted, never listed
        exp.estimate = estimate(plan, workers, todo=todo, local=address is None, out=out)
        return exp

    if resume is None:  # refuse before creating anything: leave nothing behind
        plan = exp.plan(None)
        _check_memory(plan, workers, plan.n_chunks, address, options.force)
        _check_disk(plan, out, options.force, None)
        store, exp.done = open_store(kind, sc, lambda _: plan, out, False)
    else:
        store, exp.done = open_store(kind, sc, exp.plan, out, True)
        left = [c for c in store.plan.chunks() if c not in exp.done]
        _check_memory(store.plan, workers, len(left), address, options.force)
        _check_disk(store.plan, out, options.force, left)
    exp.store = store
    return exp


def disk_estimate(
    plan: Plan, chunks: Sequence[Chunk] | None = None, row_bytes: float = ROW_DISK_BYTES
) -> int:
    """Bytes the results of ``chunks`` (default: all, counted without listing them)
    take, ``row_bytes`` a weekly record."""
    if chunks is None:  # every run has weeks + 1 records
        rows = plan.run_weeks + plan.runs
    else:
        rows = sum(c.runs * (plan.points[c.point].scenario.weeks + 1) for c in chunks)
    return int(rows * row_bytes * 1.1 + 200 * len(plan.points) * 30)


def disk_refusal(
    plan: Plan, out: Path, chunks: Sequence[Chunk] | None, row_bytes: float = ROW_DISK_BYTES
) -> str | None:
    """Why the results of ``chunks`` (default: all) would not fit on the disk of
    ``out``, ``row_bytes`` a weekly record; None if they do."""
    where = Path(out).absolute()
    while not where.exists() and where != where.parent:
        where = where.parent
    try:
        free = shutil.disk_usage(where).free
    except OSError:
        return None
    need = disk_estimate(plan, chunks, row_bytes)
    if need <= free:
        return None
    return (
        f"estimated results {_size(need)} exceed the {_size(free)} free on the disk of "
        f"{where}; use fewer replications, strategies or points, or --force to run anyway"
    )


def _check_disk(plan: Plan, out: Path, force: bool, chunks: Sequence[Chunk] | None) -> None:
    """Refuse, before anything is written, results that would not fit on the disk."""
    if force:
        return
    reason = disk_refusal(plan, out, chunks)
    if reason is not None:
        raise SsisimError(reason)


def _check_memory(plan: Plan, workers: int, todo: int, address: str | None, force: bool) -> None:
    if address is not None or force:
        return
    todo_n = max(1, min(workers, todo))
    worker, total = memory_estimate(plan, todo_n)
    free = available_memory()
    if free is not None and total > free:
        check = Estimate(0, 0, 0, 0, todo_n, 0.0, worker, total, 0, free, True)
        raise SsisimError(check.refusal())


def run_experiment(
    experiment: Experiment, progress: Callable[[int], None] | None = None
) -> Outcome:
    """Run what is not yet on disk (:func:`run_plan`); ``progress(n)`` after each chunk.

    If the run fails before any chunk is on disk, a new directory is removed.
    """
    store = experiment.results
    try:
        return run_plan(
            store,
            experiment.done,
            workers=experiment.workers,
            scheduler=experiment.scheduler,
            retries=experiment.scenario.execution.retries,
            progress=progress,
        )
    except SsisimError:
        if experiment.options.resume is None and not store.done():  # nothing ran: leave nothing
            store.discard()
        raise


# --------------------------------------------------------------------------- final files


def run_manifest(
    kind: str, base: Scenario, outcome: Outcome | None, extra: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The manifest of a pipeline's directory (:func:`ssisim.results.files.manifest`),
    with what the run cost and whether it completed."""
    data = manifest(kind, base)
    if outcome is not None:
        r = outcome.report
        data["run"] = {
            "executor": outcome.executor,
            "workers": outcome.workers,
            "runs": r.runs,
            "runs_resumed": outcome.resumed_runs,
            "runs_failed": r.failed_runs,
            "events": r.events,
            "seconds": round(outcome.seconds, 3),
            "simulation_seconds": round(r.sim_seconds, 3),
            "population_build_seconds": round(r.build_seconds, 3),
            "worker_peak_bytes": max(r.workers_peak_bytes.values(), default=0),
            "batches_retried": r.retried,
        }
        data["complete"] = not outcome.failures
    data.update(extra or {})
    return data


def _write_failures(store: ResultStore, failures: list[dict[str, Any]]) -> None:
    path = store.root / FAILURES_FILE
    if failures:
        with atomic_text(path) as f:
            write_csv(pd.DataFrame(failures), f)
    elif path.exists():
        path.unlink()


def finalize_run(
    store: ResultStore, man: Mapping[str, Any], failures: list[dict[str, Any]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``weekly.csv``, ``summary.csv``, ``failures.csv`` and ``manifest.json`` of a plain run."""
    point = store.plan.points[0]
    order = [s.name for s in point.scenario.strategies]
    frame = store.read_point(0)
    if frame is None:
        _write_failures(store, failures)
        why = f" (first failure: {failures[0]['reason']})" if failures else ""
        raise SsisimError(f"{store.root}: no run completed; nothing to summarise{why}")
    weekly = tidy_weekly(frame, order)
    summary = summarize(weekly, point.scenario.effective_checkpoints(), order)
    for name, table in ((WEEKLY_FILE, weekly), (SUMMARY_FILE, summary)):
        with atomic_text(store.root / name) as f:
            write_csv(table, f)
    _write_failures(store, failures)
    write_json(store.root / MANIFEST_FILE, man)
    return weekly, summary


def finalize_sweep(
    store: ResultStore, man: Mapping[str, Any], failures: list[dict[str, Any]]
) -> pd.DataFrame:
    """``summary.csv``, ``points.csv``, ``failures.csv`` and ``manifest.json`` of a sweep,
    one point at a time (never every point's weekly rows at once).

    Returns
    -------
    pandas.DataFrame
        The summary rows at each point's horizon for the metrics of
        :data:`SWEEP_FIGURE_METRICS` (for the figures and the terminal).
    """
    plan = store.plan
    columns = list(plan.columns)
    at_horizon = []
    with atomic_text(store.root / SUMMARY_FILE) as f:
        first = True
        for point in plan.points:
            frame = store.read_point(point.index)
            if frame is None:
                continue
            order = [s.name for s in point.scenario.strategies]
            weekly = tidy_weekly(frame, order)
            summary = summarize(weekly, point.scenario.effective_checkpoints(), order)
            for i, (name, value) in enumerate([("point", point.index), *point.values]):
                summary.insert(i, name, value)
            write_csv(summary, f, header=first)
            first = False
            last = summary[
                (summary["week"] == point.scenario.weeks)
                & summary["metric"].isin(SWEEP_FIGURE_METRICS)
            ]
            at_horizon.append(last)
    points = pd.DataFrame(
        [{"point": p.index, **dict(p.values)} for p in plan.points], columns=["point", *columns]
    )
    with atomic_text(store.root / POINTS_FILE) as f:
        write_csv(points, f)
    _write_failures(store, failures)
    write_json(store.root / MANIFEST_FILE, man)
    if not at_horizon:
        return pd.DataFrame()
    return pd.concat(at_horizon, ignore_index=True)


def failure_line(failures: list[dict[str, Any]], root: Path, command: str) -> str:
    """One line saying what failed, where the list is, and how to run it again."""
    first = failures[0]
    values = ", ".join(
        f"{k}={v}"
        for k, v in first.items()
        if k not in ("point", "strategy", "replications", "reason")
    )
    where = f"point {first['point']}" + (f" ({values})" if values else "")
    more = f" and {len(failures) - 1} more" if len(failures) > 1 else ""
    return (
        f"{len(failures)} chunk(s) of runs failed: {where}, {first['strategy']}, replications "
        f"{first['replications']}: {first['reason']}{more}; listed in {root / FAILURES_FILE}; "
        f"run them again with `{command} --resume {shlex.quote(str(root))}`"
    )


def rate_line(outcome: Outcome) -> str:
    """``412 runs in 31.2 s (13.2 runs/s, 2 local worker processes)``."""
    r = outcome.report
    speed = r.runs / max(outcome.seconds, 1e-9)
    text = f"{r.runs:,} runs in {outcome.seconds:.1f} s ({speed:.1f} runs/s, {outcome.executor})"
    if outcome.resumed_runs:
        text += f", {outcome.resumed_runs:,} already on disk"
    return text

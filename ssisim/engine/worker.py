"""The worker side: run a batch of chunks and return their results files.

A batch runs in a worker process (or in this one). The population is built
once per process (:func:`ssisim.population.cache.population_for`), never per
run; each run draws from its own stream (:mod:`ssisim.seeds`). A model error
fails its chunk only, as a :class:`ChunkError`, never the batch.
"""

from __future__ import annotations

import os
import resource
import socket
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from ssisim.engine.codec import chunk_bytes
from ssisim.engine.faults import Faults
from ssisim.engine.plan import Chunk
from ssisim.population.cache import population_for
from ssisim.records import WeekRecord
from ssisim.scenario.schema import Scenario
from ssisim.seeds import run_seed
from ssisim.sim.run import RunStats, simulate

__all__ = ["Batch", "ChunkError", "ChunkResult", "Item", "run_batch"]


@dataclass(frozen=True)
class Item:
    scenario: Scenario
    chunk: Chunk
    values: tuple[tuple[str, str, Any], ...]  # (column, kind, value)


@dataclass(frozen=True)
class Batch:
    """What one task carries to a worker: a few chunks and their scenarios."""

    items: tuple[Item, ...]
    attempt: int = 0
    faults: Faults = field(default_factory=Faults)

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
                batch.faults.maybe_exit(item.chunk.point, rep, batch.attempt)
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


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _peak_bytes() -> int:
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(value if sys.platform == "darwin" else value * 1024)

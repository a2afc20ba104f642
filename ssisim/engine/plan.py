"""Plans: every run of an experiment, as points, strategies and replications, in chunks.

A :class:`Plan` is a list of :class:`Point` s, each a validated
:class:`~ssisim.scenario.schema.Scenario` (a plain run is one point). Every
(point, strategy, replication) is one run. Runs are grouped into
:class:`Chunk` s of consecutive replications of one point and strategy, with
boundaries fixed by the plan (``Plan.chunk_runs``), never by the executor: a
chunk is one results file, so the files do not depend on how the work was
spread. Chunks are sent to the executor in batches (a few chunks when they
are small), and :func:`execute` hands every finished chunk to a callback
as soon as it arrives (the results store writes it to disk).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ssisim.scenario.schema import Scenario

__all__ = ["MIN_CHUNKS", "TARGET_SELLER_WEEKS", "Chunk", "Plan", "Point", "auto_chunk_runs", "span"]

TARGET_SELLER_WEEKS = 260
"""Automatic chunk size: about this many simulated weeks per chunk (5 runs of
52 weeks, about a second at 20,000 members), so that scheduling and writing
cost little next to simulating."""
MIN_CHUNKS = 32
"""...but at least this many chunks in a plan when it has that many runs, so
that a few workers share the work evenly."""


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
        return f"{where}, {name}, replications {span(self.replications)}"


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
    def n_chunks(self) -> int:
        """``len(self.chunks())``, counted without listing them (a plan may hold millions)."""
        return sum(
            len(p.scenario.strategies) * -(-p.scenario.replications // self.chunk_runs)
            for p in self.points
        )

    @property
    def run_weeks(self) -> int:
        """Weeks simulated by every run together (each run's horizon summed)."""
        return sum(
            len(p.scenario.strategies) * p.scenario.replications * p.scenario.weeks
            for p in self.points
        )

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


def span(values: Sequence[int]) -> str:
    if not values:
        return "none"
    if list(values) == list(range(values[0], values[0] + len(values))):
        return str(values[0]) if len(values) == 1 else f"{values[0]}-{values[-1]}"
    return ",".join(map(str, values))

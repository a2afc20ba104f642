"""The speed cases of issue 11, run as children of ``benchmarks/run.py``.

- :func:`case_runs`: the cost of single runs (``ssisim.sim.run.simulate``) in
  one process, after building the population once; used for the per-run cost
  of the flagship and for every point of the scaling curves;
- :func:`case_cli`: the real command line (``ssisim run``, ``ssisim --help``,
  ``ssisim calibrate``) as a subprocess, timed from outside;
- :func:`fit_slope` and :func:`scaling_slopes`: the log-log exponents of the
  per-run cost against population size, weeks and the seller's network size.

Nothing here imports ssisim at module level: ``run.py`` imports this module in
the parent, which only orchestrates and reports.
"""

from __future__ import annotations

import gc
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from common import ROOT

FLAGSHIP = ROOT / "scenarios" / "open-bar-vs-club-select.yaml"


# --------------------------------------------------------------------------- statistics


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    """(first quartile, median, third quartile), linear interpolation."""
    xs = sorted(values)
    if not xs:
        return (math.nan, math.nan, math.nan)
    if len(xs) == 1:
        return (xs[0], xs[0], xs[0])
    q1, q2, q3 = statistics.quantiles(xs, n=4, method="inclusive")
    return (q1, q2, q3)


def fit_slope(xs: Sequence[float], ys: Sequence[float]) -> dict[str, Any] | None:
    """Least-squares slope of log(y) on log(x), and the slope of each segment.

    ``slope`` is the exponent ``b`` of ``y ~ a x^b`` over all points;
    ``segments`` the slopes between consecutive points (sorted by x): with a
    fixed cost per run, the fitted slope understates the growth at the large
    end, which the last segment shows.
    """
    pts = sorted((x, y) for x, y in zip(xs, ys, strict=True) if x > 0 and y > 0)
    if len(pts) < 2 or pts[0][0] == pts[-1][0]:
        return None
    lx = [math.log(x) for x, _ in pts]
    ly = [math.log(y) for _, y in pts]
    mx, my = statistics.fmean(lx), statistics.fmean(ly)
    sxx = sum((a - mx) ** 2 for a in lx)
    slope = sum((a - mx) * (b - my) for a, b in zip(lx, ly, strict=True)) / sxx
    segments = [
        (ly[i + 1] - ly[i]) / (lx[i + 1] - lx[i]) for i in range(len(pts) - 1) if lx[i + 1] != lx[i]
    ]
    return {
        "slope": slope,
        "segments": segments,
        "x": [x for x, _ in pts],
        "y": [y for _, y in pts],
    }


# --------------------------------------------------------------------------- single runs


def _count_kernel_steps(run: Callable[[], object]) -> int | None:
    """SimPy kernel events (``Environment.step`` calls) of one call of ``run``.

    Counted by wrapping ``simpy.Environment.step`` for that call only (its
    time is not used). ``None`` if nothing was counted (the model no longer
    steps a plain ``simpy.Environment``).
    """
    import simpy

    original = simpy.Environment.step
    count = 0

    def step(self: simpy.Environment) -> None:
        nonlocal count
        count += 1
        original(self)

    simpy.Environment.step = step  # type: ignore[method-assign]
    try:
        run()
    finally:
        simpy.Environment.step = original  # type: ignore[method-assign]
    return count or None


def case_runs(points: list[dict[str, Any]], reps: int) -> dict[str, Any]:
    """Time ``reps`` single runs per strategy at each point, in this process.

    Each point is ``{"label": ..., "overrides": [KEY=VALUE, ...]}`` applied to
    the flagship scenario. Its population comes from
    :func:`ssisim.population.cache.population_for` (built once, reused by the
    next point if its population is the same); each strategy then has one
    untimed warm-up run (replication 0: it also scores the members, cached per
    process, and warms numpy's and Python's caches), then replications 1 to
    ``reps``, each timed alone (wall: ``perf_counter``; CPU: ``process_time``).
    Afterwards replication 0 is run once more, untimed, to count SimPy's kernel
    events.
    """
    from ssisim.population.cache import population_for
    from ssisim.scenario.loading import load_scenario
    from ssisim.seeds import run_seed
    from ssisim.sim.run import RunStats, simulate

    out: list[dict[str, Any]] = []
    for point in points:
        sc = load_scenario(FLAGSHIP, list(point.get("overrides", [])))
        started = time.perf_counter()
        pop = population_for(sc)
        build_seconds = time.perf_counter() - started
        strategies: list[dict[str, Any]] = []
        for st in sc.strategies:
            started = time.perf_counter()
            simulate(pop, sc, st, run_seed(sc, st, 0), 0, RunStats())
            warmup = time.perf_counter() - started
            gc.collect()
            wall: list[float] = []
            cpu: list[float] = []
            events: list[int] = []
            connections: list[int] = []
            for rep in range(1, reps + 1):
                stats = RunStats()
                c0 = time.process_time()
                w0 = time.perf_counter()
                records = simulate(pop, sc, st, run_seed(sc, st, rep), rep, stats)
                w1 = time.perf_counter()
                c1 = time.process_time()
                wall.append(1e3 * (w1 - w0))
                cpu.append(1e3 * (c1 - c0))
                events.append(stats.events)
                connections.append(int(records[-1].connections))
            kernel = _count_kernel_steps(
                partial(simulate, pop, sc, st, run_seed(sc, st, 0), 0, RunStats())
            )
            wq, cq = quartiles(wall), quartiles(cpu)
            ev = statistics.median(events)
            strategies.append(
                {
                    "strategy": st.name,
                    "invites_per_week": st.invites_per_week,
                    "runs": reps,
                    "warmup_ms": 1e3 * warmup,
                    "wall_ms": wall,
                    "cpu_ms": cpu,
                    "wall_ms_q1": wq[0],
                    "wall_ms_median": wq[1],
                    "wall_ms_q3": wq[2],
                    "cpu_ms_q1": cq[0],
                    "cpu_ms_median": cq[1],
                    "cpu_ms_q3": cq[2],
                    "events": events,
                    "events_median": ev,
                    "us_per_event": 1e3 * wq[1] / ev if ev else None,
                    "simpy_kernel_events_rep0": kernel,
                    "connections": connections,
                    "connections_mean": statistics.fmean(connections),
                }
            )
        out.append(
            {
                "label": point.get("label", ""),
                "overrides": list(point.get("overrides", [])),
                "members": pop.n,
                "weeks": sc.weeks,
                "invite_cap_per_week": sc.platform.invite_cap_per_week,
                "population_seconds": build_seconds,
                "strategies": strategies,
            }
        )
    return {"case": "runs", "reps": reps, "points": out}


# --------------------------------------------------------------------------- the command line


def ssisim_command() -> list[str]:
    """The installed console script beside this interpreter, else ``python -m``."""
    script = Path(sys.executable).with_name("ssisim")
    if script.exists():
        return [str(script)]
    found = shutil.which("ssisim")
    return [found] if found else [sys.executable, "-m", "ssisim.cli.main"]


def _tree_size(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def case_cli(argv: list[str], repeats: int, ok_status: Sequence[int] = (0,)) -> dict[str, Any]:
    """Time ``ssisim ARGV`` as a subprocess, ``repeats`` times.

    ``argv`` may hold ``TMP``: replaced by a path (that does not exist yet)
    inside a fresh temporary directory for each repeat, removed afterwards.
    The wall time is that of :func:`subprocess.run`, from fork to exit,
    output captured (not a terminal: no progress bar is drawn).
    """
    base = ssisim_command()
    walls: list[float] = []
    loads: list[float | None] = []
    statuses: list[int] = []
    written: list[tuple[int, int]] = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory(prefix="ssisim-bench-") as tmp:
            target = Path(tmp) / "out"
            cmd = base + [str(target) if a == "TMP" else a for a in argv]
            loads.append(os.getloadavg()[0] if hasattr(os, "getloadavg") else None)
            started = time.perf_counter()
            proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
            walls.append(time.perf_counter() - started)
            statuses.append(proc.returncode)
            if proc.returncode not in ok_status:
                tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
                raise RuntimeError(f"ssisim exited {proc.returncode}: " + " | ".join(tail))
            written.append(_tree_size(target) if target.exists() else (0, 0))
    return {
        "case": "cli",
        # as typed, without this machine's paths
        "command": " ".join(["ssisim", *argv]),
        "repeats": repeats,
        "seconds": walls,
        "best_seconds": min(walls),
        "median_seconds": statistics.median(walls),
        "load_average_before_each": loads,
        "exit_statuses": statuses,
        "files_written": written[-1][0],
        "bytes_written": written[-1][1],
    }


# --------------------------------------------------------------------------- exponents


def scaling_slopes(scaling: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """The log-log slopes of the per-run cost, per axis and series.

    ``out[axis][strategy]`` is ``{"cpu": fit, "wall": fit}``, fits of
    :func:`fit_slope` on the median CPU ms and the median wall ms of each
    point. Axes: ``population`` (x: members), ``weeks`` (x: weeks),
    ``network`` (x: mean connections at the last week). A series is a
    strategy; the network axis's cases each hold one strategy's ladder.
    """
    x_of = {
        "population": lambda p, s: p["members"],
        "weeks": lambda p, s: p["weeks"],
        "network": lambda p, s: s["connections_mean"],
    }
    slopes: dict[str, dict[str, Any]] = {}
    for axis, cases in scaling.items():
        series: dict[str, list[tuple[float, float, float]]] = {}
        for case in cases:
            if "error" in case:
                continue
            for p in case["points"]:
                for s in p["strategies"]:
                    series.setdefault(s["strategy"], []).append(
                        (float(x_of[axis](p, s)), s["cpu_ms_median"], s["wall_ms_median"])
                    )
        slopes[axis] = {}
        for name, pts in series.items():
            xs = [x for x, _, _ in pts]
            cpu = fit_slope(xs, [c for _, c, _ in pts])
            wall = fit_slope(xs, [w for _, _, w in pts])
            if cpu is not None and wall is not None:
                slopes[axis][name] = {"cpu": cpu, "wall": wall}
    return slopes

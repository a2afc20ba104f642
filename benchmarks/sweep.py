#!/usr/bin/env python
"""Benchmark of the task pipeline: a sweep of 1,000 runs, and memory per worker.

Run from the repository root, in the project's environment::

    python benchmarks/sweep.py            # the full run: about 5 minutes on 2 cores
    python benchmarks/sweep.py --quick    # 100 runs: under a minute
    python benchmarks/sweep.py --report benchmarks/out/sweep.json

Cases, each in a fresh process (this script with ``--case``):

1. a sweep of 1,000 tasks: open bar's ``invites_per_week`` over 10 values x
   100 replications, 26 weeks, 20,000 members (the flagship's population),
   through the same pipeline as ``ssisim sweep`` (plan, executor, a results
   store writing every chunk's Parquet file), with 1 and 2 local worker
   processes and on a Dask ``LocalCluster`` of 2 single-threaded worker
   processes;
2. peak memory per worker at 50,000 members (2 local workers, 52 weeks).

Figures: wall time (executor start-up, simulation, serialization and
writing, executor shut-down), runs/s, parallel efficiency ``t1 / (2 t2)``,
and the share of wall time spent outside simulation,
``1 - (simulation + population builds in the workers) / (wall x workers)``:
scheduling, serialization, writing and idle workers. Peak memory per worker
is the largest ``ru_maxrss`` a worker process reports.

Targets (2 cores): parallel efficiency >= 0.90 from 1 to 2 local workers;
under 5% of wall time outside simulation at 1,000 tasks, locally and on a
Dask LocalCluster; under 0.5 GiB per worker at 50,000 members.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import common
from common import ROOT, MiB, machine, machine_line

DEFAULT_OUT = ROOT / "benchmarks" / "out" / "sweep.json"
CASE_TIMEOUT_SECONDS = 3600

SCENARIO = """\
name: bench-sweep
seed: 2024
weeks: {weeks}
replications: {reps}
population: {{size: {size}}}
platform: {{invite_cap_per_week: 200}}
strategies: [open-bar]
sweep:
  grid:
    strategies.open-bar.invites_per_week: {values}
"""


def _case(
    executor: str, workers: int, weeks: int, reps: int, size: int, points: int
) -> dict[str, Any]:
    from ssisim.engine.driver import execute
    from ssisim.engine.executors import DaskExecutor, LocalProcesses, make_executor
    from ssisim.experiments.store import ResultStore, plan_document
    from ssisim.experiments.sweep import sweep_plan
    from ssisim.scenario.loading import parse_scenario

    values = [20 * (i + 1) for i in range(points)]
    sc = parse_scenario(SCENARIO.format(weeks=weeks, reps=reps, size=size, values=values))
    plan = sweep_plan(sc)
    with tempfile.TemporaryDirectory() as tmp:
        store = ResultStore.create(
            Path(tmp) / "out", plan, plan_document("sweep", sc.model_dump(mode="json"), plan)
        )
        started = time.perf_counter()
        if executor == "dask":
            ex: Any = DaskExecutor("local", workers=workers)
        elif workers > 1:
            ex = LocalProcesses(workers)
        else:
            ex = make_executor(1)
        with ex:
            ready = time.perf_counter()  # the executor's start-up (a LocalCluster's) ends here
            report = execute(plan, ex, lambda r: store.write(r.chunk, r.data))
            done = time.perf_counter()
        wall = time.perf_counter() - started
        lifecycle = wall - (done - ready)
        disk = sum(p.stat().st_size for p in (Path(tmp) / "out").rglob("*.parquet"))
    busy = report.sim_seconds + report.build_seconds
    return {
        "executor": executor,
        "workers": workers,
        "tasks": plan.runs,
        "chunks": len(plan.chunks()),
        "weeks": weeks,
        "members": size,
        "wall_seconds": wall,
        "runs_per_second": plan.runs / wall,
        "simulation_seconds": report.sim_seconds,
        "build_seconds": report.build_seconds,
        "outside_share": 1 - busy / (wall * workers),
        # the same without starting and stopping the executor (a LocalCluster takes
        # seconds to start): scheduling, serialization and writing only
        "executor_lifecycle_seconds": lifecycle,
        "outside_share_running": 1 - busy / ((wall - lifecycle) * workers),
        "outside_share_vs_simulate_only": 1 - report.sim_seconds / (wall * workers),
        "worker_peak_bytes": max(report.workers_peak_bytes.values()),
        "worker_processes": len(report.workers_peak_bytes),
        "disk_bytes": disk,
        "failures": len(report.failures),
    }


def run_case(**kwargs: Any) -> dict[str, Any]:
    """One sweep in a fresh interpreter: its figures, or its error."""
    result = common.run_case(__file__, "sweep", kwargs, CASE_TIMEOUT_SECONDS)
    return {**kwargs, **result}


def benchmark(quick: bool) -> dict[str, Any]:
    reps = 10 if quick else 100
    shape = {"weeks": 26, "reps": reps, "size": 20_000, "points": 10}
    results: dict[str, Any] = {
        "mode": "quick" if quick else "full",
        "machine": machine(),
        "sweep": [],
    }
    for executor, workers in (("local", 1), ("local", 2), ("dask", 2)):
        print(f"sweep of {10 * reps} tasks, {executor}, {workers} worker(s) ...", file=sys.stderr)
        results["sweep"].append(run_case(executor=executor, workers=workers, **shape))
    print("memory at 50,000 members, 2 local workers ...", file=sys.stderr)
    results["memory"] = run_case(
        executor="local", workers=2, weeks=52, reps=5 if quick else 10, size=50_000, points=2
    )
    ok = {(r["executor"], r["workers"]): r for r in results["sweep"] if "error" not in r}
    if ("local", 1) in ok and ("local", 2) in ok:
        results["efficiency"] = ok[("local", 1)]["wall_seconds"] / (
            2 * ok[("local", 2)]["wall_seconds"]
        )
    return results


def _machine_text(m: Any) -> str:
    return m if isinstance(m, str) else machine_line(m)  # older result files hold the text


def report(results: dict[str, Any]) -> str:
    lines = [
        f"Machine: {_machine_text(results['machine'])}. Mode: {results['mode']}.",
        "",
        "| executor | workers | tasks | wall s | runs/s | outside simulation | of which start/stop | outside, executor running | worker peak MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results["sweep"]:
        if "error" in r:
            lines.append(f"| {r['executor']} | {r['workers']} | error: {r['error']} |||||")
            continue
        name = "local processes" if r["executor"] == "local" else "Dask LocalCluster"
        lines.append(
            f"| {name} | {r['workers']} | {r['tasks']:,} | {r['wall_seconds']:.1f} | "
            f"{r['runs_per_second']:.2f} | {100 * r['outside_share']:.1f}% | "
            f"{r.get('executor_lifecycle_seconds', float('nan')):.1f} s | "
            f"{100 * r.get('outside_share_running', float('nan')):.1f}% | "
            f"{r['worker_peak_bytes'] / MiB:.0f} |"
        )
    m = results.get("memory", {})
    lines.append("")
    if "efficiency" in results:
        lines.append(
            f"Parallel efficiency, 1 to 2 local workers: {results['efficiency']:.2f} (target 0.90)."
        )
    if m and "error" not in m:
        lines.append(
            f"Peak memory per worker at {m['members']:,} members: "
            f"{m['worker_peak_bytes'] / MiB:.0f} MiB (target under 512 MiB)."
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    return common.main(
        argv,
        doc=__doc__,
        cases={"sweep": _case},
        benchmark=benchmark,
        text=report,
        markdown=report,
        failed=lambda results: any("error" in r for r in results["sweep"]),
        default_out=DEFAULT_OUT,
    )


if __name__ == "__main__":
    sys.exit(main())

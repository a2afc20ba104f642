#!/usr/bin/env python
"""Benchmarks of ssisim: throughput and peak memory, each case in a fresh process.

Run from the repository root, in the project's environment::

    python benchmarks/run.py            # the full run: several minutes
    python benchmarks/run.py --quick    # everything shrunk: under a minute
    python benchmarks/run.py --out benchmarks/out/results.json
    python benchmarks/run.py --report benchmarks/out/results.json   # re-print a saved run

Cases (see ``benchmarks/README.md`` for what every figure means):

1. the flagship workload: ``scenarios/open-bar-vs-club-select.yaml`` with
   ``--set replications=100`` (2 strategies x 100 replications x 52 weeks on
   20,000 members), through :func:`ssisim.engine.driver.run_replications` with 1 and
   with 2 workers; aim: under 20 s on 2 cores;
2. :func:`ssisim.population.build.build_population` with default parameters at
   10,000 / 100,000 / 1,000,000 members (aim: a million in under 10 s and
   2 GiB), and ``Population.graph`` at 10,000 and 100,000 only;
3. parallel efficiency from 1 to 2 workers: ``(t1 / t2) / 2``.

Every case runs in its own subprocess (this script with ``--case``), so that
``getrusage(RUSAGE_SELF).ru_maxrss`` is the peak of that case alone. Worker
pools are measured with ``RUSAGE_CHILDREN`` (the largest worker) and by
sampling the proportional set size (PSS) of the whole process tree.
"""

from __future__ import annotations

import gc
import os
import resource
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import common
from common import ROOT, GiB, MiB, machine, machine_line

FLAGSHIP = ROOT / "scenarios" / "open-bar-vs-club-select.yaml"
DEFAULT_OUT = ROOT / "benchmarks" / "out" / "results.json"
POPULATION_SEED = 2024

AIM_FLAGSHIP_SECONDS = 20.0  # 200 runs of 52 weeks, 2 workers on 2 cores
AIM_POPULATION_SIZE = 1_000_000
AIM_POPULATION_SECONDS = 10.0
AIM_POPULATION_BYTES = 2 * 2**30

FULL: dict[str, Any] = {
    "replications": 100,
    "workers": (1, 2),
    "population_sizes": (10_000, 100_000, 1_000_000),
    "networkx_sizes": (10_000, 100_000),
}
QUICK: dict[str, Any] = {
    "replications": 10,
    "workers": (1, 2),
    "population_sizes": (10_000, 100_000),
    "networkx_sizes": (10_000,),
}
CASE_TIMEOUT_SECONDS = 3600


# --------------------------------------------------------------------------- measuring


def _maxrss_bytes(who: int) -> int:
    """``ru_maxrss`` in bytes (Linux reports KiB, macOS bytes)."""
    value = resource.getrusage(who).ru_maxrss
    return int(value if sys.platform == "darwin" else value * 1024)


def _cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _descendants(root: int) -> list[int]:
    """The process ids below ``root`` (children, grandchildren...), from /proc."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # the command name is in parentheses and may hold spaces: split after it
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    out: list[int] = []
    todo = [root]
    while todo:
        for child in parents.get(todo.pop(), ()):
            out.append(child)
            todo.append(child)
    return out


def _pss_bytes(pid: int) -> int:
    """Proportional set size of a process (shared pages split among sharers)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:  # no smaps_rollup: fall back to RSS (double counts shared pages)
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


class _TreeSampler:
    """Samples the summed PSS of this process and its descendants, in a thread.

    ``ru_maxrss`` gives each process's own peak but not the peak of their sum;
    this gives the sum, at the cost of missing spikes shorter than the period.
    A sample costs 3-15 ms of CPU (a /proc scan, and smaps_rollup walks each
    process's page tables): at 4 Hz that was 4% of a core, stolen from the
    workers on a 2-core machine, hence one sample a second (the workers'
    memory is flat once their population is built). Its own CPU time is
    reported (``sampler_cpu_seconds``).
    """

    def __init__(self, period: float = 1.0, enabled: bool = True) -> None:
        self.period = period
        self.peak = 0
        self.samples = 0
        self.cpu_seconds = 0.0  # CPU time of the sampling thread itself
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self.available = enabled and os.path.isdir("/proc/self")

    def _loop(self) -> None:
        me = os.getpid()
        while not self._stop.is_set():
            total = sum(_pss_bytes(pid) for pid in [me, *_descendants(me)])
            self.peak = max(self.peak, total)
            self.samples += 1
            self.cpu_seconds = time.thread_time()
            self._stop.wait(self.period)

    def __enter__(self) -> _TreeSampler:
        if self.available:
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self.available:
            self._thread.join()


def _stop_forkserver() -> None:
    """Stop multiprocessing's fork server, so RUSAGE_CHILDREN covers the workers.

    The engine's workers are forked by the fork server, which reaps them; the
    fork server lives until its parent exits. Its usage (and that of the
    workers it reaped) reaches this process's RUSAGE_CHILDREN only once it has
    been waited for. ``_stop`` is private: if it is gone, the worker figures
    are simply missing (reported as such).
    """
    try:
        from multiprocessing import forkserver

        forkserver._forkserver._stop()  # type: ignore[attr-defined]
    except Exception:
        pass


# --------------------------------------------------------------------------- cases (child side)


def case_flagship(replications: int, workers: int) -> dict[str, Any]:
    """The flagship scenario through run_replications, from a cold start."""
    import numpy as np

    from ssisim.engine.driver import run_replications
    from ssisim.population.build import build_population
    from ssisim.scenario.loading import load_scenario
    from ssisim.seeds import population_seed
    from ssisim.sim.run import RunStats

    sc = load_scenario(FLAGSHIP, [f"replications={replications}"])

    # The population build, timed on its own. The run below does not reuse this
    # copy (build_population does not fill the engine's cache): like
    # `ssisim run`, it builds its own, in this process (1 worker) or in every
    # worker, and that build is part of its wall time.
    started = time.perf_counter()
    pop = build_population(sc.population, np.random.default_rng(population_seed(sc)))
    build_seconds = time.perf_counter() - started
    members = pop.n
    edges = int(pop.indptr[-1]) // 2 + int(pop.seller_contacts.size)
    del pop
    gc.collect()

    baseline = _maxrss_bytes(resource.RUSAGE_SELF)
    cpu_before = _cpu_seconds(resource.RUSAGE_SELF)
    stats = RunStats()
    # 1 worker: nothing to sum, and a sampling thread would compete for the GIL
    with _TreeSampler(enabled=workers > 1) as sampler:
        started = time.perf_counter()
        records = run_replications(sc, workers=workers, stats=stats)
        wall = time.perf_counter() - started
        if workers > 1:
            _stop_forkserver()
    runs = len(sc.strategies) * sc.replications
    expected_records = runs * (sc.weeks + 1)  # weeks 0..weeks
    if len(records) != expected_records:
        raise RuntimeError(f"expected {expected_records} week records, got {len(records)}")
    parent_cpu = _cpu_seconds(resource.RUSAGE_SELF) - cpu_before
    children_cpu = _cpu_seconds(resource.RUSAGE_CHILDREN)
    children_peak = _maxrss_bytes(resource.RUSAGE_CHILDREN) if workers > 1 else 0
    parent_peak = _maxrss_bytes(resource.RUSAGE_SELF)
    return {
        "case": "flagship",
        "scenario": str(FLAGSHIP.relative_to(ROOT)),
        "strategies": [s.name for s in sc.strategies],
        "replications": sc.replications,
        "weeks": sc.weeks,
        "members": members,
        "edges": edges,
        "workers": workers,
        "runs": runs,
        "wall_seconds": wall,
        "runs_per_second": runs / wall,
        "seller_weeks_per_second": runs * sc.weeks / wall,
        "member_weeks_per_second": runs * sc.weeks * members / wall,
        "events": stats.events,
        "events_per_second": stats.events / wall,
        "population_build_seconds": build_seconds,
        "cpu_seconds": parent_cpu + children_cpu,
        "parent_cpu_seconds": parent_cpu,
        "children_cpu_seconds": children_cpu,
        "sampler_cpu_seconds": sampler.cpu_seconds,
        "baseline_bytes": baseline,
        "parent_peak_bytes": parent_peak,
        "largest_child_peak_bytes": children_peak if workers > 1 else None,
        "tree_pss_peak_bytes": sampler.peak if sampler.samples else None,
        "tree_pss_samples": sampler.samples,
        "peak_bound_bytes": parent_peak + workers * children_peak if workers > 1 else parent_peak,
    }


def case_population(size: int, repeats: int) -> dict[str, Any]:
    """build_population with default parameters and ``size`` members."""
    import numpy as np

    from ssisim.population.build import build_population
    from ssisim.scenario.schema import PopulationParams

    params = PopulationParams(size=size)
    baseline = _maxrss_bytes(resource.RUSAGE_SELF)
    times: list[float] = []
    pop = None
    for _ in range(repeats):
        pop = None  # never hold two populations at once
        gc.collect()
        rng = np.random.default_rng(POPULATION_SEED)
        started = time.perf_counter()
        pop = build_population(params, rng)
        times.append(time.perf_counter() - started)
    assert pop is not None
    seconds = min(times)
    edges = int(pop.indptr[-1]) // 2 + int(pop.seller_contacts.size)
    return {
        "case": "population",
        "members": pop.n,
        "repeats": repeats,
        "seconds": seconds,
        "all_seconds": times,
        "members_per_second": pop.n / seconds,
        "edges": edges,
        "edges_per_second": edges / seconds,
        "mean_degree": 2 * edges / pop.n,
        "baseline_bytes": baseline,
        "peak_bytes": _maxrss_bytes(resource.RUSAGE_SELF),
        "array_bytes": sum(v.nbytes for v in vars(pop).values() if isinstance(v, np.ndarray)),
    }


def case_networkx(size: int) -> dict[str, Any]:
    """Population.graph (the lazy graph of record) after a build."""
    import numpy as np

    from ssisim.population.build import build_population
    from ssisim.scenario.schema import PopulationParams

    pop = build_population(PopulationParams(size=size), np.random.default_rng(POPULATION_SEED))
    gc.collect()
    baseline = _maxrss_bytes(resource.RUSAGE_SELF)
    started = time.perf_counter()
    graph = pop.graph
    seconds = time.perf_counter() - started
    return {
        "case": "networkx",
        "members": pop.n,
        "seconds": seconds,
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "edges_per_second": graph.number_of_edges() / seconds,
        "baseline_bytes": baseline,
        "peak_bytes": _maxrss_bytes(resource.RUSAGE_SELF),
    }


CASES: dict[str, Callable[..., dict[str, Any]]] = {
    "flagship": case_flagship,
    "population": case_population,
    "networkx": case_networkx,
}


# --------------------------------------------------------------------------- orchestration


def run_case(name: str, **kwargs: Any) -> dict[str, Any]:
    """Run one case in a fresh interpreter and return its figures (or its error)."""
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    started = time.perf_counter()
    result = common.run_case(__file__, name, kwargs, CASE_TIMEOUT_SECONDS)
    if "error" not in result:
        result["process_seconds"] = time.perf_counter() - started
        result["load_average_before"] = load
    return result


def benchmark(quick: bool) -> dict[str, Any]:
    plan = QUICK if quick else FULL
    results: dict[str, Any] = {
        "mode": "quick" if quick else "full",
        "machine": machine(),
        "aims": {
            "flagship_seconds_on_2_workers": AIM_FLAGSHIP_SECONDS,
            "flagship_replications": FULL["replications"],
            "population_size": AIM_POPULATION_SIZE,
            "population_seconds": AIM_POPULATION_SECONDS,
            "population_peak_bytes": AIM_POPULATION_BYTES,
        },
        "flagship": [],
        "population": [],
        "networkx": [],
    }
    steps: list[tuple[str, str, dict[str, Any]]] = []
    for w in plan["workers"]:
        steps.append(
            (
                "flagship",
                f"flagship, {plan['replications']} replications, {w} worker(s)",
                {"replications": plan["replications"], "workers": w},
            )
        )
    for n in plan["population_sizes"]:
        steps.append(
            (
                "population",
                f"build_population, {n:,} members",
                {"size": n, "repeats": 3 if n <= 100_000 else 1},
            )
        )
    for n in plan["networkx_sizes"]:
        steps.append(("networkx", f"to_networkx, {n:,} members", {"size": n}))
    for i, (name, label, kwargs) in enumerate(steps, 1):
        print(f"[{i}/{len(steps)}] {label} ...", file=sys.stderr, flush=True)
        result = run_case(name, **kwargs)
        if "error" in result:
            print(f"    FAILED: {result['error']}", file=sys.stderr, flush=True)
        results[name].append(result)
    results["machine"]["load_average_at_end"] = (
        os.getloadavg() if hasattr(os, "getloadavg") else None
    )
    by_workers = {r["workers"]: r for r in results["flagship"] if "error" not in r}
    if 1 in by_workers and 2 in by_workers:
        t1, t2 = by_workers[1]["wall_seconds"], by_workers[2]["wall_seconds"]
        results["parallel"] = {
            "t1_seconds": t1,
            "t2_seconds": t2,
            "speedup": t1 / t2,
            "efficiency": (t1 / t2) / 2,
        }
    return results


# --------------------------------------------------------------------------- reporting


def _mib(b: float | None) -> str:
    return "-" if b is None else f"{b / MiB:,.0f}"


def _aim(value: float, aim: float, unit: str, fmt: str = "{:.1f}") -> str:
    v, a = fmt.format(value), fmt.format(aim)
    if value <= aim:
        return f"met ({v} {unit} against {a} {unit}, {fmt.format(aim - value)} {unit} to spare)"
    return (
        f"MISSED by {fmt.format(value - aim)} {unit} ({v} {unit} against {a} {unit}, "
        f"{100 * (value / aim - 1):.0f}% over)"
    )


def aim_lines(results: dict[str, Any]) -> list[str]:
    lines = []
    full = results["mode"] == "full"
    two = [r for r in results["flagship"] if r.get("workers") == 2 and "error" not in r]
    if two and full:
        lines.append(
            f"flagship, 2 workers, under {AIM_FLAGSHIP_SECONDS:.0f} s: "
            + _aim(two[0]["wall_seconds"], AIM_FLAGSHIP_SECONDS, "s")
        )
    elif two:
        r = two[0]
        est = r["wall_seconds"] * FULL["replications"] / r["replications"]
        lines.append(
            f"flagship aim (under {AIM_FLAGSHIP_SECONDS:.0f} s for {FULL['replications']} "
            f"replications) is judged on the full run; linear extrapolation of this quick "
            f"run: ~{est:.0f} s (start-up costs make it pessimistic)"
        )
    big = [
        r
        for r in results["population"]
        if r.get("members") == AIM_POPULATION_SIZE and "error" not in r
    ]
    if big:
        r = big[0]
        lines.append(
            f"{AIM_POPULATION_SIZE:,} members under {AIM_POPULATION_SECONDS:.0f} s: "
            + _aim(r["seconds"], AIM_POPULATION_SECONDS, "s")
        )
        lines.append(
            f"{AIM_POPULATION_SIZE:,} members under 2 GiB peak: "
            + _aim(r["peak_bytes"] / GiB, AIM_POPULATION_BYTES / GiB, "GiB", "{:.2f}")
        )
    else:
        lines.append(f"population aims ({AIM_POPULATION_SIZE:,} members) not measured in this run")
    return lines


def _rows_flagship(results: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    head = [
        "workers",
        "wall s",
        "runs/s",
        "seller-weeks/s",
        "member-weeks/s",
        "events/s",
        "events",
        "pop. build s",
    ]
    rows = []
    for r in results["flagship"]:
        if "error" in r:
            rows.append([str(r.get("workers")), "error: " + r["error"]] + [""] * (len(head) - 2))
            continue
        rows.append(
            [
                str(r["workers"]),
                f"{r['wall_seconds']:.1f}",
                f"{r['runs_per_second']:.2f}",
                f"{r['seller_weeks_per_second']:,.0f}",
                f"{r['member_weeks_per_second']:.3g}",
                f"{r['events_per_second']:,.0f}",
                f"{r['events']:,}",
                f"{r['population_build_seconds']:.3f}",
            ]
        )
    return head, rows


def _rows_flagship_resources(results: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    head = [
        "workers",
        "CPU s",
        "cores busy",
        "load before",
        "parent peak MiB",
        "largest worker MiB",
        "tree peak MiB (PSS)",
    ]
    rows = []
    for r in results["flagship"]:
        if "error" in r:
            continue
        rows.append(
            [
                str(r["workers"]),
                f"{r['cpu_seconds']:.1f}",
                f"{r['cpu_seconds'] / r['wall_seconds']:.2f}",
                "-" if r.get("load_average_before") is None else f"{r['load_average_before']:.2f}",
                _mib(r["parent_peak_bytes"]),
                _mib(r["largest_child_peak_bytes"]),
                _mib(r["tree_pss_peak_bytes"] if r["workers"] > 1 else r["parent_peak_bytes"]),
            ]
        )
    return head, rows


def _rows_population(results: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    head = [
        "members",
        "seconds",
        "members/s",
        "edges",
        "edges/s",
        "mean degree",
        "peak MiB",
        "arrays MiB",
    ]
    rows = []
    for r in results["population"]:
        if "error" in r:
            rows.append([f"{r.get('size', 0):,}", "error: " + r["error"]] + [""] * (len(head) - 2))
            continue
        rows.append(
            [
                f"{r['members']:,}",
                f"{r['seconds']:.3f}",
                f"{r['members_per_second']:,.0f}",
                f"{r['edges']:,}",
                f"{r['edges_per_second']:,.0f}",
                f"{r['mean_degree']:.1f}",
                _mib(r["peak_bytes"]),
                _mib(r["array_bytes"]),
            ]
        )
    return head, rows


def _rows_networkx(results: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    head = ["members", "seconds", "edges", "edges/s", "peak MiB (build + graph)", "graph adds MiB"]
    rows = []
    for r in results["networkx"]:
        if "error" in r:
            rows.append([f"{r.get('size', 0):,}", "error: " + r["error"]] + [""] * (len(head) - 2))
            continue
        rows.append(
            [
                f"{r['members']:,}",
                f"{r['seconds']:.2f}",
                f"{r['edges']:,}",
                f"{r['edges_per_second']:,.0f}",
                _mib(r["peak_bytes"]),
                _mib(r["peak_bytes"] - r["baseline_bytes"]),
            ]
        )
    return head, rows


def _sections(results: dict[str, Any]) -> list[tuple[str, tuple[list[str], list[list[str]]]]]:
    f = next((r for r in results["flagship"] if "error" not in r), None)
    desc = (
        (
            f"{len(f['strategies'])} strategies x {f['replications']} replications x {f['weeks']} "
            f"weeks = {f['runs']} runs on {f['members']:,} members ({f['edges']:,} ties)"
        )
        if f
        else ""
    )
    nx_sizes = ", ".join(f"{r.get('members', r.get('size', 0)):,}" for r in results["networkx"])
    return [
        (
            f"1. Flagship workload: {FLAGSHIP.name}, {desc}; wall = run_replications from a cold "
            "start (pool start-up and every worker's own population build included); "
            "pop. build timed apart",
            _rows_flagship(results),
        ),
        (
            "1b. Flagship workload, resources: CPU of the process tree, peak memory "
            "(ru_maxrss of the parent and of the largest worker; sampled PSS of the whole tree)",
            _rows_flagship_resources(results),
        ),
        (
            f"2. build_population, default parameters, seed {POPULATION_SEED} "
            "(best of 3 up to 100,000 members, 1 run above)",
            _rows_population(results),
        ),
        (
            f"2b. Population.graph (the lazy networkx graph of record), at {nx_sizes} "
            "members only (not measured at larger sizes)",
            _rows_networkx(results),
        ),
    ]


def _parallel_line(results: dict[str, Any]) -> str:
    p = results.get("parallel")
    if not p:
        return "3. Parallel efficiency 1 -> 2 workers: not measured"
    return (
        f"3. Parallel efficiency 1 -> 2 workers on the flagship workload: (t1 / t2) / 2 = "
        f"({p['t1_seconds']:.1f} / {p['t2_seconds']:.1f}) / 2 = {p['efficiency']:.2f} "
        f"(speed-up {p['speedup']:.2f}x)"
    )


def report_text(results: dict[str, Any]) -> str:
    m = results["machine"]
    end = m.get("load_average_at_end")
    parts = [
        f"ssisim benchmarks ({results['mode']} run)",
        "machine: " + machine_line(m) + (f"; load average at end {end[0]:.2f}" if end else ""),
        "",
    ]
    for title, (head, rows) in _sections(results):
        parts += [title, common.text_table(head, rows), ""]
    parts += [_parallel_line(results), "", "Aims:"] + [f"  - {x}" for x in aim_lines(results)]
    return "\n".join(parts)


def report_markdown(results: dict[str, Any]) -> str:
    parts = [f"Machine: {machine_line(results['machine'])}. Mode: {results['mode']}.", ""]
    for title, (head, rows) in _sections(results):
        parts += [f"**{title}**", "", common.md_table(head, rows), ""]
    parts += [f"**{_parallel_line(results)}**", "", "Aims:", ""] + [
        f"- {x}" for x in aim_lines(results)
    ]
    return "\n".join(parts) + "\n"


def _failed(results: dict[str, Any]) -> bool:
    return any("error" in r for key in ("flagship", "population", "networkx") for r in results[key])


def main(argv: list[str] | None = None) -> int:
    return common.main(
        argv,
        doc=__doc__,
        cases=CASES,
        benchmark=benchmark,
        text=report_text,
        markdown=report_markdown,
        failed=_failed,
        default_out=DEFAULT_OUT,
    )


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""Benchmarks of ssisim: speed against issue 11's aims, throughput and peak
memory, each case in a fresh process.

Run from the repository root, in the project's environment::

    python benchmarks/run.py            # the full run: under 10 minutes on 2 cores
    python benchmarks/run.py --quick    # everything shrunk: about 2 minutes
    python benchmarks/run.py --out benchmarks/out/results.json
    python benchmarks/run.py --report benchmarks/out/results.json   # re-print a saved run

Cases, labelled as in the tables (see ``benchmarks/README.md`` for what every
figure means):

A. per-run cost: one 52-week run of the flagship
   (``scenarios/open-bar-vs-club-select.yaml``, 20,000 members) through
   :func:`ssisim.sim.run.simulate`, after building the population once and one
   untimed warm-up run; median and IQR of wall and CPU ms per strategy, SimPy
   events per run; aim: a median of at most 20 ms (from about 100 ms; the
   numpy floor is 2-5 ms);
B. the command line end to end, as a subprocess: ``ssisim run`` of the
   flagship with 100 replications on 2 workers, with and without figures (aim:
   at most 5 s), ``ssisim --help``, and ``ssisim calibrate`` (aim: at most 30 s);
1. the flagship workload through :func:`ssisim.engine.driver.run_replications`
   with 1 and with 2 workers (throughput, memory), and (3.) the parallel
   efficiency ``(t1 / t2) / 2``;
2. :func:`ssisim.population.build.build_population` with default parameters at
   10,000 / 100,000 / 1,000,000 members (aim: a million in under 10 s and
   2 GiB), and ``Population.graph`` at 10,000 and 100,000 only;
C. scaling: the per-run cost against population size, weeks and the seller's
   network size, and the log-log slope of each (aim: at most 1, linear or
   better).

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
import speed
from common import ROOT, GiB, MiB, machine, machine_line

FLAGSHIP = ROOT / "scenarios" / "open-bar-vs-club-select.yaml"
DEFAULT_OUT = ROOT / "benchmarks" / "out" / "results.json"
POPULATION_SEED = 2024

# Issue 11's aims (2 cores) and the anchors it measured them from
AIM_RUN_MS = 20.0  # median wall of one 52-week flagship run, 20,000 members
ANCHOR_RUN_MS = 100.0  # issue 11's starting point (open bar 116 ms, club select 83 ms)
FLOOR_MS = (2.0, 5.0)  # the numpy work a run must do
AIM_FLAGSHIP_SECONDS = 5.0  # `ssisim run` of the flagship, 100 replications, 2 workers
ANCHOR_FLAGSHIP_SECONDS = 13.5  # issue 11's start, idle machine (28 s busy)
ANCHOR_HELP_SECONDS = (1.0, 2.2)  # `ssisim --help` at issue 11's start
AIM_CALIBRATE_SECONDS = 30.0  # `ssisim calibrate`, full
AIM_EXPONENT = 1.0  # cost growth linear or better
EXPONENT_BORDERLINE = 0.1  # a slope this close above 1 is reported as borderline, not missed
AIM_POPULATION_SIZE = 1_000_000
AIM_POPULATION_SECONDS = 10.0
AIM_POPULATION_BYTES = 2 * 2**30

FULL: dict[str, Any] = {
    "replications": 100,
    "workers": (1, 2),
    "population_sizes": (10_000, 100_000, 1_000_000),
    "networkx_sizes": (10_000, 100_000),
    "per_run_reps": 50,
    "cli_reps": 100,
    "cli_repeats": 2,  # with figures (the aim); 1 without
    "help_repeats": 5,
    "calibrate_quick": False,
    "scaling_reps": 10,
    "axis_population": (5_000, 20_000, 80_000, 200_000),
    "axis_weeks": (13, 26, 52),
    "network_members": 200_000,
    "network_invites": (100, 300, 850),  # uncapped; 850 is the built-in industrial's
    "network_strategies": ("industrial", "open-bar"),
    "long_case": True,  # the case: industrial uncapped, 200,000 members, 78 weeks
}
QUICK: dict[str, Any] = {
    "replications": 10,
    "workers": (1, 2),
    "population_sizes": (10_000, 100_000),
    "networkx_sizes": (10_000,),
    "per_run_reps": 10,
    "cli_reps": 10,
    "cli_repeats": 1,
    "help_repeats": 3,
    "calibrate_quick": True,
    "scaling_reps": 3,
    "axis_population": (5_000, 20_000, 80_000),
    "axis_weeks": (13, 26, 52),
    "network_members": 50_000,
    "network_invites": (100, 850),
    "network_strategies": ("industrial", "open-bar"),
    "long_case": False,
}
SCALING_AXES = ("population", "weeks", "network")
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
    "runs": speed.case_runs,
    "cli": speed.case_cli,
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


def _flagship_command(reps: int, figures: bool) -> list[str]:
    argv = ["run", str(FLAGSHIP.relative_to(ROOT)), "--reps", str(reps), "--workers", "2"]
    return argv + ["--out", "TMP"] + ([] if figures else ["--no-figures"])


def _plan(plan: dict[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """The cases in order: (where the result goes, case name, label, arguments)."""
    steps: list[tuple[str, str, str, dict[str, Any]]] = []
    steps.append(
        (
            "per_run",
            "runs",
            f"per-run cost, flagship, {plan['per_run_reps']} timed runs per strategy",
            {"points": [{"label": "flagship", "overrides": []}], "reps": plan["per_run_reps"]},
        )
    )
    cli: list[tuple[str, str, dict[str, Any]]] = [
        ("help", "ssisim --help", {"argv": ["--help"], "repeats": plan["help_repeats"]}),
        (
            "flagship",
            f"ssisim run flagship --reps {plan['cli_reps']} --workers 2",
            {"argv": _flagship_command(plan["cli_reps"], True), "repeats": plan["cli_repeats"]},
        ),
        (
            "flagship_no_figures",
            f"ssisim run flagship --reps {plan['cli_reps']} --workers 2 --no-figures",
            {"argv": _flagship_command(plan["cli_reps"], False), "repeats": 1},
        ),
        (
            "calibrate",
            "ssisim calibrate" + (" --quick" if plan["calibrate_quick"] else " (full)"),
            {
                "argv": [
                    "calibrate",
                    *(["--quick"] if plan["calibrate_quick"] else []),
                    "--out",
                    "TMP",
                ],
                "repeats": 1,
                "ok_status": [0, 1],  # 1: a calibration target failed; the time still counts
            },
        ),
    ]
    for what, label, kwargs in cli:
        steps.append(("cli", "cli", label, {**kwargs, "what": what}))
    for w in plan["workers"]:
        steps.append(
            (
                "flagship",
                "flagship",
                f"run_replications, flagship, {plan['replications']} replications, {w} worker(s)",
                {"replications": plan["replications"], "workers": w},
            )
        )
    for n in plan["population_sizes"]:
        steps.append(
            (
                "population",
                "population",
                f"build_population, {n:,} members",
                {"size": n, "repeats": 3 if n <= 100_000 else 1},
            )
        )
    for n in plan["networkx_sizes"]:
        steps.append(("networkx", "networkx", f"to_networkx, {n:,} members", {"size": n}))
    reps = plan["scaling_reps"]
    for n in plan["axis_population"]:
        point = {"label": f"{n:,} members", "overrides": [f"population.size={n}"]}
        steps.append(
            (
                "scaling/population",
                "runs",
                f"scaling, {n:,} members",
                {"points": [point], "reps": reps},
            )
        )
    for weeks in plan["axis_weeks"]:
        point = {"label": f"{weeks} weeks", "overrides": [f"weeks={weeks}"]}
        steps.append(
            ("scaling/weeks", "runs", f"scaling, {weeks} weeks", {"points": [point], "reps": reps})
        )
    members = plan["network_members"]
    for name in plan["network_strategies"]:
        points = [
            {
                "label": f"{name}, {k} invitations a week, uncapped",
                "overrides": [
                    f"population.size={members}",
                    f"strategies=[{name}]",
                    "platform.invite_cap_per_week=null",
                    f"strategies.{name}.invites_per_week={k}",
                ],
            }
            for k in plan["network_invites"]
        ]
        label = f"scaling, network size, {name}, {members:,} members"
        steps.append(("scaling/network", "runs", label, {"points": points, "reps": reps}))
    if plan["long_case"]:
        point = {
            "label": "industrial, uncapped, 200,000 members, 78 weeks",
            "overrides": [
                "population.size=200000",
                "strategies=[industrial]",
                "platform.invite_cap_per_week=null",
                "weeks=78",
            ],
        }
        steps.append(
            ("long", "runs", "the issue's case: " + point["label"], {"points": [point], "reps": 5})
        )
    return steps


def benchmark(quick: bool) -> dict[str, Any]:
    plan = QUICK if quick else FULL
    results: dict[str, Any] = {
        "mode": "quick" if quick else "full",
        "machine": machine(),
        "aims": {
            "run_median_ms": AIM_RUN_MS,
            "run_anchor_ms": ANCHOR_RUN_MS,
            "run_floor_ms": list(FLOOR_MS),
            "flagship_cli_seconds_on_2_workers": AIM_FLAGSHIP_SECONDS,
            "flagship_cli_anchor_seconds": ANCHOR_FLAGSHIP_SECONDS,
            "flagship_replications": FULL["cli_reps"],
            "help_anchor_seconds": list(ANCHOR_HELP_SECONDS),
            "calibrate_seconds": AIM_CALIBRATE_SECONDS,
            "scaling_exponent": AIM_EXPONENT,
            "population_size": AIM_POPULATION_SIZE,
            "population_seconds": AIM_POPULATION_SECONDS,
            "population_peak_bytes": AIM_POPULATION_BYTES,
        },
        "plan": {k: list(v) if isinstance(v, tuple) else v for k, v in plan.items()},
        "per_run": [],
        "cli": [],
        "flagship": [],
        "population": [],
        "networkx": [],
        "scaling": {axis: [] for axis in SCALING_AXES},
        "long": [],
    }
    steps = _plan(plan)
    for i, (key, name, label, kwargs) in enumerate(steps, 1):
        print(f"[{i}/{len(steps)}] {label} ...", file=sys.stderr, flush=True)
        what = kwargs.pop("what", None)
        result = run_case(name, **kwargs)
        axis = key.removeprefix("scaling/")
        (results["scaling"][axis] if axis != key else results[key]).append(result)
        if what is not None:
            result["what"] = what
        if "error" in result:
            print(f"    FAILED: {result['error']}", file=sys.stderr, flush=True)
    results["machine"]["load_average_at_end"] = (
        os.getloadavg() if hasattr(os, "getloadavg") else None
    )
    results["slopes"] = speed.scaling_slopes(results["scaling"])
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


def _ok(results: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in results.get("per_run", []) if "error" not in r]


def _per_run_pooled(results: dict[str, Any]) -> dict[str, float] | None:
    """Median and quartiles of every timed flagship run, both strategies pooled."""
    cases = _ok(results)
    if not cases:
        return None
    strategies = [s for p in cases[0]["points"] for s in p["strategies"]]
    wall = [x for s in strategies for x in s["wall_ms"]]
    cpu = [x for s in strategies for x in s["cpu_ms"]]
    wq, cq = speed.quartiles(wall), speed.quartiles(cpu)
    return {
        "runs": len(wall),
        "wall_q1": wq[0],
        "wall_median": wq[1],
        "wall_q3": wq[2],
        "cpu_q1": cq[0],
        "cpu_median": cq[1],
        "cpu_q3": cq[2],
    }


def _cli(results: dict[str, Any], what: str) -> dict[str, Any] | None:
    return next(
        (r for r in results.get("cli", []) if r.get("what") == what and "error" not in r), None
    )


def _status(value: float, aim: float, judged: bool = True) -> str:
    if not judged:
        return "judged on the full run"
    return "met" if value <= aim else "MISSED"


def _exponent_status(slope: float) -> str:
    """met at most 1; borderline within EXPONENT_BORDERLINE above (linear within noise)."""
    if slope <= AIM_EXPONENT:
        return "met"
    if slope <= AIM_EXPONENT + EXPONENT_BORDERLINE:
        return f"borderline (within {EXPONENT_BORDERLINE} of linear)"
    return "MISSED"


def _times(ratio: float) -> str:
    """A ratio as ``0.58x``, ``4.2x`` or ``172x``."""
    return f"{ratio:.2f}x" if ratio < 1 else f"{ratio:.1f}x" if ratio < 10 else f"{ratio:.0f}x"


def _anchor_run(median_ms: float) -> str:
    lo, hi = FLOOR_MS
    return (
        f"{_times(ANCHOR_RUN_MS / median_ms)} faster than the ~{ANCHOR_RUN_MS:.0f} ms start; "
        f"{_times(median_ms / hi)}-{_times(median_ms / lo)} the {lo:.0f}-{hi:.0f} ms numpy floor"
    )


def _slopes(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    if "scaling" not in results:
        return {}
    return results.get("slopes") or speed.scaling_slopes(results["scaling"])


def _slope_text(fits: dict[str, Any]) -> str:
    """``CPU b (segments ...); wall b (...)`` for one series."""
    out = []
    for figure in ("cpu", "wall"):
        fit = fits[figure]
        segs = ", ".join(f"{x:.2f}" for x in fit["segments"])
        out.append(f"{'CPU' if figure == 'cpu' else 'wall'} {fit['slope']:.2f} (segments {segs})")
    return "; ".join(out)


def summary_rows(results: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Issue 11's aims, each with its measured figure and the anchors."""
    full = results["mode"] == "full"
    head = ["issue 11", "aim", "measured", "against the anchors", "status"]
    rows: list[list[str]] = []
    pooled = _per_run_pooled(results)
    if pooled:
        rows.append(
            [
                f"one flagship run (table A; {pooled['runs']} runs, both strategies)",
                f"median <= {AIM_RUN_MS:.0f} ms",
                f"median {pooled['wall_median']:.1f} ms (IQR {pooled['wall_q1']:.1f}-"
                f"{pooled['wall_q3']:.1f}); CPU {pooled['cpu_median']:.1f} ms",
                _anchor_run(pooled["wall_median"]),
                _status(pooled["wall_median"], AIM_RUN_MS),
            ]
        )
    else:
        rows.append(["one flagship run", f"median <= {AIM_RUN_MS:.0f} ms", "not run", "", "-"])
    reps = results.get("plan", FULL).get("cli_reps", FULL["cli_reps"])
    judged = full and reps == FULL["cli_reps"]
    for what, label, aim in (
        ("flagship", "flagship end to end, `ssisim run`, 2 workers", AIM_FLAGSHIP_SECONDS),
        ("flagship_no_figures", "the same with `--no-figures`", None),
    ):
        r = _cli(results, what)
        if r is None:
            continue
        rows.append(
            [
                f"{label} (table B; {reps} replications)",
                "-" if aim is None else f"<= {aim:.0f} s",
                f"{r['best_seconds']:.1f} s (best of {r['repeats']})",
                (
                    f"{_times(ANCHOR_FLAGSHIP_SECONDS / r['best_seconds'])} faster than "
                    f"{ANCHOR_FLAGSHIP_SECONDS} s at the start"
                    if judged
                    else f"{ANCHOR_FLAGSHIP_SECONDS} s at the start, for 100 replications"
                ),
                "-" if aim is None else _status(r["best_seconds"], aim, judged),
            ]
        )
    r = _cli(results, "help")
    if r is not None:
        lo, hi = ANCHOR_HELP_SECONDS
        rows.append(
            [
                "`ssisim --help` (table B)",
                "-",
                f"{r['best_seconds']:.2f} s (best of {r['repeats']})",
                f"{lo}-{hi} s at the start",
                "-",
            ]
        )
    r = _cli(results, "calibrate")
    if r is not None:
        quick = "--quick" in r["command"]
        failed = r["exit_statuses"][-1] != 0
        rows.append(
            [
                "`ssisim calibrate" + (" --quick`" if quick else "`, full plan") + " (table B)",
                f"full <= {AIM_CALIBRATE_SECONDS:.0f} s",
                f"{r['best_seconds']:.1f} s" + (" (a calibration target failed)" if failed else ""),
                "",
                _status(r["best_seconds"], AIM_CALIBRATE_SECONDS, not quick),
            ]
        )
    names = {
        "population": "population size (C1)",
        "weeks": "weeks (C2)",
        "network": "the seller's network size (C3)",
    }
    for axis, fits in _slopes(results).items():
        if not fits:
            continue
        worst = max(f["cpu"]["slope"] for f in fits.values())
        rows.append(
            [
                f"exponent of the per-run cost in {names[axis]}",
                f"<= {AIM_EXPONENT:.0f}",
                ", ".join(f"{name} {f['cpu']['slope']:.2f}" for name, f in fits.items())
                + " (CPU; wall "
                + ", ".join(f"{f['wall']['slope']:.2f}" for f in fits.values())
                + ")",
                "",
                _exponent_status(worst),
            ]
        )
    return head, rows


def aim_lines(results: dict[str, Any]) -> list[str]:
    lines = []
    full = results["mode"] == "full"
    pooled = _per_run_pooled(results)
    if pooled:
        lines.append(
            f"one flagship run, median at most {AIM_RUN_MS:.0f} ms: "
            + _aim(pooled["wall_median"], AIM_RUN_MS, "ms")
            + f"; {_anchor_run(pooled['wall_median'])}"
        )
    r = _cli(results, "flagship")
    reps = results.get("plan", FULL).get("cli_reps", FULL["cli_reps"])
    if r and full and reps == FULL["cli_reps"]:
        lines.append(
            f"flagship end to end (`ssisim run`, {reps} replications, 2 workers, figures), "
            f"at most {AIM_FLAGSHIP_SECONDS:.0f} s: "
            + _aim(r["best_seconds"], AIM_FLAGSHIP_SECONDS, "s")
        )
    elif r:
        est = r["best_seconds"] * FULL["cli_reps"] / reps
        lines.append(
            f"flagship end to end (at most {AIM_FLAGSHIP_SECONDS:.0f} s for {FULL['cli_reps']} "
            f"replications) is judged on the full run; this run's {reps} replications took "
            f"{r['best_seconds']:.1f} s (linear extrapolation ~{est:.0f} s, pessimistic: "
            "start-up costs do not grow)"
        )
    two = [x for x in results["flagship"] if x.get("workers") == 2 and "error" not in x]
    if two:
        lines.append(
            f"of which simulation: run_replications alone, {two[0]['replications']} replications "
            f"on 2 workers (pool start-up and populations included), took "
            f"{two[0]['wall_seconds']:.1f} s"
        )
    r = _cli(results, "calibrate")
    if r and "--quick" not in r["command"]:
        lines.append(
            f"`ssisim calibrate` full, at most {AIM_CALIBRATE_SECONDS:.0f} s: "
            + _aim(r["best_seconds"], AIM_CALIBRATE_SECONDS, "s")
        )
    elif r:
        lines.append(
            f"`ssisim calibrate` (at most {AIM_CALIBRATE_SECONDS:.0f} s) is judged on the full "
            f"run; `{r['command']}` took {r['best_seconds']:.1f} s"
        )
    for axis, fits in _slopes(results).items():
        for name, f in fits.items():
            fit = f["cpu"]
            verdict = _exponent_status(fit["slope"])
            lines.append(
                f"exponent of the per-run CPU cost in {axis}, {name}, at most {AIM_EXPONENT:.0f}: "
                f"{verdict} (slope {fit['slope']:.2f}; last segment {fit['segments'][-1]:.2f}; "
                f"x from {fit['x'][0]:,.0f} to {fit['x'][-1]:,.0f}; wall slope "
                f"{f['wall']['slope']:.2f})"
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


def _rows_per_run(cases: list[dict[str, Any]]) -> tuple[list[str], list[list[str]]]:
    """One row per (point, strategy) of ``runs`` cases."""
    head = [
        "point",
        "strategy",
        "members",
        "weeks",
        "runs",
        "wall ms median",
        "wall IQR",
        "CPU ms median",
        "CPU IQR",
        "CPU / wall",
        "events/run",
        "SimPy steps",
        "us/event",
        "first run ms",
        "connections",
        "load before",
    ]
    rows = []
    for case in cases:
        if "error" in case:
            rows.append(["error: " + case["error"]] + [""] * (len(head) - 1))
            continue
        for p in case["points"]:
            for s in p["strategies"]:
                load = case.get("load_average_before")
                rows.append(
                    [
                        p["label"],
                        s["strategy"],
                        f"{p['members']:,}",
                        str(p["weeks"]),
                        str(s["runs"]),
                        f"{s['wall_ms_median']:.1f}",
                        f"{s['wall_ms_q1']:.1f}-{s['wall_ms_q3']:.1f}",
                        f"{s['cpu_ms_median']:.1f}",
                        f"{s['cpu_ms_q1']:.1f}-{s['cpu_ms_q3']:.1f}",
                        f"{s['cpu_ms_median'] / s['wall_ms_median']:.2f}",
                        f"{s['events_median']:,.0f}",
                        "-"
                        if s["simpy_kernel_events_rep0"] is None
                        else f"{s['simpy_kernel_events_rep0']:,}",
                        "-" if s["us_per_event"] is None else f"{s['us_per_event']:.1f}",
                        f"{s['warmup_ms']:,.0f}",
                        f"{s['connections_mean']:,.0f}",
                        "-" if load is None else f"{load:.2f}",
                    ]
                )
    return head, rows


def _rows_cli(results: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    head = ["command", "repeats", "best s", "median s", "all s", "load before", "files", "exit"]
    rows = []
    for r in results.get("cli", []):
        if "error" in r:
            cmd = "ssisim " + " ".join(r.get("argv", []))
            rows.append([cmd, "error: " + r["error"]] + [""] * (len(head) - 2))
            continue
        loads = [x for x in r["load_average_before_each"] if x is not None]
        rows.append(
            [
                f"`{r['command']}`",
                str(r["repeats"]),
                f"{r['best_seconds']:.2f}",
                f"{r['median_seconds']:.2f}",
                ", ".join(f"{x:.1f}" for x in r["seconds"]),
                ", ".join(f"{x:.2f}" for x in loads) or "-",
                f"{r['files_written']}",
                ",".join(str(x) for x in r["exit_statuses"]),
            ]
        )
    return head, rows


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
    out = [
        (
            "A. Per-run cost: one 52-week run of the flagship (20,000 members) through "
            "simulate(), population built once, one untimed warm-up run per strategy "
            "(first run ms), then replications timed one by one",
            _rows_per_run(results.get("per_run", [])),
        ),
        (
            "B. The command line end to end, as a subprocess (imports, population, runs, "
            "files, figures); best of the repeats",
            _rows_cli(results),
        ),
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
    scaling = results.get("scaling", {})
    titles = {
        "population": "C1. Scaling in population size: the flagship's strategies, 52 weeks",
        "weeks": "C2. Scaling in weeks: the flagship's strategies, 20,000 members",
        "network": "C3. Scaling in the seller's network size: invitations a week uncapped "
        "(platform.invite_cap_per_week null), one process per strategy; x = connections "
        "at the last week",
    }
    for axis in SCALING_AXES:
        if scaling.get(axis):
            out.append((titles[axis], _rows_per_run(scaling[axis])))
    if results.get("long"):
        out.append(
            (
                "C4. The issue's case: the built-in industrial routine uncapped, "
                "200,000 members, 78 weeks",
                _rows_per_run(results["long"]),
            )
        )
    return out


def _parallel_line(results: dict[str, Any]) -> str:
    p = results.get("parallel")
    if not p:
        return "3. Parallel efficiency 1 -> 2 workers: not measured"
    return (
        f"3. Parallel efficiency 1 -> 2 workers on the flagship workload: (t1 / t2) / 2 = "
        f"({p['t1_seconds']:.1f} / {p['t2_seconds']:.1f}) / 2 = {p['efficiency']:.2f} "
        f"(speed-up {p['speedup']:.2f}x)"
    )


def _slope_lines(results: dict[str, Any]) -> list[str]:
    out = []
    for axis, fits in _slopes(results).items():
        for name, fit in fits.items():
            out.append(f"slope in {axis}, {name}: {_slope_text(fit)}")
    return out


def report_text(results: dict[str, Any]) -> str:
    m = results["machine"]
    end = m.get("load_average_at_end")
    parts = [
        f"ssisim benchmarks ({results['mode']} run)",
        "machine: " + machine_line(m) + (f"; load average at end {end[0]:.2f}" if end else ""),
        "",
        "Issue 11 (speed), aims and anchors:",
        common.text_table(*summary_rows(results)),
        "",
    ]
    for title, (head, rows) in _sections(results):
        parts += [title, common.text_table(head, rows), ""]
    parts += ["Log-log slopes of the median per-run CPU and wall time (tables C1-C3):"]
    parts += [f"  {x}" for x in _slope_lines(results)] + [""]
    parts += [_parallel_line(results), "", "Aims:"] + [f"  - {x}" for x in aim_lines(results)]
    return "\n".join(parts)


def report_markdown(results: dict[str, Any]) -> str:
    parts = [
        f"Machine: {machine_line(results['machine'])}. Mode: {results['mode']}.",
        "",
        "**Issue 11 (speed): aims, measured figures and the anchors**",
        "",
        common.md_table(*summary_rows(results)),
        "",
    ]
    for title, (head, rows) in _sections(results):
        parts += [f"**{title}**", "", common.md_table(head, rows), ""]
    slopes = _slope_lines(results)
    if slopes:
        parts += ["**Log-log slopes of the median per-run CPU and wall time (tables C1-C3)**", ""]
        parts += [f"- {x}" for x in slopes] + [""]
    parts += [f"**{_parallel_line(results)}**", "", "Aims:", ""] + [
        f"- {x}" for x in aim_lines(results)
    ]
    return "\n".join(parts) + "\n"


def _failed(results: dict[str, Any]) -> bool:
    lists = [results.get(k, []) for k in ("per_run", "cli", "flagship", "population", "networkx")]
    lists += [*results.get("scaling", {}).values(), results.get("long", [])]
    return any("error" in r for cases in lists for r in cases)


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

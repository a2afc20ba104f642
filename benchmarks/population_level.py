#!/usr/bin/env python
"""Benchmark of the population-level model: every member's weekly activity and score.

Run from the repository root, in the project's environment::

    python benchmarks/population_level.py            # the full run: about 3 minutes
    python benchmarks/population_level.py --quick    # up to 100,000 members: under a minute
    python benchmarks/population_level.py --report benchmarks/out/population_level.json

Cases, each in a fresh process (this script with ``--case``), on populations
built with default parameters (seed 2024), 52 weeks:

1. :func:`ssisim.population.members.score_members` with ``keep_weeks=False`` at 10,000,
   30,000, 100,000, 300,000 and 1,000,000 members (``--quick``: up to
   100,000): throughput in member-weeks a second of CPU time (one core: numpy
   runs single-threaded here) and of wall time, and beside it, in the same
   process, a bare numpy loop drawing the same random numbers (the same
   Generator calls, from the same state, without scoring or averaging). The
   population build is not counted. Best of 3 up to 100,000 members, 1 run
   above.
2. How the cost grows: the slope of log(CPU seconds) against log(members)
   from 10,000 members up, by least squares (1 = linear).
3. Peak memory: at 50,000 members, a worker's whole process
   (``ru_maxrss``: the population build, then :func:`members_for`, which keeps
   every week) and the scoring's own allocations (``tracemalloc`` peak); at
   1,000,000 members with ``keep_weeks=False`` the same figures.

Aims: at least 3 million member-weeks a second on one core at 100,000 and
1,000,000 members; cost no faster than linear (slope at most 1.1, measurement
noise allowed); under 0.5 GiB per worker at 50,000 members.

Results: a table on stdout, JSON in ``benchmarks/out/population_level.json``
(``population_level-quick.json`` with ``--quick``) and a Markdown twin.
"""

from __future__ import annotations

import gc
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import common
from common import ROOT, GiB, MiB, machine, machine_line

DEFAULT_OUT = ROOT / "benchmarks" / "out" / "population_level.json"
POPULATION_SEED = 2024
ACTIVITY_SEED = 7
WEEKS = 52

AIM_MEMBER_WEEKS_PER_SECOND = 3e6
AIM_SIZES = (100_000, 1_000_000)
AIM_SLOPE = 1.1
AIM_WORKER_BYTES = GiB // 2
MEMORY_SIZE = 50_000

FULL = {"sizes": (10_000, 30_000, 100_000, 300_000, 1_000_000), "memory": (50_000, 1_000_000)}
QUICK = {"sizes": (10_000, 30_000, 100_000), "memory": (50_000,)}
CASE_TIMEOUT_SECONDS = 1800


def _maxrss_bytes() -> int:
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(value if sys.platform == "darwin" else value * 1024)


def _scenario(size: int) -> Any:
    from ssisim.scenario.loading import parse_scenario

    return parse_scenario(
        f"name: bench-members\nweeks: {WEEKS}\npopulation: {{size: {size}}}\nstrategies: [inactive]\n"
    )


def _population(sc: Any) -> tuple[Any, float]:
    import numpy as np

    from ssisim.population.build import build_population

    started = time.perf_counter()
    pop = build_population(sc.population, np.random.default_rng(POPULATION_SEED))
    return pop, time.perf_counter() - started


# --------------------------------------------------------------------------- cases (child side)


def bare_loop(population: Any, scenario: Any, weeks: int) -> float:
    """CPU seconds of a numpy loop drawing what :func:`score_members` draws each week.

    The same Generator calls, from the same state (the setup draws are made
    first, untimed), with nothing else: no averaging, no scoring.
    """
    import numpy as np

    from ssisim.population.members import _build  # the rates the model draws with

    rng = np.random.default_rng(ACTIVITY_SEED)
    model = _build(population, scenario, rng)
    sessions_rate, posts_rate = model.sessions_rate, model.posts_rate
    per_post = model.engagement_per_post
    started = time.process_time()
    for _ in range(weeks):
        rng.poisson(sessions_rate)
        posts = rng.poisson(posts_rate)
        posted = np.flatnonzero(posts)
        rng.poisson(posts[posted] * per_post[posted])
    return time.process_time() - started


def case_throughput(size: int, repeats: int) -> dict[str, Any]:
    """score_members(keep_weeks=False) over 52 weeks, and the bare loop beside it."""
    import numpy as np

    from ssisim.population.members import score_members

    sc = _scenario(size)
    pop, build_seconds = _population(sc)
    cpu, wall, bare = [], [], []
    for _ in range(repeats):
        gc.collect()
        rng = np.random.default_rng(ACTIVITY_SEED)
        c0, w0 = time.process_time(), time.perf_counter()
        scores = score_members(pop, sc, rng, weeks=WEEKS, keep_weeks=False)
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - w0)
        del scores
        bare.append(bare_loop(pop, sc, WEEKS))
    member_weeks = pop.n * WEEKS
    return {
        "case": "throughput",
        "members": pop.n,
        "weeks": WEEKS,
        "repeats": repeats,
        "build_seconds": build_seconds,
        "cpu_seconds": min(cpu),
        "wall_seconds": min(wall),
        "all_cpu_seconds": cpu,
        "member_weeks_per_cpu_second": member_weeks / min(cpu),
        "member_weeks_per_wall_second": member_weeks / min(wall),
        "bare_cpu_seconds": min(bare),
        "bare_member_weeks_per_cpu_second": member_weeks / min(bare),
        "peak_bytes": _maxrss_bytes(),
    }


def case_memory(size: int) -> dict[str, Any]:
    """Peak memory: the process (build + scoring) and the scoring's own allocations."""
    import numpy as np

    from ssisim.population.cache import members_for
    from ssisim.population.members import score_members
    from ssisim.seeds import activity_seed

    sc = _scenario(size)
    pop, _ = _population(sc)
    gc.collect()
    after_build = _maxrss_bytes()
    keep = size <= MEMORY_SIZE
    tracemalloc.start()
    if keep:  # what a worker does: every week kept, for the weekly ranks
        scores = members_for(pop, sc)
    else:
        scores = score_members(pop, sc, np.random.default_rng(activity_seed(sc)), keep_weeks=False)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    kept_bytes = scores.ssi.nbytes + scores._sorted.nbytes
    return {
        "case": "memory",
        "members": pop.n,
        "keep_weeks": keep,
        "peak_after_build_bytes": after_build,
        "peak_bytes": _maxrss_bytes(),
        "scoring_traced_peak_bytes": traced_peak,
        "kept_scores_bytes": kept_bytes,
        "population_array_bytes": sum(
            v.nbytes for v in vars(pop).values() if isinstance(v, np.ndarray)
        ),
    }


CASES: dict[str, Callable[..., dict[str, Any]]] = {
    "throughput": case_throughput,
    "memory": case_memory,
}


# --------------------------------------------------------------------------- orchestration


def run_case(name: str, **kwargs: Any) -> dict[str, Any]:
    """Run one case in a fresh interpreter and return its figures (or its error)."""
    return common.run_case(__file__, name, kwargs, CASE_TIMEOUT_SECONDS)


def slope(sizes: list[int], seconds: list[float]) -> float:
    """Least-squares slope of log(seconds) against log(size): 1 is linear."""
    import numpy as np

    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


def benchmark(quick: bool) -> dict[str, Any]:

    plan = QUICK if quick else FULL
    results: dict[str, Any] = {
        "mode": "quick" if quick else "full",
        "machine": machine(),
        "aims": {
            "member_weeks_per_cpu_second": AIM_MEMBER_WEEKS_PER_SECOND,
            "at_sizes": list(AIM_SIZES),
            "max_slope": AIM_SLOPE,
            "worker_peak_bytes_at_50000": AIM_WORKER_BYTES,
        },
        "throughput": [],
        "memory": [],
    }
    steps = [
        (
            "throughput",
            f"score_members, {n:,} members",
            {"size": n, "repeats": 3 if n <= 100_000 else 1},
        )
        for n in plan["sizes"]
    ] + [("memory", f"peak memory, {n:,} members", {"size": n}) for n in plan["memory"]]
    for i, (name, label, kwargs) in enumerate(steps, 1):
        print(f"[{i}/{len(steps)}] {label} ...", file=sys.stderr, flush=True)
        result = run_case(name, **kwargs)
        if "error" in result:
            print(f"    FAILED: {result['error']}", file=sys.stderr, flush=True)
        results[name].append(result)
    ok = [r for r in results["throughput"] if "error" not in r]
    if len(ok) >= 2:
        results["slope"] = slope([r["members"] for r in ok], [r["cpu_seconds"] for r in ok])
        results["slope_bare"] = slope(
            [r["members"] for r in ok], [r["bare_cpu_seconds"] for r in ok]
        )
    return results


# --------------------------------------------------------------------------- reporting


def _table(head: list[str], rows: list[list[str]], markdown: bool = False) -> str:
    return common.md_table(head, rows) if markdown else common.text_table(head, rows)


def _throughput_rows(results: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    head = [
        "members",
        "CPU s",
        "wall s",
        "member-weeks/s (CPU)",
        "member-weeks/s (wall)",
        "bare loop member-weeks/s",
        "ssisim / bare",
        "pop. build s",
    ]
    rows = []
    for r in results["throughput"]:
        if "error" in r:
            rows.append([f"{r.get('size', 0):,}", "error: " + r["error"]] + [""] * (len(head) - 2))
            continue
        rows.append(
            [
                f"{r['members']:,}",
                f"{r['cpu_seconds']:.2f}",
                f"{r['wall_seconds']:.2f}",
                f"{r['member_weeks_per_cpu_second'] / 1e6:.2f} M",
                f"{r['member_weeks_per_wall_second'] / 1e6:.2f} M",
                f"{r['bare_member_weeks_per_cpu_second'] / 1e6:.1f} M",
                f"{r['member_weeks_per_cpu_second'] / r['bare_member_weeks_per_cpu_second']:.2f}",
                f"{r['build_seconds']:.2f}",
            ]
        )
    return head, rows


def _memory_rows(results: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    head = [
        "members",
        "weeks kept",
        "process peak MiB",
        "after build MiB",
        "scoring traced peak MiB",
        "kept scores MiB",
    ]
    rows = []
    for r in results["memory"]:
        if "error" in r:
            rows.append([f"{r.get('size', 0):,}", "error: " + r["error"]] + [""] * (len(head) - 2))
            continue
        rows.append(
            [
                f"{r['members']:,}",
                "all" if r["keep_weeks"] else "last",
                f"{r['peak_bytes'] / MiB:,.0f}",
                f"{r['peak_after_build_bytes'] / MiB:,.0f}",
                f"{r['scoring_traced_peak_bytes'] / MiB:,.0f}",
                f"{r['kept_scores_bytes'] / MiB:,.0f}",
            ]
        )
    return head, rows


def aim_lines(results: dict[str, Any]) -> list[str]:
    lines = []
    for r in results["throughput"]:
        if "error" in r or r["members"] not in AIM_SIZES:
            continue
        v = r["member_weeks_per_cpu_second"]
        verdict = "met" if v >= AIM_MEMBER_WEEKS_PER_SECOND else "MISSED"
        lines.append(
            f"at least {AIM_MEMBER_WEEKS_PER_SECOND / 1e6:.0f} M member-weeks/s on one core at "
            f"{r['members']:,} members: {verdict} ({v / 1e6:.2f} M)"
        )
    if "slope" in results:
        s = results["slope"]
        sizes = [r["members"] for r in results["throughput"] if "error" not in r]
        lines.append(
            f"cost no faster than linear, {min(sizes):,} to {max(sizes):,} members: "
            f"{'met' if s <= AIM_SLOPE else 'MISSED'} (log-log slope {s:.3f}, aim <= {AIM_SLOPE}; "
            f"bare loop {results['slope_bare']:.3f})"
        )
    for r in results["memory"]:
        if "error" in r or r["members"] != MEMORY_SIZE:
            continue
        b = r["peak_bytes"]
        lines.append(
            f"under {AIM_WORKER_BYTES / GiB:.1f} GiB per worker at {MEMORY_SIZE:,} members: "
            f"{'met' if b < AIM_WORKER_BYTES else 'MISSED'} ({b / MiB:,.0f} MiB, population "
            "build and every week kept included)"
        )
    if not any(r.get("members") in AIM_SIZES and "error" not in r for r in results["throughput"]):
        lines.append("throughput aims not measured in this run")
    return lines


def report(results: dict[str, Any], markdown: bool = False) -> str:

    bold = (lambda s: f"**{s}**") if markdown else (lambda s: s)
    parts = [
        f"ssisim population-level benchmark ({results['mode']} run)",
        "machine: " + machine_line(results["machine"]),
        "",
        bold(
            f"1. score_members, {WEEKS} weeks, keep_weeks=False, default population "
            "(build not counted); bare loop = the same random draws alone"
        ),
        "",
        _table(*_throughput_rows(results), markdown=markdown),
        "",
        bold(
            "2. Peak memory: ru_maxrss of the process (build, then members_for keeping every "
            "week at 50,000; keep_weeks=False at 1,000,000) and tracemalloc peak of the scoring"
        ),
        "",
        _table(*_memory_rows(results), markdown=markdown),
        "",
        "Aims:",
        *[f"  - {x}" if not markdown else f"- {x}" for x in aim_lines(results)],
    ]
    return "\n".join(parts) + "\n"


def _failed(results: dict[str, Any]) -> bool:
    if any("error" in r for key in ("throughput", "memory") for r in results[key]):
        return True
    return any("MISSED" in line for line in aim_lines(results))


def main(argv: list[str] | None = None) -> int:
    return common.main(
        argv,
        doc=__doc__,
        cases=CASES,
        benchmark=benchmark,
        text=report,
        markdown=lambda results: report(results, markdown=True),
        failed=_failed,
        default_out=DEFAULT_OUT,
    )


if __name__ == "__main__":
    sys.exit(main())

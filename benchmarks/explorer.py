"""How fast the explorer answers: the first picture, and an update after a change (warm).

An update is what the page does after a slider moves: every run of the
page's scenario (at the explorer's default size, two strategies), the
picture's tables (bands, outcomes, paired verdicts) and the network traces.
Measured for a persistent pool of worker processes and for runs in this
process, so the faster one can be the default; the CPU time of an
in-process update is what it takes on one idle core, whatever the load. ``--browser`` also measures
the whole loop in headless Chromium (Debian's ``/usr/bin/chromium``): from a
slider's key press to the page showing the new numbers.

    python benchmarks/explorer.py                 # 2 strategies, default size and replications
    python benchmarks/explorer.py --updates 10 --browser
    python benchmarks/explorer.py --size 20000 --reps 5

The machine's load average is printed with the figures: on a shared machine
they vary with it.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from ssisim.explore.model import DEFAULT_REPLICATIONS, DEFAULT_SIZE, Explorer
from ssisim.explore.runs import Runner

CHROMIUM = Path("/usr/bin/chromium")


def _update(ex: Explorer, runner: Runner, posts: float) -> tuple[float, float]:
    """Change a routine, run, and build the picture's tables: (wall, CPU of this process) seconds."""
    ex.set_routine("club-select", "posts_per_week", posts)
    started, cpu = time.perf_counter(), time.process_time()
    sc = ex.scenario()
    picture = ex.picture(sc, runner.run(sc), 0.0)
    picture.hidden()
    picture.numbers(sc.weeks)
    return time.perf_counter() - started, time.process_time() - cpu


def measure(workers: int, size: int, reps: int, updates: int) -> dict[str, Any]:
    """First picture from a cold start (workers started here), then warm updates."""
    ex = Explorer(size=size, replications=reps)
    started = time.perf_counter()
    runner = Runner(workers)
    try:
        sc = ex.scenario()
        picture = ex.picture(sc, runner.run(sc), 0.0)
        picture.hidden()
        first = time.perf_counter() - started
        measured = [_update(ex, runner, 3.0 + 0.5 * (i + 1)) for i in range(updates)]
    finally:
        runner.close()
    times = [wall for wall, _ in measured]
    return {
        "executor": runner.description(),
        "first": first,
        "median": statistics.median(times),
        "max": max(times),
        "cpu": statistics.median(cpu for _, cpu in measured) if workers == 1 else None,
        "runs": len(sc.strategies) * sc.replications,
    }


def measure_browser(size: int, reps: int, updates: int) -> dict[str, Any]:
    """Key press on a slider -> new numbers on the page, in headless Chromium."""
    from playwright.sync_api import sync_playwright

    from ssisim.explore.app import AppState, serve_in_thread

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from test_explore_browser import ARGS, FIND, _slider_handle, _wait_ready

    ex = Explorer(size=size, replications=reps)
    runner = Runner(0)
    state = AppState(ex.base, runner, size=size, replications=reps)
    primed = state.prime()  # as `ssisim explore` does before it serves
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    thread = serve_in_thread(state, port)
    times = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(120_000)
            started = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}/")
            page.evaluate(FIND)
            run = int(_wait_ready(page)["run"])
            first = time.perf_counter() - started
            handle = _slider_handle(page, "Posts a week")
            for _ in range(updates):
                handle.focus()
                t0 = time.perf_counter()
                handle.press("ArrowRight")
                run = int(_wait_ready(page, run)["run"])
                times.append(time.perf_counter() - t0)
            browser.close()
    finally:
        thread.stop()
        runner.close()
    return {
        "executor": f"page, {runner.description()}",
        "primed": primed,
        "first": first,
        "median": statistics.median(times),
        "max": max(times),
        "cpu": None,
        "runs": 2 * reps,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE)
    parser.add_argument("--reps", type=int, default=DEFAULT_REPLICATIONS)
    parser.add_argument("--updates", type=int, default=5, help="warm updates to time")
    parser.add_argument("--browser", action="store_true", help="also time the page itself")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(
        f"explorer: {args.size:,} members, {args.reps} replications x 2 strategies, 52 weeks; "
        f"{cores} cores, load average {os.getloadavg()[0]:.1f} at start",
        flush=True,
    )
    rows = [measure(w, args.size, args.reps, args.updates) for w in (0, 1)]
    if args.browser:
        if CHROMIUM.is_file():
            rows.append(measure_browser(args.size, args.reps, args.updates))
        else:
            print(f"--browser: {CHROMIUM} is missing; skipped", file=sys.stderr)
    print(
        f"{'executor':<34} {'first picture':>14} {'update median':>14} {'update max':>11} "
        f"{'update CPU':>11}"
    )
    for r in rows:
        cpu = f"{r['cpu']:>9.2f} s" if r["cpu"] is not None else f"{'':>11}"
        print(
            f"{r['executor']:<34} {r['first']:>12.2f} s {r['median']:>12.2f} s "
            f"{r['max']:>9.2f} s {cpu}"
        )
    for r in rows:
        if "primed" in r:
            print(
                f"page: the first settings ran at start-up in {r['primed']:.2f} s (before serving, "
                "as `ssisim explore` does); its first picture is the first page's load and draw"
            )
    print(
        "update CPU: this process's CPU time for an in-process update, what the update takes "
        "on one idle core"
    )
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()

"""What a Session saves: several short calls on kept workers against separate calls.

Four scenarios (the flagship at 2 replications, the boost at four values)
run as four ``ssisim.run_replications(sc, workers=2)`` calls, then in one
``ssisim.Session(workers=2)``; each mode in a fresh process, cold (nothing
run yet) and warm (after a first tiny run, as in a notebook that has run
once). The records are the same (tests/test_engine.py); only the time
differs.

    python benchmarks/session.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

PATH = "scenarios/open-bar-vs-club-select.yaml"
BOOSTS = (0.0, 0.2, 0.5, 1.0)


def _one(mode: str) -> float:
    import ssisim

    def scenarios() -> list[ssisim.Scenario]:
        return [
            ssisim.load_scenario(PATH, ["replications=2", f"platform.boost_reach={b}"])
            for b in BOOSTS
        ]

    if mode.endswith("warm"):
        ssisim.run_replications(
            ssisim.load_scenario(PATH, ["replications=1", "weeks=1"]), workers=2
        )
    started = time.perf_counter()
    if mode.startswith("calls"):
        for sc in scenarios():
            ssisim.run_replications(sc, workers=2)
    else:
        with ssisim.Session(workers=2) as session:
            for sc in scenarios():
                session.run(sc)
    return time.perf_counter() - started


def main() -> None:
    if len(sys.argv) > 1:  # a child: one mode, its seconds on stdout
        print(f"{_one(sys.argv[1]):.2f}")
        return
    print(f"4 calls x 4 runs, 2 workers; load average {os.getloadavg()[0]:.1f} at start")
    for mode in ("calls", "session", "calls-warm", "session-warm"):
        out = subprocess.run(
            [sys.executable, __file__, mode], capture_output=True, text=True, check=True
        )
        print(f"{mode:<13} {float(out.stdout.strip().splitlines()[-1]):5.1f} s")


if __name__ == "__main__":
    main()

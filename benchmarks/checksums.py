"""Checksums of the results a refactoring must leave unchanged, to the byte.

Runs the flagship, the debate scenario, the quick calibration, a sweep, a
sensitivity analysis, a team and a cohort through the command line, then prints
(or writes with ``--out``) the SHA-256 of every result table. Compare two
recordings with ``--compare OLD.json``: exit status 1 names every file that
differs.

    python benchmarks/checksums.py --out benchmarks/out/checksums-before.json
    ... change the code ...
    python benchmarks/checksums.py --compare benchmarks/out/checksums-before.json

The manifests are left out: they record the time and the command line.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# name -> (command after `ssisim`, result files to hash)
CASES: dict[str, tuple[list[str], list[str]]] = {
    "flagship": (
        ["run", "scenarios/open-bar-vs-club-select.yaml", "--no-figures", "-q"],
        ["weekly.csv", "summary.csv", "outcomes.csv", "outcomes_summary.csv"],
    ),
    "quality-vs-quantity": (
        ["run", "scenarios/quality-vs-quantity.yaml", "--reps", "10", "--no-figures", "-q"],
        ["weekly.csv", "summary.csv", "outcomes.csv", "outcomes_summary.csv"],
    ),
    "calibrate-quick": (["calibrate", "--quick", "-q"], ["calibration.csv"]),
    "sweep": (
        ["sweep", "scenarios/sweep-invitations.yaml", "--reps", "3", "--no-figures", "-q"],
        ["summary.csv", "points.csv"],
    ),
    "sensitivity": (
        [
            "sensitivity",
            "scenarios/sensitivity-open-bar.yaml",
            "--samples",
            "8",
            "--no-figures",
            "-q",
        ],
        ["sobol.csv", "tornado.csv", "samples.csv"],
    ),
    "team": (
        ["team", "scenarios/team-leaderboard.yaml", "--reps", "3", "-q"],
        ["weekly.csv", "leaderboard.csv"],
    ),
    "cohort": (
        ["cohort", "scenarios/cohort-45-percent.yaml", "--sellers", "60", "-q"],
        ["sellers.csv", "ratio.csv"],
    ),
}


def record(cases: list[str], ssisim: str) -> dict[str, str]:
    """Run each case into a temporary folder and hash its result files."""
    sums: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in cases:
            args, files = CASES[name]
            out = Path(tmp) / name
            cmd = [ssisim, *args, "--out", str(out)]
            print("+", " ".join(cmd[1:]), file=sys.stderr, flush=True)
            subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
            for f in files:
                sums[f"{name}/{f}"] = hashlib.sha256((out / f).read_bytes()).hexdigest()
    return sums


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, help="write the checksums as JSON here")
    parser.add_argument("--compare", type=Path, help="compare with an earlier recording")
    parser.add_argument("--only", nargs="*", choices=sorted(CASES), help="a subset of cases")
    parser.add_argument("--ssisim", default=str(Path(sys.executable).parent / "ssisim"))
    ns = parser.parse_args()
    sums = record(ns.only or list(CASES), ns.ssisim)
    if ns.out:
        ns.out.parent.mkdir(parents=True, exist_ok=True)
        ns.out.write_text(json.dumps(sums, indent=2, sort_keys=True) + "\n")
    if ns.compare:
        old = json.loads(ns.compare.read_text())
        differ = [k for k in sums if old.get(k) != sums[k]]
        for k in differ:
            print(f"differs: {k}")
        print(f"{len(sums) - len(differ)} of {len(sums)} files identical")
        return 1 if differ else 0
    print(json.dumps(sums, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

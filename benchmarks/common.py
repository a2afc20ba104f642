"""What the benchmark scripts share: the machine they ran on, one case per fresh
interpreter, and plain-text or Markdown tables.

Imported by ``benchmarks/run.py``, ``benchmarks/sweep.py`` and
``benchmarks/population_level.py`` (run as scripts, so this folder is on
``sys.path``).
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MEASURED_PATHS = ("ssisim", "scenarios", "pyproject.toml")  # "dirty" means one of these changed
MiB = 2**20
GiB = 2**30


def machine() -> dict[str, Any]:
    import numpy

    cpu = platform.processor() or platform.machine()
    info: dict[str, str] = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                info.setdefault(key.strip(), value.strip())
    except OSError:
        pass
    cpu = info.get("model name", cpu)
    try:  # "siblings" (threads) per package over "cpu cores" per package
        threads_per_core = int(info["siblings"]) // int(info["cpu cores"])
    except (KeyError, ValueError, ZeroDivisionError):
        threads_per_core = None
    memory = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    memory = int(line.split()[1]) * 1024
                    break
    except OSError:
        pass
    versions: dict[str, str | None] = {
        "python": platform.python_version(),
        "numpy": numpy.__version__,
    }
    for name in ("simpy", "networkx"):
        try:
            from importlib.metadata import version

            versions[name] = version(name)
        except Exception:
            versions[name] = None
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        # only what is measured counts: edits to benchmarks/ or docs do not
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", *MEASURED_PATHS],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split("\n")
        changed = [line[3:] for line in changed if line.strip()]
        dirty = bool(changed)
    except (OSError, subprocess.CalledProcessError):
        commit, dirty, changed = None, None, []
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "threads_per_core": threads_per_core,
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_bytes": memory,
        "versions": versions,
        "platform": platform.platform(),
        "date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_average_at_start": os.getloadavg() if hasattr(os, "getloadavg") else None,
        "git_commit": commit,
        "git_dirty": dirty,
        "git_uncommitted": changed,
    }


def machine_line(m: dict[str, Any]) -> str:
    v = m["versions"]
    mem = f"{m['memory_bytes'] / GiB:.1f} GiB" if m.get("memory_bytes") else "? GiB"
    load = m.get("load_average_at_start")
    code = m.get("git_commit") or "?"
    if m.get("git_dirty"):
        code += " + uncommitted changes to " + ", ".join(m.get("git_uncommitted") or ["ssisim"])
    return (
        f"{m['cpu']}, {m['cores']} cores, {mem} RAM; Python {v['python']}, numpy {v['numpy']}, "
        f"simpy {v.get('simpy')}, networkx {v.get('networkx')}; {m['date']}; ssisim {code}"
        + (f"; load average at start {load[0]:.2f}" if load else "")
    )


def run_case(
    script: str | Path, name: str, kwargs: Mapping[str, Any], timeout_seconds: float
) -> dict[str, Any]:
    """Run case ``name`` of ``script`` in a fresh interpreter; its figures, or its error.

    The script must call :func:`child` when given ``--case SPEC --case-out FILE``.
    """
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "case.json"
        cmd = [
            sys.executable,
            str(Path(script).resolve()),
            "--case",
            json.dumps({"name": name, "kwargs": dict(kwargs)}),
            "--case-out",
            str(out),
        ]
        try:
            proc = subprocess.run(
                cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout_seconds
            )
        except subprocess.TimeoutExpired:
            return {"case": name, **kwargs, "error": f"timed out after {timeout_seconds} s"}
        if proc.returncode != 0 or not out.exists():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
            return {"case": name, **kwargs, "error": f"exit {proc.returncode}: " + " | ".join(tail)}
        result: dict[str, Any] = json.loads(out.read_text())
    return result


def child(cases: Mapping[str, Callable[..., dict[str, Any]]], spec: str, out: str) -> None:
    """The child side of :func:`run_case`: run the case, write its figures as JSON."""
    case = json.loads(spec)
    Path(out).write_text(json.dumps(cases[case["name"]](**case["kwargs"])))


def text_table(head: list[str], rows: list[list[str]]) -> str:
    """Right-aligned columns under a dashed rule."""
    widths = [
        max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(head)
    ]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True))

    return "\n".join([line(head), line(["-" * w for w in widths]), *map(line, rows)])


def _numeric(cell: str) -> bool:
    """A figure ("1,234", "0.5", "-3", "12.5-14.0", "-"), not words."""
    return bool(re.fullmatch(r"[-+]?[\d., ]*\d[\d., e+%x-]*|-|", cell.strip()))


def md_table(head: list[str], rows: list[list[str]]) -> str:
    """A Markdown table, columns of figures right-aligned, columns of words left-aligned."""
    align = [
        "---:" if all(_numeric(r[i]) for r in rows if i < len(r)) else ":---"
        for i in range(len(head))
    ]
    out = ["| " + " | ".join(head) + " |", "|" + "|".join(align) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


def main(
    argv: list[str] | None,
    *,
    doc: str | None,
    cases: Mapping[str, Callable[..., dict[str, Any]]],
    benchmark: Callable[[bool], dict[str, Any]],
    text: Callable[[dict[str, Any]], str],
    markdown: Callable[[dict[str, Any]], str],
    failed: Callable[[dict[str, Any]], bool],
    default_out: Path,
) -> int:
    """The command line every benchmark script shares.

    ``--quick`` shrinks the run; results go to ``--out`` (default
    ``default_out``, or its ``-quick`` twin) as JSON with a Markdown twin;
    ``--report JSON`` re-prints a saved run; ``--case`` is the child side of
    :func:`run_case`. Exit status 1 if ``failed(results)``.
    """
    import argparse

    quick_out = default_out.with_name(f"{default_out.stem}-quick.json")
    parser = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a reduced run, for a first look")
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"JSON results (default {default_out.relative_to(ROOT)}, or {quick_out.name} "
        "with --quick); a .md twin is written beside it",
    )
    parser.add_argument("--report", type=Path, metavar="JSON", help="re-print a saved run and exit")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--case-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.case:
        child(cases, args.case, args.case_out)
        return 0
    if args.report:
        results = json.loads(args.report.read_text())
    else:
        results = benchmark(args.quick)
        out = args.out or (quick_out if args.quick else default_out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2) + "\n")
        out.with_suffix(".md").write_text(markdown(results))
        print(f"wrote {out} and {out.with_suffix('.md')}", file=sys.stderr)
    shown = text(results)
    print(shown, end="" if shown.endswith("\n") else "\n")
    return 1 if failed(results) else 0

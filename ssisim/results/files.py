"""Files: written atomically, CSVs that are the same bytes for the same table, manifests.

Every file ssisim writes appears whole or not at all: it is written under a
hidden temporary name beside its target and renamed (:func:`atomic_file`),
and a results directory is filled under a hidden name and renamed once
complete (:func:`atomic_directory`). CSVs are written without index, floats
as ``%.10g``, ``\n`` line ends, UTF-8, so that the same table gives the
same bytes. Every results directory has a ``manifest.json``
(:func:`manifest`): what produced it.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from ssisim.errors import DataError
from ssisim.scenario.schema import Scenario

__all__ = [
    "MANIFEST_FILE",
    "atomic_directory",
    "atomic_file",
    "atomic_text",
    "atomic_write_bytes",
    "default_output_dir",
    "folder_problem",
    "manifest",
    "public_scenario",
    "write_csv",
    "write_json",
]

MANIFEST_FILE = "manifest.json"

VERSIONED_PACKAGES: tuple[str, ...] = (
    "ssisim", "numpy", "simpy", "networkx", "pandas", "pydantic", "scipy", "seaborn",
    "pyarrow", "dask", "distributed", "SALib",
)  # fmt: skip
"""Packages whose versions every manifest records."""

_FLOAT_FORMAT = "%.10g"


@contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a hidden temporary path beside ``path`` to write; rename it to ``path`` on success.

    A reader never sees half a file; if the block raises, the temporary file
    is removed.
    """
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    if os.path.lexists(tmp):  # a leftover, or a link planted to be written through
        os.unlink(tmp)
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        if exc.filename is not None and os.fspath(exc.filename) == os.fspath(tmp):
            # the file asked for, not the hidden one beside it, in the one-line error
            raise OSError(exc.errno, exc.strerror, os.fspath(path)) from None
        raise
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def atomic_text(path: Path) -> Iterator[Any]:
    """Open a text file (UTF-8) that appears at ``path`` only once complete."""
    with atomic_file(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as handle:
        yield handle


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_file`)."""
    with atomic_file(path) as tmp:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(tmp, flags, 0o644)
        with os.fdopen(fd, "wb") as f:
            f.write(data)


def write_json(path: Path, data: Mapping[str, Any]) -> None:
    """JSON, indented by 2, keys in the given order, UTF-8, written atomically."""
    text = json.dumps(dict(data), indent=2, default=str, ensure_ascii=False) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"))


@contextmanager
def atomic_directory(out_dir: Path) -> Iterator[Path]:
    """Create ``out_dir`` all at once: yield a hidden sibling to fill, then rename it.

    Readers see either no directory or a complete one; if the block raises,
    the sibling is removed and nothing is left behind.

    Raises
    ------
    DataError
        ``out_dir`` already exists (results are never overwritten), or cannot
        be written.
    """
    if out_dir.exists():
        raise DataError(f"{out_dir}: already exists; results are never overwritten")
    tmp = out_dir.parent / f".{out_dir.name}.tmp-{os.getpid()}"
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        if tmp.exists():  # left by a crashed earlier process with the same pid
            shutil.rmtree(tmp)
        tmp.mkdir()
        yield tmp
        # os.rename would silently replace an empty directory created since
        # the check above; refuse that too.
        if out_dir.exists():
            raise DataError(f"{out_dir}: already exists; results are never overwritten")
        os.rename(tmp, out_dir)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        reason = exc.strerror or str(exc)
        raise DataError(f"{out_dir}: cannot write results ({reason})") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_csv(frame: pd.DataFrame, path: Path, header: bool = True) -> None:
    """Write a table as the results' CSV files are written (``%.10g`` floats,
    ``\n`` line ends, UTF-8, no index) to ``path``, or append it to an open
    text file (``header`` False for the parts after the first)."""
    frame.to_csv(
        path,
        index=False,
        header=header,
        float_format=_FLOAT_FORMAT,
        lineterminator="\n",
        encoding="utf-8",
    )


def default_output_dir(
    scenario_name: str, root: Path = Path("results"), now: datetime | None = None
) -> Path:
    """Choose a fresh run directory, ``<root>/<scenario>/<YYYYmmdd-HHMMSS>``.

    If that directory exists, ``-2``, ``-3``, ... is appended to the time stamp
    until the name is free. Nothing is created.

    Parameters
    ----------
    scenario_name : str
        The scenario's name (already a safe file name, see ``Scenario.name``).
    root : Path
        Where runs go; default ``results``, relative to the working directory.
    now : datetime, optional
        The time stamp; default the current local time.

    Returns
    -------
    Path

    Examples
    --------
    >>> from datetime import datetime
    >>> default_output_dir("demo", Path("/tmp/nowhere"), datetime(2025, 3, 1, 9, 30, 5)).as_posix()
    '/tmp/nowhere/demo/20250301-093005'
    """
    stamp = (now if now is not None else datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = Path(root) / scenario_name
    candidate = base / stamp
    suffix = 2
    while candidate.exists():
        candidate = base / f"{stamp}-{suffix}"
        suffix += 1
    return candidate


def public_scenario(scenario: Scenario) -> dict[str, Any]:
    """The resolved scenario as results files record it, without local paths.

    A member file named with ``from:`` is resolved to an absolute path while
    the scenario runs; a results folder records only its file name, so that no
    folder of the member's machine (a home folder's name) leaves with it.
    """
    return _without_paths(scenario.model_dump(mode="json"))


def _public_arg(arg: str) -> str:
    return Path(arg).name if os.path.isabs(arg) else arg


def _without_paths(data: Any) -> Any:
    if isinstance(data, dict):
        return {
            k: Path(v).name if k in ("from_", "from") and isinstance(v, str) else _without_paths(v)
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [_without_paths(v) for v in data]
    return data


def manifest(kind: str, scenario: Scenario, **extra: Any) -> dict[str, Any]:
    """What produced a results directory: kind, resolved scenario, seed, command, versions.

    ``extra`` entries (``run``: workers, timings; anything a command adds)
    follow in the given order.
    """
    packages: dict[str, str | None] = {}
    for name in VERSIONED_PACKAGES:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = None
    return {
        "kind": kind,
        "scenario": public_scenario(scenario),
        "seed": scenario.seed,
        # absolute paths name folders of the user's machine: only their file names are kept
        "command": [Path(sys.argv[0]).name, *(_public_arg(a) for a in sys.argv[1:])],
        "versions": {"python": platform.python_version(), **packages},
        **extra,
    }


def folder_problem(run_dir: Path) -> str | None:
    """Why a folder that looks like results is not a finished results folder, in
    one line (None when nothing is known against it, or it has its
    ``manifest.json``): a member's import (``member.yaml`` and
    ``composition.csv``; its ``weekly.csv`` is the export's), or an experiment
    that did not finish (a ``plan.json`` without ``manifest.json``)."""
    import json
    import shlex

    if (run_dir / MANIFEST_FILE).is_file():  # finished: its kind is the manifest's
        return None
    if (run_dir / "member.yaml").is_file() and (run_dir / "composition.csv").is_file():
        member = shlex.quote(str(run_dir / "member.yaml"))
        return (
            f"{run_dir}: a member's import (`ssisim import`: member.yaml) is not a results "
            f"folder; `ssisim run {member} --report` runs and reports it"
        )
    plan = run_dir / "plan.json"
    if plan.is_file():
        try:
            kind = json.loads(plan.read_text(encoding="utf-8")).get("kind")
        except (OSError, ValueError, AttributeError):
            kind = None
        started = f"a {kind}" if isinstance(kind, str) and kind.isidentifier() else "an experiment"
        return (
            f"{run_dir}: {started} that did not finish (interrupted?): finish it with the "
            f"`ssisim ... --resume {shlex.quote(str(run_dir))}` line it printed when it stopped"
        )
    return None

"""Results on disk as runs finish: chunk files, the plan, atomic writes.

An experiment directory (``ssisim run``, ``sweep`` or ``sensitivity``) holds::

    plan.json                                what was planned; --resume checks it
    weekly/point=000003/s000-r0000010.parquet
                                             one file per chunk: point 3, the
                                             first strategy, replications from 10
    ...                                      the final tables, see ssisim.results.tables

Chunk files are Parquet, partitioned by sweep point (Hive style, so
``pandas.read_parquet(DIR / "weekly")`` reads them all, with ``point`` as a
column). Each holds the swept values as its first columns, then the columns of
:data:`~ssisim.records.WEEKLY_COLUMNS`. Every file is written to a hidden
temporary name and renamed: an interrupted run leaves only complete files,
and a resume runs exactly the chunks whose file is missing. A chunk's bytes
depend only on the chunk (its point, strategy and replications), never on the
worker, the executor or the order in which chunks finished.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from ssisim.engine.plan import Chunk, Plan
from ssisim.errors import DataError, OperationalError, SsisimError
from ssisim.records import WEEKLY_COLUMNS
from ssisim.results.files import atomic_write_bytes, write_json

__all__ = [
    "PLAN_FILE",
    "WEEKLY_DIR",
    "ResultStore",
    "plan_document",
    "read_weekly",
    "refuse_links",
    "remove_leftovers",
]

PLAN_FILE = "plan.json"
WEEKLY_DIR = "weekly"
FORMAT = 1


# --------------------------------------------------------------------------- the plan


def plan_document(kind: str, base: Mapping[str, Any], plan: Plan) -> dict[str, Any]:
    """What a resume must find unchanged: the experiment, its points, its chunks.

    ``base`` is the resolved scenario (``model_dump(mode="json")``); its
    ``execution`` settings are left out (they change how, not what).
    """
    from ssisim import __version__

    scenario = {k: v for k, v in base.items() if k != "execution"}
    return {
        "format": FORMAT,
        "kind": kind,
        "ssisim": __version__,
        "weekly_columns": list(WEEKLY_COLUMNS),
        "chunk_runs": plan.chunk_runs,
        "runs": plan.runs,
        "columns": [list(ck) for ck in plan.column_kinds],
        "scenario": scenario,
        "points": [{"point": p.index, "values": {k: v for k, v in p.values}} for p in plan.points],
    }


def refuse_links(root: Path) -> None:
    """Refuse a results directory that is, or holds, a symbolic link.

    Results are never written through a link: a link planted in a directory
    to resume (a chunk folder, ``figures``, ``summary.csv``) would send the
    writes to its target.

    Raises
    ------
    DataError
        One line naming the first link found.
    """
    root = Path(root)
    if root.is_symlink():
        raise DataError(f"{root}: is a symbolic link; results are never written through links")
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in sorted([*dirs, *files]):
            path = Path(folder) / name
            if path.is_symlink():
                raise DataError(
                    f"{path}: a symbolic link in the results directory; results are never "
                    "written through links (remove it to resume; nothing was written)"
                )


def remove_leftovers(root: Path) -> int:
    """Remove the temporary files (``.NAME.tmp-PID``) an interrupted run left anywhere
    in a results directory; returns how many."""
    removed = 0
    for folder, _dirs, files in os.walk(root, followlinks=False):
        for name in files:
            if name.startswith(".") and ".tmp-" in name:
                with contextlib.suppress(OSError):
                    (Path(folder) / name).unlink()
                    removed += 1
    return removed


def read_plan(root: Path) -> dict[str, Any]:
    """The ``plan.json`` of an experiment directory, to resume it (links refused)."""
    path = Path(root) / PLAN_FILE
    if not Path(root).is_dir():
        raise DataError(f"{root}: no such results directory to resume")
    refuse_links(Path(root))
    if not path.is_file():
        raise DataError(f"{path}: missing; {root} is not a resumable results directory")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: not a readable plan ({exc})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DataError(f"{path}: not a plan of this version of ssisim")
    return data


def _first_difference(a: Any, b: Any, path: str = "") -> str | None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in list(dict.fromkeys([*a, *b])):
            sub = f"{path}.{key}" if path else str(key)
            if key not in a or key not in b:
                return sub
            found = _first_difference(a[key], b[key], sub)
            if found:
                return found
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path} (length {len(a)} against {len(b)})"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            found = _first_difference(x, y, f"{path}.{i}")
            if found:
                return found
        return None
    return None if a == b else path


def _get(data: Any, dotted: str) -> Any:
    node = data
    for part in dotted.split(" ")[0].split("."):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


# --------------------------------------------------------------------------- the store


class ResultStore:
    """An experiment directory: chunk files written as they come, read back in order."""

    def __init__(self, root: Path, plan: Plan) -> None:
        self.root = Path(root)
        self.plan = plan
        self.made: tuple[Path, ...] = ()
        """The folders above ``root`` that :meth:`create` made (``results/NAME``)."""

    @classmethod
    def create(cls, root: Path, plan: Plan, document: Mapping[str, Any]) -> ResultStore:
        """Create a fresh directory (it must not exist) and write its plan."""
        root = Path(root)
        if root.exists():
            raise DataError(f"{root}: already exists; results are never overwritten")
        made = []
        above = root.absolute().parent
        while not above.exists() and above != above.parent:
            made.append(above)
            above = above.parent
        store = cls(root, plan)
        store.made = tuple(made)
        try:
            try:
                root.mkdir(parents=True)
            except FileExistsError:  # made by someone else since the check: never removed
                raise DataError(f"{root}: already exists; results are never overwritten") from None
            (root / WEEKLY_DIR).mkdir()
            write_json(root / PLAN_FILE, document)
        except OSError as exc:
            # without its plan the folder cannot be resumed: nothing is left behind
            store.discard()
            raise OperationalError(
                f"{root}: cannot write results ({exc.strerror or exc})"
            ) from None
        return store

    def discard(self) -> None:
        """Remove the directory, and the folders above it that :meth:`create` made
        if they are still empty: a run that never ran leaves nothing behind."""
        shutil.rmtree(self.root, ignore_errors=True)
        for folder in self.made:  # innermost first
            try:
                folder.rmdir()
            except OSError:  # not empty (another run wrote there meanwhile), or gone
                break

    @classmethod
    def reopen(cls, root: Path, plan: Plan, document: Mapping[str, Any]) -> ResultStore:
        """Reopen a directory to resume it; its plan must be ``document``.

        Raises
        ------
        SsisimError
            The directory holds another experiment: the message names the
            first key that differs.
        """
        stored = read_plan(root)
        where = _first_difference(stored, dict(document))
        if where is not None:
            before, now = _get(stored, where), _get(dict(document), where)
            raise SsisimError(
                f"{Path(root) / PLAN_FILE}: written for another experiment ({where}: "
                f"{json.dumps(before, default=str)} there, {json.dumps(now, default=str)} now); "
                "resume with the same scenario and options"
            )
        remove_leftovers(Path(root))
        (Path(root) / WEEKLY_DIR).mkdir(exist_ok=True)
        return cls(root, plan)

    def chunk_path(self, chunk: Chunk) -> Path:
        first = chunk.replications[0] if chunk.replications else 0
        return (
            self.root
            / WEEKLY_DIR
            / f"point={chunk.point:06d}"
            / f"s{chunk.strategy:03d}-r{first:07d}.parquet"
        )

    def write(self, chunk: Chunk, data: bytes) -> None:
        """Write a finished chunk's file (atomically)."""
        path = self.chunk_path(chunk)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.parent.is_symlink() or path.parent.parent.is_symlink():
            raise DataError(
                f"{path.parent}: a symbolic link; results are never written through links"
            )
        atomic_write_bytes(path, data)

    def done(self) -> set[Chunk]:
        """The chunks whose file is complete; removes temporary leftovers and
        files that cannot be read (a crash while writing)."""
        weekly = self.root / WEEKLY_DIR
        for leftover in weekly.glob("*/.*.tmp-*"):
            with contextlib.suppress(OSError):
                leftover.unlink()
        out: set[Chunk] = set()
        for chunk in self.plan.chunks():
            path = self.chunk_path(chunk)
            if not path.is_file():
                continue
            try:
                rows = pq.read_metadata(path).num_rows
            except (OSError, pa.ArrowException):
                rows = -1
            if rows < 0:
                with contextlib.suppress(OSError):
                    path.unlink()
                continue
            out.add(chunk)
        return out

    def read_chunk(self, chunk: Chunk, columns: Sequence[str] | None = None) -> pa.Table:
        return pq.read_table(self.chunk_path(chunk), columns=list(columns) if columns else None)

    def read_point(self, point: int, columns: Sequence[str] | None = None) -> pd.DataFrame | None:
        """A point's weekly rows (every chunk present, in order), or None if none is."""
        tables = [
            self.read_chunk(c, columns)
            for c in self.plan.chunks()
            if c.point == point and self.chunk_path(c).is_file()
        ]
        if not tables:
            return None
        return pa.concat_tables(tables).to_pandas()


def read_weekly(root: Path, points: Sequence[int] | None = None) -> pd.DataFrame:
    """Every weekly row of an experiment directory (or of some points), in order.

    Parameters
    ----------
    root : Path
        A directory written by ``ssisim run``, ``sweep`` or ``sensitivity``.
    points : sequence of int, optional
        Only these sweep points.

    Returns
    -------
    pandas.DataFrame
        ``point``, the swept columns, then the weekly columns; sorted by
        point, strategy (scenario order), replication and week.
    """
    root = Path(root)
    stored = read_plan(root)
    files = sorted((root / WEEKLY_DIR).glob("point=*/*.parquet"))
    wanted = None if points is None else set(points)
    frames = []
    for path in files:
        point = int(path.parent.name.split("=", 1)[1])
        if wanted is not None and point not in wanted:
            continue
        frame = pq.read_table(path).to_pandas()
        frame.insert(0, "point", point)
        frames.append(frame)
    if not frames:
        raise DataError(f"{root / WEEKLY_DIR}: no results yet")
    del stored
    return pd.concat(frames, ignore_index=True)

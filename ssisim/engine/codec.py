"""The chunk codec: a chunk's runs as the bytes of one Parquet file, and back.

A chunk's bytes depend only on its records and the point's swept values,
never on the worker or the executor; the results store writes them as they
are (:mod:`ssisim.experiments.store`).
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ssisim.records import WEEKLY_COLUMNS, WeekRecord

__all__ = ["ARROW_TYPES", "chunk_bytes", "chunk_records"]

ARROW_TYPES: dict[Any, pa.DataType] = {
    str: pa.string(),
    int: pa.int64(),
    float: pa.float64(),
    bool: pa.bool_(),
    "str": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
}
"""Arrow types of the weekly columns and of swept values, by Python type or its name."""


@functools.cache
def _record_types() -> dict[str, Any]:
    return typing.get_type_hints(WeekRecord)


def chunk_bytes(
    records: Sequence[WeekRecord], values: Sequence[tuple[str, str, Any]] = ()
) -> bytes:
    """A chunk's Parquet file: the swept values, then the weekly columns.

    Parameters
    ----------
    records : sequence of WeekRecord
        The chunk's runs, in order.
    values : sequence of (column, kind, value)
        The point's swept values; ``kind`` is ``int``, ``float``, ``bool`` or
        ``str``. Repeated on every row.

    Returns
    -------
    bytes
        The same records and values always give the same bytes.
    """
    types = _record_types()
    n = len(records)
    arrays: dict[str, pa.Array] = {}
    for name, kind, value in values:
        arrays[name] = pa.array([value] * n, type=ARROW_TYPES[kind])
    columns = list(zip(*records, strict=True)) if records else [()] * len(WEEKLY_COLUMNS)
    for name, column in zip(WEEKLY_COLUMNS, columns, strict=True):
        arrays[name] = pa.array(list(column), type=ARROW_TYPES.get(types.get(name)))
    sink = pa.BufferOutputStream()
    pq.write_table(pa.table(arrays), sink, compression="zstd")
    return bytes(sink.getvalue().to_pybytes())


def chunk_records(data: bytes) -> list[WeekRecord]:
    """The records of a chunk file's bytes (the inverse of :func:`chunk_bytes`)."""
    table = pq.read_table(pa.BufferReader(data), columns=list(WEEKLY_COLUMNS))
    columns = [table.column(c).to_pylist() for c in WEEKLY_COLUMNS]
    return [WeekRecord(*row) for row in zip(*columns, strict=True)]

"""Read one CSV file of a LinkedIn export: find its header, map columns by name, check rows.

Every export file is a CSV whose columns moved between vintages, some with a
preamble (``Connections.csv`` starts with ``Notes:`` lines of varying length).
:func:`read_table` scans for the header row (the first line holding every
required column), then yields each row as a mapping of the columns it asked
for, with its line number. Errors name the file, the line and the column and
never show a cell that could be personal (:func:`shown`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ssisim.errors import DataError

__all__ = ["HEADER_SCAN_LINES", "Row", "parse_datetime", "read_table", "shown"]

HEADER_SCAN_LINES = 50
"""The header row is looked for in the first lines only (the preambles seen have 2 to 6)."""


@dataclass(frozen=True)
class Row:
    """One data row: its line in the file and the asked-for columns' cells (stripped)."""

    line: int
    cells: dict[str, str]


_SAFE = re.compile(r"[0-9A-Za-z :/,.+-]{0,40}")
_KEYWORDS = frozenset(
    "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june "
    "july august september october november december am pm utc gmt t z incoming outgoing".split()
)
"""The only words a shown cell may hold: months, clock and zone marks, the Direction values."""


def shown(value: str) -> str:
    """A cell as an error may show it: dates, numbers and keywords as written; anything
    else (it could be a name, an email, a message) only by its length.

    Examples
    --------
    >>> shown("08 Feb 2026"), shown("INCOMING"), shown("JOHN SMITH")
    ("'08 Feb 2026'", "'INCOMING'", 'a value of 10 characters, not shown')
    """
    words = re.findall(r"[A-Za-z]+", value)
    if (
        _SAFE.fullmatch(value)
        and (any(c.isdigit() for c in value) or value.isupper())
        and all(w.lower() in _KEYWORDS for w in words)
    ):
        return repr(value)
    return f"a value of {len(value)} characters, not shown"


def _norm(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").strip().lower().split())


def read_table(
    text: str,
    where: str,
    required: Sequence[str],
    optional: Sequence[str] = (),
) -> Iterator[Row]:
    """Yield the rows of one export file.

    Parameters
    ----------
    text : str
        The file, decoded.
    where : str
        The file as errors name it.
    required, optional : sequence of str
        Column names (case-insensitive); the header is the first row holding all
        of ``required`` among its first :data:`HEADER_SCAN_LINES` lines.

    Raises
    ------
    DataError
        No header row (not this LinkedIn file); a row with more or fewer fields
        than the header; a NUL byte or an unterminated quote.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    wanted = {_norm(c): c for c in (*required, *optional)}
    columns: dict[str, int] | None = None
    width = 0
    try:
        for cells in reader:
            line = reader.line_num
            if columns is None:
                if line > HEADER_SCAN_LINES:
                    break
                names = [_norm(c) for c in cells]
                if all(_norm(c) in names for c in required):
                    columns = {wanted[n]: i for i, n in enumerate(names) if n in wanted}
                    width = len(cells)
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(cells) != width:
                raise DataError(
                    f"{where}:{line}: {len(cells)} fields but the header has {width} "
                    "(a malformed row; was the file edited?)"
                )
            yield Row(line, {c: cells[i].strip() for c, i in columns.items()})
    except csv.Error as exc:
        raise DataError(f"{where}:{reader.line_num}: not a readable CSV row ({exc})") from None
    if columns is None:
        expected = ", ".join(repr(c) for c in required)
        raise DataError(
            f"{where}:1: no header row with {expected} in the first {HEADER_SCAN_LINES} lines; "
            "not this LinkedIn export file?"
        )


def parse_datetime(value: str, formats: Sequence[str], where: str, column: str) -> dt.datetime:
    """Parse a cell with the first of ``formats`` that fits (each file has its own)."""
    text = " ".join(value.replace("\u202f", " ").split())
    for fmt in formats:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    examples = " or ".join(repr(f) for f in formats[:2])
    raise DataError(f"{where}: {column}: not a date in the form {examples} (got {shown(value)})")

"""Fit the pillar weights and saturation scales to a member's dashboard readings.

A member who noted their SSI dashboard over a period (the readings) and knows
what they did over it (the routine, a scenario with one strategy) can ask
which weights and saturation scales make the model's pillars follow their
readings. The steps, each a function:

1. :func:`read_readings`: the readings file, checked line by line;
2. :func:`load_routine`: the routine scenario, its horizon set to the last
   reading's week;
3. :func:`fit_readings`: simulate the routine's replications once, log every
   week's pillar inputs, then fit each pillar's weights and scales
   (``scipy.optimize.least_squares``, bounded, with a ridge toward the
   routine's scoring), scoring candidates with :func:`ssisim.pillars.pillar_scores`;
4. :func:`report_tables` and :func:`write_weights`: the errors before and after,
   and a weights file a scenario includes with ``scoring: FILE``.

The pillars are separable: a pillar's score depends on its own inputs and
parameters only, so each is fitted alone. The inputs are simulated once, with
the routine's scoring; only the scoring of those inputs is fitted (see
``docs/fit.md`` for what that leaves out).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import math
import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from rich.table import Table
from scipy.optimize import least_squares

from ssisim.errors import DataError, ScenarioError
from ssisim.member.tables import shown as shown_cell
from ssisim.pillars import INPUTS, SALES_NAVIGATOR_INPUTS, pillar_scores
from ssisim.population.cache import population_for
from ssisim.scenario.loading import load_scenario
from ssisim.scenario.schema import PILLARS, PillarInput, Scenario, Scoring, Strategy
from ssisim.seeds import run_seed
from ssisim.sim.run import simulate

__all__ = [
    "DEFAULT_RIDGE",
    "MIN_READINGS",
    "READING_COLUMNS",
    "FitResult",
    "fit_readings",
    "load_routine",
    "read_readings",
    "reading_weeks",
    "report_tables",
    "simulate_inputs",
    "weights_yaml",
    "write_weights",
]

MIN_READINGS = 10
"""Fewest readings the fit accepts.

A pillar has at most five inputs, so at most nine free parameters (five
scales and four weight ratios, with Sales Navigator); with ten readings or
more, no pillar can match an arbitrary series exactly, so its error means
something. A year of monthly readings (12 or 13) passes.
"""

DEFAULT_RIDGE = 1.0
"""Strength of the pull toward the routine's scoring, in points squared.

Each fitted scale adds ``ridge * (log10(scale / default))**2`` and each fitted
weight ``ridge * ((share - default share) / 0.25)**2`` to the sum of squared
errors: with the default, moving a scale tenfold (its bound), or a weight's
share of its pillar by 0.25, costs as much as one reading one point off.
"""

SCALE_BOUND = 10.0
"""A scale is fitted within ``[default / 10, default * 10]``."""

SHARE_PRIOR = 0.25
"""The change of a weight's share of its pillar that the ridge prices at one unit."""

SALES_NAVIGATOR_MIN_WEIGHT = 0.01
"""Least raw weight (about 1% of the pillar) of a fitted Sales Navigator input.

Keeps the scenario's rule that the score stays below 100 without Sales Navigator."""

ZERO_SHARE = 1e-4
"""A fitted weight below this share of its pillar is written as 0."""

MAX_WEEKS = 520
"""Longest horizon a scenario accepts (``weeks``)."""

READING_COLUMNS: tuple[str, ...] = (
    "date",
    "ssi",
    *PILLARS,
    "industry_rank",
    "network_rank",
)
"""Columns of :func:`read_readings`'s frame, before ``line`` (the reading's line in the file)."""

_OPTIONAL = frozenset({"ssi", "industry_rank", "network_rank"})
_RANKS = ("industry_rank", "network_rank")

# Header aliases, compared after _normalize_header (lower case, no accents,
# punctuation as spaces, parenthesised parts dropped).
_ALIASES: Mapping[str, tuple[str, ...]] = {
    "date": ("date", "day", "jour", "date du releve", "reading date", "datum"),
    "ssi": (
        "ssi",
        "ssi score",
        "score ssi",
        "total",
        "total ssi",
        "score",
        "social selling index",
        "current social selling index",
        "indice ssi",
        "indice de vente sociale",
    ),
    "brand": (
        "brand",
        "professional brand",
        "establish your professional brand",
        "establish professional brand",
        "marque",
        "marque professionnelle",
        "etablir votre marque professionnelle",
        "etablir une marque professionnelle",
    ),
    "people": (
        "people",
        "right people",
        "find the right people",
        "find right people",
        "personnes",
        "bonnes personnes",
        "trouver les bonnes personnes",
    ),
    "insights": (
        "insights",
        "engage with insights",
        "engage insights",
        "informations",
        "echanger des informations",
        "interagir avec des informations",
        "partager des informations",
    ),
    "relationships": (
        "relationships",
        "relationship",
        "relations",
        "build relationships",
        "build strong relationships",
        "developper des relations",
        "entretenir des relations",
        "nouer des relations",
        "tisser des relations",
    ),
    "industry_rank": (
        "industry rank",
        "industry ssi rank",
        "rank in industry",
        "rang secteur",
        "rang dans le secteur",
        "classement secteur",
        "classement dans le secteur",
        "classement sectoriel",
    ),
    "network_rank": (
        "network rank",
        "network ssi rank",
        "rank in network",
        "rang reseau",
        "rang dans le reseau",
        "classement reseau",
        "classement dans le reseau",
    ),
}
_COLUMN_OF = {alias: column for column, aliases in _ALIASES.items() for alias in aliases}
_MISSING = frozenset({"", "-", "--", "n/a", "na", "nan"})
_SEPARATORS = (";", ",", "\t")


# --------------------------------------------------------------------------- readings


def read_readings(
    path: str | Path | Sequence[str | Path],
    date_order: str | None = None,
    *,
    min_readings: int = MIN_READINGS,
) -> pd.DataFrame:
    """Read and check a file of dated SSI dashboard readings.

    The layout of public SSI trackers: a header line, then one reading a line.
    Columns (headers case-insensitive, English or French aliases, see
    ``docs/fit.md``): ``date``, ``brand``, ``people``, ``insights``,
    ``relationships`` (required), ``ssi``, ``industry_rank``, ``network_rank``
    (optional); other columns are ignored. The separator is ``;``, ``,`` or a
    tab, whichever the header uses most; decimal commas (``12,5``) are read
    wherever they are not the separator. Dates are ``YYYY-MM-DD`` or
    ``DD/MM/YYYY`` (also ``DD.MM.YYYY``, ``DD-MM-YYYY``); ranks are
    percentages (``5``, ``5%`` or ``Top 5%``).

    Two layouts are read: the wide one (a column per score) and the long one
    of open-source trackers (``date``, ``field``, ``value``: one row per date
    and score, the fields named as the wide columns). Several files are
    joined (a date in two files must hold the same values).

    Dates written ``NN/NN/YYYY`` are day first or month first: the file
    decides when one date has a part above 12; when every date could be
    either, the file is refused and ``date_order`` must say.

    Parameters
    ----------
    path : str or Path, or a sequence of them
        Text files, UTF-8 (with or without a byte-order mark) or Windows-1252.
    date_order : str, optional
        ``"dayfirst"``, ``"monthfirst"``, or a ``strptime`` format
        (``"%m/%d/%Y"``) for every date.
    min_readings : int, optional
        Readings the file must hold at least: :data:`MIN_READINGS` for the
        fit (the default); ``ssisim import --readings`` keeps the latest
        only and asks for one.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`READING_COLUMNS` then ``line`` (the reading's line in
        the file), one row per reading in date order. ``date`` is a
        ``datetime64``, the scores ``float64``; a missing ``ssi`` is the sum
        of the pillars, missing ranks are NaN. ``attrs["path"]`` holds ``path``.

    Raises
    ------
    DataError
        One line, ``FILE:LINE: column: what is wrong (got VALUE)``: a missing
        column or value, a value that is not a number or a date, a pillar
        outside 0-25, an ``ssi`` outside 0-100 or not the sum of the pillars
        within the rounding of the values as written, a rank outside 0-100,
        a date repeated or out of order, dates that could be day or month first, fewer than
        ``min_readings`` readings, an empty or unreadable file.

    Examples
    --------
    >>> frame = read_readings("scenarios/fit-example/readings.csv")  # doctest: +SKIP
    >>> frame[["date", "ssi", "brand"]].head(2)  # doctest: +SKIP
            date   ssi  brand
    0 2025-01-06  20.0   6.37
    1 2025-01-13  21.0   6.61
    """
    if not isinstance(path, str | Path):
        paths = [Path(p) for p in path]
        if not paths:
            raise DataError("readings: no file given")
        if len(paths) > 1:
            return _join_readings(paths, date_order, min_readings)
        path = paths[0]
    path = Path(path)
    rows, header_at = _readings_rows(path, date_order)
    if len(rows) < min_readings:
        span = f" (lines {rows[0]['line']}-{rows[-1]['line']})" if rows else ""
        raise DataError(f"{path}:{header_at}: {len(rows)} readings{span}; {_needs(min_readings)}")
    _check_dates(rows, path)
    return _frame(rows, str(path))


def _frame(rows: Sequence[Mapping[str, Any]], path: str) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=[*READING_COLUMNS, "line"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame = frame.astype({c: "float64" for c in READING_COLUMNS[1:]} | {"line": "int64"})
    frame.attrs["path"] = path
    return frame


def _needs(min_readings: int) -> str:
    """What a file with too few readings lacks, in words."""
    if min_readings == MIN_READINGS:
        return (
            f"the fit needs at least {MIN_READINGS}, more than the free parameters of a pillar (9)"
        )
    return f"at least {min_readings} needed"


def _join_readings(
    paths: Sequence[Path], date_order: str | None, min_readings: int = MIN_READINGS
) -> pd.DataFrame:
    """Several files of readings, joined in date order; a date in two files must agree."""
    seen: dict[dt.date, tuple[Path, dict[str, Any]]] = {}
    for p in paths:
        rows, _ = _readings_rows(p, date_order)
        _check_dates(rows, p)
        for row in rows:
            earlier = seen.get(row["date"])
            if earlier is None:
                seen[row["date"]] = (p, row)
                continue
            other_path, other = earlier
            same = all(
                (math.isnan(row[c]) and math.isnan(other[c])) or row[c] == other[c]
                for c in READING_COLUMNS[1:]
            )
            if not same:
                raise DataError(
                    f"{p}:{row['line']}: date: {row['date'].isoformat()} is also in "
                    f"{other_path}:{other['line']} with other values"
                )
    rows = [row for _, (_, row) in sorted(seen.items())]
    where = " + ".join(str(p) for p in paths)
    if len(rows) < min_readings:
        raise DataError(f"{where}: {len(rows)} readings in all; {_needs(min_readings)}")
    return _frame(rows, where)


_LONG_FIELD = ("field", "metric", "key", "name", "pillar", "champ", "indicateur")
_LONG_VALUE = ("value", "score", "valeur")


def _readings_rows(path: Path, date_order: str | None) -> tuple[list[dict[str, Any]], int]:
    """The file's readings (parsed rows, in file order) and its header's line."""
    header, header_at, raw, sep = _raw_table(path)
    names = [_normalize_header(h) for h in header]
    if (
        any(n in _LONG_FIELD for n in names)
        and any(n in _LONG_VALUE for n in names)
        and not any(_COLUMN_OF.get(n) in PILLARS for n in names)
    ):
        header, raw = _widen(path, header, raw, names)
    columns = _map_header(header, f"{path}:{header_at}", sep)
    order = _date_order(
        path, [(line, _cell(cells, columns, "date") or "") for line, cells in raw], date_order
    )
    rows = [_parse_row(cells, columns, line, f"{path}:{line}", order) for line, cells in raw]
    return rows, header_at


def _raw_table(path: Path) -> tuple[list[str], int, list[tuple[int, list[str]]], str]:
    """A readings file's header, its line, its rows (line, cells) and its separator."""
    text = _read_text(path)
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise DataError(
            f"{path}:1: empty file; expected a header line such as "
            "'date;ssi;brand;people;insights;relationships'"
        )
    header_line = lines[0]
    sep = max(_SEPARATORS, key=lambda s: (header_line.count(s), -_SEPARATORS.index(s)))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header: list[str] | None = None
    header_at = 1
    raw: list[tuple[int, list[str]]] = []
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header, header_at = cells, reader.line_num
            continue
        extra = [c for c in cells[len(header) :] if c.strip()]
        if extra:
            hint = (
                "; with ',' between columns, decimal commas must be quoted (or use ';')"
                if sep == ","
                else ""
            )
            raise DataError(
                f"{path}:{reader.line_num}: {len(cells)} fields but the header has "
                f"{len(header)}{hint} (got {shown_cell(sep.join(cells))})"
            )
        raw.append((reader.line_num, cells))
    assert header is not None  # lines is not empty
    return header, header_at, raw, sep


def _widen(
    path: Path, header: Sequence[str], raw: Sequence[tuple[int, list[str]]], names: Sequence[str]
) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The long layout (date, field, value) as wide rows, one per date (its first line)."""
    date_i = next((i for i, n in enumerate(names) if _COLUMN_OF.get(n) == "date"), None)
    field_i = next(i for i, n in enumerate(names) if n in _LONG_FIELD)
    value_i = next(i for i, n in enumerate(names) if n in _LONG_VALUE)
    if date_i is None:
        raise DataError(f"{path}:1: date: missing column in a (date, field, value) file")
    wide = list(READING_COLUMNS)
    by_date: dict[str, tuple[int, list[str]]] = {}
    for line, cells in raw:
        padded = [c.strip() for c in cells] + [""] * (len(header) - len(cells))

        def get(i: int, padded: list[str] = padded) -> str:
            return padded[i]

        field = _COLUMN_OF.get(_normalize_header(get(field_i)))
        if field is None or field == "date":
            continue  # a tracker's other fields (followers, views...) are ignored
        date = get(date_i)
        line0, row = by_date.setdefault(date, (line, [date] + [""] * (len(wide) - 1)))
        j = wide.index(field)
        if row[j]:
            raise DataError(
                f"{path}:{line}: {field}: a second value for {shown_cell(date)} (first at line {line0}) "
                f"(got {shown_cell(get(value_i))})"
            )
        row[j] = get(value_i)
    return wide, list(by_date.values())


_SLASHED = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-]\d{4}(?:[T ].*)?")


def _date_order(path: Path, dates: Sequence[tuple[int, str]], given: str | None) -> str:
    """``dayfirst``, ``monthfirst`` or a strptime format, for every date of the file.

    Given, it is used; otherwise the file decides: a first part above 12 means
    day first, a second part above 12 month first; with neither (every date
    could be both) the file is refused, naming its first ambiguous date.
    """
    if given is not None:
        if given not in ("dayfirst", "monthfirst") and "%" not in given:
            raise DataError(
                f"--date-format: expected a strptime format such as '%m/%d/%Y' (got {given!r})"
            )
        return given
    day_first = month_first = None
    first_ambiguous = None
    for line, raw in dates:
        m = _SLASHED.fullmatch(raw.strip())
        if not m:
            continue
        a, b = int(m[1]), int(m[2])
        if a > 12 and day_first is None:
            day_first = (line, raw)
        elif b > 12 and month_first is None:
            month_first = (line, raw)
        elif a <= 12 and b <= 12 and first_ambiguous is None:
            first_ambiguous = (line, raw)
    if day_first and month_first:
        raise DataError(
            f"{path}:{month_first[0]}: date: month first, but line {day_first[0]} is day first "
            f"({shown_cell(day_first[1])}) (got {shown_cell(month_first[1])})"
        )
    if day_first:
        return "dayfirst"
    if month_first:
        return "monthfirst"
    if first_ambiguous:
        raise DataError(
            f"{path}:{first_ambiguous[0]}: date: every date could be day or month first "
            f"(got {shown_cell(first_ambiguous[1])}); say which with --dayfirst, --monthfirst or "
            "--date-format '%m/%d/%Y'"
        )
    return "dayfirst"  # no slashed date at all


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: no such readings file") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a directory, not a readings file") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror})") from None
    if b"\x00" in raw:
        raise DataError(f"{path}: not a text file (it holds NUL bytes); expected a CSV file")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DataError(f"{path}: not a text file in UTF-8 or Windows-1252")


def _normalize_header(name: str) -> str:
    name = re.sub(r"\(.*?\)", " ", name)
    name = unicodedata.normalize("NFKD", name)
    name = "".join(ch for ch in name if not unicodedata.combining(ch)).lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", name).split())


def _map_header(header: Sequence[str], where: str, sep: str) -> dict[str, int]:
    columns: dict[str, int] = {}
    for i, name in enumerate(header):
        column = _COLUMN_OF.get(_normalize_header(name))
        if column is None:
            continue  # a tracker's own columns (notes, week number...) are ignored
        if column in columns:
            first = header[columns[column]]
            raise DataError(f"{where}: {column}: two columns for it, {first!r} and {name!r}")
        columns[column] = i
    for column in READING_COLUMNS:
        if column not in columns and column not in _OPTIONAL:
            examples = " or ".join(repr(a) for a in _ALIASES[column][:2])
            # a header is column names; a first line of data (no header) may hold a name
            data = any(_looks_like_data(cell) for cell in header)
            got = "a line of data, not shown" if data else repr(sep.join(header))
            raise DataError(
                f"{where}: {column}: missing column, expected a header such as {examples} "
                f"(got {got})"
            )
    return columns


def _looks_like_data(cell: str) -> bool:
    """Whether a header cell is a value (a number or a date) rather than a column's name."""
    text = cell.strip()
    return bool(re.fullmatch(r"[+-]?[\d.,\s%]+", text) or _ISO.fullmatch(text)
                or _DAY_FIRST.fullmatch(text))  # fmt: skip


def _cell(cells: Sequence[str], columns: Mapping[str, int], column: str) -> str | None:
    if column not in columns:
        return None
    i = columns[column]
    return cells[i].strip() if i < len(cells) else ""


def _parse_row(
    cells: Sequence[str],
    columns: Mapping[str, int],
    line: int,
    where: str,
    order: str = "dayfirst",
) -> dict[str, Any]:
    row: dict[str, Any] = {"line": line}
    raw = _cell(cells, columns, "date") or ""
    if raw.lower() in _MISSING:
        raise DataError(f"{where}: date: missing value (got {raw!r})")
    row["date"] = _parse_date(raw, where, order)
    half_units = 0.0  # worst-case rounding of the values as written
    total = 0.0
    for pillar in PILLARS:
        value, decimals = _required_number(cells, columns, pillar, where)
        if not 0.0 <= value <= 25.0:
            raise DataError(f"{where}: {pillar}: must be between 0 and 25 (got {value:g})")
        row[pillar] = value
        total += value
        half_units += 0.5 * 10.0**-decimals
    cell = _cell(cells, columns, "ssi")
    if cell is None or cell.lower() in _MISSING:
        row["ssi"] = total
    else:
        ssi, decimals = _parse_number(cell, "ssi", where)
        if not 0.0 <= ssi <= 100.0:
            raise DataError(f"{where}: ssi: must be between 0 and 100 (got {ssi:g})")
        tolerance = half_units + 0.5 * 10.0**-decimals
        if abs(ssi - total) > tolerance + 1e-9:
            raise DataError(
                f"{where}: ssi: must be the sum of the four pillars, {total:.2f}, within "
                f"{tolerance:.3g} (the rounding of the values as written) (got {cell})"
            )
        row["ssi"] = ssi
    for rank in _RANKS:
        cell = _cell(cells, columns, rank)
        if cell is None or cell.lower() in _MISSING:
            row[rank] = math.nan
            continue
        text = re.sub(r"^\s*top\s*", "", cell, flags=re.IGNORECASE).rstrip().rstrip("%")
        value, _ = _parse_number(text, rank, where, shown=cell)
        if not 0.0 <= value <= 100.0:
            raise DataError(
                f"{where}: {rank}: must be a percentage between 0 and 100 (got {cell})"
            )  # a number
        row[rank] = value
    return row


def _required_number(
    cells: Sequence[str], columns: Mapping[str, int], column: str, where: str
) -> tuple[float, int]:
    raw = _cell(cells, columns, column) or ""
    if raw.lower() in _MISSING:
        raise DataError(f"{where}: {column}: missing value (got {raw!r})")
    return _parse_number(raw, column, where)


def _parse_number(raw: str, column: str, where: str, shown: str | None = None) -> tuple[float, int]:
    """The value and its number of decimals; a lone comma is a decimal comma."""
    text = re.sub(r"[\s\u00a0\u202f]", "", raw)
    if "," in text and "." not in text and text.count(",") == 1:
        text = text.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        raise DataError(
            f"{where}: {column}: not a number (got {shown_cell(raw if shown is None else shown)})"
        )
    decimals = len(text.split(".", 1)[1]) if "." in text else 0
    return float(text), decimals


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?")
_DAY_FIRST = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?:[T ].*)?")


def _parse_date(raw: str, where: str, order: str = "dayfirst") -> dt.date:
    if "%" in order:
        try:
            return dt.datetime.strptime(raw, order).date()
        except ValueError:
            raise DataError(
                f"{where}: date: not a date in the form {order!r} (got {shown_cell(raw)})"
            ) from None
    if m := _ISO.fullmatch(raw):
        year, month, day = int(m[1]), int(m[2]), int(m[3])
    elif m := _DAY_FIRST.fullmatch(raw):
        day, month, year = int(m[1]), int(m[3]), int(m[4])
        if order == "monthfirst":
            day, month = month, day
    else:
        raise DataError(
            f"{where}: date: not a date, expected YYYY-MM-DD or DD/MM/YYYY (got {shown_cell(raw)})"
        )
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise DataError(
            f"{where}: date: not a date ({exc}; "
            f"{'MM/DD/YYYY is month first' if order == 'monthfirst' else 'DD/MM/YYYY is day first'}) "
            f"(got {shown_cell(raw)})"
        ) from None


def _check_dates(rows: Sequence[Mapping[str, Any]], path: Path) -> None:
    for prev, row in itertools.pairwise(rows):
        if row["date"] == prev["date"]:
            raise DataError(
                f"{path}:{row['line']}: date: same date as line {prev['line']} "
                f"(got {row['date'].isoformat()})"
            )
        if row["date"] < prev["date"]:
            raise DataError(
                f"{path}:{row['line']}: date: earlier than line {prev['line']} "
                f"({prev['date'].isoformat()}); readings must be in date order "
                f"(got {row['date'].isoformat()})"
            )


def reading_weeks(readings: pd.DataFrame, start_week: int = 0) -> np.ndarray:
    """The routine's week of each reading.

    ``week = round((date - first date) / 7 days) + start_week``, halves
    rounded up: the first reading is taken ``start_week`` weeks into the
    routine (0: the routine starts on the day of the first reading, whose
    reading is the model's week 0, before any activity).

    Returns
    -------
    numpy.ndarray
        Integer weeks, one per reading, non-decreasing.
    """
    days = (readings["date"] - readings["date"].iloc[0]).dt.days.to_numpy()
    return np.floor(days / 7.0 + 0.5).astype(np.int64) + int(start_week)


# --------------------------------------------------------------------------- routine


def load_routine(
    path: str | Path,
    readings: pd.DataFrame,
    *,
    strategy: str | None = None,
    start_week: int = 0,
    overrides: Sequence[str | tuple[str, str]] = (),
) -> tuple[Scenario, Strategy]:
    """Load the routine scenario, its horizon set to the last reading's week.

    Parameters
    ----------
    path : str or Path
        A scenario file whose strategies hold the member's routine.
    readings : pandas.DataFrame
        From :func:`read_readings`.
    strategy : str, optional
        The strategy to fit; required when the routine has several.
    start_week : int
        See :func:`reading_weeks`.
    overrides : sequence
        ``KEY=VALUE`` overrides, as for :func:`ssisim.scenario.schema.load_scenario`
        (e.g. ``("replications=5", "--reps 5")``); ``weeks`` is set last.

    Returns
    -------
    (Scenario, Strategy)

    Raises
    ------
    DataError
        The readings span more than 520 weeks.
    ScenarioError
        The routine is invalid, or the strategy is ambiguous or unknown.
    """
    weeks = reading_weeks(readings, start_week)
    horizon = int(weeks[-1])
    source = readings.attrs.get("path", "readings")
    if horizon > MAX_WEEKS:
        last = readings.iloc[-1]
        raise DataError(
            f"{source}:{last['line']}: date: the readings reach week {horizon} of the routine; "
            f"a simulation runs at most {MAX_WEEKS} weeks (got {last['date'].date().isoformat()})"
        )
    label = f"{source}: readings up to week {horizon}"
    sc = load_scenario(path, [*overrides, (f"weeks={horizon}", label)])
    names = [s.name for s in sc.strategies]
    if strategy is None:
        if len(names) > 1:
            raise ScenarioError(
                f"{path}: strategies: the routine has {len(names)} strategies "
                f"({', '.join(names)}); choose one with --strategy NAME"
            )
        return sc, sc.strategies[0]
    if strategy not in names:
        import difflib

        close = difflib.get_close_matches(strategy, names, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ScenarioError(
            f"--strategy {strategy}: the routine {path} has no strategy {strategy!r}{hint} "
            f"(it has {', '.join(names)})"
        )
    return sc, sc.strategies[names.index(strategy)]


def simulate_inputs(
    scenario: Scenario,
    strategy: Strategy,
    weeks: Sequence[int] | np.ndarray,
    progress: Callable[[int], None] | None = None,
) -> dict[str, dict[str, np.ndarray]]:
    """Simulate the routine's replications and keep the pillar inputs at some weeks.

    Runs ``scenario.replications`` replications of ``strategy`` for
    ``scenario.weeks`` weeks, seeded as ``ssisim run`` seeds them
    (:func:`ssisim.engine.driver.run_seed`).

    Returns
    -------
    dict
        ``inputs[pillar][input]``: an array of shape (replications,
        len(weeks)), zero for the inputs a run does not have (Sales Navigator
        ones without it); what :func:`ssisim.pillars.pillar_scores` scores.
    """
    weeks = np.asarray(weeks, dtype=np.int64)
    reps = scenario.replications
    out = {p: {name: np.zeros((reps, weeks.size)) for name in INPUTS[p]} for p in PILLARS}
    population = population_for(scenario)
    for rep in range(reps):
        log: list[dict[str, dict[str, float]]] = []
        simulate(population, scenario, strategy, run_seed(scenario, strategy, rep), rep, inputs=log)
        for j, week in enumerate(weeks.tolist()):
            for pillar, values in log[week].items():
                for name, value in values.items():
                    out[pillar][name][rep, j] = value
        if progress is not None:
            progress(1)
    return out


# --------------------------------------------------------------------------- fit


@dataclass(frozen=True)
class FitResult:
    """What :func:`fit_readings` found.

    Attributes
    ----------
    scoring : Scoring
        The fitted scoring (validated).
    baseline : Scoring
        The routine's scoring, which the fit starts from and is pulled toward.
    errors : pandas.DataFrame
        One row per pillar and ``ssi``: ``readings``, ``rmse_baseline`` and
        ``rmse_fitted`` (root mean square error against the readings, points).
    parameters : pandas.DataFrame
        One row per (pillar, input): ``weight_baseline``, ``weight_fitted``,
        ``scale_baseline``, ``scale_fitted``, ``fitted`` (what was free:
        ``weight``, ``scale``) and ``note``.
    predictions : pandas.DataFrame
        One row per reading: ``date``, ``week``, then for each of ``ssi`` and
        the pillars the reading, ``<name>_baseline`` and ``<name>_fitted``
        (model means over the replications), then the ranks.
    readings_path, scenario_name, strategy : str
    replications, start_week, horizon_weeks : int
    ridge : float
    notes : tuple of str
        Caveats worth printing (e.g. the boost threshold crossed differently).
    """

    scoring: Scoring
    baseline: Scoring
    errors: pd.DataFrame
    parameters: pd.DataFrame
    predictions: pd.DataFrame
    readings_path: str
    scenario_name: str
    strategy: str
    replications: int
    start_week: int
    horizon_weeks: int
    ridge: float
    seed: int
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Problem:
    """One pillar's fit: which weights and scales are free."""

    pillar: str
    free_weights: tuple[str, ...]
    free_scales: tuple[str, ...]
    fixed_share: float  # share of the pillar held by the weights kept as they are
    total_weight: float  # the baseline pillar's weight sum; fitted weights keep it


def fit_readings(
    readings: pd.DataFrame,
    scenario: Scenario,
    strategy: Strategy,
    *,
    start_week: int = 0,
    ridge: float = DEFAULT_RIDGE,
    progress: Callable[[int], None] | None = None,
) -> FitResult:
    """Fit the scenario's pillar weights and saturation scales to the readings.

    Parameters
    ----------
    readings : pandas.DataFrame
        From :func:`read_readings`.
    scenario : Scenario
        The routine (see :func:`load_routine`); its horizon must reach the
        last reading's week. Its scoring is the baseline the fit starts from.
    strategy : Strategy
        The member's routine, one of the scenario's strategies.
    start_week : int
        See :func:`reading_weeks`.
    ridge : float
        Pull toward the baseline, points squared (see :data:`DEFAULT_RIDGE`).
    progress : callable, optional
        Called with 1 after each simulated replication.

    Returns
    -------
    FitResult

    Raises
    ------
    DataError
        The readings reach beyond the scenario's horizon.

    Notes
    -----
    For each pillar, the free parameters are the weights' shares of the
    pillar and the log-scales of its inputs; the model's pillar at a reading
    is the mean over replications of :func:`ssisim.pillars.pillar_scores`.
    ``scipy.optimize.least_squares`` (trust region, bounded) minimises the
    squared errors plus the ridge. Kept as they are: the Sales Navigator
    inputs' weights and scales when the routine does not use it (their share
    is the part of the pillar out of reach without it, a rule of the model,
    not something readings without it can measure), and the scale of an input
    that stays 0 throughout (the readings say nothing about it).
    """
    weeks = reading_weeks(readings, start_week)
    if weeks[-1] > scenario.weeks:
        raise DataError(
            f"{readings.attrs.get('path', 'readings')}: the last reading is at week {weeks[-1]}, "
            f"beyond the scenario's {scenario.weeks} weeks; use load_routine()"
        )
    if ridge < 0 or not math.isfinite(ridge):
        raise DataError(f"ridge: must be a finite number of at least 0 (got {ridge!r})")
    inputs = simulate_inputs(scenario, strategy, weeks, progress)
    baseline = scenario.scoring
    fitted_pillars: dict[str, Any] = {}
    rows: list[dict[str, Any]] = []
    for pillar in PILLARS:
        problem = _problem(pillar, baseline, inputs[pillar], strategy.sales_navigator)
        target = readings[pillar].to_numpy(dtype=np.float64)
        params = _fit_pillar(problem, baseline, inputs[pillar], target, ridge)
        fitted_pillars[pillar] = params
        rows.extend(_parameter_rows(problem, baseline, params, strategy.sales_navigator))
    scoring = Scoring.model_validate(
        {
            "activity_half_life_weeks": baseline.activity_half_life_weeks,
            **{p: {k: v.model_dump() for k, v in fitted_pillars[p].items()} for p in PILLARS},
        }
    )
    before = _mean_scores(inputs, baseline)
    after = _mean_scores(inputs, scoring)
    predictions = pd.DataFrame({"date": readings["date"], "week": weeks})
    errors = []
    for name in ("ssi", *PILLARS):
        observed = readings[name].to_numpy(dtype=np.float64)
        predictions[name] = observed
        predictions[f"{name}_baseline"] = before[name]
        predictions[f"{name}_fitted"] = after[name]
        errors.append(
            {
                "score": name,
                "readings": int(np.isfinite(observed).sum()),
                "rmse_baseline": _rmse(before[name], observed),
                "rmse_fitted": _rmse(after[name], observed),
            }
        )
    for rank in _RANKS:
        predictions[rank] = readings[rank].to_numpy()
    errors_frame = pd.DataFrame(errors[1:] + errors[:1])  # pillars first, ssi last
    return FitResult(
        scoring=scoring,
        baseline=baseline,
        errors=errors_frame,
        parameters=pd.DataFrame(rows),
        predictions=predictions,
        readings_path=str(readings.attrs.get("path", "readings")),
        scenario_name=scenario.name,
        strategy=strategy.name,
        replications=scenario.replications,
        start_week=int(start_week),
        horizon_weeks=int(weeks[-1]),
        ridge=float(ridge),
        seed=scenario.seed,
        notes=_boost_notes(inputs, baseline, scoring, scenario.platform.boost_threshold_ssi),
    )


def _problem(
    pillar: str, baseline: Scoring, inputs: Mapping[str, np.ndarray], sales_navigator: bool
) -> _Problem:
    params = getattr(baseline, pillar)
    names = INPUTS[pillar]
    kept = [n for n in names if (pillar, n) in SALES_NAVIGATOR_INPUTS and not sales_navigator]
    free = tuple(n for n in names if n not in kept)
    total = sum(getattr(params, n).weight for n in names)
    fixed = sum(getattr(params, n).weight for n in kept) / total
    scales = tuple(n for n in free if np.any(inputs[n] != 0.0))
    return _Problem(pillar, free, scales, fixed, total)


def _fit_pillar(
    problem: _Problem,
    baseline: Scoring,
    inputs: Mapping[str, np.ndarray],
    target: np.ndarray,
    ridge: float,
) -> dict[str, PillarInput]:
    base = getattr(baseline, problem.pillar)
    names = INPUTS[problem.pillar]
    k, m = len(problem.free_weights), len(problem.free_scales)
    w0 = np.array([getattr(base, n).weight for n in problem.free_weights])
    share0 = w0 / problem.total_weight
    raw0 = w0 / w0.sum() if w0.sum() > 0 else np.full(k, 1.0 / k)
    log0 = np.log([getattr(base, n).scale for n in problem.free_scales])
    low_w = np.array(
        [
            SALES_NAVIGATOR_MIN_WEIGHT if (problem.pillar, n) in SALES_NAVIGATOR_INPUTS else 0.0
            for n in problem.free_weights
        ]
    )
    lower = np.concatenate([low_w, log0 - math.log(SCALE_BOUND)])
    upper = np.concatenate([np.ones(k), log0 + math.log(SCALE_BOUND)])
    x0 = np.clip(np.concatenate([raw0, log0]), lower, upper)
    root = math.sqrt(ridge)
    pillar_inputs = {problem.pillar: inputs}

    def unpack(x: np.ndarray, snap: bool = False) -> dict[str, PillarInput]:
        raw, logs = x[:k], x[k:]
        shares = (1.0 - problem.fixed_share) * raw / max(raw.sum(), 1e-12)
        if snap:  # a share the optimiser left at 1e-17 is a zero weight
            shares = np.where(shares < ZERO_SHARE, 0.0, shares)
        weights = dict(zip(problem.free_weights, shares * problem.total_weight, strict=True))
        scales = dict(zip(problem.free_scales, np.exp(logs), strict=True))
        out = {}
        for n in names:
            p = getattr(base, n)
            # model_construct: the optimiser's candidates skip validation;
            # the result is validated once, as a Scoring, at the end.
            out[n] = PillarInput.model_construct(
                weight=float(weights.get(n, p.weight)), scale=float(scales.get(n, p.scale))
            )
        return out

    def residuals(x: np.ndarray) -> np.ndarray:
        candidate = _with_pillar(baseline, problem.pillar, unpack(x))
        model = pillar_scores(pillar_inputs, candidate)[problem.pillar].mean(axis=0)
        raw, logs = x[:k], x[k:]
        shares = (1.0 - problem.fixed_share) * raw / max(raw.sum(), 1e-12)
        return np.concatenate(
            [
                model - target,
                root * (logs - log0) / math.log(10.0),
                root * (shares - share0) / SHARE_PRIOR,
                [raw.sum() - 1.0],  # shares ignore the raw weights' sum: pin it
            ]
        )

    if k + m == 0:
        return unpack(x0)
    solution = least_squares(residuals, x0, bounds=(lower, upper), method="trf")
    return unpack(solution.x, snap=True)


def _with_pillar(scoring: Scoring, pillar: str, params: Mapping[str, PillarInput]) -> Scoring:
    model = type(getattr(scoring, pillar))
    return scoring.model_copy(update={pillar: model.model_construct(**params)})


def _mean_scores(
    inputs: Mapping[str, Mapping[str, np.ndarray]], scoring: Scoring
) -> dict[str, np.ndarray]:
    return {k: v.mean(axis=0) for k, v in pillar_scores(inputs, scoring).items()}


def _rmse(model: np.ndarray, observed: np.ndarray) -> float:
    ok = np.isfinite(observed)
    return float(np.sqrt(np.mean((model[ok] - observed[ok]) ** 2)))


_KEPT_SN = "kept: Sales Navigator input, the routine does not use it"
_KEPT_SCALE = "scale kept: the input stays 0"
_AT_UPPER = f"scale at its upper bound (default x {SCALE_BOUND:g})"
_AT_LOWER = f"scale at its lower bound (default / {SCALE_BOUND:g})"
_NOTE_CODES = {_KEPT_SN: "SN", _KEPT_SCALE: "0", _AT_UPPER: "x10", _AT_LOWER: "/10"}


def _parameter_rows(
    problem: _Problem, baseline: Scoring, fitted: Mapping[str, PillarInput], sales_navigator: bool
) -> list[dict[str, Any]]:
    rows = []
    base = getattr(baseline, problem.pillar)
    for n in INPUTS[problem.pillar]:
        b, f = getattr(base, n), fitted[n]
        free = [
            w
            for w, ok in (
                ("weight", n in problem.free_weights),
                ("scale", n in problem.free_scales),
            )
            if ok
        ]
        if not free:
            note = _KEPT_SN
        elif n not in problem.free_scales:
            note = _KEPT_SCALE
        elif math.isclose(f.scale, b.scale * SCALE_BOUND, rel_tol=1e-3):
            note = _AT_UPPER
        elif math.isclose(f.scale, b.scale / SCALE_BOUND, rel_tol=1e-3):
            note = _AT_LOWER
        else:
            note = ""
        rows.append(
            {
                "pillar": problem.pillar,
                "input": n,
                "weight_baseline": b.weight,
                "weight_fitted": f.weight,
                "scale_baseline": b.scale,
                "scale_fitted": f.scale,
                "fitted": ", ".join(free),
                "note": note,
            }
        )
    return rows


def _boost_notes(
    inputs: Mapping[str, Mapping[str, np.ndarray]],
    baseline: Scoring,
    fitted: Scoring,
    threshold: float,
) -> tuple[str, ...]:
    """Warn when the fitted scores cross the boost threshold where the simulated ones did not."""
    before = pillar_scores(inputs, baseline)["ssi"] > threshold
    after = pillar_scores(inputs, fitted)["ssi"] > threshold
    if np.array_equal(before, after):
        return ()
    return (
        f"the fitted SSI is above the boost threshold ({threshold:g}) in "
        f"{after.mean():.0%} of the simulated reading weeks against {before.mean():.0%} "
        "with the routine's scoring, which the simulation used; the boost changes reach, "
        "so refit with the routine's scoring set to the weights file to refine",
    )


# --------------------------------------------------------------------------- report


def report_tables(result: FitResult) -> list[Table]:
    """Two rich tables: the errors per pillar, and the fitted parameters."""
    errors = Table(
        title=f"RMSE against {len(result.predictions)} readings, points",
        caption="baseline: the routine's scoring (the defaults unless it sets one)",
    )
    for column in ("score", "readings", "baseline", "fitted", "change"):
        errors.add_column(column, justify="left" if column == "score" else "right")
    for row in _records(result.errors):
        before, after = row["rmse_baseline"], row["rmse_fitted"]
        errors.add_row(
            str(row["score"]),
            str(row["readings"]),
            f"{before:.2f}",
            f"{after:.2f}",
            f"{(after - before) / before if before else 0.0:+.0%}",
            style="bold" if row["score"] == "ssi" else None,
        )
    params = Table(
        title="Weights and saturation scales, baseline and fitted",
        caption=(
            "=: kept. SN: Sales Navigator input, kept as the routine does not use it; "
            "0: the input stays 0, its scale is kept; x10, /10: the scale is at its bound"
        ),
    )
    params.add_column("pillar", no_wrap=True)
    params.add_column("input", no_wrap=True)
    for column in ("weight", "fitted", "scale", "fitted", ""):
        params.add_column(column, justify="right", no_wrap=True)
    previous = None
    for row in _records(result.parameters):
        params.add_row(
            row["pillar"] if row["pillar"] != previous else "",
            row["input"],
            f"{row['weight_baseline']:.3f}",
            f"{row['weight_fitted']:.3f}" if "weight" in row["fitted"] else "=",
            f"{row['scale_baseline']:.3g}",
            f"{row['scale_fitted']:.3g}" if "scale" in row["fitted"] else "=",
            _NOTE_CODES.get(row["note"], ""),
            end_section=row["input"] == INPUTS[row["pillar"]][-1],
        )
        previous = row["pillar"]
    tables = [errors, params]
    ranks = result.predictions[list(_RANKS)]
    if ranks.notna().any().any():
        table = Table(title="Ranks in the readings (top %, not fitted)")
        for column in ("rank", "first", "last"):
            table.add_column(column, justify="left" if column == "rank" else "right")
        for rank in _RANKS:
            known = ranks[rank].dropna()
            if not known.empty:
                table.add_row(rank, f"{known.iloc[0]:g}", f"{known.iloc[-1]:g}")
        tables.append(table)
    return tables


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): v for k, v in row.items()} for row in frame.to_dict("records")]


# --------------------------------------------------------------------------- weights file

WEIGHTS_HEADER = "# Pillar weights and saturation scales fitted by `ssisim fit`"
"""First line of every weights file; :func:`write_weights` only replaces files that start with it."""


def _version() -> str:
    try:
        return metadata.version("ssisim")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


def _significant(value: float, digits: int = 4) -> float:
    return float(f"{value:.{digits}g}")


def weights_yaml(
    result: FitResult, routine: str | None = None, when: dt.datetime | None = None
) -> str:
    """The weights file's text: a comment header, then a top-level ``scoring:`` block.

    Values are rounded to 4 significant digits; the text is checked to load
    back into a valid :class:`~ssisim.scenario.schema.Scoring`.
    """
    when = when or dt.datetime.now().replace(microsecond=0)
    first, last = result.predictions["date"].iloc[[0, -1]]
    errors = ", ".join(
        f"{r['score']} {r['rmse_baseline']:.2f} -> {r['rmse_fitted']:.2f}"
        for r in _records(result.errors)
    )
    header = [
        f"{WEIGHTS_HEADER} (ssisim {_version()}) on {when.isoformat(sep=' ')}.",
        f"# Readings: {result.readings_path}: {len(result.predictions)} readings, "
        f"{first.date().isoformat()} to {last.date().isoformat()} "
        f"(routine weeks {result.start_week} to {result.horizon_weeks}).",
        f"# Routine: {routine or result.scenario_name}, strategy '{result.strategy}', "
        f"{result.replications} replications, seed {result.seed}, ridge {result.ridge:g}.",
        "# RMSE against the readings, points (routine's scoring -> fitted):",
        f"#   {errors}.",
        "# Use it in a scenario with `scoring: FILE` (relative to the scenario file), or",
        "# with `--set scoring=FILE` on the command line; see docs/fit.md.",
    ]
    block: dict[str, Any] = {"activity_half_life_weeks": result.scoring.activity_half_life_weeks}
    for pillar in PILLARS:
        params = getattr(result.scoring, pillar)
        block[pillar] = {
            n: {
                "weight": _significant(getattr(params, n).weight),
                "scale": _significant(getattr(params, n).scale),
            }
            for n in INPUTS[pillar]
        }
    body = yaml.safe_dump({"scoring": block}, sort_keys=False, default_flow_style=None)
    Scoring.model_validate(yaml.safe_load(body)["scoring"])
    return "\n".join(header) + "\n" + body


def write_weights(path: str | Path, result: FitResult, routine: str | None = None) -> Path:
    """Write the weights file atomically (a temporary file in the same directory, then a rename).

    Parameters
    ----------
    path : str or Path
        The file to write. An existing file is replaced only if it is a
        weights file (its first line is :data:`WEIGHTS_HEADER`), so a typo
        cannot overwrite a scenario.
    result : FitResult
    routine : str, optional
        The routine file, named in the header.

    Returns
    -------
    Path

    Raises
    ------
    DataError
        The directory is missing, the file exists and is not a weights file,
        or it cannot be written.
    """
    path = Path(path)
    if path.is_dir():
        raise DataError(f"{path}: is a directory; --out takes a file name, e.g. weights.yaml")
    if not path.parent.is_dir():
        raise DataError(f"{path}: no such directory {str(path.parent)!r} (nothing was written)")
    if path.exists():
        try:
            with path.open(encoding="utf-8", errors="replace") as f:
                first = f.readline()
        except OSError as exc:
            raise DataError(f"{path}: cannot read ({exc.strerror})") from None
        if not first.startswith(WEIGHTS_HEADER):
            raise DataError(
                f"{path}: exists and is not a weights file written by `ssisim fit`; "
                "refusing to replace it (nothing was written)"
            )
    text = weights_yaml(result, routine)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise DataError(f"{path}: cannot write ({exc.strerror}; nothing was written)") from None
    return path


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask

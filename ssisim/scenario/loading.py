"""Loading a scenario: bounded YAML, named files, ``--set`` overrides, error messages.

Errors are reported as ``FILE:LINE: key.path: what is wrong (got VALUE)``, one
per line, every error of a scenario at once, sorted by line (see
:func:`load_scenario`). The schema itself is :mod:`ssisim.scenario.schema`.

A scenario is a document people send each other, so reading one is bounded
and confined (``docs/scenarios.md``, "Limits and trust"):

- at most :data:`MAX_SCENARIO_BYTES`, nesting at most :data:`MAX_DEPTH` deep,
  no YAML anchors or aliases, no duplicate keys, no control characters;
- files it names (:func:`resolve_named_file`) lie in its folder (or a folder
  given with ``--allow-path``), are regular files of at most
  :data:`MAX_NAMED_FILE_BYTES`, and their contents are never echoed;
- ``execution.scheduler`` (where code runs) is refused unless the user trusts
  the scenario with it (:class:`Trust`).

Every message is made printable: control characters, ANSI escapes and
newlines in keys or values are shown escaped, as Python's ``repr`` would.
"""

from __future__ import annotations

import copy
import os
import re
import stat
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ssisim.errors import ScenarioError
from ssisim.scenario.schema import BusinessContext, Scenario, Strategy, did_you_mean

__all__ = [
    "MAX_DEPTH",
    "MAX_ERRORS",
    "MAX_NAMED_FILE_BYTES",
    "MAX_SCENARIO_BYTES",
    "MEMBER_FORMAT",
    "MEMBER_FORMAT_PREFIX",
    "NOT_A_MEMBER_FILE",
    "Override",
    "Trust",
    "apply_overrides",
    "check_member_network",
    "format_error",
    "format_errors",
    "line_map",
    "load_scenario",
    "member_format_problem",
    "number_text",
    "parse_scenario",
    "parse_yaml",
    "printable",
    "read_named_text",
    "resolve_named_file",
    "scenario_from_manifest",
]


Override = str | tuple[str, str]
"""``"KEY=VALUE"``, or ``("KEY=VALUE", label)`` where ``label`` names its origin in errors."""

MAX_SCENARIO_BYTES = 1 << 20
"""A scenario file's largest size (1 MiB); the shipped ones are a few KiB."""
MAX_NAMED_FILE_BYTES = 1 << 20
"""The largest file a scenario may name (``scoring: FILE``, ``from: FILE``): 1 MiB."""
MAX_DEPTH = 32
"""The deepest nesting of mappings and lists in a scenario or a ``--set`` value
(the schema itself is 5 deep)."""
MAX_ERRORS = 50
"""Errors listed at most; the rest are counted."""
MAX_INT_DIGITS = 30
"""Digits of an integer literal at most (larger ones are refused before conversion)."""

_NON_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
"""What YAML (and PyYAML) refuses in a stream."""


@dataclass(frozen=True)
class Trust:
    """What the user allows a scenario beyond its own values (command-line flags).

    Parameters
    ----------
    scheduler : bool
        ``--trust-scenario-scheduler``: let ``execution.scheduler`` in the
        file choose a Dask scheduler (a network address where code runs).
    allowed_dirs : tuple of Path
        ``--allow-path DIR``: folders outside the scenario's own folder from
        which it may name files.
    """

    scheduler: bool = False
    allowed_dirs: tuple[Path, ...] = ()


def printable(text: str) -> str:
    """``text`` with every non-printable character escaped as ``repr`` would
    (``\\n``, ``\\x1b``, ``\\u202e``), so that a message is one clean line.

    Examples
    --------
    >>> printable("a\\nb\\x1b[31m")
    'a\\\\nb\\\\x1b[31m'
    """
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text
    )


# --------------------------------------------------------------------------- reading files


def _read_bounded(path: Path, limit: int, what: str, where: str) -> str:
    """Read a regular file of at most ``limit`` bytes as UTF-8, never blocking.

    ``O_NONBLOCK`` keeps a FIFO from hanging the open; ``fstat`` then refuses
    anything but a regular file (a FIFO, a device such as ``/dev/zero``).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise ScenarioError(f"{where}: no such {what}") from None
    except IsADirectoryError:
        raise ScenarioError(f"{where}: is a directory, not a {what}") from None
    except OSError as exc:
        raise ScenarioError(f"{where}: cannot read ({exc.strerror or exc})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ScenarioError(f"{where}: is a directory, not a {what}")
        if not stat.S_ISREG(info.st_mode):
            raise ScenarioError(f"{where}: not a regular file (a device, FIFO or socket)")
        if info.st_size > limit:
            raise ScenarioError(
                f"{where}: {info.st_size:,} bytes; a {what} holds at most {limit:,}"
            )
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, limit + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:  # it grew while we read
            raise ScenarioError(f"{where}: more than {limit:,} bytes; a {what} holds at most that")
    except OSError as exc:
        raise ScenarioError(f"{where}: cannot read ({exc.strerror or exc})") from None
    finally:
        os.close(fd)
    data = b"".join(chunks)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)  # 1 for a line's first byte
        raise ScenarioError(
            f"{where}:{line}: not a UTF-8 text file ({exc.reason} at byte {column} of the "
            "line); save it as UTF-8"
        ) from None


def resolve_named_file(
    scenario_path: str | Path | None,
    value: Any,
    key: str,
    allowed_dirs: Sequence[str | Path] = (),
    where: str | None = None,
) -> Path:
    """The file a scenario names (``scoring: FILE``, ``seller: {from: FILE}``), checked.

    The one rule for every file a scenario names: relative to the scenario's
    folder; after following links, inside that folder or one of
    ``allowed_dirs`` (``--allow-path``); a regular file (not a FIFO, device
    or directory) of at most :data:`MAX_NAMED_FILE_BYTES`. Read it with
    :func:`read_named_text`. Messages name the path, never the contents.

    Parameters
    ----------
    scenario_path : str, Path or None
        The scenario file. None for a value given on the command line
        (``--set scoring=FILE``): relative to the working directory, and the
        user's own choice, so not confined.
    value : any
        What the scenario wrote (a string is expected).
    key : str
        The dotted key that names the file (``scoring``), for messages.
    allowed_dirs : sequence of str or Path
        Folders outside the scenario's own that it may name files in.
    where : str, optional
        The origin of messages (``FILE:LINE`` or ``--set ...``).

    Returns
    -------
    Path
        The resolved (absolute, link-free) path.

    Raises
    ------
    ScenarioError
        One line, naming the key and the path as written.
    """
    origin = where or (str(scenario_path) if scenario_path is not None else key)
    if not isinstance(value, str) or not value or len(value) > 4096 or "\0" in value:
        got = printable(repr(value))[:200]
        raise ScenarioError(f"{origin}: {key}: expected a file name (got {got})")
    shown = printable(repr(value))
    base = Path(scenario_path).parent if scenario_path is not None else Path(".")
    candidate = base / value
    try:
        real = candidate.resolve(strict=True)
    except FileNotFoundError:
        raise ScenarioError(
            f"{origin}: {key}: no such file to include {printable(repr(str(candidate)))} "
            f"(got {shown})"
        ) from None
    except (OSError, RuntimeError) as exc:  # a loop of links, a name too long
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "cannot resolve"
        raise ScenarioError(f"{origin}: {key}: cannot open {shown} ({reason})") from None
    if scenario_path is not None:
        roots = [base.resolve(), *(Path(d).resolve() for d in allowed_dirs)]
        if not any(real.is_relative_to(r) for r in roots):
            raise ScenarioError(
                f"{origin}: {key}: {shown} is outside the scenario's folder "
                f"{printable(str(roots[0]))}; a scenario names only files in its folder "
                "(pass --allow-path DIR to allow another)"
            )
    try:
        info = real.stat()
    except OSError as exc:
        raise ScenarioError(f"{origin}: {key}: cannot open {shown} ({exc.strerror})") from None
    if not stat.S_ISREG(info.st_mode):
        raise ScenarioError(f"{origin}: {key}: {shown} is not a regular file")
    if info.st_size > MAX_NAMED_FILE_BYTES:
        raise ScenarioError(
            f"{origin}: {key}: {shown} has {info.st_size:,} bytes; at most {MAX_NAMED_FILE_BYTES:,}"
        )
    return real


def read_named_text(path: Path, key: str, where: str) -> str:
    """The text of a file checked by :func:`resolve_named_file` (bounded, never blocking)."""
    return _read_bounded(path, MAX_NAMED_FILE_BYTES, f"{key} file", where)


# --------------------------------------------------------------------------- bounded YAML


def parse_yaml(text: str, source: str) -> tuple[Any, dict[tuple[Any, ...], int | str]]:
    """Parse YAML text within the scenario limits; return the data and its line map.

    Refused, each in one line naming where: more than :data:`MAX_SCENARIO_BYTES`,
    control characters, anchors and aliases, nesting deeper than
    :data:`MAX_DEPTH`, duplicate keys (naming both lines), integers of more
    than :data:`MAX_INT_DIGITS` digits, YAML syntax errors. The limits are
    checked on the event stream, before anything is built, so a hostile file
    costs milliseconds and little memory.

    Raises
    ------
    ScenarioError
        One line per problem found (duplicate keys are all listed).
    """
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_SCENARIO_BYTES:
        raise ScenarioError(
            f"{source}:1: {size:,} bytes; a scenario holds at most {MAX_SCENARIO_BYTES:,}"
        )
    bad = _NON_PRINTABLE.search(text)
    if bad is not None:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        raise ScenarioError(
            f"{source}:{line}: control character {printable(repr(bad.group()))} at column "
            f"{column}; a scenario is plain text"
        )
    try:
        _check_events(text, source)
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            lines, problems = _walk(node, source)
            if problems:
                raise ScenarioError("\n".join(problems))
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"{mark.line + 1}" if mark is not None else "1"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(f"{source}:{where}: YAML syntax error: {printable(problem)}") from None
    return data, lines


def _flow_depth_end(text: str) -> int | None:
    """Where the brackets of ``text`` first open more than :data:`MAX_DEPTH` deep, if they do.

    A cheap upper bound on flow nesting (brackets in scalars count too): the
    scanner looks far ahead inside deep flow collections, so such a prefix is
    checked alone first (see :func:`_check_events`).
    """
    depth = 0
    for match in re.finditer(r"[\[\]{}]", text):
        depth += 1 if match.group() in "[{" else -1
        if depth > MAX_DEPTH:
            return match.end()
        depth = max(depth, 0)
    return None


def _check_events(text: str, source: str) -> None:
    """Anchors, aliases and depth, from the parser's events (iterative, nothing built)."""
    end = _flow_depth_end(text)
    if end is not None:  # a prefix too deep is refused before the whole is scanned
        try:
            _check_event_stream(text[:end], source)
        except yaml.YAMLError:
            pass  # the brackets were in scalars: check the whole below
    _check_event_stream(text, source)


def _check_event_stream(text: str, source: str) -> None:
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        anchor = getattr(event, "anchor", None)
        mark = event.start_mark
        if anchor is not None:
            line = mark.line + 1 if mark is not None else 1
            kind = "alias *" if isinstance(event, yaml.AliasEvent) else "anchor &"
            raise ScenarioError(
                f"{source}:{line}: YAML {kind}{printable(anchor)}: anchors and aliases are not "
                "allowed in a scenario; write the values out (or use a strategy's based_on)"
            )
        if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise ScenarioError(
                    f"{source}:{mark.line + 1 if mark else 1}: nested more than {MAX_DEPTH} levels "
                    "deep; a scenario is at most that deep"
                )
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1


_INT_TAG = "tag:yaml.org,2002:int"


def _walk(
    root: yaml.Node | None, source: str
) -> tuple[dict[tuple[Any, ...], int | str], list[str]]:
    """Line map, duplicate keys and oversized integers of a composed document (iteratively)."""
    lines: dict[tuple[Any, ...], int | str] = {}
    problems: list[tuple[int, str]] = []
    stack: list[tuple[yaml.Node, tuple[Any, ...]]] = [(root, ())] if root is not None else []
    while stack:
        node, path = stack.pop()
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, value_node in node.value:
                key = _scalar_key(key_node)
                line = key_node.start_mark.line + 1
                if key in seen:
                    shown = printable(".".join(map(str, (*path, key))))
                    problems.append(
                        (
                            line,
                            f"{source}:{line}: {shown}: duplicate key (first at line {seen[key]})",
                        )
                    )
                    continue
                seen[key] = line
                lines[(*path, key)] = line
                if not isinstance(key, str):  # pydantic names some such keys by their text
                    lines.setdefault((*path, str(key)), line)
                stack.append((value_node, (*path, key)))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                stack.append((item, (*path, i)))
        elif node.tag == _INT_TAG and len(node.value) > MAX_INT_DIGITS:
            line = node.start_mark.line + 1
            shown = printable(".".join(map(str, path))) or "value"
            problems.append(
                (
                    line,
                    f"{source}:{line}: {shown}: an integer of {len(node.value):,} characters; "
                    f"at most {MAX_INT_DIGITS} digits",
                )
            )
    return lines, [p for _, p in sorted(problems)]


_STR_TAG = "tag:yaml.org,2002:str"


def _scalar_key(node: yaml.Node) -> Any:
    """A mapping key as the loaded data holds it (``1: x`` is the number 1, so that
    an error about it finds its line); a collection key (which YAML then refuses)
    is a key of its own."""
    if not isinstance(node, yaml.ScalarNode):
        return object()
    if node.tag == _STR_TAG:
        return node.value
    try:
        value = yaml.safe_load(node.value) if len(node.value) <= 100 else node.value
    except yaml.YAMLError:
        return node.value
    return value if isinstance(value, str | int | float | bool) or value is None else node.value


def line_map(
    node: yaml.Node | None, path: tuple[Any, ...] = ()
) -> dict[tuple[Any, ...], int | str]:
    """Map each key path of a composed YAML document to its 1-based line (iteratively)."""
    lines, _ = _walk(node, "")
    return {(*path, *k): v for k, v in lines.items()}


# --------------------------------------------------------------------------- the scenario


def load_scenario(
    path: str | Path, overrides: Sequence[Override] = (), trust: Trust | None = None
) -> Scenario:
    """Read, override and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        A YAML file (a regular file of at most :data:`MAX_SCENARIO_BYTES`).
        Loaded with PyYAML's safe loader only, within the limits of
        :func:`parse_yaml`.
    overrides : sequence of str or (str, str)
        ``KEY=VALUE`` strings applied before validation (optionally paired
        with the label errors should name, e.g. ``"--weeks 0"``); ``KEY`` is a dotted
        path (``population.size``, ``strategies.open-bar.invites_per_week``),
        ``VALUE`` is parsed as YAML.
    trust : Trust, optional
        What the user allows the scenario (default: nothing more).

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        Every error, one per line, ``FILE:LINE: key.path: what is wrong (got VALUE)``,
        sorted by line.

    Examples
    --------
    >>> s = load_scenario("scenarios/open-bar-vs-club-select.yaml", ["weeks=4"])  # doctest: +SKIP
    >>> s.weeks  # doctest: +SKIP
    4
    """
    path = Path(path)
    text = _read_bounded(path, MAX_SCENARIO_BYTES, "scenario file", printable(str(path)))
    return parse_scenario(text, source=str(path), overrides=overrides, trust=trust)


def parse_scenario(
    text: str,
    source: str = "<string>",
    overrides: Sequence[Override] = (),
    trust: Trust | None = None,
) -> Scenario:
    """Validate a scenario given as YAML text; see :func:`load_scenario`.

    ``source`` names the text in messages, and its folder is where named
    files are looked for.
    """
    if isinstance(overrides, (str, bytes, Mapping)):  # iterating would split it up
        kind = "a mapping" if isinstance(overrides, Mapping) else "one string"
        raise ScenarioError(
            f"overrides: a list of KEY=VALUE strings, such as ['weeks=4'] (got {kind}: "
            f"{printable(repr(overrides))[:80]})"
        )
    trust = trust or Trust()
    source = printable(source)
    data, lines = parse_yaml(text, source)
    if data is None:
        raise ScenarioError(
            f"{source}:1: the file is empty; a scenario needs at least `name` and `strategies`"
        )
    if not isinstance(data, dict):
        raise ScenarioError(
            f"{source}:1: the top level must be a mapping of keys (got {type(data).__name__})"
        )
    labels = [_override_label(entry)[1] for entry in overrides]
    early: list[str] = []  # errors found before validation; each hides nothing else
    execution = data.get("execution")
    if not trust.scheduler and isinstance(execution, dict) and execution.get("scheduler"):
        line = lines.get(("execution", "scheduler"), 1)
        got = printable(repr(execution["scheduler"]))
        early.append(
            f"{source}:{line}: execution.scheduler: a scenario cannot choose where code runs; "
            "use --scheduler or SSISIM_SCHEDULER (or --trust-scenario-scheduler to accept "
            f"the file's) (got {got})"
        )
    # `scoring: FILE` includes a weights file, relative to the scenario's folder;
    # overrides go one at a time so that `--set scoring=FILE` (relative to the
    # current directory) includes one too, and later overrides apply on top.
    # A file that cannot be included, or an override that cannot be applied,
    # is reported with the rest: the scenario is checked without it.
    data = _include_scoring_or_note(data, source, lines, source, trust, early)
    members: set[str] = set()  # member files already resolved (their path is absolute)
    data = _include_members(data, source, lines, source, trust, members, early)
    for entry in overrides:
        try:
            data = apply_overrides(data, [entry], source_lines=lines)
        except ScenarioError as exc:
            early.extend(str(exc).splitlines())
            continue
        data = _include_scoring_or_note(data, None, lines, source, trust, early)
        data = _include_members(data, None, lines, source, trust, members, early)
    found = [(_sort_key(text, source, labels), text) for text in early]
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        found += _error_lines(exc, data, lines, source, labels)
        raise ScenarioError(_join(found)) from None
    if found:
        raise ScenarioError(_join(found))
    return scenario


def _sort_key(text: str, source: str, labels: Sequence[str]) -> tuple[Any, ...]:
    """Where an error stands in the list: the scenario's lines first, by number,
    then included files by name and line, then the command-line options in the
    order given (``labels``), then anything else."""
    for i, label in enumerate(labels):
        if text.startswith(f"{label}: "):
            return (2, i, text)
    where = text.split(": ", 1)[0]
    if where.startswith(f"{source}:") and where[len(source) + 1 :].isdigit():
        return (0, int(where[len(source) + 1 :]), text)
    name, _, number = where.rpartition(":")
    if number.isdigit():
        return (1, name, int(number), text)
    return (3, text)


def _include_scoring_or_note(
    data: dict[str, Any],
    scenario_path: str | None,
    lines: dict[tuple[Any, ...], int | str],
    source: str,
    trust: Trust,
    errors: list[str],
) -> dict[str, Any]:
    """:func:`_include_scoring`, or else its error noted in ``errors`` and the
    scenario's default scoring."""
    try:
        return _include_scoring(data, scenario_path, lines, source, trust)
    except ScenarioError as exc:
        errors.extend(str(exc).splitlines())
        return {k: v for k, v in data.items() if k != "scoring"}


def _join(found: list[tuple[tuple[Any, ...], str]]) -> str:
    ordered = [text for _, text in sorted(found, key=lambda e: e[0])]
    ordered = list(dict.fromkeys(ordered))
    if len(ordered) > MAX_ERRORS:
        more = len(ordered) - MAX_ERRORS
        ordered = [*ordered[:MAX_ERRORS], f"... and {more:,} more errors"]
    return "\n".join(ordered)


def scenario_from_manifest(
    manifest: Mapping[str, Any],
    source: str = "manifest.json",
    overrides: Sequence[Override] = (),
) -> Scenario:
    """The business contexts of a finished run, as a scenario to re-evaluate its outcomes.

    A run's ``manifest.json`` records its resolved scenario; this keeps its
    ``name`` and ``contexts`` (the defaults when absent) with one idle
    strategy, then applies ``overrides``. The recorded contexts are the
    contexts as run: a default context absent from them (removed with
    ``volume: null``) stays absent.

    Parameters
    ----------
    manifest : mapping
        A run's manifest (see :func:`ssisim.results.tables.read_results`).
    source : str
        The manifest's path, named in errors; a ``scoring: FILE`` override is
        relative to the working directory.
    overrides : sequence of str or (str, str)
        As for :func:`load_scenario`, e.g. ``contexts.complex.deal_value_eur=300000``.

    Raises
    ------
    ScenarioError
        An override is invalid.
    """
    from ssisim.scenario.schema import DEFAULT_CONTEXTS

    found = manifest.get("scenario")
    base: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    contexts = base.get("contexts")
    if isinstance(contexts, Mapping):
        # the manifest records the contexts as run, complete: a default the run
        # did not have was removed (``volume: null``) and stays removed, rather
        # than coming back when the block is merged over the defaults again
        contexts = {**{k: None for k in DEFAULT_CONTEXTS if k not in contexts}, **contexts}
    data = {
        "name": base.get("name", "outcomes"),
        "strategies": ["inactive"],
        "contexts": contexts,
    }
    return parse_scenario(yaml.safe_dump(data), source, overrides)


def _include_scoring(
    data: dict[str, Any],
    scenario_path: str | None,
    lines: dict[tuple[Any, ...], int | str],
    source: str,
    trust: Trust,
) -> dict[str, Any]:
    """Replace ``scoring: FILE`` by the top-level ``scoring:`` block of FILE (e.g. from ``ssisim fit``).

    FILE is checked by :func:`resolve_named_file` (relative to the scenario's
    folder, confined to it); with ``scenario_path`` None (a ``--set``), it is
    relative to the working directory. The included keys' lines are recorded
    as ``FILE:LINE`` in ``lines``, so errors in them name the included file.
    """
    value = data.get("scoring")
    if not isinstance(value, str):
        return data
    where = lines.get(("scoring",), 1)
    origin = where if isinstance(where, str) else f"{source}:{where}"
    path = resolve_named_file(scenario_path, value, "scoring", trust.allowed_dirs, origin)
    shown = printable(str(path))
    text = read_named_text(path, "scoring", f"{origin}: scoring: {shown}")
    included, included_lines = parse_yaml(text, shown)
    if not isinstance(included, dict) or "scoring" not in included:
        raise ScenarioError(
            f"{shown}:1: an included scoring file needs a top-level `scoring:` block"
        )
    others = [k for k in included if k != "scoring"]
    if others:  # the file is confined to the scenario's folder: naming its key is safe
        name = printable(str(others[0]))[:64]
        raise ScenarioError(
            f"{shown}:{included_lines.get((others[0],), 1)}: {name}: unknown key in an included "
            "scoring file (it holds only `scoring:`)"
        )
    if not isinstance(included["scoring"], dict):
        raise ScenarioError(
            f"{shown}:{included_lines.get(('scoring',), 1)}: scoring: must be a mapping of pillars"
        )
    for key in [k for k in lines if k[:1] == ("scoring",) and len(k) > 1]:
        del lines[key]
    lines.update({k: f"{shown}:{n}" for k, n in included_lines.items() if k[:1] == ("scoring",)})
    return {**data, "scoring": included["scoring"]}


MEMBER_FORMAT_PREFIX = "ssisim-member/"
"""How every member file's ``format:`` starts (what tells one apart)."""
MEMBER_FORMAT = "ssisim-member/1"
"""The member file's format this version reads and writes (``docs/own-data.md``)."""


NOT_A_MEMBER_FILE = "not a member file written by `ssisim import`"


def member_format_problem(value: Any) -> str | None:
    """Why a member file's ``format:`` value cannot be read, or None when it can."""
    text = str(value if value is not None else "")
    if not text.startswith(MEMBER_FORMAT_PREFIX):
        return NOT_A_MEMBER_FILE
    if text != MEMBER_FORMAT:
        return (
            f"{printable(text)[:40]} is not the member file format this ssisim reads "
            f"({MEMBER_FORMAT}); import the export again with it"
        )
    return None


def _read_member_file(
    scenario_path: str | None,
    value: Any,
    key: str,
    lines: dict[tuple[Any, ...], int | str],
    loc: tuple[Any, ...],
    source: str,
    trust: Trust,
) -> tuple[Path, dict[str, Any], dict[tuple[Any, ...], int | str]]:
    """The member file named by ``from:`` at ``loc``: checked, read, parsed (bounded);
    with the line of each of its keys."""
    where = _lookup_line(loc, lines)
    origin = where if isinstance(where, str) else f"{source}:{where}"
    path = resolve_named_file(scenario_path, value, key, trust.allowed_dirs, origin)
    shown = printable(str(path))
    member, member_lines = parse_yaml(
        read_named_text(path, key, f"{origin}: {key}: {shown}"), shown
    )
    problem = member_format_problem(member.get("format") if isinstance(member, dict) else None)
    if problem == NOT_A_MEMBER_FILE:  # said where the scenario names it
        raise ScenarioError(f"{origin}: {key}: {shown} is {NOT_A_MEMBER_FILE}")
    if problem is not None:
        raise ScenarioError(f"{shown}:{member_lines.get(('format',), 1)}: format: {problem}")
    for block in ("seller", "routine"):
        if not isinstance(member.get(block), dict):
            raise ScenarioError(
                f"{shown}:1: {block}: missing block in a member file; import the export again"
            )
    check_member_network(member.get("network"), shown, member_lines)
    return path, member, member_lines


def _member_origins(
    lines: dict[tuple[Any, ...], int | str],
    loc: tuple[Any, ...],
    written: Any,
    block: dict[str, Any],
    member_lines: dict[tuple[Any, ...], int | str],
    path: Path,
    name: str,
) -> None:
    """The keys a member file's ``name:`` block gives the mapping at ``loc``, but
    those the scenario writes itself, are the member file's in errors: its path
    and the key's line there (not the scenario's line of ``from:``)."""
    own = written if isinstance(written, dict) else {}
    for key in block:
        if key not in own:
            lines[(*loc, key)] = f"{printable(str(path))}:{member_lines.get((name, key), 1)}"


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def check_member_network(network: Any, path: str, lines: dict[tuple[Any, ...], int | str]) -> None:
    """A member file's ``network:`` counts, which the week-0 network is placed from,
    are whole numbers (a hand edit otherwise failed every run, far from the file).

    Raises
    ------
    ScenarioError
        One line: the file, the line and the key.
    """
    if network is None:
        return

    def refuse(where: tuple[Any, ...], value: Any) -> None:
        key = ".".join(str(k) for k in where)
        line = next((lines[where[:n]] for n in range(len(where), 0, -1) if where[:n] in lines), 1)
        raise ScenarioError(
            f"{path}:{line}: {key}: expected a whole number of at least 0 (got {value!r:.40})"
        )

    if not isinstance(network, dict):
        raise ScenarioError(f"{path}:{lines.get(('network',), 1)}: network: expected a mapping")
    for key in ("connections", "relevant", "decision_makers"):
        if key in network and not _count(network[key]):
            refuse(("network", key), network[key])
    if network.get("colleagues") is not None and not _count(network["colleagues"]):
        refuse(("network", "colleagues"), network["colleagues"])
    for block in ("by_industry", "by_seniority"):
        for name, value in (network.get(block) or {}).items():
            if not _count(value):
                refuse(("network", block, name), value)
    rows = network.get("by_class") or []
    if not isinstance(rows, list):
        raise ScenarioError(
            f"{path}:{lines.get(('network', 'by_class'), 1)}: network.by_class: expected a list"
        )
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise ScenarioError(
                f"{path}:{lines.get(('network', 'by_class', i), 1)}: network.by_class.{i}: expected a mapping"
            )
        for key in ("connections", "colleagues"):
            if not _count(row.get(key, 0)):
                refuse(("network", "by_class", i, key), row.get(key))


def _include_members(
    data: dict[str, Any],
    scenario_path: str | None,
    lines: dict[tuple[Any, ...], int | str],
    source: str,
    trust: Trust,
    done: set[str],
    errors: list[str],
) -> dict[str, Any]:
    """Resolve ``population.seller.from`` and each strategy's ``from`` (``docs/own-data.md``).

    The member file (``member.yaml`` from ``ssisim import``) is checked by
    :func:`resolve_named_file` as ``scoring: FILE`` is; its ``seller:`` values
    become the defaults of the seller's block and its ``routine:`` values the
    defaults of the strategy (what the scenario writes itself wins). ``from``
    is kept as the resolved absolute path (in ``done``), so that the seller's
    network can be placed from it and a later pass leaves it alone. A file
    that cannot be used is noted in ``errors`` and its ``from`` dropped, so
    that the rest of the scenario is still checked.
    """

    def pending(block: Any) -> bool:
        value = block.get("from") if isinstance(block, dict) else None
        return value is not None and not (isinstance(value, str) and value in done)

    population = data.get("population")
    seller = population.get("seller") if isinstance(population, dict) else None
    out = data
    if isinstance(population, dict) and isinstance(seller, dict) and pending(seller):
        loc = ("population", "seller", "from")
        try:
            path, member, member_lines = _read_member_file(
                scenario_path, seller["from"], ".".join(loc), lines, loc, source, trust
            )
        except ScenarioError as exc:
            errors.extend(str(exc).splitlines())
            new_seller = {k: v for k, v in seller.items() if k != "from"}
        else:
            done.add(str(path))
            new_seller = {**member["seller"], **seller, "from": str(path)}
            _member_origins(lines, loc[:-1], seller, member["seller"], member_lines, path, "seller")
        out = {**out, "population": {**population, "seller": new_seller}}
    strategies = out.get("strategies")
    if isinstance(strategies, list) and any(pending(e) for e in strategies):
        resolved = []
        for i, entry in enumerate(strategies):
            if pending(entry):
                name = _entry_name(entry) or str(i)
                try:
                    path, member, member_lines = _read_member_file(
                        scenario_path,
                        entry["from"],
                        f"strategies.{printable(name)[:64]}.from",
                        lines,
                        ("strategies", i, "from"),
                        source,
                        trust,
                    )
                except ScenarioError as exc:
                    errors.extend(str(exc).splitlines())
                    entry = {"name": "as-is", **{k: v for k, v in entry.items() if k != "from"}}
                else:
                    done.add(str(path))
                    _member_origins(
                        lines, ("strategies", i), entry, member["routine"], member_lines, path,
                        "routine",
                    )  # fmt: skip
                    entry = {"name": "as-is", **member["routine"], **entry, "from": str(path)}
            resolved.append(entry)
        out = {**out, "strategies": resolved}
    return out


def apply_overrides(
    data: dict[str, Any],
    overrides: Sequence[Override],
    source_lines: dict[tuple[Any, ...], int | str] | None = None,
) -> dict[str, Any]:
    """Apply ``KEY=VALUE`` overrides to raw scenario data; returns a new mapping.

    Overridden paths are remembered in ``source_lines`` with the override
    itself as their origin, so that errors name ``--set KEY=VALUE``.
    """
    data = copy.deepcopy(data)
    for entry in overrides:
        item, label = _override_label(entry)
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ScenarioError(f"{label}: expected KEY=VALUE, e.g. population.size=5000")
        parts = key.split(".")
        if len(parts) > MAX_DEPTH:
            raise ScenarioError(f"{label}: the key is more than {MAX_DEPTH} levels deep")
        value = _override_value(raw, label)
        node: Any = data
        resolved: list[Any] = []
        created: list[tuple[Any, ...]] = []
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if isinstance(node, list):
                idx = _list_index(node, part)
                if idx is None:
                    names = [_entry_name(e) for e in node]
                    raise ScenarioError(
                        f"{label}: {printable('.'.join(map(str, resolved))) or 'list'} has no entry "
                        f"{part!r}{did_you_mean(part, [n for n in names if n])}"
                    )
                resolved.append(idx)
                if last:
                    node[idx] = value
                else:
                    if isinstance(node[idx], str):
                        node[idx] = {"based_on": node[idx], "name": node[idx]}
                    node = node[idx]
            elif isinstance(node, dict):
                resolved.append(part)
                if last:
                    node[part] = value
                else:
                    if part not in node:  # made by the option: its errors are the option's
                        created.append(tuple(resolved))
                    node = node.setdefault(part, {})
            else:
                raise ScenarioError(
                    f"{label}: {printable('.'.join(map(str, resolved)))} is a value, not a mapping"
                )
        if source_lines is not None:
            path = tuple(resolved)
            # what was under the key came from the file: the value now is the option's
            for below in [k for k in source_lines if len(k) > len(path) and k[: len(path)] == path]:
                del source_lines[below]
            source_lines[path] = label
            for made in created:
                source_lines[made] = label
    return data


def _override_label(entry: Override) -> tuple[str, str]:
    """``KEY=VALUE`` and the label its errors start with: the one given, or
    ``--set KEY=VALUE`` made printable (what the user typed, on one line)."""
    if isinstance(entry, tuple):
        return entry
    return entry, printable(f"--set {entry}")


def _override_value(raw: str, label: str) -> Any:
    """A ``--set`` value parsed as YAML, within the limits of a scenario; text
    that is not YAML is taken as a string."""
    if not raw.strip():
        return None
    if _NON_PRINTABLE.search(raw) is not None:
        raise ScenarioError(f"{label}: control characters in the value")
    try:
        value, _ = parse_yaml(raw, label)
    except ScenarioError as exc:
        if "YAML syntax error" in str(exc):
            return raw
        raise ScenarioError(str(exc).replace(f"{label}:1: ", f"{label}: ", 1)) from None
    return value


def _entry_name(entry: Any) -> str | None:
    if isinstance(entry, str):
        return entry
    if isinstance(entry, Mapping):
        name = entry.get("name")
        return str(name) if name is not None else None
    return None


def _list_index(node: list[Any], part: str) -> int | None:
    if part.lstrip("-").isdigit():
        idx = int(part)
        return idx if -len(node) <= idx < len(node) else None
    for i, entry in enumerate(node):
        if _entry_name(entry) == part:
            return i
    return None


def _model_for_path(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model that holds the last key of ``loc`` (for suggestions)."""
    model: type[BaseModel] | None = Scenario
    named = False  # the key after `contexts` is a context's name
    for part in loc[:-1]:
        if model is None:
            return None
        if isinstance(part, int) or named:
            named = False
            continue
        if model is Scenario and part == "contexts":
            model, named = BusinessContext, True
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        ann = field.annotation
        if part == "strategies":
            model = Strategy
        elif isinstance(ann, type) and issubclass(ann, BaseModel):
            model = ann
        else:
            return None
    return model


def format_errors(
    exc: ValidationError, data: Any, lines: dict[tuple[Any, ...], int | str], source: str
) -> list[str]:
    """Every error of a validation, one printable line each, sorted by line."""
    return [text for _, text in sorted(_error_lines(exc, data, lines, source), key=lambda e: e[0])]


def format_error(
    exc: ValidationError, data: Any, lines: dict[tuple[Any, ...], int | str], source: str
) -> str:
    """The first error of a validation (by line), as :func:`format_errors` words it."""
    return format_errors(exc, data, lines, source)[0]


def _error_lines(
    exc: ValidationError,
    data: Any,
    lines: dict[tuple[Any, ...], int | str],
    source: str,
    labels: Sequence[str] | None = None,
) -> list[tuple[tuple[Any, ...], str]]:
    """(sort key, line) for each error: the scenario's lines first, by number,
    then included files, then the command-line options in the order given
    (``labels``; default: their order in ``lines``)."""
    if labels is None:
        labels = list(dict.fromkeys(v for v in lines.values() if isinstance(v, str)))
    out = []
    errors = exc.errors(include_url=False)
    deeper = {e["loc"][:n] for e in errors for n in range(len(e["loc"]))}
    missing: dict[tuple[str, str], list[str]] = {}  # (origin, mapping) -> its missing keys
    for err in errors:
        if err["type"] == "too_short" and err["loc"] in deeper:
            continue  # a list whose failing entries pydantic also counts as missing
        _, origin, body = _one_error(err, data, lines, source)
        if err["type"] == "missing" and body.endswith(_MISSING_KEY):
            parent, _, name = body[: -len(_MISSING_KEY)].rpartition(".")
            if parent:  # the keys missing from one mapping, said in one line
                missing.setdefault((origin, parent), []).append(name)
                continue
        text = f"{origin}: {printable(body)}"
        out.append((_sort_key(text, source, labels), text))
    for (origin, parent), names in missing.items():
        said = (
            f"{parent}.{names[0]}{_MISSING_KEY}"
            if len(names) == 1
            else f"{parent}: required keys are missing: {', '.join(names)}"
        )
        text = f"{origin}: {printable(said)}"
        out.append((_sort_key(text, source, labels), text))
    return out


_MISSING_KEY = ": required key is missing"


def _one_error(
    err: Any, data: Any, lines: dict[tuple[Any, ...], int | str], source: str
) -> tuple[int | str, str, str]:
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    # pydantic adds the union member to the location of str | mapping entries
    loc = tuple(p for p in loc if p not in ("str", "int", "float", "tuple[...]"))
    kind = err["type"]
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    # cross-field validators name the nested key first: "target.industries: ..."
    # (a list position is a number: "1.based_on: ...")
    nested = re.match(r"^([A-Za-z_0-9][\w.-]*): (.*)$", msg)
    if kind == "value_error" and nested:
        parts = [int(p) if p.isdigit() else p for p in nested.group(1).split(".")]
        loc = (*loc, *parts)
        msg = nested.group(2)
    where = _lookup_line(loc, lines)
    origin = where if isinstance(where, str) else f"{source}:{where}"
    key = _display_path(loc, data)
    if kind == "extra_forbidden":
        model = _model_for_path(loc)
        # the keys as written in a scenario: a field's alias (``from``) where it has one
        keys = [f.alias or name for name, f in model.model_fields.items()] if model else []
        hint = did_you_mean(str(loc[-1]), keys)
        return where, origin, f"{key}: unknown key{hint}"
    if kind == "missing":
        return where, origin, f"{key}{_MISSING_KEY}"
    msg = _PLAIN.get(kind, msg)
    bound = _BOUNDS.get(kind)
    limits = err.get("ctx") or {}
    if bound is not None and bound[1] in limits:
        msg = f"{bound[0]} {number_text(limits[bound[1]])}"
    got = err.get("input")
    got_text = (
        "" if isinstance(got, dict | list) or kind == "value_error" else f" (got {_short(got)})"
    )
    label = f"{key}: " if key else ""
    return where, origin, f"{label}{msg}{got_text}"


_PLAIN: dict[str, str] = {
    # pydantic's words for a value of the wrong shape, in a scenario's terms
    "tuple_type": "expected a list, e.g. [a, b] (a single item too: [a])",
    "list_type": "expected a list, e.g. [a, b] (a single item too: [a])",
    "dict_type": "expected a mapping of keys to values (key: value, indented below)",
    "model_type": "expected a mapping of keys to values (key: value, indented below)",
    "string_pattern_mismatch": "expected letters, digits, '-', '_' or '.', starting with a "
    "letter or a digit (no spaces)",
}
"""Plainer messages for pydantic's error types that speak of Python types or patterns."""

_BOUNDS: dict[str, tuple[str, str]] = {
    "greater_than_equal": ("must be at least", "ge"),
    "less_than_equal": ("must be at most", "le"),
    "greater_than": ("must be more than", "gt"),
    "less_than": ("must be less than", "lt"),
}
"""A bound's error in plain words: pydantic's type, the words, the bound's key in its context."""


def number_text(value: Any) -> str:
    """A number as a reader writes it, in a message: ``1,000,000,000,000``, ``2.5``."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (
            f"{int(value):,}" if float(value).is_integer() and abs(value) < 1e16 else f"{value:,g}"
        )
    return str(value)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}... ({len(text):,} characters)"


def _lookup_line(loc: tuple[Any, ...], lines: dict[tuple[Any, ...], int | str]) -> int | str:
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return 1


def _display_path(loc: tuple[Any, ...], data: Any) -> str:
    """``strategies.open-bar.posts_per_week`` rather than ``strategies.0.posts_per_week``."""
    parts: list[str] = []
    node = data
    for part in loc:
        named = parts == ["strategies"]  # strategies are named; other lists keep positions
        if named and isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            name = _entry_name(node[part])
            parts.append(name if name else str(part))
            node = node[part]
        else:
            parts.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(parts)

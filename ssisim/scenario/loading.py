"""Loading a scenario: YAML, ``--set`` overrides, and one-line error messages.

Errors are reported as ``FILE:LINE: key.path: what is wrong (got VALUE)``, with
"did you mean ...?" for misspelled keys (see :func:`load_scenario`). The schema
itself is :mod:`ssisim.scenario.schema`.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ssisim.errors import ScenarioError
from ssisim.scenario.schema import BusinessContext, Scenario, Strategy, did_you_mean

__all__ = [
    "Override",
    "apply_overrides",
    "format_error",
    "line_map",
    "load_scenario",
    "parse_scenario",
    "scenario_from_manifest",
]


Override = str | tuple[str, str]
"""``"KEY=VALUE"``, or ``("KEY=VALUE", label)`` where ``label`` names its origin in errors."""


def load_scenario(path: str | Path, overrides: Sequence[Override] = ()) -> Scenario:
    """Read, override and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        A YAML file. Loaded with ``yaml.safe_load`` only.
    overrides : sequence of str or (str, str)
        ``KEY=VALUE`` strings applied before validation (optionally paired
        with the label errors should name, e.g. ``"--weeks 0"``); ``KEY`` is a dotted
        path (``population.size``, ``strategies.open-bar.invites_per_week``),
        ``VALUE`` is parsed as YAML.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        One line, ``FILE:LINE: key.path: what is wrong (got VALUE)``.

    Examples
    --------
    >>> s = load_scenario("scenarios/open-bar-vs-club-select.yaml", ["weeks=4"])  # doctest: +SKIP
    >>> s.weeks  # doctest: +SKIP
    4
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such scenario file") from None
    except IsADirectoryError:
        raise ScenarioError(f"{path}: is a directory, not a scenario file") from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not a UTF-8 text file ({exc.reason})") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read ({exc.strerror})") from None
    return parse_scenario(text, source=str(path), overrides=overrides)


def parse_scenario(
    text: str, source: str = "<string>", overrides: Sequence[Override] = ()
) -> Scenario:
    """Validate a scenario given as YAML text; see :func:`load_scenario`."""
    try:
        data = yaml.safe_load(text)
        lines = line_map(yaml.compose(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = f"{mark.line + 1}" if mark is not None else "1"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(f"{source}:{line}: YAML syntax error: {problem}") from None
    if data is None:
        raise ScenarioError(
            f"{source}:1: the file is empty; a scenario needs at least `name` and `strategies`"
        )
    if not isinstance(data, dict):
        raise ScenarioError(
            f"{source}:1: the top level must be a mapping of keys (got {type(data).__name__})"
        )
    # `scoring: FILE` includes a weights file, relative to the scenario's directory;
    # overrides go one at a time so that `--set scoring=FILE` (relative to the
    # current directory) includes one too, and later overrides apply on top.
    data = _include_scoring(data, Path(source).parent, lines, source)
    for entry in overrides:
        data = apply_overrides(data, [entry], source_lines=lines)
        data = _include_scoring(data, Path("."), lines, source)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_error(exc, data, lines, source)) from None


def scenario_from_manifest(
    manifest: Mapping[str, Any],
    source: str = "manifest.json",
    overrides: Sequence[Override] = (),
) -> Scenario:
    """The business contexts of a finished run, as a scenario to re-evaluate its outcomes.

    A run's ``manifest.json`` records its resolved scenario; this keeps its
    ``name`` and ``contexts`` (the defaults when absent) with one idle
    strategy, then applies ``overrides``.

    Parameters
    ----------
    manifest : mapping
        A run's manifest (see :func:`ssisim.results.tables.read_results`).
    source : str
        The manifest's path, named in errors; a ``scoring: FILE`` override is
        relative to its directory.
    overrides : sequence of str or (str, str)
        As for :func:`load_scenario`, e.g. ``contexts.complex.deal_value_eur=300000``.

    Raises
    ------
    ScenarioError
        An override is invalid.
    """
    found = manifest.get("scenario")
    base: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    data = {
        "name": base.get("name", "outcomes"),
        "strategies": ["inactive"],
        "contexts": base.get("contexts"),
    }
    return parse_scenario(yaml.safe_dump(data), source, overrides)


def _include_scoring(
    data: dict[str, Any], base: Path, lines: dict[tuple[Any, ...], int | str], source: str
) -> dict[str, Any]:
    """Replace ``scoring: FILE`` by the top-level ``scoring:`` block of FILE (e.g. from ``ssisim fit``).

    The included keys' lines are recorded as ``FILE:LINE`` in ``lines``, so
    errors in them name the included file.
    """
    value = data.get("scoring")
    if not isinstance(value, str):
        return data
    where = lines.get(("scoring",), 1)
    origin = where if isinstance(where, str) else f"{source}:{where}"
    path = base / value
    try:
        text = path.read_text(encoding="utf-8")
        included = yaml.safe_load(text)
        included_lines = line_map(yaml.compose(text, Loader=yaml.SafeLoader))
    except FileNotFoundError:
        raise ScenarioError(
            f"{origin}: scoring: no such file to include {str(path)!r} (got {value!r})"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not a UTF-8 text file"
        raise ScenarioError(f"{origin}: scoring: cannot include {str(path)!r} ({reason})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(
            f"{path}:{mark.line + 1 if mark else 1}: YAML syntax error: {problem}"
        ) from None
    if not isinstance(included, dict) or "scoring" not in included:
        raise ScenarioError(
            f"{path}:1: an included scoring file needs a top-level `scoring:` block"
        )
    for key in included:
        if key != "scoring":
            raise ScenarioError(
                f"{path}:{included_lines.get((key,), 1)}: {key}: unknown key in an included "
                "scoring file (it holds only `scoring:`)"
            )
    if not isinstance(included["scoring"], dict):
        got = included["scoring"]
        raise ScenarioError(
            f"{path}:{included_lines.get(('scoring',), 1)}: scoring: must be a mapping of pillars "
            f"(got {got!r})"
        )
    for key in [k for k in lines if k[:1] == ("scoring",) and len(k) > 1]:
        del lines[key]
    lines.update({k: f"{path}:{n}" for k, n in included_lines.items() if k[:1] == ("scoring",)})
    return {**data, "scoring": included["scoring"]}


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
        item, label = entry if isinstance(entry, tuple) else (entry, f"--set {entry}")
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ScenarioError(f"{label}: expected KEY=VALUE, e.g. population.size=5000")
        try:
            value = yaml.safe_load(raw) if raw.strip() else None
        except yaml.YAMLError:
            value = raw
        parts = key.split(".")
        node: Any = data
        resolved: list[Any] = []
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if isinstance(node, list):
                idx = _list_index(node, part)
                if idx is None:
                    names = [_entry_name(e) for e in node]
                    raise ScenarioError(
                        f"{label}: {'.'.join(map(str, resolved)) or 'list'} has no entry "
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
                    node = node.setdefault(part, {})
            else:
                raise ScenarioError(
                    f"{label}: {'.'.join(map(str, resolved))} is a value, not a mapping"
                )
        if source_lines is not None:
            source_lines[tuple(resolved)] = label
    return data


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


def line_map(
    node: yaml.Node | None, path: tuple[Any, ...] = ()
) -> dict[tuple[Any, ...], int | str]:
    """Map each key path of a composed YAML document to its 1-based line."""
    lines: dict[tuple[Any, ...], int | str] = {}
    if node is None:
        return lines
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            sub = line_map(value_node, (*path, key))
            sub[(*path, key)] = key_node.start_mark.line + 1
            lines.update(sub)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines.update(line_map(item, (*path, i)))
    return lines


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


def format_error(
    exc: ValidationError, data: Any, lines: dict[tuple[Any, ...], int | str], source: str
) -> str:
    err = exc.errors(include_url=False)[0]
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    # pydantic adds the union member to the location of str | mapping entries
    loc = tuple(p for p in loc if p not in ("str", "int", "float", "tuple[...]"))
    kind = err["type"]
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    # cross-field validators name the nested key first: "target.industries: ..."
    nested = re.match(r"^([A-Za-z_][\w.]*): (.*)$", msg)
    if kind == "value_error" and nested:
        loc = (*loc, *nested.group(1).split("."))
        msg = nested.group(2)
    where = _lookup_line(loc, lines)
    origin = where if isinstance(where, str) else f"{source}:{where}"
    key = _display_path(loc, data)
    if kind == "extra_forbidden":
        model = _model_for_path(loc)
        hint = did_you_mean(str(loc[-1]), model.model_fields) if model else ""
        return f"{origin}: {key}: unknown key{hint}"
    if kind == "missing":
        return f"{origin}: {key}: required key is missing"
    got = err.get("input")
    got_text = "" if isinstance(got, dict | list) or kind == "value_error" else f" (got {got!r})"
    label = f"{key}: " if key else ""
    return f"{origin}: {label}{msg}{got_text}"


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

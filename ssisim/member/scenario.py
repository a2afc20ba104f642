"""Scenarios that start from an imported member: ``from: member.yaml``.

``population.seller.from`` and a strategy's ``from`` name a member file
written by ``ssisim import``; :func:`load_member_scenario` reads the scenario,
resolves each named file relative to the scenario's folder
(:func:`resolve_named_file`), and fills the seller's block with the member's
``seller:`` values and the strategy with their ``routine:`` values (what the
scenario writes itself wins). ``from`` is kept, as the resolved absolute
path, so that :mod:`ssisim.population.seats` places the member's network.

``resolve_named_file`` follows the rules of the scenario loader's own
resolver for files a scenario names (relative to the scenario's folder,
regular files only, a size limit); it lives here until the loader has it.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from ssisim.errors import DataError, ScenarioError
from ssisim.scenario.loading import Override, parse_scenario
from ssisim.scenario.schema import Scenario

__all__ = [
    "MAX_NAMED_FILE_BYTES",
    "load_member_scenario",
    "member_scenario_data",
    "read_member",
    "resolve_named_file",
]

MAX_NAMED_FILE_BYTES = 1024 * 1024
"""Largest member file a scenario may name (1 MiB; one is a few kB)."""


def resolve_named_file(name: str, scenario: str | Path | None, key: str) -> Path:
    """The file a scenario names: relative to the scenario's folder, a regular file, not too large.

    Parameters
    ----------
    name : str
        As written in the scenario.
    scenario : str or Path or None
        The scenario file (None: relative to the current directory).
    key : str
        The key that names it, for errors (``population.seller.from``).

    Raises
    ------
    ScenarioError
        No such file, not a regular file, or larger than :data:`MAX_NAMED_FILE_BYTES`.
    """
    base = Path(scenario).parent if scenario is not None else Path(".")
    path = Path(name) if Path(name).is_absolute() else base / name
    where = f"{scenario}: {key}" if scenario is not None else key
    if not path.exists():
        raise ScenarioError(f"{where}: no such file {str(path)!r} (got {name!r})")
    if not path.is_file():
        raise ScenarioError(f"{where}: not a regular file {str(path)!r} (got {name!r})")
    size = path.stat().st_size
    if size > MAX_NAMED_FILE_BYTES:
        raise ScenarioError(
            f"{where}: {str(path)!r} holds {size:,} bytes; at most {MAX_NAMED_FILE_BYTES:,} (got {name!r})"
        )
    return path.resolve()


@functools.lru_cache(maxsize=8)
def _read_member_cached(path: str, mtime_ns: int) -> dict[str, Any]:
    text = Path(path).read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise DataError(f"{path}:{mark.line + 1 if mark else 1}: YAML syntax error") from None
    if not isinstance(data, dict) or not str(data.get("format", "")).startswith("ssisim-member/"):
        raise DataError(f"{path}:1: format: not a member file written by `ssisim import`")
    for key in ("seller", "routine", "network"):
        if not isinstance(data.get(key), dict):
            raise DataError(f"{path}:1: {key}: missing block; import the export again")
    return data


def read_member(path: str | Path) -> dict[str, Any]:
    """Read a ``member.yaml`` written by ``ssisim import`` (cached by path and modification time).

    Raises
    ------
    DataError
        Not a member file, or an unreadable one.
    """
    path = Path(path)
    try:
        stat = path.stat()
    except OSError:
        raise DataError(f"{path}: no such member file (write one with `ssisim import`)") from None
    if stat.st_size > MAX_NAMED_FILE_BYTES:
        raise DataError(
            f"{path}: {stat.st_size:,} bytes; a member file is at most {MAX_NAMED_FILE_BYTES:,}"
        )
    return _read_member_cached(str(path.resolve()), stat.st_mtime_ns)


def member_scenario_data(data: Mapping[str, Any], scenario: str | Path | None) -> dict[str, Any]:
    """Resolve the ``from:`` keys of a scenario's data (see the module's docstring)."""
    out = dict(data)
    population = out.get("population")
    seller = population.get("seller") if isinstance(population, Mapping) else None
    if isinstance(seller, Mapping) and seller.get("from") is not None:
        path = resolve_named_file(str(seller["from"]), scenario, "population.seller.from")
        member = read_member(path)
        new_seller = {**member["seller"], **seller, "from": str(path)}
        out["population"] = {**dict(population), "seller": new_seller}  # type: ignore[arg-type]
    strategies = out.get("strategies")
    if isinstance(strategies, list):
        resolved = []
        for i, entry in enumerate(strategies):
            if isinstance(entry, Mapping) and entry.get("from") is not None:
                path = resolve_named_file(str(entry["from"]), scenario, f"strategies[{i}].from")
                member = read_member(path)
                entry = {"name": "as-is", **member["routine"], **entry, "from": str(path)}
            resolved.append(entry)
        out["strategies"] = resolved
    return out


def load_member_scenario(path: str | Path, overrides: Sequence[Override] = ()) -> Scenario:
    """Load a scenario (or a ``member.yaml`` alone) with its ``from:`` files resolved.

    A ``member.yaml`` given in place of a scenario starts a scenario of its
    own: the member as the seller, and their habits as the strategy ``as-is``.

    Raises
    ------
    ScenarioError
        The scenario or a named file is invalid.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        data = yaml.safe_load(text)
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such scenario or member file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot read ({exc})") from None
    except yaml.YAMLError:
        return parse_scenario(text, str(path), overrides)  # its own one-line error
    if isinstance(data, dict) and str(data.get("format", "")).startswith("ssisim-member/"):
        data = {
            "name": "member",
            "population": {"seller": {"from": path.name}},
            "strategies": [{"name": "as-is", "from": path.name}],
        }
    if not isinstance(data, dict):
        return parse_scenario(text, str(path), overrides)
    resolved = member_scenario_data(data, path)
    return parse_scenario(yaml.safe_dump(resolved, sort_keys=False), str(path), overrides)

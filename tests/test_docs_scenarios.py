"""docs/scenarios.md's key reference agrees with the schema (ssisim/scenario/schema.py).

Every key of the schema is documented (its own row, or under a mapping the page
sends to another page), every documented key exists, and every documented
default is the schema's.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from ssisim.scenario.schema import Scenario, Strategy

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "scenarios.md"

REFERENCE_SECTIONS = (
    "## Top-level keys",
    "## `population`",
    "## `platform`",
    "## `answers`",
    "## `scoring`",
    "### Strategy fields",
)
"""The page's reference tables: ``| `key` | type | default | unit / range | meaning |``."""

ELSEWHERE = {"population.habits": "members.md"}
"""Mappings documented key by key on another page (the page says so and links it)."""

PATTERNS = {"scoring.PILLAR.INPUT"}
"""Rows that stand for many keys: ``scoring.brand.posts``... (model.md lists them)."""


STRATEGY = "strategies.NAME."
"""How this test names a strategy field (its own table on the page): ``strategies.NAME.seat``."""


def _rows() -> dict[str, str]:
    """``{key: default cell}`` for every row of the reference tables."""
    rows: dict[str, str] = {}
    section = ""
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            section = line.strip() if line.strip() in REFERENCE_SECTIONS else ""
            continue
        if not section or not line.startswith("| `"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        key = (STRATEGY if section == "### Strategy fields" else "") + cells[0].strip("`")
        assert key not in rows, f"{key} documented twice"
        rows[key] = cells[2]
    return rows


def _field(key: str) -> Any:
    """The schema field a documented key names."""
    model: type[BaseModel] = Scenario
    if key.startswith(STRATEGY):
        model, key = Strategy, key.removeprefix(STRATEGY)
    parts = key.split(".")
    field = None
    for i, part in enumerate(parts):
        by_name = {**model.model_fields}
        by_name.update({f.alias: f for f in model.model_fields.values() if f.alias})
        assert part in by_name, f"{key}: no such key in the schema ({'.'.join(parts[: i + 1])})"
        field = by_name[part]
        if i < len(parts) - 1:
            model = _model(field.annotation)
    return field


def _model(annotation: Any) -> type[BaseModel]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    raise AssertionError(f"{annotation} is not a mapping of keys")


def _schema_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Every key of the schema that holds a value: nested mappings walked, lists and dicts whole."""
    keys = []
    for name, field in model.model_fields.items():
        key = prefix + (field.alias or name)
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            keys.extend(_schema_keys(annotation, key + "."))
        else:
            keys.append(key)
    return keys


def _documented(key: str, rows: dict[str, str]) -> bool:
    parts = key.split(".")
    ancestors = [".".join(parts[:i]) for i in range(1, len(parts))]
    if key in rows or any(a in ELSEWHERE for a in [*ancestors, key]):
        return True
    if parts[0] == "scoring" and len(parts) > 2:  # scoring.PILLAR.INPUT.weight
        return "scoring.PILLAR.INPUT" in rows
    # a mapping whose keys another page lists: its row sends there, not "see below"
    return any(a in rows and "see below" not in rows[a] for a in ancestors)


def _parse_default(cell: str, schema_default: Any) -> Any:
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", cell).replace("`", "").strip()
    if text == '""':
        return ""
    value = yaml.safe_load(text)
    if isinstance(schema_default, tuple) and isinstance(value, str):
        value = [v.strip() for v in value.split(",")]  # `a, b, c`
    if isinstance(value, list):
        return tuple(value)
    return value


def test_every_schema_key_is_documented():
    rows = _rows()
    missing = [k for k in _schema_keys(Scenario) if not _documented(k, rows)]
    missing += [STRATEGY + k for k in _schema_keys(Strategy) if STRATEGY + k not in rows]
    assert missing == []


def test_every_documented_key_exists():
    for key in _rows():
        if key not in PATTERNS:
            _field(key)
    page = " ".join(PAGE.read_text(encoding="utf-8").split())
    for key, other in ELSEWHERE.items():
        _field(key)
        assert re.search(rf"`{re.escape(key)}` \([^)]*\]\({re.escape(other)}\)", page), key


@pytest.mark.parametrize("key", sorted(_rows()))
def test_every_documented_default_is_the_schema_s(key: str):
    cell = _rows()[key]
    if key in PATTERNS:
        return
    field = _field(key)
    default = field.default
    if default is PydanticUndefined and field.default_factory is None:
        assert cell == "**required**", f"{key} is required, the page says {cell!r}"
        return
    if field.default_factory is not None:
        default = field.default_factory()
    if isinstance(default, BaseModel):
        return  # a mapping: its keys have their own rows, or another page
    if isinstance(default, dict):  # contexts: the names of the default entries
        assert set(re.findall(r"`([^`]+)`", cell)) == set(default), key
        return
    documented = _parse_default(cell, default)
    assert documented == default, f"{key}: the page says {cell!r}, the schema {default!r}"
    assert type(documented) is type(default) or {type(documented), type(default)} <= {int, float}


def test_note_lift_default_is_0_05():
    assert _rows()["answers.acceptance.note_lift"] == "0.05"


def test_the_readme_names_every_built_in_strategy():
    """The README said the built-in strategies were three; eleven are."""
    from ssisim.scenario.strategies import BUILTIN_STRATEGIES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    said = re.search(r"(\w+) strategies are built in: (.*?)\(`ssisim strategies`", readme, re.S)
    assert said is not None
    named = set(re.findall(r"`([a-z-]+)`", said.group(2)))
    assert named == set(BUILTIN_STRATEGIES)
    words = {11: "Eleven"}
    assert said.group(1) == words.get(len(BUILTIN_STRATEGIES), str(len(BUILTIN_STRATEGIES)))

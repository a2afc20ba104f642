"""The report's explanations ship with the package, in sync with docs/model.md."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from ssisim.report import build
from ssisim.report.sentences import (
    SENTENCES_FILE,
    doc_sentence,
    extract_sentences,
    shipped_sentences,
)
from ssisim.scenario.schema import BusinessContext, Scenario

ROOT = Path(__file__).resolve().parents[1]


def test_the_shipped_sentences_are_those_of_docs_model_md():
    expected = extract_sentences((ROOT / "docs" / "model.md").read_text(encoding="utf-8"))
    assert shipped_sentences() == expected, (
        "ssisim/report/model_sentences.json is out of date: run "
        "python benchmarks/model_sentences.py"
    )


def test_the_sentences_are_package_data_not_read_from_the_source_tree():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert f"report/{SENTENCES_FILE}" in config["tool"]["setuptools"]["package-data"]["ssisim"]
    assert '"model.md"' not in (ROOT / "ssisim" / "report" / "build.py").read_text(encoding="utf-8")
    sentence, _sources = doc_sentence("strategies.open-bar.invites_per_week")
    assert "invitations" in sentence
    assert doc_sentence("no.such_key_at_all") == ("", "")


# --------------------------------------------------------------------------- every key its own


def _doc_rows() -> list[tuple[list[str], set[str]]]:
    """docs/model.md's table rows: their cells (as the report quotes them) and the keys
    each defines (a cell that is exactly a dotted key, or a pillar table's input)."""
    rows: list[tuple[list[str], set[str]]] = []
    header: list[str] | None = None
    for line in (ROOT / "docs" / "model.md").read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = cells
            continue
        if set(line) <= set("|:- "):
            continue
        keys = {c.strip("`") for c in cells if re.fullmatch(r"`[a-z_]+(\.[A-Za-z_]+)+`", c)}
        if "pillar" in header and "input" in header:
            pillar, item = cells[header.index("pillar")], cells[header.index("input")]
            keys.add(f"scoring.{pillar}.{item.strip('`')}")
        quoted = [re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", c).replace("`", "") for c in cells]
        rows.append(([c.replace("**", "") for c in quoted], keys))
    return rows


def _report_keys() -> list[str]:
    """Every scalar (or list) key the report's assumptions table can show."""
    defaults = build._defaults({})
    return list(build._flatten({k: v for k, v in defaults.items() if k not in build._IGNORED_KEYS}))


def _description(key: str) -> str:
    model: Any = Scenario
    parts = key.split(".")
    if parts[0] == "contexts":
        model, parts = BusinessContext, parts[2:]
    for part in parts[:-1]:
        model = model.model_fields[part].annotation
    return (model.model_fields[parts[-1]].description or "").replace("`", "")


def _names(key: str) -> set[str]:
    """What the docs may call ``key``: itself, ``contexts.NAME.…``, a pillar input's row."""
    parts = key.split(".")
    names = {key}
    if parts[0] == "contexts":
        names.add(".".join(["contexts", "NAME", *parts[2:]]))
    if parts[0] == "scoring" and parts[-1] in ("weight", "scale"):
        names.add(".".join(parts[:-1]))
    return names


def test_every_key_the_report_can_list_is_explained_by_its_own_sentence():
    rows = _doc_rows()
    keys = _report_keys()
    assert "population.target.min_seniority" in keys and "contexts.volume.deal_value_eur" in keys
    assert len(keys) > 150
    wrong = {}
    for key in keys:
        sentence, _sources = doc_sentence(key)
        if not sentence:
            wrong[key] = "no explanation"
            continue
        # a row reads "column: cell; column: cell": each piece's cell is in the row quoted
        pieces = [piece.split(": ", 1)[-1] for piece in sentence.split("; ")]
        quoted_from = [
            defined
            for cells, defined in rows
            if all(any(piece in cell for cell in cells) for piece in pieces)
        ]
        if quoted_from:  # a row of model.md: it must be the key's own
            if not any(defined & _names(key) for defined in quoted_from):
                wrong[key] = f"another key's row: {sentence!r}"
            continue
        leaf = key.split(".")[-2 if key.endswith((".weight", ".scale")) else -1].rstrip("_")
        if leaf not in sentence and sentence != _description(key):
            wrong[key] = f"not about it: {sentence!r}"
    assert wrong == {}


def test_min_seniority_is_not_explained_by_junior_fit():
    sentence, _sources = doc_sentence("population.target.min_seniority")
    assert "lowest targeted level" in sentence and "0.4" not in sentence
    assert "seniority fit below" in doc_sentence("population.target.junior_fit")[0]


def test_the_assumptions_table_explains_each_changed_key():
    scenario = Scenario.model_validate(
        {
            "name": "client",
            "strategies": ["inactive"],
            "population": {
                "size": 5000,
                "target": {"industries": ["finance"], "min_seniority": "director"},
                "seller": {"industry": "software", "initial_connections": 300},
                "rewire": 0.5,
            },
            "platform": {"boost_reach": 0.3, "restriction": {"window_weeks": 6}},
            "answers": {"acceptance": {"seniority_factors": [1, 1, 1, 1, 1, 1]}},
            "scoring": {"people": {"searches": {"weight": 0.3, "scale": 5.0}}},
            "contexts": {"volume": {"deal_value_eur": 2000}},
        }
    )
    rows = build.assumptions({"scenario": scenario.model_dump(mode="json")})
    explained = {r["key"]: r["sentence"] for r in rows}
    assert set(explained) == {
        "population.size",
        "population.target.industries",
        "population.target.min_seniority",
        "population.seller.industry",
        "population.seller.initial_connections",
        "population.rewire",
        "platform.boost_reach",
        "platform.restriction.window_weeks",
        "answers.acceptance.seniority_factors",
        "scoring.people.searches.weight",
        "contexts.volume.deal_value_eur",
    }
    assert all(explained.values()), explained
    assert "lowest targeted level" in explained["population.target.min_seniority"]
    assert "network size at week 0" in explained["population.seller.initial_connections"]
    assert "value of an opportunity" in explained["contexts.volume.deal_value_eur"]
    assert "searches made" in explained["scoring.people.searches.weight"]

"""The report's explanations ship with the package, in sync with docs/model.md."""

from __future__ import annotations

import tomllib
from pathlib import Path

from ssisim.report.sentences import (
    SENTENCES_FILE,
    doc_sentence,
    extract_sentences,
    shipped_sentences,
)

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

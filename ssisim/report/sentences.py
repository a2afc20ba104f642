"""The sentence of ``docs/model.md`` that explains each setting, shipped with the package.

The report's "assumptions that differ from the defaults" quote, for each
setting, the sentence of ``docs/model.md`` that explains it. An installed
wheel has no ``docs/``: the sentences are extracted once into
``model_sentences.json`` (package data) by ``benchmarks/model_sentences.py``,
and ``tests/test_report_sentences.py`` checks that file is in sync with
``docs/model.md``.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources

__all__ = ["SENTENCES_FILE", "doc_sentence", "extract_sentences", "shipped_sentences"]

SENTENCES_FILE = "model_sentences.json"
"""The package data file (in :mod:`ssisim.report`): ``{key: [sentence, sources]}``."""

_KEY = re.compile(r"`([a-z_][a-z0-9_]*)`")


def _sentence(lines: list[str], leaf: str) -> str:
    """The first prose sentence naming ```leaf```, else the first table row naming it."""
    found = ""
    for line in lines:
        if f"`{leaf}`" not in line:
            continue
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            found = found or " — ".join(c for c in cells[1:] if c)
            continue
        for sentence in re.split(r"(?<=[.!?])\s+", line):
            if f"`{leaf}`" in sentence:
                found = sentence.strip()
                break
        if found and not found.startswith("|"):
            break
    found = re.sub(r"^([-*+]|\d+[.)])\s+", "", found)  # a list item's marker
    return found.replace("`", "").replace("**", "")


def _blocks(markdown: str) -> list[str]:
    """Table rows as they are; prose lines joined into paragraphs (hard-wrapped markdown)."""
    blocks: list[str] = []
    paragraph: list[str] = []
    fenced = False

    def flush() -> None:
        if paragraph:
            blocks.append(" ".join(paragraph))
            paragraph.clear()

    for raw in markdown.splitlines():
        line = raw.strip()
        if line.startswith("```"):
            flush()
            fenced = not fenced
            continue
        if fenced:
            continue
        if not line or line.startswith(("|", "#")):
            flush()
            if line.startswith("|"):
                blocks.append(line)
            continue
        if re.match(r"([-*+]|\d+[.)])\s", line):  # a list item starts a paragraph
            flush()
        paragraph.append(line)
    flush()
    return blocks


def extract_sentences(markdown: str) -> dict[str, list[str]]:
    """Every ```key``` of ``docs/model.md``: its sentence and the sources it cites (``000``...)."""
    lines = _blocks(markdown)
    out: dict[str, list[str]] = {}
    for leaf in sorted(set(_KEY.findall(markdown))):
        sentence = _sentence(lines, leaf)
        if sentence:
            sources = ", ".join(dict.fromkeys(re.findall(r"\b0\d\d\b", sentence)))
            out[leaf] = [sentence, sources]
    return out


@functools.lru_cache(maxsize=1)
def shipped_sentences() -> dict[str, list[str]]:
    """The sentences shipped with the package ({} if the file is missing)."""
    try:
        text = resources.files("ssisim.report").joinpath(SENTENCES_FILE).read_text("utf-8")
    except (OSError, FileNotFoundError):  # pragma: no cover - a broken install
        return {}
    data = json.loads(text)
    return data if isinstance(data, dict) else {}


def doc_sentence(key: str) -> tuple[str, str]:
    """The sentence explaining ``key`` (a dotted scenario key) and its sources, or ``("", "")``."""
    found = shipped_sentences().get(key.rsplit(".", 1)[-1])
    return (found[0], found[1]) if found else ("", "")

"""The sentence of ``docs/model.md`` that explains each setting, shipped with the package.

The report's "assumptions that differ from the defaults" quote, for each
setting, the sentence of ``docs/model.md`` that explains it. An installed
wheel has no ``docs/``: the sentences are extracted once into
``model_sentences.json`` (package data) by ``benchmarks/model_sentences.py``,
and ``tests/test_report_sentences.py`` checks that file is in sync with
``docs/model.md``.

Keys are looked up by their full dotted path, as the docs name them
(``population.target.min_seniority``, not ``min_seniority``); a key the docs
do not explain falls back to its field's description in the scenario schema.
"""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import Any, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

__all__ = ["SENTENCES_FILE", "doc_sentence", "extract_sentences", "shipped_sentences"]

SENTENCES_FILE = "model_sentences.json"
"""The package data file (in :mod:`ssisim.report`): ``{key: [sentence, sources]}``."""

_KEY = re.compile(r"`([a-z_][a-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)`")
"""A key as the docs write it: ``junior_fit`` (a strategy field, a pillar input...) or
its full dotted path, ``population.target.junior_fit``, ``contexts.NAME.win_rate``."""

_SOURCE = re.compile(r"(?<![\d,.])0\d\d(?![\d,.]?\d)")
"""A source article (``000`` ... ``004``), not the zeros of ``5,000,000``."""


def _cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def _clean(text: str) -> str:
    text = re.sub(r"^([-*+]|\d+[.)])\s+", "", text.strip())  # a list item's marker
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # a link: its words
    return text.replace("`", "").replace("**", "")


def _row_keys(row: str, header: list[str]) -> list[str]:
    """The keys a table row defines.

    A cell that is exactly a dotted ```key```, a first cell that is exactly a bare
    ```name``` (a strategy field), or a pillar table's ``scoring.PILLAR.INPUT``.
    """
    cells = _cells(row)
    keys = [
        m.group(1)
        for i, c in enumerate(cells)
        if (m := re.fullmatch(_KEY, c)) and (i == 0 or "." in m.group(1))
    ]
    lowered = [h.lower() for h in header]
    if "pillar" in lowered and "input" in lowered and len(cells) == len(header):
        pillar, item = cells[lowered.index("pillar")], cells[lowered.index("input")]
        if re.fullmatch(r"[a-z]+", pillar) and re.fullmatch(r"`[a-z_]+`", item):
            keys.append(f"scoring.{pillar}.{item.strip('`')}")
    return keys


def _row_sentence(row: str, header: list[str]) -> str:
    """A key's own row without the cells that name it, each cell after its column's
    name: ``default: 0.4; unit: fit; range: 0-1; meaning: ...; source: ...``."""
    cells = _cells(row)
    names = {f"`{k}`" for k in _row_keys(row, header)}
    lowered = [h.lower() for h in header]
    pillar_table = "pillar" in lowered and "input" in lowered
    skip = {lowered.index("pillar"), lowered.index("input")} if pillar_table else set()
    kept = []
    for i, c in enumerate(cells):
        if not c or c in names or i in skip:
            continue
        label = header[i].strip().strip("*").lower() if i < len(header) else ""
        kept.append(f"{label}: {c}" if label else c)
    return _clean("; ".join(kept))


def _prose_sentence(paragraph: str, key: str) -> str:
    for sentence in re.split(r"(?<=[.!?])\s+", paragraph):
        if f"`{key}`" in sentence:
            return _clean(sentence)
    return ""


def _blocks(markdown: str) -> list[tuple[str, list[str]]]:
    """Table rows (with their table's header) and prose paragraphs (hard wraps joined)."""
    blocks: list[tuple[str, list[str]]] = []
    paragraph: list[str] = []
    header: list[str] = []
    fenced = False

    def flush() -> None:
        if paragraph:
            blocks.append((" ".join(paragraph), []))
            paragraph.clear()

    for raw in markdown.splitlines():
        line = raw.strip()
        if line.startswith("```"):
            flush()
            fenced = not fenced
            continue
        if fenced:
            continue
        if line.startswith("|"):
            flush()
            if not header:
                header = _cells(line)
            elif not re.fullmatch(r"[|:\- ]+", line):
                blocks.append((line, header))
            continue
        header = []
        if not line or line.startswith("#"):
            flush()
            continue
        if re.match(r"([-*+]|\d+[.)])\s", line):  # a list item starts a paragraph
            flush()
        paragraph.append(line)
    flush()
    return blocks


def extract_sentences(markdown: str) -> dict[str, list[str]]:
    """Every key of ``docs/model.md``: its sentence and the sources it cites (``000``...).

    Keys are the docs' own names: a full dotted path (``population.target.min_seniority``,
    ``scoring.people.acceptance_rate``, ``contexts.NAME.win_rate``) or a bare name
    (a strategy field). A key's sentence is its own table row (the row with a cell
    that is exactly the key), else the first prose sentence naming it; never
    another key's row, which is how ``min_seniority`` got ``junior_fit``'s.
    """
    blocks = _blocks(markdown)
    out: dict[str, list[str]] = {}
    for text, header in blocks:  # own rows first: they are the definitions
        if header:
            for key in _row_keys(text, header):
                if key not in out and ("." not in key or _in_schema(key)):
                    out[key] = [_row_sentence(text, header), ""]
    for key in sorted(set(_KEY.findall(markdown))):
        if key in out or ("." in key and not _in_schema(key)):
            continue
        for text, header in blocks:
            if not header and (sentence := _prose_sentence(text, key)):
                out[key] = [sentence, ""]
                break
    for found in out.values():
        found[1] = ", ".join(dict.fromkeys(_SOURCE.findall(found[0])))
    return {k: out[k] for k in sorted(out) if out[k][0]}


def _inner(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The model a field holds, and whether it holds them by name (``contexts``, ``strategies``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    for arg in get_args(annotation):
        model, named = _inner(arg)
        if model is not None:
            return model, named or get_origin(annotation) in (dict, tuple)
    return None, False


def _schema_field(key: str) -> FieldInfo | None:
    """The schema field a dotted scenario key names (``None`` if it names none).

    The name of a context or a strategy is any segment (``contexts.volume.win_rate``,
    ``contexts.NAME.win_rate``).
    """
    from ssisim.scenario.schema import Scenario

    model: type[BaseModel] | None = Scenario
    named = False
    found: FieldInfo | None = None
    for part in key.split("."):
        if named:
            named = False
            continue
        if model is None:
            return None
        fields = {**model.model_fields}  # by name (``from_``, as results record it) and alias
        fields.update({f.alias: f for f in model.model_fields.values() if f.alias})
        found = fields.get(part)
        if found is None:
            return None
        model, named = _inner(found.annotation)
    return found


def _in_schema(key: str) -> bool:
    """A dotted key of the docs that is a scenario key (``scoring.PILLAR.INPUT`` a pattern of them)."""
    return _schema_field(key) is not None or key == "scoring.PILLAR.INPUT"


@functools.lru_cache(maxsize=1)
def shipped_sentences() -> dict[str, list[str]]:
    """The sentences shipped with the package ({} if the file is missing)."""
    try:
        text = resources.files("ssisim.report").joinpath(SENTENCES_FILE).read_text("utf-8")
    except (OSError, FileNotFoundError):  # pragma: no cover - a broken install
        return {}
    data = json.loads(text)
    return data if isinstance(data, dict) else {}


def _candidates(key: str) -> list[str]:
    """The names the docs may give ``key``, most specific first."""
    parts = key.split(".")
    out = [key]
    if parts[0] in ("contexts", "strategies") and len(parts) > 2:
        out.append(".".join([parts[0], "NAME", *parts[2:]]))
        if parts[0] == "strategies" and len(parts) == 3:
            out.append(parts[2])  # model.md's strategy fields are bare names
    if parts[0] == "scoring" and len(parts) == 4 and parts[3] in ("weight", "scale"):
        out.append(".".join(parts[:3]))  # the pillar input's row
    return out


def doc_sentence(key: str) -> tuple[str, str]:
    """The sentence explaining ``key`` (a dotted scenario key) and its sources, or ``("", "")``.

    The key's own sentence of ``docs/model.md`` (looked up by its full dotted path),
    else the description of its field in the scenario schema.
    """
    shipped = shipped_sentences()
    for name in _candidates(key):
        if name in shipped:
            return shipped[name][0], shipped[name][1]
    field = _schema_field(key)
    if field is not None and field.description:
        text = field.description.replace("`", "")
        return text, ", ".join(dict.fromkeys(_SOURCE.findall(text)))
    return ("", "")

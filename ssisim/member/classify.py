"""Classify a connection's title and company against the scenario's market.

The rules are keyword matches on the lower-cased ``Position`` and ``Company``
cells, documented in ``docs/own-data.md``; they are assumptions, not
LinkedIn's own classification (LinkedIn does not export its members'
industries or seniorities). What no rule matches is counted as
``unclassified`` and reported, never guessed.

Seniority, from the title, the first level whose words match, from the top:

========== ===========================================================
cxo        chief, ceo, cfo, cto, coo, cmo, cio, cro, founder, owner,
           president (not vice president), managing director, partner
vp         vp, vice president, svp, evp
director   director, head of, head
manager    manager, lead, supervisor, principal
senior     senior, sr, expert, specialist, consultant
entry      intern, junior, jr, trainee, assistant, associate,
           graduate, apprentice, student; and any other non-empty title
========== ===========================================================

Industry, from the company then the title, the first industry with a
matching word (see :data:`INDUSTRY_WORDS`); an industry not among the
scenario's is ``unclassified``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ssisim.scenario.schema import SENIORITIES, TargetMarket

__all__ = [
    "INDUSTRY_WORDS",
    "SENIORITY_WORDS",
    "UNCLASSIFIED",
    "classify_industry",
    "classify_seniority",
    "relevance",
]

UNCLASSIFIED = "unclassified"

SENIORITY_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "cxo",
        (
            "chief",
            "ceo",
            "cfo",
            "cto",
            "coo",
            "cmo",
            "cio",
            "cro",
            "founder",
            "co-founder",
            "cofounder",
            "owner",
            "president",
            "managing director",
            "partner",
        ),
    ),
    ("vp", ("vp", "vice president", "svp", "evp")),
    ("director", ("director", "head of", "head")),
    ("manager", ("manager", "lead", "supervisor", "principal")),
    ("senior", ("senior", "sr", "expert", "specialist", "consultant")),
    (
        "entry",
        (
            "intern",
            "junior",
            "jr",
            "trainee",
            "assistant",
            "associate",
            "graduate",
            "apprentice",
            "student",
        ),
    ),
)
"""(level, words), checked from the top: a title's level is the first with a matching word."""

INDUSTRY_WORDS: Mapping[str, tuple[str, ...]] = {
    "software": (
        "software",
        "systems",
        "tech",
        "technologies",
        "analytics",
        "digital",
        "cloud",
        "data",
        "saas",
        "cyber",
        "it services",
        "engineer",
        "developer",
    ),
    "finance": (
        "bank",
        "banking",
        "capital",
        "finance",
        "financial",
        "insurance",
        "invest",
        "investment",
        "asset",
        "assurance",
        "credit",
        "fund",
    ),
    "manufacturing": (
        "manufacturing",
        "industries",
        "industrial",
        "factory",
        "plant",
        "automotive",
        "machinery",
        "chemicals",
    ),
    "health": (
        "hospital",
        "health",
        "healthcare",
        "clinic",
        "pharma",
        "medical",
        "nurse",
        "biotech",
    ),
    "retail": ("retail", "store", "shop", "stores", "ecommerce", "e-commerce"),
    "consulting": ("consulting", "consultancy", "advisory", "advisors"),
    "education": ("university", "school", "college", "academy", "education", "teacher"),
    "construction": ("construction", "builders", "building", "architects", "engineering group"),
    "energy": ("energy", "oil", "gas", "power", "solar", "utilities", "renewables"),
    "media": ("media", "news", "publishing", "agency", "studio", "broadcast"),
    "transport": ("logistics", "transport", "airline", "airlines", "shipping", "freight", "rail"),
    "public-sector": (
        "ministry",
        "government",
        "council",
        "city of",
        "agency of",
        "public",
        "prefecture",
        "police",
    ),
}
"""Industry -> words matched in the company (first) or the title."""

_PRESIDENT_NOT_VICE = re.compile(r"(?<!vice )\bpresident\b")


def _words(text: str) -> str:
    return " " + " ".join(re.sub(r"[^a-z0-9&+-]+", " ", text.lower()).split()) + " "


def _has(text: str, word: str) -> bool:
    return f" {word} " in text


def classify_seniority(title: str) -> str:
    """A level of :data:`SENIORITIES`, or ``unclassified`` for an empty title."""
    text = _words(title)
    if not text.strip():
        return UNCLASSIFIED
    for level, words in SENIORITY_WORDS:
        for word in words:
            if word == "president":
                if _PRESIDENT_NOT_VICE.search(text):
                    return level
            elif _has(text, word):
                return level
    return "entry"


def classify_industry(company: str, title: str, industries: Sequence[str]) -> str:
    """An industry of ``industries`` (the scenario's), or ``unclassified``."""
    for text in (_words(company), _words(title)):
        for industry, words in INDUSTRY_WORDS.items():
            if any(_has(text, w) for w in words):
                return industry if industry in industries else UNCLASSIFIED
    return UNCLASSIFIED


def relevance(industry: str, seniority: str, target: TargetMarket) -> float | None:
    """The target market's relevance of a class (as the population scores its members),
    or None when either is unclassified."""
    if UNCLASSIFIED in (industry, seniority):
        return None
    industry_fit = 1.0 if industry in target.industries else target.off_target_fit
    at_least = SENIORITIES.index(seniority) >= SENIORITIES.index(target.min_seniority)
    return industry_fit * (1.0 if at_least else target.junior_fit)

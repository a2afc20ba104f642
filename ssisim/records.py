"""The records a run appends; frames are built from them afterwards.

Flows (``invitations_sent``, ``posts``, ``impressions``, ...) count what
happened during the week; stocks (``connections``, ``strong_ties``, ...) are
read at the end of the week. Week 0 is the state before the first action.
"""

from __future__ import annotations

from typing import NamedTuple


class WeekRecord(NamedTuple):
    """One row of ``weekly.csv``: a strategy's replication at the end of a week."""

    strategy: str
    replication: int
    week: int
    ssi: float
    brand: float
    people: float
    insights: float
    relationships: float
    connections: int
    relevant_connections: int
    decision_maker_connections: int
    strong_ties: int
    invitations_sent: int
    invitations_accepted: int
    invitations_received: int
    acceptance_rate: float
    posts: int
    articles: int
    impressions: int
    engagements: int
    profile_views_received: int
    messages_sent: int
    replies: int
    endorsements: int
    boosted: bool


WEEKLY_COLUMNS: tuple[str, ...] = WeekRecord._fields
KEY_COLUMNS: tuple[str, ...] = ("strategy", "replication", "week")
METRIC_COLUMNS: tuple[str, ...] = tuple(c for c in WEEKLY_COLUMNS if c not in KEY_COLUMNS)

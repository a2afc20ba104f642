"""The records a run appends; frames are built from them afterwards.

Flows (``invitations_sent``, ``posts``, ``impressions``, ...) count what
happened during the week; stocks (``connections``, ``strong_ties``, ...) are
read at the end of the week. Week 0 is the state before the first action.
The columns after ``boosted`` have defaults, so that records written before
they existed can still be built.
"""

from __future__ import annotations

import math
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
    # The dashboard's two ranks (percentiles, 0-100) against every member's SSI
    # that week (ssisim.population.members): in the seller's industry, and among the
    # seller's contacts (NaN without contacts).
    industry_percentile: float = math.nan
    network_percentile: float = math.nan
    # What the SSI does not measure (docs/debate.md). Leads are members with whom
    # a business conversation starts, by origin; `_target` counts the relevant
    # ones, `_dm` the relevant decision makers, `_warm` those reached through a
    # warm tie (existing relationships' leads are warm by construction). A business
    # context turns them into opportunities afterwards (ssisim.results.outcomes).
    leads_inbound: int = 0
    leads_inbound_target: int = 0
    leads_inbound_dm: int = 0
    leads_inbound_warm: int = 0
    leads_inbound_target_warm: int = 0
    leads_inbound_dm_warm: int = 0
    leads_outbound: int = 0
    leads_outbound_target: int = 0
    leads_outbound_dm: int = 0
    leads_outbound_warm: int = 0
    leads_outbound_target_warm: int = 0
    leads_outbound_dm_warm: int = 0
    leads_introduction: int = 0
    leads_introduction_target: int = 0
    leads_introduction_dm: int = 0
    leads_introduction_warm: int = 0
    leads_introduction_target_warm: int = 0
    leads_introduction_dm_warm: int = 0
    leads_existing: int = 0
    leads_existing_target: int = 0
    leads_existing_dm: int = 0
    hours: float = 0.0
    pitches_received: int = 0
    known_contacts: int = 0
    restricted: bool = False


WEEKLY_COLUMNS: tuple[str, ...] = WeekRecord._fields
KEY_COLUMNS: tuple[str, ...] = ("strategy", "replication", "week")
METRIC_COLUMNS: tuple[str, ...] = tuple(c for c in WEEKLY_COLUMNS if c not in KEY_COLUMNS)

LEAD_COLUMNS: tuple[str, ...] = (
    "leads_inbound", "leads_inbound_target", "leads_inbound_dm",
    "leads_inbound_warm", "leads_inbound_target_warm", "leads_inbound_dm_warm",
    "leads_outbound", "leads_outbound_target", "leads_outbound_dm",
    "leads_outbound_warm", "leads_outbound_target_warm", "leads_outbound_dm_warm",
    "leads_introduction", "leads_introduction_target", "leads_introduction_dm",
    "leads_introduction_warm", "leads_introduction_target_warm", "leads_introduction_dm_warm",
    "leads_existing", "leads_existing_target", "leads_existing_dm",
)  # fmt: skip
"""The weekly lead counts, in record order: by origin, then any / target / decision maker,
then (inbound, outbound and introductions) the same through a warm tie; the existing
relationships' leads are warm by construction."""

"""The other members' own LinkedIn habits: what they do when nobody is watching.

:class:`MemberHabits` holds the parameters of the population-level model
(:mod:`ssisim.population.members`), which scores every member of the population, not only
the seller, so that the seller can be ranked in their industry and in their
network (brief C7). ``docs/members.md`` gives every default with its unit and
its source (a brief figure, a public benchmark or an assumption).

This module imports nothing from ssisim, so that :mod:`ssisim.scenario.schema` can
import it (``population.habits``) without an import cycle.

How a member's habits follow from their posting rate ``a`` (the population's
``activity``, posts a week) and seniority:

- every weekly rate (sessions and, through them, searches, comments,
  invitations, ...) is the reference member's rate times
  ``min((a / reference_posts_per_week) ** activity_elasticity,
  max_rate_multiplier) * (1 + seniority_lift) ** (level - 2)``, where
  ``level`` is 0 (entry) to 5 (cxo) and 2 is a manager, the reference;
- shares and chances (profile completeness, strong ties, Sales Navigator) rise
  with ``h = a / (a + engaged_half_posts_per_week)``, from their ``_inactive``
  value (``h = 0``) towards their ``_active`` one (``h -> 1``);
- the member's network is their ties inside the population times
  ``network_scale * (a / reference_posts_per_week) ** network_elasticity``.

The defaults were calibrated so that the default population reproduces C7
with the default scoring: ``ssisim calibrate`` prints the check (C7).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["MAX_RATE_PER_WEEK", "MemberHabits"]

MAX_RATE_PER_WEEK = 500.0
"""Upper bound of a member's weekly rate (the same physical bound as a strategy's rates;
this module imports nothing from ssisim, so it keeps its own copy)."""


class MemberHabits(BaseModel):
    """How the members of the population use LinkedIn, each on their own.

    Rates are those of the *reference member*: a manager who posts
    ``reference_posts_per_week`` (the default population's median). The
    module docstring says how they scale with a member's posting rate and
    seniority; ``docs/members.md`` gives every default and its source.
    """

    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, validate_default=True
    )

    # ------------------------------------------------------------------ scaling
    reference_posts_per_week: float = Field(
        0.03,
        gt=0.0,
        le=100.0,
        description="posts a week of the reference member, whose rates are given below",
    )
    activity_elasticity: float = Field(
        1.0,
        ge=0.0,
        le=3.0,
        description="rates grow as (posts / reference) ** this: 1 = in proportion to posting",
    )
    max_rate_multiplier: float = Field(
        30.0,
        ge=1.0,
        le=1000.0,
        description="no member's rates exceed this many times the reference member's",
    )
    seniority_lift: float = Field(
        0.1,
        ge=-0.5,
        le=2.0,
        description="relative change of every rate per seniority level above manager",
    )
    engaged_half_posts_per_week: float = Field(
        0.3,
        gt=0.0,
        le=100.0,
        description="posts a week at which shares and chances are halfway from inactive to active",
    )

    # ------------------------------------------------------------------ weekly flows
    sessions_per_week: float = Field(
        3.0,
        gt=0.0,
        le=MAX_RATE_PER_WEEK,
        description="LinkedIn sessions a week (Poisson); each does an equal share of the week's flows",
    )
    searches_per_week: float = Field(
        2.0, ge=0.0, le=MAX_RATE_PER_WEEK, description="searches a week"
    )
    profile_views_per_week: float = Field(
        3.0, ge=0.0, le=MAX_RATE_PER_WEEK, description="profiles viewed a week"
    )
    shares_per_week: float = Field(
        0.15, ge=0.0, le=MAX_RATE_PER_WEEK, description="items shared a week"
    )
    comments_per_week: float = Field(
        1.5, ge=0.0, le=MAX_RATE_PER_WEEK, description="comments written a week"
    )
    messages_per_week: float = Field(
        2.0, ge=0.0, le=MAX_RATE_PER_WEEK, description="messages sent a week"
    )
    reply_rate: float = Field(
        0.35, ge=0.0, le=1.0, description="share of a member's messages that get a reply"
    )
    invitations_per_week: float = Field(
        0.5, ge=0.0, le=MAX_RATE_PER_WEEK, description="invitations sent a week"
    )
    acceptance_rate: float = Field(
        0.4, ge=0.0, le=1.0, description="share of a member's invitations that are accepted"
    )
    inmails_per_week: float = Field(
        1.0,
        ge=0.0,
        le=MAX_RATE_PER_WEEK,
        description="InMails sent a week, by members with Sales Navigator",
    )
    engagements_per_post_per_connection: float = Field(
        0.004,
        ge=0.0,
        le=1.0,
        description="reactions and comments a post receives, per connection of its author",
    )

    # ------------------------------------------------------------------ stocks
    network_scale: float = Field(
        7.5,
        gt=0.0,
        le=1000.0,
        description="LinkedIn connections per tie inside the population, for the reference member",
    )
    network_elasticity: float = Field(
        0.45, ge=0.0, le=2.0, description="network size grows as (posts / reference) ** this"
    )
    strong_tie_share_inactive: float = Field(
        0.05,
        ge=0.0,
        le=1.0,
        description="share of a non-posting member's connections that are strong",
    )
    strong_tie_share_active: float = Field(
        0.45,
        ge=0.0,
        le=1.0,
        description="share of a very active member's connections that are strong",
    )
    endorsements_per_strong_tie: float = Field(
        0.5, ge=0.0, le=100.0, description="endorsements received per strong tie (a stock)"
    )
    profile_completeness_inactive: float = Field(
        0.6, ge=0.0, le=1.0, description="mean profile completeness of a non-posting member"
    )
    profile_completeness_active: float = Field(
        0.95, ge=0.0, le=1.0, description="mean profile completeness of a very active member"
    )
    profile_completeness_concentration: float = Field(
        6.0, gt=0.0, description="a + b of the Beta law of completeness: higher = more alike"
    )
    sales_navigator_inactive: float = Field(
        0.0, ge=0.0, le=1.0, description="chance a non-posting member has Sales Navigator"
    )
    sales_navigator_active: float = Field(
        1.0, ge=0.0, le=1.0, description="chance a very active member has Sales Navigator"
    )

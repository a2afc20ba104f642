"""The scenario's schema and defaults.

This package is the only validator in ssisim: everything downstream trusts a
:class:`Scenario`. Every default is declared once, on the field that holds it.
Units are in the field names (``_per_week``, ``_days``, ``_weeks``). Reading
YAML and ``--set`` overrides is :mod:`ssisim.scenario.loading`.
"""

from __future__ import annotations

import copy
import difflib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    ValidationError,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails

from ssisim.errors import ScenarioError
from ssisim.records import METRIC_COLUMNS
from ssisim.scenario.habits import MemberHabits
from ssisim.scenario.strategies import BUILTIN_STRATEGIES

__all__ = [
    "PILLARS",
    "SENIORITIES",
    "Scenario",
    "Strategy",
    "did_you_mean",
    "find_routine",
]

PILLARS: tuple[str, ...] = ("brand", "people", "insights", "relationships")
"""The four SSI pillars, each scored 0-25; their sum is ``ssi``."""

SENIORITIES: tuple[str, ...] = ("entry", "senior", "manager", "director", "vp", "cxo")
"""Seniority levels, lowest first. Decision makers are ``vp`` and above by default."""

Seniority = Literal["entry", "senior", "manager", "director", "vp", "cxo"]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
MAX_RATE_PER_WEEK = 500.0
"""The most of any action a routine may take a week (or a month, for articles):
a few hundred is already beyond what a person does, and what the platform allows."""
MAX_INVITES_PER_WEEK = 1000.0
"""Invitations a routine may attempt a week (the built-in ``industrial`` tries 850;
``platform.invite_cap_per_week`` then lets 100 through)."""
MAX_WEEKS = 520
"""The longest horizon, and any week count: ten years."""
MAX_NAME = 64
"""The longest name (scenario, strategy, team member, context)."""
MAX_SEED = 2**63 - 1
MAX_RUNS = 10_000_000
"""The most runs a scenario may plan (points x strategies x replications)."""
MAX_POINTS = 100_000
"""The most sweep points, or sensitivity design points."""

Rate = Annotated[float, Field(ge=0.0, le=MAX_RATE_PER_WEEK)]
Minutes = Annotated[float, Field(ge=0.0, le=7 * 24 * 60)]
PositiveFloat = Annotated[float, Field(gt=0.0, le=1e6)]
Days = Annotated[float, Field(gt=0.0, le=3650.0)]
Factor = Annotated[float, Field(ge=0.0, le=100.0)]
"""A multiplier of a chance (the product is clipped to [0, 1])."""
Seed = Annotated[int, Field(ge=0, le=MAX_SEED)]
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME)]
Text = Annotated[str, Field(max_length=10_000)]
Targeting = Literal[
    "anyone", "second_degree", "mutual_contacts", "profile_viewers", "relevant", "decision_makers"
]
AcceptRule = Literal["everyone", "relevant", "mutual_contacts", "decision_makers", "nobody"]

DEFAULT_INDUSTRIES: tuple[str, ...] = (
    "software",
    "finance",
    "manufacturing",
    "health",
    "retail",
    "consulting",
    "education",
    "construction",
    "energy",
    "media",
    "transport",
    "public-sector",
)


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, allow_inf_nan=False, validate_default=True
    )

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        """``seed: true`` is a mistake, not 1: numbers refuse ``true`` and ``false``."""
        if info.field_name is None:
            return value
        items = value if isinstance(value, list | tuple) else (value,)
        if any(isinstance(v, bool) for v in items) and _numeric(
            cls.model_fields[info.field_name].annotation
        ):
            raise ValueError(f"expected a number, not true or false (got {value!r})")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _printable_names(cls, value: Any, info: ValidationInfo) -> Any:
        """Names and texts are shown in terminals and tables: no control characters."""
        if isinstance(value, str) and not value.replace("\n", "").replace("\t", "").isprintable():
            raise ValueError("control characters are not allowed (escape sequences, NUL, ...)")
        return value


def _numeric(annotation: Any) -> bool:
    """Whether a field holds numbers (int or float, alone, optional or in a tuple)."""
    if annotation in (int, float):
        return True
    return any(_numeric(a) for a in get_args(annotation) if a is not bool)


# --------------------------------------------------------------------------- population


class TargetMarket(_Model):
    """Who the seller sells to; sets each member's ``relevance`` in [0, 1].

    relevance = industry fit x seniority fit, where industry fit is 1 in a
    target industry and ``off_target_fit`` elsewhere, and seniority fit is 1 at
    or above ``min_seniority`` and ``junior_fit`` below it.
    """

    industries: tuple[Name, ...] = Field(
        ("software", "finance", "manufacturing"), min_length=1, max_length=1000
    )
    min_seniority: Seniority = "manager"
    off_target_fit: Probability = 0.1
    junior_fit: Probability = 0.4
    relevant_threshold: Probability = Field(
        0.5, description="a member with relevance at or above this counts as relevant"
    )


class SellerProfile(_Model):
    """The simulated member and their network at week 0.

    ``from``: a member file written by ``ssisim import`` (``member.yaml``); its
    ``seller:`` values are the defaults of this block and the seller's week-0
    network is placed by its composition (``docs/own-data.md``).
    """

    # ``from`` (a Python keyword) is the field ``from_``: read and written as ``from``,
    # so that ``from_`` in a scenario is an unknown key, not silently ignored
    model_config = ConfigDict(**_Model.model_config, serialize_by_alias=True)

    from_: str | None = Field(
        None, alias="from", description="a member.yaml from `ssisim import` (docs/own-data.md)"
    )
    industry: str | None = Field(None, description="default: the first target industry")
    seniority: Seniority = "manager"
    initial_connections: int = Field(150, ge=0, le=100_000)
    initial_relevant_share: Probability = 0.2
    initial_colleague_share: Probability = 0.15
    initial_tie_strength: Probability = Field(0.3, description="mean strength of initial ties")


class PopulationParams(_Model):
    """The synthetic professional population (see ``docs/model.md``)."""

    size: int = Field(20_000, ge=200, le=5_000_000)
    seed: Seed | None = Field(None, description="default: derived from the scenario seed")
    industries: tuple[Name, ...] = Field(DEFAULT_INDUSTRIES, min_length=1, max_length=1000)
    industry_concentration: float = Field(
        0.8, ge=0.0, le=3.0, description="Zipf exponent of industry sizes"
    )
    mean_company_size: float = Field(40.0, ge=2.0, le=1e6)
    company_size_sigma: float = Field(1.2, ge=0.0, le=3.0)
    seniority_shares: tuple[float, float, float, float, float, float] = Field(
        (0.32, 0.28, 0.20, 0.12, 0.06, 0.02),
        description="share of members at each level of SENIORITIES",
    )
    decision_maker_from: Seniority = "vp"
    mean_degree: float = Field(24.0, ge=1.0, le=500.0)
    degree_sigma: float = Field(1.0, ge=0.0, le=3.0)
    company_tie_share: Probability = 0.35
    industry_tie_share: Probability = 0.40
    triadic_closure: float = Field(
        0.2, ge=0.0, lt=1.0, description="share of extra edges that close a triangle (below 1)"
    )
    rewire: Probability = Field(
        0.0,
        description="ties rewired by degree-preserving swaps, over half the ties: 0 keeps the "
        "drawn structure, 1 moves every tie once on average (a random graph with the same "
        "degrees: no clustering, no communities)",
    )
    activity_median_posts_per_week: float = Field(0.03, ge=0.0, le=100.0)
    activity_sigma: float = Field(1.5, ge=0.0, le=4.0)
    openness_mean: Probability = 0.4
    openness_concentration: PositiveFloat = 5.0
    sales_share: Probability = Field(
        0.1, description="share of members who sell (they invite more and pitch their contacts)"
    )
    target: TargetMarket = TargetMarket()
    seller: SellerProfile = SellerProfile()
    habits: MemberHabits = MemberHabits()

    @field_validator("seniority_shares")
    @classmethod
    def _shares_sum_to_one(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if any(s < 0 for s in v) or not math.isclose(sum(v), 1.0, abs_tol=1e-6):
            raise ValueError(f"must be 6 non-negative shares summing to 1 (sum = {sum(v):g})")
        return v

    @model_validator(mode="after")
    def _check_names(self) -> PopulationParams:
        if self.company_tie_share + self.industry_tie_share > 1.0 + 1e-9:
            raise ValueError(
                "company_tie_share + industry_tie_share must be at most 1 "
                f"(got {self.company_tie_share:g} + {self.industry_tie_share:g})"
            )
        known = set(self.industries)
        if len(known) != len(self.industries):
            raise ValueError("industries: names must be unique")
        for name in self.target.industries:
            if name not in known:
                raise ValueError(
                    f"target.industries: unknown industry {name!r}{did_you_mean(name, known)}"
                )
        if self.seller.industry is not None and self.seller.industry not in known:
            raise ValueError(
                f"seller.industry: unknown industry {self.seller.industry!r}"
                f"{did_you_mean(self.seller.industry, known)}"
            )
        return self


# --------------------------------------------------------------------------- the debate
# What the SSI does not measure (docs/debate.md): leads and opportunities, the
# business contexts that turn leads into value, time, pitches received, platform
# restrictions, and the team and cohort experiments.


class Restriction(_Model):
    """Invitations stop for a while when too many are ignored or refused.

    At each weekly refresh, when at least ``min_invitations`` were sent over the
    last ``window_weeks`` weeks and fewer than ``min_acceptance_rate`` of them
    (acceptances over invitations in the window) were accepted, the seller
    cannot invite for ``weeks`` weeks. On by default: the thresholds are set so
    that spraying blank invitations to strangers with a poor profile triggers
    it and no calibrated persona does (``docs/debate.md``).
    """

    enabled: bool = True
    min_acceptance_rate: Probability = 0.2
    min_invitations: int = Field(
        40, ge=1, le=100_000, description="invitations in the window before the rule applies"
    )
    window_weeks: int = Field(4, ge=1, le=52)
    weeks: int = Field(4, ge=1, le=MAX_WEEKS, description="how long invitations stay blocked")


class Leads(_Model):
    """Who reaches out, answers or passes an opportunity: leads, before any business context.

    A lead is a member with whom a business conversation starts; a business
    context (``contexts:``) then decides which leads can buy and how many turn
    into opportunities. Three origins are simulated, plus the seller's existing
    relationships (``docs/debate.md``).
    """

    inbound_rate: Probability = Field(
        0.02,
        description="chance a member who engages with the seller's content (or views the "
        "profile after a comment) reaches out",
    )
    outbound_rate: Probability = Field(
        0.3,
        description="chance a reply to a message (warm, cold or InMail) turns into a business "
        "conversation; the business context weighs warm and cold ones (warm_premium)",
    )
    introduction_rate: Probability = Field(
        0.004,
        description="weekly chance that a contact who fully trusts the seller passes an "
        "opportunity from their own network (times the contact's trust)",
    )
    trust_floor: float = Field(
        0.5,
        ge=0.0,
        le=100.0,
        description="mutual contacts' worth of trust a direct tie carries on its own",
    )
    trust_half_mutual_contacts: float = Field(
        3.0,
        gt=0.0,
        le=1000.0,
        description="mutual contacts at which a contact's trust is half its most",
    )
    existing_rate: Probability = Field(
        0.08,
        description="weekly chance that each week-0 contact (an existing relationship) passes "
        "an opportunity, whatever the routine",
    )


class Pitches(_Model):
    """Unsolicited sales messages from the members who sell (``population.sales_share``)."""

    on_connect: Probability = Field(
        0.3, description="chance a selling member pitches the seller within a week of connecting"
    )
    inviter_lift: float = Field(
        1.0,
        ge=0.0,
        le=20.0,
        description="a selling member who sent the invitation pitches (1 + lift) times as often "
        "on connecting",
    )
    weak_tie_per_week: Probability = Field(
        0.02,
        description="weekly chance a selling contact whose tie is below the warm threshold pitches",
    )
    invite_lift: float = Field(
        0.0,
        ge=0.0,
        le=20.0,
        description="a selling viewer invites (1 + lift) times as readily as another (the average "
        "rate is unchanged); 0 keeps the calibrated runs identical (docs/debate.md)",
    )


class TimeCosts(_Model):
    """Minutes each action costs the seller (all assumptions; ``docs/debate.md``)."""

    post_minutes: Minutes = 30.0
    article_minutes: Minutes = 180.0
    share_minutes: Minutes = 5.0
    comment_minutes: Minutes = 5.0
    reaction_minutes: Minutes = 0.25
    blank_invitation_minutes: Minutes = 0.5
    note_invitation_minutes: Minutes = 3.0
    warm_message_minutes: Minutes = 5.0
    cold_message_minutes: Minutes = 3.0
    conversation_minutes: Minutes = Field(15.0, description="per reply handled")
    search_minutes: Minutes = 2.0
    profile_view_minutes: Minutes = 1.0
    incoming_invitation_minutes: Minutes = Field(
        0.5, description="per incoming invitation answered"
    )


Buyers = Literal["anyone", "target", "target_decision_makers"]


class Conversion(_Model):
    """Share of leads of each origin that become opportunities."""

    inbound: Probability
    outbound: Probability
    introduction: Probability
    existing: Probability


class BusinessContext(_Model):
    """What a lead is worth: who can buy, conversion, deal value and cycle.

    ``buyers``: ``anyone``, ``target`` (relevant members) or
    ``target_decision_makers`` (relevant decision makers). A lead that came
    through a warm tie (an engager or a replier whose tie with the seller is
    warm, an introduction by a warm contact; the existing relationships' are
    all warm) converts ``warm_premium`` times as often as a cold one: a cold
    lead counts ``1 / warm_premium`` of a warm one. ``warm_tie_required``
    makes warmth a hard filter (cold leads count for nothing).
    """

    description: Text = ""
    buyers: Buyers
    warm_premium: float = Field(
        1.0,
        ge=1.0,
        le=1e6,
        description="how many times as often a lead through a warm tie converts as a cold one",
    )
    warm_tie_required: bool = Field(
        False, description="only leads through a warm tie count (an infinite warm premium)"
    )
    conversion: Conversion
    deal_value_eur: float = Field(ge=0.0, le=1e12)
    sales_cycle_weeks: float = Field(ge=0.0, le=MAX_WEEKS)
    win_rate: Probability


DEFAULT_CONTEXTS: Mapping[str, Mapping[str, Any]] = {
    "volume": {
        "description": "Many buyers, small fast deals: any member reached may buy (003: job ads)",
        "buyers": "anyone",
        "warm_premium": 1.0,
        "conversion": {"inbound": 0.5, "outbound": 0.1, "introduction": 0.3, "existing": 0.3},
        "deal_value_eur": 1_500.0,
        "sales_cycle_weeks": 2.0,
        "win_rate": 0.4,
    },
    "complex": {
        "description": "Few large slow deals: only decision makers at target accounts, a warm "
        "tie worth five cold ones (003: complex information systems)",
        "buyers": "target_decision_makers",
        "warm_premium": 5.0,
        "conversion": {"inbound": 0.3, "outbound": 0.3, "introduction": 0.4, "existing": 0.4},
        "deal_value_eur": 150_000.0,
        "sales_cycle_weeks": 26.0,
        "win_rate": 0.25,
    },
}
"""The two business types of ``003``; every value is an assumption (``docs/debate.md``)."""


class TeamMember(_Model):
    """A seller of the team: a name and the routine they follow."""

    name: Name
    strategy: Name = Field(description="a built-in or a strategy of `strategies:`")


class Team(_Model):
    """Sellers of one company in the same population (``ssisim team``).

    The first member is the population's seller; the others are drawn from the
    seller's company. Every member starts connected to the others and shares
    the target market; each member's year is one run.
    """

    members: tuple[TeamMember, ...] = Field(min_length=2, max_length=1000)
    month_weeks: int = Field(4, ge=1, le=52, description="weeks in a leaderboard month")
    goal_points: float = Field(
        10.0, ge=0.0, le=100.0, description="SSI points to gain in a month (002)"
    )
    context: str = Field(
        "volume", description="business context of the leaderboard's opportunities"
    )

    @model_validator(mode="after")
    def _unique_names(self) -> Team:
        names = [m.name for m in self.members]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"members: names must be unique (got {dupes[0]!r} twice)")
        return self


class CohortRoutine(_Model):
    """One routine of the cohort's mix and its weight."""

    strategy: Name = Field(description="a built-in or a strategy of `strategies:`")
    weight: PositiveFloat = 1.0

    @model_validator(mode="before")
    @classmethod
    def _name_only(cls, value: Any) -> Any:
        return {"strategy": value} if isinstance(value, str) else value


class Cohort(_Model):
    """Many sellers with mixed routines in one population (``ssisim cohort``; C8).

    Each seller is a member of the seller's industry with a network built as
    the seller's; their routine is drawn from ``routines`` by weight, every
    rate multiplied by its own LogNormal factor of log-scale s.d. ``jitter``
    (mean 1). Each seller runs once.
    """

    sellers: int = Field(300, ge=2, le=100_000)
    routines: tuple[CohortRoutine, ...] = Field(
        (
            CohortRoutine(strategy="inactive", weight=1.0),
            CohortRoutine(strategy="beginner", weight=2.0),
            CohortRoutine(strategy="active", weight=2.0),
            CohortRoutine(strategy="power-user", weight=1.0),
            CohortRoutine(strategy="power-user-sales-navigator", weight=0.5),
        ),
        min_length=1,
        max_length=1000,
    )
    jitter: float = Field(0.3, ge=0.0, le=2.0, description="log-scale s.d. of each rate's factor")
    high_ssi: float = Field(70.0, ge=0.0, le=100.0, description="leaders: SSI at or above this")
    low_ssi: float = Field(30.0, ge=0.0, le=100.0, description="low SSI: at or below this")
    bootstrap: int = Field(
        2000, ge=100, le=1_000_000, description="bootstrap resamples of the ratio"
    )

    @model_validator(mode="after")
    def _ordered(self) -> Cohort:
        if self.low_ssi >= self.high_ssi:
            raise ValueError(
                f"low_ssi must be below high_ssi (got {self.low_ssi:g} >= {self.high_ssi:g})"
            )
        return self


def _merge_contexts(value: Any) -> Any:
    """Merge ``contexts:`` over :data:`DEFAULT_CONTEXTS`: a default's fields can be
    changed one by one, a new name needs every field, ``null`` drops a context."""
    if value is None:
        return dict(DEFAULT_CONTEXTS)
    if not isinstance(value, Mapping):
        return value
    merged: dict[str, Any] = {k: copy.deepcopy(dict(v)) for k, v in DEFAULT_CONTEXTS.items()}
    for name, fields in value.items():
        if fields is None:
            merged.pop(name, None)
        elif name in merged and isinstance(fields, Mapping):
            base = merged[name]
            conversion = fields.get("conversion")
            if isinstance(conversion, Mapping):
                fields = {**fields, "conversion": {**base["conversion"], **conversion}}
            merged[name] = {**base, **fields}
        else:
            merged[name] = fields
    return merged


# --------------------------------------------------------------------------- platform


class Platform(_Model):
    """Platform rules. The cap, ceiling and expiry come from outside the articles;
    the boost threshold and size from ``000`` and ``002``: see ``docs/model.md``."""

    invite_cap_per_week: int | None = Field(
        100,
        ge=0,
        le=1000,
        description="invitations a member may send a week; null lifts the cap",
    )
    connection_limit: int = Field(30_000, ge=1, le=1_000_000)
    boost_threshold_ssi: float = Field(70.0, ge=0.0, le=100.0)
    boost_reach: float = Field(0.20, ge=0.0, le=5.0, description="extra reach above the threshold")
    invitation_expiry_days: Days = 180.0
    restriction: Restriction = Restriction()


# --------------------------------------------------------------------------- answers


class Acceptance(_Model):
    """How invited members answer.

    p = openness x (floor_r + (1 - floor_r) relevance) x (1 + note_lift note)
        x (1 + mutual_lift min(mutual, mutual_saturation) / mutual_saturation)
        x (floor_p + (1 - floor_p) profile_completeness)
        x seniority_factors[invitee's level], clipped to [0, 1].
    """

    relevance_floor: Probability = 0.5
    note_lift: float = Field(
        0.05,
        ge=0.0,
        le=100.0,
        description="relative lift of a personal note (published: almost none)",
    )
    seniority_factors: tuple[Factor, Factor, Factor, Factor, Factor, Factor] = Field(
        (1.0, 1.0, 1.0, 0.8, 0.65, 0.5),
        description="acceptance relative to a manager, per level of SENIORITIES "
        "(published: C-suite about half the managers' rate)",
    )
    mutual_lift: float = Field(0.8, ge=0.0, le=100.0)
    mutual_saturation: int = Field(10, ge=1, le=100_000)
    profile_floor: Probability = 0.5
    mean_delay_days: Days = 3.0


class Reach(_Model):
    """How a post travels: contacts see it, those who react show it to theirs."""

    feed_share: Probability = Field(0.12, description="chance a first-degree contact sees a post")
    hop_share: Probability = Field(0.04, description="chance a reactor's contact sees it")
    max_hops: int = Field(2, ge=0, le=6)
    reaction_rate: Probability = Field(0.12, description="chance a viewer reacts, before lifts")
    article_reach: PositiveFloat = Field(0.6, description="article reach relative to a post")
    article_engagement: PositiveFloat = Field(
        2.0, description="article engagement relative to a post"
    )
    share_reach: PositiveFloat = Field(0.5, description="shared item's reach relative to a post")
    profile_view_rate: Probability = Field(
        0.05, description="chance an engaged non-contact opens the profile"
    )
    activity_half_posts_per_week: PositiveFloat = Field(
        0.05, description="a member posting this often reacts half as readily as the most active"
    )
    attention_half_load: PositiveFloat | None = Field(
        5.0,
        description="posts a week from a member's ties at which their feed is crowded enough "
        "that they see each post half as often as with an empty feed (a member with the "
        "median feed sees a post with feed_share); null: every feed alike",
    )
    closeness_gain: float = Field(
        2.0,
        ge=0.0,
        le=100.0,
        description="the feed ranks close ties first: a contact sees a post (1 + gain x tie) "
        "times as often as a contact with no tie strength",
    )
    audience_elasticity: float = Field(
        0.2,
        ge=0.0,
        le=2.0,
        description="engagement per viewer falls as (connections / reference_audience) to "
        "the power -elasticity (Markerly 2016; Wies, Bleier & Edeling 2022)",
    )
    reference_audience: int = Field(
        500,
        ge=1,
        le=10_000_000,
        description="connections at which engagement per viewer is unscaled",
    )


class Messaging(_Model):
    """Replies to messages. ``cold_reply_rate`` from ``003`` (90% never answered)."""

    cold_reply_rate: Probability = 0.10
    warm_reply_rate: Probability = 0.35
    warm_tie_threshold: Probability = 0.3
    mean_reply_delay_days: Days = 2.0


class Inbound(_Model):
    """Profile views and invitations drawn by the seller's visibility."""

    passive_views_per_week: Rate = Field(
        0.5, description="search appearances turned views, per sqrt(connection), a week"
    )
    invitee_view_rate: Probability = 0.3
    view_back_rate: Probability = 0.1
    comment_views: float = Field(
        0.3, ge=0.0, le=1000.0, description="profile views a comment draws"
    )
    invite_after_view: Probability = Field(
        0.15, description="chance a viewer who is not a contact invites, times openness"
    )


class Ties(_Model):
    """Tie strength in [0, 1]: interactions add, silence halves it every half-life."""

    half_life_weeks: PositiveFloat = 16.0
    new_tie_strength: Probability = 0.1
    overlap_gain: float = Field(
        3.0,
        ge=0.0,
        le=100.0,
        description="a new tie starts stronger by this times the neighbourhood overlap "
        "m / (k_seller + k_contact - m) (Onnela et al. 2007)",
    )
    note_bonus: Probability = 0.05
    interaction_gain: Probability = 0.15
    strong_threshold: Probability = 0.5
    endorsements_per_strong_tie_per_week: Probability = 0.01
    known_threshold: Probability = Field(
        0.3, description="a contact whose tie is at least this is one the seller could name"
    )
    capacity: int | None = Field(
        150,
        ge=1,
        le=1_000_000,
        description="known ties one can keep: beyond it, the time each gets shrinks and every "
        "tie decays faster, the half-life divided by known / capacity (Dunbar's 150; "
        "Miritello et al. 2013); null: no limit",
    )


class Answers(_Model):
    """How the other members answer the seller."""

    acceptance: Acceptance = Acceptance()
    reach: Reach = Reach()
    messaging: Messaging = Messaging()
    inbound: Inbound = Inbound()
    ties: Ties = Ties()
    leads: Leads = Leads()
    pitches: Pitches = Pitches()


# --------------------------------------------------------------------------- scoring


class PillarInput(_Model):
    """One input of a pillar: its relative weight and its saturation scale.

    The input's score is ``1 - exp(-x / scale)`` for counts and
    ``min(x / scale, 1)`` for shares (see :mod:`ssisim.pillars`).
    """

    weight: float = Field(ge=0.0, le=1e6)
    scale: PositiveFloat


def _inp(weight: float, scale: float) -> Any:
    return Field(default_factory=lambda: PillarInput(weight=weight, scale=scale))


class _Pillar(_Model):
    """A pillar's inputs. An input given with only its weight or only its scale
    keeps the other at its default (``--set scoring.brand.posts.weight=0.5``)."""

    @model_validator(mode="before")
    @classmethod
    def _keep_the_other_default(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        filled = dict(data)
        for name, given in data.items():
            field = cls.model_fields.get(name)
            if field is None or field.default_factory is None or not isinstance(given, dict):
                continue
            if given:  # an empty mapping stays an error; a misspelled key is told as such
                default = field.default_factory()  # type: ignore[call-arg]
                filled[name] = {"weight": default.weight, "scale": default.scale, **given}
        return filled


class BrandPillar(_Pillar):
    profile_completeness: PillarInput = _inp(0.30, 1.0)
    posts: PillarInput = _inp(0.25, 1.5)
    engagement: PillarInput = _inp(0.30, 40.0)
    endorsements: PillarInput = _inp(0.15, 20.0)


class PeoplePillar(_Pillar):
    searches: PillarInput = _inp(0.20, 5.0)
    profile_views: PillarInput = _inp(0.15, 15.0)
    relevant_connections: PillarInput = _inp(0.30, 150.0)
    acceptance_rate: PillarInput = _inp(0.20, 0.5)
    lead_tools: PillarInput = _inp(0.20, 6.0)


class InsightsPillar(_Pillar):
    shares: PillarInput = _inp(0.25, 1.5)
    comments: PillarInput = _inp(0.30, 4.0)
    replies: PillarInput = _inp(0.35, 2.5)
    inmail: PillarInput = _inp(0.20, 2.0)


class RelationshipsPillar(_Pillar):
    decision_makers: PillarInput = _inp(0.30, 40.0)
    multi_dm_accounts: PillarInput = _inp(0.15, 5.0)
    colleagues: PillarInput = _inp(0.10, 15.0)
    strong_ties: PillarInput = _inp(0.30, 25.0)
    teamlink: PillarInput = _inp(0.20, 8.0)


class Scoring(_Model):
    """Pillar weights and saturation scales; activity over a trailing window.

    Activity counts (posts, searches, ...) enter as exponentially weighted
    averages per week with the given half-life, so the score falls when activity
    stops. Weights are relative within a pillar.
    """

    activity_half_life_weeks: float = Field(4.0, gt=0.0, le=MAX_WEEKS)
    brand: BrandPillar = BrandPillar()
    people: PeoplePillar = PeoplePillar()
    insights: InsightsPillar = InsightsPillar()
    relationships: RelationshipsPillar = RelationshipsPillar()

    @model_validator(mode="after")
    def _ceiling_below_100(self) -> Scoring:
        for pillar in PILLARS:
            weights = [i.weight for i in getattr(self, pillar).__dict__.values()]
            if sum(weights) <= 0:
                raise ValueError(f"{pillar}: at least one input needs a positive weight")
        sn = (
            self.people.lead_tools.weight
            + self.insights.inmail.weight
            + self.relationships.teamlink.weight
        )
        if sn <= 0:
            raise ValueError(
                "the Sales Navigator inputs (people.lead_tools, insights.inmail, "
                "relationships.teamlink) all have weight 0: the score could reach 100 without it"
            )
        return self


# --------------------------------------------------------------------------- strategies


class Strategy(_Model):
    """A routine: what the seller does each week, as data.

    ``invite_targeting`` lists candidate pools in priority order; each working
    day's batch of invitations is drawn from the first pool, then the next. ``accept_policy``
    accepts an incoming invitation when any listed rule matches.
    """

    # ``from`` (a Python keyword) is the field ``from_``: read and written as ``from``,
    # so that ``from_`` in a scenario is an unknown key, not silently ignored
    model_config = ConfigDict(**_Model.model_config, serialize_by_alias=True)

    name: Name
    description: Text = ""
    source: Text = ""
    from_: str | None = Field(
        None,
        alias="from",
        description="a member.yaml from `ssisim import`: its `routine:` values are this "
        "strategy's defaults (docs/own-data.md)",
    )
    profile_completeness: Probability = 0.8
    posts_per_week: Rate = 0.0
    articles_per_month: Rate = 0.0
    shares_per_week: Rate = 0.0
    comments_per_week: Rate = 0.0
    reactions_per_week: Rate = 0.0
    invites_per_week: float = Field(
        0.0,
        ge=0.0,
        le=MAX_INVITES_PER_WEEK,
        description="invitations attempted a week (the platform's weekly cap then applies)",
    )
    invite_targeting: tuple[Targeting, ...] = Field(("second_degree",), max_length=20)
    invite_note_share: Probability = 0.0
    accept_policy: tuple[AcceptRule, ...] = Field(("everyone",), min_length=1, max_length=20)
    min_mutual_contacts: int = Field(3, ge=1, le=100_000)
    warm_messages_per_week: Rate = 0.0
    cold_messages_per_week: Rate = 0.0
    searches_per_week: Rate = 0.0
    profile_views_per_week: Rate = 0.0
    sales_navigator: bool = False
    stops_at_week: int | None = Field(
        None,
        ge=0,
        le=MAX_WEEKS,
        description="the routine stops at the start of this week (decay experiments); "
        "incoming invitations are still answered",
    )
    hours_per_week_budget: float | None = Field(
        None,
        gt=0.0,
        le=168.0,
        description="hours a week the routine may take; every rate is scaled down to fit "
        "(null: no limit)",
    )
    seat: int | None = Field(
        None,
        ge=0,
        le=100_000,
        description="which seller runs it: null for the population's seller, else a seat of "
        "`team:` or `cohort:` (set by ssisim team / ssisim cohort)",
    )

    @model_validator(mode="before")
    @classmethod
    def _refuse_unresolved(cls, value: Any) -> Any:
        if isinstance(value, _Unresolved):
            raise ValueError(value.message)
        return value


@dataclass(frozen=True)
class _Unresolved:
    """A ``strategies:`` entry whose built-in name or ``based_on`` is unknown.

    ``message`` is what is wrong; it starts with ``based_on: `` when the
    mistake is that key (the loader then points at its line).
    """

    message: str


# --------------------------------------------------------------------------- experiments


class Uncertain(_Model):
    """A parameter's range, to sample a sweep from or to declare it uncertain.

    Written ``[low, high]`` or as a mapping. Values follow ``distribution`` on
    ``[low, high]``: ``uniform``; ``loguniform`` (uniform in log, ``low > 0``);
    ``triangular`` (peak at ``mode``, default the midpoint); ``normal`` (mean
    ``mode``, default the midpoint, standard deviation ``sd``, default a
    quarter of the range, truncated to the range). ``integer`` rounds the
    values, for counts such as ``population.size``.
    """

    low: float
    high: float
    distribution: Literal["uniform", "loguniform", "triangular", "normal"] = "uniform"
    mode: float | None = None
    sd: PositiveFloat | None = None
    integer: bool = False

    @model_validator(mode="before")
    @classmethod
    def _pair(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            if len(value) != 2:
                raise ValueError(f"expected [low, high] (got {list(value)!r})")
            return {"low": value[0], "high": value[1]}
        return value

    @model_validator(mode="after")
    def _ordered(self) -> Uncertain:
        if not self.low < self.high:
            raise ValueError(f"low must be below high (got [{self.low:g}, {self.high:g}])")
        if self.distribution == "loguniform" and self.low <= 0:
            raise ValueError(f"loguniform needs low > 0 (got {self.low:g})")
        if self.mode is not None and not self.low <= self.mode <= self.high:
            raise ValueError(f"mode: must lie in [{self.low:g}, {self.high:g}] (got {self.mode:g})")
        if self.integer and math.ceil(self.low) > math.floor(self.high):
            raise ValueError(f"no integer in [{self.low:g}, {self.high:g}]")
        return self


class GridAxis(_Model):
    """The values of one grid key: a list, or ``"start:stop:step"`` (stop included
    when the steps land on it: ``"20:100:20"`` is 20, 40, 60, 80, 100)."""

    values: tuple[Any, ...] = Field(min_length=1, max_length=100_000)

    @model_validator(mode="before")
    @classmethod
    def _expand(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return {"values": tuple(value)}
        if isinstance(value, str):
            return {"values": _arange(value)}
        if isinstance(value, Mapping):
            return value
        raise ValueError(f"expected a list of values or 'start:stop:step' (got {value!r})")


def _arange(text: str) -> tuple[float | int, ...]:
    parts = [p.strip() for p in text.split(":")]
    try:
        if len(parts) != 3:
            raise ValueError
        numbers = [int(p) if re.fullmatch(r"[-+]?\d+", p) else float(p) for p in parts]
    except ValueError:
        raise ValueError(f"expected a list of values or 'start:stop:step' (got {text!r})") from None
    start, stop, step = numbers
    if not all(math.isfinite(x) for x in numbers) or step <= 0 or stop < start:
        raise ValueError(f"'start:stop:step' needs start <= stop and step > 0 (got {text!r})")
    count = math.floor((stop - start) / step + 1e-9) + 1
    if count > 100_000:
        raise ValueError(f"'{text}' gives {count:,} values; at most 100,000")
    if all(isinstance(x, int) for x in numbers):
        return tuple(int(start + i * step) for i in range(count))
    return tuple(float(f"{start + i * step:.12g}") for i in range(count))


class SweepSample(_Model):
    """Random or Latin-hypercube samples over ranges (``scipy.stats.qmc``)."""

    method: Literal["latin", "random"] = "latin"
    n: int = Field(0, ge=0, le=1_000_000, description="number of samples")
    seed: Seed | None = Field(None, description="default: derived from the scenario seed")
    ranges: dict[str, Uncertain] = Field(default_factory=dict, max_length=100)

    @model_validator(mode="after")
    def _both_or_neither(self) -> SweepSample:
        if self.ranges and self.n == 0:
            raise ValueError("n: set the number of samples to draw from the ranges")
        if self.n and not self.ranges:
            raise ValueError("ranges: give at least one key to sample, e.g. {weeks: [26, 52]}")
        return self


_NOT_SWEPT = ("name", "sweep", "sensitivity", "execution")


def _check_keys(keys: Iterable[str], where: str) -> None:
    for key in keys:
        if not key or key.split(".")[0] in _NOT_SWEPT or any(not p for p in key.split(".")):
            raise ValueError(
                f"{where}: {key!r} cannot vary; give the dotted path of a scenario key, "
                "e.g. strategies.open-bar.invites_per_week"
            )


class Sweep(_Model):
    """A sweep (``ssisim sweep``): every grid combination, times every sample;
    or one key at a time around the scenario as written.

    Keys are dotted paths, as for ``--set``. Each (point, strategy,
    replication) is one run; replication ``r`` draws the same random stream
    at every point (common random numbers, see :mod:`ssisim.engine.driver`).

    ``one_at_a_time`` gives each key its values (as a grid axis does): the
    sweep is the scenario as written (the baseline, point 0) and, for each
    key, one point per value with only that key changed. It stands alone: it
    cannot be combined with ``grid`` or ``sample``.
    """

    grid: dict[str, GridAxis] = Field(default_factory=dict, max_length=32)
    sample: SweepSample = SweepSample()
    one_at_a_time: dict[str, GridAxis] = Field(
        default_factory=dict,
        max_length=100,
        description="each key's values, varied one key at a time around the scenario as written",
    )

    @model_validator(mode="after")
    def _keys(self) -> Sweep:
        _check_keys(self.grid, "grid")
        _check_keys(self.sample.ranges, "sample.ranges")
        _check_keys(self.one_at_a_time, "one_at_a_time")
        both = sorted(set(self.grid) & set(self.sample.ranges))
        if both:
            raise ValueError(f"grid: {both[0]!r} is both in the grid and in sample.ranges")
        if self.one_at_a_time and (self.grid or self.sample.n or self.sample.ranges):
            other = "grid" if self.grid else "sample"
            raise ValueError(
                f"one_at_a_time: cannot be combined with sweep.{other} (one_at_a_time varies "
                f"one key at a time around the scenario as written); run the {other} as a "
                "sweep of its own"
            )
        if self.points > MAX_POINTS:
            raise ValueError(f"the sweep has {self.points:,} points; at most {MAX_POINTS:,}")
        return self

    @property
    def points(self) -> int:
        """How many points the sweep has (grid combinations x samples; or, one at a
        time, the baseline and one per value, at most: a value equal to the
        scenario's own is the baseline)."""
        if self.one_at_a_time:
            return 1 + sum(len(a.values) for a in self.one_at_a_time.values())
        return math.prod(len(a.values) for a in self.grid.values()) * max(self.sample.n, 1)

    @property
    def active(self) -> bool:
        """Whether the scenario declares a sweep at all."""
        return bool(self.grid) or self.sample.n > 0 or bool(self.one_at_a_time)


class Sensitivity(_Model):
    """Global sensitivity (``ssisim sensitivity``): Sobol' indices and a tornado.

    ``samples`` is Saltelli's base sample N (a power of 2): the Sobol' design
    has N x (parameters + 2) points, each run for ``replications`` with
    common random numbers and averaged (see :mod:`ssisim.experiments.sensitivity`).
    ``outputs`` are metrics at the horizon; default ``ssi``, the four
    pillars, and ``opportunities`` and ``hours`` when the model records them.
    """

    parameters: dict[str, Uncertain] = Field(default_factory=dict, max_length=100)
    samples: int = Field(64, ge=2, le=2**20)
    replications: int = Field(2, ge=1, le=10_000)
    outputs: tuple[str, ...] = Field((), max_length=100)
    seed: Seed | None = Field(None, description="default: derived from the scenario seed")

    @field_validator("samples")
    @classmethod
    def _power_of_two(cls, v: int) -> int:
        if v & (v - 1):
            low = 1 << (v.bit_length() - 1)
            raise ValueError(
                f"must be a power of 2 for Sobol' sampling (got {v}; try {low} or {low * 2})"
            )
        return v

    @field_validator("outputs")
    @classmethod
    def _known_outputs(cls, v: tuple[str, ...]) -> tuple[str, ...]:

        for name in v:
            if name not in METRIC_COLUMNS:
                raise ValueError(f"unknown metric {name!r}{did_you_mean(name, METRIC_COLUMNS)}")
        return tuple(dict.fromkeys(v))

    @model_validator(mode="after")
    def _keys(self) -> Sensitivity:
        _check_keys(self.parameters, "parameters")
        design = self.samples * (len(self.parameters) + 2)
        if self.parameters and design > MAX_POINTS:
            raise ValueError(
                f"samples: {self.samples:,} x ({len(self.parameters)} parameters + 2) = "
                f"{design:,} design points; at most {MAX_POINTS:,}"
            )
        return self


class Execution(_Model):
    """Where the runs execute. Never changes the results, only how fast they come.

    ``scheduler``: a Dask scheduler address (``tcp://host:8786``), or
    ``local`` for a Dask ``LocalCluster`` on this machine; default: local
    worker processes. The command line (``--workers``, ``--scheduler``) and
    the ``SSISIM_SCHEDULER`` environment variable take precedence. A scenario
    file may set ``scheduler`` only when run with ``--trust-scenario-scheduler``
    (a scenario must not choose where code runs; ``docs/scenarios.md``).
    """

    workers: int = Field(0, ge=0, le=4096, description="local worker processes; 0: all cores")
    scheduler: str | None = Field(None, min_length=1)
    chunk_runs: int | None = Field(
        None, ge=1, le=100_000, description="runs per results file; default: automatic"
    )
    retries: int = Field(1, ge=0, le=10, description="retries of runs whose worker died")


# --------------------------------------------------------------------------- scenario


class Scenario(_Model):
    """A complete, validated scenario. Build one with :func:`load_scenario`."""

    name: str = Field(min_length=1, max_length=MAX_NAME, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    description: Text = ""
    seed: Seed = 0
    weeks: int = Field(52, ge=1, le=MAX_WEEKS)
    replications: int = Field(20, ge=1, le=100_000)
    checkpoints: tuple[int, ...] = Field((12, 26, 52), max_length=MAX_WEEKS)
    population: PopulationParams = PopulationParams()
    platform: Platform = Platform()
    answers: Answers = Answers()
    scoring: Scoring = Scoring()
    strategies: tuple[Strategy, ...] = Field(min_length=1, max_length=100_000)
    sweep: Sweep = Sweep()
    sensitivity: Sensitivity = Sensitivity()
    execution: Execution = Execution()
    time: TimeCosts = TimeCosts()
    equal_hours_per_week: float | None = Field(
        None,
        gt=0.0,
        le=80.0,
        description="compare at equal time: every routine's rates are scaled, up or down, to "
        "plan this many hours a week (null: each routine as stated)",
    )
    contexts: dict[Name, BusinessContext] = Field(
        default_factory=lambda: _merge_contexts(None), max_length=100
    )
    team: Team | None = None
    cohort: Cohort | None = None

    @field_validator("contexts", mode="before")
    @classmethod
    def _merge_contexts(cls, value: Any) -> Any:
        return _merge_contexts(value)

    @field_serializer("contexts", mode="wrap")
    def _dump_removed_contexts(
        self, value: dict[str, BusinessContext], handler: SerializerFunctionWrapHandler
    ) -> Any:
        """A default context the scenario removed is dumped as ``null``, so that a
        dumped scenario read again (a sweep's points, a team's, a manifest) is the
        same scenario rather than one with the default back."""
        dumped = handler(value)
        if not isinstance(dumped, dict):
            return dumped
        return {**{k: None for k in DEFAULT_CONTEXTS if k not in dumped}, **dumped}

    @model_validator(mode="after")
    def _check_week_0_network(self) -> Scenario:
        """The seller's week-0 contacts fit the population and the platform's limit
        (they were cut to fit, without a word)."""
        start = self.population.seller.initial_connections
        if start > self.population.size - 1:
            raise ValueError(
                f"population.seller.initial_connections: {start:,} contacts at week 0 in a "
                f"population of {self.population.size:,} members (at most "
                f"{self.population.size - 1:,}; raise population.size to at least {start + 1:,})"
            )
        limit = self.platform.connection_limit
        if limit is not None and start > limit:
            raise ValueError(
                f"platform.connection_limit: {limit:,} is below the seller's {start:,} contacts "
                "at week 0 (population.seller.initial_connections)"
            )
        return self

    @model_validator(mode="after")
    def _check_debate(self) -> Scenario:
        if self.team is not None and self.cohort is not None:
            raise ValueError("cohort: a scenario holds a team or a cohort, not both")
        if self.team is not None and self.team.context not in self.contexts:
            raise ValueError(
                f"team.context: unknown business context {self.team.context!r}"
                f"{did_you_mean(self.team.context, self.contexts)}"
            )
        seats = self.team.members if self.team is not None else ()
        size = len(seats) if self.team is not None else (self.cohort.sellers if self.cohort else 0)
        for s in self.strategies:
            if s.seat is not None and s.seat >= size:
                where = "team.members" if self.team else "cohort.sellers"
                raise ValueError(
                    f"strategies: {s.name!r} sits at seat {s.seat}, but {where} has "
                    f"{size} seat{'s' if size != 1 else ''}"
                )
        return self

    @field_validator("strategies", mode="before")
    @classmethod
    def _resolve_strategies(cls, value: Any) -> Any:
        """Resolve built-in names and ``based_on``, entry by entry.

        An entry that cannot be resolved becomes an :class:`_Unresolved`
        marker, which :class:`Strategy` refuses with its message: pydantic
        then reports it at the entry's position, together with the errors
        of every other entry and of every other key (one mistake hides none).
        """
        if not isinstance(value, list | tuple):
            return value
        earlier: dict[str, Any] = {}
        failed: set[str] = set()
        resolved = []
        known = {*Strategy.model_fields, "from"}  # the fields an entry based on another inherits
        for entry in value:
            base = entry.get("based_on") if isinstance(entry, Mapping) else None
            if (
                isinstance(base, str)
                and base in failed
                and base not in (*earlier, *BUILTIN_STRATEGIES)
            ):
                # based on an entry already reported: check this one's own fields only
                entry = {k: v for k, v in entry.items() if k != "based_on"}
            try:
                fields = _resolve_strategy(entry, earlier)
            except ValueError as exc:
                name = entry if isinstance(entry, str) else entry.get("name")
                if isinstance(name, str):
                    failed.add(name)
                resolved.append(_Unresolved(str(exc)))
                continue
            if isinstance(fields, Mapping) and isinstance(fields.get("name"), str):
                # a later entry based on this one inherits its known fields only: an
                # unknown key is reported once, at the entry that wrote it
                earlier[fields["name"]] = {k: v for k, v in fields.items() if k in known}
            resolved.append(fields)
        return resolved

    @field_validator("checkpoints")
    @classmethod
    def _positive_checkpoints(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if any(c < 1 or c > MAX_WEEKS for c in v):
            raise ValueError(f"checkpoint weeks must be within 1-{MAX_WEEKS} (got {list(v)})")
        return tuple(sorted(set(v)))

    @model_validator(mode="after")
    def _known_routines(self) -> Scenario:
        """Every routine a team member or the cohort's mix names exists, built in or
        in ``strategies:`` (each unknown one reported, at its line). A seated
        scenario (``ssisim team`` and ``cohort`` replace the strategies by the
        sellers, each at its seat) has had its routines resolved already."""
        if any(s.seat is not None for s in self.strategies):
            return self
        known = [*(s.name for s in self.strategies), *BUILTIN_STRATEGIES]
        named: list[tuple[tuple[str | int, ...], str]] = []
        if self.team is not None:
            named += [
                (("team", "members", i, "strategy"), m.strategy)
                for i, m in enumerate(self.team.members)
            ]
        if self.cohort is not None:
            named += [
                (("cohort", "routines", i, "strategy"), r.strategy)
                for i, r in enumerate(self.cohort.routines)
            ]
        errors = [
            InitErrorDetails(
                type="value_error",
                loc=loc,
                input=name,
                ctx={
                    "error": ValueError(
                        f"unknown strategy {name!r} (neither built in nor in strategies:)"
                        f"{did_you_mean(name, known)}"
                    )
                },
            )
            for loc, name in named
            if name not in known
        ]
        if errors:
            raise ValidationError.from_exception_data("Scenario", errors)
        return self

    @model_validator(mode="after")
    def _unique_strategy_names(self) -> Scenario:
        names = [s.name for s in self.strategies]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"strategies: names must be unique (got {dupes[0]!r} twice)")
        runs = self.sweep.points * len(self.strategies) * self.replications
        if runs > MAX_RUNS:
            raise ValueError(
                f"replications: {self.sweep.points:,} points x {len(self.strategies)} strategies x "
                f"{self.replications:,} replications = {runs:,} runs; at most {MAX_RUNS:,}"
            )
        return self

    def effective_checkpoints(self) -> tuple[int, ...]:
        """Checkpoint weeks within the horizon, always including the last week."""
        return tuple(sorted({c for c in self.checkpoints if c <= self.weeks} | {self.weeks}))


def _resolve_strategy(entry: Any, earlier: Mapping[str, Any] | None = None) -> Any:
    """Turn ``"open-bar"`` or ``{based_on: ..., ...}`` into a full field mapping.

    ``based_on`` names a built-in or a strategy listed earlier in the same
    scenario (``earlier``: name -> resolved fields); an earlier one wins.
    """
    earlier = earlier or {}
    if isinstance(entry, str):
        if entry not in BUILTIN_STRATEGIES:
            raise ValueError(
                f"unknown built-in strategy {entry!r}{did_you_mean(entry, BUILTIN_STRATEGIES)}"
            )
        return {"name": entry, **BUILTIN_STRATEGIES[entry]}
    if isinstance(entry, Mapping):
        base_name = entry.get("based_on")
        fields = {k: v for k, v in entry.items() if k != "based_on"}
        if base_name is None:
            return fields
        if isinstance(base_name, str) and base_name in earlier:
            base = {k: v for k, v in earlier[base_name].items() if k not in ("name", "description")}
            return {**base, **fields}
        if not isinstance(base_name, str) or base_name not in BUILTIN_STRATEGIES:
            known = [*earlier, *BUILTIN_STRATEGIES]
            raise ValueError(
                f"based_on: unknown strategy {base_name!r} (neither built in nor listed above)"
                f"{did_you_mean(str(base_name), known)}"
            )
        return {**BUILTIN_STRATEGIES[base_name], **fields}
    return entry


def find_routine(scenario: Scenario, name: str, key: str) -> Strategy:
    """A strategy of the scenario by name, or else a built-in one.

    ``key`` names where the name was written (``"team.members"``), for the
    error.

    Raises
    ------
    ScenarioError
        Neither the scenario nor the built-ins have that name.
    """
    for s in scenario.strategies:
        if s.name == name:
            return s
    if name in BUILTIN_STRATEGIES:
        return Strategy(name=name, **BUILTIN_STRATEGIES[name])
    known = [s.name for s in scenario.strategies] + list(BUILTIN_STRATEGIES)
    raise ScenarioError(
        f"{key}: unknown strategy {name!r} (neither built in nor in strategies:; "
        f"known: {', '.join(known)}){did_you_mean(name, known)}"
    )


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""

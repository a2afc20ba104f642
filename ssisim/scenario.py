"""The scenario: schema, defaults, YAML loading and ``--set`` overrides.

This module is the only validator in ssisim: everything downstream trusts a
:class:`Scenario`. Every default is declared once, on the field that holds it.
Units are in the field names (``_per_week``, ``_days``, ``_weeks``).

Loading reports errors as ``FILE:LINE: key.path: what is wrong (got VALUE)``,
with "did you mean ...?" for misspelled keys (see :func:`load_scenario`).
"""

from __future__ import annotations

import copy
import difflib
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ssisim.errors import ScenarioError
from ssisim.strategies import BUILTIN_STRATEGIES

__all__ = [
    "PILLARS",
    "SENIORITIES",
    "Scenario",
    "Strategy",
    "apply_overrides",
    "load_scenario",
    "parse_scenario",
]

PILLARS: tuple[str, ...] = ("brand", "people", "insights", "relationships")
"""The four SSI pillars, each scored 0-25; their sum is ``ssi``."""

SENIORITIES: tuple[str, ...] = ("entry", "senior", "manager", "director", "vp", "cxo")
"""Seniority levels, lowest first. Decision makers are ``vp`` and above by default."""

Seniority = Literal["entry", "senior", "manager", "director", "vp", "cxo"]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Rate = Annotated[float, Field(ge=0.0)]
PositiveFloat = Annotated[float, Field(gt=0.0)]
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


# --------------------------------------------------------------------------- population


class TargetMarket(_Model):
    """Who the seller sells to; sets each member's ``relevance`` in [0, 1].

    relevance = industry fit x seniority fit, where industry fit is 1 in a
    target industry and ``off_target_fit`` elsewhere, and seniority fit is 1 at
    or above ``min_seniority`` and ``junior_fit`` below it.
    """

    industries: tuple[str, ...] = Field(("software", "finance", "manufacturing"), min_length=1)
    min_seniority: Seniority = "manager"
    off_target_fit: Probability = 0.1
    junior_fit: Probability = 0.4
    relevant_threshold: Probability = Field(
        0.5, description="a member with relevance at or above this counts as relevant"
    )


class SellerProfile(_Model):
    """The simulated member and their network at week 0."""

    industry: str | None = Field(None, description="default: the first target industry")
    seniority: Seniority = "manager"
    initial_connections: int = Field(150, ge=0)
    initial_relevant_share: Probability = 0.2
    initial_colleague_share: Probability = 0.15
    initial_tie_strength: Probability = Field(0.3, description="mean strength of initial ties")


class PopulationParams(_Model):
    """The synthetic professional population (see ``docs/model.md``)."""

    size: int = Field(20_000, ge=200, le=5_000_000)
    seed: int | None = Field(None, ge=0, description="default: derived from the scenario seed")
    industries: tuple[str, ...] = Field(DEFAULT_INDUSTRIES, min_length=1)
    industry_concentration: float = Field(
        0.8, ge=0.0, le=3.0, description="Zipf exponent of industry sizes"
    )
    mean_company_size: float = Field(40.0, ge=2.0)
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
    activity_median_posts_per_week: float = Field(0.03, ge=0.0)
    activity_sigma: float = Field(1.5, ge=0.0, le=4.0)
    openness_mean: Probability = 0.4
    openness_concentration: PositiveFloat = 5.0
    target: TargetMarket = TargetMarket()
    seller: SellerProfile = SellerProfile()

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
                raise ValueError(f"target.industries: unknown industry {name!r}{_did_you_mean(name, known)}")
        if self.seller.industry is not None and self.seller.industry not in known:
            raise ValueError(
                f"seller.industry: unknown industry {self.seller.industry!r}"
                f"{_did_you_mean(self.seller.industry, known)}"
            )
        return self


# --------------------------------------------------------------------------- platform


class Platform(_Model):
    """Platform rules. The cap, ceiling and expiry come from outside the articles;
    the boost threshold and size from ``000`` and ``002``: see ``docs/model.md``."""

    invite_cap_per_week: int | None = Field(
        100, ge=0, description="invitations a member may send a week; null lifts the cap"
    )
    connection_limit: int = Field(30_000, ge=1)
    boost_threshold_ssi: float = Field(70.0, ge=0.0, le=100.0)
    boost_reach: float = Field(0.20, ge=0.0, le=5.0, description="extra reach above the threshold")
    invitation_expiry_days: PositiveFloat = 180.0


# --------------------------------------------------------------------------- answers


class Acceptance(_Model):
    """How invited members answer.

    p = openness x (floor_r + (1 - floor_r) relevance) x (1 + note_lift note)
        x (1 + mutual_lift min(mutual, mutual_saturation) / mutual_saturation)
        x (floor_p + (1 - floor_p) profile_completeness), clipped to [0, 1].
    """

    relevance_floor: Probability = 0.5
    note_lift: float = Field(0.4, ge=0.0)
    mutual_lift: float = Field(0.8, ge=0.0)
    mutual_saturation: int = Field(10, ge=1)
    profile_floor: Probability = 0.5
    mean_delay_days: PositiveFloat = 3.0


class Reach(_Model):
    """How a post travels: contacts see it, those who react show it to theirs."""

    feed_share: Probability = Field(0.12, description="chance a first-degree contact sees a post")
    hop_share: Probability = Field(0.04, description="chance a reactor's contact sees it")
    max_hops: int = Field(2, ge=0, le=6)
    reaction_rate: Probability = Field(0.12, description="chance a viewer reacts, before lifts")
    article_reach: PositiveFloat = Field(0.6, description="article reach relative to a post")
    article_engagement: PositiveFloat = Field(2.0, description="article engagement relative to a post")
    share_reach: PositiveFloat = Field(0.5, description="shared item's reach relative to a post")
    profile_view_rate: Probability = Field(
        0.05, description="chance an engaged non-contact opens the profile"
    )
    activity_half_posts_per_week: PositiveFloat = Field(
        0.05, description="a member posting this often reacts half as readily as the most active"
    )


class Messaging(_Model):
    """Replies to messages. ``cold_reply_rate`` from ``003`` (90% never answered)."""

    cold_reply_rate: Probability = 0.10
    warm_reply_rate: Probability = 0.35
    warm_tie_threshold: Probability = 0.3
    mean_reply_delay_days: PositiveFloat = 2.0


class Inbound(_Model):
    """Profile views and invitations drawn by the seller's visibility."""

    passive_views_per_week: Rate = Field(
        0.5, description="search appearances turned views, per sqrt(connection), a week"
    )
    invitee_view_rate: Probability = 0.3
    view_back_rate: Probability = 0.1
    comment_views: Rate = Field(0.3, description="profile views a comment draws")
    invite_after_view: Probability = Field(
        0.15, description="chance a viewer who is not a contact invites, times openness"
    )


class Ties(_Model):
    """Tie strength in [0, 1]: interactions add, silence halves it every half-life."""

    half_life_weeks: PositiveFloat = 16.0
    new_tie_strength: Probability = 0.1
    note_bonus: Probability = 0.05
    interaction_gain: Probability = 0.15
    strong_threshold: Probability = 0.5
    endorsements_per_strong_tie_per_week: Probability = 0.01


class Answers(_Model):
    """How the other members answer the seller."""

    acceptance: Acceptance = Acceptance()
    reach: Reach = Reach()
    messaging: Messaging = Messaging()
    inbound: Inbound = Inbound()
    ties: Ties = Ties()


# --------------------------------------------------------------------------- scoring


class PillarInput(_Model):
    """One input of a pillar: its relative weight and its saturation scale.

    The input's score is ``1 - exp(-x / scale)`` for counts and
    ``min(x / scale, 1)`` for shares (see :mod:`ssisim.pillars`).
    """

    weight: float = Field(ge=0.0)
    scale: PositiveFloat


def _inp(weight: float, scale: float) -> Any:
    return Field(default_factory=lambda: PillarInput(weight=weight, scale=scale))


class BrandPillar(_Model):
    profile_completeness: PillarInput = _inp(0.30, 1.0)
    posts: PillarInput = _inp(0.25, 2.0)
    engagement: PillarInput = _inp(0.30, 40.0)
    endorsements: PillarInput = _inp(0.15, 20.0)


class PeoplePillar(_Model):
    searches: PillarInput = _inp(0.20, 5.0)
    profile_views: PillarInput = _inp(0.15, 15.0)
    relevant_connections: PillarInput = _inp(0.30, 150.0)
    acceptance_rate: PillarInput = _inp(0.20, 0.5)
    lead_tools: PillarInput = _inp(0.15, 10.0)


class InsightsPillar(_Model):
    shares: PillarInput = _inp(0.25, 2.0)
    comments: PillarInput = _inp(0.30, 5.0)
    replies: PillarInput = _inp(0.35, 3.0)
    inmail: PillarInput = _inp(0.10, 3.0)


class RelationshipsPillar(_Model):
    decision_makers: PillarInput = _inp(0.30, 40.0)
    multi_dm_accounts: PillarInput = _inp(0.15, 5.0)
    colleagues: PillarInput = _inp(0.10, 15.0)
    strong_ties: PillarInput = _inp(0.30, 40.0)
    teamlink: PillarInput = _inp(0.15, 15.0)


class Scoring(_Model):
    """Pillar weights and saturation scales; activity over a trailing window.

    Activity counts (posts, searches, ...) enter as exponentially weighted
    averages per week with the given half-life, so the score falls when activity
    stops. Weights are relative within a pillar.
    """

    activity_half_life_weeks: PositiveFloat = 4.0
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
        sn = self.people.lead_tools.weight + self.insights.inmail.weight + self.relationships.teamlink.weight
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

    name: str = Field(min_length=1)
    description: str = ""
    source: str = ""
    profile_completeness: Probability = 0.8
    posts_per_week: Rate = 0.0
    articles_per_month: Rate = 0.0
    shares_per_week: Rate = 0.0
    comments_per_week: Rate = 0.0
    reactions_per_week: Rate = 0.0
    invites_per_week: Rate = 0.0
    invite_targeting: tuple[Targeting, ...] = ("second_degree",)
    invite_note_share: Probability = 0.0
    accept_policy: tuple[AcceptRule, ...] = Field(("everyone",), min_length=1)
    min_mutual_contacts: int = Field(3, ge=1)
    warm_messages_per_week: Rate = 0.0
    cold_messages_per_week: Rate = 0.0
    searches_per_week: Rate = 0.0
    profile_views_per_week: Rate = 0.0
    sales_navigator: bool = False


# --------------------------------------------------------------------------- scenario


class Scenario(_Model):
    """A complete, validated scenario. Build one with :func:`load_scenario`."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    description: str = ""
    seed: int = Field(0, ge=0)
    weeks: int = Field(52, ge=1, le=520)
    replications: int = Field(20, ge=1, le=100_000)
    checkpoints: tuple[int, ...] = (12, 26, 52)
    population: PopulationParams = PopulationParams()
    platform: Platform = Platform()
    answers: Answers = Answers()
    scoring: Scoring = Scoring()
    strategies: tuple[Strategy, ...] = Field(min_length=1)

    @field_validator("strategies", mode="before")
    @classmethod
    def _resolve_strategies(cls, value: Any) -> Any:
        if not isinstance(value, list | tuple):
            return value
        return [_resolve_strategy(entry) for entry in value]

    @field_validator("checkpoints")
    @classmethod
    def _positive_checkpoints(cls, v: tuple[int, ...]) -> tuple[int, ...]:
        if any(c < 1 for c in v):
            raise ValueError(f"checkpoint weeks must be at least 1 (got {list(v)})")
        return tuple(sorted(set(v)))

    @model_validator(mode="after")
    def _unique_strategy_names(self) -> Scenario:
        names = [s.name for s in self.strategies]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"strategies: names must be unique (got {dupes[0]!r} twice)")
        return self

    def effective_checkpoints(self) -> tuple[int, ...]:
        """Checkpoint weeks within the horizon, always including the last week."""
        return tuple(sorted({c for c in self.checkpoints if c <= self.weeks} | {self.weeks}))


def _resolve_strategy(entry: Any) -> Any:
    """Turn ``"open-bar"`` or ``{based_on: ..., ...}`` into a full field mapping."""
    if isinstance(entry, str):
        if entry not in BUILTIN_STRATEGIES:
            raise ValueError(
                f"unknown built-in strategy {entry!r}{_did_you_mean(entry, BUILTIN_STRATEGIES)}"
            )
        return {"name": entry, **BUILTIN_STRATEGIES[entry]}
    if isinstance(entry, Mapping):
        base_name = entry.get("based_on")
        fields = {k: v for k, v in entry.items() if k != "based_on"}
        if base_name is None:
            return fields
        if not isinstance(base_name, str) or base_name not in BUILTIN_STRATEGIES:
            raise ValueError(
                f"based_on: unknown built-in strategy {base_name!r}"
                f"{_did_you_mean(str(base_name), BUILTIN_STRATEGIES)}"
            )
        return {**BUILTIN_STRATEGIES[base_name], **fields}
    return entry


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


# --------------------------------------------------------------------------- loading


Override = str | tuple[str, str]
"""``"KEY=VALUE"``, or ``("KEY=VALUE", label)`` where ``label`` names its origin in errors."""


def load_scenario(path: str | Path, overrides: Sequence[Override] = ()) -> Scenario:
    """Read, override and validate a scenario file.

    Parameters
    ----------
    path : str or Path
        A YAML file. Loaded with ``yaml.safe_load`` only.
    overrides : sequence of str or (str, str)
        ``KEY=VALUE`` strings applied before validation (optionally paired
        with the label errors should name, e.g. ``"--weeks 0"``); ``KEY`` is a dotted
        path (``population.size``, ``strategies.open-bar.invites_per_week``),
        ``VALUE`` is parsed as YAML.

    Returns
    -------
    Scenario

    Raises
    ------
    ScenarioError
        One line, ``FILE:LINE: key.path: what is wrong (got VALUE)``.

    Examples
    --------
    >>> s = load_scenario("scenarios/open-bar-vs-club-select.yaml", ["weeks=4"])  # doctest: +SKIP
    >>> s.weeks  # doctest: +SKIP
    4
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: no such scenario file") from None
    except IsADirectoryError:
        raise ScenarioError(f"{path}: is a directory, not a scenario file") from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not a UTF-8 text file ({exc.reason})") from None
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read ({exc.strerror})") from None
    return parse_scenario(text, source=str(path), overrides=overrides)


def parse_scenario(text: str, source: str = "<string>", overrides: Sequence[Override] = ()) -> Scenario:
    """Validate a scenario given as YAML text; see :func:`load_scenario`."""
    try:
        data = yaml.safe_load(text)
        lines = _line_map(yaml.compose(text, Loader=yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = f"{mark.line + 1}" if mark is not None else "1"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(f"{source}:{line}: YAML syntax error: {problem}") from None
    if data is None:
        raise ScenarioError(f"{source}:1: the file is empty; a scenario needs at least `name` and `strategies`")
    if not isinstance(data, dict):
        raise ScenarioError(
            f"{source}:1: the top level must be a mapping of keys (got {type(data).__name__})"
        )
    data = apply_overrides(data, overrides, source_lines=lines)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(_format_error(exc, data, lines, source)) from None


def apply_overrides(
    data: dict[str, Any],
    overrides: Sequence[Override],
    source_lines: dict[tuple[Any, ...], int | str] | None = None,
) -> dict[str, Any]:
    """Apply ``KEY=VALUE`` overrides to raw scenario data; returns a new mapping.

    Overridden paths are remembered in ``source_lines`` with the override
    itself as their origin, so that errors name ``--set KEY=VALUE``.
    """
    data = copy.deepcopy(data)
    for entry in overrides:
        item, label = entry if isinstance(entry, tuple) else (entry, f"--set {entry}")
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ScenarioError(f"{label}: expected KEY=VALUE, e.g. population.size=5000")
        try:
            value = yaml.safe_load(raw) if raw.strip() else None
        except yaml.YAMLError:
            value = raw
        parts = key.split(".")
        node: Any = data
        resolved: list[Any] = []
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if isinstance(node, list):
                idx = _list_index(node, part)
                if idx is None:
                    names = [_entry_name(e) for e in node]
                    raise ScenarioError(
                        f"{label}: {'.'.join(map(str, resolved)) or 'list'} has no entry "
                        f"{part!r}{_did_you_mean(part, [n for n in names if n])}"
                    )
                resolved.append(idx)
                if last:
                    node[idx] = value
                else:
                    if isinstance(node[idx], str):
                        node[idx] = {"based_on": node[idx], "name": node[idx]}
                    node = node[idx]
            elif isinstance(node, dict):
                resolved.append(part)
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, {})
            else:
                raise ScenarioError(
                    f"{label}: {'.'.join(map(str, resolved))} is a value, not a mapping"
                )
        if source_lines is not None:
            source_lines[tuple(resolved)] = label
    return data


def _entry_name(entry: Any) -> str | None:
    if isinstance(entry, str):
        return entry
    if isinstance(entry, Mapping):
        name = entry.get("name")
        return str(name) if name is not None else None
    return None


def _list_index(node: list[Any], part: str) -> int | None:
    if part.lstrip("-").isdigit():
        idx = int(part)
        return idx if -len(node) <= idx < len(node) else None
    for i, entry in enumerate(node):
        if _entry_name(entry) == part:
            return i
    return None


def _line_map(node: yaml.Node | None, path: tuple[Any, ...] = ()) -> dict[tuple[Any, ...], int | str]:
    """Map each key path of a composed YAML document to its 1-based line."""
    lines: dict[tuple[Any, ...], int | str] = {}
    if node is None:
        return lines
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            sub = _line_map(value_node, (*path, key))
            sub[(*path, key)] = key_node.start_mark.line + 1
            lines.update(sub)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines.update(_line_map(item, (*path, i)))
    return lines


def _model_for_path(loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The pydantic model that holds the last key of ``loc`` (for suggestions)."""
    model: type[BaseModel] | None = Scenario
    for part in loc[:-1]:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        ann = field.annotation
        if part == "strategies":
            model = Strategy
        elif isinstance(ann, type) and issubclass(ann, BaseModel):
            model = ann
        else:
            return None
    return model


def _format_error(
    exc: ValidationError, data: Any, lines: dict[tuple[Any, ...], int | str], source: str
) -> str:
    err = exc.errors(include_url=False)[0]
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    # pydantic adds the union member to the location of str | mapping entries
    loc = tuple(p for p in loc if p not in ("str", "int", "float", "tuple[...]"))
    kind = err["type"]
    msg = err["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    # cross-field validators name the nested key first: "target.industries: ..."
    nested = re.match(r"^([A-Za-z_][\w.]*): (.*)$", msg)
    if kind == "value_error" and nested:
        loc = (*loc, *nested.group(1).split("."))
        msg = nested.group(2)
    where = _lookup_line(loc, lines)
    origin = where if isinstance(where, str) else f"{source}:{where}"
    key = _display_path(loc, data)
    if kind == "extra_forbidden":
        model = _model_for_path(loc)
        hint = _did_you_mean(str(loc[-1]), model.model_fields) if model else ""
        return f"{origin}: {key}: unknown key{hint}"
    if kind == "missing":
        return f"{origin}: {key}: required key is missing"
    got = err.get("input")
    got_text = "" if isinstance(got, dict | list) or kind == "value_error" else f" (got {got!r})"
    label = f"{key}: " if key else ""
    return f"{origin}: {label}{msg}{got_text}"


def _lookup_line(loc: tuple[Any, ...], lines: dict[tuple[Any, ...], int | str]) -> int | str:
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return 1


def _display_path(loc: tuple[Any, ...], data: Any) -> str:
    """``strategies.open-bar.posts_per_week`` rather than ``strategies.0.posts_per_week``."""
    parts: list[str] = []
    node = data
    for part in loc:
        named = parts == ["strategies"]  # strategies are named; other lists keep positions
        if named and isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            name = _entry_name(node[part])
            parts.append(name if name else str(part))
            node = node[part]
        else:
            parts.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(parts)

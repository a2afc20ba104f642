"""Every member's SSI, week by week, vectorised; the seller's ranks.

The dashboard ranks a member in two ways: as a percentile of their industry
and as a percentile of their network (brief §1, C7). Ranks need a score for
every member, not only the seller. :func:`score_members` computes one with the
same scoring functions as the seller's (:func:`ssisim.pillars.pillar_scores`),
with numpy over whole arrays of members: no SimPy, no Python loop over
members. ``docs/members.md`` describes the model for a student, with every
parameter (:class:`~ssisim.scenario.habits.MemberHabits`) and its source.

The members' pillar inputs mean what the seller's mean (``Ledger.inputs`` in
:mod:`ssisim.sim.ledger`), in the same units: weekly flows enter as exponentially
weighted weekly averages (half-life ``scoring.activity_half_life_weeks``),
stocks as counts, shares in [0, 1].

- **Stocks**, fixed for the run, come from the graph (:class:`Population`'s
  CSR): a member's relevant contacts are their contacts in the same industry
  at or above ``population.target.min_seniority`` (the seller's notion of a
  prospect, applied to the member's own industry); decision makers are their
  decision-maker contacts; multi-decision-maker accounts the companies with
  at least two of those; colleagues their contacts in their own company. The
  graph holds the ties *inside the simulated market*, a sample of a member's
  LinkedIn network: every count but colleagues (a company lies wholly inside
  the population) is multiplied by the member's network scale. Strong ties,
  endorsements, profile completeness and Sales Navigator are drawn once.
- **Flows**: each week a member has ``Poisson`` sessions; each session does an
  equal share of the member's weekly searches, profile views, shares,
  comments, messages and invitations, so these flows move together from busy
  to quiet weeks. Posts are ``Poisson(activity)``; each post draws
  ``Poisson`` reactions and comments (engagement) from the member's
  connections. Invitations are accepted, and messages answered, at the
  member's rates.
- **No burn-in**: every average starts at its expected value (the stationary
  mean), so week 0 already has the population's long-run distribution.

Seed contract
-------------
The members' activity has its own stream, :func:`ssisim.seeds.activity_seed`.
:func:`score_members` draws from the Generator it
is given in a fixed order: profile completeness, Sales Navigator, strong
ties, endorsements, then each week sessions, posts, engagement.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt

from ssisim.pillars import pillar_scores
from ssisim.population.build import Population
from ssisim.scenario.schema import PILLARS, SENIORITIES, Scenario, Scoring

__all__ = [
    "C7_TARGETS",
    "MemberScores",
    "c7_failures",
    "distribution",
    "score_members",
]

_Array = npt.NDArray[Any]


_REFERENCE_LEVEL = SENIORITIES.index("manager")
"""Seniority of the reference member, whose rates :class:`MemberHabits` gives."""

_MIN_RELATIVE_ACTIVITY = 0.01
"""A member posting under 1% of the reference rate is treated as posting 1% of it."""

_EDGES_PER_BLOCK = 1 << 21
"""Ties handled at once when counting stocks: bounds the temporaries (about 60 MiB)."""

C7_TARGETS: Mapping[str, Any] = MappingProxyType(
    {
        "mean": (20.0, 36.0),
        "share_above_70_max": 3.0,
        "percentile_of_75": (96.0, 99.5),
        "min_industry_members": 1_000,
        "published": {"share_0_20": 46.7, "share_21_69": 51.9, "share_70_100": 1.4, "mean": 28.0},
    }
)
"""What the default population must show (brief C7, ``000``; LinkedIn's 2015
distribution for sales professionals). ``percentile_of_75`` is checked in
every industry with at least ``min_industry_members`` members (seller
excluded): smaller ones are too noisy (one member is 0.1 point or more)."""


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class MemberScores:
    """Every member's SSI, week by week, and what the ranks need.

    Build with :func:`score_members` or :func:`members_for`. Arrays are
    read-only. Weeks are numbered as in the seller's records: 0 (the start)
    to ``weeks``; a negative week counts from the end (-1 is the last).

    Attributes
    ----------
    industries : tuple of str
        Industry names; the index is the industry code.
    industry : ndarray of int16, shape (n,)
        Industry code of each member.
    seller : int
        The seller's index: scored like everyone, left out of every rank.
    weeks : int
        The last week simulated.
    kept_weeks : ndarray of int64
        The weeks whose scores are kept: ``0 .. weeks``, or only ``weeks``
        when scored with ``keep_weeks=False``.
    ssi : ndarray of float32, shape (len(kept_weeks), n)
        Every member's SSI at each kept week.
    pillars : mapping of str to ndarray of float32, shape (n,)
        ``brand``, ``people``, ``insights``, ``relationships`` at the last week.
    inputs : mapping of str to mapping of str to ndarray of float32, shape (n,)
        The last week's pillar inputs, ``inputs[pillar][input]``, in the
        seller's units (see :data:`ssisim.pillars.INPUTS`); Sales Navigator
        inputs are 0 for members without it.
    sales_navigator : ndarray of bool, shape (n,)
        Members with Sales Navigator.
    connections : ndarray of float32, shape (n,)
        Each member's network size: ties in the population times their scale.
    mean_ssi : ndarray of float64, shape (weeks + 1,)
        The population's mean SSI each week, the seller excluded.
    """

    industries: tuple[str, ...]
    industry: _Array
    seller: int
    weeks: int
    kept_weeks: _Array
    ssi: _Array
    pillars: Mapping[str, _Array]
    inputs: Mapping[str, Mapping[str, _Array]]
    sales_navigator: _Array
    connections: _Array
    mean_ssi: _Array
    _sorted: _Array = field(repr=False)
    _industry_start: _Array = field(repr=False)

    def __post_init__(self) -> None:
        arrays = [v for v in self.__dict__.values() if isinstance(v, np.ndarray)]
        arrays += list(self.pillars.values())
        arrays += [x for d in self.inputs.values() for x in d.values()]
        for value in arrays:
            value.flags.writeable = False

    @property
    def n(self) -> int:
        """Number of members, the seller included."""
        return int(self.industry.shape[0])

    @classmethod
    def from_ssi(
        cls,
        ssi: _Array | Sequence[Sequence[float]],
        industry: _Array | Sequence[int],
        industries: Sequence[str],
        seller: int,
    ) -> MemberScores:
        """Scores given by hand, weeks ``0 .. len(ssi) - 1``: for tests and worked examples.

        Pillars and inputs are left empty; nobody has Sales Navigator.

        Examples
        --------
        >>> s = MemberScores.from_ssi([[50, 10, 20, 20, 30]], [0, 0, 0, 0, 0], ["it"], seller=0)
        >>> s.industry_percentile(0, "it", 20.0)
        50.0
        """
        values = np.array(ssi, dtype=np.float32, ndmin=2)
        codes = np.asarray(industry, dtype=np.int16)
        n = codes.shape[0]
        if values.shape[1] != n:
            raise ValueError(
                f"ssi: expected {n} scores a week, one per member (got {values.shape[1]})"
            )
        if not 0 <= seller < n:
            raise ValueError(f"seller: must be a member index in 0..{n - 1} (got {seller})")
        ranked, starts = _by_industry(values, codes, len(industries), seller)
        others = np.delete(values, seller, axis=1).astype(np.float64)
        return cls(
            industries=tuple(industries),
            industry=codes,
            seller=int(seller),
            weeks=values.shape[0] - 1,
            kept_weeks=np.arange(values.shape[0]),
            ssi=values,
            pillars=MappingProxyType({}),
            inputs=MappingProxyType({}),
            sales_navigator=np.zeros(n, dtype=bool),
            connections=np.zeros(n, dtype=np.float32),
            mean_ssi=others.mean(axis=1) if others.shape[1] else np.full(values.shape[0], np.nan),
            _sorted=ranked,
            _industry_start=starts,
        )

    def row(self, week: int) -> int:
        """Index into :attr:`ssi` of ``week`` (negative counts from the end).

        Raises
        ------
        ValueError
            If the week is outside ``0 .. weeks`` or was not kept.
        """
        w = self.weeks + 1 + week if week < 0 else week
        if not 0 <= w <= self.weeks:
            raise ValueError(f"week: must be in 0..{self.weeks} or negative (got {week})")
        if self.kept_weeks.size == self.weeks + 1:  # every week kept
            return w
        found = np.flatnonzero(self.kept_weeks == w)
        if found.size == 0:
            raise ValueError(
                f"week: week {w} was not kept (scored with keep_weeks=False: only week "
                f"{self.weeks}); score again with keep_weeks=True"
            )
        return int(found[0])

    def industry_code(self, industry: int | str) -> int:
        """The code of an industry given by code or by name."""
        if isinstance(industry, str):
            if industry not in self.industries:
                raise ValueError(
                    f"industry: unknown industry {industry!r} "
                    f"(expected one of {', '.join(self.industries)})"
                )
            return self.industries.index(industry)
        code = int(industry)
        if not 0 <= code < len(self.industries):
            raise ValueError(
                f"industry: code must be in 0..{len(self.industries) - 1} (got {code})"
            )
        return code

    def industry_scores(self, week: int, industry: int | str) -> _Array:
        """The SSI of an industry's members at ``week``, sorted, the seller excluded (a view)."""
        k = self.industry_code(industry)
        start, stop = self._industry_start[k], self._industry_start[k + 1]
        return self._sorted[self.row(week), start:stop]

    def industry_percentile(
        self, week: int, industry: int | str, ssi: float, exclude: int | None = None
    ) -> float:
        """Percentile of a score among an industry's members at ``week``.

        The percent of the industry's members (the seller excluded) who score
        strictly below ``ssi``, plus half of those who score exactly ``ssi``:
        so the dashboard's "top 2%" is a percentile of 98. Scores are compared
        in single precision (to about 1e-5 points). Two binary searches:
        O(log n).

        Parameters
        ----------
        week : int
            Week ``0 .. weeks`` (negative counts from the end).
        industry : int or str
            Industry code or name (the seller's: ``industry[seller]``).
        ssi : float
            The score to rank (the seller's SSI that week), 0-100.
        exclude : int, optional
            Another member to leave out: the member being ranked, when it is
            not the population's seller (a seat of a team or a cohort), so
            that nobody is ranked against their own population-level score.

        Returns
        -------
        float
            In [0, 100]; NaN if the industry has no member left, or if
            ``ssi`` is NaN.

        Examples
        --------
        With members of one industry scoring 10, 20, 20 and 30, a 20 is
        above one and ties with two: ``100 * (1 + 2 / 2) / 4 = 50``.
        """
        values = self.industry_scores(week, industry)
        if math.isnan(ssi):
            return math.nan
        s = np.float32(ssi)
        below = int(np.searchsorted(values, s, side="left"))
        upto = int(np.searchsorted(values, s, side="right"))
        count = values.size
        if (
            exclude is not None
            and exclude != self.seller
            and int(self.industry[exclude]) == self.industry_code(industry)
        ):
            own = self.ssi[self.row(week), exclude]  # leave one member out: O(1)
            count -= 1
            below -= int(own < s)
            upto -= int(own <= s)
        if count == 0:
            return math.nan
        return 100.0 * (below + 0.5 * (upto - below)) / count

    def network_percentile(
        self,
        week: int,
        contacts: _Array | Sequence[int],
        ssi: float,
        exclude: int | None = None,
    ) -> float:
        """Percentile of a score among the given contacts at ``week``.

        Same convention as :meth:`industry_percentile`, against the SSI of
        ``contacts`` (the seller's contacts that week; the seller, and
        ``exclude`` if given, are left out if listed). O(number of contacts).

        Returns
        -------
        float
            In [0, 100]; NaN when there is no contact (no network, no rank) or
            ``ssi`` is NaN.
        """
        ids = np.asarray(contacts, dtype=np.int64).reshape(-1)
        keep = ids != self.seller
        if exclude is not None:
            keep &= ids != exclude
        ids = ids[keep]
        if ids.size == 0 or math.isnan(ssi):
            return math.nan
        values = self.ssi[self.row(week), ids]
        s = np.float32(ssi)
        below = np.count_nonzero(values < s)
        ties = np.count_nonzero(values == s)
        return 100.0 * (below + 0.5 * ties) / ids.size


def _by_industry(
    ssi: _Array, industry: _Array, n_industries: int, seller: int
) -> tuple[_Array, _Array]:
    """Each row's scores grouped by industry and sorted within it, the seller left out.

    Returns the sorted copy and the start of each industry in it (``n_industries + 1``).
    """
    others = np.ones(industry.shape[0], dtype=bool)
    others[seller] = False
    order = np.flatnonzero(others)[np.argsort(industry[others], kind="stable")]
    starts = np.zeros(n_industries + 1, dtype=np.int64)
    np.cumsum(np.bincount(industry[others], minlength=n_industries), out=starts[1:])
    ranked = ssi[:, order]  # one copy
    for k in range(n_industries):
        ranked[:, starts[k] : starts[k + 1]].sort(axis=1)
    return ranked, starts


# --------------------------------------------------------------------------- the model


def _graph_counts(pop: Population, min_level: int) -> dict[str, _Array]:
    """Each member's relevant, decision-maker and same-company contacts, and multi-DM accounts.

    Vectorised over the CSR in blocks of ties (bounded temporaries); no loop
    over members.
    """
    n = pop.n
    indptr, indices, deg = pop.indptr, pop.indices, pop.degree
    out = {k: np.zeros(n, dtype=np.int32) for k in ("relevant", "dms", "multi_dm", "colleagues")}
    n_companies = int(pop.company.max()) + 1 if n else 1
    r0 = 0
    while r0 < n:
        r1 = int(np.searchsorted(indptr, indptr[r0] + _EDGES_PER_BLOCK, side="right")) - 1
        r1 = min(max(r1, r0 + 1), n)
        j = indices[indptr[r0] : indptr[r1]]
        local = np.repeat(np.arange(r1 - r0, dtype=np.int64), deg[r0:r1])
        rows = local + r0
        m = r1 - r0
        company_j = pop.company[j]
        same = company_j == pop.company[rows]
        out["colleagues"][r0:r1] = np.bincount(local[same], minlength=m)
        relevant = (pop.industry[j] == pop.industry[rows]) & (pop.seniority[j] >= min_level)
        out["relevant"][r0:r1] = np.bincount(local[relevant], minlength=m)
        dm = pop.decision_maker[j]
        out["dms"][r0:r1] = np.bincount(local[dm], minlength=m)
        accounts, per_account = np.unique(
            local[dm] * n_companies + company_j[dm], return_counts=True
        )
        out["multi_dm"][r0:r1] = np.bincount(accounts[per_account >= 2] // n_companies, minlength=m)
        r0 = r1
    return out


def _between(low: float, high: float, h: _Array) -> _Array:
    """``low + (high - low) h``: from the inactive value (h = 0) to the active one (h -> 1)."""
    return low + (high - low) * h


def _beta(mean: _Array, concentration: float, rng: np.random.Generator) -> _Array:
    """Beta draws with the given means; a mean of exactly 0 or 1 stays constant."""
    inner = (mean > 0.0) & (mean < 1.0)
    m = np.where(inner, mean, 0.5)
    draws = rng.beta(m * concentration, (1.0 - m) * concentration)
    return np.where(inner, draws, mean)


@dataclass
class _Members:
    """The population-level model of one scenario: fixed arrays and the weekly state."""

    scoring: Scoring
    decay: float
    sessions_rate: _Array  # sessions a week (Poisson mean), float64
    posts_rate: _Array  # posts a week, float64
    engagement_per_post: _Array  # float64
    per_session: dict[str, float]  # each session-driven flow, per session
    acceptance_rate: float
    has_sn: _Array  # bool, members with Sales Navigator
    sn: _Array  # their indices
    static: dict[str, dict[str, _Array]]  # the stocks, float32
    base: dict[str, _Array]  # their pillar scores, float64
    connections: _Array
    ew_sessions: _Array = field(init=False)
    ew_posts: _Array = field(init=False)
    ew_engagement: _Array = field(init=False)

    def __post_init__(self) -> None:
        # the stationary means: no burn-in
        self.ew_sessions = self.sessions_rate.astype(np.float32)
        self.ew_posts = self.posts_rate.astype(np.float32)
        self.ew_engagement = (self.posts_rate * self.engagement_per_post).astype(np.float32)

    def step(self, rng: np.random.Generator) -> None:
        """One week: draw sessions, posts and engagement; update the trailing averages."""
        a, fresh = np.float32(self.decay), np.float32(1.0 - self.decay)
        sessions = rng.poisson(self.sessions_rate)
        self.ew_sessions *= a
        self.ew_sessions += fresh * sessions.astype(np.float32)
        posts = rng.poisson(self.posts_rate)
        posted = np.flatnonzero(posts)
        engagement = rng.poisson(posts[posted] * self.engagement_per_post[posted])
        self.ew_posts *= a
        self.ew_posts[posted] += fresh * posts[posted].astype(np.float32)
        self.ew_engagement *= a
        self.ew_engagement[posted] += fresh * engagement.astype(np.float32)

    def flow_inputs(self) -> dict[str, dict[str, _Array]]:
        """This week's flow inputs of every member (Sales Navigator ones apart)."""
        s, k = self.ew_sessions, self.per_session
        sent = k["invitations"] * s
        return {
            "brand": {"posts": self.ew_posts, "engagement": self.ew_engagement},
            "people": {
                "searches": k["searches"] * s,
                "profile_views": k["profile_views"] * s,
                # accepted / max(sent, 1), as the seller's; accepted = rate x sent
                "acceptance_rate": self.acceptance_rate * sent / np.maximum(sent, np.float32(1)),
            },
            "insights": {
                "shares": k["shares"] * s,
                "comments": k["comments"] * s,
                "replies": k["replies"] * s,
            },
        }

    def sales_navigator_inputs(self) -> dict[str, dict[str, _Array]]:
        """This week's Sales Navigator flow inputs, of the members who have it only."""
        s, k = self.ew_sessions[self.sn], self.per_session
        return {
            "people": {"lead_tools": (k["searches"] + k["profile_views"] / 4) * s},
            "insights": {"inmail": k["inmails"] * s},
        }

    def score(self) -> dict[str, _Array]:
        """Pillars and SSI of every member (float64), from the stocks' and this week's flows' parts.

        Each pillar is a weighted sum over its inputs with a missing input
        counting 0, so the stocks, the flows and the Sales Navigator flows
        are scored apart by :func:`pillar_scores` and added.
        """
        flows = pillar_scores(self.flow_inputs(), self.scoring)
        extra = pillar_scores(self.sales_navigator_inputs(), self.scoring)
        out = {}
        for p in (*PILLARS, "ssi"):
            # a pillar with no input in a part scores a 0-d zero there
            total = self.base[p] + flows[p]
            if extra[p].ndim:
                total[self.sn] += extra[p]
            out[p] = total
        return out

    def inputs(self) -> dict[str, dict[str, _Array]]:
        """Every pillar input of every member this week, float32 (Sales Navigator ones 0 without it)."""
        flows = self.flow_inputs()
        sn_flows = self.sales_navigator_inputs()
        out: dict[str, dict[str, _Array]] = {}
        for pillar in PILLARS:
            merged: dict[str, _Array] = {}
            for part in (self.static, flows):
                for name, x in part.get(pillar, {}).items():
                    merged[name] = np.asarray(x, dtype=np.float32)
            for name, x in sn_flows.get(pillar, {}).items():
                full = np.zeros(self.connections.shape[0], dtype=np.float32)
                full[self.sn] = x
                merged[name] = full
            out[pillar] = merged
        return out


def _build(population: Population, scenario: Scenario, rng: np.random.Generator) -> _Members:
    """The members' fixed arrays: rates, stocks and their scores (the setup draws)."""
    pop, hab, scoring = population, scenario.population.habits, scenario.scoring
    a = pop.activity.astype(np.float64)
    relative = np.maximum(a / hab.reference_posts_per_week, _MIN_RELATIVE_ACTIVITY)
    seniority = (1.0 + hab.seniority_lift) ** (pop.seniority.astype(np.float64) - _REFERENCE_LEVEL)
    rate_scale = np.minimum(relative**hab.activity_elasticity, hab.max_rate_multiplier) * seniority
    h = a / (a + hab.engaged_half_posts_per_week)
    network_scale = hab.network_scale * relative**hab.network_elasticity

    completeness = _beta(
        _between(hab.profile_completeness_inactive, hab.profile_completeness_active, h),
        hab.profile_completeness_concentration,
        rng,
    )
    p_sn = _between(hab.sales_navigator_inactive, hab.sales_navigator_active, h)
    has_sn = rng.random(pop.n) < p_sn

    counts = _graph_counts(pop, SENIORITIES.index(scenario.population.target.min_seniority))
    connections = pop.degree * network_scale
    strong_share = _between(hab.strong_tie_share_inactive, hab.strong_tie_share_active, h)
    strong = rng.binomial(np.rint(connections).astype(np.int64), strong_share)
    endorsements = rng.poisson(strong * hab.endorsements_per_strong_tie)

    static: dict[str, dict[str, _Array]] = {
        "brand": {"profile_completeness": completeness, "endorsements": endorsements},
        "people": {"relevant_connections": counts["relevant"] * network_scale},
        "relationships": {
            "decision_makers": counts["dms"] * network_scale,
            "multi_dm_accounts": counts["multi_dm"] * network_scale,
            "colleagues": counts["colleagues"],
            "strong_ties": strong,
            "teamlink": np.where(has_sn, counts["colleagues"], 0),
        },
    }
    sessions = hab.sessions_per_week
    per_session = {
        "searches": hab.searches_per_week / sessions,
        "profile_views": hab.profile_views_per_week / sessions,
        "shares": hab.shares_per_week / sessions,
        "comments": hab.comments_per_week / sessions,
        "replies": hab.messages_per_week * hab.reply_rate / sessions,
        "invitations": hab.invitations_per_week / sessions,
        "inmails": hab.inmails_per_week / sessions,
    }
    return _Members(
        scoring=scoring,
        decay=0.5 ** (1.0 / scoring.activity_half_life_weeks),
        sessions_rate=sessions * rate_scale,
        posts_rate=a,
        engagement_per_post=hab.engagements_per_post_per_connection * connections,
        per_session={k: float(np.float32(v)) for k, v in per_session.items()},
        acceptance_rate=hab.acceptance_rate,
        has_sn=has_sn,
        sn=np.flatnonzero(has_sn),
        static={p: {k: v.astype(np.float32) for k, v in d.items()} for p, d in static.items()},
        base=pillar_scores(static, scoring),
        connections=connections.astype(np.float32),
    )


def score_members(
    population: Population,
    scenario: Scenario,
    rng: np.random.Generator,
    weeks: int | None = None,
    keep_weeks: bool = True,
) -> MemberScores:
    """Score every member of the population, week after week.

    Parameters
    ----------
    population : Population
        Shared, read-only.
    scenario : Scenario
        Reads ``population.habits``, ``population.target.min_seniority``,
        ``scoring`` and (by default) ``weeks``.
    rng : numpy.random.Generator
        The only source of randomness (see the module's seed contract; the
        engine's is ``np.random.default_rng(activity_seed(scenario))``).
    weeks : int, optional
        Weeks to simulate after week 0 (default ``scenario.weeks``).
    keep_weeks : bool
        Keep every week's scores (``(weeks + 1) x n`` float32, and as much
        again sorted by industry); otherwise only the last week's, for large
        populations: the weekly scores are still computed (the mean is kept).

    Returns
    -------
    MemberScores

    Notes
    -----
    Time and memory grow linearly with the population: about 5 million
    member-weeks a second on one core; ``docs/members.md`` has the figures.

    Examples
    --------
    >>> import numpy as np
    >>> from ssisim.population.build import build_population
    >>> from ssisim.scenario.loading import parse_scenario
    >>> sc = parse_scenario("name: x\\nweeks: 4\\npopulation: {size: 2000}\\nstrategies: [inactive]")
    >>> pop = build_population(sc.population, np.random.default_rng(0))
    >>> scores = score_members(pop, sc, np.random.default_rng(1))
    >>> scores.ssi.shape
    (5, 2000)
    >>> 0 <= scores.industry_percentile(-1, 0, 75.0) <= 100
    True
    """
    weeks = scenario.weeks if weeks is None else int(weeks)
    if weeks < 0:
        raise ValueError(f"weeks: must be at least 0 (got {weeks})")
    n = population.n
    model = _build(population, scenario, rng)

    kept = np.arange(weeks + 1) if keep_weeks else np.array([weeks])
    ssi = np.empty((kept.size, n), dtype=np.float32)
    mean_ssi = np.empty(weeks + 1)
    scores: dict[str, _Array] = {}
    for week in range(weeks + 1):
        if week:
            model.step(rng)
        scores = model.score()
        if keep_weeks or week == weeks:
            ssi[week if keep_weeks else 0] = scores["ssi"]
        total = scores["ssi"].sum() - scores["ssi"][population.seller]
        mean_ssi[week] = total / (n - 1) if n > 1 else math.nan

    ranked, starts = _by_industry(
        ssi, population.industry, len(population.industries), population.seller
    )

    return MemberScores(
        industries=population.industries,
        industry=population.industry,
        seller=population.seller,
        weeks=weeks,
        kept_weeks=kept,
        ssi=ssi,
        pillars=MappingProxyType({p: scores[p].astype(np.float32) for p in PILLARS}),
        inputs=MappingProxyType({k: MappingProxyType(v) for k, v in model.inputs().items()}),
        sales_navigator=model.has_sn,
        connections=model.connections,
        mean_ssi=mean_ssi,
        _sorted=ranked,
        _industry_start=starts,
    )


# --------------------------------------------------------------------------- the cache


# --------------------------------------------------------------------------- the published comparison


def distribution(scores: MemberScores, week: int = -1) -> dict[str, Any]:
    """The population's SSI distribution at ``week``, for the published comparison (C7).

    Shares are in percent of the members (the seller excluded), in the bands
    of LinkedIn's published distribution, on the score the dashboard shows
    (rounded to an integer, halves up): 0-20, 21-69, 70-100.

    Returns
    -------
    dict
        ``week``, ``members``, ``mean``, ``median``, ``share_0_20``,
        ``share_21_69``, ``share_70_100``, ``share_above_70`` (unrounded
        score strictly above 70, the boost threshold), ``sales_navigator``
        (percent of members with it), ``percentile_of_75`` and
        ``industry_members`` (dicts keyed by industry name; the percentile is
        NaN for an empty industry).
    """
    row = scores.row(week)
    others = np.ones(scores.n, dtype=bool)
    others[scores.seller] = False
    s = scores.ssi[row, others].astype(np.float64)
    shown = np.floor(s + 0.5)
    return {
        "week": int(scores.kept_weeks[row]),
        "members": int(s.size),
        "mean": float(s.mean()),
        "median": float(np.median(s)),
        "share_0_20": 100.0 * float(np.mean(shown <= 20)),
        "share_21_69": 100.0 * float(np.mean((shown >= 21) & (shown <= 69))),
        "share_70_100": 100.0 * float(np.mean(shown >= 70)),
        "share_above_70": 100.0 * float(np.mean(s > 70)),
        "sales_navigator": 100.0 * float(np.mean(scores.sales_navigator[others])),
        "percentile_of_75": {
            name: scores.industry_percentile(week, k, 75.0)
            for k, name in enumerate(scores.industries)
        },
        "industry_members": {
            name: int(scores.industry_scores(week, k).size)
            for k, name in enumerate(scores.industries)
        },
    }


def c7_failures(dist: Mapping[str, Any]) -> list[str]:
    """The C7 targets a :func:`distribution` misses, one line each (empty: all met)."""
    failures = []
    low, high = C7_TARGETS["mean"]
    if not low <= dist["mean"] <= high:
        failures.append(f"mean SSI {dist['mean']:.1f} outside {low:g}-{high:g}")
    if dist["share_above_70"] >= C7_TARGETS["share_above_70_max"]:
        failures.append(
            f"{dist['share_above_70']:.2f}% of members above 70 "
            f"(at most {C7_TARGETS['share_above_70_max']:g}%)"
        )
    low, high = C7_TARGETS["percentile_of_75"]
    for name, pct in dist["percentile_of_75"].items():
        if dist["industry_members"][name] < C7_TARGETS["min_industry_members"]:
            continue
        if not low <= pct <= high:
            failures.append(f"75 at percentile {pct:.2f} in {name} (expected {low:g}-{high:g})")
    return failures

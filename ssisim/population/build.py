"""The synthetic professional population: members, their attributes and ties.

:func:`build_population` draws a :class:`Population` from
:class:`~ssisim.scenario.schema.PopulationParams`; :func:`population_from_edges`
builds one by hand (tests, worked examples). The population is shared,
read-only, by every run of the same seed: all its arrays are marked
read-only.

The graph of record is undirected. It is held twice:

- as CSR arrays (``indptr``, ``indices``) of the ties among *other* members,
  for the hot paths of the model. The seller appears in no row of the CSR:
  the seller's network changes during a run and is managed by the model; at
  week 0 it is ``seller_contacts`` (with strengths ``seller_ties``);
- as a :class:`networkx.Graph` (:attr:`Population.graph`), built lazily on
  first use, holding the CSR ties *plus* the seller's week-0 ties.

Members are ordered by industry, then by company: the members of a company,
and those of an industry, have consecutive indices. Indices carry no other
meaning.

Seed contract
-------------
:func:`build_population` draws only from the ``numpy.random.Generator`` it is
given, through child streams spawned from it in a fixed order (companies,
seniority, behaviour, ties, seller, sells); new streams go at the end. The same
parameters and a Generator in the same state give identical arrays (for a
given numpy version), whatever the machine or the number of workers.
Because the streams are separate, changing a parameter of one stage (say
``seller.initial_relevant_share``) leaves what the other stages draw
unchanged (the graph stays the same).
``PopulationParams.seed`` is not read here: the caller derives the Generator.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ssisim.scenario.schema import SENIORITIES, PopulationParams, SellerProfile, TargetMarket

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "MAX_ACTIVITY_POSTS_PER_WEEK",
    "Population",
    "build_population",
    "gather_neighbors",
    "population_from_edges",
    "rewire",
]

MAX_ACTIVITY_POSTS_PER_WEEK: float = 20.0
"""Ceiling of a member's posting rate: the lognormal tail is clipped here."""

SELLER_TIE_CONCENTRATION = 4.0
"""Concentration a + b of the Beta law of the seller's initial tie strengths."""

MIN_TIE_STRENGTH = 0.01
"""Floor of an initial tie strength: a tie that exists is never of strength 0."""

# The defaults of population_from_edges are those of the scenario schema,
# declared there once.
_DEFAULT_DECISION_MAKER_FROM: str = PopulationParams.model_fields["decision_maker_from"].default
_DEFAULT_RELEVANT_THRESHOLD: float = TargetMarket.model_fields["relevant_threshold"].default
_DEFAULT_TIE_STRENGTH: float = SellerProfile.model_fields["initial_tie_strength"].default

_Array = npt.NDArray[Any]

# An undirected edge (u, v), u < v, is the int64 key u << 32 | v: sorting keys
# sorts edges by (u, v), and splitting them back is a shift and a mask.
_KEY_SHIFT = 32
_KEY_MASK = (1 << _KEY_SHIFT) - 1

_TOP_UP_ROUNDS = 4
"""Rounds of tie draws at most: the first, then top-ups for ties lost to duplicates."""

_TOP_UP_TOLERANCE = 0.01
"""Stop topping up when fewer than this share of the goal's ties are missing."""

_CLOSING_ROUNDS = 12
"""Further rounds of triangle closing, each on the ties closed before it, when the
first :data:`_TOP_UP_ROUNDS` fall short (a high ``triadic_closure``)."""


@dataclass(frozen=True, eq=False)
class Population:
    """Members, their attributes, and the ties among them at week 0.

    All arrays have one entry per member (``n`` of them), indexed by member,
    and are read-only. Build one with :func:`build_population` or
    :func:`population_from_edges`.

    Attributes
    ----------
    industries : tuple of str
        Industry names; the index is the industry code.
    industry : ndarray of int16, shape (n,)
        Industry code of each member.
    company : ndarray of int32, shape (n,)
        Company (account) id of each member; every company lies in one industry.
    seniority : ndarray of int8, shape (n,)
        Index into :data:`~ssisim.scenario.schema.SENIORITIES`.
    decision_maker : ndarray of bool, shape (n,)
        ``seniority >= SENIORITIES.index(decision_maker_from)``.
    activity : ndarray of float32, shape (n,)
        Posts a week the member makes.
    openness : ndarray of float32, shape (n,)
        Propensity in [0, 1] to accept and answer.
    relevance : ndarray of float32, shape (n,)
        Fit with the seller's target market, in [0, 1] (see
        :class:`~ssisim.scenario.schema.TargetMarket`).
    relevant : ndarray of bool, shape (n,)
        ``relevance >= relevant_threshold``.
    indptr : ndarray of int64, shape (n + 1,)
        CSR row pointers of the ties among members other than the seller.
    indices : ndarray of int32, shape (indptr[-1],)
        CSR column indices: symmetric, no self-loops, no duplicates, each
        row sorted. The seller's row is empty and the seller is in no row.
    seller : int
        Index of the simulated member.
    seller_contacts : ndarray of int32
        The seller's first-degree contacts at week 0, sorted.
    seller_ties : ndarray of float32
        Strength in (0, 1] of each tie in ``seller_contacts``, aligned with it.
    sells : ndarray of bool, shape (n,)
        Whether the member sells (``population.sales_share`` of them): sellers
        invite more readily and pitch their contacts (``docs/debate.md``).
        All False when not given.
    """

    industries: tuple[str, ...]
    industry: _Array
    company: _Array
    seniority: _Array
    decision_maker: _Array
    activity: _Array
    openness: _Array
    relevance: _Array
    relevant: _Array
    indptr: _Array
    indices: _Array
    seller: int
    seller_contacts: _Array
    seller_ties: _Array
    sells: _Array = field(default_factory=lambda: np.zeros(0, dtype=bool))

    def __repr__(self) -> str:  # a notebook's view: not every array
        ties = int(self.indices.shape[0]) // 2
        return (
            f"Population({self.n:,} members in {len(self.industries)} industries, "
            f"{ties:,} ties (mean degree {2 * ties / max(self.n, 1):.1f}), "
            f"{int(self.relevant.sum()):,} relevant, {int(self.decision_maker.sum()):,} "
            f"decision makers; seller {self.seller} with {self.seller_contacts.shape[0]:,} "
            "contacts)"
        )

    def __post_init__(self) -> None:
        if self.sells.shape != (self.n,):  # not given: nobody sells
            object.__setattr__(self, "sells", np.zeros(self.n, dtype=bool))
        for value in self.__dict__.values():
            if isinstance(value, np.ndarray):
                value.flags.writeable = False

    @property
    def n(self) -> int:
        """Number of members, the seller included."""
        return int(self.industry.shape[0])

    def neighbors(self, i: int) -> _Array:
        """The members tied to member ``i`` in the CSR, sorted (a read-only view).

        The seller's row is empty: use ``seller_contacts`` for the seller.
        """
        return self.indices[self.indptr[i] : self.indptr[i + 1]]

    @functools.cached_property
    def degree(self) -> _Array:
        """Number of CSR ties of each member (int64, read-only); 0 for the seller."""
        deg = np.diff(self.indptr)
        deg.flags.writeable = False
        return deg

    @functools.cached_property
    def feed_load(self) -> _Array:
        """Posts a week reaching each member's feed from their ties: the sum of
        their neighbours' ``activity`` (float64, read-only; 0 for the seller)."""
        rows = np.repeat(np.arange(self.n), self.degree)
        load = np.bincount(
            rows, weights=self.activity[self.indices].astype(np.float64), minlength=self.n
        )
        load.flags.writeable = False
        return load

    @functools.cached_property
    def activity_values(self) -> list[float]:
        """``activity`` as Python floats (for the runs' scalar draws; made once per
        population, not once per run)."""
        return self.activity.astype(np.float64).tolist()

    def random_neighbours(
        self, rows: _Array, rng: np.random.Generator
    ) -> tuple[_Array, _Array | None]:
        """A random tie of each of ``rows``: one uniform draw for each row that has a tie.

        Returns the members chosen (int64) and the mask over ``rows`` of those
        that had a tie (None when all had: the common case, no mask made).
        """
        deg = self.degree[rows]
        keep = None
        # count_nonzero: a third of ndarray.all's overhead on a small array
        if np.count_nonzero(deg) < deg.size:
            keep = deg > 0
            rows, deg = rows[keep], deg[keep]
        slot = self.indptr[rows] + (rng.random(rows.size) * deg).astype(np.int64)
        return self.indices[slot].astype(np.int64), keep

    @functools.cached_property
    def half_relevance(self) -> _Array:
        """``0.5 + relevance`` as float64 (read-only): the cascade's weight of each
        member, made once so that each step is one same-type multiply."""
        half = (0.5 + self.relevance).astype(np.float64)
        half.flags.writeable = False
        return half

    @functools.cached_property
    def row_starts(self) -> list[int]:
        """``indptr`` as Python ints: slicing a few CSR rows by them is cheaper than
        by numpy scalars."""
        return self.indptr.tolist()

    @functools.cached_property
    def median_feed_load(self) -> float:
        """The median of :attr:`feed_load` over the members."""
        return float(np.median(self.feed_load))

    @functools.cached_property
    def graph(self) -> nx.Graph:
        """The graph of record, built on first access and cached.

        Nodes ``0 .. n-1`` carry ``industry`` (name), ``company`` (int),
        ``seniority`` (name), ``decision_maker`` (bool) and ``relevance``
        (float). Edges are the CSR ties plus the seller's week-0 ties, which
        carry ``strength``. Treat it as read-only: it is shared.
        """
        import networkx as nx  # 0.2-0.5 s to import: only for those who ask for the graph

        g = nx.Graph()
        names = np.asarray(self.industries, dtype=object)[self.industry]
        levels = np.asarray(SENIORITIES, dtype=object)[self.seniority]
        g.add_nodes_from(
            (
                i,
                {
                    "industry": ind,
                    "company": comp,
                    "seniority": sen,
                    "decision_maker": dm,
                    "relevance": rel,
                },
            )
            for i, ind, comp, sen, dm, rel in zip(
                range(self.n),
                names.tolist(),
                self.company.tolist(),
                levels.tolist(),
                self.decision_maker.tolist(),
                self.relevance.tolist(),
                strict=True,
            )
        )
        rows = np.repeat(np.arange(self.n, dtype=np.int32), self.degree)
        upper = rows < self.indices
        g.add_edges_from(zip(rows[upper].tolist(), self.indices[upper].tolist(), strict=True))
        g.add_edges_from(
            (self.seller, j, {"strength": s})
            for j, s in zip(self.seller_contacts.tolist(), self.seller_ties.tolist(), strict=True)
        )
        return g


# --------------------------------------------------------------------------- building


def build_population(params: PopulationParams, rng: np.random.Generator) -> Population:
    """Draw a synthetic professional population.

    Industries have Zipf-like sizes; companies lognormal sizes within one
    industry; ties a heavy-tailed degree distribution, split into company,
    industry and global ties (Chung-Lu within each group), plus
    triangle-closing ties. See ``docs/model.md`` for every mechanism.

    Parameters
    ----------
    params : PopulationParams
        The validated population parameters.
    rng : numpy.random.Generator
        The only source of randomness (see the seed contract in the module
        docstring). Child streams are spawned from it.

    Returns
    -------
    Population
        With the seller's ties outside the CSR (see :class:`Population`).

    Notes
    -----
    Time and memory grow as ``size * mean_degree``: about 0.06 s for 20,000
    members, and about 5 s and 0.7 GiB peak for a million members of mean degree
    24, on one 2-core machine. Members are ordered by industry, then company.

    The seller is a uniform member of ``seller.industry`` at
    ``seller.seniority`` (or, if the industry has no one at that level, any
    member of it, promoted or demoted). Its week-0 contacts: a share
    ``initial_colleague_share`` from its company (as many as it has);
    ``initial_relevant_share`` is the share of *all* contacts who are
    relevant (colleagues count towards it; the missing ones are drawn
    uniformly among relevant members); the rest are non-relevant members of
    its graph neighbourhood (its neighbours, then theirs), then uniform
    non-relevant members. Its ties in the drawn graph are then removed from
    the CSR.

    With ``triadic_closure = 1`` there are no Chung-Lu ties, hence no
    triangles to close: the population has no ties.

    Examples
    --------
    >>> import numpy as np
    >>> from ssisim.scenario.schema import PopulationParams
    >>> pop = build_population(PopulationParams(size=2_000), np.random.default_rng(1))
    >>> pop.n
    2000
    >>> bool(pop.degree[pop.seller] == 0 and len(pop.seller_contacts) == 150)
    True
    """
    # streams spawned later (sells, then rewiring) leave what the first ones draw unchanged
    streams = rng.spawn(7)
    companies_rng, seniority_rng, behaviour_rng, ties_rng, seller_rng, sells_rng = streams[:6]
    rewire_rng = streams[6]
    n = params.size

    industry_sizes = _industry_sizes(params)
    industry_bounds = np.zeros(len(industry_sizes) + 1, dtype=np.int64)
    np.cumsum(industry_sizes, out=industry_bounds[1:])
    industry = np.repeat(np.arange(len(industry_sizes), dtype=np.int16), industry_sizes)
    company_bounds = _company_bounds(params, industry_bounds, companies_rng)
    company = np.repeat(np.arange(len(company_bounds) - 1, dtype=np.int32), np.diff(company_bounds))

    seniority = seniority_rng.choice(
        len(SENIORITIES), size=n, p=np.asarray(params.seniority_shares)
    ).astype(np.int8)

    activity = _activity(params, n, behaviour_rng)
    openness = beta_with_mean(
        params.openness_mean, params.openness_concentration, n, behaviour_rng
    ).astype(np.float32)

    u, v = _draw_ties(params, industry, company, industry_bounds, company_bounds, ties_rng)
    if params.rewire > 0:
        u, v = rewire(u, v, params.rewire, rewire_rng)

    seller_industry = _seller_industry(params)
    seller = _choose_seller(
        industry_bounds[seller_industry : seller_industry + 2],
        seniority,
        SENIORITIES.index(params.seller.seniority),
        seller_rng,
    )
    seniority[seller] = SENIORITIES.index(params.seller.seniority)

    relevance = _relevance(params.industries, params.target, industry, seniority)
    relevant = relevance >= params.target.relevant_threshold

    touches_seller = (u == seller) | (v == seller)
    first = np.concatenate([v[u == seller], u[v == seller]])
    keep = ~touches_seller
    u, v = u[keep], v[keep]
    del touches_seller, keep
    indptr, indices = _csr(u, v, n)
    del u, v

    seller_contacts, seller_ties = seller_network(
        params.seller,
        seller,
        first,
        indptr,
        indices,
        np.arange(company_bounds[company[seller]], company_bounds[company[seller] + 1]),
        relevant,
        seller_rng,
    )
    sells = sells_rng.random(n) < params.sales_share

    return Population(
        industries=tuple(params.industries),
        industry=industry,
        company=company,
        seniority=seniority,
        decision_maker=seniority >= SENIORITIES.index(params.decision_maker_from),
        activity=activity,
        openness=openness,
        relevance=relevance,
        relevant=relevant,
        indptr=indptr,
        indices=indices,
        seller=int(seller),
        seller_contacts=seller_contacts,
        seller_ties=seller_ties,
        sells=sells,
    )


def _seller_industry(params: PopulationParams) -> int:
    """Code of the seller's industry: as given, else the first target industry."""
    return params.industries.index(params.seller.industry or params.target.industries[0])


def _industry_sizes(params: PopulationParams) -> _Array:
    """Zipf-like industry sizes summing to ``size`` (largest remainders).

    The seller's industry gets at least one member, taken from the largest.
    """
    n = params.size
    k = len(params.industries)
    weights = np.arange(1, k + 1, dtype=np.float64) ** -params.industry_concentration
    exact = n * weights / weights.sum()
    sizes = np.floor(exact).astype(np.int64)
    short = n - int(sizes.sum())
    # stable so that ties go to the earlier (larger) industry
    sizes[np.argsort(sizes - exact, kind="stable")[:short]] += 1
    home = _seller_industry(params)
    if sizes[home] == 0:
        sizes[np.argmax(sizes)] -= 1
        sizes[home] = 1
    return sizes


def _company_bounds(
    params: PopulationParams, industry_bounds: _Array, rng: np.random.Generator
) -> _Array:
    """Start of each company in member order, and ``size`` at the end.

    Lognormal company sizes (at least 1) are laid end to end over the members
    and cut at industry boundaries, so that every company lies in one
    industry; only the companies straddling a boundary are split.
    """
    n = params.size
    mean, sigma = params.mean_company_size, params.company_size_sigma
    mu = np.log(mean) - sigma**2 / 2
    ends: list[_Array] = []
    total = 0
    while total < n:
        batch = int((n - total) / mean * 1.1) + 16
        sizes = np.maximum(1, np.rint(rng.lognormal(mu, sigma, batch))).astype(np.int64)
        cum = total + np.cumsum(sizes)
        ends.append(cum)
        total = int(cum[-1])
    cuts = np.concatenate([*ends, industry_bounds])  # industry_bounds holds 0 and n
    return _unique_sorted(np.sort(cuts[cuts <= n]))


def _activity(params: PopulationParams, n: int, rng: np.random.Generator) -> _Array:
    """Lognormal posts a week with the given median, clipped at the ceiling."""
    median = params.activity_median_posts_per_week
    if median <= 0:
        return np.zeros(n, dtype=np.float32)
    draws = rng.lognormal(np.log(median), params.activity_sigma, n)
    return np.minimum(draws, MAX_ACTIVITY_POSTS_PER_WEEK).astype(np.float32)


def beta_with_mean(
    mean: float, concentration: float, size: int, rng: np.random.Generator
) -> _Array:
    """Beta(mean k, (1 - mean) k) draws; a degenerate mean (0 or 1) is constant."""
    if mean <= 0.0 or mean >= 1.0:
        return np.full(size, min(max(mean, 0.0), 1.0))
    return rng.beta(mean * concentration, (1.0 - mean) * concentration, size)


def _relevance(
    industries: Sequence[str], target: TargetMarket, industry: _Array, seniority: _Array
) -> _Array:
    """Industry fit x seniority fit, looked up in an industries x levels table."""
    industry_fit = np.array(
        [1.0 if name in target.industries else target.off_target_fit for name in industries]
    )
    seniority_fit = np.where(
        np.arange(len(SENIORITIES)) >= SENIORITIES.index(target.min_seniority),
        1.0,
        target.junior_fit,
    )
    table = np.outer(industry_fit, seniority_fit).astype(np.float32)
    return table[industry, seniority]


def _choose_seller(bounds: _Array, seniority: _Array, level: int, rng: np.random.Generator) -> int:
    """A uniform member of the industry ``[bounds[0], bounds[1])``.

    Among those already at ``level`` if any, so that the seniority shares stay
    untouched; otherwise any member of the industry (the caller then sets the
    seniority).
    """
    lo, hi = int(bounds[0]), int(bounds[1])
    at_level = lo + np.flatnonzero(seniority[lo:hi] == level)
    pool = at_level if at_level.size else np.arange(lo, hi)
    return int(pool[rng.integers(pool.size)])


# --------------------------------------------------------------------------- ties


def _draw_ties(
    params: PopulationParams,
    industry: _Array,
    company: _Array,
    industry_bounds: _Array,
    company_bounds: _Array,
    rng: np.random.Generator,
) -> tuple[_Array, _Array]:
    """All ties of the population, the seller's included.

    Each member gets a lognormal target degree. Chung-Lu ties (a share
    ``1 - triadic_closure`` of ``size * mean_degree / 2``) come first, then
    ties that close a triangle: a member with at least two contacts
    introduces two of them. Draws that hit an existing tie are topped up in
    a few extra rounds (for a high closure, rounds that also close the
    triangles of ties closed before), so the mean degree lands within about
    1% of ``mean_degree`` for ``triadic_closure`` up to 0.95, unless the
    groups are too small to hold it. Members with no Chung-Lu tie get none.

    Returns
    -------
    u, v : ndarray of int32
        Endpoints with ``u < v``, sorted by ``(u, v)``, no duplicates.
    """
    n = industry.shape[0]
    sigma = params.degree_sigma
    weight = rng.lognormal(np.log(params.mean_degree) - sigma**2 / 2, sigma, n)
    np.minimum(weight, n - 1, out=weight)
    groups = _TieGroups.of(params, weight, industry, company, industry_bounds, company_bounds)

    goal = params.mean_degree * n / 2
    chung_lu_goal = (1.0 - params.triadic_closure) * goal
    keys = np.zeros(0, dtype=np.int64)
    for _ in range(_TOP_UP_ROUNDS):
        missing = chung_lu_goal - keys.size
        if missing < max(1.0, _TOP_UP_TOLERANCE * chung_lu_goal):
            break
        keys = _merge_keys(keys, groups.draw(missing / goal, rng))

    closing_goal = params.triadic_closure * goal
    if closing_goal < 1.0 or keys.size == 0:
        return _split_keys(keys)
    before = keys.size
    # The wedges to close are those of the Chung-Lu ties. When those are too few for
    # the goal (a high triadic_closure: few random ties, so few pairs to introduce;
    # 0.9 ended at a mean degree of 10.6 for 24), later rounds also close the wedges
    # of ties closed before them: the CSR is rebuilt each round. The first rounds are
    # unchanged, so a population whose goal they met is the same to the bit.
    for rounds, rebuild in ((_TOP_UP_ROUNDS, False), (_CLOSING_ROUNDS, True)):
        for i in range(rounds):
            if i == 0 or rebuild:
                indptr, indices = _csr(*_split_keys(keys), n)
                degree = np.diff(indptr)
                hubs = np.flatnonzero(degree >= 2)
            missing = closing_goal - (keys.size - before)
            if hubs.size == 0 or missing < max(1.0, _TOP_UP_TOLERANCE * closing_goal):
                return _split_keys(keys)
            centre = hubs[rng.integers(0, hubs.size, round(missing))]
            d = degree[centre]
            a = rng.integers(0, d)
            b = rng.integers(0, d - 1)
            b += b >= a  # two distinct contacts
            start = indptr[centre]
            keys = _merge_keys(keys, _edge_keys(indices[start + a], indices[start + b]))
    return _split_keys(keys)


@dataclass(frozen=True)
class _TieGroups:
    """What a Chung-Lu round needs: weights, groups and the members' ranges.

    A stub of a member is a company, industry or global tie; its partner is
    drawn within the member's company, industry or the whole population, with
    probability proportional to the partner's weight. Members are ordered by
    industry then company, so every group is a slice of ``cum``.
    """

    half: _Array  # stubs a member sends per unit of ``share`` (half its weight)
    cum: _Array  # cum[0] = 0, cum[i + 1] - cum[i] = weight of member i
    to_industry: _Array  # a stub draw at or above it is not a company tie
    to_global: _Array  # a stub draw at or above it is a global tie
    company: _Array
    company_bounds: _Array
    industry_bounds: _Array

    @classmethod
    def of(
        cls,
        params: PopulationParams,
        weight: _Array,
        industry: _Array,
        company: _Array,
        industry_bounds: _Array,
        company_bounds: _Array,
    ) -> _TieGroups:
        n = weight.shape[0]
        cum = np.zeros(n + 1, dtype=np.float64)
        np.cumsum(weight, out=cum[1:])
        company_share = params.company_tie_share
        inner_share = company_share + params.industry_tie_share
        # a member alone in its company (industry) looks one level wider
        alone_in_company = np.diff(company_bounds)[company] == 1
        alone_in_industry = np.diff(industry_bounds)[industry] == 1
        to_industry = np.where(alone_in_company, 0.0, company_share).astype(np.float32)
        to_global = np.where(alone_in_industry, 0.0, inner_share).astype(np.float32)
        return cls(
            weight / 2, cum, to_industry, to_global, company, company_bounds, industry_bounds
        )

    def draw(self, share: float, rng: np.random.Generator) -> _Array:
        """One round of about ``share * sum(weight) / 2`` ties, as sorted unique keys.

        Each member sends ``share * weight / 2`` stubs on average and receives
        as many, so its expected degree from the round is ``share * weight``.
        """
        n = self.half.shape[0]
        cum = self.cum
        stubs_f = self.half * share
        stubs = stubs_f.astype(np.int64)
        stubs += rng.random(n) < stubs_f - stubs  # round at random, keeping the mean
        owner = np.repeat(np.arange(n, dtype=np.int32), stubs)
        del stubs_f, stubs

        draw = rng.random(owner.shape[0], dtype=np.float32)
        group = (draw >= self.to_industry[owner]).view(np.int8)
        group += draw >= self.to_global[owner]
        del draw
        partner = np.empty_like(owner)

        # Company ties: stubs come in member order, so each search stays in
        # the owner's small slice of `cum` (cache-friendly).
        picked = np.flatnonzero(group == 0)
        comp = self.company[owner[picked]]
        lo, hi = self.company_bounds[comp], self.company_bounds[comp + 1]
        del comp
        q = cum[lo] + rng.random(picked.shape[0]) * (cum[hi] - cum[lo])
        partner[picked] = np.clip(np.searchsorted(cum, q, side="right") - 1, lo, hi - 1)
        del picked, lo, hi, q

        # Industry and global ties: the stubs of one industry (or all the
        # global ones) are exchangeable, so their partners are drawn from
        # sorted uniforms (sequential searches, much faster than random ones)
        # and shuffled.
        stub_bounds = np.searchsorted(owner, self.industry_bounds)
        blocks = [
            (
                1,
                stub_bounds[k],
                stub_bounds[k + 1],
                self.industry_bounds[k],
                self.industry_bounds[k + 1],
            )
            for k in range(len(self.industry_bounds) - 1)
        ]
        blocks.append((2, 0, owner.shape[0], 0, n))
        for g, first_stub, stop_stub, lo_k, hi_k in blocks:
            picked = first_stub + np.flatnonzero(group[first_stub:stop_stub] == g)
            if picked.size == 0:
                continue
            q = cum[lo_k] + rng.random(picked.shape[0]) * (cum[hi_k] - cum[lo_k])
            q.sort()
            found = np.clip(np.searchsorted(cum, q, side="right") - 1, lo_k, hi_k - 1)
            rng.shuffle(found)
            partner[picked] = found
        del group
        return _edge_keys(owner, partner)


_REWIRE_ROUNDS = 20
"""Rounds of batched swaps at most; each round proposes the swaps still missing."""


def rewire(u: _Array, v: _Array, share: float, rng: np.random.Generator) -> tuple[_Array, _Array]:
    """Rewire ties by degree-preserving double-edge swaps, vectorised.

    Pairs of ties ``(a, b), (c, d)`` become ``(a, d), (c, b)`` (or ``(a, c),
    (b, d)``), a swap being refused when it would make a self-loop or a tie
    that exists. Every member keeps their degree; clustering, communities and
    company and industry mixing dissolve towards those of a random graph with
    the same degrees (the configuration model). ``share`` is the number of
    successful swaps over half the number of ties: at 1 every tie is moved
    once on average.

    Parameters
    ----------
    u, v : ndarray of int32
        Ties with ``u < v``, sorted, no duplicates (as :func:`_draw_ties` gives).
    share : float
        Between 0 and 1.
    rng : numpy.random.Generator
        The rewiring's own stream.

    Returns
    -------
    u, v : ndarray of int32
        The rewired ties, in the same form.

    Examples
    --------
    >>> import numpy as np
    >>> u = np.array([0, 0, 1, 2, 3], dtype=np.int32)
    >>> v = np.array([1, 2, 2, 3, 4], dtype=np.int32)
    >>> ru, rv = rewire(u, v, 1.0, np.random.default_rng(0))
    >>> bool((np.bincount(np.r_[u, v]) == np.bincount(np.r_[ru, rv], minlength=5)).all())
    True
    """
    m = u.shape[0]
    goal = round(share * m / 2)
    if goal == 0 or m < 2:
        return u, v
    a, b = u.astype(np.int64), v.astype(np.int64)
    keys = (a << _KEY_SHIFT) | b  # sorted and unique: the ties as they are
    done = 0
    for _ in range(_REWIRE_ROUNDS):
        k = min(goal - done, m // 2)
        if k <= 0:
            break
        pick = rng.permutation(m)[: 2 * k]
        e1, e2 = pick[:k], pick[k:]
        cross = rng.random(k) < 0.5
        x1, y1 = a[e1], np.where(cross, a[e2], b[e2])
        x2 = np.where(cross, b[e1], a[e2])
        y2 = np.where(cross, b[e2], b[e1])
        new1 = (np.minimum(x1, y1) << _KEY_SHIFT) | np.maximum(x1, y1)
        new2 = (np.minimum(x2, y2) << _KEY_SHIFT) | np.maximum(x2, y2)
        ok = (x1 != y1) & (x2 != y2) & (new1 != new2)
        for new in (new1, new2):
            at = np.minimum(np.searchsorted(keys, new), m - 1)
            ok &= keys[at] != new
        # two swaps of one batch must not make the same tie
        proposed = np.concatenate([new1[ok], new2[ok]])
        order = np.argsort(proposed, kind="stable")
        ranked = proposed[order]
        clash = np.zeros(ranked.size, dtype=bool)
        clash[1:] |= ranked[1:] == ranked[:-1]
        clash[:-1] |= ranked[1:] == ranked[:-1]
        bad = np.zeros(proposed.size, dtype=bool)
        bad[order] = clash
        idx = np.flatnonzero(ok)
        half = idx.size
        ok[idx[bad[:half] | bad[half:]]] = False
        lo1, hi1 = np.minimum(x1, y1)[ok], np.maximum(x1, y1)[ok]
        lo2, hi2 = np.minimum(x2, y2)[ok], np.maximum(x2, y2)[ok]
        a[e1[ok]], b[e1[ok]] = lo1, hi1
        a[e2[ok]], b[e2[ok]] = lo2, hi2
        keys = (a << _KEY_SHIFT) | b
        order = np.argsort(keys, kind="stable")
        a, b, keys = a[order], b[order], keys[order]
        done += int(ok.sum())
    return a.astype(np.int32), b.astype(np.int32)


def _edge_keys(a: _Array, b: _Array) -> _Array:
    """Sorted unique keys ``min << 32 | max`` of the pairs, self-loops dropped."""
    lo = np.minimum(a, b)
    hi = np.maximum(a, b)
    keys = (lo.astype(np.int64) << _KEY_SHIFT) | hi
    keys[lo == hi] = -1  # self-loops sort first and are cut below
    del lo, hi
    keys.sort()
    return _unique_sorted(keys[np.searchsorted(keys, 0) :])


def _unique_sorted(keys: _Array) -> _Array:
    # np.unique is slow on large int64 arrays in numpy 2.x (hash based); a
    # sorted array only needs a neighbour comparison.
    if keys.size == 0:
        return keys
    fresh = np.empty(keys.shape[0], dtype=bool)
    fresh[0] = True
    np.not_equal(keys[1:], keys[:-1], out=fresh[1:])
    return keys[fresh]


def _merge_keys(keys: _Array, extra: _Array) -> _Array:
    """Union of two sorted unique key arrays (``extra`` the smaller)."""
    if keys.size == 0:
        return extra
    at = np.searchsorted(keys, extra)
    present = at < keys.shape[0]
    present[present] = keys[at[present]] == extra[present]
    fresh = ~present
    extra, at = extra[fresh], at[fresh]
    # the i-th new key lands after `at[i]` old keys and i new ones
    slots = at + np.arange(extra.shape[0])
    merged = np.empty(keys.shape[0] + extra.shape[0], dtype=keys.dtype)
    old = np.ones(merged.shape[0], dtype=bool)
    old[slots] = False
    merged[slots] = extra
    merged[old] = keys
    return merged


def _split_keys(keys: _Array) -> tuple[_Array, _Array]:
    return (keys >> _KEY_SHIFT).astype(np.int32), (keys & _KEY_MASK).astype(np.int32)


def _csr(u: _Array, v: _Array, n: int) -> tuple[_Array, _Array]:
    """Symmetric CSR with sorted rows from edges ``u < v`` sorted by ``(u, v)``.

    Row ``r`` lists its lower neighbours (``u`` of the edges ``(u, r)``) then
    its upper ones (``v`` of the edges ``(r, v)``): both blocks are sorted
    and every lower neighbour is below every upper one, so the row is sorted
    after a single sort of the reversed edges.
    """
    m = u.shape[0]
    n_upper = np.bincount(u, minlength=n)
    n_lower = np.bincount(v, minlength=n)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(n_upper + n_lower, out=indptr[1:])
    indices = np.empty(2 * m, dtype=np.int32)
    ramp = np.arange(m, dtype=np.int64)

    upper_start = np.zeros(n, dtype=np.int64)
    np.cumsum(n_upper[:-1], out=upper_start[1:])
    offset = indptr[:-1] + n_lower - upper_start
    indices[offset[u] + ramp] = v

    reversed_keys = (v.astype(np.int64) << _KEY_SHIFT) | u
    reversed_keys.sort()
    rv, ru = _split_keys(reversed_keys)
    del reversed_keys
    lower_start = np.zeros(n, dtype=np.int64)
    np.cumsum(n_lower[:-1], out=lower_start[1:])
    offset = indptr[:-1] - lower_start
    indices[offset[rv] + ramp] = ru
    return indptr, indices


# --------------------------------------------------------------------------- the seller


def seller_network(
    profile: SellerProfile,
    seller: int,
    first: _Array,
    indptr: _Array,
    indices: _Array,
    company_members: _Array,
    relevant: _Array,
    rng: np.random.Generator,
) -> tuple[_Array, _Array]:
    """The seller's contacts at week 0 and the strength of each tie.

    ``initial_colleague_share`` of the contacts come from the seller's
    company (as many as it has). ``initial_relevant_share`` is the share of
    all contacts who are relevant: colleagues count towards it, the missing
    relevant contacts are drawn uniformly among the relevant members, and the
    rest are non-relevant members of the seller's graph neighbourhood (its
    neighbours, then theirs), then uniform non-relevant members. The share is
    exceeded only when the relevant colleagues alone exceed it, and missed
    only when a pool runs dry.

    Parameters
    ----------
    first : ndarray
        The seller's neighbours in the drawn graph (whose ties to the seller
        are no longer in the CSR).
    company_members : ndarray
        The members of the seller's company (the seller may be among them).
    """
    n = relevant.shape[0]
    k = min(profile.initial_connections, n - 1)
    taken = np.zeros(n, dtype=bool)
    taken[seller] = True

    colleagues = np.asarray(company_members, dtype=np.int64)
    colleagues = colleagues[colleagues != seller]
    n_colleagues = min(round(k * profile.initial_colleague_share), colleagues.size)
    chosen = [rng.choice(colleagues, n_colleagues, replace=False)]
    taken[chosen[0]] = True

    n_relevant = round(k * profile.initial_relevant_share) - int(relevant[chosen[0]].sum())
    n_relevant = min(max(n_relevant, 0), k - n_colleagues)
    chosen.append(_pick_uniform(relevant & ~taken, n_relevant, rng))
    taken[chosen[-1]] = True

    rest = k - sum(c.size for c in chosen)
    if rest > 0:
        # neighbours first, then neighbours of neighbours, each in random order
        mark = np.zeros(n, dtype=bool)
        mark[first] = True
        mark[seller] = True
        second = indices[_row_slices(indptr, first)]
        second = np.flatnonzero(np.bincount(second[~mark[second]], minlength=n))
        order = np.concatenate([rng.permutation(first), rng.permutation(second)])
        order = order[~taken[order] & ~relevant[order]]
        chosen.append(order[:rest].astype(np.int64))
        taken[chosen[-1]] = True
        rest -= chosen[-1].size
    if rest > 0:
        chosen.append(_pick_uniform(~taken & ~relevant, rest, rng))
        taken[chosen[-1]] = True
        rest -= chosen[-1].size
    if rest > 0:  # the non-relevant pool ran dry
        chosen.append(_pick_uniform(~taken, rest, rng))

    contacts = np.sort(np.concatenate(chosen)).astype(np.int32)
    ties = beta_with_mean(
        profile.initial_tie_strength, SELLER_TIE_CONCENTRATION, contacts.size, rng
    )
    ties = np.clip(ties, MIN_TIE_STRENGTH, 1.0).astype(np.float32)
    return contacts, ties


def _pick_uniform(mask: _Array, k: int, rng: np.random.Generator) -> _Array:
    """Up to ``k`` distinct members where ``mask`` holds, uniformly."""
    pool = np.flatnonzero(mask)
    return rng.choice(pool, min(k, pool.size), replace=False)


def gather_neighbors(indptr: _Array, indices: _Array, nodes: _Array) -> _Array:
    """Concatenate the CSR neighbour lists of ``nodes`` (with repeats), vectorised."""
    if len(nodes) <= _FEW_ROWS:
        # a few rows (most calls in a run): one slice each beats the vectorised
        # positions' dozen numpy calls
        if len(nodes) == 0:
            return indices[:0].copy()
        return np.concatenate([indices[indptr[j] : indptr[j + 1]] for j in nodes.tolist()])
    return indices[_row_slices(indptr, nodes)]


_FEW_ROWS = 16  # up to this many rows, gather_neighbors slices row by row


def _row_slices(indptr: _Array, rows: _Array) -> _Array:
    """Positions in ``indices`` of the entries of the given rows, concatenated."""
    starts = indptr[rows]
    lengths = indptr[rows + 1] - starts
    total = int(lengths.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
    return offsets + np.arange(total)


# --------------------------------------------------------------------------- other sellers


# --------------------------------------------------------------------------- by hand


def population_from_edges(
    edges: Iterable[tuple[int, int]] | _Array,
    *,
    industry: Sequence[int] | Sequence[str] | _Array,
    company: Sequence[int] | _Array,
    seniority: Sequence[int] | Sequence[str] | _Array,
    activity: Sequence[float] | _Array,
    openness: Sequence[float] | _Array,
    relevance: Sequence[float] | _Array,
    seller: int,
    seller_contacts: Sequence[int] | _Array,
    seller_ties: Sequence[float] | _Array | None = None,
    industries: Sequence[str] | None = None,
    sells: Sequence[bool] | _Array | None = None,
    decision_maker_from: str = _DEFAULT_DECISION_MAKER_FROM,
    relevant_threshold: float = _DEFAULT_RELEVANT_THRESHOLD,
) -> Population:
    """Build a population by hand: a small graph with explicit attributes.

    Parameters
    ----------
    edges : iterable of (int, int) or ndarray of shape (m, 2)
        Ties among members other than the seller. Listing a tie twice (in
        either direction) is harmless. A tie touching the seller is an error:
        the seller's network is ``seller_contacts``.
    industry : sequence of int or str
        Industry of each member: codes into ``industries``, or names.
    company : sequence of int
        Company id of each member (non-negative); a company lies in one industry.
    seniority : sequence of int or str
        Index into :data:`~ssisim.scenario.schema.SENIORITIES`, or level names.
    activity : sequence of float
        Posts a week, non-negative.
    openness, relevance : sequence of float
        In [0, 1].
    seller : int
        Index of the simulated member.
    seller_contacts : sequence of int
        The seller's week-0 contacts, distinct, never the seller (any order).
    seller_ties : sequence of float, optional
        Strength in (0, 1] of each tie, aligned with ``seller_contacts`` as
        given. Default: the scenario default ``initial_tie_strength``.
    industries : sequence of str, optional
        Industry names. Default: the names in ``industry`` in order of first
        appearance if it holds names, else ``industry-0``, ``industry-1``, ...
    sells : sequence of bool, optional
        Whether each member sells. Default: nobody.
    decision_maker_from : str
        Lowest decision-making seniority.
    relevant_threshold : float
        A member with relevance at or above it is relevant.

    Returns
    -------
    Population

    Raises
    ------
    ValueError
        If the arrays disagree in length or hold out-of-range values, or if an
        edge is a self-loop, names an unknown member or touches the seller.

    Examples
    --------
    >>> pop = population_from_edges(
    ...     [(1, 2), (2, 3)], industry=[0, 0, 0, 1], company=[0, 0, 1, 2],
    ...     seniority=["manager", "entry", "vp", "cxo"], activity=[0.1] * 4,
    ...     openness=[0.5] * 4, relevance=[1, 0.4, 1, 0.1], seller=0,
    ...     seller_contacts=[3, 1])
    >>> pop.seller_contacts.tolist(), pop.neighbors(2).tolist()
    ([1, 3], [1, 3])
    """
    industry_names, industry_codes = _codes(industry, industries, "industry")
    if industries is None and industry_codes.size and not _holds_names(industry):
        industry_names = tuple(f"industry-{i}" for i in range(int(industry_codes.max()) + 1))
    n = industry_codes.shape[0]
    _, seniority_codes = _codes(seniority, SENIORITIES, "seniority")
    company_ids = np.asarray(company, dtype=np.int64)
    columns = {
        "company": company_ids,
        "seniority": seniority_codes,
        "activity": np.asarray(activity, dtype=np.float64),
        "openness": np.asarray(openness, dtype=np.float64),
        "relevance": np.asarray(relevance, dtype=np.float64),
    }
    for name, values in columns.items():
        if values.shape != (n,):
            raise ValueError(
                f"{name}: expected {n} values, one per member (got shape {values.shape})"
            )
    if n == 0:
        raise ValueError("industry: a population needs at least one member (got 0)")
    _check_range("industry", industry_codes, 0, len(industry_names) - 1)
    _check_range("company", company_ids, 0, np.iinfo(np.int32).max)
    _check_range("seniority", seniority_codes, 0, len(SENIORITIES) - 1)
    _check_range("activity", columns["activity"], 0.0, np.inf)
    _check_range("openness", columns["openness"], 0.0, 1.0)
    _check_range("relevance", columns["relevance"], 0.0, 1.0)
    if not 0 <= seller < n:
        raise ValueError(f"seller: must be a member index in 0..{n - 1} (got {seller})")
    order = np.lexsort((industry_codes, company_ids))
    split = np.flatnonzero(
        (np.diff(company_ids[order]) == 0) & (np.diff(industry_codes[order]) != 0)
    )
    if split.size:
        c = int(company_ids[order][split[0]])
        raise ValueError(
            f"company: company {c} spans industries "
            f"{sorted(set(industry_codes[company_ids == c].tolist()))}; a company lies in one industry"
        )

    pairs = np.asarray(list(edges) if not isinstance(edges, np.ndarray) else edges, dtype=np.int64)
    pairs = pairs.reshape(-1, 2) if pairs.size else np.zeros((0, 2), dtype=np.int64)
    if pairs.size:
        _check_range("edges", pairs, 0, n - 1)
        loops = pairs[pairs[:, 0] == pairs[:, 1]]
        if loops.size:
            raise ValueError(f"edges: self-loop on member {int(loops[0, 0])}")
        touching = pairs[(pairs == seller).any(axis=1)]
        if touching.size:
            a, b = touching[0].tolist()
            raise ValueError(
                f"edges: ({a}, {b}) touches the seller {seller}; give the seller's "
                "ties as seller_contacts"
            )
    u, v = _split_keys(_edge_keys(pairs[:, 0], pairs[:, 1]))
    indptr, indices = _csr(u, v, n)

    contacts = np.asarray(seller_contacts, dtype=np.int64).reshape(-1)
    if contacts.size:
        _check_range("seller_contacts", contacts, 0, n - 1)
    if np.any(contacts == seller):
        raise ValueError(f"seller_contacts: the seller {seller} cannot be its own contact")
    if np.unique(contacts).size != contacts.size:
        raise ValueError(f"seller_contacts: contacts must be distinct (got {contacts.tolist()})")
    if seller_ties is None:
        ties = np.full(contacts.size, _DEFAULT_TIE_STRENGTH)
    else:
        ties = np.asarray(seller_ties, dtype=np.float64).reshape(-1)
        if ties.shape != contacts.shape:
            raise ValueError(
                f"seller_ties: expected {contacts.size} strengths, one per contact "
                f"(got {ties.size})"
            )
        if np.any((ties <= 0) | (ties > 1)):
            raise ValueError(f"seller_ties: strengths must be in (0, 1] (got {ties.tolist()})")
    by_contact = np.argsort(contacts, kind="stable")

    if decision_maker_from not in SENIORITIES:
        raise ValueError(
            f"decision_maker_from: unknown seniority {decision_maker_from!r} "
            f"(expected one of {', '.join(SENIORITIES)})"
        )
    relevance32 = columns["relevance"].astype(np.float32)
    return Population(
        industries=tuple(industry_names),
        industry=industry_codes.astype(np.int16),
        company=company_ids.astype(np.int32),
        seniority=seniority_codes.astype(np.int8),
        decision_maker=seniority_codes >= SENIORITIES.index(decision_maker_from),
        activity=columns["activity"].astype(np.float32),
        openness=columns["openness"].astype(np.float32),
        relevance=relevance32,
        relevant=relevance32 >= relevant_threshold,
        indptr=indptr,
        indices=indices,
        seller=int(seller),
        seller_contacts=contacts[by_contact].astype(np.int32),
        seller_ties=ties[by_contact].astype(np.float32),
        sells=np.zeros(n, dtype=bool) if sells is None else _sells(sells, n),
    )


def _sells(values: Sequence[bool] | _Array, n: int) -> _Array:
    sells = np.asarray(values, dtype=bool).reshape(-1)
    if sells.shape != (n,):
        raise ValueError(f"sells: expected {n} values, one per member (got shape {sells.shape})")
    return sells


def _holds_names(values: Any) -> bool:
    arr = np.asarray(values)
    return arr.dtype.kind in "US" or (
        arr.dtype == object and arr.size > 0 and isinstance(arr.flat[0], str)
    )


def _codes(values: Any, names: Sequence[str] | None, what: str) -> tuple[tuple[str, ...], _Array]:
    """Integer codes of ``values`` (codes or names) and the names they index."""
    if _holds_names(values):
        given = [str(x) for x in np.asarray(values).reshape(-1).tolist()]
        known = list(names) if names is not None else list(dict.fromkeys(given))
        lookup = {name: i for i, name in enumerate(known)}
        unknown = [x for x in given if x not in lookup]
        if unknown:
            raise ValueError(
                f"{what}: unknown name {unknown[0]!r} (expected one of {', '.join(known)})"
            )
        return tuple(known), np.array([lookup[x] for x in given], dtype=np.int64)
    codes = np.asarray(values)
    if codes.size and codes.dtype.kind not in "iu":
        raise ValueError(f"{what}: expected integer codes or names (got dtype {codes.dtype})")
    return tuple(names or ()), codes.astype(np.int64).reshape(-1)


def _check_range(what: str, values: _Array, low: float, high: float) -> None:
    bad = (values < low) | (values > high) | np.isnan(values.astype(np.float64))
    if np.any(bad):
        raise ValueError(
            f"{what}: values must be in [{low:g}, {high:g}] (got {values[bad].reshape(-1)[0].item()!r})"
        )

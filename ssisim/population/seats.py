"""Seats: who sells in a run, and their network at week 0.

The population's own seller by default; any member can be made a seller
(:func:`seller_start`), as the members of a sales team (:func:`team_seats`) or
of a cohort (:func:`cohort_seats`) are. Seats are drawn from the debate
streams of :mod:`ssisim.seeds`, the same in every replication.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ssisim.member.scenario import read_member
from ssisim.population.build import (
    MIN_TIE_STRENGTH,
    SELLER_TIE_CONCENTRATION,
    Population,
    beta_with_mean,
    seller_network,
)
from ssisim.scenario.schema import SENIORITIES, Scenario, SellerProfile, Strategy
from ssisim.seeds import (
    COHORT_CHOICE,
    COHORT_SEAT,
    MEMBER_NETWORK,
    TEAM_CHOICE,
    TEAM_SEAT,
    debate_rng,
)

__all__ = [
    "SellerStart",
    "cohort_seats",
    "default_start",
    "member_start",
    "seller_start",
    "seller_start_for",
    "team_seats",
]

_Array = npt.NDArray[Any]


@dataclass(frozen=True, eq=False)
class SellerStart:
    """Who the seller of a run is, and their network at week 0.

    Attributes
    ----------
    member : int
        The seller's index in the population.
    contacts : ndarray of int64
        Distinct week-0 contacts, never the seller.
    ties : ndarray of float64
        Strength in (0, 1] of each contact's tie, aligned with ``contacts``.
    """

    member: int
    contacts: _Array
    ties: _Array


def default_start(population: Population) -> SellerStart:
    """The population's own seller and week-0 network."""
    return SellerStart(
        population.seller,
        population.seller_contacts.astype(np.int64),
        population.seller_ties.astype(np.float64),
    )


def seller_start(
    population: Population,
    profile: SellerProfile,
    member: int,
    rng: np.random.Generator,
    colleagues: _Array | Sequence[int] = (),
) -> SellerStart:
    """Make any member a seller: their week-0 network, built as the seller's is.

    The network follows ``profile`` exactly as :func:`build_population` builds
    the population's seller's (colleagues, relevant share, then the member's
    graph neighbourhood), from the member's own ties in the CSR; the member's
    ties stay in the CSR (other members' lists still name them, which the run
    ignores). ``colleagues`` (teammates) are then added if missing, with
    strengths from the same law. The population's seller gets its own
    week-0 network plus ``colleagues``.

    Parameters
    ----------
    population : Population
    profile : SellerProfile
        Network size, relevant and colleague shares, mean tie strength.
    member : int
        The member who sells.
    rng : numpy.random.Generator
        The seat's own stream (see ``docs/debate.md``, seeds).
    colleagues : array_like of int
        Members to connect at week 0 whatever the draw (a team).

    Returns
    -------
    SellerStart
    """
    pop = population
    if member == pop.seller:
        start = default_start(pop)
        contacts, ties = start.contacts, start.ties
    else:
        company_members = np.flatnonzero(pop.company == pop.company[member])
        found, strengths = seller_network(
            profile,
            member,
            pop.neighbors(member).astype(np.int64),
            pop.indptr,
            pop.indices,
            company_members,
            pop.relevant,
            rng,
        )
        contacts, ties = found.astype(np.int64), strengths.astype(np.float64)
    extra = np.asarray(colleagues, dtype=np.int64).reshape(-1)
    extra = np.unique(extra[(extra != member) & ~np.isin(extra, contacts)])
    if extra.size:
        drawn = beta_with_mean(
            profile.initial_tie_strength, SELLER_TIE_CONCENTRATION, extra.size, rng
        )
        contacts = np.concatenate([contacts, extra])
        ties = np.concatenate([ties, np.clip(drawn, MIN_TIE_STRENGTH, 1.0)])
    return SellerStart(int(member), contacts, ties)


def member_start(
    population: Population,
    profile: SellerProfile,
    network: Mapping[str, Any],
    rng: np.random.Generator,
) -> SellerStart:
    """Place an imported member's real network as the population's seller's week-0 network.

    The member's counts (``network:`` of a ``member.yaml``, see
    ``docs/own-data.md``) are matched class by class. With ``by_class`` (the
    import's joint counts by industry and seniority), each class among the
    population's members of that class, so the relevant connections and
    decision makers are the import's (:func:`_place_classes`). A file written
    before ``by_class`` existed is placed from its marginals: ``colleagues`` members
    of the seller's company first, then, in each industry, as many members as
    the member has connections there, their seniorities drawn from the
    member's seniority shares (a member of the industry at that level if any
    is left, else any member of the industry); the unclassified and hidden
    connections are drawn from the seller's graph neighbourhood, then from
    anyone. Tie strengths follow ``profile.initial_tie_strength`` as for any
    seller. Industries the population does not have count as unclassified.

    Parameters
    ----------
    population : Population
    profile : SellerProfile
    network : mapping
        The member file's ``network:`` block.
    rng : numpy.random.Generator
        The member-network stream (:data:`ssisim.seeds.MEMBER_NETWORK`).

    Returns
    -------
    SellerStart
    """
    pop = population
    me = pop.seller
    n = pop.industry.shape[0]
    size = min(int(network.get("connections") or 0), n - 1)
    taken = np.zeros(n, dtype=bool)
    taken[me] = True
    chosen: list[_Array] = []

    def take(pool: _Array, k: int) -> int:
        pool = pool[~taken[pool]]
        got = rng.choice(pool, min(k, pool.size), replace=False) if k > 0 else pool[:0]
        taken[got] = True
        chosen.append(got.astype(np.int64))
        return int(got.size)

    if network.get("by_class"):
        _place_classes(pop, network["by_class"], size, take, rng)
        return _start(pop, profile, chosen, rng)
    company = np.flatnonzero(pop.company == pop.company[me])
    placed = take(company, min(int(network.get("colleagues") or 0), size))
    by_industry = dict(network.get("by_industry") or {})
    own = pop.industries[int(pop.industry[me])]
    if own in by_industry:  # colleagues are counted in the seller's industry
        by_industry[own] = max(int(by_industry[own]) - placed, 0)
    seniority = {
        k: int(v)
        for k, v in dict(network.get("by_seniority") or {}).items()
        if k in SENIORITIES and int(v) > 0
    }
    levels = [SENIORITIES.index(k) for k in seniority]
    shares = np.array(list(seniority.values()), dtype=np.float64)
    for name in pop.industries:
        k = min(int(by_industry.get(name, 0)), size - placed)
        if k <= 0:
            continue
        members = np.flatnonzero(pop.industry == pop.industries.index(name))
        got = 0
        if shares.sum() > 0:
            per_level = rng.multinomial(k, shares / shares.sum())
            for level, count in zip(levels, per_level, strict=True):
                got += take(members[pop.seniority[members] == level], int(count))
        got += take(members, k - got)  # a level ran dry: any member of the industry
        placed += got
    rest = size - placed
    if rest > 0:  # unclassified and hidden connections: the neighbourhood, then anyone
        placed += take(rng.permutation(pop.neighbors(me).astype(np.int64)), rest)
        placed += take(np.flatnonzero(~taken), size - placed)
    return _start(pop, profile, chosen, rng)


def _start(
    pop: Population, profile: SellerProfile, chosen: list[_Array], rng: np.random.Generator
) -> SellerStart:
    """The placed contacts, sorted, with tie strengths as for any seller."""
    contacts = np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, np.int64)
    ties = beta_with_mean(
        profile.initial_tie_strength, SELLER_TIE_CONCENTRATION, contacts.size, rng
    )
    return SellerStart(
        int(pop.seller), contacts.astype(np.int64), np.clip(ties, MIN_TIE_STRENGTH, 1.0)
    )


def _place_classes(
    pop: Population,
    rows: Sequence[Mapping[str, Any]],
    size: int,
    take: Callable[[_Array, int], int],
    rng: np.random.Generator,
) -> None:
    """Place ``network.by_class`` class by class: each row's connections among the
    members of its industry and seniority (its colleagues in the seller's company
    first), so the relevant connections and decision makers are the import's.

    A class with an unclassified part counts, as the import counts it, as not
    relevant (and, without a seniority, as no decision maker): it is placed
    among such members of its known part. A class the population has too few
    members of is completed with members of the same relevance and
    decision-making, then anyone.
    """
    company = pop.company == pop.company[pop.seller]
    placed = 0
    for row in rows:
        k = min(int(row.get("connections") or 0), size - placed)
        if k <= 0:
            continue
        industry, level = str(row.get("industry")), str(row.get("seniority"))
        mask = np.ones(pop.n, dtype=bool)
        if industry in pop.industries:
            mask &= pop.industry == pop.industries.index(industry)
        if level in SENIORITIES:
            mask &= pop.seniority == SENIORITIES.index(level)
        if industry not in pop.industries or level not in SENIORITIES:
            mask &= ~pop.relevant  # unclassified: never relevant, as the import counts it
            if level not in SENIORITIES:
                mask &= ~pop.decision_maker
        got = take(np.flatnonzero(mask & company), min(int(row.get("colleagues") or 0), k))
        got += take(np.flatnonzero(mask), k - got)
        if got < k:  # the class ran dry: members with the same flags, then anyone
            members = np.flatnonzero(mask)
            if members.size:
                j = members[0]
                same = (pop.relevant == pop.relevant[j]) & (
                    pop.decision_maker == pop.decision_maker[j]
                )
                got += take(np.flatnonzero(same), k - got)
            got += take(np.arange(pop.n), k - got)
        placed += got


_MEMBER_STARTS: dict[tuple[int, str, int], SellerStart] = {}


def _member_start_for(population: Population, scenario: Scenario) -> SellerStart:
    """:func:`member_start` for the scenario's ``population.seller.from``, once per process."""
    profile = scenario.population.seller
    path = profile.from_
    assert path is not None
    key = (id(population), path, scenario.seed)
    found = _MEMBER_STARTS.get(key)
    if found is None:
        network = read_member(path).get("network")
        if not isinstance(network, Mapping):  # a team member known by readings only
            return default_start(population)
        found = member_start(
            population, profile, network, debate_rng(scenario.seed, MEMBER_NETWORK)
        )
        _MEMBER_STARTS.clear()  # one population at a time, as the population cache
        _MEMBER_STARTS[key] = found
    return found


def team_seats(population: Population, size: int, rng: np.random.Generator) -> _Array:
    """The members of a sales team: the population's seller, then colleagues of its company.

    Raises
    ------
    ValueError
        The seller's company has fewer than ``size`` members.
    """
    pop = population
    company = np.flatnonzero(pop.company == pop.company[pop.seller])
    others = company[company != pop.seller]
    if others.size < size - 1:
        raise ValueError(
            f"team: the seller's company has {company.size} member(s); a team of {size} "
            "needs at least that many (a smaller team, or another population seed)"
        )
    chosen = rng.choice(others, size - 1, replace=False)
    return np.concatenate([[pop.seller], chosen]).astype(np.int64)


def cohort_seats(
    population: Population, size: int, industry: int, rng: np.random.Generator
) -> _Array:
    """Distinct members of one industry (the population's seller excluded), uniformly.

    Raises
    ------
    ValueError
        The industry has fewer than ``size`` members besides the seller.
    """
    pool = np.flatnonzero(population.industry == industry)
    pool = pool[pool != population.seller]
    if pool.size < size:
        raise ValueError(
            f"cohort.sellers: the seller's industry has {pool.size} other member(s); "
            f"{size} sellers need at least that many (got {size})"
        )
    return rng.choice(pool, size, replace=False).astype(np.int64)


def seller_start_for(population: Population, scenario: Scenario, strategy: Strategy) -> SellerStart:
    """Who sells in a run of ``strategy``, and their week-0 network.

    The population's seller, unless the strategy sits at a seat of the
    scenario's ``team`` (seat 0 is the population's seller, the others are
    colleagues of its company, all connected to each other) or ``cohort``
    (members of the seller's industry). Seats are drawn from the debate
    streams (:func:`ssisim.seeds.debate_rng`): the same in every replication.
    """
    seat = strategy.seat
    if seat is None:
        if scenario.population.seller.from_ is not None:
            return _member_start_for(population, scenario)
        return default_start(population)
    profile = scenario.population.seller
    if scenario.team is not None:
        members = team_seats(
            population, len(scenario.team.members), debate_rng(scenario.seed, TEAM_CHOICE)
        )
        me = int(members[seat])
        return seller_start(
            population,
            profile,
            me,
            debate_rng(scenario.seed, TEAM_SEAT, seat),
            members[members != me],
        )
    if scenario.cohort is not None:
        industry = scenario.population.industries.index(
            profile.industry or scenario.population.target.industries[0]
        )
        members = cohort_seats(
            population, scenario.cohort.sellers, industry, debate_rng(scenario.seed, COHORT_CHOICE)
        )
        return seller_start(
            population, profile, int(members[seat]), debate_rng(scenario.seed, COHORT_SEAT, seat)
        )
    raise ValueError(
        f"strategy {strategy.name!r} sits at seat {seat} but the scenario has no team or cohort"
    )

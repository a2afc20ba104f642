"""The run context: everything one run reads and changes, in one place.

A :class:`RunContext` holds the run's inputs (population, scenario,
strategy), its four random streams, the SimPy environment, the seller's
network (:class:`~ssisim.sim.network.Network`), the books
(:class:`~ssisim.sim.ledger.Ledger`) and the platform's restriction state.
The mechanisms (:mod:`ssisim.sim.mechanisms`) are functions over it; the
routine (:mod:`ssisim.sim.routine`) runs them as SimPy processes. Build one
with :func:`new_context`.

The clock runs in days; week ``w`` spans days ``[7w, 7w + 7)``.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

from ssisim.population.build import Population
from ssisim.population.cache import members_for
from ssisim.population.seats import SellerStart, default_start
from ssisim.scenario.schema import Scenario, Strategy
from ssisim.sim.ledger import Ledger, Week
from ssisim.sim.network import Network

__all__ = ["DAYS_PER_WEEK", "RunContext", "RunStats", "at", "at_each", "new_context", "settle"]

DAYS_PER_WEEK = 7


@dataclass
class RunStats:
    """What a run cost: the SimPy process steps it took (for the benchmarks).

    Acceptances and replies are not counted: they wait in the run's heap
    (:func:`at`), not as events.
    """

    events: int = 0


@dataclass(eq=False)
class RunContext:
    """The state of one run. Build with :func:`new_context`.

    Attributes
    ----------
    pop, sc, st : Population, Scenario, Strategy
        The shared population (read-only), the scenario, the seller's routine.
    rng : numpy.random.Generator
        The routine's choices (how many actions, whom to invite or message).
    arng : numpy.random.Generator
        The population's answers (reach, acceptances, replies, views).
    lrng : numpy.random.Generator
        Leads, pitches and introductions: apart, so that they leave the
        routine's and the answers' draws (and the SSI) unchanged.
    erng : numpy.random.Generator
        The existing relationships' leads: shared by every strategy of a
        replication (common random numbers).
    env : simpy.Environment
        The clock, in days.
    stats : RunStats
        Events processed.
    net : Network
        The seller's network.
    ledger : Ledger
        The books: flows, trailing activity, records.
    week : Week
        The ledger's week (the same object, reset in place).
    me, my_industry : int
        The seller and their industry.
    relevant_ids, dm_ids : numpy.ndarray
        Relevant members and decision makers.
    exhaustive : dict
        The targeting pools that can fall back to every member in them.
    engage_propensity : numpy.ndarray
        Per member, how readily they react to content (from their activity).
    attention : numpy.ndarray or None
        Per member, how likely they are to see a post that reaches their feed,
        relative to a member with the median feed: ``(1 + L50 / h) / (1 + L /
        h)`` for a feed of ``L`` posts a week from their ties
        (``Population.feed_load``), ``h`` = ``reach.attention_half_load``;
        None when every feed is alike.
    warm : float
        The tie strength from which a tie is warm.
    invite_weight : numpy.ndarray or None
        Per member, how readily they invite after a view (sellers more), or
        None when all are alike.
    invite_after_view : numpy.ndarray
        Per member, the chance to invite the seller after viewing their
        profile: ``inbound.invite_after_view * openness * invite_weight``,
        computed once a run (in that order, so the values are those of the
        per-view product).
    routine_weeks : int
        Weeks the routine runs (``stops_at_week``, at most the horizon).
    existing : numpy.ndarray
        The seller's week-0 relationships.
    boosted : bool
        Whether the visibility boost holds this week.
    restricted_from, restricted_until : float
        The platform's restriction of invitations (days).
    sent_by_week, accepted_by_week : numpy.ndarray
        Invitations sent each week, and how many of them were accepted so far.
    window_start : int
        Restrictions: weeks before this no longer count.
    marked : numpy.ndarray
        A bitmap over the members, all False between uses: a post marks who
        saw it (cheaper than set operations on small arrays).
    invitee_terms : tuple of numpy.ndarray, or None
        Per member, the invitee's own factors of the chance to accept an
        invitation (``invitations.invitee_terms``): made at the run's first
        invitation, None until then.
    pending : list
        What arrives later (acceptances, replies): a heap of ``(time, order,
        action, args)``, applied by :func:`settle` in time order.
    """

    pop: Population
    sc: Scenario
    st: Strategy
    rng: np.random.Generator
    arng: np.random.Generator
    lrng: np.random.Generator
    erng: np.random.Generator
    env: simpy.Environment
    stats: RunStats
    net: Network
    ledger: Ledger
    week: Week
    me: int
    my_industry: int
    relevant_ids: np.ndarray
    dm_ids: np.ndarray
    exhaustive: dict[str, np.ndarray]
    engage_propensity: np.ndarray
    attention: np.ndarray | None
    warm: float
    invite_weight: np.ndarray | None
    invite_after_view: np.ndarray
    seniority_acceptance: np.ndarray
    routine_weeks: int
    existing: np.ndarray
    sent_by_week: np.ndarray
    accepted_by_week: np.ndarray
    boosted: bool = False
    restricted_from: float = -math.inf
    restricted_until: float = -math.inf
    window_start: int = 0
    pending: list[tuple[float, int, Callable[..., None], tuple[Any, ...]]] = field(
        default_factory=list
    )
    scheduled: int = 0  # items ever put in ``pending`` (their order)
    marked: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    invitee_terms: tuple[np.ndarray, np.ndarray] | None = None


def new_context(
    population: Population,
    scenario: Scenario,
    strategy: Strategy,
    routine_rng: np.random.Generator,
    answers_rng: np.random.Generator,
    replication: int,
    leads_rng: np.random.Generator | None = None,
    start: SellerStart | None = None,
    existing_rng: np.random.Generator | None = None,
) -> RunContext:
    """The context of a run at week 0: the seller's start network, nothing done yet.

    Parameters
    ----------
    population, scenario, strategy : Population, Scenario, Strategy
        What is simulated.
    routine_rng, answers_rng : numpy.random.Generator
        The routine's and the answers' streams.
    replication : int
        Written to the records.
    leads_rng : numpy.random.Generator, optional
        The leads' stream (default: spawned from ``answers_rng``).
    start : SellerStart, optional
        The seller and their week-0 network (default: the population's seller).
    existing_rng : numpy.random.Generator, optional
        The existing relationships' stream (default: spawned from the leads').
    """
    lrng = leads_rng if leads_rng is not None else answers_rng.spawn(1)[0]
    erng = existing_rng if existing_rng is not None else lrng.spawn(1)[0]
    stop = strategy.stops_at_week
    start = start if start is not None else default_start(population)
    me = start.member
    net = Network.empty(population, me, scenario.platform.connection_limit)
    my_industry = int(population.industry[me])
    members = members_for(population, scenario)  # every member's SSI, for the ranks
    ledger = Ledger(net, scenario, strategy, replication, members, me, my_industry)
    relevant_ids = np.flatnonzero(population.relevant)
    dm_ids = np.flatnonzero(population.decision_maker)
    act = population.activity.astype(np.float64)
    half = scenario.answers.reach.activity_half_posts_per_week
    lift = scenario.answers.pitches.invite_lift
    sells = population.sells
    invite_weight = (1.0 + lift * sells) / (1.0 + lift * float(sells.mean())) if lift > 0 else None
    after_view = scenario.answers.inbound.invite_after_view * population.openness
    if invite_weight is not None:
        after_view = after_view * invite_weight
    crowd = scenario.answers.reach.attention_half_load
    attention = (
        None
        if crowd is None
        else (1.0 + population.median_feed_load / crowd) / (1.0 + population.feed_load / crowd)
    )
    ctx = RunContext(
        pop=population,
        sc=scenario,
        st=strategy,
        rng=routine_rng,
        arng=answers_rng,
        lrng=lrng,
        erng=erng,
        env=simpy.Environment(),
        stats=RunStats(),
        net=net,
        ledger=ledger,
        week=ledger.week,
        me=me,
        my_industry=my_industry,
        relevant_ids=relevant_ids,
        dm_ids=dm_ids,
        exhaustive={
            "anyone": np.arange(population.n),
            "relevant": relevant_ids,
            "decision_makers": dm_ids,
        },
        engage_propensity=act / (act + half),
        attention=attention,
        warm=scenario.answers.messaging.warm_tie_threshold,
        seniority_acceptance=np.asarray(
            scenario.answers.acceptance.seniority_factors, dtype=np.float64
        ),
        # sellers invite (1 + lift) times as readily; normalised so the average is unchanged
        invite_weight=invite_weight,
        invite_after_view=after_view,
        routine_weeks=scenario.weeks if stop is None else min(stop, scenario.weeks),
        existing=start.contacts.astype(np.int64),  # existing relationships (week 0)
        sent_by_week=np.zeros(scenario.weeks + 1, dtype=np.int64),
        accepted_by_week=np.zeros(scenario.weeks + 1, dtype=np.int64),
        marked=np.zeros(population.n, dtype=bool),
    )
    net.connect_many(start.contacts, start.ties)
    return ctx


def at(ctx: RunContext, t: float, action: Callable[..., None], *args: Any) -> None:
    """Make ``action(ctx, *args)`` happen at time ``t`` (days; now if ``t`` has passed).

    What arrives later and depends on nothing but its time (an acceptance, a
    reply) is not a SimPy event: it waits in ``ctx.pending`` and
    :func:`settle` applies it, in time order, before anything that happens
    at or after ``t`` reads or changes the run. The effect is the one a
    SimPy timeout would have (the same order, the same draws), at the cost
    of a heap push instead of an event.
    """
    heapq.heappush(ctx.pending, (max(t, ctx.env.now), ctx.scheduled, action, args))
    ctx.scheduled += 1


def at_each(
    ctx: RunContext,
    delays: Iterable[float],
    action: Callable[..., None],
    args: Iterable[tuple[Any, ...]],
) -> None:
    """:func:`at` for a batch: ``action(ctx, *a)`` ``d`` days from now, for each
    delay ``d`` and arguments ``a`` in turn (the same heap entries, one call)."""
    now, pending, order, push = ctx.env.now, ctx.pending, ctx.scheduled, heapq.heappush
    for d, a in zip(delays, args, strict=True):
        t = now + d
        push(pending, (max(t, now), order, action, a))
        order += 1
    ctx.scheduled = order


def settle(ctx: RunContext, until: float | None = None) -> None:
    """Apply, in time order, what was due by ``until`` (default: now) and is still pending."""
    pending = ctx.pending
    if not pending:
        return
    limit = ctx.env.now if until is None else until
    pop = heapq.heappop
    while pending and pending[0][0] <= limit:
        _t, _order, action, args = pop(pending)
        action(ctx, *args)

"""One run: a seller's weeks and the population's answers, as a SimPy simulation.

The clock runs in days; week ``w`` spans days ``[7w, 7w + 7)``, the seller's
routine runs on working days (the first five of each week), the inbox of
incoming invitations is answered every day, and the SSI is refreshed at the
end of every week. What the seller does is a SimPy event (a post, a batch of
invitations); what arrives later (an acceptance after its delay, a reply)
waits in the run's heap and is applied, in time order, before the next event
(:func:`ssisim.sim.context.settle`); what happens to many members at once (a
post's audience, a batch of acceptance draws) is numpy over arrays, never a
Python loop over the population.

The run's state is a :class:`~ssisim.sim.context.RunContext`; the mechanisms
are in :mod:`ssisim.sim.mechanisms`, the routine's processes in
:mod:`ssisim.sim.routine`, the weekly books in :mod:`ssisim.sim.ledger`. The
mechanisms and their parameters are described in ``docs/model.md``.
"""

from __future__ import annotations

import numpy as np

from ssisim.population.build import Population
from ssisim.population.seats import SellerStart, seller_start_for
from ssisim.records import WeekRecord
from ssisim.scenario.schema import Scenario, Strategy
from ssisim.seeds import existing_rng
from ssisim.sim.context import DAYS_PER_WEEK, RunContext, RunStats, new_context, settle
from ssisim.sim.mechanisms.content import publish, reach
from ssisim.sim.mechanisms.leads import trust
from ssisim.sim.routine import start

__all__ = [
    "RunStats",
    "cascades",
    "contact_pass_chances",
    "measure_reach",
    "prepared",
    "simulate",
]


def prepared(
    population: Population,
    scenario: Scenario,
    strategy: Strategy,
    seed: np.random.SeedSequence,
    replication: int = 0,
) -> RunContext:
    """A run of :func:`simulate` at week 0, its processes started, the clock not yet run.

    The streams and the start are exactly ``simulate``'s (the seed contract):
    run ``ctx.env`` to ``scenario.weeks * 7 + 0.5`` and ``ctx.ledger.records``
    are ``simulate``'s records. For callers that stop the clock between weeks
    to look at the run (the explorer draws the network week by week).
    """
    routine_seq, answers_seq, leads_seq = seed.spawn(3)
    return _started(
        population,
        scenario,
        strategy,
        (routine_seq, answers_seq, leads_seq),
        replication,
        existing_rng(scenario, strategy, replication),
    )


def _started(
    population: Population,
    scenario: Scenario,
    strategy: Strategy,
    streams: tuple[np.random.SeedSequence, np.random.SeedSequence, np.random.SeedSequence],
    replication: int,
    existing: np.random.Generator | None = None,
) -> RunContext:
    """A run built from its (routine, answers, leads) streams, its processes started."""
    routine_seq, answers_seq, leads_seq = streams
    ctx = new_context(
        population,
        scenario,
        strategy,
        np.random.default_rng(routine_seq),
        np.random.default_rng(answers_seq),
        replication,
        np.random.default_rng(leads_seq),
        seller_start_for(population, scenario, strategy),
        existing,
    )
    start(ctx)
    return ctx


def _played(ctx: RunContext) -> RunContext:
    """A started run played to the horizon."""
    horizon = ctx.sc.weeks * DAYS_PER_WEEK + 0.5
    ctx.env.run(until=horizon)
    settle(ctx, horizon)  # what arrived after the last process step, before the horizon
    return ctx


def simulate(
    population: Population,
    scenario: Scenario,
    strategy: Strategy,
    seed: np.random.SeedSequence,
    replication: int = 0,
    stats: RunStats | None = None,
    inputs: list[dict[str, dict[str, float]]] | None = None,
) -> list[WeekRecord]:
    """Simulate one seller's weeks under one strategy.

    Parameters
    ----------
    population : Population
        Shared, read-only; the run keeps its own copy of the seller's state.
    scenario : Scenario
        Horizon, platform rules, answers and scoring.
    strategy : Strategy
        The seller's routine.
    seed : numpy.random.SeedSequence
        The run's stream. Three child streams are spawned from it, in this
        order: the routine's choices, the population's answers, then the
        leads (leads, introductions, pitches: what the SSI does not measure,
        drawn apart so that they leave the first two, and the score, unchanged).
    replication : int
        Written to the records.
    stats : RunStats, optional
        Filled with the number of events processed.
    inputs : list, optional
        Filled with each week's pillar inputs, ``inputs[week][pillar][input]``
        (what :func:`ssisim.pillars.pillar_scores` scored; Sales Navigator
        inputs are absent without it). For fitting weights to readings.

    Returns
    -------
    list of WeekRecord
        Weeks 0 to ``scenario.weeks``.
    """
    run = prepared(population, scenario, strategy, seed, replication)
    run.ledger.inputs_log = inputs  # read from the first record on, when the clock runs
    _played(run)
    if stats is not None:
        stats.events += run.stats.events
    return run.ledger.records


def measure_reach(
    population: Population,
    scenario: Scenario,
    strategy: Strategy,
    seed: np.random.SeedSequence,
    posts: int = 2000,
) -> tuple[np.ndarray, np.ndarray]:
    """Impressions of identical posts with the visibility boost off and on (C6).

    The strategy runs for ``scenario.weeks`` weeks to grow its network; then
    ``posts`` identical posts are published in pairs, the first with the boost
    off and the second on, each pair from the same answers stream (common
    random numbers), so the two arrays differ by the boost alone.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Impressions per post, boost off and boost on (every hop included).
    """
    routine_seq, answers_seq, posts_seq, leads_seq = seed.spawn(4)
    run = _played(
        _started(population, scenario, strategy, (routine_seq, answers_seq, leads_seq), 0)
    )
    out = np.zeros((2, posts), dtype=np.int64)
    for i, post_seq in enumerate(posts_seq.spawn(posts)):
        for boosted in (False, True):
            run.arng = np.random.default_rng(post_seq)
            run.boosted = boosted
            out[int(boosted), i] = reach(run)
    return out[0], out[1]


def contact_pass_chances(
    population: Population, scenario: Scenario, strategy: Strategy, seed: np.random.SeedSequence
) -> dict[str, np.ndarray]:
    """What each contact of a grown network can pass: the "People You May Know" probe.

    The strategy runs for ``scenario.weeks`` weeks from its run stream (as
    :func:`simulate` does); then, for every contact of the network it built,
    the weekly chance that the contact passes the seller a member the seller
    does not know yet, exactly as :func:`ssisim.sim.mechanisms.leads.introductions`
    draws it: ``introduction_rate * trust(mutual) * (1 - mutual / degree)``
    (a random member of the contact's network is new to the seller unless it
    is one of the ``mutual`` contacts they share).

    Returns
    -------
    dict of str to numpy.ndarray
        Per contact: ``mutual`` (contacts shared with the seller), ``degree``
        (the contact's own ties), ``tie`` (strength at the horizon, the
        interaction intensity) and ``chance`` (weekly chance of passing a new
        name).
    """
    routine_seq, answers_seq, leads_seq = seed.spawn(3)
    ctx = _played(
        _started(population, scenario, strategy, (routine_seq, answers_seq, leads_seq), 0)
    )
    net, leads = ctx.net, scenario.answers.leads
    contacts = net.contacts
    mutual = net.mutual[contacts].astype(np.int64)
    degree = (population.indptr[contacts + 1] - population.indptr[contacts]).astype(np.int64)
    fresh = np.where(degree > 0, 1.0 - mutual / np.maximum(degree, 1), 0.0)
    chance = (
        leads.introduction_rate
        * trust(mutual, leads.trust_floor, leads.trust_half_mutual_contacts)
        * fresh
    )
    return {"mutual": mutual, "degree": degree, "tie": net.tie[contacts].copy(), "chance": chance}


def cascades(
    population: Population,
    scenario: Scenario,
    strategy: Strategy,
    start: SellerStart,
    seed: np.random.SeedSequence,
    posts: int = 500,
) -> np.ndarray:
    """How far identical posts travel from a given week-0 network: the cascade probe.

    The seller of ``start``, holding exactly its contacts and ties, publishes
    ``posts`` posts at week 0, each from its own stream, nothing else
    happening (no routine, no boost): a network of central, bridging contacts
    and one of peripheral contacts can be compared post for post (the same
    streams for both, common random numbers).

    Returns
    -------
    numpy.ndarray
        Shape ``(posts, reach.max_hops + 1)``: each post's new viewers at each
        step (column 0: the seller's contacts; column ``h``: the ``h``-th hop).
    """
    steps = scenario.answers.reach.max_hops + 1
    out = np.zeros((posts, steps), dtype=np.int64)
    for i in range(posts):
        # the i-th child of ``seed``, built without spawning (which would advance
        # ``seed`` and give a second call other streams)
        post_seq = np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, i))
        rng = np.random.default_rng(post_seq)
        ctx = new_context(population, scenario, strategy, rng, rng, 0, rng, start, rng)
        sizes = publish(ctx, 1.0, 1.0)
        out[i, : len(sizes)] = sizes
    return out

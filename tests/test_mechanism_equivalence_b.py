"""The run's fast paths give what the plain vectorised code gave, value for value.

Each test sets a shortcut of the hot loop (row-by-row slices, scalar counts,
a batch of heap pushes, per-run factors, a pruned list) against the code it
replaced, on random inputs.
"""

import heapq

import numpy as np
import pytest

from ssisim.population.build import _row_slices, gather_neighbors, population_from_edges
from ssisim.population.cache import population_for
from ssisim.scenario.loading import parse_scenario
from ssisim.scenario.schema import Strategy
from ssisim.sim.context import new_context
from ssisim.sim.mechanisms.invitations import candidates, fresh, invitee_terms
from ssisim.sim.network import Network

N = 300


def _pop(seed: int = 0):
    rng = np.random.default_rng(seed)
    edges = rng.integers(1, N, size=(1500, 2))
    edges = edges[(edges[:, 0] != edges[:, 1]) & (edges != N - 1).all(axis=1)]  # N - 1 alone
    return population_from_edges(
        edges,
        industry=[0] * N,
        company=rng.integers(0, 20, N),
        seniority=rng.integers(0, 6, N),
        activity=rng.random(N),
        openness=rng.random(N),
        relevance=rng.random(N),
        seller=0,
        seller_contacts=[1, 2, 3],
        industries=["software"],
    )


@pytest.mark.parametrize("size", [0, 1, 2, 5, 16, 17, 40])
def test_gather_neighbors_row_by_row_is_the_vectorised_gather(size):
    pop = _pop()
    nodes = np.random.default_rng(size).integers(0, N, size)  # repeats included
    got = gather_neighbors(pop.indptr, pop.indices, nodes)
    want = pop.indices[_row_slices(pop.indptr, nodes)]
    assert got.dtype == want.dtype
    assert np.array_equal(got, want)


def _reference_stocks(pop, ids):
    """The stocks as the vectorised pass computed them, from scratch."""
    mutual = np.zeros(pop.n, dtype=np.int32)
    np.add.at(mutual, pop.indices[_row_slices(pop.indptr, ids)], np.int32(1))
    dm_per_company: dict[int, int] = {}
    for c in pop.company[ids[pop.decision_maker[ids]]].tolist():
        dm_per_company[c] = dm_per_company.get(c, 0) + 1
    return (
        mutual,
        int(pop.relevant[ids].sum()),
        int(pop.decision_maker[ids].sum()),
        int((pop.company[ids] == pop.company[0]).sum()),
        dm_per_company,
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_stocks_are_the_same_whatever_the_batches_between_reads(seed):
    pop = _pop(seed)
    rng = np.random.default_rng(seed)
    order = rng.permutation(np.arange(1, N))[:200].astype(np.int64)
    net = Network.empty(pop, 0, N)
    done = 0
    while done < order.size:
        step = int(rng.choice([1, 2, 3, 4, 5, 9, 30]))  # both sides of the scalar path
        batch = order[done : done + step]
        if rng.random() < 0.5:
            net.connect_many(batch, np.full(batch.size, 0.5))
        else:
            for j in batch.tolist():
                net.connect_one(j, 0.5)
        done += batch.size
        mutual, relevant, dms, colleagues, per_company = _reference_stocks(pop, order[:done])
        assert np.array_equal(net.mutual, mutual)
        assert (net.relevant, net.decision_makers, net.colleagues) == (relevant, dms, colleagues)
        assert net.dm_per_company == per_company
        assert list(net.dm_per_company) == list(per_company)  # the same insertion order


def test_second_degree_sample_draws_as_before():
    pop = _pop()
    net = Network.empty(pop, 0, N)
    net.connect_many(np.arange(1, 60, dtype=np.int64), np.full(59, 0.5))
    assert pop.degree[N - 1] == 0
    net.connect_one(N - 1, 0.5)  # a contact with no tie of their own
    for seed in range(5):
        got = net.second_degree_sample(40, np.random.default_rng(seed))
        rng = np.random.default_rng(seed)
        via = net.contacts[(rng.random(40) * net.n_contacts).astype(np.intp)]
        deg = pop.degree[via]
        via, deg = via[deg > 0], deg[deg > 0]
        slot = pop.indptr[via] + (rng.random(via.size) * deg).astype(np.int64)
        assert np.array_equal(got, pop.indices[slot].astype(np.int64))
        assert got.dtype == np.int64


def test_at_each_pushes_what_successive_at_calls_pushed():
    from types import SimpleNamespace

    from ssisim.sim.context import at, at_each

    def action(ctx, *args):
        pass

    env = SimpleNamespace(now=3.5)
    one = SimpleNamespace(env=env, pending=[], scheduled=7)
    many = SimpleNamespace(env=env, pending=[], scheduled=7)
    delays = [0.25, 0.0, 2.0, 1e-300, 0.25]
    args = [(j, j / 3, 4) for j in range(5)]
    for d, a in zip(delays, args, strict=True):
        at(one, env.now + d, action, *a)
    at_each(many, delays, action, iter(args))
    assert many.pending == one.pending and many.scheduled == one.scheduled == 12
    assert [heapq.heappop(many.pending)[:2] for _ in range(5)] == [
        heapq.heappop(one.pending)[:2] for _ in range(5)
    ]


SCENARIO = """
name: terms
weeks: 2
population: {size: 400}
strategies: [inactive]
"""


def _ctx():
    sc = parse_scenario(SCENARIO)
    pop = population_for(sc)
    st = Strategy(name="s", profile_completeness=0.7)
    return new_context(pop, sc, st, np.random.default_rng(1), np.random.default_rng(2), 0)


def test_invitee_terms_are_the_per_batch_factors():
    ctx = _ctx()
    pop, acc = ctx.pop, ctx.sc.answers.acceptance
    targets = np.random.default_rng(3).integers(0, pop.n, 50)
    base, seniority = invitee_terms(ctx)
    floor = acc.relevance_floor
    want = pop.openness[targets] * (floor + (1 - floor) * pop.relevance[targets])
    assert base[targets].dtype == want.dtype
    assert np.array_equal(base[targets], want)
    assert np.array_equal(seniority[targets], ctx.seniority_acceptance[pop.seniority[targets]])
    assert invitee_terms(ctx)[0] is base  # made once a run


def test_pruned_profile_viewers_leave_the_fresh_candidates_unchanged():
    ctx = _ctx()
    net, rng = ctx.net, np.random.default_rng(4)
    viewers = rng.integers(0, ctx.pop.n, 120).tolist()
    net.recent_viewers = list(viewers)
    net.viewed_at[viewers] = rng.uniform(-40.0, 0.0, len(viewers))
    net.invited[rng.integers(0, ctx.pop.n, 100)] = True
    new = np.setdiff1d(rng.integers(0, ctx.pop.n, 30), net.contacts)
    net.connect_many(new, np.full(new.size, 0.5))
    # what the unpruned list gave: every recent viewer, fresh() dropping the rest
    recent = np.asarray(viewers, dtype=np.int64)
    want = fresh(ctx, recent[net.viewed_at[recent] >= ctx.env.now - 30.0])
    assert np.array_equal(fresh(ctx, candidates(ctx, "profile_viewers", 5)), want)
    kept = np.asarray(net.recent_viewers, dtype=np.int64)
    assert set(kept.tolist()) == set(want.tolist())  # only the fresh viewers are kept


# ------------------------------------------------ the invitees' answers, vectorised (b7f6fdd)


def _vectorised_answer(ctx, targets, note, sent_week):
    """``invite``'s tail as it was, numpy over the batch (verbatim but for the names)."""
    from itertools import repeat

    from ssisim.sim.context import at_each
    from ssisim.sim.mechanisms.invitations import accepted, new_tie_strengths
    from ssisim.sim.mechanisms.prospecting import receive_views

    net, st, sc, n = ctx.net, ctx.st, ctx.sc, targets.size
    note = np.asarray(note, dtype=bool)
    rng, acc = ctx.arng, sc.answers.acceptance
    base, seniority = invitee_terms(ctx)
    mutual = np.minimum(net.mutual[targets], acc.mutual_saturation) / acc.mutual_saturation
    p = (
        base[targets]
        * (1 + acc.note_lift * note)
        * (1 + acc.mutual_lift * mutual)
        * (acc.profile_floor + (1 - acc.profile_floor) * st.profile_completeness)
        * seniority[targets]
    )
    accept = rng.random(n) < np.minimum(p, 1.0)
    delays = rng.exponential(acc.mean_delay_days, size=n)
    accept &= delays < sc.platform.invitation_expiry_days
    looks = rng.random(n) < sc.answers.inbound.invitee_view_rate
    receive_views(ctx, targets[looks].tolist())
    joining = targets[accept]
    if joining.size == 0:
        return
    ties = sc.answers.ties
    strengths = np.minimum(new_tie_strengths(ctx, joining) + ties.note_bonus * note[accept], 1.0)
    at_each(
        ctx,
        delays[accept].tolist(),
        accepted,
        zip(joining.tolist(), strengths.tolist(), repeat(sent_week)),
    )


ANSWERS = """
name: answers
weeks: 2
population: {{size: 400}}
strategies: [inactive]
platform: {{invitation_expiry_days: {expiry}}}
answers:
  acceptance: {{note_lift: {lift}, mutual_lift: {mutual_lift}, mutual_saturation: {sat},
               mean_delay_days: 4}}
  ties: {{overlap_gain: {gain}, note_bonus: 0.3}}
  inbound: {{invitee_view_rate: 0.5, invite_after_view: 0.9}}
"""


@pytest.mark.parametrize(
    "expiry, lift, mutual_lift, sat, gain",
    [(180, 0.05, 0.8, 10, 3.0), (3, 2.5, 30.0, 2, 40.0), (50, 0, 0, 1, 0), (9, 1, 4, 7, 12)],
)
def test_the_invitees_answers_are_the_vectorised_ones(expiry, lift, mutual_lift, sat, gain):
    from ssisim.sim.mechanisms.invitations import _answer

    sc = parse_scenario(
        ANSWERS.format(expiry=expiry, lift=lift, mutual_lift=mutual_lift, sat=sat, gain=gain)
    )
    pop = population_for(sc)
    st = Strategy(name="s", profile_completeness=0.6)
    runs = [
        new_context(pop, sc, st, np.random.default_rng(1), np.random.default_rng(2), 0)
        for _ in range(2)
    ]
    rng = np.random.default_rng(5)
    for step in range(40):
        size = int(rng.choice([1, 2, 4, 20, 60]))
        targets = rng.permutation(pop.n)[:size].astype(np.int64)
        note = (rng.random(size) < 0.5).tolist()
        grow = rng.permutation(pop.n)[:5].astype(np.int64)
        for ctx, answer in zip(runs, (_vectorised_answer, _answer), strict=True):
            new = grow[~ctx.net.contact[grow]]
            ctx.net.connect_many(new, np.full(new.size, 0.4))  # mutual contacts change
            answer(ctx, targets, note, step)
        want, got = runs
        assert got.arng.random() == want.arng.random()  # the same draws
        assert got.pending == want.pending and got.scheduled == want.scheduled
        assert vars(got.week) == vars(want.week)
        assert got.net.recent_viewers == want.net.recent_viewers
        assert got.net.inbox == want.net.inbox
        assert np.array_equal(got.net.invited, want.net.invited)
    assert want.scheduled > 20  # acceptances were scheduled

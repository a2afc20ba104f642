"""Content, prospecting and leads against their numpy originals: the same draws, the same state.

The mechanisms were rewritten for speed (Python lists and sets where numpy's
per-call cost dominated). The originals are kept here, verbatim but for their
names, and both run side by side on two contexts built alike: after every
step the random streams, the week's flows, the network and the lead counts
must be identical, to the bit. The rates are set high so that every branch
(inbound leads, invitations after a view, introductions, strangers viewing
the profile) is taken many times.
"""

from __future__ import annotations

import bisect
import dataclasses
import math
from typing import Any

import numpy as np
import pytest

from ssisim.population.build import gather_neighbors, population_from_edges
from ssisim.records import LEAD_COLUMNS
from ssisim.scenario.loading import parse_scenario
from ssisim.sim.context import RunContext, new_context
from ssisim.sim.draws import pick, pick_one
from ssisim.sim.mechanisms import content, leads, prospecting

# ------------------------------------------------------------ the originals (d45296f)

_LEAD_SLOT = {name: i for i, name in enumerate(LEAD_COLUMNS)}


def old_count_leads(ctx: RunContext, origin: str, members: Any, warm: Any = None) -> None:
    if members.size == 0:
        return
    pop, counts, slot = ctx.pop, ctx.ledger.leads, _LEAD_SLOT
    target = pop.relevant[members]
    dm = target & pop.decision_maker[members]
    base = f"leads_{origin}"
    counts[slot[base]] += members.size
    counts[slot[f"{base}_target"]] += int(target.sum())
    counts[slot[f"{base}_dm"]] += int(dm.sum())
    if warm is not None:
        counts[slot[f"{base}_warm"]] += int(warm.sum())
        counts[slot[f"{base}_target_warm"]] += int((target & warm).sum())
        counts[slot[f"{base}_dm_warm"]] += int((dm & warm).sum())


def old_inbound(ctx: RunContext, members: Any) -> None:
    if members.size == 0:
        return
    net = ctx.net
    hit = members[ctx.lrng.random(members.size) < ctx.sc.answers.leads.inbound_rate]
    hit = hit[hit != ctx.me]
    old_count_leads(ctx, "inbound", hit, net.contact[hit] & (net.tie[hit] >= ctx.warm))


def old_introduced(ctx: RunContext, introducers: Any, rng: Any) -> tuple[Any, Any]:
    pop = ctx.pop
    deg = pop.indptr[introducers + 1] - pop.indptr[introducers]
    keep = deg > 0
    pick = pop.indptr[introducers[keep]] + (rng.random(int(keep.sum())) * deg[keep]).astype(
        np.int64
    )
    chosen = pop.indices[pick].astype(np.int64)
    mine = chosen != ctx.me
    keep[np.flatnonzero(keep)[~mine]] = False
    return chosen[mine], keep


def old_introductions(ctx: RunContext) -> None:
    net, lds = ctx.net, ctx.sc.answers.leads
    contacts = net.contacts
    if contacts.size and lds.introduction_rate > 0:
        rng = ctx.lrng
        p = lds.introduction_rate * leads.trust(
            net.mutual[contacts], lds.trust_floor, lds.trust_half_mutual_contacts
        )
        hit = rng.random(contacts.size) < p
        chosen, kept = old_introduced(ctx, contacts[hit], rng)
        new = ~net.contact[chosen]
        warm = net.tie[contacts[hit][kept]] >= ctx.warm
        old_count_leads(ctx, "introduction", chosen[new], warm[new])


def old_existing(ctx: RunContext) -> None:
    rate = ctx.sc.answers.leads.existing_rate
    if ctx.existing.size and rate > 0:
        hit = ctx.erng.random(ctx.existing.size) < rate
        chosen, _ = old_introduced(ctx, ctx.existing[hit], ctx.erng)
        old_count_leads(ctx, "existing", chosen)


def old_receive_views(ctx: RunContext, viewers: Any) -> None:
    if viewers.size == 0:
        return
    net = ctx.net
    viewers = viewers[viewers != ctx.me]
    ctx.week.profile_views_received += viewers.size
    net.viewed_at[viewers] = ctx.env.now
    strangers = viewers[~net.contact[viewers]]
    net.recent_viewers.extend(strangers.tolist())
    fresh = strangers[~net.invited[strangers]]
    inviting = fresh[ctx.arng.random(fresh.size) < ctx.invite_after_view[fresh]]
    if inviting.size:
        net.invited[inviting] = True
        net.inbox.extend(inviting.tolist())
        ctx.week.invitations_received += inviting.size


def old_prospect(ctx: RunContext, searches: int, views: int) -> None:
    w, t = ctx.week, ctx.sc.time
    w.searches += searches
    w.profile_views_made += views
    w.minutes += searches * t.search_minutes + views * t.profile_view_minutes
    pool = ctx.relevant_ids if ctx.relevant_ids.size else np.arange(ctx.pop.n)
    if views:
        viewed = pool[pick(ctx.rng, pool.size, views)]
        back = viewed[ctx.arng.random(views) < ctx.sc.answers.inbound.view_back_rate]
        old_receive_views(ctx, back)


def old_passive_views(ctx: RunContext) -> None:
    inbound, arng = ctx.sc.answers.inbound, ctx.arng
    lam = (
        inbound.passive_views_per_week
        * math.sqrt(ctx.net.n_contacts)
        * (0.5 + 0.5 * ctx.st.profile_completeness)
    )
    k = int(arng.poisson(lam / 7))
    if k:
        viewers = ctx.net.second_degree_sample(k, arng)
        strangers = pick(arng, ctx.pop.n, k - viewers.size).astype(np.int64)
        old_receive_views(ctx, np.concatenate([viewers, strangers]))


def old_publish(ctx: RunContext, reach_factor: float, engagement_factor: float) -> list[int]:
    net, pop, sc = ctx.net, ctx.pop, ctx.sc
    reach = sc.answers.reach
    boost = 1.0 + sc.platform.boost_reach if ctx.boosted else 1.0
    rng = ctx.arng
    p_feed = min(reach.feed_share * reach_factor * boost, 1.0)
    p_hop = min(reach.hop_share * reach_factor, 1.0)
    contacts = net.contacts
    attention = ctx.attention
    propensity, tie = ctx.engage_propensity, net.tie
    p_seen = tie[contacts]
    p_seen *= reach.closeness_gain
    p_seen += 1.0
    if attention is not None:
        p_seen *= attention[contacts]
    p_seen *= p_feed
    viewers = contacts[rng.random(contacts.size) < p_seen]
    audience = (max(net.n_contacts, 1) / reach.reference_audience) ** -reach.audience_elasticity
    seen = [viewers]
    engaged_all = []
    frontier = viewers
    me = ctx.me
    marked = ctx.marked
    marked[viewers] = True
    for hop in range(reach.max_hops + 1):
        p = (
            reach.reaction_rate
            * engagement_factor
            * audience
            * propensity[frontier]
            * (0.5 + pop.relevance[frontier])
            * (0.5 + tie[frontier])
        )
        engaged = frontier[rng.random(frontier.size) < np.minimum(p, 1.0)]
        engaged_all.append(engaged)
        if hop == reach.max_hops or engaged.size == 0:
            break
        nxt = gather_neighbors(pop.indptr, pop.indices, engaged)
        seen_by = p_hop if attention is None else p_hop * attention[nxt]
        nxt = np.unique(nxt[rng.random(nxt.size) < seen_by])
        nxt = nxt[~marked[nxt]]
        nxt = nxt[nxt != me]
        marked[nxt] = True
        seen.append(nxt)
        frontier = nxt
    for group in seen:
        marked[group] = False
    steps = [a.size for a in seen]
    impressions = sum(steps)
    engaged = np.concatenate(engaged_all)
    w = ctx.week
    w.impressions += impressions
    w.engagements += engaged.size
    old_inbound(ctx, engaged)
    net.strengthen(engaged, sc.answers.ties.interaction_gain / 2)
    strangers = engaged[~net.contact[engaged]]
    old_receive_views(ctx, strangers[rng.random(strangers.size) < reach.profile_view_rate])
    return steps


def old_feed_pick(ctx: RunContext) -> int:
    net = ctx.net
    draws = ctx.rng.random(content.FEED_GLANCE + 1)
    chosen = net.contact_ids[(draws[: content.FEED_GLANCE] * net.n_contacts).astype(np.intp)]
    cand, ties, activity = chosen.tolist(), net.tie[chosen].tolist(), ctx.pop.activity_values
    total = 0.0
    upto = []
    for j, t in zip(cand, ties, strict=True):
        total += activity[j] * (0.5 + t)
        upto.append(total)
    if total <= 0.0:
        return cand[0]
    x = float(draws[content.FEED_GLANCE]) * total
    return cand[min(bisect.bisect_right(upto, x), content.FEED_GLANCE - 1)]


def old_comment(ctx: RunContext) -> None:
    net, pop, sc = ctx.net, ctx.pop, ctx.sc
    w = ctx.week
    w.comments += 1
    w.minutes += sc.time.comment_minutes
    if net.n_contacts:
        author = old_feed_pick(ctx)
        net.strengthen_one(author, sc.answers.ties.interaction_gain)
    else:
        author = pick_one(ctx.rng, pop.n)
    boost = 1.0 + sc.platform.boost_reach if ctx.boosted else 1.0
    k = ctx.arng.poisson(sc.answers.inbound.comment_views * boost)
    nbrs = pop.neighbors(author)
    if k and nbrs.size:
        viewers = nbrs[pick(ctx.arng, nbrs.size, k)].astype(np.int64)
        old_receive_views(ctx, viewers)
        old_inbound(ctx, viewers)


# ------------------------------------------------------------ side by side

N = 400
SCENARIO = """
name: equivalence
weeks: 4
population: {{size: 200}}
answers:
  reach: {{feed_share: 0.5, hop_share: 0.3, reaction_rate: 0.6, profile_view_rate: 0.6,
          attention_half_load: {attention}}}
  inbound: {{passive_views_per_week: 40, view_back_rate: 0.5, comment_views: 3,
            invite_after_view: 0.5}}
  leads: {{inbound_rate: 0.4, introduction_rate: 0.5, existing_rate: 0.4}}
  pitches: {{invite_lift: {lift}}}
strategies: [inactive]
"""


def _population(seed: int) -> Any:
    """A random graph of N members, a few of them isolated, the seller (0) with 150 contacts."""
    r = np.random.default_rng(seed)
    u, v = r.integers(1, N, size=(2, 3000))
    isolated = np.arange(N - 20, N)
    keep = (u != v) & ~np.isin(u, isolated) & ~np.isin(v, isolated)
    contacts = r.choice(np.arange(1, N), size=150, replace=False)
    return population_from_edges(
        np.stack([u[keep], v[keep]], axis=1),
        industry=[0] * N,
        company=r.integers(0, 40, size=N),
        seniority=r.integers(0, 5, size=N),
        activity=r.gamma(1.0, 1.0, size=N) * (r.random(N) < 0.8),
        openness=r.random(N),
        relevance=r.random(N),
        seller=0,
        seller_contacts=contacts,
        seller_ties=r.random(150),
        industries=["software"],
        sells=r.random(N) < 0.2,
    )


def _context(pop: Any, text: str, seed: int) -> RunContext:
    sc = parse_scenario(text)
    streams = [np.random.default_rng([seed, k]) for k in range(4)]
    rng, arng, lrng, erng = streams
    return new_context(pop, sc, sc.strategies[0], rng, arng, 0, lrng, None, erng)


def _state(ctx: RunContext) -> dict[str, Any]:
    net = ctx.net
    return {
        "streams": [g.bit_generator.state for g in (ctx.rng, ctx.arng, ctx.lrng, ctx.erng)],
        "week": dataclasses.asdict(ctx.week),
        "leads": ctx.ledger.leads.tolist(),
        "contact": net.contact.tobytes(),
        "tie": net.tie.tobytes(),
        "invited": net.invited.tobytes(),
        "viewed_at": net.viewed_at.tobytes(),
        "recent_viewers": list(net.recent_viewers),
        "inbox": list(net.inbox),
        "marked": ctx.marked.tobytes(),
    }


def _pair(ctx: RunContext, a: int) -> tuple[list[tuple[str, Any, Any]], Any]:
    """The steps, each as (name, original, new), and some members to pass them."""
    r = np.random.default_rng(a)
    some = r.integers(0, N, size=r.integers(0, 12)).astype(np.int64)
    some[: min(2, some.size)] = ctx.me  # the seller among them, and repeats
    contacts = ctx.net.contacts.copy()
    introducers = np.concatenate([contacts[:8], np.arange(N - 3, N)])
    return [
        ("post", lambda c: old_publish(c, 1.0, 1.0), lambda c: content.publish(c, 1.0, 1.0)),
        ("article", lambda c: old_publish(c, 0.6, 2.0), lambda c: content.publish(c, 0.6, 2.0)),
        ("comment", old_comment, content.comment),
        ("feed_pick", old_feed_pick, content.feed_pick),
        ("prospect", lambda c: old_prospect(c, 2, 7), lambda c: prospecting.prospect(c, 2, 7)),
        ("passive_views", old_passive_views, prospecting.passive_views),
        (
            "receive_views",
            lambda c: old_receive_views(c, some),
            lambda c: prospecting.receive_views(c, some.tolist()),
        ),
        ("inbound", lambda c: old_inbound(c, some), lambda c: leads.inbound(c, some.tolist())),
        (
            "introduced",
            lambda c: old_introduced(c, introducers, c.lrng),
            lambda c: leads.introduced(c, introducers, c.lrng),
        ),
        ("introductions", old_introductions, leads.introductions),
        ("existing", old_existing, leads.existing),
    ], r


def _same(x: Any, y: Any) -> bool:
    if isinstance(x, tuple):
        return all(_same(a, b) for a, b in zip(x, y, strict=True))
    if isinstance(x, np.ndarray):
        return x.dtype.kind == y.dtype.kind and np.array_equal(x, y)
    return bool(x == y)


@pytest.mark.parametrize("attention", ["null", "5.0"])
@pytest.mark.parametrize("lift", [0.0, 1.5])
def test_the_rewritten_mechanisms_draw_and_change_what_the_originals_did(attention, lift):
    text = SCENARIO.format(attention=attention, lift=lift)
    pop = _population(7)
    old, new = _context(pop, text, 3), _context(pop, text, 3)
    assert (old.attention is None) == (attention == "null")
    taken: dict[str, int] = {}
    for step in range(300):
        steps, r = _pair(old, step)
        name, before, after = steps[int(r.integers(len(steps)))]
        old.boosted = new.boosted = bool(r.random() < 0.3)
        got_old, got_new = before(old), after(new)
        assert _same(got_old, got_new), (step, name, got_old, got_new)
        assert _state(old) == _state(new), (step, name)
        taken[name] = taken.get(name, 0) + 1
    # every branch was reached: leads, invitations after views, strangers viewing
    assert new.ledger.leads[_LEAD_SLOT["leads_inbound"]] > 0
    assert new.ledger.leads[_LEAD_SLOT["leads_introduction"]] > 0
    assert new.ledger.leads[_LEAD_SLOT["leads_existing"]] > 0
    assert new.net.inbox and new.net.recent_viewers
    assert len(taken) == 11

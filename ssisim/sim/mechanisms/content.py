"""Content: posts, articles, shares, comments and reactions, and how far they reach.

A post travels through the network: contacts see it (``reach.feed_share``,
less often when their feed is crowded by active ties: ``ctx.attention``),
some react (by activity, relevance and tie; engagement per viewer falls as
the seller's audience grows, ``reach.audience_elasticity``), and each
reaction shows it to a share of the reactor's own contacts (``hop_share``,
again by their attention), up to ``reach.max_hops``. So a post goes further
from contacts who are central (many ties) and bridging (ties the seller's
network does not already hold, the not-yet-seen). Reactors may reach out
(inbound leads), their ties warm, strangers among them may look at the
seller's profile. Above the SSI threshold, the platform's visibility boost
widens the first audience.
"""

from __future__ import annotations

import bisect

import numpy as np

from ssisim.sim.context import RunContext
from ssisim.sim.draws import pick, pick_one
from ssisim.sim.mechanisms.leads import inbound
from ssisim.sim.mechanisms.prospecting import receive_views

__all__ = [
    "FEED_GLANCE",
    "article",
    "comment",
    "feed_pick",
    "post",
    "publish",
    "reach",
    "react",
    "share",
]

FEED_GLANCE = 10
"""Contacts whose posts the seller glances at before choosing one to comment on
or react to (:func:`feed_pick`)."""


def publish(ctx: RunContext, reach_factor: float, engagement_factor: float) -> list[int]:
    """A post travels: contacts see it, reactors show it to their own contacts.

    Parameters
    ----------
    reach_factor : float
        Multiplies the feed's and each hop's share (an article reaches further).
    engagement_factor : float
        Multiplies the chance to react (a share draws less).

    Returns
    -------
    list of int
        The post's new viewers at each step of its cascade: the seller's
        contacts first, then each hop's (the list ends with the last step
        that reached anyone).
    """
    net, pop, sc = ctx.net, ctx.pop, ctx.sc
    reach = sc.answers.reach
    boost = 1.0 + sc.platform.boost_reach if ctx.boosted else 1.0
    rng = ctx.arng
    p_feed = min(reach.feed_share * reach_factor * boost, 1.0)
    # the boost widens the first audience only; the cascade then grows in proportion,
    # so an identical post's expected reach is multiplied by the boost factor (C6)
    p_hop = min(reach.hop_share * reach_factor, 1.0)
    contacts = net.contacts
    attention = ctx.attention
    propensity, tie = ctx.engage_propensity, net.tie
    # the feed ranks close ties first: a contact sees the post more the closer the tie
    # p_feed * (1 + closeness_gain * tie) * attention, in place (one array, no temporaries);
    # over hundreds of contacts, take and compress are faster than [] (the same values)
    p_seen = tie.take(contacts)
    p_seen *= reach.closeness_gain
    p_seen += 1.0
    if attention is not None:
        p_seen *= attention.take(contacts)
    p_seen *= p_feed
    viewers = contacts.compress(rng.random(contacts.size) < p_seen)
    # engagement per viewer falls as the audience grows (Markerly; Wies et al. 2022)
    audience = (max(net.n_contacts, 1) / reach.reference_audience) ** -reach.audience_elasticity
    reaction = reach.reaction_rate * engagement_factor * audience
    # The cascade's later steps are a few dozen members and its reactions a handful: those
    # are Python lists (numpy's per-call cost would dominate); the per-member chances stay
    # numpy, the same arithmetic in the same order.
    steps = [viewers.size]
    engaged: list[int] = []
    me, seen = ctx.me, ctx.marked  # a bitmap of who saw the post: cleared before returning
    half_relevance, rows = pop.half_relevance, pop.row_starts
    neighbors = pop.indices
    marked: list[np.ndarray] = []  # the groups set in the bitmap, to clear
    frontier = viewers
    for hop in range(reach.max_hops + 1):
        # reaction * propensity * (0.5 + relevance) * (0.5 + tie); for u in [0, 1),
        # u < min(p, 1) is u < p
        p = reaction * propensity[frontier]
        p *= half_relevance[frontier]
        p *= 0.5 + tie[frontier]
        reacted = frontier[rng.random(frontier.size) < p].tolist()
        engaged += reacted
        if hop == reach.max_hops or not reacted:
            break
        nxt = np.concatenate([neighbors[rows[j] : rows[j + 1]] for j in reacted])
        seen_by = p_hop if attention is None else p_hop * attention[nxt]
        shown = nxt[rng.random(nxt.size) < seen_by].tolist()
        if not marked:
            seen[viewers] = True
            marked.append(viewers)
        # the new viewers (never the seller), sorted as the draws expect
        fresh = sorted({j for j in shown if not seen[j] and j != me})
        steps.append(len(fresh))
        if not fresh:
            break  # (the next step would react with no one and draw nothing)
        frontier = np.array(fresh, dtype=np.intp)
        seen[frontier] = True
        marked.append(frontier)
    for group in marked:
        seen[group] = False
    w = ctx.week
    w.impressions += sum(steps)
    w.engagements += len(engaged)
    if engaged:
        inbound(ctx, engaged)
        gain = sc.answers.ties.interaction_gain / 2
        for j in engaged:  # distinct: the cascade's steps never overlap
            net.strengthen_one(j, gain)
        contact = net.contact
        strangers = [j for j in engaged if not contact[j]]
        if strangers:
            rate = reach.profile_view_rate
            draws = rng.random(len(strangers)).tolist()
            receive_views(ctx, [j for j, u in zip(strangers, draws, strict=True) if u < rate])
    return steps


def reach(ctx: RunContext) -> int:
    """Publish one post outside the routine (nothing counted but its reach); its impressions."""
    return sum(publish(ctx, 1.0, 1.0))


def post(ctx: RunContext) -> None:
    """A post: the feed's reach and engagement."""
    w = ctx.week
    w.posts += 1
    w.minutes += ctx.sc.time.post_minutes
    publish(ctx, 1.0, 1.0)


def article(ctx: RunContext) -> None:
    """An article: reaches further (``reach.article_reach``), draws more engagement."""
    w = ctx.week
    w.articles += 1
    w.minutes += ctx.sc.time.article_minutes
    reach = ctx.sc.answers.reach
    publish(ctx, reach.article_reach, reach.article_engagement)


def share(ctx: RunContext) -> None:
    """A share of someone else's content: less reach, half the engagement."""
    w = ctx.week
    w.shares += 1
    w.minutes += ctx.sc.time.share_minutes
    publish(ctx, ctx.sc.answers.reach.share_reach, 0.5)


def feed_pick(ctx: RunContext) -> int:
    """The contact whose post the seller comments on or reacts to: from their feed.

    The seller glances at :data:`FEED_GLANCE` contacts drawn at random and
    picks one with chance proportional to how often that contact posts
    (``activity``) and how close the tie is (``0.5 + tie``): one can only
    answer posts that exist, and the feed puts close ties first. So the
    seller's interactions go to the active members of their network and keep
    going to the same ones, rather than being spread over every contact.
    """
    net = ctx.net
    # eleven numbers: a few numpy calls, then plain Python (cheaper on arrays this small)
    draws = ctx.rng.random(FEED_GLANCE + 1)
    chosen = net.contact_ids[(draws[:FEED_GLANCE] * net.n_contacts).astype(np.intp)]
    cand, upto, activity = chosen.tolist(), net.tie[chosen].tolist(), ctx.pop.activity_values
    # the running totals of activity * (0.5 + tie), written over the ties (no appends)
    total = 0.0
    for i, j in enumerate(cand):
        total += activity[j] * (0.5 + upto[i])
        upto[i] = total
    if total <= 0.0:
        return cand[0]
    # the first candidate whose running total passes the draw (never a zero weight)
    x = draws.item(FEED_GLANCE) * total
    return cand[min(bisect.bisect_right(upto, x), FEED_GLANCE - 1)]


def comment(ctx: RunContext) -> None:
    """Comment on a contact's post: the tie warms, the author's network sees the seller."""
    net, pop, sc = ctx.net, ctx.pop, ctx.sc
    w = ctx.week
    w.comments += 1
    w.minutes += sc.time.comment_minutes
    if net.n_contacts:
        author = feed_pick(ctx)
        net.strengthen_one(author, sc.answers.ties.interaction_gain)
    else:
        author = pick_one(ctx.rng, pop.n)
    boost = 1.0 + sc.platform.boost_reach if ctx.boosted else 1.0
    k = ctx.arng.poisson(sc.answers.inbound.comment_views * boost)
    if k:
        nbrs = pop.neighbors(author)
        if nbrs.size:
            viewers = nbrs[pick(ctx.arng, nbrs.size, k)].tolist()
            receive_views(ctx, viewers)
            inbound(ctx, viewers)


def react(ctx: RunContext) -> None:
    """React to a contact's post: the tie warms a little."""
    net = ctx.net
    ctx.week.minutes += ctx.sc.time.reaction_minutes
    if net.n_contacts:
        who = feed_pick(ctx)
        net.strengthen_one(who, ctx.sc.answers.ties.interaction_gain / 3)

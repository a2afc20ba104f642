"""Prospecting and being viewed: searches, profile views, and who looks back.

Every profile view the seller receives goes through :func:`receive_views`:
strangers among the viewers are remembered (the "who viewed your profile"
list), and some of those never invited invite the seller.
"""

from __future__ import annotations

import math

from ssisim.sim.context import DAYS_PER_WEEK, RunContext
from ssisim.sim.draws import pick

__all__ = ["passive_views", "prospect", "receive_views"]


def receive_views(ctx: RunContext, viewers: list[int]) -> None:
    """Members open the seller's profile; some who are strangers invite.

    ``viewers`` is a list of member ids. Views come a few at a time (one or two a call on average), where numpy's
    per-call cost is most of the work: plain Python over the list does the
    same steps, in the same order, with the same draws.
    """
    if not viewers:
        return
    net, me = ctx.net, ctx.me
    if me in viewers:
        viewers = [v for v in viewers if v != me]
    ctx.week.profile_views_received += len(viewers)
    viewed_at, now = net.viewed_at, ctx.env.now
    for v in viewers:
        viewed_at[v] = now
    contact = net.contact
    strangers = [v for v in viewers if not contact[v]]
    if not strangers:
        return  # no draw either: random(0) leaves the stream as it is
    net.recent_viewers.extend(strangers)
    invited = net.invited
    fresh = [v for v in strangers if not invited[v]]
    if not fresh:
        return
    # .item: a Python float (float32 would make the comparison in float32)
    chance = ctx.invite_after_view.item
    draws = ctx.arng.random(len(fresh)).tolist()
    inviting = [v for v, u in zip(fresh, draws, strict=True) if u < chance(v)]
    if inviting:
        for v in inviting:
            invited[v] = True  # they asked: no need to invite them back
        net.inbox.extend(inviting)
        ctx.week.invitations_received += len(inviting)


def prospect(ctx: RunContext, searches: int, views: int) -> None:
    """Searches and profile views of prospects; some look back."""
    w, t = ctx.week, ctx.sc.time
    w.searches += searches
    w.profile_views_made += views
    w.minutes += searches * t.search_minutes + views * t.profile_view_minutes
    if views:
        pool = ctx.relevant_ids  # or anyone, when no one is relevant
        at = pick(ctx.rng, pool.size or ctx.pop.n, views)
        viewed = (pool[at] if pool.size else at).tolist()
        rate = ctx.sc.answers.inbound.view_back_rate
        draws = ctx.arng.random(views).tolist()
        receive_views(ctx, [v for v, u in zip(viewed, draws, strict=True) if u < rate])


def passive_views(ctx: RunContext) -> None:
    """A day's search appearances turned profile views, growing with the network."""
    inbound, arng = ctx.sc.answers.inbound, ctx.arng
    lam = (
        inbound.passive_views_per_week
        * math.sqrt(ctx.net.n_contacts)
        * (0.5 + 0.5 * ctx.st.profile_completeness)
    )
    k = int(arng.poisson(lam / DAYS_PER_WEEK))
    if k:
        viewers = ctx.net.second_degree_sample(k, arng).tolist()
        if len(viewers) < k:  # the rest are strangers, found by search
            viewers += pick(arng, ctx.pop.n, k - len(viewers)).tolist()
        receive_views(ctx, viewers)

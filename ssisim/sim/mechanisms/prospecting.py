"""Prospecting and being viewed: searches, profile views, and who looks back.

Every profile view the seller receives goes through :func:`receive_views`:
strangers among the viewers are remembered (the "who viewed your profile"
list), and some of those never invited invite the seller.
"""

from __future__ import annotations

import math

import numpy as np

from ssisim.sim.context import DAYS_PER_WEEK, RunContext
from ssisim.sim.draws import pick

__all__ = ["passive_views", "prospect", "receive_views"]


def receive_views(ctx: RunContext, viewers: np.ndarray) -> None:
    """Members open the seller's profile; some who are strangers invite."""
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
        net.invited[inviting] = True  # they asked: no need to invite them back
        net.inbox.extend(inviting.tolist())
        ctx.week.invitations_received += inviting.size


def prospect(ctx: RunContext, searches: int, views: int) -> None:
    """Searches and profile views of prospects; some look back."""
    w, t = ctx.week, ctx.sc.time
    w.searches += searches
    w.profile_views_made += views
    w.minutes += searches * t.search_minutes + views * t.profile_view_minutes
    pool = ctx.relevant_ids if ctx.relevant_ids.size else np.arange(ctx.pop.n)
    if views:
        viewed = pool[pick(ctx.rng, pool.size, views)]
        back = viewed[ctx.arng.random(views) < ctx.sc.answers.inbound.view_back_rate]
        receive_views(ctx, back)


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
        viewers = ctx.net.second_degree_sample(k, arng)
        strangers = pick(arng, ctx.pop.n, k - viewers.size).astype(np.int64)
        receive_views(ctx, np.concatenate([viewers, strangers]))

"""Pitches received: what selling contacts do to the seller (docs/debate.md)."""

from __future__ import annotations

from ssisim.sim.context import RunContext

__all__ = ["pitches"]


def pitches(ctx: RunContext) -> int:
    """Pitches received this week: from new selling contacts, and selling weak ties.

    New contacts who sell pitch on connecting (those who invited the seller
    more readily); selling contacts with a weak tie pitch every week.
    """
    net, w, params, rng = ctx.net, ctx.week, ctx.sc.answers.pitches, ctx.lrng
    contacts = net.contacts
    weak_sellers = int((ctx.pop.sells[contacts] & (net.tie[contacts] < ctx.warm)).sum())
    inviters = w.new_selling_inviters
    return int(
        rng.binomial(w.new_selling - inviters, params.on_connect)
        + rng.binomial(inviters, min(1.0, params.on_connect * (1.0 + params.inviter_lift)))
        + rng.binomial(weak_sellers, params.weak_tie_per_week)
    )

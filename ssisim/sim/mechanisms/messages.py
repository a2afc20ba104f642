"""Messages: warm ones to strong-enough ties, cold ones to weak ties or by InMail.

A reply arrives after an exponential delay; the seller then handles the
conversation, the tie warms, and the reply may be a lead (outbound), warm or
cold as the tie it came through.
"""

from __future__ import annotations

import numpy as np

from ssisim.scenario.schema import Scenario, Strategy
from ssisim.sim.context import RunContext, at_each
from ssisim.sim.draws import pick
from ssisim.sim.mechanisms.leads import count_leads

__all__ = ["cold_message_minutes", "message", "replied", "warm_message_minutes"]


def warm_message_minutes(strategy: Strategy, scenario: Scenario) -> float:
    """Minutes a warm message is planned to cost, with the conversation its expected reply brings."""
    t = scenario.time
    return (
        t.warm_message_minutes + scenario.answers.messaging.warm_reply_rate * t.conversation_minutes
    )


def cold_message_minutes(strategy: Strategy, scenario: Scenario) -> float:
    """Minutes a cold message is planned to cost, with the conversation its expected reply brings."""
    t = scenario.time
    return (
        t.cold_message_minutes + scenario.answers.messaging.cold_reply_rate * t.conversation_minutes
    )


def message(ctx: RunContext, warm: int, cold: int) -> None:
    """Warm messages to strong-enough ties, cold ones to weak ties (or InMail with Sales Navigator)."""
    net, msg, rng, t = ctx.net, ctx.sc.answers.messaging, ctx.rng, ctx.sc.time
    contacts = net.contacts
    targets: list[np.ndarray] = []
    rates: list[float] = []
    minutes: list[float] = []
    warm_ties = None  # which contacts' ties are warm, computed once for both kinds
    if warm and contacts.size:
        warm_ties = net.tie[contacts] >= msg.warm_tie_threshold
        pool = contacts[warm_ties]
        if pool.size == 0:
            pool = contacts
        targets.append(pool[pick(rng, pool.size, warm)])
        rates.append(msg.warm_reply_rate)
        minutes.append(t.warm_message_minutes)
    if cold:
        if ctx.st.sales_navigator:
            pool = ctx.relevant_ids
            pool = pool[~net.contact[pool]] if pool.size else pool
            ctx.week.inmails += cold if pool.size else 0
        else:
            if warm_ties is None:
                warm_ties = net.tie[contacts] >= msg.warm_tie_threshold
            pool = contacts[~warm_ties]
        if pool.size:
            targets.append(pool[pick(rng, pool.size, cold)])
            rates.append(msg.cold_reply_rate)
            minutes.append(t.cold_message_minutes)
    w, arng = ctx.week, ctx.arng
    for who, rate, cost in zip(targets, rates, minutes, strict=True):
        w.messages_sent += who.size
        w.minutes += who.size * cost
        replies = who[arng.random(who.size) < rate]
        delays = arng.exponential(msg.mean_reply_delay_days, size=replies.size)
        if replies.size:
            at_each(ctx, delays.tolist(), replied, zip(replies.tolist()))


def replied(ctx: RunContext, j: int) -> None:
    """A reply arrives: the seller handles the conversation, which may be a lead.

    Any reply may start a business conversation (``leads.outbound_rate``): to
    a warm message, a cold one or an InMail. Whether it came through a warm
    tie is recorded with the lead, as the tie stands when the reply arrives
    (when the conversation starts: a tie that cooled in between counts cold);
    the business context then weighs warm and cold leads (its
    ``warm_premium``, :mod:`ssisim.results.outcomes`).
    """
    w, net = ctx.week, ctx.net
    w.replies += 1
    w.minutes += ctx.sc.time.conversation_minutes
    if ctx.lrng.random() < ctx.sc.answers.leads.outbound_rate:
        warm = bool(net.contact[j] and net.tie[j] >= ctx.warm)
        count_leads(ctx, "outbound", np.array([j], dtype=np.int64), np.array([warm]))
    net.strengthen_one(j, ctx.sc.answers.ties.interaction_gain)

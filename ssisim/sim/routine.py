"""The seller's routine, as SimPy processes over a run context.

The routine runs on working days (the first :data:`WORKING_DAYS` of each
week): repeating actions are spread evenly over them, batched actions
(invitations, messages, prospecting) split the week's counts over the days.
Every day the inbox of incoming invitations is answered, and at the end of
every week the SSI is refreshed (:func:`end_week`, :func:`record`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from typing import Any

import numpy as np

from ssisim.scenario.schema import Scenario, Strategy
from ssisim.sim.context import DAYS_PER_WEEK, RunContext
from ssisim.sim.mechanisms.content import article, comment, post, react, share
from ssisim.sim.mechanisms.invitations import answer_inbox, invite
from ssisim.sim.mechanisms.leads import existing, introductions
from ssisim.sim.mechanisms.messages import message
from ssisim.sim.mechanisms.pitches import pitches
from ssisim.sim.mechanisms.prospecting import passive_views, prospect
from ssisim.sim.mechanisms.restrictions import restrict, restricted

__all__ = [
    "INBOX_TIME_OF_DAY",
    "WEEKS_PER_MONTH",
    "WORKING_DAYS",
    "answering",
    "budget_factor",
    "count",
    "daily",
    "end_week",
    "planned_minutes",
    "record",
    "refreshing",
    "repeating",
    "start",
]

WORKING_DAYS = 5
WEEKS_PER_MONTH = 52.0 / 12.0
INBOX_TIME_OF_DAY = 0.9  # a fraction of a day: the seller answers the inbox late each day


def count(rng: np.random.Generator, per_week: float) -> int:
    """Actions this week: the integer part, plus one with the fractional part's chance."""
    whole = math.floor(per_week)
    return whole + int(rng.random() < per_week - whole)


def repeating(
    ctx: RunContext, per_week: float, action: Callable[[RunContext], None]
) -> Generator[Any, Any, None]:
    """A routine action spread evenly over each week's working days."""
    env, stats, rng = ctx.env, ctx.stats, ctx.rng
    for week in range(ctx.routine_weeks):
        start = week * DAYS_PER_WEEK
        k = count(rng, per_week)
        for i in range(k):
            yield env.timeout(start + (i + 0.5) * WORKING_DAYS / k - env.now)
            stats.events += 1
            action(ctx)
        yield env.timeout(start + DAYS_PER_WEEK - env.now)


def daily(
    ctx: RunContext,
    per_week: tuple[float, ...],
    action: Callable[..., None],
    caps: tuple[int | None, ...],
) -> Generator[Any, Any, None]:
    """A batched action each working day, the week's counts (each at most its cap) split over the days."""
    env, stats, rng = ctx.env, ctx.stats, ctx.rng
    for week in range(ctx.routine_weeks):
        start = week * DAYS_PER_WEEK
        counts = [count(rng, r) for r in per_week]
        counts = [c if cap is None else min(c, cap) for c, cap in zip(counts, caps, strict=True)]
        for day in range(WORKING_DAYS):
            yield env.timeout(start + day + 0.5 - env.now)
            today = [(c * (day + 1)) // WORKING_DAYS - (c * day) // WORKING_DAYS for c in counts]
            if any(today):
                stats.events += 1
                action(ctx, *today)
        yield env.timeout(start + DAYS_PER_WEEK - env.now)


def answering(ctx: RunContext) -> Generator[Any, Any, None]:
    """Every day: profile views from search appear, and the seller answers the inbox."""
    env, stats = ctx.env, ctx.stats
    for day in range(ctx.sc.weeks * DAYS_PER_WEEK):
        yield env.timeout(day + INBOX_TIME_OF_DAY - env.now)
        stats.events += 1
        passive_views(ctx)
        answer_inbox(ctx)


def end_week(ctx: RunContext) -> int:
    """Close the week's books, then what the SSI does not measure; the strong ties.

    Decay the ties, draw the endorsements, update the trailing activity
    (:meth:`~ssisim.sim.ledger.Ledger.close_week`); then, from the leads'
    streams only, the introductions and the existing relationships' leads,
    the pitches, and the platform's restriction.
    """
    strong = ctx.ledger.close_week(ctx.arng)
    introductions(ctx)
    existing(ctx)
    ctx.week.pitches = pitches(ctx)
    restrict(ctx)
    return strong


def record(ctx: RunContext, week: int, strong: int | None = None) -> None:
    """Score the week, append its record, and set the visibility boost for the next."""
    ctx.boosted = ctx.ledger.record(week, strong, restricted(ctx, week))


def refreshing(ctx: RunContext) -> Generator[Any, Any, None]:
    """The weekly SSI refresh: decay ties, update trailing activity, score, record."""
    env, stats, ledger = ctx.env, ctx.stats, ctx.ledger
    record(ctx, 0)
    for week in range(1, ctx.sc.weeks + 1):
        yield env.timeout(week * DAYS_PER_WEEK - env.now)
        stats.events += 1
        strong = end_week(ctx)
        record(ctx, week, strong)
        ledger.reset()


def start(ctx: RunContext) -> None:
    """Create the run's processes, in the order that fixes the order of events."""
    st, env = ctx.st, ctx.env
    env.process(refreshing(ctx))
    cap = ctx.sc.platform.invite_cap_per_week
    invites = st.invites_per_week
    factor = budget_factor(st, ctx.sc)
    if factor < 1.0:
        # the time budget scales every rate; invitations beyond the cap were never sent
        invites = min(invites, math.inf if cap is None else cap) * factor
    else:
        factor = 1.0

    def scaled(rate: float) -> float:
        return rate * factor if factor < 1.0 else rate

    routine = [
        (scaled(st.posts_per_week), post),
        (scaled(st.articles_per_month / WEEKS_PER_MONTH), article),
        (scaled(st.shares_per_week), share),
        (scaled(st.comments_per_week), comment),
        (scaled(st.reactions_per_week), react),
    ]
    for rate, action in routine:
        if rate > 0:
            env.process(repeating(ctx, rate, action))
    if invites > 0:
        env.process(daily(ctx, (invites,), invite, (cap,)))
    warm, cold = scaled(st.warm_messages_per_week), scaled(st.cold_messages_per_week)
    if warm > 0 or cold > 0:
        env.process(daily(ctx, (warm, cold), message, (None, None)))
    searches, views = scaled(st.searches_per_week), scaled(st.profile_views_per_week)
    if searches > 0 or views > 0:
        env.process(daily(ctx, (searches, views), prospect, (None, None)))
    env.process(answering(ctx))


def planned_minutes(strategy: Strategy, scenario: Scenario) -> float:
    """Minutes a week the routine plans, at its stated rates (what a time budget is checked against).

    Every action's rate times its cost (``time:``); invitations beyond the
    weekly cap are not counted (they are never sent), those with a note cost
    more; each message counts the conversation its expected reply brings
    (reply rate times ``conversation_minutes``). Answering incoming
    invitations is not planned: it depends on the others.
    """
    st, t, msg = strategy, scenario.time, scenario.answers.messaging
    cap = scenario.platform.invite_cap_per_week
    invites = st.invites_per_week if cap is None else min(st.invites_per_week, cap)
    note = st.invite_note_share
    return (
        st.posts_per_week * t.post_minutes
        + st.articles_per_month / WEEKS_PER_MONTH * t.article_minutes
        + st.shares_per_week * t.share_minutes
        + st.comments_per_week * t.comment_minutes
        + st.reactions_per_week * t.reaction_minutes
        + invites * (note * t.note_invitation_minutes + (1 - note) * t.blank_invitation_minutes)
        + st.warm_messages_per_week
        * (t.warm_message_minutes + msg.warm_reply_rate * t.conversation_minutes)
        + st.cold_messages_per_week
        * (t.cold_message_minutes + msg.cold_reply_rate * t.conversation_minutes)
        + st.searches_per_week * t.search_minutes
        + st.profile_views_per_week * t.profile_view_minutes
    )


def budget_factor(strategy: Strategy, scenario: Scenario) -> float:
    """What every rate is multiplied by to fit ``hours_per_week_budget`` (1 when it fits)."""
    budget = strategy.hours_per_week_budget
    planned = planned_minutes(strategy, scenario)
    if budget is None or planned <= budget * 60.0:
        return 1.0
    return budget * 60.0 / planned

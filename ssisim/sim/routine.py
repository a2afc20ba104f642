"""The seller's routine: one table of activities, run as SimPy processes.

:data:`ACTIVITIES` is the routine's single source: each row names a rate of
:class:`~ssisim.scenario.schema.Strategy`, what one action costs (a field of
``scenario.time``, or a function when the cost depends on the strategy or
brings more work), the action (a function over the run context) and how it
is scheduled. :func:`planned_minutes`, :func:`budget_factor`, :func:`start`
and the cohort's rate jitter (:data:`RATE_FIELDS`) all read it: a new
activity is one row and one function.

The routine runs on working days (the first :data:`WORKING_DAYS` of each
week): repeating actions are spread evenly over them, batched actions
(invitations, messages, prospecting) split the week's counts over the days.
Every day the inbox of incoming invitations is answered, and at the end of
every week the SSI is refreshed (:func:`end_week`, :func:`record`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ssisim.scenario.schema import Scenario, Strategy
from ssisim.sim.context import DAYS_PER_WEEK, RunContext, settle
from ssisim.sim.mechanisms.content import article, comment, post, react, share
from ssisim.sim.mechanisms.invitations import answer_inbox, invitation_minutes, invite
from ssisim.sim.mechanisms.leads import existing, introductions
from ssisim.sim.mechanisms.messages import cold_message_minutes, message, warm_message_minutes
from ssisim.sim.mechanisms.pitches import pitches
from ssisim.sim.mechanisms.prospecting import passive_views, prospect
from ssisim.sim.mechanisms.restrictions import restrict, restricted

__all__ = [
    "ACTIVITIES",
    "INBOX_TIME_OF_DAY",
    "RATE_FIELDS",
    "WEEKS_PER_MONTH",
    "WORKING_DAYS",
    "Activity",
    "answering",
    "budget_factor",
    "budget_note",
    "cap_note",
    "count",
    "daily",
    "end_week",
    "planned_minutes",
    "record",
    "refreshing",
    "repeating",
    "scheduled_rates",
    "start",
    "weekly_rate",
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
            settle(ctx)
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
                settle(ctx)
                action(ctx, *today)
        yield env.timeout(start + DAYS_PER_WEEK - env.now)


def answering(ctx: RunContext) -> Generator[Any, Any, None]:
    """Every day: profile views from search appear, and the seller answers the inbox."""
    env, stats = ctx.env, ctx.stats
    for day in range(ctx.sc.weeks * DAYS_PER_WEEK):
        yield env.timeout(day + INBOX_TIME_OF_DAY - env.now)
        stats.events += 1
        settle(ctx)
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
        settle(ctx)
        strong = end_week(ctx)
        record(ctx, week, strong)
        ledger.reset()


Schedule = Literal["repeating", "daily"]
Cost = str | Callable[[Strategy, Scenario], float]


@dataclass(frozen=True)
class Activity:
    """One row of the routine: a rate, its cost, its action and its schedule.

    Attributes
    ----------
    rate : str
        The :class:`~ssisim.scenario.schema.Strategy` field holding the rate.
    minutes : str or callable
        What one action is planned to cost: a field of ``scenario.time``, or
        ``minutes(strategy, scenario)`` (a note's share, a reply's conversation).
    action : callable
        ``action(ctx)`` for a repeating activity; ``action(ctx, *counts)`` for a
        daily batch, one count per row of the batch, in table order.
    schedule : {"repeating", "daily"}
        ``repeating``: spread evenly over the week's working days, one process
        per row; ``daily``: the rows sharing an action form one batch, one
        process, the week's counts split over the working days.
    weeks_per_unit : float
        The rate's unit in weeks (1: a weekly rate; :data:`WEEKS_PER_MONTH`:
        a monthly one).
    capped : bool
        At most ``platform.invite_cap_per_week`` a week; beyond, never sent
        (nor planned).
    """

    rate: str
    minutes: Cost
    action: Callable[..., None]
    schedule: Schedule
    weeks_per_unit: float = 1.0
    capped: bool = False


ACTIVITIES: tuple[Activity, ...] = (
    Activity("posts_per_week", "post_minutes", post, "repeating"),
    Activity("articles_per_month", "article_minutes", article, "repeating", WEEKS_PER_MONTH),
    Activity("shares_per_week", "share_minutes", share, "repeating"),
    Activity("comments_per_week", "comment_minutes", comment, "repeating"),
    Activity("reactions_per_week", "reaction_minutes", react, "repeating"),
    Activity("invites_per_week", invitation_minutes, invite, "daily", capped=True),
    Activity("warm_messages_per_week", warm_message_minutes, message, "daily"),
    Activity("cold_messages_per_week", cold_message_minutes, message, "daily"),
    Activity("searches_per_week", "search_minutes", prospect, "daily"),
    Activity("profile_views_per_week", "profile_view_minutes", prospect, "daily"),
)
"""The routine, in the order its processes are created (which fixes the order of events)."""

RATE_FIELDS: tuple[str, ...] = tuple(a.rate for a in ACTIVITIES)
"""The strategy's rate fields, in table order."""


def weekly_rate(activity: Activity, strategy: Strategy, scenario: Scenario) -> float:
    """The activity's planned actions a week: its rate per week, at most the cap if capped."""
    rate = getattr(strategy, activity.rate) / activity.weeks_per_unit
    cap = scenario.platform.invite_cap_per_week
    return rate if cap is None or not activity.capped else min(rate, cap)


def _minutes(activity: Activity, strategy: Strategy, scenario: Scenario) -> float:
    cost = activity.minutes
    return getattr(scenario.time, cost) if isinstance(cost, str) else cost(strategy, scenario)


def planned_minutes(strategy: Strategy, scenario: Scenario) -> float:
    """Minutes a week the routine plans, at its stated rates (what a time budget is checked against).

    Every action's rate times its cost (``time:``); invitations beyond the
    weekly cap are not counted (they are never sent), those with a note cost
    more; each message counts the conversation its expected reply brings
    (reply rate times ``conversation_minutes``). Answering incoming
    invitations is not planned: it depends on the others.
    """
    total = 0.0
    for a in ACTIVITIES:
        total += weekly_rate(a, strategy, scenario) * _minutes(a, strategy, scenario)
    return total


def budget_factor(strategy: Strategy, scenario: Scenario) -> float:
    """What every rate is multiplied by to fit the time the routine may take.

    With the scenario's ``equal_hours_per_week`` set, every routine is scaled
    (up or down) to plan exactly that many hours, so strategies are compared
    at equal time; otherwise a routine over its ``hours_per_week_budget`` is
    scaled down to fit it, and 1 is returned when it fits. A routine that
    plans no time at all is left as it is.
    """
    planned = planned_minutes(strategy, scenario)
    if scenario.equal_hours_per_week is not None and planned > 0:
        return scenario.equal_hours_per_week * 60.0 / planned
    budget = strategy.hours_per_week_budget
    if budget is None or planned <= budget * 60.0:
        return 1.0
    return budget * 60.0 / planned


def budget_note(strategy: Strategy, scenario: Scenario) -> str | None:
    """One sentence when a routine's rates are scaled, None when they run as stated.

    Examples
    --------
    >>> from ssisim.scenario.loading import parse_scenario
    >>> sc = parse_scenario("name: x\\nstrategies: [{name: a, posts_per_week: 10, "
    ...                     "hours_per_week_budget: 1}]")
    >>> budget_note(sc.strategies[0], sc)
    'a: the routine plans 5.0 h a week; its rates are scaled by 0.20 to fit its budget of 1 h'
    """
    factor = budget_factor(strategy, scenario)
    if factor == 1.0:
        return None
    hours = planned_minutes(strategy, scenario) / 60.0
    if scenario.equal_hours_per_week is not None:
        why = (
            f"to take {scenario.equal_hours_per_week:g} h like every routine (equal_hours_per_week)"
        )
    else:
        why = f"to fit its budget of {strategy.hours_per_week_budget:g} h"
    return f"{strategy.name}: the routine plans {hours:.1f} h a week; its rates are scaled by {factor:.2f} {why}"


def cap_note(strategy: Strategy, scenario: Scenario) -> str | None:
    """One sentence when the platform's weekly invitation cap holds a routine back.

    Invitations beyond ``platform.invite_cap_per_week`` are never sent: raising
    the routine's rate above the cap changes nothing, which a reader should be
    told rather than left to wonder at identical results.

    Examples
    --------
    >>> from ssisim.scenario.loading import parse_scenario
    >>> sc = parse_scenario("name: x\\nstrategies: [{name: a, invites_per_week: 125}]")
    >>> cap_note(sc.strategies[0], sc)
    'a: 125 invitations a week planned; the weekly cap (platform.invite_cap_per_week) sends 100'
    """
    cap = scenario.platform.invite_cap_per_week
    planned = strategy.invites_per_week * budget_factor(strategy, scenario)
    if cap is None or planned <= cap:
        return None
    return (
        f"{strategy.name}: {planned:g} invitations a week planned; the weekly cap "
        f"(platform.invite_cap_per_week) sends {cap:g}"
    )


def scheduled_rates(strategy: Strategy, scenario: Scenario) -> list[float]:
    """Each activity's rate a week as scheduled, in table order.

    Within the time budget, the stated rates (a capped one is capped week by
    week, after the draw); beyond it, the planned rates times
    :func:`budget_factor`.
    """
    factor = budget_factor(strategy, scenario)
    if factor != 1.0:
        return [weekly_rate(a, strategy, scenario) * factor for a in ACTIVITIES]
    return [getattr(strategy, a.rate) / a.weeks_per_unit for a in ACTIVITIES]


def start(ctx: RunContext) -> None:
    """Create the run's processes: the refresh, the routine in table order, the inbox.

    A repeating activity gets a process if its rate is positive; a daily batch
    (at its first row) if any of its rates is; the order of creation fixes the
    order of simultaneous events.
    """
    env, cap = ctx.env, ctx.sc.platform.invite_cap_per_week
    env.process(refreshing(ctx))
    rates = scheduled_rates(ctx.st, ctx.sc)
    batched: set[Callable[..., None]] = set()
    for a, rate in zip(ACTIVITIES, rates, strict=True):
        if a.schedule == "repeating":
            if rate > 0:
                env.process(repeating(ctx, rate, a.action))
        elif a.action not in batched:
            batched.add(a.action)
            rows = [(b, r) for b, r in zip(ACTIVITIES, rates, strict=True) if b.action is a.action]
            per_week = tuple(r for _, r in rows)
            if any(r > 0 for r in per_week):
                caps = tuple(cap if b.capped else None for b, _ in rows)
                env.process(daily(ctx, per_week, a.action, caps))
    env.process(answering(ctx))

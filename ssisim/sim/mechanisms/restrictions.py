"""The platform restricts an account whose invitations go unaccepted (``platform.restriction``)."""

from __future__ import annotations

from ssisim.sim.context import DAYS_PER_WEEK, RunContext

__all__ = ["restrict", "restricted"]


def restrict(ctx: RunContext) -> None:
    """Block invitations when too many of the last weeks' invitations went unaccepted.

    The window holds the ``window_weeks`` weeks before the one ending now
    (whose invitations are still mostly unanswered), and their acceptances
    so far.
    """
    rule, now = ctx.sc.platform.restriction, ctx.env.now
    if not rule.enabled or now < ctx.restricted_until:
        return
    current = int(now // DAYS_PER_WEEK) - 1  # the week ending now
    first = max(current - rule.window_weeks, ctx.window_start)
    sent = int(ctx.sent_by_week[first:current].sum())
    accepted = int(ctx.accepted_by_week[first:current].sum())
    if sent >= rule.min_invitations and accepted < rule.min_acceptance_rate * sent:
        ctx.restricted_from = now
        ctx.restricted_until = now + rule.weeks * DAYS_PER_WEEK
        ctx.window_start = current + 1 + rule.weeks  # the count starts again afterwards


def restricted(ctx: RunContext, week: int) -> bool:
    """Whether invitations were blocked at some time during ``week``."""
    start = (week - 1) * DAYS_PER_WEEK
    return week > 0 and ctx.restricted_from < start + DAYS_PER_WEEK and ctx.restricted_until > start

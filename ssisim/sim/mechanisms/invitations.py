"""Invitations: whom the seller invites, who accepts and when, and the inbox.

Each working day the seller sends the day's invitations, drawing candidates
from each targeting pool in turn (``invite_targeting``); each invitee accepts
with a chance that grows with openness, relevance, a note, mutual contacts
and the seller's profile, after an exponential delay (too late and the
invitation expires). Incoming invitations wait in the inbox until the seller
applies the acceptance policy (``accept_policy``) at the end of the day.
"""

from __future__ import annotations

from itertools import repeat

import numpy as np

from ssisim.scenario.schema import Scenario, Strategy
from ssisim.sim.context import DAYS_PER_WEEK, RunContext, at_each
from ssisim.sim.draws import pick
from ssisim.sim.mechanisms.prospecting import receive_views

__all__ = [
    "VIEWER_MEMORY_DAYS",
    "accepted",
    "answer_inbox",
    "candidates",
    "fresh",
    "invitation_minutes",
    "invite",
    "invitee_terms",
    "new_tie_strength",
    "new_tie_strengths",
]

VIEWER_MEMORY_DAYS = 30.0  # "who viewed your profile" lists recent viewers


def invitation_minutes(strategy: Strategy, scenario: Scenario) -> float:
    """Minutes an invitation is planned to cost: with a note for ``invite_note_share`` of them."""
    t, note = scenario.time, strategy.invite_note_share
    return note * t.note_invitation_minutes + (1 - note) * t.blank_invitation_minutes


def candidates(ctx: RunContext, pool: str, k: int) -> np.ndarray:
    """Candidates for ``k`` invitations from one targeting pool (oversampled, may repeat).

    ``profile_viewers`` are the strangers who viewed the profile in the last
    :data:`VIEWER_MEMORY_DAYS` days and are not invited yet (the list is
    pruned); the other pools are drawn at random from the routine's stream.
    """
    net, rng = ctx.net, ctx.rng
    if pool == "profile_viewers":
        recent = np.asarray(net.recent_viewers, dtype=np.int64)
        # viewers invited since (or inviting) and contacts are never candidates
        # again (neither flag is ever cleared): pruned with the old views, which
        # keeps the list short; :func:`fresh` would drop them anyway
        stale = net.viewed_at[recent] < ctx.env.now - VIEWER_MEMORY_DAYS
        stale |= net.invited[recent]
        stale |= net.contact[recent]
        recent = recent[~stale]
        net.recent_viewers = recent.tolist()
        return recent
    if pool == "second_degree":
        return net.second_degree_sample(3 * k, rng)
    if pool == "mutual_contacts":
        cand = net.second_degree_sample(10 * k, rng)
        return cand[net.mutual[cand] >= ctx.st.min_mutual_contacts]
    if pool == "relevant":
        ids = ctx.relevant_ids
    elif pool == "decision_makers":
        ids = ctx.dm_ids
    else:  # anyone
        return pick(rng, ctx.pop.n, 3 * k).astype(np.int64, copy=False)
    if ids.size == 0:
        return ids
    return ids[pick(rng, ids.size, 3 * k)]


def fresh(ctx: RunContext, cand: np.ndarray) -> np.ndarray:
    """Candidates never invited and not yet contacts, first occurrences in order."""
    net = ctx.net
    taken = net.invited[cand]
    taken |= net.contact[cand]
    cand = cand[~taken]
    return np.fromiter(dict.fromkeys(cand.tolist()), dtype=np.int64, count=-1)


def invitee_terms(ctx: RunContext) -> tuple[np.ndarray, np.ndarray]:
    """Per member, the invitee's own factors of the chance to accept, made once a run.

    ``openness * (relevance_floor + (1 - relevance_floor) * relevance)`` (in the
    population's float32, as the per-invitation product had it) and the
    seniority factor of the member's level: the same values, element by
    element, as those computed for each batch of invitations.
    """
    if ctx.invitee_terms is None:
        pop, acc = ctx.pop, ctx.sc.answers.acceptance
        floor = acc.relevance_floor
        ctx.invitee_terms = (
            pop.openness * (floor + (1 - floor) * pop.relevance),
            ctx.seniority_acceptance[pop.seniority],
        )
    return ctx.invitee_terms


def invite(ctx: RunContext, k: int) -> None:
    """Send up to ``k`` invitations, from each targeting pool in turn."""
    env = ctx.env
    now = env.now
    if now < ctx.restricted_until:
        return  # the platform restricts the account (platform.restriction)
    net, st, sc = ctx.net, ctx.st, ctx.sc
    k = min(k, net.room())
    chosen: list[np.ndarray] = []
    left = k
    for pool in st.invite_targeting:
        if left <= 0:
            break
        cand = fresh(ctx, candidates(ctx, pool, left))
        if cand.size < left and pool in ctx.exhaustive:
            # the random draw came back short: fall back to the whole pool
            everyone = ctx.exhaustive[pool]
            cand = fresh(ctx, np.concatenate([cand, ctx.rng.permutation(everyone)]))
        cand = cand[:left]
        net.invited[cand] = True
        chosen.append(cand)
        left -= cand.size
    n = k - left  # invitations chosen
    if n <= 0:
        return
    targets = chosen[0] if len(chosen) == 1 else np.concatenate(chosen)
    w = ctx.week
    w.invitations_sent += n
    sent_week = int(now // DAYS_PER_WEEK)
    ctx.sent_by_week[sent_week] += n
    note = (ctx.rng.random(n) < st.invite_note_share).tolist()  # the seller's choice
    t, notes = sc.time, sum(note)
    w.minutes += notes * t.note_invitation_minutes + (n - notes) * t.blank_invitation_minutes
    _answer(ctx, targets, note, sent_week)


def _answer(ctx: RunContext, targets: np.ndarray, note: list[bool], sent_week: int) -> None:
    """The invitees' answers: who accepts (and when), who looks at the profile.

    A batch is a few to a few dozen invitations, where numpy's per-call cost
    was most of the work: the draws stay the same three arrays from the
    answers' stream, and each invitee's chance and new tie are computed in
    plain Python floats, the same operations in the same order as the
    vectorised product (``tests/test_mechanism_equivalence_b.py``)::

        p = base * (1 + note_lift * note) * (1 + mutual_lift * min(mutual, sat) / sat)
              * profile * seniority
        strength = min(min(new_tie + overlap_gain * overlap, 1) + note_bonus * note, 1)
    """
    net, st, sc = ctx.net, ctx.st, ctx.sc
    rng, acc = ctx.arng, sc.answers.acceptance
    n = targets.size
    base, seniority = invitee_terms(ctx)
    ids = targets.tolist()
    mutual = net.mutual.take(targets).tolist()
    # float32 to Python float is exact, as numpy's cast to float64 was
    base_of, seniority_of = base.take(targets).tolist(), seniority.take(targets).tolist()
    u_accept = rng.random(n).tolist()
    delays = rng.exponential(acc.mean_delay_days, size=n).tolist()
    u_look = rng.random(n).tolist()
    note_factor = (1 + acc.note_lift * False, 1 + acc.note_lift * True)
    lift, sat = acc.mutual_lift, acc.mutual_saturation
    profile = acc.profile_floor + (1 - acc.profile_floor) * st.profile_completeness
    expiry = sc.platform.invitation_expiry_days
    # (member, its mutual contacts, its note, its delay) of those who accept in time
    joining: list[tuple[int, int, bool, float]] = []
    for j, b, s, m, nt, u, d in zip(
        ids, base_of, seniority_of, mutual, note, u_accept, delays, strict=True
    ):
        p = b * note_factor[nt] * (1 + lift * (min(m, sat) / sat)) * profile * s
        if u < min(p, 1.0) and d < expiry:
            joining.append((j, m, nt, d))
    rate = sc.answers.inbound.invitee_view_rate
    receive_views(ctx, [j for j, u in zip(ids, u_look, strict=True) if u < rate])
    if not joining:
        return
    bonus = sc.answers.ties.note_bonus
    strengths = [min(new_tie_strength(ctx, j, m) + bonus * nt, 1.0) for j, m, nt, _ in joining]
    at_each(
        ctx,
        [d for *_, d in joining],
        accepted,
        zip([j for j, *_ in joining], strengths, repeat(sent_week)),
    )


def new_tie_strengths(ctx: RunContext, ids: np.ndarray) -> np.ndarray:
    """The strength a new tie with each of ``ids`` starts at: stronger the more
    the two networks overlap (``ties.overlap_gain``, Onnela et al. 2007), at most 1."""
    ties = ctx.sc.answers.ties
    strength = ties.new_tie_strength + ties.overlap_gain * ctx.net.overlap(ids)
    return np.minimum(strength, 1.0)


def new_tie_strength(ctx: RunContext, j: int, mutual: int) -> float:
    """:func:`new_tie_strengths` of one member ``j`` sharing ``mutual`` contacts, in
    Python floats (the same value, bit for bit)."""
    ties = ctx.sc.answers.ties
    return min(ties.new_tie_strength + ties.overlap_gain * ctx.net.overlap_of(j, mutual), 1.0)


def accepted(ctx: RunContext, j: int, strength: float, sent_week: int) -> None:
    """Member ``j`` accepts an invitation sent in ``sent_week``: a new contact, if there is room."""
    if ctx.net.connect_one(j, strength):
        w = ctx.week
        w.invitations_accepted += 1
        if ctx.pop.sells[j]:
            w.new_selling += 1
        ctx.accepted_by_week[sent_week] += 1


def answer_inbox(ctx: RunContext) -> None:
    """Apply the acceptance policy to the invitations received today."""
    net, pop, st = ctx.net, ctx.pop, ctx.st
    if not net.inbox:
        return
    # np.unique's result, without its overhead on a few ids
    ids = np.array(sorted(set(net.inbox)), dtype=np.int64)
    net.inbox.clear()
    ids = ids[~net.contact[ids]]
    w = ctx.week
    w.minutes += ids.size * ctx.sc.time.incoming_invitation_minutes
    ok = np.zeros(ids.size, dtype=bool)
    for rule in st.accept_policy:
        if rule == "everyone":
            ok[:] = True
        elif rule == "relevant":
            ok |= pop.relevant[ids]
        elif rule == "mutual_contacts":
            ok |= net.mutual[ids] >= st.min_mutual_contacts
        elif rule == "decision_makers":
            ok |= pop.decision_maker[ids]
    welcome = ids[ok]
    added = net.connect_many(welcome, new_tie_strengths(ctx, welcome))
    selling = int(pop.sells[welcome[:added]].sum())
    w.new_selling += selling  # new contacts who sell ...
    w.new_selling_inviters += selling  # ... all of whom invited the seller

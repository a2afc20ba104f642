"""Leads: members with whom a business conversation starts, by origin (docs/debate.md).

Inbound leads come from members who saw the seller's content, outbound ones
from replies to messages, warm or cold (:mod:`~ssisim.sim.mechanisms.messages`), introductions
from contacts passing opportunities from their networks, and the existing
relationships' from the seller's week-0 network. All draw from the leads'
streams only, so that they leave the score unchanged.
"""

from __future__ import annotations

import numpy as np

from ssisim.records import LEAD_COLUMNS
from ssisim.sim.context import RunContext

__all__ = [
    "count_leads",
    "existing",
    "inbound",
    "introduced",
    "introductions",
    "trust",
]

_LEAD_SLOT = {name: i for i, name in enumerate(LEAD_COLUMNS)}
_SLOTS = {
    origin: tuple(
        _LEAD_SLOT[name]
        for suffix in ("", "_target", "_dm", "_warm", "_target_warm", "_dm_warm")
        if (name := f"leads_{origin}{suffix}") in _LEAD_SLOT
    )
    for origin in ("inbound", "outbound", "introduction", "existing")
}
"""Per origin, its columns in ``LEAD_COLUMNS``: any, target, dm, then (if any) the warm ones."""


def count_leads(
    ctx: RunContext, origin: str, members: np.ndarray, warm: np.ndarray | None = None
) -> None:
    """Add leads of one origin to this week's counts, by class (and warmth).

    Parameters
    ----------
    origin : str
        ``inbound``, ``outbound``, ``introduction`` or ``existing``.
    members : numpy.ndarray
        The leads (member ids).
    warm : numpy.ndarray, optional
        Per lead, whether it came through a warm tie (inbound, outbound and
        introductions; the existing relationships' are warm by construction).
    """
    if members.size == 0:
        return
    pop, counts, slots = ctx.pop, ctx.ledger.leads, _SLOTS[origin]
    target = pop.relevant[members]
    dm = target & pop.decision_maker[members]
    counts[slots[0]] += members.size
    counts[slots[1]] += np.count_nonzero(target)
    counts[slots[2]] += np.count_nonzero(dm)
    if warm is not None:
        counts[slots[3]] += np.count_nonzero(warm)
        counts[slots[4]] += np.count_nonzero(target & warm)
        counts[slots[5]] += np.count_nonzero(dm & warm)


def inbound(ctx: RunContext, members: list[int]) -> None:
    """Members who saw the seller's content reach out, each with ``leads.inbound_rate``.

    ``members`` is a list of ids: they come a few a call, where plain Python
    costs less than numpy's per-call overhead.
    """
    if not members:
        return
    rate, me = ctx.sc.answers.leads.inbound_rate, ctx.me
    draws = ctx.lrng.random(len(members)).tolist()
    hit = [m for m, u in zip(members, draws, strict=True) if u < rate and m != me]
    if hit:  # rare (a few in a hundred)
        net, ids = ctx.net, np.array(hit, dtype=np.int64)
        count_leads(ctx, "inbound", ids, net.contact[ids] & (net.tie[ids] >= ctx.warm))


def introduced(
    ctx: RunContext, introducers: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """A random neighbour of each introducer.

    Those with no neighbour, or naming the seller, pass nothing.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        The members introduced, and the mask over ``introducers`` of those who
        introduced someone.
    """
    chosen, had = ctx.pop.random_neighbours(introducers, rng)
    keep = np.ones(introducers.size, dtype=bool) if had is None else had
    mine = chosen != ctx.me
    if not mine.all():
        keep[np.flatnonzero(keep)[~mine]] = False
        chosen = chosen[mine]
    return chosen, keep


def trust(mutual: np.ndarray, floor: float, half: float) -> np.ndarray:
    """A contact's trust in the seller, in [0, 1), rising with their mutual contacts.

    ``(floor + m) / (floor + m + half)``: embeddedness (mutual contacts)
    makes a contact willing to vouch for the seller (Coleman's closure);
    ``floor`` is what a direct tie carries on its own.

    Examples
    --------
    >>> trust(np.array([0, 3, 30]), 0.5, 3.0).round(2)
    array([0.14, 0.54, 0.91])
    """
    m = mutual.astype(np.float64) + floor
    return m / (m + half)


def introductions(ctx: RunContext) -> None:
    """Each week, contacts pass opportunities from their own networks.

    A contact is willing with chance ``introduction_rate * trust`` (trust
    rises with their mutual contacts, :func:`trust`); they then name a
    random member of their own network, which is an opportunity only if the
    seller does not know that member already. So what a contact can pass
    depends on the graph: the more of their network the seller already
    holds (mutual contacts), the more often the name is redundant. Trust
    rising and redundancy rising with mutual contacts make an inverted U:
    moderately embedded ties pass the most (Burt's structural holes;
    Rajkumar et al. 2022, *Science*, the LinkedIn "People You May Know"
    experiments).
    """
    net, leads = ctx.net, ctx.sc.answers.leads
    contacts = net.contacts
    if contacts.size and leads.introduction_rate > 0:
        rng = ctx.lrng
        p = leads.introduction_rate * trust(
            net.mutual[contacts], leads.trust_floor, leads.trust_half_mutual_contacts
        )
        willing = contacts[rng.random(contacts.size) < p]
        if willing.size:
            chosen, kept = introduced(ctx, willing, rng)
            new = ~net.contact[chosen]  # a name the seller already holds is no opportunity
            warm = net.tie[willing[kept]] >= ctx.warm
            count_leads(ctx, "introduction", chosen[new], warm[new])


def existing(ctx: RunContext) -> None:
    """Each week, the existing relationships pass opportunities (from their own stream)."""
    rate = ctx.sc.answers.leads.existing_rate
    if ctx.existing.size and rate > 0:
        passing = ctx.existing[ctx.erng.random(ctx.existing.size) < rate]
        if passing.size:
            chosen, _ = introduced(ctx, passing, ctx.erng)
            count_leads(ctx, "existing", chosen)

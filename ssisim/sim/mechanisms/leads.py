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

__all__ = ["count_leads", "existing", "inbound", "introduced", "introductions", "trust"]

_LEAD_SLOT = {name: i for i, name in enumerate(LEAD_COLUMNS)}


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
    pop, counts, slot = ctx.pop, ctx.ledger.leads, _LEAD_SLOT
    target = pop.relevant[members]
    dm = target & pop.decision_maker[members]
    base = f"leads_{origin}"
    counts[slot[base]] += members.size
    counts[slot[f"{base}_target"]] += int(target.sum())
    counts[slot[f"{base}_dm"]] += int(dm.sum())
    if warm is not None:
        counts[slot[f"{base}_warm"]] += int(warm.sum())
        counts[slot[f"{base}_target_warm"]] += int((target & warm).sum())
        counts[slot[f"{base}_dm_warm"]] += int((dm & warm).sum())


def inbound(ctx: RunContext, members: np.ndarray) -> None:
    """Members who saw the seller's content reach out, each with ``leads.inbound_rate``."""
    if members.size == 0:
        return
    net = ctx.net
    hit = members[ctx.lrng.random(members.size) < ctx.sc.answers.leads.inbound_rate]
    hit = hit[hit != ctx.me]
    count_leads(ctx, "inbound", hit, net.contact[hit] & (net.tie[hit] >= ctx.warm))


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
    pop = ctx.pop
    deg = pop.indptr[introducers + 1] - pop.indptr[introducers]
    keep = deg > 0
    pick = pop.indptr[introducers[keep]] + (rng.random(int(keep.sum())) * deg[keep]).astype(
        np.int64
    )
    chosen = pop.indices[pick].astype(np.int64)
    mine = chosen != ctx.me
    keep[np.flatnonzero(keep)[~mine]] = False
    return chosen[mine], keep


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
        hit = rng.random(contacts.size) < p
        chosen, kept = introduced(ctx, contacts[hit], rng)
        new = ~net.contact[chosen]  # a name the seller already holds is no opportunity
        warm = net.tie[contacts[hit][kept]] >= ctx.warm
        count_leads(ctx, "introduction", chosen[new], warm[new])


def existing(ctx: RunContext) -> None:
    """Each week, the existing relationships pass opportunities (from their own stream)."""
    rate = ctx.sc.answers.leads.existing_rate
    if ctx.existing.size and rate > 0:
        hit = ctx.erng.random(ctx.existing.size) < rate
        chosen, _ = introduced(ctx, ctx.existing[hit], ctx.erng)
        count_leads(ctx, "existing", chosen)

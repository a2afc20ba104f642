"""The seller's network during one run: contacts, tie strengths, who was invited.

A :class:`Network` holds arrays of size ``n`` (one slot per member) and the
counts the SSI reads (relevant contacts, decision makers, colleagues). It
changes only through its methods: contacts are added (:meth:`Network.connect_many`,
:meth:`Network.connect_one`), ties are strengthened and decay. It knows nothing
of the week's flows: callers count what the week records.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ssisim.population.build import Population, gather_neighbors

__all__ = ["Network"]


@dataclass(eq=False)
class Network:
    """The state of the seller's network during one run (arrays of size ``n``).

    Attributes
    ----------
    pop : Population
        The shared, read-only population.
    my_company : int
        The seller's company (contacts there are colleagues).
    contact, tie, mutual : numpy.ndarray
        Per member: a first-degree contact; the tie's strength (0-1); how many
        of the seller's contacts they know.
    invited : numpy.ndarray
        Per member: invited by the seller, or inviting the seller (never again).
    viewed_at : numpy.ndarray
        Per member: when they last viewed the seller's profile (days).
    contact_ids : numpy.ndarray
        The contacts' ids in the order they came, the first ``n_contacts``
        used; its size is the platform's connection limit.
    n_contacts, relevant, decision_makers, colleagues, endorsements : int
        Stocks the score reads.
    dm_per_company : dict
        Decision makers among the contacts, per company.
    recent_viewers : list
        Strangers who viewed the profile (pruned when read).
    inbox : list
        Members whose invitations await an answer.
    """

    pop: Population
    my_company: int
    contact: np.ndarray
    tie: np.ndarray
    mutual: np.ndarray
    invited: np.ndarray
    viewed_at: np.ndarray
    contact_ids: np.ndarray
    n_contacts: int = 0
    relevant: int = 0
    decision_makers: int = 0
    colleagues: int = 0
    endorsements: int = 0
    dm_per_company: dict[int, int] = field(default_factory=dict)
    recent_viewers: list[int] = field(default_factory=list)
    inbox: list[int] = field(default_factory=list)

    @classmethod
    def empty(cls, population: Population, me: int, limit: int) -> Network:
        """The network of member ``me`` before any contact, at most ``limit`` contacts.

        The seller counts as invited and as a contact of their own, so that
        they are never a candidate for anything.
        """
        n = population.n
        net = cls(
            pop=population,
            my_company=int(population.company[me]),
            contact=np.zeros(n, dtype=bool),
            tie=np.zeros(n, dtype=np.float64),
            mutual=np.zeros(n, dtype=np.int32),
            invited=np.zeros(n, dtype=bool),
            viewed_at=np.full(n, -np.inf),
            contact_ids=np.empty(min(n, limit), dtype=np.int64),
        )
        net.invited[me] = True
        net.contact[me] = True
        return net

    @property
    def contacts(self) -> np.ndarray:
        """The contacts' ids, in the order they came."""
        return self.contact_ids[: self.n_contacts]

    def room(self) -> int:
        """How many more contacts the connection limit allows."""
        return self.contact_ids.size - self.n_contacts

    def connect_many(self, ids: np.ndarray, ties: np.ndarray) -> int:
        """Add first-degree ties (ids must be new and unique), as many as there is room for.

        Returns
        -------
        int
            How many were added: the first ones of ``ids``.
        """
        pop = self.pop
        take = min(ids.size, self.room())
        ids, ties = ids[:take], ties[:take]
        if take == 0:
            return 0
        self.contact[ids] = True
        self.tie[ids] = ties
        self.contact_ids[self.n_contacts : self.n_contacts + take] = ids
        self.n_contacts += take
        np.add.at(self.mutual, gather_neighbors(pop.indptr, pop.indices, ids), 1)
        self.relevant += int(pop.relevant[ids].sum())
        dm = ids[pop.decision_maker[ids]]
        self.decision_makers += dm.size
        self.colleagues += int((pop.company[ids] == self.my_company).sum())
        dm_per_company = self.dm_per_company
        for c in pop.company[dm].tolist():
            dm_per_company[c] = dm_per_company.get(c, 0) + 1
        return take

    def connect_one(self, j: int, strength: float) -> bool:
        """Add one first-degree tie: the scalar fast path of :meth:`connect_many`.

        Returns
        -------
        bool
            Whether it was added (not when ``j`` is a contact already, or no room is left).
        """
        pop = self.pop
        if self.contact[j] or self.contact_ids.size == self.n_contacts:
            return False
        self.contact[j] = True
        self.tie[j] = strength
        self.contact_ids[self.n_contacts] = j
        self.n_contacts += 1
        self.mutual[pop.indices[pop.indptr[j] : pop.indptr[j + 1]]] += 1  # a row has no repeats
        self.relevant += bool(pop.relevant[j])
        company = int(pop.company[j])
        self.colleagues += company == self.my_company
        if pop.decision_maker[j]:
            self.decision_makers += 1
            self.dm_per_company[company] = self.dm_per_company.get(company, 0) + 1
        return True

    def strengthen_one(self, j: int, gain: float) -> None:
        """Add ``gain`` to the tie with ``j`` (capped at 1) if ``j`` is a contact."""
        if self.contact[j]:
            self.tie[j] = min(self.tie[j] + gain, 1.0)

    def strengthen(self, ids: np.ndarray, gain: float) -> None:
        """Add ``gain`` to the ties with those of ``ids`` who are contacts (capped at 1)."""
        ids = ids[self.contact[ids]]
        self.tie[ids] = np.minimum(self.tie[ids] + gain, 1.0)

    def decay(self, factor: float) -> None:
        """Multiply every contact's tie by ``factor``."""
        self.tie[self.contacts] *= factor

    def second_degree_sample(self, k: int, rng: np.random.Generator) -> np.ndarray:
        """Members drawn with chance proportional to their mutual contacts.

        A random contact's random contact, ``k`` times (fewer when a contact
        has no contact of their own); draws nothing without contacts.
        """
        pop = self.pop
        if self.n_contacts == 0 or k <= 0:
            return np.empty(0, dtype=np.int64)
        via = self.contacts[rng.integers(0, self.n_contacts, size=k)]
        deg = pop.indptr[via + 1] - pop.indptr[via]
        via, deg = via[deg > 0], deg[deg > 0]
        pick = pop.indptr[via] + (rng.random(via.size) * deg).astype(np.int64)
        return pop.indices[pick].astype(np.int64)

    def ties_at_least(self, threshold: float) -> int:
        """Contacts whose tie is at least ``threshold`` (known or strong ties)."""
        return int((self.tie[self.contacts] >= threshold).sum())

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
from ssisim.sim.draws import pick

__all__ = ["Network"]

_FEW = 4  # up to this many new contacts, :meth:`Network._account` counts one by one


@dataclass(eq=False)
class Network:
    """The state of the seller's network during one run (arrays of size ``n``).

    Attributes
    ----------
    pop : Population
        The shared, read-only population.
    my_company : int
        The seller's company (contacts there are colleagues).
    contact, tie : numpy.ndarray
        Per member: a first-degree contact; the tie's strength (0-1).
    invited : numpy.ndarray
        Per member: invited by the seller, or inviting the seller (never again).
    viewed_at : numpy.ndarray
        Per member: when they last viewed the seller's profile (days).
    contact_ids : numpy.ndarray
        The contacts' ids in the order they came, the first ``n_contacts``
        used; its size is the platform's connection limit.
    n_contacts, endorsements : int
        Contacts and endorsements so far.
    recent_viewers : list
        Strangers who viewed the profile (pruned when read).
    inbox : list
        Members whose invitations await an answer.

    The stocks derived from the contacts (:attr:`mutual`, :attr:`relevant`,
    :attr:`decision_makers`, :attr:`colleagues`, :attr:`dm_per_company`) are
    brought up to date when read: contacts added one at a time (an accepted
    invitation) are accounted for in one vectorised step at the next read,
    not one numpy call each.
    """

    pop: Population
    my_company: int
    contact: np.ndarray
    tie: np.ndarray
    invited: np.ndarray
    viewed_at: np.ndarray
    contact_ids: np.ndarray
    n_contacts: int = 0
    endorsements: int = 0
    recent_viewers: list[int] = field(default_factory=list)
    inbox: list[int] = field(default_factory=list)
    _mutual: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    _relevant: int = 0
    _decision_makers: int = 0
    _colleagues: int = 0
    _dm_per_company: dict[int, int] = field(default_factory=dict)
    _accounted: int = 0  # contact_ids[:_accounted] are in the stocks above

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
            invited=np.zeros(n, dtype=bool),
            viewed_at=np.full(n, -np.inf),
            contact_ids=np.empty(min(n, limit), dtype=np.int64),
            _mutual=np.zeros(n, dtype=np.int32),
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

    def _account(self) -> None:
        """Fold the contacts added since the last read into the derived stocks."""
        start, end = self._accounted, self.n_contacts
        if start == end:
            return
        self._accounted = end
        pop = self.pop
        ids = self.contact_ids[start:end]
        # an int32 one: a Python int would send add.at down its slow casting path (25x)
        np.add.at(self._mutual, gather_neighbors(pop.indptr, pop.indices, ids), np.int32(1))
        dm_per_company = self._dm_per_company
        if end - start <= _FEW:
            # a few contacts (accepted invitations arrive one by one): scalar counts
            # cost less than the vectorised pass's eight numpy calls
            relevant, decision_maker, company = pop.relevant, pop.decision_maker, pop.company
            for j in ids.tolist():
                self._relevant += bool(relevant[j])
                c = int(company[j])
                self._colleagues += c == self.my_company
                if decision_maker[j]:
                    self._decision_makers += 1
                    dm_per_company[c] = dm_per_company.get(c, 0) + 1
            return
        self._relevant += int(np.count_nonzero(pop.relevant[ids]))
        dm = ids[pop.decision_maker[ids]]
        self._decision_makers += dm.size
        self._colleagues += int(np.count_nonzero(pop.company[ids] == self.my_company))
        for c in pop.company[dm].tolist():
            dm_per_company[c] = dm_per_company.get(c, 0) + 1

    @property
    def mutual(self) -> np.ndarray:
        """Per member: how many of the seller's contacts they know."""
        self._account()
        return self._mutual

    @property
    def relevant(self) -> int:
        """Relevant contacts."""
        self._account()
        return self._relevant

    @property
    def decision_makers(self) -> int:
        """Decision makers among the contacts."""
        self._account()
        return self._decision_makers

    @property
    def colleagues(self) -> int:
        """Contacts in the seller's company."""
        self._account()
        return self._colleagues

    @property
    def dm_per_company(self) -> dict[int, int]:
        """Decision makers among the contacts, per company."""
        self._account()
        return self._dm_per_company

    def connect_many(self, ids: np.ndarray, ties: np.ndarray) -> int:
        """Add first-degree ties (ids must be new and unique), as many as there is room for.

        Returns
        -------
        int
            How many were added: the first ones of ``ids``.
        """
        take = min(ids.size, self.room())
        if take == 0:
            return 0
        ids, ties = ids[:take], ties[:take]
        self.contact[ids] = True
        self.tie[ids] = ties
        self.contact_ids[self.n_contacts : self.n_contacts + take] = ids
        self.n_contacts += take
        return take

    def connect_one(self, j: int, strength: float) -> bool:
        """Add one first-degree tie: the scalar fast path of :meth:`connect_many`.

        Returns
        -------
        bool
            Whether it was added (not when ``j`` is a contact already, or no room is left).
        """
        contact, n = self.contact, self.n_contacts
        if contact[j] or self.contact_ids.size == n:
            return False
        contact[j] = True
        self.tie[j] = strength
        self.contact_ids[n] = j
        self.n_contacts = n + 1
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
        via = self.contact_ids[pick(rng, self.n_contacts, k)]
        # a contact without a contact of their own (rare) gives nobody
        return pop.random_neighbours(via, rng)[0]

    def overlap(self, ids: np.ndarray) -> np.ndarray:
        """Neighbourhood overlap of the seller and each of ``ids`` (Onnela et al. 2007).

        ``m / (k_seller + k_j - m)``: the mutual contacts over the union of the
        two networks (the seller's contacts, ``j``'s ties in the population).
        """
        m = self.mutual[ids].astype(np.float64)
        union = self.n_contacts + self.pop.degree[ids] - m
        return m / np.maximum(union, 1.0)

    def overlap_of(self, j: int, mutual: int) -> float:
        """:meth:`overlap` of one member ``j`` with ``mutual`` contacts shared, in
        Python floats (the same value, bit for bit: for the invitations' small batches)."""
        m = float(mutual)
        return m / max(self.n_contacts + self.pop.degree.item(j) - m, 1.0)

    def ties_at_least(self, threshold: float) -> int:
        """Contacts whose tie is at least ``threshold`` (known or strong ties)."""
        return int((self.tie[self.contacts] >= threshold).sum())

"""The seller's network: adding contacts one by one or in a batch gives the same state."""

import numpy as np

from ssisim.population.build import population_from_edges
from ssisim.sim.network import Network

EDGES = [(1, 2), (1, 3), (2, 3), (4, 5), (4, 6)]
N = 7


def _pop():
    return population_from_edges(
        EDGES,
        industry=[0] * N, company=[0, 0, 1, 1, 2, 2, 2],
        seniority=["manager", "vp", "vp", "entry", "entry", "cxo", "vp"],
        activity=[0.0] * N, openness=[1.0] * N, relevance=[1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 1.0],
        seller=0, seller_contacts=[1], seller_ties=[0.3], industries=["software"],
    )  # fmt: skip


def test_connect_one_is_connect_many_one_at_a_time():
    pop = _pop()
    ids = np.array([1, 2, 6, 5], dtype=np.int64)
    ties = np.array([0.1, 0.2, 0.3, 0.4])
    batch, single = Network.empty(pop, 0, 10), Network.empty(pop, 0, 10)
    assert batch.connect_many(ids, ties) == 4
    assert all(single.connect_one(int(j), float(t)) for j, t in zip(ids, ties, strict=True))
    for name in ("contact", "tie", "mutual", "contacts"):
        assert np.array_equal(getattr(batch, name), getattr(single, name)), name
    for name in ("n_contacts", "relevant", "decision_makers", "colleagues", "dm_per_company"):
        assert getattr(batch, name) == getattr(single, name), name
    assert batch.colleagues == 1  # 1 works at the seller's company
    assert batch.dm_per_company == {0: 1, 1: 1, 2: 2}  # vps and the cxo, by company
    assert not single.connect_one(1, 0.5)  # already a contact


def test_the_connection_limit_and_ties():
    pop = _pop()
    net = Network.empty(pop, 0, 2)
    assert net.connect_many(np.array([1, 2, 3], dtype=np.int64), np.full(3, 0.5)) == 2
    assert net.room() == 0 and not net.connect_one(4, 0.5)
    net.strengthen(np.array([1, 4], dtype=np.int64), 0.7)  # 4 is no contact: unchanged
    assert net.tie[1] == 1.0 and net.tie[4] == 0.0
    net.decay(0.5)
    assert net.ties_at_least(0.5) == 1 and net.ties_at_least(0.25) == 2

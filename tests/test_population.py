"""Tests of ssisim.population.build: structure, statistics, the seller, determinism."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ssisim.population.build import (
    MAX_ACTIVITY_POSTS_PER_WEEK,
    Population,
    _csr,
    _edge_keys,
    _split_keys,
    build_population,
    population_from_edges,
    seller_network,
)
from ssisim.scenario.schema import SENIORITIES, PopulationParams, SellerProfile

ARRAY_FIELDS = (
    "industry",
    "company",
    "seniority",
    "decision_maker",
    "activity",
    "openness",
    "relevance",
    "relevant",
    "indptr",
    "indices",
    "seller_contacts",
    "seller_ties",
)


def build(seed: int = 7, **fields) -> Population:
    return build_population(PopulationParams(**fields), np.random.default_rng(seed))


@pytest.fixture(scope="module")
def pop() -> Population:
    """The default parameters at 5,000 members."""
    return build(size=5_000)


@pytest.fixture(scope="module")
def big() -> Population:
    """20,000 members, for the distributional checks."""
    return build(seed=11, size=20_000)


def assert_valid_csr(p: Population) -> None:
    n = p.n
    assert p.indptr.shape == (n + 1,) and p.indptr[0] == 0
    assert p.indptr[-1] == p.indices.shape[0]
    assert np.all(np.diff(p.indptr) >= 0)
    rows = np.repeat(np.arange(n), np.diff(p.indptr))
    cols = p.indices.astype(np.int64)
    assert np.all((cols >= 0) & (cols < n))
    assert not np.any(rows == cols), "self-loop"
    # strictly increasing within each row: sorted and no duplicates
    same_row = rows[1:] == rows[:-1]
    assert np.all(cols[1:][same_row] > cols[:-1][same_row])
    forward = np.sort(rows * n + cols)
    backward = np.sort(cols * n + rows)
    np.testing.assert_array_equal(forward, backward)  # symmetric
    assert p.degree[p.seller] == 0, "the seller has a row in the CSR"
    assert not np.any(p.indices == p.seller), "the seller is in a CSR row"


def assert_valid_seller(p: Population, wanted: int) -> None:
    c = p.seller_contacts
    assert c.size == wanted
    assert np.all(np.diff(c) > 0), "seller_contacts not sorted or has duplicates"
    assert not np.any(c == p.seller)
    assert np.all((c >= 0) & (c < p.n))
    assert p.seller_ties.shape == c.shape
    assert np.all((p.seller_ties > 0) & (p.seller_ties <= 1))


# --------------------------------------------------------------------------- structure


def test_shapes_and_dtypes(pop):
    n = pop.n
    assert n == 5_000
    expected = {
        "industry": np.int16,
        "company": np.int32,
        "seniority": np.int8,
        "decision_maker": np.bool_,
        "activity": np.float32,
        "openness": np.float32,
        "relevance": np.float32,
        "relevant": np.bool_,
        "indptr": np.int64,
        "indices": np.int32,
        "seller_contacts": np.int32,
        "seller_ties": np.float32,
    }
    for name, dtype in expected.items():
        assert getattr(pop, name).dtype == dtype, name
    for name in ARRAY_FIELDS[:8]:
        assert getattr(pop, name).shape == (n,), name
    assert pop.industries == PopulationParams().industries
    assert isinstance(pop.seller, int)
    assert pop.degree.shape == (n,)
    np.testing.assert_array_equal(pop.neighbors(3), pop.indices[pop.indptr[3] : pop.indptr[4]])


def test_arrays_are_read_only(pop):
    for name in ARRAY_FIELDS:
        with pytest.raises(ValueError, match="read-only"):
            getattr(pop, name)[0] = 0
    with pytest.raises(ValueError, match="read-only"):
        pop.degree[0] = 0


def test_csr_is_symmetric_simple_and_sorted_without_the_seller(pop):
    assert_valid_csr(pop)


def test_attribute_ranges(big):
    assert np.all((big.openness >= 0) & (big.openness <= 1))
    assert np.all((big.relevance >= 0) & (big.relevance <= 1))
    assert np.all((big.activity >= 0) & (big.activity <= MAX_ACTIVITY_POSTS_PER_WEEK))
    assert np.all((big.seniority >= 0) & (big.seniority < len(SENIORITIES)))


def test_industry_sizes_follow_zipf(big):
    params = PopulationParams(size=20_000)
    weights = np.arange(1, len(params.industries) + 1) ** -params.industry_concentration
    exact = big.n * weights / weights.sum()
    sizes = np.bincount(big.industry, minlength=len(params.industries))
    # largest-remainder apportionment: each size is its exact share rounded up or down
    assert np.all(np.abs(sizes - exact) < 1)
    assert np.all(np.diff(big.industry) >= 0), "members are ordered by industry"


def test_companies_lie_in_one_industry_with_lognormal_sizes(big):
    company_industry = np.full(big.company.max() + 1, -1)
    company_industry[big.company] = big.industry
    np.testing.assert_array_equal(company_industry[big.company], big.industry)
    sizes = np.bincount(big.company)
    assert np.all(sizes >= 1)
    # ~500 companies with lognormal sizes (mean 40, sd ~73): the standard error of
    # the mean size is ~3.3 (8%); rounding up to 1 and cutting at industry
    # boundaries move it a few percent more. 25% is ~3 standard errors.
    assert sizes.mean() == pytest.approx(40, rel=0.25)
    assert sizes.max() > 4 * sizes.mean(), "company sizes should be heavy-tailed"


def test_decision_maker_share_matches_seniority_shares(big):
    shares = np.asarray(PopulationParams().seniority_shares)
    dm_from = SENIORITIES.index("vp")
    np.testing.assert_array_equal(big.decision_maker, big.seniority >= dm_from)
    # binomial with n = 20,000: sd of a share s is sqrt(s(1-s)/n) <= 0.0036; the
    # seller's seniority may be reset (one member). 0.015 is over 4 sd.
    observed = np.bincount(big.seniority, minlength=len(SENIORITIES)) / big.n
    np.testing.assert_allclose(observed, shares, atol=0.015)
    assert big.decision_maker.mean() == pytest.approx(shares[dm_from:].sum(), abs=0.015)


def test_activity_and_openness_laws(big):
    params = PopulationParams()
    # log-activity has sd 1.5; the standard error of the sample median of 20,000
    # lognormals is ~1.3% relative; 10% is ~8 standard errors (clipping at 20
    # does not move the median).
    assert np.median(big.activity) == pytest.approx(params.activity_median_posts_per_week, rel=0.1)
    assert big.activity.max() <= MAX_ACTIVITY_POSTS_PER_WEEK
    # Beta(2, 3): sd 0.2, standard error of the mean 0.0014; 0.01 is 7 of them
    assert big.openness.mean() == pytest.approx(params.openness_mean, abs=0.01)


def test_relevance_formula_exact(big):
    params = PopulationParams()
    target = params.target
    min_level = SENIORITIES.index(target.min_seniority)
    rng = np.random.default_rng(0)
    # a few members of every industry x seniority cell present
    picked = [
        int(rng.choice(np.flatnonzero((big.industry == i) & (big.seniority == s))))
        for i in range(len(params.industries))
        for s in range(len(SENIORITIES))
        if np.any((big.industry == i) & (big.seniority == s))
    ]
    assert len(picked) > 30
    for m in picked:
        industry_fit = (
            1.0 if big.industries[big.industry[m]] in target.industries else target.off_target_fit
        )
        seniority_fit = 1.0 if big.seniority[m] >= min_level else target.junior_fit
        assert big.relevance[m] == np.float32(industry_fit * seniority_fit), m
    np.testing.assert_array_equal(big.relevant, big.relevance >= target.relevant_threshold)


# --------------------------------------------------------------------------- ties


def test_mean_degree_close_to_target(pop):
    # top-up rounds stop within 1% of the goal for each tie kind; the seller's
    # ~24 ties are out of the CSR (0.04% of them). 3% leaves room for both.
    assert pop.degree.mean() == pytest.approx(24.0, rel=0.03)


def test_degree_distribution_is_heavy_tailed(pop):
    deg = pop.degree
    # lognormal sigma 1 at 5,000 members: the largest target degree is ~exp(3.5)
    # times the median; a Poisson graph of mean 24 would top out near 2x the mean
    assert deg.max() > 5 * deg.mean()
    assert np.percentile(deg, 99) > 3 * np.median(deg)


def test_clustering_well_above_a_random_graph(pop):
    g = pop.graph
    density = 2 * g.number_of_edges() / (pop.n * (pop.n - 1))
    sample = np.random.default_rng(1).choice(pop.n, 400, replace=False).tolist()
    clustering = nx.average_clustering(g, nodes=sample)
    # an Erdos-Renyi graph of the same density has expected clustering = density
    # (~0.005 here); company ties and triadic closure give ~0.2. A factor 10 is
    # far above the sampling noise of 400 nodes (sd of the estimate ~0.01).
    assert clustering > 10 * density


def test_ties_mostly_inside_companies_and_industries(big):
    rows = np.repeat(np.arange(big.n), big.degree)
    same_company = (big.company[rows] == big.company[big.indices]).mean()
    same_industry = (big.industry[rows] == big.industry[big.indices]).mean()
    # company ties alone are 35% of Chung-Lu ties (a bit less after duplicates),
    # and triadic closure adds more; random pairs would share a company <1% of the time
    assert same_company > 0.2
    # industry ties (40%), company ties and part of the global ones: well above
    # the chance that two random members share an industry (~14% here)
    assert same_industry > 0.6


# --------------------------------------------------------------------------- the seller


def test_seller_profile(pop):
    profile = SellerProfile()
    assert pop.industries[pop.industry[pop.seller]] == PopulationParams().target.industries[0]
    assert SENIORITIES[pop.seniority[pop.seller]] == profile.seniority
    assert_valid_seller(pop, profile.initial_connections)


def test_seller_contacts_composition(pop):
    profile = SellerProfile()
    k = profile.initial_connections
    contacts = pop.seller_contacts
    company_size = int((pop.company == pop.company[pop.seller]).sum())
    colleagues = int((pop.company[contacts] == pop.company[pop.seller]).sum())
    # the colleague quota, or the whole company if smaller; neighbours add more
    assert colleagues >= min(round(k * profile.initial_colleague_share), company_size - 1)
    # initial_relevant_share is the share of all contacts who are relevant; it is
    # met up to rounding (1/k), unless relevant colleagues alone exceed it
    relevant_colleagues = int(
        pop.relevant[contacts[pop.company[contacts] == pop.company[pop.seller]]].sum()
    )
    assert relevant_colleagues < k * profile.initial_relevant_share  # so it is met here
    assert pop.relevant[contacts].mean() == pytest.approx(profile.initial_relevant_share, abs=1 / k)
    # Beta with mean 0.3, concentration 4 (sd 0.2): standard error over 150 ties
    # is 0.017; 0.06 is 3.5 of them (the clip at 0.01 adds < 0.002)
    assert pop.seller_ties.mean() == pytest.approx(profile.initial_tie_strength, abs=0.06)


def test_seller_network_prefers_the_graph_neighbourhood():
    # 0 is the seller; its original neighbours were 1 and 2 (given as `first`,
    # as build_population removes them from the CSR); 1-3, 2-4 and 5-6 are
    # ties, 7-14 are isolated. A uniform pick of 4 would give 1-4 once in 1,365.
    n = 15
    p = population_from_edges(
        [(1, 3), (2, 4), (5, 6)],
        industry=[0] * n,
        company=list(range(n)),
        seniority=[0] * n,
        activity=[0.0] * n,
        openness=[0.5] * n,
        relevance=[0.0] * n,
        seller=0,
        seller_contacts=[],
    )
    profile = SellerProfile(
        initial_connections=4, initial_relevant_share=0, initial_colleague_share=0
    )
    contacts, ties = seller_network(
        profile,
        0,
        np.array([1, 2]),
        p.indptr,
        p.indices,
        np.array([0, 1]),
        p.relevant,
        np.random.default_rng(0),
    )
    # neighbours first, then their neighbours, before anyone else
    np.testing.assert_array_equal(contacts, [1, 2, 3, 4])
    assert ties.dtype == np.float32 and np.all((ties >= 0.01) & (ties <= 1))


def test_seller_network_capped_at_everyone_else():
    p = build(size=200, seller=SellerProfile(initial_connections=1_000))
    assert_valid_seller(p, 199)
    np.testing.assert_array_equal(p.seller_contacts, np.delete(np.arange(200), p.seller))


def test_seller_from_a_chosen_industry_and_level():
    p = build(size=2_000, seller=SellerProfile(industry="media", seniority="cxo"))
    assert p.industries[p.industry[p.seller]] == "media"
    assert SENIORITIES[p.seniority[p.seller]] == "cxo"
    assert p.decision_maker[p.seller]


# --------------------------------------------------------------------------- seeding


def test_same_seed_same_population():
    a, b = build(seed=3, size=3_000), build(seed=3, size=3_000)
    for name in ARRAY_FIELDS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert a.seller == b.seller
    c = build(seed=4, size=3_000)
    assert not np.array_equal(a.indptr, c.indptr)


def test_seller_settings_leave_the_graph_unchanged():
    # separate child streams: changing the seller's network keeps the others' draws
    a = build(seed=5, size=3_000)
    b = build(seed=5, size=3_000, seller=SellerProfile(initial_relevant_share=0.6))
    for name in ("company", "seniority", "activity", "openness", "indptr", "indices"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)
    assert not np.array_equal(a.seller_contacts, b.seller_contacts)


@settings(max_examples=15, deadline=None)
@given(
    size=st.integers(200, 600),
    industries=st.integers(1, 30),
    concentration=st.floats(0.0, 3.0),
    company_size=st.floats(2.0, 300.0),
    company_share=st.floats(0.0, 1.0),
    closure=st.floats(0.0, 0.9),
    mean_degree=st.floats(1.0, 60.0),
    seed=st.integers(0, 2**32),
)
def test_invariants_hold_for_any_parameters(
    size, industries, concentration, company_size, company_share, closure, mean_degree, seed
):
    names = tuple(f"ind{i}" for i in range(industries))
    params = PopulationParams(
        size=size,
        industries=names,
        industry_concentration=concentration,
        mean_company_size=company_size,
        company_tie_share=company_share,
        industry_tie_share=(1 - company_share) / 2,
        triadic_closure=closure,
        mean_degree=mean_degree,
        target={"industries": (names[-1],)},
    )
    p = build_population(params, np.random.default_rng(seed))
    assert p.n == size
    assert_valid_csr(p)
    assert_valid_seller(p, min(150, size - 1))
    assert p.industries[p.industry[p.seller]] == names[-1]
    company_industry = np.full(p.company.max() + 1, -1)
    company_industry[p.company] = p.industry
    np.testing.assert_array_equal(company_industry[p.company], p.industry)


def test_degenerate_laws():
    p = build(size=300, openness_mean=1.0, activity_median_posts_per_week=0.0, degree_sigma=0.0)
    assert np.all(p.openness == 1) and np.all(p.activity == 0)
    q = build(
        size=300,
        openness_mean=0.0,
        triadic_closure=0.0,
        seller=SellerProfile(initial_tie_strength=0),
    )
    assert np.all(q.openness == 0)
    assert np.all(q.seller_ties == np.float32(0.01))
    assert_valid_csr(q)


# --------------------------------------------------------------------------- by hand

SIX = dict(
    industry=[0, 0, 0, 1, 1, 1],
    company=[0, 0, 1, 2, 2, 3],
    seniority=["manager", "entry", "vp", "cxo", "senior", "director"],
    activity=[0.1, 0.0, 0.5, 1.0, 0.2, 0.0],
    openness=[0.5, 0.4, 0.9, 0.1, 0.3, 0.7],
    relevance=[1.0, 0.4, 1.0, 0.1, 0.04, 0.1],
    seller=0,
    seller_contacts=[4, 1],
    seller_ties=[0.2, 0.6],
    industries=["software", "media"],
)


def test_population_from_edges_six_nodes():
    p = population_from_edges([(1, 2), (2, 3), (3, 4), (4, 5), (2, 1), (3, 5)], **SIX)
    assert p.n == 6
    assert_valid_csr(p)
    assert [p.neighbors(i).tolist() for i in range(6)] == [
        [],
        [2],
        [1, 3],
        [2, 4, 5],
        [3, 5],
        [3, 4],
    ]
    np.testing.assert_array_equal(p.degree, [0, 1, 2, 3, 2, 2])
    np.testing.assert_array_equal(p.seller_contacts, [1, 4])
    np.testing.assert_allclose(p.seller_ties, [0.6, 0.2])  # follow their contacts
    np.testing.assert_array_equal(p.seniority, [2, 0, 4, 5, 1, 3])
    np.testing.assert_array_equal(p.decision_maker, [False, False, True, True, False, False])
    np.testing.assert_array_equal(p.relevant, [True, False, True, False, False, False])
    assert p.industries == ("software", "media")

    g = p.graph
    assert g is p.graph  # cached
    assert g.number_of_nodes() == 6
    assert g.number_of_edges() == 5 + 2
    assert g.edges[0, 1]["strength"] == pytest.approx(0.6)
    assert g.nodes[3] == {
        "industry": "media",
        "company": 2,
        "seniority": "cxo",
        "decision_maker": True,
        "relevance": pytest.approx(0.1),
    }


def test_population_from_edges_defaults():
    fields = {**SIX, "industry": [0, 0, 0, 2, 2, 2], "seniority": [2, 0, 4, 5, 1, 3]}
    del fields["industries"], fields["seller_ties"]
    p = population_from_edges(np.array([[1, 2]]), **fields)
    assert p.industries == ("industry-0", "industry-1", "industry-2")
    np.testing.assert_allclose(p.seller_ties, SellerProfile().initial_tie_strength)
    named = population_from_edges([], **{**fields, "industry": ["a", "a", "a", "b", "b", "b"]})
    assert named.industries == ("a", "b")
    assert named.indices.size == 0


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"edges": [(0, 3)]}, r"\(0, 3\) touches the seller 0"),
        ({"edges": [(2, 2)]}, "self-loop on member 2"),
        ({"edges": [(2, 9)]}, r"edges: values must be in \[0, 5\] \(got 9\)"),
        ({"company": [0, 0, 1, 1, 2, 3]}, "company 1 spans industries"),
        ({"openness": [0.5, 0.4, 0.9, 0.1, 0.3]}, "openness: expected 6 values"),
        ({"relevance": [1.0, 0.4, 1.0, 1.1, 0.04, 0.1]}, r"relevance: values must be in \[0, 1\]"),
        ({"seniority": ["manager", "entry", "vp", "boss", "senior", "cxo"]}, "unknown name 'boss'"),
        ({"seller_contacts": [1, 0], "seller_ties": None}, "cannot be its own contact"),
        ({"seller_contacts": [1, 1], "seller_ties": None}, "must be distinct"),
        ({"seller_ties": [0.0, 0.5]}, r"strengths must be in \(0, 1\]"),
        ({"seller_ties": [0.5]}, "expected 2 strengths"),
        ({"seller": 6}, r"seller: must be a member index in 0..5 \(got 6\)"),
    ],
)
def test_population_from_edges_rejects_bad_input(change, match):
    fields = {**SIX, **change}
    edges = fields.pop("edges", [(1, 2)])
    with pytest.raises(ValueError, match=match):
        population_from_edges(edges, **fields)


# --------------------------------------------------------------------------- graph of record


def test_graph_matches_csr_plus_seller_ties(pop):
    g = pop.graph
    assert g.number_of_nodes() == pop.n
    assert g.number_of_edges() == pop.indptr[-1] // 2 + pop.seller_contacts.size
    assert sorted(g[pop.seller]) == pop.seller_contacts.tolist()
    for j, s in zip(pop.seller_contacts[:5].tolist(), pop.seller_ties[:5].tolist(), strict=True):
        assert g.edges[pop.seller, j]["strength"] == pytest.approx(s)
    i = int(np.argmax(pop.degree))
    assert sorted(g[i]) == pop.neighbors(i).tolist()
    node = g.nodes[i]
    assert node["industry"] == pop.industries[pop.industry[i]]
    assert node["seniority"] == SENIORITIES[pop.seniority[i]]
    assert node["company"] == pop.company[i]


def test_csr_helpers_round_trip():
    rng = np.random.default_rng(2)
    a, b = rng.integers(0, 50, 400), rng.integers(0, 50, 400)
    u, v = _split_keys(_edge_keys(a, b))
    assert np.all(u < v)
    expected = {
        (min(x, y), max(x, y)) for x, y in zip(a.tolist(), b.tolist(), strict=True) if x != y
    }
    assert set(zip(u.tolist(), v.tolist(), strict=True)) == expected
    indptr, indices = _csr(u, v, 50)
    g = nx.Graph(list(expected))
    for r in range(50):
        assert indices[indptr[r] : indptr[r + 1]].tolist() == (sorted(g[r]) if r in g else [])


@pytest.mark.parametrize("closure", [0.6, 0.8, 0.95])
def test_a_high_triadic_closure_keeps_the_mean_degree(closure):
    """Raising triadic_closure changes where ties fall, not how many there are:
    the realised mean degree stays within about 1% of mean_degree (it fell to
    10.6 of 24 at 0.9 and 4.0 at 0.95 when only the random ties' wedges were
    closed). Tolerance: 2% (the builder's 1% goal, and the seller's ties taken
    out of the graph). Members with no tie grow with it (no random tie to start
    a triangle from): reported in docs/model.md, checked loosely here."""
    p = build(size=5_000, triadic_closure=closure)
    assert p.degree.mean() == pytest.approx(24, rel=0.02)
    assert (p.degree == 0).mean() < {0.6: 0.05, 0.8: 0.15, 0.95: 0.5}[closure]


def test_a_population_reads_in_one_line_in_a_notebook(pop):
    """Its repr was every array (about 4,400 characters at 20,000 members)."""
    text = repr(pop)
    assert "\n" not in text and len(text) < 200, text
    assert text.startswith("Population(5,000 members") and "150 contacts" in text

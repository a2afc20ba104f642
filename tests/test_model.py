"""The model on a tiny hand-built graph, where the outcome is exact."""

import numpy as np
import pytest

from ssisim.model import RunStats, simulate
from ssisim.population import gather_neighbors, population_from_edges
from ssisim.records import WEEKLY_COLUMNS
from ssisim.scenario import Strategy, parse_scenario

# seller 0 knows 1; 1 knows 2 and 3 (who know each other); 4-5 are a separate pair;
# 6 knows 4. Everyone is fully open and relevant, so every invitation is accepted.
EDGES = [(1, 2), (1, 3), (2, 3), (4, 5), (4, 6)]
N = 7


def tiny(**overrides):
    base = dict(
        industry=[0] * N,
        company=[0, 1, 1, 2, 3, 3, 4],
        seniority=["manager", "vp", "vp", "entry", "entry", "cxo", "entry"],
        activity=[0.0] * N,
        openness=[1.0] * N,
        relevance=[1.0, 1.0, 1.0, 1.0, 0.1, 0.1, 0.1],
        seller=0,
        seller_contacts=[1],
        seller_ties=[0.3],
        industries=["software"],
    )
    base.update(overrides)
    return population_from_edges(EDGES, **base)


QUIET = """
name: tiny
weeks: 4
population: {size: 200}
answers:
  acceptance: {mean_delay_days: 0.01}
  inbound: {passive_views_per_week: 0, invitee_view_rate: 0, view_back_rate: 0, comment_views: 0}
  ties: {endorsements_per_strong_tie_per_week: 0}
strategies: [inactive]
"""


def run(strategy: Strategy, population=None, seed=1, text=QUIET):
    sc = parse_scenario(text)
    return simulate(population or tiny(), sc, strategy, np.random.SeedSequence(seed))


def test_gather_neighbors_matches_rows():
    pop = tiny()
    nodes = np.array([1, 4, 1])
    expected = np.concatenate([pop.neighbors(1), pop.neighbors(4), pop.neighbors(1)])
    assert np.array_equal(gather_neighbors(pop.indptr, pop.indices, nodes), expected)
    assert gather_neighbors(pop.indptr, pop.indices, np.array([0], dtype=np.int64)).size == 0


def test_second_degree_invitations_exact_outcome():
    st = Strategy(name="friends-of-friends", invites_per_week=5, invite_targeting=("second_degree",),
                  profile_completeness=1.0)
    recs = run(st)
    assert [r.week for r in recs] == [0, 1, 2, 3, 4]
    # week 1: 2 and 3 are the only second-degree members; both accept within the week
    assert [r.connections for r in recs] == [1, 3, 3, 3, 3]
    assert [r.invitations_sent for r in recs] == [0, 2, 0, 0, 0]
    assert [r.invitations_accepted for r in recs] == [0, 2, 0, 0, 0]
    assert [r.relevant_connections for r in recs] == [1, 3, 3, 3, 3]
    assert [r.decision_maker_connections for r in recs] == [1, 2, 2, 2, 2]
    assert all(r.posts == r.impressions == r.messages_sent == 0 for r in recs)


def test_relevant_targeting_and_policies_exact():
    st = Strategy(name="relevant-only", invites_per_week=10, invite_targeting=("relevant",),
                  profile_completeness=1.0)
    recs = run(st)
    # the relevant members (relevance >= 0.5) are 1, 2, 3; 1 is already a contact
    assert recs[-1].connections == 3
    everyone = Strategy(name="anyone", invites_per_week=50, invite_targeting=("anyone",),
                        profile_completeness=1.0)
    assert run(everyone, tiny(relevance=[1.0] * N))[-1].connections == N - 1


def test_connection_limit_is_a_ceiling():
    st = Strategy(name="anyone", invites_per_week=50, invite_targeting=("anyone",))
    text = QUIET + "platform: {connection_limit: 3}\n"
    assert max(r.connections for r in run(st, text=text)) == 3


def test_weekly_invite_cap():
    st = Strategy(name="anyone", invites_per_week=50, invite_targeting=("anyone",))
    text = QUIET + "platform: {invite_cap_per_week: 2}\n"
    sent = [r.invitations_sent for r in run(st, text=text)]
    assert max(sent) <= 2 and sum(sent) == 5  # 5 strangers, 2 a week


def test_inactive_member_only_loses_tie_strength():
    recs = run(Strategy(name="inactive", profile_completeness=0.35))
    assert {r.connections for r in recs} == {1}
    assert all(r.invitations_sent == 0 and r.posts == 0 for r in recs)
    # only tie strength decays, so relationships can only fall
    rel = [r.relationships for r in recs]
    assert rel == sorted(rel, reverse=True)


def test_records_have_every_weekly_column_and_bounds():
    st = Strategy(name="busy", posts_per_week=3, comments_per_week=2, invites_per_week=3,
                  warm_messages_per_week=2, searches_per_week=2, profile_views_per_week=3)
    stats = RunStats()
    sc = parse_scenario(QUIET)
    recs = simulate(tiny(activity=[1.0] * N), sc, st, np.random.SeedSequence(3), stats=stats)
    assert recs[0]._fields == WEEKLY_COLUMNS
    assert stats.events > 0
    for r in recs:
        assert 0 <= r.ssi <= 100
        assert r.ssi == pytest.approx(r.brand + r.people + r.insights + r.relationships)
    assert sum(r.posts for r in recs) == 12  # exactly 3 a week for 4 weeks


def test_same_seed_same_records_different_seed_differs():
    st = Strategy(name="busy", posts_per_week=2.5, invites_per_week=2.5, warm_messages_per_week=3)
    pop = tiny(activity=[1.0] * N, openness=[0.5] * N)
    a = run(st, pop, seed=7)
    assert a == run(st, pop, seed=7)
    assert any(run(st, pop, seed=s) != a for s in range(8, 14))


def test_visibility_boost_multiplies_reach():
    """C6 mechanism: above the threshold, a post's feed reach is multiplied by 1 + boost."""
    from ssisim.model import _Run

    sc = parse_scenario(QUIET.replace("answers:", "answers:\n  reach: {feed_share: 0.2, reaction_rate: 0}"))
    pop = tiny(seller_contacts=list(range(1, N)), seller_ties=[0.3] * (N - 1))
    seen = {}
    posts = 4000
    for boosted in (False, True):
        r = _Run(pop, sc, Strategy(name="p"), np.random.default_rng(1), np.random.default_rng(2), 0)
        r.boosted = boosted
        for _ in range(posts):
            r.post()
        seen[boosted] = r.week.impressions / posts
    # expected 6 contacts x 0.2 = 1.2 impressions, x1.2 when boosted; a post's impressions
    # have sd ~1 (binomial 6, 0.2), so 4,000 posts give a standard error of 0.016:
    # 0.07 is over 4 standard errors
    assert seen[False] == pytest.approx(1.2, abs=0.07)
    assert seen[True] == pytest.approx(1.44, abs=0.07)

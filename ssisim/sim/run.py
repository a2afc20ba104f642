"""One run: a seller's weeks and the population's answers, as a SimPy simulation.

The clock runs in days; week ``w`` spans days ``[7w, 7w + 7)``, the seller's
routine runs on working days (the first five of each week), the inbox of
incoming invitations is answered every day, and the SSI is refreshed at the
end of every week. What happens at a time is a SimPy event (a post, a batch of
invitations, an acceptance arriving after its delay, a reply); what happens to
many members at once (a post's audience, a batch of acceptance draws) is numpy
over arrays, never a Python loop over the population.

The mechanisms and their parameters are described in ``docs/model.md``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import simpy

from ssisim.pillars import pillar_scores
from ssisim.population.build import Population, gather_neighbors
from ssisim.population.cache import members_for
from ssisim.population.seats import (
    SellerStart,
    default_start,
    seller_start_for,
)
from ssisim.records import LEAD_COLUMNS, WeekRecord
from ssisim.scenario.schema import Scenario, Strategy
from ssisim.seeds import (
    existing_rng,
)

__all__ = [
    "RunStats",
    "budget_factor",
    "measure_reach",
    "planned_minutes",
    "simulate",
]

WORKING_DAYS = 5
DAYS_PER_WEEK = 7
WEEKS_PER_MONTH = 52.0 / 12.0
VIEWER_MEMORY_DAYS = 30.0  # "who viewed your profile" lists recent viewers
INBOX_TIME_OF_DAY = 0.9  # a fraction of a day: the seller answers the inbox late each day


_LEAD_SLOT = {name: i for i, name in enumerate(LEAD_COLUMNS)}


@dataclass
class RunStats:
    """What a run cost: SimPy events processed (for the benchmarks)."""

    events: int = 0


@dataclass
class _Week:
    """Flows of the current week; reset at each refresh."""

    invitations_sent: int = 0
    invitations_accepted: int = 0
    invitations_received: int = 0
    posts: int = 0
    articles: int = 0
    shares: int = 0
    comments: int = 0
    impressions: int = 0
    engagements: int = 0
    profile_views_received: int = 0
    profile_views_made: int = 0
    searches: int = 0
    messages_sent: int = 0
    inmails: int = 0
    replies: int = 0
    endorsements: int = 0
    minutes: float = 0.0
    new_selling: int = 0  # new contacts this week who sell (they may pitch)
    new_selling_inviters: int = 0  # ... of whom invited the seller
    pitches: int = 0

    def reset(self) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, 0)


# activity inputs: trailing (exponentially weighted) weekly averages
_EW_KEYS = (
    "posts", "engagement", "searches", "profile_views", "shares", "comments",
    "replies", "inmail", "invitations_sent", "invitations_accepted",
)  # fmt: skip


@dataclass
class _Seller:
    """The state of the seller's network during one run (arrays of size n)."""

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

    @property
    def contacts(self) -> np.ndarray:
        return self.contact_ids[: self.n_contacts]


class _Run:
    """The SimPy processes of one run. Build with :func:`simulate`."""

    def __init__(
        self,
        population: Population,
        scenario: Scenario,
        strategy: Strategy,
        routine_rng: np.random.Generator,
        answers_rng: np.random.Generator,
        replication: int,
        leads_rng: np.random.Generator | None = None,
        start: SellerStart | None = None,
        existing_rng: np.random.Generator | None = None,
    ) -> None:
        self.pop = population
        self.sc = scenario
        self.st = strategy
        self.rng = routine_rng
        self.arng = answers_rng
        # leads, pitches and introductions draw from their own stream, so that
        # they leave the routine's and the answers' draws (and the SSI) unchanged
        self.lrng = leads_rng if leads_rng is not None else answers_rng.spawn(1)[0]
        # the existing relationships' leads do not depend on the routine: their own
        # stream, shared by every strategy of a replication (common random numbers)
        self.erng = existing_rng if existing_rng is not None else self.lrng.spawn(1)[0]
        self.leads = np.zeros(len(LEAD_COLUMNS), dtype=np.int64)
        self.replication = replication
        self.env = simpy.Environment()
        self.stats = RunStats()
        self.records: list[WeekRecord] = []
        self.inputs_log: list[dict[str, dict[str, float]]] | None = None
        self.week = _Week()
        self.ew = dict.fromkeys(_EW_KEYS, 0.0)
        self.ew_decay = 0.5 ** (1.0 / scenario.scoring.activity_half_life_weeks)
        self.tie_decay = 0.5 ** (1.0 / scenario.answers.ties.half_life_weeks)
        self.boosted = False
        stop = strategy.stops_at_week
        self.routine_weeks = scenario.weeks if stop is None else min(stop, scenario.weeks)
        n = population.n
        self.s = _Seller(
            contact=np.zeros(n, dtype=bool),
            tie=np.zeros(n, dtype=np.float64),
            mutual=np.zeros(n, dtype=np.int32),
            invited=np.zeros(n, dtype=bool),
            viewed_at=np.full(n, -np.inf),
            contact_ids=np.empty(min(n, scenario.platform.connection_limit), dtype=np.int64),
        )
        start = start if start is not None else default_start(population)
        self.me = start.member
        self.my_company = int(population.company[self.me])
        self.my_industry = int(population.industry[self.me])
        self.members = members_for(population, scenario)  # every member's SSI, for the ranks
        self.s.invited[self.me] = True
        self.s.contact[self.me] = True  # never a candidate for anything
        self.relevant_ids = np.flatnonzero(population.relevant)
        self.dm_ids = np.flatnonzero(population.decision_maker)
        self._exhaustive = {
            "anyone": np.arange(population.n),
            "relevant": self.relevant_ids,
            "decision_makers": self.dm_ids,
        }
        act = population.activity.astype(np.float64)
        half = scenario.answers.reach.activity_half_posts_per_week
        self.engage_propensity = act / (act + half)
        self.warm = scenario.answers.messaging.warm_tie_threshold
        lift = scenario.answers.pitches.invite_lift
        sells = population.sells
        # sellers invite (1 + lift) times as readily; normalised so the average is unchanged
        self.invite_weight: np.ndarray | None = (
            (1.0 + lift * sells) / (1.0 + lift * float(sells.mean())) if lift > 0 else None
        )
        self.restricted_from = -math.inf
        self.restricted_until = -math.inf
        # invitations sent each week, and how many of them were accepted so far
        self.sent_by_week = np.zeros(scenario.weeks + 1, dtype=np.int64)
        self.accepted_by_week = np.zeros(scenario.weeks + 1, dtype=np.int64)
        self.window_start = 0  # restrictions: weeks before this no longer count
        self._connect_many(start.contacts, start.ties)
        self.existing = start.contacts.astype(np.int64)  # existing relationships (week 0)
        self.week.new_selling = 0

    # ------------------------------------------------------------------ helpers

    def _count(self, per_week: float) -> int:
        """Actions this week: the integer part, plus one with the fractional part's chance."""
        whole = math.floor(per_week)
        return whole + int(self.rng.random() < per_week - whole)

    def _at(self, t: float, action: Callable[[], None]) -> None:
        event = self.env.timeout(max(t - self.env.now, 0.0))
        event.callbacks.append(lambda _e: action())
        self.stats.events += 1

    def _room(self) -> int:
        return self.s.contact_ids.size - self.s.n_contacts

    def _connect_many(self, ids: np.ndarray, ties: np.ndarray) -> int:
        """Add first-degree ties (ids must be new and unique); returns how many were added."""
        s, pop = self.s, self.pop
        take = min(ids.size, self._room())
        ids, ties = ids[:take], ties[:take]
        if take == 0:
            return 0
        s.contact[ids] = True
        s.tie[ids] = ties
        s.contact_ids[s.n_contacts : s.n_contacts + take] = ids
        s.n_contacts += take
        np.add.at(s.mutual, gather_neighbors(pop.indptr, pop.indices, ids), 1)
        s.relevant += int(pop.relevant[ids].sum())
        dm = ids[pop.decision_maker[ids]]
        s.decision_makers += dm.size
        s.colleagues += int((pop.company[ids] == self.my_company).sum())
        self.week.new_selling += int(pop.sells[ids].sum())
        for c in pop.company[dm].tolist():
            s.dm_per_company[c] = s.dm_per_company.get(c, 0) + 1
        return take

    def _connect_one(self, j: int, strength: float) -> bool:
        """Add one first-degree tie: the scalar fast path of :meth:`_connect_many`."""
        s, pop = self.s, self.pop
        if s.contact[j] or self._room() == 0:
            return False
        s.contact[j] = True
        s.tie[j] = strength
        s.contact_ids[s.n_contacts] = j
        s.n_contacts += 1
        s.mutual[pop.indices[pop.indptr[j] : pop.indptr[j + 1]]] += 1  # a row has no repeats
        s.relevant += bool(pop.relevant[j])
        company = int(pop.company[j])
        s.colleagues += company == self.my_company
        self.week.new_selling += bool(pop.sells[j])
        if pop.decision_maker[j]:
            s.decision_makers += 1
            s.dm_per_company[company] = s.dm_per_company.get(company, 0) + 1
        return True

    def _strengthen_one(self, j: int, gain: float) -> None:
        if self.s.contact[j]:
            self.s.tie[j] = min(self.s.tie[j] + gain, 1.0)

    def _strengthen(self, ids: np.ndarray, gain: float) -> None:
        ids = ids[self.s.contact[ids]]
        self.s.tie[ids] = np.minimum(self.s.tie[ids] + gain, 1.0)

    def _receive_views(self, viewers: np.ndarray) -> None:
        """Members open the seller's profile; some who are strangers invite."""
        if viewers.size == 0:
            return
        s, inbound = self.s, self.sc.answers.inbound
        viewers = viewers[viewers != self.me]
        self.week.profile_views_received += viewers.size
        s.viewed_at[viewers] = self.env.now
        strangers = viewers[~s.contact[viewers]]
        s.recent_viewers.extend(strangers.tolist())
        fresh = strangers[~s.invited[strangers]]
        p = inbound.invite_after_view * self.pop.openness[fresh]
        if self.invite_weight is not None:
            p = p * self.invite_weight[fresh]
        inviting = fresh[self.arng.random(fresh.size) < p]
        if inviting.size:
            s.invited[inviting] = True  # they asked: no need to invite them back
            s.inbox.extend(inviting.tolist())
            self.week.invitations_received += inviting.size

    def _second_degree_sample(self, k: int, rng: np.random.Generator) -> np.ndarray:
        """Members drawn with chance proportional to their mutual contacts (a random contact's random contact)."""
        s, pop = self.s, self.pop
        if s.n_contacts == 0 or k <= 0:
            return np.empty(0, dtype=np.int64)
        via = s.contacts[rng.integers(0, s.n_contacts, size=k)]
        deg = pop.indptr[via + 1] - pop.indptr[via]
        via, deg = via[deg > 0], deg[deg > 0]
        pick = pop.indptr[via] + (rng.random(via.size) * deg).astype(np.int64)
        return pop.indices[pick].astype(np.int64)

    # ------------------------------------------------------------------ content

    def _publish(self, reach_factor: float, engagement_factor: float) -> None:
        """A post travels: contacts see it, reactors show it to their own contacts."""
        s, pop, reach = self.s, self.pop, self.sc.answers.reach
        boost = 1.0 + self.sc.platform.boost_reach if self.boosted else 1.0
        rng = self.arng
        p_feed = min(reach.feed_share * reach_factor * boost, 1.0)
        # the boost widens the first audience only; the cascade then grows in proportion,
        # so an identical post's expected reach is multiplied by the boost factor (C6)
        p_hop = min(reach.hop_share * reach_factor, 1.0)
        contacts = s.contacts
        viewers = contacts[rng.random(contacts.size) < p_feed]
        seen = [viewers]
        engaged_all: list[np.ndarray] = []
        frontier = viewers
        for hop in range(reach.max_hops + 1):
            p = (
                reach.reaction_rate
                * engagement_factor
                * self.engage_propensity[frontier]
                * (0.5 + pop.relevance[frontier])
                * (0.5 + s.tie[frontier])
            )
            engaged = frontier[rng.random(frontier.size) < np.minimum(p, 1.0)]
            engaged_all.append(engaged)
            if hop == reach.max_hops or engaged.size == 0:
                break
            nxt = gather_neighbors(pop.indptr, pop.indices, engaged)
            nxt = np.unique(nxt[rng.random(nxt.size) < p_hop])
            nxt = np.setdiff1d(nxt, np.concatenate(seen), assume_unique=False)
            nxt = nxt[nxt != self.me]
            seen.append(nxt)
            frontier = nxt
        impressions = sum(a.size for a in seen)
        engaged = np.concatenate(engaged_all)
        self.week.impressions += impressions
        self.week.engagements += engaged.size
        self._inbound(engaged)
        self._strengthen(engaged, self.sc.answers.ties.interaction_gain / 2)
        strangers = engaged[~s.contact[engaged]]
        self._receive_views(strangers[rng.random(strangers.size) < reach.profile_view_rate])

    def post(self) -> None:
        self.week.posts += 1
        self.week.minutes += self.sc.time.post_minutes
        self._publish(1.0, 1.0)

    def article(self) -> None:
        self.week.articles += 1
        self.week.minutes += self.sc.time.article_minutes
        reach = self.sc.answers.reach
        self._publish(reach.article_reach, reach.article_engagement)

    def share(self) -> None:
        self.week.shares += 1
        self.week.minutes += self.sc.time.share_minutes
        self._publish(self.sc.answers.reach.share_reach, 0.5)

    def comment(self) -> None:
        """Comment on a contact's post: the tie warms, the author's network sees the seller."""
        s, pop = self.s, self.pop
        self.week.comments += 1
        self.week.minutes += self.sc.time.comment_minutes
        if s.n_contacts:
            author = int(s.contact_ids[self.rng.integers(s.n_contacts)])
            self._strengthen_one(author, self.sc.answers.ties.interaction_gain)
        else:
            author = int(self.rng.integers(pop.n))
        boost = 1.0 + self.sc.platform.boost_reach if self.boosted else 1.0
        k = self.arng.poisson(self.sc.answers.inbound.comment_views * boost)
        nbrs = pop.neighbors(int(author))
        if k and nbrs.size:
            viewers = nbrs[self.arng.integers(0, nbrs.size, size=k)].astype(np.int64)
            self._receive_views(viewers)
            self._inbound(viewers)

    def react(self) -> None:
        s = self.s
        self.week.minutes += self.sc.time.reaction_minutes
        if s.n_contacts:
            who = int(s.contact_ids[self.rng.integers(s.n_contacts)])
            self._strengthen_one(who, self.sc.answers.ties.interaction_gain / 3)

    # ------------------------------------------------------------------ prospecting

    def prospect(self, searches: int, views: int) -> None:
        """Searches and profile views of prospects; some look back."""
        self.week.searches += searches
        self.week.profile_views_made += views
        t = self.sc.time
        self.week.minutes += searches * t.search_minutes + views * t.profile_view_minutes
        pool = self.relevant_ids if self.relevant_ids.size else np.arange(self.pop.n)
        if views:
            viewed = pool[self.rng.integers(0, pool.size, size=views)]
            back = viewed[self.arng.random(views) < self.sc.answers.inbound.view_back_rate]
            self._receive_views(back)

    def passive_views(self) -> None:
        """Search appearances turned profile views, growing with the network."""
        inbound = self.sc.answers.inbound
        lam = (
            inbound.passive_views_per_week
            * math.sqrt(self.s.n_contacts)
            * (0.5 + 0.5 * self.st.profile_completeness)
        )
        k = int(self.arng.poisson(lam / DAYS_PER_WEEK))
        if k:
            viewers = self._second_degree_sample(k, self.arng)
            strangers = self.arng.integers(0, self.pop.n, size=k - viewers.size)
            self._receive_views(np.concatenate([viewers, strangers]))

    # ------------------------------------------------------------------ invitations

    def _candidates(self, pool: str, k: int) -> np.ndarray:
        s, rng = self.s, self.rng
        if pool == "profile_viewers":
            recent = np.asarray(s.recent_viewers, dtype=np.int64)
            recent = recent[s.viewed_at[recent] >= self.env.now - VIEWER_MEMORY_DAYS]
            s.recent_viewers = recent.tolist()
            return recent
        if pool == "second_degree":
            return self._second_degree_sample(3 * k, rng)
        if pool == "mutual_contacts":
            cand = self._second_degree_sample(10 * k, rng)
            return cand[s.mutual[cand] >= self.st.min_mutual_contacts]
        if pool == "relevant":
            ids = self.relevant_ids
        elif pool == "decision_makers":
            ids = self.dm_ids
        else:  # anyone
            return rng.integers(0, self.pop.n, size=3 * k)
        if ids.size == 0:
            return ids
        return ids[rng.integers(0, ids.size, size=3 * k)]

    def _fresh(self, cand: np.ndarray) -> np.ndarray:
        """Candidates never invited and not yet contacts, first occurrences in order."""
        cand = cand[~self.s.invited[cand] & ~self.s.contact[cand]]
        return np.fromiter(dict.fromkeys(cand.tolist()), dtype=np.int64, count=-1)

    def invite(self, k: int) -> None:
        """Send up to ``k`` invitations, from each targeting pool in turn."""
        if self.env.now < self.restricted_until:
            return  # the platform restricts the account (platform.restriction)
        s, pop, acc = self.s, self.pop, self.sc.answers.acceptance
        k = min(k, self._room())
        chosen: list[np.ndarray] = []
        left = k
        for pool in self.st.invite_targeting:
            if left <= 0:
                break
            cand = self._fresh(self._candidates(pool, left))
            if cand.size < left and pool in self._exhaustive:
                # the random draw came back short: fall back to the whole pool
                everyone = self._exhaustive[pool]
                cand = self._fresh(np.concatenate([cand, self.rng.permutation(everyone)]))
            cand = cand[:left]
            s.invited[cand] = True
            chosen.append(cand)
            left -= cand.size
        if not chosen:
            return
        targets = np.concatenate(chosen)
        if targets.size == 0:
            return
        self.week.invitations_sent += targets.size
        sent_week = int(self.env.now // DAYS_PER_WEEK)
        self.sent_by_week[sent_week] += targets.size
        note = self.rng.random(targets.size) < self.st.invite_note_share  # the seller's choice
        t, notes = self.sc.time, int(note.sum())
        self.week.minutes += (
            notes * t.note_invitation_minutes + (targets.size - notes) * t.blank_invitation_minutes
        )
        rng = self.arng
        mutual = np.minimum(s.mutual[targets], acc.mutual_saturation) / acc.mutual_saturation
        p = (
            pop.openness[targets]
            * (acc.relevance_floor + (1 - acc.relevance_floor) * pop.relevance[targets])
            * (1 + acc.note_lift * note)
            * (1 + acc.mutual_lift * mutual)
            * (acc.profile_floor + (1 - acc.profile_floor) * self.st.profile_completeness)
        )
        accept = rng.random(targets.size) < np.minimum(p, 1.0)
        delays = rng.exponential(acc.mean_delay_days, size=targets.size)
        accept &= delays < self.sc.platform.invitation_expiry_days
        looks = rng.random(targets.size) < self.sc.answers.inbound.invitee_view_rate
        self._receive_views(targets[looks])
        ties = self.sc.answers.ties
        for j, delay, noted in zip(
            targets[accept].tolist(), delays[accept].tolist(), note[accept].tolist(), strict=True
        ):
            strength = ties.new_tie_strength + (ties.note_bonus if noted else 0.0)
            self._at(self.env.now + delay, partial(self._accepted, j, strength, sent_week))

    def _accepted(self, j: int, strength: float, sent_week: int) -> None:
        if self._connect_one(j, strength):
            self.week.invitations_accepted += 1
            self.accepted_by_week[sent_week] += 1

    def answer_inbox(self) -> None:
        """Apply the acceptance policy to the invitations received today."""
        s, pop, st = self.s, self.pop, self.st
        if not s.inbox:
            return
        ids = np.unique(np.asarray(s.inbox, dtype=np.int64))
        s.inbox.clear()
        ids = ids[~s.contact[ids]]
        self.week.minutes += ids.size * self.sc.time.incoming_invitation_minutes
        ok = np.zeros(ids.size, dtype=bool)
        for rule in st.accept_policy:
            if rule == "everyone":
                ok[:] = True
            elif rule == "relevant":
                ok |= pop.relevant[ids]
            elif rule == "mutual_contacts":
                ok |= s.mutual[ids] >= st.min_mutual_contacts
            elif rule == "decision_makers":
                ok |= pop.decision_maker[ids]
        ties = self.sc.answers.ties
        added = self._connect_many(ids[ok], np.full(int(ok.sum()), ties.new_tie_strength))
        self.week.new_selling_inviters += int(self.pop.sells[ids[ok][:added]].sum())

    # ------------------------------------------------------------------ messages

    def message(self, warm: int, cold: int) -> None:
        """Warm messages to strong-enough ties, cold ones to weak ties (or InMail with Sales Navigator)."""
        s, msg, rng = self.s, self.sc.answers.messaging, self.rng
        contacts = s.contacts
        targets: list[np.ndarray] = []
        rates: list[float] = []
        minutes: list[float] = []
        if warm and contacts.size:
            pool = contacts[s.tie[contacts] >= msg.warm_tie_threshold]
            if pool.size == 0:
                pool = contacts
            targets.append(pool[rng.integers(0, pool.size, size=warm)])
            rates.append(msg.warm_reply_rate)
            minutes.append(self.sc.time.warm_message_minutes)
        if cold:
            if self.st.sales_navigator:
                pool = self.relevant_ids
                pool = pool[~s.contact[pool]] if pool.size else pool
                self.week.inmails += cold if pool.size else 0
            else:
                pool = contacts[s.tie[contacts] < msg.warm_tie_threshold]
            if pool.size:
                targets.append(pool[rng.integers(0, pool.size, size=cold)])
                rates.append(msg.cold_reply_rate)
                minutes.append(self.sc.time.cold_message_minutes)
        for who, rate, cost in zip(targets, rates, minutes, strict=True):
            self.week.messages_sent += who.size
            self.week.minutes += who.size * cost
            replied = who[self.arng.random(who.size) < rate]
            delays = self.arng.exponential(msg.mean_reply_delay_days, size=replied.size)
            for j, d in zip(replied.tolist(), delays.tolist(), strict=True):
                self._at(self.env.now + d, partial(self._replied, j))

    def _replied(self, j: int) -> None:
        """A reply arrives: the seller handles the conversation; a warm one may be a lead."""
        self.week.replies += 1
        self.week.minutes += self.sc.time.conversation_minutes
        s = self.s
        if s.contact[j] and s.tie[j] >= self.warm:
            if self.lrng.random() < self.sc.answers.leads.outbound_rate:
                self._count_leads("outbound", np.array([j], dtype=np.int64))
        self._strengthen_one(j, self.sc.answers.ties.interaction_gain)

    # ------------------------------------------------------------------ leads and pitches

    def _count_leads(
        self, origin: str, members: np.ndarray, warm: np.ndarray | None = None
    ) -> None:
        """Add leads of one origin to this week's counts, by class (and warmth)."""
        if members.size == 0:
            return
        pop, counts, slot = self.pop, self.leads, _LEAD_SLOT
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

    def _inbound(self, members: np.ndarray) -> None:
        """Members who saw the seller's content reach out, each with ``leads.inbound_rate``."""
        if members.size == 0:
            return
        s = self.s
        hit = members[self.lrng.random(members.size) < self.sc.answers.leads.inbound_rate]
        hit = hit[hit != self.me]
        self._count_leads("inbound", hit, s.contact[hit] & (s.tie[hit] >= self.warm))

    def _introduced(
        self, introducers: np.ndarray, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """A random CSR neighbour of each introducer (those with none, or naming the
        seller, pass nothing); returns (introduced, kept mask over introducers)."""
        pop = self.pop
        deg = pop.indptr[introducers + 1] - pop.indptr[introducers]
        keep = deg > 0
        pick = pop.indptr[introducers[keep]] + (rng.random(int(keep.sum())) * deg[keep]).astype(
            np.int64
        )
        introduced = pop.indices[pick].astype(np.int64)
        mine = introduced != self.me
        keep[np.flatnonzero(keep)[~mine]] = False
        return introduced[mine], keep

    def introductions(self) -> None:
        """Each week, contacts and existing relationships pass opportunities from their networks."""
        s, leads, rng = self.s, self.sc.answers.leads, self.lrng
        contacts = s.contacts
        if contacts.size and leads.introduction_rate > 0:
            ties = s.tie[contacts]
            p = leads.introduction_rate * (leads.weak_floor + ties)
            hit = rng.random(contacts.size) < p
            introduced, kept = self._introduced(contacts[hit], rng)
            self._count_leads("introduction", introduced, ties[hit][kept] >= self.warm)
        if self.existing.size and leads.existing_rate > 0:
            hit = self.erng.random(self.existing.size) < leads.existing_rate
            introduced, _ = self._introduced(self.existing[hit], self.erng)
            self._count_leads("existing", introduced)

    def pitches(self) -> int:
        """Pitches received this week: from new selling contacts, and selling weak ties."""
        s, w, pitches, rng = self.s, self.week, self.sc.answers.pitches, self.lrng
        contacts = s.contacts
        weak_sellers = int((self.pop.sells[contacts] & (s.tie[contacts] < self.warm)).sum())
        inviters = w.new_selling_inviters
        return int(
            rng.binomial(w.new_selling - inviters, pitches.on_connect)
            + rng.binomial(inviters, min(1.0, pitches.on_connect * (1.0 + pitches.inviter_lift)))
            + rng.binomial(weak_sellers, pitches.weak_tie_per_week)
        )

    def restrict(self) -> None:
        """Block invitations when too many of the last weeks' invitations went unaccepted.

        The window holds the ``window_weeks`` weeks before the one ending now
        (whose invitations are still mostly unanswered), and their acceptances
        so far.
        """
        rule = self.sc.platform.restriction
        if not rule.enabled or self.env.now < self.restricted_until:
            return
        current = int(self.env.now // DAYS_PER_WEEK) - 1  # the week ending now
        first = max(current - rule.window_weeks, self.window_start)
        sent = int(self.sent_by_week[first:current].sum())
        accepted = int(self.accepted_by_week[first:current].sum())
        if sent >= rule.min_invitations and accepted < rule.min_acceptance_rate * sent:
            self.restricted_from = self.env.now
            self.restricted_until = self.env.now + rule.weeks * DAYS_PER_WEEK
            self.window_start = current + 1 + rule.weeks  # the count starts again afterwards

    # ------------------------------------------------------------------ processes

    def repeating(self, per_week: float, action: Callable[[], None]) -> Generator[Any, Any, None]:
        """A routine action spread evenly over each week's working days."""
        env = self.env
        for week in range(self.routine_weeks):
            start = week * DAYS_PER_WEEK
            k = self._count(per_week)
            for i in range(k):
                yield env.timeout(start + (i + 0.5) * WORKING_DAYS / k - env.now)
                self.stats.events += 1
                action()
            yield env.timeout(start + DAYS_PER_WEEK - env.now)

    def daily(
        self, per_week: tuple[float, ...], action: Callable[..., None], cap: int | None = None
    ) -> Generator[Any, Any, None]:
        """A batched action each working day, the week's counts (at most ``cap``) split over the days."""
        env = self.env
        for week in range(self.routine_weeks):
            start = week * DAYS_PER_WEEK
            counts = [self._count(r) for r in per_week]
            if cap is not None:
                counts = [min(c, cap) for c in counts]
            for day in range(WORKING_DAYS):
                yield env.timeout(start + day + 0.5 - env.now)
                today = [
                    (c * (day + 1)) // WORKING_DAYS - (c * day) // WORKING_DAYS for c in counts
                ]
                if any(today):
                    self.stats.events += 1
                    action(*today)
            yield env.timeout(start + DAYS_PER_WEEK - env.now)

    def answering(self) -> Generator[Any, Any, None]:
        """Every day: profile views from search appear, and the seller answers the inbox."""
        env = self.env
        for day in range(self.sc.weeks * DAYS_PER_WEEK):
            yield env.timeout(day + INBOX_TIME_OF_DAY - env.now)
            self.stats.events += 1
            self.passive_views()
            self.answer_inbox()

    def refreshing(self) -> Generator[Any, Any, None]:
        """The weekly SSI refresh: decay ties, update trailing activity, score, record."""
        self.record(0)
        for week in range(1, self.sc.weeks + 1):
            yield self.env.timeout(week * DAYS_PER_WEEK - self.env.now)
            self.stats.events += 1
            strong = self.end_week()
            self.record(week, strong)
            self.week.reset()
            self.leads[:] = 0

    def end_week(self) -> int:
        """Decay ties, draw endorsements, update the trailing activity; the strong ties left.

        Nothing after the decay changes a tie until the record, so the count
        returned is the week's.
        """
        s, w, ties = self.s, self.week, self.sc.answers.ties
        contacts = s.contacts
        s.tie[contacts] *= self.tie_decay
        strong = self.strong_ties()
        w.endorsements = int(self.arng.binomial(strong, ties.endorsements_per_strong_tie_per_week))
        s.endorsements += w.endorsements
        flows = {
            "posts": w.posts + w.articles,
            "engagement": w.engagements,
            "searches": w.searches,
            "profile_views": w.profile_views_made,
            "shares": w.shares,
            "comments": w.comments,
            "replies": w.replies,
            "inmail": w.inmails,
            "invitations_sent": w.invitations_sent,
            "invitations_accepted": w.invitations_accepted,
        }
        a = self.ew_decay
        for key, value in flows.items():
            self.ew[key] = a * self.ew[key] + (1 - a) * value
        # what the SSI does not measure: from the leads stream only, after the score's inputs
        self.introductions()
        w.pitches = self.pitches()
        self.restrict()
        return strong

    def known_contacts(self) -> int:
        """Contacts whose tie is at least the known threshold (people one could name)."""
        s = self.s
        return int((s.tie[s.contacts] >= self.sc.answers.ties.known_threshold).sum())

    def restricted(self, week: int) -> bool:
        """Whether invitations were blocked at some time during ``week``."""
        start = (week - 1) * DAYS_PER_WEEK
        return (
            week > 0
            and self.restricted_from < start + DAYS_PER_WEEK
            and self.restricted_until > start
        )

    def strong_ties(self) -> int:
        """Contacts whose tie is at least the strong threshold."""
        s = self.s
        return int((s.tie[s.contacts] >= self.sc.answers.ties.strong_threshold).sum())

    def inputs(self, strong: int) -> dict[str, dict[str, float]]:
        """This week's pillar inputs (see :data:`ssisim.pillars.INPUTS`)."""
        s, ew, sn = self.s, self.ew, self.st.sales_navigator
        inputs: dict[str, dict[str, float]] = {
            "brand": {
                "profile_completeness": self.st.profile_completeness,
                "posts": ew["posts"],
                "engagement": ew["engagement"],
                "endorsements": s.endorsements,
            },
            "people": {
                "searches": ew["searches"],
                "profile_views": ew["profile_views"],
                "relevant_connections": s.relevant,
                "acceptance_rate": self.acceptance_rate(),
                **({"lead_tools": ew["searches"] + ew["profile_views"] / 4} if sn else {}),
            },
            "insights": {
                "shares": ew["shares"],
                "comments": ew["comments"],
                "replies": ew["replies"],
                **({"inmail": ew["inmail"]} if sn else {}),
            },
            "relationships": {
                "decision_makers": s.decision_makers,
                "multi_dm_accounts": sum(1 for v in s.dm_per_company.values() if v >= 2),
                "colleagues": s.colleagues,
                "strong_ties": strong,
                **({"teamlink": s.colleagues} if sn else {}),
            },
        }
        return inputs

    def score(self, inputs: dict[str, dict[str, float]]) -> dict[str, float]:
        return {k: float(v) for k, v in pillar_scores(inputs, self.sc.scoring).items()}

    def acceptance_rate(self) -> float:
        """Accepted over sent, trailing; at least one invitation a week in the denominator."""
        return self.ew["invitations_accepted"] / max(self.ew["invitations_sent"], 1.0)

    def record(self, week: int, strong: int | None = None) -> None:
        s, w = self.s, self.week
        strong = self.strong_ties() if strong is None else strong
        inputs = self.inputs(strong)
        if self.inputs_log is not None:
            self.inputs_log.append(inputs)
        sc = self.score(inputs)
        self.boosted = sc["ssi"] > self.sc.platform.boost_threshold_ssi
        self.records.append(
            WeekRecord(
                strategy=self.st.name,
                replication=self.replication,
                week=week,
                ssi=sc["ssi"],
                brand=sc["brand"],
                people=sc["people"],
                insights=sc["insights"],
                relationships=sc["relationships"],
                connections=s.n_contacts,
                relevant_connections=s.relevant,
                decision_maker_connections=s.decision_makers,
                strong_ties=strong,
                invitations_sent=w.invitations_sent,
                invitations_accepted=w.invitations_accepted,
                invitations_received=w.invitations_received,
                acceptance_rate=self.acceptance_rate(),
                posts=w.posts,
                articles=w.articles,
                impressions=w.impressions,
                engagements=w.engagements,
                profile_views_received=w.profile_views_received,
                messages_sent=w.messages_sent,
                replies=w.replies,
                endorsements=w.endorsements,
                boosted=self.boosted,
                industry_percentile=self.members.industry_percentile(
                    week, self.my_industry, sc["ssi"], exclude=self.me
                ),
                network_percentile=self.members.network_percentile(
                    week, s.contacts, sc["ssi"], exclude=self.me
                ),
                # ---- what the SSI does not measure (docs/debate.md)
                **dict(zip(LEAD_COLUMNS, self.leads.tolist(), strict=True)),
                hours=w.minutes / 60.0,
                pitches_received=w.pitches,
                known_contacts=self.known_contacts(),
                restricted=self.restricted(week),
            )
        )

    def start(self) -> None:
        st, env = self.st, self.env
        env.process(self.refreshing())
        cap = self.sc.platform.invite_cap_per_week
        invites = st.invites_per_week
        factor = budget_factor(st, self.sc)
        if factor < 1.0:
            # the time budget scales every rate; invitations beyond the cap were never sent
            invites = min(invites, math.inf if cap is None else cap) * factor
        else:
            factor = 1.0

        def scaled(rate: float) -> float:
            return rate * factor if factor < 1.0 else rate

        routine = [
            (scaled(st.posts_per_week), self.post),
            (scaled(st.articles_per_month / WEEKS_PER_MONTH), self.article),
            (scaled(st.shares_per_week), self.share),
            (scaled(st.comments_per_week), self.comment),
            (scaled(st.reactions_per_week), self.react),
        ]
        for rate, action in routine:
            if rate > 0:
                env.process(self.repeating(rate, action))
        if invites > 0:
            env.process(self.daily((invites,), self.invite, cap))
        warm, cold = scaled(st.warm_messages_per_week), scaled(st.cold_messages_per_week)
        if warm > 0 or cold > 0:
            env.process(self.daily((warm, cold), self.message))
        searches, views = scaled(st.searches_per_week), scaled(st.profile_views_per_week)
        if searches > 0 or views > 0:
            env.process(self.daily((searches, views), self.prospect))
        env.process(self.answering())


def planned_minutes(strategy: Strategy, scenario: Scenario) -> float:
    """Minutes a week the routine plans, at its stated rates (what a time budget is checked against).

    Every action's rate times its cost (``time:``); invitations beyond the
    weekly cap are not counted (they are never sent), those with a note cost
    more; each message counts the conversation its expected reply brings
    (reply rate times ``conversation_minutes``). Answering incoming
    invitations is not planned: it depends on the others.
    """
    st, t, msg = strategy, scenario.time, scenario.answers.messaging
    cap = scenario.platform.invite_cap_per_week
    invites = st.invites_per_week if cap is None else min(st.invites_per_week, cap)
    note = st.invite_note_share
    return (
        st.posts_per_week * t.post_minutes
        + st.articles_per_month / WEEKS_PER_MONTH * t.article_minutes
        + st.shares_per_week * t.share_minutes
        + st.comments_per_week * t.comment_minutes
        + st.reactions_per_week * t.reaction_minutes
        + invites * (note * t.note_invitation_minutes + (1 - note) * t.blank_invitation_minutes)
        + st.warm_messages_per_week
        * (t.warm_message_minutes + msg.warm_reply_rate * t.conversation_minutes)
        + st.cold_messages_per_week
        * (t.cold_message_minutes + msg.cold_reply_rate * t.conversation_minutes)
        + st.searches_per_week * t.search_minutes
        + st.profile_views_per_week * t.profile_view_minutes
    )


def budget_factor(strategy: Strategy, scenario: Scenario) -> float:
    """What every rate is multiplied by to fit ``hours_per_week_budget`` (1 when it fits)."""
    budget = strategy.hours_per_week_budget
    planned = planned_minutes(strategy, scenario)
    if budget is None or planned <= budget * 60.0:
        return 1.0
    return budget * 60.0 / planned


def _played(
    population: Population,
    scenario: Scenario,
    strategy: Strategy,
    streams: tuple[np.random.SeedSequence, np.random.SeedSequence, np.random.SeedSequence],
    replication: int,
    existing: np.random.Generator | None = None,
    inputs: list[dict[str, dict[str, float]]] | None = None,
) -> _Run:
    """A run built from its (routine, answers, leads) streams and played to the horizon."""
    routine_seq, answers_seq, leads_seq = streams
    run = _Run(
        population,
        scenario,
        strategy,
        np.random.default_rng(routine_seq),
        np.random.default_rng(answers_seq),
        replication,
        np.random.default_rng(leads_seq),
        seller_start_for(population, scenario, strategy),
        existing,
    )
    run.inputs_log = inputs
    run.start()
    run.env.run(until=scenario.weeks * DAYS_PER_WEEK + 0.5)
    return run


def simulate(
    population: Population,
    scenario: Scenario,
    strategy: Strategy,
    seed: np.random.SeedSequence,
    replication: int = 0,
    stats: RunStats | None = None,
    inputs: list[dict[str, dict[str, float]]] | None = None,
) -> list[WeekRecord]:
    """Simulate one seller's weeks under one strategy.

    Parameters
    ----------
    population : Population
        Shared, read-only; the run keeps its own copy of the seller's state.
    scenario : Scenario
        Horizon, platform rules, answers and scoring.
    strategy : Strategy
        The seller's routine.
    seed : numpy.random.SeedSequence
        The run's stream. Three child streams are spawned from it, in this
        order: the routine's choices, the population's answers, then the
        leads (leads, introductions, pitches: what the SSI does not measure,
        drawn apart so that they leave the first two, and the score, unchanged).
    replication : int
        Written to the records.
    stats : RunStats, optional
        Filled with the number of events processed.
    inputs : list, optional
        Filled with each week's pillar inputs, ``inputs[week][pillar][input]``
        (what :func:`ssisim.pillars.pillar_scores` scored; Sales Navigator
        inputs are absent without it). For fitting weights to readings.

    Returns
    -------
    list of WeekRecord
        Weeks 0 to ``scenario.weeks``.
    """
    routine_seq, answers_seq, leads_seq = seed.spawn(3)
    run = _played(
        population,
        scenario,
        strategy,
        (routine_seq, answers_seq, leads_seq),
        replication,
        existing_rng(scenario, strategy, replication),
        inputs,
    )
    if stats is not None:
        stats.events += run.stats.events
    return run.records


def measure_reach(
    population: Population,
    scenario: Scenario,
    strategy: Strategy,
    seed: np.random.SeedSequence,
    posts: int = 2000,
) -> tuple[np.ndarray, np.ndarray]:
    """Impressions of identical posts with the visibility boost off and on (C6).

    The strategy runs for ``scenario.weeks`` weeks to grow its network; then
    ``posts`` identical posts are published in pairs, the first with the boost
    off and the second on, each pair from the same answers stream (common
    random numbers), so the two arrays differ by the boost alone.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Impressions per post, boost off and boost on (every hop included).
    """
    routine_seq, answers_seq, posts_seq, leads_seq = seed.spawn(4)
    run = _played(population, scenario, strategy, (routine_seq, answers_seq, leads_seq), 0)
    out = np.zeros((2, posts), dtype=np.int64)
    for i, post_seq in enumerate(posts_seq.spawn(posts)):
        for boosted in (False, True):
            run.arng = np.random.default_rng(post_seq)
            run.boosted = boosted
            before = run.week.impressions
            run._publish(1.0, 1.0)
            out[int(boosted), i] = run.week.impressions - before
    return out[0], out[1]

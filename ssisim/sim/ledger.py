"""The run's books: the week's flows, the trailing activity, the weekly records.

A :class:`Ledger` counts what happens during a week (:class:`Week`), and at
its end decays the ties, draws the endorsements and folds the week's flows
into the trailing (exponentially weighted) weekly averages the SSI reads
(:meth:`Ledger.close_week`). Then it scores the pillar inputs and appends a
:class:`~ssisim.records.WeekRecord` (:meth:`Ledger.record`). What the SSI does
not measure (introductions, pitches, restrictions) happens between the two,
in :func:`ssisim.sim.routine.end_week`.

A seller started from an imported member whose file carries an SSI reading
starts from that reading: week 0 scores the reading, and the gap between it
and the model's own score of the week-0 inputs fades at the activity
half-life (:meth:`Ledger.start_from_reading`; ``docs/own-data.md``, an
assumption).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ssisim.member.scenario import member_reading
from ssisim.pillars import MAX_PILLAR, ScalarScorer
from ssisim.population.members import MemberScores
from ssisim.records import LEAD_COLUMNS, WeekRecord
from ssisim.scenario.schema import Scenario, Strategy
from ssisim.sim.network import Network

__all__ = ["TRAILING_KEYS", "Ledger", "Week"]

TRAILING_KEYS: tuple[str, ...] = (
    "posts", "engagement", "searches", "profile_views", "shares", "comments",
    "replies", "inmail", "invitations_sent", "invitations_accepted",
)  # fmt: skip
"""The activity inputs kept as trailing (exponentially weighted) weekly averages."""


@dataclass(eq=False)
class Week:
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
        """Every flow back to zero."""
        for name in self.__dataclass_fields__:
            setattr(self, name, 0)


@dataclass(eq=False)
class Ledger:
    """The books of one run: this week's flows and leads, the trailing activity, the records.

    Attributes
    ----------
    net : Network
        The seller's network (read for the stocks).
    scenario, strategy : Scenario, Strategy
        The run's scenario and the seller's routine.
    replication : int
        Written to the records.
    members : MemberScores
        Every member's SSI, for the two ranks.
    me, my_industry : int
        The seller and their industry.
    week : Week
        This week's flows.
    leads : numpy.ndarray
        This week's lead counts, in the order of :data:`ssisim.records.LEAD_COLUMNS`.
    trailing : dict
        The trailing weekly averages of :data:`TRAILING_KEYS`.
    records : list of WeekRecord
        One per week, from week 0.
    inputs_log : list, optional
        When set, each week's pillar inputs are appended to it.
    """

    net: Network
    scenario: Scenario
    strategy: Strategy
    replication: int
    members: MemberScores
    me: int
    my_industry: int
    week: Week = field(default_factory=Week)
    leads: np.ndarray = field(default_factory=lambda: np.zeros(len(LEAD_COLUMNS), dtype=np.int64))
    trailing: dict[str, float] = field(default_factory=lambda: dict.fromkeys(TRAILING_KEYS, 0.0))
    records: list[WeekRecord] = field(default_factory=list)
    inputs_log: list[dict[str, dict[str, float]]] | None = None
    trailing_decay: float = field(init=False)  # per week, from the activity half-life
    tie_decay: float = field(init=False)  # per week, from the ties' half-life
    reading: dict[str, float] | None = field(init=False)  # the member's SSI reading, if any
    offset: dict[str, float] | None = field(init=False)  # reading - model at week 0
    scorer: ScalarScorer = field(init=False)  # the scenario's scoring, read once

    def __post_init__(self) -> None:
        sc = self.scenario
        self.trailing_decay = 0.5 ** (1.0 / sc.scoring.activity_half_life_weeks)
        self.tie_decay = 0.5 ** (1.0 / sc.answers.ties.half_life_weeks)
        path = sc.population.seller.from_
        # the member is the population's seller (no team or cohort seat)
        self.reading = member_reading(path) if path and self.strategy.seat is None else None
        self.offset = None
        self.scorer = ScalarScorer(sc.scoring)

    def start_from_reading(self, score: dict[str, float], week: int) -> dict[str, float]:
        """The week's scores with the member's reading as the week-0 score.

        At the first record the offset ``reading - model`` is taken, for the
        SSI and each pillar (a reading without pillars spreads its SSI offset
        equally over the four); every record adds ``offset * d ** week``,
        ``d`` the weekly decay of the trailing activity (the activity
        half-life), clipped to 0-25 a pillar and 0-100 the SSI. So week 0
        shows the reading, and the score then follows the simulated inputs as
        the past the model does not see fades (an assumption).
        """
        assert self.reading is not None
        if self.offset is None:
            gap = self.reading["ssi"] - score["ssi"]
            self.offset = {"ssi": gap}
            for pillar in ("brand", "people", "insights", "relationships"):
                found = self.reading.get(pillar)
                self.offset[pillar] = found - score[pillar] if found is not None else gap / 4
        factor = self.trailing_decay**week
        out = dict(score)
        for key, value in self.offset.items():
            top = 4 * MAX_PILLAR if key == "ssi" else MAX_PILLAR
            out[key] = min(max(score[key] + value * factor, 0.0), top)
        return out

    def close_week(self, answers: np.random.Generator) -> int:
        """Decay the ties, draw the endorsements, update the trailing activity.

        Ties halve every ``ties.half_life_weeks`` of silence; faster when the
        seller holds more known ties than ``ties.capacity`` (the half-life
        divided by known / capacity: the same time spread over more ties).

        Parameters
        ----------
        answers : numpy.random.Generator
            The answers' stream (the endorsements are drawn from it).

        Returns
        -------
        int
            The strong ties left. Nothing after the decay changes a tie until
            the record, so the count is the week's.
        """
        net, w, ties = self.net, self.week, self.scenario.answers.ties
        decay = self.tie_decay
        if ties.capacity is not None:
            # the time for ties is limited: beyond capacity each known tie gets less of it
            known = net.ties_at_least(ties.known_threshold)
            if known > ties.capacity:
                decay = decay ** (known / ties.capacity)
        net.decay(decay)
        strong = net.ties_at_least(ties.strong_threshold)
        w.endorsements = int(answers.binomial(strong, ties.endorsements_per_strong_tie_per_week))
        net.endorsements += w.endorsements
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
        a, trailing = self.trailing_decay, self.trailing
        for key, value in flows.items():
            trailing[key] = a * trailing[key] + (1 - a) * value
        return strong

    def acceptance_rate(self) -> float:
        """Accepted over sent, trailing; at least one invitation a week in the denominator."""
        return self.trailing["invitations_accepted"] / max(self.trailing["invitations_sent"], 1.0)

    def inputs(self, strong: int) -> dict[str, dict[str, float]]:
        """This week's pillar inputs (see :data:`ssisim.pillars.INPUTS`)."""
        net, ew, st = self.net, self.trailing, self.strategy
        sn = st.sales_navigator
        return {
            "brand": {
                "profile_completeness": st.profile_completeness,
                "posts": ew["posts"],
                "engagement": ew["engagement"],
                "endorsements": net.endorsements,
            },
            "people": {
                "searches": ew["searches"],
                "profile_views": ew["profile_views"],
                "relevant_connections": net.relevant,
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
                "decision_makers": net.decision_makers,
                "multi_dm_accounts": sum(1 for v in net.dm_per_company.values() if v >= 2),
                "colleagues": net.colleagues,
                "strong_ties": strong,
                **({"teamlink": net.colleagues} if sn else {}),
            },
        }

    def record(self, week: int, strong: int | None, restricted: bool) -> bool:
        """Score the week and append its record.

        Parameters
        ----------
        week : int
            The week ending now (0: the start).
        strong : int, optional
            The strong ties (counted when not given).
        restricted : bool
            Whether invitations were blocked at some time during the week.

        Returns
        -------
        bool
            Whether the SSI is above the visibility boost's threshold (the boost
            holds until the next record).
        """
        net, w, sc = self.net, self.week, self.scenario
        ties = sc.answers.ties
        strong = net.ties_at_least(ties.strong_threshold) if strong is None else strong
        inputs = self.inputs(strong)
        if self.inputs_log is not None:
            self.inputs_log.append(inputs)
        score = self.scorer(inputs)
        if self.reading is not None:
            score = self.start_from_reading(score, week)
        ssi = score["ssi"]
        boosted = ssi > sc.platform.boost_threshold_ssi
        self.records.append(
            WeekRecord(
                strategy=self.strategy.name,
                replication=self.replication,
                week=week,
                ssi=ssi,
                brand=score["brand"],
                people=score["people"],
                insights=score["insights"],
                relationships=score["relationships"],
                connections=net.n_contacts,
                relevant_connections=net.relevant,
                decision_maker_connections=net.decision_makers,
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
                boosted=boosted,
                industry_percentile=self.members.industry_percentile(
                    week, self.my_industry, ssi, exclude=self.me
                ),
                network_percentile=self.members.network_percentile(
                    week, net.contacts, ssi, exclude=self.me
                ),
                # ---- what the SSI does not measure (docs/debate.md)
                **dict(zip(LEAD_COLUMNS, self.leads.tolist(), strict=True)),
                hours=w.minutes / 60.0,
                pitches_received=w.pitches,
                known_contacts=net.ties_at_least(ties.known_threshold),
                restricted=restricted,
            )
        )
        return boosted

    def reset(self) -> None:
        """A new week: every flow and lead count back to zero."""
        self.week.reset()
        self.leads[:] = 0

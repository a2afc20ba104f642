"""Built-in strategies: routines as data.

Each entry is a plain mapping of :class:`ssisim.scenario.schema.Strategy` fields.
A scenario names a built-in (``- open-bar``), or overrides some of its fields
(``- {name: my-open-bar, based_on: open-bar, invites_per_week: 50}``).
Fields left out take the defaults declared on :class:`~ssisim.scenario.schema.Strategy`.

The debate these routines come from is summarised in ``docs/model.md``; the
article each one stands for is named in ``source``.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

_BUILTINS: dict[str, dict[str, Any]] = {
    "inactive": {
        "description": "Has an account and does nothing: profile a third complete.",
        "source": "001 (an inactive account scores 5-10)",
        "profile_completeness": 0.35,
        "accept_policy": ("everyone",),
    },
    "beginner": {
        "description": (
            "Profile mostly complete; an occasional post or comment; a few "
            "invitations a week to people they know (mutual contacts), half with a note."
        ),
        "source": "001, 000, 002 (a beginner scores about 10-20; weakly active accounts 10-30)",
        "profile_completeness": 0.7,
        "posts_per_week": 0.25,
        "comments_per_week": 0.5,
        "reactions_per_week": 2,
        "invites_per_week": 2,
        "invite_targeting": ("mutual_contacts", "second_degree"),
        "invite_note_share": 0.5,
        "accept_policy": ("everyone",),
        "searches_per_week": 1,
        "profile_views_per_week": 2,
    },
    "active": {
        "description": (
            "Complete profile and a steady weekly routine: two posts, two shares, "
            "an article every other month, comments, targeted invitations with notes half the "
            "time, warm messages, searches; no Sales Navigator."
        ),
        "source": "001, 002 (a regularly active member passes 50; those who make the effort reach 60-80)",
        "profile_completeness": 1.0,
        "posts_per_week": 2,
        "articles_per_month": 0.5,
        "shares_per_week": 2,
        "comments_per_week": 7,
        "reactions_per_week": 10,
        "invites_per_week": 20,
        "invite_targeting": ("relevant", "mutual_contacts"),
        "invite_note_share": 0.5,
        "accept_policy": ("relevant", "mutual_contacts"),
        "warm_messages_per_week": 8,
        "cold_messages_per_week": 2,
        "searches_per_week": 5,
        "profile_views_per_week": 15,
    },
    "power-user": {
        "description": (
            "The most a dedicated member does within the platform's limits, without "
            "Sales Navigator: daily posts and comments, two articles a month, the "
            "weekly invitation cap of targeted, personalised invitations, many messages."
        ),
        "source": "001, 000 (the most active pass 80)",
        "profile_completeness": 1.0,
        "posts_per_week": 5,
        "articles_per_month": 2,
        "shares_per_week": 5,
        "comments_per_week": 15,
        "reactions_per_week": 30,
        "invites_per_week": 100,
        "invite_targeting": ("relevant", "mutual_contacts", "second_degree"),
        "invite_note_share": 1.0,
        "accept_policy": ("relevant", "mutual_contacts"),
        "warm_messages_per_week": 15,
        "cold_messages_per_week": 10,
        "searches_per_week": 20,
        "profile_views_per_week": 50,
    },
    "industrial": {
        "description": (
            "Industrialised invitations: about 120 blank invitations a working day to "
            "second-degree contacts and strangers, some 40% accepted (about 50 new "
            "contacts a day); accepts everyone; "
            "a little content."
        ),
        "source": "003 (26,000 contacts in a year and a half, more than 50 new contacts a day)",
        "profile_completeness": 1.0,
        "posts_per_week": 1,
        "reactions_per_week": 5,
        "invites_per_week": 850,
        "invite_targeting": ("second_degree", "anyone"),
        "invite_note_share": 0.0,
        "accept_policy": ("everyone",),
        "searches_per_week": 20,
        "profile_views_per_week": 20,
    },
    "open-bar": {
        "description": (
            "Invites everyone who views the profile, then second-degree contacts, "
            "then anyone, up to the weekly cap; accepts every invitation; posts regularly."
        ),
        "source": "004 (the open-bar network: 16,000 contacts, content as pull marketing)",
        "profile_completeness": 1.0,
        "posts_per_week": 3,
        "articles_per_month": 1,
        "shares_per_week": 2,
        "comments_per_week": 5,
        "reactions_per_week": 10,
        "invites_per_week": 100,
        "invite_targeting": ("profile_viewers", "second_degree", "anyone"),
        "invite_note_share": 0.0,
        "accept_policy": ("everyone",),
        "warm_messages_per_week": 3,
        "cold_messages_per_week": 5,
        "searches_per_week": 5,
        "profile_views_per_week": 20,
    },
    "club-select": {
        "description": (
            "Invites and accepts only relevant members or members with several "
            "mutual contacts, always with a personal note; same content routine."
        ),
        "source": "004 (the student's curated network; LinkedIn's own advice)",
        "profile_completeness": 1.0,
        "posts_per_week": 3,
        "articles_per_month": 1,
        "shares_per_week": 2,
        "comments_per_week": 5,
        "reactions_per_week": 10,
        "invites_per_week": 20,
        "invite_targeting": ("relevant", "mutual_contacts"),
        "invite_note_share": 1.0,
        "accept_policy": ("relevant", "mutual_contacts"),
        "min_mutual_contacts": 3,
        "warm_messages_per_week": 8,
        "cold_messages_per_week": 0,
        "searches_per_week": 10,
        "profile_views_per_week": 20,
    },
    # ---- the rest of the debate (docs/debate.md): every position of 003 and the
    # dashboard's own advice. Behaviours from the articles; rates are assumptions.
    "patient-inbound": {
        "description": (
            "Writes long, useful articles and a weekly post, never prospects or pushes: "
            "no invitations, no messages; accepts invitations from relevant members and "
            "lets the others decide when to become clients."
        ),
        "source": "003 (the author: passionate articles, inbound, patience; no outreach)",
        "profile_completeness": 1.0,
        "posts_per_week": 1,
        "articles_per_month": 2,
        "shares_per_week": 1,
        "comments_per_week": 3,
        "reactions_per_week": 5,
        "invites_per_week": 0,
        "accept_policy": ("relevant",),
        "warm_messages_per_week": 0,
        "cold_messages_per_week": 0,
        "searches_per_week": 0,
        "profile_views_per_week": 0,
    },
    "zoom": {
        "description": (
            "Volume and quality at once: the open bar's content and broad, blank "
            "invitations (accepts everyone), plus many personal messages to warm ties "
            "and no cold ones; a choice of how to spend one's time."
        ),
        "source": "003 (a commenter: address thousands or spend hours on one person)",
        "profile_completeness": 1.0,
        "posts_per_week": 3,
        "articles_per_month": 1,
        "shares_per_week": 2,
        "comments_per_week": 5,
        "reactions_per_week": 10,
        "invites_per_week": 60,
        "invite_targeting": ("second_degree", "relevant"),
        "invite_note_share": 0.0,
        "accept_policy": ("everyone",),
        "warm_messages_per_week": 15,
        "cold_messages_per_week": 0,
        "searches_per_week": 5,
        "profile_views_per_week": 20,
    },
    "linkedin-playbook": {
        "description": (
            "The dashboard's advice, pillar by pillar: complete profile, posts and an "
            "article; searches for decision makers, who viewed your profile, personalised "
            "invitations; shares, comments, personal messages; several decision makers per "
            "account, cultivate relationships and wake dormant contacts; accepts people "
            "one knows (mutual contacts) or the target."
        ),
        "source": "000, 001 (LinkedIn's advice for each pillar); 004 (accept only people you know)",
        "profile_completeness": 1.0,
        "posts_per_week": 2,
        "articles_per_month": 1,
        "shares_per_week": 3,
        "comments_per_week": 7,
        "reactions_per_week": 10,
        "invites_per_week": 25,
        "invite_targeting": ("profile_viewers", "decision_makers", "relevant"),
        "invite_note_share": 1.0,
        "accept_policy": ("mutual_contacts", "relevant"),
        "warm_messages_per_week": 8,
        "cold_messages_per_week": 3,
        "searches_per_week": 10,
        "profile_views_per_week": 20,
    },
}

# the power user's routine, with Sales Navigator: the same actions, the ones it unlocks count
_BUILTINS["power-user-sales-navigator"] = {
    **_BUILTINS["power-user"],
    "description": (
        "The power user's routine with Sales Navigator: lead searches and alerts, "
        "InMail instead of cold messages to weak ties, TeamLink."
    ),
    "source": "001, 000 (about 90 with Sales Navigator; the maximum needs it)",
    "sales_navigator": True,
}

_ORDER = [n for n in _BUILTINS if n != "power-user-sales-navigator"]
_ORDER.insert(_ORDER.index("power-user") + 1, "power-user-sales-navigator")  # the personas together

BUILTIN_STRATEGIES = MappingProxyType({name: MappingProxyType(_BUILTINS[name]) for name in _ORDER})
"""Read-only mapping ``name -> fields`` of the built-in strategies."""

"""Built-in strategies: routines as data.

Each entry is a plain mapping of :class:`ssisim.scenario.Strategy` fields.
A scenario names a built-in (``- open-bar``), or overrides some of its fields
(``- {name: my-open-bar, based_on: open-bar, invites_per_week: 50}``).
Fields left out take the defaults declared on :class:`~ssisim.scenario.Strategy`.

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
}

BUILTIN_STRATEGIES = MappingProxyType(
    {name: MappingProxyType(fields) for name, fields in _BUILTINS.items()}
)
"""Read-only mapping ``name -> fields`` of the built-in strategies."""

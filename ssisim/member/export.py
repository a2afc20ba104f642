"""Read a member's LinkedIn data export into counts and classes: :func:`read_export`.

One parser per file, each with the date format LinkedIn writes in it:

================================  ==========================  ==========================
file                              date column                 format
================================  ==========================  ==========================
Connections.csv                   Connected On                ``08 Feb 2026``
Invitations.csv                   Sent At                     ``1/29/26, 2:37 PM``
messages.csv                      DATE                        ``2026-01-29 14:37:00 UTC``
Shares.csv, Comments.csv,         Date                        ``2026-01-29 14:37:00``
Reactions.csv
Endorsement_Received_Info.csv     Endorsement Date            ``2026/01/29 14:37:00 UTC``
Recommendations_Received.csv      Creation Date               ``1/29/26, 2:37 PM``
Positions.csv                     Started On, Finished On     ``Jan 2026``
================================  ==========================  ==========================

Names, emails, URLs, companies and message text are read in memory only, to
match invitations with connections, colleagues with the member's company and
replies with conversations; what :func:`read_export` returns holds counts and
classes only.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ssisim.errors import DataError
from ssisim.member.archive import Archive
from ssisim.member.classify import (
    UNCLASSIFIED,
    classify_industry,
    classify_seniority,
    relevance,
)
from ssisim.member.tables import parse_datetime, read_table, shown
from ssisim.scenario.schema import SENIORITIES, PopulationParams

__all__ = ["RECENT_WEEKS", "MemberExport", "read_export"]

RECENT_WEEKS = 13
"""The member's habits are their weekly averages over the last 13 weeks (a quarter)
before the export's last date, or over all the weeks seen if fewer."""

_CONNECTED_ON = ("%d %b %Y", "%d-%b-%y", "%d %B %Y", "%m/%d/%y", "%Y-%m-%d")
_SENT_AT = ("%m/%d/%y, %I:%M %p", "%m/%d/%Y, %I:%M %p", "%m/%d/%y, %H:%M")
_MESSAGE_DATE = ("%Y-%m-%d %H:%M:%S UTC", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M UTC")
_ACTIVITY_DATE = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S UTC", "%Y-%m-%d")
_ENDORSEMENT_DATE = ("%Y/%m/%d %H:%M:%S UTC", "%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S UTC")
_POSITION_DATE = ("%b %Y", "%Y", "%m/%Y")

ACTIVITY_COLUMNS = (
    "new_connections",
    "posts",
    "comments",
    "reactions",
    "invitations_sent",
    "invitations_accepted",
    "messages_sent",
)
"""Columns of :attr:`MemberExport.weekly` after ``week_start`` and ``connections``."""

_ACTIVITY_FILE = {
    "posts": "Shares.csv",
    "comments": "Comments.csv",
    "reactions": "Reactions.csv",
    "invitations_sent": "Invitations.csv",
    "invitations_accepted": "Invitations.csv",
    "messages_sent": "messages.csv",
}


@dataclass
class MemberExport:
    """What a member's export says, as counts and classes only.

    Attributes
    ----------
    weekly : pandas.DataFrame
        One row per week (Monday ``week_start``) from the first connection to
        the export's last date: ``connections`` (the network's size at the
        week's end) and :data:`ACTIVITY_COLUMNS` (counts in the week; NaN
        where the file that would give them is missing).
    composition : dict
        ``{"industry": Counter, "seniority": Counter, "joint": Counter}`` of
        the connections (hidden members are ``unclassified``); ``joint`` counts
        ``"industry/seniority"`` and, for colleagues, ``"colleague:industry/seniority"``.
    counts : dict
        Scalar counts and rates (see ``docs/own-data.md``).
    files_read, files_missing : list of str
    unknown : list of str
        What the missing files would have given.
    """

    weekly: pd.DataFrame
    composition: dict[str, Counter[str]]
    counts: dict[str, float | int | str | None] = field(default_factory=dict)
    files_read: list[str] = field(default_factory=list)
    files_missing: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def _key(first: str, last: str) -> str:
    return " ".join(f"{first} {last}".lower().split())


def _week_start(when: dt.date) -> dt.date:
    return when - dt.timedelta(days=when.weekday())


def read_export(
    archive: Archive, population: PopulationParams | None = None, today: dt.date | None = None
) -> MemberExport:
    """Read every known file of ``archive`` into a :class:`MemberExport`.

    Parameters
    ----------
    archive : Archive
        From :func:`ssisim.member.archive.open_archive`.
    population : PopulationParams, optional
        Its industries, target market and decision-maker level classify the
        connections (default: the scenario defaults).
    today : datetime.date, optional
        Not used for any count; the export's last date is the latest date in
        its files.

    Raises
    ------
    DataError
        ``FILE:LINE: column: what is wrong``; no cell that could be personal
        is shown.
    """
    params = population or PopulationParams()
    texts = archive.texts
    events: dict[str, list[dt.date]] = {c: [] for c in ACTIVITY_COLUMNS}
    counts: dict[str, float | int | str | None] = {}

    # -- Connections.csv: the network, its classes, colleagues
    my_company = _my_company(archive)
    where = archive.where("Connections.csv")
    names: set[str] = set()
    industry: Counter[str] = Counter()
    seniority: Counter[str] = Counter()
    joint: Counter[str] = Counter()  # "industry/seniority" -> connections; "colleague:..." too
    decision_makers = relevant = classified = colleagues = hidden = 0
    dm_level = SENIORITIES.index(params.decision_maker_from)
    for row in read_table(
        texts["Connections.csv"],
        where,
        ("First Name", "Last Name", "Company", "Position", "Connected On"),
        ("URL", "Email Address"),
    ):
        c = row.cells
        at = f"{where}:{row.line}"
        if not c["Connected On"]:
            raise DataError(f"{at}: Connected On: missing date (got '')")
        when = parse_datetime(c["Connected On"], _CONNECTED_ON, at, "Connected On").date()
        events["new_connections"].append(when)
        if not (c["First Name"] or c["Last Name"] or c["Company"] or c["Position"]):
            hidden += 1  # a member who hides their data: only the date is exported
            industry[UNCLASSIFIED] += 1
            seniority[UNCLASSIFIED] += 1
            joint[f"{UNCLASSIFIED}/{UNCLASSIFIED}"] += 1
            continue
        names.add(_key(c["First Name"], c["Last Name"]))
        ind = classify_industry(c["Company"], c["Position"], params.industries)
        sen = classify_seniority(c["Position"])
        industry[ind] += 1
        seniority[sen] += 1
        joint[f"{ind}/{sen}"] += 1
        if sen != UNCLASSIFIED and SENIORITIES.index(sen) >= dm_level:
            decision_makers += 1
        rel = relevance(ind, sen, params.target)
        if rel is not None:
            classified += 1
            relevant += rel >= params.target.relevant_threshold
        if my_company and _company_key(c["Company"]) == my_company:
            colleagues += 1
            joint[f"colleague:{ind}/{sen}"] += 1
    size = len(events["new_connections"])
    if size == 0:
        raise DataError(f"{where}:1: no connections in the file; nothing to import")
    counts |= {
        "connections": size,
        "hidden_connections": hidden,
        "colleagues": colleagues if my_company else None,
        "decision_makers": decision_makers,
        "relevant": relevant,
        "classified": classified,
        "relevant_share": round(relevant / classified, 4) if classified else None,
        "unclassified_industry_share": round(industry[UNCLASSIFIED] / size, 4),
        "unclassified_seniority_share": round(seniority[UNCLASSIFIED] / size, 4),
    }

    read = ["Connections.csv"]
    missing: list[str] = []
    if "Invitations.csv" in texts:
        read.append("Invitations.csv")
        counts |= _invitations(archive, names, events)
    else:
        missing.append("Invitations.csv")
    if "messages.csv" in texts:
        read.append("messages.csv")
        counts |= _messages(archive, events)
    else:
        missing.append("messages.csv")
    for column, name in (
        ("posts", "Shares.csv"),
        ("comments", "Comments.csv"),
        ("reactions", "Reactions.csv"),
    ):
        if name in texts:
            read.append(name)
            where = archive.where(name)
            for row in read_table(texts[name], where, ("Date",)):
                at = f"{where}:{row.line}"
                events[column].append(
                    parse_datetime(row.cells["Date"], _ACTIVITY_DATE, at, "Date").date()
                )
        else:
            missing.append(name)
    if "Endorsement_Received_Info.csv" in texts:
        read.append("Endorsement_Received_Info.csv")
        where = archive.where("Endorsement_Received_Info.csv")
        n = 0
        for row in read_table(texts["Endorsement_Received_Info.csv"], where, ("Endorsement Date",)):
            parse_datetime(
                row.cells["Endorsement Date"],
                _ENDORSEMENT_DATE,
                f"{where}:{row.line}",
                "Endorsement Date",
            )
            n += 1
        counts["endorsements"] = n
    else:
        missing.append("Endorsement_Received_Info.csv")
    if "Recommendations_Received.csv" in texts:
        read.append("Recommendations_Received.csv")
        where = archive.where("Recommendations_Received.csv")
        n = 0
        for row in read_table(
            texts["Recommendations_Received.csv"], where, ("Creation Date",), ("Status",)
        ):
            parse_datetime(
                row.cells["Creation Date"], _SENT_AT, f"{where}:{row.line}", "Creation Date"
            )
            n += row.cells.get("Status", "VISIBLE").upper() != "HIDDEN"
        counts["recommendations"] = n
    else:
        missing.append("Recommendations_Received.csv")
    for name in ("Profile.csv", "Positions.csv"):
        (read if name in texts else missing).append(name)
    counts["profile_completeness"] = _profile_completeness(archive, counts)
    counts |= _member_classes(archive, params)

    weekly = _weekly(events, missing)
    unknown = sorted(
        {col for col, name in _ACTIVITY_FILE.items() if name in missing}
        | {_UNKNOWN_OF[name] for name in missing if name in _UNKNOWN_OF}
    )
    return MemberExport(
        weekly=weekly,
        composition={"industry": industry, "seniority": seniority, "joint": joint},
        counts=counts,
        files_read=read,
        files_missing=missing,
        unknown=unknown,
    )


_UNKNOWN_OF = {
    "Invitations.csv": "acceptance_rate",
    "messages.csv": "reply_rate",
    "Endorsement_Received_Info.csv": "endorsements",
    "Recommendations_Received.csv": "recommendations",
    "Positions.csv": "colleagues",
    "Profile.csv": "profile_completeness",
}


def _company_key(company: str) -> str:
    words = [
        w
        for w in company.lower().replace(",", " ").replace(".", " ").split()
        if w not in {"inc", "ltd", "llc", "gmbh", "sa", "sas", "plc", "ag", "bv", "co"}
    ]
    return " ".join(words)


def _my_company(archive: Archive) -> str | None:
    """The member's current company (Positions.csv: a position not finished), in memory only."""
    return _my_position(archive)[0]


def _my_position(archive: Archive) -> tuple[str | None, str]:
    """The member's current company key and title (the latest position not finished)."""
    if "Positions.csv" not in archive.texts:
        return None, ""
    where = archive.where("Positions.csv")
    current: list[tuple[dt.datetime, str, str]] = []
    for row in read_table(
        archive.texts["Positions.csv"],
        where,
        ("Company Name", "Started On"),
        ("Finished On", "Title"),
    ):
        at = f"{where}:{row.line}"
        started = row.cells["Started On"]
        start = (
            parse_datetime(started, _POSITION_DATE, at, "Started On")
            if started
            else dt.datetime.min
        )
        finished = row.cells.get("Finished On", "")
        if finished:
            parse_datetime(finished, _POSITION_DATE, at, "Finished On")
        elif row.cells["Company Name"]:
            current.append(
                (start, _company_key(row.cells["Company Name"]), row.cells.get("Title", ""))
            )
    if not current:
        return None, ""
    latest = max(current)
    return latest[1], latest[2]


def _invitations(
    archive: Archive, names: set[str], events: dict[str, list[dt.date]]
) -> dict[str, float | int | str | None]:
    where = archive.where("Invitations.csv")
    sent = accepted = received = with_note = 0
    for row in read_table(
        archive.texts["Invitations.csv"],
        where,
        ("From", "To", "Sent At", "Direction"),
        ("Message",),
    ):
        c = row.cells
        at = f"{where}:{row.line}"
        when = parse_datetime(c["Sent At"], _SENT_AT, at, "Sent At").date()
        direction = c["Direction"].upper()
        if direction == "OUTGOING":
            sent += 1
            events["invitations_sent"].append(when)
            with_note += bool(c.get("Message"))
            if " ".join(c["To"].lower().split()) in names:
                accepted += 1
                events["invitations_accepted"].append(when)
        elif direction == "INCOMING":
            received += 1
        else:
            raise DataError(
                f"{at}: Direction: expected INCOMING or OUTGOING (got {shown(c['Direction'])})"
            )
    return {
        "invitations_sent": sent,
        "invitations_accepted": accepted,
        "invitations_received": received,
        "acceptance_rate": round(accepted / sent, 4) if sent else None,
        "invite_note_share": round(with_note / sent, 4) if sent else None,
    }


def _messages(
    archive: Archive, events: dict[str, list[dt.date]]
) -> dict[str, float | int | str | None]:
    """Messages sent and the reply rate: conversations the member opened that got an answer.

    The member is the participant present in the most conversations (the
    export holds only their conversations); names stay in memory.
    """
    where = archive.where("messages.csv")
    rows: list[tuple[str, str, dt.datetime]] = []
    for row in read_table(
        archive.texts["messages.csv"], where, ("CONVERSATION ID", "FROM", "DATE"), ("TO",)
    ):
        c = row.cells
        when = parse_datetime(c["DATE"], _MESSAGE_DATE, f"{where}:{row.line}", "DATE")
        rows.append((c["CONVERSATION ID"], " ".join(c["FROM"].lower().split()), when))
    seen: dict[str, set[str]] = {}
    for conv, sender, _ in rows:
        seen.setdefault(sender, set()).add(conv)
    if not rows:
        return {"messages_sent": 0, "conversations_started": 0, "reply_rate": None}
    me = max(seen, key=lambda s: (len(seen[s]), s))
    first: dict[str, tuple[dt.datetime, str]] = {}
    answered: set[str] = set()
    for conv, sender, when in rows:
        if sender == me:
            events["messages_sent"].append(when.date())
        if conv not in first or when < first[conv][0]:
            first[conv] = (when, sender)
    for conv, sender, when in rows:
        if first[conv][1] == me and sender != me and when >= first[conv][0]:
            answered.add(conv)
    started = sum(1 for _, s in first.values() if s == me)
    return {
        "messages_sent": len(events["messages_sent"]),
        "conversations_started": started,
        "reply_rate": round(len(answered) / started, 4) if started else None,
    }


def _member_classes(
    archive: Archive, params: PopulationParams
) -> dict[str, float | int | str | None]:
    """The member's own industry (Profile.csv's Industry) and seniority (current title), as classes."""
    _, title = _my_position(archive)
    industry = UNCLASSIFIED
    if "Profile.csv" in archive.texts:
        for row in read_table(
            archive.texts["Profile.csv"],
            archive.where("Profile.csv"),
            ("First Name", "Headline"),
            ("Industry",),
        ):
            industry = classify_industry(row.cells.get("Industry", ""), "", params.industries)
    return {
        "member_industry": None if industry == UNCLASSIFIED else industry,
        "member_seniority": None if not title else classify_seniority(title),
    }


_PROFILE_FIELDS = ("Headline", "Summary", "Industry", "Geo Location")


def _profile_completeness(
    archive: Archive, counts: dict[str, float | int | str | None]
) -> float | None:
    """The share of LinkedIn's "All-Star" items the export shows.

    Seven items, as LinkedIn's profile strength counts them (an assumption on
    the weights: equal): a headline, a summary, an industry, a location, a
    current position, at least one endorsement (a proxy for 5 skills) and
    50 connections or more. None without Profile.csv.
    """
    if "Profile.csv" not in archive.texts:
        return None
    where = archive.where("Profile.csv")
    filled = dict.fromkeys(_PROFILE_FIELDS, False)
    for row in read_table(
        archive.texts["Profile.csv"], where, ("First Name", "Headline"), _PROFILE_FIELDS
    ):
        for f in _PROFILE_FIELDS:
            filled[f] = filled[f] or bool(row.cells.get(f))
    items = [
        *filled.values(),
        _my_company(archive) is not None,
        bool(counts.get("endorsements")),
        int(counts.get("connections") or 0) >= 50,
    ]
    return round(sum(items) / len(items), 4)


def _weekly(events: dict[str, list[dt.date]], missing: Sequence[str]) -> pd.DataFrame:
    dates = [d for values in events.values() for d in values]
    first = _week_start(min(events["new_connections"]))
    last = _week_start(max(dates))
    starts = pd.date_range(first, last, freq="7D")
    frame = pd.DataFrame({"week_start": starts.date})
    for column in ACTIVITY_COLUMNS:
        found = Counter(_week_start(d) for d in events[column] if d >= first)
        values = np.array([found.get(w, 0) for w in frame["week_start"]], dtype=np.float64)
        if _ACTIVITY_FILE.get(column) in missing:
            values[:] = np.nan
        frame[column] = values
    before = sum(1 for d in events["new_connections"] if d < first)
    frame.insert(1, "connections", (before + frame["new_connections"].cumsum()).astype(np.int64))
    return frame

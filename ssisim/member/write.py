"""Write an imported member: ``member.yaml`` and its CSVs of counts (:func:`import_member`).

``member.yaml`` (format ``ssisim-member/1``, documented in ``docs/own-data.md``)::

    format: ssisim-member/1
    export: {kind, first_week, last_week, files_read, files_missing, unknown}
    network: {connections, hidden_connections, colleagues, decision_makers,
              relevant, classified, relevant_share, unclassified_*_share,
              by_industry: {...}, by_seniority: {...},
              by_class: [{industry, seniority, connections, colleagues}, ...]}
    habits: {weeks, posts_per_week, ...}          # the last RECENT_WEEKS weeks
    rates: {acceptance_rate, reply_rate, invite_note_share}
    endorsements, recommendations, profile_completeness
    ssi: {date, ssi, brand, people, insights, relationships} or null
    seller: {...}    # population.seller fields, for `seller: {from: member.yaml}`
    routine: {...}   # strategy fields, for `strategies: [{name: as-is, from: member.yaml}]`
    weekly: weekly.csv
    composition: composition.csv

Only counts and classes are written: no name, email, URL, company or
message text.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ssisim.errors import DataError
from ssisim.member.archive import open_archive
from ssisim.member.classify import UNCLASSIFIED
from ssisim.member.export import RECENT_WEEKS, MemberExport, read_export
from ssisim.member.scenario import export_window
from ssisim.scenario.loading import MEMBER_FORMAT
from ssisim.scenario.schema import PILLARS, SENIORITIES, PopulationParams, SellerProfile, Strategy

__all__ = [
    "MEMBER_FORMAT",
    "MEMBER_HEADER",
    "check_out_dir",
    "import_member",
    "member_document",
    "write_member",
]

MEMBER_HEADER = (
    "# A member's LinkedIn data export, imported by `ssisim import`: counts and classes only."
)
"""First line of every member.yaml."""

_HABITS = {
    "posts_per_week": "posts",
    "comments_per_week": "comments",
    "reactions_per_week": "reactions",
    "invites_per_week": "invitations_sent",
    "warm_messages_per_week": "messages_sent",
}


def _num(value: Any) -> Any:
    if isinstance(value, float | np.floating):
        return None if not np.isfinite(value) else round(float(value), 4)
    if isinstance(value, np.integer):
        return int(value)
    return value


def member_document(
    export: MemberExport,
    kind: str,
    population: PopulationParams,
    reading: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The content of ``member.yaml`` (see the module's docstring)."""
    weekly = export.weekly
    recent = weekly.tail(RECENT_WEEKS)
    habits: dict[str, Any] = {"weeks": len(recent)}
    for rate, column in _HABITS.items():
        habits[rate] = _num(recent[column].mean()) if recent[column].notna().all() else None
    c = export.counts
    size = int(c["connections"] or 0)
    colleagues = c.get("colleagues")
    seller: dict[str, Any] = {"initial_connections": size}
    if c.get("relevant_share") is not None:
        seller["initial_relevant_share"] = c["relevant_share"]
    if colleagues is not None and size:
        seller["initial_colleague_share"] = round(int(colleagues) / size, 4)
    if c.get("member_industry") in population.industries:
        seller["industry"] = c["member_industry"]
    if c.get("member_seniority") in SENIORITIES:
        seller["seniority"] = c["member_seniority"]
    SellerProfile.model_validate(seller)
    routine: dict[str, Any] = {
        k: round(v, 3) for k, v in habits.items() if k != "weeks" and v is not None
    }
    if c.get("invite_note_share") is not None:
        routine["invite_note_share"] = c["invite_note_share"]
    if c.get("profile_completeness") is not None:
        routine["profile_completeness"] = c["profile_completeness"]
    Strategy.model_validate({"name": "as-is", **routine})
    network = {
        k: _num(c.get(k))
        for k in (
            "connections",
            "hidden_connections",
            "colleagues",
            "decision_makers",
            "relevant",
            "classified",
            "relevant_share",
            "unclassified_industry_share",
            "unclassified_seniority_share",
        )
    }
    network["by_industry"] = _ordered(export.composition["industry"], population.industries)
    network["by_seniority"] = _ordered(export.composition["seniority"], SENIORITIES)
    network["by_class"] = _by_class(export.composition.get("joint") or {}, population)
    return {
        "format": MEMBER_FORMAT,
        "export": {
            "kind": kind,
            "first_week": weekly["week_start"].iloc[0].isoformat(),
            "last_week": weekly["week_start"].iloc[-1].isoformat(),
            "files_read": list(export.files_read),
            "files_missing": list(export.files_missing),
            "unknown": list(export.unknown),
        },
        "target": {
            "industries": list(population.target.industries),
            "min_seniority": population.target.min_seniority,
            "decision_makers_from": population.decision_maker_from,
        },
        "network": network,
        "habits": habits,
        "rates": {
            k: _num(c.get(k)) for k in ("acceptance_rate", "reply_rate", "invite_note_share")
        },
        "invitations": {
            k: _num(c.get(k))
            for k in ("invitations_sent", "invitations_accepted", "invitations_received")
        },
        "messages": {k: _num(c.get(k)) for k in ("messages_sent", "conversations_started")},
        "endorsements": _num(c.get("endorsements")),
        "recommendations": _num(c.get("recommendations")),
        "profile_completeness": _num(c.get("profile_completeness")),
        "ssi": dict(reading) if reading else None,
        "seller": seller,
        "routine": routine,
        "weekly": "weekly.csv",
        "composition": "composition.csv",
    }


def _ordered(counter: Mapping[str, int], names: Any) -> dict[str, int]:
    out = {n: int(counter.get(n, 0)) for n in names}
    out[UNCLASSIFIED] = int(counter.get(UNCLASSIFIED, 0))
    return out


def _by_class(joint: Mapping[str, int], population: PopulationParams) -> list[dict[str, Any]]:
    """The network's joint classes: ``{industry, seniority, connections, colleagues}`` rows.

    The marginals (``by_industry``, ``by_seniority``) do not say which
    connections are relevant or decision makers together; these rows do, so
    that a week-0 network can be placed class by class (counts only).
    """
    industries = [*population.industries, UNCLASSIFIED]
    levels = [*SENIORITIES, UNCLASSIFIED]
    rows = []
    for ind in industries:
        for sen in levels:
            n = int(joint.get(f"{ind}/{sen}", 0))
            if n:
                colleagues = int(joint.get(f"colleague:{ind}/{sen}", 0))
                rows.append(
                    {"industry": ind, "seniority": sen, "connections": n, "colleagues": colleagues}
                )
    return rows


def _composition_frame(export: MemberExport, population: PopulationParams) -> pd.DataFrame:
    rows = []
    for dimension, names in (("industry", population.industries), ("seniority", SENIORITIES)):
        for name, count in _ordered(export.composition[dimension], names).items():
            rows.append({"dimension": dimension, "class": name, "connections": count})
    return pd.DataFrame(rows)


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        # the file asked for, not the hidden one beside it, in the one-line error
        raise OSError(exc.errno, exc.strerror, os.fspath(path)) from None


def check_out_dir(out_dir: str | Path) -> None:
    """Refuse an output folder that exists and is not empty, an earlier import's included.

    As every command's ``--out`` (``ssisim run`` refuses an existing one), an
    import never replaces files: choose another folder, or remove the old one.
    An existing empty folder is used.

    Raises
    ------
    DataError
        One line naming the folder.
    """
    out_dir = Path(out_dir)
    if not out_dir.exists() and not out_dir.is_symlink():
        return
    if not out_dir.is_dir():
        raise DataError(f"{out_dir}: exists and is not a directory; choose another --out")
    if any(out_dir.iterdir()):
        raise DataError(
            f"{out_dir}: exists and is not empty; choose another --out or remove it "
            "(nothing was written)"
        )


def write_member(
    out_dir: Path, document: Mapping[str, Any], export: MemberExport, population: PopulationParams
) -> Path:
    """Write ``member.yaml``, ``weekly.csv`` and ``composition.csv`` into ``out_dir``.

    Raises
    ------
    DataError
        ``out_dir`` exists and is not an empty directory (:func:`check_out_dir`).
    """
    out_dir = Path(out_dir)
    check_out_dir(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    header = (
        f"{MEMBER_HEADER}\n# Written {dt.date.today().isoformat()}; the format is documented in "
        "docs/own-data.md. Use it with\n#   ssisim plan --start member.yaml --target 70 --by DATE\n"
    )
    body = yaml.safe_dump(
        dict(document), sort_keys=False, default_flow_style=None, allow_unicode=True
    )
    _atomic_write(
        out_dir / "weekly.csv", export.weekly.to_csv(index=False, float_format="%.6g").encode()
    )
    _atomic_write(
        out_dir / "composition.csv",
        _composition_frame(export, population).to_csv(index=False).encode(),
    )
    _atomic_write(out_dir / "member.yaml", (header + body).encode("utf-8"))
    return out_dir / "member.yaml"


def import_member(
    archive_path: str | Path,
    out_dir: str | Path,
    population: PopulationParams | None = None,
    reading: Mapping[str, Any] | None = None,
) -> tuple[Path, dict[str, Any]]:
    """Read a LinkedIn export and write the member's counts into ``out_dir``.

    Everything is read and checked before anything is written.

    Parameters
    ----------
    archive_path : str or Path
        ``Basic_LinkedInDataExport_*.zip``, ``Complete_*.zip`` or the folder.
    out_dir : str or Path
    population : PopulationParams, optional
        The market to classify against (a scenario's ``population``).
    reading : mapping, optional
        The member's latest SSI reading (``date``, ``ssi`` and the pillars).

    Returns
    -------
    (Path, dict)
        ``member.yaml``'s path and content.
    """
    check_out_dir(out_dir)  # before reading the archive: a refusal costs nothing
    params = population or PopulationParams()
    archive = open_archive(archive_path)
    export = read_export(archive, params)
    name = Path(archive_path).name
    kind = (
        "Basic"
        if name.lower().startswith("basic")
        else (
            "Complete"
            if name.lower().startswith("complete")
            else "folder"
            if Path(archive_path).is_dir()
            else "zip"
        )
    )
    where = str(reading.get("where", "readings")) if reading is not None else ""
    if reading is not None:
        reading = {k: reading[k] for k in ("date", "ssi", *PILLARS) if k in reading}
    document = member_document(export, kind, params, reading)
    window = export_window(document.get("export"))
    if reading is not None and window is not None:
        # (a reading after the export is the member's latest state: kept, as the plan's start)
        day, first = dt.date.fromisoformat(str(reading["date"])), window[0]
        if day < first:
            raise DataError(
                f"{where}: date: the latest reading, {day.isoformat()}, is before the export, "
                f"whose first week is {first.isoformat()}: a week-0 score must describe the "
                "network the export holds (a newer reading, or none)"
            )
    return write_member(Path(out_dir), document, export, params), document

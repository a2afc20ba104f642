"""Open a LinkedIn data export (zip or folder) safely, in memory.

LinkedIn's "Get a copy of your data" gives ``Basic_LinkedInDataExport_*.zip``
or ``Complete_LinkedInDataExport_*.zip``. Members are read into memory with
size limits, never extracted: a member whose name is absolute or climbs out
(``../``) is refused, as are a truncated or corrupt zip and a member larger
than :data:`MAX_FILE_BYTES`.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from ssisim.errors import DataError

__all__ = ["KNOWN_FILES", "MAX_FILE_BYTES", "MAX_TOTAL_BYTES", "Archive", "open_archive"]

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Largest file read from an archive (64 MiB; a member's messages.csv is rarely above 20)."""

MAX_TOTAL_BYTES = 256 * 1024 * 1024
"""Largest total read from one archive."""

KNOWN_FILES = (
    "Connections.csv",
    "Invitations.csv",
    "messages.csv",
    "Shares.csv",
    "Comments.csv",
    "Reactions.csv",
    "Profile.csv",
    "Positions.csv",
    "Endorsement_Received_Info.csv",
    "Recommendations_Received.csv",
)
"""The files :mod:`ssisim.member` reads; any other file of the archive is ignored unread."""


@dataclass(frozen=True)
class Archive:
    """The known files of an export, decoded, keyed by their canonical name.

    Attributes
    ----------
    source : str
        The archive's path as given (for error messages).
    texts : dict
        Canonical name (one of :data:`KNOWN_FILES`) -> text.
    origin : dict
        Canonical name -> the file's path inside the archive, for error messages.
    """

    source: str
    texts: dict[str, str] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)

    def where(self, name: str) -> str:
        """``ARCHIVE/member`` as errors name a file."""
        return f"{self.source}/{self.origin.get(name, name)}"


_CANONICAL = {name.lower(): name for name in KNOWN_FILES}


def _canonical(member: str) -> str | None:
    return _CANONICAL.get(posixpath.basename(member).lower())


def _decode(raw: bytes, where: str) -> str:
    if b"\x00" in raw:
        raise DataError(f"{where}:1: not a text file (it holds NUL bytes); expected a CSV file")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DataError(f"{where}:1: not a text file in UTF-8 or Windows-1252")  # pragma: no cover


def _check_name(member: str, source: str) -> None:
    parts = member.replace("\\", "/").split("/")
    if member.startswith(("/", "\\")) or ".." in parts or (parts and parts[0].endswith(":")):
        raise DataError(
            f"{source}: {member!r}: a path outside the archive; refusing the archive "
            "(nothing was extracted or written)"
        )


def _from_zip(path: Path) -> Archive:
    source = str(path)
    archive = Archive(source)
    total = 0
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            for info in infos:
                _check_name(info.filename, source)
            for info in infos:
                name = _canonical(info.filename)
                if info.is_dir() or name is None:
                    continue
                where = f"{source}/{info.filename}"
                if name in archive.texts:
                    raise DataError(
                        f"{where}: a second {name} (first at {archive.origin[name]}); "
                        "expected one export per archive"
                    )
                if info.file_size > MAX_FILE_BYTES:
                    raise DataError(
                        f"{where}: {info.file_size:,} bytes; at most {MAX_FILE_BYTES:,} are read "
                        "from one file"
                    )
                with zf.open(info) as f:  # the declared size can lie: read one byte past the limit
                    raw = f.read(MAX_FILE_BYTES + 1)
                if len(raw) > MAX_FILE_BYTES:
                    raise DataError(f"{where}: more than {MAX_FILE_BYTES:,} bytes once unpacked")
                total += len(raw)
                if total > MAX_TOTAL_BYTES:
                    raise DataError(f"{source}: more than {MAX_TOTAL_BYTES:,} bytes of known files")
                archive.texts[name] = _decode(raw, where)
                archive.origin[name] = info.filename
    except zipfile.BadZipFile as exc:
        raise DataError(
            f"{source}: not a readable zip archive ({exc}); download it again"
        ) from None
    except (EOFError, zlib.error) as exc:
        raise DataError(f"{source}: truncated or corrupt zip archive ({exc})") from None
    return archive


def _from_folder(path: Path) -> Archive:
    archive = Archive(str(path))
    total = 0
    for child in sorted(path.rglob("*")):
        name = _canonical(child.name)
        if name is None or child.is_symlink() or not child.is_file():
            continue  # symlinks could point anywhere: only regular files are read
        where = str(child)
        if name in archive.texts:
            raise DataError(f"{where}: a second {name} (first at {archive.origin[name]})")
        size = child.stat().st_size
        if size > MAX_FILE_BYTES:
            raise DataError(
                f"{where}: {size:,} bytes; at most {MAX_FILE_BYTES:,} are read from one file"
            )
        total += size
        if total > MAX_TOTAL_BYTES:
            raise DataError(f"{path}: more than {MAX_TOTAL_BYTES:,} bytes of known files")
        archive.texts[name] = _decode(child.read_bytes(), where)
        archive.origin[name] = str(child.relative_to(path))
    return archive


def open_archive(path: str | Path) -> Archive:
    """Read the known files of an export (a zip, or the folder it unzips to).

    Raises
    ------
    DataError
        No such file; not a zip; a truncated zip; a member path outside the
        archive; a file too large; no ``Connections.csv``.
    """
    path = Path(path)
    if path.is_dir():
        archive = _from_folder(path)
    elif path.is_file():
        archive = _from_zip(path)
    else:
        raise DataError(f"{path}: no such archive or folder")
    if "Connections.csv" not in archive.texts:
        found = ", ".join(sorted(archive.origin.values())) or "none of the files LinkedIn exports"
        raise DataError(f"{path}: no Connections.csv; not a LinkedIn data export? (found {found})")
    return archive

"""Who a results folder is for: the report's language, its currency and the client's name.

Read, in this order of precedence, from the options of ``ssisim report`` or
``ssisim plot``; from a ``report.yaml`` in the results folder; from a
``report.yaml`` beside the scenario that produced it (the scenario file named
in the manifest's command, if it still exists); else the defaults (English,
EUR, no client). ``report.yaml``::

    language: fr        # en or fr
    currency: EUR       # ISO code of the scenario's deal values
    client: Banque Exemple

The currency only names the amounts: a scenario's ``deal_value_eur`` is read
as an amount in that currency (the ``_eur`` suffix of the columns is
historical); nothing is converted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from ssisim.errors import DataError

__all__ = ["LANGUAGES", "REPORT_FILE", "Client", "client_options"]

REPORT_FILE = "report.yaml"
LANGUAGES: tuple[str, ...] = ("en", "fr")
_KEYS = ("language", "currency", "client")


@dataclass(frozen=True)
class Client:
    """The report's language (``en``, ``fr``), currency (ISO code) and client name."""

    language: str = "en"
    currency: str = "EUR"
    client: str = ""


def _read(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"{path}: cannot be read ({exc})") from None
    if not isinstance(data, dict):
        raise DataError(f"{path}: expected keys {', '.join(_KEYS)} (got {type(data).__name__})")
    block = data.get("report", data)  # a `report:` block, or the keys at the top
    unknown = sorted(set(block) - set(_KEYS))
    if unknown:
        raise DataError(f"{path}: {unknown[0]}: unknown key (expected one of {', '.join(_KEYS)})")
    return {k: str(v) for k, v in block.items() if v is not None}


def _scenario_file(manifest: Mapping[str, Any]) -> Path | None:
    command = manifest.get("command")
    if not isinstance(command, list):
        return None
    for arg in command[2:]:
        if isinstance(arg, str) and arg.endswith((".yaml", ".yml")) and Path(arg).is_file():
            return Path(arg)
    return None


def client_options(
    run_dir: Path, manifest: Mapping[str, Any] | None = None, **given: str | None
) -> Client:
    """The :class:`Client` of a results folder, options first (see the module docstring).

    Raises
    ------
    DataError
        A ``report.yaml`` is malformed, or the language is not one of :data:`LANGUAGES`.
    """
    found: dict[str, str] = {}
    scenario = _scenario_file(manifest or {})
    for path in (
        scenario.parent / REPORT_FILE if scenario else None,
        Path(run_dir) / REPORT_FILE,
    ):
        if path is not None and path.is_file():
            found.update(_read(path))
    found.update({k: v for k, v in given.items() if v})
    client = replace(Client(), **{k: v for k, v in found.items() if k in _KEYS})
    if client.language not in LANGUAGES:
        raise DataError(
            f"report language: {client.language!r} is not one of {', '.join(LANGUAGES)}"
        )
    return replace(client, currency=client.currency.upper())

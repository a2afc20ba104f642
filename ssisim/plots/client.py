"""Who a results folder is for: the report's language, its currency and the client's name.

Read, in this order of precedence, from the options of ``ssisim report`` or
``ssisim plot``; from a ``report.yaml`` in the results folder; from a
``report.yaml`` beside the scenario that produced it (the scenario file named
in the manifest's command, if it still exists); else the defaults (English,
EUR, no client). ``report.yaml``::

    language: fr        # en or fr
    currency: USD       # ISO code of the amounts shown (default EUR)
    eur_to: 1.08        # 1 EUR in that currency: required unless the currency is EUR
    rate_date: 2026-11-27           # optional, stated in the report
    rate_source: ECB reference rate # optional, stated in the report
    client: Banque Exemple

The model's amounts are in euros (a scenario's ``deal_value_eur``, the
``*_eur`` columns of the data files, which stay in euros). The report and the
figures show them multiplied by ``eur_to`` with the currency's sign; the
report states the rate, its date and its source. A currency other than EUR
without a rate is refused (one line); with EUR, ``eur_to`` is ignored.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from ssisim.errors import DataError

__all__ = ["LANGUAGES", "REPORT_FILE", "Client", "client_options", "to_currency"]

REPORT_FILE = "report.yaml"
LANGUAGES: tuple[str, ...] = ("en", "fr")
_KEYS = ("language", "currency", "client", "eur_to", "rate_date", "rate_source")


@dataclass(frozen=True)
class Client:
    """Who a report is for: language (``en``, ``fr``), currency (ISO code) and its
    rate (``eur_to``: units of the currency per euro, with its date and source),
    and the client's name."""

    language: str = "en"
    currency: str = "EUR"
    client: str = ""
    eur_to: float = 1.0
    rate_date: str = ""
    rate_source: str = ""

    @property
    def converted(self) -> bool:
        """Amounts are converted from euros (another currency than EUR)."""
        return self.currency != "EUR"


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
    source: dict[str, Path] = {}  # the file each setting came from, for the errors
    scenario = _scenario_file(manifest or {})
    for path in (
        scenario.parent / REPORT_FILE if scenario else None,
        Path(run_dir) / REPORT_FILE,
    ):
        if path is not None and path.is_file():
            read = _read(path)
            if (
                "currency" in read
                and "eur_to" not in read
                and read["currency"].upper() != found.get("currency", "EUR").upper()
            ):  # a rate belongs to the currency of its file
                for key in ("eur_to", "rate_date", "rate_source"):
                    found.pop(key, None)
            found.update(read)
            source.update(dict.fromkeys(read, path))
    asked = {k: str(v) for k, v in given.items() if v}
    if (
        "currency" in asked
        and "eur_to" not in asked
        and asked["currency"].upper() != found.get("currency", "EUR").upper()
    ):  # a rate belongs to the currency it was given with
        for key in ("eur_to", "rate_date", "rate_source"):
            found.pop(key, None)
    found.update(asked)
    for key in asked:
        source.pop(key, None)

    def where(key: str) -> str:
        return f"{source[key]}: " if key in source else ""

    rate_text = found.pop("eur_to", None)
    texts: dict[str, Any] = {k: v for k, v in found.items() if k in _KEYS}
    client = replace(Client(), **texts)
    if client.language not in LANGUAGES:
        raise DataError(
            f"{where('language')}report language: {client.language!r} is not one of "
            f"{', '.join(LANGUAGES)}"
        )
    currency = client.currency.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise DataError(
            f"{where('currency')}report currency: {client.currency!r} is not an ISO code such as USD"
        )
    if currency == "EUR":
        rate_given = rate_text
        if rate_given is not None and _number(rate_given) != 1.0:  # not a rate to ignore
            named = (
                f"--rate {_number(rate_given):g}"
                if "eur_to" in asked
                else f"{where('eur_to')}eur_to: {rate_given}"
            )
            raise DataError(
                f"{named}: the amounts are in euros already; a rate converts them into "
                "another currency"
            )
        return replace(client, currency=currency, eur_to=1.0, rate_date="", rate_source="")
    if rate_text is None:
        named = f"--currency {currency}" if "currency" in asked else f"currency {currency}"
        raise DataError(
            f"{where('currency')}{named}: no exchange rate; the model's amounts are in euros: "
            f"give 1 EUR in {currency} with --rate (or eur_to: in report.yaml)"
        )
    rate = _number(rate_text)
    if not (math.isfinite(rate) and rate > 0):
        raise DataError(
            f"{where('eur_to')}report exchange rate (--rate or eur_to:): {rate_text!r} is not a "
            "positive number"
        )
    return replace(client, currency=currency, eur_to=rate)


def to_currency(
    frame: Any, rate: float, *, metric: str = "metric", columns: tuple[str, ...] = ()
) -> Any:
    """A copy of ``frame`` with its euro amounts multiplied by ``rate``.

    Every ``*_eur`` column (an amount, or a swept key such as
    ``contexts.complex.deal_value_eur``); in long tables (a ``metric`` column),
    also the rows of an ``*_eur`` metric, in ``columns`` (default: ``mean``,
    ``std``, ``ci_low``, ``ci_high``, ``difference``, ``mean_a``, ``mean_b``,
    those present).

    >>> import pandas as pd
    >>> t = pd.DataFrame({"metric": ["ssi", "pipeline_value_eur"], "mean": [50.0, 1000.0]})
    >>> to_currency(t, 1.1)["mean"].tolist()
    [50.0, 1100.0]
    """
    out = frame.copy()
    if rate == 1.0 or out.empty:
        return out
    for c in out.columns:
        if str(c).endswith("_eur") and c != metric:
            out[c] = out[c].astype(float) * rate
    if metric in out.columns:
        rows = out[metric].astype(str).str.endswith("_eur")
        names = columns or ("mean", "std", "ci_low", "ci_high", "difference", "mean_a", "mean_b")
        for c in names:
            if c in out.columns:
                out[c] = out[c].astype(float)
                out.loc[rows, c] = out.loc[rows, c] * rate
    return out


def _number(text: str) -> float:
    """``text`` as a float, NaN when it is not a number."""
    try:
        return float(text)
    except ValueError:
        return math.nan

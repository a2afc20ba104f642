"""``ssisim report DIR``: one self-contained HTML file for any results folder.

The report reads the folder's files only (tables, manifest, figures drawn
again by :func:`ssisim.plots.redraw.redraw`), never the engine or the
model. In order: what was compared and why; the verdicts (paired
differences with their intervals); the figures, titled with their findings;
tables rounded for reading (the CSVs keep full precision); the assumptions
that differ from the defaults, each with the sentence of ``docs/model.md``
that explains it; for a fit, the readings against the default and the fitted
scoring; the calibration status of the model used; a reproducibility footer
(version, seed, command, the scenario as run, SHA-256 of the data files).

The HTML holds everything (figures as ``data:`` URIs, CSS inline): it makes
no request when opened and prints to A4. :func:`write_pdf` prints it to PDF
through headless Chromium where it is installed.
"""

from __future__ import annotations

import base64
import hashlib
import math
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd
import yaml

from ssisim.errors import DataError
from ssisim.plots.client import Client, client_options, to_currency
from ssisim.plots.french import STATEMENTS, UNITS, french_numbers, translate
from ssisim.plots.redraw import (
    directory_kind,
    read_manifest,
    read_verdicts,
    redraw,
    tornado_in_currency,
)
from ssisim.plots.style import Settings, currency_symbol, label, scenario_name
from ssisim.report.messages import (
    FIGURE_ALT,
    amount,
    figure_alt,
    figure_base,
    number,
    percent,
    say,
    verdict_text,
)
from ssisim.report.sentences import doc_sentence
from ssisim.results.files import atomic_text
from ssisim.results.flips import FLIPS_FILE, NO_CLEAR
from ssisim.results.outcomes import POINTS_FILE
from ssisim.results.verdicts import DIFFERENCES_FILE
from ssisim.stats import CONFIDENCE

__all__ = ["CHROMIUM", "REPORT_FILE", "build_report", "report_tables", "write_pdf", "write_xlsx"]

REPORT_FILE = "report.html"
CHROMIUM: tuple[str, ...] = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
"""Where :func:`write_pdf` looks for a headless browser, in order."""

_FIGURE_SUFFIXES = (".png",)
_DATA_SUFFIXES = (".csv", ".json", ".yaml")
_IGNORED_KEYS = (
    "name", "description", "seed", "weeks", "replications", "checkpoints", "execution",
    "strategies", "sweep", "sensitivity", "team", "cohort", "time",
)  # fmt: skip


@dataclass
class Table:
    """A table of the report: a title, columns, rows of formatted cells."""

    title: str
    columns: list[str]
    rows: list[list[str]]
    numeric: list[bool] = field(default_factory=list)


# --------------------------------------------------------------------------- tables


def _fmt(value: Any, lang: str, digits: int = 1) -> str:
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, int):
        return number(value, lang, 0)
    if isinstance(value, float):
        if not math.isfinite(value):
            return number(value, lang)
        if value != 0 and abs(value) < 0.1:
            return number(value, lang, 3)
        return number(value, lang, 0 if abs(value) >= 1000 else digits)
    return str(value)


def _frame_table(title: str, frame: pd.DataFrame, lang: str, digits: int = 1) -> Table:
    columns = [label(str(c), lang) for c in frame.columns]
    rows = [[_fmt(v, lang, digits) for v in row] for row in frame.itertuples(index=False)]
    numeric = [
        pd.api.types.is_numeric_dtype(frame[c]) and frame[c].dtype != bool for c in frame.columns
    ]
    return Table(title, columns, rows, numeric)


def _interval(mean: float, low: float, high: float, lang: str, money: str | None = None) -> str:
    if money is not None:
        text = amount(mean, lang, money)
        if math.isfinite(low) and math.isfinite(high):
            text += f" ({amount(low, lang, money)} – {amount(high, lang, money)})"
        return text
    text = number(mean, lang, 1)
    if math.isfinite(low) and math.isfinite(high):
        text += f" ({number(low, lang, 1)} – {number(high, lang, 1)})"
    return text


_OUTCOME_TABLE = (
    "ssi", "opportunities", "pipeline_value_eur", "value_per_hour_eur", "hours_per_week",
    "pitches_received",
)  # fmt: skip


def report_tables(run_dir: Path, kind: str, client: Client) -> list[Table]:
    """The tables of a results folder, rounded for reading (the CSVs keep full precision)."""
    lang, money = client.language, currency_symbol(client.currency)
    level = percent(CONFIDENCE, lang)
    tables: list[Table] = []

    def read(name: str) -> pd.DataFrame:  # amounts in the report's currency
        return to_currency(pd.read_csv(run_dir / name), client.eur_to)

    def t(key: str, **values: object) -> str:
        return say(lang, key, **values)

    def words(key: object) -> str:
        return label(str(key), lang)

    if kind in ("run", "team") and (run_dir / "outcomes_summary.csv").exists():
        summary = read("outcomes_summary.csv")
        for context, rows in summary.groupby("context", sort=False):
            wide = rows.set_index(["strategy", "metric"])
            strategies = list(dict.fromkeys(rows["strategy"]))
            metrics = [m for m in _OUTCOME_TABLE if m in set(rows["metric"])]
            body = []
            for s in strategies:
                cells = [s]
                for m in metrics:
                    r = wide.loc[(s, m)]
                    cur = money if m.endswith("_eur") else None
                    cells.append(_interval(r["mean"], r["ci_low"], r["ci_high"], lang, cur))
                body.append(cells)
            tables.append(
                Table(
                    t("t_means", context=context, level=level),
                    [label("strategy", lang), *[label(m, lang) for m in metrics]],
                    body,
                    [False, *[True] * len(metrics)],
                )
            )
    if kind in ("run", "team") and (run_dir / DIFFERENCES_FILE).exists():
        d = read(DIFFERENCES_FILE)
        body = []
        for r in d.itertuples(index=False):
            cur = money if str(r.metric).endswith("_eur") else None

            def fmt(x: Any, c: str | None = cur) -> str:
                return amount(x, lang, c, sign=True) if c else number(x, lang, 1, sign=True)

            body.append([str(r.context), label(str(r.metric), lang), f"{r.strategy_a} − {r.strategy_b}",
                         fmt(r.difference), f"{fmt(r.ci_low)} – {fmt(r.ci_high)}",
                         "✓" if r.clear else "–"])  # fmt: skip
        tables.append(
            Table(
                t("t_paired", level=level),
                [
                    label(c, lang)
                    for c in ("context", "metric", "pair", "difference", "interval", "clear")
                ],
                body,
                [False, False, False, True, True, False],
            )
        )
    if kind == "team":
        board = read("leaderboard.csv")
        last = board[board["month"] == board["month"].max()].sort_values("rank")
        cols = ["rank", "member", "strategy", "ssi", "ssi_change", "opportunities"]
        tables.append(_frame_table(t("t_leaderboard"), last[cols], lang))
    if kind == "sweep":
        summary = read("summary.csv")
        points = read(POINTS_FILE)
        horizon = summary.groupby("point")["week"].transform("max")
        ssi = summary[(summary["week"] == horizon) & (summary["metric"] == "ssi")]
        wide = ssi.pivot_table(index="point", columns="strategy", values="mean", sort=False)
        frame = points.set_index("point").join(wide).reset_index()
        tables.append(_frame_table(t("t_sweep_ssi"), frame, lang))
        if (run_dir / "outcomes_summary.csv").exists():
            out = read("outcomes_summary.csv")
            opp = out[out["metric"] == "opportunities"]
            keys = [c for c in points.columns if c != "point"]
            frame = opp[["point", *keys, "strategy", "context", "mean"]].rename(
                columns={"mean": "opportunities"}
            )
            tables.append(_frame_table(t("t_sweep_opportunities"), frame, lang))
        if (run_dir / FLIPS_FILE).exists():
            tables.append(_flips_table(run_dir / FLIPS_FILE, client))
    if kind == "sensitivity":
        sobol = pd.read_csv(run_dir / "sobol.csv")
        frame = sobol.assign(
            parameter=sobol["parameter"].map(words), output=sobol["output"].map(words)
        )
        tables.append(_frame_table(t("t_sobol", level=level), frame, lang, 2))
        tornado = tornado_in_currency(pd.read_csv(run_dir / "tornado.csv"), client.eur_to)
        frame = tornado.assign(
            parameter=tornado["parameter"].map(words), output=tornado["output"].map(words)
        )
        for end in ("low", "high"):  # an amount's range with its currency
            frame[end] = [
                amount(v, lang, money) if str(p).endswith("_eur") else v
                for p, v in zip(tornado["parameter"], tornado[end], strict=True)
            ]
        tables.append(_frame_table(t("t_tornado"), frame, lang))
    if kind == "cohort":
        tables.append(_frame_table(t("t_ratio"), read("ratio.csv"), lang, 2))
    if kind == "calibration":
        cal = read("calibration.csv")
        cols = ["id", "statement", "source", "mean", "target_low", "target_high", "unit", "passed"]
        if lang == "fr":
            cal["statement"] = cal["statement"].map(lambda x: STATEMENTS.get(str(x), str(x)))
            cal["unit"] = cal["unit"].map(lambda x: UNITS.get(str(x), str(x)))
        tables.append(_frame_table(t("t_targets"), cal[cols], lang))
    if kind == "fit":
        errors = read("errors.csv")
        errors = errors.assign(score=errors["score"].map(words))
        tables.append(_frame_table(t("t_fit_errors"), errors, lang, 2))
        if (run_dir / "parameters.csv").exists():
            parameters = read("parameters.csv")
            if lang != "en":  # the table's words in the report's language, not its keys
                parameters = parameters.assign(
                    pillar=parameters["pillar"].map(words),
                    input=parameters["input"].map(words),
                    fitted=parameters["fitted"].map(
                        lambda x: ", ".join(words(w) for w in str(x).split(", ")) if x == x else x
                    ),
                    note=parameters["note"].map(lambda x: translate(str(x), lang) if x == x else x),
                )
            tables.append(_frame_table(t("t_fit_parameters"), parameters, lang, 2))
    return tables


def _general(x: float, lang: str) -> str:
    """A value as written in a scenario (``g``), with the language's decimal mark."""
    text = f"{x:g}"
    return text.replace(".", ",") if lang == "fr" else text


def _flips_table(path: Path, client: Client) -> Table:
    """The verdicts a one-at-a-time sweep changed: where, and how far the assumption moved
    (``flips.csv``; the assumptions that change no verdict are left out of the table)."""
    lang, money = client.language, currency_symbol(client.currency)
    flips = pd.read_csv(path, keep_default_na=False, na_values=[""])
    moved = flips[flips["changes"] > 0]
    colon = say(lang, "colon")

    def verdict(text: Any) -> str:
        return say(lang, "v_no_clear") if text == NO_CLEAR else str(text)

    def value(parameter: str, x: Any) -> str:
        if isinstance(x, float) and parameter.endswith("_eur"):
            return amount(x * client.eur_to, lang, money)
        if isinstance(x, float) and math.isfinite(x):  # as tried: 0.0025 stays 0.0025
            return number(x, lang, 0) if x.is_integer() else _general(x, lang)
        return str(x)

    def side(r: Any, which: str) -> str:
        x = getattr(r, f"flip_{which}")
        if isinstance(x, float) and math.isnan(x):
            return "–"
        move = getattr(r, f"flip_{which}_move")
        if isinstance(move, str) and move and lang == "fr":  # −50 %, as French writes it
            move = french_numbers(move).replace("-", "−")
        shown = f" ({move})" if isinstance(move, str) and move else ""
        return f"{value(str(r.parameter), x)}{shown}{colon} {verdict(getattr(r, f'flip_{which}_verdict'))}"

    rows = [
        [str(r.context), label(str(r.metric), lang), f"{r.strategy_a} / {r.strategy_b}",
         label(str(r.parameter), lang),
         f"{value(str(r.parameter), r.baseline_value)}{colon} {verdict(r.baseline_verdict)}",
         side(r, "below"), side(r, "above")]
        for r in moved.itertuples(index=False)
    ]  # fmt: skip
    names = [say(lang, k) for k in ("c_context", "c_metric", "c_pair", "c_assumption",
                                    "c_baseline", "c_flip_below", "c_flip_above")]  # fmt: skip
    title = say(lang, "t_flips", held=len(flips) - len(moved), total=len(flips))
    return Table(title, names, rows, [False] * len(names))


# --------------------------------------------------------------------------- assumptions


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, Mapping):
        out: dict[str, Any] = {}
        for k, v in data.items():
            out.update(_flatten(v, f"{prefix}{k}."))
        return out
    return {prefix.rstrip("."): data}


def _defaults(scenario: Mapping[str, Any]) -> dict[str, Any]:
    from ssisim.scenario.schema import Scenario

    return dict(
        Scenario.model_validate({"name": "defaults", "strategies": ["inactive"]}).model_dump(
            mode="json"
        )
    )


def assumptions(manifest: Mapping[str, Any], client: Client | None = None) -> list[dict[str, str]]:
    """Settings of the scenario as run that differ from the model's defaults.

    Numbers are written in the report's language; amounts (``*_eur`` keys) in
    its currency.
    """
    who = client or Client()
    scenario = manifest.get("scenario")
    if not isinstance(scenario, Mapping):
        return []
    ran = _flatten({k: v for k, v in scenario.items() if k not in _IGNORED_KEYS})
    base = _flatten({k: v for k, v in _defaults(scenario).items() if k not in _IGNORED_KEYS})
    rows = []
    for key, value in ran.items():
        if key in base and base[key] == value:
            continue
        sentence, sources = doc_sentence(key)
        rows.append(
            {
                "key": key,
                "label": label(key, who.language),
                "default": "—" if key not in base else _value(key, base[key], who),
                "value": _value(key, value, who),
                "sentence": sentence,
                "sources": sources,
            }
        )
    return rows


def _value(key: str, value: Any, who: Client) -> str:
    """A setting's value: a number as the report's language writes it, an amount converted."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if key.endswith("_eur"):
            return amount(value * who.eur_to, who.language, currency_symbol(who.currency))
        if who.language == "fr":
            return french_numbers(f"{value:,g}")
    return _short(value)


def _short(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    text = text.removesuffix("...").strip()
    return text if len(text) <= 60 else text[:59] + "…"


# --------------------------------------------------------------------------- the report


_FIGURE_ORDER = tuple(FIGURE_ALT)


def _figure_rank(path: Path) -> tuple[int, str]:
    """The order :func:`ssisim.plots.redraw.redraw` draws in (``sobol-2`` after ``sobol``)."""
    stem = figure_base(path.stem)
    rank = _FIGURE_ORDER.index(stem) if stem in _FIGURE_ORDER else len(_FIGURE_ORDER)
    return rank, path.stem


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _checksums(run_dir: Path) -> list[tuple[str, str]]:
    out = []
    for path in sorted(run_dir.iterdir()):
        if path.is_file() and path.suffix in _DATA_SUFFIXES and not path.name.startswith("."):
            out.append((path.name, hashlib.sha256(path.read_bytes()).hexdigest()))
    return out


def _version() -> str:
    try:
        return metadata.version("ssisim")
    except metadata.PackageNotFoundError:  # pragma: no cover - a source tree
        return "0+unknown"


def _description(manifest: Mapping[str, Any]) -> str:
    scenario = manifest.get("scenario")
    if isinstance(scenario, Mapping) and isinstance(scenario.get("description"), str):
        return str(scenario["description"]).strip()
    return ""


def _names(manifest: Mapping[str, Any], key: str) -> list[str]:
    scenario = manifest.get("scenario")
    block = scenario.get(key) if isinstance(scenario, Mapping) else None
    if isinstance(block, Mapping):  # a context removed with `volume: null` is recorded as null
        return [str(k) for k, v in block.items() if v is not None]
    if isinstance(block, list):
        return [str(b.get("name")) if isinstance(b, Mapping) else str(b) for b in block]
    return []


def build_report(
    run_dir: Path,
    out: Path | None = None,
    *,
    language: str | None = None,
    currency: str | None = None,
    client: str | None = None,
    eur_to: float | None = None,
    rate_date: str | None = None,
    rate_source: str | None = None,
    command: Sequence[str] | None = None,
    draw: bool = True,
) -> Path:
    """Write the report of a results folder: one self-contained HTML file.

    Parameters
    ----------
    run_dir : Path
        Any results folder (run, team, sweep, sensitivity, cohort, calibration, fit).
    out : Path, optional
        The HTML file (default ``run_dir/report.html``).
    language, currency, client : str, optional
        Override the folder's ``report.yaml`` (see :mod:`ssisim.plots.client`).
    eur_to, rate_date, rate_source : optional
        1 EUR in ``currency`` (required unless EUR: the model's amounts are in
        euros), and the rate's date and source, stated in the report.
    command : sequence of str, optional
        The command that wrote the report, shown in the footer.
    draw : bool
        Draw the figures again (the default, in the report's currency);
        False embeds the PNG figures already in the folder.

    Returns
    -------
    Path
        The file written (atomically).

    Raises
    ------
    DataError
        The folder is not a results folder, a file it needs cannot be read, or
        a currency other than EUR has no rate.
    """
    run_dir = Path(run_dir)
    manifest = read_manifest(run_dir) if run_dir.is_dir() else {}
    kind = directory_kind(run_dir, manifest)
    who = client_options(
        run_dir,
        manifest,
        language=language,
        currency=currency,
        client=client,
        eur_to=None if eur_to is None else str(eur_to),
        rate_date=rate_date,
        rate_source=rate_source,
    )
    lang = who.language
    if draw:
        drawn = redraw(
            run_dir,
            Settings(format="png", currency=who.currency, language=who.language, eur_to=who.eur_to),
        )
    else:
        pngs = [*run_dir.glob("*.png"), *(run_dir / "figures").glob("*.png")]
        drawn = sorted(pngs, key=_figure_rank)
    figures = [p for p in drawn if p.suffix in _FIGURE_SUFFIXES]
    found = read_verdicts(run_dir, who.eur_to) if kind in ("run", "team") else []
    symbol = currency_symbol(who.currency)
    contexts = list(dict.fromkeys(v.context for v in found))
    sentences = []
    for ctx in contexts:
        clauses = [verdict_text(v, lang, symbol) for v in found if v.context == ctx]
        sentences.append(say(lang, "context", name=ctx) + say(lang, "and").join(clauses) + ".")
    other = _kind_sentences(run_dir, kind, lang)
    scenario = manifest.get("scenario") if isinstance(manifest.get("scenario"), Mapping) else {}
    diffs = assumptions(manifest, who)
    scoring_changes = [a["label"] for a in diffs if a["key"].startswith("scoring.")]
    calibration = (
        say(lang, "not_calibrated", keys=", ".join(scoring_changes[:4]))
        if scoring_changes
        else say(lang, "calibrated")
    )
    context = {
        "lang": lang,
        "t": lambda key, **kw: say(lang, key, **kw),
        "title": scenario_name(manifest) or run_dir.name,
        "client": who.client,
        "kind": say(lang, f"kind_{kind}"),
        "description": _description(manifest),
        "strategies": _names(manifest, "strategies"),
        "contexts": _names(manifest, "contexts") if kind in ("run", "team") else [],
        "replications": (scenario or {}).get("replications"),
        "weeks": (scenario or {}).get("weeks"),
        "currency": who.currency,
        "rate_note": _rate_note(who),
        "verdicts": sentences,
        "other_sentences": other,
        "level": percent(CONFIDENCE, lang),
        "figures": [
            {"name": p.name, "uri": _data_uri(p), "alt": figure_alt(p.stem, lang)} for p in figures
        ],
        "tables": report_tables(run_dir, kind, who),
        "assumptions": diffs,
        "calibration": calibration,
        "version": _version(),
        "run_version": (manifest.get("versions") or {}).get("ssisim", ""),
        "seed": manifest.get("seed", (scenario or {}).get("seed", "")),
        "run_command": shlex.join(map(str, manifest.get("command", []))),
        "report_command": shlex.join(command) if command else "",
        "scenario_yaml": yaml.safe_dump(scenario, sort_keys=False, allow_unicode=True)
        if scenario
        else "",
        "checksums": _checksums(run_dir),
    }
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ssisim.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    html = env.get_template("report.html.j2").render(**context)
    path = Path(out) if out is not None else run_dir / REPORT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_text(path) as f:
        f.write(html)
    return path


def _rate_note(who: Client) -> str:
    """Where the amounts come from: the rate, its date and source ("" in euros)."""
    if not who.converted:
        return ""
    lang = who.language
    when = say(lang, "rate_of", date=who.rate_date) if who.rate_date else say(lang, "rate_undated")
    return say(
        lang,
        "rate_note",
        currency=who.currency,
        rate=number(who.eur_to, lang, 4).rstrip("0").rstrip(",."),
        when=when,
        source=who.rate_source or say(lang, "rate_source_unknown"),
    )


def _kind_sentences(run_dir: Path, kind: str, lang: str) -> list[str]:
    """What a folder without paired strategies concludes, in a sentence or two."""
    out: list[str] = []

    def t(key: str, **values: object) -> str:
        return say(lang, key, **values)

    def n(x: Any, digits: int = 1) -> str:
        return number(x, lang, digits)

    if kind == "calibration":
        cal = pd.read_csv(run_dir / "calibration.csv")
        failed = cal[~cal["passed"].astype(bool)]
        text = t("s_calibration", met=int(cal["passed"].sum()), total=len(cal))
        if len(failed):
            text += t("s_missed", ids=", ".join(dict.fromkeys(failed["id"].astype(str))))
        out.append(text)
    elif kind == "cohort":
        claim = 1.45
        for r in pd.read_csv(run_dir / "ratio.csv").itertuples(index=False):
            low, high = float(r.ci_low), float(r.ci_high)  # type: ignore[arg-type]
            where = "above" if low > claim else ("below" if high < claim else "consistent")
            out.append(t("s_cohort", context=r.context, ratio=n(r.ratio, 2), low=n(low, 2),
                         high=n(high, 2), where=t(where), claim=n(claim, 2)))  # fmt: skip
    elif kind == "sensitivity":
        from ssisim.plots.experiments import sobol_warnings

        sobol = pd.read_csv(run_dir / "sobol.csv")
        for (strategy, output), rows in sobol.groupby(["strategy", "output"], sort=False):
            top = rows.sort_values("ST", ascending=False).iloc[0]
            out.append(t("s_sobol", strategy=strategy, parameter=label(str(top["parameter"]), lang),
                         output=label(str(output), lang), st=n(top["ST"], 2),
                         conf=n(top["ST_conf"], 2)))  # fmt: skip
        out += [t("s_warning", text=translate(w, lang)) for w in sobol_warnings(sobol)]
    elif kind == "fit":
        errors = pd.read_csv(run_dir / "errors.csv").set_index("score")
        if "ssi" in errors.index:
            e = errors.loc["ssi"]
            out.append(t("s_fit", before=n(e["rmse_baseline"]), after=n(e["rmse_fitted"])))
    elif kind == "team":
        board = pd.read_csv(run_dir / "leaderboard.csv")
        last = board[board["month"] == board["month"].max()].sort_values("rank").iloc[0]
        out.append(t("s_team", member=last["member"], strategy=last["strategy"],
                     month=int(last["month"]), ssi=n(last["ssi"])))  # fmt: skip
    return out


# --------------------------------------------------------------------------- PDF and Excel


def find_chromium() -> str | None:
    """A headless browser to print with (see :data:`CHROMIUM`), or None."""
    for name in CHROMIUM:
        found = shutil.which(name) if "/" not in name else (name if Path(name).is_file() else None)
        if found:
            return found
    return None


def write_pdf(html: Path, pdf: Path | None = None, *, timeout: float = 120.0) -> Path | None:
    """Print the report to PDF (A4) with headless Chromium; None where there is none.

    Raises
    ------
    DataError
        Chromium ran and failed.
    """
    browser = find_chromium()
    if browser is None:
        return None
    html = Path(html).resolve()
    pdf = Path(pdf) if pdf is not None else html.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="ssisim-chromium-") as profile:
        tmp = pdf.with_name(f".{pdf.name}.tmp")
        args = [
            browser, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--no-pdf-header-footer", f"--user-data-dir={profile}",
            f"--print-to-pdf={tmp}", html.as_uri(),
        ]  # fmt: skip
        try:
            done = subprocess.run(args, capture_output=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise DataError(f"{browser}: could not print {html} ({exc})") from None
        if done.returncode != 0 or not tmp.is_file():
            tmp.unlink(missing_ok=True)
            last = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no output"]
            raise DataError(f"{browser}: printing {html} failed ({last[0]})")
        tmp.replace(pdf)
    return pdf


def write_xlsx(run_dir: Path, path: Path | None = None, max_rows: int = 1_000_000) -> Path:
    """One workbook, one sheet per CSV table of the folder (full precision).

    Tables longer than ``max_rows`` (Excel's limit is 1,048,576) are left out.
    """
    run_dir = Path(run_dir)
    path = Path(path) if path is not None else run_dir / "report.xlsx"
    tmp = path.with_name(f".{path.name}.tmp.xlsx")
    with pd.ExcelWriter(tmp, engine="openpyxl") as writer:
        for csv in sorted(run_dir.glob("*.csv")):
            frame = pd.read_csv(csv)
            if len(frame) > max_rows:
                continue
            frame.to_excel(writer, sheet_name=csv.stem[:31], index=False)
    tmp.replace(path)
    return path

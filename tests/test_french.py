"""Every kind of results folder in French: figures, report, numbers the French way.

Each folder is built from small synthetic tables (no simulation). The
figures are laid out but not rasterised (:func:`drawn_texts`): what is
checked is every text a figure draws, read back from its matplotlib artists.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import saved_figures, synthetic_fit_tables
from matplotlib.figure import Figure
from matplotlib.text import Text

import ssisim.plots.redraw as redraw_module
from ssisim.plots.french import french_numbers, translate
from ssisim.plots.style import Settings, label, money, using
from ssisim.report.build import build_report

STRATEGIES = ("open-bar", "club-select")
MEMBERS = ("alice", "bruno", "chloe")
SWEPT = "strategies.open-bar.invites_per_week"
PARAMETERS = ("strategies.open-bar.invites_per_week", "contexts.complex.deal_value_eur")
KINDS = ("run", "team", "sweep", "sensitivity", "cohort", "calibration", "fit")


# --------------------------------------------------------------------------- folders


def _manifest(folder: Path, kind: str, **extra: object) -> None:
    scenario = {"name": f"tiny-{kind}", "seed": 7, "weeks": 8, "replications": 2}
    scenario.update(extra.pop("scenario", {}))  # type: ignore[arg-type]
    (folder / "manifest.json").write_text(json.dumps({"kind": kind, "scenario": scenario, **extra}))


def team_folder(run_folder: Path, out: Path) -> Path:
    shutil.copytree(run_folder, out)
    manifest = json.loads((out / "manifest.json").read_text())
    routines = ["open-bar", "club-select", "open-bar"]
    manifest["kind"] = "team"
    manifest["scenario"]["team"] = {
        "members": [{"name": n, "strategy": s} for n, s in zip(MEMBERS, routines, strict=True)],
        "month_weeks": 2,
    }
    (out / "manifest.json").write_text(json.dumps(manifest))
    rows = []
    for month in (1, 2, 3):
        ssi = {n: 20.0 + month * (3 + k) + 0.5 * k for k, n in enumerate(MEMBERS)}
        order = sorted(MEMBERS, key=lambda n: -ssi[n])
        for n, s in zip(MEMBERS, routines, strict=True):
            rows.append(
                {
                    "month": month,
                    "week": 2 * month,
                    "member": n,
                    "strategy": s,
                    "ssi": ssi[n],
                    "ssi_change": 3.0 + MEMBERS.index(n),
                    "rank": order.index(n) + 1,
                    "opportunities": 1.5 * month,
                }
            )
    pd.DataFrame(rows).to_csv(out / "leaderboard.csv", index=False)
    return out


def sweep_folder(out: Path) -> Path:
    out.mkdir(parents=True)
    points = pd.DataFrame({"point": [0, 1, 2], SWEPT: [10.0, 55.0, 100.0]})
    points.to_csv(out / "points.csv", index=False)
    summary, outcomes = [], []
    for p, value in zip(points["point"], points[SWEPT], strict=True):
        for s in STRATEGIES:
            for metric in ("ssi", "connections", "relevant_connections"):
                for week in (0, 8):
                    mean = (20.0 if week == 0 else 30.0 + value / 4) * (
                        1.3 if s == "open-bar" else 1
                    )
                    summary.append(
                        {
                            "point": p,
                            SWEPT: value,
                            "strategy": s,
                            "week": week,
                            "metric": metric,
                            "n": 2,
                            "mean": mean,
                            "ci_low": mean - 2.5,
                            "ci_high": mean + 2.5,
                        }
                    )
            for metric, mean in (
                ("opportunities", 3.5 + value / 50),
                ("pipeline_value_eur", 12_500.0),
            ):
                outcomes.append(
                    {
                        "point": p,
                        SWEPT: value,
                        "strategy": s,
                        "context": "volume",
                        "metric": metric,
                        "n": 2,
                        "mean": mean,
                        "std": 1.0,
                        "ci_low": mean - 1,
                        "ci_high": mean + 1,
                    }
                )
    pd.DataFrame(summary).to_csv(out / "summary.csv", index=False)
    pd.DataFrame(outcomes).to_csv(out / "outcomes_summary.csv", index=False)
    _manifest(out, "sweep", sweep={"columns": [SWEPT]})
    return out


def sensitivity_folder(out: Path) -> Path:
    out.mkdir(parents=True)
    sobol, tornado = [], []
    for s in STRATEGIES:
        for k, p in enumerate(PARAMETERS):
            sobol.append(
                {
                    "strategy": s,
                    "output": "ssi",
                    "parameter": p,
                    "S1": 0.55 - 0.4 * k,
                    "S1_conf": 0.05,
                    "ST": 0.62 - 0.4 * k,
                    "ST_conf": 0.06,
                }
            )
            low, high = (10.0, 100.0) if k == 0 else (5_000.0, 20_000.0)
            tornado.append(
                {
                    "strategy": s,
                    "output": "ssi",
                    "parameter": p,
                    "low": low,
                    "high": high,
                    "at_baseline": 50.5,
                    "at_low": 40.25 + k,
                    "at_high": 60.75 - k,
                    "swing": 20.5 - 2 * k,
                }
            )
    pd.DataFrame(sobol).to_csv(out / "sobol.csv", index=False)
    pd.DataFrame(tornado).to_csv(out / "tornado.csv", index=False)
    _manifest(out, "sensitivity")
    return out


def cohort_folder(out: Path) -> Path:
    out.mkdir(parents=True)
    rng = np.random.default_rng(3)
    ssi = rng.uniform(5, 95, 40)
    pd.DataFrame(
        {
            "seller": [f"seller-{i}" for i in range(40)],
            "routine": [("beginner", "active", "power-user")[i % 3] for i in range(40)],
            "ssi": ssi,
            "opportunities_volume": ssi / 10 + rng.uniform(0, 2, 40),
            "opportunities_existing_volume": rng.uniform(0, 1, 40),
        }
    ).to_csv(out / "sellers.csv", index=False)
    pd.DataFrame(
        [
            {
                "context": "volume",
                "n_high": 12,
                "n_low": 10,
                "mean_high": 8.25,
                "mean_low": 5.5,
                "ratio": 1.5,
                "ci_low": 1.25,
                "ci_high": 1.75,
                "linkedin_share_high": 0.45,
                "linkedin_share_low": 0.35,
            }
        ]
    ).to_csv(out / "ratio.csv", index=False)
    _manifest(out, "cohort", scenario={"cohort": {"sellers": 40}})
    return out


def calibration_folder(out: Path) -> Path:
    from ssisim.experiments.calibration import CALIBRATION_COLUMNS, TARGETS

    out.mkdir(parents=True)
    rows = []
    for k, t in enumerate(TARGETS):
        mean = (t.low + t.high) / 2 + (t.high - t.low) * (0.8 if k == 3 else 0.1)
        rows.append(
            {
                "id": t.id,
                "statement": t.statement,
                "source": t.source,
                "metric": t.metric,
                "unit": t.unit,
                "mean": mean,
                "ci_low": mean * 0.98,
                "ci_high": mean * 1.02,
                "target_low": t.low,
                "target_high": t.high,
                "passed": k != 3,
            }
        )
    table = pd.DataFrame(rows)
    table[[c for c in CALIBRATION_COLUMNS if c in table.columns]].to_csv(
        out / "calibration.csv", index=False
    )
    _manifest(out, "calibration")
    return out


def fit_folder(out: Path) -> Path:
    synthetic_fit_tables(out)
    _manifest(out, "fit")
    return out


def kind_folder(kind: str, run_folder: Path, tmp: Path) -> Path:
    """A tiny results folder of ``kind`` (a copy: free to change)."""
    out = tmp / kind
    if kind == "run":
        shutil.copytree(run_folder, out)
        return out
    if kind == "team":
        return team_folder(run_folder, out)
    build = {
        "sweep": sweep_folder,
        "sensitivity": sensitivity_folder,
        "cohort": cohort_folder,
        "calibration": calibration_folder,
        "fit": fit_folder,
    }[kind]
    return build(out)


# --------------------------------------------------------------------------- texts


def figure_texts(fig: Figure) -> list[str]:
    """Every non-empty visible text of a laid-out figure (tick labels as drawn)."""
    out = []
    for text in fig.findobj(Text):
        words = text.get_text()
        if words.strip() and text.get_visible():
            out.append(words)
    return out


ENGLISH = frozenset(
    """the of and than with per week weeks over at from to against more fewer less best ahead
    context opportunities opportunity value hours hour mean means replication replications
    confidence interval intervals horizon month months network share first order low high end
    baseline error model readings reading target targets met missed seller sellers goal rank
    leads reaches brings takes receives connections invitations each every one who what time
    default fitted your whiskers bars lines shaded band bands clear difference leader leaders
    people brand insights relationships relevant decision makers known strong ties inbound
    outbound introductions existing origin pitches received unsolicited routine after gained
    most highest sensitivity indices index variance moved alone others alone size deal point
    points per change sample small raise wide wider outside active beginner inactive score
    scores scoring lands year years without turned adds about above below multiplies reach post
    industry members population lies fewer cold message messages gets reply replies stops
    loses lost least third cap lifted today far half contacts""".split()
) - {
    "points",
    "contacts",
    "point",
    "active",
    "beginner",
    "inactive",
    "score",
    "index",
    "horizon",
    "routine",
    "invitations",
    "population",
    "variance",
    "indices",
    "message",
    "leaders",
    "total",
}
"""English words that no French figure should show (French homographs left out)."""

_NAMES = re.compile(
    "|".join(
        re.escape(n)
        for n in sorted(
            {
                *STRATEGIES,
                *MEMBERS,
                "power-user-sales-navigator",
                "power-user",
                "beginner",
                "active",
                "inactive",
                "industrial",
                "maxed",
                "cold-messages",
                "volume",
                "complex",
                "seller-",
                "LinkedIn",
                "Sales Navigator",
                "TeamLink",
                "InMail",
                "RMSE",
                "SSI",
                "Sobol'",
                *(f"tiny-{kind}" for kind in KINDS),
                "model.md",
            },
            key=len,
            reverse=True,
        )
    )
)


def english_words(text: str) -> set[str]:
    """The words of ``text`` found in :data:`ENGLISH` (names of strategies and the like left out,
    and a word cut short by an ellipsis)."""
    text = re.sub(r"\w+…", " ", _NAMES.sub(" ", text))
    return {w for w in re.findall(r"[a-z]+", text.lower()) if w in ENGLISH}


def english_numbers(text: str) -> list[str]:
    """Numbers written the English way: 2.5, 12,300, €950, 95%."""
    text = re.sub(r"\d{4}-\d\d-\d\d", " ", text)  # a date
    found = re.findall(r"(?<![\w.])\d+\.\d+(?![\w.]*\.\d)", text)
    found += re.findall(r"(?<![\d,])[1-9]\d{0,2},\d{3}(?!\d)", text)
    found += re.findall(r"[€$£]\s?\d", text)
    found += re.findall(r"\d%", text)
    return found


def _english_in(texts: list[str]) -> dict[str, object]:
    bad: dict[str, object] = {}
    for text in texts:
        words, numbers = english_words(text), english_numbers(text)
        if words or numbers:
            bad[text[:70]] = sorted(words) + numbers
    return bad


# --------------------------------------------------------------------------- tests


def test_french_numbers():
    assert french_numbers("1.5k") == "1,5\u00a0k"
    assert french_numbers("€1.5k") == "1,5\u00a0k€"
    assert french_numbers("−€12,300") == "−12\u202f300\u00a0€"
    assert french_numbers("CHF 950", "CHF") == "950\u00a0CHF"
    assert french_numbers("95% CI 0.25 to 1,234.5") == "95\u202f% CI 0,25 to 1\u202f234,5"
    # names, sources, dates and versions keep their digits
    assert french_numbers("C10 (002) 2025-01-06 0.1.0 S1") == "C10 (002) 2025-01-06 0.1.0 S1"
    # a text already translated is never translated twice
    once = translate("€1.5k and 1.234", "fr")
    assert translate(once, "fr") == once


def test_french_ticks_and_labels():
    with using(Settings(language="fr")):
        assert (
            label("strategies.open-bar.invites_per_week")
            == "open-bar\u00a0: invitations par semaine"
        )
        assert label("population.size") == "population\u00a0: taille"
    assert money(1500) == "€1.5k"  # English at the source, French when drawn
    assert translate(money(1500), "fr") == "1,5\u00a0k€"


@pytest.fixture(scope="module")
def folders(
    run_folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Path]]:
    tmp = tmp_path_factory.mktemp("kinds")
    yield {kind: kind_folder(kind, run_folder, tmp) for kind in KINDS}


@pytest.mark.parametrize("kind", KINDS)
def test_every_figure_and_the_report_in_french(
    kind: str, folders: dict[str, Path], monkeypatch: pytest.MonkeyPatch
):
    if kind == "team":  # a team's run figures are a run's, checked with the run
        monkeypatch.setattr(redraw_module, "_run_figures", lambda run_dir: [])
    figures = saved_figures(monkeypatch)
    path = build_report(folders[kind], language="fr", client="Banque Exemple")
    assert figures, kind
    texts = [t for fig in figures for t in figure_texts(fig)]
    assert _english_in(texts) == {}, kind
    # the report: its own sentences, tables and numbers
    assert _english_in(report_lines(path)) == {}, kind


def report_lines(path: Path) -> list[str]:
    """The report's own text, a line per element: what the user wrote (the scenario's
    description, the scenario as run, file names, checksums) and the sentences
    quoted from docs/model.md (marked ``lang="en"``) left out."""
    page = path.read_text(encoding="utf-8")
    for left_out in (
        r"<style>.*?</style>",
        r"<pre>.*?</pre>",
        r"<code>.*?</code>",
        r'<p class="description">.*?</p>',
        r'<span lang="en">.*?</span>',
        r"<title>.*?</title>",
    ):
        page = re.sub(left_out, "\n", page, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", "\n", page))
    return [line for line in text.split("\n") if line.strip()]


def test_no_clear_difference_elides_de_in_french():
    from ssisim.report.messages import verdict_text
    from ssisim.results.verdicts import Verdict

    def text(metric: str, language: str) -> str:
        v = Verdict("volume", metric, "a", "b", 0.4, -1.0, 1.8, clear=False)
        return verdict_text(v, language, "€")

    assert text("opportunities", "fr").startswith(
        "pas de différence nette d'opportunités entre a et b"
    )
    assert text("hours_per_week", "fr").startswith("pas de différence nette d'heures")
    assert text("ssi", "fr").startswith("pas de différence nette de SSI")
    assert text("opportunities", "en").startswith(
        "no clear difference in opportunities between a and b"
    )


@pytest.mark.parametrize(
    "english",
    [
        "No clear difference between the two leaders on pipeline value "
        "(volume: open-bar and acme-careful; complex: club-select and open-bar)",
        "Who brings the most opportunities depends on the context "
        "(volume: open-bar; complex: no clear winner)",
        "Who brings the fewest hours depends on the context (volume: a; complex: b)",
    ],
)
def test_the_debate_figures_titles_by_context_are_all_french(english):
    """The pairs and winners inside these titles stayed English ("open-bar and
    acme-careful", "no clear winner", "the most opportunities")."""
    from ssisim.plots.french import translate

    french = translate(english)
    for word in (" and ", "no clear winner", "the most", "the fewest", "Who brings"):
        assert word not in french, french

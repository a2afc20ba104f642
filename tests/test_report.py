"""``ssisim report``: one self-contained file, verdicts in words, English and French, A4, Excel."""

from __future__ import annotations

import html
import re
import shutil
import struct
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import synthetic_fit_tables

from ssisim.cli.main import cli
from ssisim.report import build
from ssisim.report.build import build_report, write_pdf, write_xlsx
from ssisim.report.messages import number


@pytest.fixture(scope="module")
def report_html(run_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("html") / "report.html"
    text = build_report(run_folder, out, client="Banque Exemple", draw=False)
    return html.unescape(text.read_text(encoding="utf-8"))


def test_the_report_holds_everything_in_order(report_html: str):
    order = ["What was compared", "Verdicts", "Figures", "Tables", "Assumptions",
             "Calibration status", "Reproducibility"]  # fmt: skip
    at = [report_html.index(h) for h in order]
    assert at == sorted(at)
    assert "Banque Exemple" in report_html and "Three routines for selling to CISOs" in report_html
    assert "open-bar brought more opportunities than club-select" in report_html
    assert "95% CI" in report_html
    # the assumption that differs from the defaults, with the model's sentence
    assert "boost_threshold_ssi" in report_html
    # the footer: checksums of the data files and the scenario as run
    assert re.search(r"outcomes\.csv</code></td><td><code>[0-9a-f]{64}", report_html)
    assert "name: bank-cisos" in report_html


def test_the_report_makes_no_request(report_html: str):
    sources = re.findall(r'(?:src|href)="([^"]*)"', report_html)
    assert sources and all(s.startswith("data:") for s in sources)
    assert "http://" not in report_html.replace("http://www.w3.org", "")
    assert "https://" not in report_html
    assert len(re.findall(r"<img ", report_html)) >= 9


def test_tables_round_for_reading_and_csvs_keep_full_precision(run_folder: Path, report_html: str):
    raw = (run_folder / "outcomes_summary.csv").read_text()
    assert re.search(r"\d\.\d{5,}", raw)  # full precision on disk
    cells = re.findall(r'<td class="num">([^<]*)</td>', report_html)
    assert cells and not any(re.search(r"\d\.\d{4,}", c) for c in cells)


def test_french_and_another_currency(run_folder: Path, tmp_path: Path):
    path = build_report(
        run_folder, tmp_path / "r.html", language="fr", currency="CHF", eur_to=0.93, draw=False
    )
    text = html.unescape(path.read_text(encoding="utf-8"))
    assert '<html lang="fr">' in text and "Ce qui a été comparé" in text
    assert "Dans le contexte volume, " in text
    assert "open-bar a apporté plus d'opportunités que club-select" in text
    assert "1 EUR = 0,93 CHF" in text and number(12300.5, "fr") == "12\u202f300,5"
    alts = re.findall(r'<img src="data:[^"]*" alt="([^"]*)"', text)  # the images described
    assert "le SSI semaine après semaine" in alts and "the SSI week by week" not in alts
    from ssisim.report.messages import FIGURE_ALT

    assert alts and set(alts) <= {fr for _en, fr in FIGURE_ALT.values()}, alts  # every one French


def test_report_yaml_beside_the_results(run_folder: Path, tmp_path: Path):
    folder = tmp_path / "copy"
    shutil.copytree(run_folder, folder)
    (folder / "report.yaml").write_text("language: fr\ncurrency: usd\neur_to: 1.08\nclient: ACME\n")
    text = build_report(folder, draw=False).read_text(encoding="utf-8")
    assert "Rapport pour ACME" in text and "USD" in text


def test_figures_are_16_by_9(run_folder: Path):
    for png in sorted((run_folder / "figures").glob("*.png")):
        width, height = struct.unpack(">II", png.read_bytes()[16:24])
        assert abs(width / height - 16 / 9) < 0.02, (png.name, width, height)


def test_pdf_says_so_without_chromium(run_folder: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(build, "CHROMIUM", ("/nonexistent/chromium",))
    path = build_report(run_folder, tmp_path / "r.html", draw=False)
    assert write_pdf(path) is None


def test_xlsx_one_sheet_per_table(run_folder: Path, tmp_path: Path):
    path = write_xlsx(run_folder, tmp_path / "r.xlsx")
    sheets = pd.ExcelFile(path).sheet_names
    assert {"outcomes", "outcomes_summary", "differences", "summary", "weekly"} <= set(sheets)


def test_the_command(run_folder: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(build, "CHROMIUM", ("/nonexistent/chromium",))
    out = tmp_path / "client.html"
    res = CliRunner().invoke(
        cli,
        ["report", str(run_folder), "--out", str(out), "--pdf", "--client", "X", "--keep-figures"],
    )
    assert res.exit_code == 0, res.output
    assert out.is_file() and "headless Chromium not found" in res.output


def test_plot_options(run_folder: Path, tmp_path: Path):
    folder = tmp_path / "copy"
    shutil.copytree(run_folder, folder)
    # the run's own figures only (ssi.svg is what is read): without its outcomes
    # table a run folder has no debate figures to draw
    (folder / "outcomes_summary.csv").unlink()
    res = CliRunner().invoke(
        cli,
        [
            "plot",
            str(folder),
            "--context",
            "talk",
            "--format",
            "svg",
            "--strategies",
            "open-bar",
        ],
    )
    assert res.exit_code == 0, res.output
    svg = (folder / "figures" / "ssi.svg").read_text()
    assert "open-bar" in svg and "club-select" not in svg


def test_plot_of_an_unknown_strategy_among_known_ones_is_refused(run_folder: Path, tmp_path):
    """`--strategies open-bar,nobody` drew open bar alone over the run's figures, exit 0:
    a consultant's typo replaced the two-strategy figures to hand over."""
    from ssisim.cli.main import main

    folder = tmp_path / "copy"
    shutil.copytree(run_folder, folder)
    before = {p.name: p.read_bytes() for p in (folder / "figures").iterdir()}
    with pytest.raises(SystemExit) as info:
        main(["plot", str(folder), "--strategies", "open-bar,nobody"])
    assert info.value.code == 2
    assert {p.name: p.read_bytes() for p in (folder / "figures").iterdir()} == before


def test_the_reports_command_is_shell_quoted(run_folder: Path, tmp_path: Path):
    """Paths with spaces were joined with plain spaces: pasted, the command failed."""
    import json
    import shlex

    folder = tmp_path / "copy"
    shutil.copytree(run_folder, folder)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["command"] = ["ssisim", "run", "client dir/my client.yaml", "--out", "run one"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    text = build_report(folder).read_text(encoding="utf-8")
    quoted = "ssisim run 'client dir/my client.yaml' --out 'run one'"
    assert shlex.split(quoted)[2] == "client dir/my client.yaml"
    assert quoted in html.unescape(text)


def test_figures_drawn_again_and_interrupted_are_left_as_they_were(run_folder, tmp_path):
    """`ssisim report RUN --language fr` draws the folder's figures again in French:
    a Ctrl-C after three of nine left three French and six English."""
    from ssisim.cli.main import main

    folder = tmp_path / "copy"
    shutil.copytree(run_folder, folder)
    before = {p.name: p.read_bytes() for p in (folder / "figures").iterdir()}
    assert len(before) > 3
    saved = 0
    from matplotlib.figure import Figure

    real = Figure.savefig

    def third_interrupted(self, *args, **kwargs):
        nonlocal saved
        saved += 1
        if saved == 3:
            raise KeyboardInterrupt
        return real(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Figure, "savefig", third_interrupted)
        with pytest.raises(SystemExit) as info:
            main(["report", str(folder), "--language", "fr"])
    assert info.value.code == 130 and saved == 3
    assert {p.name: p.read_bytes() for p in (folder / "figures").iterdir()} == before
    assert not list(folder.glob("report*.html"))


def test_a_fit_folder_draws_readings_default_and_fitted(tmp_path: Path):
    import json

    folder = synthetic_fit_tables(tmp_path / "fit", rmse_baseline=9.1, rmse_fitted=1.2)
    (folder / "manifest.json").write_text(json.dumps({"kind": "fit", "scenario": "my-routine"}))
    text = build_report(folder).read_text(encoding="utf-8")
    assert (folder / "figures" / "fit.png").is_file()
    assert "cuts the SSI error from 9.1 to 1.2 points" in text


def test_a_context_removed_with_null_is_not_named():
    """Manifests record `volume: null` (a removed default context) as null."""
    manifest = {"scenario": {"contexts": {"volume": None, "complex": {"deal_value_eur": 1}}}}
    assert build._names(manifest, "contexts") == ["complex"]


def test_a_plan_or_an_outcomes_folder_is_told_what_to_report(tmp_path, capsys):
    """Both were refused as 'no results to draw' listing marker files, while the help said
    'any results folder': the line says what the folder is and what to report instead."""
    from conftest import run_cli

    plan = tmp_path / "plan"
    plan.mkdir()
    (plan / "plan.yaml").write_text("name: plan\nstrategies: [open-bar]\n", encoding="utf-8")
    (plan / "trials.csv").write_text("trial\n0\n", encoding="utf-8")
    outcomes = tmp_path / "outcomes"
    outcomes.mkdir()
    (outcomes / "outcomes.csv").write_text("strategy\nopen-bar\n", encoding="utf-8")
    for folder, said in (
        (plan, f"`ssisim run {plan / 'plan.yaml'} --report`"),
        (outcomes, "the report is the run folder's"),
    ):
        code, _, err = run_cli(["report", str(folder)], capsys)
        assert code == 2 and said in err, err
        assert len(err.strip().splitlines()) == 1
        assert not (folder / "report.html").exists()


@pytest.mark.parametrize("command", ["report", "plot", "outcomes"])
def test_an_unfinished_experiment_and_an_import_folder_are_named_as_such(tmp_path, command, capsys):
    """An interrupted sweep's folder got "no results to draw (expected one of ...)" or
    "weekly.csv: missing file"; an import folder a list of 47 missing columns and
    "written by another version of ssisim?"."""
    from ssisim.cli.main import main

    cut = tmp_path / "cut"
    (cut / "weekly").mkdir(parents=True)
    (cut / "plan.json").write_text('{"kind": "sweep"}')
    me = tmp_path / "me"
    me.mkdir()
    (me / "member.yaml").write_text("format: ssisim-member/1\n")
    (me / "weekly.csv").write_text("week,posts\n2026-01-05,1\n")
    (me / "composition.csv").write_text("industry,n\nsoftware,3\n")
    for folder, said in ((cut, "a sweep that did not finish"), (me, "a member's import")):
        with pytest.raises(SystemExit) as info:
            main([command, str(folder)])
        err = capsys.readouterr().err
        assert info.value.code == 2 and err.count("\n") == 1 and said in err, err

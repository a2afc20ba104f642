"""Amounts converted from the model's euros at a stated rate, never merely relabelled."""

from __future__ import annotations

import hashlib
import html
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import ssisim.plots.redraw as redraw_module
from ssisim.cli.main import main
from ssisim.errors import DataError
from ssisim.plots.client import client_options, to_currency
from ssisim.plots.style import Settings
from ssisim.report.build import build_report
from ssisim.report.messages import amount
from ssisim.results.verdicts import Verdict


def _exit(args: list[str]) -> int:
    try:
        main(args)
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


def _sums(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.csv")}


def test_another_currency_without_a_rate_is_one_line_exit_2(run_folder: Path, capsys):
    for command in ("report", "plot"):
        assert _exit([command, str(run_folder), "--currency", "USD"]) == 2
        err = capsys.readouterr().err.strip()
        assert err.count("\n") == 0 and "no exchange rate" in err and "--rate" in err, err
        assert err.startswith("error: --currency USD: "), err  # the option, not a report
    assert _exit(["report", str(run_folder), "--currency", "USD", "--rate", "-1"]) == 2
    assert "not a positive number" in capsys.readouterr().err


def test_a_rate_belongs_to_its_currency(tmp_path: Path):
    (tmp_path / "report.yaml").write_text(
        "currency: USD\neur_to: 1.08\nrate_date: 2026-11-27\nrate_source: ECB\n"
    )
    who = client_options(tmp_path)
    assert (who.currency, who.eur_to, who.rate_date, who.rate_source) == (
        "USD", 1.08, "2026-11-27", "ECB",
    )  # fmt: skip
    with pytest.raises(DataError, match="GBP: no exchange rate"):
        client_options(tmp_path, currency="GBP")  # not USD's rate
    assert client_options(tmp_path, currency="GBP", eur_to="0.86").eur_to == 0.86
    assert client_options(tmp_path, currency="EUR").eur_to == 1.0  # euros: no rate
    # a rate given for euros was ignored without a word: refused (1 is harmless)
    with pytest.raises(DataError, match=r"^--rate 2: the amounts are in euros already"):
        client_options(tmp_path, currency="EUR", eur_to="2")
    assert client_options(tmp_path, currency="EUR", eur_to="1").eur_to == 1.0


def test_the_report_converts_every_amount_and_states_the_rate(run_folder: Path, tmp_path: Path):
    folder = tmp_path / "run"
    shutil.copytree(run_folder, folder)
    before = _sums(folder)
    path = build_report(
        folder, currency="USD", eur_to=2.0, rate_date="2026-11-27", rate_source="ECB",
        draw=False,
    )  # fmt: skip
    text = html.unescape(path.read_text(encoding="utf-8"))
    assert "1 EUR = 2 USD (rate of 2026-11-27; source: ECB)" in text
    assert text.count("1 EUR = 2 USD") == 2  # under what was compared, and in the assumptions
    summary = pd.read_csv(folder / "outcomes_summary.csv")
    row = summary[(summary["metric"] == "pipeline_value_eur") & (summary["context"] == "volume")]
    euros = float(row["mean"].iloc[0])
    assert amount(2 * euros, "en", "$") in text and amount(euros, "en", "$") not in text
    differences = pd.read_csv(folder / "differences.csv")
    d = differences[(differences["metric"] == "pipeline_value_eur")].iloc[0]
    assert f"+${2 * abs(d['difference']):,.0f}" in text  # the verdict and the paired table
    assert "€" not in re.sub(r"<pre>.*?</pre>", "", text, flags=re.S)
    assert _sums(folder) == before  # the data files keep euros


def test_french_amounts(run_folder: Path, tmp_path: Path):
    path = build_report(
        run_folder, tmp_path / "r.html", language="fr", currency="CHF", eur_to=0.9, draw=False
    )
    text = html.unescape(path.read_text(encoding="utf-8"))
    assert "1 EUR = 0,9 CHF (taux non daté ; source : non indiquée)" in text
    assert re.search(r"\+\d{1,3}(\u202f\d{3})*\u00a0CHF", text)


def test_the_figures_draw_converted_amounts(run_folder: Path, monkeypatch):
    drawn: dict[str, object] = {}

    def capture(summary: pd.DataFrame, *args: object, **kwargs: object) -> list[Path]:
        drawn["summary"] = summary
        drawn["verdicts"] = kwargs["verdicts"]
        return []

    monkeypatch.setattr(redraw_module, "plot_debate_figures", capture)
    monkeypatch.setattr(redraw_module, "plot_figures", lambda *a, **k: [])
    redraw_module.redraw(run_folder, Settings(currency="USD", eur_to=1.5))
    euros = pd.read_csv(run_folder / "outcomes_summary.csv")
    money = euros["metric"].str.endswith("_eur")
    shown: pd.DataFrame = drawn["summary"]  # type: ignore[assignment]
    assert shown.loc[money, "mean"].tolist() == pytest.approx(
        (euros.loc[money, "mean"] * 1.5).tolist()
    )
    assert shown.loc[~money, "mean"].tolist() == pytest.approx(euros.loc[~money, "mean"].tolist())
    verdicts: list[Verdict] = drawn["verdicts"]  # type: ignore[assignment]
    value = next(v for v in verdicts if v.metric == "pipeline_value_eur" and v.context == "volume")
    differences = pd.read_csv(run_folder / "differences.csv")
    d = differences[
        (differences["metric"] == "pipeline_value_eur") & (differences["context"] == "volume")
    ]
    assert abs(value.difference) == pytest.approx(1.5 * abs(float(d["difference"].iloc[0])))


def test_swept_and_tornado_amounts(tmp_path: Path):
    from test_french import sensitivity_folder

    sweep = pd.DataFrame(
        {
            "point": [0, 1],
            "contexts.complex.deal_value_eur": [5000.0, 9000.0],
            "metric": ["ssi"] * 2,
            "mean": [40.0, 50.0],
        }
    )
    out = to_currency(sweep, 2.0)
    assert out["contexts.complex.deal_value_eur"].tolist() == [10_000.0, 18_000.0]
    assert out["mean"].tolist() == [40.0, 50.0]  # an SSI is no amount
    folder = sensitivity_folder(tmp_path / "sens")
    tornado = redraw_module.tornado_in_currency(pd.read_csv(folder / "tornado.csv"), 2.0)
    deal = tornado[tornado["parameter"].str.endswith("_eur")]
    assert deal["low"].tolist() == [10_000.0, 10_000.0] and deal["at_low"].tolist() == [41.25] * 2


def test_the_command_with_a_rate(run_folder: Path, tmp_path: Path, capsys):
    out = tmp_path / "usd.html"
    args = ["report", str(run_folder), "--out", str(out), "--keep-figures", "--currency", "usd",
            "--rate", "1.08", "--rate-date", "2026-11-27", "--rate-source", "ECB"]  # fmt: skip
    assert _exit(args) == 0, capsys.readouterr().err
    text = html.unescape(out.read_text(encoding="utf-8"))
    assert "1 EUR = 1.08 USD (rate of 2026-11-27; source: ECB)" in text


def test_a_run_is_refused_before_simulating_when_its_report_yaml_has_no_rate(tmp_path, capsys):
    """The figures read a report.yaml beside the scenario: a mistake there is found
    before any run, named by its file, and nothing is written."""
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: s\nweeks: 2\nreplications: 1\npopulation: {size: 500}\nstrategies: [inactive]\n"
    )
    (tmp_path / "report.yaml").write_text("currency: USD\n")
    out = tmp_path / "out"
    assert _exit(["run", str(scenario), "--out", str(out), "-q"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and str(tmp_path / "report.yaml") in err, err
    assert not out.exists()
    # without figures the report settings are not read: the run goes ahead
    assert _exit(["run", str(scenario), "--out", str(out), "-q", "--no-figures"]) == 0


def test_a_rate_belongs_to_the_currency_of_its_file(tmp_path):
    """The scenario's report.yaml gives a USD rate; the folder's switches to GBP without
    one: the USD rate must not be applied to pounds."""
    scenario_dir, run_dir = tmp_path / "sc", tmp_path / "run"
    scenario_dir.mkdir()
    run_dir.mkdir()
    scenario = scenario_dir / "s.yaml"
    scenario.write_text("name: s\n")
    (scenario_dir / "report.yaml").write_text("currency: USD\neur_to: 1.08\n")
    (run_dir / "report.yaml").write_text("currency: GBP\n")
    manifest = {"command": ["ssisim", "run", str(scenario)]}
    with pytest.raises(DataError, match=r"report\.yaml: currency GBP: no exchange rate"):
        client_options(run_dir, manifest)
    (run_dir / "report.yaml").write_text("currency: GBP\neur_to: 0.85\n")
    assert client_options(run_dir, manifest).eur_to == 0.85


def test_run_with_report_checks_report_yaml_first_even_without_figures(tmp_path, capsys):
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: s\nweeks: 2\nreplications: 1\npopulation: {size: 500}\nstrategies: [inactive]\n"
    )
    (tmp_path / "report.yaml").write_text("currency: USD\n")
    out = tmp_path / "out"
    assert _exit(["run", str(scenario), "--out", str(out), "-q", "--no-figures", "--report"]) == 2
    assert "no exchange rate" in capsys.readouterr().err
    assert not out.exists()


def test_a_rate_for_euros_in_report_yaml_is_refused_naming_the_file(tmp_path: Path):
    """`currency: EUR` with `eur_to: 1.2` in report.yaml was ignored without a word."""
    (tmp_path / "report.yaml").write_text("currency: EUR\neur_to: 1.2\n")
    with pytest.raises(DataError, match=r"report\.yaml: eur_to: 1\.2: the amounts are in euros"):
        client_options(tmp_path)

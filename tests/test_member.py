"""ssisim import: the member's LinkedIn export, read into counts and classes only.

The archives are made up by tests/fixtures/linkedin/make_archives.py (no real
person's data), one per vintage, with the quirks of LinkedIn's exports.
"""

from __future__ import annotations

import importlib.util
import io
import zipfile
from pathlib import Path

import numpy as np
import pytest
import yaml

from ssisim.cli.main import main
from ssisim.errors import DataError, ScenarioError
from ssisim.member import archive as archive_module
from ssisim.member.archive import open_archive
from ssisim.member.classify import classify_industry, classify_seniority
from ssisim.member.export import read_export
from ssisim.member.scenario import load_member_scenario
from ssisim.member.write import import_member
from ssisim.pillars import pillar_scores
from ssisim.population.cache import population_for
from ssisim.population.seats import seller_start_for

_spec = importlib.util.spec_from_file_location(
    "make_archives", Path(__file__).parent / "fixtures" / "linkedin" / "make_archives.py"
)
assert _spec is not None and _spec.loader is not None
fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixtures)


@pytest.fixture(params=fixtures.VINTAGES)
def vintage(request):
    return request.param


def _zip(
    tmp_path: Path, files: dict[str, bytes], name: str = "Basic_LinkedInDataExport_x.zip"
) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for member, data in files.items():
            zf.writestr(member, data)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    return path


def _err(capsys, args):
    with pytest.raises(SystemExit) as info:
        main(args)
    return info.value.code, capsys.readouterr().err


def test_every_vintage_is_read_into_counts(tmp_path, vintage):
    path = fixtures.write_archive(vintage, tmp_path)
    export = read_export(open_archive(path))
    c = export.counts
    hidden = 0 if vintage == "basic-2022" else 3
    assert c["connections"] == len(fixtures.PEOPLE) + 1 + hidden
    assert c["hidden_connections"] == hidden
    assert c["colleagues"] == 3  # Zorblat Systems, the member's current company
    assert c["invitations_sent"] == 12 and c["invitations_accepted"] == 8
    assert c["acceptance_rate"] == pytest.approx(8 / 12, abs=1e-4)
    assert export.composition["industry"]["unclassified"] == 1 + hidden  # the empty row
    assert int(export.weekly["connections"].iloc[-1]) == c["connections"]
    assert export.weekly["week_start"].iloc[-1].isoformat() == "2026-02-02"  # 08 Feb 2026
    if vintage == "basic-2022":
        assert {"messages.csv", "Comments.csv", "Reactions.csv"} <= set(export.files_missing)
        assert {"reply_rate", "comments", "reactions"} <= set(export.unknown)
        assert export.weekly["comments"].isna().all()
    else:
        assert export.unknown == []
        assert c["reply_rate"] == pytest.approx(0.5)  # 3 of the 6 conversations answered
        assert c["messages_sent"] == 15
        assert c["recommendations"] == 1


def test_the_unzipped_folder_reads_as_the_zip(tmp_path):
    path = fixtures.write_archive("complete-2026", tmp_path)
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(path) as zf:
        zf.extractall(folder)
    assert read_export(open_archive(folder)).counts == read_export(open_archive(path)).counts


@pytest.mark.parametrize(
    ("title", "level"),
    [("VP Sales", "vp"), ("Vice President, Finance", "vp"), ("President", "cxo"),
     ("Head of Data", "director"), ("Store Manager", "manager"), ("Sr. Consultant", "senior"),
     ("Software Engineer", "entry"), ("", "unclassified")],
)  # fmt: skip
def test_seniority_rules(title, level):
    assert classify_seniority(title) == level


def test_industry_rules_use_the_scenarios_industries():
    assert classify_industry("Frumple Bank", "", ("finance",)) == "finance"
    assert classify_industry("Kazoo", "Software Engineer", ("software",)) == "software"
    assert classify_industry("Frumple Bank", "", ("software",)) == "unclassified"
    assert classify_industry("Kazoo", "Dreamer", ("software",)) == "unclassified"


def test_import_writes_member_yaml_usable_as_a_scenario(tmp_path):
    path = fixtures.write_archive("complete-2024", tmp_path)
    written, doc = import_member(path, tmp_path / "member")
    assert written.read_text(encoding="utf-8").startswith("# A member's LinkedIn data export")
    assert {p.name for p in (tmp_path / "member").iterdir()} == {
        "member.yaml", "weekly.csv", "composition.csv"}  # fmt: skip
    sc = load_member_scenario(written, ["population.size=2000", "weeks=4"])
    assert sc.population.seller.initial_connections == doc["network"]["connections"]
    assert sc.strategies[0].name == "as-is"
    assert sc.strategies[0].reactions_per_week == doc["routine"]["reactions_per_week"]
    # the member's real network is placed as the seller's week-0 network, the same every time
    pop = population_for(sc)
    start = seller_start_for(pop, sc, sc.strategies[0])
    again = seller_start_for(pop, sc, sc.strategies[0])
    assert np.array_equal(start.contacts, again.contacts)
    assert start.contacts.size == doc["network"]["connections"]
    industries = np.bincount(pop.industry[start.contacts], minlength=len(pop.industries))
    assert industries[pop.industries.index("finance")] == doc["network"]["by_industry"]["finance"]
    assert (pop.company[start.contacts] == pop.company[pop.seller]).sum() >= doc["network"][
        "colleagues"
    ]


def test_a_scenario_names_the_member_relative_to_its_folder(tmp_path):
    path = fixtures.write_archive("basic-2022", tmp_path)
    import_member(path, tmp_path / "me")
    scenario = tmp_path / "mine.yaml"
    scenario.write_text(
        "name: mine\nweeks: 3\npopulation: {size: 2000, seller: {from: me/member.yaml}}\n"
        "strategies: [{name: as-is, from: me/member.yaml, posts_per_week: 2}]\n",
        encoding="utf-8",
    )
    sc = load_member_scenario(scenario)
    assert sc.strategies[0].posts_per_week == 2  # the scenario's own value wins
    assert sc.population.seller.from_ == str((tmp_path / "me" / "member.yaml").resolve())


def test_a_plain_load_resolves_a_strategys_from(tmp_path):
    from ssisim.scenario.loading import load_scenario

    path = fixtures.write_archive("complete-2026", tmp_path)
    import_member(path, tmp_path / "me")
    doc = yaml.safe_load((tmp_path / "me" / "member.yaml").read_text(encoding="utf-8"))
    scenario = tmp_path / "mine.yaml"
    scenario.write_text(
        "name: mine\nweeks: 3\npopulation: {size: 2000, seller: {from: me/member.yaml}}\n"
        "strategies: [{name: as-is, from: me/member.yaml}, {name: more, from: me/member.yaml, "
        "posts_per_week: 7}]\n",
        encoding="utf-8",
    )
    sc = load_scenario(scenario)
    as_is, more = sc.strategies
    for key, value in doc["routine"].items():
        assert getattr(as_is, key) == pytest.approx(value), key
    assert more.posts_per_week == 7
    assert more.comments_per_week == pytest.approx(doc["routine"]["comments_per_week"])
    assert sc.population.seller.initial_connections == doc["seller"]["initial_connections"]
    assert as_is.from_ == str((tmp_path / "me" / "member.yaml").resolve())


def test_results_record_a_member_file_by_name_not_by_path(tmp_path):
    """The resolved path of member.yaml (a folder of the member's machine) stays out
    of every results file: the manifest and plan.json name the file only."""
    from ssisim.cli.main import main

    path = fixtures.write_archive("complete-2026", tmp_path)
    import_member(path, tmp_path / "me")
    scenario = tmp_path / "mine.yaml"
    scenario.write_text(
        "name: mine\nweeks: 2\nreplications: 1\n"
        "population: {size: 2000, seller: {from: me/member.yaml}}\n"
        "strategies: [{name: as-is, from: me/member.yaml}]\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    try:
        main(["run", str(scenario), "--out", str(out), "-q", "--no-figures", "--workers", "1"])
    except SystemExit as exc:
        assert exc.code in (0, None)
    folder = str(tmp_path).encode()
    for file in out.rglob("*"):
        if file.is_file():
            assert folder not in file.read_bytes(), file


def test_from_outside_the_scenarios_folder_needs_allow_path(tmp_path):
    from ssisim.scenario.loading import Trust, load_scenario

    path = fixtures.write_archive("basic-2022", tmp_path)
    import_member(path, tmp_path / "me")
    (tmp_path / "s").mkdir()
    scenario = tmp_path / "s" / "mine.yaml"
    scenario.write_text(
        "name: mine\nstrategies: [{name: as-is, from: ../me/member.yaml}]\n", encoding="utf-8"
    )
    with pytest.raises(ScenarioError, match=r"mine.yaml:2: strategies.as-is.from: .*outside"):
        load_scenario(scenario)
    sc = load_scenario(scenario, trust=Trust(allowed_dirs=(tmp_path / "me",)))
    assert sc.strategies[0].from_ is not None
    (tmp_path / "s" / "other.yaml").write_text("format: something\n", encoding="utf-8")
    scenario.write_text("name: mine\nstrategies: [{name: x, from: other.yaml}]\n")
    with pytest.raises(ScenarioError, match="not a member file") as err:
        load_scenario(scenario)
    assert "\n" not in str(err.value)


BAD = {
    "truncated": lambda t: t[: len(t) // 2],
    "escaping": None,
    "not-linkedin": None,
    "malformed-row": None,
    "bad-date": None,
}


def _bad_archive(tmp_path: Path, kind: str) -> tuple[Path, str]:
    good = fixtures.archive_files("complete-2026")
    if kind == "truncated":
        path = fixtures.write_archive("complete-2026", tmp_path)
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
        return path, r"not a readable zip archive|truncated"
    if kind == "escaping":
        files = {k: v.encode() for k, v in good.items()} | {"../evil.csv": b"x"}
        return _zip(tmp_path, files), r"'\.\./evil\.csv': a path outside the archive"
    if kind == "not-linkedin":
        return _zip(tmp_path, {"Connections.csv": b"id,amount\n1,2\n"}), (
            r"Connections\.csv:1: no header row with 'First Name'.*not this LinkedIn export file"
        )
    text = good["Connections.csv"].splitlines()
    at = next(i for i, line in enumerate(text) if "Mookwhistle" in line)
    if kind == "malformed-row":
        text[at] += ',"extra"'
        match = rf"Connections\.csv:{at + 1}: 8 fields but the header has 7"
    else:
        text[at] = text[at].replace("10 Sep 2025", "2025-13-45")
        match = rf"Connections\.csv:{at + 1}: Connected On: not a date in the form '%d %b %Y'"
    files = {k: v.encode() for k, v in good.items()} | {
        "Connections.csv": "\r\n".join(text).encode()
    }
    return _zip(tmp_path, files), match


@pytest.mark.parametrize("kind", list(BAD))
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path, capsys, kind):
    path, match = _bad_archive(tmp_path, kind)
    out = tmp_path / "out"
    code, err = _err(capsys, ["import", str(path), "--out", str(out)])
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert __import__("re").search(match, err), err
    assert not out.exists()
    for secret in fixtures.personal_strings():
        assert secret not in err


def test_a_huge_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(archive_module, "MAX_FILE_BYTES", 1000)
    path = fixtures.write_archive("complete-2026", tmp_path)
    with pytest.raises(DataError, match=r"Connections\.csv: 2,2\d\d bytes; at most 1,000 are read"):
        open_archive(path)


def _personal_bytes():
    return [s.encode("utf-8") for s in fixtures.personal_strings()]


def test_nothing_personal_leaves_import_fit_or_plan(tmp_path, capsys):
    """Every output file of import, fit and plan, byte by byte: no name, email, URL or text."""
    outputs = []
    (tmp_path / "in").mkdir()
    for v in fixtures.VINTAGES:
        path = fixtures.write_archive(v, tmp_path / "in")
        out = tmp_path / f"member-{v}"
        main_ok(["import", str(path), "--out", str(out)])
        outputs.append(out)
    member = outputs[-1] / "member.yaml"
    readings = tmp_path / "readings.csv"
    rows = ["date,field,value"]
    for i in range(12):
        day = f"2025-{9 + i // 4:02d}-{1 + 7 * (i % 4):02d}"
        rows += [
            f"{day},brand,{5 + i * 0.2:.1f}",
            f"{day},people,4",
            f"{day},insights,3",
            f"{day},relationships,{6 + i * 0.1:.1f}",
        ]
    readings.write_text("\n".join(rows), encoding="utf-8")
    fit_out = tmp_path / "fit" / "weights.yaml"
    fit_out.parent.mkdir()
    main_ok(
        [
            "fit",
            str(readings),
            "--member",
            str(member),
            "--reps",
            "1",
            "--set",
            "population.size=1000",
            "-q",
            "--out",
            str(fit_out),
        ]
    )
    plan_out = tmp_path / "plan"
    main_ok(
        [
            "plan",
            "--start",
            str(member),
            "--target",
            "30",
            "--from",
            "2026-03-02",
            "--by",
            "2026-05-04",
            "--budget",
            "50",
            "--reps",
            "1",
            "--set",
            "population.size=1000",
            "--out",
            str(plan_out),
            "-q",
        ]
    )
    assert (plan_out / "plan.yaml").is_file() and (plan_out / "tradeoff.png").is_file()
    captured = capsys.readouterr()
    secrets = _personal_bytes()
    files = [p for d in [*outputs, fit_out.parent, plan_out] for p in d.rglob("*") if p.is_file()]
    assert len(files) >= 3 * 3 + 1 + 5
    for p in files:
        data = p.read_bytes()
        for secret in secrets:
            assert secret not in data, f"{p} holds a personal string"
    for secret in fixtures.personal_strings():
        assert secret not in captured.out + captured.err


def main_ok(args):
    try:
        main(args)
    except SystemExit as exc:
        assert exc.code in (0, None), args


def test_plan_refuses_a_target_out_of_reach_without_sales_navigator(tmp_path, capsys):
    path = fixtures.write_archive("basic-2022", tmp_path)
    import_member(path, tmp_path / "me")
    code, err = _err(
        capsys,
        [
            "plan",
            "--start",
            str(tmp_path / "me" / "member.yaml"),
            "--target",
            "95",
            "--by",
            "2027-06-30",
            "--out",
            str(tmp_path / "p"),
        ],
    )
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "out of reach without Sales Navigator; the best reachable score is 85.9" in err
    assert not (tmp_path / "p").exists()


def test_plan_yaml_runs(tmp_path):
    path = fixtures.write_archive("complete-2024", tmp_path)
    import_member(path, tmp_path / "me")
    main_ok(
        [
            "plan",
            "--start",
            str(tmp_path / "me" / "member.yaml"),
            "--target",
            "20",
            "--from",
            "2026-03-02",
            "--by",
            "2026-04-13",
            "--budget",
            "50",
            "--reps",
            "1",
            "--set",
            "population.size=1000",
            "--out",
            str(tmp_path / "p"),
            "-q",
        ]
    )
    plan = yaml.safe_load((tmp_path / "p" / "plan.yaml").read_text(encoding="utf-8"))
    assert [s["name"] for s in plan["strategies"]] == ["as-is", "plan"]
    text = (tmp_path / "p" / "plan.yaml").read_text(encoding="utf-8")
    assert str(tmp_path) not in text  # no absolute path: the member file is copied beside it
    assert plan["population"]["seller"]["from"] == "member.yaml"
    assert {s.get("from") for s in plan["strategies"]} <= {"member.yaml", None}
    assert (tmp_path / "p" / "member.yaml").is_file()
    main_ok(
        [
            "run",
            str(tmp_path / "p" / "plan.yaml"),
            "--reps",
            "2",
            "--no-figures",
            "-q",
            "--out",
            str(tmp_path / "run"),
            "--workers",
            "1",
        ]
    )
    assert (tmp_path / "run" / "weekly.csv").is_file()


@pytest.mark.slow
def test_plan_is_reproducible_from_its_seed_and_meets_the_confidence(tmp_path):
    from ssisim.experiments.plan import PlanRequest, plan_routine

    path = fixtures.write_archive("complete-2024", tmp_path)
    written, _ = import_member(path, tmp_path / "me")
    sc = load_member_scenario(written, ["population.size=3000"])
    request = PlanRequest(target_ssi=35, horizon_weeks=26, budget_runs=200, replications=4)
    first = plan_routine(sc, sc.strategies[0], request)
    second = plan_routine(sc, sc.strategies[0], request)
    assert first.trials.equals(second.trials)
    assert first.reached and first.chosen.probability >= 0.8
    # the chosen routine is the cheapest of the search's feasible candidates that still
    # holds at the final replications (the cheapest first, at most VERIFIED_CANDIDATES)
    from ssisim.experiments.plan import VERIFIED_CANDIDATES

    feasible = first.trials[first.trials["probability"] >= 0.8]
    cheapest = sorted(feasible["hours_per_week"])[:VERIFIED_CANDIDATES]
    assert any(first.chosen.hours_per_week == pytest.approx(h) for h in cheapest)
    assert first.chosen.hours_per_week <= first.current.hours_per_week or (
        first.current.probability < 0.8
    )  # a change is proposed only when the current routine does not hold, or costs more


@pytest.mark.parametrize("reached", [True, False])
def test_plan_figure_shows_the_median_score_when_nothing_reaches(tmp_path, monkeypatch, reached):
    import pandas as pd

    from ssisim.plots import plan as plan_plot

    seen = {}

    def fake_save(fig, path):
        seen["labels"] = [ax.get_ylabel() for ax in fig.axes]
        return path

    monkeypatch.setattr(plan_plot, "save", fake_save)
    trials = pd.DataFrame(
        {
            "trial": [0, 1, 2],
            "hours_per_week": [0.5, 1.0, 2.0],
            "probability": [0.0, 0.5, 0.9] if reached else [0.0, 0.0, 0.1],
            "median_ssi": [30.0, 41.0, 52.0],
            "opportunities_volume": [1.0, 2.0, 3.0],
        }
    )
    plan_plot.plot_plan_tradeoff(
        trials, tmp_path / "t.png", target_ssi=70, confidence=0.8, chosen_trial=2, by="2027-06-30"
    )
    assert seen["labels"][0] == (
        "P(SSI ≥ 70 on 2027-06-30)" if reached else "median SSI on 2027-06-30"
    )


def test_the_members_reading_is_the_week_0_score_then_fades(tmp_path):
    from ssisim.seeds import run_seed
    from ssisim.sim.run import simulate

    path = fixtures.write_archive("complete-2026", tmp_path)
    reading = {"date": "2026-03-01", "ssi": 61.0, "brand": 16.0, "people": 14.0,
               "insights": 15.0, "relationships": 16.0}  # fmt: skip
    written, _ = import_member(path, tmp_path / "me", reading=reading)
    sc = load_member_scenario(written, ["population.size=2000", "weeks=40"])
    strategy = sc.strategies[0]
    pop = population_for(sc)
    records = simulate(pop, sc, strategy, run_seed(sc, strategy, 0))
    first = records[0]
    assert first.week == 0
    assert first.ssi == pytest.approx(61.0)
    assert [first.brand, first.people, first.insights, first.relationships] == pytest.approx(
        [16.0, 14.0, 15.0, 16.0]
    )
    # the offset (reading - the model's score of the same inputs) fades at the activity half-life
    inputs: list = []
    simulate(pop, sc, strategy, run_seed(sc, strategy, 0), inputs=inputs)
    decay = 0.5 ** (1.0 / sc.scoring.activity_half_life_weeks)
    model = [pillar_scores(week_inputs, sc.scoring)["ssi"] for week_inputs in inputs]
    gap = 61.0 - float(model[0])
    assert abs(gap) > 1
    for record, own in zip(records, model, strict=True):
        assert record.ssi == pytest.approx(
            min(max(float(own) + gap * decay**record.week, 0.0), 100.0)
        )
    assert abs(records[-1].ssi - float(model[-1])) < abs(gap) / 4


def test_a_run_without_a_reading_scores_the_model(tmp_path):
    from ssisim.seeds import run_seed
    from ssisim.sim.run import simulate

    path = fixtures.write_archive("complete-2026", tmp_path)
    written, _ = import_member(path, tmp_path / "me")
    sc = load_member_scenario(written, ["population.size=2000", "weeks=3"])
    inputs: list = []
    records = simulate(
        population_for(sc), sc, sc.strategies[0], run_seed(sc, sc.strategies[0], 0), inputs=inputs
    )
    assert records[0].ssi == pytest.approx(float(pillar_scores(inputs[0], sc.scoring)["ssi"]))


TEAM_NAMES = ("Alice Martin", "Bob Durand")


def _team_file(tmp_path: Path) -> Path:
    path = tmp_path / "team.csv"
    path.write_text(
        "name;date;ssi;brand;people;insights;relationships;industry rank;network rank\n"
        "Alice Martin;2026-02-23;40;10;10;10;10;20%;15\n"
        "Bob Durand;2026-02-23;22;5;6;5;6;;\n"
        "Alice Martin;2026-03-02;41;10;10;10;11;19%;14\n",
        encoding="utf-8",
    )
    return path


def test_a_team_file_is_read_without_names(tmp_path):
    from ssisim.experiments.readings import read_team, team_latest

    team = read_team(_team_file(tmp_path))
    assert list(team["member"]) == ["m1", "m2", "m1"]
    assert not any(name in team.to_csv() for name in TEAM_NAMES)
    latest = team_latest(team)
    assert list(latest["member"]) == ["m1", "m2"]
    assert list(latest["ssi"]) == [41.0, 22.0]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "name;date;ssi;brand;people;insights;relationships\nAl;2026-03-02;41;10;10;10;x\n"
    )
    with pytest.raises(DataError, match=r"bad.csv:2: relationships"):
        read_team(bad)


def test_plan_team_writes_a_plan_per_member_and_a_summary_without_names(tmp_path, capsys):
    team = _team_file(tmp_path)
    main_ok(
        ["plan", "--team", str(team), "--target", "45", "--from", "2026-03-02", "--by",
         "2026-04-13", "--budget", "50", "--reps", "1", "--set", "population.size=1000",
         "--out", str(tmp_path / "p"), "-q"]
    )  # fmt: skip
    out = capsys.readouterr()
    summary = (tmp_path / "p" / "team.csv").read_text(encoding="utf-8")
    assert summary.splitlines()[0].startswith("member,reading_date,ssi_now")
    assert [line.split(",")[0] for line in summary.splitlines()[1:]] == ["m1", "m2"]
    for member in ("m1", "m2"):
        assert (tmp_path / "p" / member / "plan.yaml").is_file()
        assert (tmp_path / "p" / member / "tradeoff.png").is_file()
    files = [p for p in (tmp_path / "p").rglob("*") if p.is_file()]
    for p in files:
        data = p.read_bytes()
        for name in TEAM_NAMES:
            for part in name.split():
                assert part.encode() not in data, (p, part)
        assert str(tmp_path).encode() not in data or p.suffix == ".png", p
    for name in TEAM_NAMES:
        assert name.split()[0] not in out.out + out.err
    code, err = _err(capsys, ["plan", "--team", str(tmp_path / "none.csv"), "--target", "45",
                              "--by", "2026-04-13", "--from", "2026-03-02", "--out", str(tmp_path / "q")])  # fmt: skip
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "q").exists()


def test_import_reads_ambiguous_readings_dates_with_the_option_it_names(tmp_path, capsys):
    """Readings whose days are all 12 or less (05/10/2026, 06/11/2026) were refused
    with "say which with --dayfirst, --monthfirst or --date-format", options that
    `ssisim import` did not have."""
    from ssisim.cli.main import main

    archive = fixtures.write_archive("complete-2026", tmp_path)
    readings = tmp_path / "r.csv"
    readings.write_text("date;ssi;brand;people;insights;relationships\n"
                        "05/10/2026;30;8;7;7;8\n06/11/2026;32;8;8;8;8\n")  # fmt: skip
    with pytest.raises(SystemExit) as info:
        main(["import", str(archive), "--out", str(tmp_path / "a"), "--readings", str(readings)])
    assert info.value.code == 2 and "--dayfirst" in capsys.readouterr().err
    main(["import", str(archive), "--out", str(tmp_path / "b"), "--readings", str(readings),
          "--dayfirst"])  # fmt: skip
    member = (tmp_path / "b" / "member.yaml").read_text(encoding="utf-8")
    assert "2026-11-06" in member and "ssi: 32" in member, member
    with pytest.raises(SystemExit) as info:  # a date option without readings to read
        main(["import", str(archive), "--out", str(tmp_path / "c"), "--dayfirst"])
    assert info.value.code == 2 and "--readings" in capsys.readouterr().err


def test_import_refuses_a_latest_reading_before_the_export(tmp_path, capsys):
    """A reading 16 months before the export was kept as the week-0 score: the plan
    then simulated 99 weeks 'to today' and said the target was met before today."""
    from ssisim.cli.main import main

    archive = fixtures.write_archive("complete-2026", tmp_path)
    readings = tmp_path / "old.csv"
    readings.write_text("date;ssi;brand;people;insights;relationships\n"
                        "2024-01-08;30;8;7;7;8\n")  # fmt: skip
    out = tmp_path / "me"
    with pytest.raises(SystemExit) as info:
        main(["import", str(archive), "--out", str(out), "--readings", str(readings)])
    err = capsys.readouterr().err
    assert info.value.code == 2 and err.count("\n") == 1, err
    assert f"{readings}:2: date: the latest reading, 2024-01-08, is before the export" in err
    assert not out.exists() or not any(out.iterdir())

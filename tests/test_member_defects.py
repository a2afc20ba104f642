"""A newcomer's defects in ssisim import, fit --member and plan, one test each."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
import yaml

from ssisim.cli.main import main
from ssisim.member.write import import_member

_spec = importlib.util.spec_from_file_location(
    "make_archives", Path(__file__).parent / "fixtures" / "linkedin" / "make_archives.py"
)
assert _spec is not None and _spec.loader is not None
fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fixtures)

HEADER = "date,ssi,brand,people,insights,relationships"


def _readings(path: Path, days: list[str], ssi: float = 31.0) -> Path:
    rows = [HEADER] + [f"{d},{ssi:g},{ssi / 4:g},{ssi / 4:g},{ssi / 4:g},{ssi / 4:g}" for d in days]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _run(capsys, args):
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = exc.code or 0
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_import_accepts_fewer_readings_than_the_fit_needs(tmp_path, capsys):
    archive = fixtures.write_archive("complete-2026", tmp_path)
    readings = _readings(tmp_path / "r.csv", ["2026-01-19", "2026-01-26", "2026-02-02"])
    code, _, err = _run(
        capsys, ["import", str(archive), "--out", str(tmp_path / "m"), "--readings", str(readings)]
    )
    assert code == 0, err
    doc = yaml.safe_load((tmp_path / "m" / "member.yaml").read_text(encoding="utf-8"))
    assert doc["ssi"]["date"] == "2026-02-02" and doc["ssi"]["ssi"] == 31.0
    one = _readings(tmp_path / "one.csv", ["2026-02-02"])
    code, _, err = _run(
        capsys, ["import", str(archive), "--out", str(tmp_path / "m1"), "--readings", str(one)]
    )
    assert code == 0, err
    # the fit keeps its own minimum, with its own message
    code, _, err = _run(
        capsys, ["fit", str(readings), "--member", str(tmp_path / "m" / "member.yaml")]
    )
    assert code == 2 and "the fit needs at least 10" in err


def test_import_refuses_an_empty_readings_file_in_one_line(tmp_path, capsys):
    archive = fixtures.write_archive("complete-2026", tmp_path)
    empty = _readings(tmp_path / "r.csv", [])
    code, _out, err = _run(
        capsys, ["import", str(archive), "--out", str(tmp_path / "m"), "--readings", str(empty)]
    )
    assert code == 2 and err.count("\n") == 1 and "r.csv" in err and "Traceback" not in err
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize(("day", "where"), [("2019-01-07", "before"), ("2026-03-02", "after")])
def test_fit_member_refuses_a_reading_outside_the_export(tmp_path, capsys, day, where):
    archive = fixtures.write_archive("complete-2026", tmp_path)
    import_member(archive, tmp_path / "m")  # the export covers 2025-09-01 to the week of 2026-02-02
    days = [f"2025-{9 + i // 4:02d}-{1 + 7 * (i % 4):02d}" for i in range(11)] + [day]
    days.sort()
    readings = _readings(tmp_path / "r.csv", days)
    line = days.index(day) + 2
    code, _, err = _run(
        capsys, ["fit", str(readings), "--member", str(tmp_path / "m" / "member.yaml"), "-q"]
    )
    assert code == 2 and err.count("\n") == 1, err
    assert f"r.csv:{line}: date: {day} is {where} the member's export" in err


def test_fit_member_accepts_a_reading_just_after_the_export(tmp_path, capsys):
    archive = fixtures.write_archive("complete-2026", tmp_path)
    import_member(archive, tmp_path / "m")
    days = [f"2025-{9 + i // 4:02d}-{1 + 7 * (i % 4):02d}" for i in range(11)] + ["2026-02-15"]
    readings = _readings(tmp_path / "r.csv", days)
    code, _out, err = _run(
        capsys,
        [
            "fit",
            str(readings),
            "--member",
            str(tmp_path / "m" / "member.yaml"),
            "-q",
            "--reps",
            "1",
            "--set",
            "population.size=1000",
        ],
    )
    assert code == 0, err


def test_import_refuses_an_existing_output_folder(tmp_path, capsys):
    archive = fixtures.write_archive("complete-2026", tmp_path)
    out = tmp_path / "m"
    code, _, err = _run(capsys, ["import", str(archive), "--out", str(out)])
    assert code == 0, err
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    code, _, err = _run(capsys, ["import", str(archive), "--out", str(out)])
    assert code == 2 and err.count("\n") == 1 and f"{out}: exists and is not empty" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = _run(capsys, ["import", str(archive), "--out", str(empty)])
    assert code == 0 and (empty / "member.yaml").is_file()


def test_import_rounds_the_habits_it_prints(tmp_path, capsys):
    archive = fixtures.write_archive("complete-2026", tmp_path)
    code, out, _ = _run(capsys, ["import", str(archive), "--out", str(tmp_path / "m")])
    assert code == 0
    habits = next(line for line in out.splitlines() if line.startswith("last "))
    assert "reactions 0.4" in habits and "0.38" not in habits


SMALL = ["--budget", "50", "--reps", "1", "--set", "population.size=1000", "-q"]


def _member_with_reading(tmp_path: Path, day: str, ssi: float = 31.0) -> Path:
    archive = fixtures.write_archive("complete-2026", tmp_path)
    readings = _readings(tmp_path / "reading.csv", [day], ssi)
    import_member(archive, tmp_path / "me", reading=None)
    (tmp_path / "me").rename(tmp_path / "unused")
    from ssisim.experiments.readings import latest_reading

    written, _ = import_member(archive, tmp_path / "me", reading=latest_reading(readings))
    return written


def _plan_from(capsys, member: Path, target: str, start: str | None, by: str, out: Path):
    """`ssisim plan` of ``member`` (small and quick), from ``start`` if given; its figure
    laid out, not rasterised (what is read here is what the plan says: the figure's
    pixels are drawn in tests/test_member.py)."""
    from conftest import saved_figures

    since = ["--from", start] if start is not None else []
    with pytest.MonkeyPatch.context() as patch:
        saved_figures(patch)
        return _run(
            capsys,
            ["plan", "--start", str(member), "--target", target, *since, "--by", by,
             "--out", str(out), *SMALL],
        )  # fmt: skip


def test_the_plans_probability_is_the_score_on_the_date():
    """P(SSI >= target on the date): the share of replications at or above it at the horizon."""
    import numpy as np

    from ssisim.experiments.plan import evaluate
    from ssisim.scenario.loading import parse_scenario

    sc = parse_scenario(
        "name: t\nweeks: 20\npopulation: {size: 1000}\nstrategies: [{name: a, posts_per_week: 1}]\n",
        "t.yaml",
    )
    ev = evaluate(sc, sc.strategies[0], 10.0, 3)
    ssi = ev.weekly.pivot_table(
        index="week", columns=ev.weekly.groupby("week").cumcount(), values="ssi"
    )
    target = float(np.median(ssi.to_numpy()[1:-1]))  # crossed before the date in some runs
    ev = evaluate(sc, sc.strategies[0], target, 3)
    assert ev.probability == pytest.approx(float(np.mean(ev.final_ssi >= target)))
    for week, final in zip(ev.crossing_weeks, ev.final_ssi, strict=True):
        assert np.isnan(week) == (final < target)


def test_plan_says_a_member_above_the_target_now_falls_below_it(tmp_path, capsys):
    member = _member_with_reading(tmp_path, "2026-02-02", 31.0)
    code, out, err = _plan_from(capsys, member, "20", "2026-02-02", "2026-08-31", tmp_path / "p")
    assert code == 0, err
    assert "you are above the target now (SSI 31.0 on 2026-02-02) but, as you are, you fall" in out
    assert "P(SSI >= 20 on 2026-08-31)" in out and "(now 0.00)" in out
    assert "target crossed" not in out


def test_plan_keeps_the_current_routine_when_it_already_holds(tmp_path, capsys):
    member = _member_with_reading(tmp_path, "2026-02-02", 31.0)
    code, out, err = _plan_from(capsys, member, "3", "2026-02-02", "2026-03-30", tmp_path / "p")
    assert code == 0, err
    assert "no change needed: your current routine keeps you at or above 3" in out
    plan = yaml.safe_load((tmp_path / "p" / "plan.yaml").read_text(encoding="utf-8"))
    as_is, chosen = plan["strategies"]
    rates = [k for k in as_is if k.endswith("_per_week")]
    assert {k: chosen.get(k) for k in rates} == {k: as_is[k] for k in rates}


def test_plan_starts_on_the_readings_date(tmp_path, capsys):
    import datetime as dt

    today = dt.date.today()
    reading = today - dt.timedelta(days=21)
    by = today + dt.timedelta(weeks=5)
    member = _member_with_reading(tmp_path, reading.isoformat(), 31.0)
    code, out, err = _plan_from(capsys, member, "20", None, by.isoformat(), tmp_path / "p")
    assert code == 0, err
    said = f"start: week 0 is {reading.isoformat()} (the latest reading); the 3 weeks"
    assert said in out
    # and in plan.txt, where a crossing week before today says so
    text = (tmp_path / "p" / "plan.txt").read_text(encoding="utf-8")
    assert said in text
    plan = yaml.safe_load((tmp_path / "p" / "plan.yaml").read_text(encoding="utf-8"))
    assert plan["weeks"] == (by - reading).days // 7 == 8
    assert "(SSI 31.0 on " not in out or f"(SSI 31.0 on {reading.isoformat()})" in out


def test_plan_refuses_a_date_in_the_past_saying_so(tmp_path, capsys):
    member = _member_with_reading(tmp_path, "2026-02-02", 31.0)
    code, _out, err = _run(
        capsys, ["plan", "--start", str(member), "--target", "20", "--by", "2020-01-01"]
    )
    assert code == 2 and err.count("\n") == 1
    assert "2020-01-01 is in the past" in err and "less than a week" not in err


def test_plan_budget_help_and_check_agree_and_a_small_search_is_said(tmp_path, capsys):
    code, out, _ = _run(capsys, ["plan", "--help"])
    assert code == 0
    text = " ".join(out.split())
    assert "At least 40 + 10 x --reps" in text
    assert "default: 300; x>=1" not in text
    member = _member_with_reading(tmp_path, "2026-02-02", 31.0)
    code, _out, err = _run(
        capsys,
        ["plan", "--start", str(member), "--target", "20", "--by", "2030-01-07", "--budget", "99"],
    )
    assert code == 2 and "at least 100" in err
    code, out, err = _plan_from(capsys, member, "40", "2026-02-02", "2026-03-30", tmp_path / "p")
    assert code == 0, err
    assert "note: a small search: 10 candidates" in out


def test_import_writes_the_networks_joint_classes(tmp_path):
    """network.by_class: the counts that say which connections are relevant and decision makers."""
    from ssisim.member.classify import relevance
    from ssisim.scenario.schema import SENIORITIES, PopulationParams

    params = PopulationParams()
    for vintage in fixtures.VINTAGES:
        (tmp_path / vintage).mkdir()
        archive = fixtures.write_archive(vintage, tmp_path / vintage)
        written, doc = import_member(archive, tmp_path / vintage / "me")
        net = doc["network"]
        rows = net["by_class"]
        assert sum(r["connections"] for r in rows) == net["connections"]
        dm_from = SENIORITIES.index(params.decision_maker_from)
        dms = sum(
            r["connections"]
            for r in rows
            if r["seniority"] in SENIORITIES and SENIORITIES.index(r["seniority"]) >= dm_from
        )
        assert dms == net["decision_makers"]
        relevant = 0
        for r in rows:
            rel = relevance(r["industry"], r["seniority"], params.target)
            relevant += (
                r["connections"]
                if rel is not None and rel >= params.target.relevant_threshold
                else 0
            )
        assert relevant == net["relevant"]
        if net["colleagues"] is not None:
            assert sum(r["colleagues"] for r in rows) == net["colleagues"]
        for r in rows:
            assert r["industry"] in (*params.industries, "unclassified")
        on_disk = yaml.safe_load(written.read_text(encoding="utf-8"))
        assert on_disk["network"]["by_class"] == rows


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_the_week_0_network_matches_the_import(tmp_path, seed):
    from ssisim.member.scenario import load_member_scenario
    from ssisim.population.cache import population_for
    from ssisim.population.seats import seller_start_for

    archive = fixtures.write_archive("complete-2026", tmp_path)
    written, doc = import_member(archive, tmp_path / "me")
    sc = load_member_scenario(written, [("population.size=3000", "t"), (f"seed={seed}", "t")])
    pop = population_for(sc)
    contacts = seller_start_for(pop, sc, sc.strategies[0]).contacts
    net = doc["network"]
    assert len(contacts) == net["connections"]
    assert int(pop.relevant[contacts].sum()) == net["relevant"]
    assert int(pop.decision_maker[contacts].sum()) == net["decision_makers"]


def test_a_crossing_week_before_today_says_so():
    import datetime as dt

    from ssisim.experiments.plan import _week_label

    start, today = dt.date(2026, 6, 1), dt.date(2026, 11, 30)
    assert _week_label(5, start, today) == "week 5 (2026-07-06, before today)"
    assert _week_label(30, start, today) == "week 30 (2026-12-28)"


def test_a_hand_edited_count_in_member_yaml_is_one_line_naming_it(tmp_path, capsys):
    archive = fixtures.write_archive("complete-2026", tmp_path)
    written, _ = import_member(archive, tmp_path / "me")
    lines = written.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.lstrip().startswith("- {industry:"))
    lines[at] = lines[at].replace("connections: 2,", "connections: two,")  # a hand edit
    written.write_text("\n".join(lines) + "\n", encoding="utf-8")
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: s\nweeks: 2\nreplications: 1\npopulation: {size: 1000, seller: {from: me/member.yaml}}\n"
        "strategies: [{name: as-is, from: me/member.yaml}]\n"
    )
    code, _out, err = _run(
        capsys, ["run", str(scenario), "-q", "--no-figures", "--out", str(tmp_path / "o")]
    )
    assert code == 2 and err.count("\n") == 1, err
    assert (
        f"member.yaml:{at + 1}: network.by_class." in err
        and "connections: expected a whole number" in err
    )
    assert "two" in err and not (tmp_path / "o").exists()


def test_ctrl_c_during_the_plans_search_is_one_line_and_optuna_logs_nothing(
    tmp_path, capsys, monkeypatch
):
    """A Ctrl-C inside a trial was logged by Optuna as a failed trial, its traceback
    included (38 lines), before `interrupted`. The interrupt is raised in the
    search's third evaluation, in this process: exit 130, one line, no record
    reaches Optuna's logger, nothing written. (Optuna's handler writes to the real
    stderr: the slow test below reads it, in a process of its own.)"""
    import logging

    import ssisim.experiments.plan as plan

    member = _member_with_reading(tmp_path, "2026-02-02", 31.0)
    calls = 0
    real = plan.evaluate

    def evaluate(*args, **kwargs):
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(plan, "evaluate", evaluate)
    logged: list[logging.LogRecord] = []
    keep = logging.Handler(logging.DEBUG)
    keep.emit = logged.append  # type: ignore[method-assign]
    optuna_logger = logging.getLogger("optuna")
    optuna_logger.addHandler(keep)
    out = tmp_path / "p"
    try:
        code, _, err = _run(
            capsys,
            ["plan", "--start", str(member), "--target", "40", "--from", "2026-02-02",
             "--by", "2026-08-31", "--out", str(out), *SMALL],
        )  # fmt: skip
    finally:
        optuna_logger.removeHandler(keep)
    assert calls == 3
    assert code == 130 and err == "interrupted\n", err
    assert [r.getMessage() for r in logged if r.levelno >= logging.WARNING] == []
    assert not out.exists()


@pytest.mark.slow  # a process of its own: its imports (Optuna's among them) take seconds
def test_ctrl_c_during_the_plans_search_is_one_line(tmp_path):
    """A Ctrl-C inside a trial was logged by Optuna as a failed trial, its traceback
    included (38 lines), before `interrupted`. The interrupt is raised in the
    search's third evaluation, in a process of its own (Optuna's log handler writes
    to the real stderr)."""
    import subprocess
    import sys

    member = _member_with_reading(tmp_path, "2026-02-02", 31.0)
    script = tmp_path / "interrupted_plan.py"
    script.write_text(
        "import sys\n"
        "import ssisim.experiments.plan as plan\n"
        "from ssisim.cli.main import main\n"
        "calls = 0\n"
        "real = plan.evaluate\n"
        "def evaluate(*args, **kwargs):\n"
        "    global calls\n"
        "    calls += 1\n"
        "    if calls == 3:\n"
        "        raise KeyboardInterrupt\n"
        "    return real(*args, **kwargs)\n"
        "plan.evaluate = evaluate\n"
        "main(sys.argv[1:])\n",
        encoding="utf-8",
    )
    out = tmp_path / "p"
    args = ["plan", "--start", str(member), "--target", "40", "--from", "2026-02-02",
            "--by", "2026-08-31", "--out", str(out), *SMALL]  # fmt: skip
    done = subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 130, done.stderr
    assert done.stderr.startswith("interrupted") and len(done.stderr.splitlines()) == 1, done.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    "row,said",
    [
        ("Xandrel Mookwhistle;Xandrel Mookwhistle;22;6;5;5;6", "date: not a date"),
        ("Xandrel Mookwhistle;2026-11-16;Xandrel;6;5;5;6", "ssi: not a number"),
        ("Xandrel Mookwhistle;2026-11-16;22;6;5;5;6;Xandrel Mookwhistle", "fields but the header"),
        ("Xandrel Mookwhistle;02/11/2026 Xandrel Mookwhistle;22;6;5;5;6", "day or month first"),
        ("Xandrel Mookwhistle;2026-13-02 Xandrel Mookwhistle;22;6;5;5;6", "date: not a date"),
    ],
)
def test_a_team_files_errors_never_show_a_name(tmp_path, capsys, row, said):
    """A name in a date or number column was shown in the error (`got 'Xandrel
    Mookwhistle'`): a cell that is not a date, a number or a keyword is told by its length."""
    team = tmp_path / "team.csv"
    team.write_text(
        "name;date;ssi;brand;people;insights;relationships\n"
        "Quorvina Blatterfeld;2026-11-02;35;9;8;9;9\n" + row + "\n",
        encoding="utf-8",
    )
    code, out, err = _run(
        capsys,
        ["plan", "--team", str(team), "--target", "40", "--by", "2027-03-31", "--budget", "100",
         "-q", "--out", str(tmp_path / "p")],
    )  # fmt: skip
    assert code == 2, err
    assert said in err and "team.csv:3" in err and "not shown" in err, err
    assert "Xandrel" not in err + out and "Mookwhistle" not in err + out
    assert len(err.strip().splitlines()) == 1


def test_an_error_in_member_yaml_names_its_own_line(tmp_path, capsys):
    """A routine's or the seller's value from member.yaml was blamed on line 6 or 3 of it
    (lines of the scenario made in memory): the line of the key in member.yaml."""
    archive = fixtures.write_archive("complete-2026", tmp_path)
    written, _ = import_member(archive, tmp_path / "me", reading=None)
    good = written.read_text(encoding="utf-8").splitlines()

    def edited(block: str, key: str, value: str) -> int:
        """member.yaml with ``key`` of its top-level ``block`` set to ``value``: its line."""
        start = next(i for i, line in enumerate(good) if line.startswith(f"{block}:"))
        at = next(i for i in range(start, start + 4) if re.search(rf"\b{key}: ", good[i]))
        lines = list(good)
        lines[at] = re.sub(rf"\b{key}: [^,}}]+", f"{key}: {value}", lines[at], count=1)
        written.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return at + 1

    line = edited("routine", "posts_per_week", "99999")
    code, _, err = _run(
        capsys, ["plan", "--start", str(written), "--target", "40", "--by", "2027-06-30", *SMALL]
    )
    assert code == 2, err
    assert f"member.yaml:{line}: strategies.as-is.posts_per_week: " in err, err
    line = edited("seller", "industry", "nonsense")
    code, _, err = _run(
        capsys, ["plan", "--start", str(written), "--target", "40", "--by", "2027-06-30", *SMALL]
    )
    assert code == 2, err
    assert f"member.yaml:{line}: population.seller.industry: unknown industry 'nonsense'" in err, (
        err
    )


def test_a_member_file_of_another_format_version_is_refused(tmp_path, capsys):
    """`format: ssisim-member/9` was read as if it were /1, without a word."""
    archive = fixtures.write_archive("complete-2026", tmp_path)
    written, _ = import_member(archive, tmp_path / "me", reading=None)
    lines = written.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("format: ssisim-member/1"))
    lines[at] = "format: ssisim-member/9"
    written.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, _, err = _run(
        capsys, ["plan", "--start", str(written), "--target", "40", "--by", "2027-06-30", *SMALL]
    )
    assert code == 2, err
    assert f"member.yaml:{at + 1}: format: ssisim-member/9 is not the member file format" in err
    assert len(err.strip().splitlines()) == 1
    example = Path(__file__).resolve().parent.parent / "scenarios" / "fit-example"
    code, _, err = _run(capsys, ["fit", str(example / "readings.csv"), "--member", str(written)])
    assert code == 2 and f"member.yaml:{at + 1}: format: ssisim-member/9" in err, err


@pytest.mark.parametrize(
    "args,said",
    [
        (["fit", "r.csv", "--dayfirst", "--monthfirst"], "--dayfirst and --monthfirst: give one"),
        (["fit", "r.csv", "--monthfirst", "--date-format", "%d.%m.%Y"], "give one of them"),
        (
            ["plan", "--start", "member.yaml", "--target", "40", "--by", "2027-06-30",
             "--dayfirst"],
            "read a --team file's dates",
        ),
    ],
)  # fmt: skip
def test_contradictory_or_meaningless_date_options_are_refused(tmp_path, capsys, args, said):
    """--dayfirst --monthfirst together were accepted (the last won, unsaid); --dayfirst
    with plan --start (a member file's dates are ISO) was accepted and meant nothing."""
    (tmp_path / "r.csv").write_text(HEADER + "\n2026-01-05,20,5,5,5,5\n", encoding="utf-8")
    args = [str(tmp_path / a) if a in ("r.csv", "member.yaml") else a for a in args]
    code, _, err = _run(capsys, args)
    assert code == 2 and said in err, err
    assert len(err.strip().splitlines()) == 1


def test_a_readings_file_without_a_header_shows_no_name(tmp_path, capsys):
    """Without a header, its first line (a row of data, a name in it) was echoed as the
    header found; a header that is only misspelt is still shown."""
    routine = Path(__file__).resolve().parent.parent / "scenarios" / "fit-example" / "routine.yaml"
    data = tmp_path / "nohdr.csv"
    data.write_text("Xandrel Mookwhistle;2026-11-16;22;6;5;5;6\n", encoding="utf-8")
    code, _, err = _run(capsys, ["fit", str(data), "--routine", str(routine), "-q"])
    assert code == 2 and "missing column" in err and "a line of data, not shown" in err, err
    assert "Xandrel" not in err
    misspelt = tmp_path / "hdr.csv"
    misspelt.write_text(
        "dte;ssi;brand;people;insights;relationships\n2026-11-02;22;6;5;5;6\n", encoding="utf-8"
    )
    code, _, err = _run(capsys, ["fit", str(misspelt), "--routine", str(routine), "-q"])
    assert code == 2 and "(got 'dte;ssi;brand;people;insights;relationships')" in err, err

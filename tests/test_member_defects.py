"""A newcomer's defects in ssisim import, fit --member and plan, one test each."""

from __future__ import annotations

import importlib.util
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
    code, out, err = _run(
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
    code, out, err = _run(
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

"""The command line end to end: run, validate, strategies, plot, and bad input."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import saved_figures

from ssisim.cli.main import cli, main
from ssisim.plots.debate import DEBATE_FIGURE_NAMES
from ssisim.plots.run import FIGURE_NAMES
from ssisim.records import WEEKLY_COLUMNS

SCENARIO = """\
name: cli-test
seed: 5
weeks: 6
replications: 3
checkpoints: [2, 4]
population: {size: 1500}
strategies: [open-bar, club-select]
"""


@pytest.fixture
def scenario(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(SCENARIO)
    return p


def test_run_writes_results_and_plot_redraws(tmp_path, scenario, monkeypatch):
    out = tmp_path / "out"
    # figures are drawn by `plot`, from the folder alone (`run` without
    # --no-figures calls the same redraw: tests/test_experiment.py::test_layout);
    # laid out, not rasterised: the same figures' pixels are drawn for the
    # run_folder fixture (tests/test_report.py::test_figures_are_16_by_9)
    args = ["run", str(scenario), "--out", str(out), "--quiet", "--no-figures"]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    assert f"results in {out}" in res.output
    assert not list(out.glob("figures/*.png"))
    saved_figures(monkeypatch)
    res = CliRunner().invoke(cli, ["plot", str(out)])
    assert res.exit_code == 0, res.output
    weekly = pd.read_csv(out / "weekly.csv")
    assert tuple(weekly.columns) == WEEKLY_COLUMNS
    assert len(weekly) == 2 * 3 * 7
    summary = pd.read_csv(out / "summary.csv")
    assert set(summary.week) == {2, 4, 6}
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 5 and manifest["scenario"]["name"] == "cli-test"
    assert {"python", "numpy", "simpy"} <= set(manifest["versions"])
    figures = sorted(p.name for p in (out / "figures").glob("*.png"))
    assert figures == sorted([*FIGURE_NAMES, *DEBATE_FIGURE_NAMES])
    outcomes = pd.read_csv(out / "outcomes.csv")
    assert set(outcomes.context) == {"volume", "complex"} and len(outcomes) == 2 * 2 * 3


def test_options_override_the_scenario(tmp_path, scenario):
    out = tmp_path / "o"
    args = [
        "run",
        str(scenario),
        "--out",
        str(out),
        "--reps",
        "2",
        "--weeks",
        "3",
        "--seed",
        "9",
        "--set",
        "strategies.open-bar.invites_per_week=10",
        "--no-figures",
        "-q",
    ]
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 0, res.output
    weekly = pd.read_csv(out / "weekly.csv")
    assert weekly.replication.max() == 1 and weekly.week.max() == 3
    assert weekly[weekly.strategy == "open-bar"].invitations_sent.max() <= 10
    assert json.loads((out / "manifest.json").read_text())["seed"] == 9
    assert not (out / "figures").exists()


def test_two_workers_same_weekly_bytes(tmp_path, scenario):
    for w in ("1", "2"):
        res = CliRunner().invoke(
            cli,
            [
                "run",
                str(scenario),
                "--out",
                str(tmp_path / w),
                "--workers",
                w,
                "--no-figures",
                "-q",
            ],
        )
        assert res.exit_code == 0, res.output
    assert (tmp_path / "1" / "weekly.csv").read_bytes() == (
        tmp_path / "2" / "weekly.csv"
    ).read_bytes()
    assert (tmp_path / "1" / "summary.csv").read_bytes() == (
        tmp_path / "2" / "summary.csv"
    ).read_bytes()


def test_validate_strategies_help_version(scenario):
    runner = CliRunner()
    res = runner.invoke(cli, ["validate", str(scenario)])
    assert res.exit_code == 0 and "valid" in res.output and "open-bar, club-select" in res.output
    res = runner.invoke(cli, ["strategies"])
    assert res.exit_code == 0 and "club-select" in res.output and "invites/wk" in res.output
    res = runner.invoke(cli, ["strategies", "active"])
    assert res.exit_code == 0 and "invites_per_week" in res.output and "source" in res.output
    res = runner.invoke(cli, ["strategies", "open-bar", "--json"])
    assert json.loads(res.output)["open-bar"]["accept_policy"] == ["everyone"]
    for cmd in ([], ["run"], ["validate"], ["strategies"], ["plot"]):
        res = runner.invoke(cli, [*cmd, "--help"])
        assert res.exit_code == 0 and "Usage" in res.output
    res = runner.invoke(cli, ["--version"])
    assert res.exit_code == 0 and "ssisim" in res.output


def err(capsys, args):
    with pytest.raises(SystemExit) as info:
        main(args)
    return info.value.code, capsys.readouterr().err


@pytest.mark.parametrize(
    "args,pattern",
    [
        (["run", "{dir}/nope.yaml"], r"nope\.yaml: no such scenario file"),
        (
            ["run", "{s}", "--set", "weekz=3"],
            r"--set weekz=3: weekz: unknown key \(did you mean 'weeks'\?\)",
        ),
        (["run", "{s}", "--reps", "0"], r"Invalid value for '--reps'"),
        (["run", "{s}", "--weeks", "900"], r"--weeks 900: weeks: "),
        (["run", "{s}", "--workers", "x"], r"Invalid value for '--workers'"),
        (["run", "{s}", "--bogus"], r"No such option '?--bogus"),
        (["frobnicate"], r"No such command 'frobnicate'"),
        (
            ["strategies", "open-bra"],
            r"no built-in strategy 'open-bra' \(did you mean 'open-bar'\?\)",
        ),
        (["plot", "{dir}/missing-run"], r"missing-run"),
        (
            ["validate", "{bad}"],
            r"bad\.yaml:3: strategies\.club-select\.posts_per_week: .*\(got -1\)",
        ),
    ],
)
def test_user_errors_are_one_line_exit_2_nothing_written(tmp_path, scenario, capsys, args, pattern):
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: x\nstrategies:\n  - {name: club-select, based_on: club-select, posts_per_week: -1}\n"
    )
    args = [a.format(dir=tmp_path, s=scenario, bad=bad) for a in args]
    out = tmp_path / "never"
    if args[0] == "run":
        args += ["--out", str(out)]
    code, stderr = err(capsys, args)
    assert code == 2
    assert len(stderr.strip().splitlines()) == 1, stderr
    assert "Traceback" not in stderr
    assert re.search(pattern, stderr), stderr
    assert not out.exists()


def test_existing_output_directory_is_refused(tmp_path, scenario, capsys):
    out = tmp_path / "taken"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    code, stderr = err(capsys, ["run", str(scenario), "--out", str(out), "-q"])
    assert code == 2 and "already exists" in stderr
    assert [p.name for p in out.iterdir()] == ["keep.txt"]


def test_console_script_exit_code_and_no_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nstrategies: [open-bar]\nweeks: .inf\n")
    exe = Path(sys.executable).with_name("ssisim")
    proc = subprocess.run(
        [str(exe), "run", str(bad), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith(f"{bad}:3: weeks:")
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "o").exists()


HEAVY = ("numpy", "pandas", "scipy", "matplotlib", "simpy")


def loaded_after(code: str) -> dict[str, object]:
    """Run ``code`` in a fresh interpreter; which heavy libraries it loaded, and its result."""
    probe = (
        f"import json, sys\n{code}\n"
        f"print(json.dumps({{'heavy': sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r}),"
        " 'result': globals().get('result')}))"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_startup_imports_no_numerical_library():
    """`ssisim --help`, `--version` and a command's help load click, not the model."""
    code = (
        "import contextlib, io, ssisim.cli, ssisim.cli.main\n"
        "result = []\n"
        "for args in (['--help'], ['--version'], ['run', '--help'], ['fit', '--help']):\n"
        "    with contextlib.redirect_stdout(io.StringIO()) as out:\n"
        "        try:\n"
        "            ssisim.cli.main.main(args)\n"
        "            status = 0\n"
        "        except SystemExit as exc:\n"
        "            status = exc.code\n"
        "    result.append([status, 'Usage' in out.getvalue() or 'version' in out.getvalue()])\n"
    )
    found = loaded_after(code)
    assert found["result"] == [[0, True]] * 4
    assert found["heavy"] == []


def test_the_package_loads_its_public_names_on_first_use():
    import ssisim

    assert loaded_after("import ssisim")["heavy"] == []
    found = loaded_after("import ssisim\nresult = ssisim.simulate.__module__")
    assert found["result"] == "ssisim.sim.run" and "simpy" in found["heavy"]
    for name in ssisim.__all__:
        assert getattr(ssisim, name) is not None
        assert name in dir(ssisim)
    from ssisim import SsisimError, __version__
    from ssisim.errors import SsisimError as Defined

    assert SsisimError is Defined and __version__
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        ssisim.nope  # noqa: B018


def test_a_routine_held_back_by_the_invitation_cap_is_told(tmp_path):
    """Above the weekly cap, more invitations change nothing: the run says why."""
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: cap\nweeks: 2\nreplications: 1\npopulation: {size: 500}\n"
        "strategies: [{name: eager, based_on: open-bar, invites_per_week: 125}, club-select]\n"
    )
    out = tmp_path / "o"
    res = CliRunner().invoke(cli, ["run", str(scenario), "--out", str(out), "-q", "--no-figures"])
    assert res.exit_code == 0, res.output
    note = "eager: 125 invitations a week planned; the weekly cap (platform.invite_cap_per_week) sends 100"
    assert note in res.output and "club-select:" not in res.output
    assert note in " ".join((out / "summary.txt").read_text().split())  # wrapped at 80


def test_ssisim_alone_prints_its_help(capsys):
    """`ssisim` with no command printed its whole help as an error ('ssisim: Usage: ...
    (see `ssisim --help`)'): the help as --help prints it, exit 2."""
    from conftest import run_cli

    code, out, err = run_cli([], capsys)
    assert code == 2 and err == ""
    assert out.startswith("Usage: ssisim [OPTIONS] COMMAND") and "see `ssisim --help`" not in out

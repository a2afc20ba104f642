"""The task pipeline end to end: executors give the same bytes, resume, failures,
interrupts, dry runs."""

import json
import re
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from ssisim.cli.main import cli, main
from ssisim.engine.driver import execute
from ssisim.engine.executors import DaskExecutor, InProcess, LocalProcesses
from ssisim.engine.plan import Plan
from ssisim.errors import ScenarioError
from ssisim.experiments.store import ResultStore, plan_document
from ssisim.experiments.sweep import sweep_plan
from ssisim.scenario.loading import load_scenario

SWEEP = """\
name: pipeline-test
seed: 8
weeks: 3
replications: 4
population: {size: 400}
execution: {chunk_runs: 2}
strategies: [open-bar, club-select]
sweep:
  grid:
    strategies.open-bar.invites_per_week: [15, 45]
    answers.acceptance.relevance_floor: [0.3, 0.6]
"""
FINAL = ("summary.csv", "points.csv")


@pytest.fixture
def scenario(tmp_path):
    p = tmp_path / "pipeline.yaml"
    p.write_text(SWEEP)
    return p


def files(root: Path) -> dict[str, bytes]:
    """Every result file's bytes, by relative path (the manifest holds timings)."""
    out = {str(p.relative_to(root)): p.read_bytes() for p in (root / "weekly").rglob("*.parquet")}
    out.update({name: (root / name).read_bytes() for name in FINAL})
    return out


def sweep(scenario, out, *args, env=None):
    return CliRunner().invoke(
        cli, ["sweep", str(scenario), "--out", str(out), "-q", "--no-figures", *args], env=env
    )


@pytest.fixture(scope="module")
def reference_folder(tmp_path_factory) -> Path:
    """The sweep run once for the module, on one worker (read only)."""
    root = tmp_path_factory.mktemp("ref")
    p = root / "pipeline.yaml"
    p.write_text(SWEEP)
    res = sweep(p, root / "out", "--workers", "1")
    assert res.exit_code == 0, res.output
    return root / "out"


@pytest.fixture(scope="module")
def reference(reference_folder):
    return files(reference_folder)


def test_layout(reference_folder, reference):
    assert len([k for k in reference if k.endswith(".parquet")]) == 4 * 2 * 2
    assert "weekly/point=000003/s001-r0000002.parquet" in reference
    # Hive partitions: pandas reads every chunk, with the point as a column
    weekly = pd.read_parquet(reference_folder / "weekly")
    assert len(weekly) == 32 * 4
    assert {"point", "strategies.open-bar.invites_per_week", "ssi"} <= set(weekly.columns)
    summary = pd.read_csv(reference_folder / "summary.csv")
    assert list(summary.columns[:3]) == [
        "point",
        "strategies.open-bar.invites_per_week",
        "answers.acceptance.relevance_floor",
    ]


def test_two_workers_and_dask_give_the_same_bytes(tmp_path, scenario, reference):
    res = sweep(scenario, tmp_path / "two", "--workers", "2")
    assert res.exit_code == 0, res.output
    assert files(tmp_path / "two") == reference
    manifest = json.loads((tmp_path / "two" / "manifest.json").read_text())
    assert manifest["run"]["workers"] == 2 and manifest["complete"] is True
    # a Dask LocalCluster (threads: quick to start) through the same pipeline
    sc = load_scenario(scenario)
    plan = sweep_plan(sc, scenario)
    root = tmp_path / "dask"
    store = ResultStore.create(root, plan, plan_document("sweep", sc.model_dump(mode="json"), plan))
    with DaskExecutor("local", workers=2, processes=False) as executor:
        report = execute(plan, executor, lambda r: store.write(r.chunk, r.data))
    assert report.runs == plan.runs and not report.failures
    got = {k: v for k, v in files_of_chunks(root).items()}
    assert got == {k: v for k, v in reference.items() if k.endswith(".parquet")}


def files_of_chunks(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in (root / "weekly").rglob("*.parquet")}


def test_task_order_does_not_matter(tmp_path, scenario, reference):
    sc = load_scenario(scenario)
    plan = sweep_plan(sc, scenario)
    root = tmp_path / "reversed"
    store = ResultStore.create(root, plan, plan_document("sweep", sc.model_dump(mode="json"), plan))
    chunks = list(reversed(plan.chunks()))
    execute(plan, InProcess(), lambda r: store.write(r.chunk, r.data), chunks=chunks)
    assert files_of_chunks(root) == {k: v for k, v in reference.items() if k.endswith(".parquet")}


def test_interrupt_then_resume_gives_the_same_bytes(tmp_path, scenario, reference):
    out = tmp_path / "o"
    res = sweep(scenario, out, "--workers", "2", env={"SSISIM_TEST_INTERRUPT_AFTER": "5"})
    assert res.exit_code == 130
    line = res.output.strip().splitlines()
    assert len(line) == 1 and re.search(
        r"interrupted: \d+ of 32 runs on disk in .*--resume", line[0]
    )
    on_disk = list((out / "weekly").rglob("*.parquet"))
    assert 5 <= len(on_disk) < 16
    assert not list(out.rglob(".*tmp*")), "only complete files are left"
    assert not (out / "summary.csv").exists()
    # a dry run of the resume counts what is left, and writes nothing
    res = CliRunner().invoke(cli, ["sweep", str(scenario), "--resume", str(out), "--dry-run"])
    assert res.exit_code == 0 and "already done" in res.output
    assert len(list((out / "weekly").rglob("*.parquet"))) == len(on_disk)
    res = CliRunner().invoke(
        cli, ["sweep", str(scenario), "--resume", str(out), "-q", "--no-figures", "--workers", "2"]
    )
    assert res.exit_code == 0, res.output
    assert "already on disk" in res.output
    assert files(out) == reference
    # delete some chunks (and corrupt one): a resume redoes exactly those
    chunks = sorted((out / "weekly").rglob("*.parquet"))
    chunks[0].unlink()
    chunks[5].write_bytes(b"PAR1 not really")
    (out / "summary.csv").unlink()
    res = CliRunner().invoke(
        cli, ["sweep", str(scenario), "--resume", str(out), "-q", "--no-figures"]
    )
    assert res.exit_code == 0, res.output
    assert "4 runs in" in res.output
    assert files(out) == reference


def user_error(capsys, args):
    with pytest.raises(SystemExit) as info:
        main(args)
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    return info.value.code, err


def test_resume_refuses_another_experiment(tmp_path, scenario, reference_folder, capsys):
    import shutil

    out = tmp_path / "o"  # the module's sweep, a copy: the same experiment's folder
    shutil.copytree(reference_folder, out)
    code, err = user_error(
        capsys, ["sweep", str(scenario), "--resume", str(out), "--set", "weeks=4", "-q"]
    )
    assert code == 2
    assert "written for another experiment (scenario.weeks: 3 there, 4 now)" in err
    code, err = user_error(capsys, ["sweep", str(scenario), "--out", str(out), "-q"])
    assert code == 2 and "already exists" in err


def test_a_worker_that_dies_is_retried_once(tmp_path, scenario, reference):
    out = tmp_path / "o"
    res = sweep(scenario, out, "--workers", "2", env={"SSISIM_TEST_EXIT_AT": "2:1:once"})
    assert res.exit_code == 0, res.output
    assert files(out) == reference


def test_a_point_that_kills_its_worker_is_reported_and_the_others_complete(
    tmp_path, scenario, reference
):
    out = tmp_path / "o"
    res = sweep(scenario, out, "--workers", "2", env={"SSISIM_TEST_EXIT_AT": "2:1"})
    assert res.exit_code == 1, res.output
    assert re.search(r"2 chunk\(s\) of runs failed: point 2 \(.*\), open-bar, replications 0-1: "
                     r"worker died: exit status 70", res.output)  # fmt: skip
    failures = pd.read_csv(out / "failures.csv")
    assert failures[["point", "strategy", "replications"]].values.tolist() == [
        [2, "open-bar", "0-1"],
        [2, "club-select", "0-1"],
    ]
    got = files(out)
    for name, data in reference.items():
        if name.endswith(".parquet") and "point=000002/" in name and "-r0000000" in name:
            assert name not in got
        elif name.endswith(".parquet"):
            assert got[name] == data
    assert json.loads((out / "manifest.json").read_text())["complete"] is False


def test_local_processes_report_a_death_without_hanging():
    sc = load_scenario_text(SWEEP)
    plan = Plan.single(sc.model_copy(update={"sweep": sc.sweep.model_copy(update={"grid": {}})}))
    import os

    os.environ["SSISIM_TEST_EXIT_AT"] = "0:0"
    try:
        with LocalProcesses(2) as executor:
            report = execute(plan, executor, lambda r: None, retries=0)
    finally:
        del os.environ["SSISIM_TEST_EXIT_AT"]
    assert [f.chunk.replications for f in report.failures] == [(0, 1), (0, 1)]
    assert report.runs == plan.runs - 4


def load_scenario_text(text):
    from ssisim.scenario.loading import parse_scenario

    return parse_scenario(text)


def test_dry_run_estimates_and_writes_nothing(tmp_path, scenario):
    out = tmp_path / "o"
    res = CliRunner().invoke(cli, ["sweep", str(scenario), "--out", str(out), "--dry-run"])
    assert res.exit_code == 0, res.output
    assert "32 runs (4 points, 16 result files)" in res.output
    assert re.search(r"time: ~\d+ s", res.output)
    assert re.search(r"memory: ~\d+ MiB per worker", res.output)
    assert "disk: ~" in res.output
    assert not out.exists()


def test_a_run_too_big_for_memory_is_refused_unless_forced(tmp_path, scenario, monkeypatch, capsys):
    import ssisim.experiments.pipeline

    monkeypatch.setattr(ssisim.experiments.pipeline, "available_memory", lambda: 50 * 2**20)
    out = tmp_path / "o"
    code, err = user_error(capsys, ["sweep", str(scenario), "--out", str(out), "--workers", "2"])
    assert code == 2
    assert re.search(r"estimated peak memory .* exceeds the 50 MiB available; .*--force", err)
    assert not out.exists()
    res = sweep(scenario, out, "--workers", "1", "--force")
    assert res.exit_code == 0, res.output


def test_run_writes_its_chunks_and_resumes_too(tmp_path):
    p = tmp_path / "plain.yaml"
    p.write_text(SWEEP.split("sweep:")[0])
    out = tmp_path / "run"
    res = CliRunner().invoke(
        cli, ["run", str(p), "--out", str(out), "-q", "--no-figures", "--workers", "2"],
        env={"SSISIM_TEST_INTERRUPT_AFTER": "2"},
    )  # fmt: skip
    assert res.exit_code == 130
    res = CliRunner().invoke(cli, ["run", str(p), "--resume", str(out), "-q", "--no-figures"])
    assert res.exit_code == 0, res.output
    ref = tmp_path / "ref"
    res = CliRunner().invoke(cli, ["run", str(p), "--out", str(ref), "-q", "--no-figures"])
    assert res.exit_code == 0, res.output
    for name in ("weekly.csv", "summary.csv"):
        assert (out / name).read_bytes() == (ref / name).read_bytes()


def test_scheduler_precedence(monkeypatch):
    from ssisim.engine.executors import resolve_scheduler

    monkeypatch.delenv("SSISIM_SCHEDULER", raising=False)
    assert resolve_scheduler(None, None) is None
    assert resolve_scheduler(None, "tcp://s:8786") == "tcp://s:8786"
    monkeypatch.setenv("SSISIM_SCHEDULER", "local")
    assert resolve_scheduler(None, "tcp://s:8786") == "local"
    assert resolve_scheduler("tcp://other:8786", "tcp://s:8786") == "tcp://other:8786"
    assert resolve_scheduler("none", "tcp://s:8786") is None


def test_an_unreachable_scheduler_is_one_line(tmp_path, scenario, capsys, monkeypatch):
    from ssisim.engine import executors

    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", "0.5s")  # nothing listens on port 9
    code, err = user_error(
        capsys,
        ["sweep", str(scenario), "--out", str(tmp_path / "o"), "--scheduler", "tcp://127.0.0.1:9"],
    )
    assert code == 2 and "cannot reach the Dask scheduler" in err
    assert not (tmp_path / "o").exists()
    # nor the default folder, nor results/NAME above it (a newcomer found it left)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "results" / "other").mkdir(parents=True)
    code, err = user_error(capsys, ["sweep", str(scenario), "--scheduler", "tcp://127.0.0.1:9"])
    assert code == 2 and "cannot reach the Dask scheduler" in err
    assert [p.name for p in (tmp_path / "results").iterdir()] == ["other"]


def test_zero_workers_means_every_core():
    import os

    from ssisim.engine.executors import resolve_workers

    assert resolve_workers(0) == (os.cpu_count() or 1)
    assert resolve_workers(3) == 3


def test_the_pipeline_runs_from_an_options_object(tmp_path, scenario, reference):
    """The library, without the command line: the options, a dry run, a run, progress."""
    from ssisim.experiments.pipeline import (
        ExperimentOptions,
        finalize_sweep,
        prepare_experiment,
        run_experiment,
        run_manifest,
    )

    out = tmp_path / "o"
    opts = ExperimentOptions(scenario, ("seed=8",), out=out, workers=1, dry_run=True)
    dry = prepare_experiment("sweep", opts)
    assert dry.estimate is not None and dry.estimate.runs == 32 and dry.store is None
    assert not out.exists()

    exp = prepare_experiment("sweep", replace(opts, dry_run=False))
    assert exp.todo_runs == 32 and exp.command == f"ssisim sweep {scenario} --set seed=8"
    done: list[int] = []
    outcome = run_experiment(exp, done.append)
    assert sum(done) == 32 and not outcome.failures
    finalize_sweep(exp.results, run_manifest("sweep", exp.scenario, outcome), outcome.failures)
    assert files(out) == reference

    with pytest.raises(ScenarioError, match="declares no sweep"):
        plain = tmp_path / "plain.yaml"
        plain.write_text(SWEEP.split("sweep:")[0])
        prepare_experiment("sweep", ExperimentOptions(plain, out=tmp_path / "p"))
    assert not (tmp_path / "p").exists()


def test_out_and_resume_together_are_a_usage_error(tmp_path, scenario, capsys):
    code, err = user_error(
        capsys, ["run", str(scenario), "--out", str(tmp_path / "a"), "--resume", str(tmp_path)]
    )
    assert code == 2 and "give either --out or --resume, not both" in err


def test_the_interrupted_line_repeats_the_options_and_its_command_finishes(tmp_path):
    """The line after Ctrl-C names the command that finishes the run: with the
    scenario's changes (--reps, --set), or the resume is refused as another
    experiment (a newcomer met it with `--reps 20`)."""
    import shlex

    scenario = tmp_path / "my scenario.yaml"  # a space: the command is shell-quoted
    scenario.write_text(SWEEP.split("sweep:")[0])
    out = tmp_path / "cut run"  # the folder to resume too
    args = ["run", str(scenario), "--out", str(out), "-q", "--no-figures", "--reps", "3"]
    args += ["--set", "strategies.open-bar.invites_per_week=30"]
    res = CliRunner().invoke(cli, args, env={"SSISIM_TEST_INTERRUPT_AFTER": "1"})
    assert res.exit_code == 130, res.output
    command = res.output.strip().split("finish with `")[1].rstrip("`")
    words = shlex.split(command)
    assert words[:3] == ["ssisim", "run", str(scenario)]
    assert words[3:] == [
        "--set", "strategies.open-bar.invites_per_week=30", "--reps", "3", "--no-figures",
        "--resume", str(out),
    ]  # fmt: skip
    res = CliRunner().invoke(cli, [*words[1:], "-q"])
    assert res.exit_code == 0, res.output
    whole = tmp_path / "whole"
    res = CliRunner().invoke(cli, [*args[:3], str(whole), *args[4:]])
    assert res.exit_code == 0, res.output
    assert files_of_chunks(out) == files_of_chunks(whole)


def test_the_command_to_finish_repeats_what_the_scenario_needs_to_load():
    from ssisim.experiments.pipeline import Experiment, ExperimentOptions
    from ssisim.scenario.loading import Trust

    options = ExperimentOptions(
        Path("a b.yaml"),
        ("x=1", ("replications=3", "--reps 3")),
        trust=Trust(allowed_dirs=(Path("/data/my files"),)),
        figures=False,
        report=True,
    )
    command = Experiment("run", options, None, 1, None, Path("o")).command  # type: ignore[arg-type]
    assert command == (
        "ssisim run 'a b.yaml' --set x=1 --reps 3 --allow-path '/data/my files' --no-figures"
        " --report"
    )

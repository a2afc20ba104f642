"""Replications: the seed contract, workers, sharing the population."""

from pathlib import Path

import pandas as pd
import pytest

from ssisim.engine.driver import run_replications
from ssisim.errors import SsisimError
from ssisim.population.cache import population_for
from ssisim.results.tables import weekly_frame
from ssisim.scenario.loading import parse_scenario
from ssisim.seeds import run_seed, strategy_key

TEXT = """
name: engine-test
seed: 11
weeks: 6
replications: 4
population: {size: 2000}
strategies: [open-bar, club-select]
"""


def frame(sc, **kw):
    return weekly_frame(run_replications(sc, **kw), [s.name for s in sc.strategies])


def test_one_and_two_workers_give_identical_csv(tmp_path):
    sc = parse_scenario(TEXT)
    a, b = frame(sc, workers=1), frame(sc, workers=2)
    a.to_csv(tmp_path / "a.csv", index=False)
    b.to_csv(tmp_path / "b.csv", index=False)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_more_replications_leave_the_first_unchanged():
    small = frame(parse_scenario(TEXT))
    big = frame(parse_scenario(TEXT.replace("replications: 4", "replications: 7")))
    pd.testing.assert_frame_equal(small, big[big.replication < 4].reset_index(drop=True))


def test_adding_a_strategy_leaves_the_others_unchanged():
    two = frame(parse_scenario(TEXT))
    three = frame(
        parse_scenario(TEXT.replace("[open-bar, club-select]", "[inactive, open-bar, club-select]"))
    )
    pd.testing.assert_frame_equal(two, three[three.strategy != "inactive"].reset_index(drop=True))


def test_seed_changes_results_and_runs_differ_between_replications():
    a = frame(parse_scenario(TEXT))
    b = frame(parse_scenario(TEXT.replace("seed: 11", "seed: 12")))
    assert not a.equals(b)
    last = a[a.week == 6]
    assert last.groupby("strategy").connections.nunique().min() > 1


def test_population_is_shared_and_seeded():
    sc = parse_scenario(TEXT)
    assert population_for(sc) is population_for(sc)
    pinned = parse_scenario(TEXT.replace("{size: 2000}", "{size: 2000, seed: 5}"))
    other = parse_scenario(
        TEXT.replace("seed: 11", "seed: 99").replace("{size: 2000}", "{size: 2000, seed: 5}")
    )
    assert (population_for(pinned).indices == population_for(other).indices).all()


def test_seed_keys_are_stable():
    sc = parse_scenario(TEXT)
    # CRC-32, not Python's salted hash(): the same in every process
    assert strategy_key("open-bar") == 0x255CC8CB
    s0 = run_seed(sc, sc.strategies[0], 3)
    assert s0.spawn_key == (1, 0, strategy_key("open-bar"), 3)
    assert s0.entropy == 11


def test_progress_counts_every_run():
    sc = parse_scenario(TEXT)
    seen = []
    run_replications(sc, progress=seen.append)
    assert sum(seen) == 8


_SCRIPT = (
    "import ssisim\n"
    "sc = ssisim.parse_scenario('name: g\\nweeks: 2\\nreplications: 2\\n"
    "population: {size: 1000}\\nstrategies: [inactive]\\n')\n"
    "ssisim.run_replications(sc, workers=2)\n"
)


def _guarded(tmp_path: Path) -> Path:
    """The script with its work under the main guard."""
    guarded = tmp_path / "guarded.py"
    body = "".join(f"    {line}\n" for line in _SCRIPT.splitlines()[1:])
    guarded.write_text(f"import ssisim\nif __name__ == '__main__':\n{body}")
    return guarded


def test_a_script_without_the_main_guard_is_told_so_in_one_line(tmp_path):
    """Workers re-import the main script: without the guard each would die, noisily.
    (With the guard it runs: test_a_guarded_script_runs_its_workers, slow; workers
    started from this process: test_one_and_two_workers_give_identical_csv.)"""
    import subprocess
    import sys

    code = _SCRIPT
    unguarded = tmp_path / "unguarded.py"
    unguarded.write_text(code)
    done = subprocess.run(
        [sys.executable, str(unguarded)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .endswith(
            'starts worker processes without `if __name__ == "__main__":`; '
            "put the code that runs ssisim under that guard (or use workers=1)"
        )
    )
    assert len(done.stderr.splitlines()) < 20  # not a thousand lines of dead workers

    # read on standard input, even a guarded script cannot be run again by the workers
    done = subprocess.run(
        [sys.executable, "-"], input=_guarded(tmp_path).read_text(), capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .endswith(
            "worker processes cannot start from a script read on standard input "
            "(python - < script): save it to a file, or use workers=1"
        )
    )
    assert len(done.stderr.splitlines()) < 20


@pytest.mark.slow  # a new interpreter and its two workers run the script to its end
def test_a_guarded_script_runs_its_workers(tmp_path):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, str(_guarded(tmp_path))], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr


def test_a_session_keeps_its_workers_and_gives_the_same_records():
    """Two scenarios on one session's two workers: the records of run_replications,
    from the same worker processes both times."""
    from ssisim.engine.driver import Session

    sc = parse_scenario(TEXT)
    other = sc.model_copy(update={"weeks": 4})
    with Session(workers=2) as session:
        first = session.run(sc)
        pids = sorted(w.process.pid for w in session._executor.pool)
        second = session.run(other)
        assert sorted(w.process.pid for w in session._executor.pool) == pids
        assert len(pids) == 2
    assert first == run_replications(sc)
    assert second == run_replications(other)
    with pytest.raises(SsisimError, match="closed"):
        session.run(sc)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_session_interrupted_runs_the_next_scenario_right(monkeypatch, workers):
    """Ctrl-C in the middle of a session's run stops it; the next run is whole and right
    (nothing of the interrupted run's batches leaks into it)."""
    from ssisim.engine.driver import Session

    sc = parse_scenario(TEXT)
    other = parse_scenario(TEXT.replace("seed: 11", "seed: 12"))
    with Session(workers=workers) as session:
        monkeypatch.setenv("SSISIM_TEST_INTERRUPT_AFTER", "1")
        with pytest.raises(KeyboardInterrupt):
            session.run(sc)
        monkeypatch.delenv("SSISIM_TEST_INTERRUPT_AFTER")
        executor = session._executor
        # nothing of the interrupted call is left to be taken for the next one's
        assert not executor.queue and not getattr(executor, "ready", ())
        assert not getattr(executor, "pool", ())  # its workers were stopped
        assert session.run(other) == run_replications(other)


def test_closing_an_executor_forgets_what_was_queued():
    """What an interrupted call queued or received is not taken by the next call."""
    from ssisim.engine.executors import BatchOutcome, InProcess, LocalProcesses

    here = InProcess()
    here.submit(0, object())  # type: ignore[arg-type]  # never run: closed first
    here.close(cancel=True)
    assert not here.queue
    pool = LocalProcesses(2)
    pool.queue.append((1, object()))  # type: ignore[arg-type]
    pool.ready.append(BatchOutcome(0, results=[]))
    pool.close(cancel=True)
    assert not pool.queue and not pool.ready


def test_the_costliest_chunks_are_sent_first_and_the_results_keep_their_order():
    from ssisim.engine.driver import heaviest_first
    from ssisim.engine.plan import Plan

    sc = parse_scenario(
        "name: order\nweeks: 2\nreplications: 5\npopulation: {size: 500}\n"
        "strategies: [inactive, power-user, beginner]\n"
    )
    plan = Plan.single(sc, chunk_runs=2)
    order = [(c.strategy, c.replications) for c in heaviest_first(plan, list(plan.chunks()))]
    # power-user plans the most minutes, inactive none; a short last chunk after the full ones
    assert order == [
        (1, (0, 1)), (1, (2, 3)), (1, (4,)),
        (2, (0, 1)), (2, (2, 3)), (0, (0, 1)), (0, (2, 3)),
        (2, (4,)), (0, (4,)),
    ]  # fmt: skip
    # the points keep their order (a worker keeps one population): heavier later points wait
    from ssisim.engine.plan import Point

    heavy = parse_scenario(sc.model_dump_json().replace('"replications":5', '"replications":2'))
    light = parse_scenario("name: l\nweeks: 2\nreplications: 2\nstrategies: [inactive]\n")
    two = Plan((Point(0, light), Point(1, heavy)), chunk_runs=2)
    assert [c.point for c in heaviest_first(two, list(two.chunks()))] == [0, 1, 1, 1]
    # run in that order, the records come back in plan order, as they were
    records = run_replications(sc)
    assert [(r.strategy, r.replication) for r in records if r.week == 0] == [
        (s, rep) for s in ("inactive", "power-user", "beginner") for rep in range(5)
    ]

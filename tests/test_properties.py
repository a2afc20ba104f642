"""Properties of generated scenarios (issue 12 §5), checked through the command line.

- A valid scenario validates, round-trips (dumped and read again, equal) and
  runs: a short simulation (a few hundred members, a few weeks, one or two
  replications) ends with exit 0 and tables whose scores are within bounds.
- A scenario with one mistake (a mutation of a valid one: a value out of
  range or of the wrong type, an unknown key or strategy, a bad ``based_on``,
  a scheduler, a duplicate key, an alias, a control character, deep nesting,
  broken YAML) is refused with exit 2 in one line naming the file, with no
  traceback, and nothing is written: no results folder, no temporary file.
- The same scenario run with 1 and 2 worker processes gives the same bytes.

The default suite keeps a few examples of each (a few seconds in all); ``-m
slow`` runs many more, with longer horizons and larger populations.
"""

from __future__ import annotations

import contextlib
import copy
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssisim.scenario.loading import parse_scenario
from ssisim.scenario.strategies import BUILTIN_STRATEGIES

RATES = (
    "posts_per_week",
    "articles_per_month",
    "shares_per_week",
    "comments_per_week",
    "reactions_per_week",
    "warm_messages_per_week",
    "cold_messages_per_week",
    "searches_per_week",
    "profile_views_per_week",
)
TARGETING = (
    "anyone",
    "second_degree",
    "mutual_contacts",
    "profile_viewers",
    "relevant",
    "decision_makers",
)
ACCEPT = ("everyone", "relevant", "mutual_contacts", "decision_makers", "nobody")
PILLARS = ("brand", "people", "insights", "relationships")

# every example runs a simulation: a handful by default, many behind `slow`
QUICK = settings(
    max_examples=5,
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
THOROUGH = settings(QUICK, max_examples=60)


@st.composite
def strategy_entry(draw: st.DrawFn, index: int, max_rate: float) -> Any:
    """A built-in by name, a built-in changed with ``based_on``, or a routine of its own."""
    kind = draw(st.sampled_from(["builtin", "based_on", "own"]))
    builtin = draw(st.sampled_from(sorted(BUILTIN_STRATEGIES)))
    if kind == "builtin":
        return builtin
    entry: dict[str, Any] = {"name": f"s{index}"}
    if kind == "based_on":
        entry["based_on"] = builtin
    rate = st.floats(0, max_rate, allow_nan=False).map(lambda x: round(x, 3))
    for key in draw(st.lists(st.sampled_from(RATES), unique=True, max_size=4)):
        entry[key] = draw(rate)
    if draw(st.booleans()):
        entry["invites_per_week"] = draw(st.floats(0, 2 * max_rate).map(lambda x: round(x, 2)))
        entry["invite_targeting"] = draw(
            st.lists(st.sampled_from(TARGETING), min_size=1, max_size=3, unique=True)
        )
        entry["invite_note_share"] = draw(st.sampled_from([0.0, 0.3, 1.0]))
    if draw(st.booleans()):
        entry["accept_policy"] = draw(
            st.lists(st.sampled_from(ACCEPT), min_size=1, max_size=2, unique=True)
        )
    if draw(st.booleans()):
        entry["sales_navigator"] = draw(st.booleans())
    if draw(st.integers(0, 3)) == 0:
        entry["stops_at_week"] = draw(st.integers(0, 4))
    if draw(st.integers(0, 3)) == 0:
        entry["hours_per_week_budget"] = draw(st.sampled_from([0.5, 2.0, 10.0]))
    return entry


@st.composite
def scenarios(
    draw: st.DrawFn,
    max_weeks: int = 3,
    max_size: int = 400,
    max_rate: float = 30.0,
    replications: tuple[int, int] = (1, 2),
) -> dict[str, Any]:
    """A valid scenario, small enough to simulate in a fraction of a second."""
    size = draw(st.integers(200, max_size))
    count = draw(st.integers(1, 2))
    entries = [draw(strategy_entry(i, max_rate)) for i in range(count)]
    names = [e if isinstance(e, str) else e["name"] for e in entries]
    entries = [e for i, e in enumerate(entries) if names.index(names[i]) == i]  # unique
    data: dict[str, Any] = {
        "name": draw(st.from_regex(r"[a-z][a-z0-9-]{0,20}", fullmatch=True)),
        "seed": draw(st.integers(0, 2**32)),
        "weeks": draw(st.integers(1, max_weeks)),
        "replications": draw(st.integers(*replications)),
        "population": {
            "size": size,
            "mean_degree": draw(st.sampled_from([2.0, 8.0, 24.0])),
            "triadic_closure": draw(st.sampled_from([0.0, 0.2, 0.9])),
            "rewire": draw(st.sampled_from([0.0, 0.5, 1.0])),
            "sales_share": draw(st.sampled_from([0.0, 0.1, 1.0])),
            "seller": {"initial_connections": draw(st.integers(0, size - 1))},
        },
        "strategies": entries,
    }
    if draw(st.booleans()):
        data["platform"] = {
            "invite_cap_per_week": draw(st.sampled_from([None, 0, 20, 100])),
            "restriction": {"enabled": draw(st.booleans())},
        }
    if draw(st.integers(0, 3)) == 0:
        data["equal_hours_per_week"] = draw(st.sampled_from([1.0, 5.0]))
    if draw(st.integers(0, 3)) == 0:
        data["contexts"] = {"volume": None}
    return data


@contextlib.contextmanager
def _folder() -> Iterator[Path]:
    """A fresh folder, also the working directory (hypothesis reruns the test body,
    so pytest's per-test tmp_path would be shared by the examples)."""
    with tempfile.TemporaryDirectory() as name, contextlib.chdir(name):
        yield Path(name)


def _run(path: Path, out: Path, capsys: pytest.CaptureFixture[str], workers: int = 1) -> None:
    args = ["run", str(path), "--out", str(out), "-q", "--no-figures", "--workers", str(workers)]
    code, _, err = run_cli(args, capsys)
    assert code == 0 and "Traceback" not in err, (err, path.read_text())


def _check_run(data: dict[str, Any], out: Path) -> None:
    """The tables of a finished run: every strategy, replication and week, scores in bounds."""
    sc = parse_scenario(yaml.safe_dump(data), "g.yaml")
    weekly = pd.read_csv(out / "weekly.csv")
    assert len(weekly) == len(sc.strategies) * sc.replications * (sc.weeks + 1)
    assert set(weekly["strategy"]) == {s.name for s in sc.strategies}
    pillars = weekly[list(PILLARS)].to_numpy()
    assert np.isfinite(pillars).all() and (pillars >= 0).all() and (pillars <= 25 + 1e-9).all()
    assert np.allclose(weekly["ssi"], pillars.sum(axis=1), atol=1e-6)
    counts = ["connections", "invitations_sent", "posts", "leads_inbound", "pitches_received"]
    assert (weekly[counts] >= 0).all().all() and (weekly["hours"] >= 0).all()
    rate = weekly["acceptance_rate"].dropna()
    assert ((rate >= 0) & (rate <= 1)).all()
    assert (out / "summary.csv").stat().st_size > 0 and (out / "manifest.json").is_file()


def _files(root: Path) -> dict[str, bytes]:
    """Every result file's bytes but the manifest's (it records times and workers)."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


# --------------------------------------------------------------------------- valid scenarios


@QUICK
@given(scenarios())
def test_generated_scenarios_round_trip(data):
    sc = parse_scenario(yaml.safe_dump(data), "g.yaml")
    assert parse_scenario(yaml.safe_dump(sc.model_dump(mode="json", by_alias=True)), "g.yaml") == sc


def _valid_scenarios_run(data: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    with _folder() as folder:
        path = folder / "g.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        code, _, err = run_cli(["validate", str(path)], capsys)
        assert code == 0, err
        _run(path, folder / "o", capsys)
        _check_run(data, folder / "o")


@QUICK
@given(data=scenarios())
def test_valid_generated_scenarios_run(data, capsys):
    _valid_scenarios_run(data, capsys)


@pytest.mark.slow
@THOROUGH
@given(data=scenarios(max_weeks=12, max_size=3000, max_rate=500.0))
def test_valid_generated_scenarios_run_thoroughly(data, capsys):
    _valid_scenarios_run(data, capsys)


# --------------------------------------------------------------------------- one mistake

_BAD_VALUES: dict[str, list[Any]] = {
    "weeks": [0, -1, 521, 1.5, "many", True, [1], {"a": 1}, None],
    "replications": [0, 100_001, "2x", False],
    "seed": [-1, 2**63, True, "abc", 1.5],
    "population.size": [0, 199, 5_000_001, "big", None],
    "population.mean_degree": [0, 501, "x"],
    "population.seller.initial_connections": [-1, 100_001],
    "strategies.0.posts_per_week": [-1, 501, "x", True, 1e12],
    "strategies.0.invites_per_week": [-0.5, 1001],
    "strategies.0.invite_targeting": [["nobody"], "anyone", 3],
    "strategies.0.accept_policy": [[], ["sometimes"]],
    "strategies.0.stops_at_week": [-1, 521],
    "strategies.0.hours_per_week_budget": [0, 169],
    "platform.invite_cap_per_week": [-1, 1001],
    "equal_hours_per_week": [0, 81],
    "execution.scheduler": ["tcp://127.0.0.1:9"],
}
_UNKNOWN_KEYS = ["weeks_", "population.sizes", "strategies.0.post_per_week", "platform.cap"]
_TEXT_MUTATIONS = [
    "name: again\n",  # a duplicate key
    "description: &a text\nextra: *a\n",  # an anchor
    "description: 'bell \a'\n",  # a control character
    "description: " + "[" * 40 + "]" * 40 + "\n",  # too deep
    "description: [unclosed\n",  # broken YAML
]


def _set(data: dict[str, Any], key: str, value: Any) -> None:
    node: Any = data
    *parents, last = key.split(".")
    for part in parents:
        if isinstance(node, list):
            i = int(part)
            if isinstance(node[i], str):  # a built-in by name: give it fields
                node[i] = {"name": node[i], "based_on": node[i]}
            node = node[i]
        else:
            node = node.setdefault(part, {})
    node[last] = value


@st.composite
def one_mistake(draw: st.DrawFn) -> str:
    """The YAML text of a generated scenario with exactly one mistake."""
    data = copy.deepcopy(draw(scenarios()))
    kind = draw(st.sampled_from(["value", "unknown key", "strategy", "based_on", "text"]))
    if kind == "value":
        key = draw(st.sampled_from(sorted(_BAD_VALUES)))
        _set(data, key, draw(st.sampled_from(_BAD_VALUES[key])))
    elif kind == "unknown key":
        _set(data, draw(st.sampled_from(_UNKNOWN_KEYS)), 1)
    elif kind == "strategy":
        data["strategies"][0] = "open-barr"
    elif kind == "based_on":
        _set(data, "strategies.0.based_on", draw(st.sampled_from(["nope", "", 3])))
    text = yaml.safe_dump(data, sort_keys=False)
    if kind == "text":
        text += draw(st.sampled_from(_TEXT_MUTATIONS))
    return text


def _refused(text: str, command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with _folder() as folder:
        path = folder / "g.yaml"
        path.write_text(text)
        args = [command, str(path)]
        if command == "run":
            args += ["--out", str(folder / "o"), "-q", "--no-figures", "--workers", "1"]
        code, out, err = run_cli(args, capsys)
        assert code == 2, (code, err, text)
        assert len(err.splitlines()) == 1 and err.startswith(f"{path}:"), (err, text)
        assert "Traceback" not in err and out == "", (out, err)
        assert sorted(p.name for p in folder.rglob("*")) == ["g.yaml"]  # nothing written


@settings(QUICK, max_examples=30)  # refused in milliseconds: many
@given(text=one_mistake(), command=st.sampled_from(["run", "validate"]))
def test_one_mistake_is_refused_in_one_line_and_nothing_is_written(text, command, capsys):
    _refused(text, command, capsys)


@pytest.mark.slow
@THOROUGH
@given(text=one_mistake(), command=st.sampled_from(["run", "validate", "sweep", "sensitivity"]))
def test_one_mistake_is_refused_thoroughly(text, command, capsys):
    _refused(text, command, capsys)


# --------------------------------------------------------------------------- workers


def _same_bytes_with_1_and_2_workers(data: dict[str, Any], capsys) -> None:
    data = {**data, "execution": {"chunk_runs": 1}}  # every run its own task
    with _folder() as folder:
        path = folder / "g.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False))
        _run(path, folder / "one", capsys, workers=1)
        _run(path, folder / "two", capsys, workers=2)
        one, two = _files(folder / "one"), _files(folder / "two")
        assert one.keys() == two.keys()
        assert [k for k in one if one[k] != two[k]] == []


@settings(QUICK, max_examples=1)
@given(data=scenarios(replications=(2, 2)))
def test_one_and_two_workers_give_the_same_bytes(data, capsys):
    _same_bytes_with_1_and_2_workers(data, capsys)


@pytest.mark.slow
@settings(QUICK, max_examples=15)
@given(data=scenarios(max_weeks=8, max_size=2000, max_rate=200.0, replications=(2, 3)))
def test_one_and_two_workers_give_the_same_bytes_thoroughly(data, capsys):
    _same_bytes_with_1_and_2_workers(data, capsys)

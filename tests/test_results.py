"""Tests for ssisim.results.tables: tables, statistics, files, terminal table."""

from __future__ import annotations

import json
import math
import typing
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import write_run_dir
from rich.console import Console
from scipy import stats

from ssisim.cli.tables import terminal_table
from ssisim.errors import DataError
from ssisim.records import METRIC_COLUMNS, WEEKLY_COLUMNS, WeekRecord
from ssisim.results.files import default_output_dir
from ssisim.results.tables import (
    SUMMARY_COLUMNS,
    read_results,
    summarize,
    timeseries,
    weekly_frame,
)

# "open-bar" first although it sorts after "club-select": order must come from
# the scenario, not from the alphabet.
ORDER = ("open-bar", "club-select")
REPLICATIONS = 3
WEEKS = range(5)  # 0..4
OFFSETS = (0.0, 1.0, 5.0)  # per replication: spread with exact mean 2, std sqrt(7)


def _record(strategy: str, rep: int, week: int) -> WeekRecord:
    base = 10.0 if strategy == "open-bar" else 20.0
    off = OFFSETS[rep]
    # each column's zero of its own type (0.0 for the float columns, False for the flags)
    fields: dict[str, Any] = {c: t() for c, t in typing.get_type_hints(WeekRecord).items()}
    fields.update(
        strategy=strategy,
        replication=rep,
        week=week,
        ssi=base + 10.0 * week + off,
        brand=1.0 + 0.25 * off,
        people=2.0,
        insights=3.0,
        relationships=4.0 + week,
        connections=int(100 * base) + 50 * week + 7 * rep,
        relevant_connections=int(base) + rep * rep + week,
        impressions=1000 * week + rep,
        # undefined (no invitation sent yet) for one replication in week 0
        acceptance_rate=math.nan if (week == 0 and rep == 2) else 0.1 * (rep + 1),
        boosted=rep == 0,
    )
    return WeekRecord(**fields)


def _records() -> list[WeekRecord]:
    return [_record(s, r, w) for s in ORDER for r in range(REPLICATIONS) for w in WEEKS]


def _shuffled(records: list[WeekRecord]) -> list[WeekRecord]:
    rng = np.random.default_rng(7)
    return [records[i] for i in rng.permutation(len(records))]


@pytest.fixture
def weekly() -> pd.DataFrame:
    return weekly_frame(_shuffled(_records()), ORDER)


def _expected(values: list[float]) -> tuple[float, float, float, float]:
    """Mean, std (ddof=1) and the 95% t interval, computed independently."""
    x = np.asarray(values, dtype=float)
    mean, std = x.mean(), x.std(ddof=1)
    low, high = stats.t.interval(0.95, len(x) - 1, loc=mean, scale=std / math.sqrt(len(x)))
    return mean, std, low, high


def _row(table: pd.DataFrame, strategy: str, week: int, metric: str) -> pd.Series:
    rows = table[(table.strategy == strategy) & (table.week == week) & (table.metric == metric)]
    assert len(rows) == 1
    return rows.iloc[0]


# --------------------------------------------------------------------------- weekly_frame


def test_weekly_frame_columns_dtypes_and_row_order(weekly: pd.DataFrame) -> None:
    assert list(weekly.columns) == list(WEEKLY_COLUMNS)
    expected_keys = [(s, r, w) for s in ORDER for r in range(REPLICATIONS) for w in WEEKS]
    assert (
        list(weekly[["strategy", "replication", "week"]].itertuples(index=False, name=None))
        == expected_keys
    )
    assert list(weekly.index) == list(range(len(expected_keys)))
    assert pd.api.types.is_string_dtype(weekly["strategy"])
    for name, value in _record("open-bar", 0, 1)._asdict().items():
        if isinstance(value, bool):
            assert weekly[name].dtype == bool, name
        elif isinstance(value, int):
            assert weekly[name].dtype == np.int64, name
        elif isinstance(value, float):
            assert weekly[name].dtype == np.float64, name


def test_weekly_frame_rejects_unknown_strategy_and_duplicates() -> None:
    with pytest.raises(
        DataError, match=r"strategy 'club-select' is not in the strategy order \['open-bar'\]"
    ):
        weekly_frame(_records(), ["open-bar"])
    records = _records()
    with pytest.raises(DataError, match=r"\('open-bar', 0, 3\) appears twice"):
        weekly_frame([*records, records[3]], ORDER)


def test_weekly_frame_of_no_records_has_the_columns() -> None:
    empty = weekly_frame([], ORDER)
    assert list(empty.columns) == list(WEEKLY_COLUMNS)
    assert empty.empty and empty["week"].dtype == np.int64


# --------------------------------------------------------------------------- summarize


def test_summarize_layout(weekly: pd.DataFrame) -> None:
    summary = summarize(weekly, [4, 2, 4])
    assert list(summary.columns) == list(SUMMARY_COLUMNS)
    keys = list(summary[["strategy", "week", "metric"]].itertuples(index=False, name=None))
    assert keys == [(s, w, m) for s in ORDER for w in (2, 4) for m in METRIC_COLUMNS]
    assert summary["n"].dtype == np.int64 and summary["week"].dtype == np.int64
    assert (summary["n"] == REPLICATIONS).all()


def test_summarize_matches_numpy_and_scipy(weekly: pd.DataFrame) -> None:
    summary = summarize(weekly, [2, 4])
    for strategy in ORDER:
        for week in (2, 4):
            for metric in ("ssi", "brand", "connections", "relevant_connections", "impressions"):
                values = [getattr(_record(strategy, r, week), metric) for r in range(REPLICATIONS)]
                mean, std, low, high = _expected(values)
                row = _row(summary, strategy, week, metric)
                assert row["n"] == REPLICATIONS
                # 1e-12: the same arithmetic in another order; only rounding differs
                assert row["mean"] == pytest.approx(mean, rel=1e-12)
                assert row["std"] == pytest.approx(std, rel=1e-12)
                assert row["ci_low"] == pytest.approx(low, rel=1e-12)
                assert row["ci_high"] == pytest.approx(high, rel=1e-12)
    # Hand-checked anchor: offsets (0, 1, 5) give mean 2, std sqrt(7),
    # half-width t(0.975, 2) sqrt(7/3) = 4.302653 * 1.527525 = 6.572411.
    row = _row(summary, "open-bar", 2, "ssi")
    assert row["mean"] == pytest.approx(32.0)
    assert row["std"] == pytest.approx(math.sqrt(7.0))
    assert row["ci_high"] - row["mean"] == pytest.approx(6.572411, abs=1e-6)


def test_summarize_constant_metric_has_zero_width_interval(weekly: pd.DataFrame) -> None:
    row = _row(summarize(weekly, [4]), "club-select", 4, "people")
    assert (row["mean"], row["std"], row["ci_low"], row["ci_high"]) == (2.0, 0.0, 2.0, 2.0)


def test_summarize_booleans_as_share(weekly: pd.DataFrame) -> None:
    row = _row(summarize(weekly, [2]), "open-bar", 2, "boosted")
    assert row["mean"] == pytest.approx(1 / 3)
    assert row["n"] == REPLICATIONS


def test_summarize_single_replication_has_no_spread(weekly: pd.DataFrame) -> None:
    summary = summarize(weekly[weekly.replication == 1], [4])
    assert (summary["n"] == 1).all()
    assert summary[["std", "ci_low", "ci_high"]].isna().all().all()
    assert _row(summary, "open-bar", 4, "ssi")["mean"] == _record("open-bar", 1, 4).ssi


def test_summarize_strategy_order_and_errors(weekly: pd.DataFrame) -> None:
    summary = summarize(weekly, [4], strategy_order=["club-select", "open-bar"])
    assert list(dict.fromkeys(summary["strategy"])) == ["club-select", "open-bar"]
    with pytest.raises(
        DataError, match=r"no rows for checkpoint week\(s\) \[9\] \(weeks present: 0..4\)"
    ):
        summarize(weekly, [4, 9])
    with pytest.raises(DataError, match="strategy 'open-bar' is not in the strategy order"):
        summarize(weekly, [4], strategy_order=["club-select"])
    with pytest.raises(DataError, match="weekly table: missing column 'ssi'"):
        summarize(weekly.drop(columns="ssi"), [4])


# --------------------------------------------------------------------------- timeseries


def test_timeseries_every_week_and_missing_values(weekly: pd.DataFrame) -> None:
    ts = timeseries(weekly, ["ssi", "acceptance_rate"])
    assert list(ts.columns) == list(SUMMARY_COLUMNS)
    keys = list(ts[["strategy", "week", "metric"]].itertuples(index=False, name=None))
    assert keys == [(s, w, m) for s in ORDER for w in WEEKS for m in ("ssi", "acceptance_rate")]
    # Same numbers as summarize at a checkpoint.
    summary = summarize(weekly, [3])
    for column in ("n", "mean", "std", "ci_low", "ci_high"):
        assert (
            _row(ts, "club-select", 3, "ssi")[column]
            == _row(summary, "club-select", 3, "ssi")[column]
        )
    # acceptance_rate is NaN for one replication in week 0: left out of n.
    row = _row(ts, "open-bar", 0, "acceptance_rate")
    mean, std, low, high = _expected([0.1, 0.2])
    assert row["n"] == 2
    assert (row["mean"], row["std"], row["ci_low"], row["ci_high"]) == pytest.approx(
        (mean, std, low, high)
    )
    with pytest.raises(DataError, match="missing column 'nope'"):
        timeseries(weekly, ["ssi", "nope"])


# --------------------------------------------------------------------------- files


def _write(out: Path, weekly: pd.DataFrame) -> Path:
    manifest = {"scenario": "demo", "seed": 3, "path": Path("x/y"), "zeta": 1, "alpha": [1, 2]}
    return write_run_dir(out, weekly, summarize(weekly, [2, 4]), manifest)


def test_write_results_is_byte_identical(tmp_path: Path, weekly: pd.DataFrame) -> None:
    first = _write(tmp_path / "a" / "deep" / "run", weekly)
    second = _write(tmp_path / "b" / "run", weekly)
    assert first == tmp_path / "a" / "deep" / "run"
    for name in ("weekly.csv", "summary.csv", "manifest.json"):
        data = (first / name).read_bytes()
        assert data == (second / name).read_bytes(), name
        assert b"\r" not in data and data.endswith(b"\n")
    header = (first / "weekly.csv").read_text().splitlines()[0]
    assert header == ",".join(WEEKLY_COLUMNS)
    manifest_text = (first / "manifest.json").read_text()
    assert manifest_text.startswith('{\n  "scenario": "demo",')  # indent 2, key order kept
    assert list(json.loads(manifest_text)) == ["scenario", "seed", "path", "zeta", "alpha"]
    # Only the run directory next to it: the temporary one was renamed away.
    assert [p.name for p in (tmp_path / "b").iterdir()] == ["run"]


def test_write_results_refuses_an_existing_directory(tmp_path: Path, weekly: pd.DataFrame) -> None:
    out = tmp_path / "run"
    out.mkdir()
    with pytest.raises(DataError, match="run: already exists"):
        _write(out, weekly)
    assert [p.name for p in tmp_path.iterdir()] == ["run"]
    assert list(out.iterdir()) == []


def test_write_results_failure_leaves_nothing(tmp_path: Path, weekly: pd.DataFrame) -> None:
    out = tmp_path / "run"
    with pytest.raises(AttributeError):
        write_run_dir(out, weekly, None, {})  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_read_results_round_trip(tmp_path: Path, weekly: pd.DataFrame) -> None:
    out = _write(tmp_path / "run", weekly)
    got_weekly, got_summary, manifest = read_results(out)
    # rtol 1e-9: floats are written with 10 significant digits.
    pd.testing.assert_frame_equal(got_weekly, weekly, rtol=1e-9, check_dtype=True)
    pd.testing.assert_frame_equal(got_summary, summarize(weekly, [2, 4]), rtol=1e-9)
    assert manifest == {"scenario": "demo", "seed": 3, "path": "x/y", "zeta": 1, "alpha": [1, 2]}


def test_read_results_keeps_odd_strategy_names(tmp_path: Path) -> None:
    names = ["NA", "1", "a, b"]
    records = [
        _record("open-bar", r, w)._replace(strategy=n)
        for n in names
        for r in range(2)
        for w in WEEKS
    ]
    weekly = weekly_frame(records, names)
    got, summary, _ = read_results(_write(tmp_path / "run", weekly))
    assert list(dict.fromkeys(got["strategy"])) == names
    assert list(dict.fromkeys(summary["strategy"])) == names


def test_results_from_before_cold_outbound_leads_read_as_warm(
    tmp_path: Path, weekly: pd.DataFrame
) -> None:
    """A folder written before replies to cold messages could be leads has no
    ``leads_outbound*_warm`` columns: every outbound lead was then warm."""
    warm = [f"leads_outbound{k}_warm" for k in ("", "_target", "_dm")]
    out = _write(tmp_path / "run", weekly.assign(leads_outbound=3, leads_outbound_dm=1))
    (out / "weekly.csv").write_text(
        pd.read_csv(out / "weekly.csv").drop(columns=warm).to_csv(index=False)
    )
    back, _, _ = read_results(out)
    assert (back["leads_outbound_warm"] == 3).all() and (back["leads_outbound_dm_warm"] == 1).all()


def test_read_results_errors(tmp_path: Path, weekly: pd.DataFrame) -> None:
    with pytest.raises(DataError, match="nowhere: no such results directory"):
        read_results(tmp_path / "nowhere")

    out = _write(tmp_path / "run", weekly)
    (out / "weekly.csv").write_text(weekly.drop(columns=["ssi", "brand"]).to_csv(index=False))
    with pytest.raises(
        DataError,
        match=r"weekly\.csv: missing columns 'ssi', 'brand' \(written by another version of "
        r"ssisim\? run its scenario again\)$",
    ):
        read_results(out)

    bad = weekly.astype({"week": str})
    bad.loc[3, "week"] = "three"
    (out / "weekly.csv").write_text(bad.to_csv(index=False))
    with pytest.raises(
        DataError, match=r"weekly\.csv: column 'week' must hold integers only \(got 'three'\)"
    ):
        read_results(out)

    out = _write(tmp_path / "run2", weekly)
    (out / "summary.csv").unlink()
    with pytest.raises(DataError, match=r"summary\.csv: missing file"):
        read_results(out)

    out = _write(tmp_path / "run3", weekly)
    (out / "manifest.json").write_text('{"seed": 1,,}\n')
    with pytest.raises(DataError, match=r"manifest\.json:1: not valid JSON"):
        read_results(out)
    (out / "manifest.json").write_text("[1, 2]\n")
    with pytest.raises(DataError, match=r"manifest\.json: expected a JSON object \(got list\)"):
        read_results(out)


def test_read_results_messages_are_one_line(tmp_path: Path, weekly: pd.DataFrame) -> None:
    out = _write(tmp_path / "run", weekly)
    (out / "summary.csv").write_bytes(b'strategy,week\n"unterminated,1\n')
    with pytest.raises(DataError) as info:
        read_results(out)
    assert "summary.csv" in str(info.value) and "\n" not in str(info.value)


def test_default_output_dir_adds_a_suffix_on_collision(tmp_path: Path) -> None:
    now = datetime(2025, 3, 1, 9, 30, 5)
    first = default_output_dir("demo", tmp_path, now)
    assert first == tmp_path / "demo" / "20250301-093005"
    assert not first.exists()
    first.mkdir(parents=True)
    second = default_output_dir("demo", tmp_path, now)
    assert second == tmp_path / "demo" / "20250301-093005-2"
    second.mkdir()
    assert default_output_dir("demo", tmp_path, now) == tmp_path / "demo" / "20250301-093005-3"
    assert default_output_dir("demo", tmp_path).parent == tmp_path / "demo"


# --------------------------------------------------------------------------- terminal


def _render(table: object) -> str:
    console = Console(width=250, record=True, color_system=None)
    console.print(table)
    return console.export_text()


def test_terminal_table(weekly: pd.DataFrame) -> None:
    summary = summarize(weekly, [2, 4])
    table = terminal_table(summary, 4)
    assert table.title == "Week 4: mean ± 95% CI"
    assert table.row_count == len(ORDER)
    text = _render(table)
    row = _row(summary, "open-bar", 4, "ssi")
    # the interval under the mean (the table fits 80 columns)
    assert f"{row['mean']:.1f}" in text and f"±{row['ci_high'] - row['mean']:.1f}" in text
    # acceptance_rate in percent: 0.2 mean
    assert "20.0" in text and "accept. %" in text
    assert text.index("open-bar") < text.index("club-select")

    single = terminal_table(summarize(weekly[weekly.replication == 0], [4]), 4, ["ssi"])
    rendered = _render(single)
    assert f"{_record('open-bar', 0, 4).ssi:.1f}" in rendered and "±n/a" in rendered

    with pytest.raises(DataError, match=r"no rows for week 3 \(weeks present: \[2, 4\]\)"):
        terminal_table(summary, 3)
    with pytest.raises(DataError, match="no metric 'nope' at week 4"):
        terminal_table(summary, 4, ["ssi", "nope"])

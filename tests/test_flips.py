"""Flips: where a verdict changes as one assumption moves, on hand-made difference tables."""

import math

import numpy as np
import pandas as pd
import pytest

from ssisim.errors import DataError
from ssisim.results.flips import (
    FLIP_COLUMNS,
    NO_CLEAR,
    NOT_AVAILABLE,
    find_flips,
    flip_sentences,
    one_at_a_time_layout,
    pair_verdicts,
    relative_move,
    write_flips,
)
from ssisim.results.verdicts import DIFFERENCE_COLUMNS

# x: baseline 1.0, tried 0.25, 0.5, 2.0, 4.0; y: baseline 10, tried 5 and 20
POINTS = pd.DataFrame(
    {
        "point": [0, 1, 2, 3, 4, 5, 6],
        "x": [1.0, 0.25, 0.5, 2.0, 4.0, 1.0, 1.0],
        "y": [10, 10, 10, 10, 10, 5, 20],
    }
)
X_POINTS = {0.25: 1, 0.5: 2, 1.0: 0, 2.0: 3, 4.0: 4}
Y_POINTS = {5: 5, 10: 0, 20: 6}


def _row(point, difference, half=1.0, metric="opportunities", context="volume", a="a", b="b"):
    """a - b = difference, interval difference +/- half (clear when it excludes 0)."""
    values = dict(zip(POINTS.columns[1:], POINTS.set_index("point").loc[point], strict=True))
    return {
        "point": point,
        **values,
        "context": context,
        "metric": metric,
        "strategy_a": a,
        "strategy_b": b,
        "n": 10,
        "mean_a": 10.0 + difference,
        "mean_b": 10.0,
        "difference": difference,
        "ci_low": difference - half,
        "ci_high": difference + half,
        "clear": abs(difference) > half,
    }


def _table(x_differences, y_differences=None, **kw):
    """One (context, metric, pair): a - b at each value of x and y (baseline: x's 1.0)."""
    y_differences = y_differences or {5: x_differences[1.0], 20: x_differences[1.0]}
    rows = [_row(p, x_differences[v], **kw) for v, p in X_POINTS.items()]
    rows += [_row(p, y_differences[v], **kw) for v, p in Y_POINTS.items() if v != 10]
    return pd.DataFrame(rows).sort_values("point", kind="stable").reset_index(drop=True)


def _flip(flips, parameter="x"):
    return flips[flips["parameter"] == parameter].iloc[0]


def _none(value):
    return value is None or (isinstance(value, float) and math.isnan(value))


def test_a_flip_on_one_side_into_no_clear_difference():
    d = _table({0.25: 0.2, 0.5: 1.5, 1.0: 3.0, 2.0: 5.0, 4.0: 8.0})
    flips = find_flips(d, POINTS)
    assert list(flips.columns) == list(FLIP_COLUMNS)
    assert len(flips) == 2  # x and y
    r = _flip(flips)
    assert r.baseline_value == 1.0 and r.baseline_verdict == "a"
    # 0.5 is still clear (1.5 > 1); the first change going down is at 0.25
    assert r.flip_below == 0.25 and r.flip_below_move == "-75%"
    assert r.flip_below_verdict == NO_CLEAR
    assert _none(r.flip_above) and _none(r.flip_above_move) and _none(r.flip_above_verdict)
    assert r.changes == 1
    assert r.verdicts == (f"0.25: {NO_CLEAR}; 0.5: a; 1 (baseline): a; 2: a; 4: a")
    y = _flip(flips, "y")  # y changes nothing
    assert y.changes == 0 and _none(y.flip_below) and _none(y.flip_above)


def test_flips_on_both_sides_the_nearest_value_first():
    # no clear difference at the baseline; b wins below, a wins above
    d = _table({0.25: -6.0, 0.5: -3.0, 1.0: 0.5, 2.0: 0.8, 4.0: 4.0})
    r = _flip(find_flips(d, POINTS))
    assert r.baseline_verdict == NO_CLEAR
    assert (r.flip_below, r.flip_below_move, r.flip_below_verdict) == (0.5, "-50%", "b")
    assert (r.flip_above, r.flip_above_move, r.flip_above_verdict) == (4.0, "+300%", "a")
    assert r.changes == 3


def test_a_winner_that_swaps():
    d = _table(
        {0.25: 3.0, 0.5: 3.0, 1.0: 3.0, 2.0: 3.0, 4.0: 3.0},
        y_differences={5: 3.0, 20: -4.0},
    )
    flips = find_flips(d, POINTS)
    assert _flip(flips).changes == 0 and _none(_flip(flips).flip_above)
    y = _flip(flips, "y")
    assert (y.flip_above, y.flip_above_move, y.flip_above_verdict) == (20, "+100%", "b")
    assert _none(y.flip_below)
    assert flip_sentences(flips) == [
        "volume, opportunities, a against b: a ahead at the baseline; it becomes b ahead when "
        "y rises to 20 (+100%); it holds over the values tried of 1 other assumption."
    ]


def test_never_flips_within_the_range():
    d = _table({0.25: 2.0, 0.5: 2.0, 1.0: 2.0, 2.0: 2.0, 4.0: 2.0})
    flips = find_flips(d, POINTS)
    assert (flips["changes"] == 0).all()
    assert flips[["flip_below", "flip_above"]].isna().all().all()
    assert flip_sentences(flips) == [
        "volume, opportunities, a against b: a ahead at the baseline, and at every value tried "
        "of the 2 assumptions."
    ]


def test_fewer_is_better_and_a_verdict_that_stops_being_no_clear_difference():
    # hours: a took more at the baseline but not clearly; clearly fewer above
    d = _table({0.25: 0.5, 0.5: 0.5, 1.0: 0.5, 2.0: -2.0, 4.0: -2.0}, metric="hours_per_week")
    r = _flip(find_flips(d, POINTS))
    assert r.baseline_verdict == NO_CLEAR
    assert (r.flip_above, r.flip_above_verdict) == (2.0, "a")  # fewer hours: a ahead


def test_a_missing_difference_neither_flips_nor_holds():
    d = _table({0.25: -5.0, 0.5: 3.0, 1.0: 3.0, 2.0: 3.0, 4.0: 3.0})
    d = d[d["point"] != X_POINTS[0.5]]  # no pair at 0.5 (a routine that took no time)
    r = _flip(find_flips(d, POINTS))
    assert r.flip_below == 0.25 and r.flip_below_verdict == "b"
    assert f"0.5: {NOT_AVAILABLE}" in r.verdicts
    assert r.changes == 1


def test_every_context_metric_and_pair_gets_its_rows():
    parts = [
        _table({0.25: 3.0, 0.5: 3.0, 1.0: 3.0, 2.0: 3.0, 4.0: 0.0}, context=c, metric=m, a=a, b=b)
        for c in ("volume", "complex")
        for m in ("ssi", "opportunities")
        for a, b in (("a", "b"), ("a", "c"), ("b", "c"))
    ]
    d = pd.concat(parts, ignore_index=True).sort_values("point", kind="stable")
    flips = find_flips(d, POINTS)
    assert len(flips) == 2 * 2 * 3 * 2
    assert (flips[flips["parameter"] == "x"]["flip_above"] == 4.0).all()
    assert len(flip_sentences(flips)) == 2 * 2 * 3
    # the pairs' verdicts come from the verdicts of results/verdicts.py
    verdicts = pair_verdicts(d[[*DIFFERENCE_COLUMNS, "point"]])
    assert verdicts[(0, "complex", "ssi", "b", "c")] == "b"
    assert verdicts[(4, "complex", "ssi", "b", "c")] == NO_CLEAR


def test_a_key_of_another_context_has_no_row():
    points = POINTS.rename(columns={"y": "contexts.volume.deal_value_eur"})
    rows = []
    for context in ("volume", "complex"):
        for r in _table(
            {0.25: 3.0, 0.5: 3.0, 1.0: 3.0, 2.0: 3.0, 4.0: 3.0}, context=context
        ).to_dict("records"):
            r["contexts.volume.deal_value_eur"] = r.pop("y")
            rows.append(r)
    flips = find_flips(pd.DataFrame(rows), points)
    assert flips[flips.context == "volume"]["parameter"].tolist() == [
        "x",
        "contexts.volume.deal_value_eur",
    ]
    assert flips[flips.context == "complex"]["parameter"].tolist() == ["x"]


def test_inactive_strategies_get_no_verdict_per_hour_only():
    d = pd.concat(
        [
            _table({0.25: 3.0, 0.5: 3.0, 1.0: 3.0, 2.0: 3.0, 4.0: 3.0}, metric=m)
            for m in ("ssi", "hours_per_week", "pitches_received", "value_per_hour_eur")
        ],
        ignore_index=True,
    )
    flips = find_flips(d, POINTS, inactive=["b"])
    assert set(flips["metric"]) == {"ssi", "hours_per_week", "pitches_received"}


def test_values_that_are_not_numbers_have_no_sides():
    points = pd.DataFrame({"point": [0, 1, 2], "z": ["null", "100", "200"]})
    rows = [_row(0, 3.0), _row(1, 3.0), _row(2, -3.0)]
    for r, z in zip(rows, ("null", "100", "200"), strict=True):
        del r["x"], r["y"]
        r["z"] = z
    flips = find_flips(pd.DataFrame(rows), points)
    r = flips.iloc[0]
    assert r.changes == 1 and _none(r.flip_below) and _none(r.flip_above)
    assert r.verdicts == "null (baseline): a; 100: a; 200: b"
    assert "changes with z (see flips.csv)" in flip_sentences(flips)[0]


def test_a_baseline_of_zero_has_no_relative_move():
    points = pd.DataFrame({"point": [0, 1], "x": [0.0, 0.5]})
    rows = [_row(0, 3.0), _row(1, 0.0)]
    for r, x in zip(rows, (0.0, 0.5), strict=True):
        r["x"] = x
        del r["y"]
    r = find_flips(pd.DataFrame(rows), points).iloc[0]
    assert r.flip_above == 0.5 and _none(r.flip_above_move)
    sentence = flip_sentences(find_flips(pd.DataFrame(rows), points))[0]
    assert sentence.endswith("no clear difference when x rises to 0.5.")


@pytest.mark.parametrize(
    "value,base,expected",
    [(0.01, 0.004, "+150%"), (0.002, 0.004, "-50%"), (104, 100, "+4.0%"), (0, 3, "-100%"),
     (5, -10, "+150%"), (1.0, 0.0, "")],
)  # fmt: skip
def test_relative_move(value, base, expected):
    assert relative_move(value, base) == expected


def test_a_table_that_is_not_one_at_a_time_is_refused():
    assert one_at_a_time_layout(POINTS)["parameter"].tolist() == ["x"] * 4 + ["y"] * 2
    grid = pd.DataFrame({"point": [0, 1, 2], "x": [1.0, 2.0, 2.0], "y": [10, 10, 20]})
    with pytest.raises(DataError, match=r"point 2 differs from the baseline \(point 0\) in x, y"):
        one_at_a_time_layout(grid)
    twice = pd.DataFrame({"point": [0, 1], "x": [1.0, 1.0]})
    with pytest.raises(DataError, match=r"point 1 differs .* in no assumption"):
        one_at_a_time_layout(twice)
    with pytest.raises(DataError, match=r"no baseline point 0"):
        one_at_a_time_layout(POINTS[POINTS["point"] > 0])
    with pytest.raises(DataError, match=r"no swept column"):
        one_at_a_time_layout(POINTS[["point"]])


def test_write_flips_refuses_a_folder_without_the_tables(tmp_path):
    POINTS.to_csv(tmp_path / "points.csv", index=False)
    with pytest.raises(DataError, match=r"cannot read the sweep's tables"):
        write_flips(tmp_path, tmp_path / "points.csv")
    assert not (tmp_path / "flips.csv").exists()


def test_the_reports_table_in_french_with_amounts_in_the_clients_currency(tmp_path):
    from ssisim.plots.client import Client
    from ssisim.report.build import _flips_table

    points = pd.DataFrame(
        {"point": [0, 1, 2], "contexts.volume.deal_value_eur": [1500.0, 0.0, 6000.0]}
    )
    rows = [_row(0, 3.0), _row(1, 0.0), _row(2, 3.0)]
    for r, v in zip(rows, (1500.0, 0.0, 6000.0), strict=True):
        del r["x"], r["y"]
        r["contexts.volume.deal_value_eur"] = v
    find_flips(pd.DataFrame(rows), points).to_csv(tmp_path / "flips.csv", index=False)
    table = _flips_table(tmp_path / "flips.csv", Client(language="fr", currency="USD", eur_to=1.1))
    assert "0 lignes sur 1" in table.title
    assert table.rows == [
        ["volume", "opportunités", "a / b", "contexte volume\xa0: valeur d'une affaire",
         "1\u202f650\xa0$\xa0: a", "0\xa0$ (−100\u202f%)\xa0: pas de différence nette", "–"]
    ]  # fmt: skip


def test_the_flips_figure_says_how_many_verdicts_hold_and_the_nearest_change(tmp_path, monkeypatch):
    import ssisim.plots.experiments as experiments

    said = []
    monkeypatch.setattr(
        experiments, "title", lambda fig, finding, subtitle="": said.append(finding)
    )
    swap = _table(
        {0.25: 3.0, 0.5: 3.0, 1.0: 3.0, 2.0: 3.0, 4.0: 3.0}, y_differences={5: 3.0, 20: -4.0}
    )
    near = _table({0.25: 0.2, 0.5: 0.2, 1.0: 3.0, 2.0: 3.0, 4.0: 3.0}, metric="ssi")
    flips = find_flips(pd.concat([swap, near], ignore_index=True), POINTS)
    paths = experiments.flips_figures(flips, tmp_path / "flips.png", "test")
    assert [p.name for p in paths] == ["flips.png"] and paths[0].read_bytes()[:4] == b"\x89PNG"
    # 4 rows: x and y, for opportunities and ssi; x flips ssi at -50%, y swaps at +100%
    assert said == [
        "2 of 4 verdicts of a against b hold over every value tried; "
        "the nearest change: SSI (volume) at x -50%"
    ]


def test_pair_winners_are_the_verdicts_of_each_pair_alone():
    """The vectorised verdict of every row equals verdicts() on that row's pair
    alone: random tables with ties, missing means, an inactive strategy, metrics
    where less is better and one verdicts() does not judge."""
    from ssisim.results.verdicts import VERDICT_METRICS, pair_winners, verdicts

    rng = np.random.default_rng(7)
    metrics = [m.name for m in VERDICT_METRICS] + ["not_a_verdict_metric"]
    rows = []
    for i in range(400):
        a, b = rng.choice(["a", "b", "idle"], 2, replace=False)
        mean_a = float(rng.integers(0, 4))
        mean_b = [mean_a, float(rng.integers(0, 4)), math.nan][int(rng.integers(0, 3))]
        rows.append(
            {
                "context": "volume",
                "metric": metrics[i % len(metrics)],
                "strategy_a": a,
                "strategy_b": b,
                "n": 4,
                "mean_a": mean_a,
                "mean_b": mean_b,
                "difference": mean_a - mean_b,
                "ci_low": -1.0,
                "ci_high": 1.0,
                "clear": bool(rng.integers(0, 2)),
            }
        )
    table = pd.DataFrame(rows)
    alone = table[list(DIFFERENCE_COLUMNS)]
    pairs = [alone.iloc[i : i + 1] for i in range(len(alone))]  # each row as a table of its own
    for inactive in ((), ("idle",)):
        winners = pair_winners(table, inactive=inactive)
        expected = {}
        for i, pair in zip(table.index, pairs, strict=True):
            found = verdicts(pair, inactive=inactive)
            if found:
                expected[i] = found[0].best if found[0].clear else None
        assert winners.to_dict() == expected

"""Paired verdicts: a winner only when the interval of the paired difference excludes zero."""

from __future__ import annotations

import pandas as pd
import pytest

from ssisim.results.verdicts import (
    DIFFERENCE_COLUMNS,
    VERDICT_METRICS,
    Verdict,
    paired_differences,
    verdict_sentences,
    verdicts,
    write_differences,
)
from ssisim.stats import paired_difference


def _outcomes(b_shift: float, noise: tuple[float, ...]) -> pd.DataFrame:
    rows = []
    for s, shift in (("a", 0.0), ("b", b_shift), ("inactive", -50.0)):
        for r, e in enumerate(noise):
            rows.append(
                {
                    "strategy": s,
                    "context": "volume",
                    "replication": r,
                    "opportunities": 10.0 + shift + (e if s == "b" else 0.0),
                    "hours": 5.0 if s != "inactive" else 0.0,
                    "hours_per_week": 1.0 if s != "inactive" else 0.0,
                    # a value per hour for the inactive one too: left out all the same
                    "value_per_hour_eur": {"a": 100.0, "b": 90.0, "inactive": 1e6}[s] + r,
                }
            )
    return pd.DataFrame(rows)


def test_pairs_by_replication_and_matches_stats():
    table = _outcomes(-3.0, (0.5, -0.5, 0.2, -0.2))
    d = paired_differences(table, metrics=("opportunities",))
    assert tuple(d.columns) == DIFFERENCE_COLUMNS
    row = d[(d.strategy_a == "a") & (d.strategy_b == "b")].iloc[0]
    expected = paired_difference([10.0] * 4, [7.5, 6.5, 7.2, 6.8])
    assert row.difference == pytest.approx(expected.mean)
    assert (row.ci_low, row.ci_high) == pytest.approx((expected.low, expected.high))
    assert bool(row.clear)


def test_a_winner_only_when_the_interval_excludes_zero():
    clear = verdicts(paired_differences(_outcomes(-3.0, (0.5, -0.5, 0.2, -0.2))),
                     inactive=["inactive"])  # fmt: skip
    (opp,) = [v for v in clear if v.metric == "opportunities"]
    assert (opp.best, opp.runner_up, opp.clear) == ("a", "b", True)
    # same means, noise larger than the gap: no winner named
    noisy = paired_differences(_outcomes(-0.1, (3.0, -3.0, 2.0, -2.5)))
    (sentence,) = verdict_sentences(noisy, inactive=["inactive"])
    assert "no clear difference in opportunities between a and b" in sentence
    assert sentence.startswith("In the volume context, ")


def test_an_inactive_routine_is_left_out_of_the_per_hour_verdicts_only():
    """Doing nothing takes the fewest hours: the verdict says so (it used to name
    the fewest among the active routines); only value per hour leaves it out."""
    d = paired_differences(_outcomes(-3.0, (0.5, -0.5, 0.2, -0.2)))
    found = {v.metric: v for v in verdicts(d, inactive=["inactive"])}
    assert found["hours_per_week"].best == "inactive"
    assert found["opportunities"].best == "a"
    assert found["value_per_hour_eur"].best == "a"
    everyone = {v.metric: v for v in verdicts(d)}
    assert everyone["value_per_hour_eur"].best == "inactive"


def test_write_differences(tmp_path):
    path, table = write_differences(tmp_path, _outcomes(-3.0, (0.5, -0.5, 0.2)))
    assert path.name == "differences.csv"
    assert len(pd.read_csv(path)) == len(table) == 3 * 3  # pairs x metrics present


def test_verdicts_of_a_table_read_back_from_csv(tmp_path):
    """differences.csv read back: contexts named by numbers, a row without a context,
    strategies named by numbers (one of them inactive) all give the verdicts of the
    table as written, and pairing by replication gives a table that round-trips."""
    table = _outcomes(-3.0, (0.5, -0.5, 0.2, -0.2))
    table["strategy"] = table["strategy"].map({"a": "1", "b": "2", "inactive": "3"})
    both = pd.concat([table.assign(context="1.5"), table.assign(context="2.5")], ignore_index=True)
    d = paired_differences(both)
    d.to_csv(tmp_path / "d.csv", index=False)
    back = pd.read_csv(tmp_path / "d.csv")  # contexts 1.5, 2.5 and strategies 1, 2, 3 as numbers
    assert back["context"].dtype.kind == "f" and back["strategy_a"].dtype.kind == "i"
    as_written = verdicts(d, inactive=["3"])
    assert verdicts(back, inactive=["3"]) == as_written
    assert {v.context for v in as_written} == {"1.5", "2.5"}
    per_hour = [v for v in as_written if v.metric == "value_per_hour_eur"]
    assert per_hour and all(v.best != "3" for v in per_hour)  # the inactive one left out
    hours = [v for v in as_written if v.metric == "hours_per_week"]
    assert hours and all(v.best == "3" for v in hours)  # but not of the hours
    # a row without a context is left out, as a groupby would
    lost = pd.concat([back, back.iloc[[0]].assign(context=None)], ignore_index=True)
    assert verdicts(lost, inactive=["3"]) == as_written


NOUNS = {
    "ssi": "SSI",
    "opportunities": "opportunities",
    "pipeline_value_eur": "pipeline value",
    "value_per_hour_eur": "pipeline value per hour",
    "hours_per_week": "hours",
    "pitches_received": "pitches received",
}


@pytest.mark.parametrize("metric", [m.name for m in VERDICT_METRICS])
def test_no_clear_difference_reads_naturally_for_every_metric(metric):
    """ "no clear difference in SSI between a and b", never "in higher SSI"."""
    v = Verdict("volume", metric, "a", "b", 1.0, -0.5, 2.5, clear=False)
    text = v.phrase()
    assert text.startswith(f"no clear difference in {NOUNS[metric]} between a and b (")
    assert v.phrase(interval=False, tense="present").startswith(
        f"no clear difference in {NOUNS[metric]} between a and b ("
    )


def test_the_hours_verdict_is_in_hours_per_week_and_says_so():
    """The tables show hours a week: the verdict's difference is in hours a week,
    with its unit (it was the total over the horizon, with no unit)."""
    table = _outcomes(-3.0, (0.5, -0.5, 0.2, -0.2))
    table["hours"] = table["hours_per_week"] * 52  # a year's total
    table.loc[table.strategy == "b", ["hours", "hours_per_week"]] = [52 * 2.5, 2.5]
    table.loc[table.strategy == "a", "hours_per_week"] += [0.1, -0.1, 0.2, 0.0]
    d = paired_differences(table)
    assert "hours" not in set(d["metric"])  # no verdict in hours a year
    (v,) = [v for v in verdicts(d, inactive=["inactive"]) if v.metric == "hours_per_week"]
    assert (v.best, v.runner_up) == ("inactive", "a")
    assert v.difference == pytest.approx(-1.05)
    assert v.phrase() == "inactive took fewer hours than a (−1.1 h/week, 95% CI −1.3 to −0.8)"


def test_a_members_quiet_as_is_routine_still_gets_its_outcome_verdicts():
    """A member's as-is routine of 0.3 h a week against a busier one: every verdict
    but value per hour (which it has none of) compares both."""
    from ssisim.results.outcomes import debate_sentences

    rows = []
    for s, hours, opp in (("as-is", 0.3, 30.0), ("more", 3.0, 10.0)):
        for r, e in enumerate((0.1, -0.2, 0.3, 0.0)):
            rows.append(
                {"strategy": s, "context": "volume", "replication": r, "ssi": 20.0 + 10 * hours + e,
                 "opportunities": opp + e, "pipeline_value_eur": 100 * (opp + e),
                 "value_per_hour_eur": float("nan") if hours < 0.5 else 50.0 + e,
                 "hours_per_week": hours + e / 10, "pitches_received": 5 * hours + e}
            )  # fmt: skip
    (sentence,) = debate_sentences(pd.DataFrame(rows))
    assert "as-is brought more opportunities than more" in sentence
    assert "as-is took fewer hours than more (−2.7 h/week" in sentence
    assert "as-is received fewer pitches than more" in sentence
    assert "pipeline value per hour" not in sentence  # no pair to compare


def test_tied_means_name_the_same_runner_up_in_memory_and_read_back(tmp_path):
    """Two strategies tied on a mean (their difference -2.4e-15 in memory, 0 as written)
    were ranked by the last bits: the terminal and the report named different runner-ups.
    Means equal to 9 digits are a tie, which the strategies' order decides."""
    rows = []
    for s, values in (("c", (12.0, 13.0, 14.0)), ("a", (0.3, 0.2, 0.1)), ("b", (0.1, 0.2, 0.3))):
        for r, v in enumerate(values):
            rows.append({"strategy": s, "context": "volume", "replication": r,
                         "opportunities": v})  # fmt: skip
    d = paired_differences(pd.DataFrame(rows), metrics=("opportunities",))
    means = {r.strategy_a: r.mean_a for r in d.itertuples()} | {
        r.strategy_b: r.mean_b for r in d.itertuples()
    }
    assert means["a"] != means["b"]  # the last bits differ in memory
    path, written = write_differences(tmp_path, pd.DataFrame(rows))
    assert set(written["metric"]) == {"opportunities"}
    (in_memory,) = verdicts(d)
    (read_back,) = verdicts(pd.read_csv(path))
    assert (in_memory.best, in_memory.runner_up) == ("c", "a")
    assert (read_back.best, read_back.runner_up) == ("c", "a")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_bound_that_is_not_zero_never_reads_as_zero(language):
    """A clear difference whose interval's low end is €0.1 read "+€0 to +€346";
    a difference of −0.003 h/week read "−0.0 h/week (95% CI −0.0 to −0.0)"."""
    from ssisim.report.messages import verdict_text

    money = Verdict("complex", "value_per_hour_eur", "a", "b", 173.2, 0.1, 346.3, True)
    hours = Verdict("volume", "hours_per_week", "a", "b", -0.0031, -0.0042, -0.0021, True)
    comma = "," if language == "fr" else "."
    texts = [verdict_text(money, language, "€"), verdict_text(hours, language, "€")]
    if language == "en":
        texts += [money.phrase(), hours.phrase()]
    for text in texts:
        assert f"0{comma}0 " not in text and "€0 " not in text and "+0 €" not in text, text
    assert f"+€0{comma}1 to" in texts[0] or f"+0{comma}1\u00a0€" in texts[0], texts[0]
    assert f"−0{comma}003" in texts[1] and f"−0{comma}004" in texts[1], texts[1]

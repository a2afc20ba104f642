"""The Python API given a sweep's weekly table (every point's rows, as
docs/experiments.md shows how to read it): one line, never points pooled."""

from __future__ import annotations

import pytest

import ssisim
from ssisim.errors import DataError
from ssisim.experiments.store import read_weekly


@pytest.fixture(scope="module")
def sweep_weekly(tmp_path_factory):
    from ssisim.cli.main import main

    out = tmp_path_factory.mktemp("sweep") / "s"
    scenario = out.parent / "s.yaml"
    scenario.write_text(
        "name: s\nseed: 3\nweeks: 3\nreplications: 2\npopulation: {size: 300}\n"
        "strategies: [open-bar, club-select]\n"
        "sweep:\n  grid:\n    strategies.open-bar.invites_per_week: [10, 40]\n"
    )
    main(["sweep", str(scenario), "-q", "--no-figures", "--workers", "1", "--out", str(out)])
    return read_weekly(out), ssisim.load_scenario(scenario)


def test_summarize_and_outcomes_refuse_pooled_points(sweep_weekly):
    weekly, scenario = sweep_weekly
    assert weekly["point"].nunique() == 2
    for call in (
        lambda: ssisim.summarize(weekly, [3]),
        lambda: ssisim.outcomes_table(weekly, scenario.contexts, 3),
    ):
        with pytest.raises(DataError, match=r"holds 2 sweep points .*weekly\[weekly.point == 0\]"):
            call()
    one = weekly[weekly["point"] == 1]
    summary = ssisim.summarize(one, [3])
    assert set(summary["n"]) == {2}  # the point's two replications, not four
    outcomes = ssisim.outcomes_table(one, scenario.contexts, 3)
    assert not outcomes.duplicated(["strategy", "context", "replication"]).any()

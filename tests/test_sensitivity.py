"""Sensitivity: the Sobol' design, the tornado, and what CRN guarantees."""

import re

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import assert_redraws

from ssisim.cli.main import cli, main
from ssisim.errors import ScenarioError
from ssisim.experiments.sensitivity import (
    SOBOL_COLUMNS,
    TORNADO_COLUMNS,
    default_outputs,
    sensitivity_plan,
)
from ssisim.scenario.loading import load_scenario

TEXT = """\
name: sens-test
seed: 6
weeks: 3
population: {size: 300}
strategies: [open-bar]
sensitivity:
  samples: 8
  replications: 1
  parameters:
    strategies.open-bar.invites_per_week: [10, 60]
    platform.connection_limit: {low: 29000, high: 30000, integer: true}
"""


@pytest.fixture
def scenario(tmp_path):
    p = tmp_path / "sens.yaml"
    p.write_text(TEXT)
    return p


def test_design_layout(scenario):
    plan, design = sensitivity_plan(load_scenario(scenario), scenario)
    assert design.sobol_points == 8 * (2 + 2)
    assert len(plan.points) == design.sobol_points + 1 + 2 * 2
    assert design.outputs == default_outputs()
    assert design.outputs[:5] == ("ssi", "brand", "people", "insights", "relationships")
    assert plan.column_kinds == (
        ("strategies.open-bar.invites_per_week", "float"),
        ("platform.connection_limit", "int"),
    )
    base = dict(plan.points[design.tornado_point(0, "baseline")].values)
    assert base == {
        "strategies.open-bar.invites_per_week": 100.0,
        "platform.connection_limit": 30000,
    }
    low = dict(plan.points[design.tornado_point(0, "low")].values)
    assert low["strategies.open-bar.invites_per_week"] == 10.0
    assert all(p.scenario.replications == 1 for p in plan.points)
    values = np.array([[v for _, v in p.values] for p in plan.points[: design.sobol_points]])
    assert values[:, 0].min() >= 10 and values[:, 0].max() <= 60


def test_sensitivity_end_to_end(tmp_path, scenario):
    out = tmp_path / "o"
    res = CliRunner().invoke(
        cli, ["sensitivity", str(scenario), "--out", str(out), "--workers", "2"]
    )
    assert res.exit_code == 0, res.output
    assert re.search(r"open-bar: strategies\.open-bar\.invites_per_week moves ssi most", res.output)
    sobol = pd.read_csv(out / "sobol.csv")
    assert tuple(sobol.columns) == SOBOL_COLUMNS
    assert len(sobol) == len(default_outputs()) * 2
    # CRN: a parameter that cannot matter in 3 weeks (the connection limit)
    # leaves every run unchanged, so its indices are exactly 0
    idle = sobol[sobol.parameter == "platform.connection_limit"]
    assert (idle.ST == 0).all() and (idle.S1 == 0).all()
    ssi = sobol[
        (sobol.output == "ssi") & (sobol.parameter == "strategies.open-bar.invites_per_week")
    ]
    # the only parameter that matters: its total index is 1 in expectation, but
    # 8 samples estimate it loosely (0.29 to 1.66 over seeds 6, 1, 2, 3, intervals
    # of +-0.3 to 0.8): positive, and above the idle one, is what this size can show
    assert ssi.ST.iloc[0] > 0.1 and ssi.ST_conf.iloc[0] > 0
    tornado = pd.read_csv(out / "tornado.csv")
    assert tuple(tornado.columns) == TORNADO_COLUMNS
    row = tornado[(tornado.output == "ssi") & (tornado.parameter == "platform.connection_limit")]
    assert row.swing.iloc[0] == 0
    samples = pd.read_csv(out / "samples.csv")
    assert len(samples) == 32 + 5 and set(samples.design) >= {"sobol", "baseline"}
    assert_redraws(out, ["figures/sobol.png", "figures/tornado.png"])
    # 8 samples are too few: the terminal says so, as the figure and the report do
    from ssisim.plots.experiments import sobol_warnings

    warnings = sobol_warnings(sobol)
    assert warnings
    for line in warnings:
        assert f"warning: {line}" in res.stderr


def test_a_scenario_without_parameters_is_refused(tmp_path, capsys):
    p = tmp_path / "none.yaml"
    p.write_text(TEXT.split("sensitivity:")[0])
    with pytest.raises(SystemExit) as info:
        main(["sensitivity", str(p), "--out", str(tmp_path / "o")])
    assert info.value.code == 2
    assert "sensitivity.parameters: declare the uncertain parameters" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_bad_parameters_name_their_line(tmp_path):
    p = tmp_path / "bad.yaml"
    p.write_text(TEXT.replace("platform.connection_limit:", "platform.conection_limit:"))
    with pytest.raises(
        ScenarioError,
        match=r"bad\.yaml:11: sensitivity\.parameters\.platform\.conection_limit: unknown key \(did you mean 'connection_limit'\?\)",
    ):
        sensitivity_plan(load_scenario(p), p)
    p.write_text(TEXT.replace("samples: 8", "samples: 10"))
    with pytest.raises(
        ScenarioError, match=r"bad\.yaml:7: sensitivity\.samples: must be a power of 2"
    ):
        load_scenario(p)

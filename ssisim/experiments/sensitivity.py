"""Which assumption moves the answer most: Sobol' indices and a tornado.

The scenario declares its uncertain parameters:

.. code-block:: yaml

    sensitivity:
      samples: 64            # Saltelli's N, a power of 2
      replications: 2        # runs per design point, averaged (common random numbers)
      parameters:
        strategies.open-bar.invites_per_week: [20, 100]
        answers.acceptance.relevance_floor: {low: 0.3, high: 0.8}
        scoring.activity_half_life_weeks: {low: 2, high: 8, distribution: loguniform}

**Sobol' indices** (SALib): Saltelli's design of N x (D + 2) points for D
parameters (first-order and total indices, no second order), drawn on the
unit cube with the design stream of the seed contract and mapped to each
parameter's distribution (:func:`ssisim.experiments.sweep.transform`). At every point
each strategy runs ``replications`` times and the outputs at the horizon
(``ssi``, the four pillars, and ``opportunities`` and ``hours`` when the model
records them) are averaged. ``S1`` is the share of the output's variance due
to the parameter alone, ``ST`` its share including every interaction; both
come with 95% bootstrap confidence intervals (``S1_conf``, ``ST_conf``, half
widths).

Why averaged replications under common random numbers: every design point
uses the same run streams (replication r is the same stream at every point,
see :mod:`ssisim.engine.driver`), so the output is a deterministic function of the
parameters and Saltelli's estimators see no simulation noise (independent
streams would add noise that inflates the total indices as spurious
interaction). Averaging a few replications makes that function the expected
output rather than one particular history; raise ``replications`` when the
indices' intervals are wide for that reason rather than for lack of samples.

**Tornado**: one at a time, each parameter at its low and then its high end,
the others at the scenario's values (the defaults), same replications and
streams; the swing is the difference between the two.

Files: ``sobol.csv``, ``tornado.csv``, ``samples.csv`` (every design point,
its parameter values and the averaged outputs), ``figures/sobol.png`` and
``figures/tornado.png``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ssisim.engine.plan import Plan, auto_chunk_runs
from ssisim.errors import ScenarioError, SsisimError
from ssisim.experiments.store import ResultStore
from ssisim.experiments.sweep import axis_lines, build_points, check_values, lookup, transform
from ssisim.records import METRIC_COLUMNS
from ssisim.results.files import atomic_text, write_csv
from ssisim.scenario.schema import PILLARS, Scenario
from ssisim.seeds import design_rng

__all__ = [
    "SOBOL_COLUMNS",
    "TORNADO_COLUMNS",
    "Design",
    "analyze",
    "default_outputs",
    "sensitivity_plan",
]

SOBOL_COLUMNS = ("strategy", "output", "parameter", "S1", "S1_conf", "ST", "ST_conf")
TORNADO_COLUMNS = (
    "strategy", "output", "parameter", "low", "high", "at_baseline", "at_low", "at_high", "swing",
)  # fmt: skip
SOBOL_FILE = "sobol.csv"
TORNADO_FILE = "tornado.csv"
SAMPLES_FILE = "samples.csv"
_LATER_OUTPUTS = ("opportunit", "hours")


def default_outputs() -> tuple[str, ...]:
    """``ssi``, the pillars, then any metric named ``opportunities...`` or
    ``hours...`` that the model records."""
    later = tuple(m for m in METRIC_COLUMNS if m.startswith(_LATER_OUTPUTS))
    return ("ssi", *PILLARS, *later)


@dataclass(frozen=True)
class Design:
    """The layout of a sensitivity plan: Sobol' points first, then the tornado's."""

    parameters: tuple[str, ...]
    sobol_points: int
    outputs: tuple[str, ...]
    baseline: tuple[float, ...]
    lows: tuple[float, ...]
    highs: tuple[float, ...]

    def tornado_point(self, parameter: int, side: str) -> int:
        """Index of the baseline point (``side`` "baseline") or a parameter's end."""
        first = self.sobol_points
        if side == "baseline":
            return first
        return first + 1 + 2 * parameter + (0 if side == "low" else 1)


def sensitivity_plan(
    base: Scenario, source: str | Path | None = None, chunk_runs: int | None = None
) -> tuple[Plan, Design]:
    """The Sobol' design and the tornado's points, validated, as one plan.

    Raises
    ------
    ScenarioError
        No ``sensitivity.parameters``, or a parameter's range does not give a
        valid scenario (one line naming the entry).
    """
    spec = base.sensitivity
    lines = axis_lines(source)
    if not spec.parameters:
        raise ScenarioError(
            f"{source or '<scenario>'}:1: sensitivity.parameters: declare the uncertain "
            "parameters, e.g. sensitivity: {parameters: {strategies.open-bar.invites_per_week: [20, 100]}}"
        )
    names = tuple(spec.parameters)
    specs = [spec.parameters[k] for k in names]
    lows = [_cast(transform(np.array([0.0]), s)[0], s.integer) for s in specs]
    highs = [_cast(transform(np.array([1.0]), s)[0], s.integer) for s in specs]
    for key, low, high in zip(names, lows, highs, strict=True):
        check_values(base, key, [low, high], f"sensitivity.parameters.{key}", source, lines)
    baseline = []
    for key in names:
        value = lookup(base, key)
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ScenarioError(
                f"{source or '<scenario>'}:{lines.get(('sensitivity', 'parameters', key), 1)}: "
                f"sensitivity.parameters.{key}: not a number in the scenario (got {value!r})"
            )
        baseline.append(value)

    from SALib.sample import sobol

    seed = spec.seed if spec.seed is not None else base.seed
    problem = {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}
    seed_int = int(design_rng(seed, 1).integers(2**31))
    unit = sobol.sample(problem, spec.samples, calc_second_order=False, seed=seed_int)
    values = np.column_stack([transform(unit[:, j], s) for j, s in enumerate(specs)])
    rows: list[dict[str, float | int]] = [
        {k: _cast(values[i, j], specs[j].integer) for j, k in enumerate(names)}
        for i in range(len(values))
    ]
    rows.append(dict(zip(names, baseline, strict=True)))
    for j, key in enumerate(names):
        for end in (lows[j], highs[j]):
            rows.append({**dict(zip(names, baseline, strict=True)), key: end})
    points, kinds = build_points(
        base, rows, names, source=source, where="sensitivity", replications=spec.replications
    )

    size = chunk_runs or base.execution.chunk_runs or auto_chunk_runs(points)
    design = Design(
        names,
        len(values),
        spec.outputs or default_outputs(),
        tuple(float(b) for b in baseline),
        tuple(float(v) for v in lows),
        tuple(float(v) for v in highs),
    )
    return Plan(points, size, kinds), design


def _cast(value: float, integer: bool) -> float | int:
    return round(float(value)) if integer else float(value)


def horizon_means(store: ResultStore, outputs: Sequence[str]) -> pd.DataFrame:
    """Per point and strategy, each output at the horizon, averaged over replications."""
    frames = []
    for point in store.plan.points:
        frame = store.read_point(point.index, ["strategy", "replication", "week", *outputs])
        if frame is None:
            raise SsisimError(f"{store.root}: point {point.index} has no results; resume the run")
        last = frame[frame["week"] == point.scenario.weeks]
        means = last.groupby("strategy", sort=False)[list(outputs)].mean().reset_index()
        means.insert(0, "point", point.index)
        frames.append(means)
    return pd.concat(frames, ignore_index=True)


def analyze(
    store: ResultStore, design: Design, seed: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Sobol' indices, the tornado and the design points' outputs; written as CSV.

    Returns
    -------
    sobol, tornado, samples : pandas.DataFrame
        Columns :data:`SOBOL_COLUMNS`, :data:`TORNADO_COLUMNS`, and
        ``point, design, <parameters>, strategy, <outputs>``.
    """
    from SALib.analyze import sobol as sobol_analyze

    plan = store.plan
    outputs = design.outputs
    means = horizon_means(store, outputs)
    strategies = [s.name for s in plan.points[0].scenario.strategies]
    problem = {
        "num_vars": len(design.parameters),
        "names": list(design.parameters),
        "bounds": [[0.0, 1.0]] * len(design.parameters),
    }
    sobol_rows = []
    tornado_rows = []
    for strategy in strategies:
        mine = means[means["strategy"] == strategy].set_index("point")
        for output in outputs:
            y = mine[output].reindex(range(design.sobol_points)).to_numpy(dtype=float)
            if np.all(np.isfinite(y)) and np.ptp(y) > 0:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    res = sobol_analyze.analyze(
                        problem, y, calc_second_order=False, conf_level=0.95, seed=seed
                    )
                cells = [res["S1"], res["S1_conf"], res["ST"], res["ST_conf"]]
            else:  # a constant output: no variance to share out
                zero = np.zeros(len(design.parameters))
                cells = [zero, zero, zero, zero]
            for j, name in enumerate(design.parameters):
                sobol_rows.append([strategy, output, name, *(float(c[j]) for c in cells)])
            column = mine[output].astype(float)
            at_base = float(column.loc[design.tornado_point(0, "baseline")])
            for j, name in enumerate(design.parameters):
                low = float(column.loc[design.tornado_point(j, "low")])
                high = float(column.loc[design.tornado_point(j, "high")])
                tornado_rows.append(
                    [
                        strategy,
                        output,
                        name,
                        design.lows[j],
                        design.highs[j],
                        at_base,
                        low,
                        high,
                        abs(high - low),
                    ]
                )
    sobol_table = pd.DataFrame(sobol_rows, columns=list(SOBOL_COLUMNS))
    tornado = pd.DataFrame(tornado_rows, columns=list(TORNADO_COLUMNS))
    kinds = ["sobol"] * design.sobol_points + ["baseline"]
    for name in design.parameters:
        kinds += [f"low {name}", f"high {name}"]
    points = pd.DataFrame(
        [{"point": p.index, "design": kinds[p.index], **dict(p.values)} for p in plan.points]
    )
    samples = points.merge(means, on="point", how="left")
    for name, table in (
        (SOBOL_FILE, sobol_table),
        (TORNADO_FILE, tornado),
        (SAMPLES_FILE, samples),
    ):
        with atomic_text(store.root / name) as f:
            write_csv(table, f)
    return sobol_table, tornado, samples

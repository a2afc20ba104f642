"""Sweeps: from a scenario's ``sweep:`` block to one validated scenario per point.

A sweep varies scenario keys by their dotted path (as ``--set`` does):

.. code-block:: yaml

    sweep:
      grid:                                   # every combination
        strategies.open-bar.invites_per_week: "20:100:20"   # 20, 40, ..., 100
        platform.invite_cap_per_week: [100, null]
      sample:                                 # times n samples over ranges
        method: latin                         # or random
        n: 16
        ranges:
          answers.acceptance.relevance_floor: [0.3, 0.7]
          population.size: {low: 5000, high: 20000, integer: true}

The points are the grid's combinations (first key outermost) times the
samples (Latin hypercube from ``scipy.stats.qmc``, or independent uniforms),
drawn from the design stream of the seed contract (:mod:`ssisim.engine.driver`).

Or, to see which assumption changes a verdict and how far it must move, one
key at a time (alone: not with ``grid`` or ``sample``):

.. code-block:: yaml

    sweep:
      one_at_a_time:                          # values as a grid axis takes them
        answers.leads.introduction_rate: [0.001, 0.002, 0.008, 0.016]
        strategies.open-bar.invites_per_week: "25:200:25"

Point 0 is the scenario as written (the baseline); then, key by key in the
order written, one point per value with only that key changed (a value equal
to the scenario's own is the baseline point, not a point of its own). Every
point has every key's column, the keys not varied at their baseline value;
:mod:`ssisim.results.flips` finds where the verdicts change.
Every point is a full scenario, validated like any other; a key or value
that makes it invalid is reported on one line naming the sweep entry,
``FILE:LINE: sweep.grid.KEY: what is wrong``.

The swept values become columns of the results, named by their dotted key:
integers, numbers, booleans or text (lists and ``null`` are written as YAML).
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import ValidationError

from ssisim.engine.plan import Plan, Point, auto_chunk_runs
from ssisim.errors import ScenarioError
from ssisim.scenario.loading import apply_overrides, format_error, line_map
from ssisim.scenario.schema import Scenario, Uncertain
from ssisim.seeds import design_rng

__all__ = [
    "axis_lines",
    "build_points",
    "check_values",
    "lookup",
    "one_at_a_time_changes",
    "one_at_a_time_rows",
    "sweep_plan",
    "transform",
]

_MARK = "\x00swept\x00"
_RESET = ("sweep", "sensitivity")


def transform(unit: np.ndarray, spec: Uncertain) -> np.ndarray:
    """Map uniform draws on [0, 1) to ``spec``'s distribution on [low, high].

    Inverse-CDF transforms are monotone, so Latin-hypercube strata and Sobol'
    designs keep their properties (and Sobol' indices their meaning).
    """
    u = np.clip(np.asarray(unit, dtype=float), 0.0, 1.0)
    low, high = spec.low, spec.high
    if spec.distribution == "uniform":
        x = low + u * (high - low)
    elif spec.distribution == "loguniform":
        x = np.exp(np.log(low) + u * (np.log(high) - np.log(low)))
    elif spec.distribution == "triangular":
        mode = spec.mode if spec.mode is not None else (low + high) / 2
        c = (mode - low) / (high - low)
        left = low + np.sqrt(u * (high - low) * (mode - low))
        right = high - np.sqrt((1 - u) * (high - low) * (high - mode))
        x = np.where(u < c, left, right)
    else:  # normal, truncated to [low, high]
        from scipy.special import ndtr, ndtri

        mean = spec.mode if spec.mode is not None else (low + high) / 2
        sd = spec.sd if spec.sd is not None else (high - low) / 4
        a, b = ndtr((low - mean) / sd), ndtr((high - mean) / sd)
        x = mean + sd * ndtri(a + u * (b - a))
    x = np.clip(x, low, high)
    if spec.integer:
        x = np.clip(np.rint(x), np.ceil(low), np.floor(high))
    return x


def _python(value: Any, integer: bool) -> Any:
    return int(value) if integer else float(value)


# --------------------------------------------------------------------------- lines


def axis_lines(source: str | Path | None) -> dict[tuple[Any, ...], int]:
    """Line numbers of the scenario file's keys (for error messages); empty
    when the file cannot be read again."""

    if source is None:
        return {}
    try:
        text = Path(source).read_text(encoding="utf-8")
        return {
            k: v
            for k, v in line_map(yaml.compose(text, Loader=yaml.SafeLoader)).items()
            if isinstance(v, int)
        }
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}


def _origin(
    source: str | Path | None, lines: Mapping[tuple[Any, ...], int], path: tuple[Any, ...]
) -> str:
    for n in range(len(path), -1, -1):
        if path[:n] in lines:
            return f"{source}:{lines[path[:n]]}"
    return f"{source or '<scenario>'}:1"


# --------------------------------------------------------------------------- points


def _yaml_value(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=10**9)
    return text.removesuffix("...\n").strip()


def _base_data(base: Scenario) -> dict[str, Any]:
    data = base.model_dump(mode="json")
    for key in _RESET:
        data.pop(key, None)
    return data


def _apply(data: dict[str, Any], values: Mapping[str, Any], label: str) -> dict[str, Any]:
    return apply_overrides(data, [(f"{k}={_yaml_value(v)}", label) for k, v in values.items()])


def check_values(
    base: Scenario,
    key: str,
    values: Sequence[Any],
    where: str,
    source: str | Path | None = None,
    lines: Mapping[tuple[Any, ...], int] | None = None,
) -> None:
    """Check that setting ``key`` to each value gives a valid scenario.

    Raises
    ------
    ScenarioError
        ``FILE:LINE: WHERE: what is wrong (got VALUE)``, the line being the
        entry's in the scenario file.
    """

    lines = lines or {}
    origin = _origin(source, lines, tuple(where.split(".", 2)))
    data = _base_data(base)
    for value in dict.fromkeys(map(_yaml_value, values)):
        parsed = yaml.safe_load(value)
        try:
            trial = apply_overrides(data, [(f"{key}={value}", _MARK)])
        except ScenarioError as exc:
            raise ScenarioError(f"{origin}: {where}: {_strip(str(exc), key)}") from None
        try:
            Scenario.model_validate(trial)
        except ValidationError as exc:
            overridden: dict[tuple[Any, ...], int | str] = {tuple(_resolved(trial, key)): _MARK}
            message = format_error(exc, trial, overridden, str(source or "<scenario>"))
            if message.startswith(_MARK + ": "):
                raise ScenarioError(f"{origin}: {where}: {_strip(message, key)}") from None
            raise ScenarioError(
                f"{origin}: {where}: {parsed!r} makes the scenario invalid: "
                f"{message.split(': ', 1)[-1]}"
            ) from None


def _strip(message: str, key: str) -> str:
    message = message.removeprefix(_MARK + ": ")
    return message.removeprefix(key + ": ")


def _resolved(data: Any, key: str) -> list[Any]:
    """``key``'s path with list entries as positions (as validation errors give them)."""
    path: list[Any] = []
    node = data
    for part in key.split("."):
        if isinstance(node, list):
            index = next(
                (i for i, e in enumerate(node) if isinstance(e, Mapping) and e.get("name") == part),
                int(part) if part.lstrip("-").isdigit() else None,
            )
            path.append(index)
            node = (
                node[index] if isinstance(index, int) and -len(node) <= index < len(node) else None
            )
        else:
            path.append(part)
            node = node.get(part) if isinstance(node, Mapping) else None
    return path


def lookup(base: Scenario, key: str) -> Any:
    """The value of a dotted key in a scenario (strategies by name), or None."""
    node: Any = base.model_dump(mode="json")
    for part in key.split("."):
        if isinstance(node, list):
            node = next((e for e in node if isinstance(e, Mapping) and e.get("name") == part), None)
        elif isinstance(node, Mapping):
            node = node.get(part)
        else:
            return None
    return node


def column_kind(values: Sequence[Any]) -> str:
    """``int``, ``float``, ``bool`` or ``str``: how a swept column is stored."""
    if values and all(isinstance(v, bool) for v in values):
        return "bool"
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "int"
    if values and all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "float"
    if values and all(isinstance(v, str) for v in values):
        return "str"
    return "str"


def _cell(value: Any, kind: str) -> Any:
    if kind == "float":
        return float(value)
    if kind == "str" and not isinstance(value, str):
        return _yaml_value(value)
    return value


def build_points(
    base: Scenario,
    rows: Sequence[Mapping[str, Any]],
    columns: Sequence[str],
    *,
    source: str | Path | None = None,
    where: str = "sweep",
    replications: int | None = None,
) -> tuple[tuple[Point, ...], tuple[tuple[str, str], ...]]:
    """One validated scenario per row of swept values.

    Parameters
    ----------
    base : Scenario
        The scenario the values are applied to.
    rows : sequence of mapping
        Each point's values by dotted key.
    columns : sequence of str
        The swept keys, in column order.
    source : str or Path, optional
        The scenario file, for error messages.
    where : str
        The block errors name.
    replications : int, optional
        Replace the scenario's replications at every point.

    Returns
    -------
    points, column_kinds
    """

    data = _base_data(base)
    if replications is not None:
        data["replications"] = replications
    kinds = tuple((c, column_kind([row[c] for row in rows])) for c in columns)
    points = []
    lines = None
    for i, row in enumerate(rows):
        trial = _apply(data, row, _MARK) if row else copy.deepcopy(data)
        try:
            scenario = Scenario.model_validate(trial)
        except ValidationError as exc:
            lines = lines if lines is not None else axis_lines(source)
            message = format_error(exc, trial, {}, str(source or "<scenario>"))  # no lines
            shown = ", ".join(f"{k}={v!r}" for k, v in row.items())
            origin = _origin(source, lines, tuple(where.split(".")))
            raise ScenarioError(
                f"{origin}: {where}: point {i} ({shown}) gives an "
                f"invalid scenario: {message.split(': ', 1)[-1]}"
            ) from None
        values = tuple((c, _cell(row[c], kind)) for c, kind in kinds)
        points.append(Point(i, scenario, values))
    return tuple(points), kinds


def _same(a: Any, b: Any) -> bool:
    """Equal as scenario values: 50 and 50.0 are the same number, True is not 1."""
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers):
        if isinstance(a, bool) or isinstance(b, bool):
            return a is b
        return float(a) == float(b)
    return bool(a == b)


def one_at_a_time_rows(
    base: Scenario,
    source: str | Path | None = None,
    lines: Mapping[tuple[Any, ...], int] | None = None,
) -> list[dict[str, Any]]:
    r"""The points of a ``sweep.one_at_a_time`` block, as rows of values by key.

    Row 0 is the baseline: every key at the scenario's own value. Then, key
    by key in the order written, one row per value with only that key
    changed; a value equal to the scenario's own is the baseline and gets no
    row of its own.

    Raises
    ------
    ScenarioError
        A value does not give a valid scenario, or is listed twice;
        ``FILE:LINE: sweep.one_at_a_time.KEY: ...`` at the key's line.

    Examples
    --------
    >>> from ssisim.scenario.loading import parse_scenario
    >>> sc = parse_scenario(
    ...     "name: x\nstrategies: [open-bar]\nsweep:\n  one_at_a_time:\n"
    ...     "    answers.leads.inbound_rate: [0.01, 0.02, 0.04]\n"
    ...     "    weeks: [26]\n")
    >>> for row in one_at_a_time_rows(sc):
    ...     print(row)
    {'answers.leads.inbound_rate': 0.02, 'weeks': 52}
    {'answers.leads.inbound_rate': 0.01, 'weeks': 52}
    {'answers.leads.inbound_rate': 0.04, 'weeks': 52}
    {'answers.leads.inbound_rate': 0.02, 'weeks': 26}
    """
    lines = axis_lines(source) if lines is None else lines
    keys = base.sweep.one_at_a_time
    for key, axis in keys.items():
        where = f"sweep.one_at_a_time.{key}"
        check_values(base, key, axis.values, where, source, lines)
        for i, value in enumerate(axis.values):
            if any(_same(value, earlier) for earlier in axis.values[:i]):
                raise ScenarioError(
                    f"{_origin(source, lines, ('sweep', 'one_at_a_time', key))}: {where}: "
                    f"{value!r} is listed twice (got {list(axis.values)!r})"
                )
    baseline = {key: lookup(base, key) for key in keys}
    rows = [baseline]
    for key, axis in keys.items():
        rows += [
            {**baseline, key: value} for value in axis.values if not _same(value, baseline[key])
        ]
    return rows


def one_at_a_time_changes(plan: Plan) -> dict[int, tuple[str, Any] | None]:
    """What each point of a one-at-a-time plan changes: ``(key, value)``, or
    None for the baseline (point 0)."""
    base = dict(plan.points[0].values)
    out: dict[int, tuple[str, Any] | None] = {}
    for point in plan.points:
        moved = [(k, v) for k, v in point.values if not _same(v, base[k])]
        out[point.index] = moved[0] if moved else None
    return out


def sweep_plan(
    base: Scenario, source: str | Path | None = None, chunk_runs: int | None = None
) -> Plan:
    """Expand a scenario's ``sweep:`` block into a plan, validating every point.

    Parameters
    ----------
    base : Scenario
        A scenario with a sweep (``base.sweep.active``); without one, the plan
        is the scenario alone (one point).
    source : str or Path, optional
        The scenario file, for the line numbers of errors.
    chunk_runs : int, optional
        Runs per results file; default ``execution.chunk_runs``, else automatic.

    Returns
    -------
    Plan

    Raises
    ------
    ScenarioError
        A sweep key or value does not give a valid scenario; one line.
    """
    sweep = base.sweep
    lines = axis_lines(source)
    if sweep.one_at_a_time:
        rows = one_at_a_time_rows(base, source, lines)
        points, kinds = build_points(
            base, rows, list(sweep.one_at_a_time), source=source, where="sweep.one_at_a_time"
        )
        size = chunk_runs or base.execution.chunk_runs or auto_chunk_runs(points)
        return Plan(points, size, kinds)
    for key, axis in sweep.grid.items():
        check_values(base, key, axis.values, f"sweep.grid.{key}", source, lines)
    for key, spec in sweep.sample.ranges.items():
        ends = [_python(transform(np.array([u]), spec)[0], spec.integer) for u in (0.0, 1.0)]
        check_values(base, key, ends, f"sweep.sample.ranges.{key}", source, lines)

    grid_keys = list(sweep.grid)
    combos = list(itertools.product(*(sweep.grid[k].values for k in grid_keys))) or [()]
    range_keys = list(sweep.sample.ranges)
    samples: list[dict[str, Any]] = [{}]
    if sweep.sample.n and range_keys:
        seed = sweep.sample.seed if sweep.sample.seed is not None else base.seed
        rng = design_rng(seed, 0)
        if sweep.sample.method == "latin":
            from scipy.stats import qmc

            unit = qmc.LatinHypercube(d=len(range_keys), rng=rng).random(sweep.sample.n)
        else:
            unit = rng.random((sweep.sample.n, len(range_keys)))
        columns = {
            k: transform(unit[:, j], sweep.sample.ranges[k]) for j, k in enumerate(range_keys)
        }
        samples = [
            {k: _python(columns[k][i], sweep.sample.ranges[k].integer) for k in range_keys}
            for i in range(sweep.sample.n)
        ]
    rows = [
        {**dict(zip(grid_keys, combo, strict=True)), **sample}
        for combo in combos
        for sample in samples
    ]
    points, kinds = build_points(base, rows, [*grid_keys, *range_keys], source=source)
    size = chunk_runs or base.execution.chunk_runs or auto_chunk_runs(points)
    return Plan(points, size, kinds)

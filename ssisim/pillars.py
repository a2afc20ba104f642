"""Pillar arithmetic: from activity and outcomes to the four scores and the SSI.

Pure functions: no SimPy, no randomness. Every function accepts scalars or
numpy arrays (one value per member), so the same code scores one seller in a
run and a whole population at once.

Each pillar is ``25 * sum_k w_k s_k(x_k) / sum_k w_k`` where ``x_k`` is an
input (see :data:`INPUTS`), ``w_k`` its weight and ``s_k`` its saturation:

- counts: ``s(x) = 1 - exp(-x / scale)``: ``scale`` is the amount that earns
  63% of the input's points; twice that earns 86%;
- shares (``profile_completeness``, ``acceptance_rate``): ``s(x) = min(x / scale, 1)``:
  ``scale`` is the share that earns full points.

The inputs marked Sales Navigator only are zero without it, so the total
without it stays below :func:`ceiling_without_sales_navigator`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from ssisim.scenario.schema import Scoring

__all__ = [
    "INPUTS",
    "SALES_NAVIGATOR_INPUTS",
    "SHARE_INPUTS",
    "ScalarScorer",
    "ceiling_without_sales_navigator",
    "input_score",
    "pillar_scores",
]

INPUTS: Mapping[str, tuple[str, ...]] = {
    "brand": ("profile_completeness", "posts", "engagement", "endorsements"),
    "people": (
        "searches",
        "profile_views",
        "relevant_connections",
        "acceptance_rate",
        "lead_tools",
    ),
    "insights": ("shares", "comments", "replies", "inmail"),
    "relationships": (
        "decision_makers",
        "multi_dm_accounts",
        "colleagues",
        "strong_ties",
        "teamlink",
    ),
}
"""The inputs of each pillar, in the order of ``docs/model.md``'s table."""

SHARE_INPUTS: frozenset[str] = frozenset({"profile_completeness", "acceptance_rate"})
"""Inputs that are shares in [0, 1] and saturate linearly."""

SALES_NAVIGATOR_INPUTS: frozenset[tuple[str, str]] = frozenset(
    {("people", "lead_tools"), ("insights", "inmail"), ("relationships", "teamlink")}
)
"""(pillar, input) pairs that only Sales Navigator can move."""

MAX_PILLAR = 25.0


def input_score(x: Any, scale: float, share: bool = False) -> np.ndarray:
    """Saturate one input to [0, 1].

    Parameters
    ----------
    x : float or array_like
        The input's value (a count per week, a stock, or a share); negative
        values count as zero.
    scale : float
        Saturation scale, in the input's unit (> 0).
    share : bool
        Linear saturation ``min(x / scale, 1)`` instead of ``1 - exp(-x / scale)``.

    Returns
    -------
    numpy.ndarray
        Scores in [0, 1], same shape as ``x``.

    Examples
    --------
    >>> float(input_score(2.0, 2.0))  # one scale earns 1 - 1/e
    0.6321205588285577
    >>> float(input_score(0.3, 0.5, share=True))
    0.6
    """
    x = np.maximum(np.asarray(x, dtype=np.float64), 0.0)
    if share:
        return np.minimum(x / scale, 1.0)
    return -np.expm1(-x / scale)


def pillar_scores(
    inputs: Mapping[str, Mapping[str, Any]], scoring: Scoring
) -> dict[str, np.ndarray]:
    """Score the four pillars and their sum.

    Parameters
    ----------
    inputs : mapping
        ``inputs[pillar][input]``: a value or an array per member; a missing
        input counts as zero (e.g. Sales Navigator inputs without it).
    scoring : Scoring
        Weights and saturation scales.

    Returns
    -------
    dict
        ``brand``, ``people``, ``insights``, ``relationships`` (each 0-25) and
        ``ssi`` (0-100), as float arrays broadcast to the inputs' shape.
    """
    out: dict[str, np.ndarray] = {}
    total: np.ndarray | float = 0.0
    for pillar, names in INPUTS.items():
        params = getattr(scoring, pillar)
        acc: np.ndarray | float = 0.0
        weight_sum = 0.0
        for name in names:
            p = getattr(params, name)
            weight_sum += p.weight
            if p.weight == 0.0 or name not in inputs.get(pillar, {}):
                continue
            acc = acc + p.weight * input_score(inputs[pillar][name], p.scale, name in SHARE_INPUTS)
        score = np.asarray(MAX_PILLAR * np.asarray(acc) / weight_sum, dtype=np.float64)
        out[pillar] = score
        total = total + score
    out["ssi"] = np.asarray(total, dtype=np.float64)
    return out


class ScalarScorer:
    """:func:`pillar_scores` for one member's scalar inputs, the weights read once.

    A run scores one member once a week; :func:`pillar_scores` works on
    arrays (every member of a population at once) and costs tens of numpy
    calls on scalars. This does the same arithmetic, in the same order, on
    Python floats: the scores are equal to the last bit where numpy's
    ``expm1`` is the C library's (a test checks agreement to 1e-14; numpy's
    SIMD routines on some CPUs may differ in the last bit).

    Examples
    --------
    >>> from ssisim.scenario.schema import Scoring
    >>> scorer = ScalarScorer(Scoring())
    >>> inputs = {"brand": {"posts": 2.0, "profile_completeness": 1.0}}
    >>> scorer(inputs)["ssi"] == float(pillar_scores(inputs, Scoring())["ssi"])
    True
    """

    def __init__(self, scoring: Scoring) -> None:
        self.plan: list[tuple[str, float, list[tuple[str, float, float, bool]]]] = []
        for pillar, names in INPUTS.items():
            params = getattr(scoring, pillar)
            terms = []
            weight_sum = 0.0
            for name in names:
                p = getattr(params, name)
                weight_sum += p.weight
                if p.weight != 0.0:
                    terms.append((name, p.weight, p.scale, name in SHARE_INPUTS))
            self.plan.append((pillar, weight_sum, terms))

    def __call__(self, inputs: Mapping[str, Mapping[str, float]]) -> dict[str, float]:
        """The four pillars (0-25) and ``ssi`` (0-100) of one member's inputs."""
        out: dict[str, float] = {}
        total = 0.0
        for pillar, weight_sum, terms in self.plan:
            given = inputs.get(pillar, {})
            acc = 0.0
            for name, weight, scale, share in terms:
                if name not in given:
                    continue
                x = max(float(given[name]), 0.0)
                acc = acc + weight * (min(x / scale, 1.0) if share else -math.expm1(-x / scale))
            score = MAX_PILLAR * acc / weight_sum if weight_sum else math.nan
            out[pillar] = score
            total = total + score
        out["ssi"] = total
        return out


def ceiling_without_sales_navigator(scoring: Scoring) -> float:
    """The highest SSI reachable without Sales Navigator, every other input saturated.

    The three Sales Navigator inputs (lead tools, InMail, TeamLink) weigh
    0.20 each by default, so a member without it can reach 85.9 at most
    (C4: 100 is out of reach without Sales Navigator).

    Examples
    --------
    >>> from ssisim.scenario.schema import Scoring
    >>> round(ceiling_without_sales_navigator(Scoring()), 2)
    85.93
    """
    lost = 0.0
    for pillar, name in SALES_NAVIGATOR_INPUTS:
        params = getattr(scoring, pillar)
        weight_sum = sum(getattr(params, n).weight for n in INPUTS[pillar])
        lost += MAX_PILLAR * getattr(params, name).weight / weight_sum
    return 100.0 - lost

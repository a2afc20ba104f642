"""Confidence intervals and paired differences: the one place the level and the law are set.

Every interval in ssisim is a Student-t interval of a mean at
:data:`CONFIDENCE`: ``mean -/+ t(0.5 + CONFIDENCE / 2, n - 1) * std / sqrt(n)``,
with the sample standard deviation (``ddof=1``). With fewer than two values
the spread is unknown and the half-width is NaN.

A comparison of two strategies is a paired difference under common random
numbers: replication ``r`` of each strategy draws the same streams where they
share them, so the interval of the mean difference is the interval of the
per-replication differences (:func:`paired_difference`).

Examples
--------
>>> round(t_quantile(10), 4)
2.2622
>>> paired_difference([3.0, 4.0, 5.0], [1.0, 2.0, 3.0]).mean
2.0
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

# stdtrit is scipy.stats.t.ppf without importing scipy.stats (about 1 s at start-up)
from scipy.special import stdtrit

__all__ = [
    "CONFIDENCE",
    "Difference",
    "half_width",
    "paired_difference",
    "t_quantile",
    "t_quantiles",
]

CONFIDENCE: float = 0.95
"""Confidence level of every interval: tables, figures' bands, calibration, verdicts."""


def t_quantile(n: int) -> float:
    """The Student-t quantile of a mean of ``n`` values at :data:`CONFIDENCE` (NaN if ``n < 2``)."""
    return float(stdtrit(n - 1, 0.5 + CONFIDENCE / 2)) if n >= 2 else math.nan


def t_quantiles(n: npt.NDArray[Any]) -> npt.NDArray[np.float64]:
    """:func:`t_quantile` over an array of counts, vectorised."""
    n = np.asarray(n, dtype=np.int64)
    ok = n >= 2
    q = np.full(n.shape, np.nan)
    q[ok] = stdtrit(n[ok] - 1, 0.5 + CONFIDENCE / 2)
    return q


def half_width(values: Sequence[float] | npt.NDArray[Any]) -> float:
    """Half-width of the confidence interval of the mean of ``values``."""
    values = np.asarray(values, dtype=np.float64)
    n = values.size
    if n < 2:
        return math.nan
    return float(t_quantile(n) * values.std(ddof=1) / math.sqrt(n))


@dataclass(frozen=True)
class Difference:
    """A paired difference ``a - b``: its mean, interval and number of pairs."""

    mean: float
    low: float
    high: float
    n: int

    @property
    def clear(self) -> bool:
        """Whether the interval excludes zero (a difference the noise does not explain)."""
        return bool(self.low > 0 or self.high < 0)


def paired_difference(
    a: Sequence[float] | npt.NDArray[Any], b: Sequence[float] | npt.NDArray[Any]
) -> Difference:
    """The mean of ``a - b`` over paired replications, with its confidence interval.

    Raises
    ------
    ValueError
        ``a`` and ``b`` differ in length.
    """
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"paired values need equal lengths (got {a.size} and {b.size})")
    d = a - b
    mean = float(d.mean()) if d.size else math.nan
    half = half_width(d)
    return Difference(mean, mean - half, mean + half, int(d.size))

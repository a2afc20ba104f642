"""Uniform positions, drawn the cheap way: the run's hottest random draws."""

from __future__ import annotations

import numpy as np

__all__ = ["pick", "pick_one"]


def pick(rng: np.random.Generator, m: int, k: int) -> np.ndarray:
    """``k`` positions drawn uniformly in ``range(m)``, with repeats.

    ``floor(u * m)`` from ``k`` uniform doubles: one C call, where
    ``Generator.integers(0, m, size=k)`` spends several times longer in its
    Python-level argument handling on the small arrays a run draws. The bias
    of the floor (at most ``m / 2**53``) is far below anything a run can show.

    Examples
    --------
    >>> pick(np.random.default_rng(0), 10, 5)
    array([6, 2, 0, 0, 8])
    """
    return (rng.random(k) * m).astype(np.intp)


def pick_one(rng: np.random.Generator, m: int) -> int:
    """One position drawn uniformly in ``range(m)`` (see :func:`pick`)."""
    return int(rng.random() * m)

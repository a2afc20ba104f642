#!/usr/bin/env python
"""Statistical equivalence of two results folders of the same scenario.

A change that alters the order or the method of random draws (issue 11's
speed work) changes the bytes of the results; it must not change what they
say. This script compares the week-``W`` per-replication values of every
metric of ``weekly.csv`` in two folders made from the same scenario, seed and
replications, strategy by strategy:

* the Welch difference of the means and its 95% interval, and a two-sided
  p-value; the family of comparisons is corrected with Holm's method, so a
  metric is flagged only when its difference is significant at 5% for the
  whole family;
* the issue's reading, for information: whether the new mean lies within the
  old mean's 95% confidence interval. Two samples of the same distribution
  fail that about one time in six (the difference of two means has sqrt(2)
  times the standard error of one), so it is reported, not used to decide.

    python benchmarks/equivalence.py OLD_DIR NEW_DIR [--week 52]

Exit status 1 when a metric differs beyond the noise (after Holm), 0 otherwise.
The two folders' runs are independent (their draws differ), so the
comparison is unpaired.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

SKIP = {"strategy", "replication", "week", "point", "boosted", "restricted"}


def compare(old: pd.DataFrame, new: pd.DataFrame, week: int) -> pd.DataFrame:
    """One row per (strategy, metric): means, Welch difference, its interval and p-value."""
    rows = []
    old, new = old[old.week == week], new[new.week == week]
    metrics = [
        c
        for c in old.columns
        if c not in SKIP and c in new and np.issubdtype(old[c].dtype, np.number)
    ]
    for strategy in sorted(set(old.strategy) & set(new.strategy)):
        a_all, b_all = old[old.strategy == strategy], new[new.strategy == strategy]
        for metric in metrics:
            a = a_all[metric].to_numpy(dtype=float)
            b = b_all[metric].to_numpy(dtype=float)
            va, vb = a.var(ddof=1) / a.size, b.var(ddof=1) / b.size
            diff = b.mean() - a.mean()
            se = math.sqrt(va + vb)
            if se == 0:
                p = 1.0 if diff == 0 else 0.0
                low = high = diff
            else:
                df = (va + vb) ** 2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
                q = stats.t.ppf(0.975, df)
                low, high = diff - q * se, diff + q * se
                p = float(2 * stats.t.sf(abs(diff) / se, df))
            half_old = stats.t.ppf(0.975, a.size - 1) * math.sqrt(va) if a.size > 1 else 0.0
            rows.append(
                {
                    "strategy": strategy,
                    "metric": metric,
                    "old_mean": a.mean(),
                    "new_mean": b.mean(),
                    "difference": diff,
                    "ci_low": low,
                    "ci_high": high,
                    "relative": diff / a.mean() if a.mean() else float("nan"),
                    "p": p,
                    "within_old_ci": abs(diff) <= half_old,
                }
            )
    out = pd.DataFrame(rows)
    # Holm's step-down correction over the whole family
    order = np.argsort(out.p.to_numpy())
    m = len(out)
    adjusted = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * out.p.iloc[i]))
        adjusted[i] = running
    out["p_holm"] = adjusted
    out["differs"] = out.p_holm < 0.05
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path)
    parser.add_argument("new", type=Path)
    parser.add_argument("--week", type=int, default=52)
    args = parser.parse_args()
    old = pd.read_csv(args.old / "weekly.csv")
    new = pd.read_csv(args.new / "weekly.csv")
    out = compare(old, new, args.week)
    pd.set_option("display.width", 200)
    pd.set_option("display.max_rows", 500)
    shown = out[out.old_mean.abs() + out.new_mean.abs() > 0]
    print(
        shown[
            [
                "strategy",
                "metric",
                "old_mean",
                "new_mean",
                "relative",
                "p",
                "p_holm",
                "within_old_ci",
            ]
        ].to_string(index=False, float_format=lambda v: f"{v:.4g}")
    )
    n_out = int((~shown.within_old_ci).sum())
    print(
        f"\nweek {args.week}: {len(shown)} comparisons; new mean outside the old 95% CI: "
        f"{n_out} ({n_out / max(len(shown), 1):.0%}; about 17% expected by chance alone); "
        f"p < 0.05 before correction: {int((shown.p < 0.05).sum())} (about 5% expected); "
        f"different after Holm's correction: {int(shown.differs.sum())}"
    )
    return 1 if shown.differs.any() else 0


if __name__ == "__main__":
    sys.exit(main())

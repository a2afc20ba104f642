"""LinkedIn's claim, tested: do social selling leaders create 45% more opportunities?

``002`` quotes LinkedIn: "social selling leaders create 45% more opportunities
than peers with a low SSI" (C8 in the brief). A *cohort* scenario (a
``cohort:`` block) simulates many sellers with mixed routines in one
population: each seller is a distinct member of the seller's industry with a
week-0 network built as the seller's (:func:`ssisim.population.build.seller_start`),
following a routine drawn from ``cohort.routines`` by weight, every rate
multiplied by its own LogNormal factor (``cohort.jitter``, mean 1). Each
seller runs once, in parallel through the engine.

The report compares the sellers whose SSI at the horizon is at least
``cohort.high_ssi`` (70: the leaders) with those at most ``cohort.low_ssi``
(30): the ratio of their mean opportunities in each business context, with a
95% percentile bootstrap interval (sellers resampled within each group,
``cohort.bootstrap`` times, from the debate stream 5 of
:func:`ssisim.seeds.debate_rng`). See ``docs/debate.md`` for the measured
figures and why the ratio is modest.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd

from ssisim.engine.driver import run_replications
from ssisim.errors import ScenarioError
from ssisim.population.cache import population_for
from ssisim.population.seats import cohort_seats
from ssisim.results.files import atomic_directory, write_csv, write_json
from ssisim.results.outcomes import cold_weight, outcomes_table
from ssisim.results.tables import weekly_frame
from ssisim.scenario.schema import BusinessContext, Scenario, Strategy, find_routine
from ssisim.seeds import debate_rng
from ssisim.sim.routine import RATE_FIELDS

__all__ = [
    "JITTERED_FIELDS",
    "RATIO_COLUMNS",
    "CohortResult",
    "claim_sentence",
    "cohort_scenario",
    "cohort_sentences",
    "opportunity_ratios",
    "ratio_curve",
    "run_cohort",
    "sellers_table",
    "write_cohort",
]

JITTERED_FIELDS: tuple[str, ...] = RATE_FIELDS
"""The rates each cohort seller multiplies by their own random factor: the routine's
(:data:`ssisim.sim.routine.ACTIVITIES`), in its order (the order of the draws)."""

RATIO_COLUMNS: tuple[str, ...] = (
    "context",
    "n_high",
    "n_low",
    "mean_high",
    "mean_low",
    "ratio",
    "ci_low",
    "ci_high",
    "linkedin_share_high",
    "linkedin_share_low",
)
"""Columns of ``ratio.csv``: per context, the leaders' and the low group's size and
mean opportunities, the ratio and its 95% bootstrap interval, and the share of
each group's opportunities that LinkedIn activity brought (not the existing
relationships')."""


def _routine(scenario: Scenario, name: str) -> Strategy:
    return find_routine(scenario, name, "cohort.routines")


def cohort_scenario(scenario: Scenario) -> Scenario:
    """The scenario whose strategies are the cohort's sellers, one replication each.

    Seller ``k`` is named ``seller-NNNN``, sits at seat ``k`` and follows a
    routine drawn by weight, its rates multiplied by LogNormal factors of
    log-scale s.d. ``jitter`` and mean 1, all from the debate stream 4 (the
    same seed gives the same cohort). The routine's name is kept in the
    strategy's ``source``.

    Raises
    ------
    ScenarioError
        The scenario has no ``cohort:`` block, or names an unknown routine.
    """
    cohort = scenario.cohort
    if cohort is None:
        raise ScenarioError(f"{scenario.name}: no `cohort:` block; see docs/debate.md")
    routines = [_routine(scenario, r.strategy) for r in cohort.routines]
    weights = np.array([r.weight for r in cohort.routines], dtype=np.float64)
    rng = debate_rng(scenario.seed, 4)
    picks = rng.choice(len(routines), size=cohort.sellers, p=weights / weights.sum())
    sigma = cohort.jitter
    factors = np.exp(
        rng.normal(-(sigma**2) / 2, sigma, size=(cohort.sellers, len(JITTERED_FIELDS)))
    )
    width = len(str(cohort.sellers - 1))
    sellers = []
    for k, (pick, row) in enumerate(zip(picks.tolist(), factors, strict=True)):
        base = routines[pick]
        fields = base.model_dump()
        for name, factor in zip(JITTERED_FIELDS, row.tolist(), strict=True):
            fields[name] = fields[name] * factor
        fields.update(
            name=f"seller-{k:0{width}d}",
            description=f"cohort seller {k}: {base.name}, rates jittered",
            source=base.name,
            seat=k,
        )
        sellers.append(fields)
    data = scenario.model_dump(mode="json")
    data.update(strategies=sellers, replications=1)
    return Scenario.model_validate(data)


def sellers_table(weekly: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """One row per cohort seller: routine, SSI at the horizon, opportunities per context.

    ``scenario`` is the cohort scenario (:func:`cohort_scenario`), whose
    strategies' ``source`` names each seller's routine.
    """
    routine = {s.name: s.source for s in scenario.strategies}
    outcomes = outcomes_table(weekly, scenario.contexts, scenario.weeks)
    wide = outcomes.pivot_table(
        index="strategy",
        columns="context",
        values=["opportunities", "opportunities_existing"],
        sort=False,
    )
    table = pd.DataFrame({"seller": wide.index.astype(str)})
    table["routine"] = table["seller"].map(routine)
    ssi = outcomes.drop_duplicates("strategy").set_index("strategy")["ssi"]
    table["ssi"] = table["seller"].map(ssi).to_numpy()
    for ctx in scenario.contexts:
        table[f"opportunities_{ctx}"] = wide[("opportunities", ctx)].to_numpy()
        table[f"opportunities_existing_{ctx}"] = wide[("opportunities_existing", ctx)].to_numpy()
    return table


def opportunity_ratios(
    sellers: pd.DataFrame, scenario: Scenario, rng: np.random.Generator | None = None
) -> pd.DataFrame:
    """The leaders' mean opportunities over the low group's, per context, with a 95% CI.

    The interval is a percentile bootstrap: each group's sellers are resampled
    with replacement (``cohort.bootstrap`` times) and the ratio of means
    recomputed. NaN when a group is empty.
    """
    cohort = scenario.cohort
    assert cohort is not None
    rng = rng if rng is not None else debate_rng(scenario.seed, 5)
    high = sellers[sellers["ssi"] >= cohort.high_ssi]
    low = sellers[sellers["ssi"] <= cohort.low_ssi]
    rows = []
    for ctx in scenario.contexts:
        col = f"opportunities_{ctx}"
        a = high[col].to_numpy(dtype=np.float64)
        b = low[col].to_numpy(dtype=np.float64)
        row: dict[str, Any] = {"context": ctx, "n_high": a.size, "n_low": b.size}
        if a.size == 0 or b.size == 0 or b.mean() <= 0:
            row.update(
                mean_high=np.nan, mean_low=np.nan, ratio=np.nan, ci_low=np.nan, ci_high=np.nan
            )
            row.update(linkedin_share_high=np.nan, linkedin_share_low=np.nan)
            rows.append(row)
            continue
        boot_a = a[rng.integers(0, a.size, size=(cohort.bootstrap, a.size))].mean(axis=1)
        boot_b = b[rng.integers(0, b.size, size=(cohort.bootstrap, b.size))].mean(axis=1)
        ratios = boot_a / np.where(boot_b > 0, boot_b, np.nan)
        existing = f"opportunities_existing_{ctx}"
        row.update(
            mean_high=float(a.mean()),
            mean_low=float(b.mean()),
            ratio=float(a.mean() / b.mean()),
            ci_low=float(np.nanpercentile(ratios, 2.5)),
            ci_high=float(np.nanpercentile(ratios, 97.5)),
            linkedin_share_high=float(1 - high[existing].sum() / max(a.sum(), 1e-12)),
            linkedin_share_low=float(1 - low[existing].sum() / max(b.sum(), 1e-12)),
        )
        rows.append(row)
    return pd.DataFrame(rows, columns=list(RATIO_COLUMNS))


def cohort_sentences(ratios: pd.DataFrame, scenario: Scenario) -> list[str]:
    """The report in words: the ratio per context, and why they differ."""
    cohort = scenario.cohort
    assert cohort is not None
    out = []
    for r in ratios.itertuples(index=False):
        if not math.isfinite(cast(float, r.ratio)):
            out.append(
                f"In the {r.context} context the ratio is undefined: {r.n_high} seller(s) at "
                f"{cohort.high_ssi:g}+ and {r.n_low} at {cohort.low_ssi:g} or less."
            )
            continue
        out.append(
            f"In the {r.context} context, sellers with an SSI of {cohort.high_ssi:g} or more "
            f"(n = {r.n_high}) created {r.ratio:.2f} times the opportunities of those at "
            f"{cohort.low_ssi:g} or less (n = {r.n_low}) (95% CI {r.ci_low:.2f}-{r.ci_high:.2f}; "
            f"LinkedIn's claim: 1.45); LinkedIn activity brought {r.linkedin_share_high:.0%} of "
            f"the leaders' opportunities and {r.linkedin_share_low:.0%} of the others', the rest "
            "came from existing relationships."
        )
    if len(ratios) >= 2 and ratios["ratio"].notna().all():
        hi = ratios.iloc[int(np.argmax(ratios["ratio"].to_numpy()))]
        lo = ratios.iloc[int(np.argmin(ratios["ratio"].to_numpy()))]
        if hi.ci_low <= lo.ci_high:  # the intervals overlap: no ranking to explain
            out.append(
                f"The ratio is {hi.ratio:.2f} in the {hi.context} context and {lo.ratio:.2f} "
                f"in the {lo.context} context: their 95% intervals overlap, so the contexts "
                "cannot be told apart."
            )
            return out
        if hi.linkedin_share_high <= lo.linkedin_share_high:
            out.append(
                f"The ratio is higher in the {hi.context} context ({hi.ratio:.2f}) than in the "
                f"{lo.context} context ({lo.ratio:.2f}), although LinkedIn activity brings the "
                f"leaders a smaller share of their opportunities there "
                f"({hi.linkedin_share_high:.0%} against {lo.linkedin_share_high:.0%}): the "
                "difference comes from the existing relationships' opportunities, not from "
                "LinkedIn activity."
            )
            return out
        out.append(
            f"The ratio is higher in the {hi.context} context ({hi.ratio:.2f}) than in the "
            f"{lo.context} context ({lo.ratio:.2f}) because there LinkedIn activity brings "
            f"{hi.linkedin_share_high:.0%} of the leaders' opportunities against "
            f"{lo.linkedin_share_high:.0%}: "
            + _why_less(scenario.contexts[str(lo.context)], str(lo.context))
        )
    return out


_WHO_BUYS = {
    "anyone": "any member",
    "target": "members of the target market",
    "target_decision_makers": "decision makers at target accounts",
}


def _why_less(context: BusinessContext, name: str) -> str:
    """Why LinkedIn activity counts for less in ``context``: who buys, and what a
    lead through a cold tie is worth there."""
    weight = cold_weight(context)
    if weight == 1.0:
        return "who may buy, and through which tie, decides how much of the activity counts."
    cold = (
        "a lead through a cold tie counts for nothing"
        if weight == 0.0
        else f"a lead through a cold tie counts {weight:.2g} of a warm one"
    )
    return (
        f"the leaders' many new contacts are weak ties, and in the {name} context only "
        f"{_WHO_BUYS[context.buyers]} buy and {cold}."
    )


CURVE_RATES: tuple[float, ...] = (0.0, 0.01, 0.02, 0.04, 0.08, 0.16, 0.3)
"""The existing-relationship rates of the claim's curve (the default, 0.08, among them)."""


def ratio_curve(
    sellers: pd.DataFrame,
    scenario: Scenario,
    rates: Sequence[float] = CURVE_RATES,
) -> pd.DataFrame:
    """C8's ratio as a curve over ``answers.leads.existing_rate``, from one simulation.

    The existing relationships' leads are independent draws at
    ``existing_rate`` (their own stream; they change no score, so who is a
    leader does not depend on the rate): at another rate ``r`` their
    expected count is the simulated one times ``r / existing_rate``. Each
    point of the curve rescales the existing relationships' opportunities
    so, keeps what the routines brought, and recomputes the ratio with the
    same bootstrap as :func:`opportunity_ratios` (its interval reflects the
    sellers' spread, not the extra noise of a separate run at ``r``).

    Returns
    -------
    pandas.DataFrame
        ``existing_rate`` and the columns of :func:`opportunity_ratios`.

    Raises
    ------
    ValueError
        The scenario's ``existing_rate`` is 0 (nothing to rescale).
    """
    base = scenario.answers.leads.existing_rate
    if base <= 0:
        raise ValueError("the curve rescales the existing relationships' leads: existing_rate > 0")
    frames = []
    for rate in rates:
        scaled = sellers.copy()
        for ctx in scenario.contexts:
            col, existing = f"opportunities_{ctx}", f"opportunities_existing_{ctx}"
            extra = scaled[existing] * (rate / base - 1.0)
            scaled[col] = scaled[col] + extra
            scaled[existing] = scaled[existing] + extra
        ratios = opportunity_ratios(scaled, scenario)  # the same bootstrap stream each time
        ratios.insert(0, "existing_rate", rate)
        frames.append(ratios)
    return pd.concat(frames, ignore_index=True)


def claim_sentence(curve: pd.DataFrame, claim: float = 1.45) -> str:
    """Where LinkedIn's ratio holds along the curve of :func:`ratio_curve`, per context.

    Examples
    --------
    >>> curve = pd.DataFrame({"existing_rate": [0.02, 0.08], "context": ["volume"] * 2,
    ...                       "ratio": [2.0, 1.3]})
    >>> claim_sentence(curve)
    "LinkedIn's 1.45 holds where each existing relationship passes about 0.067 opportunities a week (volume); more and the ratio falls: the claim depends on how much of a seller's business comes from outside LinkedIn."
    """
    parts = []
    for ctx, rows in curve.groupby("context", sort=False):
        rows = rows.sort_values("existing_rate")
        rates, ratios = rows["existing_rate"].to_numpy(), rows["ratio"].to_numpy()
        ok = np.isfinite(ratios)
        rates, ratios = rates[ok], ratios[ok]
        above = np.flatnonzero(ratios >= claim)
        if above.size == 0 or above[-1] == ratios.size - 1:
            parts.append(f"no rate tried ({ctx})")
            continue
        i = above[-1]  # the ratio falls with the rate: interpolate where it crosses the claim
        t = (ratios[i] - claim) / (ratios[i] - ratios[i + 1])
        parts.append(
            f"about {rates[i] + t * (rates[i + 1] - rates[i]):.3f} opportunities a week ({ctx})"
        )
    return (
        f"LinkedIn's {claim:g} holds where each existing relationship passes "
        + " and ".join(parts)
        + "; more and the ratio falls: the claim depends on how much of a seller's business "
        "comes from outside LinkedIn."
    )


@dataclass
class CohortResult:
    """What :func:`run_cohort` returns: the weekly table, one row per seller, the ratios."""

    scenario: Scenario
    weekly: pd.DataFrame
    sellers: pd.DataFrame
    ratios: pd.DataFrame
    seconds: float = 0.0


def run_cohort(
    scenario: Scenario,
    *,
    workers: int = 1,
    progress: Callable[[int], None] | None = None,
) -> CohortResult:
    """Simulate the cohort of ``scenario.cohort`` and measure the opportunity ratio.

    Parameters
    ----------
    scenario : Scenario
        A scenario with a ``cohort:`` block.
    workers : int
        Local worker processes (0: all cores); results do not depend on it.
    progress : callable, optional
        Called with the number of sellers just simulated.

    Returns
    -------
    CohortResult

    Raises
    ------
    ScenarioError
        No ``cohort:`` block, or more sellers than the seller's industry has
        members (refused before any run, in one line).
    """
    sc = cohort_scenario(scenario)
    assert sc.cohort is not None
    profile = sc.population.seller
    industry = sc.population.industries.index(
        profile.industry or sc.population.target.industries[0]
    )
    try:  # fail early, in one line, if the industry cannot seat the cohort
        cohort_seats(population_for(sc), sc.cohort.sellers, industry, np.random.default_rng(0))
    except ValueError as exc:
        raise ScenarioError(f"{scenario.name}: {exc}") from None
    started = time.perf_counter()
    records = run_replications(sc, workers=workers, progress=progress)
    weekly = weekly_frame(records, [s.name for s in sc.strategies])
    sellers = sellers_table(weekly, sc)
    ratios = opportunity_ratios(sellers, sc)
    return CohortResult(sc, weekly, sellers, ratios, time.perf_counter() - started)


def write_cohort(out_dir: Path, result: CohortResult, manifest: Mapping[str, Any]) -> list[Path]:
    """Write ``sellers.csv``, ``ratio.csv``, ``weekly.csv``, ``manifest.json`` and
    ``ratio_curve.csv`` (:func:`ratio_curve`) into a new directory, atomically.

    Raises
    ------
    DataError
        ``out_dir`` exists or cannot be written.
    """
    out_dir = Path(out_dir)
    names = ["sellers.csv", "ratio.csv", "weekly.csv", "manifest.json", "ratio_curve.csv"]
    with atomic_directory(out_dir) as tmp:
        write_csv(result.sellers, tmp / names[0])
        write_csv(result.ratios, tmp / names[1])
        write_csv(result.weekly, tmp / names[2])
        write_json(tmp / names[3], manifest)
        if result.scenario.answers.leads.existing_rate > 0:
            write_csv(ratio_curve(result.sellers, result.scenario), tmp / names[4])
        else:
            names.pop()
    return [out_dir / n for n in names]

"""The cheapest routine to a target SSI by a date: ``ssisim plan``.

A member (an imported ``member.yaml``, or a scenario's seller) wants an SSI
of at least ``target`` on a date, ``horizon_weeks`` from the plan's start.
:func:`plan_routine` searches over routines (each activity's rate, the
invitations' targeting, the acceptance policy) for the one whose SSI is at
or above the target **on the date** (the horizon's week, not at some week
before it: a score that crosses the target and falls back below it by the
date does not count) with at least ``confidence`` probability at the fewest
hours a week, within the platform's limits (the weekly invitation cap) and
``max_hours_per_week``.

The search is Optuna's TPE sampler (a Tree-structured Parzen Estimator,
suited to noisy, costly objectives): each candidate is simulated
``replications`` times with **common random numbers** (every candidate is
the strategy ``plan``, so replication ``r`` draws the same streams whatever
the routine: differences between candidates are the routine's, not noise).
The objective is the routine's planned hours a week (deterministic, from the
time costs), with the constraint ``P(reach) >= confidence`` given to TPE.
The chosen routine and the member's current one (``as-is``) are then
simulated ``final_replications`` times for the report. The whole search is
reproducible from the scenario's seed (the sampler's seed is drawn from
:data:`ssisim.seeds.PLAN_SEARCH`), and spends at most ``budget_runs``
simulations.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ssisim.errors import SsisimError
from ssisim.pillars import ceiling_without_sales_navigator
from ssisim.population.cache import population_for
from ssisim.records import WeekRecord
from ssisim.results.outcomes import outcomes_table
from ssisim.scenario.loading import MEMBER_FORMAT
from ssisim.scenario.schema import Scenario, Strategy
from ssisim.seeds import DEBATE_STREAM, PLAN_SEARCH, run_seed
from ssisim.sim.routine import budget_factor, planned_minutes
from ssisim.sim.run import simulate

__all__ = [
    "ACCEPT_POLICIES",
    "RATE_RANGES",
    "TARGETINGS",
    "Evaluation",
    "PlanRequest",
    "PlanResult",
    "evaluate",
    "plan_routine",
    "routine_in_words",
]

PLAN_STRATEGY = "plan"
"""Every candidate is simulated under this name: one name, one set of streams (common random numbers)."""

RATE_RANGES: Mapping[str, tuple[float, float]] = {
    "posts_per_week": (0.0, 5.0),
    "comments_per_week": (0.0, 25.0),
    "reactions_per_week": (0.0, 40.0),
    "invites_per_week": (0.0, 100.0),
    "warm_messages_per_week": (0.0, 20.0),
    "searches_per_week": (0.0, 15.0),
    "profile_views_per_week": (0.0, 40.0),
}
"""The rates searched, each from 0 to a ceiling (invitations: the platform's weekly cap)."""

TARGETINGS: Mapping[str, tuple[str, ...]] = {
    "second_degree": ("second_degree",),
    "relevant": ("relevant", "second_degree"),
    "decision_makers": ("decision_makers", "relevant", "second_degree"),
    "mutual_contacts": ("mutual_contacts", "second_degree"),
}
"""The invitation targetings searched (pools in priority order)."""

ACCEPT_POLICIES: Mapping[str, tuple[str, ...]] = {
    "everyone": ("everyone",),
    "relevant": ("relevant", "mutual_contacts"),
}
"""The acceptance policies searched."""

_WORDS = {
    "posts_per_week": "post {:.1f} times",
    "comments_per_week": "comment {:.0f} times",
    "reactions_per_week": "react {:.0f} times",
    "invites_per_week": "send {:.0f} invitations",
    "warm_messages_per_week": "write {:.0f} messages to contacts",
    "searches_per_week": "run {:.0f} searches",
    "profile_views_per_week": "view {:.0f} profiles",
}


@dataclass(frozen=True)
class PlanRequest:
    """What the member asks (``ssisim plan``'s options).

    Attributes
    ----------
    target_ssi : float
        The SSI to reach, 0-100.
    horizon_weeks : int
        Weeks from the plan's start (the member's reading, or today) to the date.
    max_hours_per_week : float
        The routine's time budget.
    confidence : float
        Least probability of an SSI at or above the target at the horizon.
    sales_navigator : bool
        Whether the routine may use Sales Navigator.
    budget_runs : int
        Simulations the whole plan may spend (search and report).
    replications : int
        Replications per candidate during the search.
    final_replications : int
        Replications of the chosen routine and the current one, for the report.
    """

    target_ssi: float
    horizon_weeks: int
    max_hours_per_week: float = 4.0
    confidence: float = 0.8
    sales_navigator: bool = False
    budget_runs: int = 300
    replications: int = 6
    final_replications: int = 20

    def check(self) -> None:
        """Raise a one-line :class:`SsisimError` naming the option that is wrong."""
        if not 0 < self.target_ssi <= 100:
            raise SsisimError(f"--target: must be in (0, 100] (got {self.target_ssi:g})")
        if not 1 <= self.horizon_weeks <= 520:
            raise SsisimError(
                f"--by: the date must be 1 to 520 weeks ahead (got {self.horizon_weeks} weeks)"
            )
        if not 0 < self.confidence < 1:
            raise SsisimError(f"--confidence: must be in (0, 1) (got {self.confidence:g})")
        if not self.max_hours_per_week > 0:
            raise SsisimError(f"--max-hours: must be above 0 (got {self.max_hours_per_week:g})")
        least = 2 * self.final_replications + STARTUP_TRIALS * self.replications
        if self.budget_runs < least:
            raise SsisimError(
                f"--budget: {self.budget_runs} simulations cannot search: at least {least} "
                f"({STARTUP_TRIALS} candidates x {self.replications} replications, and "
                f"{self.final_replications} of the chosen and the current routine)"
            )


VERIFIED_CANDIDATES = 3
"""Candidates simulated ``final_replications`` times, cheapest first, until one holds.

The search sees each candidate a few times: the cheapest that looks feasible
is the most likely to owe its place to luck (the winner's curse), so it is
checked at ``final_replications``, and if it falls short, the next cheapest.
The checks beyond the first are reserved out of the budget when it has room
(beyond the least :meth:`PlanRequest.check` asks for), never added to it.
"""


STARTUP_TRIALS = 10
"""Candidates TPE draws at random before it is guided by them (its ``n_startup_trials``)."""

TRUSTED_TRIALS = 30
"""Candidates below which a search is said too small to trust (``plan.txt``'s note).

TPE draws its first :data:`STARTUP_TRIALS` candidates at random (besides the two enqueued: the
member's routine and the most intense one) and is guided only after them; at
``--budget 100`` (the least, at 6 replications) the search is those 10
alone, and its cheapest feasible routine was measured at 4.0 h a week where
the default budget (36 candidates) found 2.3 h for the same target.
"""


@dataclass(frozen=True)
class Evaluation:
    """A routine simulated ``replications`` times.

    Attributes
    ----------
    strategy : Strategy
    hours_per_week : float
        Planned hours a week (time costs x rates).
    crossing_weeks : ndarray
        In each replication, the first week from which ``ssi >= target`` holds
        through the horizon (0: at or above from the start); NaN if the SSI is
        below the target at the horizon.
    final_ssi : ndarray
        SSI at the horizon in each replication.
    weekly : pandas.DataFrame
        The weekly records (for the outcomes).
    """

    strategy: Strategy
    hours_per_week: float
    crossing_weeks: np.ndarray
    final_ssi: np.ndarray
    weekly: pd.DataFrame

    @property
    def probability(self) -> float:
        """Share of replications whose SSI is at or above the target at the horizon (on the date)."""
        return float(np.isfinite(self.crossing_weeks).mean())

    @property
    def start_ssi(self) -> float:
        """The median week-0 SSI (the member's reading, when they have one)."""
        week0 = self.weekly.loc[self.weekly["week"] == 0, "ssi"]
        return float(week0.median()) if len(week0) else math.nan

    def crossing_band(self, level: float = 0.8) -> tuple[float, float, float]:
        """Median week from which the SSI stays at or above the target, and the central
        ``level`` band (inf: below the target on the date)."""
        weeks = np.where(np.isfinite(self.crossing_weeks), self.crossing_weeks, np.inf)
        low, high = (1 - level) / 2, 1 - (1 - level) / 2
        q = np.quantile(weeks, [low, 0.5, high], method="inverted_cdf")
        return float(q[1]), float(q[0]), float(q[2])


@dataclass
class PlanResult:
    """What :func:`plan_routine` found.

    Attributes
    ----------
    request : PlanRequest
    chosen, current : Evaluation
        The chosen routine and the member's current one, at ``final_replications``.
    reached : bool
        Whether the chosen routine meets the confidence.
    trials : pandas.DataFrame
        One row per candidate: ``trial``, ``hours_per_week``, ``probability``,
        ``median_ssi``, ``opportunities_<context>`` and the routine's values.
    opportunities : pandas.DataFrame
        Mean opportunities by the horizon per context (rows) for ``current``
        and ``plan`` (columns).
    runs : int
        Simulations spent.
    seed : int
    chosen_trial : int
        The search's trial the chosen routine comes from.
    """

    request: PlanRequest
    chosen: Evaluation
    current: Evaluation
    reached: bool
    trials: pd.DataFrame
    opportunities: pd.DataFrame
    runs: int
    seed: int
    chosen_trial: int
    notes: list[str] = field(default_factory=list)


def _records_frame(records: list[WeekRecord]) -> pd.DataFrame:
    return pd.DataFrame.from_records(records, columns=WeekRecord._fields)


def evaluate(
    scenario: Scenario,
    strategy: Strategy,
    target_ssi: float,
    replications: int,
    progress: Callable[[int], None] | None = None,
) -> Evaluation:
    """Simulate ``strategy`` ``replications`` times under the name :data:`PLAN_STRATEGY`.

    Every routine evaluated this way draws the same streams in replication
    ``r`` (:func:`ssisim.seeds.run_seed` keys them by the strategy's name),
    so two routines are compared under common random numbers.
    """
    population = population_for(scenario)
    named = strategy.model_copy(update={"name": PLAN_STRATEGY})
    crossing = np.full(replications, np.nan)
    final = np.zeros(replications)
    frames = []
    for rep in range(replications):
        records = simulate(population, scenario, named, run_seed(scenario, named, rep), rep)
        ssi = np.array([r.ssi for r in records])
        weeks = np.array([r.week for r in records])
        if ssi[-1] >= target_ssi:  # judged on the date: at or above from this week on
            below = np.flatnonzero(ssi < target_ssi)
            crossing[rep] = weeks[below[-1] + 1] if below.size else weeks[0]
        final[rep] = ssi[-1]
        frames.append(_records_frame(records))
        if progress is not None:
            progress(1)
    hours = planned_minutes(strategy, scenario) * budget_factor(strategy, scenario) / 60.0
    weekly = pd.concat(frames, ignore_index=True)
    weekly["strategy"] = strategy.name
    return Evaluation(strategy, hours, crossing, final, weekly)


def _opportunities(evaluation: Evaluation, scenario: Scenario) -> dict[str, float]:
    table = outcomes_table(evaluation.weekly, scenario.contexts, scenario.weeks)
    means = table.groupby("context", sort=False)["opportunities"].mean()
    return {str(k): float(v) for k, v in means.items()}


def _candidate(
    base: Strategy, params: Mapping[str, Any], request: PlanRequest, scenario: Scenario
) -> Strategy:
    """The routine a trial describes: its hours a week, shared among the activities by
    their intensities (``w_<rate>`` in [0, 1] of each rate's ceiling), no rate above its ceiling."""
    fields: dict[str, Any] = {
        "invite_targeting": TARGETINGS[str(params["targeting"])],
        "accept_policy": ACCEPT_POLICIES[str(params["accept"])],
        "invite_note_share": round(float(params["note_share"]), 2),
        "profile_completeness": round(max(base.profile_completeness, float(params["profile"])), 2),
        "sales_navigator": request.sales_navigator,
        "name": "plan",
        "description": "",
        "source": "",
        "stops_at_week": None,
        "hours_per_week_budget": None,
    }
    raw = {k: float(params[f"w_{k}"]) * hi for k, (_lo, hi) in RATE_RANGES.items()}
    cap = scenario.platform.invite_cap_per_week
    ceilings = {k: hi for k, (_lo, hi) in RATE_RANGES.items()}
    if cap is not None:
        ceilings["invites_per_week"] = min(ceilings["invites_per_week"], float(cap))
    draft = base.model_copy(update={**fields, **raw})
    planned = planned_minutes(draft, scenario)
    factor = float(params["hours"]) * 60.0 / planned if planned > 0 else 0.0
    rates = {k: round(min(v * factor, ceilings[k]), 2) for k, v in raw.items()}
    data = {**draft.model_dump(exclude={"from_"}), **rates}
    return Strategy.model_validate(data)


def _sampler_seed(seed: int) -> int:
    state = np.random.SeedSequence(seed, spawn_key=(DEBATE_STREAM, PLAN_SEARCH, 0)).generate_state(
        1
    )
    return int(state[0])


def _study(scenario: Scenario, n_trials: int, current: Strategy, request: PlanRequest) -> Any:
    """The search's Optuna study: TPE seeded from the scenario, the current routine
    and the most active one within the hours enqueued as its first two trials."""
    import optuna

    sampler = optuna.samplers.TPESampler(
        seed=_sampler_seed(scenario.seed),
        n_startup_trials=min(STARTUP_TRIALS, n_trials),
        multivariate=True,
    )
    study = optuna.create_study(direction="minimize", sampler=sampler)
    now_hours = planned_minutes(current, scenario) / 60.0
    study.enqueue_trial(
        {
            "hours": min(max(now_hours, 0.1), request.max_hours_per_week),
            **{
                f"w_{k}": min(float(getattr(current, k)) / hi, 1.0)
                for k, (_lo, hi) in RATE_RANGES.items()
            },
            "targeting": "second_degree",
            "accept": "everyone",
            "note_share": float(current.invite_note_share),
            "profile": float(current.profile_completeness),
        }
    )
    study.enqueue_trial(
        {
            "hours": request.max_hours_per_week,
            **{f"w_{k}": 1.0 for k in RATE_RANGES},
            "targeting": "relevant",
            "accept": "everyone",
            "note_share": 0.3,
            "profile": 1.0,
        }
    )
    return study


def plan_routine(
    scenario: Scenario,
    current: Strategy,
    request: PlanRequest,
    progress: Callable[[int], None] | None = None,
) -> PlanResult:
    """Search for the cheapest routine that reaches ``request.target_ssi`` by the horizon.

    Parameters
    ----------
    scenario : Scenario
        The member's world; its ``weeks`` are set to the horizon here.
    current : Strategy
        The member's routine today (``as-is``), the search's first candidate.
    request : PlanRequest
    progress : callable, optional
        Called with 1 after each simulation.

    Returns
    -------
    PlanResult

    Raises
    ------
    SsisimError
        An option is invalid, or the target is above what the scoring allows
        without Sales Navigator (one line, with the best reachable score).
    """
    import optuna

    request.check()
    ceiling = ceiling_without_sales_navigator(scenario.scoring)
    if not request.sales_navigator and request.target_ssi > ceiling:
        raise SsisimError(
            f"--target {request.target_ssi:g}: out of reach without Sales Navigator; the best "
            f"reachable score is {ceiling:.1f} (try --sales-navigator yes or --target {math.floor(ceiling)})"
        )
    sc = scenario.model_copy(update={"weeks": request.horizon_weeks})
    runs = 0

    def counted(n: int) -> None:
        nonlocal runs
        runs += n
        if progress is not None:
            progress(n)

    final = request.final_replications
    spare = max(request.budget_runs - 2 * final - STARTUP_TRIALS * request.replications, 0)
    extra_checks = min(VERIFIED_CANDIDATES - 1, spare // final)  # within the budget only
    search_runs = request.budget_runs - (2 + extra_checks) * final
    n_trials = max(search_runs // request.replications, 1)
    rows: list[dict[str, Any]] = []
    evaluations: dict[int, Evaluation] = {}

    def objective(trial: optuna.Trial) -> float:
        params: dict[str, Any] = {
            "hours": trial.suggest_float("hours", 0.1, request.max_hours_per_week)
        }
        params |= {f"w_{k}": trial.suggest_float(f"w_{k}", 0.0, 1.0) for k in RATE_RANGES}
        params["targeting"] = trial.suggest_categorical("targeting", list(TARGETINGS))
        params["accept"] = trial.suggest_categorical("accept", list(ACCEPT_POLICIES))
        params["note_share"] = trial.suggest_float("note_share", 0.0, 1.0)
        params["profile"] = trial.suggest_float("profile", 0.0, 1.0)
        strategy = _candidate(current, params, request, sc)
        ev = evaluate(sc, strategy, request.target_ssi, request.replications, counted)
        evaluations[trial.number] = ev
        shortfall = request.confidence - ev.probability
        trial.set_constraint(
            "shortfall", shortfall
        )  # feasible when <= 0: TPE prefers feasible trials
        rows.append(
            {
                "trial": trial.number,
                "hours_per_week": ev.hours_per_week,
                "probability": ev.probability,
                "median_ssi": float(np.median(ev.final_ssi)),
                **{f"opportunities_{k}": v for k, v in _opportunities(ev, sc).items()},
                **{k: getattr(strategy, k) for k in RATE_RANGES},
                "targeting": params["targeting"],
                "accept": params["accept"],
                "invite_note_share": strategy.invite_note_share,
                "profile_completeness": strategy.profile_completeness,
            }
        )
        return ev.hours_per_week

    # Optuna logs a failed trial (a Ctrl-C in the objective included) as a warning
    # with its traceback before raising the error again: the command says it in one
    # line instead. Its verbosity is the caller's again afterwards.
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        study = _study(sc, n_trials, current, request)
        study.optimize(objective, n_trials=n_trials)
    finally:
        optuna.logging.set_verbosity(verbosity)
    trials = pd.DataFrame(rows)
    feasible = trials[trials["probability"] >= request.confidence]
    if len(feasible):
        order = feasible.sort_values(["hours_per_week", "probability"], ascending=[True, False])
        candidates = order["trial"].astype(int).tolist()[: 1 + extra_checks]
    else:
        best = trials.sort_values(["probability", "median_ssi"], ascending=False).iloc[0]
        candidates = [int(best["trial"])]
    checked: list[tuple[int, Evaluation]] = []
    for number in candidates:  # cheapest first, until one holds at final_replications
        ev = evaluate(
            sc,
            evaluations[number].strategy,
            request.target_ssi,
            request.final_replications,
            counted,
        )
        checked.append((number, ev))
        if ev.probability >= request.confidence:
            break
    chosen_number, chosen = next(
        ((n, e) for n, e in checked if e.probability >= request.confidence),
        max(checked, key=lambda item: item[1].probability),
    )
    as_is = current.model_copy(update={"sales_navigator": current.sales_navigator})
    now = evaluate(sc, as_is, request.target_ssi, request.final_replications, counted)
    now = Evaluation(as_is, now.hours_per_week, now.crossing_weeks, now.final_ssi, now.weekly)
    if now.probability >= request.confidence and now.hours_per_week <= chosen.hours_per_week:
        # the member's own routine already holds on the date: no change to propose
        chosen, chosen_number = now, 0
        feasible = trials.iloc[:1]
    opportunities = pd.DataFrame(
        {"current": _opportunities(now, sc), "plan": _opportunities(chosen, sc)}
    )
    opportunities.index.name = "context"
    notes = []
    if n_trials < TRUSTED_TRIALS and chosen is not now:
        enough = TRUSTED_TRIALS * request.replications + (2 + VERIFIED_CANDIDATES - 1) * final
        notes.append(
            f"a small search: {n_trials} candidates, {max(n_trials - STARTUP_TRIALS, 0)} of them guided by "
            f"the sampler (the first {STARTUP_TRIALS} explore); a cheaper routine may exist: --budget {enough} "
            f"or more (at --reps {request.replications}) searches {TRUSTED_TRIALS} candidates"
        )
    if len(feasible) and chosen.probability < request.confidence:
        notes.append(
            f"at {request.final_replications} replications none of the {len(checked)} cheapest "
            f"candidates that looked feasible holds: the best reaches the target with probability "
            f"{chosen.probability:.2f}, below {request.confidence:g}"
        )
    return PlanResult(
        request=request,
        chosen=chosen,
        current=now,
        reached=bool(len(feasible)) and chosen.probability >= request.confidence,
        trials=trials,
        opportunities=opportunities,
        runs=runs,
        seed=sc.seed,
        chosen_trial=chosen_number,
        notes=notes,
    )


def routine_in_words(strategy: Strategy) -> str:
    """The routine as a sentence a member can follow."""
    parts = [
        _WORDS[k].format(getattr(strategy, k)) for k in RATE_RANGES if getattr(strategy, k) >= 0.05
    ]
    text = "Each week: " + (", ".join(parts) if parts else "nothing") + "."
    if strategy.invites_per_week >= 0.05:
        pools = " then ".join(p.replace("_", " ") for p in strategy.invite_targeting)
        text += f" Invite {pools} first"
        text += (
            f", with a note in {strategy.invite_note_share:.0%} of them."
            if strategy.invite_note_share
            else "."
        )
    accept = " or ".join(a.replace("_", " ") for a in strategy.accept_policy)
    text += f" Accept invitations from {accept}."
    text += f" Profile {strategy.profile_completeness:.0%} complete."
    if strategy.sales_navigator:
        text += " Use Sales Navigator."
    return text


# --------------------------------------------------------------------------- files


@dataclass(frozen=True)
class PlanFiles:
    """What :func:`write_plan` wrote, and the report's lines."""

    plan_yaml: str
    lines: list[str]


def _week_label(week: float, start: Any, today: Any = None) -> str:
    import datetime as dt

    if not math.isfinite(week):
        return "not by the date"
    when = start + dt.timedelta(weeks=int(week))
    past = ", before today" if today is not None and when < today else ""
    return f"week {int(week)} ({when.isoformat()}{past})"


def plan_lines(result: PlanResult, by: Any, start: Any) -> list[str]:
    """The report: the routine in words, the crossing week, hours, opportunities per context."""
    req = result.request
    ch = result.chosen
    now = result.current
    median, low, high = ch.crossing_band(0.8)
    lines = []
    import datetime as dt

    today = dt.date.today()
    if isinstance(start, dt.date) and start < today:
        lines.append(
            f"start: week 0 is {start.isoformat()} (the latest reading); the "
            f"{(today - start).days // 7} weeks from it to today ({today.isoformat()}) are "
            "simulated with each routine, as if it had been followed since (a newer reading, "
            "`ssisim import --readings`, starts the plan later)"
        )
    if not result.reached:
        best = float(result.trials["median_ssi"].max())
        lines.append(
            f"out of reach: no routine found within {req.max_hours_per_week:g} h a week is at or "
            f"above {req.target_ssi:g} on {by} with probability {req.confidence:g}; the best "
            f"score on {by} is {best:.1f} (median, best candidate); the most likely routine follows"
        )
    if (
        now.start_ssi >= req.target_ssi
        and now.probability < req.confidence
        and np.median(now.final_ssi) < req.target_ssi
    ):
        lines.append(
            f"you are above the target now (SSI {now.start_ssi:.1f} on {start}) but, as you are, "
            f"you fall below it: median {np.median(now.final_ssi):.1f} on {by}"
        )
    if ch is now:
        lines.append(
            f"no change needed: your current routine keeps you at or above {req.target_ssi:g} "
            f"on {by} with probability {now.probability:.2f}"
        )
    lines.append(f"plan: {routine_in_words(ch.strategy)}")
    lines.append(
        f"hours a week: {ch.hours_per_week:.1f} (now {now.hours_per_week:.1f}); "
        f"P(SSI >= {req.target_ssi:g} on {by}) = {ch.probability:.2f} "
        f"(now {now.probability:.2f}), {len(ch.final_ssi)} replications"
    )
    if math.isfinite(median) or math.isfinite(low):
        lines.append(
            f"at or above the target from (and until {by}): median "
            f"{_week_label(median, start, today)}, 80% band {_week_label(low, start, today)} to "
            f"{_week_label(high, start, today)}"
        )
    else:
        lines.append(f"at or above the target on {by}: in less than 90% of the replications")
    lines.append(
        f"SSI on {by}: median {np.median(ch.final_ssi):.1f} with the plan, "
        f"{np.median(result.current.final_ssi):.1f} as you are"
    )
    opp = ", ".join(
        f"{context} {row['current']:.1f} -> {row['plan']:.1f}"
        for context, row in result.opportunities.iterrows()
    )
    lines.append(f"opportunities by {by} (mean, now -> plan): {opp}")
    lines.extend(f"note: {n}" for n in result.notes)
    return lines


def plan_document(result: PlanResult, scenario: Scenario, by: Any) -> dict[str, Any]:
    """``plan.yaml``: the scenario, its horizon the date, with ``as-is`` and ``plan``."""
    data = scenario.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    data["name"] = "plan"
    data["description"] = (
        f"ssisim plan: SSI {result.request.target_ssi:g} by {by} within "
        f"{result.request.max_hours_per_week:g} h a week, probability {result.request.confidence:g}"
    )
    data["seed"] = result.seed
    data["weeks"] = result.request.horizon_weeks
    data["replications"] = result.request.final_replications
    data["checkpoints"] = [result.request.horizon_weeks]
    current = result.current.strategy.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    current["name"] = "as-is"
    chosen = result.chosen.strategy.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    chosen["name"] = "plan"
    chosen["description"] = routine_in_words(result.chosen.strategy)
    data["strategies"] = [current, chosen]
    Scenario.model_validate(data)
    return data


def _local_member_files(data: dict[str, Any]) -> dict[str, str]:
    """Point ``plan.yaml``'s ``from:`` keys at copies beside it; returns {copy name: original}.

    ``plan.yaml`` never records an absolute path: the member files it names
    are copied into its folder (they hold counts and classes only) and named
    relative to it, so the plan's folder runs anywhere (``ssisim run plan.yaml``).
    """
    names: dict[str, str] = {}

    def local(original: str) -> str:
        for name, path in names.items():
            if path == original:
                return name
        name = "member.yaml" if not names else f"member-{len(names) + 1}.yaml"
        names[name] = original
        return name

    seller = data.get("population", {}).get("seller", {})
    if seller.get("from"):
        seller["from"] = local(str(seller["from"]))
    for entry in data.get("strategies", []):
        if isinstance(entry, dict) and entry.get("from"):
            entry["from"] = local(str(entry["from"]))
    return names


def write_plan(
    out_dir: Any, result: PlanResult, scenario: Scenario, *, by: Any, start: Any
) -> PlanFiles:
    """Write ``plan.yaml``, ``plan.txt``, ``trials.csv`` and ``opportunities.csv`` into a new ``out_dir``."""
    import shutil
    from pathlib import Path

    import yaml

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=False)
    lines = plan_lines(result, by, start)
    header = "# Written by `ssisim plan`; run it with `ssisim run plan.yaml`.\n" + "".join(
        f"# {line}\n" for line in lines
    )
    document = plan_document(result, scenario, by)
    for name, original in _local_member_files(document).items():
        shutil.copyfile(original, out / name)
    text = header + yaml.safe_dump(document, sort_keys=False)
    (out / "plan.yaml").write_text(text, encoding="utf-8")
    (out / "plan.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result.trials.to_csv(out / "trials.csv", index=False, float_format="%.6g")
    result.opportunities.to_csv(out / "opportunities.csv", float_format="%.6g")
    return PlanFiles(str(out / "plan.yaml"), lines)


# --------------------------------------------------------------------------- teams

TEAM_SUMMARY_COLUMNS: tuple[str, ...] = (
    "member",
    "reading_date",
    "ssi_now",
    "target",
    "reached",
    "probability",
    "hours_per_week",
    "median_crossing_week",  # from which the SSI stays at or above the target to the date
    "median_ssi_by_date",
    "ssi_as_is_by_date",
    "plan",
)
"""Columns of ``team.csv``, the summary of ``ssisim plan --team``."""


def reading_member_document(reading: Mapping[str, Any]) -> dict[str, Any]:
    """A member file that holds a team member's latest reading only (no export).

    Its ``seller`` and ``routine`` are empty (the start scenario's values
    stand) and it has no ``network`` (the population's own seller starts);
    the reading is the run's week-0 score (``docs/own-data.md``).
    """
    keys = ("date", "ssi", "brand", "people", "insights", "relationships")
    return {
        "format": MEMBER_FORMAT,
        "source": "a team file's latest reading (ssisim plan --team)",
        "ssi": {k: reading[k] for k in keys if k in reading},
        "seller": {},
        "routine": {},
    }


def team_summary_row(
    member: str, reading: Mapping[str, Any], result: PlanResult, plan_dir: str
) -> dict[str, Any]:
    """One row of ``team.csv``: the member's label, reading and plan (no name)."""
    median, _, _ = result.chosen.crossing_band(0.8)
    return {
        "member": member,
        "reading_date": reading.get("date"),
        "ssi_now": reading.get("ssi"),
        "target": result.request.target_ssi,
        "reached": result.reached,
        "probability": round(result.chosen.probability, 3),
        "hours_per_week": round(result.chosen.hours_per_week, 2),
        "median_crossing_week": median if math.isfinite(median) else None,
        "median_ssi_by_date": round(float(np.median(result.chosen.final_ssi)), 1),
        "ssi_as_is_by_date": round(float(np.median(result.current.final_ssi)), 1),
        "plan": plan_dir,
    }

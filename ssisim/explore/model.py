"""The explorer's state, in plain Python: the page's settings, the scenario they make, the picture.

Every control of the page is a value of :class:`Explorer`: which strategies
are compared, what each routine is changed to, and the scenario's keys the
page can change (:data:`KEYS`, written as ``--set`` paths). :meth:`Explorer.scenario`
turns them into a validated :class:`~ssisim.scenario.schema.Scenario`, the one
that runs and the one :meth:`Explorer.export_yaml` writes: ``ssisim run`` on
the exported file reproduces the page's numbers (same scenario, same seed).

A finished update is a :class:`Picture`: the weekly table of every run, the
means and 95% bands over the weeks, the outcomes the SSI does not measure,
the paired verdicts, and the network of replication 0 of each strategy,
week by week. Replaying the year (:meth:`Picture.numbers`,
:meth:`Picture.hidden`) reads these tables, never simulates again.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import ValidationError

from ssisim.errors import ScenarioError
from ssisim.explore.runs import NetworkTrace, RunResult
from ssisim.results.outcomes import outcomes_table, summarize_outcomes
from ssisim.results.tables import timeseries, weekly_frame
from ssisim.results.verdicts import inactive_strategies, paired_differences, verdict_sentences
from ssisim.scenario.loading import format_error, load_scenario, parse_scenario
from ssisim.scenario.schema import PILLARS, Scenario, Strategy
from ssisim.scenario.strategies import BUILTIN_STRATEGIES

__all__ = [
    "DEFAULT_REPLICATIONS",
    "DEFAULT_SIZE",
    "KEYS",
    "NETWORK_METRICS",
    "PRESETS",
    "ROUTINE_FIELDS",
    "Explorer",
    "Picture",
    "Preset",
    "default_scenario",
]

DEFAULT_SIZE = 10_000
"""The explorer's population: small enough for an update within about a second on
2 cores for two strategies (``benchmarks/explorer.py``); the page can raise it."""
DEFAULT_REPLICATIONS = 3
"""Replications per strategy at the explorer's default size (the page can raise them)."""
SIZES: tuple[int, ...] = (2_000, 5_000, 10_000, 20_000, 50_000)
"""Population sizes offered on the page."""

ROUTINE_FIELDS: tuple[str, ...] = (
    "invites_per_week",
    "invite_targeting",
    "invite_note_share",
    "posts_per_week",
    "comments_per_week",
    "warm_messages_per_week",
    "sales_navigator",
    "hours_per_week_budget",
)
"""The fields of a routine the page changes (the rest stay as the strategy has them)."""

KEYS: tuple[str, ...] = (
    "platform.invite_cap_per_week",
    "platform.boost_threshold_ssi",
    "platform.boost_reach",
    "population.size",
    "population.triadic_closure",
    "population.decision_maker_from",
    "replications",
    "seed",
    "contexts.volume.deal_value_eur",
    "contexts.volume.buyers",
    "contexts.complex.deal_value_eur",
    "contexts.complex.buyers",
    "contexts.volume.warm_premium",
    "contexts.complex.warm_premium",
)
"""The scenario's keys the page changes, as ``--set`` paths."""

NETWORK_METRICS: tuple[str, ...] = (
    "connections",
    "relevant_share",
    "decision_maker_connections",
    "known_contacts",
)
"""The network's panels: size, relevant share, decision makers, known contacts."""

NUMBERS: tuple[str, ...] = (
    "ssi",
    *PILLARS,
    "connections",
    "relevant_share",
    "decision_maker_connections",
    "known_contacts",
    "impressions",
    "invitations_sent",
)
"""The numbers table's metrics (mean at the chosen week)."""

NUMBER_LABELS: dict[str, str] = {
    "ssi": "SSI",
    "brand": "brand",
    "people": "people",
    "insights": "insights",
    "relationships": "relationships",
    "connections": "connections",
    "relevant_share": "relevant share",
    "decision_maker_connections": "decision makers",
    "known_contacts": "known contacts",
    "impressions": "impressions (week)",
    "invitations_sent": "invitations sent (week)",
}


SETTINGS_LABEL = "the explorer's settings"
"""Where the scenario's refusal of a page's setting comes from, in its message."""


def default_scenario() -> Scenario:
    """The explorer's scenario when none is given: the flagship's, at the explorer's size."""
    text = (
        "name: explore\n"
        "description: Open bar against club select, in the explorer.\n"
        "seed: 2024\nweeks: 52\n"
        f"replications: {DEFAULT_REPLICATIONS}\n"
        "population:\n"
        f"  size: {DEFAULT_SIZE}\n"
        "  target: {industries: [software, finance, manufacturing], min_seniority: manager}\n"
        "  seller: {industry: software, seniority: manager, initial_connections: 150}\n"
        "strategies: [open-bar, club-select]\n"
    )
    return parse_scenario(text, "explore")


def describe(names: Sequence[str]) -> str:
    """The description of a scenario comparing ``names`` in the explorer.

    Examples
    --------
    >>> describe(["industrial", "linkedin-playbook"])
    'In the explorer: industrial against linkedin-playbook.'
    >>> describe(["a", "b", "c"]), describe(["zoom"])
    ('In the explorer: a, b and c compared.', 'In the explorer: zoom alone.')
    """
    if len(names) == 1:
        text = f"{names[0]} alone"
    elif len(names) == 2:
        text = f"{names[0]} against {names[1]}"
    else:
        text = f"{', '.join(names[:-1])} and {names[-1]} compared"
    return f"In the explorer: {text}."


def _get(data: Mapping[str, Any], path: str) -> Any:
    node: Any = data
    for part in path.split("."):
        node = node[part]
    return node


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    node = data
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


@dataclass(frozen=True)
class Preset:
    """A moment of the debate: settings to apply, and what the room should notice.

    ``before`` (optional) is run first, so that the page shows how the
    preset's change moved each number (the Δ column); ``metric`` and
    ``strategy`` name the number the preset is about. A preset runs on the
    page's first population size; ``min_size`` raises a smaller one to that
    size (a small one runs out of members to invite before the year is over).
    """

    name: str
    title: str
    says: str
    strategies: tuple[str, ...]
    changes: Mapping[str, Any] = field(default_factory=dict)
    before: Mapping[str, Any] | None = None
    metric: str = "ssi"
    strategy: str = ""
    min_size: int = 0


PRESETS: tuple[Preset, ...] = (
    Preset(
        "open-bar-vs-club-select",
        "Open bar vs club select",
        "The same content, two ways to grow a network: open bar's is bigger, club select's "
        "is better (a larger relevant share) and scores a few points higher; open bar still "
        "brings more opportunities where anyone may buy.",
        ("open-bar", "club-select"),
        metric="relevant_share",
        strategy="club-select",
    ),
    Preset(
        "volume-vs-complex",
        "Volume vs complex",
        "Industrial volume against LinkedIn's own playbook, the same runs read in two "
        "businesses: where anyone may buy (volume), industrial brings more opportunities and "
        "more value per hour; where only decision makers buy and a cold lead counts a fifth "
        "of a warm one (complex), the playbook's lead is within the noise. Change a deal "
        "value or who can buy: nothing re-simulates, the verdicts move.",
        ("industrial", "linkedin-playbook"),
        metric="connections",
        strategy="industrial",
    ),
    Preset(
        "cap-and-industrial",
        "What the cap does to industrial",
        "Industrial asks for 850 invitations a week; the weekly cap of 100 holds it to 100. "
        "Lifting the cap lets it send them all: its network ends the year more than three "
        "times larger (it has invited nearly everyone it could), and its SSI barely moves. "
        "Open bar sends exactly 100 a week, so the cap changes nothing for it (nor for the "
        "flagship).",
        ("industrial", "open-bar"),
        changes={"platform.invite_cap_per_week": None},
        before={"platform.invite_cap_per_week": 100},
        metric="connections",
        strategy="industrial",
        min_size=20_000,
    ),
    Preset(
        "boost-above-70",
        "The boost above 70",
        "A power user crosses an SSI of 70 within months; above it LinkedIn shows their "
        "posts to more people (+20%, from analyses of thousands of posts). Raise the boost "
        "to +100% and their impressions jump; club select never reaches 70, so the boost "
        "never fires for it.",
        ("power-user", "club-select"),
        changes={"platform.boost_reach": 1.0, "platform.boost_threshold_ssi": 70},
        before={"platform.boost_reach": 0.0, "platform.boost_threshold_ssi": 70},
        metric="impressions",
        strategy="power-user",
    ),
)
"""The debate's moments, each changing something the page shows."""


class Explorer:
    """The page's settings and the scenario they make (no widget, no browser).

    Parameters
    ----------
    base : Scenario, optional
        The scenario the page starts from (default :func:`default_scenario`).
        A scenario file's population keeps its own size unless
        ``size`` is given.
    size, replications : int, optional
        The population size and replications to start with.
    """

    def __init__(
        self,
        base: Scenario | None = None,
        *,
        size: int | None = None,
        replications: int | None = None,
    ) -> None:
        self.base = base if base is not None else default_scenario()
        self.available: dict[str, Strategy] = {s.name: s for s in self.base.strategies}
        for name, fields in BUILTIN_STRATEGIES.items():
            self.available.setdefault(name, Strategy(name=name, **fields))
        self.selected: list[str] = [s.name for s in self.base.strategies]
        self.routines: dict[str, dict[str, Any]] = {}
        self.changes: dict[str, Any] = {}
        data = self.base.model_dump(mode="json")
        self.defaults: dict[str, Any] = {k: copy.deepcopy(_get(data, k)) for k in KEYS}
        if size is not None:
            self.changes["population.size"] = size
        self.start_size: int = int(self.value("population.size"))
        """The population the page starts with (and each preset's, but for its minimum)."""
        if replications is not None:
            self.changes["replications"] = replications

    @classmethod
    def from_file(cls, path: str | Path | None, **kwargs: Any) -> Explorer:
        """An explorer starting from a scenario file (or the default scenario).

        Raises
        ------
        ScenarioError
            The file is not a valid scenario.
        """
        return cls(load_scenario(Path(path)) if path is not None else None, **kwargs)

    # ------------------------------------------------------------------ settings

    def value(self, key: str) -> Any:
        """The page's value of a scenario key of :data:`KEYS`."""
        return self.changes.get(key, self.defaults[key])

    def set(self, key: str, value: Any) -> None:
        """Change a scenario key of :data:`KEYS` (checked when the scenario is made)."""
        if key not in KEYS:
            raise KeyError(key)
        self.changes[key] = value

    def routine(self, name: str) -> dict[str, Any]:
        """A strategy's routine as the page has it: its fields with the page's changes."""
        return {**self.available[name].model_dump(by_alias=True), **self.routines.get(name, {})}

    def set_routine(self, name: str, key: str, value: Any) -> None:
        """Change one field of a strategy's routine (:data:`ROUTINE_FIELDS`)."""
        if key not in ROUTINE_FIELDS:
            raise KeyError(key)
        if name not in self.available:
            raise ScenarioError(f"strategies: unknown strategy {name!r}")
        self.routines.setdefault(name, {})[key] = value

    def select(self, names: Sequence[str]) -> None:
        """The strategies compared, in order (at least one)."""
        unknown = [n for n in names if n not in self.available]
        if unknown:
            raise ScenarioError(f"strategies: unknown strategy {unknown[0]!r}")
        if not names:
            raise ScenarioError("strategies: choose at least one strategy")
        self.selected = list(dict.fromkeys(names))

    def apply(self, preset: Preset, *, before: bool = False) -> None:
        """Set a preset's strategies and changes (its ``before`` changes if asked)."""
        self.select(preset.strategies)
        for name in preset.strategies:
            self.routines.pop(name, None)
        changes = preset.before if before and preset.before is not None else preset.changes
        for key in (
            "platform.invite_cap_per_week",
            "platform.boost_reach",
            "platform.boost_threshold_ssi",
        ):  # a preset starts from the scenario's platform
            self.changes.pop(key, None)
        for key, value in changes.items():
            self.set(key, value)
        # each preset's own population: the page's first size, raised to its minimum (never
        # the size a preset clicked before left, which would change its numbers)
        self.set("population.size", max(self.start_size, preset.min_size))

    # ------------------------------------------------------------------ the scenario

    def scenario(self) -> Scenario:
        """The scenario the page's settings make, validated.

        Raises
        ------
        ScenarioError
            One line naming the key and what is wrong.
        """
        data = self.base.model_dump(mode="json", by_alias=True)
        for key, value in self.changes.items():
            _set(data, key, value)
        if self.selected != [s.name for s in self.base.strategies]:
            # the base's description names its own strategies: say which are compared
            data["description"] = describe(self.selected)
        data["strategies"] = [self.routine(name) for name in self.selected]
        for entry in data["strategies"]:
            entry.pop("seat", None)
        try:
            return Scenario.model_validate(data)
        except ValidationError as exc:
            raise ScenarioError(
                format_error(exc, data, {(): "the explorer's settings"}, "page")
            ) from None

    def export_yaml(self) -> str:
        """The page's scenario as YAML: ``ssisim run`` on it reproduces the page's numbers."""
        sc = self.scenario()
        data = sc.model_dump(mode="json", by_alias=True, exclude_defaults=True)
        data["name"] = sc.name
        data["seed"] = sc.seed
        data["weeks"] = sc.weeks
        data["replications"] = sc.replications
        data["population"] = sc.population.model_dump(
            mode="json", by_alias=True, exclude_defaults=True
        )
        data["platform"] = sc.platform.model_dump(mode="json", exclude_defaults=True)
        data["platform"]["invite_cap_per_week"] = sc.platform.invite_cap_per_week
        data["contexts"] = {
            name: ctx.model_dump(mode="json", exclude_defaults=True)
            for name, ctx in sc.contexts.items()
        }
        data["strategies"] = [
            s.model_dump(mode="json", by_alias=True, exclude_defaults=True)
            | {"name": s.name, "invite_targeting": list(s.invite_targeting)}
            for s in sc.strategies
        ]
        order = ["name", "description", "seed", "weeks", "replications", "population"]
        ordered = {k: data[k] for k in order if k in data}
        ordered.update({k: v for k, v in data.items() if k not in ordered})
        head = (
            "# Exported by `ssisim explore`: `ssisim run` on this file reproduces the page's\n"
            "# numbers (same scenario, same seed).\n"
        )
        return head + yaml.safe_dump(ordered, sort_keys=False, allow_unicode=True)

    # ------------------------------------------------------------------ the picture

    def picture(self, scenario: Scenario, results: Sequence[RunResult], seconds: float) -> Picture:
        """The picture of finished runs (see :class:`Picture`)."""
        return Picture.of(scenario, results, seconds)


@dataclass
class Picture:
    """A finished update: everything the page shows, computed once.

    Attributes
    ----------
    scenario : Scenario
        What ran.
    weekly : pandas.DataFrame
        Every run's weeks (as ``weekly.csv``), plus ``relevant_share``.
    bands : pandas.DataFrame
        Mean and 95% CI per (strategy, week, metric) (:func:`~ssisim.results.tables.timeseries`).
    traces : dict
        Per strategy, the network of replication 0 week by week.
    seconds : float
        How long the runs took.
    run : int
        The update's number (1 for the first picture of a session).
    note : str
        What the status line adds about where the picture's runs come from
        (empty when they were just simulated): runs of settings shown before,
        or the same runs re-valued under new business contexts.
    """

    scenario: Scenario
    weekly: pd.DataFrame
    bands: pd.DataFrame
    traces: dict[str, NetworkTrace]
    seconds: float
    run: int = 0
    note: str = ""
    _hidden: dict[int, tuple[pd.DataFrame, list[str]]] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, scenario: Scenario, results: Sequence[RunResult], seconds: float) -> Picture:
        names = [s.name for s in scenario.strategies]
        records = [rec for r in results for rec in r.records]
        weekly = weekly_frame(records, names)
        conn = weekly["connections"].to_numpy(dtype=np.float64)
        rel = weekly["relevant_connections"].to_numpy(dtype=np.float64)
        weekly["relevant_share"] = np.where(conn > 0, rel / np.maximum(conn, 1.0), 0.0)
        metrics = list(dict.fromkeys(["ssi", *PILLARS, *NETWORK_METRICS, *NUMBERS]))
        bands = timeseries(weekly, metrics)
        traces = {names[r.strategy]: r.trace for r in results if r.trace is not None}
        return cls(scenario, weekly, bands, traces, seconds)

    @property
    def strategies(self) -> list[str]:
        return [s.name for s in self.scenario.strategies]

    @property
    def weeks(self) -> int:
        return self.scenario.weeks

    def numbers(self, week: int) -> pd.DataFrame:
        """The means at ``week``: one row per strategy, one column per metric of :data:`NUMBERS`."""
        at = self.bands[self.bands["week"] == week]
        table = at.pivot(index="strategy", columns="metric", values="mean")
        return table.reindex(index=self.strategies, columns=list(NUMBERS))

    def hidden(self, week: int | None = None) -> tuple[pd.DataFrame, list[str]]:
        """What the SSI hides up to ``week`` (default the horizon), and the verdicts.

        Returns
        -------
        (pandas.DataFrame, list of str)
            The outcome means per (strategy, context) (:func:`summarize_outcomes`,
            wide: one column per outcome), and one verdict sentence per
            context (:func:`~ssisim.results.verdicts.verdict_sentences`).
        """
        week = self.weeks if week is None else max(1, min(int(week), self.weeks))
        if week not in self._hidden:
            outcomes = outcomes_table(self.weekly, self.scenario.contexts, week)
            summary = summarize_outcomes(outcomes)
            wide = summary.pivot_table(
                index=["strategy", "context"], columns="metric", values="mean", sort=False
            ).reset_index()
            sentences: list[str] = []
            if len(self.strategies) > 1 and self.scenario.replications > 1:
                diffs = paired_differences(outcomes)
                sentences = verdict_sentences(
                    diffs, list(self.scenario.contexts), inactive=inactive_strategies(outcomes)
                )
            self._hidden[week] = (wide, sentences)
        return self._hidden[week]

    def change_from(self, other: Picture | None, week: int) -> pd.DataFrame | None:
        """Each number at ``week`` minus the same strategy's in ``other`` (None without one)."""
        if other is None:
            return None
        now, then = self.numbers(week), other.numbers(min(week, other.weeks))
        return now - then.reindex(index=now.index)

"""Regenerate readings.csv: a synthetic member, scored with true-weights.yaml.

One replication of routine.yaml's strategy, with a seed of its own (the fit
never sees this run), scored with the scoring of true-weights.yaml; pillars
rounded to two decimals and the SSI to a whole point, as the dashboard shows
them; written as a French tracker would export it (';' between columns,
decimal commas, DD/MM/YYYY dates, French headers). The ranks are made up from
the SSI (they are not fitted). Run from anywhere:

    .venv/bin/python scenarios/fit-example/make_readings.py
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from ssisim.population.cache import population_for
from ssisim.seeds import run_seed
from ssisim.sim.run import simulate
from ssisim.scenario.schema import PILLARS
from ssisim.scenario.loading import load_scenario

HERE = Path(__file__).resolve().parent
MEMBER_SEED = 2025
FIRST_READING = dt.date(2025, 1, 6)
HEADER = (
    "Date",
    "Indice SSI",
    "Établir votre marque professionnelle",
    "Trouver les bonnes personnes",
    "Échanger des informations",
    "Développer des relations",
    "Classement secteur",
    "Classement réseau",
)


def _comma(value: float) -> str:
    return f"{value:.2f}".replace(".", ",")


def _top_percent(ssi: float, middle: float) -> int:
    """A made-up rank: the share of members above this SSI, logistic around ``middle``."""
    return max(1, round(100.0 / (1.0 + math.exp((ssi - middle) / 6.0))))


def main() -> None:
    scenario = load_scenario(
        HERE / "routine.yaml",
        [
            f"seed={MEMBER_SEED}",
            "replications=1",
            f"scoring={HERE / 'true-weights.yaml'}",
        ],
    )
    lines = [";".join(HEADER)]
    strategy = scenario.strategies[0]
    records = simulate(
        population_for(scenario), scenario, strategy, run_seed(scenario, strategy, 0), 0
    )
    for record in records:
        pillars = [round(getattr(record, p), 2) for p in PILLARS]
        ssi = round(sum(getattr(record, p) for p in PILLARS))
        date = FIRST_READING + dt.timedelta(weeks=record.week)
        lines.append(
            ";".join(
                [
                    date.strftime("%d/%m/%Y"),
                    str(ssi),
                    *(_comma(v) for v in pillars),
                    f"Top {_top_percent(ssi, 35.0)} %",
                    f"Top {_top_percent(ssi, 30.0)} %",
                ]
            )
        )
    (HERE / "readings.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

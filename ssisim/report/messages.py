"""The report's words in English and French: a small message catalogue, and numbers as each writes them."""

from __future__ import annotations

import math
import re
from typing import Any

from ssisim.plots.french import of
from ssisim.results.verdicts import Verdict, shown_decimals
from ssisim.stats import CONFIDENCE

__all__ = ["MESSAGES", "amount", "number", "percent", "say", "verdict_text"]

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "report": "Report",
        "for": "for",
        "what": "What was compared, and why",
        "verdicts": "Verdicts",
        "verdicts_intro": (
            "Each verdict compares the best strategy with the runner-up, replication by "
            "replication (common random numbers). A strategy is named as better only when "
            "the {level} confidence interval of the paired difference excludes zero."
        ),
        "no_verdicts": "This kind of result has no comparison of strategies to give a verdict on.",
        "figures": "Figures",
        "tables": "Tables",
        "assumptions": "Assumptions that differ from the defaults",
        "no_assumptions": "None: the scenario uses the model's defaults.",
        "key": "setting",
        "default": "default",
        "value": "as run",
        "explanation": "what it is (docs/model.md)",
        "calibration": "Calibration status of the model",
        "calibrated": (
            "The scoring is the model's default, calibrated against the published figures "
            "(run `ssisim calibrate` for the targets and where each lands)."
        ),
        "not_calibrated": (
            "The scoring differs from the default ({keys}): the published calibration does not "
            "apply as is; check it with `ssisim calibrate --set ...`."
        ),
        "fit": "Your readings against the default and the fitted scoring",
        "reproduce": "Reproducibility",
        "version": "ssisim version",
        "seed": "seed",
        "command": "command",
        "scenario_as_run": "The scenario as run",
        "checksums": "SHA-256 of the data files",
        "kind": "kind of result",
        "strategies": "strategies",
        "contexts": "business contexts",
        "replications": "replications",
        "weeks": "weeks",
        "created": "written by",
        "currency_note": "Amounts in {currency}.",
        "context": "In the {name} context, ",
        "no_clear": "no clear difference in {what} between {a} and {b} ({d}, {ci})",
        "clear": "{a} {verb} {what} than {b} ({d}, {ci})",
        "ci": "{level} CI {lo} to {hi}",
        "kind_run": "a comparison of strategies",
        "kind_team": "a sales team and its leaderboard",
        "kind_sweep": "a sweep of settings",
        "kind_sensitivity": "a sensitivity analysis",
        "kind_cohort": "a cohort of sellers (LinkedIn's claim C8)",
        "kind_calibration": "a calibration against published figures",
        "kind_fit": "a fit of the scoring to your own readings",
        "sources": "sources:",
        "colon": ":",
        "and": "; ",
        "rate_note": (
            "Amounts are in {currency}, converted from the model's euros at 1 EUR = {rate} "
            "{currency} (rate {when}; source: {source}). The data files keep euros "
            "(columns *_eur)."
        ),
        "rate_of": "of {date}",
        "rate_undated": "undated",
        "rate_source_unknown": "not given",
        "t_means": "{context}: mean ({level} CI)",
        "t_paired": "Paired differences ({level} CI)",
        "t_leaderboard": "Leaderboard after the last month",
        "t_sweep_ssi": "SSI at the horizon, per point (mean)",
        "t_sweep_opportunities": "Opportunities per point (mean)",
        "t_flips": (
            "Which assumptions flip the verdicts: the first value on each side of the "
            "baseline where the verdict changes (the {held} of {total} rows of flips.csv "
            "whose verdict holds over the values tried are left out)"
        ),
        "v_no_clear": "no clear difference",
        "c_context": "context",
        "c_metric": "metric",
        "c_pair": "pair",
        "c_assumption": "assumption",
        "c_baseline": "baseline",
        "c_flip_below": "first change below",
        "c_flip_above": "first change above",
        "t_sobol": "Sobol' indices ({level} half-widths)",
        "t_tornado": "One at a time",
        "t_ratio": "Opportunity ratio, high over low SSI",
        "t_targets": "Calibration targets",
        "t_fit_errors": "Error against your readings (RMSE, points)",
        "t_fit_parameters": "Weights and scales",
        "s_calibration": "{met} of {total} calibration targets met.",
        "s_missed": " Missed: {ids}.",
        "s_cohort": (
            "In the {context} context, high-SSI sellers had {ratio}× the opportunities of "
            "low-SSI ones ({low}–{high}): {where} LinkedIn's {claim}."
        ),
        "above": "above",
        "below": "below",
        "consistent": "consistent with",
        "s_sobol": "{strategy}: {parameter} moves {output} most (total index {st} ± {conf}).",
        "s_warning": "Warning: {text}.",
        "s_fit": "The fitted scoring cuts the SSI error from {before} to {after} points (RMSE).",
        "s_team": "{member} ({strategy}) leads after month {month} with an SSI of {ssi}.",
    },
    "fr": {
        "report": "Rapport",
        "for": "pour",
        "what": "Ce qui a été comparé, et pourquoi",
        "verdicts": "Verdicts",
        "verdicts_intro": (
            "Chaque verdict compare la meilleure stratégie à la deuxième, réplication par "
            "réplication (nombres aléatoires communs). Une stratégie n'est dite meilleure que "
            "si l'intervalle de confiance à {level} de la différence appariée exclut zéro."
        ),
        "no_verdicts": "Ce type de résultat ne compare pas de stratégies : pas de verdict.",
        "figures": "Figures",
        "tables": "Tableaux",
        "assumptions": "Hypothèses différentes des valeurs par défaut",
        "no_assumptions": "Aucune : le scénario utilise les valeurs par défaut du modèle.",
        "key": "paramètre",
        "default": "par défaut",
        "value": "utilisé",
        "explanation": "ce que c'est (docs/model.md)",
        "calibration": "Calibration du modèle",
        "calibrated": (
            "Le score utilise la pondération par défaut, calibrée sur les chiffres publiés "
            "(`ssisim calibrate` donne les cibles et le résultat de chacune)."
        ),
        "not_calibrated": (
            "La pondération diffère de celle par défaut ({keys}) : la calibration publiée ne "
            "s'applique pas telle quelle ; vérifiez-la avec `ssisim calibrate --set ...`."
        ),
        "fit": "Vos relevés face au modèle par défaut et au modèle ajusté",
        "reproduce": "Reproductibilité",
        "version": "version de ssisim",
        "seed": "graine",
        "command": "commande",
        "scenario_as_run": "Le scénario tel qu'exécuté",
        "checksums": "SHA-256 des fichiers de données",
        "kind": "type de résultat",
        "strategies": "stratégies",
        "contexts": "contextes commerciaux",
        "replications": "réplications",
        "weeks": "semaines",
        "created": "produit par",
        "currency_note": "Montants en {currency}.",
        "context": "Dans le contexte {name}, ",
        "no_clear": "pas de différence nette {of_what} entre {a} et {b} ({d}, {ci})",
        "clear": "{a} {verb} {what} que {b} ({d}, {ci})",
        "ci": "IC à {level} de {lo} à {hi}",
        "kind_run": "une comparaison de stratégies",
        "kind_team": "une équipe commerciale et son classement",
        "kind_sweep": "un balayage de paramètres",
        "kind_sensitivity": "une analyse de sensibilité",
        "kind_cohort": "une cohorte de vendeurs (affirmation C8 de LinkedIn)",
        "kind_calibration": "une calibration sur les chiffres publiés",
        "kind_fit": "un ajustement du score à vos propres relevés",
        "sources": "sources\u00a0:",
        "colon": "\u00a0:",
        "and": "\u00a0; ",
        "rate_note": (
            "Les montants sont en {currency}, convertis depuis les euros du modèle à "
            "1 EUR = {rate} {currency} (taux {when} ; source : {source}). Les fichiers de "
            "données restent en euros (colonnes *_eur)."
        ),
        "rate_of": "du {date}",
        "rate_undated": "non daté",
        "rate_source_unknown": "non indiquée",
        "t_means": "{context} : moyenne (IC à {level})",
        "t_paired": "Différences appariées (IC à {level})",
        "t_leaderboard": "Classement après le dernier mois",
        "t_sweep_ssi": "SSI à l'horizon, par point (moyenne)",
        "t_sweep_opportunities": "Opportunités par point (moyenne)",
        "t_flips": (
            "Quelles hypothèses renversent les verdicts : la première valeur de part et "
            "d'autre de la référence où le verdict change (les {held} lignes sur {total} de "
            "flips.csv dont le verdict tient sur les valeurs essayées sont omises)"
        ),
        "v_no_clear": "pas de différence nette",
        "c_context": "contexte",
        "c_metric": "indicateur",
        "c_pair": "paire",
        "c_assumption": "hypothèse",
        "c_baseline": "référence",
        "c_flip_below": "premier changement en dessous",
        "c_flip_above": "premier changement au-dessus",
        "t_sobol": "Indices de Sobol' (demi-largeurs à {level})",
        "t_tornado": "Un paramètre à la fois",
        "t_ratio": "Rapport d'opportunités, SSI élevé sur SSI bas",
        "t_targets": "Cibles de calibration",
        "t_fit_errors": "Erreur face à vos relevés (RMSE, points)",
        "t_fit_parameters": "Poids et échelles",
        "s_calibration": "{met} cibles de calibration sur {total} atteintes.",
        "s_missed": " Manquées : {ids}.",
        "s_cohort": (
            "Dans le contexte {context}, les vendeurs à SSI élevé ont eu {ratio} fois les "
            "opportunités de ceux à SSI bas ({low}–{high}) : {where} le {claim} annoncé par "
            "LinkedIn."
        ),
        "above": "au-dessus du",
        "below": "en dessous du",
        "consistent": "compatible avec",
        "s_sobol": (
            "{strategy} : {parameter} fait le plus varier {output} (indice total {st} ± {conf})."
        ),
        "s_warning": "Attention : {text}.",
        "s_fit": "Le score ajusté réduit l'erreur sur le SSI de {before} à {after} points (RMSE).",
        "s_team": "{member} ({strategy}) est en tête après le mois {month} avec un SSI de {ssi}.",
    },
}
"""Every fixed text of the report, per language."""

# metric: (en "more", en "less", en noun, fr "more", fr "less", fr noun)
_WORDS: dict[str, tuple[str, str, str, str, str, str]] = {
    "ssi": ("a higher SSI", "a lower SSI", "SSI", "un SSI plus élevé", "un SSI plus bas", "SSI"),
    "opportunities": ("more opportunities", "fewer opportunities", "opportunities",
                      "plus d'opportunités", "moins d'opportunités", "opportunités"),
    "pipeline_value_eur": ("more pipeline value", "less pipeline value", "pipeline value",
                           "plus de valeur de pipeline", "moins de valeur de pipeline",
                           "valeur de pipeline"),
    "value_per_hour_eur": ("more pipeline value per hour", "less pipeline value per hour",
                           "pipeline value per hour", "plus de valeur par heure",
                           "moins de valeur par heure", "valeur par heure"),
    "hours_per_week": ("more hours", "fewer hours", "hours", "plus d'heures", "moins d'heures",
                       "heures"),
    "pitches_received": ("more pitches", "fewer pitches", "pitches received",
                         "plus de sollicitations", "moins de sollicitations",
                         "sollicitations reçues"),
}  # fmt: skip
_VERBS = {
    "en": {"ssi": "reached", "hours_per_week": "took", "pitches_received": "received"},
    "fr": {"ssi": "a atteint", "hours_per_week": "a pris", "pitches_received": "a reçu"},
}
_MONEY = frozenset({"pipeline_value_eur", "value_per_hour_eur"})
_LOWER_IS_BETTER = frozenset({"hours_per_week", "pitches_received"})
_UNITS = {"hours_per_week": {"en": " h/week", "fr": "\u00a0h/semaine"}}


FIGURE_ALT: dict[str, tuple[str, str]] = {
    # a figure's file name -> what it shows (en, fr), in the order the folders draw them
    # (the report's order and its image descriptions)
    "ssi": ("the SSI week by week", "le SSI semaine après semaine"),
    "pillars": ("the four pillars", "les quatre piliers"),
    "network": ("the network's growth", "la croissance du réseau"),
    "ssi-vs-opportunities-per-hour": (
        "the SSI against the opportunities per hour",
        "le SSI face aux opportunités par heure",
    ),
    "opportunities": ("the opportunities by origin", "les opportunités par origine"),
    "pipeline-value": ("the pipeline value", "la valeur du pipeline"),
    "value-per-hour": ("the pipeline value per hour", "la valeur du pipeline par heure"),
    "effort": ("the hours and the pitches received", "les heures et les sollicitations reçues"),
    "network-composition": ("the network's composition", "la composition du réseau"),
    "leaderboard": ("the team's leaderboard", "le classement de l'équipe"),
    "sweep": ("the sweep's outcomes", "les résultats du balayage"),
    "flips": ("where the verdicts change", "où les verdicts changent"),
    "sobol": ("the Sobol' indices", "les indices de Sobol"),
    "tornado": ("the tornado of one-at-a-time changes", "la tornade des changements un à un"),
    "cohort": ("the cohort's ratios", "les ratios de la cohorte"),
    "calibration": ("the calibration targets", "les cibles de calibration"),
    "fit": ("the readings and the fitted model", "les relevés et le modèle ajusté"),
}


def figure_base(stem: str) -> str:
    """A figure's kind from its file name: ``sobol-2`` is a ``sobol`` figure."""
    return re.sub(r"-\d+$", "", stem)


def figure_alt(stem: str, language: str) -> str:
    """What a figure shows, in ``language``, from its file name."""
    found = FIGURE_ALT.get(figure_base(stem))
    if found is None:
        return stem.replace("-", " ")
    return found[1] if language == "fr" else found[0]


def say(language: str, key: str, **values: object) -> str:
    """The message ``key`` in ``language``, filled with ``values``."""
    text = MESSAGES.get(language, MESSAGES["en"]).get(key) or MESSAGES["en"][key]
    return text.format(**values) if values else text


def number(x: Any, language: str = "en", digits: int = 1, *, sign: bool = False) -> str:
    """A number as each language writes it: 12,300.5 (en), 12 300,5 (fr).

    >>> number(12300.46, "en"), number(12300.46, "fr"), number(-2.0, "en", sign=True)
    ('12,300.5', '12\\u202f300,5', '−2.0')
    """
    if x is None or not math.isfinite(float(x)):
        return "n/a" if language == "en" else "n.d."
    x = float(x)
    text = f"{abs(x):,.{digits}f}"
    if language == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    prefix = "−" if x < 0 else ("+" if sign and x > 0 else "")
    return prefix + text


def percent(share: float, language: str) -> str:
    """A share as a percentage: 95% (en), 95 % (fr, a narrow no-break space).

    >>> percent(0.95, "en"), percent(0.95, "fr")
    ('95%', '95\u202f%')
    """
    return f"{share:.0%}".replace("%", "\u202f%") if language == "fr" else f"{share:.0%}"


def amount(x: Any, language: str, symbol: str, digits: int = 0, *, sign: bool = False) -> str:
    """An amount: €12,300 (en), 12 300 € (fr)."""
    text = number(x, language, digits, sign=sign)
    if language == "fr":
        return f"{text}\u00a0{symbol.strip()}"
    if text[:1] in "+−":
        return f"{text[0]}{symbol}{text[1:]}"
    return f"{symbol}{text}"


def verdict_text(v: Verdict, language: str, symbol: str) -> str:
    """A verdict as a clause in ``language``, with its difference and interval."""
    words = _WORDS[v.metric]
    more, less, noun = words[:3] if language == "en" else words[3:]

    def fmt(x: float) -> str:  # never a bound that is not zero read as zero
        if v.metric in _MONEY:
            return amount(x, language, symbol, shown_decimals(x, 0, 2), sign=True)
        return number(x, language, shown_decimals(x, 1), sign=True)

    ci = say(language, "ci", level=percent(CONFIDENCE, language), lo=fmt(v.low), hi=fmt(v.high))
    d = fmt(v.difference) + _UNITS.get(v.metric, {}).get(language, "")
    if not v.clear:
        return say(
            language, "no_clear", what=noun, of_what=of(noun), a=v.best, b=v.runner_up, d=d, ci=ci
        )
    what = less if v.metric in _LOWER_IS_BETTER else more
    verb = _VERBS[language].get(v.metric, "brought" if language == "en" else "a apporté")
    return say(language, "clear", a=v.best, verb=verb, what=what, b=v.runner_up, d=d, ci=ci)

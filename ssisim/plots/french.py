"""The figures' text in French: a catalogue of the English phrases the figures write.

:func:`translate` rewrites one text (a title, a label, a note, a tick label)
when the figures are drawn in French (``Settings.language == "fr"``): exact
phrases first, then patterns with the names and numbers kept, then the
numbers written as French writes them (:func:`french_numbers`: ``2,5``,
``12 300``, ``1,5 k€``, ``95 %``). A phrase without a translation stays in
English: a new figure text needs its entry here (``tests/test_french.py``
draws every kind of results folder in French and looks for English words).
"""

from __future__ import annotations

import re


def of(noun: str) -> str:
    """``de`` before a French noun, elided before a vowel or a mute h: *d'heures*, *de SSI*.

    >>> of("opportunités"), of("heures"), of("SSI")
    ("d'opportunités", "d'heures", 'de SSI')
    """
    return f"d'{noun}" if re.match(r"[aeiouyàâéèêîôûœh]", noun, re.IGNORECASE) else f"de {noun}"


__all__ = ["french_numbers", "translate"]

NNBSP = "\u202f"
"""Narrow no-break space: between thousands, and before ``%``."""
NBSP = "\u00a0"
"""No-break space: between a number and its unit or currency (``950 €``, ``1,5 k€``)."""

_SYMBOLS = "€$£¥₹"
# an English number: 1,234,567.89 or 2.5 or 12 (never part of a word, a date or a version)
_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?"
_PLAIN = re.compile(r"(?<![\w.,\u202f])(?<!\d-)" + _NUMBER + r"(?:([kM])(?![\w]))?(?![\w]|[.,]\d)")
_MONEY = re.compile(r"([−+-]?)([" + _SYMBOLS + r"])" + _NUMBER + r"([kM])?(?![\w]|[.,]\d)")
_PERCENT = re.compile(r"(\d) ?%")


def _digits(whole: str, decimals: str | None) -> str:
    text = whole.replace(",", NNBSP)
    return text + ("," + decimals[1:] if decimals else "")


def french_numbers(text: str, code: str = "") -> str:
    """The numbers of an English ``text`` as French writes them.

    ``code`` is the currency's ISO code when it has no symbol (``CHF 950``
    becomes ``950 CHF``).

    >>> french_numbers("€1.5k and 12,300.5 (95%)")
    '1,5\u00a0k€ and 12\u202f300,5 (95\u202f%)'
    >>> french_numbers("-€950, 2.5M, C10, 2025-01-06, v0.1.0")
    '-950\u00a0€, 2,5\u00a0M, C10, 2025-01-06, v0.1.0'
    """

    def money(m: re.Match[str]) -> str:
        sign, symbol, whole, decimals, suffix = m.groups()
        return f"{sign}{_digits(whole, decimals)}{NBSP}{suffix or ''}{symbol}"

    text = _MONEY.sub(money, text)
    if code and code.upper() not in ("EUR", "USD", "GBP", "JPY", "INR"):
        text = re.sub(
            r"([−+-]?)" + re.escape(code.upper()) + r" " + _NUMBER + r"([kM])?(?![\w]|[.,]\d)",
            lambda m: (
                f"{m[1]}{_digits(m[2], m[3])}{NBSP}{(m[4] + ' ') if m[4] else ''}{code.upper()}"
            ),
            text,
        )

    def plain(m: re.Match[str]) -> str:
        whole, decimals, suffix = m.groups()
        return _digits(whole, decimals) + (f"{NBSP}{suffix}" if suffix else "")

    text = _PLAIN.sub(plain, text)
    return _PERCENT.sub(lambda m: f"{m[1]}{NNBSP}%", text)


_N = r"([−+\-]?[\d.,]+[^\s)]*)"

_EXACT: dict[str, str] = {
    # the fit's parameter notes (ssisim.experiments.fit)
    "kept: Sales Navigator input, the routine does not use it": (
        "gardé : entrée de Sales Navigator, que la routine n'utilise pas"
    ),
    "scale kept: the input stays 0": "échelle gardée : l'entrée reste à 0",
    "scale at its upper bound (default x 10)": "échelle à sa borne haute (défaut x 10)",
    "scale at its lower bound (default / 10)": "échelle à sa borne basse (défaut / 10)",
    "within 25%": "à moins de 25 %",
    "within 50%": "à moins de 50 %",
    "within 100%": "à moins de 100 %",
    "beyond 100%": "au-delà de 100 %",
    "holds over the values tried": "tient sur les valeurs essayées",
    "nearest change": "changement le plus proche",
    (
        "Each cell: the move from the baseline to the nearest value tried at which the verdict "
        "changes (the winner swaps, marked ⇄ in bold, or it becomes or stops being no clear "
        "difference); one assumption moved at a time."
    ): (
        "Chaque case : l'écart à la référence de la valeur essayée la plus proche où le "
        "verdict change (le gagnant s'inverse, marqué ⇄ en gras, ou une différence nette "
        "apparaît ou disparaît) ; une hypothèse modifiée à la fois."
    ),
    "week since start (weeks)": "semaines depuis le début",
    "SSI (points, 0–100)": "SSI (points, 0–100)",
    "SSI at the horizon (points, 0–100)": "SSI à l'horizon (points, 0–100)",
    "points (0–25)": "points (0–25)",
    "brand: establish your professional brand": "marque : établir votre marque professionnelle",
    "people: find the right people": "personnes : trouver les bonnes personnes",
    "insights: engage with insights": "échanges : interagir avec des informations",
    "relationships: build relationships": "relations : construire des relations",
    "connections (count)": "relations (nombre)",
    "connections (count, mean)": "relations (nombre, moyenne)",
    "Network size": "Taille du réseau",
    "relevant (target market)": "pertinentes (marché cible)",
    "relevant (target\nmarket)": "pertinentes\n(marché cible)",
    "other": "autres",
    "opportunities per hour of routine": "opportunités par heure de routine",
    "opportunities over the horizon (mean)": "opportunités sur l'horizon (moyenne)",
    "origin of the opportunity": "origine de l'opportunité",
    "inbound (content)": "entrantes (contenu)",
    "outbound (replies)": "sortantes (réponses)",
    "introductions (ties)": "recommandations (liens)",
    "existing relationships": "relations existantes",
    "hours per week (mean)": "heures par semaine (moyenne)",
    "Time the routine takes": "Temps que prend la routine",
    "pitches over the horizon (count, mean)": "sollicitations sur l'horizon (nombre, moyenne)",
    "Unsolicited pitches received": "Sollicitations non désirées reçues",
    "all connections": "toutes les relations",
    "contacts at the horizon (count, mean)": "contacts à l'horizon (nombre, moyenne)",
    "decision makers": "décideurs",
    "known contacts\n(warm ties)": "contacts connus\n(liens chaleureux)",
    "strong ties": "liens forts",
    "The four SSI pillars over time": "Les quatre piliers du SSI au fil du temps",
    "Bigger or better network?": "Un réseau plus grand ou meilleur ?",
    "The score against what an hour of LinkedIn brings": (
        "Le score face à ce que rapporte une heure de LinkedIn"
    ),
    "Who is in each network, and how well known": "Qui est dans chaque réseau, et à quel point connu",
    "Leaderboard: SSI and rank": "Classement : SSI et rang",
    "Who gained the most this month?": "Qui a le plus progressé ce mois-ci ?",
    "The team's SSI competition, month by month": "La compétition SSI de l'équipe, mois par mois",
    "The opportunity ratio (95% CI)": "Le rapport d'opportunités (IC à 95 %)",
    "LinkedIn's claim C8": "L'affirmation C8 de LinkedIn",
    "The model against the published figures": "Le modèle face aux chiffres publiés",
    "Your readings against the default and the fitted model": (
        "Vos relevés face au modèle par défaut et au modèle ajusté"
    ),
    "Models: means over the replications at each reading's week.": (
        "Modèles : moyennes des réplications à la semaine de chaque relevé."
    ),
    "Each parameter moved alone to its low and high end, the others at baseline.": (
        "Chaque paramètre déplacé seul à ses bornes basse et haute, les autres à la référence."
    ),
    "Opportunities by origin": "Opportunités par origine",
    "Pipeline value": "Valeur de pipeline",
    "Pipeline value per hour": "Valeur de pipeline par heure",
    "What the routine costs": "Ce que coûte la routine",
    "SSI": "SSI",
    "n/a": "n.d.",
    # pillars
    "brand": "marque",
    "people": "personnes",
    "insights": "échanges",
    "relationships": "relations",
    # a team's leaderboard
    "SSI at the month's end (points)": "SSI en fin de mois (points)",
    "SSI change over the month (points)": "variation du SSI sur le mois (points)",
    "rank after the last month": "rang après le dernier mois",
    # sensitivity
    "share of variance": "part de la variance",
    "first order (S1)": "premier ordre (S1)",
    "total (ST)": "total (ST)",
    "at the low end": "à la borne basse",
    "at the high end": "à la borne haute",
    # cohort
    "SSI at the horizon (points)": "SSI à l'horizon (points)",
    # calibration
    "low end\nof the target": "borne basse\nde la cible",
    "high end\nof the target": "borne haute\nde la cible",
    "low end of the target": "borne basse de la cible",
    "high end of the target": "borne haute de la cible",
    # fit
    "week of the routine": "semaine de la routine",
    "default model": "modèle par défaut",
    "fitted model": "modèle ajusté",
    "your readings": "vos relevés",
    "points": "points",
}

_PILLARS = {
    "brand": "marque",
    "people": "personnes",
    "insights": "échanges",
    "relationships": "relations",
}

UNITS = {
    "points": "points",
    "% gain": "% de gain",
    "ratio": "rapport",
    "percentile": "centile",
    "%": "%",
    "connections": "relations",
}
"""The calibration targets' units in French."""

STATEMENTS = {
    "an inactive account scores 5-15 after a year": "un compte inactif obtient 5-15 au bout d'un an",
    "a beginner scores 10-30 after a year": "un débutant obtient 10-30 au bout d'un an",
    "a steady active routine lands in 55-80 after a year": (
        "une routine active et régulière atteint 55-80 au bout d'un an"
    ),
    "a power user lands in 75-90 without Sales Navigator": (
        "un utilisateur intensif atteint 75-90 sans Sales Navigator"
    ),
    "a power user lands in 85-98 with Sales Navigator": (
        "un utilisateur intensif atteint 85-98 avec Sales Navigator"
    ),
    "no routine without Sales Navigator reaches 100": (
        "aucune routine sans Sales Navigator n'atteint 100"
    ),
    "Sales Navigator turned on at week 0 adds about 20% after 26 weeks": (
        "Sales Navigator activé à la semaine 0 ajoute environ 20 % après 26 semaines"
    ),
    "an SSI above 70 multiplies a post's reach by the boost (1.2 by default)": (
        "un SSI au-dessus de 70 multiplie la portée d'une publication par le bonus (1,2 par défaut)"
    ),
    "a score of 75 ranks in the top 4% of its industry (96th-99.5th percentile)": (
        "un score de 75 se classe dans les 4 % premiers de son secteur (96e-99,5e centile)"
    ),
    "the population's mean SSI lies in 20-36 (LinkedIn 2015: 28)": (
        "le SSI moyen de la population est entre 20 et 36 (LinkedIn 2015 : 28)"
    ),
    "fewer than 3% of members score above 70 (LinkedIn 2015: 1.4%)": (
        "moins de 3 % des membres dépassent 70 (LinkedIn 2015 : 1,4 %)"
    ),
    "a cold message gets a reply about 10% of the time": (
        "un message à froid obtient une réponse environ 10 % du temps"
    ),
    "an industrial routine reaches 26,000 contacts in 78 weeks with the cap lifted": (
        "une routine industrielle atteint 26 000 contacts en 78 semaines sans plafond"
    ),
    "with today's weekly cap it reaches far fewer (at most half)": (
        "avec le plafond hebdomadaire actuel, elle en atteint bien moins (la moitié au plus)"
    ),
    "an active member who stops at week 26 loses score week after week": (
        "un membre actif qui s'arrête à la semaine 26 perd des points semaine après semaine"
    ),
    "... and has lost at least a third of it by week 52": (
        "... et en a perdu au moins un tiers à la semaine 52"
    ),
}
"""The calibration targets' statements in French (:data:`ssisim.experiments.calibration.TARGETS`)."""
_EXACT.update(STATEMENTS)

_METRICS = {
    "a higher SSI": "un SSI plus élevé",
    "a lower SSI": "un SSI plus bas",
    "more opportunities": "plus d'opportunités",
    "fewer opportunities": "moins d'opportunités",
    "more pipeline value per hour": "plus de valeur de pipeline par heure",
    "less pipeline value per hour": "moins de valeur de pipeline par heure",
    "more pipeline value": "plus de valeur de pipeline",
    "less pipeline value": "moins de valeur de pipeline",
    "more hours": "plus d'heures",
    "fewer hours": "moins d'heures",
    "more pitches": "plus de sollicitations",
    "fewer pitches": "moins de sollicitations",
    "opportunities": "opportunités",
    "pipeline value per hour": "valeur de pipeline par heure",
    "pipeline value": "valeur de pipeline",
    "hours": "heures",
    "pitches received": "sollicitations reçues",
    "SSI": "SSI",
    # "who brings ... depends on the context" (plots/debate.py's _METRIC_NOUNS)
    "the most opportunities": "le plus d'opportunités",
    "the most pipeline value": "le plus de valeur de pipeline",
    "the most value per hour": "le plus de valeur par heure",
    "the fewest hours": "le moins d'heures",
    "the highest SSI": "le SSI le plus élevé",
}
_VERBS = {
    "reaches": "atteint",
    "brings": "apporte",
    "takes": "prend",
    "receives": "reçoit",
    "reached": "a atteint",
    "brought": "a apporté",
    "took": "a pris",
    "received": "a reçu",
}


def _metric(text: str) -> str:
    return _METRICS.get(text, text)


def _unit(text: str) -> str:
    """A verdict's unit: the hours verdict is in hours a week."""
    return text.replace(" h/week", "\u00a0h/semaine")


def _verdict(m: re.Match[str]) -> str:
    who, verb, what, other, rest = m.groups()
    rest = _unit(rest.replace(" in every context", " dans tous les contextes"))
    return f"{who} {_VERBS[verb]} {_metric(what)} que {other}{rest}"


_PATTERNS: tuple[tuple[re.Pattern[str], object], ...] = tuple(
    (re.compile(p, re.S), r)
    for p, r in (
        (
            r"^(\S+) (reaches|brings|takes|receives|reached|brought|took|received) "
            r"(.+?) than (\S+)((?: \(.*\))?(?: in every context)?)$",
            _verdict,
        ),
        (
            r"^(No|no) clear difference in (.+?) between (\S+) and (\S+)(.*)$",
            lambda m: (
                f"{'Pas' if m[1] == 'No' else 'pas'} de différence nette "
                f"{of(_metric(m[2]))} entre {m[3]} et {m[4]}{_unit(m[5])}"
            ),
        ),
        (
            r"^No clear difference between the two leaders on (.+?) \((.*)\)$",
            lambda m: (
                "Pas de différence nette entre les deux premiers en "
                f"{_metric(m[1])} ({m[2].replace(' and ', ' et ')})"  # names have no spaces
            ),
        ),
        (
            r"^Who brings (.+?) depends on the context \((.*)\)$",
            lambda m: (
                f"Qui apporte {_metric(m[1])} dépend du contexte "
                f"({m[2].replace('no clear winner', 'pas de gagnant net')})"
            ),
        ),
        (r"^(\S+) reaches an SSI of (\S+)$", r"\1 atteint un SSI de \2"),
        (
            r"^(\S+) reaches the highest mean SSI \((\S+), (\S+) points above (\S+)\)$",
            r"\1 atteint le SSI moyen le plus élevé (\2, \3 points de plus que \4)",
        ),
        (
            r"^The strategies differ most on '(\w+)' \((.+?)\): (\S+) (\S+) against (\S+) (\S+) points$",
            lambda m: (
                f"Les stratégies diffèrent le plus sur « {_PILLARS.get(m[1], m[1])} » : "
                f"{m[3]} {m[4]} contre {m[5]} {m[6]} points"
            ),
        ),
        (
            r"^(\S+)'s network is (\S+) bigger than (\S+)'s; (\S+) of it is relevant, against (\S+)$",
            r"Le réseau de \1 est \2 plus grand que celui de \3 ; \4 en est pertinent, contre \5",
        ),
        (r"^visibility boost threshold \((.+)\)$", r"seuil de visibilité accrue (\1)"),
        (r"^(\d+)% relevant$", r"\1 % pertinentes"),
        (r"^no connections$", "aucune relation"),
        (r"^Network composition at week (\d+)$", r"Composition du réseau à la semaine \1"),
        (
            r"^(\S+) context \(about (.+) an opportunity\)$",
            r"contexte \1 (environ \2 par opportunité)",
        ),
        (r"^(\S+) context(\n.*)?$", lambda m: f"contexte {m[1]}{_line(m[2] or '')}"),
        (
            r"^The highest SSI \((\S+)\) is not the most opportunities per hour \((.+)\)$",
            r"Le SSI le plus élevé (\1) n'apporte pas le plus d'opportunités par heure (\2)",
        ),
        (
            r"^(\S+) leads on both the SSI and the opportunities per hour$",
            r"\1 est en tête à la fois en SSI et en opportunités par heure",
        ),
        (
            r"^(\S+) has the biggest network, (\S+) knows the most people in it$",
            r"\1 a le plus grand réseau, \2 y connaît le plus de monde",
        ),
        (
            r"^(\S+) has the biggest network and knows the most people in it$",
            r"\1 a le plus grand réseau et y connaît le plus de monde",
        ),
        (r"^pipeline value \((.+)\)$", r"valeur de pipeline (\1)"),
        (
            r"^pipeline value per hour of routine \((.+)\)$",
            r"valeur de pipeline par heure de routine (\1)",
        ),
        (
            r"^(.+) \((\S+)\) leads after month (\d+) with an SSI of (\S+)$",
            r"\1 (\2) est en tête après le mois \3 avec un SSI de \4",
        ),
        (r"^month \((\d+) weeks each\)$", r"mois (\1 semaines chacun)"),
        (r"^goal: \+(\S+) points in a month \(002\)$", r"objectif : +\1 points en un mois (002)"),
        (
            r"^Lines: mean of n = (\S+) replications per strategy; shaded bands: (\S+) "
            r"confidence interval of the mean\.$",
            r"Courbes : moyenne de n = \1 réplications par stratégie ; zones ombrées : "
            r"intervalle de confiance à \2 de la moyenne.",
        ),
        (
            r"^Lines: one replication per strategy \(n = (\S+)\); no confidence band\.$",
            r"Courbes : une réplication par stratégie (n = \1) ; pas d'intervalle de confiance.",
        ),
        (
            r"^Means of (\d+) replications; whiskers: (\S+) confidence intervals\. Per hour: the "
            r"opportunities the routine brings \(existing relationships left out\), for routines "
            r"of half an hour a week or more\.$",
            r"Moyennes de \1 réplications ; moustaches : intervalles de confiance à \2. Par "
            r"heure : les opportunités qu'apporte la routine (relations existantes exclues), pour "
            r"les routines d'une demi-heure par semaine ou plus.",
        ),
        (
            r"^Means of (\d+) replications; whiskers: (\S+) confidence intervals\.$",
            r"Moyennes de \1 réplications ; moustaches : intervalles de confiance à \2.",
        ),
        (
            r"^Means of (\d+) replications at the horizon\. Known contacts: tie at least the known "
            r"threshold \((\S+) by default\), people one could name; strong ties: the SSI's "
            r"\((\S+)\)\.$",
            r"Moyennes de \1 réplications à l'horizon. Contacts connus : lien au moins égal au "
            r"seuil « connu » (\2 par défaut), des personnes qu'on saurait nommer ; liens forts : "
            r"ceux du SSI (\3).",
        ),
        (
            r"^Means over replications( \(n = \d+\))?; rank: order of the mean SSI at each "
            r"month's end\.$",
            r"Moyennes sur les réplications\1 ; rang : ordre du SSI moyen à chaque fin de mois.",
        ),
        (r"^Means over replications(.*)$", r"Moyennes sur les réplications\1"),
        (r"^(.+) — (\S+) \(baseline (\S+)\)$", r"\1 — \2 (référence \3)"),
        (r"^opportunities in the year \((.+)\)$", r"opportunités sur l'année (\1)"),
        (r"^(\S+) context: one point per seller$", r"contexte \1 : un point par vendeur"),
        (
            r"^opportunities, SSI ≥ (\S+) over SSI ≤ (\S+)$",
            r"opportunités, SSI ≥ \1 rapportées à SSI ≤ \2",
        ),
        (
            r"^(\d+) sellers, one run each; intervals: percentile bootstrap over sellers\.$",
            r"\1 vendeurs, une simulation chacun ; intervalles : bootstrap des centiles sur "
            r"les vendeurs.",
        ),
        (r"^LinkedIn: (\S+) \((\d+)\)$", r"LinkedIn : \1 (\2)"),
        (
            r"^([✓✗]) (\S+) \(target (\S+)–(\S+?) ?([^\d–]*)\)$",
            lambda m: f"{m[1]} {m[2]} (cible {m[3]}–{m[4]} {UNITS.get(m[5], m[5])})".replace(
                " )", ")"
            ),
        ),
        (
            r"^Simulated mean and (\S+) CI placed within each target's range \(grey\); "
            r"values beyond the axis are drawn at its edge\.$",
            r"Moyenne simulée et IC à \1 placés dans la plage de chaque cible (gris) ; "
            r"les valeurs hors de l'axe sont dessinées à son bord.",
        ),
        (
            r"^(SSI|brand|people|insights|relationships) \(error (\S+) → (\S+)\)$",
            lambda m: f"{_PILLARS.get(m[1], m[1])} (erreur {m[2]} → {m[3]})",
        ),
        (
            r"^Mean and (\S+) confidence interval over the replications at each point\.$",
            r"Moyenne et intervalle de confiance à \1 des réplications en chaque point.",
        ),
        (
            r"^Mean and (\S+) confidence interval over the replications at each point\. Other "
            r"swept keys vary at each value: points, not lines\.$",
            r"Moyenne et intervalle de confiance à \1 des réplications en chaque point. Les "
            r"autres clés balayées varient à chaque valeur : des points, pas des courbes.",
        ),
        (
            r"^Mean and (\S+) confidence interval over the replications at each point\. One "
            r"key at a time: the others at the scenario's own values\.$",
            r"Moyenne et intervalle de confiance à \1 des réplications en chaque point. Une "
            r"clé à la fois : les autres aux valeurs du scénario.",
        ),
        (
            r"^(\d+) of (\d+) verdicts of (\S+) against (\S+) hold over every value tried"
            r"(; the nearest change: (.+) \((\S+)\) at (.+) (\S+%))?$",
            lambda m: (
                f"{m[1]} verdicts sur {m[2]} de {m[3]} face à {m[4]} tiennent sur toutes les "
                "valeurs essayées"
                + (
                    f" ; le changement le plus proche : {_metric(m[6])} ({m[7]}) à {m[8]} {m[9]}"
                    if m[5]
                    else ""
                )
            ),
        ),
        (
            r"^(.+) stays flat for every strategy as (.+) goes from (\S+) to (\S+)$",
            lambda m: (
                f"{_metric(m[1])} reste stable pour chaque stratégie quand {m[2]} va de "
                f"{m[3]} à {m[4]}"
            ),
        ),
        (
            r"^Bars: Sobol' indices at the horizon; whiskers: (\S+) intervals\.$",
            r"Barres : indices de Sobol' à l'horizon ; moustaches : intervalles à \1.",
        ),
        (r"^(.+) at the horizon$", lambda m: f"{_metric(m[1])} à l'horizon"),
        (
            r"^(.+) against (.+)$",
            lambda m: f"{_metric(m[1])} en fonction de {m[2]}",
        ),
        (
            r"^(\S+): (.+) (rises|falls|moves|stays) from (\S+) to (\S+) as (.+) goes from (\S+) to (\S+?)( \(highest at (\S+)\))?$",
            lambda m: (
                f"{m[1]} : {_metric(m[2])} passe de {m[4]} à {m[5]} quand {m[6]} va de "
                f"{m[7]} à {m[8]}" + (f" (maximum à {m[10]})" if m[9] else "")
            ),
        ),
        (
            r"^(.+) moves (.+) most \(total index (\S+) ± (\S+)\)$",
            lambda m: f"{m[1]} fait le plus varier {_metric(m[2])} (indice total {m[3]} ± {m[4]})",
        ),
        (
            r"^(.+) swings (.+) most: (\S+) to (\S+) over its range$",
            lambda m: (
                f"{m[1]} fait le plus varier {_metric(m[2])} : de {m[3]} à {m[4]} sur sa plage"
            ),
        ),
        (
            r"^(\d+) of (\d+) calibration targets met(; missed: (.+))?$",
            lambda m: (
                f"{m[1]} cibles de calibration sur {m[2]} atteintes"
                + (f" ; manquées : {m[4]}" if m[3] else "")
            ),
        ),
        (
            r"^The fitted scoring cuts the SSI error from (\S+) to (\S+) points \(RMSE\)$",
            r"Le score ajusté réduit l'erreur sur le SSI de \1 à \2 points (RMSE)",
        ),
        (
            r"^Do social selling leaders create 45% more opportunities\? (.*)$",
            lambda m: (
                "Les leaders du social selling créent-ils 45 % d'opportunités en plus ? "
                + m[1]
                .replace("consistent with", "compatible avec")
                .replace("above", "au-dessus de")
                .replace("below", "en dessous de")
            ),
        ),
        (
            r"^(\d+) Sobol' index\(es\) outside \[0, 1\]: .*$",
            r"\1 indice(s) de Sobol' hors de [0, 1] : l'échantillon est trop petit "
            r"(augmentez sensitivity.samples ou --samples)",
        ),
        (
            r"^(\d+) Sobol' interval\(s\) wider than (\S+): .*$",
            r"\1 intervalle(s) de Sobol' plus large(s) que \2 : l'échantillon est trop petit "
            r"pour classer les paramètres (augmentez sensitivity.samples ou --samples)",
        ),
    )
)


def _line(text: str) -> str:
    """A panel's second line: ``best: a, ahead of b`` or ``no clear difference (a, b)``."""
    text = re.sub(r"^\nbest: (\S+), ahead of (\S+)$", r"\nmeilleure : \1, devant \2", text)
    return re.sub(r"^\nno clear difference \((.+)\)$", r"\npas de différence nette (\1)", text)


_DONE: dict[str, None] = {}
"""The French texts :func:`translate` wrote (whitespace normalised): never translated twice
(a title translated before it is wrapped is met again when the figure is saved)."""
_DONE_MAX = 20_000


def _catalogue(text: str) -> str:
    if text in _EXACT:
        return _EXACT[text]
    for pattern, repl in _PATTERNS:
        m = pattern.match(text)
        if m:
            return m.expand(repl) if isinstance(repl, str) else repl(m)  # type: ignore[operator]
    return text


def _typography(text: str) -> str:
    """A no-break space before ``: ; ? !`` and inside « », as French sets them
    (a line never starts with a colon)."""
    text = re.sub(r" ([:;?!»])", NBSP + r"\1", text)
    return text.replace("« ", "«" + NBSP)


def translate(text: str, language: str = "fr", code: str = "") -> str:
    """``text`` in ``language`` (English, or French when the catalogue has it).

    In French the numbers are written the French way too (:func:`french_numbers`;
    ``code``: the currency's ISO code). A text this function wrote is
    returned as it is.
    """
    if language != "fr" or not text.strip():
        return text
    key = " ".join(text.split())
    if key in _DONE:
        return text
    out = _typography(french_numbers(_catalogue(text), code))
    if len(_DONE) >= _DONE_MAX:
        _DONE.clear()
    _DONE[" ".join(out.split())] = None
    return out

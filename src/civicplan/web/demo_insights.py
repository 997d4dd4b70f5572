"""The insight part of the demo city: a bilingual codebook, the event comments and open survey answers coded
to it (the first part by "staff", the rest suggested by the classifier and left to confirm), themes linked to
the goals that address them (one strong theme left unlinked, so the gap report has something to show), and a
few quotes published for "You said, we did"."""

from __future__ import annotations

from typing import Any

from civicplan.engagement import selectors as engagement_selectors
from civicplan.insights import selectors as insight_selectors
from civicplan.insights.services import coding, evidence, links, weighting
from civicplan.lib.text import normalize
from civicplan.plans import selectors as plan_selectors

# name (en, es), description (en, es), keywords in both languages, goal codes that address it
THEMES = [
    (
        ("Street and sidewalk repair", "Reparación de calles y banquetas"),
        ("Potholes, broken sidewalks, pavement.", "Baches, banquetas rotas, pavimento."),
        "pothole, potholes, sidewalk, sidewalks, pavement, street repair, bache, baches, banqueta, banquetas, acera, pavimento",
        ["4.1"],
    ),
    (
        ("Housing costs and tenants", "Costo de la vivienda e inquilinos"),
        (
            "Rents, affordable housing, protecting tenants.",
            "Rentas, vivienda asequible, protección de inquilinos.",
        ),
        "rent, rents, tenants, affordable housing, renta, rentas, vivienda, asequible, inquilinos",
        ["3.2"],
    ),
    (
        ("Trees, shade and parks", "Árboles, sombra y parques"),
        ("Shade trees, park upkeep and restrooms.", "Árboles de sombra, mantenimiento y baños de parques."),
        "trees, shade, park, parks, restrooms, árboles, arboles, sombra, parque, parques, baños",
        ["4.5", "1.4"],
    ),
    (
        ("Lighting and feeling safe", "Alumbrado y seguridad"),
        ("Street and park lighting, feeling safe.", "Alumbrado de calles y parques, sentirse seguros."),
        "lighting, lights, feel safe, alumbrado, luz, seguras, seguros, seguridad",
        ["1.1"],
    ),
    (
        ("Youth programs and the library", "Programas juveniles y biblioteca"),
        (
            "Library hours, after-school programs.",
            "Horario de la biblioteca, programas después de la escuela.",
        ),
        "library, students, after school, youth, biblioteca, jóvenes, jovenes, después de la escuela, programas",
        ["5.4"],
    ),
    (
        ("Language access", "Acceso en español"),
        ("Interpretation and translation of City meetings.", "Interpretación y traducción de las reuniones."),
        "translate, spanish, interpretation, interpretación, interpretacion, español, espanol, traducir",
        [],  # left unlinked on purpose: the gap report shows a strong theme with no goal
    ),
    (
        ("Downtown and small business", "Centro y pequeños negocios"),
        ("Empty storefronts, small businesses downtown.", "Locales vacíos, pequeños negocios en el centro."),
        "downtown, storefronts, small businesses, business, centro, negocios, comercio",
        ["2.2", "2.1"],
    ),
    (
        ("Safe routes for bikes and walking", "Rutas seguras en bici y a pie"),
        ("Bike lanes, safe routes to school.", "Ciclovías, rutas seguras a la escuela."),
        "bike, bike lane, cycling, crossing, ciclovía, ciclovia, bicicleta",
        ["4.2"],
    ),
]
QUOTES_PER_THEME = 2
# Census-like shares (ACS 5-year style) for the Community Needs Survey's segment questions: the sample answered
# evenly by age and had more English speakers at home than the city has.
POPULATION_SHARES = {
    "age_band": [("18_34", "31"), ("35_54", "35"), ("55_plus", "34")],
    "home_language": [("en", "52"), ("es", "41"), ("other", "7")],
}
CENSUS = "Census ACS 2019-2023 5-year estimates (demo figures)"


def _matches(text: str, keywords: str) -> bool:
    """Whole words or phrases only, accents aside: "park" must not code "parking", nor "safe" a bike lane."""
    words = f" {normalize(text)} "
    return any(f" {normalize(k)} " in words for k in keywords.split(",") if k.strip())


def load_insights(plan: Any, users: dict[str, Any]) -> str:
    coordinator = users["coordinator"]
    collected = evidence.collect_evidence(plan)
    pool = list(insight_selectors.readable_evidence(plan).filter(confidential=False).order_by("pk"))
    items = plan_selectors.items_by_code(plan)
    coded = linked = 0
    for names, descriptions, keywords, goals in THEMES:
        theme = coding.create_theme(
            plan=plan,
            user=coordinator,
            data={
                "name_en": names[0],
                "name_es": names[1],
                "description_en": descriptions[0],
                "description_es": descriptions[1],
                "keywords": keywords,
            },
        )
        # "Staff" code the first two thirds of the input; the classifier suggests themes for the rest.
        matching = [e for n, e in enumerate(pool) if n % 3 != 2 and _matches(e.text, keywords)]
        coded += coding.code_input(evidence=matching, theme=theme, user=coordinator)
        for quote in [e for e in matching if e.channel == "comment_card"][:QUOTES_PER_THEME]:
            evidence.set_quote_public(evidence=quote, user=coordinator, public=True)
        for code in goals:
            if code in items:
                links.link(item=items[code], user=coordinator, relation="addressed_by", theme=theme)
                linked += 1
    suggested = coding.suggest_themes(plan=plan, user=coordinator)
    for variable, shares in POPULATION_SHARES.items():
        rows = [(category, share, CENSUS) for category, share in shares]
        weighting.save_margins(plan=plan, user=coordinator, variable=variable, rows=rows)
    needs = engagement_selectors.staff_surveys(plan).get(slug="community-needs-2026")
    weighted = weighting.weight_survey(survey=needs, user=coordinator)
    return (
        f"{collected} pieces of input in the evidence base, {len(THEMES)} themes, {coded} coded by staff, "
        f"{suggested} suggestions to check, {linked} links to goals; the Community Needs Survey weighted to "
        f"census shares (design effect {weighted.design_effect:.2f})"
    )

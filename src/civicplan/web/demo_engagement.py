"""The demo city's engagement record, loaded through the services staff and residents use: three council strategy
sessions with their outputs, five public feedback events with comment cards, the 2026 Community Needs Survey
(bilingual, answered by a few hundred fictional residents online, on paper and at a kiosk; results published),
the council survey (open, for the demo council member to answer) and the Employee Engagement Survey (one-time
invitations, some used)."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path
from typing import Any

from civicplan.engagement import services
from civicplan.engagement.services import imports

DEMO_DIR = Path(__file__).resolve().parent / "demo"

PRIORITIES = [
    ("safe", "Safe and healthy community", "Comunidad segura y saludable"),
    ("economy", "Economic vitality", "Vitalidad económica"),
    ("housing", "Housing for everyone", "Vivienda para todos"),
    ("infrastructure", "Reliable infrastructure", "Infraestructura confiable"),
    ("government", "Responsive government", "Gobierno receptivo"),
]
SERVICES = [
    ("streets", "Street repair", "Reparación de calles"),
    ("parks", "Parks and recreation", "Parques y recreación"),
    ("police", "Police and fire", "Policía y bomberos"),
    ("library", "Library", "Biblioteca"),
    ("transit", "Buses and bike lanes", "Autobuses y ciclovías"),
    ("trash", "Trash and recycling", "Basura y reciclaje"),
]
DISTRICTS = [
    ("d1", "District 1", "Distrito 1"),
    ("d2", "District 2", "Distrito 2"),
    ("d3", "District 3", "Distrito 3"),
    ("d4", "District 4", "Distrito 4"),
]
AGES = [
    ("18_34", "18 to 34", "18 a 34"),
    ("35_54", "35 to 54", "35 a 54"),
    ("55_plus", "55 or older", "55 o más"),
]
RELATIONSHIP = [
    ("resident", "I live here", "Vivo aquí"),
    ("business", "I own a business here", "Tengo un negocio aquí"),
    ("worker", "I work here", "Trabajo aquí"),
]
HOME_LANGUAGE = [
    ("en", "English", "Inglés"),
    ("es", "Spanish", "Español"),
    ("other", "Another language", "Otro idioma"),
]
COMMENTS_EN = [
    "We need more shade trees along Main Street, it is too hot to walk in summer.",
    "Fix the potholes on Oak Avenue before adding anything new.",
    "Rents went up 20% this year. Please protect tenants.",
    "More evening hours at the library for students.",
    "A safe bike lane to the high school would change everything.",
    "Downtown needs more small businesses and fewer empty storefronts.",
    "Please translate city meetings into Spanish.",
    "The park restrooms are always closed.",
]
COMMENTS_ES = [
    "Necesitamos más árboles y sombra en la calle principal.",
    "Las rentas están demasiado altas, necesitamos vivienda asequible.",
    "Más alumbrado en el parque para que las familias se sientan seguras.",
    "Por favor, reuniones de la ciudad con interpretación al español.",
    "Arreglen las banquetas cerca de la escuela primaria.",
    "Más programas para jóvenes después de la escuela.",
]
SESSION_OUTPUTS = [
    ("ranked_priority", "Housing affordability and anti-displacement", 1),
    ("ranked_priority", "Street and sidewalk repair", 2),
    ("ranked_priority", "Public safety response times", 3),
    ("decision", "Keep five strategic priorities; merge 'parks' into 'safe and healthy community'.", None),
    ("direction", "Staff to bring a funding plan for the pavement backlog with the FY 2026-27 budget.", None),
]


def load_engagement(plan: Any, users: dict[str, Any], today: dt.date) -> str:
    """Add the engagement part of the demo; returns a one-line summary."""
    coordinator, editor = users["coordinator"], users["editor-pw"]
    rng = random.Random(2026)
    needs = _needs_survey(plan, coordinator)
    council = _council_survey(plan, coordinator)
    employee = _employee_survey(plan, coordinator)
    activities = _activities(plan, coordinator, needs, council, employee)
    cards = _comment_cards(activities["events"], editor, rng)
    responses = _needs_responses(needs, editor, rng)
    needs = services.change_state(survey=needs, user=coordinator, state="closed")
    services.change_state(survey=needs, user=coordinator, state="published")
    _open_check_in(plan, coordinator)
    invited = _employee_responses(employee, coordinator, rng)
    imported = _imported_business_survey(plan, coordinator)
    return (
        f"{len(activities['all'])} engagement activities, {cards} comment cards, {responses} survey responses, "
        f"{invited} employee invitations, {imported} responses imported from a Google Forms export"
    )


def _imported_business_survey(plan: Any, user: Any) -> int:
    """The 2025 business survey, run in Google Forms by Economic Development: a draft survey built from the export,
    then the export imported into it, as staff do on the import page."""
    path = DEMO_DIR / "business-survey-google-forms.csv"
    data = path.read_bytes()
    survey = imports.create_survey_from_file(
        plan=plan, user=user, filename=path.name, data=data, title="2025 Business survey (Google Forms)"
    )
    _batch, preview = imports.import_survey_file(survey=survey, user=user, filename=path.name, data=data)
    return preview.new


def _question(survey: Any, user: Any, kind: str, text: tuple[str, str], **extra: Any) -> Any:
    options = extra.pop("options", None)
    rows = extra.pop("rows", None)
    show_if = extra.pop("show_if", (None, []))
    data = {
        "kind": kind,
        "text_en": text[0],
        "text_es": text[1],
        "page": extra.pop("page", 1),
        "required": extra.pop("required", False),
        **extra,
    }
    return services.save_question(
        survey=survey, user=user, data=data, options=options, rows=rows, show_if=show_if
    )


def _needs_survey(plan: Any, user: Any) -> Any:
    survey = services.create_survey(
        plan=plan,
        user=user,
        data={
            "slug": "community-needs-2026",
            "title_en": "2026 Community Needs Survey",
            "title_es": "Encuesta de Necesidades Comunitarias 2026",
            "intro_en": "Ten minutes, in English or Spanish. Your answers shape the city's goals and budget.",
            "intro_es": "Diez minutos, en inglés o en español. Sus respuestas dan forma a las metas y al presupuesto.",
            "audience": "public",
            "min_seconds": 20,
        },
    )
    _question(
        survey,
        user,
        "rating",
        (
            "Overall, how would you rate the quality of life in Alder Creek?",
            "En general, ¿cómo califica la calidad de vida en Alder Creek?",
        ),
        required=True,
        low_label_en="Very poor",
        low_label_es="Muy mala",
        high_label_en="Excellent",
        high_label_es="Excelente",
    )
    _question(
        survey,
        user,
        "ranking",
        (
            "Rank the city's priorities, most important first.",
            "Ordene las prioridades de la ciudad, la más importante primero.",
        ),
        options=PRIORITIES,
    )
    _question(
        survey,
        user,
        "multiple",
        (
            "Which city services matter most to you? Choose up to three.",
            "¿Qué servicios municipales le importan más? Elija hasta tres.",
        ),
        options=SERVICES,
        max_choices=3,
        allows_other=True,
    )
    _question(
        survey,
        user,
        "matrix",
        ("How satisfied are you with these services?", "¿Qué tan satisfecho está con estos servicios?"),
        rows=SERVICES[:4],
        low_label_en="Not at all",
        low_label_es="Nada",
        high_label_en="Very",
        high_label_es="Muy",
    )
    _question(
        survey,
        user,
        "allocation",
        (
            "If you had 100 points of the budget, how would you spread them?",
            "Si tuviera 100 puntos del presupuesto, ¿cómo los repartiría?",
        ),
        options=PRIORITIES,
        page=2,
    )
    _question(
        survey,
        user,
        "long_text",
        (
            "What one thing should the city do in the next five years?",
            "¿Qué es lo más importante que la ciudad debe hacer en los próximos cinco años?",
        ),
        page=2,
    )
    for text, segment, options in (
        (("Where do you live?", "¿Dónde vive?"), "district", DISTRICTS),
        (("Your age", "Su edad"), "age_band", AGES),
        (
            ("How are you connected to Alder Creek?", "¿Cuál es su relación con Alder Creek?"),
            "relationship",
            RELATIONSHIP,
        ),
        (("Language spoken at home", "Idioma que se habla en casa"), "home_language", HOME_LANGUAGE),
    ):
        _question(survey, user, "single", text, options=options, segment=segment, page=3)
    return services.change_state(survey=survey, user=user, state="open")


def _open_check_in(plan: Any, user: Any) -> Any:
    """A short public survey left open, for trying the questionnaire (the needs survey's results are published)."""
    survey = services.create_survey(
        plan=plan,
        user=user,
        data={
            "slug": "budget-check-in-2026",
            "title_en": "Budget priorities check-in",
            "title_es": "Consulta sobre prioridades del presupuesto",
            "intro_en": "Three questions before the City Council's budget study session.",
            "intro_es": "Tres preguntas antes de la sesión de estudio del presupuesto del Concejo Municipal.",
            "audience": "public",
            "min_seconds": 10,
        },
    )
    _question(
        survey,
        user,
        "allocation",
        ("Spread 100 points over the priorities.", "Reparta 100 puntos entre las prioridades."),
        options=PRIORITIES,
        required=True,
    )
    fees = _question(
        survey,
        user,
        "single",
        (
            "Should the city raise fees to repair streets faster?",
            "¿Debería la ciudad subir las tarifas para reparar las calles más rápido?",
        ),
        options=[("yes", "Yes", "Sí"), ("no", "No", "No"), ("unsure", "Not sure", "No estoy seguro(a)")],
    )
    _question(survey, user, "long_text", ("Why?", "¿Por qué?"), show_if=(fees, ["yes", "no"]))
    _question(survey, user, "district", ("Your ZIP code", "Su código postal"), page=2, segment="district")
    return services.change_state(survey=survey, user=user, state="open")


def _council_survey(plan: Any, user: Any) -> Any:
    survey = services.create_survey(
        plan=plan,
        user=user,
        data={
            "slug": "council-priorities-2026",
            "title_en": "City Council priorities survey",
            "title_es": "Encuesta de prioridades del Concejo Municipal",
            "audience": "council",
            "min_seconds": 0,
        },
    )
    _question(
        survey,
        user,
        "ranking",
        (
            "Rank the draft priorities for the next budget cycle.",
            "Ordene las prioridades preliminares para el próximo ciclo presupuestario.",
        ),
        options=PRIORITIES,
        required=True,
    )
    _question(
        survey,
        user,
        "long_text",
        (
            "What direction should staff take in the mid-cycle refresh?",
            "¿Qué dirección debe tomar el personal en la actualización de medio ciclo?",
        ),
    )
    return services.change_state(survey=survey, user=user, state="open")


def _employee_survey(plan: Any, user: Any) -> Any:
    survey = services.create_survey(
        plan=plan,
        user=user,
        data={
            "slug": "employee-engagement-2026",
            "title_en": "Employee Engagement Survey",
            "title_es": "Encuesta de compromiso de los empleados",
            "audience": "employee",
            "min_seconds": 0,
        },
    )
    _question(
        survey,
        user,
        "matrix",
        ("How much do you agree?", "¿Qué tan de acuerdo está?"),
        rows=[
            (
                "mission",
                "I understand how my work supports the strategic plan",
                "Entiendo cómo mi trabajo apoya el plan estratégico",
            ),
            (
                "tools",
                "I have the tools to do my job well",
                "Tengo las herramientas para hacer bien mi trabajo",
            ),
            ("voice", "My ideas are heard", "Mis ideas son escuchadas"),
        ],
        low_label_en="Strongly disagree",
        low_label_es="Totalmente en desacuerdo",
        high_label_en="Strongly agree",
        high_label_es="Totalmente de acuerdo",
        required=True,
    )
    _question(
        survey,
        user,
        "long_text",
        (
            "What would make the city a better place to work?",
            "¿Qué haría de la ciudad un mejor lugar para trabajar?",
        ),
    )
    return services.change_state(survey=survey, user=user, state="open")


def _activities(plan: Any, user: Any, needs: Any, council: Any, employee: Any) -> dict[str, Any]:
    sessions, events, all_activities = [], [], []
    for number, day in enumerate((dt.date(2025, 1, 25), dt.date(2025, 2, 22), dt.date(2025, 3, 29)), start=1):
        sessions.append(
            services.create_activity(
                plan=plan,
                user=user,
                data={
                    "kind": "council_session",
                    "title_en": f"Council strategy session {number}",
                    "title_es": f"Sesión estratégica del Concejo {number}",
                    "date": day,
                    "place": "City Hall, Council Chambers",
                    "languages": "English, Spanish (interpretation)",
                    "audience": "City Council and executive team",
                    "attendance": 14,
                    "facilitator": "Dana Whitfield",
                    "agenda": "Welcome\nWhat we heard\nDraft priorities\nNext steps",
                },
            )
        )
    for output_kind, text, rank in SESSION_OUTPUTS:
        services.add_session_output(
            activity=sessions[0], user=user, data={"output_kind": output_kind, "text": text, "rank": rank}
        )
    places = [
        "Eastside Library",
        "Alder Creek High School",
        "Farmers' market",
        "Senior Center",
        "Community Center",
    ]
    for number, place in enumerate(places, start=1):
        events.append(
            services.create_activity(
                plan=plan,
                user=user,
                data={
                    "kind": "public_event",
                    "title_en": f"Public feedback event {number}: {place}",
                    "title_es": f"Evento de opinión pública {number}: {place}",
                    "date": dt.date(2025, 2, 1) + dt.timedelta(days=9 * number),
                    "place": place,
                    "languages": "English, Spanish",
                    "audience": "Residents and businesses",
                    "attendance": 30 + 11 * number,
                },
            )
        )
    for survey, day in (
        (needs, dt.date(2026, 3, 1)),
        (council, dt.date(2026, 4, 1)),
        (employee, dt.date(2026, 4, 15)),
    ):
        all_activities.append(
            services.create_activity(
                plan=plan,
                user=user,
                data={
                    "kind": "survey",
                    "title_en": survey.title_en,
                    "title_es": survey.title_es,
                    "date": day,
                    "online": True,
                    "survey": survey,
                    "languages": "English, Spanish",
                },
            )
        )
    return {"sessions": sessions, "events": events, "all": sessions + events + all_activities}


def _comment_cards(events: list[Any], user: Any, rng: random.Random) -> int:
    count = 0
    for event in events:
        for _card in range(rng.randint(12, 24)):
            spanish = rng.random() < 0.35
            services.add_comment_card(
                activity=event,
                user=user,
                data={
                    "text": rng.choice(COMMENTS_ES if spanish else COMMENTS_EN),
                    "language": "es" if spanish else "en",
                    "district": rng.choice(["95120", "95121", "95122", ""]),
                    "age_band": rng.choice(["", "25_34", "35_44", "65_plus"]),
                },
            )
            count += 1
    return count


def _random_answers(rng: random.Random) -> dict[str, Any]:
    codes = [code for code, _en, _es in PRIORITIES]
    ranked = rng.sample(codes, k=rng.randint(3, 5))
    spread = sorted(rng.sample(range(1, 100), 2))
    points = dict(zip(rng.sample(codes, 3), (spread[0], spread[1] - spread[0], 100 - spread[1]), strict=True))
    answers: dict[str, Any] = {
        "q1": rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 4, 5, 3])[0],
        "q2": ranked,
        "q3": sorted(rng.sample([c for c, _en, _es in SERVICES], k=rng.randint(1, 3))),
        "q4": {code: rng.randint(1, 5) for code, _en, _es in SERVICES[:4]},
        "q5": points,
        "q7": rng.choice(DISTRICTS)[0],
        "q8": rng.choice(AGES)[0],
        "q9": rng.choices(RELATIONSHIP, weights=[8, 1, 2])[0][0],
        "q10": rng.choices(HOME_LANGUAGE, weights=[6, 3, 1])[0][0],
    }
    if rng.random() < 0.4:
        # The open answer is written in the language the response is filed under (see _needs_responses), so
        # the evidence base's language filter and the quotes' lang attribute tell the truth.
        answers["q6"] = rng.choice(COMMENTS_ES if answers["q10"] == "es" else COMMENTS_EN)
    return answers


def _needs_responses(survey: Any, editor: Any, rng: random.Random) -> int:
    total = 0
    for number in range(260):
        answers = _random_answers(rng)
        language = "es" if answers["q10"] == "es" else "en"
        if number % 10 == 9:
            services.enter_paper_response(survey=survey, user=editor, answers=answers, language=language)
        else:
            services.submit_public_response(
                survey=survey,
                answers=answers,
                language=language,
                address=f"demo-resident-{number}",
                idempotency_key=f"demo-{number}",
                seconds_taken=5.0 if number % 37 == 0 else 240.0,  # a few hurried ones end up flagged
            )
        total += 1
    return total


def _employee_responses(survey: Any, coordinator: Any, rng: random.Random) -> int:
    invites = services.create_invites(
        survey=survey,
        user=coordinator,
        emails=[f"employee{number}@aldercreek.example" for number in range(1, 41)],
    )
    for _email, token in invites[:14]:
        answers = {"q1": {row: rng.randint(2, 5) for row in ("mission", "tools", "voice")}}
        services.submit_employee_response(survey=survey, token=token, answers=answers, language="en")
    return len(invites)

"""Surveys as people take them, in a real Chromium: a resident on a phone in Spanish, the keyboard alone, the
event kiosk, and the results residents then read."""

from __future__ import annotations

import pytest

from civicplan.engagement.models import Response
from tests import factories as f
from tests.e2e.support import PHONE, log_in_through_form

pytestmark = pytest.mark.browser


@pytest.fixture
def open_survey(plan):
    return f.make_needs_survey(plan, slug="needs")


def test_a_resident_answers_on_a_phone_in_spanish_fixes_an_error_and_finishes(
    open_tab, open_survey, axe_source
):
    tab = open_tab(width=PHONE["width"], height=PHONE["height"])
    page = tab.page
    tab.goto("/es/surveys/needs/")
    assert page.locator("h1").inner_text() == "Encuesta de necesidades comunitarias"
    tab.assert_no_horizontal_scroll(PHONE["width"])
    # Page 1 sent without the required first question: the error is beside it and in the summary.
    page.locator("label[for=q2-parks]").click()  # question 2 (multiple choice) is answered, and kept
    with page.expect_navigation():
        page.get_by_role("button", name="Página siguiente").click()
    assert page.locator("#field-q1 .usa-error-message").inner_text() == "Responda esta pregunta."
    assert page.locator("#q2-parks").is_checked()
    tab.audit(axe_source, lang="es", phone=True)
    page.locator("label[for=q1-roads]").click()
    page.locator("label[for=q3-4]").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Página siguiente").click()
    assert "Página 2 de 2" in page.content()
    page.locator("#q5-housing").select_option("1")
    page.locator("#q6-parks").fill("70")
    page.locator("#q6-roads").fill("30")
    page.locator("#q8-input").fill("Más árboles en la calle principal")
    with page.expect_navigation():
        page.get_by_role("button", name="Enviar mis respuestas").click()
    assert page.locator("h1").inner_text() == "Gracias"
    response = Response.objects.get()
    assert (
        response.language == "es"
        and response.answers["q1"] == "roads"
        and response.answers["q5"] == ["housing"]
    )
    assert response.answers["q6"] == {"parks": 70, "roads": 30}


def test_the_survey_form_works_with_the_keyboard_alone(open_tab, plan):
    f.make_survey(
        plan,
        slug="short",
        state="open",
        questions=({"kind": "single", "options": f.SURVEY_OPTIONS, "required": True}, {"kind": "short_text"}),
    )
    tab = open_tab()
    page = tab.page
    tab.goto("/en/surveys/short/")
    page.locator("#q1-parks").focus()
    page.keyboard.press("ArrowDown")  # radio groups move with the arrows
    assert page.locator("#q1-roads").is_checked()
    page.keyboard.press("Tab")
    page.keyboard.type("Fix Oak Avenue")
    page.keyboard.press("Tab")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.locator("h1").inner_text() == "Thank you"
    assert Response.objects.get().answers == {"q1": "roads", "q2": "Fix Oak Avenue"}


def test_a_kiosk_tablet_takes_a_comment_then_is_ready_for_the_next_person(
    open_tab, plan, coordinator, axe_source
):
    from civicplan.engagement import services

    activity = services.create_activity(
        plan=plan,
        user=coordinator,
        data={"kind": "public_event", "title_en": "Library night", "date": "2026-03-14"},
    )
    f.make_needs_survey(plan, slug="needs")
    tab = open_tab(width=800, height=1000)
    page = tab.page
    log_in_through_form(tab, "coordinator")
    tab.goto("/en/staff/engagement/kiosks/new/")
    page.get_by_label("Name of this tablet").fill("Tablet 1")
    page.get_by_label("Event").select_option(str(activity.pk))
    with page.expect_navigation():
        page.get_by_role("button", name="Make this device a kiosk").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Sign out").click()
    tab.goto("/es/surveys/kiosk/")
    tab.audit(axe_source, lang="es")
    page.get_by_label("Su comentario").fill("Más bancos en el parque")
    with page.expect_navigation():
        page.get_by_role("button", name="Enviar mi comentario").click()
    assert "La siguiente persona puede empezar ahora" in page.content()
    assert activity.input_items.get().text == "Más bancos en el parque"

"""Implementation tracking, as people do it in a real Chromium against the live server: a department editor
reports progress from a phone, the coordinator approves it, and a resident reads it in Spanish."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from civicplan.plans.models import PlanItem, ProgressUpdate, UpdateState
from tests import factories
from tests.e2e.support import PHONE, Tab, log_in_through_form

pytestmark = pytest.mark.browser

NARRATIVE_EN = "Crews resurfaced the paths of two parks; the third starts in January."
NARRATIVE_ES = "Las cuadrillas repavimentaron los senderos de dos parques; el tercero empieza en enero."


def _items(plan: Any) -> dict[str, PlanItem]:
    return {item.code: item for item in plan.items.select_related("department")}


def _h1(tab: Tab) -> str:
    return tab.page.locator("h1").inner_text().strip()


@pytest.fixture
def reporting(published_plan: Any) -> dict[str, Any]:
    """The published plan with approval switched on and a reporting period open today."""
    published_plan.updates_need_review = True
    published_plan.save(update_fields=["updates_need_review"])
    return {"plan": published_plan, "period": factories.make_open_period(published_plan)}


@pytest.fixture
def no_script_tab(browser: Any, live_server: Any) -> Iterator[Any]:
    """`no_script_tab(width=...)` -> a `Tab` whose browser runs no JavaScript at all (so no htmx)."""
    contexts: list[Any] = []

    def open_(*, width: int, height: int) -> Tab:
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="en-US", java_script_enabled=False
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return Tab(page=context.new_page(), origin=live_server.url)

    yield open_
    for context in contexts:
        context.close()


def _fill_card(tab: Tab, action: PlanItem) -> Any:
    """On "My updates", fill the card of `action`: status, % complete, English and Spanish narrative."""
    page = tab.page
    card = page.locator("section.cp-update-card").filter(
        has=page.get_by_role("heading", name=re.compile(re.escape(action.title_en)))
    )
    card.wait_for()
    card.get_by_label("Status").select_option(label="At risk")
    card.get_by_label("% complete").fill("65")
    card.get_by_label("What happened this period (English)").fill(NARRATIVE_EN)
    card.get_by_label("What happened this period (Spanish)").fill(NARRATIVE_ES)
    return card


def _submitted(action: PlanItem, period: Any) -> ProgressUpdate:
    update = ProgressUpdate.objects.get(action=action, period=period)
    assert update.state == UpdateState.SUBMITTED, update.state
    assert update.progress == 65 and update.status.key == "at-risk"
    assert (update.narrative_en, update.narrative_es) == (NARRATIVE_EN, NARRATIVE_ES)
    return update


def test_an_editor_reports_on_a_phone_the_coordinator_approves_and_residents_read_it_in_spanish(
    open_tab, reporting, editor_a, axe_source
):
    plan, period = reporting["plan"], reporting["period"]
    action = _items(plan)["1.1.1.1"]
    assert action.department_id == editor_a.department_id

    # A resident has the Spanish goal page open (which also fills the public page cache).
    resident = open_tab(width=PHONE["width"], height=PHONE["height"])
    resident.goto("/es/goals/1.1/")
    assert NARRATIVE_ES not in resident.page.locator("main").inner_text()

    # The editor, on a phone, fills the card of their action and submits it (htmx swaps the card in place;
    # each change is also saved as a draft as they go, and the submit waits for those saves).
    editor = open_tab(width=PHONE["width"], height=PHONE["height"])
    page = editor.page
    log_in_through_form(editor, "editor-a")
    editor.goto("/en/staff/updates/")
    assert _h1(editor) == "My updates"
    card = _fill_card(editor, action)
    submit_path = f"/staff/updates/{action.pk}/{period.pk}/"
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(submit_path)) as answer:
        card.get_by_role("button", name="Submit", exact=True).click()
    assert answer.value.status == 200
    done = f"{action.code}: the update for {period.name_en} is submitted for approval."
    card.get_by_role("status").filter(has_text=done).wait_for()
    assert page.url == editor.url("/en/staff/updates/"), "the card was not swapped in place"
    assert card.get_by_role("button", name="Submit", exact=True).count() == 0
    editor.assert_no_horizontal_scroll(PHONE["width"])
    editor.assert_axe_clean(axe_source)
    update = _submitted(action, period)

    # Not public before the coordinator approves it.
    resident.page.reload()
    assert NARRATIVE_ES not in resident.page.locator("main").inner_text()

    # The coordinator reviews the period's updates and approves this one.
    coordinator = open_tab()
    review = coordinator.page
    log_in_through_form(coordinator, "coordinator")
    coordinator.goto(f"/en/staff/plans/{plan.pk}/periods/{period.pk}/review/")
    assert NARRATIVE_EN in review.locator("main").inner_text()
    approve = review.locator(f"form[action$='/staff/updates/{update.pk}/approve/']")
    assert approve.get_by_label(re.compile("Narrative in Spanish")).input_value() == NARRATIVE_ES
    with review.expect_navigation():
        approve.get_by_role("button", name="Approve and publish").click()
    assert review.url == coordinator.url(f"/en/staff/plans/{plan.pk}/periods/{period.pk}/review/")
    assert f"{action.code}: approved and published." in review.get_by_role("status").first.inner_text()
    update.refresh_from_db()
    assert update.state == UpdateState.PUBLISHED

    # The resident reloads: the action shows the new % and the Spanish narrative.
    resident.page.reload()
    assert _h1(resident) == _items(plan)["1.1"].title_es
    table = resident.page.locator("main table").first
    row = table.get_by_role("row").filter(
        has=resident.page.get_by_role("rowheader", name=re.compile(re.escape(action.title_es)))
    )
    text = row.inner_text()
    assert NARRATIVE_ES in text, text
    assert NARRATIVE_EN not in text
    assert re.search(r"65\s?%", text), text
    resident.assert_no_horizontal_scroll(PHONE["width"])
    resident.assert_axe_clean(axe_source)
    for tab in (resident, editor, coordinator):
        tab.assert_same_origin()
        tab.assert_clean_network_and_console()


def test_an_editor_without_javascript_submits_an_update_from_my_updates(
    no_script_tab, reporting, editor_a, axe_source
):
    plan, period = reporting["plan"], reporting["period"]
    action = _items(plan)["1.1.1.1"]
    editor = no_script_tab(width=PHONE["width"], height=PHONE["height"])
    page = editor.page
    log_in_through_form(editor, "editor-a")
    editor.goto("/en/staff/updates/")
    card = _fill_card(editor, action)
    with page.expect_navigation():
        card.get_by_role("button", name="Submit", exact=True).click()
    assert page.url.startswith(editor.url("/en/staff/updates/")), page.url
    done = f"{action.code}: the update for {period.name_en} is submitted for approval."
    assert done in page.get_by_role("status").first.inner_text()
    _submitted(action, period)
    editor.assert_no_horizontal_scroll(PHONE["width"])
    editor.assert_same_origin()
    editor.assert_clean_network_and_console()


def test_an_update_submitted_without_its_narrative_keeps_what_was_typed_and_says_what_is_missing(
    open_tab, reporting, editor_a
):
    plan, period = reporting["plan"], reporting["period"]
    action = _items(plan)["1.1.1.1"]
    editor = open_tab(width=PHONE["width"], height=PHONE["height"], user=editor_a)
    editor.goto("/en/staff/updates/")
    card = editor.page.locator("section.cp-update-card").first
    card.get_by_label("% complete").fill("30")
    with editor.page.expect_response(
        lambda r: r.request.method == "POST" and r.url.endswith(f"/staff/updates/{action.pk}/{period.pk}/")
    ):
        card.get_by_role("button", name="Submit", exact=True).click()
    card = editor.page.locator("section.cp-update-card").first
    card.locator(".usa-alert--error").wait_for()
    english = card.get_by_label("What happened this period (English)")
    assert english.get_attribute("aria-invalid") == "true"
    assert "Say in a few words what happened (in English)." in card.inner_text()
    assert card.get_by_label("% complete").input_value() == "30"
    assert not ProgressUpdate.objects.filter(
        action=action, period=period, state=UpdateState.SUBMITTED
    ).exists()

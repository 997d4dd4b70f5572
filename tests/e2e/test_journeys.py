"""What people actually do, in a real Chromium against the live server: a resident reading the plan on a phone in
Spanish, a department editor updating an action, the coordinator adopting an amendment. Plus the keyboard on the
item form."""

from __future__ import annotations

import re
from typing import Any

import pytest

from civicplan.plans.models import PlanItem
from tests.e2e.support import PHONE, Tab, log_in_through_form

pytestmark = pytest.mark.browser


def _items(plan: Any) -> dict[str, PlanItem]:
    return {item.code: item for item in plan.items.select_related("department")}


def _h1(tab: Tab) -> str:
    return tab.page.locator("h1").inner_text().strip()


def test_a_resident_on_a_phone_reads_a_goal_in_spanish_then_switches_to_english(
    open_tab, published_plan, axe_source
):
    items = _items(published_plan)
    priority, goal = items["1"], items["1.1"]
    actions = [items["1.1.1.1"], items["1.1.1.2"]]
    tab = open_tab(width=PHONE["width"], height=PHONE["height"])
    page = tab.page

    tab.goto("/es/")
    assert _h1(tab) == "Plan Estratégico"
    tab.assert_no_horizontal_scroll(PHONE["width"])

    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=re.compile(re.escape(priority.title_es))).click()
    assert page.url == tab.url("/es/priorities/1/")
    assert _h1(tab) == priority.title_es
    tab.assert_no_horizontal_scroll(PHONE["width"])

    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=re.compile(re.escape(goal.title_es))).click()
    assert page.url == tab.url("/es/goals/1.1/")
    assert _h1(tab) == goal.title_es
    assert page.evaluate("document.documentElement.lang") == "es"

    # The actions table: one row per action, each with its Spanish title, owner and status, readable at 320 px.
    table = page.locator("main table").first
    table.scroll_into_view_if_needed()
    assert table.is_visible()
    for action in actions:
        title = re.compile(re.escape(action.title_es))
        assert table.get_by_role("rowheader", name=title).is_visible(), f"{action.code} is not in the table"
        row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=title))
        assert action.department.name_es in row.inner_text()
        assert "En curso" in row.inner_text()
    tab.assert_no_horizontal_scroll(PHONE["width"])
    tab.assert_axe_clean(axe_source)

    # The language switch in the header leads to the same goal in English, and remembers the choice.
    with page.expect_navigation():
        page.locator("header").get_by_role("link", name="English").click()
    assert page.url == tab.url("/en/goals/1.1/")
    assert _h1(tab) == goal.title_en
    assert page.evaluate("document.documentElement.lang") == "en"
    assert actions[0].title_en in page.locator("main table").first.inner_text()
    cookies = {cookie["name"]: cookie["value"] for cookie in page.context.cookies()}
    assert cookies.get("civicplan_language") == "en"
    tab.assert_same_origin()
    tab.assert_clean_network_and_console()


def test_a_department_editor_updates_their_action_but_cannot_edit_another_departments(
    open_tab, published_plan, editor_a, axe_source
):
    items = _items(published_plan)
    mine, theirs = items["1.1.1.1"], items["1.1.1.2"]
    assert mine.department.code == "PW" and theirs.department.code == "CDD"
    tab = open_tab()
    page = tab.page

    log_in_through_form(tab, "editor-a")
    assert page.url == tab.url(f"/en/staff/plans/{published_plan.pk}/")

    # Narrow the tree to their own department (htmx swaps the tree in place and updates the address).
    with page.expect_response(lambda response: "department=" in response.url):
        page.get_by_label("Owner department").select_option(str(editor_a.department_id))
    page.wait_for_url(re.compile(rf"department={editor_a.department_id}"))
    tree = page.locator("#plan-tree")
    tree.get_by_role("heading", name="Matching items").wait_for()
    assert theirs.title_en not in tree.inner_text(), "the filter kept another department's action"

    with page.expect_navigation():
        tree.get_by_role("link", name=re.compile(re.escape(mine.title_en))).click()
    assert _h1(tab) == mine.title_en
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name="Edit", exact=True).click()

    page.get_by_label("Progress %").fill("75")
    page.get_by_label("Status").select_option(label="At risk")
    page.get_by_label("Reason for this change (optional)").fill("Contractor delay on the second phase.")
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()

    assert page.url == tab.url(f"/en/staff/items/{mine.pk}/")
    assert f"{mine.code} was saved." in page.get_by_role("status").first.inner_text()
    details = page.locator("main dl").first.inner_text()
    assert "75% complete" in details and "At risk" in details
    mine.refresh_from_db()
    assert mine.progress == 75 and mine.status.key == "at-risk"
    tab.assert_axe_clean(axe_source)

    # Another department's action: no Edit button on its page, and the edit address answers 403 with a plain page.
    tab.goto(f"/en/staff/items/{theirs.pk}/")
    assert page.locator("main").get_by_role("link", name="Edit", exact=True).count() == 0
    tab.goto(f"/en/staff/items/{theirs.pk}/edit/", status=403)
    assert _h1(tab) == "Not allowed"
    theirs.refresh_from_db()
    assert theirs.progress == 60 and theirs.status.key == "on-track"
    tab.assert_same_origin()
    tab.assert_clean_network_and_console()


def test_the_coordinator_adopts_an_amendment_and_residents_see_the_new_title(
    open_tab, published_plan, coordinator, axe_source
):
    goal = _items(published_plan)["1.1"]
    new_en, new_es = "Clean parks in every neighbourhood", "Parques limpios en cada vecindario"
    resident = open_tab()
    resident.goto("/en/goals/1.1/")  # also fills the public page cache, which the adoption must invalidate
    assert _h1(resident) == goal.title_en

    tab = open_tab()
    page = tab.page
    log_in_through_form(tab, "coordinator")
    with page.expect_navigation():
        page.locator("#plan-tree").get_by_role("link", name=re.compile(re.escape(goal.title_en))).click()
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Title (English)").fill(new_en)
    page.get_by_label("Title (Spanish)").fill(new_es)
    with page.expect_navigation():
        page.get_by_role("button", name="Save").click()
    assert _h1(tab) == new_en

    # Editing the draft changes nothing public until council adopts it.
    resident.page.reload()
    assert _h1(resident) == goal.title_en

    tab.goto(f"/en/staff/plans/{published_plan.pk}/")
    with page.expect_navigation():
        page.get_by_role("link", name="Adopt an amendment").click()
    assert _h1(tab) == "Adopt an amendment"
    assert new_en in page.locator("main").inner_text(), "the adopt page does not show what changes"
    tab.assert_axe_clean(axe_source)
    page.get_by_label("Date adopted").fill("2025-09-16")
    page.get_by_label("Council meeting").fill("Regular City Council meeting of September 16, 2025")
    page.get_by_label("Resolution number").fill("2025-87")
    page.get_by_label("Reason for the amendment").fill("Council asked for a clearer goal title.")
    with page.expect_navigation():
        page.get_by_role("button", name="Adopt the amendment").click()

    assert page.url == tab.url(f"/en/staff/plans/{published_plan.pk}/versions/")
    assert "Version 2 was adopted and is now public." in page.get_by_role("status").first.inner_text()
    assert "2025-87" in page.locator("main table").inner_text()

    resident.page.reload()
    assert _h1(resident) == new_en
    resident.goto("/es/goals/1.1/")
    assert _h1(resident) == new_es
    for visited in (tab, resident):
        visited.assert_same_origin()
        visited.assert_clean_network_and_console()


def test_the_item_form_is_usable_by_keyboard_with_visible_focus(open_tab, published_plan, coordinator):
    action = _items(published_plan)["1.1.1.1"]
    tab = open_tab(user=coordinator)
    tab.goto(f"/en/staff/items/{action.pk}/edit/")
    page = tab.page
    page.evaluate(
        "() => { const root = document.documentElement; root.setAttribute('tabindex', '-1'); "
        "root.focus(); root.removeAttribute('tabindex'); }"
    )

    reached: dict[str, dict[str, Any]] = {}
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => {
            const el = document.activeElement, style = getComputedStyle(el);
            return {id: el.id, tag: el.tagName, text: (el.innerText || '').trim(), type: el.type || '',
                    focusVisible: el.matches(':focus-visible'), outlineStyle: style.outlineStyle,
                    outlineWidth: parseFloat(style.outlineWidth) || 0, outlineColor: style.outlineColor};
        }""")
        if focused["id"] == "id_title_en":
            reached["title"] = focused
        if focused["tag"] == "BUTTON" and focused["type"] == "submit" and focused["text"] == "Save":
            reached["save"] = focused
            break
    assert "title" in reached, "Tab never reached the English title field"
    assert "save" in reached, "Tab never reached the Save button"
    for name, focused in reached.items():
        assert focused["focusVisible"], f"{name}: focus is not :focus-visible"
        assert focused["outlineStyle"] != "none" and focused["outlineWidth"] >= 2, (
            f"{name}: no visible focus outline ({focused['outlineStyle']} {focused['outlineWidth']}px)"
        )

    # The focused Save button is on screen (scrolled into view), and Enter on it submits the form.
    assert page.locator("main form button[type=submit]").is_visible()
    page.locator("#id_title_en").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("Keyboard-edited action title")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").focus()
        page.keyboard.press("Enter")
    assert _h1(tab) == "Keyboard-edited action title"

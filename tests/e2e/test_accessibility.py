"""Every public and staff page, in English and Spanish, in a real Chromium: axe-core finds no WCAG 2.1 A/AA
violation, the page has one <h1>, the right <html lang>, a skip link that moves focus to <main>, its stylesheets
load, it asks no other origin for anything, and (public pages) it does not scroll sideways on a 320 px phone."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest

from tests.e2e.support import DESKTOP, PHONE, Tab

pytestmark = pytest.mark.browser

LANGUAGES = ["en", "es"]


@dataclass(frozen=True)
class PageCase:
    name: str
    path: Callable[[SimpleNamespace], str]  # site -> path after /<lang>
    status: int = 200
    # `then` reaches another state of the page, e.g. submits the form to show its errors
    then: Callable[[Tab, SimpleNamespace], None] | None = None
    as_user: str = "coordinator"  # a key of `site`, or "" for anonymous


# --- actions that reach a page's other states -----------------------------------------------------------------


def _submit_item_without_english_title(tab: Tab, site: SimpleNamespace) -> None:
    tab.page.locator("#id_title_en").fill("")
    with tab.page.expect_navigation():
        tab.page.locator("main form button[type=submit]").click()
    assert tab.page.locator("#id_title_en[aria-invalid=true]").count() == 1, "the error state was not shown"
    summary_link = tab.page.locator('.usa-alert--error a[href="#id_title_en"]')
    assert summary_link.count() == 1, "the error summary does not link to the field"


def _upload_bad_plan_file(tab: Tab, site: SimpleNamespace) -> None:
    tab.page.locator("#id_file").set_input_files(
        files=[{"name": "plan.yaml", "mimeType": "application/yaml", "buffer": b"plan:\n  title: 3\n"}]
    )
    with tab.page.expect_response(lambda r: r.request.method == "POST") as answer:
        tab.page.locator("main form button[type=submit]").click()
    assert answer.value.status == 400
    tab.page.wait_for_load_state()
    assert tab.page.locator(".usa-alert--error li").count() >= 1, "the import problems were not listed"


def _upload_good_plan_file(tab: Tab, site: SimpleNamespace) -> None:
    tab.page.locator("#id_file").set_input_files(
        files=[{"name": "plan.yaml", "mimeType": "application/yaml", "buffer": site.export_yaml}]
    )
    with tab.page.expect_navigation():
        tab.page.locator("main form button[type=submit]").click()
    assert "/staff/import/" in tab.page.url and tab.page.url.rstrip("/").split("/")[-1] != "import"


def _sign_in_with_wrong_password(tab: Tab, site: SimpleNamespace) -> None:
    tab.page.locator("#id_username").fill("coordinator")
    tab.page.locator("#id_password").fill("not-the-password")
    with tab.page.expect_navigation():
        tab.page.locator("main form button[type=submit]").click()
    assert tab.page.locator(".usa-alert--error").count() == 1


PUBLIC_PAGES = [
    PageCase("home", lambda s: "/", as_user=""),
    PageCase("priority", lambda s: "/priorities/1/", as_user=""),
    PageCase("goal", lambda s: "/goals/1.1/", as_user=""),
    PageCase("versions", lambda s: "/versions/", as_user=""),
    PageCase("not-found", lambda s: "/goals/9.9/", status=404, as_user=""),
]

STAFF_PAGES = [
    PageCase("login", lambda s: "/accounts/login/", as_user=""),
    PageCase("login-error", lambda s: "/accounts/login/", then=_sign_in_with_wrong_password, as_user=""),
    PageCase("plan-tree", lambda s: f"/staff/plans/{s.plan.pk}/"),
    PageCase("plans", lambda s: "/staff/plans/"),
    PageCase(
        "plan-tree-by-department", lambda s: f"/staff/plans/{s.plan.pk}/?department={s.department_a.pk}"
    ),
    PageCase("plan-tree-expanded", lambda s: f"/staff/plans/{s.plan.pk}/?open=all&archived=1"),
    PageCase("item-detail-action", lambda s: f"/staff/items/{s.action.pk}/"),
    PageCase("item-detail-with-children", lambda s: f"/staff/items/{s.strategy.pk}/"),
    PageCase("item-edit", lambda s: f"/staff/items/{s.action.pk}/edit/"),
    PageCase(
        "item-edit-errors",
        lambda s: f"/staff/items/{s.action.pk}/edit/",
        then=_submit_item_without_english_title,
    ),
    PageCase("item-edit-as-editor", lambda s: f"/staff/items/{s.action.pk}/edit/", as_user="editor_a"),
    PageCase("item-new", lambda s: f"/staff/plans/{s.plan.pk}/items/new/?parent={s.strategy.pk}"),
    PageCase("item-move", lambda s: f"/staff/items/{s.action.pk}/move/"),
    PageCase("item-archive", lambda s: f"/staff/items/{s.strategy.pk}/archive/"),
    PageCase("item-history", lambda s: f"/staff/items/{s.goal.pk}/history/"),
    PageCase("plan-edit", lambda s: f"/staff/plans/{s.plan.pk}/edit/"),
    PageCase("adopt", lambda s: f"/staff/plans/{s.plan.pk}/adopt/"),
    PageCase("versions", lambda s: f"/staff/plans/{s.plan.pk}/versions/"),
    PageCase("compare", lambda s: f"/staff/plans/{s.plan.pk}/compare/?a=1&b=draft"),
    PageCase("statuses", lambda s: f"/staff/plans/{s.plan.pk}/statuses/"),
    PageCase("status-edit", lambda s: f"/staff/statuses/{s.plan.statuses.first().pk}/edit/"),
    PageCase("import", lambda s: "/staff/import/"),
    PageCase("import-errors", lambda s: "/staff/import/", then=_upload_bad_plan_file),
    PageCase("import-preview", lambda s: "/staff/import/", then=_upload_good_plan_file),
    PageCase("item-detail-archived", lambda s: f"/staff/items/{s.archived.pk}/"),
    PageCase("item-restore", lambda s: f"/staff/items/{s.archived.pk}/restore/"),
    PageCase("value-new", lambda s: f"/staff/plans/{s.plan.pk}/values/new/"),
    PageCase("value-archive", lambda s: f"/staff/values/{s.plan.values.first().pk}/archive/"),
    PageCase("forbidden", lambda s: f"/staff/items/{s.action_b.pk}/edit/", status=403, as_user="editor_a"),
    # The coordinator's people pages (city, departments, accounts)
    PageCase("people", lambda s: "/staff/people/"),
    PageCase("organization", lambda s: "/staff/people/city/"),
    PageCase("department-new", lambda s: "/staff/people/departments/new/"),
    PageCase("department", lambda s: f"/staff/people/departments/{s.department_a.pk}/"),
    PageCase("person-new", lambda s: "/staff/people/new/"),
    PageCase("person", lambda s: f"/staff/people/{s.editor_a.pk}/"),
]


@pytest.fixture
def site(
    published_plan: Any, coordinator: Any, editor_a: Any, editor_b: Any, department_a: Any
) -> SimpleNamespace:
    """An adopted plan whose working draft has moved on since (one goal reworded, one action archived), so the
    adopt and compare pages show differences and the tree shows an archived item."""
    from civicplan.plans import services
    from civicplan.plans.exporters import export_plan

    plan = published_plan
    items = {item.code: item for item in plan.items.all()}
    reworded = items["1.2"]
    reworded.title_en, reworded.title_es = "Safer streets for everyone", "Calles más seguras para todos"
    reworded.save()
    services.archive_item(item=items["2.2.1.2"], user=coordinator, reason="Merged into 2.2.1.1.")
    return SimpleNamespace(
        plan=plan,
        department_a=department_a,
        coordinator=coordinator,
        editor_a=editor_a,
        editor_b=editor_b,
        goal=items["1.1"],
        strategy=items["1.1.1"],
        action=items["1.1.1.1"],
        action_b=items["1.1.1.2"],
        archived=items["2.2.1.2"],
        export_yaml=export_plan(plan, "yaml"),
    )


def _visit(open_tab: Callable[..., Tab], site: SimpleNamespace, case: PageCase, lang: str, width: int) -> Tab:
    user = getattr(site, case.as_user) if case.as_user else None
    tab = open_tab(
        width=width, height=PHONE["height"] if width == PHONE["width"] else DESKTOP["height"], user=user
    )
    tab.goto(f"/{lang}{case.path(site)}", status=case.status)
    if case.then is not None:
        case.then(tab, site)
    return tab


@pytest.mark.parametrize("width", [DESKTOP["width"], PHONE["width"]], ids=["desktop", "phone"])
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("case", PUBLIC_PAGES, ids=lambda case: case.name)
def test_public_page_is_accessible(open_tab, site, axe_source, case, lang, width):
    tab = _visit(open_tab, site, case, lang, width)
    tab.audit(axe_source, lang=lang, phone=width == PHONE["width"])


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("case", STAFF_PAGES, ids=lambda case: case.name)
def test_staff_page_is_accessible(open_tab, site, axe_source, case, lang):
    tab = _visit(open_tab, site, case, lang, DESKTOP["width"])
    tab.audit(axe_source, lang=lang)


PHONE_STAFF_PAGES = {
    "login",
    "plan-tree",
    "item-detail-action",
    "item-edit-errors",
    "item-history",
    "adopt",
    "versions",
    "compare",
    "statuses",
    "import-errors",
    "people",
}


@pytest.mark.parametrize(
    "case", [c for c in STAFF_PAGES if c.name in PHONE_STAFF_PAGES], ids=lambda case: case.name
)
def test_staff_page_is_accessible_on_a_phone(open_tab, site, axe_source, case):
    """Staff work from phones too (in Spanish here, the longer language): the pages with tables, trees and long
    forms pass axe at 320 px and do not scroll sideways."""
    tab = _visit(open_tab, site, case, "es", PHONE["width"])
    tab.audit(axe_source, lang="es", phone=True)

"""Every public and staff page, in English and Spanish, in a real Chromium: axe-core finds no WCAG 2.1 A/AA
violation, the page has one <h1>, the right <html lang>, a skip link that moves focus to <main>, its stylesheets
load, it asks no other origin for anything, and (public pages) it does not scroll sideways on a 320 px phone."""

from __future__ import annotations

import re
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


def _upload_drifting_budget_book(tab: Tab, site: SimpleNamespace) -> None:
    """A budget book whose department is spelled differently: the preview asks which department it means."""
    book = (
        b"City of Testville\nAdopted Budget FY 2026-27\n\n"
        b"Fund,Department,Division,Account,Description,FY 2026-27 Adopted\n"
        b'100 - General Fund,Public Works Dept.,Streets,6100 Contract Services,Street sweeping,"$120,000"\n'
        b',Total Public Works Dept.,,,,"$120,000"\n'
    )
    tab.page.locator("#id_file").set_input_files(
        files=[{"name": "budget-book.csv", "mimeType": "text/csv", "buffer": book}]
    )
    with tab.page.expect_navigation():
        tab.page.locator("main form button[type=submit]").click()
    assert tab.page.locator("main select").count() >= 1, "the preview did not ask how to map the department"


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


def _submit_empty_update_card(tab: Tab, site: SimpleNamespace) -> None:
    """Clear the card (status, %, narratives) and press Submit: the card shows what is missing."""
    card = tab.page.locator("main form.cp-update-form")
    card.locator("select[name$=status]").select_option("")
    card.locator("input[name$=progress]").fill("")
    card.locator("textarea[name$=narrative_en]").fill("")
    card.locator("textarea[name$=narrative_es]").fill("")
    with tab.page.expect_response(
        lambda r: (
            r.request.method == "POST"
            and r.url.rstrip("/").endswith(f"/updates/{site.action.pk}/{site.period.pk}")
        )
    ):
        card.get_by_role("button", name=re.compile("^(Submit|Enviar)$")).click()
    tab.page.locator("main .usa-alert--error").first.wait_for()
    assert tab.page.locator("main [aria-invalid=true]").count() >= 1, "no field is marked invalid"


def _enter_a_word_as_the_value(tab: Tab, site: SimpleNamespace) -> None:
    tab.page.locator("#id_value").fill("lots")
    with tab.page.expect_navigation():
        tab.page.locator("main form button[type=submit]").click()
    assert tab.page.locator("#id_value[aria-invalid=true]").count() == 1, "the value was not marked invalid"


def _save_milestone_without_title(tab: Tab, site: SimpleNamespace) -> None:
    tab.page.locator("#id_title_en").fill("")
    with tab.page.expect_navigation():
        tab.page.locator("main form button[type=submit]").click()
    assert tab.page.locator("#id_title_en[aria-invalid=true]").count() == 1, "the error state was not shown"


def _upload_measurements_with_a_bad_row(tab: Tab, site: SimpleNamespace) -> None:
    data = (
        f"indicator,period,value,note\n{site.indicator.key},2026-09,75,\n"
        f"{site.indicator.key},2026-10,lots,\nNO-SUCH,2026-10,3,\n"
    ).encode()
    tab.page.locator("#id_file").set_input_files(
        files=[{"name": "values.csv", "mimeType": "text/csv", "buffer": data}]
    )
    with tab.page.expect_navigation():
        tab.page.locator("main form button[type=submit]").click()
    assert "/staff/indicators/import/" in tab.page.url and not tab.page.url.endswith("/import/")
    assert tab.page.locator("main").get_by_text("lots").count() >= 1, "the bad row is not shown"


def _submit_empty_form(tab: Tab, site: SimpleNamespace) -> None:
    """Press the page's only submit button with the required fields left empty: the errors are shown."""
    with tab.page.expect_navigation():
        tab.page.locator("main form button[type=submit]").click()
    assert tab.page.locator("main [aria-invalid=true]").count() >= 1, "no field is marked invalid"


def _send_survey_page_empty(tab: Tab, site: SimpleNamespace) -> None:
    """The first page sent with its required question unanswered: the error summary and the field's error."""
    with tab.page.expect_navigation():
        tab.page.locator("main form button[value=next]").click()
    assert tab.page.locator("main .usa-error-message").count() >= 1, "no error next to the question"
    assert tab.page.locator('.usa-alert--error a[href="#field-q1"]').count() == 1, "the summary does not link"


def _upload_google_forms_export(tab: Tab, site: SimpleNamespace) -> None:
    """A Google Forms export with a value that maps to no option: the preview lists the problem by row."""
    export = (
        "Timestamp,Question 1,Question 8\r\n"
        "2026/03/14 7:05:12 PM GMT-7,Parques,Más parques\r\n"
        "2026/03/14 7:06:00 PM GMT-7,Potholes,\r\n"
    ).encode()
    tab.page.locator("#id_file").set_input_files(
        files=[{"name": "form.csv", "mimeType": "text/csv", "buffer": export}]
    )
    with tab.page.expect_navigation():
        tab.page.locator("main form button[type=submit]").click()
    assert "/import/" in tab.page.url and tab.page.locator("main table").count() >= 1, "no preview was shown"


def _submit_empty_card(tab: Tab, site: SimpleNamespace) -> None:
    with tab.page.expect_navigation():
        tab.page.locator("main form button[type=submit]").first.click()
    assert tab.page.locator("main .usa-error-message").count() >= 1, "the empty card was not refused"


def _submit_first_form(tab: Tab, site: SimpleNamespace) -> None:
    with tab.page.expect_navigation():
        tab.page.locator("main form button[type=submit]").first.click()
    assert tab.page.locator("main [aria-invalid=true]").count() >= 1, "no field is marked invalid"


def _send_back_without_comment(tab: Tab, site: SimpleNamespace) -> None:
    form = tab.page.locator(f"main form[action$='/updates/{site.waiting.pk}/send-back/']")
    with tab.page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert tab.page.locator("main [aria-invalid=true]").count() == 1, "the missing comment was not marked"


# --- following a goal and "what changed" (plans/views/following.py, plans:changes) ------------------------------


def _last_quarter_changes(site: SimpleNamespace) -> str:
    """Two ended quarters with a completion and a status change, so the home and the changes page show their lists
    (the shared `site` has only an open period). Only this test's database sees them."""
    from civicplan.core.models import ContentGeneration
    from tests.web.changes_support import ended_quarters, published

    items = {item.code: item for item in site.plan.items.all()}
    before, last = ended_quarters(site.plan)
    published(items["1.1.1.1"], before, "on-track")
    published(items["1.1.1.1"], last, "completed", narrative="The library opened.")
    published(items["2.1.1.1"], before, "on-track")
    published(items["2.1.1.1"], last, "at-risk", narrative="The contractor is late.")
    ContentGeneration.bump()
    return "/"


def _follower(site: SimpleNamespace, *, confirmed: bool) -> Any:
    from django.utils import timezone

    from civicplan.plans.models import GoalFollower
    from civicplan.plans.selectors import hash_token

    now = timezone.now()
    return GoalFollower.objects.create(
        goal=site.goal,
        email="resident@example.org",
        token_hash=hash_token("e2e-confirm-token"),
        confirmation_sent_at=now,
        confirmed_at=now if confirmed else None,
    )


def _confirm_path(site: SimpleNamespace) -> str:
    _follower(site, confirmed=False)
    return "/follow/confirm/e2e-confirm-token/"


def _unsubscribe_path(site: SimpleNamespace) -> str:
    from civicplan.plans.selectors import unsubscribe_token

    return f"/follow/unsubscribe/{unsubscribe_token(_follower(site, confirmed=True))}/"


def _follow_with_a_bad_address(tab: Tab, site: SimpleNamespace) -> None:
    tab.page.locator("#id_email").fill("not-an-address")
    with tab.page.expect_navigation():
        tab.page.locator("main form button[type=submit]").click()
    assert tab.page.locator("#id_email[aria-invalid=true]").count() == 1, "the error state was not shown"


def _press_the_button(tab: Tab, site: SimpleNamespace) -> None:
    with tab.page.expect_navigation():
        tab.page.locator("main form button[type=submit]").click()


PUBLIC_PAGES = [
    PageCase("home", lambda s: "/", as_user=""),
    PageCase("priority", lambda s: "/priorities/1/", as_user=""),
    PageCase("goal", lambda s: "/goals/1.1/", as_user=""),
    PageCase("versions", lambda s: "/versions/", as_user=""),
    PageCase("indicator", lambda s: f"/indicators/{s.indicator.key}/", as_user=""),
    PageCase("where-the-money-goes", lambda s: f"/budget/?year={s.fiscal_year}", as_user=""),
    PageCase("priority-2", lambda s: "/priorities/2/", as_user=""),
    PageCase("not-found", lambda s: "/goals/9.9/", status=404, as_user=""),
    PageCase("surveys", lambda s: "/surveys/", as_user=""),
    PageCase("survey-form", lambda s: f"/surveys/{s.open_survey.slug}/", as_user=""),
    PageCase(
        "survey-form-errors",
        lambda s: f"/surveys/{s.open_survey.slug}/",
        then=_send_survey_page_empty,
        as_user="",
    ),
    PageCase("survey-form-page-2", lambda s: f"/surveys/{s.open_survey.slug}/?page=2", as_user=""),
    PageCase("survey-results", lambda s: f"/surveys/{s.published_survey.slug}/results/", as_user=""),
    PageCase("survey-thanks", lambda s: f"/surveys/{s.open_survey.slug}/thanks/", as_user=""),
    PageCase("survey-closed", lambda s: f"/surveys/{s.closed_survey.slug}/", status=410, as_user=""),
    PageCase(
        "survey-invitation",
        lambda s: f"/surveys/{s.employee_survey.slug}/invitation/{s.invite_token}/",
        as_user="",
    ),
    PageCase("home-with-changes", _last_quarter_changes, as_user=""),
    PageCase("changes", lambda s: _last_quarter_changes(s) and "/changes/", as_user=""),
    PageCase("follow-goal", lambda s: "/goals/1.1/follow/", as_user=""),
    PageCase(
        "follow-goal-errors", lambda s: "/goals/1.1/follow/", then=_follow_with_a_bad_address, as_user=""
    ),
    PageCase("follow-goal-sent", lambda s: "/goals/1.1/follow/sent/", as_user=""),
    PageCase("follow-confirm", _confirm_path, as_user=""),
    PageCase("follow-confirmed", _confirm_path, then=_press_the_button, as_user=""),
    PageCase("follow-link-invalid", lambda s: "/follow/confirm/no-such-token/", status=404, as_user=""),
    PageCase("unsubscribe", _unsubscribe_path, as_user=""),
    PageCase("unsubscribed", _unsubscribe_path, then=_press_the_button, as_user=""),
]

STAFF_PAGES = [
    PageCase("you-said-we-did", lambda s: "/you-said-we-did/", as_user=""),
    PageCase("search", lambda s: "/search/?q=goal", as_user=""),
    PageCase("search-nothing", lambda s: "/search/?q=zzzz", as_user=""),
    PageCase("open-data", lambda s: "/data/", as_user=""),
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
    # Action plans and timelines
    PageCase("action-plan", lambda s: f"/staff/items/{s.action.pk}/action-plan/"),
    PageCase(
        "action-plan-as-editor", lambda s: f"/staff/items/{s.action.pk}/action-plan/", as_user="editor_a"
    ),
    PageCase(
        "action-plan-read-only", lambda s: f"/staff/items/{s.action_b.pk}/action-plan/", as_user="editor_a"
    ),
    PageCase("milestone-edit", lambda s: f"/staff/milestones/{s.overdue.pk}/edit/"),
    PageCase(
        "milestone-edit-errors",
        lambda s: f"/staff/milestones/{s.milestone.pk}/edit/",
        then=_save_milestone_without_title,
    ),
    PageCase("milestone-archive", lambda s: f"/staff/milestones/{s.milestone.pk}/archive/"),
    PageCase("goal-timeline", lambda s: f"/staff/items/{s.goal.pk}/timeline/"),
    PageCase("priority-timeline", lambda s: f"/staff/items/{s.goal.parent_id}/timeline/"),
    PageCase("department-timeline", lambda s: f"/staff/departments/{s.department_a.pk}/timeline/"),
    # Reporting periods, progress updates and review
    PageCase("periods", lambda s: f"/staff/plans/{s.plan.pk}/periods/"),
    PageCase("period-new", lambda s: f"/staff/plans/{s.plan.pk}/periods/new/"),
    PageCase(
        "period-new-errors", lambda s: f"/staff/plans/{s.plan.pk}/periods/new/", then=_submit_empty_form
    ),
    PageCase("period-edit", lambda s: f"/staff/periods/{s.period.pk}/edit/"),
    PageCase("my-updates", lambda s: "/staff/updates/"),
    PageCase("my-updates-as-editor", lambda s: "/staff/updates/", as_user="editor_a"),
    PageCase("update-card", lambda s: f"/staff/updates/{s.action.pk}/{s.period.pk}/", as_user="editor_a"),
    PageCase("update-card-submitted", lambda s: f"/staff/updates/{s.action_c.pk}/{s.period.pk}/"),
    PageCase(
        "update-card-errors",
        lambda s: f"/staff/updates/{s.action.pk}/{s.period.pk}/",
        then=_submit_empty_update_card,
        as_user="editor_a",
    ),
    PageCase("update-review", lambda s: f"/staff/plans/{s.plan.pk}/periods/{s.period.pk}/review/"),
    PageCase(
        "update-review-errors",
        lambda s: f"/staff/plans/{s.plan.pk}/periods/{s.period.pk}/review/",
        then=_send_back_without_comment,
    ),
    # Performance indicators
    PageCase("indicators", lambda s: "/staff/indicators/"),
    PageCase("indicator-detail", lambda s: f"/staff/indicators/{s.indicator.pk}/"),
    PageCase("indicator-detail-draft", lambda s: f"/staff/indicators/{s.draft_indicator.pk}/"),
    PageCase("indicator-new", lambda s: "/staff/indicators/new/"),
    PageCase("indicator-new-errors", lambda s: "/staff/indicators/new/", then=_submit_empty_form),
    PageCase("indicator-edit", lambda s: f"/staff/indicators/{s.indicator.pk}/edit/"),
    PageCase("indicator-target", lambda s: f"/staff/indicators/{s.indicator.pk}/target/"),
    PageCase("indicator-enter", lambda s: f"/staff/indicators/{s.indicator.pk}/enter/"),
    PageCase(
        "indicator-enter-errors",
        lambda s: f"/staff/indicators/{s.indicator.pk}/enter/",
        then=_enter_a_word_as_the_value,
    ),
    PageCase("measurement-import", lambda s: "/staff/indicators/import/"),
    PageCase(
        "measurement-import-preview",
        lambda s: "/staff/indicators/import/",
        then=_upload_measurements_with_a_bad_row,
    ),
    # Dashboards
    PageCase("dashboard", lambda s: "/staff/dashboard/"),
    PageCase("department-dashboard", lambda s: f"/staff/dashboard/departments/{s.department_a.pk}/"),
    PageCase("council-summary", lambda s: "/staff/dashboard/council/", as_user="council_member"),
    # Budget
    PageCase("budget-overview", lambda s: f"/staff/budget/?year={s.fiscal_year}", as_user="finance"),
    PageCase("budget-totals", lambda s: f"/staff/budget/totals/?year={s.fiscal_year}&net=1"),
    PageCase("budget-gaps", lambda s: f"/staff/budget/gaps/?year={s.fiscal_year}"),
    PageCase("budget-actions", lambda s: f"/staff/budget/actions/?year={s.fiscal_year}"),
    PageCase("budget-lines", lambda s: f"/staff/budget/lines/?year={s.fiscal_year}"),
    PageCase("budget-line", lambda s: f"/staff/budget/lines/{s.budget_line.pk}/", as_user="finance"),
    PageCase("action-funding", lambda s: f"/staff/budget/actions/{s.action.pk}/funding/", as_user="editor_a"),
    PageCase("budget-import", lambda s: "/staff/budget/import/", as_user="finance"),
    PageCase("budget-import-preview", lambda s: "/staff/budget/import/", then=_upload_drifting_budget_book),
    PageCase("budget-funds", lambda s: "/staff/budget/funds/"),
    PageCase("budget-fund-edit", lambda s: f"/staff/budget/funds/{s.fund.pk}/"),
    PageCase("budget-mappings", lambda s: "/staff/budget/mappings/"),
    PageCase("budget-requests", lambda s: "/staff/budget/requests/", as_user="editor_a"),
    PageCase("budget-request-new", lambda s: "/staff/budget/requests/new/", as_user="editor_a"),
    PageCase("budget-request", lambda s: f"/staff/budget/requests/{s.budget_request.pk}/"),
    PageCase("budget-request-edit", lambda s: f"/staff/budget/requests/{s.budget_request.pk}/edit/"),
    PageCase("budget-request-score", lambda s: f"/staff/budget/requests/{s.budget_request.pk}/score/"),
    PageCase("budget-ranking", lambda s: "/staff/budget/requests/ranking/", as_user="council_member"),
    PageCase("budget-calendar", lambda s: "/staff/budget/calendar/"),
    PageCase("budget-cycle-new", lambda s: "/staff/budget/calendar/cycles/new/"),
    PageCase("budget-milestone-new", lambda s: f"/staff/budget/calendar/cycles/{s.cycle.pk}/milestones/new/"),
    # Engagement
    PageCase("engagement", lambda s: "/staff/engagement/"),
    PageCase("activity", lambda s: f"/staff/engagement/activities/{s.activity.pk}/", as_user="editor_a"),
    PageCase(
        "activity-card-errors",
        lambda s: f"/staff/engagement/activities/{s.activity.pk}/",
        then=_submit_empty_card,
    ),
    PageCase("activity-session", lambda s: f"/staff/engagement/activities/{s.session.pk}/"),
    PageCase("activity-new", lambda s: "/staff/engagement/activities/new/"),
    PageCase("activity-new-errors", lambda s: "/staff/engagement/activities/new/", then=_submit_empty_form),
    PageCase("survey", lambda s: f"/staff/engagement/surveys/{s.open_survey.pk}/"),
    PageCase("survey-draft", lambda s: f"/staff/engagement/surveys/{s.draft_survey.pk}/"),
    PageCase("survey-new", lambda s: "/staff/engagement/surveys/new/"),
    PageCase("question-new", lambda s: f"/staff/engagement/surveys/{s.draft_survey.pk}/questions/new/"),
    PageCase(
        "question-new-errors",
        lambda s: f"/staff/engagement/surveys/{s.draft_survey.pk}/questions/new/",
        then=_submit_first_form,
    ),
    PageCase(
        "survey-results-staff",
        lambda s: f"/staff/engagement/surveys/{s.published_survey.pk}/results/?row=q1&column=q9",
    ),
    PageCase(
        "survey-results-employee", lambda s: f"/staff/engagement/surveys/{s.employee_survey.pk}/results/"
    ),
    PageCase("survey-invites", lambda s: f"/staff/engagement/surveys/{s.employee_survey.pk}/invitations/"),
    PageCase(
        "survey-paper", lambda s: f"/staff/engagement/surveys/{s.open_survey.pk}/paper/", as_user="editor_a"
    ),
    PageCase(
        "survey-council-answer",
        lambda s: f"/staff/engagement/surveys/{s.council_survey.pk}/answer/",
        as_user="council_member",
    ),
    PageCase("kiosk-new", lambda s: "/staff/engagement/kiosks/new/"),
    PageCase("survey-import", lambda s: f"/staff/engagement/surveys/{s.closed_survey.pk}/import/"),
    PageCase(
        "survey-import-preview",
        lambda s: f"/staff/engagement/surveys/{s.closed_survey.pk}/import/",
        then=_upload_google_forms_export,
    ),
    PageCase("survey-import-new", lambda s: "/staff/engagement/import/", then=_upload_google_forms_export),
    # Insight
    PageCase("insight-input", lambda s: "/staff/insights/"),
    PageCase("insight-input-suggested", lambda s: "/staff/insights/?coded=suggested", as_user="editor_a"),
    PageCase("insight-codebook", lambda s: "/staff/insights/themes/?discover=en&quality=1"),
    PageCase("insight-theme", lambda s: f"/staff/insights/themes/{s.theme.pk}/"),
    PageCase("insight-traceability", lambda s: "/staff/insights/traceability/"),
    PageCase("insight-weighting", lambda s: f"/staff/insights/surveys/{s.published_survey.pk}/weighting/"),
    PageCase("insight-weighted", lambda s: f"/staff/insights/surveys/{s.published_survey.pk}/weighted/"),
]


@pytest.fixture
def site(
    published_plan: Any,
    coordinator: Any,
    editor_a: Any,
    editor_b: Any,
    department_a: Any,
    council_member: Any,
    finance: Any,
) -> SimpleNamespace:
    """An adopted plan whose working draft has moved on since (one goal reworded, one action archived), so the
    adopt and compare pages show differences and the tree shows an archived item; plus implementation tracking
    (see `_implementation_tracking`)."""
    from civicplan.plans import services
    from civicplan.plans.exporters import export_plan

    plan = published_plan
    items = {item.code: item for item in plan.items.all()}
    reworded = items["1.2"]
    reworded.title_en, reworded.title_es = "Safer streets for everyone", "Calles más seguras para todos"
    reworded.save()
    services.archive_item(item=items["2.2.1.2"], user=coordinator, reason="Merged into 2.2.1.1.")
    tracking = _implementation_tracking(plan, items, coordinator, editor_a)
    budget = _budget(plan, items, department_a)
    engagement = _engagement(plan, coordinator)
    insight = _insights(plan, items, coordinator)
    return SimpleNamespace(
        plan=plan,
        **engagement,
        **insight,
        finance=finance,
        **budget,
        department_a=department_a,
        coordinator=coordinator,
        council_member=council_member,
        editor_a=editor_a,
        editor_b=editor_b,
        **tracking,
        goal=items["1.1"],
        strategy=items["1.1.1"],
        action=items["1.1.1.1"],
        action_b=items["1.1.1.2"],
        archived=items["2.2.1.2"],
        export_yaml=export_plan(plan, "yaml"),
    )


def _implementation_tracking(
    plan: Any, items: dict[str, Any], coordinator: Any, editor_a: Any
) -> dict[str, Any]:
    """An open reporting period with a submitted update waiting for approval (1.2.1.1), a draft (2.1.1.1) and a
    published update (1.1.1.2, shown on the public goal page); action 1.1.1.1 with two milestones (one overdue)
    and an evidence link; a published indicator of goal 1.1 with a target and monthly values; a draft one."""
    import datetime as dt

    from django.utils import timezone

    from civicplan.plans import services
    from civicplan.plans.models import UpdateState
    from tests import factories

    today = timezone.localdate()
    plan.updates_need_review = True
    plan.save(update_fields=["updates_need_review"])
    period = factories.make_open_period(plan, today=today)
    waiting = factories.make_submitted_update(
        items["1.2.1.1"],
        period,
        editor_a,
        narrative_en="The new crossings are built.",
        narrative_es="Los nuevos cruces están construidos.",
    )
    draft = factories.make_submitted_update(
        items["2.1.1.1"],
        period,
        editor_a,
        state=UpdateState.DRAFT,
        narrative_en="Half written.",
        submitted_by=None,
        submitted_at=None,
    )
    factories.make_submitted_update(
        items["1.1.1.2"],
        period,
        coordinator,
        state=UpdateState.PUBLISHED,
        progress=60,
        narrative_en="Residents chose the designs for two parks.",
        narrative_es="Los vecinos eligieron los diseños de dos parques.",
        reviewed_by=coordinator,
        reviewed_at=timezone.now(),
        published_at=timezone.now(),
    )
    action = items["1.1.1.1"]
    milestone = factories.make_milestone(
        action, title_en="Contract signed", title_es="Contrato firmado", due_on=today + dt.timedelta(days=60)
    )
    overdue = factories.make_milestone(
        action, title_en="Design done", title_es="Diseño terminado", due_on=today - dt.timedelta(days=30)
    )
    services.add_evidence_link(
        action=action, user=coordinator, title="Council staff report", url="https://example.org/report"
    )
    first, _last = plan.bounds
    indicator = factories.make_indicator(
        plan,
        items=[items["1.1"]],
        is_published=True,
        key="PARKS-1",
        name_en="Residents within a 10-minute walk of a park",
        name_es="Residentes a 10 minutos a pie de un parque",
        description_en="Share of residents who live close to a park.",
        description_es="Parte de los residentes que viven cerca de un parque.",
        source_en="Parks GIS",
        source_es="SIG de Parques",
    )
    month, this_month = first, today.replace(day=1)
    for n in range(18):  # monthly values from the plan's first month up to last month
        if month >= this_month:
            break
        factories.make_measurement(indicator, month, 60 + n)
        month = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    factories.make_target(indicator, plan.start_fiscal_year, 70)
    factories.make_target(indicator, plan.start_fiscal_year + 1, 80)
    draft_indicator = factories.make_indicator(
        plan, key="LIBRARY-1", name_en="Library visits", name_es="Visitas"
    )
    return {
        "period": period,
        "waiting": waiting,
        "draft": draft,
        "milestone": milestone,
        "overdue": overdue,
        "indicator": indicator,
        "draft_indicator": draft_indicator,
        "action_c": items["1.2.1.1"],
    }


def _budget(plan: Any, items: dict[str, Any], department_a: Any) -> dict[str, Any]:
    """Two budget lines of the plan's second fiscal year (one linked to goal 1.1 and action 1.1.1.1, one outside the
    plan, one transfer), action 1.1.1.1 funded, a budget cycle with an open request window and a submitted request."""
    from decimal import Decimal

    from civicplan.budget.models import ActionFunding, Allocation
    from tests import factories

    year = plan.start_fiscal_year + 1
    organization = plan.organization
    fund = factories.make_fund(organization)
    line = factories.make_budget_line(
        organization, department_a, year, fund=fund, description="Neighborhood Beat Officers"
    )
    Allocation.objects.create(line=line, item=items["1.1.1.1"], share_percent=Decimal(60))
    Allocation.objects.create(line=line, item=items["1.1"], amount=Decimal("20000.00"))
    factories.make_budget_line(
        organization, department_a, year, fund=fund, description="Building maintenance"
    )
    factories.make_budget_line(
        organization,
        department_a,
        year,
        fund=fund,
        account="9100 Transfers Out",
        description="Transfer out to Capital Improvement Fund",
        is_transfer=True,
    )
    ActionFunding.objects.create(
        action=items["1.1.1.1"], fiscal_year=year, status="funded", estimated_cost=Decimal(70000), fund=fund
    )
    cycle = factories.make_cycle(organization, plan.start_fiscal_year + 2)
    request = factories.make_budget_request(cycle, department_a, [items["1.1"], items["1.1.1.1"]])
    return {"fiscal_year": year, "fund": fund, "budget_line": line, "cycle": cycle, "budget_request": request}


def _engagement(plan: Any, coordinator: Any) -> dict[str, Any]:
    """Surveys in each state and audience (the published one with responses, so results have charts), an event
    with a comment card and a council session with an output."""
    import random

    from civicplan.engagement import services
    from tests import factories

    rng = random.Random(4)
    surveys = {
        "open_survey": factories.make_needs_survey(plan, slug="needs"),
        "draft_survey": factories.make_needs_survey(plan, slug="draft", state="draft"),
        "closed_survey": factories.make_needs_survey(plan, slug="closed", state="closed"),
        "published_survey": factories.make_needs_survey(plan, slug="results", state="published"),
        "council_survey": factories.make_needs_survey(plan, slug="council", audience="council"),
        "employee_survey": factories.make_needs_survey(plan, slug="staff", audience="employee"),
    }
    for survey in (surveys["published_survey"], surveys["employee_survey"]):
        for number in range(12):
            services.enter_paper_response(
                survey=survey,
                user=coordinator,
                answers={
                    "q1": rng.choice(["parks", "roads", "housing"]),
                    "q2": ["parks"],
                    "q3": rng.randint(1, 5),
                    "q4": {"safety": 4, "trash": rng.randint(1, 5)},
                    "q5": ["roads", "parks"],
                    "q6": {"parks": 50, "roads": 50},
                    "q7": str(number),
                    "q8": f"Comentario número {number}",
                    "q9": rng.choice(["95120", "95121"]),
                },
                language="es",
            ) if survey.audience != "employee" else services.submit_employee_response(
                survey=survey,
                token=services.create_invites(
                    survey=survey, user=coordinator, emails=[f"e{number}@city.gov"]
                )[0][1],
                answers={"q1": "parks", "q3": rng.randint(1, 5), "q8": "ok"},
                language="en",
            )
    ((_email, token),) = services.create_invites(
        survey=surveys["employee_survey"], user=coordinator, emails=["new@city.gov"]
    )
    activity = services.create_activity(
        plan=plan,
        user=coordinator,
        data={
            "kind": "public_event",
            "title_en": "Library night",
            "title_es": "Noche en la biblioteca",
            "date": "2026-03-14",
        },
    )
    services.add_comment_card(
        activity=activity, user=coordinator, data={"text": "Más sombra", "language": "es", "topic": "parques"}
    )
    session = services.create_activity(
        plan=plan,
        user=coordinator,
        data={"kind": "council_session", "title_en": "Council session 1", "date": "2026-01-20"},
    )
    services.add_session_output(
        activity=session,
        user=coordinator,
        data={"output_kind": "ranked_priority", "text": "Housing", "rank": 1},
    )
    return {**surveys, "invite_token": token, "activity": activity, "session": session}


def _insights(plan: Any, items: dict[str, Any], coordinator: Any) -> dict[str, Any]:
    """A small codebook: comments in both languages coded to two themes, one linked to goal 1.1, a published
    quote, and the classifier's suggestions for the rest."""
    from civicplan.engagement.models import InputItem
    from civicplan.insights.services import coding, links
    from civicplan.insights.services.evidence import collect_evidence, set_quote_public

    texts = [
        ("Fix the potholes on Oak Avenue", "en"),
        ("The sidewalk is broken", "en"),
        ("Arreglen los baches", "es"),
        ("More shade trees in the park", "en"),
        ("Más árboles en el parque", "es"),
        ("The park needs lights", "en"),
        ("Baches en la calle Roble", "es"),
    ]
    for text, language in texts:
        InputItem.objects.create(
            plan=plan, channel="comment_card", text=text, language=language, received_on="2026-03-01"
        )
    collect_evidence(plan)
    streets = coding.create_theme(
        plan=plan,
        user=coordinator,
        data={"name_en": "Streets", "name_es": "Calles", "keywords": "pothole, bache"},
    )
    parks = coding.create_theme(
        plan=plan,
        user=coordinator,
        data={"name_en": "Parks", "name_es": "Parques", "keywords": "park, parque"},
    )
    coding.code_input(
        evidence=plan.evidence.filter(text__in=[t for t, _l in texts[:3]]), theme=streets, user=coordinator
    )
    coding.code_input(
        evidence=plan.evidence.filter(text__in=[t for t, _l in texts[3:5]]), theme=parks, user=coordinator
    )
    set_quote_public(evidence=plan.evidence.get(text=texts[0][0]), user=coordinator, public=True)
    links.link(item=items["1.1"], user=coordinator, relation="addressed_by", theme=streets)
    coding.suggest_themes(plan=plan, user=coordinator)
    return {"theme": streets}


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
    "action-plan",
    "my-updates-as-editor",
    "update-card-errors",
    "update-review",
    "indicator-detail",
    "indicator-enter-errors",
    "measurement-import-preview",
    "dashboard",
    "council-summary",
    "insight-input",
    "insight-traceability",
}


@pytest.mark.parametrize(
    "case", [c for c in STAFF_PAGES if c.name in PHONE_STAFF_PAGES], ids=lambda case: case.name
)
def test_staff_page_is_accessible_on_a_phone(open_tab, site, axe_source, case):
    """Staff work from phones too (in Spanish here, the longer language): the pages with tables, trees and long
    forms pass axe at 320 px and do not scroll sideways."""
    tab = _visit(open_tab, site, case, "es", PHONE["width"])
    tab.audit(axe_source, lang="es", phone=True)


def test_the_api_docs_page_is_accessible_and_loads_nothing_from_elsewhere(open_tab, site, axe_source):
    """The API reference the site renders from its OpenAPI schema (in place of django-ninja's Swagger UI)."""
    for lang in LANGUAGES:
        tab = open_tab(width=DESKTOP["width"], height=DESKTOP["height"], user=None)
        tab.page.context.add_cookies([{"name": "civicplan_language", "value": lang, "url": tab.url("/")}])
        tab.goto("/api/v1/docs")
        tab.audit(axe_source, lang=lang)

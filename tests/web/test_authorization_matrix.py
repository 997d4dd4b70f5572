"""Every URL x every persona x GET/POST. A new URL without an entry here fails `test_every_url_has_an_entry`."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from civicplan.plans import services

PERSONAS = [
    "anonymous",
    "resident",
    "editor_a",
    "editor_b",
    "council_member",
    "finance",
    "viewer",
    "coordinator",
]
PUBLIC = set(PERSONAS)
READERS = {"editor_a", "editor_b", "council_member", "finance", "viewer", "coordinator"}
COORDINATOR = {"coordinator"}
OWNER = {"coordinator", "editor_a"}  # the target item belongs to department A
NOBODY: set[str] = set()
IMPORTERS = {"coordinator", "editor_a", "editor_b"}  # performance.import_measurements
MANAGERS = {"coordinator", "finance"}  # budget.manage_budget, budget.score_request
FUNDERS = {"coordinator", "finance", "editor_a"}  # budget.change_funding on an action of department A
REQUESTERS = {"coordinator", "editor_a", "editor_b"}  # budget.add_request
ENTERERS = {
    "coordinator",
    "editor_a",
    "editor_b",
}  # engagement.enter_input: comment cards, paper questionnaires
COUNCIL = {"council_member"}

# url name -> (who may GET, who may POST)
MATRIX: dict[str, tuple[set[str], set[str]]] = {
    "health": (PUBLIC, PUBLIC),
    "switch-language": (PUBLIC, PUBLIC),
    "web:home": (PUBLIC, PUBLIC),
    "web:search": (PUBLIC, NOBODY),
    "plans:priority": (PUBLIC, PUBLIC),
    "plans:goal": (PUBLIC, PUBLIC),
    "plans:versions": (PUBLIC, PUBLIC),
    # Following a goal by e-mail (plans/views/following.py): public forms and links with a secret in the path.
    "plans:goal-follow": (PUBLIC, PUBLIC),
    "plans:goal-follow-sent": (PUBLIC, NOBODY),
    "plans:follow-confirm": (PUBLIC, PUBLIC),
    "plans:follow-unsubscribe": (PUBLIC, PUBLIC),
    "plans:changes": (PUBLIC, PUBLIC),
    "accounts:login": (PUBLIC, PUBLIC),
    "accounts:logout": (NOBODY, PUBLIC),
    "staff:home": (READERS, READERS),
    "staff:plan": (READERS, NOBODY),
    "staff:plans": (READERS, NOBODY),
    "staff:plan-archive": (COORDINATOR, COORDINATOR),
    "staff:plan-edit": (COORDINATOR, COORDINATOR),
    "staff:value-new": (COORDINATOR, COORDINATOR),
    "staff:value-edit": (COORDINATOR, COORDINATOR),
    "staff:value-archive": (COORDINATOR, COORDINATOR),
    "staff:value-move": (NOBODY, COORDINATOR),
    "staff:statuses": (READERS, READERS),
    "staff:status-new": (COORDINATOR, COORDINATOR),
    "staff:status-edit": (COORDINATOR, COORDINATOR),
    "staff:item-new": (COORDINATOR, COORDINATOR),
    "staff:item": (READERS, READERS),
    "staff:item-edit": (OWNER, OWNER),
    "staff:item-move": (COORDINATOR, COORDINATOR),
    "staff:item-archive": (COORDINATOR, COORDINATOR),
    "staff:item-restore": (COORDINATOR, COORDINATOR),
    "staff:item-history": (READERS, READERS),
    "staff:adopt": (COORDINATOR, COORDINATOR),
    "staff:versions": (READERS, READERS),
    "staff:compare": (READERS, NOBODY),
    "staff:export": (READERS, NOBODY),
    "staff:import": (COORDINATOR, COORDINATOR),
    "staff:import-preview": (COORDINATOR, COORDINATOR),
    # Measurement files: importing is for the coordinator and editors (rows are checked per indicator).
    "indicators:import": (IMPORTERS, IMPORTERS),
    "indicators:import-template": (IMPORTERS, NOBODY),
    "indicators:import-preview": (COORDINATOR, COORDINATOR),  # only whoever uploaded it
    "indicators:export": (READERS, NOBODY),
    # Action plans (plans/views/action_plans.py): everyone with a plan role reads; the action's department, the
    # coordinator (and the accountable owner, not set here) change it. Timelines are read-only.
    "staff:action-plan": (READERS, NOBODY),
    "staff:action-people": (NOBODY, OWNER),
    "staff:action-dependency-add": (NOBODY, OWNER),
    "staff:action-dependency-remove": (NOBODY, OWNER),
    "staff:milestone-new": (NOBODY, OWNER),
    "staff:milestone-edit": (OWNER, OWNER),
    "staff:milestone-done": (NOBODY, OWNER),
    "staff:milestone-archive": (OWNER, OWNER),
    "staff:evidence-new": (NOBODY, OWNER),
    "staff:evidence-archive": (NOBODY, OWNER),
    "staff:item-timeline": (READERS, NOBODY),
    "staff:department-timeline": (READERS, NOBODY),
    "performance:indicator": (PUBLIC, PUBLIC),
    "indicators:list": (READERS, NOBODY),
    "indicators:new": (COORDINATOR, COORDINATOR),
    "indicators:detail": (READERS, NOBODY),
    "indicators:edit": (COORDINATOR, COORDINATOR),
    "indicators:target": (COORDINATOR, COORDINATOR),
    "indicators:enter": (OWNER, OWNER),
    "indicators:publish": (NOBODY, COORDINATOR),
    "indicators:unpublish": (NOBODY, COORDINATOR),
    "indicators:archive": (COORDINATOR, COORDINATOR),
    "indicators:restore": (COORDINATOR, COORDINATOR),
    "indicators:verify": (NOBODY, COORDINATOR),
    "staff:periods": (READERS, NOBODY),
    "staff:periods-quarters": (NOBODY, COORDINATOR),
    "staff:period-new": (COORDINATOR, COORDINATOR),
    "staff:periods-review-setting": (NOBODY, COORDINATOR),
    "staff:period-edit": (COORDINATOR, COORDINATOR),
    "staff:period-delete": (NOBODY, COORDINATOR),
    "staff:my-updates": (READERS, NOBODY),
    "staff:update-card": (OWNER, OWNER),
    "staff:update-autosave": (NOBODY, OWNER),
    "staff:update-review": (COORDINATOR, NOBODY),
    "staff:update-approve": (NOBODY, COORDINATOR),
    "staff:update-send-back": (NOBODY, COORDINATOR),
    "web:dashboard": (READERS, NOBODY),
    "web:department-dashboard": (READERS, NOBODY),
    "web:council-summary": (READERS, NOBODY),
    "staff:evidence-file-new": (NOBODY, OWNER),
    "staff:evidence-file": (READERS, NOBODY),  # private files: staff readers only, never residents
    "people:people": (COORDINATOR, COORDINATOR),
    "people:organization": (COORDINATOR, COORDINATOR),
    "people:department-new": (COORDINATOR, COORDINATOR),
    "people:department": (COORDINATOR, COORDINATOR),
    "people:person-new": (COORDINATOR, COORDINATOR),
    "people:person": (COORDINATOR, COORDINATOR),
    # Budget (budget/): every plan role reads; the coordinator and finance manage the data and score requests; a
    # department writes its own requests and its actions' funding; residents read "Where the money goes".
    # A request's state (already submitted, withdrawn, decided) is never a 403: the page says so in words.
    "money:where": (PUBLIC, PUBLIC),
    "budget:overview": (READERS, NOBODY),
    "budget:totals": (READERS, NOBODY),
    "budget:gaps": (READERS, NOBODY),
    "budget:actions": (READERS, NOBODY),
    "budget:lines": (READERS, NOBODY),
    "budget:line": (READERS, MANAGERS),
    "budget:allocation-delete": (NOBODY, MANAGERS),
    "budget:action-funding": (FUNDERS, FUNDERS),
    "budget:export": (READERS, NOBODY),
    "budget:import": (MANAGERS, MANAGERS),
    "budget:import-template": (MANAGERS, NOBODY),
    "budget:import-preview": (COORDINATOR, COORDINATOR),  # only whoever uploaded it
    "budget:funds": (READERS, MANAGERS),
    "budget:fund-edit": (MANAGERS, MANAGERS),
    "budget:mappings": (MANAGERS, NOBODY),
    "budget:mapping-delete": (NOBODY, MANAGERS),
    "budget:requests": (READERS, NOBODY),
    "budget:request-new": (REQUESTERS, REQUESTERS),
    "budget:request": (READERS, NOBODY),
    "budget:request-edit": (OWNER, OWNER),
    "budget:request-submit": (NOBODY, OWNER),
    "budget:request-withdraw": (NOBODY, OWNER),
    "budget:request-score": (MANAGERS, MANAGERS),
    "budget:request-decide": (NOBODY, MANAGERS),
    "budget:ranking": (READERS, NOBODY),
    "budget:calendar": (READERS, NOBODY),
    "budget:cycle-new": (MANAGERS, MANAGERS),
    "budget:cycle-edit": (MANAGERS, MANAGERS),
    "budget:milestone-new": (MANAGERS, MANAGERS),
    "budget:milestone-edit": (MANAGERS, MANAGERS),
    "budget:milestone-delete": (NOBODY, MANAGERS),
    # Engagement: residents take public surveys, employees use their invitation, the kiosk needs a registered
    # device (404 without one, for everybody); every plan role reads the record and the results; the coordinator
    # builds; the coordinator and editors key in cards and paper; council members answer the council survey.
    "surveys:list": (PUBLIC, PUBLIC),
    "surveys:kiosk": (PUBLIC, PUBLIC),
    "surveys:take": (PUBLIC, PUBLIC),
    "surveys:thanks": (PUBLIC, PUBLIC),
    "surveys:results": (PUBLIC, PUBLIC),
    "surveys:invitation": (PUBLIC, PUBLIC),
    "engagement:overview": (READERS, NOBODY),
    "engagement:activity-new": (COORDINATOR, COORDINATOR),
    "engagement:activity": (READERS, ENTERERS),
    "engagement:activity-edit": (COORDINATOR, COORDINATOR),
    "engagement:input-archive": (NOBODY, ENTERERS),
    "engagement:survey-new": (COORDINATOR, COORDINATOR),
    "engagement:survey": (READERS, NOBODY),
    "engagement:survey-edit": (COORDINATOR, COORDINATOR),
    "engagement:survey-state": (NOBODY, COORDINATOR),
    "engagement:survey-new-version": (NOBODY, COORDINATOR),
    "engagement:question-new": (COORDINATOR, COORDINATOR),
    "engagement:question-edit": (COORDINATOR, COORDINATOR),
    "engagement:question-move": (NOBODY, COORDINATOR),
    "engagement:question-remove": (NOBODY, COORDINATOR),
    "engagement:invites": (COORDINATOR, COORDINATOR),
    "engagement:paper": (ENTERERS, ENTERERS),
    "engagement:council-answer": (COUNCIL, COUNCIL),
    "engagement:results": (READERS, NOBODY),
    "engagement:results-export": (READERS, NOBODY),
    "engagement:question-public": (NOBODY, COORDINATOR),
    "engagement:import": (COORDINATOR, COORDINATOR),
    "engagement:import-new": (COORDINATOR, COORDINATOR),
    "engagement:import-preview": (COORDINATOR, COORDINATOR),  # only whoever uploaded it
    "engagement:kiosk-new": (COORDINATOR, COORDINATOR),
    "engagement:kiosk-retire": (NOBODY, COORDINATOR),
    "voice:you-said": (PUBLIC, NOBODY),
    # The open data API: read-only and public (POST answers 405; django-ninja's root and schema views answer
    # any method as a read).
    "api:api-root": (PUBLIC, PUBLIC),
    "api:plan": (PUBLIC, NOBODY),
    "api:items": (PUBLIC, NOBODY),
    "api:item": (PUBLIC, NOBODY),
    "api:indicators": (PUBLIC, NOBODY),
    "api:indicator": (PUBLIC, NOBODY),
    "api:versions": (PUBLIC, NOBODY),
    "api:statuses": (PUBLIC, NOBODY),
    "api:updates": (PUBLIC, NOBODY),
    "api:budget": (PUBLIC, NOBODY),
    "api:surveys": (PUBLIC, NOBODY),
    "api:survey_results": (PUBLIC, NOBODY),
    "api:items_csv": (PUBLIC, NOBODY),
    "api:indicators_csv": (PUBLIC, NOBODY),
    "api:plan_json": (PUBLIC, NOBODY),
    "reporting:stratml": (PUBLIC, NOBODY),  # GET only: POST answers 405
    "reporting:data": (PUBLIC, NOBODY),
    "api:openapi-json": (PUBLIC, PUBLIC),
    "api:openapi-view": (PUBLIC, PUBLIC),
    "insights:evidence": (READERS, NOBODY),
    "insights:code": (NOBODY, ENTERERS),
    "insights:suggestion": (NOBODY, ENTERERS),
    "insights:quote": (NOBODY, COORDINATOR),
    "insights:evidence-link": (READERS, COORDINATOR),
    "insights:codebook": (READERS, COORDINATOR),
    "insights:accept-candidate": (NOBODY, COORDINATOR),
    "insights:suggest": (NOBODY, ENTERERS),
    "insights:theme": (READERS, COORDINATOR),
    "insights:theme-link": (NOBODY, COORDINATOR),
    "insights:theme-draft": (NOBODY, COORDINATOR),
    "insights:theme-merge": (NOBODY, COORDINATOR),
    "insights:unlink": (NOBODY, COORDINATOR),
    "insights:traceability": (READERS, NOBODY),
    "insights:weighting": (READERS, COORDINATOR),
    "insights:weighting-run": (NOBODY, COORDINATOR),
    "insights:weighting-import": (COORDINATOR, COORDINATOR),
    "insights:weighted-results": (READERS, NOBODY),
    # Reports (reports/views): every plan role reads them and may ask for a PDF; a build (its progress page and
    # file) belongs to whoever asked (editor_a in the world) and to the coordinator. The report card is public.
    "reports:index": (READERS, NOBODY),
    "reports:report": (READERS, NOBODY),
    "reports:build-start": (NOBODY, READERS),
    "reports:build": (OWNER, NOBODY),
    "reports:download": (OWNER, NOBODY),
    "reporting:report-card": (PUBLIC, PUBLIC),
}
IGNORED_PREFIXES = (
    "django-admin/",
    "admin:",
)  # the Django admin is superuser-only and guarded by Django itself


def _all_url_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith("django-admin/"):
                    continue
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns, "")
    return names


def test_every_url_has_an_entry():
    missing = _all_url_names() - set(MATRIX)
    assert not missing, f"Add these URLs to the authorization matrix: {sorted(missing)}"


@pytest.fixture
def world(
    request,
    adopted_plan,
    coordinator,
    editor_a,
    editor_b,
    council_member,
    finance,
    viewer,
    resident,
    department_a,
):
    from civicplan.plans.models import PendingImport, PlanItem

    action = adopted_plan.items.filter(level="action", department=department_a).first()
    archived = adopted_plan.items.filter(level="action").exclude(pk=action.pk).last()
    services.archive_item(item=archived, user=coordinator, reason="test")
    pending = PendingImport.objects.create(
        token="tok", filename="p.yaml", content=b"schema: x", created_by=coordinator
    )
    value = services.save_value(
        plan=adopted_plan, user=coordinator, data={"name_en": "Integrity", "name_es": "Integridad"}
    )
    status = adopted_plan.statuses.first()
    goal = adopted_plan.items.filter(level="goal").first()
    priority = adopted_plan.items.filter(level="priority").first()
    measurement_upload = PendingImport.objects.create(
        token="measurements-tok",
        purpose="measurements",
        filename="m.csv",
        content=b"indicator,period,value\nnope,2026-03,1\n",
        created_by=coordinator,
    )
    # Action plans: a milestone and an evidence link on the department A action, and an action it could wait on.
    waited_on = (
        adopted_plan.items.filter(level="action", archived_at__isnull=True).exclude(pk=action.pk).first()
    )
    milestone = services.add_milestone(
        action=action, user=coordinator, data={"title_en": "Design", "due_on": dt.date(2026, 1, 31)}
    )
    evidence = services.add_evidence_link(
        action=action, user=coordinator, title="Staff report", url="https://city.example/report"
    )
    from tests import factories as perf_f

    indicator = perf_f.make_indicator(adopted_plan, items=[goal], department=department_a, is_published=True)
    measurement = perf_f.make_measurement(indicator, adopted_plan.bounds[0], 1)
    archived_indicator = perf_f.make_indicator(adopted_plan)
    from civicplan.performance import services as performance_services

    performance_services.archive_indicator(indicator=archived_indicator, user=coordinator, reason="test")
    from tests.factories import make_open_period, make_submitted_update

    update_period = make_open_period(adopted_plan)
    submitted_update = make_submitted_update(action, update_period, editor_a)
    # An attached file, written under a temporary MEDIA_ROOT (never into the checkout).
    from django.core.files.uploadedfile import SimpleUploadedFile

    request.getfixturevalue("settings").MEDIA_ROOT = request.getfixturevalue("tmp_path") / "media"
    evidence_file = services.add_evidence_file(
        action=action,
        user=coordinator,
        title="Site photo",
        upload=SimpleUploadedFile("photo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 32, "image/png"),
    )
    budget = _budget_world(adopted_plan, coordinator, department_a, action, goal)
    args = {
        "health": {},
        "switch-language": {"language": "es"},
        "web:home": {},
        "web:search": {},
        "plans:priority": {"code": priority.code},
        "plans:goal": {"code": goal.code},
        "plans:goal-follow": {"code": goal.code},
        "plans:goal-follow-sent": {"code": goal.code},
        "plans:follow-confirm": {"token": "no-such-token"},
        "plans:follow-unsubscribe": {"token": "1-no-such-token"},
        "plans:changes": {},
        "plans:versions": {},
        "accounts:login": {},
        "accounts:logout": {},
        "staff:home": {},
        "staff:plan": {"plan_id": adopted_plan.pk},
        "staff:plans": {},
        "staff:plan-archive": {"plan_id": adopted_plan.pk},
        "staff:plan-edit": {"plan_id": adopted_plan.pk},
        "staff:value-new": {"plan_id": adopted_plan.pk},
        "staff:value-edit": {"value_id": value.pk},
        "staff:value-archive": {"value_id": value.pk},
        "staff:value-move": {"value_id": value.pk},
        "staff:statuses": {"plan_id": adopted_plan.pk},
        "staff:status-new": {"plan_id": adopted_plan.pk},
        "staff:status-edit": {"status_id": status.pk},
        "staff:item-new": {"plan_id": adopted_plan.pk},
        "staff:item": {"item_id": action.pk},
        "staff:item-edit": {"item_id": action.pk},
        "staff:item-move": {"item_id": action.pk},
        "staff:item-archive": {"item_id": action.pk},
        "staff:item-restore": {"item_id": archived.pk},
        "staff:item-history": {"item_id": action.pk},
        "staff:adopt": {"plan_id": adopted_plan.pk},
        "staff:versions": {"plan_id": adopted_plan.pk},
        "staff:compare": {"plan_id": adopted_plan.pk},
        "staff:export": {"plan_id": adopted_plan.pk, "fmt": "yaml"},
        "staff:import": {},
        "staff:import-preview": {"token": pending.token},
        "indicators:import": {},
        "indicators:import-template": {},
        "indicators:import-preview": {"token": measurement_upload.token},
        "indicators:export": {"fmt": "csv"},
        "staff:action-plan": {"item_id": action.pk},
        "staff:action-people": {"item_id": action.pk},
        "staff:action-dependency-add": {"item_id": action.pk},
        "staff:action-dependency-remove": {"item_id": action.pk, "depends_on_id": waited_on.pk},
        "staff:milestone-new": {"item_id": action.pk},
        "staff:milestone-edit": {"milestone_id": milestone.pk},
        "staff:milestone-done": {"milestone_id": milestone.pk},
        "staff:milestone-archive": {"milestone_id": milestone.pk},
        "staff:evidence-new": {"item_id": action.pk},
        "staff:evidence-archive": {"link_id": evidence.pk},
        "staff:item-timeline": {"item_id": goal.pk},
        "staff:department-timeline": {"department_id": department_a.pk},
        "performance:indicator": {"key": indicator.key},
        "indicators:list": {},
        "indicators:new": {},
        "indicators:detail": {"indicator_id": indicator.pk},
        "indicators:edit": {"indicator_id": indicator.pk},
        "indicators:target": {"indicator_id": indicator.pk},
        "indicators:enter": {"indicator_id": indicator.pk},
        "indicators:publish": {"indicator_id": indicator.pk},
        "indicators:unpublish": {"indicator_id": indicator.pk},
        "indicators:archive": {"indicator_id": indicator.pk},
        "indicators:restore": {"indicator_id": archived_indicator.pk},
        "indicators:verify": {"measurement_id": measurement.pk},
        "staff:periods": {"plan_id": adopted_plan.pk},
        "staff:periods-quarters": {"plan_id": adopted_plan.pk},
        "staff:period-new": {"plan_id": adopted_plan.pk},
        "staff:periods-review-setting": {"plan_id": adopted_plan.pk},
        "staff:period-edit": {"period_id": update_period.pk},
        "staff:period-delete": {"period_id": update_period.pk},
        "staff:my-updates": {},
        "staff:update-card": {"action_id": action.pk, "period_id": update_period.pk},
        "staff:update-autosave": {"action_id": action.pk, "period_id": update_period.pk},
        "staff:update-review": {"plan_id": adopted_plan.pk, "period_id": update_period.pk},
        "staff:update-approve": {"update_id": submitted_update.pk},
        "staff:update-send-back": {"update_id": submitted_update.pk},
        "web:dashboard": {},
        "web:department-dashboard": {"department_id": department_a.pk},
        "web:council-summary": {},
        "staff:evidence-file-new": {"item_id": action.pk},
        "staff:evidence-file": {"link_id": evidence_file.pk},
        "people:people": {},
        "people:organization": {},
        "people:department-new": {},
        "people:department": {"department_id": department_a.pk},
        "people:person-new": {},
        "people:person": {"user_id": viewer.pk},
        **budget,
        **_engagement_world(adopted_plan, coordinator),
        **_insights_world(adopted_plan, coordinator),
        **_reports_world(editor_a),
    }
    users = {
        "anonymous": None,
        "resident": resident,
        "editor_a": editor_a,
        "editor_b": editor_b,
        "council_member": council_member,
        "finance": finance,
        "viewer": viewer,
        "coordinator": coordinator,
    }
    assert PlanItem.objects.filter(pk=action.pk, department=department_a).exists()
    return args, users


def _budget_world(plan, coordinator, department_a, action, goal) -> dict[str, dict[str, Any]]:
    """A fund, a budget line linked to the goal, a budget cycle with milestones, a submitted request of department A,
    a confirmed name mapping and a held budget file."""
    from civicplan.budget.models import Allocation, CalendarMilestone, NameMapping
    from civicplan.plans.models import PendingImport
    from tests import factories as f

    organization = plan.organization
    fund = f.make_fund(organization)
    line = f.make_budget_line(organization, department_a, plan.start_fiscal_year, fund=fund)
    allocation = Allocation.objects.create(line=line, item=goal, share_percent=50)
    cycle = f.make_cycle(organization, plan.start_fiscal_year + 1)
    milestone = CalendarMilestone.objects.filter(cycle=cycle).first()
    budget_request = f.make_budget_request(cycle, department_a, [goal])
    mapping = NameMapping.objects.create(
        organization=organization, kind="department", spelling="public works dept.", department=department_a
    )
    upload = PendingImport.objects.create(
        token="budget-tok",
        purpose="budget",
        filename="b.csv",
        content=b"fiscal_year,fund,department,amount\nFY 2025-26,100,Public Works,1\n",
        created_by=coordinator,
    )
    return {
        "money:where": {},
        "budget:overview": {},
        "budget:totals": {},
        "budget:gaps": {},
        "budget:actions": {},
        "budget:lines": {},
        "budget:line": {"line_id": line.pk},
        "budget:allocation-delete": {"allocation_id": allocation.pk},
        "budget:action-funding": {"item_id": action.pk},
        "budget:export": {},
        "budget:import": {},
        "budget:import-template": {},
        "budget:import-preview": {"token": upload.token},
        "budget:funds": {},
        "budget:fund-edit": {"fund_id": fund.pk},
        "budget:mappings": {},
        "budget:mapping-delete": {"mapping_id": mapping.pk},
        "budget:requests": {},
        "budget:request-new": {},
        "budget:request": {"request_id": budget_request.pk},
        "budget:request-edit": {"request_id": budget_request.pk},
        "budget:request-submit": {"request_id": budget_request.pk},
        "budget:request-withdraw": {"request_id": budget_request.pk},
        "budget:request-score": {"request_id": budget_request.pk},
        "budget:request-decide": {"request_id": budget_request.pk},
        "budget:ranking": {},
        "budget:calendar": {},
        "budget:cycle-new": {},
        "budget:cycle-edit": {"cycle_id": cycle.pk},
        "budget:milestone-new": {"cycle_id": cycle.pk},
        "budget:milestone-edit": {"milestone_id": milestone.pk},
        "budget:milestone-delete": {"milestone_id": milestone.pk},
    }


def _engagement_world(plan, coordinator) -> dict[str, dict[str, Any]]:
    """An open public survey, a draft one (questions can change), a published one, an open council survey, an
    open employee survey with an unused invitation, an activity with a comment card, and a kiosk."""
    from civicplan.engagement import services as engagement
    from civicplan.engagement.services import imports as engagement_imports
    from tests import factories as f

    public = f.make_needs_survey(plan, slug="needs")
    draft = f.make_needs_survey(plan, slug="draft", state="draft")
    published = f.make_needs_survey(plan, slug="published", state="published")
    council = f.make_needs_survey(plan, slug="council", audience="council")
    employee = f.make_needs_survey(plan, slug="staff", audience="employee")
    ((_email, token),) = engagement.create_invites(survey=employee, user=coordinator, emails=["e@city.gov"])
    activity = engagement.create_activity(
        plan=plan,
        user=coordinator,
        data={"kind": "public_event", "title_en": "Library night", "date": "2026-03-14"},
    )
    card = engagement.add_comment_card(
        activity=activity, user=coordinator, data={"text": "More shade", "language": "en"}
    )
    kiosk, _secret = engagement.register_kiosk(plan=plan, user=coordinator, name="Tablet", activity=activity)
    question = draft.questions.get(key="q2")
    upload = engagement_imports.hold_survey_file(
        user=coordinator,
        survey=None,
        plan=plan,
        filename="form.csv",
        data=b"Timestamp,Q\r\n2026/03/14 7:05:12 PM GMT-7,x\r\n",
    )
    return {
        "surveys:list": {},
        "surveys:kiosk": {},
        "surveys:take": {"slug": public.slug},
        "surveys:thanks": {"slug": public.slug},
        "surveys:results": {"slug": published.slug},
        "surveys:invitation": {"slug": employee.slug, "token": token},
        "engagement:overview": {},
        "engagement:activity-new": {},
        "engagement:activity": {"activity_id": activity.pk},
        "engagement:activity-edit": {"activity_id": activity.pk},
        "engagement:input-archive": {"item_id": card.pk},
        "engagement:survey-new": {},
        "engagement:survey": {"survey_id": public.pk},
        "engagement:survey-edit": {"survey_id": draft.pk},
        "engagement:survey-state": {"survey_id": draft.pk},
        "engagement:survey-new-version": {"survey_id": public.pk},
        "engagement:question-new": {"survey_id": draft.pk},
        "engagement:question-edit": {"survey_id": draft.pk, "question_id": question.pk},
        "engagement:question-move": {"survey_id": draft.pk, "question_id": question.pk},
        "engagement:question-remove": {"survey_id": draft.pk, "question_id": question.pk},
        "engagement:invites": {"survey_id": employee.pk},
        "engagement:paper": {"survey_id": public.pk},
        "engagement:council-answer": {"survey_id": council.pk},
        "engagement:results": {"survey_id": public.pk},
        "engagement:results-export": {"survey_id": public.pk, "fmt": "csv"},
        "engagement:question-public": {"survey_id": public.pk, "question_id": public.questions.first().pk},
        "engagement:import": {"survey_id": public.pk},
        "engagement:import-new": {},
        "engagement:import-preview": {"token": upload.token},
        "engagement:kiosk-new": {},
        "engagement:kiosk-retire": {"kiosk_id": kiosk.pk},
    }


def _insights_world(plan, coordinator) -> dict[str, dict[str, Any]]:
    """A theme linked to a goal, a comment in the evidence base, and a second theme to merge into."""
    from civicplan.engagement.models import InputItem
    from civicplan.insights.services import coding, links
    from civicplan.insights.services.evidence import collect_evidence

    InputItem.objects.create(plan=plan, channel="comment_card", text="Potholes", received_on="2026-03-01")
    collect_evidence(plan)
    theme = coding.create_theme(plan=plan, user=coordinator, data={"name_en": "Streets", "name_es": "Calles"})
    coding.create_theme(plan=plan, user=coordinator, data={"name_en": "Parks", "name_es": "Parques"})
    goal = plan.items.filter(level="goal").first()
    plan_link = links.link(item=goal, user=coordinator, relation="addressed_by", theme=theme)
    evidence = plan.evidence.first()
    survey = plan.surveys.get(slug="needs")
    return {
        "voice:you-said": {},
        "api:api-root": {},
        "api:plan": {},
        "api:items": {},
        "api:item": {"code": "1.1"},
        "api:indicators": {},
        "api:indicator": {"key": "no-such-key"},  # a 404 is not a refusal; POST answers 405
        "api:versions": {},
        "api:statuses": {},
        "api:updates": {},
        "api:budget": {},
        "api:surveys": {},
        "api:survey_results": {"slug": "published"},
        "api:items_csv": {},
        "api:indicators_csv": {},
        "api:plan_json": {},
        "reporting:stratml": {},
        "reporting:data": {},
        "api:openapi-json": {},
        "api:openapi-view": {},
        "insights:evidence": {},
        "insights:code": {},
        "insights:suggestion": {"decision": "confirm"},
        "insights:quote": {"evidence_id": evidence.pk},
        "insights:evidence-link": {"evidence_id": evidence.pk},
        "insights:codebook": {},
        "insights:accept-candidate": {},
        "insights:suggest": {},
        "insights:theme": {"theme_id": theme.pk},
        "insights:theme-link": {"theme_id": theme.pk},
        "insights:theme-draft": {"theme_id": theme.pk},
        "insights:theme-merge": {"theme_id": theme.pk},
        "insights:unlink": {"link_id": plan_link.pk},
        "insights:traceability": {},
        "insights:weighting": {"survey_id": survey.pk},
        "insights:weighting-run": {"survey_id": survey.pk},
        "insights:weighting-import": {"survey_id": survey.pk},
        "insights:weighted-results": {"survey_id": survey.pk},
    }


def _reports_world(requester) -> dict[str, dict[str, Any]]:
    """A finished PDF build asked for by `requester` (its file under the temporary MEDIA_ROOT)."""
    from django.core.files.base import ContentFile

    from civicplan.reports.models import BuildState, ReportBuild

    build = ReportBuild.objects.create(
        kind="annual",
        period="FY2026",
        language="en",
        requested_by=requester,
        state=BuildState.DONE,
        progress=100,
    )
    build.filename = "annual-FY2026-en.pdf"
    build.file.save(build.filename, ContentFile(b"%PDF-1.7 test"))
    return {
        "reports:index": {},
        "reports:report": {},
        "reports:build-start": {},
        "reports:build": {"build_id": build.pk},
        "reports:download": {"build_id": build.pk},
        "reporting:report-card": {},
    }


def _denied(response, persona: str) -> bool:
    if response.status_code == 403:
        return True
    location = response.get("Location", "")
    return response.status_code == 302 and "/accounts/login/" in location and "next=" in location


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_exactly_the_access_the_matrix_gives(client, world, persona, method):
    from django.urls import reverse

    args, users = world
    if users[persona] is not None:
        client.force_login(users[persona])
    failures = []
    for name, (may_get, may_post) in MATRIX.items():
        allowed = may_get if method == "get" else may_post
        url = reverse(name, kwargs=args[name])
        response = getattr(client, method)(url)
        if response.status_code >= 500:
            failures.append(f"{method.upper()} {url}: server error {response.status_code}")
        elif persona in allowed and _denied(response, persona):
            failures.append(
                f"{method.upper()} {url}: {persona} should be allowed, got {response.status_code}"
            )
        elif persona not in allowed and not _denied(response, persona) and response.status_code != 405:
            failures.append(f"{method.upper()} {url}: {persona} should be denied, got {response.status_code}")
        if users[persona] is not None and name == "accounts:logout":
            client.force_login(users[persona])  # logging out must not change the persona for the next URLs
    assert not failures, "\n".join(failures)


def test_it_rejects_editor_of_other_department_changing_an_item_by_post(
    client, adopted_plan, editor_b, department_a
):
    from django.urls import reverse

    action = adopted_plan.items.filter(level="action", department=department_a).first()
    client.force_login(editor_b)
    response = client.post(
        reverse("staff:item-edit", kwargs={"item_id": action.pk}),
        {"title_en": "Hijacked", "title_es": "Secuestrado", "lock_version": action.lock_version},
    )
    assert response.status_code == 403
    action.refresh_from_db()
    assert action.title_en != "Hijacked"

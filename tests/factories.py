"""Plain-function factories: `make_goal(title_en="...")`. Each builds valid rows with sensible defaults."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from civicplan.accounts.models import Department, Organization, User
from civicplan.plans.defaults import DEFAULT_STATUSES
from civicplan.plans.models import Level, Plan, PlanItem, Status

PASSWORD = "correct-horse-battery-staple"
_counter = itertools.count(1)


def make_organization(**overrides: Any) -> Organization:
    defaults = {"name_en": "City of Testville", "name_es": "Ciudad de Testville"}
    return Organization.objects.create(**{**defaults, **overrides})


def make_department(organization: Organization, code: str, **overrides: Any) -> Department:
    defaults = {"name_en": f"Department {code}", "name_es": f"Departamento {code}"}
    return Department.objects.create(organization=organization, code=code, **{**defaults, **overrides})


def make_user(username: str, role: str = "", department: Department | None = None, **overrides: Any) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, role=role, department=department, **overrides
    )
    return user


def make_plan(organization: Organization, **overrides: Any) -> Plan:
    defaults = {
        "title_en": "Strategic Plan",
        "title_es": "Plan Estratégico",
        "start_fiscal_year": 2025,
        "mission_en": "We serve.",
        "mission_es": "Servimos.",
        "vision_en": "A great city.",
        "vision_es": "Una gran ciudad.",
    }
    plan = Plan.objects.create(organization=organization, **{**defaults, **overrides})
    from civicplan.plans.services import create_statuses

    create_statuses(plan=plan, user=None, entries=DEFAULT_STATUSES)
    return plan


def make_item(plan: Plan, parent: PlanItem | None = None, **overrides: Any) -> PlanItem:
    level = {
        None: Level.PRIORITY,
        Level.PRIORITY: Level.GOAL,
        Level.GOAL: Level.STRATEGY,
        Level.STRATEGY: Level.ACTION,
    }[parent.level if parent else None]
    siblings = plan.items.filter(parent=parent).count()
    code = f"{parent.code}.{siblings + 1}" if parent else str(siblings + 1)
    n = next(_counter)
    defaults: dict[str, Any] = {
        "title_en": f"{level.title()} {code} title {n}",
        "title_es": f"Título {level} {code} {n}",
        "description_en": "",
        "description_es": "",
        "start_date": dt.date(2025, 7, 1),
        "due_date": dt.date(2027, 6, 30),
    }
    return PlanItem.objects.create(
        plan=plan, parent=parent, level=level, code=code, order=siblings + 1, **{**defaults, **overrides}
    )


def status(plan: Plan, key: str) -> Status:
    return plan.statuses.get(key=key)


def make_small_plan(organization: Organization, department_a: Department, department_b: Department) -> Plan:
    """2 priorities > 2 goals each > 1 strategy each > 2 actions each, owners alternating A and B."""
    plan = make_plan(organization)
    for _p in range(2):
        priority = make_item(plan, department=department_a)
        for _g in range(2):
            goal = make_item(plan, priority, department=department_a)
            strategy = make_item(plan, goal, department=department_a)
            for a in range(2):
                make_item(
                    plan,
                    strategy,
                    department=department_a if a == 0 else department_b,
                    status=status(plan, "on-track"),
                    progress=Decimal(40 + 20 * a),
                )
    from civicplan.plans.services import recompute_plan_progress

    recompute_plan_progress(plan)
    return plan


def adopt(plan: Plan, user: User, *, reason: str = "", adopted_on: dt.date | None = None) -> Any:
    """Council adopts the working draft: version 1 when there is none yet, else an amendment (which needs a reason)."""
    from civicplan.plans.services import adopt_plan

    first = not plan.versions.exists()
    return adopt_plan(
        plan=plan,
        user=user,
        adopted_on=adopted_on or (dt.date(2025, 6, 24) if first else dt.date(2026, 1, 1)),
        meeting="Council 6/24" if first else "Regular meeting",
        resolution="2025-01" if first else "2026-01",
        reason=reason,
    )


def make_milestone(action: PlanItem, **overrides: Any) -> Any:
    """A milestone of an action (action plans), due in the plan's first year unless told otherwise."""
    from civicplan.plans.models import Milestone

    defaults: dict[str, Any] = {
        "title_en": "Design done",
        "title_es": "Diseño terminado",
        "due_on": dt.date(2025, 12, 31),
    }
    return Milestone.objects.create(action=action, **{**defaults, **overrides})


# --- Performance indicators ---------------------------------------------------------------------------------------


def make_indicator(plan: Plan, *, items: list[PlanItem] | tuple[PlanItem, ...] = (), **overrides: Any) -> Any:
    """A draft indicator (higher is better, monthly) of `plan`, linked to `items`. Pass is_published=True for a
    published one (it is written directly, without the service's checks)."""
    from civicplan.performance.models import Indicator

    n = next(_counter)
    defaults: dict[str, Any] = {
        "key": f"IND-{n}",
        "name_en": f"Indicator {n}",
        "name_es": f"Indicador {n}",
        "unit_en": "%",
        "unit_es": "%",
        "direction": "higher",
        "frequency": "monthly",
    }
    indicator = Indicator.objects.create(plan=plan, **{**defaults, **overrides})
    if items:
        indicator.items.set(items)
    return indicator


def make_target(indicator: Any, fiscal_year: int, value: Any = None, **overrides: Any) -> Any:
    from civicplan.performance.models import Target

    return Target.objects.create(
        indicator=indicator,
        fiscal_year=fiscal_year,
        value=None if value is None else Decimal(str(value)),
        **overrides,
    )


def make_measurement(indicator: Any, period_start: dt.date, value: Any, **overrides: Any) -> Any:
    from civicplan.performance.models import Measurement

    return Measurement.objects.create(
        indicator=indicator, period_start=period_start, value=Decimal(str(value)), **overrides
    )


# --- Reporting periods and progress updates (plans/services/updates.py) ---------------------------------------------


def make_open_period(plan: Plan, *, today: dt.date | None = None, **overrides: Any) -> Any:
    """A reporting period open on `today` (default: the real today): the quarter around it, due in 10 days."""
    from django.utils import timezone

    from civicplan.lib.periods import QUARTERLY, period_end, period_start
    from civicplan.plans.models import ReportingPeriod

    today = today or timezone.localdate()
    start = period_start(today, QUARTERLY, plan.organization.fiscal_year_start_month)
    defaults = {
        "name_en": "FY Test Q",
        "name_es": "AF Prueba T",
        "starts_on": start,
        "ends_on": period_end(start, QUARTERLY),
        "opens_on": max(start, today - dt.timedelta(days=5)),
        "due_on": today + dt.timedelta(days=10),
    }
    return ReportingPeriod.objects.create(plan=plan, **{**defaults, **overrides})


def make_submitted_update(action: PlanItem, period: Any, user: User, **overrides: Any) -> Any:
    from django.utils import timezone

    from civicplan.plans.models import ProgressUpdate, UpdateState

    defaults = {
        "state": UpdateState.SUBMITTED,
        "status": action.plan.statuses.get(key="on-track"),
        "progress": Decimal(55),
        "narrative_en": "Crews finished the first phase.",
        "submitted_by": user,
        "submitted_at": timezone.now(),
    }
    return ProgressUpdate.objects.create(action=action, period=period, **{**defaults, **overrides})


# --- Budget -----------------------------------------------------------------------------------------------------


def make_fund(organization: Organization, code: str = "100", **overrides: Any) -> Any:
    from civicplan.budget.models import Fund

    defaults = {"name_en": "General Fund", "name_es": "Fondo General"}
    fund, _created = Fund.objects.get_or_create(
        organization=organization, code=code, defaults={**defaults, **overrides}
    )
    return fund


def make_budget_line(
    organization: Organization, department: Department, fiscal_year: int = 2025, **overrides: Any
) -> Any:
    """A budget line with an adopted amount (100,000.00 unless given) in the General Fund unless `fund` is given."""
    from civicplan.budget.models import BudgetLine

    defaults: dict[str, Any] = {
        "program": "Administration",
        "account": "5100 Salaries",
        "description": f"Line {next(_counter)}",
        "adopted_amount": Decimal("100000.00"),
    }
    values = {**defaults, **overrides}
    if "fund" not in values:
        values["fund"] = make_fund(organization)
    line = BudgetLine(organization=organization, department=department, fiscal_year=fiscal_year, **values)
    line.save()
    return line


def make_cycle(organization: Organization, first_fiscal_year: int = 2026, **overrides: Any) -> Any:
    """A budget cycle whose request window (kick-off to requests due) is open around `today` unless dates given."""
    from django.utils import timezone

    from civicplan.budget.models import BudgetCycle, CalendarMilestone, MilestoneKind

    today = overrides.pop("today", None) or timezone.localdate()
    cycle = BudgetCycle.objects.create(
        organization=organization, first_fiscal_year=first_fiscal_year, **overrides
    )
    CalendarMilestone.objects.create(
        cycle=cycle, kind=MilestoneKind.KICKOFF, date=today - dt.timedelta(days=10)
    )
    CalendarMilestone.objects.create(
        cycle=cycle, kind=MilestoneKind.REQUESTS_DUE, date=today + dt.timedelta(days=20)
    )
    CalendarMilestone.objects.create(
        cycle=cycle, kind=MilestoneKind.ADOPTION, date=today + dt.timedelta(days=120)
    )
    return cycle


def make_budget_request(cycle: Any, department: Department, items: list[PlanItem], **overrides: Any) -> Any:
    """A submitted request for the cycle's first fiscal year, citing `items`."""
    from django.utils import timezone

    from civicplan.budget.models import BudgetRequest, RequestState

    defaults: dict[str, Any] = {
        "fiscal_year": cycle.first_fiscal_year,
        "title_en": "Pothole crew",
        "title_es": "Cuadrilla de baches",
        "justification_en": "Fix streets faster.",
        "justification_es": "Arreglar las calles más rápido.",
        "amount": Decimal("250000.00"),
        "state": RequestState.SUBMITTED,
        "submitted_at": timezone.now(),
    }
    values = {**defaults, **overrides}
    if "fund" not in values:
        values["fund"] = make_fund(cycle.organization)
    request = BudgetRequest.objects.create(cycle=cycle, department=department, **values)
    request.items.set(items)
    return request


def make_survey(plan: Plan, *, questions: tuple[dict[str, Any], ...] = (), **overrides: Any) -> Any:
    """A survey written straight to the tables (services are tested on their own). Each question dict may carry
    `options` and `rows` as lists of (code, English, Spanish)."""
    from civicplan.engagement.models import Option, Question, Survey

    fields = {
        "slug": f"survey-{Survey.objects.count() + 1}",
        "title_en": "Community Needs Survey",
        "title_es": "Encuesta de necesidades comunitarias",
        "min_seconds": 0,
        **overrides,
    }
    survey = Survey.objects.create(plan=plan, **fields)
    for position, spec in enumerate(questions):
        spec = dict(spec)
        options = spec.pop("options", [])
        rows = spec.pop("rows", [])
        question = Question.objects.create(
            survey=survey,
            key=spec.pop("key", f"q{position + 1}"),
            position=position,
            text_en=spec.pop("text_en", f"Question {position + 1}"),
            text_es=spec.pop("text_es", f"Pregunta {position + 1}"),
            **spec,
        )
        for index, (code, english, spanish) in enumerate(options):
            Option.objects.create(
                question=question, code=code, label_en=english, label_es=spanish, position=index
            )
        for index, (code, english, spanish) in enumerate(rows):
            Option.objects.create(
                question=question, code=code, label_en=english, label_es=spanish, position=index, is_row=True
            )
    return survey


SURVEY_OPTIONS = [
    ("parks", "Parks", "Parques"),
    ("roads", "Roads", "Calles"),
    ("housing", "Housing", "Vivienda"),
]


def make_needs_survey(plan: Plan, **overrides: Any) -> Any:
    """A survey with one question of every kind, on two pages, open unless told otherwise."""
    return make_survey(
        plan,
        state=overrides.pop("state", "open"),
        questions=(
            {"kind": "single", "required": True, "options": SURVEY_OPTIONS, "allows_other": True},
            {"kind": "multiple", "options": SURVEY_OPTIONS, "max_choices": 2},
            {
                "kind": "rating",
                "scale_min": 1,
                "scale_max": 5,
                "low_label_en": "Poor",
                "high_label_en": "Great",
            },
            {
                "kind": "matrix",
                "rows": [("safety", "Safety", "Seguridad"), ("trash", "Trash pickup", "Basura")],
            },
            {"kind": "ranking", "options": SURVEY_OPTIONS, "page": 2},
            {"kind": "allocation", "options": SURVEY_OPTIONS, "total_points": 100, "page": 2},
            {"kind": "number", "page": 2},
            {"kind": "long_text", "page": 2},
            {"kind": "district", "page": 2, "segment": "district"},
        ),
        **overrides,
    )

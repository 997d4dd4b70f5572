"""Load the demo city: a fictional California city with an adopted plan (version 1), an amendment (version 2)
and one login per role. Idempotent: a second run changes nothing and prints the logins again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from civicplan.accounts import selectors as account_selectors
from civicplan.accounts import services as account_services
from civicplan.budget import selectors as budget_selectors
from civicplan.engagement import selectors as engagement_selectors
from civicplan.insights import selectors as insight_selectors
from civicplan.plans import selectors, services
from civicplan.web.demo_budget import load_budget
from civicplan.web.demo_engagement import load_engagement
from civicplan.web.demo_insights import load_insights
from civicplan.web.demo_tracking import load_tracking

DEMO_FILE = Path(__file__).resolve().parents[2] / "demo" / "city.yaml"
CITY_EN = "City of Alder Creek"
CITY_ES = "Ciudad de Alder Creek"
# Demo-only credentials, printed on purpose: the demo runs on a developer's machine with DEBUG on.
DEMO_USERS: list[dict[str, Any]] = [
    {
        "username": "coordinator",
        "first_name": "Dana",
        "last_name": "Whitfield",
        "role": "coordinator",
        "department": "CMO",
        "label": "Plan coordinator (City Manager's Office)",
    },
    {
        "username": "editor-pw",
        "first_name": "Luis",
        "last_name": "Ortega",
        "role": "editor",
        "department": "PW",
        "label": "Department editor, Public Works",
    },
    {
        "username": "editor-cdd",
        "first_name": "Grace",
        "last_name": "Kim",
        "role": "editor",
        "department": "CDD",
        "label": "Department editor, Community Development",
    },
    {
        "username": "finance",
        "first_name": "Priya",
        "last_name": "Nguyen",
        "role": "finance",
        "department": "FIN",
        "label": "Finance / budget staff (budget data, funding, scoring requests)",
    },
    {
        "username": "council",
        "first_name": "Rosa",
        "last_name": "Medina",
        "role": "council",
        "department": None,
        "label": "Council member (reads everything, edits nothing)",
    },
    {
        "username": "viewer",
        "first_name": "Sam",
        "last_name": "Patel",
        "role": "viewer",
        "department": None,
        "label": "Viewer (reads everything, edits nothing)",
    },
]
DEMO_PASSWORD = "alder-creek-demo"  # noqa: S105


class Command(BaseCommand):
    help = "Load the demo city (idempotent) and print one login per role."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="Where the demo will be served.")

    def handle(self, *args: Any, url: str, **options: Any) -> None:
        organization = account_selectors.organization_named(CITY_EN)
        plan = selectors.plan_of(organization) if organization is not None else None
        if plan is None:
            with transaction.atomic():
                plan = self._load()
        if not selectors.periods_of(plan):
            # A demo loaded before implementation tracking existed gets it added; a full demo is left alone.
            self.stdout.write("Adding reporting periods, progress updates and indicators...")
            with transaction.atomic():
                users = self._users(plan.organization)
                summary = load_tracking(plan, users, timezone.localdate())
            self.stdout.write(self.style.SUCCESS(f"Loaded {summary}"))
            changed = True
        else:
            changed = False
        if not budget_selectors.budget_years(plan.organization):
            # Likewise the budget, for a demo loaded before budget alignment existed.
            self.stdout.write("Adding two fiscal years of budget, funding and budget requests...")
            with transaction.atomic():
                users = self._users(plan.organization)
                summary = load_budget(plan, users, timezone.localdate())
            self.stdout.write(self.style.SUCCESS(f"Loaded {summary}"))
            changed = True
        if not engagement_selectors.staff_surveys(plan).exists():
            # Likewise the engagement record, for a demo loaded before engagement existed.
            self.stdout.write("Adding council sessions, public events, comment cards and surveys...")
            with transaction.atomic():
                users = self._users(plan.organization)
                summary = load_engagement(plan, users, timezone.localdate())
            self.stdout.write(self.style.SUCCESS(f"Loaded {summary}"))
            changed = True
        if not insight_selectors.has_codebook(plan):
            # Likewise the evidence base, for a demo loaded before Insight existed.
            self.stdout.write("Adding the codebook of themes, coding, suggestions and links to goals...")
            with transaction.atomic():
                users = self._users(plan.organization)
                summary = load_insights(plan, users)
            self.stdout.write(self.style.SUCCESS(f"Loaded {summary}"))
            changed = True
        if not changed:
            self.stdout.write("The demo city is already loaded; nothing changed.")
        self._print_logins(url.rstrip("/"))

    def _load(self) -> Any:
        organization = account_services.ensure_organization(name_en=CITY_EN, name_es=CITY_ES)
        document = services.parse_plan_file(
            filename=DEMO_FILE.name, data=DEMO_FILE.read_bytes(), organization=organization
        )
        for entry in document["departments"]:
            account_services.ensure_department(
                organization=organization,
                code=entry["code"],
                name_en=entry["name"]["en"],
                name_es=entry["name"]["es"],
            )
        users = self._users(organization)
        coordinator = users["coordinator"]
        plan = services.import_plan_document(document=document, user=coordinator, organization=organization)
        services.adopt_plan(
            plan=plan,
            user=coordinator,
            adopted_on=dt.date(2025, 6, 24),
            meeting="Regular City Council Meeting, June 24, 2025",
            resolution="Resolution No. 2025-48",
        )
        self._amend(plan, coordinator)
        services.adopt_plan(
            plan=plan,
            user=coordinator,
            adopted_on=dt.date(2026, 6, 23),
            meeting="Regular City Council Meeting, June 23, 2026",
            resolution="Resolution No. 2026-41",
            reason=(
                "Mid-cycle amendment after the 2026 Community Needs Survey: adds heat-resilience and language-"
                "access actions, rewords the housing goal to name anti-displacement, moves the downtown parking "
                "strategy under Economic Vitality and retires the paper permit kiosk action."
            ),
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {CITY_EN}: {plan.items.filter(archived_at__isnull=True).count()} plan items, "
                f"versions {', '.join(str(v.number) for v in plan.versions.order_by('number'))}."
            )
        )
        return plan

    def _users(self, organization: Any) -> dict[str, Any]:
        users = {}
        for spec in DEMO_USERS:
            department = (
                account_selectors.department(organization, spec["department"]) if spec["department"] else None
            )
            users[spec["username"]] = account_services.ensure_user(
                username=spec["username"],
                password=DEMO_PASSWORD,
                role=spec["role"],
                department=department,
                first_name=spec["first_name"],
                last_name=spec["last_name"],
                email=f"{spec['username']}@aldercreek.example",
            )
        return users

    def _amend(self, plan: Any, user: Any) -> None:
        """The changes council adopted as version 2, made through the same services staff use."""
        items = selectors.items_by_code(plan)
        housing_goal = next(i for i in items.values() if i.level == "goal" and i.code.startswith("3."))
        services.update_item(
            item=housing_goal,
            user=user,
            expected_version=housing_goal.lock_version,
            data={
                "title_en": housing_goal.title_en.rstrip(".") + " and prevent displacement",
                "title_es": housing_goal.title_es.rstrip(".") + " y prevenir el desplazamiento",
            },
            reason="Council direction at the June 2026 study session",
        )
        heat_strategy = next(i for i in items.values() if i.level == "strategy" and i.code.startswith("4."))
        services.create_item(
            plan=plan,
            user=user,
            parent=heat_strategy,
            data={
                "title_en": "Open three cooling centers in libraries and community centers during heat events",
                "title_es": "Abrir tres centros de enfriamiento en bibliotecas y centros comunitarios durante "
                "olas de calor",
                "description_en": "Extended hours, water and transit passes when the heat index passes 100°F.",
                "description_es": "Horario extendido, agua y pases de transporte cuando el índice de calor "
                "supere los 100°F.",
                "department": items[heat_strategy.code].department,
                "lead": "Ana Reyes, Library Director",
                "start_date": dt.date(2026, 7, 1),
                "due_date": dt.date(2027, 6, 30),
            },
            reason="Community Needs Survey 2026: heat was the top new concern",
        )
        engagement_strategy = next(
            i for i in items.values() if i.level == "strategy" and i.code.startswith("5.")
        )
        services.create_item(
            plan=plan,
            user=user,
            parent=engagement_strategy,
            data={
                "title_en": "Interpret every City Council meeting live in Spanish",
                "title_es": "Interpretar en vivo al español todas las reuniones del Concejo Municipal",
                "description_en": "In-room and online interpretation, announced on every agenda.",
                "description_es": "Interpretación en la sala y en línea, anunciada en cada agenda.",
                "department": items[engagement_strategy.code].department,
                "start_date": dt.date(2026, 7, 1),
                "due_date": dt.date(2026, 12, 31),
            },
            reason="Language-access feedback from the public events",
        )
        strategies = [i for i in items.values() if i.level == "strategy"]
        mover = next(
            (s for s in strategies if s.code.startswith("4.") and "parking" in s.title_en.lower()),
            next(s for s in strategies if s.code.startswith("4.")),
        )
        target_goal = next(i for i in items.values() if i.level == "goal" and i.code.startswith("2."))
        services.move_item(
            item=mover,
            user=user,
            new_parent=target_goal,
            reason="Parking belongs with the downtown economic strategy",
        )
        retiree = next(
            (a for a in items.values() if a.level == "action" and "kiosk" in a.title_en.lower()),
            next(a for a in items.values() if a.level == "action" and a.code.startswith("5.")),
        )
        services.archive_item(item=retiree, user=user, reason="Superseded by the online permit portal")

    def _print_logins(self, url: str) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo logins (sign in at {url}/en/accounts/login/):")
        for spec in DEMO_USERS:
            self.stdout.write(f"  {spec['username']:<12} / {DEMO_PASSWORD}   {spec['label']}")
        self.stdout.write(f"  (no login)   residents read the public site at {url}/es/ or {url}/en/")

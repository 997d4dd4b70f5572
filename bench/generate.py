"""Benchmark data: the plan part of a city or a metro, built through the real import and adoption services.

Scales come from the quality targets: city = 5 priorities, 21 goals, ~80 strategies, ~400 actions and ~10
departments; metro = 10x. Everything is drawn from a seeded `random.Random`: a scale always gives the same
plan. Needs a configured Django (django.setup()) and a migrated database.
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from civicplan.accounts.models import Organization, Role, User
from civicplan.plans import services
from civicplan.plans.importers import validate_document
from civicplan.plans.models import Plan, PlanVersion
from civicplan.plans.selectors import SCHEMA

SEED = 20250701


@dataclass(frozen=True)
class Scale:
    name: str
    priorities: int
    goals: int
    strategies: int
    actions: int
    departments: int


SCALES: dict[str, Scale] = {
    "city": Scale("city", priorities=5, goals=21, strategies=80, actions=400, departments=10),
    "metro": Scale("metro", priorities=50, goals=210, strategies=800, actions=4000, departments=100),
}

# Bilingual building blocks: a title is verb + subject + place, so items read differently, in both languages.
VERBS = [
    ("Expand", "Ampliar"),
    ("Improve", "Mejorar"),
    ("Modernize", "Modernizar"),
    ("Protect", "Proteger"),
    ("Fund", "Financiar"),
    ("Launch", "Poner en marcha"),
    ("Review", "Revisar"),
    ("Strengthen", "Fortalecer"),
    ("Plan", "Planificar"),
    ("Restore", "Restaurar"),
    ("Publish", "Publicar"),
    ("Pilot", "Probar"),
]
SUBJECTS = [
    ("affordable housing", "la vivienda asequible"),
    ("street lighting", "el alumbrado público"),
    ("bike lanes", "los carriles para bicicletas"),
    ("library hours", "el horario de las bibliotecas"),
    ("tree canopy", "el arbolado urbano"),
    ("emergency response", "la respuesta a emergencias"),
    ("small business support", "el apoyo a pequeños negocios"),
    ("youth programs", "los programas juveniles"),
    ("water infrastructure", "la infraestructura de agua"),
    ("permit processing", "la tramitación de permisos"),
    ("park maintenance", "el mantenimiento de parques"),
    ("public transit", "el transporte público"),
    ("language access", "el acceso lingüístico"),
    ("cooling centers", "los centros de enfriamiento"),
]
PLACES = [
    ("downtown", "en el centro"),
    ("in every neighborhood", "en todos los barrios"),
    ("along the creek", "a lo largo del arroyo"),
    ("near schools", "cerca de las escuelas"),
    ("in the east side", "en el lado este"),
    ("citywide", "en toda la ciudad"),
    ("for seniors", "para personas mayores"),
    ("for families", "para las familias"),
]
OUTCOMES = [
    ("so that residents wait less", "para que los residentes esperen menos"),
    ("with measurable yearly targets", "con metas anuales medibles"),
    ("in partnership with community groups", "en colaboración con grupos comunitarios"),
    ("within the adopted budget", "dentro del presupuesto aprobado"),
    ("and report progress every quarter", "e informar del avance cada trimestre"),
]
DEPARTMENT_WORDS = [
    ("Public Works", "Obras Públicas"),
    ("Finance", "Finanzas"),
    ("Library", "Biblioteca"),
    ("Parks", "Parques"),
    ("Housing", "Vivienda"),
    ("Transportation", "Transporte"),
    ("Police", "Policía"),
    ("Fire", "Bomberos"),
    ("Planning", "Planificación"),
    ("Economic Development", "Desarrollo Económico"),
]
FIRST_NAMES = ["Ana", "Luis", "Grace", "Rosa", "Sam", "Dana", "Omar", "Mei", "Jorge", "Priya", "Kofi", "Lena"]
LAST_NAMES = ["Reyes", "Ortega", "Kim", "Medina", "Patel", "Whitfield", "Nguyen", "Silva", "Haddad", "Brooks"]
# Action statuses with their relative frequency; None is an action nobody has reported on yet.
STATUS_WEIGHTS: list[tuple[str | None, int]] = [
    ("not-started", 15),
    ("on-track", 40),
    ("at-risk", 12),
    ("delayed", 8),
    ("completed", 18),
    ("deferred", 3),
    (None, 4),
]
PLAN_START = dt.date(2025, 7, 1)


@dataclass
class Generated:
    """What the benchmarks need from the generated data, and how long each step took (seconds)."""

    organization: Organization
    coordinator: User
    plan: Plan
    version: PlanVersion
    goal_code: str  # the public pages the benchmarks render: the same codes at every scale
    priority_code: str
    items: int
    timings: dict[str, float] = field(default_factory=dict)


def spread(total: int, parents: int, rng: random.Random) -> list[int]:
    """Split `total` children over `parents` unevenly (at least one each), summing exactly to `total`."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(parents)]
    spare = total - parents
    shares = [spare * w / sum(weights) for w in weights]
    counts = [1 + int(share) for share in shares]
    by_fraction = sorted(range(parents), key=lambda i: shares[i] - int(shares[i]), reverse=True)
    for index in by_fraction[: total - sum(counts)]:
        counts[index] += 1
    return counts


def bilingual(rng: random.Random, *parts: list[tuple[str, str]]) -> dict[str, str]:
    chosen = [rng.choice(options) for options in parts]
    english = " ".join(en for en, _es in chosen)
    spanish = " ".join(es for _en, es in chosen)
    return {"en": english[0].upper() + english[1:], "es": spanish[0].upper() + spanish[1:]}


def departments(count: int) -> list[dict[str, Any]]:
    """`count` departments: the ten base names, then numbered divisions of them (metro has 100)."""
    found = []
    for index in range(count):
        en, es = DEPARTMENT_WORDS[index % len(DEPARTMENT_WORDS)]
        division = index // len(DEPARTMENT_WORDS)
        if division:
            en, es = f"{en} Division {division}", f"{es}, división {division}"
        found.append({"code": f"D{index + 1:03d}", "name": {"en": en, "es": es}})
    return found


def item(rng: random.Random, code: str, department_codes: list[str], *, is_action: bool) -> dict[str, Any]:
    start = PLAN_START + dt.timedelta(days=rng.randrange(0, 3 * 365))
    entry: dict[str, Any] = {
        "code": code,
        "title": bilingual(rng, VERBS, SUBJECTS, PLACES),
        "description": bilingual(rng, VERBS, SUBJECTS, OUTCOMES),
        "department": rng.choice(department_codes),
        "start_date": start.isoformat(),
        "due_date": (start + dt.timedelta(days=rng.randrange(90, 900))).isoformat(),
        "weight": rng.choice([None, None, 1, 2, 3, 0.5]),
    }
    if rng.random() < 0.7:
        entry["lead"] = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    if is_action:
        entry.update(action_status(rng))
    return entry


def action_status(rng: random.Random) -> dict[str, Any]:
    keys, weights = zip(*STATUS_WEIGHTS, strict=True)
    status = rng.choices(keys, weights=weights)[0]
    progress = {"not-started": 0, "completed": 100, None: None}.get(status, rng.randrange(5, 96))
    return {"status": status, "progress": progress}


def plan_tree(scale: Scale, rng: random.Random, department_codes: list[str]) -> list[dict[str, Any]]:
    """Priorities > goals > strategies > actions with the scale's exact totals, spread unevenly."""
    priorities = [item(rng, str(p + 1), department_codes, is_action=False) for p in range(scale.priorities)]
    goals = _attach(priorities, "goals", spread(scale.goals, len(priorities), rng), rng, department_codes)
    strategies = _attach(
        goals, "strategies", spread(scale.strategies, len(goals), rng), rng, department_codes
    )
    _attach(strategies, "actions", spread(scale.actions, len(strategies), rng), rng, department_codes)
    return priorities


def _attach(
    parents: list[dict[str, Any]],
    key: str,
    counts: list[int],
    rng: random.Random,
    department_codes: list[str],
) -> list[dict[str, Any]]:
    children = []
    for parent, count in zip(parents, counts, strict=True):
        parent[key] = [
            item(rng, f"{parent['code']}.{n + 1}", department_codes, is_action=key == "actions")
            for n in range(count)
        ]
        children.extend(parent[key])
    return children


def build_document(scale: Scale, seed: int = SEED) -> dict[str, Any]:
    """A raw `civicplan.plan/1` document (what a YAML/JSON file would hold) for `scale`."""
    rng = random.Random(f"{seed}-{scale.name}")
    depts = departments(scale.departments)
    return {
        "schema": SCHEMA,
        "departments": depts,
        "plan": {
            "title": {
                "en": f"Bench {scale.name.title()} Strategic Plan 2025–2030",
                "es": f"Plan Estratégico {scale.name} de prueba 2025–2030",
            },
            "start_fiscal_year": PLAN_START.year,
            "years": 5,
            "mission": {
                "en": "We deliver responsive services for every resident.",
                "es": "Prestamos servicios ágiles para todos los residentes.",
            },
            "vision": {
                "en": "A safe, welcoming and thriving city.",
                "es": "Una ciudad segura, acogedora y próspera.",
            },
            "values": [
                {"name": {"en": en, "es": es}, "description": bilingual(rng, VERBS, SUBJECTS, OUTCOMES)}
                for en, es in [("Integrity", "Integridad"), ("Service", "Servicio"), ("Equity", "Equidad")]
            ],
            "priorities": plan_tree(scale, rng, [d["code"] for d in depts]),
        },
    }


def count_items(scale: Scale) -> int:
    return scale.priorities + scale.goals + scale.strategies + scale.actions


def generate(scale: Scale, seed: int = SEED) -> Generated:
    """Create the organization, a coordinator, the imported plan and its adopted version 1."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    document = validate_document(build_document(scale, seed))
    timings["build+validate"] = time.perf_counter() - started

    organization = Organization.objects.create(
        name_en=f"Bench {scale.name.title()}",
        name_es=f"Ciudad de prueba {scale.name}",
        fiscal_year_start_month=7,
    )
    # Nobody signs in with this password (the benchmark uses force_login): a random one avoids a fixed secret.
    coordinator = User.objects.create_user(
        username=f"bench-coordinator-{scale.name}", password=secrets.token_urlsafe(), role=Role.COORDINATOR
    )
    started = time.perf_counter()
    plan = services.import_plan_document(
        document=document, user=None, organization=organization, check_permission=False
    )
    timings["import"] = time.perf_counter() - started

    started = time.perf_counter()
    version = services.adopt_plan(
        plan=plan,
        user=coordinator,
        adopted_on=dt.date(2025, 6, 24),
        meeting="Regular City Council Meeting, June 24, 2025",
        resolution="Resolution No. 2025-48",
    )
    timings["adopt"] = time.perf_counter() - started
    return Generated(
        organization=organization,
        coordinator=coordinator,
        plan=plan,
        version=version,
        goal_code="1.1",
        priority_code="1",
        items=count_items(scale),
        timings=timings,
    )


# --- Implementation tracking: indicators with values, reporting periods and progress updates -----------------

INDICATORS = {"city": 150, "metro": 1500}
MONTHS = 60  # the plan's five fiscal years, month by month
BENCH_TODAY = dt.date(2026, 11, 15)  # "today" for the update history: FY 2026-27 Q2 is open
INDICATOR_SUBJECTS = [
    ("Response time", "Tiempo de respuesta", "minutes", "minutos", "lower"),
    ("Residents satisfied", "Residentes satisfechos", "%", "%", "higher"),
    ("Permits issued", "Permisos emitidos", "permits", "permisos", "higher"),
    ("Potholes repaired", "Baches reparados", "potholes", "baches", "higher"),
    ("Library visits", "Visitas a bibliotecas", "visits", "visitas", "higher"),
    ("Water main breaks", "Roturas de tuberías", "breaks", "roturas", "lower"),
    ("Tree canopy", "Arbolado urbano", "%", "%", "higher"),
    ("Budget variance", "Desviación presupuestaria", "%", "%", "band"),
]


def generate_tracking(data: Generated, scale: Scale, seed: int = SEED) -> dict[str, int]:
    """Indicators (150 / 1,500, each with 60 monthly values, a target per fiscal year, links to goals and
    strategies, ~70% published) and the update history (a reporting period per fiscal quarter; published updates
    for most actions in every quarter that has ended by BENCH_TODAY). Bulk inserts with history rows: the
    services write one row at a time, which would take minutes at metro scale. Times go to data.timings."""
    from simple_history.utils import bulk_create_with_history

    from civicplan.accounts.models import Department
    from civicplan.lib.periods import add_months
    from civicplan.performance.models import Direction, Indicator, Measurement, Target
    from civicplan.plans.models import PlanItem, ProgressUpdate, ReportingPeriod, UpdateState

    rng = random.Random(f"{seed}-{scale.name}-tracking")
    user = data.coordinator
    started = time.perf_counter()
    departments = list(Department.objects.filter(organization=data.organization))
    items = list(
        PlanItem.objects.filter(plan=data.plan, level__in=["goal", "strategy"]).values_list("pk", flat=True)
    )
    indicators = []
    for n in range(INDICATORS[scale.name]):
        name_en, name_es, unit_en, unit_es, direction = rng.choice(INDICATOR_SUBJECTS)
        place_en, place_es = rng.choice(PLACES)
        indicators.append(
            Indicator(
                plan=data.plan,
                key=f"IND-{n + 1:04d}",
                name_en=f"{name_en} {place_en}",
                name_es=f"{name_es} {place_es}",
                unit_en=unit_en,
                unit_es=unit_es,
                direction=direction,
                frequency="monthly",
                department=rng.choice(departments),
                baseline_value=rng.randrange(10, 1000),
                baseline_date=dt.date(2025, 6, 30),
                breakdown_name_en="Council district" if n % 10 == 0 else "",
                breakdown_name_es="Distrito" if n % 10 == 0 else "",
                breakdown_categories=["1", "2", "3", "4", "5"] if n % 10 == 0 else [],
                is_published=rng.random() < 0.7,
            )
        )
    indicators = bulk_create_with_history(indicators, Indicator, batch_size=1000, default_user=user)
    indicators = list(Indicator.objects.filter(plan=data.plan).order_by("key"))
    links = Indicator.items.through
    links.objects.bulk_create(
        [
            links(indicator_id=i.pk, planitem_id=item)
            for i in indicators
            for item in rng.sample(items, rng.randint(1, 3))
        ],
        batch_size=5000,
    )
    targets, measurements = [], []
    for indicator in indicators:
        level = float(indicator.baseline_value)
        step = level * rng.uniform(-0.004, 0.008) * (-1 if indicator.direction == Direction.LOWER else 1)
        for year in range(5):
            goal = round(level * (1 + 0.04 * (year + 1)), 2)
            band = indicator.direction == Direction.BAND
            targets.append(
                Target(
                    indicator=indicator,
                    fiscal_year=PLAN_START.year + year,
                    value=None if band else goal,
                    band_low=round(level * 0.95, 2) if band else None,
                    band_high=round(level * 1.05, 2) if band else None,
                )
            )
        for month in range(MONTHS):
            value = round(level + step * month + rng.gauss(0, level * 0.03), 2)
            breakdown = {}
            if indicator.breakdown_categories:
                shares = [rng.uniform(0.5, 1.5) for _ in indicator.breakdown_categories]
                breakdown = {
                    c: round(value * s / sum(shares), 2)
                    for c, s in zip(indicator.breakdown_categories, shares, strict=True)
                }
            measurements.append(
                Measurement(
                    indicator=indicator,
                    period_start=add_months(PLAN_START, month),
                    value=value,
                    breakdown=breakdown,
                    entered_by=user,
                    verified=rng.random() < 0.6,
                    note="Revised after audit" if rng.random() < 0.02 else "",
                )
            )
    bulk_create_with_history(targets, Target, batch_size=2000, default_user=user)
    bulk_create_with_history(measurements, Measurement, batch_size=2000, default_user=user)
    data.timings["indicators"] = time.perf_counter() - started

    started = time.perf_counter()
    periods = []
    for quarter in range(20):
        starts = add_months(PLAN_START, 3 * quarter)
        ends = add_months(starts, 3) - dt.timedelta(days=1)
        fy = PLAN_START.year + quarter // 4
        label = f"FY {fy}-{(fy + 1) % 100:02d} Q{quarter % 4 + 1}"
        periods.append(
            ReportingPeriod(
                plan=data.plan,
                name_en=label,
                name_es=label.replace("FY", "AF").replace("Q", "T"),
                starts_on=starts,
                ends_on=ends,
                opens_on=ends - dt.timedelta(days=14),
                due_on=ends + dt.timedelta(days=15),
            )
        )
    bulk_create_with_history(periods, ReportingPeriod, default_user=user)
    periods = list(ReportingPeriod.objects.filter(plan=data.plan).order_by("starts_on"))
    past = [p for p in periods if p.due_on < BENCH_TODAY]
    statuses = {s.key: s for s in data.plan.statuses.all()}
    actions = list(PlanItem.objects.filter(plan=data.plan, level="action").values_list("pk", "progress"))
    updates = []
    for action_id, progress in actions:
        level = float(progress or 0)
        for period in past:
            if rng.random() < 0.1:  # some actions skip a quarter
                continue
            level = min(100.0, level + rng.uniform(0, 12))
            key = "completed" if level >= 100 else rng.choice(["on-track", "on-track", "at-risk", "delayed"])
            published_at = dt.datetime.combine(period.due_on, dt.time(12), tzinfo=dt.UTC)
            updates.append(
                ProgressUpdate(
                    action_id=action_id,
                    period=period,
                    state=UpdateState.PUBLISHED,
                    status=statuses.get(key),
                    progress=round(level, 1),
                    narrative_en=bilingual(rng, VERBS, SUBJECTS, OUTCOMES)["en"],
                    narrative_es=bilingual(rng, VERBS, SUBJECTS, OUTCOMES)["es"],
                    submitted_at=published_at,
                    submitted_by=user,
                    published_at=published_at,
                )
            )
    bulk_create_with_history(updates, ProgressUpdate, batch_size=2000, default_user=user)
    data.timings["update history"] = time.perf_counter() - started
    return {
        "indicators": len(indicators),
        "measurements": len(measurements),
        "targets": len(targets),
        "updates": len(updates),
    }

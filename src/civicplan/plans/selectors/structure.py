"""Reads. Every public page, export and statistic starts from `public_version()`: residents only ever see what
council adopted. Staff reads (`staff_*`) show the working draft."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language

from civicplan.accounts.models import Department, Organization
from civicplan.core.models import ContentGeneration
from civicplan.plans.models import (
    LEVELS,
    Level,
    Plan,
    PlanItem,
    PlanState,
    PlanVersion,
    ProgressUpdate,
    Status,
    UpdateState,
)

SCHEMA = "civicplan.plan/1"
CHILD_KEY: dict[str, str] = {"priority": "goals", "goal": "strategies", "strategy": "actions"}


# --- Plans --------------------------------------------------------------------------------------------------------


def current_plan() -> Plan | None:
    """The plan staff work on: the newest one that is not archived."""
    return (
        Plan.objects.select_related("organization")
        .exclude(state=PlanState.ARCHIVED)
        .order_by("-start_fiscal_year", "-pk")
        .first()
    )


def plan_of(organization: Organization) -> Plan | None:
    return Plan.objects.filter(organization=organization).order_by("-start_fiscal_year", "-pk").first()


def items_by_code(plan: Plan) -> dict[str, PlanItem]:
    """Active items by code (archived ones may share a code with an active one)."""
    return {item.code: item for item in active_items(plan).select_related("department")}


def staff_plans() -> QuerySet[Plan]:
    return Plan.objects.select_related("organization").order_by("-start_fiscal_year", "-pk")


def staff_plans_with_versions() -> QuerySet[Plan]:
    return staff_plans().annotate(version_count=Count("versions"), latest_adopted=Max("versions__adopted_on"))


def active_items(plan: Plan) -> QuerySet[PlanItem]:
    return plan.items.filter(archived_at__isnull=True)


def statuses_of(plan: Plan) -> list[Status]:
    return list(plan.statuses.all())


# --- The plan as a document (export, snapshots, diffs) -------------------------------------------------------------


def _pair(obj: Any, name: str) -> dict[str, str]:
    return {"en": getattr(obj, f"{name}_en"), "es": getattr(obj, f"{name}_es")}


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def plan_document(plan: Plan, *, with_ids: bool = False) -> dict[str, Any]:
    """The plan (its active items) in the `civicplan.plan/1` shape, JSON-native. With ids for snapshots."""
    items = list(active_items(plan).select_related("department", "status").order_by("order", "pk"))
    children: dict[int | None, list[PlanItem]] = {}
    for item in items:
        children.setdefault(item.parent_id, []).append(item)
    departments = sorted({item.department for item in items if item.department}, key=lambda d: d.code)

    def node(item: PlanItem) -> dict[str, Any]:
        data: dict[str, Any] = {"id": item.pk} if with_ids else {}
        data.update(
            {
                "code": item.code,
                "title": _pair(item, "title"),
                "description": _pair(item, "description"),
                "department": item.department.code if item.department else None,
                "lead": item.lead or None,
                "start_date": _iso(item.start_date),
                "due_date": _iso(item.due_date),
                "status": item.status.key if item.status else None,
                "progress": _number(item.progress),
                "weight": _number(item.weight),
            }
        )
        key = CHILD_KEY.get(item.level)
        if key:
            data[key] = [node(child) for child in children.get(item.pk, [])]
        return {k: v for k, v in data.items() if v is not None}

    return {
        "schema": SCHEMA,
        "departments": [{"code": d.code, "name": _pair(d, "name")} for d in departments],
        "plan": {
            "title": _pair(plan, "title"),
            "start_fiscal_year": plan.start_fiscal_year,
            "years": plan.years,
            "mission": _pair(plan, "mission"),
            "vision": _pair(plan, "vision"),
            "values": [
                {"name": _pair(v, "name"), "description": _pair(v, "description")}
                for v in plan.values.filter(archived_at__isnull=True)
            ],
            "statuses": [
                {
                    "key": s.key,
                    "name": _pair(s, "name"),
                    "color": s.color,
                    "default_progress": s.default_progress,
                    "counts_as_complete": s.counts_as_complete,
                    "counts_in_rollup": s.counts_in_rollup,
                }
                for s in plan.statuses.all()
            ],
            "priorities": [node(item) for item in children.get(None, [])],
        },
    }


def iter_document_items(document: dict[str, Any]) -> list[tuple[str, dict[str, Any], dict[str, Any] | None]]:
    """Every item of a document as (level, item, parent), depth first."""
    found: list[tuple[str, dict[str, Any], dict[str, Any] | None]] = []

    def walk(nodes: list[dict[str, Any]], level: str, parent: dict[str, Any] | None) -> None:
        key = CHILD_KEY.get(level)
        for item in nodes:
            found.append((level, item, parent))
            if key:
                walk(item.get(key, []), LEVELS[LEVELS.index(level) + 1], item)

    walk(document["plan"].get("priorities", []), str(Level.PRIORITY), None)
    return found


# --- Versions -----------------------------------------------------------------------------------------------------


def versions_of(plan: Plan) -> QuerySet[PlanVersion]:
    return plan.versions.select_related("created_by").order_by("-number")


def latest_version(plan: Plan) -> PlanVersion | None:
    return plan.versions.order_by("-number").first()


def public_versions(version: PlanVersion) -> list[PlanVersion]:
    """Every adopted version of the plan residents see, newest first. Adopted versions are public records."""
    return list(
        PlanVersion.objects.filter(plan_id=version.plan_id)
        .defer("snapshot")
        .select_related("plan")
        .order_by("-number")
    )


def public_version() -> PlanVersion | None:
    """The version residents see: the newest adopted version of the newest plan that has one."""
    return (
        PlanVersion.objects.select_related("plan", "plan__organization")
        .defer("snapshot")  # loaded only when the public plan is (re)built
        .exclude(plan__state__in=[PlanState.DRAFT, PlanState.ARCHIVED])
        .order_by("-plan__start_fiscal_year", "-plan_id", "-number")
        .first()
    )


# --- The public view: the adopted snapshot, with live progress and status --------------------------------------------


@dataclass
class PublicNode:
    id: int
    level: str
    code: str
    title: str
    description: str
    department: str
    lead: str
    start_date: dt.date | None
    due_date: dt.date | None
    status: Status | None
    progress: Decimal | None
    updated_at: dt.datetime | None
    children: list[PublicNode] = field(default_factory=list)
    # Actions: when the last progress update was published, and its narrative and period in the reader's language.
    last_reported_at: dt.datetime | None = None
    narrative: str = ""
    narrative_period: str = ""

    @property
    def child_ids(self) -> list[int]:
        return [child.id for child in self.children]

    @property
    def descendant_ids(self) -> list[int]:
        """Every element below this one in the adopted version (children, their children, ...)."""
        found: list[int] = []
        queue = list(self.children)
        while queue:
            node = queue.pop()
            found.append(node.id)
            queue.extend(node.children)
        return found

    def status_counts(self) -> list[tuple[Status, int]]:
        """Actions below this node by status, in the vocabulary's order."""
        counter: Counter[int] = Counter()
        statuses: dict[int, Status] = {}
        for action in self.actions():
            if action.status:
                counter[action.status.pk] += 1
                statuses[action.status.pk] = action.status
        return [(statuses[pk], counter[pk]) for pk in sorted(counter, key=lambda pk: statuses[pk].order)]

    def actions(self) -> list[PublicNode]:
        if self.level == str(Level.ACTION):
            return [self]
        return [action for child in self.children for action in child.actions()]


@dataclass
class PublicPlan:
    version: PlanVersion
    organization: Organization
    title: str
    period: str
    mission: str
    vision: str
    values: list[tuple[str, str]]
    priorities: list[PublicNode]
    statuses: list[Status]
    by_code: dict[str, PublicNode]

    def actions(self) -> list[PublicNode]:
        """Every action of the plan, in plan order."""
        return [action for priority in self.priorities for action in priority.actions()]

    def walk(self) -> list[tuple[PublicNode, PublicNode | None]]:
        """Every node with its parent (None for a priority), in plan order: each node before its children."""
        found: list[tuple[PublicNode, PublicNode | None]] = []
        stack: list[tuple[PublicNode, PublicNode | None]] = [(p, None) for p in reversed(self.priorities)]
        while stack:
            node, parent = stack.pop()
            found.append((node, parent))
            stack.extend((child, node) for child in reversed(node.children))
        return found


def _lang(pair: dict[str, str] | None, language: str) -> str:
    pair = pair or {}
    return pair.get(language) or pair.get("en") or ""


# Built public plans, per process: decoding a metro-scale snapshot and building its nodes took ~100 ms, on every
# uncached public page. A built plan is read-only and keyed on the content generation, which every service that
# changes public content bumps, so an entry never outlives what it shows.
_BUILT_PLANS: OrderedDict[tuple[Any, ...], PublicPlan] = OrderedDict()
_BUILT_PLANS_LOCK = threading.Lock()
_BUILT_PLANS_KEPT = 8


def public_generation() -> int:
    """The counter every change of public content bumps (caches and ETags of public data key on it)."""
    return ContentGeneration.current()


def forget_built_plans() -> None:
    with _BUILT_PLANS_LOCK:
        _BUILT_PLANS.clear()


def public_plan(version: PlanVersion | None = None, language: str | None = None) -> PublicPlan | None:
    """What residents see. A fixed number of queries, whatever the plan's size."""
    version = version or public_version()
    if version is None:
        return None
    language = (language or get_language() or "en")[:2]
    key = (version.pk, version.created_at, ContentGeneration.current(), language)
    with _BUILT_PLANS_LOCK:
        built = _BUILT_PLANS.get(key)
        if built is not None:
            _BUILT_PLANS.move_to_end(key)
            return built
    built = _build_public_plan(version, language)
    with _BUILT_PLANS_LOCK:
        _BUILT_PLANS[key] = built
        while len(_BUILT_PLANS) > _BUILT_PLANS_KEPT:
            _BUILT_PLANS.popitem(last=False)
    return built


def _build_public_plan(version: PlanVersion, language: str) -> PublicPlan:
    document = version.snapshot
    plan = version.plan
    # Every row of the plan rather than `pk__in=ids`: one parameter per item would pass SQLite's limit.
    live = {
        row["id"]: row
        for row in PlanItem.objects.filter(plan_id=plan.pk)
        .annotate(**_latest_published_update(language))
        .values(
            "id", "progress", "status_id", "updated_at", "last_reported_at", "update_period", "update_text"
        )
    }
    statuses = list(plan.statuses.all())
    status_by_id = {s.pk: s for s in statuses}
    departments = {
        d.code: d.localized("name", language)
        for d in Department.objects.filter(organization_id=plan.organization_id)
    }
    by_code: dict[str, PublicNode] = {}

    def build(item: dict[str, Any], level: str) -> PublicNode:
        row = live.get(item["id"], {})
        node = PublicNode(
            id=item["id"],
            level=level,
            code=item["code"],
            title=_lang(item.get("title"), language),
            description=_lang(item.get("description"), language),
            department=departments.get(item.get("department") or "", ""),
            lead=item.get("lead") or "",
            start_date=dt.date.fromisoformat(item["start_date"]) if item.get("start_date") else None,
            due_date=dt.date.fromisoformat(item["due_date"]) if item.get("due_date") else None,
            status=status_by_id.get(row.get("status_id")),
            progress=row.get("progress"),
            updated_at=row.get("updated_at"),
            last_reported_at=row.get("last_reported_at"),
        )
        if row.get("update_text"):
            node.narrative_period, node.narrative = row.get("update_period") or "", row["update_text"]
        key = CHILD_KEY.get(level)
        if key:
            child_level = LEVELS[LEVELS.index(level) + 1]
            node.children = [build(child, child_level) for child in item.get(key, [])]
        by_code[node.code] = node
        return node

    data = document["plan"]
    priorities = [build(item, str(Level.PRIORITY)) for item in data.get("priorities", [])]
    return PublicPlan(
        version=version,
        organization=plan.organization,
        title=_lang(data.get("title"), language),
        period=plan.period_label,
        mission=_lang(data.get("mission"), language),
        vision=_lang(data.get("vision"), language),
        values=[
            (_lang(v["name"], language), _lang(v.get("description"), language))
            for v in data.get("values", [])
        ],
        priorities=priorities,
        statuses=statuses,
        by_code=by_code,
    )


def _latest_published_update(language: str) -> dict[str, Any]:
    """Annotations giving each action's latest published progress update (its period's name and narrative in
    `language`, English when the Spanish is empty) inside the query that reads live progress: no extra query.
    Only published updates: drafts and submissions never reach the public."""
    latest = ProgressUpdate.objects.filter(action=OuterRef("pk"), state=UpdateState.PUBLISHED).order_by(
        "-period__starts_on"
    )

    def pick(field_name: str) -> Any:
        english = Subquery(latest.values(f"{field_name}_en")[:1])
        if language != "es":
            return english
        spanish = NullIf(Subquery(latest.values(f"{field_name}_es")[:1]), Value(""))
        return Coalesce(spanish, english, output_field=TextField())

    return {"update_period": pick("period__name"), "update_text": pick("narrative")}


# --- Staff tree ---------------------------------------------------------------------------------------------------


@dataclass
class StaffNode:
    item: PlanItem
    children: list[StaffNode] = field(default_factory=list)
    matches: bool = True


def staff_tree(
    plan: Plan,
    *,
    department_id: int | None = None,
    status_id: int | None = None,
    include_archived: bool = False,
) -> list[StaffNode]:
    """The working draft as a tree. With filters, the matching items and the ancestors that lead to them."""
    items = plan.items.select_related("department", "status").order_by("order", "pk")
    if not include_archived:
        items = items.filter(archived_at__isnull=True)
    nodes = {item.pk: StaffNode(item) for item in items}
    roots: list[StaffNode] = []
    for node in nodes.values():
        parent = nodes.get(node.item.parent_id) if node.item.parent_id else None
        if parent:
            parent.children.append(node)
        elif node.item.parent_id is None:
            roots.append(node)
    if department_id is None and status_id is None:
        return roots

    def keep(node: StaffNode) -> bool:
        node.children = [child for child in node.children if keep(child)]
        node.matches = (department_id is None or node.item.department_id == department_id) and (
            status_id is None or node.item.status_id == status_id
        )
        return node.matches or bool(node.children)

    return [root for root in roots if keep(root)]


HISTORY_HIDDEN_FIELDS = ["lock_version", "order"]


def item_history(item: PlanItem) -> list[dict[str, Any]]:
    """Each recorded change of an item, newest first, with the fields that changed in words people read."""
    records = list(item.history.select_related("history_user").order_by("-history_date", "-history_id"))
    labels = {f.name: str(f.verbose_name) for f in PlanItem._meta.get_fields() if hasattr(f, "verbose_name")}
    names = _history_names(item)
    entries = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=HISTORY_HIDDEN_FIELDS)
            changes = [
                (
                    labels.get(change.field, change.field),
                    names(change.field, change.old),
                    names(change.field, change.new),
                )
                for change in delta.changes
            ]
        entries.append({"record": record, "changes": changes, "created": previous is None})
    return entries


def _related_id(row: Any) -> Any:
    """The far side of a many-to-many history row: the user for contributors, the other action for dependencies."""
    if not isinstance(row, dict):
        return row
    for key in ("user", "to_planitem"):
        if key in row:
            return row[key]
    return next(iter(row.values()), None)


def _people_named(item: PlanItem) -> dict[Any, str]:
    """Everyone who may appear as owner or contributor. A city's staff accounts are a few hundred at most, and
    history may name people who have since left, so all accounts rather than today's plan roles."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.only("pk", "username", "first_name", "last_name")
    return {user.pk: user.display_name for user in users}


def _history_names(item: PlanItem) -> Any:
    """Turn the ids history stores for related rows into the names people know."""
    lookups: dict[str, dict[Any, str]] = {
        "status": {s.pk: s.localized("name") for s in item.plan.statuses.all()},
        "department": {
            d.pk: d.localized("name")
            for d in Department.objects.filter(organization_id=item.plan.organization_id)
        },
        "parent": dict(item.plan.items.values_list("pk", "code")),
    }
    lookups["depends_on"] = lookups["parent"]
    people = _people_named(item)
    lookups["owner"] = people
    lookups["contributors"] = people

    def name(field: str, value: Any) -> Any:
        if value in (None, ""):
            return value
        if isinstance(value, list):  # many-to-many history: rows like {"planitem": 1, "user": 7}
            return ", ".join(str(name(field, _related_id(row))) for row in value) or "–"
        return lookups.get(field, {}).get(value, value)

    return name

"""Every URL x every persona x GET/POST. A new URL without an entry here fails `test_every_url_has_an_entry`."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from civicplan.plans import services

PERSONAS = ["anonymous", "resident", "editor_a", "editor_b", "council_member", "viewer", "coordinator"]
PUBLIC = set(PERSONAS)
READERS = {"editor_a", "editor_b", "council_member", "viewer", "coordinator"}
COORDINATOR = {"coordinator"}
OWNER = {"coordinator", "editor_a"}  # the target item belongs to department A
NOBODY: set[str] = set()

# url name -> (who may GET, who may POST)
MATRIX: dict[str, tuple[set[str], set[str]]] = {
    "health": (PUBLIC, PUBLIC),
    "switch-language": (PUBLIC, PUBLIC),
    "web:home": (PUBLIC, PUBLIC),
    "plans:priority": (PUBLIC, PUBLIC),
    "plans:goal": (PUBLIC, PUBLIC),
    "plans:versions": (PUBLIC, PUBLIC),
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
    "people:people": (COORDINATOR, COORDINATOR),
    "people:organization": (COORDINATOR, COORDINATOR),
    "people:department-new": (COORDINATOR, COORDINATOR),
    "people:department": (COORDINATOR, COORDINATOR),
    "people:person-new": (COORDINATOR, COORDINATOR),
    "people:person": (COORDINATOR, COORDINATOR),
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
    request, adopted_plan, coordinator, editor_a, editor_b, council_member, viewer, resident, department_a
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
    args = {
        "health": {},
        "switch-language": {"language": "es"},
        "web:home": {},
        "plans:priority": {"code": priority.code},
        "plans:goal": {"code": goal.code},
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
        "people:people": {},
        "people:organization": {},
        "people:department-new": {},
        "people:department": {"department_id": department_a.pk},
        "people:person-new": {},
        "people:person": {"user_id": viewer.pk},
    }
    users = {
        "anonymous": None,
        "resident": resident,
        "editor_a": editor_a,
        "editor_b": editor_b,
        "council_member": council_member,
        "viewer": viewer,
        "coordinator": coordinator,
    }
    assert PlanItem.objects.filter(pk=action.pk, department=department_a).exists()
    return args, users


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

"""Role predicates. Modules build their object permissions from these (see plans/rules.py)."""

from __future__ import annotations

from typing import Any

import rules

from civicplan.accounts.models import Role


def _role(user: Any) -> str:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ""
    if user.is_superuser:
        return Role.COORDINATOR
    return str(user.role or "")


@rules.predicate
def is_coordinator(user: Any) -> bool:
    return _role(user) == Role.COORDINATOR


@rules.predicate
def is_editor(user: Any) -> bool:
    return _role(user) == Role.EDITOR


@rules.predicate
def is_staff_reader(user: Any) -> bool:
    """Anyone with a plan role may read drafts: coordinator, editors, council members, finance staff, viewers."""
    return _role(user) in {Role.COORDINATOR, Role.EDITOR, Role.COUNCIL, Role.FINANCE, Role.VIEWER}


@rules.predicate
def is_finance(user: Any) -> bool:
    return _role(user) == Role.FINANCE


@rules.predicate
def owns_department_of(user: Any, obj: Any) -> bool:
    department_id = getattr(obj, "department_id", None)
    return bool(department_id) and department_id == getattr(user, "department_id", None)


# The city's settings, departments and people are the coordinator's to manage.
rules.add_perm("accounts.manage_organization", is_coordinator)


@rules.predicate
def is_council(user: Any) -> bool:
    return _role(user) == Role.COUNCIL

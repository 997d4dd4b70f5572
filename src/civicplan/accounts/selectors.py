"""Reads for the city and its departments."""

from __future__ import annotations

from civicplan.accounts.models import Department, Organization, User


def current_organization() -> Organization | None:
    return Organization.current()


def organization_named(name_en: str) -> Organization | None:
    return Organization.objects.filter(name_en=name_en).first()


def department_codes(organization: Organization | None) -> set[str]:
    if organization is None:
        return set()
    return set(Department.objects.filter(organization=organization).values_list("code", flat=True))


def department(organization: Organization, code: str) -> Department:
    return Department.objects.get(organization=organization, code=code)


def departments(organization: Organization) -> list[Department]:
    return list(Department.objects.filter(organization=organization))


def people() -> list[User]:
    return list(User.objects.select_related("department").order_by("-is_active", "last_name", "username"))

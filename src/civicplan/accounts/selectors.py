"""Reads for the city and its departments."""

from __future__ import annotations

from civicplan.accounts.models import Department, Organization


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

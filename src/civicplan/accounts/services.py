"""Writes for the city, its departments and its people (set-up, demo data and, later, admin pages)."""

from __future__ import annotations

from django.db import transaction

from civicplan.accounts.models import Department, Organization, User


@transaction.atomic
def ensure_organization(*, name_en: str, name_es: str, fiscal_year_start_month: int = 7) -> Organization:
    organization, _created = Organization.objects.get_or_create(
        name_en=name_en, defaults={"name_es": name_es, "fiscal_year_start_month": fiscal_year_start_month}
    )
    return organization


@transaction.atomic
def ensure_department(*, organization: Organization, code: str, name_en: str, name_es: str) -> Department:
    department, _created = Department.objects.get_or_create(
        organization=organization, code=code, defaults={"name_en": name_en, "name_es": name_es}
    )
    return department


@transaction.atomic
def ensure_user(
    *,
    username: str,
    password: str,
    role: str,
    department: Department | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    """Create the account if it does not exist; an existing account is left exactly as it is."""
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first_name,
            "last_name": last_name,
            "role": role,
            "department": department,
            "email": email,
        },
    )
    if created:
        user.set_password(password)
        user.save()
    return user

"""Writes for the city, its departments and its people (set-up, demo data and, later, admin pages)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from civicplan.accounts.models import Department, Organization, User
from civicplan.core.history import apply_and_save, record_change


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


def _require_manager(user: User) -> None:
    if not user.has_perm("accounts.manage_organization"):
        raise PermissionDenied(
            _("Only the plan coordinator can change the city's settings, departments and people.")
        )


@transaction.atomic
def update_organization(*, organization: Organization, user: User, data: dict[str, Any]) -> Organization:
    _require_manager(user)
    return apply_and_save(organization, user=user, data=data)


@transaction.atomic
def save_department(
    *, organization: Organization, user: User, data: dict[str, Any], department: Department | None = None
) -> Department:
    _require_manager(user)
    return apply_and_save(department or Department(organization=organization), user=user, data=data)


@transaction.atomic
def save_person(
    *, user: User, data: dict[str, Any], person: User | None = None, password: str | None = None
) -> User:
    """Create or change a staff account. Accounts are deactivated, never deleted (history refers to them)."""
    _require_manager(user)
    if person is not None and person.pk == user.pk:
        # Compare with the stored row: a bound ModelForm has already copied the new values onto `person`.
        stored = User.objects.values("role", "is_active").get(pk=person.pk)
        if data.get("role", stored["role"]) != stored["role"] or not data.get("is_active", True):
            raise PermissionDenied(
                _("You cannot change your own role or deactivate yourself; ask another coordinator.")
            )
    person = person or User()
    for name, value in data.items():
        setattr(person, name, value)
    if password:
        person.set_password(password)
    elif person.pk is None:
        person.set_unusable_password()
    record_change(person, user)
    person.save()
    return person

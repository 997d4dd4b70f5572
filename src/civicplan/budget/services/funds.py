"""Funds and the confirmed name mappings of budget files: adding and renaming a fund, forgetting a mapping."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from civicplan.accounts.models import Organization, User
from civicplan.budget.models import Fund, NameMapping
from civicplan.core.history import record_change
from civicplan.core.models import ContentGeneration

__all__ = ["forget_mapping", "save_fund"]

FUND_FIELDS = ("code", "name_en", "name_es")


def _require(user: User, perm: str, obj: Any = None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(_("You do not have permission to do this."))


@transaction.atomic
def save_fund(
    *, organization: Organization, user: User, data: dict[str, Any], fund: Fund | None = None
) -> Fund:
    """Add a fund or change its code and names. A code is unique in the city: a second "100" is refused in words
    (the budget files name funds by code, so two would make every file ambiguous)."""
    _require(user, "budget.manage_budget")
    code = str(data.get("code", "")).strip()
    clash = Fund.objects.filter(organization=organization, code__iexact=code)
    if fund is not None:
        clash = clash.exclude(pk=fund.pk)
    if clash.exists():
        raise ValidationError({"code": _("Another fund already has the code %(code)s.") % {"code": code}})
    target = fund or Fund(organization=organization)
    for name in FUND_FIELDS:
        setattr(target, name, str(data.get(name, "")).strip())
    target.full_clean()
    record_change(target, user, _("Fund added") if fund is None else _("Fund changed"))
    target.save()
    ContentGeneration.bump()  # fund names appear on the public budget page
    return target


@transaction.atomic
def forget_mapping(*, mapping: NameMapping, user: User) -> None:
    """Forget that a spelling in budget files means one of our departments or funds: the next file with that
    spelling asks again. Lines already imported keep their department and fund."""
    _require(user, "budget.manage_budget")
    record_change(mapping, user, _("Name mapping forgotten"))
    mapping.delete()

"""Indicator definitions, targets, links to the plan, publishing, and values entered one at a time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from civicplan.accounts.models import User
from civicplan.core.history import record_change
from civicplan.core.models import ContentGeneration
from civicplan.lib.fiscal import fiscal_year_label
from civicplan.lib.numbers import parse_number, plain
from civicplan.lib.periods import PeriodError, parse_period, period_key
from civicplan.performance.models import DEFINITION_FIELDS, Direction, Indicator, Measurement, Target
from civicplan.plans.models import Level, Plan, PlanItem
from civicplan.plans.services import EditConflict

__all__ = [
    "DEFINITION_FIELDS",
    "EditConflict",
    "MeasurementExists",
    "archive_indicator",
    "clean_measurement",
    "create_indicator",
    "period_problem",
    "publish_indicator",
    "record_measurement",
    "restore_indicator",
    "set_indicator_links",
    "set_measurement_verified",
    "set_target",
    "unpublish_indicator",
    "update_indicator",
    "value_problem",
]

LINKABLE_LEVELS = {Level.GOAL, Level.STRATEGY}


class MeasurementExists(Exception):
    """A value is already recorded for the period; replacing it must be asked for (`replace=True`)."""

    def __init__(self, existing: Measurement) -> None:
        super().__init__("a value exists for this period")
        self.existing = existing


def _require(user: User | None, perm: str, obj: Any = None, *, check: bool = True) -> None:
    """`check=False` only for trusted callers with no signed-in person (a plan imported by `manage.py
    import_plan`, which creates the file's indicators with it)."""
    if not check:
        return
    if user is None or not user.has_perm(perm, obj):
        raise PermissionDenied(_("You do not have permission to do this."))


def _public_changed(*indicators: Indicator | None) -> None:
    """Cached public pages refresh when a published indicator (or its targets or values) changes."""
    if any(indicator is not None and indicator.is_published for indicator in indicators):
        ContentGeneration.bump()


def _fy_month(plan: Plan) -> int:
    return plan.organization.fiscal_year_start_month


def _locked(indicator: Indicator) -> Indicator:
    return Indicator.objects.select_for_update().select_related("plan__organization").get(pk=indicator.pk)


# --- Definitions ----------------------------------------------------------------------------------------------


def _check_definition(indicator: Indicator) -> None:
    errors: dict[str, list[str]] = {}
    categories = indicator.breakdown_categories or []
    if not isinstance(categories, list) or not all(isinstance(c, str) and c.strip() for c in categories):
        errors["breakdown_categories"] = [_("List the breakdown categories as names, one per line.")]
    elif len({c.strip() for c in categories}) != len(categories):
        errors["breakdown_categories"] = [_("Each breakdown category can be listed only once.")]
    if categories and not indicator.breakdown_name_en:
        errors["breakdown_name_en"] = [
            _("Name the breakdown (e.g. council district) when it has categories.")
        ]
    low, high = indicator.min_value, indicator.max_value
    if low is not None and high is not None and low > high:
        errors["max_value"] = [_("The highest possible value must not be below the lowest.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def create_indicator(
    *, plan: Plan, user: User | None, data: dict[str, Any], reason: str = "", check_permission: bool = True
) -> Indicator:
    """A new draft indicator of `plan` (not shown to the public until published)."""
    _require(user, "performance.manage_indicator", plan, check=check_permission)
    unknown = set(data) - set(DEFINITION_FIELDS)
    if unknown:
        raise ValueError(f"not definition fields: {sorted(unknown)}")
    indicator = Indicator(plan=plan, **data)
    if Indicator.objects.filter(plan=plan, key=indicator.key).exists():
        raise ValidationError({"key": [_("Another indicator of this plan already uses this key.")]})
    indicator.full_clean()
    _check_definition(indicator)
    record_change(indicator, user, reason)
    indicator.save()
    return indicator


@transaction.atomic
def update_indicator(
    *, indicator: Indicator, user: User, data: dict[str, Any], expected_version: int, reason: str = ""
) -> Indicator:
    """Save an edit made from `expected_version`; raises EditConflict (carrying the saved row) if someone saved
    in between. A published indicator must keep both languages."""
    current = _locked(indicator)
    _require(user, "performance.manage_indicator", current)
    if current.lock_version != expected_version:
        raise EditConflict(current)
    unknown = set(data) - set(DEFINITION_FIELDS)
    if unknown:
        raise ValueError(f"not definition fields: {sorted(unknown)}")
    if (
        "key" in data
        and Indicator.objects.filter(plan_id=current.plan_id, key=data["key"]).exclude(pk=current.pk).exists()
    ):
        raise ValidationError({"key": [_("Another indicator of this plan already uses this key.")]})
    for name, value in data.items():
        setattr(current, name, value)
    current.full_clean()
    _check_definition(current)
    if current.is_published:
        _check_publishable_text(current)
    current.lock_version += 1
    record_change(current, user, reason)
    current.save()
    _public_changed(current)
    return current


@transaction.atomic
def set_indicator_links(
    *,
    indicator: Indicator,
    user: User | None,
    items: list[PlanItem],
    reason: str = "",
    check_permission: bool = True,
) -> Indicator:
    """The goals and strategies the indicator measures (same plan, goal or strategy level, not archived)."""
    current = _locked(indicator)
    _require(user, "performance.manage_indicator", current, check=check_permission)
    problems = []
    for item in items:
        if item.plan_id != current.plan_id:
            problems.append(_("%(code)s belongs to another plan.") % {"code": item.code})
        elif item.level not in LINKABLE_LEVELS:
            problems.append(_("%(code)s is not a goal or a strategy.") % {"code": item.code})
        elif item.archived_at is not None:
            problems.append(_("%(code)s is archived.") % {"code": item.code})
    if problems:
        raise ValidationError({"items": problems})
    if current.is_published and not items:
        raise ValidationError(
            {
                "items": [
                    _("A published indicator must measure at least one goal or strategy. Unpublish it first.")
                ]
            }
        )
    record_change(current, user, reason)
    current.items.set(items)
    current.lock_version += 1
    current.save(update_fields=["lock_version", "updated_at"])
    _public_changed(current)
    return current


def _check_publishable_text(indicator: Indicator) -> None:
    missing = []
    if not indicator.name_en.strip() or not indicator.name_es.strip():
        missing.append(_("a name in English and in Spanish"))
    if not indicator.unit_en.strip() or not indicator.unit_es.strip():
        missing.append(_("a unit in English and in Spanish"))
    if indicator.description_en.strip() and not indicator.description_es.strip():
        missing.append(_("the Spanish description"))
    if missing:
        raise ValidationError(
            _("To publish this indicator, add: %(missing)s.") % {"missing": ", ".join(missing)}
        )


@transaction.atomic
def publish_indicator(*, indicator: Indicator, user: User, reason: str = "") -> Indicator:
    """Show the indicator on the public site. Needs a name and unit in both languages and at least one link."""
    current = _locked(indicator)
    _require(user, "performance.manage_indicator", current)
    if current.is_archived:
        raise ValidationError(_("An archived indicator cannot be published. Restore it first."))
    _check_publishable_text(current)
    if not current.items.exists():
        raise ValidationError(_("To publish this indicator, link it to at least one goal or strategy."))
    if current.is_published:
        return current
    current.is_published = True
    current.lock_version += 1
    record_change(current, user, reason or _("Published"))
    current.save()
    _public_changed(current)
    return current


@transaction.atomic
def unpublish_indicator(*, indicator: Indicator, user: User, reason: str = "") -> Indicator:
    current = _locked(indicator)
    _require(user, "performance.manage_indicator", current)
    if not current.is_published:
        return current
    current.is_published = False
    current.lock_version += 1
    record_change(current, user, reason or _("Unpublished"))
    current.save()
    ContentGeneration.bump()
    return current


@transaction.atomic
def archive_indicator(*, indicator: Indicator, user: User, reason: str) -> Indicator:
    """Nothing is deleted: the indicator leaves the lists (and the public site) and can be restored."""
    current = _locked(indicator)
    _require(user, "performance.manage_indicator", current)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the indicator is archived.")]})
    if current.is_archived:
        return current
    was_published = current.is_published
    current.archived_at = timezone.now()
    current.archived_by = user
    current.archive_reason = reason
    current.is_published = False
    current.lock_version += 1
    record_change(current, user, reason)
    current.save()
    if was_published:
        ContentGeneration.bump()
    return current


@transaction.atomic
def restore_indicator(*, indicator: Indicator, user: User, reason: str) -> Indicator:
    """Back to the working list as a draft (publishing again is a separate, deliberate step)."""
    current = _locked(indicator)
    _require(user, "performance.manage_indicator", current)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Say why the indicator is restored.")]})
    if not current.is_archived:
        return current
    current.archived_at = None
    current.archived_by = None
    current.archive_reason = ""
    current.lock_version += 1
    record_change(current, user, reason)
    current.save()
    return current


# --- Targets --------------------------------------------------------------------------------------------------


def _plan_years(plan: Plan) -> range:
    return range(plan.start_fiscal_year, plan.start_fiscal_year + plan.years)


@transaction.atomic
def set_target(
    *,
    indicator: Indicator,
    user: User | None,
    fiscal_year: int,
    value: Decimal | None = None,
    band_low: Decimal | None = None,
    band_high: Decimal | None = None,
    reason: str = "",
    check_permission: bool = True,
) -> Target:
    """Set the target of one fiscal year of the plan. Changing an existing target needs a reason, which the
    history keeps with the old value (the status then uses the new target; the chart shows the step)."""
    current = _locked(indicator)
    _require(user, "performance.manage_indicator", current, check=check_permission)
    month = _fy_month(current.plan)
    if fiscal_year not in _plan_years(current.plan):
        raise ValidationError(
            {
                "fiscal_year": [
                    _("%(year)s is outside the plan (%(period)s).")
                    % {
                        "year": fiscal_year_label(fiscal_year, month, _("FY")),
                        "period": current.plan.period_label,
                    }
                ]
            }
        )
    errors: dict[str, list[str]] = {}
    if current.direction == Direction.BAND:
        if band_low is None and band_high is None:
            errors["band_low"] = [_("Give the lowest acceptable value, the highest, or both.")]
        elif band_low is not None and band_high is not None and band_low > band_high:
            errors["band_high"] = [_("The highest acceptable value must not be below the lowest.")]
        value = None
    else:
        if value is None:
            errors["value"] = [_("Enter the target value.")]
        band_low = band_high = None
    for name, number in (("value", value), ("band_low", band_low), ("band_high", band_high)):
        if number is None:
            continue
        try:
            parse_number(number)
        except ValueError as error:
            errors.setdefault(name, []).append(capfirst(str(error)) + ".")
    if errors:
        raise ValidationError(errors)
    target = Target.objects.select_for_update().filter(indicator=current, fiscal_year=fiscal_year).first()
    if target is None:
        target = Target(indicator=current, fiscal_year=fiscal_year)
    else:
        unchanged = (target.value, target.band_low, target.band_high) == (value, band_low, band_high)
        if unchanged:
            return target
        if not (reason or "").strip():
            raise ValidationError(
                {
                    "reason": [
                        _("This year already has a target: say why it changes (the history keeps both).")
                    ]
                }
            )
    target.value, target.band_low, target.band_high = value, band_low, band_high
    target.full_clean()
    record_change(target, user, reason)
    target.save()
    _public_changed(current)
    return target


# --- Measurements ---------------------------------------------------------------------------------------------


def _to_decimal(value: Any) -> Decimal:
    try:
        return parse_number(value)
    except ValueError as error:
        raise ValidationError({"value": [capfirst(str(error)) + "."]}) from None


def value_problem(indicator: Indicator, value: Decimal) -> str:
    """Why `value` cannot be a value of `indicator` ("" when it can): outside the range its definition allows
    (e.g. 0-100 for a percentage). The quick form and imports both ask this."""
    low, high = indicator.min_value, indicator.max_value
    if (low is not None and value < low) or (high is not None and value > high):
        return _("%(value)s is outside the range this indicator allows (%(low)s to %(high)s).") % {
            "value": plain(value),
            "low": "–" if low is None else plain(low),
            "high": "–" if high is None else plain(high),
        }
    return ""


def period_problem(indicator: Indicator, start: dt.date, today: dt.date) -> str:
    """Why `start` cannot be a period of `indicator` ("" when it can): outside the plan, or not started yet."""
    plan = indicator.plan
    month = _fy_month(plan)
    first, last = plan.bounds
    if start < first or start > last:
        return _("%(period)s is outside the plan (%(plan)s).") % {
            "period": period_key(start, indicator.frequency, month),
            "plan": plan.period_label,
        }
    if start > today:
        return _("%(period)s has not started yet.") % {
            "period": period_key(start, indicator.frequency, month)
        }
    return ""


def clean_measurement(
    *, indicator: Indicator, period: Any, value: Any, breakdown: dict[str, Any] | None = None, today: dt.date
) -> tuple[dt.date, Decimal, dict[str, str]]:
    """Check one value before it is written: the period is a period of the indicator's frequency inside the plan
    and not in the future, the value a number inside the indicator's range, the breakdown keys its categories.
    Returns (period_start, value, breakdown) or raises ValidationError with plain-language messages."""
    month = _fy_month(indicator.plan)
    errors: dict[str, list[str]] = {}
    start: dt.date | None = None
    try:
        start = parse_period(period, indicator.frequency, month)
    except PeriodError as error:
        errors["period"] = [str(error)]
    if start is not None and (problem := period_problem(indicator, start, today)):
        errors["period"] = [problem]
    number: Decimal | None = None
    try:
        number = _to_decimal(value)
    except ValidationError as error:
        errors.update(error.message_dict)
    if number is not None and (problem := value_problem(indicator, number)):
        errors["value"] = [problem]
    cleaned: dict[str, str] = {}
    categories = list(indicator.breakdown_categories or [])
    for key, raw in (breakdown or {}).items():
        if raw in (None, ""):
            continue
        if key not in categories:
            errors.setdefault("breakdown", []).append(
                _("“%(key)s” is not one of this indicator's breakdown categories.") % {"key": key}
            )
            continue
        try:
            cleaned[key] = plain(_to_decimal(raw))
        except ValidationError:
            errors.setdefault("breakdown", []).append(
                _("The value for %(key)s is not a number.") % {"key": key}
            )
    if errors:
        raise ValidationError(errors)
    assert start is not None and number is not None
    return start, number, cleaned


@transaction.atomic
def record_measurement(
    *,
    indicator: Indicator,
    user: User | None,
    period: Any,
    value: Any,
    breakdown: dict[str, Any] | None = None,
    note: str = "",
    replace: bool = False,
    today: dt.date | None = None,
    check_permission: bool = True,
) -> Measurement:
    """Record the value of one period. If the period already has a value, raises MeasurementExists (carrying it)
    unless `replace=True`: a value is never overwritten silently. A replaced value is no longer verified."""
    current = _locked(indicator)
    _require(user, "performance.enter_measurement", current, check=check_permission)
    if current.is_archived:
        raise ValidationError(_("This indicator is archived: restore it before entering values."))
    start, number, cleaned = clean_measurement(
        indicator=current,
        period=period,
        value=value,
        breakdown=breakdown,
        today=today or timezone.localdate(),
    )
    existing = Measurement.objects.select_for_update().filter(indicator=current, period_start=start).first()
    if existing is not None and not replace:
        raise MeasurementExists(existing)
    measurement = existing or Measurement(indicator=current, period_start=start)
    reason = _("Value replaced") if existing is not None else ""
    measurement.value = number
    measurement.breakdown = cleaned
    measurement.note = note or ""
    measurement.entered_by = user
    measurement.verified = False
    measurement.full_clean()
    record_change(measurement, user, reason)
    measurement.save()
    _public_changed(current)
    return measurement


@transaction.atomic
def set_measurement_verified(*, measurement: Measurement, user: User, verified: bool) -> Measurement:
    """The coordinator confirms (or withdraws the confirmation of) a value against its source."""
    current = Measurement.objects.select_for_update().select_related("indicator").get(pk=measurement.pk)
    _require(user, "performance.manage_indicator", current.indicator)
    if current.verified == verified:
        return current
    current.verified = verified
    record_change(current, user, _("Verified") if verified else _("Verification withdrawn"))
    current.save()
    _public_changed(current.indicator)
    return current

"""Measurement files (CSV/XLSX): held for a preview, then written all at once or not at all.

The preview and the import run the same checks (`_plan_rows`); the import runs them again inside its
transaction, so that what is written is what the data says at that moment, not at upload time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from civicplan.accounts.models import User
from civicplan.core.models import ContentGeneration
from civicplan.lib.numbers import plain
from civicplan.lib.periods import PeriodError, parse_period, period_key
from civicplan.performance.importers.measurements import (
    MeasurementFileInvalid,
    Row,
    RowError,
    read_measurement_file,
)
from civicplan.performance.models import Indicator, Measurement
from civicplan.performance.services.indicators import period_problem, value_problem
from civicplan.plans.models import PendingImport, Plan

__all__ = [
    "MEASUREMENTS_PURPOSE",
    "ImportPreview",
    "MeasurementImportRefused",
    "PlannedRow",
    "confirm_measurement_import",
    "hold_measurement_file",
    "import_measurement_file",
    "preview_measurement_file",
]

MEASUREMENTS_PURPOSE = "measurements"
SAMPLE_SIZE = 20
SHOWN_ERRORS = 50
BATCH_SIZE = 2000


@dataclass
class PlannedRow:
    """One row of the file as it will be written: new, changed (old values kept for the preview) or unchanged."""

    number: int
    indicator: Indicator
    period_start: dt.date
    value: Decimal
    note: str
    verified: bool
    breakdown: dict[str, str]
    kind: str  # "new", "changed" or "unchanged"
    existing_id: int | None = None
    old_value: Decimal | None = None

    @property
    def period(self) -> str:
        return period_key(
            self.period_start,
            self.indicator.frequency,
            self.indicator.plan.organization.fiscal_year_start_month,
        )


@dataclass
class ImportPreview:
    filename: str
    replace: bool
    rows: list[PlannedRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for row in self.rows if row.kind == kind)

    @property
    def new(self) -> int:
        return self.count("new")

    @property
    def changed(self) -> int:
        return self.count("changed")

    @property
    def unchanged(self) -> int:
        return self.count("unchanged")

    @property
    def to_write(self) -> int:
        return self.new + self.changed

    @property
    def shown_errors(self) -> list[RowError]:
        return self.errors[:SHOWN_ERRORS]

    @property
    def sample(self) -> list[PlannedRow]:
        return self.rows[:SAMPLE_SIZE]

    @property
    def changes(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.kind == "changed"][:SHOWN_ERRORS]

    @property
    def ok(self) -> bool:
        return not self.errors


class MeasurementImportRefused(Exception):
    """The file has problems: nothing was written. Carries the preview with its errors."""

    def __init__(self, preview: ImportPreview) -> None:
        super().__init__(f"{len(preview.errors)} problems")
        self.preview = preview


def _require(user: User, perm: str, obj: Any = None) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied(_("You do not have permission to do this."))


# --- Checks ---------------------------------------------------------------------------------------------------


def preview_measurement_file(
    *, plan: Plan, user: User, filename: str, data: bytes, replace: bool = False
) -> ImportPreview:
    """What the file would do, row by row, and every problem in it. Writes nothing."""
    _require(user, "performance.import_measurements")
    return _plan_rows(plan=plan, user=user, filename=filename, data=data, replace=replace)


def _plan_rows(*, plan: Plan, user: User, filename: str, data: bytes, replace: bool) -> ImportPreview:
    preview = ImportPreview(filename=filename, replace=replace)
    try:
        parsed = read_measurement_file(filename, data)
    except MeasurementFileInvalid as error:
        preview.errors = error.errors
        return preview
    errors: list[RowError] = list(parsed.errors)
    indicators = {i.key: i for i in Indicator.objects.filter(plan=plan).select_related("plan__organization")}
    folded = {key.casefold(): i for key, i in indicators.items()}
    fy_month = plan.organization.fiscal_year_start_month
    today = timezone.localdate()
    allowed: dict[int, bool] = {}
    seen: dict[tuple[int, dt.date], int] = {}
    accepted: list[tuple[Row, Indicator, dt.date]] = []
    for row in parsed.rows:
        indicator = indicators.get(row.indicator) or folded.get(row.indicator.casefold())
        if indicator is None:
            errors.append(
                RowError(row.number, _("there is no indicator %(key)r in this plan") % {"key": row.indicator})
            )
            continue
        if indicator.is_archived:
            errors.append(RowError(row.number, _("indicator %(key)s is archived") % {"key": indicator.key}))
            continue
        if indicator.pk not in allowed:
            allowed[indicator.pk] = user.has_perm("performance.enter_measurement", indicator)
        if not allowed[indicator.pk]:
            errors.append(
                RowError(
                    row.number,
                    _("you may not enter values for indicator %(key)s (it belongs to another department)")
                    % {"key": indicator.key},
                )
            )
            continue
        try:
            start = parse_period(row.period, indicator.frequency, fy_month)
        except PeriodError as error:
            errors.append(RowError(row.number, str(error)))
            continue
        problem = period_problem(indicator, start, today) or value_problem(indicator, row.value)
        if problem:
            errors.append(RowError(row.number, problem))
            continue
        unknown = sorted(set(row.breakdown) - {str(c) for c in indicator.breakdown_categories or []})
        if unknown:
            errors.append(
                RowError(
                    row.number,
                    _("indicator %(key)s has no breakdown category %(names)s")
                    % {"key": indicator.key, "names": ", ".join(unknown)},
                )
            )
            continue
        earlier = seen.get((indicator.pk, start))
        if earlier is not None:
            errors.append(
                RowError(
                    row.number,
                    _("indicator %(key)s, period %(period)s is also in row %(other)s: keep one of them")
                    % {
                        "key": indicator.key,
                        "period": period_key(start, indicator.frequency, fy_month),
                        "other": earlier,
                    },
                )
            )
            continue
        seen[(indicator.pk, start)] = row.number
        accepted.append((row, indicator, start))

    existing = _existing(indicator_ids={i.pk for _r, i, _s in accepted})
    for row, indicator, start in accepted:
        # Stored as exact decimal text, as the quick-entry form stores them.
        breakdown = {category: plain(value) for category, value in row.breakdown.items()}
        planned = PlannedRow(
            number=row.number,
            indicator=indicator,
            period_start=start,
            value=row.value,
            note=row.note,
            verified=row.verified,
            breakdown=breakdown,
            kind="new",
        )
        old = existing.get((indicator.pk, start))
        if old is not None:
            old_id, old_value, old_note, old_verified, old_breakdown = old
            planned.existing_id, planned.old_value = old_id, old_value
            same = (
                old_value == row.value
                and old_note == row.note
                and old_verified == row.verified
                and (old_breakdown or {}) == breakdown
            )
            if same:
                planned.kind = "unchanged"
            elif replace:
                planned.kind = "changed"
            else:
                errors.append(
                    RowError(
                        row.number,
                        _(
                            "indicator %(key)s already has a value for %(period)s (%(old)s); choose "
                            "'replace existing values' to update it"
                        )
                        % {
                            "key": indicator.key,
                            "period": planned.period,
                            "old": plain(old_value) if old_value is not None else "",
                        },
                    )
                )
                continue
        preview.rows.append(planned)
    errors.sort(key=lambda error: error.row or 0)
    preview.errors = errors
    return preview


def _existing(*, indicator_ids: set[int]) -> dict[tuple[int, dt.date], tuple[Any, ...]]:
    found: dict[tuple[int, dt.date], tuple[Any, ...]] = {}
    ids = sorted(indicator_ids)
    for chunk in range(0, len(ids), 500):
        rows = Measurement.objects.filter(indicator_id__in=ids[chunk : chunk + 500]).values_list(
            "indicator_id", "period_start", "pk", "value", "note", "verified", "breakdown"
        )
        for indicator_id, start, *rest in rows:
            found[(indicator_id, start)] = tuple(rest)
    return found


# --- Writing --------------------------------------------------------------------------------------------------


@transaction.atomic
def import_measurement_file(
    *, plan: Plan, user: User, filename: str, data: bytes, replace: bool = False
) -> ImportPreview:
    """Write every new and changed value of the file, or nothing: any problem raises MeasurementImportRefused
    before the first write, and a failure during the writes rolls the whole transaction back. Unchanged rows are
    skipped, so the same file twice gives the same data. History rows name the person and the file."""
    _require(user, "performance.import_measurements")
    preview = _plan_rows(plan=plan, user=user, filename=filename, data=data, replace=replace)
    if preview.errors:
        raise MeasurementImportRefused(preview)
    reason = _("Imported from %(name)s") % {"name": filename[:200]}
    now = timezone.now()
    new = [
        Measurement(
            indicator=row.indicator,
            period_start=row.period_start,
            value=row.value,
            note=row.note,
            verified=row.verified,
            breakdown=row.breakdown,
            entered_by=user,
        )
        for row in preview.rows
        if row.kind == "new"
    ]
    if new:
        bulk_create_with_history(
            new, Measurement, batch_size=BATCH_SIZE, default_user=user, default_change_reason=reason
        )
    changed_rows = {row.existing_id: row for row in preview.rows if row.kind == "changed"}
    if changed_rows:
        current = Measurement.objects.in_bulk(list(changed_rows))
        updates = []
        for pk, row in changed_rows.items():
            measurement = current[pk]
            measurement.value = row.value
            measurement.note = row.note
            measurement.verified = row.verified
            measurement.breakdown = row.breakdown
            measurement.entered_by = user
            measurement.updated_at = now
            updates.append(measurement)
        bulk_update_with_history(
            updates,
            Measurement,
            ["value", "note", "verified", "breakdown", "entered_by", "updated_at"],
            batch_size=BATCH_SIZE,
            default_user=user,
            default_change_reason=reason,
        )
    if any(row.indicator.is_published for row in preview.rows if row.kind != "unchanged"):
        ContentGeneration.bump()
    return preview


# --- Held uploads ---------------------------------------------------------------------------------------------


def hold_measurement_file(*, user: User, filename: str, data: bytes) -> PendingImport:
    """Keep an upload for its preview page (plans.PendingImport, purpose "measurements")."""
    from civicplan.plans.services import hold_import

    _require(user, "performance.import_measurements")
    return hold_import(user=user, filename=filename, data=data, purpose=MEASUREMENTS_PURPOSE)


@transaction.atomic
def confirm_measurement_import(
    *, pending: PendingImport, plan: Plan, user: User, replace: bool
) -> ImportPreview | None:
    """Import a held upload once; a second confirmation of the same upload finds it gone and returns None.
    Raises MeasurementImportRefused (and keeps the upload) when the file has problems by now."""
    _require(user, "performance.import_measurements")
    held = (
        PendingImport.objects.select_for_update()
        .filter(pk=pending.pk, created_by=user, purpose=MEASUREMENTS_PURPOSE)
        .first()
    )
    if held is None:
        return None
    preview = import_measurement_file(
        plan=plan, user=user, filename=held.filename, data=bytes(held.content), replace=replace
    )
    held.delete()
    return preview

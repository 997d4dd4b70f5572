"""Measurement files out, in the columns the importer reads (docs/formats/measurements.md): export then import
gives back the same values. Text cells go through `safe_cell`, so a note starting with `=` never runs as a
formula, and the importer reads it back as written."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from civicplan.lib.periods import latest_due_period, period_key
from civicplan.lib.spreadsheets import safe_cell
from civicplan.performance.importers.measurements import BREAKDOWN_PREFIX, COLUMNS
from civicplan.performance.models import Indicator, Measurement
from civicplan.plans.models import Plan

__all__ = ["CONTENT_TYPES", "export_measurements", "measurement_columns", "measurement_template"]

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def number_text(value: Any) -> str:
    """`12.500000` -> `12.5`, `3.0` -> `3`: what a person would type."""
    if value is None or value == "":
        return ""
    text = format(Decimal(str(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def measurement_columns(indicators: Iterable[Indicator]) -> list[str]:
    categories: list[str] = []
    for indicator in indicators:
        for category in indicator.breakdown_categories or []:
            if str(category) not in categories:
                categories.append(str(category))
    return [*COLUMNS, *(f"{BREAKDOWN_PREFIX}{category}" for category in categories)]


def _rows(plan: Plan, indicators: list[Indicator], columns: list[str]) -> Iterator[list[Any]]:
    fy_month = plan.organization.fiscal_year_start_month
    by_id = {indicator.pk: indicator for indicator in indicators}
    measurements = (
        Measurement.objects.filter(indicator_id__in=list(by_id))
        .order_by("indicator__key", "period_start")
        .values_list("indicator_id", "period_start", "value", "note", "verified", "breakdown")
        .iterator(chunk_size=5000)
    )
    breakdown_columns = columns[len(COLUMNS) :]
    for indicator_id, start, value, note, verified, breakdown in measurements:
        indicator = by_id[indicator_id]
        breakdown = breakdown or {}
        yield [
            indicator.key,
            period_key(start, indicator.frequency, fy_month),
            number_text(value),
            note,
            "yes" if verified else "no",
            *(number_text(breakdown.get(c[len(BREAKDOWN_PREFIX) :])) for c in breakdown_columns),
        ]


def export_measurements(plan: Plan, fmt: str, *, indicators: Iterable[Indicator] | None = None) -> bytes:
    """Every value of the plan's indicators (drafts included: this is a staff file), one row per period."""
    chosen = list(indicators) if indicators is not None else list(_plan_indicators(plan))
    columns = measurement_columns(chosen)
    return _write(fmt, columns, _rows(plan, chosen, columns))


def measurement_template(plan: Plan, indicators: Iterable[Indicator], *, today: dt.date) -> bytes:
    """A CSV to fill in: one row per indicator for its latest due period, value left empty."""
    chosen = [i for i in indicators if not i.is_archived]
    columns = measurement_columns(chosen)
    fy_month = plan.organization.fiscal_year_start_month
    rows = [
        [
            indicator.key,
            period_key(
                latest_due_period(today, indicator.frequency, indicator.reporting_lag_days, fy_month),
                indicator.frequency,
                fy_month,
            ),
            "",
            "",
            "no",
            *([""] * (len(columns) - len(COLUMNS))),
        ]
        for indicator in chosen
    ]
    return _write("csv", columns, iter(rows))


def _plan_indicators(plan: Plan) -> Iterable[Indicator]:
    return Indicator.objects.filter(plan=plan).order_by("key")


def _numeric(columns: list[str]) -> set[int]:
    return {i for i, name in enumerate(columns) if name == "value" or name.startswith(BREAKDOWN_PREFIX)}


def _write(fmt: str, columns: list[str], rows: Iterator[list[Any]]) -> bytes:
    # Numbers (a minus sign included) are not formulas: only text cells go through safe_cell.
    numeric = _numeric(columns)
    if fmt == "csv":
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([cell if i in numeric else safe_cell(cell) for i, cell in enumerate(row)])
        return out.getvalue().encode("utf-8")
    if fmt == "xlsx":
        import openpyxl

        workbook = openpyxl.Workbook(write_only=True)
        sheet = workbook.create_sheet("Measurements")
        sheet.append(columns)
        for row in rows:
            sheet.append([_number(cell) if i in numeric else safe_cell(cell) for i, cell in enumerate(row)])
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
    raise ValueError(f"unknown format {fmt!r}")


def _number(text: str) -> Any:
    """A number cell in a workbook; kept as text when a float would lose digits (Excel keeps 15)."""
    if not text:
        return None
    number = Decimal(text)
    if number == number.to_integral_value() and abs(number) < 2**53:
        return int(number)
    as_float = float(number)
    return as_float if Decimal(repr(as_float)) == number else text

"""Survey results as files: the tabulation, never raw answers. Text cells go through `safe_cell`, so an answer
starting with `=` never runs as a formula; counts, percentages and means stay numbers."""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from typing import Any

from django.http import HttpResponse
from django.utils import translation

from civicplan.engagement import results_view
from civicplan.engagement.tabulation import results_document
from civicplan.lib.spreadsheets import safe_cell

NUMERIC_COLUMNS = frozenset({"count", "percent", "mean", "share", "n"})
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _number(text: str) -> Any:
    if text == "":
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return safe_cell(text)
    return int(number) if number == number.to_integral_value() else float(number)


def write_rows(rows: list[list[str]], fmt: str, sheet: str = "Results") -> bytes:
    header, body = rows[0], rows[1:]
    numeric = {i for i, name in enumerate(header) if name in NUMERIC_COLUMNS}
    if fmt == "csv":
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header)
        for row in body:
            writer.writerow([cell if i in numeric else safe_cell(cell) for i, cell in enumerate(row)])
        return ("\ufeff" + out.getvalue()).encode("utf-8")  # a BOM: Excel then reads the accents right
    import openpyxl

    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet[:31]
    worksheet.append(header)
    for row in body:
        worksheet.append([_number(cell) if i in numeric else safe_cell(cell) for i, cell in enumerate(row)])
    worksheet.freeze_panes = "A2"
    worksheet.auto_filter.ref = worksheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def spreadsheet_response(rows: list[list[str]], name: str, fmt: str, sheet: str = "Results") -> HttpResponse:
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else XLSX_TYPE
    response = HttpResponse(write_rows(rows, fmt, sheet), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def public_results_document(survey: Any, language: str) -> dict[str, Any]:
    """A published survey's results as the public page shows them (questions staff chose to publish), as
    JSON-ready data: the open data API serves this."""
    with translation.override(language):
        shown = results_view.survey_results(survey, {}, public=True, language=language)
    return {
        "survey": survey.slug,
        "title": survey.localized("title", language),
        "responses": shown.n,
        **results_document([item.result for item in shown.shown]),
    }

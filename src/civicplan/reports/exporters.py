"""A report in each format: the HTML page body, the print HTML, a tagged PDF (WeasyPrint, PDF/UA-1) and an XLSX
workbook (openpyxl). All start from one `report_data.Report`, so every format shows the same figures, and each
renders inside `translation.override(report.language)`: the reader's language, whatever the request's."""

from __future__ import annotations

import io
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils import formats, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from civicplan.lib.charts import Bar, bar_chart
from civicplan.lib.money import format_money, format_money_short
from civicplan.lib.spreadsheets import xlsx_cell
from civicplan.reports.report_data import Report

Progress = Callable[[int], None]
CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(CONTENT_TYPES)
STATIC_DIR = Path(__file__).resolve().parent / "static"


def filename(report: Report, fmt: str) -> str:
    return f"{report.kind}-{report.period.key}-{report.language}.{fmt}"


def _number(value: Decimal | int | float | None) -> str:
    if value is None:
        return "–"
    return formats.number_format(value, use_l10n=True, force_grouping=True)


# --- Charts (server-rendered SVG; the page and the PDF show a table of the same figures) ---------------------------


def charts(report: Report) -> dict[str, SafeString]:
    """The report's charts, each with the figures of a table next to it. lib.charts escapes every text it draws."""
    found: dict[str, SafeString] = {}
    if report.status_total is not None:
        bars = [
            Bar(column.name, count, column.color)
            for column, count in zip(report.statuses, report.status_total.counts, strict=True)
        ]
        found["status"] = mark_safe(
            bar_chart(
                chart_id="report-actions-by-status",
                title=_("Actions by status"),
                description="; ".join(f"{bar.label}: {int(bar.value)}" for bar in bars),
                bars=bars,
                value_text=lambda v: _number(int(v)),
            )
        )
    if report.budget is not None:
        bars = [Bar(f"{row.code} {row.title}", float(row.amount)) for row in report.budget.priorities]
        found["budget"] = mark_safe(
            bar_chart(
                chart_id="report-budget-by-priority",
                title=_("Adopted budget by priority, %(year)s") % {"year": report.budget.fiscal_year_label},
                description="; ".join(f"{bar.label}: {format_money(bar.value)}" for bar in bars),
                bars=bars,
                value_text=format_money_short,
            )
        )
    return found


def context(report: Report) -> dict[str, Any]:
    return {"report": report, "charts": charts(report), "sections": report.sections}


def render_print_html(report: Report) -> str:
    """The whole print document (`<html lang>`, a title, the print stylesheet inline): the PDF's source."""
    with translation.override(report.language):
        return render_to_string("reports/print/report.html", context(report))


# --- PDF ----------------------------------------------------------------------------------------------------------


def _local_fetcher() -> Any:
    """A WeasyPrint URL fetcher that serves only files under this module's static folder: a report never reaches
    the network (a link or an image pointing elsewhere is left out, not fetched)."""
    from weasyprint.urls import URLFetcher

    root = STATIC_DIR.resolve()

    class LocalOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("file:"):
                from urllib.parse import unquote, urlparse

                path = Path(unquote(urlparse(url).path)).resolve()
                if path.is_relative_to(root) and path.is_file():
                    return super().fetch(url, headers)
            raise ValueError(f"Reports fetch only their own static files, not {url}")

    return LocalOnly(allowed_protocols=["file"], allow_redirects=False)


def write_pdf(report: Report, *, progress: Progress | None = None) -> tuple[bytes, int]:
    """A tagged PDF (PDF/UA-1: structure tree, language, title) and its page count. `progress` hears 10..95."""
    from weasyprint import HTML

    step = progress or (lambda _value: None)
    source = render_print_html(report)
    step(30)
    document = HTML(string=source, base_url=STATIC_DIR.as_uri() + "/", url_fetcher=_local_fetcher()).render(
        pdf_variant="pdf/ua-1"
    )
    step(80)
    data = document.write_pdf(pdf_variant="pdf/ua-1")
    step(95)
    return data, len(document.pages)


# --- XLSX ---------------------------------------------------------------------------------------------------------

_SHEET_FORBIDDEN = str.maketrans({ch: " " for ch in "[]:*?/\\"})


def _sheet_title(text: str, used: set[str]) -> str:
    title = text.translate(_SHEET_FORBIDDEN).strip()[:31] or "Sheet"
    base, n = title, 2
    while title.lower() in used:
        suffix = f" {n}"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title


def write_xlsx(report: Report) -> bytes:
    """One sheet per section with a bold, frozen header row and an autofilter. Every text goes through
    `safe_cell` (a title such as `=HYPERLINK(...)` stays text); counts, shares, values and money stay numbers."""
    import openpyxl
    from openpyxl.styles import Font

    with translation.override(report.language):
        workbook = openpyxl.Workbook()
        used: set[str] = set()
        first = True

        def sheet(
            title: str, header: list[str], rows: list[list[Any]], formats: dict[int, str] | None = None
        ) -> None:
            nonlocal first
            ws = workbook.active if first else workbook.create_sheet()
            first = False
            assert ws is not None
            ws.title = _sheet_title(title, used)
            ws.append([xlsx_cell(name) for name in header])
            for cell in ws[1]:
                cell.font = Font(bold=True)
            for row in rows:
                ws.append([xlsx_cell(value) for value in row])
            for column, number_format in (formats or {}).items():
                for (cell,) in ws.iter_rows(min_row=2, min_col=column, max_col=column):
                    cell.number_format = number_format
            ws.freeze_panes = "A2"
            ws.auto_filter.ref = ws.dimensions
            for column_cells in ws.columns:
                width = max(len(str(c.value or "")) for c in column_cells[:200])
                ws.column_dimensions[column_cells[0].column_letter].width = min(60, max(10, width + 2))

        sheet(
            _("Report"),
            [_("Field"), _("Value")],
            [
                [_("Report"), report.kind_label],
                [_("Period"), report.period.label],
                [_("Period key"), report.period.key],
                [_("Plan"), report.plan_title],
                [_("Organization"), report.organization],
                [_("Version"), report.version_label],
                [_("Language"), report.language],
                [_("Generated on"), report.generated_on],
            ],
            {2: "yyyy-mm-dd"},
        )
        if "status" in report.sections:
            header = [_("Level"), _("Code"), _("Title"), _("Actions"), _("Complete")]
            for column in report.statuses:
                header += [column.name, _("%(status)s (%%)") % {"status": column.name}]
            rows = []
            every = [*report.status_rows, *([report.status_total] if report.status_total else [])]
            for row in every:
                values: list[Any] = [_level_name(row.level), row.code, row.title, row.total, row.complete]
                for count, part in row.cells:
                    values += [count, float(part) if part is not None else None]
                rows.append(values)
            share_columns = {6 + 2 * i + 1: "0.0" for i in range(len(report.statuses))}
            sheet(_("Actions by status"), header, rows, share_columns)
        if "indicators" in report.sections:
            sheet(
                _("Indicators"),
                [
                    _("Key"),
                    _("Indicator"),
                    _("Unit"),
                    _("Plan elements"),
                    _("Latest value"),
                    _("Period"),
                    _("Target"),
                    _("Status"),
                ],
                [
                    [
                        line.key,
                        line.name,
                        line.unit,
                        line.items,
                        line.value,
                        line.period_text,
                        line.target,
                        line.status_label,
                    ]
                    for line in report.indicators
                ],
            )
        if "highlights" in report.sections:
            sheet(
                _("Highlights"),
                [_("Code"), _("Action"), _("Period"), _("Status"), _("Progress (%)"), _("What happened")],
                [[h.code, h.title, h.period, h.status, h.progress, h.narrative] for h in report.highlights],
            )
        if "completed" in report.sections:
            sheet(
                _("Completed actions"),
                [_("Code"), _("Action"), _("Department"), _("Status"), _("Completed on")],
                [[a.code, a.title, a.department, a.status, a.completed_on] for a in report.completed],
                {5: "yyyy-mm-dd"},
            )
        if "milestones" in report.sections:
            sheet(
                _("Milestones done"),
                [_("Code"), _("Action"), _("Milestone"), _("Done on")],
                [[m.code, m.action, m.title, m.done_on] for m in report.milestones],
                {4: "yyyy-mm-dd"},
            )
        if report.budget is not None:
            budget = report.budget
            rows = [[_level_name(r.level), r.code, r.title, r.amount, r.share] for r in budget.rows]
            rows += [
                ["", "", _("Not yet in the adopted plan"), budget.not_adopted, None],
                ["", "", _("Not linked to a plan priority"), budget.unlinked, None],
                ["", "", _("Total adopted budget"), budget.total, Decimal(100) if budget.total else None],
            ]
            sheet(
                _("Budget"),
                [_("Level"), _("Code"), _("Title"), _("Adopted amount"), _("Share of total (%)")],
                rows,
                {4: "#,##0.00", 5: "0.0"},
            )
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()


def _level_name(level: str) -> str:
    return {"priority": _("Priority"), "goal": _("Goal"), "plan": _("Whole plan")}.get(level, level)

"""Plan files out: the same document as YAML, JSON or an outline workbook (docs/formats/plan.md)."""

from __future__ import annotations

import io
import json
from typing import Any

import yaml

from civicplan.lib.spreadsheets import xlsx_cell
from civicplan.plans.importers.formats import ITEM_COLUMNS
from civicplan.plans.models import Plan
from civicplan.plans.selectors import iter_document_items, plan_document

CONTENT_TYPES = {
    "yaml": "application/yaml; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_plan(plan: Plan, fmt: str) -> bytes:
    document = plan_document(plan)
    if fmt == "json":
        return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    if fmt == "yaml":
        return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=110).encode("utf-8")
    if fmt == "xlsx":
        return document_to_xlsx(document)
    raise ValueError(f"unknown format {fmt!r}")


def document_to_xlsx(document: dict[str, Any]) -> bytes:
    import openpyxl
    from openpyxl.styles import Font

    workbook = openpyxl.Workbook()
    plan = document["plan"]

    def sheet(title: str, header: list[str], rows: list[list[Any]], first: bool = False) -> None:
        ws = workbook.active if first else workbook.create_sheet()
        assert ws is not None
        ws.title = title
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append([xlsx_cell(value) for value in row])
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions

    sheet(
        "Plan",
        ["field", "en", "es"],
        [
            ["title", plan["title"]["en"], plan["title"]["es"]],
            ["start_fiscal_year", plan["start_fiscal_year"], None],
            ["years", plan["years"], None],
            ["mission", plan["mission"]["en"], plan["mission"]["es"]],
            ["vision", plan["vision"]["en"], plan["vision"]["es"]],
        ],
        first=True,
    )
    rows = []
    for level, item, parent in iter_document_items(document):
        title, description = item.get("title", {}), item.get("description", {})
        rows.append(
            [
                level,
                item["code"],
                parent["code"] if parent else None,
                title.get("en"),
                title.get("es"),
                description.get("en"),
                description.get("es"),
                item.get("department"),
                item.get("lead"),
                item.get("start_date"),
                item.get("due_date"),
                item.get("status"),
                item.get("progress"),
                item.get("weight"),
            ]
        )
    sheet("Items", list(ITEM_COLUMNS), rows)
    sheet(
        "Values",
        ["name_en", "name_es", "description_en", "description_es"],
        [
            [v["name"]["en"], v["name"]["es"], v["description"]["en"], v["description"]["es"]]
            for v in plan["values"]
        ],
    )
    sheet(
        "Statuses",
        ["key", "name_en", "name_es", "color", "default_progress", "counts_as_complete", "counts_in_rollup"],
        [
            [
                s["key"],
                s["name"]["en"],
                s["name"]["es"],
                s["color"],
                s["default_progress"],
                "yes" if s["counts_as_complete"] else "no",
                "yes" if s["counts_in_rollup"] else "no",
            ]
            for s in plan["statuses"]
        ],
    )
    sheet(
        "Departments",
        ["code", "name_en", "name_es"],
        [[d["code"], d["name"]["en"], d["name"]["es"]] for d in document["departments"]],
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()

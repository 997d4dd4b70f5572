"""File bytes -> raw plan document, one reader per format. The shared validator checks the content."""

from __future__ import annotations

import json
from typing import Any

import yaml
from django.conf import settings
from django.utils.translation import gettext as _

from civicplan.lib.spreadsheets import (
    TooManyRows,
    UnreadableFile,
    UnsafeWorkbook,
    decode_text,
    open_workbook,
    sheet_records,
)
from civicplan.plans.importers.document import PlanFileInvalid, Problem
from civicplan.plans.importers.stratml import looks_like_stratml, read_stratml
from civicplan.plans.models import ITEM_CONTENT_FIELDS

FORMATS = ("yaml", "json", "xlsx", "stratml")
# Far above any real plan (a metro-scale plan is ~200,000 YAML events, ~5,000 rows, 12 levels deep), far below
# what would take the server more than a few seconds or a few hundred MB to refuse.
MAX_YAML_EVENTS = 500_000
MAX_NESTING = 64
MAX_SHEET_ROWS = 50_000
MAX_SHEET_COLUMNS = 64


def _fail(message: str) -> PlanFileInvalid:
    return PlanFileInvalid([Problem("", message)])


def _too_big() -> PlanFileInvalid:
    return _fail(_("The file is far bigger or more deeply nested than any plan; it was refused as unsafe."))


def _megabytes(size: int) -> str:
    return format(size / 1048576, ".3g")  # 20 MB -> "20", 5.5 MB -> "5.5", 1 KB -> "0.000977"


def detect_format(filename: str, data: bytes) -> str:
    name = filename.lower()
    if name.endswith(".xlsx") or data.startswith(b"PK\x03\x04"):
        return "xlsx"
    if name.endswith(".json") or data.lstrip()[:1] in (b"{", b"["):
        return "json"
    if name.endswith((".yaml", ".yml")):
        return "yaml"
    if looks_like_stratml(filename, data):
        return "stratml"
    if name.endswith(".xls"):
        raise _fail(_("Old .xls workbooks are not supported: save the file as .xlsx and try again."))
    return "yaml"


def read_plan_file(filename: str, data: bytes) -> dict[str, Any]:
    """Parse a plan file into a raw document. Raises PlanFileInvalid with a plain-language message."""
    return read_plan_upload(filename, data)[0]


def read_plan_upload(
    filename: str, data: bytes, *, lang: str | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Parse a plan file into a raw document and the extra data it carries for other modules (StratML Part 2
    indicators, see core.registry.PlanImportExtra; {} for other formats). `lang` is the language of a StratML
    file's texts (StratML texts are single-language; other formats name their languages)."""
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise _fail(
            _("The file is too large (%(size)s MB; the limit is %(limit)s MB).")
            % {"size": _megabytes(len(data)), "limit": _megabytes(settings.IMPORT_MAX_BYTES)}
        )
    if not data.strip():
        raise _fail(_("The file is empty."))
    kind = detect_format(filename, data)
    if kind == "xlsx":
        return _read_xlsx(data), {}
    if kind == "stratml":
        parsed = read_stratml(data, lang)
        return parsed.document, parsed.extras()
    text = _decode(data)
    if kind == "json":
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as error:
            raise _fail(
                _("The JSON is malformed at line %(line)s, column %(col)s: %(msg)s")
                % {"line": error.lineno, "col": error.colno, "msg": error.msg}
            ) from None
        except RecursionError:  # [[[[... thousands deep
            raise _too_big() from None
    else:
        raw = _load_yaml(text)
    if not isinstance(raw, dict):
        raise _fail(_("The file does not contain a plan document."))
    return raw, {}


def _decode(data: bytes) -> str:
    try:
        return decode_text(data)
    except UnreadableFile as error:
        raise _fail(str(error)) from None


# libyaml's parser when it is installed: the pure-Python one needs ~15 s and ~180 MB per MB of YAML.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _check_yaml_events(text: str) -> None:
    """One streaming pass before anything is built. Aliases let a few lines expand into gigabytes ("billion
    laughs") and a plan never needs them; size and depth are bounded so that a hostile file is refused fast."""
    depth = count = 0
    for event in yaml.parse(text, Loader=_YAML_LOADER):
        if isinstance(event, yaml.AliasEvent):
            raise yaml.MarkedYAMLError(
                None, None, "aliases (*name) are not allowed in plan files", event.start_mark
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_NESTING:
                raise _too_big()
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        count += 1
        if count > MAX_YAML_EVENTS:
            raise _too_big()


# Dates stay as yaml gives them (date objects) and are re-checked by the validator.
def _load_yaml(text: str) -> Any:
    try:
        _check_yaml_events(text)
        return yaml.load(text, Loader=_YAML_LOADER)  # noqa: S506 - SafeLoader or CSafeLoader
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = (
            _("line %(line)s, column %(col)s") % {"line": mark.line + 1, "col": mark.column + 1}
            if mark
            else ""
        )
        raise _fail(
            _("The YAML is malformed at %(where)s: %(problem)s")
            % {"where": where, "problem": error.problem or error.context}
        ) from None
    except yaml.YAMLError as error:
        raise _fail(_("The YAML is malformed: %(error)s") % {"error": error}) from None


# --- Workbooks ------------------------------------------------------------------------------------------------

# One row per item: where it sits, then the fields staff edit (department as its code, status as its key).
ITEM_COLUMNS = ("level", "code", "parent_code", *ITEM_CONTENT_FIELDS)
LEVEL_CHILDREN = {"priority": "goals", "goal": "strategies", "strategy": "actions"}
LEVEL_PARENT = {"goal": "priority", "strategy": "goal", "action": "strategy"}


def _read_xlsx(data: bytes) -> dict[str, Any]:
    try:
        workbook = open_workbook(data)
    except (UnsafeWorkbook, UnreadableFile) as error:
        raise _fail(str(error)) from None
    try:
        sheets = {name.strip().lower(): workbook[name] for name in workbook.sheetnames}
        for required in ("plan", "items"):
            if required not in sheets:
                raise _fail(_("The workbook has no sheet named %(name)s.") % {"name": required.title()})
        return _workbook_document(sheets)
    except PlanFileInvalid:
        raise
    except Exception:  # read-only sheets are parsed row by row, so broken XML shows up only here
        raise _fail(_("The workbook could not be read; it may be damaged or not an .xlsx file.")) from None
    finally:
        workbook.close()


def _rows(sheet: Any) -> list[tuple[int, dict[str, Any]]]:
    try:
        return sheet_records(sheet, max_rows=MAX_SHEET_ROWS, max_columns=MAX_SHEET_COLUMNS)[1]
    except TooManyRows:
        raise _too_big() from None


def _pair(record: dict[str, Any], field: str) -> dict[str, Any]:
    return {"en": record.get(f"{field}_en"), "es": record.get(f"{field}_es")}


def _workbook_document(sheets: dict[str, Any]) -> dict[str, Any]:
    problems: list[Problem] = []
    plan: dict[str, Any] = {}
    for number, record in _rows(sheets["plan"]):
        field = str(record.get("field") or "").strip().lower()
        if field in {"title", "mission", "vision"}:
            plan[field] = {"en": record.get("en"), "es": record.get("es")}
        elif field in {"start_fiscal_year", "years"}:
            plan[field] = record.get("en")
        elif field:
            problems.append(
                Problem(
                    _("Plan sheet, row %(row)s") % {"row": number},
                    _("unknown field %(field)s") % {"field": field},
                )
            )
    if "values" in sheets:
        plan["values"] = [
            {"_row": n, "name": _pair(r, "name"), "description": _pair(r, "description")}
            for n, r in _rows(sheets["values"])
        ]
    if "statuses" in sheets:
        plan["statuses"] = [
            {
                "_row": n,
                "key": r.get("key"),
                "name": _pair(r, "name"),
                "color": r.get("color"),
                "default_progress": r.get("default_progress"),
                "counts_as_complete": r.get("counts_as_complete"),
                "counts_in_rollup": r.get("counts_in_rollup"),
            }
            for n, r in _rows(sheets["statuses"])
        ]
    document: dict[str, Any] = {"schema": "civicplan.plan/1", "plan": plan}
    if "departments" in sheets:
        document["departments"] = [
            {"_row": n, "code": r.get("code"), "name": _pair(r, "name")}
            for n, r in _rows(sheets["departments"])
        ]
    plan["priorities"] = _item_tree(_rows(sheets["items"]), problems)
    if problems:
        raise PlanFileInvalid(problems)
    return document


def _code_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _item_tree(rows: list[tuple[int, dict[str, Any]]], problems: list[Problem]) -> list[dict[str, Any]]:
    priorities: list[dict[str, Any]] = []
    by_code: dict[str, tuple[str, dict[str, Any]]] = {}
    for number, record in rows:
        where = _("row %(row)s") % {"row": number}
        level = str(record.get("level") or "").strip().lower()
        code = _code_text(record.get("code"))
        parent_code = _code_text(record.get("parent_code"))
        if level not in ("priority", "goal", "strategy", "action"):
            problems.append(
                Problem(
                    where,
                    _("level %(level)r is not priority, goal, strategy or action")
                    % {"level": record.get("level")},
                )
            )
            continue
        if not code:
            problems.append(Problem(where, _("the code is missing")))
            continue
        if code in by_code:
            problems.append(Problem(where, _("code %(code)s is used twice") % {"code": code}))
            continue
        item = {
            "_row": number,
            "code": code,
            "title": _pair(record, "title"),
            "description": _pair(record, "description"),
            **{
                key: record.get(key)
                for key in ("department", "lead", "start_date", "due_date", "status", "progress", "weight")
            },
        }
        by_code[code] = (level, item)
        if level == "priority":
            if parent_code:
                problems.append(Problem(where, _("a priority has no parent code")))
            priorities.append(item)
            continue
        parent = by_code.get(parent_code)
        if parent is None:
            problems.append(
                Problem(
                    where,
                    _("unknown parent code %(code)r (a parent must come before its children)")
                    % {"code": parent_code},
                )
            )
            continue
        parent_level, parent_item = parent
        if parent_level != LEVEL_PARENT[level]:
            problems.append(
                Problem(
                    where,
                    _("a %(level)s cannot sit under a %(parent)s") % {"level": level, "parent": parent_level},
                )
            )
            continue
        parent_item.setdefault(LEVEL_CHILDREN[parent_level], []).append(item)
    return priorities

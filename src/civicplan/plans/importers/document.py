"""Validate a raw plan document (from YAML, JSON or a workbook) into a clean one.

Every problem is collected (not just the first) with where it is, so a person can fix the file in one go."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from civicplan.plans.defaults import DEFAULT_STATUS_KEYS

SCHEMA = "civicplan.plan/1"
LEVEL_KEYS = {"priority": "goals", "goal": "strategies", "strategy": "actions", "action": None}
LEVEL_OF_KEY = {"priorities": "priority", "goals": "goal", "strategies": "strategy", "actions": "action"}
ITEM_FIELDS = {
    "code",
    "title",
    "description",
    "department",
    "lead",
    "start_date",
    "due_date",
    "status",
    "progress",
    "weight",
    "_row",
}
CODE_PART = re.compile(r"^[A-Za-z0-9]+$")
DEPARTMENT_CODE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")
STATUS_KEY = re.compile(r"^[a-z0-9-]{1,40}$")
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_CODE_LENGTH = 40  # PlanItem.code
MAX_WEIGHT = 99999  # PlanItem.weight holds 7 digits, 2 of them decimals


@dataclass(frozen=True)
class Problem:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class PlanFileInvalid(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems[:5]))
        self.problems = problems


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, where: str, message: str) -> None:
        self.problems.append(Problem(where, message))


def _where(path: str, node: Any) -> str:
    row = node.get("_row") if isinstance(node, dict) else None
    return _("row %(row)s") % {"row": row} if row else path


def _text(value: Any, path: str, problems: _Collector, *, required_en: bool = False, limit: int = 0) -> dict:
    if value is None:
        value = {}
    if isinstance(value, str):
        value = {"en": value}
    if not isinstance(value, dict):
        problems.add(path, _("expected a text or a mapping {en: ..., es: ...}"))
        return {"en": "", "es": ""}
    unknown = set(value) - {"en", "es"}
    if unknown:
        problems.add(
            path, _("unknown language(s): %(keys)s") % {"keys": ", ".join(sorted(map(str, unknown)))}
        )
    clean = {}
    for lang in ("en", "es"):
        raw = value.get(lang)
        text = "" if raw is None else str(raw).strip()
        if limit and len(text) > limit:
            problems.add(f"{path}.{lang}", _("longer than %(limit)s characters") % {"limit": limit})
        _check_nul(text, f"{path}.{lang}", problems)
        clean[lang] = text
    if required_en and not clean["en"]:
        problems.add(path, _("the English text is missing"))
    return clean


def _check_nul(text: str, where: str, problems: _Collector) -> None:
    # JSON's \u0000 and YAML's "\0" get past the NUL-byte check on the file; PostgreSQL cannot store them.
    if "\x00" in text:
        problems.add(where, _("The file contains NUL bytes: it is not a text file."))


def _date(value: Any, where: str, problems: _Collector) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        problems.add(where, _("%(value)r is not a date (use YYYY-MM-DD)") % {"value": value})
        return None


def _decimal(value: Any, where: str, problems: _Collector, low: int, high: int | None) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().rstrip("%"))
    except InvalidOperation:
        problems.add(where, _("%(value)r is not a number") % {"value": value})
        return None
    if not number.is_finite() or number < low or (high is not None and number > high):
        if high is None:
            problems.add(where, _("%(value)s must be %(low)s or more") % {"value": value, "low": low})
        else:
            problems.add(
                where,
                _("%(value)s must be between %(low)s and %(high)s")
                % {"value": value, "low": low, "high": high},
            )
        return None
    return number


def _int(
    value: Any, where: str, problems: _Collector, low: int, high: int, default: int | None = None
) -> int | None:
    if value in (None, ""):
        return default
    try:
        number = Decimal(str(value).strip())
        if not number.is_finite() or number != number.to_integral_value():
            raise InvalidOperation
    except InvalidOperation:
        problems.add(where, _("%(value)r is not a whole number") % {"value": value})
        return default
    # Compared as a Decimal: int() of "1e9999999" would take the server minutes.
    if not low <= number <= high:
        problems.add(
            where,
            _("%(value)s must be between %(low)s and %(high)s") % {"value": value, "low": low, "high": high},
        )
        return default
    return int(number)


def _bool(value: Any, where: str, problems: _Collector, default: bool) -> bool:
    if value in (None, ""):
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "yes", "1", "y"}:
        return True
    if text in {"false", "no", "0", "n"}:
        return False
    problems.add(where, _("%(value)r is not yes/no") % {"value": value})
    return default


def _mapping(value: Any, where: str, problems: _Collector, allowed: set[str]) -> dict:
    if not isinstance(value, dict):
        problems.add(where, _("expected a mapping of fields"))
        return {}
    unknown = {str(k) for k in value} - allowed
    if unknown:
        problems.add(where, _("unknown field(s): %(keys)s") % {"keys": ", ".join(sorted(unknown))})
    return value


def validate_document(raw: Any, *, known_departments: set[str] | None = None) -> dict:
    """Return the clean document or raise PlanFileInvalid listing every problem."""
    problems = _Collector()
    if not isinstance(raw, dict):
        raise PlanFileInvalid([Problem("", _("The file does not contain a plan document."))])
    raw = _mapping(raw, "", problems, {"schema", "departments", "plan"})
    schema = raw.get("schema")
    if schema != SCHEMA:
        problems.add(
            "schema", _("expected %(expected)r, found %(found)r") % {"expected": SCHEMA, "found": schema}
        )

    departments = _departments(raw.get("departments") or [], problems)
    department_codes = {d["code"] for d in departments} | set(known_departments or ())

    plan_raw = raw.get("plan")
    if plan_raw is None:
        problems.add("plan", _("the plan is missing"))
        raise PlanFileInvalid(problems.problems)
    plan_raw = _mapping(
        plan_raw,
        "plan",
        problems,
        {"title", "start_fiscal_year", "years", "mission", "vision", "values", "statuses", "priorities"},
    )
    plan = {
        "title": _text(plan_raw.get("title"), "plan.title", problems, required_en=True, limit=200),
        "start_fiscal_year": _int(
            plan_raw.get("start_fiscal_year"), "plan.start_fiscal_year", problems, 1900, 2200
        ),
        "years": _int(plan_raw.get("years"), "plan.years", problems, 1, 20, default=5),
        "mission": _text(plan_raw.get("mission"), "plan.mission", problems),
        "vision": _text(plan_raw.get("vision"), "plan.vision", problems),
        "values": _values(plan_raw.get("values") or [], problems),
        "statuses": _statuses(plan_raw.get("statuses"), problems),
    }
    if plan_raw.get("start_fiscal_year") in (None, ""):
        problems.add("plan.start_fiscal_year", _("the first fiscal year is missing"))

    status_keys = (
        {s["key"] for s in plan["statuses"]} if plan["statuses"] is not None else set(DEFAULT_STATUS_KEYS)
    )
    context = _TreeContext(problems, department_codes, status_keys)
    plan["priorities"] = context.items(plan_raw.get("priorities"), "priorities", "priority", parent_code="")
    if not plan["priorities"] and not problems.problems:
        problems.add("plan.priorities", _("the plan has no priorities"))
    if problems.problems:
        raise PlanFileInvalid(problems.problems)
    return {"schema": SCHEMA, "departments": departments, "plan": plan}


def _departments(raw: Any, problems: _Collector) -> list[dict]:
    if not isinstance(raw, list):
        problems.add("departments", _("expected a list"))
        return []
    seen: set[str] = set()
    clean = []
    for index, entry in enumerate(raw):
        path = _where(f"departments[{index}]", entry)
        entry = _mapping(entry, path, problems, {"code", "name", "_row"})
        code = str(entry.get("code") or "").strip()
        if not DEPARTMENT_CODE.match(code):
            problems.add(
                path, _("department code %(code)r must be 1-20 letters, digits, - or _") % {"code": code}
            )
        elif code in seen:
            problems.add(path, _("department code %(code)s appears twice") % {"code": code})
        seen.add(code)
        clean.append(
            {
                "code": code,
                "name": _text(entry.get("name"), f"{path}.name", problems, required_en=True, limit=200),
            }
        )
    return clean


def _values(raw: Any, problems: _Collector) -> list[dict]:
    if not isinstance(raw, list):
        problems.add("plan.values", _("expected a list"))
        return []
    clean = []
    for index, entry in enumerate(raw):
        path = _where(f"plan.values[{index}]", entry)
        entry = _mapping(entry, path, problems, {"name", "description", "_row"})
        clean.append(
            {
                "name": _text(entry.get("name"), f"{path}.name", problems, required_en=True, limit=120),
                "description": _text(entry.get("description"), f"{path}.description", problems),
            }
        )
    return clean


def _statuses(raw: Any, problems: _Collector) -> list[dict] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not raw:
        problems.add("plan.statuses", _("expected a non-empty list"))
        return None
    seen: set[str] = set()
    clean = []
    for index, entry in enumerate(raw):
        path = _where(f"plan.statuses[{index}]", entry)
        entry = _mapping(
            entry,
            path,
            problems,
            {"key", "name", "color", "default_progress", "counts_as_complete", "counts_in_rollup", "_row"},
        )
        key = str(entry.get("key") or "").strip()
        if not STATUS_KEY.match(key):
            problems.add(
                path, _("status key %(key)r must be lower-case letters, digits and -") % {"key": key}
            )
        elif key in seen:
            problems.add(path, _("status key %(key)s appears twice") % {"key": key})
        seen.add(key)
        color = str(entry.get("color") or "#565c65").strip()
        if not COLOR.match(color):
            problems.add(path, _("colour %(color)r is not a hex colour like #00a91c") % {"color": color})
        default_progress = _decimal(
            entry.get("default_progress"), f"{path}.default_progress", problems, 0, 100
        )
        clean.append(
            {
                "key": key,
                "name": _text(entry.get("name"), f"{path}.name", problems, required_en=True, limit=80),
                "color": color,
                "default_progress": None if default_progress is None else int(default_progress),
                "counts_as_complete": _bool(entry.get("counts_as_complete"), path, problems, False),
                "counts_in_rollup": _bool(entry.get("counts_in_rollup"), path, problems, True),
            }
        )
    return clean


class _TreeContext:
    def __init__(self, problems: _Collector, departments: set[str], statuses: set[str]) -> None:
        self.problems = problems
        self.departments = departments
        self.statuses = statuses
        self.codes: dict[str, str] = {}

    def items(self, raw: Any, path: str, level: str, parent_code: str) -> list[dict]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.problems.add(path, _("expected a list"))
            return []
        return [self.item(entry, f"{path}[{i}]", level, parent_code, i + 1) for i, entry in enumerate(raw)]

    def item(self, raw: Any, path: str, level: str, parent_code: str, position: int) -> dict:
        children_key = LEVEL_KEYS[level]
        where = _where(path, raw)
        raw = _mapping(raw, where, self.problems, ITEM_FIELDS | ({children_key} if children_key else set()))
        code = self._code(raw.get("code"), where, parent_code, position)
        item: dict[str, Any] = {
            "level": level,
            "code": code,
            "title": _text(raw.get("title"), f"{where}.title", self.problems, required_en=True, limit=300),
            "description": _text(raw.get("description"), f"{where}.description", self.problems),
            "department": self._department(raw.get("department"), where),
            "lead": self._lead(raw.get("lead"), where),
            "start_date": _date(raw.get("start_date"), f"{where}.start_date", self.problems),
            "due_date": _date(raw.get("due_date"), f"{where}.due_date", self.problems),
            "status": self._status(raw.get("status"), where),
            "progress": _decimal(raw.get("progress"), f"{where}.progress", self.problems, 0, 100),
            "weight": _decimal(raw.get("weight"), f"{where}.weight", self.problems, 0, MAX_WEIGHT),
        }
        if item["start_date"] and item["due_date"] and item["due_date"] < item["start_date"]:
            self.problems.add(where, _("the due date is before the start date"))
        if children_key:
            item[children_key] = self.items(
                raw.get(children_key), f"{path}.{children_key}", _child(level), code
            )
        return item

    def _code(self, raw: Any, where: str, parent_code: str, position: int) -> str:
        prefix = f"{parent_code}." if parent_code else ""
        code = prefix + str(position) if raw in (None, "") else str(raw).strip()
        if code.endswith(".0") and raw is not None and not isinstance(raw, str):
            code = code[:-2]  # a spreadsheet turned "2" into 2.0
        if not code.startswith(prefix) or not CODE_PART.match(code[len(prefix) :]):
            self.problems.add(
                where,
                _("code %(code)s does not sit under its parent %(parent)s (expected %(parent)s.N)")
                % {"code": code, "parent": parent_code or "-"},
            )
        if len(code) > MAX_CODE_LENGTH:
            self.problems.add(
                f"{where}.code", _("longer than %(limit)s characters") % {"limit": MAX_CODE_LENGTH}
            )
        if code in self.codes:
            self.problems.add(
                where,
                _("code %(code)s is used twice (also at %(other)s)")
                % {"code": code, "other": self.codes[code]},
            )
        else:
            self.codes[code] = where
        return code

    def _lead(self, raw: Any, where: str) -> str:
        lead = str(raw or "").strip()[:200]
        _check_nul(lead, f"{where}.lead", self.problems)
        return lead

    def _department(self, raw: Any, where: str) -> str:
        code = str(raw or "").strip()
        if code and code not in self.departments:
            self.problems.add(where, _("unknown department %(code)s") % {"code": code})
        return code

    def _status(self, raw: Any, where: str) -> str:
        key = str(raw or "").strip()
        if key and key not in self.statuses:
            self.problems.add(where, _("unknown status %(key)s") % {"key": key})
        return key


def _child(level: str) -> str:
    key = LEVEL_KEYS[level]
    assert key is not None
    return LEVEL_OF_KEY[key]

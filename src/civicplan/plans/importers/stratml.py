"""StratML file bytes -> raw plan document (the same shape YAML and JSON give), for the shared validator.

Reads Part 1 (`StrategicPlan`) and Part 2 (`PerformancePlanOrReport`) files in the ISO namespaces, the older
`http://www.stratml.net` ones, or none. Mapping (docs/decisions/0008-stratml.md): Goal -> priority,
Objective -> goal; strategies and actions come back from the lines CivicPlan writes into an objective's
OtherInformation (`Strategy 1.1.1: title`). Fields a file lacks stay empty; nothing is made up. StratML texts hold
one language: they are read as the language the root's xml:lang names (English when it names none).

Performance indicators (Part 2) have no place in the plan document: they are returned apart, as plain data
(`StratMLFile.indicators`, each with its place in the file), and `StratMLFile.extras()` hands them to the plan
import under the key "stratml_indicators", which the reports module registers a handler for in `core.registry`
(this module belongs to plans and may not write indicators)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from civicplan.plans.importers.document import SCHEMA, PlanFileInvalid, Problem

ROOTS = ("StrategicPlan", "PerformancePlanOrReport")
MAX_ELEMENTS = 500_000
MAX_DEPTH = 64
CODE_PART = re.compile(r"^[A-Za-z0-9]+$")
DEPARTMENT_IN_NAME = re.compile(r"^(?P<name>.*?)\s*\((?P<code>[A-Za-z0-9_-]{1,20})\)$")
OUTLINE_LINE = re.compile(
    r"^(?P<indent> *)(?P<word>Strategy|Action|Estrategia|Acción|Accion) (?P<code>[A-Za-z0-9.]+): ?(?P<title>.*)$"
)
DESCRIPTION_LINE = re.compile(r"^ *\| ?(?P<text>.*)$")
LEVEL_OF_WORD = {
    "Strategy": "strategy",
    "Estrategia": "strategy",
    "Action": "action",
    "Acción": "action",
    "Accion": "action",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@dataclass
class StratMLFile:
    part: int  # 1 or 2
    doc_type: str  # Strategic_Plan, Performance_Plan or Performance_Report
    document: dict[str, Any]
    indicators: list[dict[str, Any]] = field(default_factory=list)
    lang: str = "en"

    def extras(self) -> dict[str, Any]:
        """What the plan import passes to the registered import extras (core.registry.plan_import_extras)."""
        return (
            {INDICATORS_EXTRA: {"lang": self.lang, "indicators": self.indicators}} if self.indicators else {}
        )


INDICATORS_EXTRA = "stratml_indicators"


def _fail(message: str) -> PlanFileInvalid:
    return PlanFileInvalid([Problem("", message)])


def looks_like_stratml(filename: str, data: bytes) -> bool:
    if filename.lower().endswith(".xml"):
        return True
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") and any(root.encode() in data[:4096] for root in ROOTS)


def _local(tag: Any) -> str:
    return str(tag).rpartition("}")[2]


def _namespace(tag: Any) -> str:
    tag = str(tag)
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


def _known_namespace(ns: str) -> bool:
    return (
        ns == ""
        or ns.startswith("urn:ISO:std:iso:17469:tech:xsd:")
        or ns.rstrip("/") == "http://www.stratml.net"
        or ns.startswith("http://www.stratml.net/")
    )


def _parse(data: bytes) -> Any:
    from defusedxml import DefusedXmlException
    from defusedxml import ElementTree as SafeET

    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise _fail(
            _(
                "The file declares a DTD or entities, which a StratML file never needs; it was refused as unsafe."
            )
        ) from None
    except SafeET.ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        raise _fail(
            _("The XML is malformed at line %(line)s, column %(col)s.") % {"line": line, "col": column + 1}
        ) from None
    count = 0
    stack = [(root, 1)]
    while stack:
        element, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH or count > MAX_ELEMENTS:
            raise _fail(
                _("The file is far bigger or more deeply nested than any plan; it was refused as unsafe.")
            )
        stack.extend((child, depth + 1) for child in element)
    return root


class _Reader:
    def __init__(self, ns: str) -> None:
        self.ns = ns

    def children(self, element: Any, name: str) -> list[Any]:
        return [child for child in element if _local(child.tag) == name]

    def child(self, element: Any, name: str) -> Any:
        found = self.children(element, name)
        return found[0] if found else None

    def text(self, element: Any, name: str) -> str:
        child = self.child(element, name) if element is not None else None
        return "" if child is None else "".join(child.itertext()).strip()


def read_stratml(data: bytes, lang: str | None = None) -> StratMLFile:
    """Parse a StratML file. Raises PlanFileInvalid with a plain-language message; never touches the database.
    `lang` ("en" or "es") says which language the texts are in; without it, the root's xml:lang (English when
    it names none). StratML texts are single-language, so a Spanish file needs `lang="es"`."""
    root = _parse(data)
    name, ns = _local(root.tag), _namespace(root.tag)
    if name not in ROOTS:
        raise _fail(
            _(
                "The XML file is not StratML: its root element is %(name)s, not StrategicPlan or PerformancePlanOrReport."
            )
            % {"name": name}
        )
    if not _known_namespace(ns):
        raise _fail(
            _("The XML file uses the namespace %(ns)s, which is not a StratML namespace.") % {"ns": ns}
        )
    part = 1 if name == "StrategicPlan" else 2
    doc_type = "Strategic_Plan" if part == 1 else (root.get("Type") or "").strip()
    if part == 2 and doc_type not in ("Strategic_Plan", "Performance_Plan", "Performance_Report"):
        raise _fail(
            _(
                "The Type of a PerformancePlanOrReport must be Strategic_Plan, Performance_Plan or Performance_Report."
            )
        )
    if lang not in ("en", "es"):
        lang = (root.get(XML_LANG) or "en").strip().lower()[:2]
        lang = lang if lang in ("en", "es") else "en"
    reader = _Reader(ns)
    core = reader.child(root, "StrategicPlanCore")
    if core is None:
        raise _fail(_("The StratML file has no StrategicPlanCore."))

    def pair(text: str) -> dict[str, str]:
        return {lang: text} if text else {}

    departments: dict[str, str] = {}
    plan: dict[str, Any] = {"title": pair(reader.text(root, "Name"))}
    admin = reader.child(root, "AdministrativeInformation")
    start = _date(reader.text(admin, "StartDate"))
    end = _date(reader.text(admin, "EndDate"))
    if start:
        plan["start_fiscal_year"] = start.year
        if end and end > start:
            plan["years"] = max(1, round((end - start).days / 365.25))
    vision = reader.child(core, "Vision")
    if vision is not None and reader.text(vision, "Description"):
        plan["vision"] = pair(reader.text(vision, "Description"))
    mission = reader.child(core, "Mission")
    if mission is not None and reader.text(mission, "Description"):
        plan["mission"] = pair(reader.text(mission, "Description"))
    plan["values"] = [
        {"name": pair(reader.text(v, "Name")), "description": pair(reader.text(v, "Description"))}
        for v in reader.children(core, "Value")
    ]

    def owner(element: Any) -> str | None:
        """The first stakeholder that performs the work and names a department code ("Public Works (PW)")."""
        for stakeholder in reader.children(element, "Stakeholder"):
            role = reader.child(stakeholder, "Role")
            roles = (
                {"".join(r.itertext()).strip() for r in reader.children(role, "RoleType")}
                if role is not None
                else set()
            )
            if roles:
                if "Performer" not in roles:
                    continue
            elif stakeholder.get("StakeholderTypeType") != "Organization":
                continue
            match = DEPARTMENT_IN_NAME.match(reader.text(stakeholder, "Name"))
            if match:
                departments.setdefault(match["code"], match["name"] or match["code"])
                return match["code"]
        return None

    indicators: list[dict[str, Any]] = []

    def item(element: Any, parent_code: str) -> dict[str, Any]:
        node: dict[str, Any] = {
            "title": pair(reader.text(element, "Name")),
            "description": pair(reader.text(element, "Description")),
        }
        code = _code(reader.text(element, "SequenceIndicator"), parent_code)
        if code:
            node["code"] = code
        department = owner(element)
        if department:
            node["department"] = department
        return node

    priorities: list[dict[str, Any]] = []
    for goal_number, goal_element in enumerate(reader.children(core, "Goal"), start=1):
        priority = item(goal_element, "")
        priority_code = priority.get("code", str(len(priorities) + 1))
        goals: list[dict[str, Any]] = []
        for objective_number, objective_element in enumerate(
            reader.children(goal_element, "Objective"), start=1
        ):
            goal = item(objective_element, priority_code)
            goal_code = goal.get("code", f"{priority_code}.{len(goals) + 1}")
            strategies = _outline(reader.text(objective_element, "OtherInformation"), goal_code, lang)
            if strategies:
                goal["strategies"] = strategies
            indicator_elements = reader.children(objective_element, "PerformanceIndicator")
            for number, indicator in enumerate(indicator_elements, start=1):
                where = f"Goal[{goal_number}]/Objective[{objective_number}]/PerformanceIndicator[{number}]"
                indicators.append(_indicator(reader, indicator, goal_code, where))
            goals.append(goal)
        if goals:
            priority["goals"] = goals
        priorities.append(priority)
    plan["priorities"] = priorities
    document: dict[str, Any] = {"schema": SCHEMA, "plan": plan}
    if departments:
        document["departments"] = [{"code": code, "name": pair(name)} for code, name in departments.items()]
    return StratMLFile(part=part, doc_type=doc_type, document=document, indicators=indicators, lang=lang)


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text[:10]) if text else None
    except ValueError:
        return None


def _code(sequence: str, parent_code: str) -> str | None:
    """A plan code from a SequenceIndicator: CivicPlan's own ("2.3") as it is, a foreign one ("3" or "C") under
    its parent's code; anything else leaves the code to the item's position."""
    sequence = sequence.strip().rstrip(".")
    prefix = f"{parent_code}." if parent_code else ""
    if prefix and sequence.startswith(prefix) and CODE_PART.match(sequence[len(prefix) :]):
        return sequence
    if CODE_PART.match(sequence):
        return prefix + sequence
    return None


def _outline(text: str, goal_code: str, lang: str) -> list[dict[str, Any]]:
    """Strategies and actions from the lines CivicPlan writes; other text (a foreign file's notes) is ignored."""
    strategies: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for line in text.splitlines():
        match = OUTLINE_LINE.match(line)
        if match:
            level = LEVEL_OF_WORD[match["word"]]
            node: dict[str, Any] = {"code": match["code"], "title": {lang: match["title"].strip()}}
            if level == "strategy":
                node["actions"] = []
                strategies.append(node)
            elif strategies:
                strategies[-1]["actions"].append(node)
            else:
                continue
            current = node
            continue
        described = DESCRIPTION_LINE.match(line)
        if described and current is not None:
            description = current.setdefault("description", {lang: ""})
            joined = description[lang] + "\n" + described["text"] if description[lang] else described["text"]
            description[lang] = joined
    for strategy in strategies:
        if not strategy["actions"]:
            del strategy["actions"]
    return strategies


def _indicator(reader: _Reader, element: Any, goal_code: str, where: str) -> dict[str, Any]:
    """One PerformanceIndicator as plain text fields (checked and converted by whoever creates it)."""

    def results(kind: str) -> list[dict[str, Any]]:
        found = []
        for m, instance in enumerate(reader.children(element, "MeasurementInstance"), start=1):
            for r, result in enumerate(reader.children(instance, kind), start=1):
                found.append(
                    {
                        "where": f"{where}/MeasurementInstance[{m}]/{kind}[{r}]",
                        "description": reader.text(result, "Description"),
                        "value": reader.text(result, "NumberOfUnits") or None,
                        "start_date": reader.text(result, "StartDate") or None,
                        "end_date": reader.text(result, "EndDate") or None,
                    }
                )
        return found

    return {
        "where": where,
        "goal": goal_code,
        "key": reader.text(element, "SequenceIndicator"),
        "name": reader.text(element, "MeasurementDimension"),
        "unit": reader.text(element, "UnitOfMeasurement"),
        "type": element.get("PerformanceIndicatorType") or "",
        "stage": element.get("ValueChainStage") or "",
        "description": reader.text(element, "OtherInformation"),
        "targets": results("TargetResult"),
        "actuals": results("ActualResult"),
    }

"""The adopted plan as StratML: Part 1 (ISO 17469-1, `StrategicPlan`) and Part 2 (ANSI/AIIM 22,
`PerformancePlanOrReport`, with the published indicators, their targets and, in a report, their values).

Only what residents can see goes out: the adopted version's snapshot (`plans.selectors.public_version`) and the
published indicators of that plan (`performance.selectors.public_indicators`). StratML text fields hold one
language, so a file is written in English or in Spanish (Spanish falls back to English where a text has no
Spanish, as the public pages do). The mapping and its limits are in docs/decisions/0008-stratml.md;
`plans/importers/stratml.py` reads these files (and foreign ones) back.

The official XSDs are not shipped; `check_structure` checks what a reader relies on: the root and namespace, the
required elements, the schema's element order and that every Identifier is an NCName (xsd:ID)."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET  # writing only: files are parsed with defusedxml
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import translation

from civicplan.lib.fiscal import fiscal_year_bounds, fiscal_year_label
from civicplan.lib.periods import period_end
from civicplan.performance import selectors as indicator_selectors
from civicplan.plans import selectors as plan_selectors

PART1_NS = "urn:ISO:std:iso:17469:tech:xsd:stratml_core"
PART2_NS = "urn:ISO:std:iso:17469:tech:xsd:PerformancePlanOrReport"
TYPES = ("Performance_Plan", "Performance_Report")
LANGUAGES = ("en", "es")
CONTENT_TYPE = "application/xml; charset=utf-8"

# Strategies and actions have no StratML element: they are written, one per line, into the objective's
# OtherInformation with their codes, so that a person can read them and the importer can rebuild them.
LEVEL_WORDS = {
    "en": {"strategy": "Strategy", "action": "Action"},
    "es": {"strategy": "Estrategia", "action": "Acción"},
}
STAGES = {"input": "Input", "output": "Output", "outcome": "Outcome"}
TARGET_WORDS = {"en": "Target for %(year)s", "es": "Meta para %(year)s"}
ACTUAL_WORDS = {"en": "Value for %(period)s", "es": "Valor de %(period)s"}


class NoAdoptedPlan(Exception):
    """There is nothing public to export yet."""


def identifier(prefix: str, code: str) -> str:
    """An xsd:ID (NCName) from a plan code: `g` and `2.3` -> `g_2_3`."""
    return prefix + "_" + re.sub(r"[^A-Za-z0-9_.-]", "_", code).replace(".", "_")


def _text(pair: dict[str, Any] | None, lang: str) -> str:
    pair = pair or {}
    return str(pair.get(lang) or pair.get("en") or "").strip()


def _sub(parent: ET.Element, ns: str, tag: str, text: str | None = None) -> ET.Element:
    # Plain names under a root that declares the default namespace: ElementTree's `default_namespace` refuses the
    # unqualified attributes StratML uses (Type, StakeholderTypeType, ...).
    element = ET.SubElement(parent, tag)
    if text is not None:
        element.text = text
    return element


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


@dataclass
class _Context:
    ns: str
    lang: str
    part: int
    report: bool
    departments: dict[str, str]  # code -> name in the file's language
    indicators: dict[int, list[Any]]  # goal snapshot id -> indicator rows
    fy_start_month: int


def export_stratml(
    *, part: int = 1, doc_type: str = "Performance_Plan", lang: str = "en", source: str = ""
) -> bytes:
    """The adopted plan as a StratML file (UTF-8 bytes). Raises NoAdoptedPlan when nothing is adopted yet."""
    if part not in (1, 2):
        raise ValueError(f"unknown StratML part {part!r}")
    if doc_type not in TYPES:
        raise ValueError(f"unknown StratML type {doc_type!r}")
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}")
    version = plan_selectors.public_version()
    if version is None:
        raise NoAdoptedPlan
    with translation.override(lang):
        root = _build(version, part=part, doc_type=doc_type, lang=lang, source=source)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _build(version: Any, *, part: int, doc_type: str, lang: str, source: str) -> ET.Element:
    document = version.snapshot
    plan = version.plan
    organization = plan.organization
    data = document["plan"]
    ns = PART1_NS if part == 1 else PART2_NS
    context = _Context(
        ns=ns,
        lang=lang,
        part=part,
        report=doc_type == "Performance_Report",
        departments={d["code"]: _text(d.get("name"), lang) for d in document.get("departments", [])},
        indicators=_indicators_by_goal(document) if part == 2 else {},
        fy_start_month=organization.fiscal_year_start_month,
    )
    root = ET.Element("StrategicPlan" if part == 1 else "PerformancePlanOrReport")
    root.set("xmlns", ns)
    if part == 2:
        root.set("Type", doc_type)
    # No xml:lang: the schemas declare no such attribute, and a validating reader would refuse the file.
    _sub(root, ns, "Name", _text(data.get("title"), lang))
    _sub(root, ns, "Description", plan.period_label)
    core = _sub(root, ns, "StrategicPlanCore")

    org = _sub(core, ns, "Organization")
    _sub(org, ns, "Name", organization.localized("name", lang))
    _sub(org, ns, "Identifier", f"org_{organization.pk}")
    for code, name in sorted(context.departments.items()):
        _stakeholder(org, context, code, name, performer=False)

    vision, mission = _text(data.get("vision"), lang), _text(data.get("mission"), lang)
    if vision:
        element = _sub(core, ns, "Vision")
        _sub(element, ns, "Description", vision)
        _sub(element, ns, "Identifier", "vision")
    if mission:
        element = _sub(core, ns, "Mission")
        _sub(element, ns, "Description", mission)
        _sub(element, ns, "Identifier", "mission")
    for value in data.get("values", []):
        element = _sub(core, ns, "Value")
        _sub(element, ns, "Name", _text(value.get("name"), lang))
        description = _text(value.get("description"), lang)
        if description:
            _sub(element, ns, "Description", description)
    for priority in data.get("priorities", []):
        _goal(core, context, priority)

    admin = _sub(root, ns, "AdministrativeInformation")
    if part == 2:  # Part 1's AdministrativeInformation has no Identifier
        _sub(admin, ns, "Identifier", f"plan_{plan.pk}_v{version.number}")
    first, _last = fiscal_year_bounds(plan.start_fiscal_year, context.fy_start_month)
    _first, last = fiscal_year_bounds(plan.start_fiscal_year + plan.years - 1, context.fy_start_month)
    _sub(admin, ns, "StartDate", first.isoformat())
    _sub(admin, ns, "EndDate", last.isoformat())
    _sub(admin, ns, "PublicationDate", version.adopted_on.isoformat())
    if source:
        _sub(admin, ns, "Source", source)
    return root


def _stakeholder(parent: ET.Element, context: _Context, code: str, name: str, *, performer: bool) -> None:
    """A department. Its code rides in the name ("Public Works (PW)"), as plans print acronyms."""
    ns = context.ns
    element = _sub(parent, ns, "Stakeholder")
    if context.part == 1:  # ISO Part 1 types its stakeholders; Part 2 says who performs with a Role
        element.set("StakeholderTypeType", "Organization")
    _sub(element, ns, "Name", f"{name or code} ({code})")
    if performer and context.part == 2:  # Part 1 stakeholders have no Role
        role = _sub(element, ns, "Role")
        _sub(role, ns, "Name", "Owner" if context.lang == "en" else "Responsable")
        _sub(role, ns, "RoleType", "Performer")


def _common(element: ET.Element, context: _Context, item: dict[str, Any], prefix: str) -> None:
    ns = context.ns
    _sub(element, ns, "Name", _text(item.get("title"), context.lang))
    _sub(element, ns, "Description", _text(item.get("description"), context.lang))
    _sub(element, ns, "Identifier", identifier(prefix, item["code"]))
    _sub(element, ns, "SequenceIndicator", item["code"])
    department = item.get("department")
    if department:
        _stakeholder(element, context, department, context.departments.get(department, ""), performer=True)


def _goal(core: ET.Element, context: _Context, priority: dict[str, Any]) -> None:
    element = _sub(core, context.ns, "Goal")
    _common(element, context, priority, "p")
    for goal in priority.get("goals", []):
        objective = _sub(element, context.ns, "Objective")
        _common(objective, context, goal, "g")
        lines = _outline(goal.get("strategies", []), context.lang)
        if lines:
            _sub(objective, context.ns, "OtherInformation", "\n".join(lines))
        for row in context.indicators.get(goal["id"], []):
            _indicator(objective, context, goal, row)


def _outline(strategies: list[dict[str, Any]], lang: str) -> list[str]:
    """`Strategy 1.1.1: title`, its description lines as `  | text`, its actions indented by two spaces."""
    words = LEVEL_WORDS[lang]
    lines: list[str] = []

    def add(item: dict[str, Any], level: str, indent: str) -> None:
        title = " ".join(_text(item.get("title"), lang).split())
        lines.append(f"{indent}{words[level]} {item['code']}: {title}")
        description = _text(item.get("description"), lang)
        for line in description.splitlines():
            lines.append(f"{indent}  | {line}".rstrip())

    for strategy in strategies:
        add(strategy, "strategy", "")
        for action in strategy.get("actions", []):
            add(action, "action", "  ")
    return lines


# --- Part 2: indicators ----------------------------------------------------------------------------------------


def _indicators_by_goal(document: dict[str, Any]) -> dict[int, list[Any]]:
    """Published indicators under each adopted goal they measure (an indicator of a strategy or an action counts
    for its goal). Indicators that measure only priorities have no StratML place (a Goal holds no indicator)."""
    goal_of: dict[int, int] = {}
    for level, item, parent in plan_selectors.iter_document_items(document):
        if level == "goal":
            goal_of[item["id"]] = item["id"]
        elif level in ("strategy", "action") and parent is not None:
            goal_of[item["id"]] = goal_of[parent["id"]]
    found: dict[int, list[Any]] = defaultdict(list)
    for row in indicator_selectors.public_indicators():
        goals = sorted({goal_of[item.pk] for item in row.items if item.pk in goal_of})
        for goal_id in goals:
            found[goal_id].append(row)
    return found


def _indicator(objective: ET.Element, context: _Context, goal: dict[str, Any], row: Any) -> None:
    ns, lang = context.ns, context.lang
    indicator = row.indicator
    element = _sub(objective, ns, "PerformanceIndicator")
    element.set("PerformanceIndicatorType", "Quantitative")
    element.set("ValueChainStage", STAGES.get(indicator.stage, "Outcome"))
    _sub(element, ns, "SequenceIndicator", indicator.key)
    _sub(element, ns, "MeasurementDimension", indicator.localized("name", lang))
    _sub(element, ns, "UnitOfMeasurement", indicator.localized("unit", lang))
    _sub(element, ns, "Identifier", identifier("i", f"{goal['code']}.{indicator.key}"))
    fmt = row.fmt
    actuals: dict[int, list[Any]] = defaultdict(list)
    if context.report:
        for point in row.measurements:
            actuals[_fiscal_year(point.period_start, context.fy_start_month)].append(point)
    for year in sorted(set(row.targets) | set(actuals)):
        instance = _sub(element, ns, "MeasurementInstance")
        first, last = fiscal_year_bounds(year, context.fy_start_month)
        target = row.targets.get(year)
        if target is not None:
            result = _sub(instance, ns, "TargetResult")
            label = fiscal_year_label(year, context.fy_start_month, "FY" if lang == "en" else "AF")
            words = TARGET_WORDS[lang] % {"year": label}
            _sub(
                result,
                ns,
                "Description",
                f"{words}: {indicator_selectors.target_text(target, indicator, fmt)}",
            )
            if target.value is not None:
                _sub(result, ns, "NumberOfUnits", _number(target.value))
            _sub(result, ns, "StartDate", first.isoformat())
            _sub(result, ns, "EndDate", last.isoformat())
        for point in actuals.get(year, []):
            result = _sub(instance, ns, "ActualResult")
            _sub(result, ns, "Description", ACTUAL_WORDS[lang] % {"period": fmt.period(point.period_start)})
            _sub(result, ns, "NumberOfUnits", _number(point.value))
            _sub(result, ns, "StartDate", point.period_start.isoformat())
            _sub(result, ns, "EndDate", period_end(point.period_start, indicator.frequency).isoformat())
    description = indicator.localized("description", lang)
    if description:
        _sub(element, ns, "OtherInformation", description)


def _fiscal_year(day: dt.date, start_month: int) -> int:
    return day.year if day.month >= start_month else day.year - 1


# --- Structure check (the XSD is not shipped) -------------------------------------------------------------------

NCNAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")

# element -> (children in schema order, required children). Part 1 (ISO 17469-1) and Part 2 (ANSI/AIIM 22)
# differ where noted.
_COMMON: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "StrategicPlanCore": (("Organization", "Vision", "Mission", "Value", "Goal"), ("Goal",)),
    "Organization": (("Name", "Acronym", "Identifier", "Description", "Stakeholder"), ()),
    "Vision": (("Description", "Identifier"), ()),
    "Mission": (("Description", "Identifier"), ()),
    "Value": (("Name", "Description"), ()),
    "Goal": (
        (
            "Name",
            "Description",
            "Identifier",
            "SequenceIndicator",
            "Stakeholder",
            "OtherInformation",
            "Objective",
        ),
        ("Name", "Description"),
    ),
}
SCHEMA: dict[int, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    1: {
        **_COMMON,
        "StrategicPlan": (
            ("Name", "Description", "OtherInformation", "StrategicPlanCore", "AdministrativeInformation"),
            ("Name", "StrategicPlanCore"),
        ),
        "Objective": (
            ("Name", "Description", "Identifier", "SequenceIndicator", "Stakeholder", "OtherInformation"),
            (),
        ),
        "Stakeholder": (("Name", "Description"), ("Name",)),
        "AdministrativeInformation": (("StartDate", "EndDate", "PublicationDate", "Source", "Submitter"), ()),
    },
    2: {
        **_COMMON,
        "PerformancePlanOrReport": (
            (
                "Name",
                "Description",
                "OtherInformation",
                "StrategicPlanCore",
                "AdministrativeInformation",
                "Submitter",
            ),
            ("Name", "StrategicPlanCore"),
        ),
        "Objective": (
            (
                "Name",
                "Description",
                "Identifier",
                "SequenceIndicator",
                "Stakeholder",
                "OtherInformation",
                "PerformanceIndicator",
            ),
            (),
        ),
        "Stakeholder": (("Name", "Description", "Role"), ("Name",)),
        "Role": (("Name", "Description", "RoleType"), ("Name",)),
        "PerformanceIndicator": (
            (
                "SequenceIndicator",
                "MeasurementDimension",
                "UnitOfMeasurement",
                "Identifier",
                "Relationship",
                "MeasurementInstance",
                "OtherInformation",
            ),
            ("MeasurementDimension", "UnitOfMeasurement"),
        ),
        "MeasurementInstance": (("TargetResult", "ActualResult"), ()),
        "TargetResult": (("Description", "NumberOfUnits", "StartDate", "EndDate"), ("Description",)),
        "ActualResult": (("Description", "NumberOfUnits", "StartDate", "EndDate"), ("Description",)),
        "AdministrativeInformation": (
            ("Identifier", "StartDate", "EndDate", "PublicationDate", "Source"),
            (),
        ),
    },
}
_SINGLE = {"Name", "Description", "Identifier", "SequenceIndicator", "OtherInformation", "Vision", "Mission"}
_SINGLE |= {"StrategicPlanCore", "AdministrativeInformation", "MeasurementDimension", "UnitOfMeasurement"}
_SINGLE |= {"NumberOfUnits", "StartDate", "EndDate", "PublicationDate", "Source", "Acronym", "Role"}
_DATES = {"StartDate", "EndDate", "PublicationDate"}
# Attributes each element may carry (xmlns and xsi:* aside); anything else would fail schema validation.
ATTRIBUTES: dict[int, dict[str, set[str]]] = {
    1: {"Stakeholder": {"StakeholderTypeType"}},
    2: {
        "PerformancePlanOrReport": {"Type"},
        "PerformanceIndicator": {"PerformanceIndicatorType", "ValueChainStage"},
        "Relationship": {"RelationshipType"},
    },
}
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"
_ENUMS = {
    "Type": {"Strategic_Plan", "Performance_Plan", "Performance_Report"},
    "PerformanceIndicatorType": {"Quantitative", "Qualitative"},
    "ValueChainStage": {"Input", "Input_Processing", "Output", "Output_Processing", "Outcome"},
    "StakeholderTypeType": {"Person", "Organization", "Generic_Group"},
}


def check_structure(data: bytes) -> list[str]:
    """Problems with a StratML file we wrote (an empty list when there are none). Parses with defusedxml."""
    from defusedxml import ElementTree as SafeET

    try:
        root = SafeET.fromstring(data)
    except Exception as error:  # any parse failure is the answer
        return [f"not well-formed XML: {error}"]
    ns, _sep, tag = root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", root.tag)
    expected = {"StrategicPlan": (1, PART1_NS), "PerformancePlanOrReport": (2, PART2_NS)}
    if tag not in expected:
        return [f"root element {tag!r} is not StrategicPlan or PerformancePlanOrReport"]
    part, wanted = expected[tag]
    problems: list[str] = []
    if ns != wanted:
        problems.append(f"namespace {ns!r} is not {wanted!r}")
    if part == 2 and root.get("Type") not in _ENUMS["Type"]:
        problems.append(f"Type {root.get('Type')!r} is not one of {sorted(_ENUMS['Type'])}")
    schema = SCHEMA[part]
    seen_ids: set[str] = set()

    def local(element: Any) -> str:
        return str(element.tag).rpartition("}")[2]

    def walk(element: Any, path: str) -> None:
        name = local(element)
        if str(element.tag).startswith("{") and str(element.tag)[1:].partition("}")[0] != ns:
            problems.append(f"{path}: element in another namespace")
        for attribute in element.attrib:
            if not attribute.startswith(XSI) and attribute not in ATTRIBUTES[part].get(name, set()):
                problems.append(f"{path}: attribute {attribute!r} is not in the schema")
        for attribute, allowed in _ENUMS.items():
            value = element.get(attribute)
            if value is not None and attribute != "Type" and value not in allowed:
                problems.append(f"{path}: @{attribute}={value!r} is not allowed")
        if name == "Identifier":
            text = (element.text or "").strip()
            if not NCNAME.match(text):
                problems.append(f"{path}: {text!r} is not an NCName")
            elif text in seen_ids:
                problems.append(f"{path}: identifier {text!r} is used twice")
            seen_ids.add(text)
        if name in _DATES:
            try:
                dt.date.fromisoformat((element.text or "").strip())
            except ValueError:
                problems.append(f"{path}: {element.text!r} is not a date")
        if name == "NumberOfUnits":
            try:
                Decimal((element.text or "").strip())
            except ArithmeticError:
                problems.append(f"{path}: {element.text!r} is not a number")
        if name not in schema:
            return
        order, required = schema[name]
        children = [local(child) for child in element]
        position = -1
        for index, child_name in enumerate(children):
            if child_name not in order:
                problems.append(f"{path}: unexpected <{child_name}>")
                continue
            at = order.index(child_name)
            if at < position:
                problems.append(f"{path}: <{child_name}> is out of the schema's order")
            position = max(position, at)
            if child_name in _SINGLE and child_name in children[:index]:
                problems.append(f"{path}: <{child_name}> appears more than once")
        for child_name in required:
            if child_name not in children:
                problems.append(f"{path}: <{child_name}> is missing")
        counts: dict[str, int] = defaultdict(int)
        for child in element:
            counts[local(child)] += 1
            walk(child, f"{path}/{local(child)}[{counts[local(child)]}]")

    walk(root, tag)
    return problems

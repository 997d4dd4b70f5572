"""Qualtrics CSV exports: three header rows (column ids such as `StartDate, ..., ResponseId, Q1, Q2_1`; the
question texts; `{"ImportId":"QID1"}` JSON), or two in legacy exports whose metadata columns are `V1..V10`.

`Q2_1`, `Q2_2` are one question's rows (a matrix) or choices (a split multiple choice); `Q1_4_TEXT` is the text
of choice 4 of Q1, its "Other". Values are numeric recodes or choice texts; a multiple choice may be one
comma-joined cell. `Status` 1 (or "Survey Preview") and the other preview and test statuses are left out;
`Finished` 0 is a partial response. Dates are in the time zone the third header row names.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from civicplan.engagement.answers import OTHER, Choice
from civicplan.engagement.importers.survey_engine import Layout, Meta, Part, Plan
from civicplan.engagement.importers.survey_model import normalise_label
from civicplan.engagement.importers.survey_tables import Cells, Table

META_IDS = frozenset(
    {
        "startdate",
        "enddate",
        "status",
        "ipaddress",
        "progress",
        "duration (in seconds)",
        "finished",
        "recordeddate",
        "responseid",
        "recipientlastname",
        "recipientfirstname",
        "recipientemail",
        "externalreference",
        "externaldatareference",
        "locationlatitude",
        "locationlongitude",
        "distributionchannel",
        "userlanguage",
        "responseset",
        "name",
        "emailaddress",
    }
)
_LEGACY = re.compile(r"^V\d+$")
_OTHER_TEXT = re.compile(r"^(?P<base>.+?)_(?P<choice>\d+)_TEXT$")
_TEXT = re.compile(r"^(?P<base>.+?)_TEXT$")
_SUB = re.compile(r"^(?P<base>.+?)_(?P<sub>\d+)$")
# Status codes of previews and tests: Survey Preview, Survey Test, Preview Spam, Offline Preview.
PREVIEW_STATUSES = frozenset({"1", "2", "9", "17"})
_PREVIEW_WORDS = re.compile(r"preview|test|vista previa|prueba")
_SELECTED = re.compile(r"\s+-\s+(?:selected choice|opcion seleccionada|opción seleccionada)$", re.IGNORECASE)


def looks_like_export(table: Table) -> bool:
    ids = {cell.strip().lower() for cell in table.headers[0]}
    if "responseid" in ids and ("startdate" in ids or "status" in ids):
        return True
    texts = {cell.strip().lower() for cell in table.headers[1]} if len(table.headers) > 1 else set()
    return "v1" in ids and "responseid" in texts


def layout(table: Table) -> Layout:
    ids = table.headers[0]
    texts = table.headers[1] if len(table.headers) > 1 else [""] * table.width
    modern = len(table.headers) > 2 and any(cell.startswith('{"ImportId"') for cell in table.headers[2])
    imports = [_import(cell) for cell in table.headers[2]] if modern else [{}] * table.width
    legacy = any(_LEGACY.match(cell) for cell in ids)
    # Legacy exports name their metadata in the text row (V1 "ResponseID", V7 "Status", ...).
    names = [
        (texts[index] if legacy and _LEGACY.match(ids[index]) else ids[index]) for index in range(table.width)
    ]
    roles = {name.strip().lower(): index for index, name in reversed(list(enumerate(names)))}
    questions = [
        index
        for index, name in enumerate(names)
        if name
        and name.strip().lower() not in META_IDS
        and not name.startswith("Q_")
        and not _LEGACY.match(name)
    ]
    zone = _zone(imports[roles["recordeddate"]] if "recordeddate" in roles else {})
    headings = [ids[index] for index in range(table.width)]
    return Layout(
        format="qualtrics",
        header_rows=3 if modern else 2,
        headings=headings,
        plans=_plans(questions, ids, texts, imports),
        meta=_meta(roles, zone),
    )


def _import(cell: str) -> dict[str, str]:
    try:
        found = json.loads(cell)
    except ValueError:
        return {}
    return {str(key): str(value) for key, value in found.items()} if isinstance(found, dict) else {}


def _zone(found: dict[str, str]) -> tzinfo:
    name = found.get("timeZone", "")
    if not name or name.upper() in ("Z", "UTC", "GMT"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC  # a zone this machine does not know: read as UTC rather than refuse the file


def _meta(roles: dict[str, int], zone: tzinfo) -> Meta:
    status, finished = roles.get("status", -1), roles.get("finished", -1)

    def preview(cells: Cells) -> bool:
        if status < 0:
            return False
        value = cells[status]
        return value in PREVIEW_STATUSES or bool(_PREVIEW_WORDS.search(normalise_label(value)))

    def partial(cells: Cells) -> bool:
        return finished >= 0 and normalise_label(cells[finished]) in ("0", "false", "falso")

    time_columns = [roles[name] for name in ("recordeddate", "enddate") if name in roles]
    return Meta(
        id_column=roles.get("responseid", -1),
        time_columns=time_columns[:1],
        language_column=roles.get("userlanguage", -1),
        zone=zone,
        partial=partial,
        preview=preview,
    )


def _question_text(text: str) -> str:
    return _SELECTED.sub("", text).strip()


def _common_start(texts: list[str]) -> str:
    shortest, longest = min(texts), max(texts)  # the sorted extremes share what all of them share
    size = 0
    while size < len(shortest) and shortest[size] == longest[size]:
        size += 1
    return shortest[:size]


def _split_texts(texts: list[str]) -> tuple[str, list[str]]:
    """The question's text and each column's row (or choice) label: `How satisfied are you? - Parks` in current
    exports, `How satisfied are you?-Parks` in legacy ones. The texts' common start, cut back to its last
    dash or colon, is the question; a lone column keeps its text as the label."""
    cleaned = [_question_text(text) for text in texts]
    if all(" - " in text for text in cleaned):
        heads = {text.rpartition(" - ")[0] for text in cleaned}
        if len(heads) == 1:
            return heads.pop(), [text.rpartition(" - ")[2] for text in cleaned]
    common = _common_start(cleaned) if len(cleaned) > 1 else ""
    cut = max(common.rfind("-"), common.rfind(":"))
    if cut <= 0:
        return (cleaned[0] if len(cleaned) == 1 else common.strip()), cleaned
    return common[:cut].strip(), [text[cut + 1 :].strip() for text in cleaned]


def _plans(
    questions: list[int], ids: list[str], texts: list[str], imports: list[dict[str, str]]
) -> list[Plan]:
    own = {ids[index] for index in questions}
    singles = _singles(own)
    bases = own | {sub["base"] for name in own if (sub := _SUB.match(name)) and name not in singles}
    others: dict[str, tuple[int, str]] = {}  # base id -> (column, choice code)
    grouped: dict[str, list[int]] = {}
    text_only: set[str] = set()
    for index in questions:
        name = ids[index]
        other, plain_text, sub = _OTHER_TEXT.match(name), _TEXT.match(name), _SUB.match(name)
        if other and other["base"] in bases:
            others[other["base"]] = (index, other["choice"])
        elif plain_text and plain_text["base"] in bases:
            others[plain_text["base"]] = (index, "")
        else:
            base = sub["base"] if sub and name not in singles else name
            grouped.setdefault(base, []).append(index)
            if imports[index].get("ImportId", "").endswith("_TEXT"):
                text_only.add(name)  # a text entry question: its ImportId is QIDn_TEXT
    return [
        _plan(base, columns, ids, texts, others.get(base), base in text_only)
        for base, columns in grouped.items()
    ]


def _singles(own: set[str]) -> set[str]:
    """Ids like `Q2_1` with no sibling (`Q2_2`) are questions of their own, not one row of a group."""
    bases: dict[str, int] = {}
    for name in own:
        sub = _SUB.match(name)
        if sub:
            bases[sub["base"]] = bases.get(sub["base"], 0) + 1
    return {
        name
        for name in own
        if (sub := _SUB.match(name)) and bases[sub["base"]] < 2 and sub["base"] not in own
    }


def _plan(
    base: str,
    columns: list[int],
    ids: list[str],
    texts: list[str],
    other: tuple[int, str] | None,
    text_only: bool,
) -> Plan:
    plan = Plan(key=base, text="", labels=True, separator=",")
    if other is not None:
        plan.other_column, plan.other_heading = other[0], ids[other[0]]
        plan.choice = True
        if other[1]:
            plan.other_values = frozenset({other[1]})
    if len(columns) == 1 and ids[columns[0]] == base:
        index = columns[0]
        plan.column, plan.heading, plan.text = index, ids[index], _question_text(texts[index]) or base
        plan.text_only = text_only and other is None
        return plan
    text, labels = _split_texts([texts[index] for index in columns])
    plan.text = text or base
    other_code = other[1] if other else ""
    for index, label in zip(columns, labels, strict=True):
        code = _SUB.match(ids[index])["sub"]  # type: ignore[index]
        label = label or code
        choice = Choice(OTHER if code == other_code else code, label)
        plan.parts.append(Part(index, ids[index], choice, key=ids[index], text=_question_text(texts[index])))
    return plan

"""KoboToolbox: response exports (CSV, `;`-separated and fully quoted, or XLSX, the same columns) and the forms
themselves (XLSForm workbooks).

Export headings are XML names or labels, optionally behind their group path (`grupo/sub/pregunta`). A
select_multiple question gives a space-joined column (`servicios`) and/or one 1/0 column per choice
(`servicios/parques`); a choice named `other` with a `servicios_other` text column is its "Other". Metadata
(`_id`, `_uuid`, `_submission_time`, ...) come in any order and are found by name; `_submission_time` is UTC
without an offset, `start`/`end` carry one.

Question keys are the XML names without their group path (XLSForm names are unique in a form), so a survey made
with `parse_xlsform` has the same keys as the responses exported from it. A group of columns holding whole
numbers 0..10 (an XLSForm `table-list` of ratings) is one matrix keyed by the group's name, in both.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from civicplan.engagement.answers import OTHER, Choice, QuestionKind
from civicplan.engagement.importers.survey_engine import Layout, Meta, Part, Plan, heading_map
from civicplan.engagement.importers.survey_model import (
    DetectedQuestion,
    SurveyFileError,
    language_code,
    slug,
)
from civicplan.engagement.importers.survey_tables import Table, cell_text, workbook_sheets

K = QuestionKind
# Columns Kobo adds to every submission (beside anything starting with "_", "meta/" or "formhub/").
META_NAMES = frozenset(
    {"start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username", "audit"}
)
_XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_DEFAULT_SHEET = re.compile(r"^(?:sheet|hoja|form)\s*\d*$", re.IGNORECASE)


def looks_like_export(headings: list[str]) -> bool:
    names = {heading.strip() for heading in headings}
    return "_uuid" in names or "_submission_time" in names or {"_id", "_index"} <= names


def _is_meta(heading: str) -> bool:
    name = heading.strip()
    return name.startswith(("_", "meta/", "formhub/")) or name.lower() in META_NAMES


# --- Exports --------------------------------------------------------------------------------------------------


def export_layout(table: Table) -> Layout:
    headings = table.headers[0]
    by_name = heading_map(headings)
    columns = [
        (index, heading) for index, heading in enumerate(headings) if heading and not _is_meta(heading)
    ]
    xml_names = all(_XML_NAME.match(part) for _index, heading in columns for part in heading.split("/"))
    paths = {tuple(heading.split("/")): index for index, heading in columns}
    keys = {index: _key(heading) for index, heading in columns}
    others = _other_columns(columns, keys)
    plans = _plans(columns, paths, keys, others, labels=not xml_names)
    id_column = by_name.get("_uuid", by_name.get("meta/instanceid", -1))
    time_columns = [by_name[name] for name in ("_submission_time", "end") if name in by_name]
    xlsx = table.kind == "xlsx"
    return Layout(
        format="kobo-xlsx" if xlsx else "kobo-csv",
        header_rows=1,
        headings=headings,
        plans=plans,
        meta=Meta(id_column=id_column, time_columns=time_columns, id_prefix="uuid:"),
        # An XLSX export's sheet is named after the form (unless it kept a default name).
        title=table.title if xlsx and not _DEFAULT_SHEET.match(table.title) else "",
    )


def _key(heading: str) -> str:
    name = heading.split("/")[-1].strip()
    return name if _XML_NAME.match(name) else slug(name)


def _other_columns(columns: list[tuple[int, str]], keys: dict[int, str]) -> dict[str, tuple[int, str]]:
    """{question key: its "other" text column}: Kobo names it `<question>_other`."""
    known = set(keys.values())
    found = {}
    for index, heading in columns:
        key = keys[index]
        if key.endswith("_other") and key[: -len("_other")] in known:
            found[key[: -len("_other")]] = (index, heading)
    return found


def _plans(
    columns: list[tuple[int, str]],
    paths: dict[tuple[str, ...], int],
    keys: dict[int, str],
    others: dict[str, tuple[int, str]],
    *,
    labels: bool,
) -> list[Plan]:
    other_indexes = {index for index, _heading in others.values()}
    summaries = {path[:-1] for path in paths if len(path) > 1 and path[:-1] in paths}
    groups: dict[tuple[str, ...], list[tuple[int, str]]] = {}
    order: list[int | tuple[str, ...]] = []  # a column alone, or a group's path, in the order they first come
    for index, heading in columns:
        path = tuple(heading.split("/"))
        if index in other_indexes or path in summaries:
            continue
        parent = path[:-1]
        if parent:
            if parent not in groups:
                order.append(parent)
            groups.setdefault(parent, []).append((index, heading))
        else:
            order.append(index)
    by_index = dict(columns)
    plans = []
    for which in order:
        if isinstance(which, int):
            plans.append(_simple(which, by_index[which], keys, others, labels))
        elif len(groups[which]) == 1 and which not in summaries:  # a group of one question: just the question
            index, heading = groups[which][0]
            plans.append(_simple(index, heading, keys, others, labels))
        else:
            plans.append(_group(which, groups[which], paths, keys, others, labels, which in summaries))
    return plans


def _simple(
    index: int, heading: str, keys: dict[int, str], others: dict[str, tuple[int, str]], labels: bool
) -> Plan:
    key = keys[index]
    plan = Plan(key=key, text=heading.split("/")[-1], column=index, heading=heading, labels=labels)
    plan.separator = " " if not labels else ""  # a select_multiple exported without its choice columns
    plan.other_values = frozenset({OTHER})
    if key in others:
        plan.other_column, plan.other_heading = others[key]
        plan.choice = True
    return plan


def _group(
    parent: tuple[str, ...],
    members: list[tuple[int, str]],
    paths: dict[tuple[str, ...], int],
    keys: dict[int, str],
    others: dict[str, tuple[int, str]],
    labels: bool,
    is_multiple: bool,
) -> Plan:
    """Columns under one path: the choices of a select_multiple (when its summary column is there too, or when
    they hold 1/0), the rows of a matrix (whole numbers), or else questions of their own in one group."""
    key = _key("/".join(parent))
    plan = Plan(key=key, text=parent[-1], labels=labels, other_values=frozenset({OTHER}))
    for index, heading in members:
        name = heading.split("/")[-1]
        code = slug(name) if labels else _key(heading)  # a label export's choices get codes like its options'
        part = Part(index, heading, Choice(code, name), key=keys[index], text=name)
        if keys[index] in others:
            part.other_column, part.other_heading = others[keys[index]]
        plan.parts.append(part)
    if is_multiple:
        plan.kind = K.MULTIPLE
        summary = "/".join(parent)
        plan.extra_headings = [summary]
        if key in others:
            plan.other_column, plan.other_heading = others[key]
    elif key in others:
        plan.other_column, plan.other_heading = others[key]
    return plan


# --- XLSForm --------------------------------------------------------------------------------------------------

_LABEL = re.compile(r"^label(?:\s*::\s*(?P<language>.+))?$", re.IGNORECASE)
_LANGUAGE_CODE = re.compile(r"\((?P<code>[A-Za-z-]+)\)\s*$")
_SKIPPED_TYPES = frozenset(
    {
        "note",
        "calculate",
        "hidden",
        "start",
        "end",
        "today",
        "deviceid",
        "subscriberid",
        "simserial",
        "phonenumber",
        "username",
        "audit",
        "image",
        "audio",
        "video",
        "file",
        "barcode",
        "background-audio",
        "xml-external",
        "csv-external",
        "start-geopoint",
    }
)
_TEXT_TYPES = frozenset({"text", "date", "time", "datetime", "geopoint", "geotrace", "geoshape", "email"})


def parse_xlsform(data: bytes) -> tuple[str, list[DetectedQuestion]]:
    """The title and the questions of a KoboToolbox / ODK form (XLSForm workbook), in both languages.

    English labels (`label::English (en)`) become `text` and the Choice labels; Spanish ones
    (`label::Español (es)`, `label::Spanish (es)`) go to `text_es`, `options_es` and `rows_es`, keyed by the same
    codes (see DetectedQuestion). A plain `label` column is in the form's `default_language` (English when it
    names none). A question with only a Spanish label has it as `text` too. Keys and option codes are the
    form's XML names, as in the form's exports; a choice named `other` (or `or_other`) is the contract's
    OTHER. Notes, calculations, metadata and media questions are left out."""
    sheets = {name.strip().lower(): rows for name, rows in workbook_sheets(data).items()}
    survey = sheets.get("survey")
    if not survey:
        raise SurveyFileError(_("The workbook has no “survey” sheet, so it is not an XLSForm form."))
    settings = _records(sheets.get("settings", []))
    default = language_code(str(settings[0].get("default_language", ""))) if settings else ""
    lists = _choice_lists(_records(sheets.get("choices", [])), default or "en")
    title = str(settings[0].get("form_title", "")).strip() if settings else ""
    return title, _fold_other_texts(_questions(_records(survey), lists, default or "en"))


def _fold_other_texts(questions: list[DetectedQuestion]) -> list[DetectedQuestion]:
    """A text question `<choice question>_other` is that question's "other" text (as in the exports), not a
    question of its own."""
    with_other = {question.key for question in questions if question.allows_other}
    return [
        question
        for question in questions
        if not (question.key.endswith("_other") and question.key[: -len("_other")] in with_other)
    ]


def _records(rows: list[list[Any]]) -> list[dict[str, str]]:
    """Rows below the header as {lower-case heading: text}, empty rows left out."""
    if not rows:
        return []
    names = [cell_text(cell).strip().lower() for cell in rows[0]]
    records = []
    for row in rows[1:]:
        record = {name: cell_text(cell) for name, cell in zip(names, row, strict=False) if name}
        if any(record.values()):
            records.append(record)
    return records


def _labels(record: dict[str, str], default: str) -> dict[str, str]:
    """{language ("en", "es" or ""): label} of one row."""
    found: dict[str, str] = {}
    for name, value in record.items():
        match = _LABEL.match(name)
        if not match or not value:
            continue
        written = match["language"] or ""
        code_match = _LANGUAGE_CODE.search(written)
        language = language_code(code_match["code"]) if code_match else language_code(written)
        found.setdefault(language if written else default, value)
    return found


def _english(labels: dict[str, str], fallback: str) -> str:
    return labels.get("en") or labels.get("") or labels.get("es") or fallback


def _choice_lists(records: list[dict[str, str]], default: str) -> dict[str, list[tuple[Choice, str]]]:
    lists: dict[str, list[tuple[Choice, str]]] = {}
    for record in records:
        list_name = record.get("list_name") or record.get("list name") or ""
        name = record.get("name", "")
        if list_name and name:
            labels = _labels(record, default)
            lists.setdefault(list_name, []).append(
                (Choice(name, _english(labels, name)), labels.get("es", ""))
            )
    return lists


def _questions(
    records: list[dict[str, str]], lists: dict[str, list[tuple[Choice, str]]], default: str
) -> list[DetectedQuestion]:
    questions: list[DetectedQuestion] = []
    position = 0
    while position < len(records):
        record = records[position]
        kind = _type_words(record)
        if kind[:1] in (["begin_group"], ["begin"]) and "table-list" in record.get("appearance", ""):
            end = _group_end(records, position)
            matrix = _table_list(record, records[position + 1 : end], lists, default)
            if matrix is not None:
                questions.append(matrix)
                position = end + 1
                continue
        question = _question(record, lists, default)
        if question is not None:
            questions.append(question)
        position += 1
    return questions


def _type_words(record: dict[str, str]) -> list[str]:
    words = record.get("type", "").strip().lower().split()
    if words[:2] in (["begin", "group"], ["end", "group"], ["begin", "repeat"], ["end", "repeat"]):
        words = ["_".join(words[:2]), *words[2:]]
    return words


def _group_end(records: list[dict[str, str]], start: int) -> int:
    depth = 0
    for position in range(start, len(records)):
        words = _type_words(records[position])[:1]
        if words in (["begin_group"], ["begin_repeat"]):
            depth += 1
        elif words in (["end_group"], ["end_repeat"]):
            depth -= 1
            if depth == 0:
                return position
    return len(records) - 1


def _question(
    record: dict[str, str], lists: dict[str, list[tuple[Choice, str]]], default: str
) -> DetectedQuestion | None:
    words = _type_words(record)
    name = record.get("name", "").strip()
    if not words or not name or words[0] in _SKIPPED_TYPES or words[0].startswith(("begin_", "end_")):
        return None
    labels = _labels(record, default)
    question = DetectedQuestion(
        key=name,
        text=_english(labels, name),
        kind=K.SHORT_TEXT,
        columns=[name],
        required=record.get("required", "").strip().lower() in ("yes", "true", "true()", "1"),
        text_es=labels.get("es", ""),
    )
    base = words[0]
    if base in ("select_one", "select_multiple", "rank") and len(words) >= 2:
        _choices(question, words, lists.get(words[1], []))
    elif base in ("integer", "decimal"):
        question.kind = K.NUMBER
    elif base == "range":
        _range(question, record.get("parameters", ""))
    elif base == "text" and "multiline" in record.get("appearance", ""):
        question.kind = K.LONG_TEXT
    elif base not in _TEXT_TYPES:
        return None
    return question


def _choices(question: DetectedQuestion, words: list[str], choices: list[tuple[Choice, str]]) -> None:
    kinds = {"select_one": K.SINGLE, "select_multiple": K.MULTIPLE, "rank": K.RANKING}
    question.kind = kinds[words[0]]
    question.allows_other = "or_other" in words[2:]
    for choice, spanish in choices:
        if choice.code == OTHER:
            question.allows_other = True
            continue
        question.options.append(choice)
        if spanish:
            question.options_es[choice.code] = spanish
    scale = _int_scale([choice.code for choice in question.options])
    # A select_one whose choices are the whole numbers of a small scale (`1`..`5`) is a rating; the labels stay
    # as the scale points' names.
    if question.kind == K.SINGLE and scale is not None and not question.allows_other:
        question.kind = K.RATING
        question.scale_min, question.scale_max = scale


def _int_scale(codes: list[str]) -> tuple[int, int] | None:
    if len(codes) < 2 or not all(code.isascii() and code.isdigit() for code in codes):
        return None
    numbers = [int(code) for code in codes]
    return (min(numbers), max(numbers)) if max(numbers) <= 10 else None


def _range(question: DetectedQuestion, parameters: str) -> None:
    values = dict(re.findall(r"(\w+)\s*=\s*(-?\d+)", parameters))
    low, high = int(values.get("start", 0)), int(values.get("end", 10))
    if 0 <= low < high <= 10:
        question.kind, question.scale_min, question.scale_max = K.RATING, low, high
    else:
        question.kind = K.NUMBER


def _table_list(
    group: dict[str, str],
    children: list[dict[str, str]],
    lists: dict[str, list[tuple[Choice, str]]],
    default: str,
) -> DetectedQuestion | None:
    """A table-list group whose questions are all select_one of one list of whole numbers: a matrix keyed by
    the group's name, one row per question (as the export's `group/question` columns are read)."""
    types = {tuple(_type_words(child)) for child in children}
    if len(types) != 1:
        return None
    words = next(iter(types))
    if len(words) != 2 or words[0] != "select_one":
        return None
    choices = lists.get(words[1], [])
    scale = _int_scale([choice.code for choice, _spanish in choices])
    if scale is None:
        return None
    labels = _labels(group, default)
    name = group.get("name", "").strip() or slug(_english(labels, "matrix"))
    question = DetectedQuestion(
        key=name,
        text=_english(labels, name),
        kind=K.MATRIX,
        text_es=labels.get("es", ""),
        scale_min=scale[0],
        scale_max=scale[1],
        options=[choice for choice, _spanish in choices],
        options_es={choice.code: spanish for choice, spanish in choices if spanish},
    )
    for child in children:
        child_labels = _labels(child, default)
        code = child.get("name", "").strip()
        question.rows.append(Choice(code, _english(child_labels, code)))
        question.columns.append(f"{name}/{code}")
        question.required = question.required or child.get("required", "").lower() in (
            "yes",
            "true",
            "true()",
        )
        if child_labels.get("es"):
            question.rows_es[code] = child_labels["es"]
    return question

"""Exports of the label-only form tools: SurveyMonkey (CSV or XLSX), Google Forms (CSV) and Microsoft Forms
(XLSX). None of them writes option codes, so options get codes made from their labels (`slug`).

- **SurveyMonkey**: two header rows. Row 1 has the metadata headings, then each question's text once (blank
  over its continuation columns); row 2 says what each column holds: `Response`, `Open-Ended Response`, `Other
  (please specify)`, an option's label (a ticked option holds its label) or a matrix row's label.
- **Google Forms**: `Timestamp` first, `Email address` when collected, a column per question; checkboxes joined
  with ", " in one cell; grids as `Question [Row]`. The "Other" text stands where an option would, and there
  is no response id: duplicates are found by content.
- **Microsoft Forms**: `ID, Start time, Completion time, Email, Name` (+ `Last modified time`), a column per
  question; a multiple answer is labels each followed by `;`; Likert rows as `Question.Row`.
"""

from __future__ import annotations

import re

from civicplan.engagement.answers import Choice, QuestionKind
from civicplan.engagement.importers.survey_engine import Layout, Meta, Part, Plan
from civicplan.engagement.importers.survey_model import is_other_label, normalise_label, slug
from civicplan.engagement.importers.survey_tables import Table

K = QuestionKind
_CUSTOM_DATA = re.compile(r"^(?:custom data|datos personalizados)\s*\d*$")
_GRID = re.compile(r"^(?P<text>.*?\S)\s*\[(?P<row>[^\[\]]+)\]$")


def _names(headings: list[str]) -> list[str]:
    return [normalise_label(heading) for heading in headings]


def _find(names: list[str], *wanted: str) -> int:
    return next((index for index, name in enumerate(names) if name in wanted), -1)


# --- SurveyMonkey ---------------------------------------------------------------------------------------------

SURVEYMONKEY_META = {
    "id": ("respondent id", "id del encuestado", "id de encuestado"),
    "collector": ("collector id", "id del recopilador", "id de recopilador"),
    "start": ("start date", "fecha de inicio"),
    "end": ("end date", "fecha de finalizacion", "fecha de fin"),
    "ip": ("ip address", "direccion ip"),
    "email": ("email address", "direccion de correo electronico", "correo electronico"),
    "first": ("first name", "nombre"),
    "last": ("last name", "apellido", "apellidos"),
}
_SURVEYMONKEY_OF = {name: role for role, names in SURVEYMONKEY_META.items() for name in names}
_RESPONSE = frozenset({"response", "respuesta"})
_OPEN = frozenset({"open-ended response", "respuesta abierta", "respuesta de texto abierto"})


def looks_like_surveymonkey(table: Table) -> bool:
    names = set(_names(table.headers[0]))
    return ("respondent id" in names and "collector id" in names) or (
        "id del encuestado" in names and "id del recopilador" in names
    )


def surveymonkey_layout(table: Table) -> Layout:
    row1, row2 = table.headers[0], table.headers[1] if len(table.headers) > 1 else [""] * table.width
    roles: dict[str, int] = {}
    meta_columns = set()
    for index, name in enumerate(_names(row1)):
        role = _SURVEYMONKEY_OF.get(name) or ("custom" if _CUSTOM_DATA.match(name) else None)
        if role and not row2[index]:  # metadata columns have nothing in row 2; a question "Nombre" has
            roles.setdefault(role, index)
            meta_columns.add(index)
    starts: list[tuple[str, list[int]]] = []
    for index in range(table.width):
        if index in meta_columns:
            continue
        if row1[index]:
            starts.append((row1[index], [index]))
        elif starts and row2[index]:
            starts[-1][1].append(index)
    plans = [plan for text, columns in starts for plan in _surveymonkey_plans(text, columns, row2)]
    headings = [_heading(row1, row2, index) for index in range(table.width)]
    end = roles.get("end", -1)
    return Layout(
        format="surveymonkey",
        header_rows=2,
        headings=headings,
        plans=plans,
        meta=Meta(id_column=roles.get("id", -1), time_columns=[end] if end >= 0 else []),
    )


def _heading(row1: list[str], row2: list[str], index: int) -> str:
    """What a person sees over a column: the question (from the left, over continuation columns) and row 2."""
    text = next((row1[i] for i in range(index, -1, -1) if row1[i]), "")
    below = row2[index]
    return f"{text} – {below}" if below and normalise_label(below) not in _RESPONSE else text


def _surveymonkey_plans(text: str, columns: list[int], row2: list[str]) -> list[Plan]:
    key = slug(text)
    main = [index for index in columns if normalise_label(row2[index]) in _RESPONSE]
    open_ended = [index for index in columns if normalise_label(row2[index]) in _OPEN]
    others = [index for index in columns if is_other_label(row2[index]) and index not in main]
    subs = [index for index in columns if index not in main + open_ended + others]
    plan = Plan(key=key, text=text, labels=True, ticked_label=True)
    if others:
        plan.other_column, plan.other_heading = others[0], f"{text} – {row2[others[0]]}"
        plan.choice = True
    plans = [plan]
    if subs:
        plan.parts = [
            Part(index, f"{text} – {row2[index]}", Choice(slug(row2[index], 30), row2[index]))
            for index in subs
        ]
    elif main:
        plan.column, plan.heading = main[0], text
    elif open_ended:
        plan.column, plan.heading, plan.text_only = open_ended[0], text, True
        open_ended = open_ended[1:]
    elif not others:
        plans = []
    else:  # an "other" column alone: free text
        plan.column, plan.heading, plan.text_only, plan.other_column = others[0], text, True, -1
    for number, index in enumerate(open_ended, start=1):
        comment = f"{key}_comment" if number == 1 else f"{key}_comment_{number}"
        plans.append(
            Plan(key=comment, text=f"{text} – {row2[index]}", column=index, heading=text, text_only=True)
        )
    return plans


# --- Google Forms ---------------------------------------------------------------------------------------------

GOOGLE_TIMESTAMP = ("timestamp", "marca temporal", "marca de tiempo")
GOOGLE_SKIPPED = frozenset(
    {"email address", "direccion de correo electronico", "correo electronico", "score", "puntuacion"}
)


def looks_like_google(table: Table) -> bool:
    return normalise_label(table.headers[0][0]) in GOOGLE_TIMESTAMP


def google_layout(table: Table) -> Layout:
    headings = table.headers[0]
    names = _names(headings)
    timestamp = _find(names, *GOOGLE_TIMESTAMP)
    columns = [
        index
        for index, name in enumerate(names)
        if index != timestamp and name and name not in GOOGLE_SKIPPED
    ]
    plans = _grid_plans(columns, headings, separator=", ", pattern=_GRID)
    return Layout(
        format="google-forms",
        header_rows=1,
        headings=headings,
        plans=plans,
        meta=Meta(time_columns=[timestamp] if timestamp >= 0 else []),
    )


def _grid_plans(
    columns: list[int], headings: list[str], *, separator: str, pattern: re.Pattern[str]
) -> list[Plan]:
    """One plan per question; `Question [Row]` (`Question.Row`) columns of one question are a grid's rows."""
    grids: dict[str, Plan] = {}
    plans: list[Plan] = []
    for index in columns:
        heading = headings[index]
        match = pattern.match(heading)
        if match and _shared(pattern, match["text"], [headings[i] for i in columns]):
            text, row = match["text"], match["row"].strip()
            if text not in grids:
                grids[text] = Plan(
                    key=slug(text), text=text, labels=True, separator=separator, inline_other=True
                )
                plans.append(grids[text])
            grids[text].parts.append(Part(index, heading, Choice(slug(row, 30), row)))
            continue
        plans.append(
            Plan(
                key=slug(heading),
                text=heading,
                column=index,
                heading=heading,
                labels=True,
                separator=separator,
                inline_other=True,
            )
        )
    return plans


def _shared(pattern: re.Pattern[str], text: str, headings: list[str]) -> bool:
    """A grid has two rows or more; one `Question [thing]` alone is a question with brackets in its text."""
    rows = 0
    for heading in headings:
        match = pattern.match(heading)
        rows += bool(match and match["text"] == text)
    return rows >= 2


# --- Microsoft Forms ------------------------------------------------------------------------------------------

MS_META = {
    "id": ("id", "id."),
    "start": ("start time", "hora de inicio"),
    "end": ("completion time", "hora de finalizacion"),
    "email": ("email", "correo electronico"),
    "name": ("name", "nombre"),
    "modified": ("last modified time", "hora de la ultima modificacion"),
    "points": ("total points", "puntos totales"),
    "feedback": ("quiz feedback", "comentarios del cuestionario"),
}
_MS_OF = {name: role for role, names in MS_META.items() for name in names}
_MS_QUIZ = re.compile(r"^(?:points|feedback|puntos|comentarios) - ", re.IGNORECASE)
_LIKERT = re.compile(r"^(?P<text>.*\S)\.(?P<row>[^.]+)$")


def looks_like_ms_forms(table: Table) -> bool:
    roles = {_MS_OF.get(name) for name in _names(table.headers[0])}
    return {"id", "start", "end"} <= roles


def ms_forms_layout(table: Table) -> Layout:
    headings = table.headers[0]
    roles: dict[str, int] = {}
    for index, name in enumerate(_names(headings)):
        role = _MS_OF.get(name)
        if role and role not in roles:
            roles[role] = index
    meta_columns = set(roles.values())
    columns = [
        index
        for index, heading in enumerate(headings)
        if heading and index not in meta_columns and not _MS_QUIZ.match(heading)
    ]
    end = roles.get("end", -1)
    return Layout(
        format="ms-forms",
        header_rows=1,
        headings=headings,
        plans=_grid_plans(columns, headings, separator=";", pattern=_LIKERT),
        meta=Meta(id_column=roles.get("id", -1), time_columns=[end] if end >= 0 else []),
    )

"""LimeSurvey exports: the CSV ("Export responses", `,` or `;`, every field quoted, BOM, CRLF) and the VV file
(tab-separated, human headings on line 1 and field names on line 2).

Headings name a question by its code (`Q2`, `Q2[SQ001]`, `Q2[other]`; VV: `Q2_SQ001` or SGQA
`482615X12X102SQ001`) or by its full text (`Which services? [Parks]`). Sub-question columns sharing a code are
one question: Y/empty cells make a multiple choice, whole numbers a matrix, numbered positions a ranking. An
empty `submitdate` is an incomplete response; `-oth-` is the "Other" choice.
"""

from __future__ import annotations

import re

from civicplan.engagement.answers import Choice
from civicplan.engagement.importers.survey_engine import Layout, Meta, Part, Plan
from civicplan.engagement.importers.survey_model import is_other_label, normalise_label, slug
from civicplan.engagement.importers.survey_tables import Cells, Table

# Response columns, by code or by full heading (English and Spanish exports), compared after normalise_label.
META = {
    "id": ("id", "response id", "id de respuesta", "id respuesta"),
    "submitdate": ("submitdate", "date submitted", "fecha de envio", "fecha envio"),
    "lastpage": ("lastpage", "last page", "ultima pagina"),
    "startlanguage": ("startlanguage", "start language", "idioma inicial", "idioma de inicio"),
    "seed": ("seed", "semilla"),
    "startdate": ("startdate", "date started", "fecha de inicio"),
    "datestamp": ("datestamp", "date last action", "fecha de la ultima accion"),
    "token": ("token", "access code", "codigo de acceso", "clave"),
    "ipaddr": ("ipaddr", "ip address", "direccion ip"),
    "refurl": ("refurl", "referrer url", "url de referencia"),
    "interviewtime": ("interviewtime", "total time", "tiempo total"),
}
_META_OF = {name: role for role, names in META.items() for name in names}
# Exported timings ("interviewtime", "groupTime12", "Q1Time", SGQA + "time"): not answers.
_TIMING = re.compile(r"^(?:interviewtime|groupTime\d+|\d+X\d+X\d+time|[A-Za-z][A-Za-z0-9]*Time)$")
_CODE_HEADING = re.compile(r"^(?P<code>[A-Za-z][A-Za-z0-9_]*)(?:\[(?P<sub>[^\[\]]*)\])?$")
_TEXT_HEADING = re.compile(r"^(?P<text>.*?\S)\s*\[(?P<sub>[^\[\]]+)\]$")
_SGQA = re.compile(r"^(?P<code>\d+X\d+X\d+)(?P<sub>.*)$")
_VV_CODE = re.compile(r"^(?P<code>[A-Za-z][A-Za-z0-9]*)(?:_(?P<sub>.+))?$")
_VV_ESCAPES = {"{lbrace}": "{", "{newline}": "\n", "{cr}": "\r", "{tab}": "\t", "{quote}": '"'}
_VV_ESCAPE = re.compile(r"\{(?:lbrace|newline|cr|tab|quote)\}")
NOT_SHOWN = "{question_not_shown}"
OTHER_VALUES = frozenset({"-oth-"})
# Written as submitdate when the survey does not record dates: submitted, time unknown.
NO_TIME = frozenset({"1980-01-01 00:00:00", "1980-01-01 00:00"})


def meta_roles(headings: list[str]) -> dict[str, int]:
    roles: dict[str, int] = {}
    for index, heading in enumerate(headings):
        role = _META_OF.get(normalise_label(heading))
        if role and role not in roles:
            roles[role] = index
    return roles


def looks_like_csv(headings: list[str]) -> bool:
    roles = meta_roles(headings)
    return "id" in roles and ("submitdate" in roles or "startlanguage" in roles or "lastpage" in roles)


def looks_like_vv(table: Table) -> bool:
    return table.delimiter == "\t" and len(table.headers) >= 2 and looks_like_csv(table.headers[1])


# --- The CSV --------------------------------------------------------------------------------------------------


def csv_layout(table: Table) -> Layout:
    headings = table.headers[0]
    roles = meta_roles(headings)
    meta_columns = set(roles.values())
    questions = [
        (index, heading) for index, heading in enumerate(headings) if index not in meta_columns and heading
    ]
    questions = [(index, heading) for index, heading in questions if not _TIMING.match(heading)]
    by_code = all(_CODE_HEADING.match(heading) for _index, heading in questions)
    entries = []
    for index, heading in questions:
        if by_code:
            match = _CODE_HEADING.match(heading)
            assert match is not None
            code, sub = match["code"], match["sub"]
            entries.append(_Entry(index, heading, code, code, sub, sub or ""))
        else:
            entries.append(_text_entry(index, heading))
    plans = _plans(entries, labels=not by_code)
    return Layout(
        format="limesurvey-csv",
        header_rows=1,
        headings=headings,
        plans=plans,
        meta=_meta(roles),
        formula_apostrophes=True,
    )


class _Entry:
    """One question column: its question's key and text, and the sub-question (code and label) it holds."""

    __slots__ = ("code", "heading", "index", "sub", "sub_label", "text")

    def __init__(
        self, index: int, heading: str, code: str, text: str, sub: str | None, sub_label: str
    ) -> None:
        self.index, self.heading, self.code, self.text = index, heading, code, text
        self.sub, self.sub_label = sub, sub_label


def _text_entry(index: int, heading: str) -> _Entry:
    match = _TEXT_HEADING.match(heading)
    if not match:
        return _Entry(index, heading, slug(heading), heading, None, "")
    text, sub = match["text"], match["sub"].strip()
    if is_other_label(sub):
        return _Entry(index, heading, slug(text), text, "other", sub)
    if normalise_label(sub) in ("comment", "comentario", "comments", "comentarios"):
        return _Entry(index, heading, slug(text), text, "comment", sub)
    return _Entry(index, heading, slug(text), text, slug(sub, 20), sub)


def _plans(entries: list[_Entry], *, labels: bool) -> list[Plan]:
    """Columns sharing a code make one question; `[other]` is its "other" text, `[comment]` columns are free
    text questions of their own (`Q1_comment`)."""
    grouped: dict[str, list[_Entry]] = {}
    for entry in entries:
        grouped.setdefault(entry.code, []).append(entry)
    plans = []
    for code, members in grouped.items():
        base = next((entry for entry in members if entry.sub in (None, "")), None)
        other = next((entry for entry in members if (entry.sub or "").lower() == "other"), None)
        comments = [entry for entry in members if (entry.sub or "").lower().endswith("comment")]
        subs = [entry for entry in members if entry not in (base, other) and entry not in comments]
        text = members[0].text
        plan = Plan(key=code, text=text, labels=labels, other_values=OTHER_VALUES)
        if other is not None:
            plan.other_column, plan.other_heading = other.index, other.heading
        if subs:
            plan.parts = [
                Part(entry.index, entry.heading, Choice(entry.sub or "", entry.sub_label or entry.sub or ""))
                for entry in subs
            ]
            plans.append(plan)
            if base is not None:
                plans.append(Plan(key=f"{code}_main", text=text, column=base.index, heading=base.heading))
        elif base is not None:
            plan.column, plan.heading = base.index, base.heading
            plan.choice = other is not None
            plans.append(plan)
        elif other is not None:  # an "other" column alone is just text
            plans.append(Plan(key=code, text=text, column=other.index, heading=other.heading, text_only=True))
        for entry in comments:
            key = f"{code}_{(entry.sub or 'comment').lower()}"
            plans.append(
                Plan(key=key, text=entry.heading, column=entry.index, heading=entry.heading, text_only=True)
            )
    return plans


def _meta(roles: dict[str, int]) -> Meta:
    submitted = roles.get("submitdate", -1)

    def partial(cells: Cells) -> bool:
        return submitted >= 0 and not cells[submitted]

    return Meta(
        id_column=roles.get("id", -1),
        time_columns=[submitted] if submitted >= 0 else [],
        language_column=roles.get("startlanguage", -1),
        partial=partial,
        no_time=NO_TIME,
    )


# --- The VV file ----------------------------------------------------------------------------------------------


def vv_layout(table: Table) -> Layout:
    """Line 2 names the fields (codes or SGQA), line 1 gives the texts a person reads."""
    human, fields = table.headers[0], table.headers[1]
    roles = meta_roles(fields)
    meta_columns = set(roles.values())
    entries = []
    for index, name in enumerate(fields):
        if index in meta_columns or not name or _TIMING.match(name):
            continue
        match = _SGQA.match(name) or _VV_CODE.match(name)
        text_match = _TEXT_HEADING.match(human[index])
        text = text_match["text"] if text_match else (human[index] or name)
        sub_label = text_match["sub"].strip() if text_match else ""
        if match is None:
            entries.append(_Entry(index, human[index] or name, slug(name), text, None, ""))
            continue
        sub = match["sub"] or None
        entries.append(_Entry(index, human[index] or name, match["code"], text, sub, sub_label or sub or ""))
    return Layout(
        format="limesurvey-vv",
        header_rows=2,
        headings=[human[index] or fields[index] for index in range(table.width)],
        plans=_plans(entries, labels=False),
        meta=_meta(roles),
        cell_filter=vv_cells,
    )


def vv_cells(cells: Cells) -> Cells:
    """`{question_not_shown}` is no answer at all; `{newline}` and friends are the characters they stand for."""
    return [_vv_value(cell) if "{" in cell else cell for cell in cells]


def _vv_value(cell: str) -> str:
    if cell == NOT_SHOWN:
        return ""
    return _VV_ESCAPE.sub(lambda match: _VV_ESCAPES[match[0]], cell).strip()

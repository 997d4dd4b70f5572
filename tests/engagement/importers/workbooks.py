"""Workbooks for the XLSX formats, built with openpyxl as the tools write them (a binary fixture could not be
read or reviewed): KoboToolbox's XLSX export (the columns of files/kobo.csv), SurveyMonkey's XLSX (files/
surveymonkey.csv), a Microsoft Forms export with real date cells, and a bilingual KoboToolbox XLSForm."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl

FILES = Path(__file__).resolve().parent.parent / "files"


def workbook(rows: list[list[Any]], title: str = "Sheet1") -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows():
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # the tools write `=SUM(A1)` answers as text cells, not formulas
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_rows(name: str, delimiter: str = ",") -> list[list[str]]:
    text = (FILES / name).read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def kobo_xlsx() -> bytes:
    """Kobo names the sheet after the form; numbers are numbers in a workbook, not text."""
    rows: list[list[Any]] = csv_rows("kobo.csv", ";")
    header = rows[0]
    numeric = {header.index(name) for name in ("satisfaccion", "_id", "_index")}
    for row in rows[1:]:
        for index in numeric:
            row[index] = int(row[index]) if row[index] else None
    return workbook(rows, title="Encuesta de servicios")


def surveymonkey_xlsx() -> bytes:
    return workbook(csv_rows("surveymonkey.csv"), title="Sheet")


MS_FORMS_HEADER = [
    "ID",
    "Email",
    "Start time",
    "Completion time",
    "Name",
    "Last modified time",
    "¿En qué barrio vive?",
    "¿Qué servicios usa?",
    "Califique.Parques",
    "Califique.Calles",
    "¿Qué tan satisfecho está?",
    "Ordene sus prioridades",
    "Comentarios",
]


def ms_forms_xlsx() -> bytes:
    """Metadata shuffled (Email before the times), answers with `;` after each label, a Likert question as
    `Question.Row` columns, a ranking, real datetime cells; row 7 repeats ID 4; row 4 rates "abc"."""
    at = dt.datetime
    rows: list[list[Any]] = [
        MS_FORMS_HEADER,
        [1, "anonymous", at(2026, 3, 14, 19, 1), at(2026, 3, 14, 19, 5, 12), "", None, "Centro",
         "Parques;Transporte;", 4, 5, 5, "Parques;Calles;Seguridad;", "Me encantan 🌳\nlos parques"],
        [2, "anonymous", at(2026, 3, 14, 20, 0), at(2026, 3, 14, 20, 4), "", None, "Barrio Santa Fé",
         "Bibliotecas;Huertos comunitarios;", 2, 3, 4, "Calles;Parques;Seguridad;", "=SUM(A1)"],
        [3, "anonymous", at(2026, 3, 15, 9, 0), at(2026, 3, 15, 9, 2), "", None, "Norte",
         "Parques;", 5, None, "abc", "Seguridad;Parques;Calles;", None],
        [4, "anonymous", at(2026, 3, 15, 10, 0), at(2026, 3, 15, 10, 3), "", None, "Norte",
         "Parques;Bibliotecas;", 3, 3, 3, "Parques;Calles;Seguridad;", "Más buses"],
        [5, "anonymous", at(2026, 3, 16, 11, 0), at(2026, 3, 16, 11, 4), "", None, "Centro",
         "Transporte;Bibliotecas;", 1, 2, 2, "Calles;Seguridad;Parques;", "Sin comentarios"],
        [4, "anonymous", at(2026, 3, 15, 10, 0), at(2026, 3, 15, 10, 3), "", None, "Norte",
         "Parques;Bibliotecas;", 3, 3, 3, "Parques;Calles;Seguridad;", "Más buses"],
    ]  # fmt: skip
    return workbook(rows, title="Form1")


def xlsform() -> bytes:
    """A bilingual KoboToolbox form: groups, a select_one with "other", a select_multiple with its `_other`
    text, a table-list of ratings, a rating, a count, a multi-line text, a ranking, and what is not a question
    (metadata, a note, a calculation)."""
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    for row in [
        ["type", "name", "label::English (en)", "label::Español (es)", "required", "appearance", "relevant"],
        ["start", "start"],
        ["end", "end"],
        ["begin_group", "datos", "About you", "Sobre usted"],
        [
            "select_one barrios",
            "barrio",
            "Which neighbourhood do you live in?",
            "¿En qué barrio vive?",
            "yes",
        ],
        ["end_group"],
        ["select_multiple servicios", "servicios", "Which services do you use?", "¿Qué servicios usa?"],
        [
            "text",
            "servicios_other",
            "Other service",
            "Otro servicio",
            "",
            "",
            "selected(${servicios}, 'other')",
        ],
        ["begin_group", "calificacion", "Rate the services", "Califique los servicios", "", "table-list"],
        ["select_one escala", "parques", "Parks", "Parques", "yes"],
        ["select_one escala", "calles", "Streets", "Calles"],
        ["end_group"],
        ["select_one escala", "satisfaccion", "Overall satisfaction", "Satisfacción general", "yes"],
        ["integer", "personas", "How many people live in your home?", "¿Cuántas personas viven en su hogar?"],
        ["text", "comentario", "Comments", "Comentarios", "", "multiline"],
        ["note", "gracias", "Thank you!", "¡Gracias!"],
        ["calculate", "puntos"],
        ["rank prioridades", "prioridades", "Rank your priorities", "Ordene sus prioridades"],
    ]:
        survey.append(row)
    choices = book.create_sheet("choices")
    for row in [
        ["list_name", "name", "label::English (en)", "label::Español (es)"],
        ["barrios", "centro", "Downtown", "Centro"],
        ["barrios", "norte", "North", "Norte"],
        ["barrios", "other", "Other", "Otro"],
        ["servicios", "parques", "Parks", "Parques"],
        ["servicios", "bibliotecas", "Libraries", "Bibliotecas"],
        ["servicios", "transporte", "Transport", "Transporte"],
        ["servicios", "other", "Other", "Otro"],
        ["escala", "1", "Very poor", "Muy malo"],
        ["escala", "2", "Poor", "Malo"],
        ["escala", "3", "Fair", "Regular"],
        ["escala", "4", "Good", "Bueno"],
        ["escala", "5", "Very good", "Muy bueno"],
        ["prioridades", "vivienda", "Housing", "Vivienda"],
        ["prioridades", "transporte", "Transport", "Transporte"],
    ]:
        choices.append(row)
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "default_language"])
    settings.append(["Encuesta de servicios 2026", "servicios_2026", "English (en)"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

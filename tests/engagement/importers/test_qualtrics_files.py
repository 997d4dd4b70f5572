"""Qualtrics CSV exports (files/qualtrics.csv: three header rows, numeric recodes, a preview and a test-status
row, a partial response, a duplicate response id, an "other" text, a matrix, a comma-joined multiple choice)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest

from civicplan.engagement.answers import OTHER, QuestionKind
from civicplan.engagement.importers.survey_files import parse_survey_file
from tests.engagement.importers.workbooks import FILES

K = QuestionKind


def _parsed():
    return parse_survey_file((FILES / "qualtrics.csv").read_bytes(), "Encuesta+de+servicios_March+16.csv")


def _by_row(parsed):
    return {response.row: response for response in parsed.responses}


def test_it_reads_questions_from_the_three_header_rows():
    parsed = _parsed()
    questions = {q.key: q for q in parsed.questions}

    assert [(q.key, q.kind) for q in parsed.questions] == [
        ("Q1", K.SINGLE),  # recodes, with Q1_4_TEXT: choice 4 is "Other"
        ("Q2", K.MULTIPLE),  # "1,3": one comma-joined cell
        ("Q3", K.MATRIX),
        ("Q4", K.RATING),
        ("Q5", K.LONG_TEXT),  # ImportId QID5_TEXT
    ]
    assert questions["Q1"].text == "¿En qué barrio vive?"  # " - Selected Choice" left out
    assert [c.code for c in questions["Q1"].options] == ["1", "2", "3"] and questions["Q1"].allows_other
    assert [(c.code, c.label) for c in questions["Q3"].rows] == [
        ("1", "Parques"),
        ("2", "Calles"),
        ("3", "Seguridad"),
    ]
    assert questions["Q3"].text == "Califique los servicios"
    assert (questions["Q4"].scale_min, questions["Q4"].scale_max) == (0, 10)


def test_it_leaves_previews_and_tests_out_and_flags_partials():
    parsed = _parsed()
    rows = _by_row(parsed)

    assert parsed.previews_skipped == [4, 8]  # Status 1, and Status "Survey Preview"
    assert sorted(rows) == [5, 6, 7, 9, 10, 11]  # data starts on row 4, after three header rows
    assert rows[7].partial and not rows[5].partial  # Finished 0
    assert rows[5].language == "es" and rows[9].language == "es" and rows[6].language == "en"


def test_it_gives_answers_in_the_contract_shapes():
    rows = _by_row(_parsed())

    assert rows[5].answers == {
        "Q1": "1",
        "Q2": ["1", "3"],
        "Q3": {"1": 4, "2": 5, "3": 3},
        "Q4": 9,
        "Q5": "Me encantan los parques 🌳\nPero faltan bancos y sombra.",
    }
    assert rows[6].answers["Q1"] == OTHER and rows[6].answers["Q1:other"] == "Barrio Santa Fé"
    assert rows[6].answers["Q5"] == "=SUM(A1)"
    assert rows[11].answers["Q4"] == 0  # 0 is on a 0..10 scale


def test_it_reads_dates_in_the_time_zone_the_header_names():
    rows = _by_row(_parsed())
    try:
        ZoneInfo("America/Los_Angeles")
    except ZoneInfoNotFoundError:
        pytest.skip("this machine has no time zone database")

    assert rows[5].submitted_at == datetime(2026, 3, 14, 19, 10, 12, tzinfo=UTC)  # 12:10:12 PDT


def test_it_lists_duplicates_and_reports_bad_values_by_row():
    parsed = _parsed()

    assert parsed.duplicates == [(10, 6)]
    assert [(p.row, p.column) for p in parsed.problems] == [(9, "Q3_3"), (9, "RecordedDate")]
    assert "no es una fecha" in parsed.problems[1].message


def test_it_reads_a_legacy_export_with_v1_to_v10_and_choice_texts():
    ids = "V1,V2,V3,V4,V5,V6,V7,V8,V9,V10,Q1,Q2_1,Q2_2,Q2_3"
    texts = (
        "ResponseID,ResponseSet,Name,ExternalDataReference,EmailAddress,IPAddress,Status,StartDate,EndDate,"
        "Finished,¿Barrio?,¿Qué usa?-Parques,¿Qué usa?-Bibliotecas,¿Qué usa?-Transporte"
    )
    rows = [
        "R_1,Default Response Set,Anonymous,,,203.0.113.1,0,2026-03-14 12:00:00,2026-03-14 12:05:00,1,Centro,1,,1",
        "R_2,Default Response Set,Anonymous,,,203.0.113.2,1,2026-03-14 12:10:00,2026-03-14 12:15:00,1,Norte,,1,",
        "R_3,Default Response Set,Anonymous,,,203.0.113.3,0,2026-03-14 12:20:00,2026-03-14 12:25:00,0,Centro,,1,",
        "R_4,Default Response Set,Anonymous,,,203.0.113.4,0,2026-03-14 12:30:00,2026-03-14 12:35:00,1,Norte,1,1,",
    ]
    data = "\r\n".join([ids, texts, *rows]).encode() + b"\r\n"

    parsed = parse_survey_file(data, "legacy.csv")

    assert parsed.format == "qualtrics"
    assert parsed.previews_skipped == [4]  # V7 Status 1
    assert [(r.row, r.external_id, r.partial) for r in parsed.responses] == [
        (3, "R_1", False),
        (5, "R_3", True),
        (6, "R_4", False),
    ]
    barrio, usa = parsed.questions
    assert (barrio.kind, [c.code for c in barrio.options]) == (K.SINGLE, ["centro", "norte"])
    assert (usa.kind, [c.label for c in usa.options]) == (
        K.MULTIPLE,
        ["Parques", "Bibliotecas", "Transporte"],
    )
    assert parsed.responses[0].answers == {"Q1": "centro", "Q2": ["1", "3"]}

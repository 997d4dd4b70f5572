"""LimeSurvey exports: the CSV (files/limesurvey.csv: `;`, every field quoted, BOM, CRLF, question codes as
headings) and the VV file (files/limesurvey.vv.txt: tabs, SGQA field names, escapes)."""

from __future__ import annotations

from datetime import UTC, datetime

from civicplan.engagement.answers import Choice, QuestionKind
from civicplan.engagement.importers.survey_files import parse_survey_file
from tests.engagement.importers.workbooks import FILES

K = QuestionKind


def _csv():
    return parse_survey_file((FILES / "limesurvey.csv").read_bytes(), "results-survey482615.csv")


def _by_row(parsed):
    return {response.row: response for response in parsed.responses}


def test_it_finds_each_question_with_its_kind_from_the_code_headings():
    parsed = _csv()
    questions = {q.key: q for q in parsed.questions}

    assert [(q.key, q.kind) for q in parsed.questions] == [
        ("Q1", K.SINGLE),  # codes A1.. with an [other] column
        ("Q2", K.MULTIPLE),  # Y / empty sub-question columns
        ("Q3", K.MATRIX),  # sub-questions holding whole numbers
        ("Q4", K.RATING),  # whole numbers 1..5 (one "abc")
        ("Q5", K.LONG_TEXT),  # a line break
        ("Q6", K.NUMBER),  # 120.50, 1,200
        ("Q7", K.RANKING),  # Q7[1]..Q7[3] hold option codes
    ]
    assert questions["Q1"].options == [Choice("A1", "A1"), Choice("A2", "A2"), Choice("A3", "A3")]
    assert questions["Q1"].allows_other and questions["Q1"].columns == ["Q1", "Q1[other]"]
    assert [c.code for c in questions["Q2"].options] == ["SQ001", "SQ002", "SQ003"]
    assert questions["Q2"].allows_other and questions["Q2"].value_columns["SQ002"] == "Q2[SQ002]"
    assert [c.code for c in questions["Q3"].rows] == ["SQ001", "SQ002", "SQ003"]
    assert (questions["Q3"].scale_min, questions["Q3"].scale_max) == (1, 5)
    assert (questions["Q4"].scale_min, questions["Q4"].scale_max) == (1, 5)


def test_it_gives_answers_in_the_contract_shapes():
    rows = _by_row(_csv())

    assert rows[2].answers == {
        "Q1": "A1",
        "Q2": ["SQ001", "SQ003"],
        "Q3": {"SQ001": 4, "SQ002": 5, "SQ003": 3},
        "Q4": 5,
        "Q5": "Me encantan los parques 🌳\nPero faltan bancos y sombra.",
        "Q6": "120.50",
        "Q7": ["A2", "A1", "A3"],
    }
    assert rows[5].answers["Q6"] == "1200"  # "1,200" as a locale-free number
    assert "Q4" not in rows[5].answers  # "abc" is a problem, not an answer


def test_it_reads_other_choices_and_their_texts():
    answers = _by_row(_csv())[3].answers

    assert answers["Q1"] == "other" and answers["Q1:other"] == "Barrio Santa Fé"  # -oth-
    assert answers["Q2"] == ["SQ002", "other"] and answers["Q2:other"] == "Biblioteca móvil 📚"


def test_it_strips_the_apostrophe_limesurvey_puts_before_formula_looking_text():
    assert _by_row(_csv())[3].answers["Q5"] == "=SUM(A1)"


def test_it_reads_the_response_columns():
    rows = _by_row(_csv())

    assert (rows[2].external_id, rows[2].language, rows[2].partial) == ("1", "es", False)
    assert rows[2].submitted_at == datetime(2026, 3, 14, 19, 5, 12, tzinfo=UTC)
    assert rows[3].language == "en"
    # An empty submitdate: an incomplete response, kept and flagged, never submitted.
    assert (rows[4].partial, rows[4].submitted_at) == (True, None)
    assert rows[4].answers == {"Q1": "A2", "Q2": ["SQ001"], "Q3": {"SQ001": 5}, "Q7": ["A3"]}
    # 1980-01-01 is what LimeSurvey writes when the survey keeps no dates: submitted, time unknown.
    assert (rows[9].partial, rows[9].submitted_at) == (False, None)


def test_it_lists_the_same_response_id_twice_as_a_duplicate_and_keeps_both():
    parsed = _csv()

    assert parsed.duplicates == [(7, 3)]
    assert {3, 7} <= {response.row for response in parsed.responses}
    rows = _by_row(parsed)
    assert rows[7].fingerprint == rows[3].fingerprint != rows[2].fingerprint


def test_it_reports_malformed_values_by_the_row_a_person_sees():
    problems = _csv().problems

    assert [(p.row, p.column) for p in problems] == [(5, "Q4"), (8, "submitdate")]
    assert problems[0].message == "Row 5, column “Q4”: “abc” is not a whole number from 1 to 5."
    assert "2026-13-45 10:00:00" in problems[1].message


def test_it_reads_full_text_headings_and_answer_texts_with_commas():
    text = (
        '"Response ID","Date submitted","Last page","Start language","¿En qué barrio vive?",'
        '"¿En qué barrio vive? [Otro]","¿Qué usa? [Parques]","¿Qué usa? [Bibliotecas]"\r\n'
        '"1","2026-03-14 19:05:12","2","es","Centro","","Sí",""\r\n'
        '"2","2026-03-14 19:06:12","2","es","Centro","","Sí","Sí"\r\n'
        '"3","2026-03-14 19:07:12","2","en","Otro","Las Palmas","","Sí"\r\n'
        '"4","2026-03-14 19:08:12","2","en","Norte","","",""\r\n'
        '"5","2026-03-14 19:09:12","2","en","Norte","","Sí",""\r\n'
    )
    parsed = parse_survey_file(b"\xef\xbb\xbf" + text.encode(), "results.csv")
    barrio, usa = parsed.questions

    assert parsed.format == "limesurvey-csv"
    assert (barrio.key, barrio.kind, barrio.options) == (
        "en_que_barrio_vive",
        K.SINGLE,
        [Choice("centro", "Centro"), Choice("norte", "Norte")],
    )
    assert (usa.kind, [(c.code, c.label) for c in usa.options]) == (
        K.MULTIPLE,
        [("parques", "Parques"), ("bibliotecas", "Bibliotecas")],
    )
    assert parsed.responses[2].answers == {
        "en_que_barrio_vive": "other",
        "en_que_barrio_vive:other": "Las Palmas",
        "que_usa": ["bibliotecas"],
    }


def test_it_reads_a_vv_file_with_its_escapes_and_hidden_questions():
    parsed = parse_survey_file((FILES / "limesurvey.vv.txt").read_bytes(), "vvexport_482615.txt")
    questions = {q.key: q for q in parsed.questions}
    rows = _by_row(parsed)

    assert parsed.format == "limesurvey-vv"
    assert [(q.key, q.kind) for q in parsed.questions] == [
        ("482615X12X101", K.SINGLE),
        ("482615X12X102", K.MULTIPLE),
        ("482615X12X103", K.MATRIX),
        ("482615X12X104", K.LONG_TEXT),
    ]
    assert questions["482615X12X101"].text == "¿En qué barrio vive?"
    assert [(c.code, c.label) for c in questions["482615X12X102"].options] == [
        ("SQ001", "Parques"),
        ("SQ002", "Bibliotecas"),
        ("SQ003", "Transporte"),
    ]
    assert [(c.code, c.label) for c in questions["482615X12X103"].rows] == [
        ("SQ001", "Parques"),
        ("SQ002", "Calles"),
    ]
    assert sorted(rows) == [3, 4, 5, 6, 7]  # two heading lines
    assert rows[3].answers["482615X12X104"] == "Línea uno\nLínea dos 🌳"  # {newline}
    assert rows[4].answers["482615X12X101:other"] == "Barrio {Norte}"  # {lbrace}
    assert rows[4].answers["482615X12X104"] == '"Quoted" and \ttabbed'  # {quote}, {tab}
    assert rows[4].answers["482615X12X103"] == {"SQ001": 3}  # {question_not_shown} is no answer
    assert (rows[5].partial, "482615X12X104" in rows[5].answers) == (True, False)
    assert rows[6].answers["482615X12X104"] == "=SUM(A1)"
    assert not parsed.problems and not parsed.duplicates

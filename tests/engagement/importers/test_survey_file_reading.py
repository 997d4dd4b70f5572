"""Which tool wrote a survey file, and the files refused as a whole: empty, a web page, binary, not UTF-8, too
big. Plus what every format shares: delimiters, line endings, repeatable results."""

from __future__ import annotations

import io
import zipfile

import pytest

from civicplan.engagement.importers import survey_tables
from civicplan.engagement.importers.survey_files import (
    FORMATS,
    SurveyFileError,
    detect_format,
    parse_survey_file,
)
from tests.engagement.importers.workbooks import (
    FILES,
    kobo_xlsx,
    ms_forms_xlsx,
    surveymonkey_xlsx,
    workbook,
    xlsform,
)

FIXTURES = {
    "limesurvey.csv": "limesurvey-csv",
    "limesurvey.vv.txt": "limesurvey-vv",
    "kobo.csv": "kobo-csv",
    "qualtrics.csv": "qualtrics",
    "surveymonkey.csv": "surveymonkey",
    "google_forms.csv": "google-forms",
}


@pytest.mark.parametrize(("name", "expected"), FIXTURES.items())
def test_it_detects_each_text_format_by_its_headings(name, expected):
    data = (FILES / name).read_bytes()

    assert detect_format(data, name) == expected
    assert detect_format(data, "export.txt") == expected  # the name is no evidence
    assert parse_survey_file(data, name).format == expected


def test_it_detects_each_workbook_format():
    assert detect_format(kobo_xlsx(), "kobo.xlsx") == "kobo-xlsx"
    assert detect_format(surveymonkey_xlsx(), "monkey.xlsx") == "surveymonkey"
    assert detect_format(ms_forms_xlsx(), "Form1.xlsx") == "ms-forms"
    assert detect_format(ms_forms_xlsx(), "renamed.csv") == "ms-forms"  # a workbook by its bytes


def test_every_format_has_a_fixture_or_a_workbook():
    covered = set(FIXTURES.values()) | {"kobo-xlsx", "ms-forms"}
    assert covered == set(FORMATS)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"  \r\n\r\n", "empty"),
        (b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>Log in</body></html>", "web page"),
        (b"\n\n<html lang='en'><body>Session expired</body></html>", "web page"),
        (b"id,submitdate\x00\x01\x02", "NUL"),
        (b"Timestamp,Question\r\n2026/03/14 7:05:12 PM GMT-7,Caf\xe9\r\n", "UTF-8"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, ".xls"),
        (b"name,age\r\nAna,34\r\n", "not recognised"),
    ],
)
def test_it_refuses_files_that_are_no_survey_export_in_plain_words(data, words):
    with pytest.raises(SurveyFileError) as refused:
        parse_survey_file(data, "export.csv")

    assert words in str(refused.value)


def test_it_refuses_a_damaged_workbook_and_a_zip_that_is_no_workbook():
    with pytest.raises(SurveyFileError):
        parse_survey_file(b"PK\x03\x04 this is not really a zip", "export.xlsx")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(SurveyFileError, match="not an Excel workbook"):
        parse_survey_file(buffer.getvalue(), "export.xlsx")


def test_it_refuses_a_form_definition_offered_as_responses():
    with pytest.raises(SurveyFileError, match="XLSForm"):
        parse_survey_file(xlsform(), "form.xlsx")


def test_it_refuses_more_than_500_columns():
    heading = ",".join(["Timestamp", *[f"Question {n}" for n in range(1, 501)]])
    data = f"{heading}\r\n2026/03/14 7:05:12 PM GMT-7{',x' * 500}\r\n".encode()

    with pytest.raises(SurveyFileError, match="501 columns"):
        parse_survey_file(data, "form.csv")
    with pytest.raises(SurveyFileError, match="at most 500"):
        parse_survey_file(workbook([["ID", "Start time", "Completion time", *range(498)]]), "wide.xlsx")


def test_it_refuses_more_rows_than_the_limit(monkeypatch):
    monkeypatch.setattr(survey_tables, "MAX_ROWS", 3)
    rows = "".join(f"2026/03/14 7:0{n}:00 PM GMT-7,Centro\r\n" for n in range(4))
    data = f"Timestamp,Barrio\r\n{rows}".encode()

    with pytest.raises(SurveyFileError, match="more than 3 responses"):
        parse_survey_file(data, "form.csv")
    parse_survey_file(data.rsplit(b"2026", 1)[0], "form.csv")  # 3 responses are fine


def test_the_real_limits_are_200000_rows_and_500_columns():
    assert (survey_tables.MAX_ROWS, survey_tables.MAX_COLUMNS) == (200_000, 500)


def test_it_names_the_formats_it_reads_when_it_recognises_none():
    with pytest.raises(SurveyFileError) as refused:
        detect_format(b"a;b;c\r\n1;2;3\r\n", "data.csv")

    message = str(refused.value)
    assert all(
        tool in message for tool in ("LimeSurvey", "KoboToolbox", "Qualtrics", "SurveyMonkey", "Google Forms")
    )


def test_it_refuses_a_format_the_file_is_not():
    data = (FILES / "google_forms.csv").read_bytes()

    with pytest.raises(SurveyFileError, match="qualtrics"):
        parse_survey_file(data, "form.csv", "qualtrics")
    with pytest.raises(ValueError, match="Unknown survey file format"):
        parse_survey_file(data, "form.csv", "typeform")


@pytest.mark.parametrize("name", [*FIXTURES])
def test_parsing_the_same_bytes_twice_gives_equal_results(name):
    data = (FILES / name).read_bytes()

    assert parse_survey_file(data, name) == parse_survey_file(data, name)


def test_parsing_the_same_workbook_twice_gives_equal_results():
    data = ms_forms_xlsx()

    assert parse_survey_file(data, "f.xlsx") == parse_survey_file(data, "f.xlsx")


def _google(delimiter: str, newline: str, bom: bool) -> bytes:
    rows = [
        ["Timestamp", "¿Qué opina?", "Puntuación del parque"],
        ["3/14/2026 19:05:12", 'Me gusta; "mucho"', "4"],
        ["3/14/2026 19:06:12", "Línea uno\nLínea dos", "5"],
    ]
    lines = []
    for row in rows:
        lines.append(delimiter.join('"' + cell.replace('"', '""') + '"' for cell in row))
    text = newline.join(lines) + newline
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_it_reads_any_delimiter_and_line_ending_with_or_without_a_bom(delimiter, newline):
    for bom in (True, False):
        parsed = parse_survey_file(_google(delimiter, newline, bom), "form.csv")

        assert [q.key for q in parsed.questions] == ["que_opina", "puntuacion_del_parque"]
        assert [r.answers for r in parsed.responses] == [
            {"que_opina": 'Me gusta; "mucho"', "puntuacion_del_parque": 4},
            {"que_opina": "Línea uno\nLínea dos", "puntuacion_del_parque": 5},
        ]
        assert [r.row for r in parsed.responses] == [2, 3]  # a multi-line cell is still one spreadsheet row


def test_a_row_longer_than_its_headings_is_a_problem_of_that_row():
    data = b"Timestamp,Barrio\r\n3/14/2026 19:05:12,Centro\r\n3/14/2026 19:06:12,Norte,shifted\r\n"

    parsed = parse_survey_file(data, "form.csv")

    assert [(p.row, "right of the last heading" in p.message) for p in parsed.problems] == [(3, True)]

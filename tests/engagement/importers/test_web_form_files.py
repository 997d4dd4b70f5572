"""The label-only tools: SurveyMonkey (files/surveymonkey.csv and its XLSX), Google Forms (files/google_forms.csv)
and Microsoft Forms (an XLSX built in workbooks.py). Options get codes made from their labels."""

from __future__ import annotations

from datetime import UTC, datetime

from civicplan.engagement.answers import OTHER, Choice, QuestionKind
from civicplan.engagement.importers.survey_files import parse_survey_file
from tests.engagement.importers.workbooks import FILES, ms_forms_xlsx, surveymonkey_xlsx

K = QuestionKind


def _by_row(parsed):
    return {response.row: response for response in parsed.responses}


# --- SurveyMonkey ---------------------------------------------------------------------------------------------


def _monkey():
    return parse_survey_file((FILES / "surveymonkey.csv").read_bytes(), "Data_All_260316.csv")


def test_it_reads_surveymonkey_questions_from_its_two_header_rows():
    parsed = _monkey()
    questions = {q.key: q for q in parsed.questions}

    assert [(q.key, q.kind) for q in parsed.questions] == [
        ("en_que_barrio_vive", K.SINGLE),  # Response + Other (please specify)
        ("que_servicios_usa", K.MULTIPLE),  # a column per option holding its label when ticked
        ("califique_los_servicios", K.MATRIX),  # a column per row holding a number
        ("que_tan_satisfecho_esta", K.RATING),
        ("comentarios", K.LONG_TEXT),  # Open-Ended Response
    ]
    assert questions["en_que_barrio_vive"].options == [Choice("centro", "Centro"), Choice("norte", "Norte")]
    assert questions["que_servicios_usa"].options == [
        Choice("parques", "Parques"),
        Choice("bibliotecas", "Bibliotecas"),
        Choice("transporte", "Transporte"),
    ]
    assert questions["que_servicios_usa"].value_columns["bibliotecas"] == "¿Qué servicios usa? – Bibliotecas"
    assert [c.label for c in questions["califique_los_servicios"].rows] == ["Parques", "Calles", "Seguridad"]


def test_it_reads_surveymonkey_answers_ids_and_dates():
    rows = _by_row(_monkey())

    assert sorted(rows) == [3, 4, 5, 6, 7, 8]  # two header rows
    assert rows[3].answers == {
        "en_que_barrio_vive": "centro",
        "que_servicios_usa": ["parques", "transporte"],
        "califique_los_servicios": {"parques": 4, "calles": 5, "seguridad": 3},
        "que_tan_satisfecho_esta": 5,
        "comentarios": "Me encantan los parques 🌳\nPero faltan bancos y sombra.",
    }
    assert rows[3].external_id == "114217082341"
    assert rows[3].submitted_at == datetime(2026, 3, 14, 19, 5, 12, tzinfo=UTC)  # End Date, 07:05:12 PM
    other = rows[4].answers
    assert (other["en_que_barrio_vive"], other["en_que_barrio_vive:other"]) == (OTHER, "Barrio Santa Fé")
    assert (other["que_servicios_usa"], other["que_servicios_usa:other"]) == (
        ["bibliotecas", OTHER],
        "Huertos 🌱",
    )
    assert other["comentarios"] == "=SUM(A1)"


def test_it_lists_surveymonkey_duplicates_and_problems_by_row():
    parsed = _monkey()

    assert parsed.duplicates == [(7, 4)]
    assert [(p.row, p.column) for p in parsed.problems] == [(5, "¿Qué tan satisfecho está?"), (6, "End Date")]


def test_it_reads_the_surveymonkey_xlsx_export_like_the_csv():
    from_csv, from_xlsx = _monkey(), parse_survey_file(surveymonkey_xlsx(), "Data_All_260316.xlsx")

    assert from_xlsx.format == "surveymonkey"
    assert from_xlsx.questions == from_csv.questions
    assert [r.answers for r in from_xlsx.responses] == [r.answers for r in from_csv.responses]


# --- Google Forms ---------------------------------------------------------------------------------------------


def _google():
    return parse_survey_file((FILES / "google_forms.csv").read_bytes(), "Encuesta (respuestas).csv")


def test_it_reads_google_forms_questions_by_their_text():
    parsed = _google()
    questions = {q.key: q for q in parsed.questions}

    assert [(q.key, q.kind) for q in parsed.questions] == [
        ("en_que_barrio_vive", K.SINGLE),
        ("que_servicios_usa", K.MULTIPLE),  # checkboxes joined with ", "
        ("califique_los_servicios", K.MATRIX),  # Question [Row]
        ("que_tan_satisfecho_esta", K.RATING),
        ("comentarios", K.LONG_TEXT),
    ]
    assert all("Email" not in column for q in parsed.questions for column in q.columns)
    # A label holding ", " is one option: its two halves always come together, in that order.
    assert questions["que_servicios_usa"].options == [
        Choice("parques", "Parques"),
        Choice("bibliotecas_museos", "Bibliotecas, museos"),
        Choice("transporte", "Transporte"),
    ]
    assert questions["en_que_barrio_vive"].allows_other and questions["que_servicios_usa"].allows_other


def test_it_takes_what_no_option_matches_for_the_other_text():
    rows = _by_row(_google())

    assert rows[2].answers["que_servicios_usa"] == ["parques", "bibliotecas_museos"]
    # "Parques, Transporte, Un parque para perros, con árboles": the options first, the rest is "Other".
    assert rows[4].answers["que_servicios_usa"] == ["parques", "transporte", OTHER]
    assert rows[4].answers["que_servicios_usa:other"] == "Un parque para perros, con árboles"
    assert rows[4].answers["en_que_barrio_vive"] == OTHER
    assert rows[4].answers["en_que_barrio_vive:other"] == "Barrio Santa Fé"


def test_it_reads_google_timestamps_with_their_offset_and_finds_duplicates_by_content():
    parsed = _google()
    rows = _by_row(parsed)

    assert rows[2].submitted_at == datetime(2026, 3, 15, 2, 5, 12, tzinfo=UTC)  # 7:05:12 PM GMT-7
    assert rows[2].external_id == "" and rows[2].answers["comentarios"].startswith("Me encantan")
    assert parsed.duplicates == [(7, 6)]  # same answers, same timestamp, no id
    assert rows[7].fingerprint == rows[6].fingerprint
    assert [(p.row, p.column) for p in parsed.problems] == [(8, "Timestamp")]


def test_it_reads_day_first_timestamps_when_the_file_has_a_day_over_12():
    data = (
        "Marca temporal,¿Barrio?\r\n"
        "03/04/2026 10:00:00,Centro\r\n"  # 3 April: the file writes its dates day first
        "14/03/2026 19:05:12,Centro\r\n"
    ).encode()

    first, second = parse_survey_file(data, "respuestas.csv").responses

    assert first.submitted_at == datetime(2026, 4, 3, 10, 0, tzinfo=UTC)
    assert second.submitted_at == datetime(2026, 3, 14, 19, 5, 12, tzinfo=UTC)


# --- Microsoft Forms ------------------------------------------------------------------------------------------


def _ms():
    return parse_survey_file(ms_forms_xlsx(), "Encuesta de servicios(1-6).xlsx")


def test_it_reads_microsoft_forms_questions():
    parsed = _ms()
    questions = {q.key: q for q in parsed.questions}

    assert [(q.key, q.kind) for q in parsed.questions] == [
        ("en_que_barrio_vive", K.SINGLE),
        ("que_servicios_usa", K.MULTIPLE),  # labels each followed by ";"
        ("califique", K.MATRIX),  # Likert rows as Question.Row
        ("que_tan_satisfecho_esta", K.RATING),
        ("ordene_sus_prioridades", K.RANKING),  # the same options in a different order each time
        ("comentarios", K.LONG_TEXT),
    ]
    assert [c.label for c in questions["califique"].rows] == ["Parques", "Calles"]
    assert [c.code for c in questions["que_servicios_usa"].options] == [
        "parques",
        "transporte",
        "bibliotecas",
    ]


def test_it_reads_microsoft_forms_answers_and_dates():
    parsed = _ms()
    rows = _by_row(parsed)

    assert rows[2].answers == {
        "en_que_barrio_vive": "centro",
        "que_servicios_usa": ["parques", "transporte"],
        "califique": {"parques": 4, "calles": 5},
        "que_tan_satisfecho_esta": 5,
        "ordene_sus_prioridades": ["parques", "calles", "seguridad"],
        "comentarios": "Me encantan 🌳\nlos parques",
    }
    assert rows[2].external_id == "1"
    assert rows[2].submitted_at == datetime(2026, 3, 14, 19, 5, 12, tzinfo=UTC)  # Completion time
    assert rows[3].answers["que_servicios_usa"] == ["bibliotecas", OTHER]
    assert rows[3].answers["que_servicios_usa:other"] == "Huertos comunitarios"
    assert rows[3].answers["ordene_sus_prioridades"] == ["calles", "parques", "seguridad"]  # rank order
    assert rows[3].answers["comentarios"] == "=SUM(A1)"
    assert parsed.duplicates == [(7, 5)]
    assert [(p.row, p.column) for p in parsed.problems] == [(4, "¿Qué tan satisfecho está?")]

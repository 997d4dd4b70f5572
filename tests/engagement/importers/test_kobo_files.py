"""KoboToolbox: the CSV export (files/kobo.csv: `;`, fully quoted, group paths, a select_multiple as a summary
column and 1/0 choice columns, metadata in Kobo's shuffled order), the same columns as XLSX, and the form
itself (XLSForm) read into bilingual questions."""

from __future__ import annotations

from datetime import UTC, datetime

from civicplan.engagement.answers import OTHER, Choice, QuestionKind, check_answer
from civicplan.engagement.importers.survey_files import parse_survey_file, parse_xlsform
from tests.engagement.importers.workbooks import FILES, kobo_xlsx, workbook, xlsform

K = QuestionKind


def _csv():
    return parse_survey_file((FILES / "kobo.csv").read_bytes(), "Encuesta_servicios_2026.csv")


def test_it_reads_questions_by_their_xml_names_without_the_group_path():
    parsed = _csv()
    questions = {q.key: q for q in parsed.questions}

    assert [(q.key, q.kind) for q in parsed.questions] == [
        ("barrio", K.SINGLE),
        ("servicios", K.MULTIPLE),
        ("calificacion", K.MATRIX),  # a group of 1..5 ratings: one matrix keyed by the group
        ("satisfaccion", K.RATING),
        ("comentario", K.LONG_TEXT),
    ]
    assert questions["barrio"].columns == ["datos/barrio", "datos/barrio_other"]
    assert questions["barrio"].allows_other
    assert [c.code for c in questions["servicios"].options] == ["parques", "bibliotecas", "transporte"]
    assert questions["servicios"].allows_other  # the `servicios/other` column
    assert "servicios" in questions["servicios"].columns  # the summary column belongs to it, unread
    assert [c.code for c in questions["calificacion"].rows] == ["parques", "calles", "seguridad"]


def test_it_reads_split_choice_columns_and_kobo_other_texts():
    responses = _csv().responses

    assert responses[0].answers == {
        "barrio": "centro",
        "servicios": ["parques", "transporte"],
        "calificacion": {"parques": 4, "calles": 5, "seguridad": 3},
        "satisfaccion": 5,
        "comentario": "Me encantan los parques 🌳\nPero faltan bancos y sombra.",
    }
    second = responses[1].answers
    assert (second["barrio"], second["barrio:other"]) == (OTHER, "Barrio Santa Fé")
    assert (second["servicios"], second["servicios:other"]) == (
        ["bibliotecas", OTHER],
        "Huertos comunitarios 🌱",
    )
    assert second["comentario"] == "=SUM(A1)"  # formula-looking text stays text


def test_it_maps_metadata_by_name_in_any_order():
    first = _csv().responses[0]

    assert first.external_id == "8f1c3a52-0d1e-4a57-9a36-0f0d1a3c0001"  # _uuid, whatever its column
    # _submission_time is UTC without an offset (not `end`, which carries -07:00).
    assert first.submitted_at == datetime(2026, 3, 14, 19, 10, 2, tzinfo=UTC)
    assert (first.language, first.partial) == ("", False)


def test_it_lists_a_resubmitted_uuid_as_a_duplicate_and_reports_bad_values_by_row():
    parsed = _csv()

    assert parsed.duplicates == [(6, 3)]
    assert [(p.row, p.column) for p in parsed.problems] == [
        (4, "calificacion/calles"),
        (5, "_submission_time"),
    ]
    assert parsed.responses[2].answers["calificacion"] == {"parques": 5}


def test_it_reads_the_same_columns_from_an_xlsx_export():
    from_csv, from_xlsx = _csv(), parse_survey_file(kobo_xlsx(), "Encuesta.xlsx")

    assert from_xlsx.format == "kobo-xlsx"
    assert from_xlsx.title == "Encuesta de servicios"  # Kobo names the sheet after the form
    assert [(q.key, q.kind) for q in from_xlsx.questions] == [(q.key, q.kind) for q in from_csv.questions]
    assert [r.answers for r in from_xlsx.responses] == [r.answers for r in from_csv.responses]
    assert from_xlsx.duplicates == from_csv.duplicates


def test_it_reads_a_select_multiple_exported_only_as_its_summary_column():
    rows = [
        ["start", "servicios", "_uuid", "_submission_time"],
        ["2026-03-14T12:00:00-07:00", "parques transporte", "u1", "2026-03-14T19:00:00"],
        ["2026-03-14T12:00:00-07:00", "parques", "u2", "2026-03-14T19:01:00"],
        ["2026-03-14T12:00:00-07:00", "transporte bibliotecas", "u3", "2026-03-14T19:02:00"],
        ["2026-03-14T12:00:00-07:00", "bibliotecas parques", "u4", "2026-03-14T19:03:00"],
    ]
    parsed = parse_survey_file(workbook(rows), "kobo.xlsx")

    (servicios,) = parsed.questions
    assert servicios.kind == K.MULTIPLE
    assert [r.answers["servicios"] for r in parsed.responses] == [
        ["parques", "transporte"],
        ["parques"],
        ["transporte", "bibliotecas"],
        ["parques", "bibliotecas"],  # in the options' order
    ]


def test_it_reads_an_export_with_label_headings():
    text = (
        '"start";"¿En qué barrio vive?";"¿Qué servicios usa?";"¿Qué servicios usa?/Parques";'
        '"¿Qué servicios usa?/Bibliotecas";"_uuid";"_submission_time"\n'
        '"2026-03-14T12:00:00-07:00";"Centro";"Parques Bibliotecas";"1";"1";"u1";"2026-03-14T19:00:00"\n'
        '"2026-03-14T12:01:00-07:00";"Centro";"Parques";"1";"0";"u2";"2026-03-14T19:01:00"\n'
        '"2026-03-14T12:02:00-07:00";"Norte";"Bibliotecas";"0";"1";"u3";"2026-03-14T19:02:00"\n'
        '"2026-03-14T12:03:00-07:00";"Norte";"";"0";"0";"u4";"2026-03-14T19:03:00"\n'
    )
    parsed = parse_survey_file(text.encode(), "labels.csv")
    barrio, servicios = parsed.questions

    assert (barrio.key, barrio.kind, [c.code for c in barrio.options]) == (
        "en_que_barrio_vive",
        K.SINGLE,
        ["centro", "norte"],
    )
    assert (servicios.key, servicios.options) == (
        "que_servicios_usa",
        [Choice("parques", "Parques"), Choice("bibliotecas", "Bibliotecas")],
    )
    assert [r.answers.get("que_servicios_usa") for r in parsed.responses] == [
        ["parques", "bibliotecas"],
        ["parques"],
        ["bibliotecas"],
        None,  # nothing ticked: unanswered, no key
    ]


# --- XLSForm --------------------------------------------------------------------------------------------------


def _form():
    return parse_xlsform(xlsform())


def test_it_reads_an_xlsform_title_and_questions_by_type():
    title, questions = _form()

    assert title == "Encuesta de servicios 2026"
    assert [(q.key, q.kind) for q in questions] == [
        ("barrio", K.SINGLE),
        ("servicios", K.MULTIPLE),  # its `servicios_other` text is its "other", not a question
        ("calificacion", K.MATRIX),  # a table-list of select_one of 1..5
        ("satisfaccion", K.RATING),  # a select_one of 1..5
        ("personas", K.NUMBER),
        ("comentario", K.LONG_TEXT),  # multiline
        ("prioridades", K.RANKING),
    ]


def test_it_returns_spanish_labels_beside_the_english_ones():
    questions = {q.key: q for q in _form()[1]}
    barrio, servicios, matrix = questions["barrio"], questions["servicios"], questions["calificacion"]

    assert (barrio.text, barrio.text_es, barrio.required) == (
        "Which neighbourhood do you live in?",
        "¿En qué barrio vive?",
        True,
    )
    assert barrio.options == [Choice("centro", "Downtown"), Choice("norte", "North")]
    assert barrio.options_es == {"centro": "Centro", "norte": "Norte"}
    assert barrio.allows_other  # the choice named `other` is the contract's OTHER, not an option
    assert servicios.allows_other and [c.code for c in servicios.options] == [
        "parques",
        "bibliotecas",
        "transporte",
    ]
    assert matrix.rows == [Choice("parques", "Parks"), Choice("calles", "Streets")]
    assert matrix.rows_es == {"parques": "Parques", "calles": "Calles"}
    assert (matrix.text_es, matrix.scale_min, matrix.scale_max, matrix.required) == (
        "Califique los servicios",
        1,
        5,
        True,
    )
    assert questions["satisfaccion"].options_es["5"] == "Muy bueno"  # the scale points keep their names


def test_a_question_gives_its_shape_in_either_language_and_its_label_index():
    barrio = {q.key: q for q in _form()[1]}["barrio"]

    spanish = barrio.shape("es")
    assert (spanish.text, [c.label for c in spanish.options]) == ("¿En qué barrio vive?", ["Centro", "Norte"])
    assert [c.label for c in barrio.shape("en").options] == ["Downtown", "North"]
    assert check_answer(spanish, {"barrio": "other", "barrio:other": "Las Palmas"}) is None
    assert check_answer(spanish, {}).message_id == "required"
    assert barrio.label_index() == {
        "downtown": "centro",
        "centro": "centro",
        "north": "norte",
        "norte": "norte",
    }


def test_the_form_and_its_export_share_keys_and_codes():
    form = {q.key: q for q in _form()[1]}
    export = {q.key: q for q in _csv().questions}

    for key in ("barrio", "servicios", "calificacion", "satisfaccion", "comentario"):
        assert form[key].kind == export[key].kind
    assert {c.code for c in export["servicios"].options} <= {c.code for c in form["servicios"].options}
    assert [c.code for c in export["calificacion"].rows][:2] == [c.code for c in form["calificacion"].rows]


def test_a_form_with_one_plain_label_column_uses_the_default_language():
    book = workbook([["type", "name", "label"], ["text", "barrio", "¿Dónde vive?"]], title="survey")
    title, (question,) = parse_xlsform(book)

    assert (title, question.key, question.text, question.text_es, question.kind) == (
        "",
        "barrio",
        "¿Dónde vive?",
        "",
        K.SHORT_TEXT,
    )

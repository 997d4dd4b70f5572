"""remap_answers: a parsed file's answers in a target survey's keys and option codes, matched by code or by label
in English or Spanish, checked with answers.check_answer, with every value that maps to nothing reported by the
row and column a person sees."""

from __future__ import annotations

import pytest

from civicplan.engagement.answers import OTHER, Choice, QuestionKind, QuestionShape
from civicplan.engagement.importers.survey_files import normalise_label, parse_survey_file, remap_answers
from tests.engagement.importers.workbooks import FILES

K = QuestionKind
BARRIOS = (Choice("downtown", "Downtown"), Choice("north", "North"), Choice("south", "South"))
SERVICES = (
    Choice("parks", "Parks"),
    Choice("libraries", "Libraries and museums"),
    Choice("transit", "Transit"),
)
ROWS = (Choice("parks", "Parks"), Choice("streets", "Streets"), Choice("safety", "Safety"))
SPANISH = {
    "barrio": {"Centro": "downtown", "Norte": "north", "Sur": "south", "Downtown": "downtown"},
    "services": {"Parques": "parks", "Bibliotecas, museos": "libraries", "TRANSPORTE": "transit"},
    "rating": {"Parques": "parks", "Calles": "streets", "Seguridad": "safety"},
}


def _targets(*, other: bool = True, required: bool = False) -> dict[str, QuestionShape]:
    return {
        "barrio": QuestionShape(
            "barrio", K.SINGLE, "Neighbourhood", BARRIOS, allows_other=other, required=required
        ),
        "services": QuestionShape("services", K.MULTIPLE, "Services", SERVICES, allows_other=other),
        "rating": QuestionShape("rating", K.MATRIX, "Rate the services", rows=ROWS),
        "overall": QuestionShape("overall", K.RATING, "Overall", scale_min=1, scale_max=5),
        "comments": QuestionShape("comments", K.LONG_TEXT, "Comments"),
    }


def _labels() -> dict[str, dict[str, str]]:
    return {
        key: {normalise_label(label): code for label, code in index.items()} for key, index in SPANISH.items()
    }


GOOGLE_MAPPING = {
    "en_que_barrio_vive": "barrio",
    "que_servicios_usa": "services",
    "califique_los_servicios": "rating",
    "que_tan_satisfecho_esta": "overall",
    "comentarios": "comments",
}


def _google():
    return parse_survey_file((FILES / "google_forms.csv").read_bytes(), "form.csv")


def test_it_maps_spanish_labels_to_the_target_codes():
    remapped, problems = remap_answers(_google(), _targets(), GOOGLE_MAPPING, _labels())
    by_row = dict(remapped)

    assert not problems
    assert by_row[2] == {
        "barrio": "downtown",
        "services": ["parks", "libraries"],  # "Bibliotecas, museos" found by its Spanish label
        "rating": {"parks": 4, "streets": 5, "safety": 3},  # matrix rows by their labels
        "overall": 5,
        "comments": "Me encantan los parques 🌳\nPero faltan bancos y sombra.",
    }
    assert by_row[4]["services"] == ["parks", "transit", OTHER]  # in the target's option order
    assert by_row[4]["services:other"] == "Un parque para perros, con árboles"
    assert (by_row[4]["barrio"], by_row[4]["barrio:other"]) == (OTHER, "Barrio Santa Fé")
    assert [row for row, _answers in remapped] == [r.row for r in _google().responses]  # duplicates included


def test_labels_match_without_case_accents_or_extra_spaces():
    assert normalise_label("  TRANSPORTE  público ") == normalise_label("transporte publico")
    remapped, problems = remap_answers(_google(), _targets(), {"que_servicios_usa": "services"}, _labels())

    assert not problems and dict(remapped)[3] == {"services": ["transit"]}  # "Transporte" vs "TRANSPORTE"


def test_it_maps_english_labels_and_codes_too():
    data = (
        b"Timestamp,Neighbourhood,Services\r\n"
        b'3/14/2026 19:05:12,north,"Parks, Transit"\r\n'
        b'3/14/2026 19:06:12,Downtown,"Libraries and museums"\r\n'
        b'3/14/2026 19:07:12,Downtown,"Parks, Libraries and museums"\r\n'
    )
    parsed = parse_survey_file(data, "form.csv")

    remapped, problems = remap_answers(
        parsed, _targets(), {"neighbourhood": "barrio", "services": "services"}, _labels()
    )

    assert not problems
    assert [answers for _row, answers in remapped] == [
        {"barrio": "north", "services": ["parks", "transit"]},
        {"barrio": "downtown", "services": ["libraries"]},
        {"barrio": "downtown", "services": ["parks", "libraries"]},
    ]


def test_it_reports_every_value_that_maps_to_no_option_with_its_row_and_column():
    data = (
        b"Timestamp,Neighbourhood,Services\r\n"
        b"3/14/2026 19:05:12,Centro,Parques\r\n"
        b"3/14/2026 19:06:12,Centro,Parques\r\n"
        b'3/14/2026 19:07:12,Atlantis,"Parques, Piscinas"\r\n'
    )
    parsed = parse_survey_file(data, "form.csv")

    _remapped, problems = remap_answers(
        parsed, _targets(other=False), {"neighbourhood": "barrio", "services": "services"}, _labels()
    )

    assert [(p.row, p.column) for p in problems] == [(4, "Neighbourhood"), (4, "Services")]
    assert "Atlantis" in problems[0].message and "Row 4" in problems[0].message
    assert "Piscinas" in problems[1].message


def test_an_other_text_needs_an_other_option_unless_it_is_an_option_label():
    parsed = _google()

    _remapped, problems = remap_answers(
        parsed, _targets(other=False), {"en_que_barrio_vive": "barrio"}, _labels()
    )
    assert [(p.row, "Barrio Santa Fé" in p.message) for p in problems] == [(4, True)]

    labels = _labels()
    labels["barrio"][normalise_label("Barrio Santa Fe")] = "south"  # the city calls it South
    remapped, problems = remap_answers(
        parsed, _targets(other=False), {"en_que_barrio_vive": "barrio"}, labels
    )
    assert not problems and dict(remapped)[4] == {"barrio": "south"}


def test_required_is_checked_for_complete_responses_only():
    parsed = parse_survey_file((FILES / "limesurvey.csv").read_bytes(), "results.csv")
    targets = {
        "overall": QuestionShape("overall", K.RATING, "Overall", scale_min=1, scale_max=5, required=True)
    }

    _remapped, problems = remap_answers(parsed, targets, {"Q4": "overall"}, {})

    # Row 4 is incomplete (no submitdate): its empty rating is fine. Row 5's "abc" was no answer at all, and
    # row 8's rating is there; row 9 is complete and rated.
    assert [p.row for p in problems] == [5]
    assert "required" in problems[0].message


def test_it_checks_each_answer_against_the_target_question():
    parsed = parse_survey_file((FILES / "limesurvey.csv").read_bytes(), "results.csv")
    narrow = {"overall": QuestionShape("overall", K.RATING, "Overall", scale_min=1, scale_max=3)}

    _remapped, problems = remap_answers(parsed, narrow, {"Q4": "overall"}, {})

    assert sorted({p.row for p in problems}) == [2, 3, 7, 9]  # ratings of 4 or 5 on a 1..3 scale
    assert all("from 1 to 3" in p.message and p.column == "Q4" for p in problems)


def test_a_bilingual_form_asking_twice_fills_one_target_question():
    data = (
        "Timestamp,Neighbourhood,¿Barrio?\r\n"
        "3/14/2026 19:05:12,North,\r\n"
        "3/14/2026 19:06:12,,Centro\r\n"
        "3/14/2026 19:07:12,North,Norte\r\n"
    ).encode()
    parsed = parse_survey_file(data, "form.csv")

    remapped, problems = remap_answers(
        parsed, _targets(), {"neighbourhood": "barrio", "barrio": "barrio"}, _labels()
    )

    assert [answers for _row, answers in remapped][:2] == [{"barrio": "north"}, {"barrio": "downtown"}]
    assert [p.row for p in problems] == [4] and "answered twice" in problems[0].message


def test_it_refuses_a_mapping_to_questions_that_do_not_exist():
    with pytest.raises(ValueError, match="does not exist"):
        remap_answers(_google(), _targets(), {"en_que_barrio_vive": "q99"}, {})
    with pytest.raises(ValueError, match="does not exist"):
        remap_answers(_google(), _targets(), {"nope": "barrio"}, {})

"""The small rules the importers share: how a question's kind is guessed from its values, dates as the tools
write them, labels and keys."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from civicplan.engagement.answers import QuestionKind
from civicplan.engagement.importers.survey_files import answers_fingerprint, parse_survey_file
from civicplan.engagement.importers.survey_model import is_other_label, language_code, parse_datetime, slug

K = QuestionKind


def _google(heading: str, *values: str) -> list:
    lines = [f"Timestamp,{heading}"] + [
        f'3/14/2026 19:{n:02d}:00,"{value}"' for n, value in enumerate(values)
    ]
    return parse_survey_file("\r\n".join(lines).encode() + b"\r\n", "form.csv").questions


@pytest.mark.parametrize(
    ("heading", "values", "kind"),
    [
        ("Rate the park", ("4", "5", "3", "4", "1"), K.RATING),  # whole numbers 0..10
        ("How many children live with you?", ("0", "2", "1", "3"), K.NUMBER),  # a count, not a rating
        ("Budget", ("12.5", "100", "1,200", "7"), K.NUMBER),
        ("Postcode", ("95123", "01234", "95124"), K.SHORT_TEXT),  # a leading zero is no number
        ("Favourite place", ("The library", "Main St.", "Plaza Mayor"), K.SHORT_TEXT),  # nothing repeats
        ("Tell us more", ("Short", "Line one\nLine two"), K.LONG_TEXT),
        ("Tell us more", ("x" * 101, "Short"), K.LONG_TEXT),
        ("Neighbourhood", ("Centro", "Centro", "Norte", "Norte", "Sur", "Sur"), K.SINGLE),  # a few, repeated
        ("Services", ("Parks, Roads", "Roads", "Parks", "Roads, Housing", "Housing, Parks"), K.MULTIPLE),
    ],
)
def test_it_guesses_a_kind_from_the_values(heading, values, kind):
    (question,) = _google(heading, *values)

    assert question.kind == kind


def test_a_rating_with_a_few_stray_values_stays_a_rating_and_reports_them():
    parsed = parse_survey_file(
        b"Timestamp,Rate it\r\n3/14/2026 19:00,4\r\n3/14/2026 19:01,5\r\n3/14/2026 19:02,abc\r\n"
        b"3/14/2026 19:03,3\r\n3/14/2026 19:04,2\r\n",
        "form.csv",
    )

    assert parsed.questions[0].kind == K.RATING
    assert [(p.row, p.column) for p in parsed.problems] == [(4, "Rate it")]


@pytest.mark.parametrize(
    ("values", "scale"),
    [(("1", "4", "3"), (1, 5)), (("1", "6"), (1, 7)), (("0", "9", "10"), (0, 10)), (("2", "8"), (1, 10))],
)
def test_a_rating_scale_is_5_7_or_10_points(values, scale):
    (question,) = _google("Rate it", *values, *values)

    assert (question.scale_min, question.scale_max) == scale


def test_points_that_always_add_up_to_one_total_are_an_allocation():
    text = (
        '"id","submitdate","startlanguage","Q1[parks]","Q1[roads]","Q1[housing]"\r\n'
        '"1","2026-03-14 19:00:00","en","50","30","20"\r\n'
        '"2","2026-03-14 19:01:00","en","100","",""\r\n'
        '"3","2026-03-14 19:02:00","es","10","45","45"\r\n'
    )
    parsed = parse_survey_file(text.encode(), "results.csv")

    (question,) = parsed.questions
    assert question.kind == K.ALLOCATION and [c.code for c in question.options] == [
        "parks",
        "roads",
        "housing",
    ]
    assert parsed.responses[1].answers == {"Q1": {"parks": 100}}


def test_numbers_that_do_not_add_up_are_separate_questions():
    text = (
        '"id","submitdate","startlanguage","Q1[adults]","Q1[children]"\r\n'
        '"1","2026-03-14 19:00:00","en","12","3"\r\n'
        '"2","2026-03-14 19:01:00","en","2","30"\r\n'
    )
    parsed = parse_survey_file(text.encode(), "results.csv")

    assert [(q.key, q.kind) for q in parsed.questions] == [("Q1_adults", K.NUMBER), ("Q1_children", K.NUMBER)]
    assert parsed.responses[0].answers == {"Q1_adults": "12", "Q1_children": "3"}


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2026-03-14 19:05:12", datetime(2026, 3, 14, 19, 5, 12, tzinfo=UTC)),
        ("2026-03-14T12:05:12.000-07:00", datetime(2026, 3, 14, 19, 5, 12, tzinfo=UTC)),
        ("2026/03/14 7:05:12 PM GMT-7", datetime(2026, 3, 15, 2, 5, 12, tzinfo=UTC)),
        ("2026/03/14 7:05:12 p. m. GMT-03:00", datetime(2026, 3, 14, 22, 5, 12, tzinfo=UTC)),
        ("3/14/2026 19:05:12", datetime(2026, 3, 14, 19, 5, 12, tzinfo=UTC)),
        ("03/14/2026 07:05:12 PM", datetime(2026, 3, 14, 19, 5, 12, tzinfo=UTC)),
        ("14/03/2026 19:05", datetime(2026, 3, 14, 19, 5, tzinfo=UTC)),  # 14 cannot be a month
        ("2026-03-14 12:00 AM UTC", datetime(2026, 3, 14, 0, 0, tzinfo=UTC)),
    ],
)
def test_it_reads_dates_as_the_tools_write_them(written, expected):
    assert parse_datetime(written) == expected


@pytest.mark.parametrize("written", ["", "yesterday", "2026-13-45 10:00:00", "31/02/2026 10:00", "13:00 PM"])
def test_it_reads_no_date_from_what_is_none(written):
    assert parse_datetime(written) is None


def test_slugs_languages_and_other_labels():
    assert slug("¿Qué servicios usa? (seleccione todos)") == "que_servicios_usa_seleccione_todos"
    assert len(slug("word " * 30)) <= 40 and slug("🌳") == "q"
    assert [language_code(v) for v in ("es", "ES-ES", "en_GB", "Español", "English", "fr", "")] == [
        "es",
        "es",
        "en",
        "es",
        "en",
        "",
        "",
    ]
    assert all(is_other_label(v) for v in ("Other", "Otro (especifique)", "Other (please specify)", "-oth-"))
    assert not any(is_other_label(v) for v in ("Otros servicios", "Others", "Brother"))


def test_the_fingerprint_ignores_the_order_of_the_answers():
    one = {"q1": "parks", "q2": ["a", "b"], "q3": {"x": 1, "y": 2}}
    other = {"q3": {"y": 2, "x": 1}, "q2": ["a", "b"], "q1": "parks"}

    assert answers_fingerprint(one) == answers_fingerprint(other)
    assert answers_fingerprint(one) != answers_fingerprint({**one, "q2": ["b", "a"]})
    assert len(answers_fingerprint({})) == 64

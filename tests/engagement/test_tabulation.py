"""Results arithmetic against hand-computed figures, and the page, the export and the command agreeing."""

from __future__ import annotations

import json
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from civicplan.engagement import results_view
from civicplan.engagement.answers import Choice, QuestionKind, QuestionShape
from civicplan.engagement.models import Response
from civicplan.engagement.services.responses import save_council_response
from civicplan.engagement.tabulation import (
    WEIGHT,
    Respondent,
    answer_frame,
    crosstab,
    filter_frame,
    results_csv_rows,
    tabulate,
    with_weights,
)
from tests import factories as f

OPTIONS = (Choice("parks", "Parks"), Choice("roads", "Roads"), Choice("housing", "Housing"))
SINGLE = QuestionShape("q1", QuestionKind.SINGLE, "Pick", options=OPTIONS, allows_other=True)


def _people(*answers):
    return [Respondent(answers=a) for a in answers]


def test_single_choice_counts_percentages_of_valid_n_and_other_texts():
    people = _people(
        {"q1": "parks"}, {"q1": "parks"}, {"q1": "roads"}, {"q1": "other", "q1:other": "Dogs"}, {}
    )
    result = tabulate(SINGLE, answer_frame([SINGLE], people))
    assert (result.n, result.skipped) == (4, 1)
    assert [(r.code, r.count, r.percent) for r in result.rows] == [
        ("parks", 2, D("50.0")),
        ("roads", 1, D("25.0")),
        ("housing", 0, D("0.0")),
        ("other", 1, D("25.0")),
    ]
    assert result.other_texts == ["Dogs"]


def test_multiple_choice_percentages_can_add_to_more_than_100():
    question = QuestionShape("q2", QuestionKind.MULTIPLE, options=OPTIONS)
    result = tabulate(
        question,
        answer_frame(
            [question], _people({"q2": ["parks", "roads"]}, {"q2": ["parks"]}, {"q2": ["housing", "parks"]})
        ),
    )
    assert [(r.count, r.percent) for r in result.rows] == [(3, D("100.0")), (1, D("33.3")), (1, D("33.3"))]
    assert result.adds_to_more


def test_rating_lists_every_point_and_the_mean():
    question = QuestionShape("q3", QuestionKind.RATING, scale_min=1, scale_max=5)
    result = tabulate(question, answer_frame([question], _people({"q3": 5}, {"q3": 4}, {"q3": 4}, {"q3": 1})))
    assert [r.count for r in result.rows] == [1, 0, 0, 2, 1]
    assert result.mean == D("3.50")
    assert result.rows[3].percent == D("50.0")


def test_matrix_rows_have_their_own_n_and_mean():
    question = QuestionShape(
        "q4", QuestionKind.MATRIX, rows=(Choice("a", "A"), Choice("b", "B")), scale_max=5
    )
    result = tabulate(
        question,
        answer_frame([question], _people({"q4": {"a": 5, "b": 2}}, {"q4": {"a": 4}}, {"q4": {"a": 3}})),
    )
    assert [(r.code, r.n, r.mean) for r in result.rows] == [("a", 3, D("4.00")), ("b", 1, D("2.00"))]


def test_ranking_orders_by_first_places_then_mean_rank():
    question = QuestionShape("q5", QuestionKind.RANKING, options=OPTIONS)
    result = tabulate(
        question,
        answer_frame(
            [question],
            _people({"q5": ["housing", "parks"]}, {"q5": ["housing", "roads", "parks"]}, {"q5": ["parks"]}),
        ),
    )
    assert [(r.code, r.extra, r.count, r.mean) for r in result.rows] == [
        ("housing", D("66.7"), 2, D("1.00")),
        ("parks", D("33.3"), 3, D("2.00")),
        ("roads", D("0.0"), 1, D("2.00")),
    ]


def test_allocation_shares_of_all_points_and_mean_points():
    question = QuestionShape("q6", QuestionKind.ALLOCATION, options=OPTIONS)
    result = tabulate(
        question,
        answer_frame([question], _people({"q6": {"parks": 60, "roads": 40}}, {"q6": {"parks": 100}})),
    )
    assert [(r.code, r.count, r.mean, r.extra) for r in result.rows] == [
        ("parks", 160, D("80.00"), D("80.0")),
        ("roads", 40, D("20.00"), D("20.0")),
        ("housing", 0, D("0.00"), D("0.0")),
    ]


def test_numbers_give_mean_median_range_and_count_what_does_not_read():
    question = QuestionShape("q7", QuestionKind.NUMBER)
    result = tabulate(
        question,
        answer_frame(
            [question], _people({"q7": "10"}, {"q7": "2.5"}, {"q7": "4"}, {"q7": "lots"}, {"q7": "1,000"})
        ),
    )
    assert (result.n, result.invalid) == (5, 1)
    assert (result.mean, result.median, result.minimum, result.maximum) == (
        D("254.13"),
        D("7.00"),
        D("2.5"),
        D("1000"),
    )


def test_districts_are_counted_as_written_in_capitals():
    question = QuestionShape("q9", QuestionKind.DISTRICT)
    result = tabulate(
        question, answer_frame([question], _people({"q9": "95120"}, {"q9": " 95120"}, {"q9": "d2"}))
    )
    assert [(r.code, r.count) for r in result.rows] == [("95120", 2), ("D2", 1)]
    assert result.texts == ["95120", " 95120", "d2"]


def test_weights_change_percentages_but_not_counts():
    people = [Respondent({"q1": "parks"}, weight=3.0), Respondent({"q1": "roads"})]
    result = tabulate(SINGLE, answer_frame([SINGLE], people))
    assert [(r.count, r.percent) for r in result.rows[:2]] == [(1, D("75.0")), (1, D("25.0"))]


@given(st.lists(st.sampled_from(["parks", "roads", "housing"]), min_size=1, max_size=60))
def test_single_choice_percentages_add_up_to_100(codes):
    result = tabulate(SINGLE, answer_frame([SINGLE], [Respondent({"q1": code}) for code in codes]))
    assert abs(sum(r.percent for r in result.rows) - 100) <= D("0.2")


def test_a_crosstab_counts_people_by_two_answers_with_column_percents():
    district = QuestionShape("q9", QuestionKind.DISTRICT)
    people = _people(
        {"q1": "parks", "q9": "A"},
        {"q1": "parks", "q9": "A"},
        {"q1": "roads", "q9": "A"},
        {"q1": "roads", "q9": "B"},
    )
    table = crosstab(SINGLE, district, answer_frame([SINGLE, district], people))
    assert table.n == 4 and table.column_totals == {"A": 3, "B": 1}
    assert table.counts[("parks", "A")] == 2 and table.column_percents[("parks", "A")] == D("66.7")
    assert table.column_percents[("roads", "B")] == D("100.0")
    with pytest.raises(ValueError):
        long_text = QuestionShape("q8", QuestionKind.LONG_TEXT)
        crosstab(SINGLE, long_text, answer_frame([SINGLE, long_text], people))


def test_segment_filters_keep_matching_respondents():
    people = [Respondent({}, segments={"district": "d1"}), Respondent({}, segments={"district": "d2"})]
    frame = answer_frame([SINGLE], people)
    assert filter_frame(frame, {"district": "d1", "age_band": ""}).height == 1
    assert filter_frame(frame, {"age_band": "18-24"}).height == 0


def test_the_page_the_export_and_the_command_show_the_same_figures(client, plan, viewer):
    survey = f.make_needs_survey(plan, slug="needs")
    for code in ("parks", "parks", "roads"):
        Response.objects.create(survey=survey, answers={"q1": code, "q3": 4}, submitted_on="2026-03-01")
    Response.objects.create(survey=survey, answers={"q1": "housing"}, submitted_on="2026-03-01", flagged=True)
    client.force_login(viewer)
    page = client.get(reverse("engagement:results", args=[survey.pk])).content.decode()
    assert "3 responses." in page and "66.7%" in page
    export = client.get(reverse("engagement:results-export", args=[survey.pk, "csv"])).content.decode(
        "utf-8-sig"
    )
    assert "q1,Question 1,single,parks,Parks,2,66.7,,,3" in export
    out = StringIO()
    call_command("survey_results", "needs", stdout=out)
    document = json.loads(out.getvalue())
    parks = document["questions"][0]["rows"][0]
    assert (document["responses"], parks["count"], parks["percent"]) == (3, 2, "66.7")
    csv_out = StringIO()
    call_command("survey_results", "needs", "--format", "csv", stdout=csv_out)
    assert "q1,Question 1,single,parks,Parks,2,66.7,,,3" in csv_out.getvalue()


def test_exports_keep_formula_looking_answers_as_text(client, plan, viewer):
    survey = f.make_survey(plan, slug="s", state="open", questions=({"kind": "district"},))
    Response.objects.create(survey=survey, answers={"q1": "=HYPERLINK(1)"}, submitted_on="2026-03-01")
    client.force_login(viewer)
    export = client.get(reverse("engagement:results-export", args=[survey.pk, "csv"])).content.decode(
        "utf-8-sig"
    )
    assert "'=HYPERLINK(1)" in export
    assert results_csv_rows([])[0][0] == "question"


def _employee_survey(plan, count, district_split=None):
    survey = f.make_needs_survey(plan, slug=f"staff-{count}-{district_split}", audience="employee")
    for number in range(count):
        district = "d1" if district_split and number < district_split else "d2"
        Response.objects.create(
            survey=survey,
            answers={"q1": "parks", "q8": f"comment {number}", "q9": district},
            submitted_on="2026-03-01",
        )
    return survey


def test_employee_results_show_no_score_under_5_responses(client, plan, viewer):
    client.force_login(viewer)
    four = client.get(reverse("engagement:results", args=[_employee_survey(plan, 4).pk])).content.decode()
    assert "Results are not shown for this group" in four and "Parks" not in four
    five = client.get(reverse("engagement:results", args=[_employee_survey(plan, 5).pk])).content.decode()
    assert "Results are not shown" not in five and "100.0%" in five


def test_employee_comments_need_10_responses(client, plan, viewer):
    client.force_login(viewer)
    nine = client.get(reverse("engagement:results", args=[_employee_survey(plan, 9).pk])).content.decode()
    assert "comment 0" not in nine and "Comments are shown only for groups of 10" in nine
    ten = client.get(reverse("engagement:results", args=[_employee_survey(plan, 10).pk])).content.decode()
    assert "comment 0" in ten


def test_employee_results_refuse_a_filter_whose_complement_is_under_5(client, plan, viewer):
    """Twelve employees, 8 in district 1: filtering on it would leave 4 outside, so the total minus the filtered
    view would give those 4 away. The filter is refused; with 6 and 6 both sides show."""
    client.force_login(viewer)
    survey = _employee_survey(plan, 12, district_split=8)
    survey.questions.filter(key="q9").update(kind="single", segment="district")
    for code, label in (("d1", "District 1"), ("d2", "District 2")):
        survey.questions.get(key="q9").options.create(code=code, label_en=label, position=0)
    url = reverse("engagement:results", args=[survey.pk])
    assert "Results are not shown for this group" in client.get(url + "?district=d1").content.decode()
    assert "Results are not shown for this group" in client.get(url + "?district=d2").content.decode()
    balanced = _employee_survey(plan, 12, district_split=6)
    balanced.questions.filter(key="q9").update(kind="single", segment="district")
    balanced.questions.get(key="q9").options.create(code="d1", label_en="District 1", position=0)
    page = client.get(reverse("engagement:results", args=[balanced.pk]) + "?district=d1").content.decode()
    assert "6 of 12 responses match" in page


def test_employee_results_have_no_crosstab_and_one_filter_at_a_time(client, plan, viewer):
    client.force_login(viewer)
    survey = _employee_survey(plan, 12)
    page = client.get(reverse("engagement:results", args=[survey.pk]) + "?row=q1&column=q9").content.decode()
    assert "Crosstab of two questions" not in page


def test_staff_choose_which_questions_residents_see_even_after_responses(client, plan, coordinator):
    survey = f.make_needs_survey(plan, slug="pub", state="published")
    Response.objects.create(
        survey=survey, answers={"q1": "parks", "q8": "Un comentario"}, submitted_on="2026-03-01"
    )
    public_url = reverse("surveys:results", args=[survey.slug])
    assert "Un comentario" in client.get(public_url).content.decode()
    client.force_login(coordinator)
    question = survey.questions.get(key="q8")
    client.post(reverse("engagement:question-public", args=[survey.pk, question.pk]), {"public": "0"})
    client.logout()
    page = client.get(public_url).content.decode()
    assert "Un comentario" not in page and "Question 1" in page
    question.refresh_from_db()
    assert (
        not question.results_public
        and question.history.first().history_change_reason == "Hidden from the public site"
    )


def test_results_are_rebuilt_when_a_response_arrives(client, plan, viewer):
    survey = f.make_needs_survey(plan, slug="live")
    client.force_login(viewer)
    url = reverse("engagement:results", args=[survey.pk])
    assert "0 responses." in client.get(url).content.decode()
    Response.objects.create(survey=survey, answers={"q1": "parks"}, submitted_on="2026-03-01")
    assert "1 response." in client.get(url).content.decode()


def test_weights_join_on_the_response_and_default_to_one():
    people = [Respondent({"q1": "parks"}, pk=1), Respondent({"q1": "roads"}, pk=2)]
    frame = with_weights(answer_frame([SINGLE], people), {1: 3.0})
    assert frame[WEIGHT].to_list() == [3.0, 1.0]
    result = tabulate(SINGLE, frame)
    assert [(r.count, r.percent) for r in result.rows[:2]] == [(1, D("75.0")), (1, D("25.0"))]


def test_unweighted_number_means_are_exact_decimals():
    """2.675 has no exact binary form: a float sum would round the mean down to 2.67."""
    question = QuestionShape("q7", QuestionKind.NUMBER)
    result = tabulate(question, answer_frame([question], _people({"q7": "2.675"}, {"q7": "2.675"})))
    assert (result.mean, result.minimum) == (D("2.68"), D("2.675"))


def test_a_weighted_crosstab_uses_the_weights_for_percentages_only():
    district = QuestionShape("q9", QuestionKind.DISTRICT)
    people = [
        Respondent({"q1": "parks", "q9": "a"}, pk=1),
        Respondent({"q1": "roads", "q9": "A "}, pk=2),
    ]
    table = crosstab(SINGLE, district, with_weights(answer_frame([SINGLE, district], people), {1: 3.0}))
    assert table.counts == {("parks", "A"): 1, ("roads", "A"): 1}
    assert table.column_percents[("parks", "A")] == D("75.0")


def test_a_council_member_changing_an_answer_refreshes_the_results(client, plan, council_member, viewer):
    survey = f.make_needs_survey(plan, slug="council", audience="council", state="open")
    save_council_response(survey=survey, user=council_member, answers={"q1": "parks"}, language="en")
    client.force_login(viewer)
    url = reverse("engagement:results", args=[survey.pk])
    assert "Parks" in client.get(url).content.decode()
    first = Response.objects.get(survey=survey).answers
    save_council_response(survey=survey, user=council_member, answers={"q1": "roads"}, language="en")
    survey.refresh_from_db()
    assert survey.answers_version == 2 and first == {"q1": "parks"}
    result = results_view.survey_results(survey, {}, public=False).shown[0].result
    assert [(r.code, r.count) for r in result.rows[:2]] == [("parks", 0), ("roads", 1)]


def test_a_kept_frame_reads_only_the_new_responses_and_matches_a_full_read(plan, django_assert_num_queries):
    survey = f.make_needs_survey(plan, slug="growing")
    Response.objects.create(survey=survey, answers={"q1": "parks", "q9": "d1"}, submitted_on="2026-03-01")
    first = results_view.answer_frame_of(survey)
    Response.objects.create(survey=survey, answers={"q1": "roads"}, submitted_on="2026-03-02", flagged=True)
    Response.objects.create(
        survey=survey, answers={"q1": "roads", "q8": "Más luz"}, submitted_on="2026-03-02"
    )
    grown = results_view.answer_frame_of(survey)
    results_view.forget_frames()
    full = results_view.answer_frame_of(survey)
    assert (first.height, grown.height) == (1, 2)
    assert grown.select(sorted(grown.columns)).equals(full.select(sorted(full.columns)))
    with django_assert_num_queries(3):  # the questions, the versions and counts; nothing new to read
        assert results_view.answer_frame_of(survey) is full

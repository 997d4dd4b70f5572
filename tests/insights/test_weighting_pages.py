"""Weighting a survey to population shares, and the weighted results with margins of error, as staff use them.

The survey: 40 responses skewed old (6 aged 18-34, 10 aged 35-64, 24 aged 65+) against a city of 30 / 50 / 20.
The young mostly want parks and the old street repair, so weighting moves "Parks" up: unweighted 14/40 = 35 %,
weighted 0.3·5/6 + 0.5·5/10 + 0.2·4/24 = 53.3 %. Raking one variable gives each band one weight: 2, 2 and 1/3,
so the design effect is 40·(6·4 + 10·4 + 24/9)/40² = 1.67 and the effective sample size 40/1.67 = 24."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from civicplan.engagement.models import Response
from civicplan.insights.models import PopulationMargin, SurveyWeighting
from civicplan.insights.selectors_weighting import latest_weighting, weighted_results
from civicplan.insights.services.weighting import save_margins, weight_survey
from tests import factories as f

AGES = [
    ("18-34", "18 to 34", "18 a 34"),
    ("35-64", "35 to 64", "35 a 64"),
    ("65+", "65 or older", "65 o más"),
]
PRIORITIES = [("parks", "Parks", "Parques"), ("roads", "Street repair", "Reparación de calles")]
SKEW = {  # age band -> (chose parks, chose street repair)
    "18-34": (5, 1),
    "35-64": (5, 5),
    "65+": (4, 20),
}
CITY = {"18-34": "30", "35-64": "50", "65+": "20"}


def make_age_survey(plan, **overrides):
    return f.make_survey(
        plan,
        state="open",
        questions=(
            {"kind": "single", "key": "age", "segment": "age_band", "options": AGES, "text_en": "Your age?"},
            {"kind": "single", "key": "priority", "options": PRIORITIES, "text_en": "First priority?"},
            {"kind": "rating", "key": "streets", "scale_min": 1, "scale_max": 5, "text_en": "Streets?"},
            {"kind": "multiple", "key": "uses", "options": PRIORITIES, "text_en": "What do you use?"},
            {"kind": "ranking", "key": "order", "options": PRIORITIES, "text_en": "Rank them"},
            {"kind": "allocation", "key": "budget", "options": PRIORITIES, "text_en": "Spread 100 points"},
            {"kind": "long_text", "key": "comment", "text_en": "Anything else?"},
        ),
        **overrides,
    )


def answer(survey, age, priority, **extra):
    answers = {"priority": priority, "streets": 4 if priority == "roads" else 2, "uses": [priority]}
    answers["order"] = [priority, "parks" if priority == "roads" else "roads"]
    answers["budget"] = {"parks": 70, "roads": 30} if priority == "parks" else {"parks": 20, "roads": 80}
    if age:
        answers["age"] = age
    return Response.objects.create(survey=survey, answers={**answers, **extra}, submitted_on="2026-03-01")


def skewed_survey(plan, **overrides):
    survey = make_age_survey(plan, **overrides)
    for age, (parks, roads) in SKEW.items():
        for _ in range(parks):
            answer(survey, age, "parks")
        for _ in range(roads):
            answer(survey, age, "roads")
    return survey


def margins_post(shares=CITY, source="Census ACS 2023"):
    data = {"variable": "age_band", "age_band-source": source}
    for index, code in enumerate(code for code, _en, _es in AGES):
        data[f"age_band-share_{index}"] = shares.get(code, "")
    return data


def weighting_url(survey):
    return reverse("insights:weighting", args=[survey.pk])


def run_url(survey):
    return reverse("insights:weighting-run", args=[survey.pk])


def results_url(survey):
    return reverse("insights:weighted-results", args=[survey.pk])


def stored_shares(plan):
    return {m.category: f"{m.share.normalize():f}" for m in PopulationMargin.objects.filter(plan=plan)}


def weighted_age_shares(survey):
    weights = latest_weighting(survey).weights
    totals: dict[str, float] = {}
    for response in Response.objects.filter(survey=survey):
        code = response.answers.get("age")
        totals[code] = totals.get(code, 0.0) + weights[str(response.pk)]
    whole = sum(totals.values())
    return {code: 100 * total / whole for code, total in totals.items()}


@pytest.fixture
def survey(plan):
    return skewed_survey(plan)


@pytest.fixture
def weighted(client, survey, coordinator):
    client.force_login(coordinator)
    assert client.post(weighting_url(survey), margins_post()).status_code == 302
    assert client.post(run_url(survey)).status_code == 302
    return survey


# --- Population shares ------------------------------------------------------------------------------------------


def test_it_saves_the_population_shares_of_a_segment_and_shows_them_prefilled(client, survey, coordinator):
    client.force_login(coordinator)
    response = client.post(weighting_url(survey), margins_post())
    assert response.status_code == 302
    assert stored_shares(survey.plan) == {"18-34": "30", "35-64": "50", "65+": "20"}
    assert set(PopulationMargin.objects.values_list("source", flat=True)) == {"Census ACS 2023"}
    page = client.get(weighting_url(survey)).content.decode()
    assert 'name="age_band-share_1" value="50"' in page
    assert "The population shares of “Your age?” were saved." in page
    assert "15.0%" in page and "60.0%" in page  # the sample shares of 18-34 (6/40) and 65+ (24/40)
    assert PopulationMargin.history.filter(history_user=coordinator).count() == 3


def test_it_refuses_shares_that_do_not_add_up_to_100_and_keeps_what_was_typed(client, survey, coordinator):
    client.force_login(coordinator)
    response = client.post(weighting_url(survey), margins_post({"18-34": "30", "35-64": "50", "65+": "30"}))
    assert response.status_code == 400
    page = response.content.decode()
    assert "The shares add up to 110%. They must add up to 100% (give or take 0.5)." in page
    assert 'name="age_band-share_2" value="30"' in page and 'value="Census ACS 2023"' in page
    assert not PopulationMargin.objects.exists()


def test_a_refused_change_leaves_the_saved_shares_as_they_were(client, survey, coordinator):
    client.force_login(coordinator)
    client.post(weighting_url(survey), margins_post())
    response = client.post(weighting_url(survey), margins_post({"18-34": "60", "35-64": "50", "65+": "20"}))
    assert response.status_code == 400
    assert stored_shares(survey.plan) == {"18-34": "30", "35-64": "50", "65+": "20"}


def test_it_refuses_a_zero_or_unreadable_share_beside_its_field(client, survey, coordinator):
    client.force_login(coordinator)
    response = client.post(weighting_url(survey), margins_post({"18-34": "0", "35-64": "many", "65+": "100"}))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_age_band-share_0-error"' in page and "Enter a share greater than 0" in page
    assert 'id="id_age_band-share_1-error"' in page
    assert 'aria-describedby="id_age_band-share_0-error"' in page
    assert not PopulationMargin.objects.exists()


def test_a_blank_answer_is_left_out_and_all_blank_removes_the_segment(client, survey, coordinator):
    client.force_login(coordinator)
    response = client.post(weighting_url(survey), margins_post({"18-34": "40", "35-64": "60"}))
    assert response.status_code == 302
    assert stored_shares(survey.plan) == {"18-34": "40", "35-64": "60"}
    assert client.post(weighting_url(survey), margins_post({})).status_code == 302
    assert not PopulationMargin.objects.exists()
    assert client.post(weighting_url(survey), margins_post({})).status_code == 400  # nothing to remove


def test_the_service_refuses_categories_the_question_does_not_offer(survey, coordinator):
    with pytest.raises(ValidationError) as error:
        save_margins(
            plan=survey.plan,
            user=coordinator,
            variable="age_band",
            rows=[("18-34", "50", ""), ("teen", "50", "")],
            categories=["18-34", "35-64", "65+"],
        )
    assert "“teen” is not an answer" in str(error.value)
    with pytest.raises(ValidationError):
        save_margins(plan=survey.plan, user=coordinator, variable="shoe_size", rows=[("9", "100", "")])
    assert not PopulationMargin.objects.exists()


# --- Weighting --------------------------------------------------------------------------------------------------


def test_weighting_makes_the_age_segment_match_the_population_shares(client, weighted):
    weighting = latest_weighting(weighted)
    assert weighting.converged and len(weighting.weights) == 40
    assert weighting.margins == {"age_band": {"18-34": 30.0, "35-64": 50.0, "65+": 20.0}}
    for code, share in weighted_age_shares(weighted).items():
        assert share == pytest.approx(float(CITY[code]), abs=0.1)
    page = client.get(results_url(weighted)).content.decode()
    assert "30.0%" in page and "50.0%" in page and "20.0%" in page  # the age question, weighted


def test_weighting_moves_the_results_the_way_the_skew_says(weighted):
    results = weighted_results(weighted, {}, "en")
    priority = next(q for q in results.questions if q.asked.key == "priority")
    parks = next(line for line in priority.lines if line.code == "parks")
    assert parks.unweighted.value == "35.0%" and parks.weighted.value == "53.3%"
    assert parks.weighted.moe.startswith("±")
    assert priority.sentence.startswith("Among residents, 53% (±") and priority.sentence.endswith(
        "chose “Parks”."
    )
    streets = next(q for q in results.questions if q.asked.key == "streets")
    # Street ratings: 4 from those who want street repair, 2 from the others; the old are weighed down.
    assert float(streets.weighted_mean.value) < float(streets.unweighted_mean.value)
    order = next(q for q in results.questions if q.asked.key == "order")
    assert order.lines[0].code == "parks" and order.lines[0].mean_rank.known
    budget = next(q for q in results.questions if q.asked.key == "budget")
    points = {line.code: line for line in budget.lines}
    # Unweighted: (14·70 + 26·20) / 40 = 37.50 points to parks; weighted: 0.533·70 + 0.467·20 = 46.67.
    assert (points["parks"].unweighted.value, points["parks"].weighted.value) == ("37.50", "46.67")
    assert results.left_out == 1  # the open question


def test_the_pages_show_the_design_effect_and_the_effective_sample_size(client, weighted):
    page = client.get(weighting_url(weighted)).content.decode()
    assert "The 40 responses weigh as much as a simple random sample of 24." in page
    assert "1.67" in page
    assert "Converged: yes." in page
    assert "60.0%" in page and "20.0%" in page  # the 65+ band: its sample share, then its weighted share


def test_small_groups_are_marked_in_words(client, weighted):
    page = client.get(results_url(weighted), {"group": "age_band:18-34"}).content.decode()
    assert "6 of 40 responses are in the group “Your age?: 18 to 34”." in page
    assert "small group: read with care" in page
    assert "Among residents in the group “18 to 34”" in page


def test_responses_arriving_after_the_weighting_are_counted_and_reported(client, weighted):
    for _ in range(3):
        answer(weighted, "65+", "roads")
    page = client.get(weighting_url(weighted)).content.decode()
    assert "3 responses arrived after this weighting. They count with weight 1" in page
    assert "43 counted responses." in page
    results = client.get(results_url(weighted)).content.decode()
    assert "43 responses." in results and "3 responses arrived after the weighting." in results
    client.post(run_url(weighted))
    assert len(latest_weighting(weighted).weights) == 43
    assert "arrived after this weighting" not in client.get(weighting_url(weighted)).content.decode()


def test_responses_without_an_age_are_reported_as_missing(client, plan, coordinator):
    survey = skewed_survey(plan)
    answer(survey, "", "parks")
    client.force_login(coordinator)
    client.post(weighting_url(survey), margins_post())
    client.post(run_url(survey))
    assert latest_weighting(survey).report["missing"] == {"age_band": 1}
    assert "Your age?: 1 response without an answer." in client.get(weighting_url(survey)).content.decode()


def test_an_answer_nobody_gave_is_warned_about(client, plan, coordinator):
    survey = make_age_survey(plan)
    for age in ("18-34", "35-64", "35-64"):
        answer(survey, age, "parks")
    client.force_login(coordinator)
    client.post(weighting_url(survey), margins_post())
    client.post(run_url(survey))
    assert latest_weighting(survey).report["empty_categories"] == {"age_band": ["65+"]}
    page = client.get(weighting_url(survey)).content.decode()
    assert "Warning: some answers have a population share but no response." in page and "65 or older" in page


def test_weighting_without_matching_shares_is_refused(client, survey, coordinator):
    client.force_login(coordinator)
    response = client.post(run_url(survey), follow=True)
    assert "No population shares match this survey" in response.content.decode()
    assert not SurveyWeighting.objects.exists()


def test_the_weighted_results_ask_for_a_weighting_first(client, survey, viewer):
    client.force_login(viewer)
    page = client.get(results_url(survey)).content.decode()
    assert "This survey has not been weighted yet." in page


# --- Who may ----------------------------------------------------------------------------------------------------


def test_a_viewer_reads_the_pages_but_cannot_enter_shares_or_weight(client, weighted, viewer):
    client.force_login(viewer)
    page = client.get(weighting_url(weighted))
    assert page.status_code == 200 and "Weight the survey again" not in page.content.decode()
    assert 'name="age_band-share_0"' not in page.content.decode()
    assert client.get(results_url(weighted)).status_code == 200
    assert client.post(weighting_url(weighted), margins_post({"18-34": "100"})).status_code == 403
    assert client.post(run_url(weighted)).status_code == 403
    assert SurveyWeighting.objects.count() == 1
    assert stored_shares(weighted.plan)["18-34"] == "30"


def test_the_services_check_the_permission_too(survey, viewer):
    with pytest.raises(PermissionDenied):
        save_margins(plan=survey.plan, user=viewer, variable="age_band", rows=[("18-34", "100", "")])
    with pytest.raises(PermissionDenied):
        weight_survey(survey=survey, user=viewer)


def test_anonymous_people_are_sent_to_sign_in(client, survey):
    response = client.get(weighting_url(survey))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_employee_survey_is_never_weighted(client, plan, coordinator):
    survey = skewed_survey(plan, audience="employee")
    save_margins(plan=plan, user=coordinator, variable="age_band", rows=[(k, v, "") for k, v in CITY.items()])
    with pytest.raises(ValidationError, match="Employee survey answers are not weighted"):
        weight_survey(survey=survey, user=coordinator)
    client.force_login(coordinator)
    assert client.post(run_url(survey)).status_code == 302
    assert not SurveyWeighting.objects.exists()
    page = client.get(weighting_url(survey)).content.decode()
    assert "Employee survey answers are not weighted." in page and "age_band-share_0" not in page
    assert client.post(weighting_url(survey), margins_post()).status_code == 400
    results = client.get(results_url(survey)).content.decode()
    assert "Employee survey answers are not weighted." in results and "Parks" not in results


def test_the_pages_read_in_spanish(client, weighted):
    from django.utils import translation

    with translation.override("es"):
        url = results_url(weighted)
    assert url.startswith("/es/")
    response = client.get(url)
    assert response.status_code == 200 and '<html lang="es">' in response.content.decode()
    assert "Parques" in response.content.decode()


def test_population_shares_import_from_a_pasted_table_after_a_preview(client, survey, coordinator):
    client.force_login(coordinator)
    url = reverse("insights:weighting-import", args=[survey.pk])
    table = (
        "segment;category;share;source\nage_band;18-34;30;ACS\nage_band;35-64;50;ACS\nage_band;65+;20;ACS\n"
    )
    preview = client.post(url, {"table": table})
    page = preview.content.decode()
    assert preview.status_code == 200 and "Preview: nothing is saved yet" in page
    assert not PopulationMargin.objects.exists()
    saved = client.post(url, {"table": table, "confirm": "1"})
    assert saved.status_code == 302 and stored_shares(survey.plan) == CITY


def test_a_bad_table_is_refused_line_by_line_and_nothing_is_saved(client, survey, coordinator):
    client.force_login(coordinator)
    url = reverse("insights:weighting-import", args=[survey.pk])
    table = "age_band,18-34,30\nincome,high,50\nage_band,35-64,x\n"
    response = client.post(url, {"table": table, "confirm": "1"})
    page = response.content.decode()
    assert response.status_code == 400 and not PopulationMargin.objects.exists()
    assert "Line 2: “income” is not a segment this survey asks" in page
    assert "The share of “35-64” is not a number." in page and "income,high,50" in page
    upload = SimpleUploadedFile(
        "shares.csv", "\ufeffage_band,18-34,30\nage_band,35-64,50\nage_band,65+,20\n".encode()
    )
    client.post(url, {"table_file": upload, "confirm": "1"})
    assert stored_shares(survey.plan) == CITY

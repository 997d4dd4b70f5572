"""The evidence base end to end: collecting input from every channel, the codebook, coding and suggestions,
links to the plan, the traceability views, drafting from evidence and the public "You said, we did" page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from civicplan.engagement.models import InputItem, Response
from civicplan.insights import selectors
from civicplan.insights.models import Coding, CodingState, Evidence, PlanLink, Theme
from civicplan.insights.services import coding, links
from civicplan.insights.services.evidence import collect_evidence
from civicplan.plans.models import PlanItem
from tests import factories as f

ENGLISH = [
    "Fix the potholes on Oak Avenue",
    "The sidewalk near the school is broken",
    "Potholes everywhere downtown, repair the streets",
    "Street repair should come first",
]
SPANISH_STREETS = ["Arreglen los baches de la calle Roble", "Las banquetas están rotas cerca de la escuela"]
PARKS = ["More shade trees in the park", "The park restrooms are closed", "Más árboles y sombra en el parque"]


def _card(plan, text, language="en", **extra):
    return InputItem.objects.create(
        plan=plan, channel="comment_card", text=text, language=language, received_on="2026-03-01", **extra
    )


def _theme(plan, coordinator, name_en, name_es, keywords):
    return coding.create_theme(
        plan=plan, user=coordinator, data={"name_en": name_en, "name_es": name_es, "keywords": keywords}
    )


def _coded_base(plan, coordinator):
    for text in ENGLISH:
        _card(plan, text)
    for text in SPANISH_STREETS:
        _card(plan, text, "es")
    for text in PARKS:
        _card(plan, text, "es" if "parque" in text else "en")
    collect_evidence(plan)
    streets = _theme(
        plan, coordinator, "Streets", "Calles", "pothole, sidewalk, street repair, bache, banqueta"
    )
    parks = _theme(plan, coordinator, "Parks", "Parques", "park, trees, shade, parque, árboles")
    coding.code_input(evidence=Evidence.objects.filter(text__in=ENGLISH[:3]), theme=streets, user=coordinator)
    coding.code_input(evidence=Evidence.objects.filter(text__in=PARKS[:2]), theme=parks, user=coordinator)
    return streets, parks


def test_every_channel_lands_in_the_evidence_base_once(plan, coordinator):
    _card(plan, "Más alumbrado en el parque", "es", district="D2", age_band="25_34")
    InputItem.objects.create(
        plan=plan,
        channel="session_output",
        output_kind="decision",
        text="Keep five priorities",
        received_on="2026-02-01",
    )
    _card(plan, "spam", flagged=True)
    survey = f.make_needs_survey(plan, slug="needs")
    Response.objects.create(
        survey=survey, answers={"q1": "parks", "q8": "More buses"}, submitted_on="2026-03-02"
    )
    Response.objects.create(
        survey=survey, answers={"q8": "Too fast"}, submitted_on="2026-03-02", flagged=True
    )
    assert collect_evidence(plan) == 3
    assert collect_evidence(plan) == 0  # nothing is copied twice
    texts = dict(Evidence.objects.values_list("text", "channel"))
    assert texts == {
        "Más alumbrado en el parque": "comment_card",
        "Keep five priorities": "session_output",
        "More buses": "survey",
    }
    card = Evidence.objects.get(channel="comment_card")
    assert (card.language, card.district, card.age_band) == ("es", "D2", "25_34")
    item = card.input_item
    item.archived_at = item.created_at
    item.save()
    collect_evidence(plan)
    card.refresh_from_db()
    assert card.is_archived and not selectors.readable_evidence(plan).filter(pk=card.pk).exists()


def test_employee_answers_keep_no_segments_and_are_hidden_under_10_responses(plan):
    survey = f.make_needs_survey(plan, slug="staff", audience="employee")
    for number in range(9):
        Response.objects.create(
            survey=survey, answers={"q8": f"comment {number}", "q9": "95120"}, submitted_on="2026-03-01"
        )
    collect_evidence(plan)
    assert Evidence.objects.filter(confidential=True, channel="employee_survey").count() == 9
    assert not Evidence.objects.exclude(district="").exists()
    assert not selectors.readable_evidence(plan).exists()
    Response.objects.create(survey=survey, answers={"q8": "comment 9"}, submitted_on="2026-03-01")
    collect_evidence(plan)
    assert selectors.readable_evidence(plan).count() == 10
    assert selectors.count_text(4, True) == "<5" and selectors.count_text(4, False) == "4"


def test_the_coordinator_builds_the_codebook_in_both_languages(client, plan, coordinator):
    client.force_login(coordinator)
    response = client.post(
        reverse("insights:codebook"),
        {"name_en": "Streets", "name_es": "Calles", "keywords": "pothole, bache", "description_en": ""},
    )
    theme = Theme.objects.get()
    assert response.url == reverse("insights:theme", args=[theme.pk])
    assert theme.keyword_list == ["pothole", "bache"]
    page = client.get(reverse("insights:codebook").replace("/en/", "/es/")).content.decode()
    assert "Calles" in page
    missing = client.post(reverse("insights:codebook"), {"name_en": "Parks", "keywords": "trees"})
    assert missing.status_code == 400 and 'value="Parks"' in missing.content.decode()
    stale = client.post(
        reverse("insights:theme", args=[theme.pk]),
        {"name_en": "Roads", "name_es": "Calles", "lock_version": theme.lock_version},
    )
    assert stale.status_code == 302
    conflict = client.post(
        reverse("insights:theme", args=[theme.pk]),
        {"name_en": "Paving", "name_es": "Calles", "lock_version": theme.lock_version},
    )
    assert conflict.status_code == 409 and 'value="Paving"' in conflict.content.decode()
    theme.refresh_from_db()
    assert theme.name_en == "Roads" and theme.history.first().history_user == coordinator


def test_a_theme_cannot_be_part_of_itself(plan, coordinator):
    parent = _theme(plan, coordinator, "Streets", "Calles", "")
    child = coding.create_theme(
        plan=plan, user=coordinator, data={"name_en": "Potholes", "name_es": "Baches", "parent": parent}
    )
    with pytest.raises(Exception, match="part of itself"):
        coding.update_theme(
            theme=parent, user=coordinator, data={"name_en": "Streets", "parent": child}, lock_version=1
        )


def test_staff_code_many_comments_at_once_and_viewers_cannot(client, plan, coordinator, editor_a, viewer):
    for text in ENGLISH:
        _card(plan, text)
    collect_evidence(plan)
    theme = _theme(plan, coordinator, "Streets", "Calles", "")
    client.force_login(editor_a)
    ids = list(Evidence.objects.values_list("pk", flat=True)[:2])
    response = client.post(reverse("insights:code"), {"theme": theme.pk, "evidence": ids})
    assert response.status_code == 302
    assert Coding.objects.filter(state=CodingState.CONFIRMED).count() == 2
    client.post(
        reverse("insights:code"), {"theme": theme.pk, "all_matching": "1", "return_query": "q=pothole"}
    )
    assert set(theme.codings.values_list("evidence__text", flat=True)) >= {ENGLISH[0], ENGLISH[2]}
    nothing = client.post(reverse("insights:code"), {"theme": theme.pk}, follow=True)
    assert "Tick at least one comment to code." in nothing.content.decode()
    client.force_login(viewer)
    assert client.post(reverse("insights:code"), {"theme": theme.pk, "evidence": ids}).status_code == 403
    assert client.get(reverse("insights:evidence")).status_code == 200


def test_suggestions_cross_languages_and_learn_from_rejections(client, plan, coordinator):
    streets, _parks = _coded_base(plan, coordinator)
    client.force_login(coordinator)
    assert client.post(reverse("insights:suggest")).status_code == 302
    spanish = Evidence.objects.get(text=SPANISH_STREETS[0])
    suggested = spanish.codings.get(state=CodingState.SUGGESTED)
    assert suggested.theme == streets and 0 < suggested.confidence <= 1
    page = client.get(reverse("insights:evidence") + "?coded=suggested").content.decode()
    assert SPANISH_STREETS[0] in page and "Confirm" in page
    client.post(reverse("insights:suggestion", args=["reject"]), {"coding": suggested.pk})
    suggested.refresh_from_db()
    assert suggested.state == CodingState.REJECTED
    coding.suggest_themes(plan=plan, user=coordinator)
    assert not spanish.codings.filter(theme=streets, state=CodingState.SUGGESTED).exists()
    other = Evidence.objects.get(text=SPANISH_STREETS[1]).codings.filter(state=CodingState.SUGGESTED).first()
    if other is not None:
        client.post(reverse("insights:suggestion", args=["confirm"]), {"coding": other.pk})
        other.refresh_from_db()
        assert other.state == CodingState.CONFIRMED


def test_suggestions_need_some_coding_first(client, plan, coordinator):
    _card(plan, "Fix the potholes")
    client.force_login(coordinator)
    page = client.post(reverse("insights:suggest"), follow=True).content.decode()
    assert "Code at least 2 comments to each of two themes or more first" in page


def test_discovery_shows_candidates_and_one_becomes_a_theme(client, plan, coordinator):
    for n in range(12):
        _card(plan, f"Los baches de la calle {n} y las banquetas rotas", "es")
        _card(plan, f"Más árboles y sombra en el parque {n}", "es")
    client.force_login(coordinator)
    page = client.get(reverse("insights:codebook") + "?discover=es").content.decode()
    assert "Accept as a theme" in page and ("baches" in page or "parque" in page)
    response = client.post(
        reverse("insights:accept-candidate"),
        {
            "prefix": "c0",
            "language": "es",
            "c0-name_en": "Streets",
            "c0-name_es": "Calles",
            "c0-words": "baches, calle",
        },
    )
    theme = Theme.objects.get()
    assert response.status_code == 302 and theme.keyword_list == ["baches", "calle"]


def test_merging_moves_coding_and_links_and_archives_the_source(plan, coordinator):
    streets, parks = _coded_base(plan, coordinator)
    goal = PlanItem.objects.get(plan=plan, code="1.1")
    links.link(item=goal, user=coordinator, relation="addressed_by", theme=parks)
    coding.merge_themes(source=parks, target=streets, user=coordinator)
    parks.refresh_from_db()
    assert parks.is_archived and streets.codings.count() == 5
    assert PlanLink.objects.get().theme == streets and "park" in streets.keyword_list


def test_gap_report_and_alignment_matrix(client, plan, coordinator):
    streets, parks = _coded_base(plan, coordinator)
    coding.code_input(
        evidence=Evidence.objects.filter(text__in=ENGLISH + SPANISH_STREETS), theme=streets, user=coordinator
    )
    report = selectors.gap_report(plan)
    assert [row.theme for row in report.unanswered_themes] == [streets]  # 6 pieces; parks has 2
    goal = PlanItem.objects.get(plan=plan, code="2.1")
    with pytest.raises(Exception, match="Say why"):
        links.link(item=goal, user=coordinator, relation="out_of_scope", theme=parks)
    links.link(
        item=PlanItem.objects.get(plan=plan, code="2.1.1"),
        user=coordinator,
        relation="addressed_by",
        theme=streets,
    )
    report = selectors.gap_report(plan)
    assert report.unanswered_themes == [] and goal not in report.unsupported_goals
    assert PlanItem.objects.get(plan=plan, code="1.1") in report.unsupported_goals
    matrix = selectors.alignment_matrix(plan)
    assert [p.code for p in matrix.priorities] == ["1", "2"]
    assert (matrix.rows[0][0], matrix.rows[0][1]) == (streets, [0, 6])
    client.force_login(coordinator)
    page = client.get(reverse("insights:traceability")).content.decode()
    assert "Gap report" in page and "cp-heat--4" in page


def test_drafting_from_a_theme_adds_to_the_draft_only(client, adopted_plan, coordinator):
    plan = adopted_plan
    streets, _parks = _coded_base(plan, coordinator)
    priority = PlanItem.objects.get(plan=plan, code="1")
    client.force_login(coordinator)
    response = client.post(
        reverse("insights:theme-draft", args=[streets.pk]),
        {
            "draft-parent": priority.pk,
            "draft-title_en": "Fix every pothole",
            "draft-title_es": "Arreglar todos los baches",
        },
    )
    assert response.status_code == 302
    goal = PlanItem.objects.get(plan=plan, title_en="Fix every pothole")
    assert goal.level == "goal" and PlanLink.objects.get(item=goal).theme == streets
    staff_page = client.get(reverse("staff:item", args=[goal.pk])).content.decode()
    assert "The input behind it" in staff_page and "3 pieces of input support it" in staff_page
    client.logout()
    public = client.get(reverse("voice:you-said")).content.decode()
    assert "Streets" in public and "Fix every pothole" not in public  # drafts never reach the public


def test_you_said_we_did_in_spanish_with_published_quotes_only(client, adopted_plan, coordinator):
    plan = adopted_plan
    streets, _parks = _coded_base(plan, coordinator)
    goal = PlanItem.objects.get(plan=plan, code="1.1")
    links.link(item=goal, user=coordinator, relation="addressed_by", theme=streets)
    quoted = Evidence.objects.get(text=ENGLISH[0])
    client.force_login(coordinator)
    client.post(reverse("insights:quote", args=[quoted.pk]), {"public": "1"})
    client.logout()
    page = client.get(reverse("voice:you-said").replace("/en/", "/es/")).content.decode()
    assert "Calles" in page and ENGLISH[0] in page and ENGLISH[1] not in page
    assert goal.code in page and "Nos dijeron:" in page and "Lo que nos dijeron y lo que hicimos" in page


def test_one_piece_of_input_links_to_the_goal_it_supports(client, plan, coordinator, viewer):
    _card(plan, "Please fix the potholes", district="D2", age_band="25_34")
    collect_evidence(plan)
    evidence = Evidence.objects.get()
    goal = PlanItem.objects.get(plan=plan, code="1.2")
    url = reverse("insights:evidence-link", args=[evidence.pk])
    client.force_login(viewer)
    assert client.get(url).status_code == 200
    assert client.post(url, {"item": goal.pk, "relation": "supports"}).status_code == 403
    client.force_login(coordinator)
    refused = client.post(url, {"item": goal.pk, "relation": "out_of_scope", "reason": ""})
    assert refused.status_code == 400 and "Say why it is out of scope" in refused.content.decode()
    assert client.post(url, {"item": goal.pk, "relation": "supports"}).status_code == 302
    assert selectors.item_evidence(goal).total == 1
    assert goal not in selectors.gap_report(plan).unsupported_goals
    page = client.get(reverse("insights:evidence") + "?district=D2&age_band=25_34").content.decode()
    assert "Please fix the potholes" in page and "25 to 34" in page
    assert "Please fix" not in client.get(reverse("insights:evidence") + "?district=D9").content.decode()


def test_a_theme_shows_who_raised_it(client, plan, coordinator):
    _card(plan, "Potholes on Elm", district="D1", age_band="25_34")
    _card(plan, "Potholes on Oak", "es", district="D1")
    collect_evidence(plan)
    theme = _theme(plan, coordinator, "Streets", "Calles", "")
    coding.code_input(evidence=Evidence.objects.all(), theme=theme, user=coordinator)
    assert dict(selectors.theme_segments(theme))["district"] == [("D1", 2)]
    client.force_login(coordinator)
    page = client.get(reverse("insights:theme", args=[theme.pk])).content.decode()
    assert "Who raised it" in page and "25 to 34" in page and "Spanish" in page


def test_a_goal_shows_the_share_of_survey_respondents_behind_it(client, plan, coordinator):
    survey = f.make_needs_survey(plan, slug="needs")
    for number in range(8):
        text = "Fix the potholes please" if number < 2 else ""
        Response.objects.create(survey=survey, answers={"q1": "parks", "q8": text}, submitted_on="2026-03-01")
    collect_evidence(plan)
    streets = _theme(plan, coordinator, "Streets", "Calles", "")
    coding.code_input(evidence=Evidence.objects.all(), theme=streets, user=coordinator)
    goal = PlanItem.objects.get(plan=plan, code="1.1")
    links.link(item=goal, user=coordinator, relation="addressed_by", theme=streets)
    (estimate,) = selectors.item_evidence(goal).estimates
    assert estimate.estimate.n == 8 and estimate.estimate.value == pytest.approx(0.25)
    assert (estimate.percent, estimate.weighted, estimate.estimate.small) == ("25", False, True)
    client.force_login(coordinator)
    page = client.get(reverse("insights:traceability")).content.decode()
    assert "25% (±" in page and "of respondents raised it in their own words." in page

"""What a coordinator met walking the Insight pages: out-of-scope answers on the public page and in the gap
report, drafts marked as drafts, forms that keep what was typed, a merge that asks first, search without
accents, and segment codes in words."""

from __future__ import annotations

from django.urls import reverse

from civicplan.engagement.models import InputItem
from civicplan.insights import selectors
from civicplan.insights.models import Evidence, Theme
from civicplan.insights.services import coding, links
from civicplan.insights.services.evidence import collect_evidence
from civicplan.plans import services as plan_services
from civicplan.plans.models import PlanItem

STREETS = [
    "Fix the potholes on Oak Avenue",
    "Potholes everywhere downtown",
    "Street repair should come first",
    "Arreglen los baches de la calle Roble",
    "Más baches que calles",
]


def _card(plan, text, language="en", **extra):
    return InputItem.objects.create(
        plan=plan, channel="comment_card", text=text, language=language, received_on="2026-03-01", **extra
    )


def _streets(plan, coordinator):
    for text in STREETS:
        _card(plan, text, "es" if "baches" in text else "en")
    collect_evidence(plan)
    theme = coding.create_theme(
        plan=plan,
        user=coordinator,
        data={"name_en": "Streets", "name_es": "Calles", "keywords": "pothole, bache"},
    )
    coding.code_input(evidence=Evidence.objects.all(), theme=theme, user=coordinator)
    return theme


def test_a_theme_marked_out_of_scope_says_why_on_the_public_page_and_in_the_gap_report(
    client, adopted_plan, coordinator
):
    theme = _streets(adopted_plan, coordinator)
    assert [r.theme for r in selectors.gap_report(adopted_plan).unanswered_themes] == [theme]
    goal = PlanItem.objects.get(plan=adopted_plan, code="1.1")
    reason = "State highways are repaired by the state transportation department."
    links.link(item=goal, user=coordinator, relation="out_of_scope", reason=reason, theme=theme)
    report = selectors.gap_report(adopted_plan)
    assert report.unanswered_themes == []
    assert [(row.theme, [link.reason for link in found]) for row, found in report.out_of_scope_themes] == [
        (theme, [reason])
    ]
    client.force_login(coordinator)
    staff_page = client.get(reverse("insights:traceability")).content.decode()
    assert "marked out of the plan" in staff_page and reason in staff_page
    client.logout()
    public = client.get(reverse("voice:you-said")).content.decode()
    assert reason in public and "outside what the city" in public
    assert "nothing in the adopted plan yet addresses" not in public


def test_traceability_marks_elements_of_the_working_draft(client, adopted_plan, coordinator):
    _streets(adopted_plan, coordinator)
    draft_goal = plan_services.create_item(
        plan=adopted_plan,
        user=coordinator,
        parent=PlanItem.objects.get(plan=adopted_plan, code="1"),
        data={"title_en": "A goal nobody adopted yet", "title_es": "Una meta sin adoptar"},
    )
    client.force_login(coordinator)
    page = client.get(reverse("insights:traceability")).content.decode()
    after = page.split("A goal nobody adopted yet", 2)
    assert len(after) == 3  # in the gap report and in the goals list, each time marked as a draft
    assert all('<span class="usa-tag">draft</span>' in part[:200] for part in after[1:])
    adopted = PlanItem.objects.get(plan=adopted_plan, code="1.1").localized("title")
    assert '<span class="usa-tag">draft</span>' not in page.split(adopted, 1)[1][:120]
    assert draft_goal.code in page


def test_a_refused_theme_link_keeps_the_choices_and_puts_the_error_at_the_reason(client, plan, coordinator):
    theme = _streets(plan, coordinator)
    goal = PlanItem.objects.get(plan=plan, code="1.2")
    client.force_login(coordinator)
    response = client.post(
        reverse("insights:theme-link", args=[theme.pk]),
        {"link-item": goal.pk, "link-relation": "out_of_scope", "link-reason": ""},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "Say why it is out of scope" in page
    assert 'aria-describedby="id_link-reason' in page or 'id="id_link-reason-error' in page
    assert f'<option value="{goal.pk}" selected>' in page
    assert '<option value="out_of_scope" selected>' in page
    # The page's four forms keep distinct ids.
    assert page.count('id="id_parent"') == 1 and page.count('id="id_draft-parent"') == 1


def test_coding_without_a_theme_keeps_the_ticks_and_says_what_to_do(client, plan, coordinator):
    _card(plan, "Fix the potholes")
    _card(plan, "More trees")
    collect_evidence(plan)
    coding.create_theme(plan=plan, user=coordinator, data={"name_en": "Streets", "name_es": "Calles"})
    first = Evidence.objects.get(text="Fix the potholes")
    client.force_login(coordinator)
    response = client.post(
        reverse("insights:code"), {"theme": "", "evidence": [first.pk], "return_query": "language=en"}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "Choose the theme to code the ticked comments to." in page
    assert f'value="{first.pk}" checked' in page
    other = Evidence.objects.get(text="More trees")
    assert f'value="{other.pk}" checked' not in page


def test_two_themes_cannot_share_a_name(client, plan, coordinator):
    coding.create_theme(plan=plan, user=coordinator, data={"name_en": "Streets", "name_es": "Calles"})
    client.force_login(coordinator)
    response = client.post(
        reverse("insights:codebook"),
        {"name_en": "streets", "name_es": "Vías", "description_en": "typed", "keywords": "road"},
    )
    page = response.content.decode()
    assert response.status_code == 400 and "already has a theme with this name" in page
    assert "typed" in page and Theme.objects.count() == 1


def test_merging_asks_first_naming_what_moves(client, plan, coordinator):
    theme = _streets(plan, coordinator)
    other = coding.create_theme(plan=plan, user=coordinator, data={"name_en": "Roads", "name_es": "Vías"})
    client.force_login(coordinator)
    url = reverse("insights:theme-merge", args=[theme.pk])
    asked = client.post(url, {"merge-target": other.pk})
    assert asked.status_code == 200 and "Yes, merge" in asked.content.decode()
    assert not Theme.objects.get(pk=theme.pk).is_archived
    done = client.post(url, {"merge-target": other.pk, "confirmed": "1"})
    assert done.status_code == 302 and Theme.objects.get(pk=theme.pk).is_archived


def test_drafting_starts_from_the_theme(client, plan, coordinator):
    theme = _streets(plan, coordinator)
    client.force_login(coordinator)
    page = client.get(reverse("insights:theme", args=[theme.pk])).content.decode()
    assert 'name="draft-title_en"' in page and 'value="Streets"' in page


def test_search_matches_every_word_without_accents(client, plan, coordinator):
    _card(plan, "Más árboles y sombra en el parque", "es")
    _card(plan, "Trees in the park", "en")
    collect_evidence(plan)
    found = selectors.filtered_evidence(plan, {"q": "ARBOLES parque"})
    assert [e.text for e in found] == ["Más árboles y sombra en el parque"]
    assert selectors.filtered_evidence(plan, {"q": "park trees"}).count() == 1


def test_segment_codes_are_shown_in_words_in_the_readers_language(client, plan, coordinator, viewer):
    _card(plan, "Fix the potholes", age_band="25_34")
    collect_evidence(plan)
    client.force_login(viewer)
    page = client.get("/es/staff/insights/").content.decode()
    assert "25 a 34" in page or "25 to 34" in page  # the age band's label, never its code
    assert "· 25_34" not in page
    assert "Link to the plan" not in page and "Vincular al plan" not in page  # a viewer cannot link


def test_a_council_members_edited_answer_is_copied_again(plan, council_member):
    from civicplan.engagement import services as engagement_services
    from tests import factories as f

    survey = f.make_survey(
        plan, questions=({"kind": "long_text"},), audience="council", state="open", slug="council-priorities"
    )
    engagement_services.save_council_response(
        survey=survey, user=council_member, answers={"q1": "Fix the roads"}, language="en"
    )
    collect_evidence(plan)
    assert list(Evidence.objects.values_list("text", flat=True)) == ["Fix the roads"]
    engagement_services.save_council_response(
        survey=survey, user=council_member, answers={"q1": "Fix the roads and the sidewalks"}, language="en"
    )
    collect_evidence(plan)
    evidence = Evidence.objects.get()
    assert evidence.text == "Fix the roads and the sidewalks" and "sidewalks" in evidence.search_text
    assert evidence.history.first().history_change_reason == "The answer was edited at its source."
    engagement_services.save_council_response(survey=survey, user=council_member, answers={}, language="en")
    collect_evidence(plan)
    assert Evidence.objects.get().is_archived

"""Unique strings put in drafts never appear in any anonymous response: residents see only adopted versions."""

from __future__ import annotations

import re
from html import unescape

import pytest

from civicplan.plans import services
from tests import factories as f

CANARY = "CANARYq7x"


@pytest.fixture
def drafts_with_canaries(adopted_plan, coordinator, organization):
    plan = adopted_plan
    goal = plan.items.filter(level="goal").first()
    action = plan.items.filter(level="action").first()
    services.update_item(
        item=goal,
        user=coordinator,
        expected_version=goal.lock_version,
        data={
            "title_en": f"{CANARY} reworded goal",
            "title_es": f"{CANARY} meta",
            "description_en": f"{CANARY} description",
        },
    )
    services.create_item(
        plan=plan,
        user=coordinator,
        parent=goal.children.first(),
        data={"title_en": f"{CANARY} unpublished action", "title_es": f"{CANARY} acción"},
    )
    services.update_item(
        item=action,
        user=coordinator,
        expected_version=action.lock_version,
        data={"lead": f"{CANARY} Lead Person"},
    )
    services.update_plan(
        plan=plan,
        user=coordinator,
        expected_version=plan.lock_version,
        data={"mission_en": f"{CANARY} mission", "mission_es": f"{CANARY} misión"},
    )
    services.save_value(plan=plan, user=coordinator, data={"name_en": f"{CANARY} value", "name_es": CANARY})
    never_adopted = f.make_plan(organization, title_en=f"{CANARY} other draft plan", start_fiscal_year=2031)
    f.make_item(never_adopted, title_en=f"{CANARY} draft priority")
    _engagement_canaries(plan)
    return plan


def _engagement_canaries(plan):
    """A draft survey, an employee survey with answers, a question kept off the public results, and flagged and
    council answers in a published survey."""
    from civicplan.engagement.models import Response

    f.make_needs_survey(plan, slug="draft-survey", state="draft", title_en=f"{CANARY} draft survey")
    employee = f.make_needs_survey(
        plan, slug="staff", audience="employee", state="published", title_en=f"{CANARY} staff"
    )
    published = f.make_needs_survey(plan, slug="published", state="published")
    hidden = published.questions.get(key="q8")
    hidden.results_public = False
    hidden.text_en = f"{CANARY} private question"
    hidden.save()
    for survey in (employee, published):
        for _number in range(12):
            Response.objects.create(
                survey=survey, answers={"q1": "parks", "q8": f"{CANARY} answer"}, submitted_on="2026-03-01"
            )
    Response.objects.create(
        survey=published,
        answers={"q1": "other", "q1:other": f"{CANARY} flagged"},
        submitted_on="2026-03-01",
        flagged=True,
    )


def _links(html: str) -> set[str]:
    return {unescape(href) for href in re.findall(r'href="(/[^"#]*)"', html)}


def test_drafts_never_reach_an_anonymous_reader(client, drafts_with_canaries):
    seen: set[str] = set()
    queue = [
        "/",
        "/en/",
        "/es/",
        "/en/surveys/",
        "/es/surveys/",
        # The open data the pages link to, asked for in full, and searches for words of the drafts.
        "/api/v1/items?limit=500",
        "/api/v1/items?limit=500&lang=es",
        "/api/v1/updates?limit=500",
        "/api/v1/versions",
        "/api/v1/download/plan.json?lang=es",
        "/en/plan.stratml.xml?part=2&type=Performance_Report",
        "/en/search/?q=reworded",
        "/es/search/?q=unpublished",
        "/en/report-card/",
    ]
    pages = 0
    while queue and pages < 300:
        url = queue.pop()
        if url in seen or url.startswith("/static/"):
            continue
        seen.add(url)
        response = client.get(url, follow=True)
        pages += 1
        body = response.content.decode("utf-8", errors="replace")
        assert CANARY not in body, f"draft content leaked at {url}"
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            queue.extend(link for link in _links(body) if link not in seen)
    assert pages > 10  # the crawl really walked the public site (home, priorities, goals, both languages)


def test_staff_do_see_the_draft(client, drafts_with_canaries, viewer):
    client.force_login(viewer)
    response = client.get(f"/en/staff/plans/{drafts_with_canaries.pk}/")
    assert CANARY in response.content.decode()

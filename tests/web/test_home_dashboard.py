"""The public home as a dashboard: priorities with their status counts, what changed in the last quarter that ended
(completions, status changes, updates; published only), and the ways into "You said, we did" and the money."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from civicplan.plans import selectors
from civicplan.plans.models import UpdateState
from tests import factories as f
from tests.web.changes_support import ended_quarters, published


@pytest.fixture
def quarter(adopted_plan):
    """1.1.1.1 went from on track to completed, 1.1.1.2 from on track to at risk, 2.1.1.1 reported for the first
    time; 1.2.1.1's report is only submitted and 2.2.1.1's belongs to the quarter before."""
    before, last = ended_quarters(adopted_plan)
    items = {item.code: item for item in adopted_plan.items.all()}
    published(items["1.1.1.1"], before, "on-track")
    published(items["1.1.1.1"], last, "completed", narrative="The new library opened.")
    published(items["1.1.1.2"], before, "on-track")
    published(items["1.1.1.2"], last, "at-risk", narrative="The contractor is late.")
    published(items["2.1.1.1"], last, "on-track", narrative="Crews started.")
    published(
        items["1.2.1.1"], last, "delayed", narrative="DRAFT-ONLY-NARRATIVE", state=UpdateState.SUBMITTED
    )
    published(items["2.2.1.1"], before, "completed", narrative="OLD-QUARTER-NARRATIVE")
    return before, last


def test_it_finds_completions_and_status_changes_of_the_last_ended_quarter(quarter):
    changes = selectors.quarter_changes(selectors.public_plan())
    assert changes.period == quarter[1] and changes.previous == quarter[0]
    assert [c.action.code for c in changes.updates] == ["1.1.1.1", "1.1.1.2", "2.1.1.1"]
    assert [c.action.code for c in changes.completed] == ["1.1.1.1"]
    assert [(c.action.code, c.previous_status.key, c.status.key) for c in changes.status_changes] == [
        ("1.1.1.2", "on-track", "at-risk")
    ]
    assert changes.completed[0].goal_code == "1.1"


def test_the_home_lists_what_changed_with_links_to_the_actions(client, quarter):
    html = client.get("/en/").content.decode()
    assert "What changed since last quarter" in html
    assert "Progress reported for Quarter B, compared with Quarter A." in html
    assert "1</span> action completed" in html
    assert "1</span> status change" in html
    assert "3</span> progress updates" in html
    assert 'href="/en/goals/1.1/#action-1.1.1.1"' in html
    assert 'href="/en/goals/1.1/#action-1.1.1.2"' in html
    assert 'href="/en/changes/"' in html
    assert "DRAFT-ONLY-NARRATIVE" not in html and "OLD-QUARTER-NARRATIVE" not in html


def test_the_linked_action_has_an_anchor_on_its_goal_page(client, quarter):
    assert 'id="action-1.1.1.1"' in client.get("/en/goals/1.1/").content.decode()


def test_the_changes_page_lists_every_published_update_with_its_narrative(client, quarter):
    response = client.get("/en/changes/")
    html = response.content.decode()
    assert response.status_code == 200
    for text in ("The new library opened.", "The contractor is late.", "Crews started."):
        assert text in html
    assert "DRAFT-ONLY-NARRATIVE" not in html and "OLD-QUARTER-NARRATIVE" not in html


def test_the_spanish_home_shows_the_spanish_period_and_narratives(client, quarter):
    assert "Trimestre B" in client.get("/es/").content.decode()
    html = client.get("/es/changes/").content.decode()
    assert "ES The new library opened." in html and 'href="/es/goals/1.1/#action-1.1.1.1"' in html


def test_actions_added_to_the_draft_after_adoption_are_not_listed(client, quarter, adopted_plan):
    strategy = adopted_plan.items.get(code="1.1.1")
    draft_action = f.make_item(adopted_plan, strategy, title_en="DRAFT-ACTION-TITLE")
    published(draft_action, quarter[1], "completed", narrative="DRAFT-ACTION-NARRATIVE")
    for url in ("/en/", "/en/changes/"):
        html = client.get(url).content.decode()
        assert "DRAFT-ACTION" not in html, url


def test_before_any_quarter_ends_the_home_says_so(client, adopted_plan):
    html = client.get("/en/").content.decode()
    assert "No reporting period has ended yet" in html
    assert client.get("/en/changes/").status_code == 200


def test_a_quarter_that_has_not_ended_is_not_the_last_quarter(adopted_plan):
    _before, last = ended_quarters(adopted_plan)
    changes = selectors.quarter_changes(selectors.public_plan(), today=last.ends_on)
    assert changes.period != last


def test_the_home_counts_each_priority_actions_by_status(client, adopted_plan):
    html = client.get("/en/").content.decode()
    assert html.count('aria-label="Actions by status"') == adopted_plan.items.filter(level="priority").count()


def test_the_home_leads_to_you_said_we_did_and_where_the_money_goes(client, adopted_plan):
    html = client.get("/en/").content.decode()
    main = html[html.index("<main") : html.index("</main>")]
    assert 'href="/en/you-said-we-did/"' in main and 'href="/en/budget/"' in main


def test_a_newly_published_update_shows_on_the_cached_home(client, quarter, adopted_plan):
    client.get("/en/")  # cached now
    from civicplan.core.models import ContentGeneration

    action = adopted_plan.items.get(code="2.2.1.2")
    published(
        action, quarter[1], "completed", narrative="x", published_at=timezone.now() - dt.timedelta(days=1)
    )
    ContentGeneration.bump()  # what every publishing service does
    assert 'href="/en/goals/2.2/#action-2.2.1.2"' in client.get("/en/").content.decode()


def test_the_home_counts_every_action_of_the_plan_by_status(client, adopted_plan, quarter):
    html = client.get("/en/").content.decode()
    glance = html[html.index('id="glance-heading"') : html.index('id="priorities-heading"')]
    actions = adopted_plan.items.filter(level="action").count()
    assert f"The plan has {actions} actions." in glance
    assert glance.count("<li>") == 1 and "On track" in glance and f'text-bold">{actions}</span>' in glance


def test_what_changed_costs_the_same_queries_whatever_the_number_of_updates(client, quarter, adopted_plan):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get("/en/")
    _before, last = quarter
    for code in ("1.2.1.2", "2.1.1.2", "2.2.1.1", "2.2.1.2"):
        published(adopted_plan.items.get(code=code), last, "delayed")
    cache.clear()
    selectors.forget_built_plans()
    with CaptureQueriesContext(connection) as many:
        assert "7</span> progress updates" in client.get("/en/").content.decode()
    assert len(many.captured_queries) <= len(few.captured_queries)


def test_the_home_lists_published_indicators_with_values_for_the_last_quarter(client, quarter, adopted_plan):
    before, last = quarter
    goal = adopted_plan.items.get(code="1.1")
    measured = f.make_indicator(adopted_plan, items=[goal], is_published=True, name_en="Library visits")
    for offset in (0, 31):
        f.make_measurement(measured, last.starts_on + dt.timedelta(days=offset), 10)
    old = f.make_indicator(adopted_plan, is_published=True, name_en="OLD-VALUES-INDICATOR")
    f.make_measurement(old, before.starts_on, 5)
    draft = f.make_indicator(adopted_plan, name_en="DRAFT-INDICATOR")
    f.make_measurement(draft, last.starts_on, 5)
    html = client.get("/en/").content.decode()
    assert f'href="/en/indicators/{measured.key}/">Library visits</a>' in html and "2 new values" in html
    assert "OLD-VALUES-INDICATOR" not in html and "DRAFT-INDICATOR" not in html


def test_the_home_shows_overall_progress_as_the_mean_of_the_actions_reported(client, adopted_plan):
    plan = selectors.public_plan()
    reported = [a.progress for p in plan.priorities for a in p.actions() if a.progress is not None]
    assert (
        len(reported) == 8 and sum(reported) / len(reported) == 50
    )  # the small plan: four at 40%, four at 60%
    page = client.get("/en/").content.decode()
    assert "Overall progress" in page and "50%" in page.split("Overall progress", 1)[1][:600]

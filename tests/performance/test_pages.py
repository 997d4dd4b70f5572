"""Indicator pages (staff and public), the item-page sections, and their query counts."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from defusedxml import ElementTree
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from civicplan.performance import services
from civicplan.performance.models import Measurement
from tests import factories as f

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(autouse=True)
def _english():
    """Requests in Spanish leave Spanish active in the thread; `reverse` here means the English URLs."""
    with translation.override("en"):
        yield


@pytest.fixture
def goal(adopted_plan):
    return adopted_plan.items.filter(level="goal").order_by("code").first()


def _this_month() -> dt.date:
    return timezone.localdate().replace(day=1)


def _series(indicator, months=6, start=50):
    """Values for the months before this one, inside the plan."""
    first, _last = indicator.plan.bounds
    day = _this_month()
    made = []
    for n in range(months, 0, -1):
        index = day.year * 12 + day.month - 1 - n
        period = dt.date(index // 12, index % 12 + 1, 1)
        if period >= first:
            made.append(f.make_measurement(indicator, period, start + n))
    return made


@pytest.fixture
def published(adopted_plan, goal, department_a, editor_a):
    indicator = f.make_indicator(
        adopted_plan,
        items=[goal],
        department=department_a,
        owner=editor_a,
        is_published=True,
        name_en="Trees planted",
        name_es="Árboles plantados",
        description_en="Street trees <b>planted</b>.",
        description_es="Árboles en calles.",
        baseline_value=40,
    )
    for year in range(2025, 2030):
        f.make_target(indicator, year, 60)
    _series(indicator)
    return indicator


@pytest.fixture
def draft(adopted_plan, goal):
    return f.make_indicator(
        adopted_plan, items=[goal], name_en="Secret draft measure", name_es="Borrador secreto"
    )


# --- Public -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_public_page_shows_a_published_indicator(client, published, goal, language):
    response = client.get(f"/{language}/indicators/{published.key}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert ("Trees planted" if language == "en" else "Árboles plantados") in body
    assert "&lt;b&gt;planted&lt;/b&gt;" in body or language == "es"
    assert goal.code in body
    assert body.count("<h1") == 1


def test_the_public_page_is_not_found_for_a_draft(client, draft):
    assert client.get(f"/en/indicators/{draft.key}/").status_code == 404


def test_the_public_page_is_not_found_for_an_archived_indicator(client, published, coordinator):
    services.archive_indicator(indicator=published, user=coordinator, reason="Retired")
    assert client.get(f"/en/indicators/{published.key}/").status_code == 404


def test_the_public_goal_page_lists_published_indicators_but_never_drafts(client, published, draft, goal):
    body = client.get(f"/en/goals/{goal.code}/").content.decode()
    assert "Trees planted" in body
    assert "Secret draft measure" not in body
    assert reverse("performance:indicator", kwargs={"key": published.key}) in body


def test_the_public_priority_page_summarises_its_goals_indicators(client, published, goal):
    body = client.get(f"/en/priorities/{goal.parent.code}/").content.decode()
    assert "1 indicator measures the goals of this priority." in body
    assert "Trees planted" in body


def test_the_chart_is_valid_svg_and_its_table_has_the_same_numbers(client, published):
    body = client.get(f"/en/indicators/{published.key}/").content.decode()
    svg = re.search(
        r"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"cp-chart\".*?</svg>", body, re.S
    ).group(0)
    root = ElementTree.fromstring(svg)
    assert root.find(f"{SVG}title").text == "Trees planted over time"
    assert "Status:" in root.find(f"{SVG}desc").text
    chart_values = [c.find(f"{SVG}title").text.split(": ")[1] for c in root.iter(f"{SVG}circle")]
    table_values = re.findall(r'class="cp-chart-value">([^<]+)</td>', body)
    assert chart_values == table_values
    assert len(table_values) == Measurement.objects.filter(indicator=published).count()


def test_a_write_refreshes_the_cached_public_page(client, published, editor_a):
    url = f"/en/indicators/{published.key}/"
    client.get(url)
    services.record_measurement(indicator=published, user=editor_a, period=_this_month(), value="77.7")
    assert "77.7%" in client.get(url).content.decode()


# --- Staff ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "es"])
def test_staff_pages_render_in_both_languages(client, coordinator, published, draft, language):
    client.force_login(coordinator)
    for name, kwargs in [
        ("indicators:list", {}),
        ("indicators:new", {}),
        ("indicators:detail", {"indicator_id": published.pk}),
        ("indicators:edit", {"indicator_id": published.pk}),
        ("indicators:target", {"indicator_id": published.pk}),
        ("indicators:enter", {"indicator_id": published.pk}),
        ("indicators:archive", {"indicator_id": published.pk}),
    ]:
        with translation.override(language):
            url = reverse(name, kwargs=kwargs)
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.content.decode().count("<h1") == 1, url


def test_the_list_filters_by_status_and_marks_drafts(client, viewer, published, draft):
    client.force_login(viewer)
    body = client.get(reverse("indicators:list")).content.decode()
    assert "Secret draft measure" in body and "Draft" in body
    body = client.get(reverse("indicators:list") + "?state=published").content.decode()
    assert "Secret draft measure" not in body and "Trees planted" in body
    body = client.get(reverse("indicators:list") + "?status=no-data").content.decode()
    assert "Secret draft measure" in body and "Trees planted" not in body


def test_the_staff_goal_page_shows_drafts_marked_as_such(client, viewer, published, draft, goal):
    client.force_login(viewer)
    body = client.get(reverse("staff:item", kwargs={"item_id": goal.pk})).content.decode()
    assert "Secret draft measure" in body
    assert "Trees planted" in body
    assert "Draft" in body


def test_the_detail_page_explains_the_status_and_the_rule(client, viewer, published):
    client.force_login(viewer)
    body = client.get(reverse("indicators:detail", kwargs={"indicator_id": published.pk})).content.decode()
    assert "How the status is decided" in body
    assert "meets the FY" in body or "short of the FY" in body or "No value for" in body


def test_the_quick_form_asks_before_replacing_a_value(client, editor_a, published):
    client.force_login(editor_a)
    url = reverse("indicators:enter", kwargs={"indicator_id": published.pk})
    existing = Measurement.objects.filter(indicator=published).order_by("-period_start").first()
    period = existing.period_start.isoformat()
    response = client.post(url, {"period": period, "value": "99"})
    assert response.status_code == 409
    body = response.content.decode()
    assert "already has a value" in body and "Replace the saved value" in body
    existing.refresh_from_db()
    assert existing.value != 99
    response = client.post(url, {"period": period, "value": "99", "replace": "on", "confirm": "replace"})
    assert response.status_code == 302
    existing.refresh_from_db()
    assert existing.value == 99


def test_the_quick_form_explains_a_non_numeric_value(client, editor_a, published):
    client.force_login(editor_a)
    url = reverse("indicators:enter", kwargs={"indicator_id": published.pk})
    response = client.post(url, {"period": _this_month().isoformat(), "value": "lots"})
    assert response.status_code == 200
    assert "is not a number" in response.content.decode()


def test_the_quick_form_preselects_the_latest_due_period(client, editor_a, published):
    client.force_login(editor_a)
    response = client.get(reverse("indicators:enter", kwargs={"indicator_id": published.pk}))
    form = response.context["form"]
    assert form["period"].value() == form.fields["period"].initial


def test_an_editor_of_another_department_cannot_open_the_quick_form(client, editor_b, published):
    client.force_login(editor_b)
    assert client.get(reverse("indicators:enter", kwargs={"indicator_id": published.pk})).status_code == 403


def test_an_editor_cannot_publish_by_post(client, editor_a, draft):
    client.force_login(editor_a)
    response = client.post(reverse("indicators:publish", kwargs={"indicator_id": draft.pk}))
    assert response.status_code == 403
    draft.refresh_from_db()
    assert not draft.is_published


def test_publishing_without_spanish_says_what_is_missing(client, coordinator, adopted_plan, goal):
    indicator = f.make_indicator(adopted_plan, items=[goal], name_es="")
    client.force_login(coordinator)
    response = client.post(reverse("indicators:publish", kwargs={"indicator_id": indicator.pk}), follow=True)
    assert "English and in Spanish" in response.content.decode()
    indicator.refresh_from_db()
    assert not indicator.is_published


def test_the_coordinator_creates_an_indicator_with_links(client, coordinator, adopted_plan, goal):
    client.force_login(coordinator)
    response = client.post(
        reverse("indicators:new"),
        {
            "key": "NEW-1",
            "name_en": "New",
            "name_es": "Nuevo",
            "unit_en": "%",
            "unit_es": "%",
            "decimals": 1,
            "direction": "higher",
            "frequency": "quarterly",
            "stage": "outcome",
            "attention_margin": "10",
            "reporting_lag_days": 45,
            "items": [goal.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    indicator = adopted_plan.indicators.get(key="NEW-1")
    assert list(indicator.items.all()) == [goal]


def test_an_edit_from_a_stale_form_shows_the_conflict(client, coordinator, draft):
    client.force_login(coordinator)
    services.update_indicator(
        indicator=draft, user=coordinator, data={"name_en": "Theirs"}, expected_version=draft.lock_version
    )
    response = client.post(
        reverse("indicators:edit", kwargs={"indicator_id": draft.pk}),
        {
            "key": draft.key,
            "name_en": "Mine",
            "name_es": "Mío",
            "decimals": 1,
            "direction": "higher",
            "frequency": "monthly",
            "stage": "outcome",
            "attention_margin": "10",
            "reporting_lag_days": 45,
            "lock_version": draft.lock_version,
        },
    )
    assert response.status_code == 409
    assert "Someone else saved this indicator" in response.content.decode()


# --- Query counts -----------------------------------------------------------------------------------------------


def _queries(client, url, clear_cache=False):
    client.get(url)  # warm up: the first request loads per-process things (session, cached rows)
    if clear_cache:
        cache.clear()
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def _add_indicators(plan, goal, count):
    for _n in range(count):
        indicator = f.make_indicator(plan, items=[goal], is_published=True)
        f.make_target(indicator, 2025, 10)
        f.make_target(indicator, 2026, 12)
        _series(indicator, months=4)


def test_the_public_goal_page_makes_the_same_number_of_queries_as_indicators_grow(client, adopted_plan, goal):
    url = f"/en/goals/{goal.code}/"
    _add_indicators(adopted_plan, goal, 1)
    few = _queries(client, url, clear_cache=True)
    _add_indicators(adopted_plan, goal, 5)
    many = _queries(client, url, clear_cache=True)
    assert many == few


def test_the_staff_goal_page_makes_the_same_number_of_queries_as_indicators_grow(
    client, viewer, adopted_plan, goal
):
    client.force_login(viewer)
    url = reverse("staff:item", kwargs={"item_id": goal.pk})
    _add_indicators(adopted_plan, goal, 1)
    few = _queries(client, url)
    _add_indicators(adopted_plan, goal, 5)
    assert _queries(client, url) == few


def test_the_staff_list_makes_the_same_number_of_queries_as_indicators_grow(
    client, viewer, adopted_plan, goal
):
    client.force_login(viewer)
    url = reverse("indicators:list")
    _add_indicators(adopted_plan, goal, 1)
    few = _queries(client, url)
    _add_indicators(adopted_plan, goal, 5)
    assert _queries(client, url) == few

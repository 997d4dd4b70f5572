"""The public site: adopted content only, both languages, one <h1>, the right lang, a skip link."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from civicplan.plans import selectors, services
from tests import factories as f


def _public_urls(plan) -> list[str]:
    urls = []
    for language in ("en", "es"):
        urls.append(f"/{language}/")
        for item in plan.items.filter(level__in=["priority", "goal"]):
            urls.append(f"/{language}/{'priorities' if item.level == 'priority' else 'goals'}/{item.code}/")
    return urls


def test_every_public_page_has_one_h1_the_right_lang_and_a_skip_link(client, adopted_plan):
    for url in _public_urls(adopted_plan):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        language = url.split("/")[1]
        assert f'<html lang="{language}">' in html, url
        assert len(re.findall(r"<h1[\s>]", html)) == 1, url
        assert 'class="usa-skipnav" href="#main-content"' in html and 'id="main-content"' in html, url
        assert "<main" in html and "<header" in html and "<footer" in html and "<nav" in html, url


def test_pages_make_no_request_to_another_origin(client, adopted_plan):
    for url in _public_urls(adopted_plan)[:4]:
        html = client.get(url).content.decode()
        assert not re.search(r'(src|href)="(https?:)?//', html), url
        assert "Content-Security-Policy" in client.get(url).headers


def test_the_spanish_pages_show_the_spanish_text(client, adopted_plan):
    goal = adopted_plan.items.get(code="1.1")
    html = client.get("/es/goals/1.1/").content.decode()
    assert goal.title_es in html and goal.title_en not in html


def test_a_resident_without_a_plan_sees_a_plain_message(client, db):
    response = client.get("/en/")
    assert response.status_code == 200
    assert "has not published" in response.content.decode()


def test_an_unknown_code_is_a_friendly_404(client, adopted_plan):
    response = client.get("/en/goals/9.9/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert client.get("/en/goals/1/").status_code == 404  # a priority's code is not a goal


def test_the_root_sends_readers_to_their_language(client, adopted_plan):
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="es").url == "/es/"
    client.get("/language/es/?next=/es/goals/1.1/")
    assert client.get("/").url == "/es/"  # remembered in a cookie


def test_the_language_switch_only_redirects_to_this_site(client, db):
    response = client.get("/language/es/?next=https://evil.example/")
    assert response.url == "/es/"
    assert response.cookies["civicplan_language"].value == "es"


def test_a_cached_page_is_dropped_when_a_new_version_is_adopted(client, adopted_plan, coordinator):
    goal = adopted_plan.items.get(code="1.1")
    assert goal.title_en in client.get("/en/goals/1.1/").content.decode()
    services.update_item(
        item=goal,
        user=coordinator,
        expected_version=goal.lock_version,
        data={"title_en": "Amended goal title"},
    )
    assert "Amended goal title" not in client.get("/en/goals/1.1/").content.decode()
    f.adopt(adopted_plan, coordinator, reason="Amendment")
    assert "Amended goal title" in client.get("/en/goals/1.1/").content.decode()


def test_progress_updates_show_without_an_amendment(client, adopted_plan, coordinator):
    action = adopted_plan.items.filter(level="action").order_by("code").first()
    client.get("/en/goals/1.1/")
    services.update_item(
        item=action, user=coordinator, expected_version=action.lock_version, data={"progress": 95}
    )
    assert "95% complete" in client.get("/en/goals/1.1/").content.decode()


@pytest.mark.parametrize("url", ["/en/", "/en/priorities/1/", "/en/goals/1.1/"])
def test_public_pages_cost_the_same_queries_whatever_the_plan_size(
    client, adopted_plan, coordinator, django_assert_max_num_queries, url
):
    # 9: the goal page also asks the budget for the adopted money reaching the goal (one query).
    with django_assert_max_num_queries(9):
        client.get(url)
    for _ in range(5):  # grow the plan: more goals, strategies, actions under priority 1
        goal = services.create_item(
            plan=adopted_plan,
            user=coordinator,
            parent=adopted_plan.items.get(code="1"),
            data={"title_en": "g", "title_es": "m"},
        )
        strategy = services.create_item(
            plan=adopted_plan, user=coordinator, parent=goal, data={"title_en": "s", "title_es": "e"}
        )
        services.create_item(
            plan=adopted_plan, user=coordinator, parent=strategy, data={"title_en": "a", "title_es": "a"}
        )
    f.adopt(adopted_plan, coordinator, reason="grow")
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(9):
        client.get(url)
    assert selectors.public_plan().by_code["1.7"]


def test_residents_see_every_adopted_version_and_what_changed(client, adopted_plan, coordinator):
    goal = adopted_plan.items.get(code="1.1")
    services.update_item(
        item=goal,
        user=coordinator,
        expected_version=goal.lock_version,
        data={"title_en": "Safer streets", "title_es": "Calles más seguras"},
    )
    services.adopt_plan(
        plan=adopted_plan,
        user=coordinator,
        adopted_on=dt.date(2026, 6, 23),
        meeting="Regular meeting",
        resolution="2026-41",
        reason="Mid-cycle refresh",
    )
    html = client.get("/es/versions/").content.decode()
    assert "Mid-cycle refresh" in html and "2026-41" in html
    assert "Calles más seguras" in html  # the change, named in the reader's language
    assert "1 elemento con nueva redacción" in html


def test_the_public_versions_page_never_compares_the_draft(client, adopted_plan, coordinator):
    goal = adopted_plan.items.get(code="1.1")
    services.update_item(
        item=goal,
        user=coordinator,
        expected_version=goal.lock_version,
        data={"title_en": "Draft only wording"},
    )
    html = client.get("/en/versions/?a=1&b=draft").content.decode()
    assert "Draft only wording" not in html

"""Searching the adopted plan in both languages at once, accents aside; drafts never found."""

from __future__ import annotations

from django.urls import reverse

from civicplan.plans.models import PlanItem
from civicplan.plans.services import create_item, update_item


def _spanish(plan, coordinator, code, title_es):
    item = PlanItem.objects.get(plan=plan, code=code)
    update_item(item=item, user=coordinator, data={"title_es": title_es}, expected_version=item.lock_version)


def test_a_spanish_word_finds_the_goal_on_the_english_site_and_the_other_way(client, plan, coordinator):
    from tests import factories as f

    _spanish(plan, coordinator, "1.1", "Más árboles en los parques")
    f.adopt(plan, coordinator)
    english_title = PlanItem.objects.get(plan=plan, code="1.1").title_en
    page = client.get(reverse("web:search"), {"q": "ARBOLES"}).content.decode()
    assert english_title in page and "1 result" in page
    spanish = client.get(reverse("web:search").replace("/en/", "/es/"), {"q": english_title.split()[0]})
    assert "Más árboles en los parques" in spanish.content.decode()


def test_drafts_are_never_found_and_links_lead_to_the_item(client, adopted_plan, coordinator):
    goal = PlanItem.objects.get(plan=adopted_plan, code="1.1")
    create_item(plan=adopted_plan, user=coordinator, parent=goal, data={"title_en": "Zebra crossing canary"})
    assert "Zebra crossing canary" not in client.get(reverse("web:search"), {"q": "zebra"}).content.decode()
    page = client.get(reverse("web:search"), {"q": goal.title_en}).content.decode()
    assert reverse("plans:goal", args=["1.1"]) in page


def test_an_empty_search_shows_the_form_only(client, adopted_plan):
    page = client.get(reverse("web:search"))
    assert (
        page.status_code == 200
        and 'name="q"' in page.content.decode()
        and "result" not in page.content.decode()
    )

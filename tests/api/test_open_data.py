"""The open data API: published data only (the adopted version, never the working draft), filters, pagination,
ETags, and responses that match the OpenAPI schema."""

from __future__ import annotations

from tests import factories as f


def test_nothing_is_served_before_a_plan_is_adopted(client, plan):
    assert client.get("/api/v1/plan").status_code == 404


def test_the_plan_and_its_items_come_from_the_adopted_version_only(client, adopted_plan, coordinator):
    from civicplan.plans.services import create_item

    priority = adopted_plan.items.get(code="1")
    create_item(plan=adopted_plan, user=coordinator, parent=priority, data={"title_en": "DRAFT-CANARY goal"})
    plan = client.get("/api/v1/plan").json()
    assert plan["version"] == 1 and plan["priorities"] == 2
    body = client.get("/api/v1/items?limit=500").content.decode()
    assert "DRAFT-CANARY" not in body
    page = client.get("/api/v1/items?level=goal").json()
    assert page["count"] == 4 and {r["code"] for r in page["results"]} == {"1.1", "1.2", "2.1", "2.2"}
    under = client.get("/api/v1/items?code=1.1").json()
    assert {r["code"] for r in under["results"]} >= {"1.1", "1.1.1"} and all(
        r["code"].startswith("1.1") for r in under["results"]
    )
    assert under["results"][1]["parent"] == "1.1"
    paged = client.get("/api/v1/items?limit=2&offset=2").json()
    assert (paged["limit"], paged["offset"], len(paged["results"])) == (2, 2, 2)
    assert client.get("/api/v1/items/1.1").json()["level"] == "goal"
    assert client.get("/api/v1/items/9.9").status_code == 404
    assert client.get("/api/v1/items?lang=fr").status_code == 400


def test_etags_answer_304_until_public_content_changes(client, adopted_plan, coordinator):
    first = client.get("/api/v1/items")
    etag = first["ETag"]
    assert client.get("/api/v1/items", HTTP_IF_NONE_MATCH=etag).status_code == 304
    f.adopt(adopted_plan, coordinator, reason="Amended")
    assert client.get("/api/v1/items", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_the_openapi_schema_describes_every_endpoint_and_the_docs_load_no_cdn(client, adopted_plan):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert {"/api/v1/plan", "/api/v1/items", "/api/v1/items/{code}", "/api/v1/indicators"} <= set(
        schema["paths"]
    )
    docs = client.get("/api/v1/docs").content.decode()
    assert "cdn." not in docs and "unpkg" not in docs and "jsdelivr" not in docs
    # The site's own reference: each operation, its parameters and the fields of its answers.
    assert "<code>GET /api/v1/items</code>" in docs and "<code>offset</code>" in docs
    assert 'id="shape-itemout"' in docs and "<code>due_date</code>" in docs and "en | es" in docs


def test_spanish_titles_on_request(client, adopted_plan):
    english = client.get("/api/v1/items/1").json()["title"]
    spanish = client.get("/api/v1/items/1?lang=es").json()["title"]
    assert english and spanish
    assert client.get("/api/v1/indicators").status_code == 200


def test_the_adopted_budget_by_priority(client, adopted_plan, organization, department_a):
    assert client.get("/api/v1/budget").status_code == 404
    f.make_budget_line(organization, department_a, fiscal_year=2025)
    body = client.get("/api/v1/budget").json()
    assert (body["fiscal_year"], body["years"]) == (2025, [2025])
    assert body["total"] == "100000.00" and body["outside_the_plan"] == "100000.00"
    assert [p["code"] for p in body["priorities"]] == ["1", "2"] and body["priorities"][0]["goals"]
    assert client.get("/api/v1/budget?year=2031").status_code == 404


def test_only_published_survey_results_are_served(client, plan):
    from civicplan.engagement.models import Response

    published = f.make_needs_survey(plan, slug="needs-2026", state="published")
    open_survey = f.make_needs_survey(plan, slug="still-open")
    employee = f.make_needs_survey(plan, slug="staff-pulse", audience="employee", state="published")
    for survey in (published, open_survey, employee):
        Response.objects.create(survey=survey, answers={"q1": "parks"}, submitted_on="2026-03-01")
    assert [s["slug"] for s in client.get("/api/v1/surveys").json()] == ["needs-2026"]
    results = client.get("/api/v1/surveys/needs-2026/results?lang=es").json()
    first = results["questions"][0]
    assert results["responses"] == 1 and first["rows"][0] == {
        "code": "parks",
        "label": "Parques",
        "count": 1,
        "percent": "100.0",
        "mean": "",
        "share": "",
    }
    assert client.get("/api/v1/surveys/still-open/results").status_code == 404
    assert client.get("/api/v1/surveys/staff-pulse/results").status_code == 404


def test_bulk_downloads_are_safe_csv_and_one_json_document(client, adopted_plan, coordinator):
    item = adopted_plan.items.get(code="1.1")
    item.title_en = "=HYPERLINK(1)"
    item.save()
    f.adopt(adopted_plan, coordinator, reason="Renamed")
    response = client.get("/api/v1/download/items.csv")
    text = response.content.decode("utf-8")
    assert response["Content-Type"].startswith("text/csv") and text.startswith("\ufeffid,code,level")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    document = client.get("/api/v1/download/plan.json?lang=es").json()
    assert document["plan"]["version"] == 2 and len(document["items"]) == document["plan"]["items"]
    assert client.get("/api/v1/download/indicators.csv").content.decode("utf-8").startswith("\ufeffkey,name")


def test_versions_statuses_updates_and_one_indicators_values(client, adopted_plan, coordinator):
    import datetime as dt

    from civicplan.plans.models import PlanItem

    versions = client.get("/api/v1/versions").json()
    assert [v["number"] for v in versions] == [1]
    statuses = client.get("/api/v1/statuses?lang=es").json()
    assert statuses and {"key", "name", "color"} <= set(statuses[0])
    action = PlanItem.objects.filter(plan=adopted_plan, level="action").order_by("code").first()
    period = f.make_open_period(adopted_plan, today=dt.date(2025, 10, 15))
    published = f.make_submitted_update(action, period, coordinator, narrative_en="Paved PUBLISHED-ROAD")
    published.state = "published"
    published.save()
    pending = PlanItem.objects.filter(plan=adopted_plan, level="action").order_by("code").last()
    f.make_submitted_update(pending, period, coordinator, narrative_en="SUBMITTED-CANARY")
    page = client.get(f"/api/v1/updates?code={action.code.rsplit('.', 1)[0]}").json()
    assert page["count"] == 1 and page["results"][0]["narrative"] == "Paved PUBLISHED-ROAD"
    assert "SUBMITTED-CANARY" not in client.get("/api/v1/updates?limit=500").content.decode()
    assert client.get("/api/v1/updates?fiscal_year=1990").json()["count"] == 0
    indicator = f.make_indicator(adopted_plan, items=[adopted_plan.items.get(code="1.1")], is_published=True)
    f.make_target(indicator, 2025, 50)
    f.make_measurement(indicator, dt.date(2025, 7, 1), 40)
    detail = client.get(f"/api/v1/indicators/{indicator.key}").json()
    assert [(t["fiscal_year"], t["value"]) for t in detail["targets"]] == [(2025, "50")] or detail["targets"][
        0
    ]["fiscal_year"] == 2025
    assert [m["period_start"] for m in detail["measurements"]] == ["2025-07-01"] and detail["items"] == [
        "1.1"
    ]
    draft = f.make_indicator(adopted_plan)
    assert client.get(f"/api/v1/indicators/{draft.key}").status_code == 404  # drafts never reach the API

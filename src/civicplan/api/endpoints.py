"""`/api/v1/`: the adopted plan, its items with live status and progress, and the published indicators. Every
answer is built from the public selectors (the adopted version, never the working draft), carries an ETag
keyed on the public content generation, and answers 304 to a matching If-None-Match."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable
from functools import wraps
from typing import Any, Literal

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import HttpError, ValidationError

from civicplan.api.docs import AccessibleDocs
from civicplan.api.schemas import (
    BudgetOut,
    ErrorOut,
    IndicatorDetailOut,
    IndicatorOut,
    ItemOut,
    ItemPage,
    MeasurementOut,
    MoneyOut,
    PlanOut,
    StatusOut,
    SurveyOut,
    TargetOut,
    UpdateOut,
    UpdatePage,
    VersionOut,
)
from civicplan.budget import selectors as budget_selectors
from civicplan.engagement import exporters as survey_exporters
from civicplan.engagement import selectors as survey_selectors
from civicplan.lib.fiscal import fiscal_year_bounds
from civicplan.lib.spreadsheets import safe_cell
from civicplan.performance import selectors as indicator_selectors
from civicplan.plans import selectors as plan_selectors

api = NinjaAPI(
    title="CivicPlan open data",
    version="1",
    description="The adopted strategic plan, its progress and its indicators: the data of the public site.",
    urls_namespace="api",
    docs=AccessibleDocs(),
)
MAX_LIMIT = 500
Language = Literal["en", "es"]
# What a request can get besides its data: a bad filter value, or nothing published (yet) under that name.
ERRORS: dict[int, Any] = {400: ErrorOut, 404: ErrorOut}
CSV_RESPONSES = {
    200: {
        "description": "A CSV file (UTF-8 with a BOM)",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    },
    400: {"description": "A bad filter value"},
    404: {"description": "No plan is adopted yet"},
}


@api.exception_handler(ValidationError)
def bad_parameter(request: HttpRequest, error: ValidationError) -> HttpResponse:
    """A filter value the API does not take answers 400 with what to change, as every documented error does
    (django-ninja's default is a 422 with its own error list)."""
    problems = "; ".join(
        f"{'.'.join(str(part) for part in problem.get('loc', [])[1:]) or 'request'}: {problem.get('msg', '')}"
        for problem in error.errors
    )
    return api.create_response(request, {"detail": problems}, status=400)


def _language(lang: str) -> str:
    if lang not in ("en", "es"):
        raise HttpError(400, "lang must be en or es")
    return lang


def with_etag(view: Callable[..., Any]) -> Callable[..., Any]:
    """An ETag from the public content generation and the query: unchanged data answers 304, and the body is
    kept in the cache under it (public data changes only when the generation moves)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        key = f"{plan_selectors.public_generation()}:{request.get_full_path()}"
        etag = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
        if request.headers.get("If-None-Match") == etag:
            response = HttpResponse(status=304)
        else:
            body = cache.get(f"api:{etag}")
            if body is None:
                result = view(request, *args, **kwargs)
                data = result.model_dump(mode="json") if isinstance(result, Schema) else result
                body = json.dumps(data, ensure_ascii=False)
                cache.set(f"api:{etag}", body)
            response = HttpResponse(body, content_type="application/json")
        response["ETag"] = etag
        response["Cache-Control"] = "public, max-age=60"
        return response

    return wrapper


def _public_plan(lang: str) -> Any:
    with translation.override(lang):
        plan = plan_selectors.public_plan(language=lang)
    if plan is None:
        raise HttpError(404, "No plan has been adopted yet.")
    return plan


def _nodes(plan: Any) -> list[tuple[Any, str | None]]:
    return [(node, parent.code if parent else None) for node, parent in plan.walk()]


def _item(node: Any, parent: str | None, lang: str) -> ItemOut:
    status = node.status
    return ItemOut(
        id=node.id,
        code=node.code,
        level=node.level,
        parent=parent,
        title=node.title,
        description=node.description,
        department=node.department,
        lead=node.lead,
        status=status.key if status else None,
        status_name=status.localized("name", lang) if status else None,
        progress=node.progress,
        start_date=node.start_date,
        due_date=node.due_date,
    )


@api.get("/plan", response={200: PlanOut, **ERRORS}, summary="The adopted plan")
@with_etag
def plan(request: HttpRequest, lang: Language = "en") -> PlanOut:
    public = _public_plan(_language(lang))
    return PlanOut(
        title=public.title,
        organization=public.organization.localized("name", lang),
        period=public.period,
        mission=public.mission,
        vision=public.vision,
        values=[name for name, _description in public.values],
        version=public.version.number,
        adopted_on=public.version.adopted_on,
        priorities=len(public.priorities),
        items=len(public.by_code),
    )


class ItemFilters(Schema):
    lang: Language = "en"
    level: str | None = None
    code: str | None = None  # a code and everything under it, e.g. 2.1
    department: str | None = None
    status: str | None = None
    limit: int = 100
    offset: int = 0


@api.get("/items", response={200: ItemPage, **ERRORS}, summary="Priorities, goals, strategies and actions")
@with_etag
def items(request: HttpRequest, filters: Query[ItemFilters]) -> ItemPage:
    lang = _language(filters.lang)
    rows = [_item(node, parent, lang) for node, parent in _nodes(_public_plan(lang))]
    if filters.level:
        rows = [r for r in rows if r.level == filters.level]
    if filters.code:
        rows = [r for r in rows if r.code == filters.code or r.code.startswith(filters.code + ".")]
    if filters.department:
        rows = [r for r in rows if r.department == filters.department]
    if filters.status:
        rows = [r for r in rows if r.status == filters.status]
    limit = max(1, min(filters.limit, MAX_LIMIT))
    offset = max(0, filters.offset)
    return ItemPage(count=len(rows), limit=limit, offset=offset, results=rows[offset : offset + limit])


@api.get("/items/{code}", response={200: ItemOut, **ERRORS}, summary="One item by its code")
@with_etag
def item(request: HttpRequest, code: str, lang: Language = "en") -> ItemOut:
    lang = _language(lang)
    for node, parent in _nodes(_public_plan(lang)):
        if node.code == code:
            return _item(node, parent, lang)
    raise HttpError(404, "No item of the adopted plan has this code.")


@api.get(
    "/indicators",
    response={200: list[IndicatorOut], **ERRORS},
    summary="Published indicators with their latest value",
)
@with_etag
def indicators(request: HttpRequest, lang: Language = "en") -> list[dict[str, Any]]:
    lang = _language(lang)
    return [_indicator(row, lang) for row in indicator_selectors.public_indicators()]


def _indicator(row: Any, lang: str) -> dict[str, Any]:
    indicator = row.indicator
    return IndicatorOut(
        key=indicator.key,
        name=indicator.localized("name", lang),
        unit=indicator.localized("unit", lang),
        status=str(row.status),
        latest_value=row.result.value,
        latest_period=row.result.period,
        items=[i.code for i in row.items],
    ).model_dump(mode="json")


@api.get(
    "/indicators/{key}",
    response={200: IndicatorDetailOut, **ERRORS},
    summary="One published indicator with its targets and every measured value",
)
@with_etag
def indicator(request: HttpRequest, key: str, lang: Language = "en") -> IndicatorDetailOut:
    lang = _language(lang)
    detail = indicator_selectors.public_indicator(key)
    if detail is None:
        raise HttpError(404, "No published indicator has this key.")
    row = detail.row
    return IndicatorDetailOut(
        **_indicator(row, lang),
        targets=[
            TargetOut(fiscal_year=t.fiscal_year, value=t.value, band_low=t.band_low, band_high=t.band_high)
            for _year, t in sorted(row.targets.items())
        ],
        measurements=[MeasurementOut(period_start=m.period_start, value=m.value) for m in row.measurements],
    )


@api.get(
    "/versions", response={200: list[VersionOut], **ERRORS}, summary="Every adopted version, newest first"
)
@with_etag
def versions(request: HttpRequest) -> list[dict[str, Any]]:
    version = plan_selectors.public_version()
    if version is None:
        raise HttpError(404, "No plan is adopted yet.")
    return [
        VersionOut(
            number=v.number,
            adopted_on=v.adopted_on,
            council_meeting=v.meeting,
            resolution=v.resolution,
            reason=v.reason,
        ).model_dump(mode="json")
        for v in plan_selectors.public_versions(version)
    ]


@api.get("/statuses", response={200: list[StatusOut], **ERRORS}, summary="The statuses items can have")
@with_etag
def statuses(request: HttpRequest, lang: Language = "en") -> list[dict[str, Any]]:
    public = _public_plan(_language(lang))
    return [
        StatusOut(key=s.key, name=s.localized("name", lang), color=s.color).model_dump(mode="json")
        for s in public.statuses
    ]


class UpdateFilters(Schema):
    lang: Language = "en"
    code: str | None = None  # an item's code: the updates of the actions under it
    fiscal_year: int | None = Field(None, ge=1900, le=2200)  # the fiscal year's start year, as in /budget
    limit: int = 100
    offset: int = 0


@api.get(
    "/updates", response={200: UpdatePage, **ERRORS}, summary="Published progress updates of the actions"
)
@with_etag
def updates(request: HttpRequest, filters: Query[UpdateFilters]) -> UpdatePage:
    lang = _language(filters.lang)
    public = _public_plan(lang)
    actions = {
        node.id: node
        for node, _parent in _nodes(public)
        if node.level == "action"
        and (not filters.code or node.code == filters.code or node.code.startswith(f"{filters.code}."))
    }
    start_month = public.organization.fiscal_year_start_month
    if filters.fiscal_year is not None:
        start, end = fiscal_year_bounds(filters.fiscal_year, start_month)
    else:
        start, end = dt.date.min, dt.date.max
    found = plan_selectors.published_updates_between(actions.keys(), start, end)
    limit, offset = max(1, min(filters.limit, MAX_LIMIT)), max(0, filters.offset)
    rows = [
        UpdateOut(
            action=update.action.code,
            period=update.period.localized("name", lang),
            period_start=update.period.starts_on,
            period_end=update.period.ends_on,
            status=update.status.key if update.status else None,
            progress=update.progress,
            narrative=update.localized_narrative(lang),
        )
        for update in found[offset : offset + limit]
    ]
    return UpdatePage(count=len(found), limit=limit, offset=offset, results=rows)


def _money(row: Any) -> MoneyOut:
    return MoneyOut(
        code=row.item.code,
        title=row.item.title,
        amount=row.amount,
        share=row.share,
        goals=[_money(child) for child in row.children],
    )


@api.get("/budget", response={200: BudgetOut, **ERRORS}, summary="The adopted budget by priority and goal")
@with_etag
def budget(request: HttpRequest, year: int | None = None, lang: Language = "en") -> BudgetOut:
    public = _public_plan(_language(lang))
    years = budget_selectors.public_budget_years(public.organization)
    if not years:
        raise HttpError(404, "No adopted budget is published yet.")
    chosen = year if year is not None else max(years)
    if chosen not in years:
        raise HttpError(404, f"No adopted budget is published for fiscal year {chosen}.")
    money = budget_selectors.public_money(public, public.organization, chosen)
    return BudgetOut(
        fiscal_year=chosen,
        years=sorted(years),
        total=money.total,
        transfers_netted=money.transfers,
        outside_the_plan=money.unlinked,
        not_in_the_adopted_plan=money.not_adopted,
        priorities=[_money(row) for row in money.priorities],
    )


@api.get("/surveys", response={200: list[SurveyOut], **ERRORS}, summary="Surveys whose results are published")
@with_etag
def surveys(request: HttpRequest, lang: Language = "en") -> list[dict[str, Any]]:
    lang = _language(lang)
    return [
        SurveyOut(slug=s.slug, title=s.localized("title", lang)).model_dump(mode="json")
        for s in survey_selectors.published_results_surveys().order_by("slug")
    ]


@api.get(
    "/surveys/{slug}/results",
    response={200: dict[str, Any], **ERRORS},
    summary="A published survey's results, as its public page shows them",
)
def survey_results(request: HttpRequest, slug: str, lang: Language = "en") -> dict[str, Any]:
    lang = _language(lang)
    survey = survey_selectors.published_results_surveys().filter(slug=slug).first()
    if survey is None:
        raise HttpError(404, "No survey with published results has this address.")
    # No ETag here: which questions are public can change without a new public content generation; the
    # results view keeps its own cache, keyed on the survey's state.
    return survey_exporters.public_results_document(survey, lang)


# --- Bulk downloads ----------------------------------------------------------------------------------------------
ITEM_COLUMNS = list(ItemOut.model_fields)
INDICATOR_COLUMNS = ["key", "name", "unit", "status", "latest_value", "latest_period", "items"]


def _csv(rows: list[dict[str, Any]], columns: list[str], filename: str) -> HttpResponse:
    """UTF-8 with a BOM (Excel reads the accents), every text cell made safe against formula injection."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        cells = [row.get(name) for name in columns]
        writer.writerow(
            [
                safe_cell(";".join(cell) if isinstance(cell, list) else "" if cell is None else str(cell))
                for cell in cells
            ]
        )
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _all_items(lang: str) -> list[dict[str, Any]]:
    return [_item(node, parent, lang).model_dump(mode="json") for node, parent in _nodes(_public_plan(lang))]


@api.get(
    "/download/items.csv",
    openapi_extra={"responses": CSV_RESPONSES},
    summary="Every item of the adopted plan as CSV",
)
def items_csv(request: HttpRequest, lang: Language = "en") -> HttpResponse:
    lang = _language(lang)
    return _csv(_all_items(lang), ITEM_COLUMNS, f"plan-items-{lang}.csv")


@api.get(
    "/download/indicators.csv",
    openapi_extra={"responses": CSV_RESPONSES},
    summary="Published indicators as CSV",
)
def indicators_csv(request: HttpRequest, lang: Language = "en") -> HttpResponse:
    lang = _language(lang)
    return _csv(indicators.__wrapped__(request, lang), INDICATOR_COLUMNS, f"indicators-{lang}.csv")


@api.get(
    "/download/plan.json",
    response={200: dict[str, Any], **ERRORS},
    summary="The whole adopted plan in one JSON document",
)
@with_etag
def plan_json(request: HttpRequest, lang: Language = "en") -> dict[str, Any]:
    lang = _language(lang)
    return {
        "plan": plan.__wrapped__(request, lang).model_dump(mode="json"),
        "items": _all_items(lang),
        "indicators": indicators.__wrapped__(request, lang),
    }

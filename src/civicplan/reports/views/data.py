"""The public data page (namespace `reporting`): every dataset of the open data API and the bulk downloads, with
a data dictionary of its fields in the reader's language. The fields come from the API's own schemas, so the
page cannot drift from what the API sends; a test checks that each field has a description here."""

from __future__ import annotations

import datetime as dt
import types
import typing
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from civicplan.api import schemas
from civicplan.core.cache import cached_public_page
from civicplan.plans import selectors as plan_selectors

# What each field holds, in words a resident or an analyst can use. Keyed by field name (a name means the
# same in every dataset).
DESCRIPTIONS: dict[str, Any] = {
    "id": _("A number that identifies the item in this system; use the code to cite it."),
    "code": _(
        "The item's code in the plan: 2 is a priority, 2.3 a goal, 2.3.1 a strategy, 2.3.1.4 an action."
    ),
    "level": _("priority, goal, strategy or action."),
    "parent": _("The code of the item it sits under (empty for a priority)."),
    "title": _("The title, in the language asked for (lang=en or lang=es)."),
    "description": _("The description, in the language asked for."),
    "department": _("The department that leads it."),
    "lead": _("The person accountable, when the city names one."),
    "status": _(
        "The status key (for example on_track); indicators: on_track, at_risk, off_track or no_data."
    ),
    "status_name": _("The status in words, in the language asked for."),
    "progress": _(
        "Percent complete: an action's last reported progress, or the average of the items under it."
    ),
    "start_date": _("When the work starts (YYYY-MM-DD)."),
    "due_date": _("When it is due (YYYY-MM-DD)."),
    "key": _("The indicator's short key, stable across years."),
    "name": _("The indicator's name, in the language asked for."),
    "unit": _("The unit its values are counted in."),
    "latest_value": _("The most recent measured value."),
    "latest_period": _("The first day of the period of the most recent value."),
    "items": _("The codes of the plan items it measures (in the CSV, separated by ;)."),
    "action": _("The code of the action the update is about."),
    "period": _("The reporting period's name, in the language asked for."),
    "period_start": _("The first day of the reporting period."),
    "period_end": _("The last day of the reporting period."),
    "narrative": _("What the department reported, in the language asked for (English when not translated)."),
}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    description: str


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: Any
    summary: Any
    fields: list[Field]
    links: list[tuple[Any, str]]  # (label, url)


KINDS = {
    str: _("text"),
    int: _("whole number"),
    Decimal: _("number"),
    dt.date: _("date"),
    list: _("list"),
}


def kind_of(annotation: Any) -> str:
    """A field's type in words; "or empty" when it may be null."""
    args = typing.get_args(annotation)
    optional = type(None) in args
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        annotation = next(arg for arg in args if arg is not type(None))
    base = typing.get_origin(annotation) or annotation
    word = str(KINDS.get(base, _("text")))
    return f"{word}, {_('or empty')}" if optional else word


def fields_of(schema: Any) -> list[Field]:
    return [
        Field(name, kind_of(info.annotation), str(DESCRIPTIONS.get(name, "")))
        for name, info in schema.model_fields.items()
    ]


def datasets() -> list[Dataset]:
    return [
        Dataset(
            "items",
            _("Plan items"),
            _("Every priority, goal, strategy and action of the adopted plan, with its status and progress."),
            fields_of(schemas.ItemOut),
            [
                (_("CSV (English)"), f"{reverse('api:items_csv')}?lang=en"),
                (_("CSV (Spanish)"), f"{reverse('api:items_csv')}?lang=es"),
                (_("API, JSON pages"), f"{reverse('api:items')}?lang=en"),
            ],
        ),
        Dataset(
            "indicators",
            _("Indicators"),
            _("The published performance indicators with their latest value and status."),
            fields_of(schemas.IndicatorOut),
            [
                (_("CSV (English)"), f"{reverse('api:indicators_csv')}?lang=en"),
                (_("CSV (Spanish)"), f"{reverse('api:indicators_csv')}?lang=es"),
                (_("API, JSON"), f"{reverse('api:indicators')}?lang=en"),
            ],
        ),
        Dataset(
            "updates",
            _("Progress updates"),
            _(
                "What departments reported on each action, quarter by quarter, once the coordinator published it."
            ),
            fields_of(schemas.UpdateOut),
            [
                (_("API, JSON pages (English)"), f"{reverse('api:updates')}?lang=en"),
                (_("API, JSON pages (Spanish)"), f"{reverse('api:updates')}?lang=es"),
            ],
        ),
        Dataset(
            "plan",
            _("The whole plan"),
            _(
                "The adopted plan, its items and its indicators in one JSON document, and as StratML, the open "
                "standard for strategic plans (Part 1: the plan; Part 2: with indicators, targets and results)."
            ),
            [],
            [
                (_("JSON"), f"{reverse('api:plan_json')}?lang=en"),
                (_("StratML Part 1"), f"{reverse('reporting:stratml')}?part=1"),
                (
                    _("StratML Part 2, performance report"),
                    f"{reverse('reporting:stratml')}?part=2&type=Performance_Report",
                ),
            ],
        ),
    ]


@require_GET
@cached_public_page
def data_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "reports/public/data.html",
        {"plan": plan_selectors.public_plan(), "datasets": datasets()},
    )


urlpatterns = [path("data/", data_page, name="data")]

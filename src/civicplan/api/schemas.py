"""The shapes of the API's answers (OpenAPI 3.1 is generated from them)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema


class PlanOut(Schema):
    title: str
    organization: str
    period: str
    mission: str
    vision: str
    values: list[str]
    version: int
    adopted_on: dt.date | None
    priorities: int
    items: int


class ItemOut(Schema):
    id: int
    code: str
    level: str
    parent: str | None
    title: str
    description: str
    department: str
    lead: str
    status: str | None
    status_name: str | None
    progress: Decimal | None
    start_date: dt.date | None
    due_date: dt.date | None


class ItemPage(Schema):
    count: int
    limit: int
    offset: int
    results: list[ItemOut]


class IndicatorOut(Schema):
    key: str
    name: str
    unit: str
    status: str
    latest_value: Decimal | None
    latest_period: dt.date | None
    items: list[str]


class MoneyOut(Schema):
    code: str
    title: str
    amount: Decimal
    share: Decimal | None
    goals: list[MoneyOut] = []


class BudgetOut(Schema):
    fiscal_year: int
    years: list[int]
    total: Decimal
    transfers_netted: Decimal
    outside_the_plan: Decimal
    not_in_the_adopted_plan: Decimal
    priorities: list[MoneyOut]


class SurveyOut(Schema):
    slug: str
    title: str


class ErrorOut(Schema):
    detail: str


class VersionOut(Schema):
    number: int
    adopted_on: dt.date
    council_meeting: str
    resolution: str
    reason: str


class StatusOut(Schema):
    key: str
    name: str
    color: str


class UpdateOut(Schema):
    action: str  # the action's code
    period: str
    period_start: dt.date
    period_end: dt.date
    status: str | None
    progress: Decimal | None
    narrative: str


class UpdatePage(Schema):
    count: int
    limit: int
    offset: int
    results: list[UpdateOut]


class TargetOut(Schema):
    fiscal_year: int
    value: Decimal | None
    band_low: Decimal | None
    band_high: Decimal | None


class MeasurementOut(Schema):
    period_start: dt.date
    value: Decimal


class IndicatorDetailOut(IndicatorOut):
    targets: list[TargetOut]
    measurements: list[MeasurementOut]

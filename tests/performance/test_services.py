"""Indicator services: what they write, and what they refuse, in plain words."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civicplan.core.models import ContentGeneration
from civicplan.performance import selectors, services
from civicplan.performance.models import Measurement, Target
from tests import factories as f

TODAY = dt.date(2026, 3, 20)


@pytest.fixture
def goal(plan):
    return plan.items.filter(level="goal").order_by("code").first()


@pytest.fixture
def indicator(plan, goal, department_a, editor_a):
    return f.make_indicator(plan, items=[goal], department=department_a, owner=editor_a)


def _definition(**overrides):
    return {
        "key": "PS-1",
        "name_en": "Response time",
        "name_es": "Tiempo de respuesta",
        "unit_en": "minutes",
        "unit_es": "minutos",
        "direction": "lower",
        "frequency": "monthly",
        **overrides,
    }


# --- Definitions -------------------------------------------------------------------------------------------------


def test_it_creates_a_draft_indicator(plan, coordinator):
    indicator = services.create_indicator(plan=plan, user=coordinator, data=_definition())
    assert indicator.pk and not indicator.is_published
    assert indicator.history.first().history_user == coordinator


def test_it_refuses_a_duplicate_key(plan, coordinator):
    services.create_indicator(plan=plan, user=coordinator, data=_definition())
    with pytest.raises(ValidationError) as error:
        services.create_indicator(plan=plan, user=coordinator, data=_definition())
    assert "key" in error.value.message_dict


def test_an_editor_cannot_create_an_indicator(plan, editor_a):
    with pytest.raises(PermissionDenied):
        services.create_indicator(plan=plan, user=editor_a, data=_definition())


def test_it_refuses_an_edit_made_from_an_old_version(indicator, coordinator):
    services.update_indicator(
        indicator=indicator,
        user=coordinator,
        data={"name_en": "First"},
        expected_version=indicator.lock_version,
    )
    with pytest.raises(services.EditConflict) as conflict:
        services.update_indicator(
            indicator=indicator,
            user=coordinator,
            data={"name_en": "Second"},
            expected_version=indicator.lock_version,
        )
    assert conflict.value.current.name_en == "First"


def test_it_links_goals_and_strategies_of_the_same_plan_only(indicator, coordinator, plan, organization):
    action = plan.items.filter(level="action").first()
    with pytest.raises(ValidationError, match="not a goal or a strategy"):
        services.set_indicator_links(indicator=indicator, user=coordinator, items=[action])
    other = f.make_plan(organization, title_en="Other")
    other_goal = f.make_item(other, f.make_item(other))
    with pytest.raises(ValidationError, match="another plan"):
        services.set_indicator_links(indicator=indicator, user=coordinator, items=[other_goal])
    strategy = plan.items.filter(level="strategy").first()
    services.set_indicator_links(indicator=indicator, user=coordinator, items=[strategy])
    assert list(indicator.items.all()) == [strategy]


def test_publishing_needs_both_languages_and_a_link(plan, coordinator, goal):
    indicator = f.make_indicator(plan, name_es="", unit_es="")
    with pytest.raises(ValidationError, match="English and in Spanish"):
        services.publish_indicator(indicator=indicator, user=coordinator)
    indicator.name_es, indicator.unit_es = "Nombre", "%"
    indicator.save()
    with pytest.raises(ValidationError, match="at least one goal"):
        services.publish_indicator(indicator=indicator, user=coordinator)
    indicator.items.set([goal])
    before = ContentGeneration.current()
    services.publish_indicator(indicator=indicator, user=coordinator)
    indicator.refresh_from_db()
    assert indicator.is_published
    assert ContentGeneration.current() > before


def test_an_editor_cannot_publish(indicator, editor_a):
    with pytest.raises(PermissionDenied):
        services.publish_indicator(indicator=indicator, user=editor_a)


def test_archiving_needs_a_reason_and_takes_it_off_the_public_site(indicator, coordinator):
    indicator.is_published = True
    indicator.save()
    with pytest.raises(ValidationError):
        services.archive_indicator(indicator=indicator, user=coordinator, reason=" ")
    services.archive_indicator(indicator=indicator, user=coordinator, reason="Replaced by PS-2")
    indicator.refresh_from_db()
    assert indicator.is_archived and not indicator.is_published
    services.restore_indicator(indicator=indicator, user=coordinator, reason="Still needed")
    indicator.refresh_from_db()
    assert not indicator.is_archived and not indicator.is_published


# --- Targets -----------------------------------------------------------------------------------------------------


def test_changing_a_target_needs_a_reason_and_the_history_keeps_the_old_one(indicator, coordinator):
    services.set_target(indicator=indicator, user=coordinator, fiscal_year=2025, value=Decimal(80))
    with pytest.raises(ValidationError) as error:
        services.set_target(indicator=indicator, user=coordinator, fiscal_year=2025, value=Decimal(90))
    assert "reason" in error.value.message_dict
    services.set_target(
        indicator=indicator, user=coordinator, fiscal_year=2025, value=Decimal(90), reason="Council raised it"
    )
    target = Target.objects.get(indicator=indicator, fiscal_year=2025)
    assert target.value == 90
    values = [(h.value, h.history_change_reason) for h in target.history.order_by("history_date")]
    assert values == [(Decimal(80), None), (Decimal(90), "Council raised it")]
    detail = selectors.indicator_detail(indicator.pk, today=TODAY)
    assert [c.reason for c in detail.target_changes] == ["Council raised it", ""]


def test_a_mid_year_target_change_moves_the_status_to_the_new_target(indicator, coordinator):
    f.make_measurement(indicator, dt.date(2026, 1, 1), 85)
    services.set_target(indicator=indicator, user=coordinator, fiscal_year=2025, value=Decimal(85))
    assert selectors.indicator_detail(indicator.pk, today=TODAY).row.status == "on-track"
    services.set_target(
        indicator=indicator, user=coordinator, fiscal_year=2025, value=Decimal(120), reason="New council goal"
    )
    assert selectors.indicator_detail(indicator.pk, today=TODAY).row.status == "off-track"


def test_it_refuses_a_target_outside_the_plan(indicator, coordinator):
    with pytest.raises(ValidationError, match="outside the plan"):
        services.set_target(indicator=indicator, user=coordinator, fiscal_year=2040, value=Decimal(1))


def test_a_band_target_needs_a_bound_in_order(plan, coordinator):
    indicator = f.make_indicator(plan, direction="band")
    with pytest.raises(ValidationError):
        services.set_target(indicator=indicator, user=coordinator, fiscal_year=2025)
    with pytest.raises(ValidationError):
        services.set_target(
            indicator=indicator, user=coordinator, fiscal_year=2025, band_low=Decimal(5), band_high=Decimal(1)
        )
    target = services.set_target(
        indicator=indicator, user=coordinator, fiscal_year=2025, band_low=Decimal(1), band_high=Decimal(5)
    )
    assert (target.band_low, target.band_high, target.value) == (1, 5, None)


def test_the_owner_cannot_set_targets(indicator, editor_a):
    with pytest.raises(PermissionDenied):
        services.set_target(indicator=indicator, user=editor_a, fiscal_year=2025, value=Decimal(1))


# --- Measurements ------------------------------------------------------------------------------------------------


def test_the_owner_records_a_value(indicator, editor_a):
    measurement = services.record_measurement(
        indicator=indicator, user=editor_a, period="2026-01", value="12.5", note="From CAD", today=TODAY
    )
    assert (measurement.period_start, measurement.value, measurement.entered_by) == (
        dt.date(2026, 1, 1),
        Decimal("12.5"),
        editor_a,
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("twelve", "is not a number"),
        ("", "missing"),
        ("1e20", "too large"),
        ("12,5", "is not a number"),
        ("NaN", "is not a number"),
    ],
)
def test_it_refuses_values_that_are_not_usable_numbers(indicator, editor_a, value, message):
    with pytest.raises(ValidationError, match=message):
        services.record_measurement(
            indicator=indicator, user=editor_a, period="2026-01", value=value, today=TODAY
        )


@pytest.mark.parametrize(
    ("period", "message"),
    [
        ("2024-01", "outside the plan"),
        ("2031-01", "outside the plan"),
        ("2026-05", "not started"),
        ("FY 2025-26 Q1", "is a quarter"),
        ("soon", "not a period"),
    ],
)
def test_it_refuses_periods_it_cannot_accept(indicator, editor_a, period, message):
    with pytest.raises(ValidationError, match=message):
        services.record_measurement(indicator=indicator, user=editor_a, period=period, value="1", today=TODAY)


def test_it_never_overwrites_a_value_silently(indicator, editor_a, coordinator):
    first = services.record_measurement(
        indicator=indicator, user=editor_a, period="2026-01", value="10", today=TODAY
    )
    services.set_measurement_verified(measurement=first, user=coordinator, verified=True)
    with pytest.raises(services.MeasurementExists) as exists:
        services.record_measurement(
            indicator=indicator, user=editor_a, period="2026-01-15", value="11", today=TODAY
        )
    assert exists.value.existing.value == 10
    replaced = services.record_measurement(
        indicator=indicator, user=editor_a, period="2026-01", value="11", replace=True, today=TODAY
    )
    assert replaced.pk == first.pk and replaced.value == 11 and not replaced.verified
    assert Measurement.objects.filter(indicator=indicator).count() == 1


def test_breakdown_keys_must_be_the_indicators_categories(plan, editor_a, department_a):
    indicator = f.make_indicator(
        plan, department=department_a, breakdown_name_en="District", breakdown_categories=["D1", "D2"]
    )
    with pytest.raises(ValidationError, match="not one of this indicator's breakdown categories"):
        services.record_measurement(
            indicator=indicator,
            user=editor_a,
            period="2026-01",
            value="3",
            breakdown={"D9": "1"},
            today=TODAY,
        )
    measurement = services.record_measurement(
        indicator=indicator,
        user=editor_a,
        period="2026-01",
        value="3",
        breakdown={"D1": "1", "D2": "2"},
        today=TODAY,
    )
    assert measurement.breakdown == {"D1": "1", "D2": "2"}


def test_an_editor_of_another_department_cannot_enter_values(indicator, editor_b):
    with pytest.raises(PermissionDenied):
        services.record_measurement(
            indicator=indicator, user=editor_b, period="2026-01", value="1", today=TODAY
        )


def test_a_viewer_cannot_verify_a_value(indicator, viewer, editor_a):
    measurement = f.make_measurement(indicator, dt.date(2026, 1, 1), 1, entered_by=editor_a)
    with pytest.raises(PermissionDenied):
        services.set_measurement_verified(measurement=measurement, user=viewer, verified=True)
    with pytest.raises(PermissionDenied):
        services.set_measurement_verified(measurement=measurement, user=editor_a, verified=True)


def test_writes_to_a_published_indicator_refresh_the_public_pages(indicator, editor_a):
    indicator.is_published = True
    indicator.save()
    before = ContentGeneration.current()
    services.record_measurement(indicator=indicator, user=editor_a, period="2026-01", value="1", today=TODAY)
    assert ContentGeneration.current() > before


def test_writes_to_a_draft_leave_the_public_pages_cached(indicator, editor_a):
    before = ContentGeneration.current()
    services.record_measurement(indicator=indicator, user=editor_a, period="2026-01", value="1", today=TODAY)
    assert ContentGeneration.current() == before


# --- Selectors for dashboards ------------------------------------------------------------------------------------


def test_stale_indicators_name_what_is_missing(plan, indicator):
    orphan = f.make_indicator(plan)
    f.make_target(indicator, 2025, 10)
    f.make_measurement(indicator, dt.date(2026, 1, 1), 12)
    stale = {entry.row.indicator.pk: entry.reasons for entry in selectors.stale_indicators(plan, TODAY)}
    assert indicator.pk not in stale
    assert len(stale[orphan.pk]) == 3  # no data, no owner, no target


def test_status_counts_count_each_status_once(plan, indicator):
    f.make_target(indicator, 2025, 10)
    f.make_measurement(indicator, dt.date(2026, 1, 1), 12)
    f.make_indicator(plan)
    counts = {
        c.status: c.count for c in selectors.status_counts(selectors.staff_indicators(plan, today=TODAY))
    }
    assert counts == {"on-track": 1, "no-data": 1}


def test_a_value_outside_the_indicators_range_is_refused_in_the_form_and_in_files(indicator, coordinator):
    from civicplan.performance.services import preview_measurement_file

    indicator.min_value, indicator.max_value = Decimal(0), Decimal(100)
    indicator.save()
    with pytest.raises(ValidationError, match="outside the range this indicator allows"):
        services.record_measurement(indicator=indicator, user=coordinator, period="2026-03", value="140")
    preview = preview_measurement_file(
        plan=indicator.plan,
        user=coordinator,
        filename="values.csv",
        data=f"indicator,period,value\n{indicator.key},2026-03,140\n{indicator.key},2026-04,99.5\n".encode(),
    )
    assert [(error.row, "outside the range" in error.message) for error in preview.errors] == [(2, True)]
    assert services.record_measurement(
        indicator=indicator, user=coordinator, period="2026-04", value="99.5"
    ).value == Decimal("99.5")


def test_the_highest_possible_value_cannot_be_below_the_lowest(plan, coordinator):
    with pytest.raises(ValidationError, match="highest possible value"):
        services.create_indicator(
            plan=plan,
            user=coordinator,
            data={"key": "R-1", "name_en": "Range", "min_value": Decimal(10), "max_value": Decimal(5)},
        )

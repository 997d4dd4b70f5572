"""Measurement files: reading CSV/XLSX, the checks of the preview, and the all-or-nothing import."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.db import DatabaseError, connection
from django.utils import translation

from civicplan.core.models import ContentGeneration
from civicplan.lib.numbers import parse_number
from civicplan.performance import exporters
from civicplan.performance.importers.measurements import (
    MeasurementFileInvalid,
    read_measurement_file,
)
from civicplan.performance.models import Indicator, Measurement
from civicplan.performance.services import (
    MeasurementImportRefused,
    import_measurement_file,
    preview_measurement_file,
)

HEADER = "indicator,period,value,note,verified\n"


def make_indicator(plan, key="PS-1", department=None, **overrides):
    defaults = {"name_en": f"Indicator {key}", "name_es": f"Indicador {key}", "frequency": "monthly"}
    return Indicator.objects.create(plan=plan, key=key, department=department, **{**defaults, **overrides})


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return (header + "\n".join(lines) + "\n").encode("utf-8")


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def errors_of(preview) -> list[tuple[int | None, str]]:
    return [(error.row, error.message) for error in preview.errors]


@pytest.fixture(autouse=True)
def _english():
    """The messages are checked in English, whatever language an earlier test left active in this worker."""
    with translation.override("en"):
        yield


@pytest.fixture
def indicator(plan, department_a):
    return make_indicator(plan, "PS-1", department=department_a)


@pytest.fixture
def other_indicator(plan, department_b):
    return make_indicator(plan, "CD-1", department=department_b)


# --- Reading the file -----------------------------------------------------------------------------------------


def test_it_reads_a_csv_with_a_byte_order_mark_crlf_and_semicolons():
    data = "\ufeffindicator;period;value;note\r\nPS-1;2026-03;1,234.5;ok\r\n\r\nPS-1;2026-04;12.5%;\r\n"
    parsed = read_measurement_file("values.csv", data.encode("utf-8"))
    assert not parsed.errors
    assert [(r.number, r.indicator, r.period, r.value, r.note) for r in parsed.rows] == [
        (2, "PS-1", "2026-03", Decimal("1234.5"), "ok"),
        (4, "PS-1", "2026-04", Decimal("12.5"), ""),
    ]


def test_it_reads_the_first_sheet_of_a_workbook_with_excel_dates():
    data = xlsx_bytes(
        [
            ["Indicator", "Period", "Value", "Verified", "breakdown:1"],
            ["PS-1", dt.datetime(2026, 3, 31), 4.25, True, 2],
            [None, None, None, None, None],
            ["PS-1", "FY 2025-26 Q3", 7, "sí", None],
        ]
    )
    parsed = read_measurement_file("values.xlsx", data)
    assert not parsed.errors
    first, second = parsed.rows
    assert (first.number, first.period, first.value, first.verified, first.breakdown) == (
        2,
        dt.datetime(2026, 3, 31),
        Decimal("4.25"),
        True,
        {"1": Decimal(2)},
    )
    assert (second.number, second.verified) == (4, True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1234.5", "1234.5"), ("1,234,567.25", "1234567.25"), ("-3", "-3"), ("12.5%", "12.5"), ("1e3", "1000")],
)
def test_it_reads_numbers_as_documented(text, expected):
    assert parse_number(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["12,5", "abc", "NaN", "inf", "1e20", "123456789012345", "5 days", ""])
def test_it_refuses_what_is_not_a_storable_number(text):
    with pytest.raises(ValueError, match="value"):
        parse_number(text)


def test_it_names_unknown_columns():
    with pytest.raises(MeasurementFileInvalid, match="Unknown columns: colour"):
        read_measurement_file("v.csv", b"indicator,period,value,colour\nPS-1,2026-03,1,red\n")


def test_it_names_missing_columns():
    with pytest.raises(MeasurementFileInvalid, match="no column named value"):
        read_measurement_file("v.csv", b"indicator,period\nPS-1,2026-03\n")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("v.xlsx", b"<html><body>not a workbook</body></html>", "not an Excel workbook"),
        ("v.csv", b"indicator,period,value\nPS-1,\x00,1\n", "NUL bytes"),
        ("v.csv", b"indicator,period,value\nPS-1,2026-03,\xff\xfe\n", "not valid UTF-8"),
        ("v.xls", b"\xd0\xcf\x11\xe0", "Old .xls"),
        ("v.csv", b"   \n", "empty"),
    ],
)
def test_it_refuses_hostile_or_unreadable_files_plainly(name, data, message):
    with pytest.raises(MeasurementFileInvalid, match=message):
        read_measurement_file(name, data)


def test_it_refuses_a_zip_bomb_before_unpacking_it():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", "0" * 60_000_000)
    with pytest.raises(MeasurementFileInvalid, match="expands to far more data"):
        read_measurement_file("bomb.xlsx", buffer.getvalue())


def test_it_refuses_a_file_over_the_size_limit(settings):
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(MeasurementFileInvalid, match="too large"):
        read_measurement_file("v.csv", csv_bytes(*["PS-1,2026-03,1,,no"] * 20))


# --- Checks against the plan (preview) ------------------------------------------------------------------------


def test_it_reports_each_row_problem_with_the_row_number_people_see(plan, coordinator, indicator):
    indicator.breakdown_categories = ["1", "2"]
    indicator.save()
    make_indicator(plan, "OLD-1", archived_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    data = csv_bytes(
        "PS-1,2026-03,10,,no",  # 2: fine
        "NOPE,2026-03,1,,no",  # 3
        "OLD-1,2026-03,1,,no",  # 4
        "PS-1,March,1,,no",  # 5
        "PS-1,2040-01,1,,no",  # 6
        "PS-1,2026-04,ten,,no",  # 7
        "PS-1,2026-03,11,,no",  # 8: same period as row 2
        "PS-1,2026-05,1,,maybe",  # 9
        "PS-1,FY 2025-26 Q3,1,,no",  # 10: a quarter for a monthly indicator
        header="indicator,period,value,note,verified\n",
    )
    preview = preview_measurement_file(plan=plan, user=coordinator, filename="v.csv", data=data)
    rows = {row for row, _message in errors_of(preview)}
    assert rows == {3, 4, 5, 6, 7, 8, 9, 10}
    messages = dict(errors_of(preview))
    assert "no indicator 'NOPE'" in messages[3]
    assert "archived" in messages[4]
    assert "not a period" in messages[5]
    assert "outside the plan" in messages[6]
    assert "not a number" in messages[7]
    assert "also in row 2" in messages[8]
    assert "verified must be yes or no" in messages[9]
    assert "reported monthly" in messages[10]
    assert preview.new == 1
    assert Measurement.objects.count() == 0


def test_it_refuses_a_breakdown_category_the_indicator_does_not_have(plan, coordinator, indicator):
    indicator.breakdown_categories = ["1", "2"]
    indicator.save()
    data = csv_bytes("PS-1,2026-03,3,1,2", header="indicator,period,value,breakdown:1,breakdown:9\n")
    preview = preview_measurement_file(plan=plan, user=coordinator, filename="v.csv", data=data)
    assert errors_of(preview) == [(2, "indicator PS-1 has no breakdown category 9")]


def test_it_lets_an_editor_import_only_their_departments_indicators(
    plan, editor_a, indicator, other_indicator
):
    data = csv_bytes("PS-1,2026-03,1,,no", "CD-1,2026-03,2,,no")
    preview = preview_measurement_file(plan=plan, user=editor_a, filename="v.csv", data=data)
    assert [row for row, _m in errors_of(preview)] == [3]
    assert "may not enter values for indicator CD-1" in preview.errors[0].message
    with pytest.raises(MeasurementImportRefused):
        import_measurement_file(plan=plan, user=editor_a, filename="v.csv", data=data)
    assert Measurement.objects.count() == 0


def test_it_refuses_the_whole_import_to_people_without_the_permission(plan, viewer, indicator):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        preview_measurement_file(
            plan=plan, user=viewer, filename="v.csv", data=csv_bytes("PS-1,2026-03,1,,no")
        )


# --- Import ---------------------------------------------------------------------------------------------------


def test_it_imports_values_with_who_entered_them_and_history(plan, coordinator, indicator):
    data = csv_bytes("PS-1,2026-03,10.5,first month,yes", "PS-1,2026-04,11,,no")
    preview = import_measurement_file(plan=plan, user=coordinator, filename="march.csv", data=data)
    assert (preview.new, preview.changed, preview.unchanged) == (2, 0, 0)
    march = Measurement.objects.get(period_start=dt.date(2026, 3, 1))
    assert (march.value, march.note, march.verified, march.entered_by) == (
        Decimal("10.5"),
        "first month",
        True,
        coordinator,
    )
    history = march.history.get()
    assert (history.history_user, history.history_change_reason) == (coordinator, "Imported from march.csv")


def test_importing_the_same_file_twice_gives_the_same_data(plan, coordinator, indicator):
    data = csv_bytes("PS-1,2026-03,10.5,,yes", "PS-1,2026-04,11,,no")
    import_measurement_file(plan=plan, user=coordinator, filename="v.csv", data=data)
    again = import_measurement_file(plan=plan, user=coordinator, filename="v.csv", data=data)
    assert (again.new, again.changed, again.unchanged) == (0, 0, 2)
    assert Measurement.objects.count() == 2
    assert Measurement.history.count() == 2


def test_it_rejects_a_period_that_has_a_value_unless_replace_is_chosen(plan, coordinator, indicator):
    import_measurement_file(
        plan=plan, user=coordinator, filename="v.csv", data=csv_bytes("PS-1,2026-03,10,,no")
    )
    changed = csv_bytes("PS-1,2026-03,12,,no")
    with pytest.raises(MeasurementImportRefused) as refused:
        import_measurement_file(plan=plan, user=coordinator, filename="v.csv", data=changed)
    assert errors_of(refused.value.preview) == [
        (
            2,
            "indicator PS-1 already has a value for 2026-03 (10); choose 'replace existing values' to update it",
        )
    ]
    assert Measurement.objects.get().value == Decimal(10)

    preview = import_measurement_file(
        plan=plan, user=coordinator, filename="v.csv", data=changed, replace=True
    )
    assert (preview.changed, preview.changes[0].old_value, preview.changes[0].value) == (
        1,
        Decimal(10),
        Decimal(12),
    )
    measurement = Measurement.objects.get()
    assert measurement.value == Decimal(12)
    assert measurement.history.count() == 2


def test_a_preview_writes_nothing(plan, coordinator, indicator):
    before = ContentGeneration.current()
    preview_measurement_file(
        plan=plan, user=coordinator, filename="v.csv", data=csv_bytes("PS-1,2026-03,1,,no")
    )
    assert Measurement.objects.count() == 0
    assert ContentGeneration.current() == before


def test_it_bumps_the_public_cache_only_for_published_indicators(plan, coordinator, indicator):
    before = ContentGeneration.current()
    import_measurement_file(
        plan=plan, user=coordinator, filename="v.csv", data=csv_bytes("PS-1,2026-03,1,,no")
    )
    assert ContentGeneration.current() == before
    indicator.is_published = True
    indicator.save()
    import_measurement_file(
        plan=plan, user=coordinator, filename="v.csv", data=csv_bytes("PS-1,2026-04,1,,no")
    )
    assert ContentGeneration.current() == before + 1


@pytest.fixture
def failing_insert(db):
    """A database that refuses the value 666: the write fails in the middle of the batch."""
    if connection.vendor != "sqlite":
        pytest.skip("the trigger is written for SQLite")
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TRIGGER refuse_666 BEFORE INSERT ON performance_measurement "
            "WHEN NEW.value = 666 BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        )
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER refuse_666")


def test_a_failure_in_the_middle_of_the_write_leaves_nothing(plan, coordinator, indicator, failing_insert):
    import_measurement_file(
        plan=plan, user=coordinator, filename="v.csv", data=csv_bytes("PS-1,2025-07,5,,no")
    )
    lines = [
        f"PS-1,{2025 + (6 + m) // 12}-{(6 + m) % 12 + 1:02d},{666 if m == 10 else m},,no" for m in range(16)
    ]
    with pytest.raises(DatabaseError):
        import_measurement_file(
            plan=plan, user=coordinator, filename="v.csv", data=csv_bytes(*lines), replace=True
        )
    assert list(Measurement.objects.values_list("value", flat=True)) == [Decimal(5)]
    assert Measurement.history.count() == 1


# --- Export -> import -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_then_import_gives_back_the_same_values(plan, coordinator, indicator, other_indicator, fmt):
    indicator.breakdown_categories = ["1", "2"]
    indicator.save()
    other_indicator.frequency = "quarterly"
    other_indicator.save()
    data = csv_bytes(
        "PS-1,2026-03,10.125,=SUM(A1:A9),yes,1.5,2",
        "PS-1,2026-04,-3,'quoted,no,,",
        "CD-1,FY 2025-26 Q3,123456789.123456,+1 call,no,,",
        header="indicator,period,value,note,verified,breakdown:1,breakdown:2\n",
    )
    import_measurement_file(plan=plan, user=coordinator, filename="v.csv", data=data)
    stored = list(
        Measurement.objects.values_list(
            "indicator__key", "period_start", "value", "note", "verified", "breakdown"
        )
    )

    exported = exporters.export_measurements(plan, fmt)
    if fmt == "csv":
        assert "'=SUM(A1:A9)" in exported.decode()
    again = import_measurement_file(plan=plan, user=coordinator, filename=f"export.{fmt}", data=exported)
    assert (again.new, again.changed, again.unchanged) == (0, 0, 3)

    Measurement.objects.all().delete()
    import_measurement_file(plan=plan, user=coordinator, filename=f"export.{fmt}", data=exported)
    assert sorted(
        Measurement.objects.values_list(
            "indicator__key", "period_start", "value", "note", "verified", "breakdown"
        )
    ) == sorted(stored)
    assert (
        "PS-1",
        dt.date(2026, 3, 1),
        Decimal("10.125"),
        "=SUM(A1:A9)",
        True,
        {"1": "1.5", "2": "2"},
    ) in stored


def test_the_template_lists_the_indicators_with_their_latest_due_period(plan, indicator):
    text = exporters.measurement_template(plan, [indicator], today=dt.date(2026, 5, 20)).decode()
    assert text.splitlines() == ["indicator,period,value,note,verified", "PS-1,2026-03,,,no"]

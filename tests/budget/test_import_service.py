"""The budget import service: checks against the city's data, the mapping of drifting names, and the
all-or-nothing write that never duplicates a line."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied

from civicplan.accounts.models import Department
from civicplan.budget.models import BudgetLine, Fund, NameMapping
from civicplan.budget.services.imports import (
    BudgetImportRefused,
    import_budget_file,
    name_field,
    preview_budget_file,
)
from civicplan.core.models import ContentGeneration
from tests import factories as f

FILES = Path(__file__).parent / "files"


@pytest.fixture
def funds(organization):
    return {
        "100": f.make_fund(organization, "100", name_en="General Fund"),
        "210": f.make_fund(organization, "210", name_en="Gas Tax", name_es="Impuesto a la gasolina"),
    }


def _file(name: str) -> bytes:
    return (FILES / name).read_bytes()


def _run(function, organization, plan, user, name, data=None, **kwargs):
    return function(
        organization=organization,
        plan=plan,
        user=user,
        filename=name,
        data=data if data is not None else _file(name),
        **kwargs,
    )


def _preview(organization, plan, user, name, data=None, **kwargs):
    return _run(preview_budget_file, organization, plan, user, name, data, **kwargs)


def _import(organization, plan, user, name, data=None, **kwargs):
    return _run(import_budget_file, organization, plan, user, name, data, **kwargs)


def test_it_imports_a_long_file_with_its_funds_departments_and_transfers(
    organization, plan, coordinator, funds, department_a, department_b
):
    result = _import(organization, plan, coordinator, "long_adopted.csv")

    assert result.new == 8
    lines = BudgetLine.objects.filter(organization=organization)
    assert lines.count() == 8
    crew = lines.get(description="Street maintenance crew")
    assert crew.fund == funds["100"]
    assert crew.department == department_a
    assert crew.adopted_amount == Decimal("1250000.00")
    assert crew.actual_amount is None
    assert crew.source == "long_adopted.csv"
    assert crew.identity  # set although bulk_create skips save()
    assert lines.get(description="Asphalt").fund == funds["210"]
    assert lines.get(description="To Capital Projects Fund").is_transfer
    assert not lines.get(description="Traffic counts").is_transfer
    assert lines.get(description="Permit fee credit").adopted_amount == Decimal("-12000.00")


def test_it_records_who_imported_each_line_and_from_which_file(
    organization, plan, coordinator, funds, department_a, department_b
):
    _import(organization, plan, coordinator, "long_adopted.csv")

    history = BudgetLine.history.first()
    assert history.history_user == coordinator
    assert history.history_change_reason == "Imported from long_adopted.csv"


def test_it_tells_public_pages_to_refresh_after_an_import(
    organization, plan, coordinator, funds, department_a, department_b
):
    before = ContentGeneration.current()

    _import(organization, plan, coordinator, "long_adopted.csv")

    assert ContentGeneration.current() == before + 1


def test_it_writes_nothing_when_the_last_row_has_an_error(
    organization, plan, coordinator, funds, department_a, department_b
):
    data = (
        _file("long_adopted.csv")
        + b"FY 2025-26,100,General Fund,Public Works,Streets,5500,Fuel,Diesel,lots,Adopted\n"
    )

    with pytest.raises(BudgetImportRefused) as refused:
        _import(organization, plan, coordinator, "bad.csv", data)

    assert [error.row for error in refused.value.preview.errors] == [10]
    assert "is not a number" in refused.value.preview.errors[0].message
    assert not BudgetLine.objects.exists()


def test_it_writes_no_department_fund_or_mapping_when_the_file_is_refused(
    organization, plan, coordinator, funds, department_a, department_b
):
    data = (
        _file("long_drift_fy2026.csv") + b"FY 2026-27,100 - General Fund,Parks Dept.,Parks,5100,Mowing,oops\n"
    )
    departments = Department.objects.count()

    with pytest.raises(BudgetImportRefused):
        _import(organization, plan, coordinator, "drift.csv", data, create_missing=True)

    assert Department.objects.count() == departments
    assert not Fund.objects.filter(code="220").exists()
    assert not NameMapping.objects.exists()
    assert not BudgetLine.objects.exists()


def test_it_does_not_duplicate_lines_when_the_same_file_is_imported_twice(
    organization, plan, coordinator, funds, department_a, department_b
):
    _import(organization, plan, coordinator, "long_adopted.csv")

    again = _import(organization, plan, coordinator, "long_adopted.csv")

    assert (again.new, again.changed, again.unchanged) == (0, 0, 8)
    assert BudgetLine.objects.count() == 8


def test_it_fills_the_actual_amounts_of_the_lines_the_adopted_file_made(
    organization, plan, coordinator, funds, department_a, department_b
):
    _import(organization, plan, coordinator, "long_adopted.csv")

    result = _import(organization, plan, coordinator, "long_actuals.csv")

    assert (result.new, result.changed) == (0, 2)
    assert BudgetLine.objects.count() == 8
    crew = BudgetLine.objects.get(description="Street maintenance crew")
    assert crew.actual_amount == Decimal("1198432.17")
    assert crew.adopted_amount == Decimal("1250000.00")  # a kind the file does not give is left alone


def test_it_shows_changed_amounts_with_old_and_new_then_updates_them(
    organization, plan, coordinator, funds, department_a, department_b
):
    _import(organization, plan, coordinator, "long_adopted.csv")
    data = _file("long_adopted.csv").replace(b'"$480,000"', b'"$495,000"')

    preview = _preview(organization, plan, coordinator, "long_adopted_v2.csv", data)

    assert (preview.new, preview.changed, preview.unchanged) == (0, 1, 7)
    assert preview.changes[0].change_texts == [("Adopted", "$480,000.00", "$495,000.00")]
    _import(organization, plan, coordinator, "long_adopted_v2.csv", data)
    repair = BudgetLine.objects.get(description="Pavement repair")
    assert repair.adopted_amount == Decimal("495000.00")
    assert repair.history.first().history_change_reason == "Imported from long_adopted_v2.csv"


def test_it_asks_about_a_drifted_department_name_and_suggests_the_closest(
    organization, plan, coordinator, funds, department_a, department_b
):
    preview = _preview(organization, plan, coordinator, "long_drift_fy2026.csv")

    names = {(name.kind, name.spelling): name for name in preview.names}
    drifted = names[("department", "Public Works Dept.")]
    assert drifted.suggestion == department_a.pk
    assert drifted.rows == [2, 3, 4]
    assert not drifted.resolved
    assert ("fund", "220 - SB 1 RMRA") in names
    assert not preview.ok
    assert preview.waiting_rows == 3
    assert not preview.lines


def test_it_remembers_a_confirmed_mapping_so_the_next_file_maps_by_itself(
    organization, plan, coordinator, funds, department_a, department_b
):
    choices = {
        name_field("department", "Public Works Dept."): str(department_a.pk),
        name_field("fund", "220 - SB 1 RMRA"): "new",
    }

    result = _import(organization, plan, coordinator, "long_drift_fy2026.csv", choices=choices)

    assert result.new == 3
    assert set(BudgetLine.objects.values_list("department", flat=True)) == {department_a.pk}
    mapping = NameMapping.objects.get(kind="department")
    assert (mapping.spelling, mapping.department) == ("public works dept.", department_a)
    sb1 = Fund.objects.get(organization=organization, code="220")
    assert sb1.name_en == "SB 1 RMRA"
    next_year = _file("long_drift_fy2026.csv").replace(b"FY 2026-27", b"FY 2027-28")
    preview = _preview(organization, plan, coordinator, "fy2027.csv", next_year)
    assert preview.names == []
    assert preview.ok
    assert {line.department for line in preview.lines} == {department_a}
    assert {line.fund for line in preview.lines} == {funds["100"], sb1}


def test_it_creates_an_unknown_department_when_the_person_chooses_so(
    organization, plan, coordinator, funds, department_a, department_b
):
    data = (
        b"fiscal_year,fund,department,program,amount\n"
        b"FY 2025-26,100,Library Services,Branches,10\n"
        b"FY 2025-26,100,Library Services,Outreach,x\n"
    )
    field = name_field("department", "Library Services")

    preview = _preview(organization, plan, coordinator, "lib.csv", data, choices={field: "new"})
    assert preview.names[0].choice == "new"
    assert preview.errors  # the bad amount
    _import(
        organization, plan, coordinator, "lib.csv", data.replace(b",x\n", b",20\n"), choices={field: "new"}
    )

    library = Department.objects.get(organization=organization, name_en="Library Services")
    assert library.code == "LIBRARY-SERVICES"
    assert set(BudgetLine.objects.values_list("department", flat=True)) == {library.pk}
    assert NameMapping.objects.get(kind="department").department == library


def test_it_refuses_a_file_of_another_city(organization, plan, coordinator, funds, department_a):
    preview = _preview(organization, plan, coordinator, "wrong_city.csv")

    assert [error.row for error in preview.errors] == [None]
    assert "looks like the budget of Alder Creek, not City of Testville" in preview.errors[0].message
    assert not preview.ok


def test_it_refuses_a_city_column_naming_another_city(organization, plan, coordinator, funds, department_a):
    data = b"city,fiscal_year,fund,department,amount\nAlder Creek,FY 2025-26,100,Public Works,1\n"

    preview = _preview(organization, plan, coordinator, "c.csv", data)

    assert "Alder Creek" in preview.errors[0].message


def test_it_says_once_when_the_whole_file_is_outside_the_plan(
    organization, plan, coordinator, funds, department_a
):
    data = (
        b"fiscal_year,fund,department,amount\nFY 2011-12,100,Public Works,1\nFY 2012-13,100,Public Works,2\n"
    )

    preview = _preview(organization, plan, coordinator, "old.csv", data)

    assert len(preview.errors) == 1
    assert preview.errors[0].message == (
        "This file is for FY 2011-12, FY 2012-13; the plan covers FY 2025-26 – FY 2029-30."
    )


def test_it_reports_a_row_outside_the_plan(organization, plan, coordinator, funds, department_a):
    data = (
        b"fiscal_year,fund,department,amount\nFY 2025-26,100,Public Works,1\nFY 2031-32,100,Public Works,2\n"
    )

    preview = _preview(organization, plan, coordinator, "mixed.csv", data)

    assert [(error.row, error.message) for error in preview.errors] == [
        (3, "FY 2031-32 is outside the plan (the plan covers FY 2025-26 – FY 2029-30)")
    ]


def test_it_leaves_out_wide_columns_outside_the_plan_with_a_warning(
    organization, plan, coordinator, funds, department_a, department_b
):
    preview = _preview(organization, plan, coordinator, "wide_budget_book.csv")

    assert preview.ok
    assert "FY 2024-25 Revised" in preview.warnings[0]
    assert {(line.fiscal_year, kind) for line in preview.lines for kind in line.amounts} == {
        (2025, "adopted"),
        (2026, "proposed"),
    }
    assert {line.fund for line in preview.lines} == {
        funds["100"]
    }  # from the title row "Fund 100 - General Fund"


def test_it_reports_duplicate_lines_naming_the_other_row(
    organization, plan, coordinator, funds, department_a
):
    data = (
        b"fiscal_year,fund,department,account,description,amount\n"
        b"FY 2025-26,100,Public Works,5100 Salaries,Crew,10\n"
        b"FY 2025-26,100,Public Works,5200 Overtime,Crew,10\n"
        b"FY 2025-26,100,public works,5100  salaries,crew,12\n"
    )

    preview = _preview(organization, plan, coordinator, "dup.csv", data)

    assert [error.row for error in preview.errors] == [4]
    assert "same line as row 2" in preview.errors[0].message


def test_it_checks_the_file_totals_against_its_lines(
    organization, plan, coordinator, funds, department_a, department_b
):
    preview = _preview(organization, plan, coordinator, "wide_budget_book.csv")

    rows = preview.reconciliation_rows
    assert len(rows) == 12
    assert preview.mismatches == 1
    mismatch = next(row for row in rows if not row["matches"])
    assert (mismatch["row"], mismatch["label"], mismatch["difference"]) == (14, "Grand Total", "$1.00")
    assert mismatch["column"] == "FY 2026-27 proposed"
    assert preview.ok  # a mismatch is a warning, not an error


def test_it_asks_for_the_fund_when_the_file_names_none(
    organization, plan, coordinator, funds, department_a, department_b
):
    preview = _preview(organization, plan, coordinator, "wide_semicolon.csv")
    assert preview.needs_fund
    assert not preview.ok

    result = _import(organization, plan, coordinator, "wide_semicolon.csv", fund=funds["210"])

    assert result.new == 4
    assert set(BudgetLine.objects.values_list("fund", flat=True)) == {funds["210"].pk}


def test_it_counts_and_totals_the_preview_by_year_kind_fund_and_department(
    organization, plan, coordinator, funds, department_a, department_b
):
    preview = _preview(organization, plan, coordinator, "long_adopted.csv")

    assert [(row.label, row.new) for row in preview.counts] == [("FY 2025-26 adopted", 8)]
    by_fund = dict(preview.totals_by_fund.rows)
    assert by_fund["100 General Fund"] == ["$2,733,000.00"]
    assert by_fund["210 Gas Tax"] == ["$310,500.50"]
    assert preview.totals_by_fund.total == ["$3,043,500.50"]
    assert dict(preview.totals_by_department.rows)["Public Works"] == ["$2,335,500.50"]


def test_it_lets_only_the_coordinator_and_finance_import(
    organization, plan, editor_a, council_member, viewer, funds
):
    for person in (editor_a, council_member, viewer):
        with pytest.raises(PermissionDenied):
            _preview(organization, plan, person, "long_adopted.csv")
        with pytest.raises(PermissionDenied):
            _import(organization, plan, person, "long_adopted.csv")


def test_it_imports_for_finance_staff(organization, plan, finance, funds, department_a, department_b):
    result = _import(organization, plan, finance, "long_adopted.csv")

    assert result.new == 8


def test_it_imports_ten_thousand_lines(organization, plan, coordinator, funds, department_a, department_b):
    rows = ["fiscal_year,fund,department,program,account,description,amount,kind"]
    for number in range(10_000):
        department = "Public Works" if number % 2 else "Community Development"
        kind = "adopted" if number % 3 else "actual"
        rows.append(
            f"FY 2026-27,100,{department},Program {number % 40},{5000 + number % 90} Object,Item {number},"
            f'"${number * 1000:,}.{number % 100:02d}",{kind}'
        )
    data = ("\n".join(rows) + "\n").encode()

    result = _import(organization, plan, coordinator, "big.csv", data)

    assert result.new == 10_000
    assert BudgetLine.objects.count() == 10_000
    assert _preview(organization, plan, coordinator, "big.csv", data).unchanged == 10_000

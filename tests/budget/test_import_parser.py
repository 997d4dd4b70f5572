"""The budget-file parser: both shapes, as cities publish them, and files it must refuse in plain words."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from civicplan.budget.importers.budget_files import (
    BudgetFileInvalid,
    fund_in_title,
    is_transfer_text,
    kind_of,
    place_named,
    read_budget_file,
    total_level,
    year_column,
)

FILES = Path(__file__).parent / "files"


def _read(name: str):
    return read_budget_file(name, (FILES / name).read_bytes())


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Long shape -----------------------------------------------------------------------------------------------


def test_it_reads_a_long_file_with_code_and_name_columns():
    parsed = _read("long_adopted.csv")

    assert parsed.shape == "long"
    first = parsed.rows[0]
    assert (first.fund, first.fund_code, first.fund_name) == ("100 - General Fund", "100", "General Fund")
    assert first.department == "Public Works"
    assert first.program == "Streets"
    assert first.account == "5100 Salaries"  # code and name columns joined
    assert first.amounts == {(2025, "adopted"): Decimal("1250000.00")}
    assert not parsed.errors


def test_it_reads_accounting_negatives_dashes_and_year_spellings():
    parsed = _read("long_adopted.csv")
    by_description = {row.description: row for row in parsed.rows}

    assert by_description["Permit fee credit"].amounts == {(2025, "adopted"): Decimal("-12000.00")}
    # "2025-2026" is the same fiscal year as "FY 2025-26"; "-" is zero; "Approved" is adopted.
    assert by_description["Inspections backlog"].amounts == {(2025, "adopted"): Decimal("0.00")}
    # "2026" alone is the year the fiscal year ends; "Actuals" and "Actual" are actuals.
    actuals = _read("long_actuals.csv")
    assert [row.amounts for row in actuals.rows] == [
        {(2025, "actual"): Decimal("1198432.17")},
        {(2025, "actual"): Decimal("501230.00")},
    ]


def test_it_flags_transfers_by_whole_words_only():
    parsed = _read("long_adopted.csv")
    by_description = {row.description: row for row in parsed.rows}

    assert by_description["To Capital Projects Fund"].is_transfer  # account "9100 Transfers Out"
    assert not by_description["Traffic counts"].is_transfer  # program "Transportation Planning"
    assert is_transfer_text("Interfund transfer")
    assert is_transfer_text("Operating Transfers In")
    assert not is_transfer_text("Transportation")
    assert not is_transfer_text("Transfer station operations")


def test_it_reads_a_transfer_column_when_there_is_one():
    data = b"fy,fund,dept,account,amount,transfer\n2026,100,Public Works,Transportation,5,yes\n2026,100,PW,Other,5,no\n"

    parsed = read_budget_file("t.csv", data)

    assert [row.is_transfer for row in parsed.rows] == [True, False]


@pytest.mark.parametrize(
    ("word", "kind"),
    [
        ("Adopted", "adopted"),
        ("budget", "adopted"),
        ("Approved", "adopted"),
        ("", "adopted"),
        ("Revised", "revised"),
        ("Amended Budget", "revised"),
        ("Actuals", "actual"),
        ("Proposed", "proposed"),
        ("Requested", "proposed"),
        ("Recommended", "proposed"),
    ],
)
def test_it_understands_the_words_for_kinds(word, kind):
    assert kind_of(word) == kind


def test_it_reports_bad_rows_in_words_with_their_row_numbers():
    data = (
        b"fiscal year,fund,department,amount,kind\n"
        b"FY 2025-26,100,Public Works,12;5,adopted\n"
        b"FY 2025-27,100,Public Works,10,adopted\n"
        b"FY 2025-26,100,,10,adopted\n"
        b"FY 2025-26,100,Public Works,10,guessed\n"
        b"FY 2025-26,100,Public Works,,adopted\n"
        b"FY 2025-26,100,Public Works,7,adopted\n"
    )

    parsed = read_budget_file("bad.csv", data)

    messages = {error.row: error.message for error in parsed.errors}
    assert "is not a number" in messages[2]
    assert "cannot be read" in messages[3]
    assert "department is missing" in messages[4]
    assert "not one of adopted, revised, actual or proposed" in messages[5]
    assert "amount is missing" in messages[6]
    assert [row.number for row in parsed.rows] == [7]


def test_it_skips_and_reports_total_rows_in_a_long_file():
    data = (
        b"fiscal_year,fund,department,program,amount\n"
        b"FY 2025-26,100,Public Works,Streets,10\n"
        b"FY 2025-26,100,Public Works,Parks,5\n"
        b"FY 2025-26,100,Total,,15\n"
    )

    parsed = read_budget_file("t.csv", data)

    assert len(parsed.rows) == 2
    assert [(row.number, row.reason) for row in parsed.skipped] == [(4, "total")]
    assert parsed.reconciliations[0].matches


def test_it_keeps_a_line_whose_description_starts_with_total():
    data = (
        b"fiscal_year,department,account,description,amount\n"
        b"FY 2025-26,Human Resources,5300 Services,Total Compensation Study,40000\n"
    )

    parsed = read_budget_file("t.csv", data)

    assert [row.description for row in parsed.rows] == ["Total Compensation Study"]
    assert not parsed.skipped


def test_it_splits_a_department_code_only_when_a_dash_says_so():
    data = (
        b"fiscal_year,department,amount\nFY 2025-26,10 - Public Works,1\nFY 2025-26,311 Customer Service,2\n"
    )

    parsed = read_budget_file("t.csv", data)

    assert [(row.department_code, row.department) for row in parsed.rows] == [
        ("10", "Public Works"),
        ("", "311 Customer Service"),
    ]


# --- Wide shape -----------------------------------------------------------------------------------------------


def test_it_finds_the_header_below_the_title_rows_of_a_budget_book():
    parsed = _read("wide_budget_book.csv")

    assert parsed.shape == "wide"
    assert parsed.header_row == 5
    assert [(column.fiscal_year, column.kind) for column in parsed.year_columns] == [
        (2024, "revised"),
        (2025, "adopted"),
        (2026, "proposed"),
    ]
    assert parsed.title_fund == "100 - General Fund"
    assert parsed.places == [(1, "Testville")]


def test_it_reads_each_year_column_of_a_wide_row():
    parsed = _read("wide_budget_book.csv")
    overtime = next(row for row in parsed.rows if row.account == "5200 Overtime")
    pavement = next(row for row in parsed.rows if row.account == "5300 Contract Services")

    assert overtime.amounts == {
        (2024, "revised"): Decimal("-4500.00"),  # (4,500)
        (2025, "adopted"): Decimal("0.00"),  # -
        (2026, "proposed"): Decimal("15000.00"),
    }
    assert (2026, "proposed") not in pavement.amounts  # a blank cell is no amount, not zero


def test_it_skips_subtotal_and_total_rows_and_reports_them():
    parsed = _read("wide_budget_book.csv")

    reasons = [(row.number, row.label, row.reason) for row in parsed.skipped if row.reason != "title row"]
    assert reasons == [
        (9, "Subtotal Streets", "subtotal"),
        (11, "Total Public Works", "total"),
        (13, "Community Development Total", "total"),
        (14, "Grand Total", "grand total"),
    ]
    assert len(parsed.rows) == 5
    grand = next(row for row in parsed.skipped if row.number == 14)
    assert dict(grand.figures)[(2025, "adopted")] == Decimal("2650000.00")


def test_it_reconciles_each_total_with_the_lines_it_covers():
    parsed = _read("wide_budget_book.csv")
    checks = {(check.number, check.fiscal_year, check.kind): check for check in parsed.reconciliations}

    assert checks[(9, 2025, "adopted")].line_count == 3  # the Streets lines only
    assert checks[(11, 2025, "adopted")].line_count == 4  # every Public Works line
    assert checks[(14, 2025, "adopted")].matches
    mismatch = checks[(14, 2026, "proposed")]
    assert not mismatch.matches
    assert mismatch.difference == Decimal("1.00")


def test_it_reads_a_semicolon_csv_with_lone_year_columns():
    parsed = _read("wide_semicolon.csv")

    assert parsed.shape == "wide"
    assert [(column.fiscal_year, column.kind) for column in parsed.year_columns] == [
        (2025, "adopted"),
        (2026, "adopted"),
    ]
    assert parsed.rows[0].amounts[(2026, "adopted")] == Decimal("1300000.00")
    assert parsed.title_fund == ""


def test_it_reads_an_xlsx_budget_book_with_numbers_as_numbers():
    data = _xlsx(
        [
            ["City of Testville"],
            ["General Fund Expenditures by Department"],
            [],
            ["Dept", "Object", "FY 2024-25 Actual", "FY 2025-26 Adopted", "FY 2026-27 Proposed"],
            ["Public Works", "5100 Salaries", 1180000.25, 1250000, None],
            ["Police", 5100, -300, 0, 42],
            [None, None, 1179700.25, 1250000, 42],
        ]
    )

    parsed = read_budget_file("book.xlsx", data)

    assert parsed.shape == "wide"
    assert parsed.title_fund == "General Fund"
    assert parsed.rows[0].amounts == {
        (2024, "actual"): Decimal("1180000.25"),
        (2025, "adopted"): Decimal("1250000.00"),
    }
    assert parsed.rows[1].account == "5100"  # a number cell read as its digits
    assert parsed.rows[1].amounts[(2024, "actual")] == Decimal("-300.00")
    # Amounts without any text: a total row without a label, skipped and checked.
    assert parsed.skipped[-1].reason == "total"
    assert parsed.reconciliations and all(check.difference == 0 for check in parsed.reconciliations)


def test_it_reads_an_xlsx_long_file_with_year_numbers():
    data = _xlsx(
        [
            ["Fiscal_Year", "Fund", "Department", "Amount", "Amount Type"],
            [2026, 100, "Public Works", 1234.5, "Revised"],
        ]
    )

    parsed = read_budget_file("long.xlsx", data)

    assert parsed.rows[0].fund_code == "100"
    assert parsed.rows[0].amounts == {(2025, "revised"): Decimal("1234.50")}


def test_it_takes_section_headings_as_the_department_when_no_column_names_one():
    data = b"Program,Account,FY 2025-26 Adopted\nPublic Works,,\nStreets,5100 Salaries,100\nParks,5100 Salaries,50\n"

    parsed = read_budget_file("book.csv", data)

    assert [row.department for row in parsed.rows] == ["Public Works", "Public Works"]
    assert parsed.skipped[0].number == 2


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("FY 2023-24 Actual", (2023, "actual")),
        ("FY 2024-25 Revised", (2024, "revised")),
        ("FY 2025-26 Adopted", (2025, "adopted")),
        ("2026-27 Proposed", (2026, "proposed")),
        ("FY2026 Budget", (2025, "adopted")),
        ("Actual 2023-2024", (2023, "actual")),
        ("FY 2024-25 Amended Budget", (2024, "revised")),
        ("FY 2024-25 Estimated", None),
        ("Change 2024-25 to 2025-26", None),
        ("Department", None),
    ],
)
def test_it_reads_year_column_headers(header, expected):
    assert year_column(header) == expected


def test_it_recognises_total_labels_in_english_and_spanish():
    assert total_level("Subtotal Streets") == 0
    assert total_level("Total Public Works") == 1
    assert total_level("Public Works Total") == 1
    assert total_level("Grand Total") == 2
    assert total_level("Total general") == 2
    assert total_level("Totalizer maintenance") is None
    assert total_level("Public Works") is None


def test_it_finds_places_and_funds_in_title_rows():
    assert place_named("City of Alder Creek") == "Alder Creek"
    assert place_named("City of Testville Adopted Budget FY 2025-26") == "Testville"
    assert place_named("County of Lake - Operating Budget") == "Lake"
    assert place_named("Adopted Budget") == ""
    assert fund_in_title("Fund 100 - General Fund") == "100 - General Fund"
    assert fund_in_title("General Fund Expenditures by Department") == "General Fund"
    assert fund_in_title("All Funds Summary") == ""


# --- Files it refuses -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", b"", "The file is empty."),
        ("blank.csv", b"\n\n  \n", "The file is empty."),
        ("old.xls", b"\xd0\xcf\x11\xe0whatever", "Old .xls workbooks"),
        ("binary.csv", b"\x00\x01\x02garbage", "NUL bytes"),
        ("latin1.csv", "department,amount\nObras Públicas,1\n".encode("latin-1"), "not valid UTF-8"),
        ("fake.xlsx", b"PK\x03\x04not really a zip", "damaged"),
        ("noheader.csv", b"hello\nworld\n", "No header row"),
        ("noamount.csv", b"department,program\nPublic Works,Streets\n", "names no amount column"),
        ("noyear.csv", b"department,amount\nPublic Works,5\n", "no fiscal year column"),
        ("headeronly.csv", b"fiscal_year,department,amount\n", "no budget lines"),
    ],
)
def test_it_refuses_files_it_cannot_read_in_plain_words(name, data, message):
    with pytest.raises(BudgetFileInvalid) as caught:
        read_budget_file(name, data)

    assert message in str(caught.value)


def test_it_refuses_a_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")

    with pytest.raises(BudgetFileInvalid) as caught:
        read_budget_file("archive.xlsx", buffer.getvalue())

    assert "not an Excel workbook" in str(caught.value)


def test_it_refuses_a_zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<x/>")
        archive.writestr("xl/workbook.xml", "0" * 5_000_000)

    with pytest.raises(BudgetFileInvalid) as caught:
        read_budget_file("bomb.xlsx", buffer.getvalue())

    assert "refused as unsafe" in str(caught.value)


def test_it_reads_text_protected_against_formulas_back_as_written():
    data = b"fiscal_year,department,description,amount\nFY 2025-26,Public Works,'=SUM(A1),5\n"

    parsed = read_budget_file("t.csv", data)

    assert parsed.rows[0].description == "=SUM(A1)"


def test_it_refuses_two_columns_of_the_same_year_and_kind():
    data = b"department,FY 2025-26 Adopted,FY2026 Budget\nPublic Works,1,2\n"

    with pytest.raises(BudgetFileInvalid) as caught:
        read_budget_file("t.csv", data)

    assert "same year and kind" in str(caught.value)


def test_a_subtotal_row_of_a_line_item_file_is_skipped_and_checked_not_imported():
    """Open-data exports repeat the department and program on their subtotal rows; "Subtotal" in the description
    is still the file's own figure, not a budget line (it would count the money twice)."""
    data = (
        b"Fiscal Year,Fund,Department,Program,Account,Description,Type,Amount\n"
        b'FY 2025-26,100 - General Fund,Parks,Recreation,6100 Contract Services,Summer camp contract,Actual,"$5,000"\n'
        b'FY 2025-26,100 - General Fund,Parks,Recreation,6200 Supplies,Camp supplies,Actual,"(1,234)"\n'
        b'FY 2025-26,100 - General Fund,Parks,Recreation,,Subtotal,Actual,"$3,766"\n'
        b'FY 2025-26,100 - General Fund,Parks,Recreation,,Total Recreation,Actual,"$3,766"\n'
        b'FY 2025-26,100 - General Fund,Parks,Recreation,6100 Contract Services,Total Compensation Study,Actual,"$900"\n'
    )
    parsed = read_budget_file("actuals.csv", data)
    assert [row.description for row in parsed.rows] == [
        "Summer camp contract",
        "Camp supplies",
        "Total Compensation Study",
    ]
    assert [skipped.reason for skipped in parsed.skipped] == ["subtotal", "total"]
    assert parsed.reconciliations and all(check.difference == 0 for check in parsed.reconciliations)

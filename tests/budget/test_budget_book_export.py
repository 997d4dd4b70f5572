"""The budget book workbook: one sheet per alignment page, the pages' numbers, and no formula ever runs."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from civicplan.accounts.models import Department
from civicplan.budget import selectors
from civicplan.budget.models import Fund
from tests import factories as f
from tests.budget.alignment_world import YEAR, build_world
from tests.conftest import client_for

D = Decimal
FORMULA = '=HYPERLINK("http://evil.example","click")'
SHEETS = [
    "By priority",
    "Totals by fund",
    "Totals by department",
    "Gaps",
    "Actions",
    "Outside the plan",
    "Lines",
]


@pytest.fixture
def world(plan, department_a, department_b):
    return build_world(plan, department_a, department_b)


def _book(client, user, **params):
    response = client_for(client, user).get(reverse("budget:export"), {"year": YEAR, **params})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "budget-book-FY2025-26.xlsx" in response["Content-Disposition"]
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _rows(sheet):
    return list(sheet.iter_rows(min_row=3, values_only=True))


def test_it_has_a_sheet_per_view_with_frozen_headers_and_filters(client, viewer, world):
    book = _book(client, viewer)
    assert book.sheetnames == SHEETS
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A3"
        assert sheet.auto_filter.ref.startswith("A2:")


def test_its_numbers_are_the_pages_numbers(client, viewer, plan, organization, world):
    book = _book(client, viewer)
    money = selectors.plan_money(plan, organization, YEAR)
    by_code = {row[1]: row for row in _rows(book["By priority"]) if row[1]}
    assert D(str(by_code["1"][3])) == money.priorities[0].amount == D("666.66")
    assert D(str(by_code["1.2"][3])) == D("333.33")
    assert D(str(by_code["1"][4])) == D("500.00") and by_code["1"][6] == pytest.approx(33.3)
    rows = _rows(book["By priority"])
    assert rows[-2][2] == "Outside the plan" and D(str(rows[-2][3])) == money.outside
    assert rows[-1][2] == "Total" and D(str(rows[-1][3])) == D("1583.34")
    funds = {row[0] or row[1]: row for row in _rows(book["Totals by fund"])}
    assert [D(str(value)) for value in funds["200"][2:5]] == [D("533.33"), D("200.00"), D("333.33")]
    assert D(str(funds["Total"][2])) == D("1583.34") and D(str(funds["Total"][4])) == D("1383.34")
    gaps = _rows(book["Gaps"])
    assert [row[1] for row in gaps] == ["2.2", "2.2.1.1", "1.2.1.1", "1.2.1.2", "2.1.1.1", "2.2.1.2"]
    actions = {row[0]: row for row in _rows(book["Actions"])}
    assert [D(str(value)) for value in actions["1.1.1.1"][5:10]] == [
        D("450.00"),
        D("400.00"),
        D("300.00"),
        D("-50.00"),
        D("-100.00"),
    ]
    assert [row[4] for row in _rows(book["Outside the plan"])] == ["Office supplies"]
    assert len(_rows(book["Lines"])) == 4


def test_money_cells_are_numbers_with_a_currency_format(client, viewer, world):
    sheet = _book(client, viewer)["Totals by fund"]
    cell = sheet["C3"]
    assert isinstance(cell.value, (int, float))
    assert "$" in cell.number_format


def test_formula_like_names_come_out_as_text(client, viewer, organization, world):
    department = Department.objects.create(organization=organization, code="EVIL", name_en=FORMULA)
    fund = Fund.objects.create(organization=organization, code="666", name_en=FORMULA)
    f.make_budget_line(
        organization, department, YEAR, fund=fund, description=FORMULA, adopted_amount=D("5.00")
    )
    book = _book(client, viewer)
    texts = [
        value
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if isinstance(value, str)
    ]
    assert not [text for text in texts if text.startswith("=")]
    lines = _rows(book["Lines"])
    evil = next(row for row in lines if row[0] == "666")
    assert evil[1] == "'" + FORMULA and evil[2] == "'" + FORMULA and evil[5] == "'" + FORMULA
    assert any(row[1] == "'" + FORMULA for row in _rows(book["Totals by department"]))


def test_anonymous_people_sign_in_first_and_residents_cannot_download(client, resident, world):
    response = client.get(reverse("budget:export"))
    assert response.status_code == 302
    client.force_login(resident)
    assert client.get(reverse("budget:export")).status_code == 403

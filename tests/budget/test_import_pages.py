"""The budget-file pages (upload -> preview -> mapping -> import) and the import_budget command."""

from __future__ import annotations

import re
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civicplan.budget.importers.budget_files import read_budget_file
from civicplan.budget.models import BudgetLine, Fund, NameMapping
from civicplan.budget.services.imports import name_field
from civicplan.plans.models import PendingImport
from tests import factories as f

FILES = Path(__file__).parent / "files"


@pytest.fixture
def funds(organization):
    return {
        "100": f.make_fund(organization, "100", name_en="General Fund"),
        "210": f.make_fund(organization, "210", name_en="Gas Tax"),
    }


@pytest.fixture
def ready(adopted_plan, funds, department_a, department_b):
    """An adopted plan (FY 2025-26 to FY 2029-30), funds 100 and 210, Public Works and Community Development."""
    return adopted_plan


def _upload(client, name: str, data: bytes | None = None, **fields):
    content = data if data is not None else (FILES / name).read_bytes()
    return client.post(reverse("budget:import"), {"file": SimpleUploadedFile(name, content), **fields})


def _selected(html: str, field: str) -> str | None:
    select = re.search(rf'<select name="{re.escape(field)}".*?</select>', html, re.S)
    assert select, f"no select {field}"
    option = re.search(r'<option value="([^"]*)"[^>]*selected', select.group(0))
    return option.group(1) if option else None


def _seen(html: str) -> str:
    return re.search(r'name="seen" value="([^"]*)"', html).group(1)


def test_it_walks_from_upload_through_the_mapping_to_the_import(client, ready, coordinator, department_a):
    client.force_login(coordinator)

    response = _upload(client, "long_drift_fy2026.csv")
    assert response.status_code == 302
    preview_url = response["Location"]
    page = client.get(preview_url).content.decode()
    department_field = name_field("department", "Public Works Dept.")
    fund_field = name_field("fund", "220 - SB 1 RMRA")
    assert "Names to confirm" in page
    assert _selected(page, department_field) == str(department_a.pk)  # the closest name, preselected
    assert 'value="import"' not in page  # nothing to import before the names are confirmed

    choices = {department_field: str(department_a.pk), fund_field: "new"}
    page = client.post(preview_url, {**choices, "action": "update"}).content.decode()
    assert "Import 3 lines" in page
    assert _selected(page, fund_field) == "new"  # the form keeps the choices
    assert not BudgetLine.objects.exists()  # updating the preview writes nothing

    response = client.post(preview_url, {**choices, "action": "import", "seen": _seen(page)})
    assert response.status_code == 302
    assert BudgetLine.objects.filter(fiscal_year=2026, department=department_a).count() == 3
    assert NameMapping.objects.filter(kind="department", spelling="public works dept.").exists()
    assert Fund.objects.filter(code="220", name_en="SB 1 RMRA").exists()
    assert not PendingImport.objects.filter(purpose="budget").exists()


def test_it_does_not_import_choices_the_person_has_not_previewed(client, ready, coordinator, department_a):
    client.force_login(coordinator)
    preview_url = _upload(client, "long_drift_fy2026.csv")["Location"]
    choices = {
        name_field("department", "Public Works Dept."): str(department_a.pk),
        name_field("fund", "220 - SB 1 RMRA"): "new",
    }
    first = client.post(preview_url, {**choices, "action": "update"}).content.decode()
    choices[name_field("department", "Public Works Dept.")] = "new"  # changed, then "Import" straight away

    response = client.post(preview_url, {**choices, "action": "import", "seen": _seen(first)})

    assert response.status_code == 200
    assert "You changed the choices since the preview" in response.content.decode()
    assert not BudgetLine.objects.exists()


def test_it_asks_for_the_fund_of_a_file_that_names_none(client, ready, coordinator, funds):
    client.force_login(coordinator)
    preview_url = _upload(client, "wide_semicolon.csv")["Location"]

    page = client.get(preview_url).content.decode()
    assert "2 rows name no fund: choose the fund below." in page
    page = client.post(preview_url, {"fund": str(funds["100"].pk), "action": "update"}).content.decode()
    assert "Import 4 lines" in page

    client.post(preview_url, {"fund": str(funds["100"].pk), "action": "import", "seen": _seen(page)})

    assert set(BudgetLine.objects.values_list("fund", flat=True)) == {funds["100"].pk}


def test_it_carries_the_fund_chosen_on_the_upload_page(client, ready, coordinator, funds):
    client.force_login(coordinator)

    response = _upload(client, "wide_semicolon.csv", fund=str(funds["210"].pk))

    assert response["Location"].endswith(f"?fund={funds['210'].pk}")
    page = client.get(response["Location"]).content.decode()
    assert "Import 4 lines" in page


def test_it_shows_skipped_rows_totals_and_reconciliation_on_the_preview(client, ready, coordinator):
    client.force_login(coordinator)
    preview_url = _upload(client, "wide_budget_book.csv")["Location"]

    page = client.get(preview_url).content.decode()

    assert "Read as a budget-book table" in page
    assert "Subtotal Streets" in page
    assert "grand total" in page
    assert "differs by $1.00" in page
    assert "matches" in page
    assert "FY 2024-25 Revised" in page  # the column outside the plan, named in the warning
    assert "Totals by fund" in page
    assert "$1,930,000.00" in page  # Public Works, FY 2025-26 adopted
    assert "Import 9 lines" in page  # 5 rows in FY 2025-26, 4 in FY 2026-27


def test_it_lists_row_errors_and_offers_no_import(client, ready, coordinator):
    client.force_login(coordinator)
    data = (
        FILES / "long_adopted.csv"
    ).read_bytes() + b"FY 2025-26,100,General Fund,Public Works,A,1,B,C,lots,Adopted\n"
    preview_url = _upload(client, "bad.csv", data)["Location"]

    page = client.get(preview_url).content.decode()
    response = client.post(preview_url, {"action": "import", "seen": _seen(page)})

    assert "The file cannot be imported; nothing was written" in page
    assert "Row 10" in page
    assert 'value="import"' not in page
    assert response.status_code == 400
    assert not BudgetLine.objects.exists()


def test_it_shows_an_unreadable_file_error_beside_the_field_and_keeps_the_fund(
    client, ready, coordinator, funds
):
    client.force_login(coordinator)

    response = _upload(client, "garbled.csv", b"\x00\x01binary", fund=str(funds["210"].pk))

    assert response.status_code == 400
    page = response.content.decode()
    assert "NUL bytes" in page
    assert _selected(page, "fund") == str(funds["210"].pk)
    assert not PendingImport.objects.exists()


def test_it_says_a_file_of_another_city_is_refused(client, ready, coordinator):
    client.force_login(coordinator)
    preview_url = _upload(client, "wrong_city.csv")["Location"]

    page = client.get(preview_url).content.decode()

    assert "This file looks like the budget of Alder Creek" in page


def test_it_shows_the_preview_only_to_whoever_uploaded_it(client, ready, coordinator, finance):
    client.force_login(coordinator)
    preview_url = _upload(client, "long_adopted.csv")["Location"]
    client.force_login(finance)

    assert client.get(preview_url).status_code == 403
    assert client.post(preview_url, {"action": "import"}).status_code == 403


@pytest.mark.parametrize("persona", ["editor_a", "council_member", "viewer"])
def test_it_does_not_let_other_roles_upload(client, ready, persona, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("budget:import")).status_code == 403
    assert _upload(client, "long_adopted.csv").status_code == 403
    assert client.get(reverse("budget:import-template")).status_code == 403
    assert not PendingImport.objects.exists()


def test_it_sends_anonymous_visitors_to_sign_in(client, ready):
    response = client.get(reverse("budget:import"))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_lets_finance_staff_import(client, ready, finance):
    client.force_login(finance)
    preview_url = _upload(client, "long_adopted.csv")["Location"]
    page = client.get(preview_url).content.decode()

    client.post(preview_url, {"action": "import", "seen": _seen(page)})

    assert BudgetLine.objects.count() == 8


def test_it_gives_a_template_the_importer_reads(client, ready, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("budget:import-template"))

    assert response["Content-Type"].startswith("text/csv")
    parsed = read_budget_file("budget-template.csv", response.content)
    assert parsed.shape == "long"
    assert [row.amounts for row in parsed.rows] == [
        {(2025, "adopted"): Decimal("1250000.00")},
        {(2025, "revised"): Decimal("-25000.00")},
    ]
    assert parsed.rows[0].fund == "100 - General Fund"


def test_it_runs_the_same_number_of_queries_for_a_small_and_a_larger_file(client, ready, coordinator):
    client.force_login(coordinator)
    header = "fiscal_year,fund,department,program,account,description,amount\n"

    def queries(count: int) -> int:
        body = "".join(f"FY 2025-26,100,Public Works,Streets,5100,Item {n},{n}\n" for n in range(count))
        url = _upload(client, f"f{count}.csv", (header + body).encode())["Location"]
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    assert queries(3) == queries(60)


# --- The command ----------------------------------------------------------------------------------------------


def test_it_writes_nothing_in_a_dry_run(ready, coordinator):
    out = StringIO()

    call_command("import_budget", str(FILES / "long_adopted.csv"), "--dry-run", stdout=out)

    assert "8 new, 0 changed, 0 unchanged lines" in out.getvalue()
    assert "Dry run: nothing was written" in out.getvalue()
    assert not BudgetLine.objects.exists()


def test_it_imports_from_the_command_line(ready, coordinator):
    out = StringIO()

    call_command("import_budget", str(FILES / "wide_budget_book.csv"), stdout=out)

    text = out.getvalue()
    assert "row 14 Grand Total FY 2026-27 proposed: $2,250,001.00 - differs by $1.00" in text
    assert "Imported 9 lines" in text
    assert BudgetLine.objects.count() == 9


def test_it_exits_with_the_errors_when_the_file_has_problems(ready, coordinator, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"fiscal_year,fund,department,amount\nFY 2025-26,100,Public Works,lots\n")
    err = StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("import_budget", str(path), stdout=StringIO(), stderr=err)

    assert "1 problems: nothing was written" in str(caught.value)
    assert "row 2: the amount 'lots' is not a number" in err.getvalue()
    assert not BudgetLine.objects.exists()


def test_it_lists_unknown_names_and_how_to_map_them(ready, coordinator):
    err = StringIO()

    with pytest.raises(CommandError) as caught:
        call_command("import_budget", str(FILES / "long_drift_fy2026.csv"), stdout=StringIO(), stderr=err)

    assert "2 names to map" in str(caught.value)
    assert '--map "Public Works Dept.=CODE"' in err.getvalue()
    assert '--map "fund:220 - SB 1 RMRA=CODE"' in err.getvalue()


def test_it_maps_and_creates_names_from_the_command_line(ready, coordinator, department_a):
    call_command(
        "import_budget",
        str(FILES / "long_drift_fy2026.csv"),
        "--map",
        "Public Works Dept.=PW",
        "--create-missing",
        stdout=StringIO(),
    )

    assert BudgetLine.objects.filter(department=department_a).count() == 3
    assert NameMapping.objects.get(kind="department").department == department_a
    assert Fund.objects.filter(code="220").exists()


def test_it_uses_the_fund_given_on_the_command_line(ready, coordinator, funds):
    call_command("import_budget", str(FILES / "wide_semicolon.csv"), "--fund", "210", stdout=StringIO())

    assert set(BudgetLine.objects.values_list("fund", flat=True)) == {funds["210"].pk}

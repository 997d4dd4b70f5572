"""The funds list (read by every plan role), adding and editing a fund, and the confirmed name mappings."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civicplan.budget.models import Fund, NameMapping
from tests import factories as f


@pytest.fixture
def general(organization):
    return f.make_fund(organization, "100", name_en="General Fund", name_es="Fondo General")


@pytest.fixture
def mapping(organization, department_a, coordinator):
    return NameMapping.objects.create(
        organization=organization,
        kind="department",
        spelling="public works dept.",
        department=department_a,
        created_by=coordinator,
    )


@pytest.mark.parametrize("persona", ["editor_a", "council_member", "viewer", "finance", "coordinator"])
def test_it_lists_funds_with_lines_and_adopted_totals_per_year_for_every_plan_role(
    client, organization, department_a, general, persona, request
):
    f.make_budget_line(organization, department_a, 2025, fund=general, adopted_amount=Decimal("1000.40"))
    f.make_budget_line(organization, department_a, 2025, fund=general, adopted_amount=Decimal("500"))
    f.make_budget_line(organization, department_a, 2026, fund=general, adopted_amount=Decimal("2500"))
    client.force_login(request.getfixturevalue(persona))

    page = client.get(reverse("budget:funds")).content.decode()

    assert "General Fund" in page
    assert "FY 2025-26" in page and "FY 2026-27" in page
    assert "$1,500" in page and "2 lines" in page
    assert "$2,500" in page and "1 line" in page


def test_it_offers_the_add_form_only_to_managers(client, organization, general, viewer, finance):
    client.force_login(viewer)
    assert "Add a fund" not in client.get(reverse("budget:funds")).content.decode()
    client.force_login(finance)
    assert "Add a fund" in client.get(reverse("budget:funds")).content.decode()


def test_it_adds_a_fund(client, organization, finance):
    client.force_login(finance)

    response = client.post(
        reverse("budget:funds"), {"code": "220", "name_en": "SB 1 RMRA", "name_es": "SB 1 RMRA (carreteras)"}
    )

    assert response.status_code == 302
    fund = Fund.objects.get(organization=organization, code="220")
    assert fund.name_es == "SB 1 RMRA (carreteras)"
    assert fund.history.first().history_user == finance


def test_it_refuses_a_second_fund_with_the_same_code_and_keeps_what_was_typed(
    client, organization, general, coordinator
):
    client.force_login(coordinator)

    response = client.post(
        reverse("budget:funds"), {"code": "100", "name_en": "Second General", "name_es": ""}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "Another fund already has the code 100." in page
    assert 'value="Second General"' in page
    assert Fund.objects.filter(organization=organization).count() == 1


def test_it_says_which_fields_are_missing(client, organization, coordinator):
    client.force_login(coordinator)

    response = client.post(reverse("budget:funds"), {"code": "", "name_en": ""})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


@pytest.mark.parametrize("persona", ["editor_a", "council_member", "viewer"])
def test_it_does_not_let_other_roles_add_or_edit_funds(client, organization, general, persona, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.post(reverse("budget:funds"), {"code": "9", "name_en": "X"}).status_code == 403
    assert client.get(reverse("budget:fund-edit", args=[general.pk])).status_code == 403
    assert client.post(reverse("budget:fund-edit", args=[general.pk]), {"code": "9"}).status_code == 403
    assert not Fund.objects.filter(code="9").exists()


def test_it_edits_a_fund(client, organization, general, coordinator):
    f.make_fund(organization, "210", name_en="Gas Tax")
    client.force_login(coordinator)
    url = reverse("budget:fund-edit", args=[general.pk])

    assert client.get(url).status_code == 200
    clash = client.post(url, {"code": "210", "name_en": "General Fund", "name_es": ""})
    response = client.post(
        url, {"code": "100", "name_en": "General Fund (operating)", "name_es": "Fondo General"}
    )

    assert clash.status_code == 400
    assert "Another fund already has the code 210." in clash.content.decode()
    assert response.status_code == 302
    general.refresh_from_db()
    assert (general.code, general.name_en) == ("100", "General Fund (operating)")


def test_it_lists_funds_in_the_same_number_of_queries_whatever_the_data(
    client, organization, department_a, viewer
):
    client.force_login(viewer)
    client.get(reverse("budget:funds"))  # the first request of a session loads more (session, user)

    def queries(funds: int, lines: int) -> int:
        for number in range(funds):
            fund = f.make_fund(organization, f"F{funds}-{number}", name_en=f"Fund {number}")
            for year in range(lines):
                f.make_budget_line(organization, department_a, 2025 + year, fund=fund)
        with CaptureQueriesContext(connection) as context:
            assert client.get(reverse("budget:funds")).status_code == 200
        return len(context.captured_queries)

    assert queries(1, 1) == queries(6, 4)


def test_it_lists_the_confirmed_names_for_managers(client, mapping, finance):
    client.force_login(finance)

    page = client.get(reverse("budget:mappings")).content.decode()

    assert "public works dept." in page
    assert "Public Works" in page
    assert "Forget “public works dept.”" in page


@pytest.mark.parametrize("persona", ["editor_a", "council_member", "viewer"])
def test_it_does_not_show_or_forget_mappings_for_other_roles(client, mapping, persona, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("budget:mappings")).status_code == 403
    assert client.post(reverse("budget:mapping-delete", args=[mapping.pk])).status_code == 403
    assert NameMapping.objects.filter(pk=mapping.pk).exists()


def test_it_forgets_a_mapping_by_post_only(client, mapping, coordinator):
    client.force_login(coordinator)
    url = reverse("budget:mapping-delete", args=[mapping.pk])

    assert client.get(url).status_code == 405
    response = client.post(url)

    assert response.status_code == 302
    assert not NameMapping.objects.filter(pk=mapping.pk).exists()
    assert NameMapping.history.first().history_user == coordinator

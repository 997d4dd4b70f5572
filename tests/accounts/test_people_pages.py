"""The coordinator manages the city's settings, departments and accounts on real pages."""

from __future__ import annotations

from civicplan.accounts.models import Department, User


def test_the_coordinator_adds_a_department_and_an_editor(client, organization, coordinator):
    client.force_login(coordinator)
    response = client.post(
        "/en/staff/people/departments/new/", {"code": "LIB", "name_en": "Library", "name_es": "Biblioteca"}
    )
    assert response.status_code == 302
    library = Department.objects.get(code="LIB")
    response = client.post(
        "/en/staff/people/new/",
        {
            "username": "librarian",
            "first_name": "Ana",
            "last_name": "Reyes",
            "email": "ana@city.example",
            "role": "editor",
            "department": library.pk,
            "is_active": "on",
            "password": "a-long-unusual-passphrase",
        },
    )
    assert response.status_code == 302
    librarian = User.objects.get(username="librarian")
    assert librarian.department == library and librarian.check_password("a-long-unusual-passphrase")


def test_an_editor_needs_a_department_and_a_good_password(client, organization, coordinator):
    client.force_login(coordinator)
    response = client.post(
        "/en/staff/people/new/",
        {
            "username": "x",
            "email": "x@city.example",
            "role": "editor",
            "is_active": "on",
            "password": "password",
        },
    )
    html = response.content.decode()
    assert "A department editor needs a department." in html
    assert "too common" in html or "too short" in html
    assert not User.objects.filter(username="x").exists()


def test_a_department_code_is_unique(client, organization, coordinator, department_a):
    client.force_login(coordinator)
    response = client.post(
        "/en/staff/people/departments/new/", {"code": "PW", "name_en": "Dup", "name_es": "Dup"}
    )
    assert "already uses this code" in response.content.decode()


def test_a_coordinator_cannot_change_their_own_role(client, organization, coordinator):
    client.force_login(coordinator)
    response = client.post(
        f"/en/staff/people/{coordinator.pk}/",
        {"username": "coordinator", "email": "c@city.example", "role": "viewer", "is_active": "on"},
    )
    assert "cannot change your own role" in response.content.decode()
    coordinator.refresh_from_db()
    assert coordinator.role == "coordinator"


def test_the_fiscal_year_start_month_is_checked(client, organization, coordinator):
    client.force_login(coordinator)
    response = client.post(
        "/en/staff/people/city/", {"name_en": "City", "name_es": "Ciudad", "fiscal_year_start_month": "13"}
    )
    assert "from 1 (January) to 12" in response.content.decode()
    client.post(
        "/en/staff/people/city/", {"name_en": "City", "name_es": "Ciudad", "fiscal_year_start_month": "10"}
    )
    organization.refresh_from_db()
    assert organization.fiscal_year_start_month == 10


def test_the_menu_shows_people_only_to_the_coordinator(client, plan, coordinator, viewer):
    client.force_login(viewer)
    assert "City and people" not in client.get(f"/en/staff/plans/{plan.pk}/").content.decode()
    client.force_login(coordinator)
    assert "City and people" in client.get(f"/en/staff/plans/{plan.pk}/").content.decode()

"""Staff sign-in: throttled, sessions that end, clear messages."""

from __future__ import annotations

import time

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings

from tests.factories import PASSWORD


def test_a_coordinator_signs_in_and_lands_on_the_plan(client, plan, coordinator):
    response = client.post(
        "/en/accounts/login/", {"username": "coordinator", "password": PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == f"/en/staff/plans/{plan.pk}/"


def test_a_wrong_password_says_so_plainly(client, coordinator):
    response = client.post("/en/accounts/login/", {"username": "coordinator", "password": "nope"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


@override_settings(LOGIN_ATTEMPTS_PER_WINDOW=3)
def test_password_checks_are_throttled_per_account(client, coordinator):
    for _ in range(3):
        client.post("/en/accounts/login/", {"username": "coordinator", "password": "wrong"})
    response = client.post("/en/accounts/login/", {"username": "coordinator", "password": PASSWORD})
    assert "Too many sign-in attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_common_passwords_are_refused(coordinator):
    for weak in ("password123", "1234567890", "coordinator1"):
        try:
            validate_password(weak, coordinator)
        except ValidationError:
            continue
        raise AssertionError(f"{weak} was accepted")


@override_settings(SESSION_IDLE_SECONDS=60)
def test_an_idle_session_ends(client, plan, coordinator, monkeypatch):
    client.force_login(coordinator)
    assert client.get("/en/staff/").status_code == 302
    session = client.session
    session["last_seen"] = int(time.time()) - 120
    session.save()
    response = client.get(f"/en/staff/plans/{plan.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_signing_out_needs_a_post(client, coordinator):
    client.force_login(coordinator)
    assert client.get("/en/accounts/logout/").status_code == 405
    assert client.post("/en/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session

"""The staff page *Import a plan*: upload, preview (nothing written), confirm; who may use it."""

from __future__ import annotations

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from civicplan.accounts.models import Department, Role
from civicplan.plans.exporters import export_plan
from civicplan.plans.models import PendingImport, Plan, PlanItem, PlanState
from civicplan.plans.selectors import plan_document
from tests import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

IMPORT_URL = "/en/staff/import/"


def row_counts() -> tuple[int, int, int]:
    return Plan.objects.count(), PlanItem.objects.count(), Department.objects.count()


def upload(client, name: str, data: bytes):
    return client.post(IMPORT_URL, {"file": SimpleUploadedFile(name, data)})


@pytest.fixture
def plan_yaml(plan) -> bytes:
    return export_plan(plan, "yaml")


@pytest.fixture
def coordinator_client(client, coordinator):
    return client_for(client, coordinator)


def test_it_shows_the_upload_form_to_the_coordinator(coordinator_client):
    response = coordinator_client.get(IMPORT_URL)

    assert response.status_code == 200
    assert b"Import a plan" in response.content
    assert b'enctype="multipart/form-data"' in response.content


def test_it_previews_a_valid_file_without_writing_the_plan(coordinator_client, coordinator, plan_yaml):
    before = row_counts()

    response = upload(coordinator_client, "plan.yaml", plan_yaml)

    pending = PendingImport.objects.get()
    assert pending.created_by == coordinator
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:import-preview", kwargs={"token": pending.token})
    preview = coordinator_client.get(response["Location"])
    assert preview.status_code == 200
    page = preview.content.decode()
    for count, label in [(2, "Priority"), (4, "Goal"), (4, "Strategy"), (8, "Action")]:
        assert f"{count} × {label}" in page
    assert "Nothing has been written yet" in page
    assert row_counts() == before


def test_it_creates_the_plan_when_the_preview_is_confirmed(coordinator_client, plan, plan_yaml):
    preview_url = upload(coordinator_client, "plan.yaml", plan_yaml)["Location"]
    before = Plan.objects.count()

    response = coordinator_client.post(preview_url)

    assert Plan.objects.count() == before + 1
    imported = Plan.objects.latest("pk")
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:plan", kwargs={"plan_id": imported.pk})
    assert imported.state == PlanState.DRAFT
    assert plan_document(imported) == plan_document(plan)
    assert not PendingImport.objects.exists()
    assert coordinator_client.get(response["Location"]).status_code == 200


def test_it_imports_a_workbook_through_the_page(coordinator_client, plan):
    preview_url = upload(coordinator_client, "plan.xlsx", export_plan(plan, "xlsx"))["Location"]

    coordinator_client.post(preview_url)

    assert plan_document(Plan.objects.latest("pk")) == plan_document(plan)


def test_it_lists_the_problems_of_a_bad_file_and_writes_nothing(coordinator_client, plan_yaml):
    spoiled = plan_yaml.replace(b"progress: 40", b"progress: 150", 1).replace(
        b"status: on-track", b"status: paused", 1
    )
    before = row_counts()

    response = upload(coordinator_client, "plan.yaml", spoiled)

    assert response.status_code == 400
    page = response.content.decode()
    assert "The file was refused; nothing was written" in page
    assert "150 must be between 0 and 100" in page
    assert "unknown status paused" in page
    assert "priorities[0].goals[0].strategies[0].actions[0]" in page
    assert row_counts() == before
    assert not PendingImport.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("plan.yaml", b"plan: [unclosed\n", "YAML is malformed at line 2"),
        ("plan.xlsx", b"<html><body>not a workbook</body></html>", "not an Excel workbook"),
        ("plan.xls", bytes.fromhex("d0cf11e0a1b11ae1") + bytes(100), "Old .xls workbooks are not supported"),
    ],
)
def test_it_refuses_a_hostile_or_wrong_file_in_plain_words(coordinator_client, name, data, words):
    before = row_counts()

    response = upload(coordinator_client, name, data)

    assert response.status_code == 400
    assert words in response.content.decode()
    assert row_counts() == before


@pytest.mark.parametrize("persona", ["editor_a", "council_member", "viewer", "resident"])
def test_it_does_not_let_other_roles_import(request, client, plan_yaml, persona):
    client_for(client, request.getfixturevalue(persona))
    before = row_counts()

    assert client.get(IMPORT_URL).status_code == 403
    assert upload(client, "plan.yaml", plan_yaml).status_code == 403

    assert row_counts() == before
    assert not PendingImport.objects.exists()


def test_it_sends_an_anonymous_visitor_to_sign_in(client, plan_yaml):
    response = upload(client, "plan.yaml", plan_yaml)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert client.get(IMPORT_URL).status_code == 302
    assert not PendingImport.objects.exists()


@pytest.fixture
def pending_url(coordinator_client, plan_yaml) -> str:
    """The coordinator's preview, waiting for confirmation."""
    return upload(coordinator_client, "plan.yaml", plan_yaml)["Location"]


def test_it_hides_a_pending_preview_from_another_coordinator(client, pending_url):
    other = f.make_user("coordinator-2", Role.COORDINATOR)
    client.force_login(other)
    before = row_counts()

    assert client.get(pending_url).status_code == 404
    assert client.post(pending_url).status_code == 404

    assert row_counts() == before
    assert PendingImport.objects.count() == 1


@pytest.mark.parametrize("persona", ["editor_a", "council_member", "viewer"])
def test_it_does_not_let_other_roles_confirm_a_preview(request, client, pending_url, persona):
    client.force_login(request.getfixturevalue(persona))
    before = row_counts()

    assert client.post(pending_url).status_code == 403

    assert row_counts() == before


def test_it_sends_an_anonymous_visitor_of_a_preview_to_sign_in(client, pending_url):
    client.logout()
    before = row_counts()

    response = client.post(pending_url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert row_counts() == before


def test_it_answers_404_for_an_unknown_preview(coordinator_client):
    assert (
        coordinator_client.get(reverse("staff:import-preview", kwargs={"token": "no-such-token"})).status_code
        == 404
    )


HOSTILE = "<script>alert('pwned')</script>"


def test_it_shows_hostile_titles_inert_in_the_preview(coordinator_client, plan_yaml):
    document = yaml.safe_load(plan_yaml)
    document["plan"]["priorities"][0]["title"]["en"] = HOSTILE
    preview_url = upload(coordinator_client, "plan.yaml", yaml.safe_dump(document).encode())["Location"]

    page = coordinator_client.get(preview_url).content.decode()

    assert HOSTILE not in page
    assert "&lt;script&gt;" in page


def test_it_shows_hostile_values_inert_in_the_problem_list(coordinator_client, plan_yaml):
    document = yaml.safe_load(plan_yaml)
    document["plan"]["priorities"][0]["status"] = HOSTILE

    response = upload(coordinator_client, "plan.yaml", yaml.safe_dump(document).encode())

    assert response.status_code == 400
    page = response.content.decode()
    assert HOSTILE not in page
    assert "unknown status &lt;script&gt;" in page

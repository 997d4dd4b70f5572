"""The staff pages for measurement files, and the import_measurements command."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation

from civicplan.performance.models import Measurement
from civicplan.plans.models import PendingImport
from tests.performance.test_import_measurements import csv_bytes, make_indicator


@pytest.fixture(autouse=True)
def _english():
    """The messages are checked in English, whatever language an earlier test left active in this worker."""
    with translation.override("en"):
        yield


@pytest.fixture
def indicators(plan, department_a, department_b):
    return make_indicator(plan, "PS-1", department=department_a), make_indicator(
        plan, "CD-1", department=department_b
    )


def upload(client, data: bytes, name: str = "values.csv", replace: bool = False):
    payload = {"file": SimpleUploadedFile(name, data)}
    if replace:
        payload["replace"] = "on"
    return client.post(reverse("indicators:import"), payload)


def test_upload_preview_and_import(client, coordinator, indicators):
    client.force_login(coordinator)
    page = client.get(reverse("indicators:import"))
    assert b"breakdown:&lt;category&gt;" in page.content
    response = upload(client, csv_bytes("PS-1,2026-03,10,,yes", "CD-1,2026-03,4,,no"))
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert b"Import 2 values" in preview.content
    assert Measurement.objects.count() == 0
    done = client.post(response["Location"], {"replace": "0"})
    assert done.status_code == 302
    assert Measurement.objects.count() == 2
    assert not PendingImport.objects.filter(purpose="measurements").exists()
    again = client.post(response["Location"], {"replace": "0"})
    assert again.status_code == 404  # the held upload is gone: nothing is imported twice


def test_the_preview_shows_changes_when_replacing(client, coordinator, indicators):
    client.force_login(coordinator)
    client.post(upload(client, csv_bytes("PS-1,2026-03,10,,no"))["Location"], {"replace": "0"})
    response = upload(client, csv_bytes("PS-1,2026-03,12,,no"), replace=True)
    assert response["Location"].endswith("?replace=1")
    preview = client.get(response["Location"])
    assert b"Values that will change" in preview.content
    client.post(response["Location"], {"replace": "1"})
    assert Measurement.objects.get().value == Decimal(12)


def test_a_file_with_problems_shows_them_and_no_import_button(client, coordinator, indicators):
    client.force_login(coordinator)
    response = upload(client, csv_bytes("PS-1,2026-03,ten,,no"))
    preview = client.get(response["Location"])
    assert b"Row 2" in preview.content
    assert b"not a number" in preview.content
    assert b'name="replace"' not in preview.content  # no confirm form
    assert client.post(response["Location"], {"replace": "0"}).status_code == 400
    assert Measurement.objects.count() == 0


def test_editor_b_cannot_import_editor_as_indicator(client, editor_b, indicators):
    client.force_login(editor_b)
    response = upload(client, csv_bytes("PS-1,2026-03,10,,no"))
    preview = client.get(response["Location"])
    assert b"may not enter values for indicator PS-1" in preview.content
    client.post(response["Location"], {"replace": "0"})
    assert Measurement.objects.count() == 0


def test_another_persons_upload_cannot_be_previewed(client, coordinator, editor_a, indicators):
    client.force_login(editor_a)
    location = upload(client, csv_bytes("PS-1,2026-03,10,,no"))["Location"]
    client.force_login(coordinator)
    assert client.get(location).status_code == 403
    assert client.post(location, {"replace": "0"}).status_code == 403


def test_a_hostile_file_is_refused_with_a_plain_message(client, coordinator, indicators):
    client.force_login(coordinator)
    response = upload(client, b"<html>hello</html>", name="values.xlsx")
    assert response.status_code == 400
    assert b"not an Excel workbook" in response.content
    assert not PendingImport.objects.exists()


def test_anonymous_people_are_sent_to_sign_in(client, indicators):
    response = client.get(reverse("indicators:import"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_template_lists_only_the_indicators_the_editor_may_fill(client, editor_a, indicators):
    client.force_login(editor_a)
    text = client.get(reverse("indicators:import-template")).content.decode()
    assert "PS-1" in text and "CD-1" not in text


def test_the_export_downloads_every_value_for_staff(client, viewer, coordinator, indicators):
    client.force_login(coordinator)
    client.post(upload(client, csv_bytes("PS-1,2026-03,10,=1+1,no"))["Location"], {"replace": "0"})
    client.force_login(viewer)
    response = client.get(reverse("indicators:export", kwargs={"fmt": "csv"}))
    assert response.content.decode().splitlines()[1] == "PS-1,2026-03,10,'=1+1,no"
    assert client.get(reverse("indicators:export", kwargs={"fmt": "pdf"})).status_code == 404


# --- The command ----------------------------------------------------------------------------------------------


def test_the_command_dry_run_writes_nothing(tmp_path, coordinator, indicators, capsys):
    path = tmp_path / "values.csv"
    path.write_bytes(csv_bytes("PS-1,2026-03,10,,no", "CD-1,2026-03,4,,no"))
    call_command("import_measurements", str(path), "--dry-run")
    assert "2 new, 0 changed, 0 unchanged, 0 problems" in capsys.readouterr().out
    assert Measurement.objects.count() == 0
    call_command("import_measurements", str(path))
    assert Measurement.objects.count() == 2
    assert Measurement.objects.filter(entered_by=coordinator).count() == 2


def test_the_command_fails_with_the_row_errors(tmp_path, coordinator, indicators, capsys):
    path = tmp_path / "values.csv"
    path.write_bytes(csv_bytes("PS-1,2026-03,10,,no", "PS-1,2040-03,4,,no"))
    with pytest.raises(CommandError, match="1 problems: nothing was written"):
        call_command("import_measurements", str(path))
    assert "row 3: 2040-03 is outside the plan" in capsys.readouterr().err
    assert Measurement.objects.count() == 0


def test_the_command_runs_as_the_named_user(tmp_path, editor_a, indicators):
    path = tmp_path / "values.csv"
    path.write_bytes(csv_bytes("CD-1,2026-03,4,,no"))
    with pytest.raises(CommandError):
        call_command("import_measurements", str(path), "--user", editor_a.username)
    path.write_bytes(csv_bytes("PS-1,2026-03,4,,no"))
    call_command("import_measurements", str(path), "--user", editor_a.username)
    assert Measurement.objects.get().period_start == dt.date(2026, 3, 1)

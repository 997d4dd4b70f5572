"""Importing a survey run elsewhere, through the service, the pages and the command: the preview writes nothing,
problems stop the whole import, the same file twice adds nothing, and a file can build a new draft survey."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from civicplan.engagement.models import Response, Survey
from civicplan.engagement.services import imports
from tests import factories as f

# Google Forms: labels (English or Spanish) as answers, checkboxes joined with ", ", no respondent id, and the same
# submission twice (rows 3 and 4).
GOOGLE = (
    "Timestamp,What matters most?,Which services?,Comments\r\n"
    '2026/03/14 7:05:12 PM GMT-7,Parques,"Parks, Housing","Más parques,\npor favor 🌳"\r\n'
    "2026/03/14 7:06:00 PM GMT-7,Roads,Roads,=SUM(A1)\r\n"
    "2026/03/14 7:06:00 PM GMT-7,Roads,Roads,=SUM(A1)\r\n"
).encode()
MAPPING = {"what_matters_most": "q1", "which_services": "q2", "comments": "q3"}


@pytest.fixture
def survey(plan):
    return f.make_survey(
        plan,
        slug="needs",
        state="closed",
        questions=(
            {"kind": "single", "options": f.SURVEY_OPTIONS},
            {"kind": "multiple", "options": f.SURVEY_OPTIONS},
            {"kind": "long_text"},
        ),
    )


def test_the_preview_maps_labels_in_either_language_and_writes_nothing(survey):
    preview = imports.preview_survey_file(survey=survey, filename="form.csv", data=GOOGLE, mapping=MAPPING)
    assert preview.format == "google-forms" and preview.ok
    assert (preview.new, preview.duplicates, preview.already) == (3, 1, 0)
    assert next(answers for _row, answers, _r in preview.rows) == {
        "q1": "parks",
        "q2": ["parks", "housing"],
        "q3": "Más parques,\npor favor 🌳",
    }
    assert not Response.objects.exists()


def test_an_import_keeps_duplicates_flagged_and_a_second_run_adds_nothing(survey, coordinator):
    batch, _preview = imports.import_survey_file(
        survey=survey, user=coordinator, filename="form.csv", data=GOOGLE, mapping=MAPPING
    )
    stored = list(Response.objects.order_by("pk"))
    assert batch is not None and len(stored) == 3
    assert [r.flag_reasons for r in stored] == ["", "", "duplicate"]
    assert all(r.channel == "import" and r.import_batch == batch for r in stored)
    assert stored[1].answers["q3"] == "=SUM(A1)"  # formula-looking text is kept as text
    assert str(stored[0].submitted_on) == "2026-03-15"
    again, preview = imports.import_survey_file(
        survey=survey, user=coordinator, filename="form.csv", data=GOOGLE, mapping=MAPPING
    )
    assert again is None and preview.already == 3 and Response.objects.count() == 3


def test_a_value_that_maps_to_no_option_stops_the_whole_import(survey, coordinator):
    bad = GOOGLE.replace(b"Roads,Roads,=SUM", b"Potholes,Roads,=SUM", 1)
    preview = imports.preview_survey_file(survey=survey, filename="form.csv", data=bad, mapping=MAPPING)
    assert not preview.ok and any(problem.row == 3 for problem in preview.problems)
    with pytest.raises(ValidationError):
        imports.import_survey_file(
            survey=survey, user=coordinator, filename="form.csv", data=bad, mapping=MAPPING
        )
    assert not Response.objects.exists()


def test_an_unreadable_file_is_refused_with_a_plain_message(survey, coordinator, plan):
    for data, name in ((b"<html><body>Sign in</body></html>", "export.csv"), (b"\x00\x01", "x.csv")):
        with pytest.raises(imports.SurveyFileError):
            imports.hold_survey_file(user=coordinator, survey=survey, plan=plan, filename=name, data=data)


def test_a_new_draft_survey_can_be_built_from_the_file_and_then_filled(plan, coordinator):
    survey = imports.create_survey_from_file(
        plan=plan, user=coordinator, filename="Parks survey.csv", data=GOOGLE
    )
    assert survey.state == "draft" and survey.title_en == "Parks survey"
    assert list(survey.questions.values_list("key", flat=True)) == [
        "what_matters_most",
        "which_services",
        "comments",
    ]
    batch, preview = imports.import_survey_file(
        survey=survey, user=coordinator, filename="form.csv", data=GOOGLE
    )
    assert batch is not None and preview.new == 3


def test_a_kobo_xlsform_builds_a_bilingual_survey(plan, coordinator):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label::English (en)", "label::Español (es)", "required"])
    sheet.append(["select_one priority", "top", "Top priority", "Prioridad principal", "yes"])
    sheet.append(["text", "why", "Why?", "¿Por qué?", ""])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::English (en)", "label::Español (es)"])
    choices.append(["priority", "parks", "Parks", "Parques"])
    choices.append(["priority", "roads", "Roads", "Calles"])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "default_language"])
    settings.append(["Kobo needs survey", "English (en)"])
    buffer = io.BytesIO()
    book.save(buffer)
    survey = imports.create_survey_from_file(
        plan=plan, user=coordinator, filename="form.xlsx", data=buffer.getvalue()
    )
    top = survey.questions.get(key="top")
    assert survey.title_en == "Kobo needs survey"
    assert (top.kind, top.text_es, top.required) == ("single", "Prioridad principal", True)
    assert [(o.code, o.label_es) for o in top.options.all()] == [("parks", "Parques"), ("roads", "Calles")]


def test_the_upload_preview_and_import_pages(client, survey, coordinator):
    client.force_login(coordinator)
    upload = client.post(
        reverse("engagement:import", args=[survey.pk]),
        {"file": SimpleUploadedFile("form.csv", GOOGLE, "text/csv")},
    )
    assert upload.status_code == 302
    preview_url = upload["Location"]
    page = client.get(preview_url).content.decode()
    assert "google-forms" in page and "Do not import" in page and not Response.objects.exists()
    mapping = {f"map:{key}": target for key, target in MAPPING.items()}
    checked = client.post(preview_url, {"survey": survey.pk, "action": "update", **mapping}).content.decode()
    assert "3 new responses to import" in checked
    done = client.post(preview_url, {"survey": survey.pk, "action": "import", **mapping})
    assert done.status_code == 302 and Response.objects.filter(survey=survey).count() == 3
    assert client.post(preview_url, {"survey": survey.pk, "action": "import", **mapping}).status_code == 404


def test_someone_elses_upload_cannot_be_previewed(client, survey, coordinator, plan, editor_a):
    pending = imports.hold_survey_file(
        user=coordinator, survey=survey, plan=plan, filename="form.csv", data=GOOGLE
    )
    client.force_login(editor_a)
    assert client.get(reverse("engagement:import-preview", args=[pending.token])).status_code == 403


def test_the_command_imports_checks_and_refuses(tmp_path, survey, plan):
    path = tmp_path / "form.csv"
    path.write_bytes(GOOGLE)
    out = io.StringIO()
    call_command("import_survey", str(path), "--dry-run", stdout=out)
    assert "Dry run" in out.getvalue() and Survey.objects.count() == 1 and not Response.objects.exists()
    call_command("import_survey", str(path), stdout=out)
    new = Survey.objects.exclude(pk=survey.pk).get()
    assert new.responses.count() == 3
    call_command("import_survey", str(path), "--survey", new.slug, stdout=out)
    assert "already imported" in out.getvalue() and new.responses.count() == 3
    with pytest.raises(CommandError):
        call_command("import_survey", str(tmp_path / "missing.csv"))

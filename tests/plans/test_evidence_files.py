"""Files attached as evidence, beside the links: what is accepted (by name and by content), where it is kept
(privately, under MEDIA_ROOT), who may attach and who may download, and the headers a download carries."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from civicplan.plans import services
from civicplan.plans.models import EvidenceLink, ProgressUpdate
from tests import factories as f

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Every file a test stores goes to a temporary folder, never into the checkout."""
    settings.MEDIA_ROOT = tmp_path / "media"
    with translation.override("en"):
        yield


@pytest.fixture
def action(plan, department_a):
    return plan.items.filter(level="action", department=department_a).order_by("code").first()


def _upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type)


def _zip(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(part, "x")
        archive.writestr("content.xml", "<x/>")
    return buffer.getvalue()


def _refusal(action, user, upload) -> str:
    with pytest.raises(ValidationError) as caught:
        services.add_evidence_file(action=action, user=user, title="Report", upload=upload)
    assert not EvidenceLink.objects.exists()
    return " ".join(caught.value.messages)


# --- Accepting a file -----------------------------------------------------------------------------------------------


def test_an_attached_file_is_stored_privately_with_a_random_name_and_a_history(action, editor_a, settings):
    link = services.add_evidence_file(
        action=action, user=editor_a, title="Site photo", upload=_upload("My photo.PNG", PNG, "image/png")
    )
    stored = Path(link.file.path).resolve()
    media = Path(settings.MEDIA_ROOT).resolve()
    assert stored.is_relative_to(media) and stored.read_bytes() == PNG
    assert not stored.is_relative_to(Path(django_settings.STATIC_ROOT).resolve())
    assert not stored.is_relative_to(Path(__file__).resolve().parents[2] / "src")
    assert link.file.name.startswith("evidence/") and "My photo" not in link.file.name
    assert link.file.name.endswith(".png")
    assert (link.file_name, link.file_size, link.url, link.title) == (
        "My photo.PNG",
        len(PNG),
        "",
        "Site photo",
    )
    history = link.history.first()
    assert history.history_user == editor_a and history.history_change_reason == "Evidence added"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", PDF),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20),
        ("chart.gif", b"GIF89a" + b"\x00" * 20),
        ("photo.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 8),
        ("minutes.docx", _zip("[Content_Types].xml")),
        ("budget.xlsx", _zip("[Content_Types].xml")),
        ("slides.pptx", _zip("[Content_Types].xml")),
        ("notes.odt", _zip("mimetype")),
        ("sheet.ods", _zip("mimetype")),
        ("counts.csv", "place,count\nPlaza,12\nCafé,3\n".encode()),
        ("notes.txt", "Año nuevo\n".encode()),
    ],
)
def test_each_allowed_kind_is_accepted(action, editor_a, name, content):
    link = services.add_evidence_file(
        action=action, user=editor_a, title="Evidence", upload=_upload(name, content)
    )
    assert link.file_name == name and Path(link.file.path).read_bytes() == content


# --- Refusals -------------------------------------------------------------------------------------------------------


def test_it_refuses_a_file_over_the_limit_in_plain_words(action, editor_a, settings):
    settings.EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
    big = _upload("scan.pdf", PDF + b"0" * (14 * 1024 * 1024))
    assert _refusal(action, editor_a, big) == "This file is 14 MB; attachments can be at most 10 MB."


def test_it_refuses_a_file_over_a_small_configured_limit(action, editor_a, settings):
    settings.EVIDENCE_MAX_BYTES = 20
    assert "at most 20 bytes" in _refusal(action, editor_a, _upload("report.pdf", PDF))


@pytest.mark.parametrize("name", ["tool.exe", "page.html", "image.svg", "archive.zip", "no-extension"])
def test_it_refuses_kinds_that_are_not_allowed(action, editor_a, name):
    message = _refusal(action, editor_a, _upload(name, b"MZ just some bytes"))
    assert message == "Only PDF, images, Office documents, CSV and text files can be attached."


def test_it_refuses_a_web_page_renamed_pdf(action, editor_a):
    page = b"<!doctype html><html><script>alert(1)</script></html>"
    message = _refusal(action, editor_a, _upload("report.pdf", page, "application/pdf"))
    assert "does not look like a PDF file" in message


def test_it_refuses_a_zip_that_is_not_an_office_document(action, editor_a):
    assert "DOCX" in _refusal(action, editor_a, _upload("minutes.docx", _zip("other.txt")))


def test_it_refuses_text_with_nul_bytes(action, editor_a):
    assert "TXT" in _refusal(action, editor_a, _upload("notes.txt", b"hello\x00world"))


def test_it_refuses_text_that_is_not_utf8(action, editor_a):
    assert "CSV" in _refusal(action, editor_a, _upload("counts.csv", "Café,1".encode("latin-1")))


def test_it_refuses_an_empty_file(action, editor_a):
    assert "empty" in _refusal(action, editor_a, _upload("report.pdf", b""))


def test_it_refuses_a_file_without_a_title(action, editor_a):
    with pytest.raises(ValidationError) as caught:
        services.add_evidence_file(action=action, user=editor_a, title="  ", upload=_upload("r.pdf", PDF))
    assert "title" in caught.value.message_dict


# --- One row: a link or a file, exactly one -------------------------------------------------------------------------


def test_evidence_is_a_link_or_a_file_never_both_or_neither(action, editor_a):
    link = services.add_evidence_file(
        action=action, user=editor_a, title="Photo", upload=_upload("p.png", PNG)
    )
    link.url = "https://city.example/photos"
    with pytest.raises(ValidationError, match="either a web address or a file"):
        link.full_clean()
    neither = EvidenceLink(action=action, added_by=editor_a, title="Nothing")
    with pytest.raises(ValidationError, match="either a web address or a file"):
        neither.full_clean()
    plain = services.add_evidence_link(
        action=action, user=editor_a, title="Report", url="https://city.example/r"
    )
    assert plain.url and not plain.file


# --- Who may attach -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["editor_b", "council_member", "viewer"])
def test_people_who_may_only_read_cannot_attach_a_file(request, action, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.add_evidence_file(action=action, user=user, title="x", upload=_upload("r.pdf", PDF))
    assert not EvidenceLink.objects.exists()


@pytest.mark.parametrize("persona", ["editor_b", "council_member", "viewer"])
def test_the_attach_form_refuses_people_who_may_only_read(client, request, action, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.post(
        reverse("staff:evidence-file-new", args=[action.pk]),
        {"evidence-file-title": "x", "evidence-file-file": _upload("r.pdf", PDF)},
    )
    assert response.status_code == 403 and not EvidenceLink.objects.exists()


def test_anonymous_visitors_cannot_attach_a_file(client, action):
    response = client.post(
        reverse("staff:evidence-file-new", args=[action.pk]),
        {"evidence-file-title": "x", "evidence-file-file": _upload("r.pdf", PDF)},
    )
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not EvidenceLink.objects.exists()


# --- The action plan page -------------------------------------------------------------------------------------------


def test_the_action_plan_page_offers_a_link_and_a_file_with_the_rules(client, action, editor_a):
    client.force_login(editor_a)
    html = client.get(reverse("staff:action-plan", args=[action.pk])).content.decode()
    assert "Add a link" in html and "Attach a file" in html
    assert 'enctype="multipart/form-data"' in html
    assert '<label class="usa-label" for="id_evidence-file-file">' in html
    assert "at most 10 MB" in html and "PDF, images (PNG, JPEG, GIF, WebP)" in html


def test_attaching_a_file_from_the_page_lists_it_with_name_and_size(client, action, editor_a):
    client.force_login(editor_a)
    response = client.post(
        reverse("staff:evidence-file-new", args=[action.pk]),
        {
            "evidence-file-title": "Ribbon cutting",
            "evidence-file-file": _upload("ribbon.png", PNG, "image/png"),
        },
    )
    link = EvidenceLink.objects.get()
    assert response.status_code == 302 and response["Location"].endswith("#evidence")
    html = client.get(reverse("staff:action-plan", args=[action.pk])).content.decode()
    assert reverse("staff:evidence-file", args=[link.pk]) in html
    assert "Ribbon cutting" in html and "ribbon.png" in html and "bytes" in html
    item_page = client.get(reverse("staff:item", args=[action.pk])).content.decode()
    assert reverse("staff:evidence-file", args=[link.pk]) in item_page


def test_a_refused_file_keeps_the_typed_title(client, action, editor_a):
    client.force_login(editor_a)
    response = client.post(
        reverse("staff:evidence-file-new", args=[action.pk]),
        {"evidence-file-title": "Council agenda", "evidence-file-file": _upload("agenda.exe", b"MZ")},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'value="Council agenda"' in html
    assert "Only PDF, images, Office documents, CSV and text files can be attached." in html
    assert not EvidenceLink.objects.exists()


# --- Downloading ----------------------------------------------------------------------------------------------------


@pytest.fixture
def attached(action, editor_a):
    return services.add_evidence_file(
        action=action, user=editor_a, title="Staff report", upload=_upload("Staff report.pdf", PDF)
    )


@pytest.mark.parametrize("persona", ["coordinator", "editor_a", "editor_b", "council_member", "viewer"])
def test_staff_download_the_file_with_safe_headers(client, request, attached, persona):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("staff:evidence-file", args=[attached.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Staff report.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_a_resident_cannot_download_evidence_files(client, resident, attached):
    client.force_login(resident)
    assert client.get(reverse("staff:evidence-file", args=[attached.pk])).status_code == 403


def test_anonymous_visitors_cannot_download_evidence_files(client, attached):
    response = client.get(reverse("staff:evidence-file", args=[attached.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_link_has_no_file_to_download(client, action, coordinator):
    link = services.add_evidence_link(
        action=action, user=coordinator, title="Report", url="https://x.example"
    )
    client.force_login(coordinator)
    assert client.get(reverse("staff:evidence-file", args=[link.pk])).status_code == 404


def test_archived_evidence_stays_downloadable_by_staff(client, attached, editor_a, viewer):
    services.archive_evidence_link(link=attached, user=editor_a, reason="Replaced by the final report")
    attached.refresh_from_db()
    assert attached.is_archived and Path(attached.file.path).exists()
    assert attached.history.first().history_change_reason == "Replaced by the final report"
    client.force_login(viewer)
    response = client.get(reverse("staff:evidence-file", args=[attached.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF


def test_there_is_no_public_address_for_uploaded_files(client, attached):
    assert not django_settings.MEDIA_URL or django_settings.MEDIA_URL == "/"
    response = client.get("/media/" + attached.file.name)
    assert response.status_code == 404


# --- The "My updates" card ------------------------------------------------------------------------------------------


def _card_data(prefix, plan, **values):
    data = {
        "status": str(f.status(plan, "at-risk").pk),
        "progress": "60",
        "narrative_en": "Shelters installed.",
        "narrative_es": "",
        "evidence_title": "",
        "evidence_url": "",
        "lock_version": "0",
        **values,
    }
    return {f"{prefix}-{name}": value for name, value in data.items()}


def test_the_update_card_accepts_a_file_with_htmx(client, plan, action, editor_a):
    period = f.make_open_period(plan)
    prefix = f"u{action.pk}-{period.pk}"
    client.force_login(editor_a)
    page = client.get(reverse("staff:update-card", args=[action.pk, period.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in page and f'name="{prefix}-evidence_file"' in page
    response = client.post(
        reverse("staff:update-card", args=[action.pk, period.pk]),
        {
            **_card_data(prefix, plan, evidence_title="Shelter photo"),
            f"{prefix}-evidence_file": _upload("shelter.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 30),
            "intent": "draft",
        },
        HTTP_HX_REQUEST="true",
    )
    update = ProgressUpdate.objects.get()
    link = EvidenceLink.objects.get()
    assert (link.update, link.action, link.title, link.file_name) == (
        update,
        action,
        "Shelter photo",
        "shelter.jpg",
    )
    assert link.history.first().history_change_reason == "Given with a progress update"
    assert response.status_code == 200
    assert reverse("staff:evidence-file", args=[link.pk]) in response.content.decode()


def test_the_update_card_refuses_a_disguised_file_and_saves_nothing(client, plan, action, editor_a):
    period = f.make_open_period(plan)
    prefix = f"u{action.pk}-{period.pk}"
    client.force_login(editor_a)
    response = client.post(
        reverse("staff:update-card", args=[action.pk, period.pk]),
        {
            **_card_data(prefix, plan, narrative_en="Kept text"),
            f"{prefix}-evidence_file": _upload("photo.png", b"<html>not a picture</html>"),
            "intent": "draft",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "does not look like a PNG file" in html and "Kept text" in html
    assert not ProgressUpdate.objects.exists() and not EvidenceLink.objects.exists()


def test_editor_b_cannot_attach_a_file_to_editor_as_update(client, plan, action, editor_b):
    period = f.make_open_period(plan)
    prefix = f"u{action.pk}-{period.pk}"
    client.force_login(editor_b)
    response = client.post(
        reverse("staff:update-card", args=[action.pk, period.pk]),
        {**_card_data(prefix, plan), f"{prefix}-evidence_file": _upload("r.pdf", PDF), "intent": "draft"},
    )
    assert response.status_code == 403 and not EvidenceLink.objects.exists()

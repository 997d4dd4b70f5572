"""The static public site (`publish_static`): every public page in both languages, relative links only, nothing a
resident may not see, and re-publishing touches only what changed."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import posixpath
import re
from pathlib import Path

import pytest
from django.core.management import call_command

from civicplan.plans import services
from civicplan.reports.publishing import MANIFEST_NAME, publish_static
from tests import factories as f

LINK = re.compile(r'\b(?:href|src|action)="([^"]*)"')
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]*)["']?\s*\)""")


@pytest.fixture
def site(adopted_plan):
    """The adopted small plan, with a published indicator on goal 1.1 and a survey whose results are published."""
    goal = adopted_plan.items.get(code="1.1")
    indicator = f.make_indicator(adopted_plan, items=[goal], key="PARKS", is_published=True)
    f.make_measurement(indicator, dt.date(2025, 7, 1), 40)
    f.make_needs_survey(adopted_plan, slug="needs", state="published")
    f.make_needs_survey(adopted_plan, slug="open-now", state="open", title_en="Open survey")
    return adopted_plan


def _files(out: Path) -> dict[str, Path]:
    return {p.relative_to(out).as_posix(): p for p in out.rglob("*") if p.is_file()}


def _links(relative: str, path: Path) -> list[str]:
    if not relative.endswith((".css", ".html")):
        return []
    text = path.read_text(encoding="utf-8")
    if relative.endswith(".css"):
        return [u for u in CSS_URL.findall(text) if u and not u.startswith("data:")]
    return [html.unescape(u) for u in LINK.findall(text)] if relative.endswith(".html") else []


def test_it_writes_every_public_page_in_both_languages(site, tmp_path):
    result = publish_static(tmp_path)
    files = _files(tmp_path)
    assert result.errors == []
    for language in ("en", "es"):
        for page in [
            "",
            "priorities/1/",
            "priorities/2/",
            "goals/1.1/",
            "goals/2.2/",
            "indicators/PARKS/",
            "budget/",
            "surveys/",
            "surveys/needs/results/",
            "you-said-we-did/",
            "versions/",
        ]:
            assert f"{language}/{page}index.html" in files, (language, page)
        assert f'<html lang="{language}">' in files[f"{language}/index.html"].read_text(encoding="utf-8")
        for name in ("items.csv", "indicators.csv", "plan.json"):
            assert f"downloads/{language}/{name}" in files
    assert "static/vendor/uswds/css/uswds.min.css" in files and "static/civicplan/site.css" in files
    assert any(name.startswith("static/vendor/uswds/fonts/") for name in files)  # named by the CSS
    assert result.pages == len([n for n in files if n.endswith("/index.html")])
    goal_es = site.items.get(code="1.1").title_es
    assert goal_es in files["es/goals/1.1/index.html"].read_text(encoding="utf-8")


def test_it_leaves_out_pages_that_need_a_server(site, tmp_path):
    publish_static(tmp_path)
    names = set(_files(tmp_path))
    assert not any("staff" in n or "accounts" in n or "django-admin" in n for n in names)
    assert "en/surveys/open-now/index.html" not in names  # the survey form
    assert not any("/thanks/" in n or "kiosk" in n or "/follow/" in n for n in names)
    for name, path in _files(tmp_path).items():
        if name.endswith(".html"):
            assert "<form" not in path.read_text(encoding="utf-8"), name


def test_every_relative_link_resolves_to_a_written_file(site, tmp_path):
    publish_static(tmp_path)
    files = _files(tmp_path)
    checked = 0
    for relative, path in files.items():
        for link in _links(relative, path):
            if link.startswith("#") or re.match(r"^[a-z]+:", link):
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(relative), link.split("#")[0]))
            assert target in files, (relative, link)
            checked += 1
    assert checked > 100


def test_no_link_points_at_the_server(site, tmp_path):
    # "testserver": the host the pages are rendered for, so any absolute link to it would show. (The configured
    # public address, SITE_URL, may appear where a format wants one, e.g. StratML's <Source>.)
    result = publish_static(tmp_path, host="testserver")
    for relative, path in _files(tmp_path).items():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # fonts and images
        assert "http://testserver" not in text and "https://testserver" not in text, relative
        assert f"//{result.host}" not in text, relative  # neither http:, https: nor protocol-relative
        for link in _links(relative, path):
            assert not link.startswith("/"), (relative, link)  # neither "/path" nor "//host"


def test_the_language_switch_links_to_the_same_page_in_the_other_language(site, tmp_path):
    publish_static(tmp_path)
    english = (tmp_path / "en/goals/1.1/index.html").read_text(encoding="utf-8")
    spanish = (tmp_path / "es/goals/1.1/index.html").read_text(encoding="utf-8")
    assert re.search(r'href="../../../es/goals/1.1/index.html"[^>]*lang="es"', english)
    assert re.search(r'href="../../../en/goals/1.1/index.html"[^>]*lang="en"', spanish)
    assert "/language/" not in english and "?next=" not in english


def test_links_to_pages_that_need_a_server_go_to_the_live_site_when_asked(site, tmp_path):
    publish_static(tmp_path, site_url="https://plan.example.gov")
    surveys = (tmp_path / "en/surveys/index.html").read_text(encoding="utf-8")
    assert 'href="https://plan.example.gov/en/surveys/open-now/"' in surveys
    without = tmp_path / "plain"
    publish_static(without)
    surveys = (without / "en/surveys/index.html").read_text(encoding="utf-8")
    assert "open-now" not in surveys and "Open survey" in surveys  # the link is gone, its text stays


def test_drafts_never_reach_the_static_site(site, coordinator, tmp_path):
    canary = "Canary-draft-7f3a9c"
    priority = site.items.get(code="1")
    goal = services.create_item(
        plan=site, user=coordinator, parent=priority, data={"title_en": canary, "title_es": canary}
    )
    f.make_indicator(site, items=[site.items.get(code="1.1")], key="CANARY", name_en=f"{canary} indicator")
    f.make_needs_survey(site, slug="canary-draft", state="draft", title_en=f"{canary} survey")
    publish_static(tmp_path)
    for relative, path in _files(tmp_path).items():
        assert canary.encode() not in path.read_bytes(), relative
    assert f"en/goals/{goal.code}/index.html" not in _files(tmp_path)


def test_publishing_again_writes_nothing_and_an_edit_rewrites_only_the_pages_it_changes(
    site, coordinator, tmp_path
):
    first = publish_static(tmp_path)
    assert first.written == first.files and first.removed == 0
    mtimes = {name: path.stat().st_mtime_ns for name, path in _files(tmp_path).items()}
    again = publish_static(tmp_path)
    assert (again.written, again.removed, again.unchanged) == (0, 0, first.files)
    assert {name: path.stat().st_mtime_ns for name, path in _files(tmp_path).items()} == mtimes

    goal = site.items.get(code="2.2")
    services.update_item(
        item=goal, user=coordinator, expected_version=goal.lock_version, data={"title_en": "Amended title"}
    )
    f.adopt(site, coordinator, reason="Amendment")
    edited = publish_static(tmp_path)
    assert 0 < edited.written < first.files / 2
    assert "en/goals/2.2/index.html" in edited.written_paths
    assert "es/goals/2.2/index.html" not in edited.written_paths  # only the English title changed
    assert not any(name.startswith("static/") for name in edited.written_paths)
    assert "Amended title" in (tmp_path / "en/goals/2.2/index.html").read_text(encoding="utf-8")


def test_it_removes_only_the_files_it_wrote_that_no_longer_belong(site, tmp_path):
    (tmp_path / "keep-me.txt").write_text("not ours", encoding="utf-8")
    publish_static(tmp_path)
    manifest = json.loads((tmp_path / MANIFEST_NAME).read_text(encoding="utf-8"))
    manifest["files"]["en/old-page/index.html"] = "0" * 64
    manifest["files"]["../outside.txt"] = "0" * 64
    (tmp_path / "en/old-page").mkdir()
    (tmp_path / "en/old-page/index.html").write_text("old", encoding="utf-8")
    (tmp_path.parent / "outside.txt").write_text("outside", encoding="utf-8")
    (tmp_path / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    result = publish_static(tmp_path)
    assert result.removed == 1
    assert not (tmp_path / "en/old-page").exists()
    assert (tmp_path / "keep-me.txt").exists() and (tmp_path.parent / "outside.txt").exists()


def test_the_crawl_stops_at_its_cap(site, tmp_path):
    result = publish_static(tmp_path, max_pages=3)
    assert result.pages == 3
    assert any("max_pages" in error for error in result.errors)


def test_the_command_publishes_and_prints_a_summary(site, tmp_path):
    out = io.StringIO()
    call_command("publish_static", "--out", str(tmp_path / "site"), stdout=out)
    assert (tmp_path / "site/en/index.html").is_file()
    assert re.search(
        r"\d+ pages, \d+ files .*: \d+ written, 0 unchanged, 0 removed, in [\d.]+ s", out.getvalue()
    )
    out = io.StringIO()
    call_command("publish_static", "--out", str(tmp_path / "site"), stdout=out)
    assert ": 0 written," in out.getvalue()

"""The published static site opened from file:// in a real Chromium: its stylesheets, fonts and scripts load through
the relative links, nothing is asked of any server, and a sample of pages in both languages has no axe-core
WCAG 2.1 A/AA violation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from civicplan.reports.publishing import publish_static
from tests import factories as f
from tests.e2e.support import DESKTOP, HEADER_COLOURS, PHONE, RUN_AXE, WCAG_TAGS, format_violations

pytestmark = pytest.mark.browser

SAMPLE = [
    "en/index.html",
    "es/index.html",
    "en/priorities/1/index.html",
    "es/goals/1.1/index.html",
    "en/indicators/PARKS/index.html",
    "es/budget/index.html",
    "en/surveys/index.html",
    "es/surveys/needs/results/index.html",
    "en/versions/index.html",
    "es/you-said-we-did/index.html",
]


@pytest.fixture
def static_site(published_plan, tmp_path):
    goal = published_plan.items.get(code="1.1")
    indicator = f.make_indicator(published_plan, items=[goal], key="PARKS", is_published=True)
    for month in range(1, 7):
        f.make_measurement(indicator, dt.date(2025, month, 1), 40 + month)
    f.make_needs_survey(published_plan, slug="needs", state="published")
    result = publish_static(tmp_path / "site")
    assert result.errors == []
    return tmp_path / "site"


def _facts(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => ({
          lang: document.documentElement.lang,
          h1: document.querySelectorAll('h1').length,
          skipnav: getComputedStyle(document.querySelector('.usa-skipnav')).position,
          header: getComputedStyle(document.querySelector('.cp-header')).backgroundColor,
          fonts: document.fonts.status,
        })"""
    )


def test_the_static_site_works_from_file_urls_and_passes_axe(browser, axe_source, static_site):
    for width in (DESKTOP["width"], PHONE["width"]):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
        page = context.new_page()
        requests: list[str] = []
        failures: list[str] = []
        page.on("request", lambda request, seen=requests: seen.append(request.url))
        page.on("requestfailed", lambda request, seen=failures: seen.append(request.url))
        for relative in SAMPLE if width == DESKTOP["width"] else SAMPLE[:3]:
            page.goto((static_site / relative).as_uri())
            page.wait_for_load_state("load")
            facts = _facts(page)
            assert facts["lang"] == relative[:2], relative
            assert facts["h1"] == 1, relative
            assert facts["skipnav"] == "absolute", f"USWDS styles did not load on {relative}"
            assert facts["header"] in HEADER_COLOURS, f"site.css did not load on {relative}"
            # CSS mask images are fetched in CORS mode, which file:// cannot serve (a web server can): such a
            # request fails although its file is there. A file that is not there is a broken link.
            missing = [url for url in failures if not Path(unquote(urlsplit(url).path)).is_file()]
            assert not missing, "\n".join(missing)
            # axe itself then fetches the stylesheets to read them (file:// pages may not): not the page's doing.
            page.evaluate(axe_source)
            violations = page.evaluate(RUN_AXE, WCAG_TAGS)
            assert not violations, f"{relative}:\n{format_violations(violations)}"
            failures.clear()
        assert all(url.startswith("file://") for url in requests), [u for u in requests if "file://" not in u]
        context.close()


def test_the_language_switch_of_a_static_page_opens_the_other_language(browser, static_site):
    context = browser.new_context()
    page = context.new_page()
    page.goto((static_site / "en/goals/1.1/index.html").as_uri())
    page.locator('a[hreflang="es"]').click()
    page.wait_for_load_state("load")
    assert page.url == (static_site / "es/goals/1.1/index.html").as_uri()
    assert page.evaluate("document.documentElement.lang") == "es"
    context.close()

"""What every browser test checks on a page: axe-core (WCAG 2.1 A/AA), one <h1>, <html lang>, a working skip
link, stylesheets really loaded, no request to another origin, no console error, no horizontal scrolling on a
phone. The same `Tab` wraps a Playwright page and records everything the page asks the network for."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.test import Client

from tests.factories import PASSWORD

PHONE = {"width": 320, "height": 640}
DESKTOP = {"width": 1280, "height": 900}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCROLL_TOLERANCE_PX = 1  # sub-pixel rounding; anything more is real horizontal scrolling

RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary})),
  }));
}"""

PAGE_FACTS = """() => {
  const css = el => el ? getComputedStyle(el) : null;
  return {
    lang: document.documentElement.lang,
    h1: Array.from(document.querySelectorAll('h1')).map(h => h.innerText.trim()),
    sheets: Array.from(document.styleSheets).map(sheet => {
      let rules = -1;
      try { rules = sheet.cssRules.length; } catch (e) { rules = -1; }
      return {href: sheet.href || '', rules};
    }),
    skipnavPosition: (css(document.querySelector('.usa-skipnav')) || {}).position,
    headerBackground: (css(document.querySelector('.cp-header')) || {}).backgroundColor,
  };
}"""
HEADER_COLOURS = {"rgb(26, 68, 128)", "rgb(22, 46, 81)"}  # site.css: .cp-header, .cp-header--staff


@dataclass
class Tab:
    """A browser page plus what it did on the network and the console."""

    page: Any
    origin: str  # the live server, e.g. http://localhost:41234
    requests: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    last_status: int | None = None

    def __post_init__(self) -> None:
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("requestfailed", self._on_request_failed)
        self.page.on("response", self._on_response)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.console_errors.append(f"uncaught: {error}"))

    def _on_request_failed(self, request: Any) -> None:
        # A navigation (a form submitted while a font still loads) cancels the old page's requests: that is the
        # browser moving on, not a missing resource. A refused, blocked or broken request is a failure.
        if request.failure == "net::ERR_ABORTED":
            return
        self.failures.append(f"{request.url} failed: {request.failure}")

    def _on_response(self, response: Any) -> None:
        if response.request.resource_type == "document" and response.request.frame == self.page.main_frame:
            return  # the page itself: its status is checked by `goto` (some pages are deliberately 400/403/404)
        if response.status >= 400:
            self.failures.append(f"{response.url} answered {response.status}")

    def _on_console(self, message: Any) -> None:
        # "Failed to load resource" repeats a response status (the page itself may be a deliberate 400/403/404);
        # failed sub-resources are caught in `_on_response`.
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.console_errors.append(message.text)

    def url(self, path: str) -> str:
        return self.origin + path

    def goto(self, path: str, status: int = 200) -> Any:
        response = self.page.goto(self.url(path))
        assert response is not None, f"no response for {path}"
        self.last_status = response.status
        assert response.status == status, f"{path} answered {response.status}, expected {status}"
        return response

    # --- checks ---------------------------------------------------------------------------------------------------

    def assert_same_origin(self) -> None:
        foreign = [
            url for url in self.requests if not (url.startswith(self.origin + "/") or url == self.origin)
        ]
        assert not foreign, "requests to another origin:\n" + "\n".join(foreign)

    def assert_clean_network_and_console(self) -> None:
        assert not self.failures, "failed sub-resources:\n" + "\n".join(self.failures)
        assert not self.console_errors, "console errors (a CSP violation shows here):\n" + "\n".join(
            self.console_errors
        )

    def facts(self) -> dict[str, Any]:
        return self.page.evaluate(PAGE_FACTS)  # one round trip for the structural checks

    def assert_stylesheets_loaded(self, facts: dict[str, Any] | None = None) -> None:
        facts = facts or self.facts()
        for name in ("/static/vendor/uswds/css/uswds.min.css", "/static/civicplan/site.css"):
            match = [s for s in facts["sheets"] if s["href"] == self.url(name)]
            assert match and match[0]["rules"] > 0, f"stylesheet {name} did not load: {facts['sheets']}"
        # And they apply: USWDS hides the skip link off-screen, site.css colours the header.
        assert facts["skipnavPosition"] == "absolute", "USWDS styles are not applied to the skip link"
        assert facts["headerBackground"] in HEADER_COLOURS, (
            f"site.css is not applied (header background {facts['headerBackground']})"
        )

    def assert_language(self, lang: str, facts: dict[str, Any] | None = None) -> None:
        facts = facts or self.facts()
        assert facts["lang"] == lang, f"<html lang> is {facts['lang']!r}, expected {lang!r}"

    def assert_one_h1(self, facts: dict[str, Any] | None = None) -> None:
        texts = (facts or self.facts())["h1"]
        assert len(texts) == 1, f"expected exactly one <h1>, found {len(texts)}: {texts}"
        assert texts[0], "the <h1> is empty"

    def assert_no_horizontal_scroll(self, width: int) -> None:
        scroll = self.page.evaluate("document.documentElement.scrollWidth")
        if scroll > width + SCROLL_TOLERANCE_PX:
            wide = self.page.evaluate(
                """(width) => Array.from(document.querySelectorAll('body *'))
                     .filter(el => el.getBoundingClientRect().right > width + 1)
                     .slice(0, 8).map(el => el.outerHTML.slice(0, 160))""",
                width,
            )
            raise AssertionError(
                f"page scrolls sideways at {width}px (scrollWidth {scroll}); wide elements:\n"
                + "\n".join(wide)
            )

    def assert_axe_clean(self, axe_source: str) -> None:
        if not self.page.evaluate("typeof window.axe === 'object'"):
            self.page.evaluate(axe_source)  # CDP evaluation: not subject to the page's CSP
        violations = self.page.evaluate(RUN_AXE, WCAG_TAGS)
        assert not violations, (
            f"axe found {len(violations)} WCAG 2.1 A/AA violation(s) on {self.page.url}:\n"
            + format_violations(violations)
        )

    def assert_skip_link_moves_focus_to_main(self) -> None:
        page = self.page
        # Start keyboard navigation from the top of the document, as after a fresh page load (a form submit
        # leaves Chromium's "sequential focus starting point" at the clicked button).
        page.evaluate("""() => { window.scrollTo(0, 0); const root = document.documentElement;
            root.setAttribute('tabindex', '-1'); root.focus(); root.removeAttribute('tabindex'); }""")
        page.keyboard.press("Tab")
        first = page.evaluate(
            "document.activeElement.className + ' ' + document.activeElement.getAttribute('href')"
        )
        assert "usa-skipnav" in first and "#main-content" in first, (
            f"first Tab stop is not the skip link: {first}"
        )
        # USWDS slides the focused skip link into view (a short CSS transition): it must end up on screen.
        try:
            page.wait_for_function(
                """() => { const r = document.querySelector('.usa-skipnav').getBoundingClientRect();
                return r.top >= 0 && r.left >= 0 && r.width > 0 && r.bottom <= window.innerHeight; }""",
                timeout=5000,
            )
        except Exception as error:
            box = page.locator(".usa-skipnav").bounding_box()
            raise AssertionError(f"the focused skip link does not come into view: {box}") from error
        page.keyboard.press("Enter")
        page.wait_for_function(
            "document.activeElement && document.activeElement.id === 'main-content'", timeout=3000
        )

    def audit(self, axe_source: str, *, lang: str, phone: bool = False) -> None:
        """Everything at once; the skip-link check last, because it moves focus and the URL hash."""
        facts = self.facts()
        self.assert_stylesheets_loaded(facts)
        self.assert_language(lang, facts)
        self.assert_one_h1(facts)
        self.assert_axe_clean(axe_source)
        if phone:
            self.assert_no_horizontal_scroll(PHONE["width"])
        self.assert_skip_link_moves_focus_to_main()
        self.assert_same_origin()
        self.assert_clean_network_and_console()


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>"
        )
        for node in violation["nodes"][:10]:
            lines.append(f"    target {json.dumps(node['target'])}")
            lines.append(f"      html {node['html'][:300]}")
            if node.get("summary"):
                lines.append("      " + node["summary"].replace("\n", "\n      ")[:600])
        if len(violation["nodes"]) > 10:
            lines.append(f"    ... and {len(violation['nodes']) - 10} more nodes")
    return "\n".join(lines)


def session_cookie_for(user: Any, origin: str) -> dict[str, Any]:
    """A signed-in session made by Django's test client (fast); the journeys use the real login form instead."""
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": origin,
        "httpOnly": True,
        "sameSite": "Lax",
    }


def log_in_through_form(tab: Tab, username: str, lang: str = "en") -> None:
    tab.goto(f"/{lang}/accounts/login/")
    tab.page.locator("#id_username").fill(username)
    tab.page.locator("#id_password").fill(PASSWORD)
    with tab.page.expect_navigation():
        tab.page.locator("main button[type=submit]").click()
    assert "/accounts/login/" not in tab.page.url, f"sign-in failed for {username}: still on {tab.page.url}"

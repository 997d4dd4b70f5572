"""Real-browser fixtures: Debian's chromium driven by Playwright, axe-core read from node_modules.

Rules for a missing browser: on a developer machine the browser tests SKIP with a loud warning; in CI
(`CI=true`) a missing browser is a FAILURE, so a broken CI image can never pass by skipping every browser test.
"""

from __future__ import annotations

import os
import shutil
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

PROJECT_DIR = Path(__file__).resolve().parents[2]
AXE_PATH = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def _missing_browser(request: pytest.FixtureRequest, message: str) -> None:
    """Fail in CI; elsewhere skip, but loudly: on the terminal, in the warnings summary and in the skip reason."""
    if in_ci():
        pytest.fail(f"{message} CI=true, so a missing browser is a failure, not a skip.", pytrace=False)
    loud = f"BROWSER TESTS SKIPPED: {message} Install it with `make test-system-deps` (Debian package `chromium`)."
    # 1. straight to the terminal, past output capturing (an xdist worker has no terminal: 2. and 3. still show)
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    terminal = request.config.pluginmanager.get_plugin("terminalreporter")
    if capture is not None and terminal is not None:
        with capture.global_and_fixture_disabled():
            terminal.write_line("")
            terminal.write_line(f"WARNING: {loud}", red=True, bold=True)
    else:
        print(f"WARNING: {loud}", file=sys.stderr)
    # 2. in the warnings summary, and 3. as the skip reason of every browser test (-ra lists them)
    warnings.warn(loud, UserWarning, stacklevel=1)
    pytest.skip(loud)


@pytest.fixture(scope="session")
def browser(request: pytest.FixtureRequest) -> Iterator[Any]:
    """One headless Chromium per test process (per xdist worker). Never downloads a browser."""
    executable = shutil.which("chromium")
    if executable is None:
        _missing_browser(request, "Chromium was not found on PATH (looked for `chromium`).")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - playwright is a dev dependency
        _missing_browser(request, "The Playwright package is not installed (pip install -e '.[dev]').")
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        except Exception as error:  # present but broken is always a failure, never a skip
            pytest.fail(f"Chromium at {executable} is installed but did not start: {error}", pytrace=False)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The axe-core script, pinned in package-lock.json. Missing means `npm ci` was not run: fail, never skip."""
    if not AXE_PATH.is_file():
        pytest.fail(
            f"axe-core is missing: {AXE_PATH} does not exist. Run `npm ci` (or `make setup`) first.",
            pytrace=False,
        )
    source = AXE_PATH.read_text(encoding="utf-8")
    if "axe" not in source[:2000]:
        pytest.fail(f"{AXE_PATH} does not look like axe-core.", pytrace=False)
    return source


# --- Pages and data ----------------------------------------------------------------------------------------------


@pytest.fixture
def open_tab(browser: Any, live_server: Any) -> Iterator[Any]:
    """`open_tab(width=320, user=coordinator)` -> a `support.Tab` in a fresh browser context (own cookies).
    Contexts are closed at the end of the test."""
    from tests.e2e.support import DESKTOP, Tab, session_cookie_for

    contexts: list[Any] = []

    def open_(*, width: int = DESKTOP["width"], height: int = DESKTOP["height"], user: Any = None) -> Tab:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
        context.set_default_timeout(15_000)
        contexts.append(context)
        if user is not None:
            context.add_cookies([session_cookie_for(user, live_server.url)])
        return Tab(page=context.new_page(), origin=live_server.url)

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def published_plan(plan: Any, coordinator: Any) -> Any:
    """The small plan with everything a resident's page can show (descriptions, leads, values, mission), adopted
    as version 1, so the public pages have content."""
    from civicplan.plans.models import Value
    from tests import factories

    Value.objects.create(
        plan=plan,
        order=1,
        name_en="Equity",
        name_es="Equidad",
        description_en="Fair service in every neighbourhood.",
        description_es="Servicio justo en cada vecindario.",
    )
    Value.objects.create(
        plan=plan,
        order=2,
        name_en="Stewardship",
        name_es="Responsabilidad",
        description_en="We care for public money.",
        description_es="Cuidamos el dinero público.",
    )
    for item in plan.items.all():
        item.description_en = f"What {item.code} is about, in plain English."
        item.description_es = f"De qué trata {item.code}, en español sencillo."
        if item.level == "action":
            item.lead = "Jordan Lee, Program Manager"
        item.save()
    factories.adopt(plan, coordinator)
    plan.refresh_from_db()
    return plan

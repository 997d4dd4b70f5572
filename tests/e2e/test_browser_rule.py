"""The rule for a missing browser, checked by running pytest with no chromium on PATH: a developer's run skips the
browser tests loudly; a CI run (CI=true) fails. A browser that exists must start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

PROJECT_DIR = Path(__file__).resolve().parents[2]
THIS_TEST = "tests/e2e/test_browser_rule.py::test_the_browser_starts"


def test_the_browser_starts(browser):
    assert browser.is_connected()
    assert browser.version


def _run_without_chromium(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PYTEST_", "CI")) and name != "PATH"
    }
    env["PATH"] = str(tmp_path)  # an empty directory: `shutil.which("chromium")` finds nothing
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(
        [sys.executable, "-m", "pytest", THIS_TEST, "-p", "no:cacheprovider", "-p", "no:xdist", "-q", "-rs"],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("ci", [None, "false"])
def test_a_missing_browser_skips_loudly_outside_ci(tmp_path, ci):
    result = _run_without_chromium(tmp_path, ci)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "1 skipped" in output, output
    assert "WARNING: BROWSER TESTS SKIPPED" in output, output  # on the terminal, not only in the -rs summary
    assert "Chromium was not found" in output, output


def test_a_missing_browser_fails_in_ci(tmp_path):
    result = _run_without_chromium(tmp_path, "true")
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "1 error" in output or "1 failed" in output, output
    assert "skipped" not in output, output
    assert "CI=true" in output, output

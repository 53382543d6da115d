"""Headless Chromium for the browser tests: Debian's ``chromium`` driven by Playwright.

``make test`` installs the Debian package when it is missing; Playwright's own browser download
is never used (``executable_path``). Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
# flags for a machine without a display or a network beyond loopback
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    found = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if not found:
        pytest.fail(
            "Debian's chromium is not installed: `make test` installs it "
            "(apt-get install chromium), or set CHROMIUM to a Chromium binary"
        )
    return found


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """A Playwright page in headless Chromium. The test thread may use the ORM meanwhile."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # plain synchronous calls all the same (on a connection of their own, closed below).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1280, "height": 900})
        tab.set_default_timeout(15000)
        try:
            yield tab
            tab.wait_for_load_state("networkidle")  # no request left half-served at the end
        finally:
            browser.close()
            connections.close_all()  # the test's connection while the event loop ran


def screenshot(page: object, name: str) -> Path:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path

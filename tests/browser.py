"""Headless Chromium for the browser tests: Debian's ``chromium`` driven by Playwright.

``make test`` installs the Debian package when it is missing; Playwright's own browser download
is never used (``executable_path``). Screenshots go to ``test-artifacts/``; those the docs show
are also written to ``docs/img/`` when ``COUNTERS_DOCS_SCREENSHOTS=1`` (``make screenshots``), so
the docs' pictures are the pages as the tests saw them, never an older version.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
DOCS_IMAGES = ROOT / "docs" / "img"
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


def screenshot(page: object, name: str, *, docs: bool = False) -> Path:
    """A full-page screenshot in ``test-artifacts/<name>.png``; with ``docs``, in ``docs/img/`` too
    when ``COUNTERS_DOCS_SCREENSHOTS=1`` (the docs link to those)."""
    path = ARTIFACTS / f"{name}.png"
    if docs:  # the docs show the page at rest, not a value's highlight half-faded
        page.wait_for_function("document.getAnimations().every(a => a.playState !== 'running')")
    page.screenshot(path=str(path), full_page=True)
    if docs and os.environ.get("COUNTERS_DOCS_SCREENSHOTS") == "1":
        shutil.copyfile(path, DOCS_IMAGES / f"{name}.png")
    return path

"""Shared fixtures. Every test runs against the real PostgreSQL server the project uses."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

# project.asgi (served in the live tests) starts the demo's folder thread; tests fold themselves
os.environ.setdefault("COUNTERS_DEMO_FOLDER", "0")

from tests.utils import assert_exact  # noqa: E402

# fixture modules: the headless Chromium page, uvicorn serving the test database, PgBouncer in
# front of it, a streaming standby of it
pytest_plugins = ["tests.browser", "tests.live", "tests.pooler", "tests.standby"]

# The built-in social models are imported where they are used: the engine-alone run
# (tests/settings_engine.py) has no counters.social app.


@pytest.fixture
def exact() -> Callable[..., None]:
    """:func:`tests.utils.assert_exact`, for tests that take it as a fixture."""
    return assert_exact


@pytest.fixture
def writers_do_not_fold():
    """Writers fold now and then by themselves (one statement in 64): tests that look at pending
    deltas announce a dedicated folder from another connection (a beat that lasts the test), so
    writers leave them be."""
    from tests.utils import OtherClient

    with OtherClient() as folder:
        folder.beat_as_folder("tests", ttl=3600.0)
        try:
            yield
        finally:
            folder.forget_folder("tests")

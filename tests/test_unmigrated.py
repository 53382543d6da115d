"""Counters under ``pytest --nomigrations``: Django creates the tables from the models (syncdb),
so no migration installs the triggers that proxy models carry for other apps' rows (``auth.User``,
``auth.Group``, many-to-many through tables); the library installs them after the tables are
created (a ``post_migrate`` handler). Proven by running the project's own counter tests that way,
in a pytest of their own with a database of their own."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# every test of these files but the one that reads the migration files themselves
FILES = ["tests/test_adopters.py", "tests/test_installation.py"]
ABOUT_MIGRATIONS = [
    "tests/test_adopters.py::test_triggers_live_in_the_declaring_apps_migrations_only",
    "tests/test_installation.py::"
    "test_migrate_counters_zero_names_counters_uninstall_first_and_works_after_it",
]


@pytest.mark.slow
def test_the_counter_tests_pass_under_nomigrations() -> None:
    """Their counters whose sources are other apps' models (site totals of users, groups and
    memberships, likes through an auto-created through table, a stats row keyed by username)
    are exact: ``assert_exact`` compares every one with ``COUNT``/``SUM``/``MAX`` there. Creating
    the database no longer fails on the proxy of a through table either (InvalidBasesError)."""
    from tests.utils import database_url

    url = re.sub(r"/[^/?]+(\?|$)", r"/counters_nomigrations\1", database_url(), count=1)
    deselect = [arg for test in ABOUT_MIGRATIONS for arg in ("--deselect", test)]
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nomigrations"]
        + ["--create-db", *deselect, *FILES],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "project.settings_test"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    summary = run.stdout.strip().splitlines()[-1]
    passed = int(re.search(r"(\d+) passed", summary).group(1))
    assert passed >= 13 and "failed" not in summary and "error" not in summary, summary

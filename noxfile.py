"""The test matrix: Python x Django x database driver, each cell in a fresh virtualenv.

    nox                      # the default cells (what `make test` runs after the main suite)
    nox -l                   # list every cell
    nox -s "tests-3.12(django='6.0', driver='psycopg2')"

Interpreters come from PATH or from pyenv (``~/.pyenv/versions/3.12.*``); a cell whose Python is
not installed is skipped with nox's "Missing interpreters" message (``make test`` passes
``--no-error-on-missing-interpreters``). Each cell uses the same PostgreSQL as the main suite:
``DATABASE_URL``, or the embedded server in ``.pgdata/`` (started by the main suite's venv, which
runs nox; pgserver has no wheel for every Python). The browser tests run in the main suite
only; with psycopg2 as Django's driver, the live counters' tests are skipped (the hub needs
psycopg 3, and installing it would switch Django's driver).
"""

from __future__ import annotations

import glob
import os
import shutil
import sys

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True

CELLS = [
    # (python, django, driver)
    ("3.11", "5.2", "psycopg"),  # the main suite's cell (make test runs it in .venv)
    ("3.12", "6.0", "psycopg2"),
    ("3.13", "6.1", "psycopg"),
]
DEFAULT = {("3.12", "6.0", "psycopg2"), ("3.13", "6.1", "psycopg")}


def interpreter(version: str) -> str:
    """``python3.X`` from PATH when it runs, else pyenv's newest 3.X, else the bare version
    (which nox reports as missing)."""
    found = shutil.which(f"python{version}")
    if found and "/shims/" not in found:  # a pyenv shim may point at a version not selected
        return found
    root = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    candidates = sorted(glob.glob(f"{root}/versions/{version}.*/bin/python{version}"))
    return candidates[-1] if candidates else version


def database_url() -> str:
    """The server the cells test against (tests create and drop ``test_<name>`` there)."""
    if os.environ.get("DATABASE_URL"):
        return os.environ["DATABASE_URL"]
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from project.database import embedded_database_url

    return embedded_database_url()


for python, django, driver in CELLS:

    @nox.session(
        name=f"tests-{python}(django='{django}', driver='{driver}')",
        python=interpreter(python),
        default=(python, django, driver) in DEFAULT,
    )
    def tests(session: nox.Session, django: str = django, driver: str = driver) -> None:
        session.install("-e", f".[test,{driver}]", f"django~={django}.0")
        session.run(
            "python",
            "-c",
            "import sys, django; from django.db.backends.postgresql import psycopg_any as p; "
            "print('Python', sys.version.split()[0], '| Django', django.get_version(), "
            "'| driver', 'psycopg 3' if p.is_psycopg3 else 'psycopg2')",
        )
        session.run(
            "python",
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--ignore=tests/test_browser.py",
            *session.posargs,
            env={"DATABASE_URL": database_url()},
        )

"""Where the project's PostgreSQL comes from.

``DATABASE_URL`` wins when it is set (``postgres://user:pass@host:port/name``). Otherwise an embedded
PostgreSQL from the ``pgserver`` package is started in ``.pgdata/`` at the top of the checkout (or in
``COUNTERS_PGDATA``) and left running, so every later command reuses it. pgserver runs the server as
an unprivileged ``pgserver`` user when we are root, and talks over a Unix socket only.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_NAME = "counters"


def parse_database_url(url: str) -> dict[str, Any]:
    """Turn ``postgres://user:password@host:port/name?opt=v`` into a Django ``DATABASES`` entry."""
    parts = urlparse(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise ValueError(f"DATABASE_URL must be a postgres:// URL, not {parts.scheme!r}")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    host = query.pop("host", None) or unquote(parts.hostname or "")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")) or DEFAULT_NAME,
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": host,
        "PORT": str(parts.port or ""),
        "OPTIONS": query,
    }


def embedded_database_url(name: str = DEFAULT_NAME) -> str:
    """Start (or reuse) the embedded server and make sure database ``name`` exists; return its URL."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        try:
            import pgserver
        except ImportError:
            raise RuntimeError(
                "No DATABASE_URL is set and the embedded PostgreSQL is not installed: set "
                "DATABASE_URL=postgres://... or pip install -e '.[embedded]'"
            ) from None

        pgdata = Path(os.environ.get("COUNTERS_PGDATA", ROOT / ".pgdata")).resolve()
        server = pgserver.get_server(pgdata, cleanup_mode=None)  # None: keep it running for reuse
    uri = server.get_uri()
    _create_database(uri, name)
    return server.get_uri(name)


def _create_database(uri: str, name: str) -> None:
    """Create database ``name`` unless it exists, with whichever driver Django uses here."""
    try:
        import psycopg as driver
    except ImportError:
        import psycopg2 as driver
    conn = driver.connect(uri)
    try:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute('CREATE DATABASE "{}"'.format(name.replace('"', '""')))
    finally:
        conn.close()


def database_config() -> dict[str, Any]:
    """The ``DATABASES["default"]`` entry for this process."""
    url = os.environ.get("DATABASE_URL") or embedded_database_url()
    config = parse_database_url(url)
    config["CONN_MAX_AGE"] = 0
    config["TEST"] = {"NAME": f"test_{config['NAME']}"}
    return config

"""A dedicated folder (``manage.py fold_counters --forever``) outlives a restart of a real
PostgreSQL server, with writers running across it.

The server is one of the test's own, started from the ``pgserver`` wheel's PostgreSQL binaries in
a temporary directory and restarted with ``pg_ctl restart -m immediate`` (a crash restart: every
session is cut): the suite's own server is never touched. Writers append only (REPEATABLE READ),
so every pending delta is the folder's work.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ("restart-a", "restart-b")


class OwnServer:
    """A PostgreSQL server of the test's own (pgserver's binaries), and its ``counters`` database."""

    def __init__(self, pgserver: Any, data: Path) -> None:
        self.server = pgserver.get_server(data, cleanup_mode="delete")
        self.bin = Path(pgserver.__file__).parent / "pginstall" / "bin"
        from project.database import _create_database

        _create_database(self.server.get_uri(), "counters")
        self.url = self.server.get_uri("counters")

    def restart_immediately(self) -> None:
        """``pg_ctl restart -m immediate``: the server stops without a checkpoint (every
        session is cut, as in a crash) and starts again with the same options."""
        subprocess.run(
            [str(self.bin / "pg_ctl"), "-D", str(self.server.pgdata), "-w", "-m", "immediate"]
            + ["-l", str(self.server.log), "restart"],
            user=self.server.system_user,  # pgserver's unprivileged user when we are root
            check=True,
            timeout=120,
            stdout=subprocess.DEVNULL,  # the postmaster inherits them: files, never pipes
            stderr=subprocess.DEVNULL,
        )


@pytest.fixture
def own_server() -> Iterator[OwnServer]:
    pgserver = pytest.importorskip("pgserver", reason="the restart test uses pgserver's binaries")
    data = Path(tempfile.mkdtemp(prefix="counters-restart-"))
    server = OwnServer(pgserver, data)
    try:
        yield server
    finally:
        server.server.cleanup()
        shutil.rmtree(data, ignore_errors=True)


def manage(url: str, *args: str, **popen: Any) -> subprocess.Popen:
    """``manage.py ARGS`` on the test's own server, with the engine's settings."""
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "tests.settings_engine"}
    return subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=env, **popen)


class Client:
    """A connection to the test's own server through Django's backend (either driver)."""

    def __init__(self, url: str) -> None:
        from django.db.utils import ConnectionHandler

        from project.database import parse_database_url

        self.handler = ConnectionHandler({"default": parse_database_url(url)})

    def execute(self, *statements: str) -> list[tuple]:
        """Run the statements in order; the last one's rows."""
        rows: list[tuple] = []
        with self.handler["default"].cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                rows = cursor.fetchall() if cursor.description else []
        return rows

    def close(self) -> None:
        try:
            self.handler["default"].close()
        except Exception:  # noqa: BLE001 - a connection the restart cut
            self.handler["default"].connection = None


def wait_for(condition: Any, what: str, deadline: float, folder: subprocess.Popen) -> None:
    """Poll ``condition`` until it holds (the folder must stay alive meanwhile)."""
    while not condition():
        assert folder.poll() is None, f"the folder exited while waiting for {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@pytest.mark.slow
def test_fold_counters_forever_outlives_an_immediate_restart_under_writers(
    own_server: OwnServer, django_db_blocker: Any
) -> None:
    with django_db_blocker.unblock():  # connections to our own server, not the test database
        run_restart(own_server)


def run_restart(server: OwnServer) -> None:
    migrate = manage(server.url, "migrate", "-v", "0")
    assert migrate.wait(120) == 0
    admin = Client(server.url)
    values = ", ".join(f"('{slug}', '')" for slug in ARTICLES)
    admin.execute(f"INSERT INTO adopters_article (slug, title) VALUES {values}")
    log = tempfile.TemporaryFile()
    folder = manage(
        server.url,
        *("fold_counters", "--forever", "--interval", "0.05", "--max-backoff", "0.5"),
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    stop, restarted = threading.Event(), threading.Event()
    written_after = [0, 0]  # comments each writer committed after the restart
    errors: list[BaseException] = []

    def writer(index: int) -> None:
        client = Client(server.url)
        try:
            while not stop.is_set():
                try:  # REPEATABLE READ: the trigger appends every delta, the folder folds it
                    client.execute(
                        "BEGIN ISOLATION LEVEL REPEATABLE READ",
                        "INSERT INTO adopters_comment (article_id, body) "
                        f"VALUES ('{ARTICLES[index]}', 'x')",
                        "COMMIT",
                    )
                except Exception:  # noqa: BLE001 - cut by the restart: write again
                    client.close()
                    stop.wait(0.05)  # the server is starting: do not spin
                    continue
                if restarted.is_set():
                    written_after[index] += 1
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            client.close()

    writers = [threading.Thread(target=writer, args=(i,)) for i in range(2)]
    try:
        deadline = time.monotonic() + 120

        def stored() -> int:
            rows = admin.execute("SELECT sum(comments_count) FROM adopters_article")
            return int(rows[0][0] or 0)

        for thread in writers:
            thread.start()
        wait_for(lambda: stored() >= 20, "the folder to fold before the restart", deadline, folder)
        admin.close()
        server.restart_immediately()
        restarted.set()
        wait_for(lambda: min(written_after) >= 20, "writes after the restart", deadline, folder)
        stop.set()
        for thread in writers:
            thread.join(30)
        assert not errors

        def nothing_pending() -> bool:
            try:
                return admin.execute("SELECT count(*) FROM counters_delta")[0][0] == 0
            except Exception:  # noqa: BLE001 - our own connection was cut by the restart
                admin.close()
                return False

        wait_for(nothing_pending, "the folder to fold after the restart", deadline, folder)
        # the stored columns alone are the counts: COUNT(*) per article
        rows = admin.execute(
            "SELECT a.slug, a.comments_count, (SELECT count(*) FROM adopters_comment AS c "
            "WHERE c.article_id = a.slug) FROM adopters_article AS a ORDER BY a.slug"
        )
        assert [(slug, kept) for slug, kept, _ in rows] == [(slug, n) for slug, _, n in rows]
        assert all(n > 40 for _, _, n in rows)
        assert folder.poll() is None  # alive across the restart
        folder.send_signal(signal.SIGTERM)  # what systemd sends: a clean stop
        assert folder.wait(30) == 0
    finally:
        stop.set()
        for thread in writers:
            thread.join(30)
        if folder.poll() is None:
            folder.kill()
            folder.wait(10)
        admin.close()
    log.seek(0)
    lines = log.read().decode().splitlines()
    assert not [line for line in lines if "Traceback" in line], lines
    failed = [line for line in lines if "folding on database 'default' failed" in line]
    again = [line for line in lines if "folding on database 'default' again after" in line]
    assert len(failed) == 1 and len(again) == 1, lines  # one line per outage, one on recovery


def test_fold_counters_says_why_when_the_database_is_unreachable(tmp_path: Path) -> None:
    """A single fold against a server that is not there is a CommandError naming the database
    (exit status 1), not a traceback; a zero --max-backoff is refused."""
    nowhere = f"postgresql://postgres:@/counters?host={tmp_path}"  # no server listens there
    once = manage(nowhere, "fold_counters", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = once.communicate(timeout=120)
    assert once.returncode == 1
    assert b"CommandError: cannot reach database 'default'" in err
    assert b"Traceback" not in err
    bad = manage(
        nowhere, "fold_counters", "--forever", "--max-backoff", "0", stderr=subprocess.PIPE
    )
    _, err = bad.communicate(timeout=120)
    assert bad.returncode == 1 and b"--max-backoff must be positive" in err

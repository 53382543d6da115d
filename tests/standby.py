"""A real hot standby of the test server, for the read-replica tests: ``pg_basebackup -R`` with
the binaries of the server in use (the embedded server's, which the ``pgserver`` wheel ships),
started on a unix socket in a temporary directory (no TCP), streaming from the test server. One
per test module; stopped and removed at the end.

Django reaches it as the database alias ``replica`` (the test database's settings with the
standby's socket directory and port). :meth:`Standby.catch_up` waits until it has replayed
everything the primary wrote so far.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connections

from tests.utils import free_port, server_bin_dir

ALIAS = "replica"
STARTUP_SECONDS = 60


@dataclass
class Standby:
    directory: Path
    socket_dir: Path
    port: int
    account: str | None

    def catch_up(self, seconds: float = 30) -> None:
        """Wait until the standby has replayed everything the primary wrote until now."""
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_lsn()")
            (target,) = cursor.fetchone()
        deadline = time.monotonic() + seconds
        with connections[ALIAS].cursor() as cursor:
            while True:
                cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
                if cursor.fetchone()[0]:
                    return
                assert time.monotonic() < deadline, "the standby did not catch up"
                time.sleep(0.02)

    def log(self) -> str:
        path = self.directory / "standby.log"
        return path.read_text() if path.exists() else ""


def _account() -> str | None:
    """PostgreSQL refuses to run as root: the embedded server's own user then."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("pgserver")
    except KeyError:
        pytest.fail("running as root needs the embedded server's 'pgserver' user")
    return "pgserver"


@pytest.fixture(scope="module")
def standby(django_db_setup, django_db_blocker) -> Iterator[Standby]:  # noqa: ANN001
    """A streaming hot standby of the test server, registered as the database alias
    ``replica``; stopped and removed after the module."""
    default = connections["default"].settings_dict
    host = default["HOST"] or "localhost"
    if not host.startswith("/") and host not in ("localhost", "127.0.0.1", "::1"):
        pytest.fail(f"the standby test streams from a local server only, not {host!r}")
    try:
        with django_db_blocker.unblock():
            binaries = server_bin_dir()
    except LookupError as exc:
        pytest.fail(str(exc))
    account = _account()
    directory = Path(tempfile.mkdtemp(prefix="counters-standby-"))
    data, sockets = directory / "data", directory / "sockets"
    sockets.mkdir()
    run_as: dict[str, object] = {}
    if account is not None:
        entry = pwd.getpwnam(account)
        for path in (directory, sockets):
            os.chown(path, entry.pw_uid, entry.pw_gid)
        run_as = {"user": entry.pw_uid, "group": entry.pw_gid}
    port = free_port()
    source = ["-h", host, "-p", str(default["PORT"] or 5432), "-U", default["USER"] or "postgres"]
    env = {**os.environ, "PGPASSWORD": default["PASSWORD"] or ""}
    started = False
    try:
        backup = subprocess.run(
            [str(binaries / "pg_basebackup"), *source, "-D", str(data), "-R", "-X", "stream"]
            + ["-c", "fast", "--no-sync"],
            capture_output=True,
            text=True,
            timeout=STARTUP_SECONDS,
            env=env,
            check=False,
            **run_as,
        )
        if backup.returncode != 0:
            pytest.fail(
                "pg_basebackup could not copy the test server (it must take replication "
                f"connections from this machine): {backup.stderr.strip()}"
            )
        options = f"-c listen_addresses='' -c port={port} -k {sockets} -c hot_standby=on"
        start = subprocess.run(
            [str(binaries / "pg_ctl"), "-D", str(data), "-l", str(directory / "standby.log")]
            + ["-o", options, "-w", "-t", str(STARTUP_SECONDS), "start"],
            capture_output=True,
            text=True,
            timeout=STARTUP_SECONDS + 10,
            check=False,
            **run_as,
        )
        started = start.returncode == 0
        if not started:
            log = (
                (directory / "standby.log").read_text()
                if (directory / "standby.log").exists()
                else ""
            )
            pytest.fail(f"the standby did not start: {start.stderr.strip()}\n{log}")
        connections.settings[ALIAS] = {  # a mirror: tests never flush it (it is read-only)
            **default,
            "HOST": str(sockets),
            "PORT": str(port),
            "TEST": {**default["TEST"], "MIRROR": "default"},
        }
        with django_db_blocker.unblock():
            with connections[ALIAS].cursor() as cursor:
                cursor.execute("SELECT pg_is_in_recovery()")
                assert cursor.fetchone()[0], "the copy is not a standby"
        yield Standby(directory, sockets, port, account)
    finally:
        with django_db_blocker.unblock():
            if ALIAS in connections.settings:
                connections[ALIAS].close()
                del connections[ALIAS]
                del connections.settings[ALIAS]
        if started:
            subprocess.run(
                [str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                capture_output=True,
                timeout=60,
                check=False,
                **run_as,
            )
        shutil.rmtree(directory, ignore_errors=True)

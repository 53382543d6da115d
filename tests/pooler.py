"""A real PgBouncer (Debian's ``pgbouncer``) in transaction pooling mode, on 127.0.0.1 and a
free port, in front of the test database, for the connection-pooler tests. One per test module;
its configuration lives in a temporary directory removed at the end.

The pooler is reachable to Django as the database alias ``pooled`` (the test database's settings
with the pooler's host and port) and to subprocesses through :attr:`Pooler.url`; its admin
console answers :meth:`Pooler.admin` (``RECONNECT``, ``SHOW SERVERS``) through ``psql``.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connections

from tests.utils import free_port, server_bin_dir

ALIAS = "pooled"


def pgbouncer_path() -> str:
    found = os.environ.get("PGBOUNCER") or shutil.which("pgbouncer")
    if not found and os.access("/usr/sbin/pgbouncer", os.X_OK):  # Debian's, off a user's PATH
        found = "/usr/sbin/pgbouncer"
    if not found:
        pytest.fail(
            "Debian's pgbouncer is not installed: `make test` installs it "
            "(apt-get install pgbouncer), or set PGBOUNCER to a PgBouncer binary"
        )
    return found


def psql_path() -> str:
    """psql of the server in use (the embedded one's comes with the pgserver wheel)."""
    try:
        return str(server_bin_dir() / "psql")
    except LookupError as exc:
        found = shutil.which("psql")
        if not found:
            pytest.fail(f"psql is needed for PgBouncer's admin console: {exc}")
        return found


@dataclass
class Pooler:
    port: int
    user: str
    name: str
    process: subprocess.Popen
    directory: Path
    psql: str

    @property
    def url(self) -> str:
        """A ``DATABASE_URL`` reaching the test database through the pooler."""
        return f"postgresql://{urllib.parse.quote(self.user)}@127.0.0.1:{self.port}/{self.name}"

    def admin(self, command: str) -> list[list[str]]:
        """Run ``command`` on PgBouncer's admin console; its rows, as lists of strings."""
        done = subprocess.run(
            [self.psql, "-X", "-A", "-t", "-F", "\t", "-h", "127.0.0.1", "-p", str(self.port)]
            + ["-U", self.user, "-d", "pgbouncer", "-c", command],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        assert done.returncode == 0, f"pgbouncer admin {command!r}: {done.stderr}"
        return [line.split("\t") for line in done.stdout.splitlines() if line]

    def server_pids(self) -> set[int]:
        """The PostgreSQL backends the pooler holds for the test database now."""
        head = self._columns("SHOW SERVERS")
        return {
            int(row[head.index("remote_pid")])
            for row in self.admin("SHOW SERVERS")
            if row[head.index("database")] == self.name
        }

    def _columns(self, command: str) -> list[str]:
        done = subprocess.run(
            [self.psql, "-X", "-A", "-F", "\t", "-h", "127.0.0.1", "-p", str(self.port)]
            + ["-U", self.user, "-d", "pgbouncer", "-c", command],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        return done.stdout.splitlines()[0].split("\t")

    def log(self) -> str:
        path = self.directory / "pgbouncer.log"
        return path.read_text() if path.exists() else ""


def _run_as() -> str | None:
    """PgBouncer refuses to run as root: the embedded server's own user then (it can reach that
    server's socket), else ``nobody``."""
    if os.geteuid() != 0:
        return None
    for name in ("pgserver", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    pytest.fail("no unprivileged user to run pgbouncer as")


@pytest.fixture(scope="module")
def pgbouncer(django_db_setup, django_db_blocker) -> Iterator[Pooler]:  # noqa: ANN001
    """PgBouncer in transaction mode in front of the test database, registered as the database
    alias ``pooled``; stopped, and its directory removed, after the module."""
    default = connections["default"].settings_dict
    with django_db_blocker.unblock():
        psql = psql_path()
    port, user = free_port(), default["USER"] or "postgres"
    host = default["HOST"] or "localhost"
    server_port = default["PORT"] or "5432"
    directory = Path(tempfile.mkdtemp(prefix="counters-pgbouncer-"))
    password = f" password={default['PASSWORD']}" if default["PASSWORD"] else ""
    (directory / "pgbouncer.ini").write_text(
        f"""[databases]
{default["NAME"]} = host={host} port={server_port} dbname={default["NAME"]} user={user}{password}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {port}
unix_socket_dir =
auth_type = any
admin_users = pgbouncer, {user}
pool_mode = transaction
default_pool_size = 4
min_pool_size = 3
; hand out server connections in turn, not the last one used: a client relying on session state
; (a session lock, a SET, a prepared statement) meets another session at once, as under load
server_round_robin = 1
max_client_conn = 200
ignore_startup_parameters = extra_float_digits
logfile = {directory / "pgbouncer.log"}
pidfile = {directory / "pgbouncer.pid"}
"""
    )
    command = [pgbouncer_path()]
    account = _run_as()
    if account is not None:
        entry = pwd.getpwnam(account)
        os.chown(directory, entry.pw_uid, entry.pw_gid)
        command += ["-u", account]
    process = subprocess.Popen(
        [*command, str(directory / "pgbouncer.ini")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    pooler = Pooler(port, user, default["NAME"], process, directory, psql)
    try:
        deadline = time.monotonic() + 20
        while True:  # listening: the admin console answers
            assert process.poll() is None, f"pgbouncer exited: {process.stderr.read()!r}"
            try:
                pooler.admin("SHOW VERSION")
                break
            except AssertionError:
                assert time.monotonic() < deadline, f"pgbouncer did not start: {pooler.log()}"
                time.sleep(0.1)
        connections.settings[ALIAS] = {  # a mirror: the test database is flushed once, directly
            **default,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "TEST": {**default["TEST"], "MIRROR": "default"},
        }
        with django_db_blocker.unblock():
            connections[ALIAS].ensure_connection()  # a client: the pool fills to min_pool_size
            while len(pooler.server_pids()) < 3:
                assert time.monotonic() < deadline + 20, f"no server connections: {pooler.log()}"
                time.sleep(0.05)
            connections[ALIAS].close()
        yield pooler
    finally:
        with django_db_blocker.unblock():
            if ALIAS in connections.settings:
                connections[ALIAS].close()
                del connections[ALIAS]
                del connections.settings[ALIAS]
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        shutil.rmtree(directory, ignore_errors=True)

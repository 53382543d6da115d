"""Through a real PgBouncer in transaction pooling mode (Debian's ``pgbouncer``, one per module,
handing server connections out in turn): writes, reads, folds, recounts, the live reader and a
dedicated folder work, and the library leaves no session state behind on pooled connections."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection, connections

import counters
from counters.core.registry import counters_on
from counters.folding import Folder, folder_present
from counters.models import CounterDelta
from counters.social.models import Follow, GlobalStats, Post, UserStats
from tests.factories import UserFactory
from tests.pooler import ALIAS, Pooler
from tests.utils import assert_exact, command

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, databases=["default", ALIAS]),
]

ROOT = Path(__file__).resolve().parent.parent


def advisory_locks() -> int:
    """Advisory locks held in the test database right now, by anyone (the pooler's sessions
    included), seen from a direct connection."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
            "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        return cursor.fetchone()[0]


def pooled_settings() -> set[tuple[object, ...]]:
    """What the pooled server sessions say about the library's settings, over a few statements
    (each may land on another server connection)."""
    seen = set()
    with connections[ALIAS].cursor() as cursor:
        for _ in range(8):
            cursor.execute(
                "SELECT current_setting('counters.deferred', true), "
                "current_setting('counters.unguarded', true), "
                "current_setting('transaction_isolation')"
            )
            seen.add(cursor.fetchone())
    return seen


def toggle_follow(follower, followed, using: str = ALIAS) -> None:  # noqa: ANN001
    deleted, _ = Follow.objects.using(using).filter(follower=follower, followed=followed).delete()
    if not deleted:
        Follow.objects.using(using).create(follower=follower, followed=followed)


def pending(using: str = "default") -> int:
    ids = [c.id for c in counters_on(UserStats)]
    return CounterDelta.objects.using(using).filter(counter__in=ids).count()


def wait_for(condition, what: str, seconds: float = 20) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_writes_reads_folds_and_recounts_through_pgbouncer(pgbouncer: Pooler):
    # the pooler hands out more than one server connection: session state would show
    with connections[ALIAS].cursor() as cursor:
        pids = set()
        for _ in range(8):
            cursor.execute("SELECT pg_backend_pid()")
            pids.add(cursor.fetchone()[0])
    assert len(pids) > 1, "the pooler kept one server connection: nothing would be tested"

    users = [UserFactory.create() for _ in range(6)]
    star, fans = users[0], users[1:]
    for fan in fans:  # one statement each, autocommitted, through the pooler
        Follow.objects.using(ALIAS).create(follower=fan, followed=star)
    Post.objects.using(ALIAS).bulk_create([Post(author=u, title="x") for u in users])
    with counters.deferred(using=ALIAS):  # SET LOCAL: pending deltas, inside one transaction
        for fan in fans[:3]:
            Follow.objects.using(ALIAS).create(follower=star, followed=fan)
    assert pending() > 0
    for deferred, unguarded, isolation in pooled_settings():  # nothing outlived its transaction
        assert deferred in (None, "", "off") and unguarded in (None, "", "off")
        assert isolation == "read committed"

    stats = UserStats.objects.using(ALIAS).for_user(star)
    assert (stats.followers_count, stats.following_count, stats.posts_count) == (5, 3, 1)
    assert GlobalStats.objects.using(ALIAS).get().total_follows == 8
    report = counters.fold(using=ALIAS)
    assert report.total > 0 and pending() == 0
    status, out, err = command("backfill_counters", "--check", "--database", ALIAS, "--no-progress")
    assert status in (0, None), out + err
    status, out, err = command("backfill_counters", "--database", ALIAS, "--no-progress")
    assert status in (0, None), out + err
    assert_exact(folded=True)
    assert advisory_locks() == 0  # every lock the library took ended with its transaction


def test_an_in_process_folder_through_pgbouncer_is_seen_then_forgotten(
    pgbouncer: Pooler, caplog: pytest.LogCaptureFixture
):
    a, b, c = UserFactory.create_batch(3)
    Follow.objects.using(ALIAS).create(follower=b, followed=a)  # rows exist: deltas are pending
    Follow.objects.using(ALIAS).create(follower=c, followed=b)
    folder = Folder(interval=0.05, using=ALIAS).start()
    try:
        wait_for(lambda: folder_present(ALIAS), "the folder never announced itself")
        with counters.deferred(using=ALIAS):
            Follow.objects.using(ALIAS).create(follower=a, followed=b)
        wait_for(lambda: pending() == 0, "the folder did not fold")
        # the pooler drops every connection: the thread logs it, reconnects and goes on
        pgbouncer.admin(f"KILL {pgbouncer.name}")
        pgbouncer.admin(f"RESUME {pgbouncer.name}")
        connections[ALIAS].close()
        wait_for(lambda: "counters: folding on database" in caplog.text, "the thread met no error")
        with counters.deferred(using=ALIAS):
            Follow.objects.using(ALIAS).create(follower=b, followed=c)
        wait_for(lambda: pending() == 0, "the folder did not fold after the pooler's KILL")
        assert folder_present(ALIAS)
    finally:
        folder.stop()
    assert not folder_present(ALIAS) and not folder_present()
    assert advisory_locks() == 0
    assert_exact(folded=True)


def test_a_dedicated_folder_through_pgbouncer_survives_reconnects_and_leaves_nothing(
    pgbouncer: Pooler,
):
    """``fold_counters --forever`` through the pooler: seen by writers, seen again after the
    pooler replaced every server connection (RECONNECT), gone when it stops (no lock left on a
    pooled session), and writers fold by themselves again after it."""
    users = UserFactory.create_batch(30)
    rng = random.Random(5)
    for user in users:  # every stats row exists: deferred deltas wait for a fold
        Follow.objects.create(follower=user, followed=users[0] if user != users[0] else users[1])
    folder = subprocess.Popen(
        [sys.executable, "manage.py", "fold_counters", "--forever", "--interval", "0.1"],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": pgbouncer.url,
            "DJANGO_SETTINGS_MODULE": "project.settings_test",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(lambda: folder.poll() is None and folder_present(ALIAS), "no folder seen")
        with counters.deferred(using=ALIAS):
            toggle_follow(users[1], users[2])
        wait_for(lambda: pending() == 0, "the folder did not fold")

        before = pgbouncer.server_pids()
        assert before
        pgbouncer.admin(f"RECONNECT {pgbouncer.name}")
        with connection.cursor() as cursor:
            cursor.execute("SELECT clock_timestamp()")
            (reconnected,) = cursor.fetchone()

        def replaced() -> bool:
            with connections[ALIAS].cursor() as cursor:  # traffic: released servers are closed
                cursor.execute("SELECT 1")
            now = pgbouncer.server_pids()
            return bool(now) and not now & before

        wait_for(replaced, "the pooler did not replace its server connections")
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)", [list(before)]
            )
            assert cursor.fetchone()[0] == 0  # the old sessions are gone from the server

        def beat_since_reconnect() -> bool:
            with connection.cursor() as cursor:
                cursor.execute("SELECT at FROM counters_state WHERE name = 'folder'")
                row = cursor.fetchone()
            return row is not None and row[0] > reconnected

        wait_for(beat_since_reconnect, "the folder was not seen after the reconnect")
        assert folder_present(ALIAS)
        with counters.deferred(using=ALIAS):
            toggle_follow(users[3], users[4])
        wait_for(lambda: pending() == 0, "the folder did not fold after the reconnect")

        # the pooler drops every client and server connection: the folder says so and goes on
        pgbouncer.admin(f"KILL {pgbouncer.name}")
        pgbouncer.admin(f"RESUME {pgbouncer.name}")
        connections[ALIAS].close()  # ours was dropped too
        with connection.cursor() as cursor:
            cursor.execute("SELECT clock_timestamp()")
            (reconnected,) = cursor.fetchone()
        wait_for(beat_since_reconnect, "the folder did not come back after the pooler's KILL")
        with counters.deferred(using=ALIAS):
            toggle_follow(users[5], users[6])
        wait_for(lambda: pending() == 0, "the folder did not fold after the pooler's KILL")

        folder.send_signal(signal.SIGTERM)  # a service manager's stop
        out, err = folder.communicate(timeout=30)
        assert folder.returncode == 0, err
        assert (
            b"Traceback" not in err and b"folding on database 'default' failed" in err
        )  # the KILL, said in one line
    finally:
        if folder.poll() is None:
            folder.kill()
            folder.wait(10)
    assert not folder_present(ALIAS) and not folder_present()
    assert advisory_locks() == 0  # nothing held on any pooled session after the folder

    with counters.deferred(using=ALIAS):  # a backlog on the first 15 users' rows
        for _ in range(150):
            toggle_follow(*rng.sample(users[:15], 2))
    backlog = pending()
    assert backlog > 0
    for _ in range(600):  # writers alone, through the pooler: about ten window folds
        toggle_follow(*rng.sample(users[15:], 2))
    assert pending() < backlog
    assert_exact()


def test_the_live_reader_reads_through_pgbouncer(pgbouncer: Pooler):
    """The live hub's reader polls through the pooler: no prepared statement (psycopg 3 would
    prepare a query it ran five times, and the next server connection would not know it)."""
    pytest.importorskip("psycopg", reason="the live hub needs psycopg 3")
    from counters.live import hub as live_hub
    from counters.live import topics as live_topics
    from tests.live import in_thread

    a, b = UserFactory.create_batch(2)
    fans, late = UserFactory.create_batch(6), UserFactory()
    followers = f"counters_social.UserStats.followers_count:{b.pk}"
    Follow.objects.create(follower=a, followed=b)

    async def scenario() -> None:
        hub = live_hub.Hub(alias=ALIAS, interval=0.01)
        try:
            subscription = await hub.subscribe(live_topics.parse_topics([followers]))
            assert await subscription.changes(5) == {followers: 1}
            for n, fan in enumerate(fans, start=2):
                await in_thread(lambda fan=fan: Follow.objects.create(follower=fan, followed=b))
                values: dict[str, int] = {}
                deadline = time.monotonic() + 10
                while values.get(followers) != n and time.monotonic() < deadline:
                    values.update(await subscription.changes(5))
                assert values[followers] == n
            deadline = time.monotonic() + 20
            while hub.polls < 12:  # the same query, well past psycopg's five before preparing
                assert time.monotonic() < deadline, "the hub stopped polling"
                await asyncio.sleep(0.02)
            # one more change, read after those polls
            await in_thread(lambda: Follow.objects.create(follower=late, followed=b))
            values = {}
            while values.get(followers) != len(fans) + 2 and time.monotonic() < deadline:
                values.update(await subscription.changes(5))
            assert values[followers] == len(fans) + 2
            assert hub.reader_connections == 1  # it never broke (a failed read reconnects)
        finally:
            await hub.close()

    asyncio.run(scenario())


def test_fold_counters_says_so_when_the_pooler_refuses_it(pgbouncer: Pooler):
    """A pooler that refuses new clients (PgBouncer's DISABLE) is one clear line, not a
    traceback."""
    from django.core.management.base import CommandError

    connections[ALIAS].close()
    pgbouncer.admin(f"DISABLE {pgbouncer.name}")
    try:
        with pytest.raises(CommandError, match=f"cannot reach database '{ALIAS}'"):
            command("fold_counters", "--database", ALIAS)
    finally:
        pgbouncer.admin(f"ENABLE {pgbouncer.name}")
        connections[ALIAS].close()
    assert command("fold_counters", "--database", ALIAS, "-v", "0")[0] in (0, None)

"""Against a real streaming hot standby (``pg_basebackup -R`` of the test server, one per
module): every read honours the queryset's or the caller's database, reads are exact as of the
standby's snapshot, and the check and health commands run read-only there."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

import counters
from counters.exceptions import ReadOnlyDatabase
from counters.models import CounterDelta
from counters.social.models import Follow, GlobalStats, Post, UserStats, with_counts
from tests.factories import UserFactory
from tests.standby import ALIAS, Standby
from tests.utils import another_writer_creating, command, inject

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, databases=["default", ALIAS]),
]


class ReplicaRouter:
    """Reads to the standby, writes to the primary: the usual replica setup."""

    def db_for_read(self, model, **hints):  # noqa: ANN001, ANN201
        return ALIAS

    def db_for_write(self, model, **hints):  # noqa: ANN001, ANN201
        return "default"

    def allow_relation(self, obj1, obj2, **hints):  # noqa: ANN001, ANN201
        return True


def paused(standby: Standby):  # noqa: ANN201
    """The standby stops replaying (its snapshot stays where it is) until resumed."""

    class Pause:
        def __enter__(self) -> None:
            with connections[ALIAS].cursor() as cursor:
                cursor.execute("SELECT pg_wal_replay_pause()")

        def __exit__(self, *exc: object) -> None:
            with connections[ALIAS].cursor() as cursor:
                cursor.execute("SELECT pg_wal_replay_resume()")

    return Pause()


def test_reads_honour_the_replica_and_are_exact_as_of_its_snapshot(standby: Standby, settings):
    star, fan, newcomer, quiet = UserFactory.create_batch(4)
    Follow.objects.create(follower=fan, followed=star)
    Post.objects.create(author=star, title="x")
    with another_writer_creating(UserStats, newcomer.pk):  # newcomer's row stays missing:
        Follow.objects.create(follower=newcomer, followed=star)  # its count is pending only
    assert not UserStats.objects.filter(pk=newcomer.pk).exists()
    assert CounterDelta.objects.exists()
    standby.catch_up()

    with paused(standby):
        Follow.objects.create(follower=star, followed=newcomer)  # the primary moves on
        Follow.objects.create(follower=quiet, followed=star)
        with CaptureQueriesContext(connections["default"]) as primary:
            stats = UserStats.objects.using(ALIAS).for_user(newcomer)  # no row: pending alone
            assert (stats.following_count, stats.followers_count) == (1, 0)  # the standby's
            assert UserStats.objects.using(ALIAS).for_user(star).followers_count == 2
            assert GlobalStats.current(using=ALIAS).total_follows == 2
            assert GlobalStats.objects.using(ALIAS).values_list("total_follows", flat=True)[0] == 2
            users = with_counts(get_user_model().objects.using(ALIAS).order_by("pk"))
            counts = {u.pk: (u.followers_count, u.following_count, u.posts_count) for u in users}
            assert counts[star.pk] == (2, 0, 1) and counts[newcomer.pk] == (0, 1, 0)
        assert primary.captured_queries == []  # not one read went to the primary
        # the primary's own reads, meanwhile: the writes the standby has not replayed
        assert UserStats.objects.for_user(newcomer).followers_count == 1
        assert UserStats.objects.for_user(star).followers_count == 3

    standby.catch_up()
    settings.DATABASE_ROUTERS = [ReplicaRouter()]  # reads routed to the standby
    with CaptureQueriesContext(connections["default"]) as primary:
        assert UserStats.objects.for_user(newcomer).followers_count == 1
        assert UserStats.objects.for_user(quiet.pk).following_count == 1
        assert GlobalStats.current().total_follows == 4
    assert primary.captured_queries == []


def test_check_and_health_run_read_only_against_the_standby(standby: Standby):
    star, fan = UserFactory.create_batch(2)
    Follow.objects.create(follower=fan, followed=star)
    counters.fold()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM counters_state WHERE name LIKE 'check:%%'")
    standby.catch_up()

    status, out, err = command("backfill_counters", "--check", "--database", ALIAS, "--no-progress")
    assert status == 0, out + err
    assert "Not recorded: database 'replica' is read-only (a standby)" in out
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM counters_state WHERE name LIKE 'check:%%'")
        assert cursor.fetchone()[0] == 0  # nothing recorded anywhere

    status, out, err = command("counters_health", "--database", ALIAS)
    assert status == 0, out + err
    assert "healthy" in out and "is read-only (a standby)" in out

    inject("UPDATE user_stats SET followers_count = 7 WHERE user_id = %s", [star.pk])
    standby.catch_up()
    status, out, err = command("backfill_counters", "--check", "--database", ALIAS, "--no-progress")
    assert status == 1  # the drift, found on the standby
    assert f"key {star.pk}: cached 7, true 1" in out

    status, out, err = command("backfill_counters", "--check", "--no-progress")  # the primary
    assert status == 1 and "Not recorded" not in out
    standby.catch_up()
    status, out, err = command("counters_health", "--database", ALIAS, "--json")
    assert status == 3  # the primary's recorded check, replayed: drift left
    assert '"read_only": true' in out

    with pytest.raises(CommandError, match="is read-only"):
        command("backfill_counters", "--database", ALIAS, "--no-progress")  # a recount writes
    with pytest.raises(CommandError, match="is read-only"):
        command("fold_counters", "--database", ALIAS)
    with pytest.raises(ReadOnlyDatabase, match="is read-only"):
        counters.fold(using=ALIAS)
    with pytest.raises(ReadOnlyDatabase, match="a recount writes"):
        counters.recount(using=ALIAS)
    status, out, err = command("backfill_counters", "--no-progress")  # repaired on the primary
    assert status == 0

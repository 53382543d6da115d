"""counters.state: the engine's own records in ``counters_state`` and what every process reads of
them (the backlog of pending deltas, the last checks), whether the database takes writes, and the
clear error every reader gives when the engine's tables are not migrated."""

from __future__ import annotations

import pytest
from django.core.management.base import CommandError
from django.db import connection

import counters
from counters import state
from counters.core import registry
from counters.exceptions import CounterError, ReadOnlyDatabase
from counters.models import CounterDelta
from counters.recounting import run
from counters.social.models import Follow, Post, UserStats
from tests.factories import UserFactory
from tests.utils import command, inject

pytestmark = pytest.mark.django_db

FOLLOWERS = "counters_social.UserStats.followers_count"
MISSING = "the counters' tables are missing from database 'default': run manage.py migrate"


@pytest.fixture
def unmigrated():
    """The engine's state table gone, as before ``migrate`` (inside the test's transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE counters_state RENAME TO counters_state_elsewhere")


def test_a_database_without_the_engines_tables_is_a_clear_error(unmigrated):
    with pytest.raises(CounterError) as info:
        state.require_tables()
    assert str(info.value) == MISSING


def test_health_says_the_tables_are_missing_instead_of_a_traceback(unmigrated):
    with pytest.raises(CommandError) as info:
        command("counters_health")
    assert str(info.value) == MISSING


def test_the_metrics_view_answers_503_with_the_reason(admin_client, unmigrated):
    response = admin_client.get("/metrics/counters")
    assert response.status_code == 503
    assert response.json() == {"error": MISSING}


def test_a_read_only_transaction_takes_no_writes_and_folds_are_refused():
    assert state.read_only() is False
    with connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION READ ONLY")
    assert state.read_only() is True
    with pytest.raises(ReadOnlyDatabase, match="read-only"):
        counters.fold()


def test_the_backlog_counts_pending_rows_per_counter_and_ignores_unknown_numbers(
    writers_do_not_fold,
):
    star, fan = UserFactory.create_batch(2)
    Follow.objects.create(follower=fan, followed=star)
    Post.objects.create(author=star, title="first")
    counters.fold()
    with counters.deferred():
        Follow.objects.create(follower=star, followed=fan)
        Post.objects.filter(author=star).delete()  # a Max's recompute marker
    CounterDelta.objects.create(counter=123456789, key="1", delta=1)  # a counter declared no more
    found = state.backlog()
    followers = registry.get_counter(UserStats, "followers_count")
    assert found[FOLLOWERS].rows == CounterDelta.objects.filter(counter=followers.id).count() == 1
    latest = registry.get_counter(UserStats, "last_post_at")
    assert found["counters_social.UserStats.last_post_at"].rows == (
        CounterDelta.objects.filter(counter__in=latest.delta_ids).count()
    )
    known = {n for c in registry.on_database("default") for n in c.delta_ids}
    assert sum(b.rows for b in found.values()) == (
        CounterDelta.objects.filter(counter__in=known).count()
    )
    assert CounterDelta.objects.exclude(counter__in=known).count() == 1
    assert all(b.oldest_seconds >= 0 for b in found.values())


def test_last_checks_reads_back_each_run_and_forgets_counters_declared_no_more():
    star, fan = UserFactory.create_batch(2)
    Follow.objects.create(follower=fan, followed=star)
    inject("UPDATE user_stats SET followers_count = 5 WHERE user_id = %s", [star.pk])
    run(["counters_social.UserStats"], fix=False)
    state.save_state(state.CHECK_STATE + "gone.Model.count", {"kind": "full", "rows_checked": 9})
    checks = state.last_checks()
    assert "gone.Model.count" not in checks
    followers = checks[FOLLOWERS]
    rows = UserStats.objects.count()
    assert (followers.kind, followers.rows_checked, followers.rows_drifted) == ("full", rows, 1)
    assert (followers.largest_drift, followers.completed, followers.drift_left) == (4.0, True, True)
    run([FOLLOWERS], fix=True)
    fixed = state.last_checks()[FOLLOWERS]
    assert (fixed.kind, fixed.rows_drifted, fixed.drift_left) == ("recount", 1, False)
    run([FOLLOWERS], fix=False, sample=1)
    assert state.last_checks()[FOLLOWERS].kind == "sampled"


def test_the_last_fold_is_when_fold_last_ran():
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM counters_state WHERE name = %s", [state.FOLD_STATE])
    assert state.last_fold() is None
    counters.fold()
    with connection.cursor() as cursor:
        cursor.execute("SELECT at FROM counters_state WHERE name = 'fold'")
        assert state.last_fold() == cursor.fetchone()[0]

"""counters.core.targets: one target table's counters, its key and landing mode, the numbers its
deltas carry, and the advisory locks whoever creates or adds into one of its rows takes."""

from __future__ import annotations

import pytest
from django.db import connection

import counters
from counters.core import registry
from counters.core.targets import CREATE_LOCKS, HOLD_LOCKS, TargetTable
from counters.models import CounterDelta
from counters.social.models import Follow, GlobalStats, Post, UserStats
from tests.factories import UserFactory
from tests.testapp.models import Blog
from tests.utils import OtherClient

pytestmark = pytest.mark.django_db


def scalar(sql: str, params: object = ()) -> object:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def keys_in_other_buckets(size: int) -> tuple[str, str]:
    """Two keys whose locks differ among ``size`` buckets (``hashtext(key) & (size - 1)``)."""
    first = scalar("SELECT hashtext('42') & %s", [size - 1])
    for candidate in range(43, 100):
        if scalar("SELECT hashtext(%s) & %s", [str(candidate), size - 1]) != first:
            return "42", str(candidate)
    raise AssertionError("every key fell into one bucket")


def test_a_stats_table_holds_its_counters_by_column_and_names_the_rows_it_belongs_to():
    target = TargetTable(reversed(registry.counters_on(UserStats)))
    assert [c.field.column for c in target.counters] == [
        "followers_count",
        "following_count",
        "last_post_at",
        "posts_count",
    ]
    assert (target.model, target.mode, target.table, target.key_column, target.key_type) == (
        UserStats,
        "upsert",
        "user_stats",
        "user_id",
        "integer",
    )
    assert target.owner == ('"auth_user"', '"id"')  # a stats row needs its user
    assert (target.label, target.quoted_table, target.quoted_key) == (
        "counters_social.UserStats",
        '"user_stats"',
        '"user_id"',
    )
    assert target.quoted_columns == [
        '"followers_count"',
        '"following_count"',
        '"last_post_at"',
        '"posts_count"',
    ]
    assert repr(target) == (
        "<TargetTable counters_social.UserStats: followers_count, following_count, "
        "last_post_at, posts_count>"
    )


def test_the_same_counter_given_twice_is_held_once():
    counter = registry.get_counter(UserStats, "followers_count")
    assert TargetTable([counter, counter]).counters == [counter]


def test_tables_whose_rows_exist_and_single_row_totals_have_no_owner():
    blog = TargetTable(registry.counters_on(Blog))
    assert (blog.mode, blog.owner, blog.key_type) == ("update", None, "bigint")
    totals = TargetTable(registry.counters_on(GlobalStats))
    assert (totals.mode, totals.owner, totals.key_type) == ("singleton", None, "smallint")


def test_ids_are_every_number_the_tables_deltas_carry(writers_do_not_fold):
    target = TargetTable(registry.counters_on(UserStats))
    # three counts, and the Max with its recompute markers
    assert len(target.ids) == 5 and len(set(target.ids)) == 5
    assert target.ids_sql == ", ".join(str(i) for i in target.ids)
    star, fan = UserFactory.create_batch(2)
    Follow.objects.create(follower=star, followed=fan)  # their stats rows exist
    with counters.deferred():  # pending deltas, one per counter moved
        Follow.objects.create(follower=fan, followed=star)
        Post.objects.create(author=star, title="first")
        Post.objects.filter(author=star).delete()  # the latest post left: a recompute marker
    pending = set(
        CounterDelta.objects.filter(key__in=[str(star.pk), str(fan.pk)]).values_list(
            "counter", flat=True
        )
    )
    others = {
        n
        for t in TargetTable.group(registry.all_counters())
        if t.table != "user_stats"
        for n in t.ids
    }
    assert set(target.ids) <= pending and pending - set(target.ids) <= others


def test_group_puts_each_table_once_by_name_and_single_row_totals_last():
    every = registry.on_database("default")
    tables = TargetTable.group(every)
    assert sum(len(t.counters) for t in tables) == len(every)
    assert len({t.table for t in tables}) == len(tables)
    modes = [t.mode for t in tables]
    first_total = modes.index("singleton")
    assert set(modes[first_total:]) == {"singleton"} and "singleton" not in modes[:first_total]
    assert [t.table for t in tables[:first_total]] == sorted(t.table for t in tables[:first_total])
    assert [t.table for t in tables[first_total:]] == [
        "adopters_sitetotals",
        "counters_globalstats",
        "testapp_quiztotals",
    ]


def test_a_creation_lock_held_elsewhere_is_refused_for_its_bucket_only():
    target = TargetTable(registry.counters_on(UserStats))
    held, free = keys_in_other_buckets(CREATE_LOCKS)
    assert target.create_lock != TargetTable(registry.counters_on(Blog)).create_lock
    with OtherClient() as other:
        other.execute(f"SELECT pg_advisory_lock({target.create_lock_keys('%s')})", [held])
        assert scalar(f"SELECT {target.try_create_lock('%s')}", [held]) is False
        assert scalar(f"SELECT {target.try_create_lock('%s')}", [free]) is True
        # another lock: who holds the creation lock does not hold the row
        assert scalar(f"SELECT {target.try_hold('%s')}", [held]) is True
        other.execute("SELECT pg_advisory_unlock_all()")


def test_a_hold_lock_taken_by_another_transaction_is_refused_until_it_ends():
    target = TargetTable(registry.counters_on(UserStats))
    held, free = keys_in_other_buckets(HOLD_LOCKS)
    with OtherClient(autocommit=False) as other:
        [(taken,)] = other.execute(f"SELECT {target.try_hold('%s')}", [held])
        assert taken is True
        assert scalar(f"SELECT {target.try_hold('%s')}", [held]) is False
        assert scalar(f"SELECT {target.try_hold('%s')}", [free]) is True
        other.rollback()  # the transaction ends: so does its lock
    assert scalar(f"SELECT {target.try_hold('%s')}", [held]) is True

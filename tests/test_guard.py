"""The read-only guards (``counters_readonly_insert`` / ``counters_readonly_update`` on every target
table, :class:`counters.sql.triggers.ReadOnlyTrigger`) and the settings a block of writes can ask
for (:mod:`counters.guard`): ``unguarded`` lets a repair write a counter column, ``deferred``
appends a block's deltas instead of holding counter rows. Every write is real SQL or the ORM."""

from __future__ import annotations

import pytest
from django.db import connection

import counters
from counters.core import registry
from counters.models import CounterDelta
from counters.social.models import Follow, Post, UserStats
from tests.factories import UserFactory
from tests.testapp.models import Article, Blog
from tests.utils import assert_exact

pytestmark = pytest.mark.django_db


def sql(statement: str, params: object = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


def setting(name: str) -> str | None:
    [(value,)] = sql("SELECT current_setting(%s, true)", [name])
    return value


def a_blog_with_articles(n: int) -> Blog:
    blog = Blog.objects.create(name="news")
    Article.objects.bulk_create([Article(blog=blog, published=True) for _ in range(n)])
    counters.fold()  # the columns alone hold the counts
    return blog


def stored(blog: Blog) -> tuple:
    [row] = sql(
        "SELECT name, articles_count, published_count FROM testapp_blog WHERE id = %s", [blog.pk]
    )
    return row


def test_a_hand_update_of_a_counter_column_keeps_the_count_and_writes_the_rest():
    blog = a_blog_with_articles(3)
    sql(
        "UPDATE testapp_blog SET name = 'renamed', articles_count = articles_count + 1, "
        "published_count = 99 WHERE id = %s",
        [blog.pk],
    )
    assert stored(blog) == ("renamed", 3, 3)
    assert_exact(Blog, folded=True)


def test_saving_a_stale_instance_keeps_the_counts_written_since():
    blog = a_blog_with_articles(2)
    stale = Blog.objects.get(pk=blog.pk)
    Article.objects.create(blog=blog, published=False)
    counters.fold()
    stale.name = "saved"
    stale.save()  # Django writes every column, the old counts too
    assert stored(blog) == ("saved", 3, 2)


def test_a_hand_insert_starts_every_counter_empty():
    user = UserFactory()
    sql(
        "INSERT INTO user_stats (user_id, followers_count, following_count, posts_count, "
        "last_post_at, profile_views) VALUES (%s, 7, 8, 9, now(), 5)",
        [user.pk],
    )
    [row] = sql(
        "SELECT followers_count, following_count, posts_count, last_post_at, profile_views "
        "FROM user_stats WHERE user_id = %s",
        [user.pk],
    )
    assert row == (0, 0, 0, None, 5)  # an event counter is the app's to write
    assert_exact(UserStats)


def test_each_target_has_an_insert_and_an_update_guard_installed():
    targets = sorted({c.target._meta.db_table for c in registry.on_database("default")})
    found = sql(
        "SELECT c.relname, t.tgname FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid "
        "WHERE t.tgname LIKE 'pgtrigger_counters_readonly_%%' AND t.tgenabled = 'O' "
        "ORDER BY 1, 2"
    )
    guarded: dict[str, list[str]] = {}
    for table, name in found:
        guarded.setdefault(table, []).append(name.split("_")[3])
    assert guarded == {table: ["insert", "update"] for table in targets}


def test_unguarded_lets_a_repair_write_the_column_and_puts_the_setting_back():
    blog = a_blog_with_articles(2)
    assert setting("counters.unguarded") in (None, "")
    with counters.unguarded():
        assert setting("counters.unguarded") == "on"
        sql("UPDATE testapp_blog SET articles_count = 40 WHERE id = %s", [blog.pk])
    assert setting("counters.unguarded") == ""
    assert stored(blog)[1:] == (40, 2)
    sql("UPDATE testapp_blog SET articles_count = 2 WHERE id = %s", [blog.pk])
    assert stored(blog)[1:] == (40, 2)  # guarded again


def test_unguarded_inside_a_block_that_set_it_leaves_that_blocks_value():
    sql("SELECT set_config('counters.unguarded', 'off', true)")
    with counters.unguarded():
        with counters.unguarded():
            assert setting("counters.unguarded") == "on"
        assert setting("counters.unguarded") == "on"
    assert setting("counters.unguarded") == "off"


def test_an_error_in_an_unguarded_block_rolls_back_its_writes_and_the_setting():
    blog = a_blog_with_articles(1)
    with pytest.raises(RuntimeError, match="repair failed"), counters.unguarded():
        sql("UPDATE testapp_blog SET articles_count = 40 WHERE id = %s", [blog.pk])
        raise RuntimeError("repair failed")
    assert stored(blog)[1:] == (1, 1)
    assert setting("counters.unguarded") in (None, "")


def test_deferred_writes_append_their_deltas_and_reads_stay_exact(writers_do_not_fold):
    star, fan = UserFactory.create_batch(2)
    Follow.objects.create(follower=fan, followed=star)
    counters.fold()
    with counters.deferred():
        assert setting("counters.deferred") == "on"
        Follow.objects.create(follower=star, followed=fan)
        Post.objects.create(author=star, title="hello")
    assert setting("counters.deferred") == ""
    [(followers, posts)] = sql(
        "SELECT followers_count, posts_count FROM user_stats WHERE user_id = %s", [fan.pk]
    )
    assert (followers, posts) == (0, 0)  # the columns were left alone
    followers_id = registry.get_counter(UserStats, "followers_count").id
    assert CounterDelta.objects.filter(counter=followers_id, key=str(fan.pk)).count() == 1
    stats = UserStats.objects.get(pk=fan.pk)
    assert stats.followers_count == 1 == Follow.objects.filter(followed=fan).count()
    assert_exact(UserStats, folded=True)


@pytest.mark.django_db(databases=["default", "second"])
def test_a_block_on_the_second_database_sets_that_databases_setting_only():
    from django.db import connections

    def on_second() -> str | None:
        with connections["second"].cursor() as cursor:
            cursor.execute("SELECT current_setting('counters.deferred', true)")
            return cursor.fetchone()[0]

    with counters.deferred(using="second"):
        assert on_second() == "on"
        assert setting("counters.deferred") in (None, "")
    assert on_second() == ""

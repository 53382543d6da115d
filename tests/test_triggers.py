"""The database keeps the built-in counters exact, whatever writes the rows."""

from __future__ import annotations

import io

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import F

from counters.social.models import Follow, GlobalStats, Post, UserStats
from tests.factories import UserFactory
from tests.social_factories import FollowFactory, PostFactory

pytestmark = pytest.mark.django_db


def stats(user) -> tuple[int, int, int]:
    s = UserStats.objects.for_user(user)
    return (s.followers_count, s.following_count, s.posts_count)


def test_orm_create_and_delete(exact):
    alice, bob = UserFactory(), UserFactory()
    follow = Follow.objects.create(follower=alice, followed=bob)
    assert stats(bob) == (1, 0, 0) and stats(alice) == (0, 1, 0)
    post = PostFactory(author=alice)
    assert stats(alice) == (0, 1, 1)
    assert GlobalStats.current().total_follows == 1 and GlobalStats.current().total_posts == 1
    follow.delete()
    post.delete()
    assert stats(bob) == (0, 0, 0) and stats(alice) == (0, 0, 0)
    exact()


def test_user_without_stats_row_reads_as_zeros():
    user = UserFactory()
    assert not UserStats.objects.filter(pk=user.pk).exists()
    assert stats(user) == (0, 0, 0)
    assert GlobalStats.current().total_follows == 0


def test_bulk_create(exact):
    users = UserFactory.create_batch(30)
    Follow.objects.bulk_create(
        [Follow(follower=a, followed=b) for a in users for b in users[:10] if a != b]
    )
    Post.objects.bulk_create([Post(author=users[i % 7], title=str(i)) for i in range(100)])
    assert stats(users[0]) == (29, 9, 15)
    exact()


def test_queryset_update_moves_fk_and_nulls_it(exact):
    a, b, c = UserFactory.create_batch(3)
    PostFactory.create_batch(4, author=a)
    FollowFactory(follower=a, followed=b)
    Post.objects.filter(author=a).update(author=b)
    assert stats(a)[2] == 0 and stats(b)[2] == 4
    Follow.objects.filter(follower=a).update(followed=c)
    assert stats(b)[0] == 0 and stats(c)[0] == 1
    Post.objects.filter(author=b).update(author=None)
    assert stats(b)[2] == 0
    assert GlobalStats.current().total_posts == 4  # authorless posts still count site-wide
    Post.objects.update(title="unrelated change")
    exact()


def test_queryset_delete(exact):
    users = UserFactory.create_batch(12)
    Follow.objects.bulk_create(
        [Follow(follower=a, followed=b) for a in users for b in users if a != b]
    )
    Follow.objects.filter(followed__in=users[:6]).delete()
    assert stats(users[0])[0] == 0 and stats(users[0])[1] == 6  # 11 minus users 1-5
    exact()


def test_raw_sql_insert_update_delete(exact):
    a, b, c = UserFactory.create_batch(3)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO counters_follow (follower_id, followed_id) VALUES (%s, %s), (%s, %s)",
            [a.pk, b.pk, c.pk, b.pk],
        )
        cursor.execute("INSERT INTO counters_post (author_id, title) SELECT id, 'p' FROM auth_user")
        assert stats(b) == (2, 0, 1)
        cursor.execute(
            "UPDATE counters_follow SET followed_id = %s WHERE follower_id = %s", [c.pk, a.pk]
        )
        assert stats(b)[0] == 1 and stats(c)[0] == 1
        cursor.execute("DELETE FROM counters_post WHERE author_id = %s", [a.pk])
    assert stats(a)[2] == 0
    exact()


def test_copy(exact):
    users = UserFactory.create_batch(5)
    data = "".join(f"{a.pk}\t{b.pk}\n" for a in users for b in users if a != b)
    sql = "COPY counters_follow (follower_id, followed_id) FROM STDIN"
    with connection.cursor() as cursor:
        if hasattr(cursor.cursor, "copy"):  # psycopg 3
            with cursor.copy(sql) as copy:
                copy.write(data)
        else:  # psycopg2
            cursor.cursor.copy_expert(sql, io.StringIO(data))
    assert stats(users[0]) == (4, 4, 0)
    exact()


def test_truncate(exact):
    users = UserFactory.create_batch(4)
    Follow.objects.bulk_create(
        [Follow(follower=a, followed=b) for a in users for b in users if a != b]
    )
    PostFactory.create_batch(3, author=users[0])
    with connection.cursor() as cursor:
        # rows written in this (test) transaction have deferred FK checks pending; run them first
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE counters_follow")
    assert stats(users[0]) == (0, 0, 3)
    assert GlobalStats.current().total_follows == 0
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE counters_post")
    exact()


def test_deleting_a_user_cascades_follows_and_nulls_posts(exact):
    a, b, c = UserFactory.create_batch(3)
    FollowFactory(follower=a, followed=b)
    FollowFactory(follower=b, followed=a)
    FollowFactory(follower=c, followed=a)
    PostFactory.create_batch(2, author=a)
    a.delete()
    assert stats(b) == (0, 0, 0) and stats(c) == (0, 0, 0)
    assert GlobalStats.current().total_follows == 0 and GlobalStats.current().total_posts == 2
    assert not UserStats.objects.filter(pk=a.pk).exists()
    exact()


def test_rollback_leaves_counters_as_they_were(exact):
    a, b = UserFactory.create_batch(2)
    FollowFactory(follower=a, followed=b)
    with pytest.raises(RuntimeError), transaction.atomic():
        Follow.objects.filter(follower=a).delete()
        PostFactory.create_batch(3, author=b)
        raise RuntimeError("roll back")
    assert stats(b) == (1, 0, 0) and stats(a) == (0, 1, 0)
    exact()


def test_failed_statement_changes_no_counter(exact):
    a, b = UserFactory.create_batch(2)
    FollowFactory(follower=a, followed=b)
    with pytest.raises(IntegrityError), transaction.atomic():
        # the second row duplicates the first: the whole statement fails, no counter moves
        Follow.objects.bulk_create([Follow(follower=b, followed=a), Follow(follower=a, followed=b)])
    assert stats(a) == (0, 1, 0)
    exact()


def test_self_follow_refused_via_orm_and_raw_sql():
    a = UserFactory()
    with pytest.raises(IntegrityError, match="no_self_follow"), transaction.atomic():
        Follow.objects.create(follower=a, followed=a)
    with pytest.raises(IntegrityError, match="no_self_follow"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO counters_follow (follower_id, followed_id) VALUES (%s, %s)",
                [a.pk, a.pk],
            )
    assert stats(a) == (0, 0, 0)


def test_duplicate_follow_refused_via_orm_and_raw_sql():
    a, b = UserFactory.create_batch(2)
    FollowFactory(follower=a, followed=b)
    with pytest.raises(IntegrityError, match="follow_once"), transaction.atomic():
        Follow.objects.create(follower=a, followed=b)
    with pytest.raises(IntegrityError, match="follow_once"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO counters_follow (follower_id, followed_id) VALUES (%s, %s)",
                [a.pk, b.pk],
            )
    assert stats(b) == (1, 0, 0)


def test_hand_writes_of_trigger_kept_counters_keep_the_counted_value(exact):
    """A hand write of a kept counter cannot count twice: UPDATEs keep the old value, INSERTs start
    at 0, from the ORM and from raw SQL alike; the rest of the row is written as asked."""
    a, b = UserFactory.create_batch(2)
    FollowFactory(follower=a, followed=b)
    UserStats.objects.filter(pk=b.pk).update(
        followers_count=F("followers_count") + 1, profile_views=F("profile_views") + 1
    )
    assert stats(b)[0] == 1 and UserStats.objects.get(pk=b.pk).profile_views == 1
    with connection.cursor() as cursor:
        cursor.execute("UPDATE counters_globalstats SET total_follows = total_follows + 1")
    assert GlobalStats.current().total_follows == 1
    fresh = UserFactory()
    UserStats.objects.create(user=fresh, posts_count=3, profile_views=2)
    row = UserStats.objects.get(pk=fresh.pk)
    assert (row.posts_count, row.profile_views) == (0, 2)
    exact()


def test_save_of_a_stale_instance_just_works(exact):
    """The most common line of Django: load, change another field, save. Counters that moved in
    between stay as the triggers counted them."""
    a, b, c = UserFactory.create_batch(3)
    FollowFactory(follower=a, followed=b)
    stale = UserStats.objects.get(pk=b.pk)
    FollowFactory(follower=c, followed=b)  # elsewhere, meanwhile
    stale.profile_views = 7
    stale.save()
    fresh = UserStats.objects.get(pk=b.pk)
    assert (fresh.followers_count, fresh.profile_views) == (2, 7)
    stale.save(update_fields=["followers_count"])  # even naming the counter changes nothing
    assert stats(b)[0] == 2
    exact()


def test_unguarded_allows_a_deliberate_repair():
    a, b = UserFactory.create_batch(2)
    FollowFactory(follower=a, followed=b)
    import counters

    counters.fold()  # a repair writes the column; deltas still pending would add on top
    with counters.unguarded():
        UserStats.objects.filter(pk=b.pk).update(followers_count=42)
    assert stats(b)[0] == 42
    UserStats.objects.filter(pk=b.pk).update(followers_count=1)  # guarded again afterwards
    assert stats(b)[0] == 42

"""counters.reading: every documented read adds what is pending, for every kind of counter, also
for rows that do not exist yet."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import QuerySet

import counters
from counters.reading import pending_values
from counters.social.models import Follow, Post, UserStats, with_counts
from tests.factories import UserFactory
from tests.utils import another_writer_creating

pytestmark = pytest.mark.django_db


def test_with_counts_reads_every_counter_of_a_list_of_users():
    ann, bob, cyd = UserFactory.create_batch(3)
    UserStats.objects.bulk_create([UserStats(user=u) for u in (ann, bob, cyd)])
    with counters.deferred():  # pending deltas: the reads must add them
        Follow.objects.create(follower=bob, followed=ann)
        Follow.objects.create(follower=cyd, followed=ann)
        first = Post.objects.create(author=ann, title="one")
        latest = Post.objects.create(author=ann, title="two")
    counters.increment(UserStats.objects.for_user(ann), "profile_views", by=3)
    rows = {
        u.pk: u
        for u in with_counts(get_user_model().objects.filter(pk__in=[ann.pk, bob.pk, cyd.pk]))
    }
    assert (rows[ann.pk].followers_count, rows[ann.pk].posts_count) == (2, 2)
    assert rows[ann.pk].last_post_at == latest.created_at > first.created_at
    assert rows[ann.pk].profile_views == 3
    assert (rows[bob.pk].following_count, rows[bob.pk].last_post_at) == (1, None)
    with connection.cursor() as cursor:  # the column alone: nothing folded yet
        cursor.execute(
            "SELECT followers_count, last_post_at FROM user_stats WHERE user_id = %s", [ann.pk]
        )
        assert cursor.fetchone() == (0, None)
    stored = QuerySet(UserStats).get(pk=ann.pk)  # any queryset reads the pending deltas too
    assert stored.followers_count == 2 and stored.last_post_at == latest.created_at
    with counters.deferred():
        latest.delete()  # the latest leaves: recomputed at read time, before any fold
    again = with_counts(get_user_model().objects.filter(pk=ann.pk)).get()
    assert again.last_post_at == first.created_at


def test_a_user_without_a_stats_row_reads_zeros_plus_what_is_pending():
    ann, bob = UserFactory.create_batch(2)
    assert pending_values(UserStats, ann.pk) == {
        "followers_count": 0,
        "following_count": 0,
        "last_post_at": None,
        "posts_count": 0,
    }
    with another_writer_creating(UserStats, ann.pk):  # its first writer's create is ahead
        post = Post.objects.create(author=ann, title="x")
    assert not UserStats.objects.filter(pk=ann.pk).exists()
    found = UserStats.objects.for_user(ann)
    assert found.pk == ann.pk and found._state.adding  # unsaved: nothing to read from
    assert (found.posts_count, found.last_post_at) == (1, post.created_at)
    assert UserStats.objects.for_user(bob).posts_count == 0


def test_a_model_without_trigger_kept_counters_reads_nothing_pending():
    from tests.testapp.models import Shelf  # event counters only: nothing is ever pending

    assert pending_values(Shelf, 1) == {}


def test_exact_reads_are_wired_once_and_with_pending_is_the_queryset_itself():
    from counters.core import registry
    from counters.reading import exact_reads, with_pending

    field = UserStats._meta.get_field("followers_count")
    wired = field.select_format
    exact_reads(registry.counters_on(UserStats))  # again, as a second AppConfig.ready() would
    assert field.select_format is wired
    star, fan = UserFactory.create_batch(2)
    with counters.deferred():
        Follow.objects.create(follower=fan, followed=star)
    queryset = UserStats.objects.filter(pk=star.pk)
    assert with_pending(queryset) is queryset
    assert queryset.get().followers_count == 1  # read once, plus what is pending

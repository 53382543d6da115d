"""Concurrent writers, each in its own thread with its own connection, never lose or double a count."""

from __future__ import annotations

import random

import pytest
from django.db import IntegrityError, connection, transaction

import counters
from counters.social.models import Follow, GlobalStats, UserStats
from tests.factories import UserFactory
from tests.utils import run_threads

pytestmark = pytest.mark.django_db(transaction=True)


def deadlocks_so_far() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_16_threads_follow_one_user_at_once(exact):
    celebrity = UserFactory()
    fans = UserFactory.create_batch(16 * 5)

    def follow(index: int) -> None:
        for fan in fans[index * 5 : index * 5 + 5]:
            Follow.objects.create(follower=fan, followed=celebrity)

    assert run_threads(16, follow) == []
    assert UserStats.objects.get(pk=celebrity.pk).followers_count == 80
    assert GlobalStats.current().total_follows == 80
    exact()


def test_8_threads_creating_and_deleting_mutual_follows_never_deadlock(exact):
    users = UserFactory.create_batch(6)
    pairs = [(a, b) for a in users for b in users if a != b]
    before = deadlocks_so_far()

    def churn(index: int) -> None:
        rng = random.Random(index)
        for _ in range(40):
            # a statement touching both users of a pair, in a random direction: A->B and B->A
            # source rows in one order (unique-index waits on the follow rows themselves could
            # deadlock otherwise, counters or not); the counter rows they touch are in any order
            picked = sorted(rng.sample(pairs, 3), key=lambda pair: (pair[0].pk, pair[1].pk))
            with transaction.atomic():
                Follow.objects.filter(
                    follower__in=[a for a, _ in picked], followed__in=[b for _, b in picked]
                ).delete()
            Follow.objects.bulk_create(
                [Follow(follower=a, followed=b) for a, b in picked], ignore_conflicts=True
            )
            # the classic case: one row, A follows B while another thread has B follow A
            a, b = rng.choice(pairs)
            try:
                with transaction.atomic():
                    Follow.objects.create(follower=a, followed=b)
            except IntegrityError:  # already following: unfollow instead
                Follow.objects.filter(follower=a, followed=b).delete()

    assert run_threads(8, churn) == []
    assert deadlocks_so_far() == before
    exact()


def test_8_threads_bumping_profile_views_are_exact():
    user = UserFactory()

    def bump(index: int) -> None:
        stats = UserStats(user_id=user.pk)
        for _ in range(25):
            counters.increment(stats, "profile_views")

    assert run_threads(8, bump) == []
    assert UserStats.objects.get(pk=user.pk).profile_views == 200

"""Shared fixtures. Every test runs against the real PostgreSQL server the project uses."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections

# project.asgi (served in the live tests) starts the demo's folder thread; tests fold themselves
os.environ.setdefault("COUNTERS_DEMO_FOLDER", "0")

from tests.browser import page  # noqa: F401,E402 - the headless Chromium fixture
from tests.live import asgi_server  # noqa: F401,E402 - uvicorn on the test database

# The built-in social models are imported where they are used: the engine-alone run
# (tests/settings_engine.py) has no counters.social app.


def true_user_counts() -> dict[int, tuple[int, int, int]]:
    """(followers, following, posts) per user, by COUNT(*) straight from the source tables."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT u.id,
                   (SELECT count(*) FROM counters_follow f WHERE f.followed_id = u.id),
                   (SELECT count(*) FROM counters_follow f WHERE f.follower_id = u.id),
                   (SELECT count(*) FROM counters_post p WHERE p.author_id = u.id)
            FROM auth_user u
            """
        )
        return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


def cached_user_counts() -> dict[int, tuple[int, int, int]]:
    """The same triple as the cache says (a user without a stats row reads as zeros)."""
    from counters.social.models import UserStats

    users = get_user_model().objects.values_list("id", flat=True)
    stats = {
        s.user_id: (s.followers_count, s.following_count, s.posts_count)
        for s in UserStats.objects.all()
    }
    return {user_id: stats.get(user_id, (0, 0, 0)) for user_id in users}


def assert_exact() -> None:
    """Every user counter and both site totals equal COUNT(*)."""
    from counters.social.models import Follow, GlobalStats, Post

    assert cached_user_counts() == true_user_counts()
    totals = GlobalStats.current()
    assert (totals.total_follows, totals.total_posts) == (
        Follow.objects.count(),
        Post.objects.count(),
    )


def inject(sql: str, params: object = ()) -> None:
    """Make drift the way a restore or a trigger-less loader would: raw SQL past the guard, on
    columns folded first (so the value written is the whole value, with nothing pending on top)."""
    import counters

    counters.fold()
    with counters.unguarded(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def random_graph(users: int, follows_each: int, posts: int, seed: int) -> list:
    """``users`` users following ``follows_each`` random others each, and ``posts`` posts."""
    import random

    from counters.social.models import Follow, Post
    from tests.factories import UserFactory

    people = UserFactory.create_batch(users)
    rng = random.Random(seed)
    Follow.objects.bulk_create(
        [
            Follow(follower=a, followed=b)
            for a in people
            for b in rng.sample(people, follows_each)
            if a != b
        ]
    )
    Post.objects.bulk_create([Post(author=rng.choice(people), title=str(i)) for i in range(posts)])
    return people


@pytest.fixture
def exact() -> Callable[[], None]:
    return assert_exact


def run_threads(count: int, work: Callable[[int], None]) -> list[BaseException]:
    """Run ``work(i)`` in ``count`` threads at once (each with its own connection); their errors."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def runner(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer thread hung"
    return errors


@pytest.fixture
def writers_do_not_fold():
    """Writers fold now and then by themselves (one statement in 64): tests that look at pending
    deltas announce a dedicated folder from another connection, so writers leave them be."""
    from counters.folding import FOLDER_PRESENT
    from tests.utils import OtherClient

    with OtherClient() as folder:
        folder.execute("SELECT pg_advisory_lock(%s)", [FOLDER_PRESENT])
        yield

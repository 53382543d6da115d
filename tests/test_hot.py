"""Hot counters: deltas for a busy row go to slot rows instead of waiting; nothing is lost."""

from __future__ import annotations

import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction

import counters
from counters import registry
from counters.declarations import Count
from counters.folding import fold
from counters.models import CounterSlot
from counters.social.models import Follow, GlobalStats, Post, UserStats, with_counts
from tests.conftest import assert_exact, run_threads
from tests.factories import UserFactory
from tests.testapp.models import Answer, Profile, QuizSession
from tests.utils import OtherClient

pytestmark = pytest.mark.django_db(transaction=True)


def slow_writer(follower, followed) -> HeldRow:
    """Another client in the middle of a transaction that follows ``followed``: it is landing on
    ``followed``'s stats row (and the totals row) and holds them until it ends."""
    return HeldRow(
        "INSERT INTO counters_follow (follower_id, followed_id) VALUES (%s, %s)",
        [follower.pk, followed.pk],
    )


class HeldRow:
    """Runs a statement in another connection and keeps its transaction open."""

    def __init__(self, sql: str, params: list) -> None:
        self.conn = OtherClient(autocommit=False)
        self.conn.execute(sql, params)

    def release(self) -> None:
        self.conn.rollback()
        self.conn.close()


def in_background(work) -> threading.Event:  # noqa: ANN001
    """Run ``work()`` in a thread with its own connection; the event is set when it has ended."""
    done = threading.Event()

    def runner() -> None:
        try:
            work()
        finally:
            from django.db import connections

            connections.close_all()
            done.set()

    threading.Thread(target=runner).start()
    return done


def followers(user) -> int:
    return UserStats.objects.for_user(user).followers_count


def test_a_busy_row_does_not_block_the_writer_and_reads_stay_exact():
    star, fan, other, slow = UserFactory.create_batch(4)
    Follow.objects.create(follower=other, followed=star)  # creates star's row and the totals row
    held = slow_writer(slow, star)
    try:
        done = in_background(lambda: Follow.objects.create(follower=fan, followed=star))
        assert done.wait(10), "the writer waited on the busy row"
        slots = CounterSlot.objects.filter(
            counter="counters_social.UserStats.followers_count", key=star.pk
        )
        assert [s.delta for s in slots] == [1]
        assert followers(star) == 2  # main row 1 + slot 1 (the slow writer has not committed)
        assert with_counts(get_user_model().objects.filter(pk=star.pk)).get().followers_count == 2
        assert star.stats.followers_count == 2
    finally:
        held.release()  # the slow writer rolls back
    assert UserStats.objects.filter(pk=star.pk).values_list("followers_count", flat=True)[0] == 2
    report = counters.fold()  # the documented public name
    assert report.folded["counters_social.UserStats.followers_count"] == 1
    assert not CounterSlot.objects.exists()
    star.stats.refresh_from_db()
    assert star.stats.followers_count == 2
    assert_exact()


def test_unslotted_counters_of_a_busy_row_wait_and_slotted_ones_do_not():
    """Profile.answers_count has slots, correct_answers_count (same row) has none."""
    user = UserFactory()
    session = QuizSession.objects.create(user=user)
    Answer.objects.create(session=session)  # creates the profile row
    held = HeldRow("SELECT 1 FROM testapp_profile WHERE user_id = %s FOR UPDATE", [user.pk])
    try:
        wrong = in_background(lambda: Answer.objects.create(session=session, correct=False))
        assert wrong.wait(10), "a slotted-only delta waited on the busy row"
        correct = in_background(lambda: Answer.objects.create(session=session, correct=True))
        assert not correct.wait(1), "an unslotted counter skipped its row lock"
    finally:
        held.release()
    assert correct.wait(10)
    profile = Profile.objects.get(pk=user.pk)
    pending = CounterSlot.objects.filter(counter="testapp.Profile.answers_count").count()
    assert pending == 1 and profile.correct_answers_count == 1
    assert profile.answers_count == 3  # read through CounterManager: the row's 2 + one slot
    with connection.cursor() as cursor:
        cursor.execute("SELECT answers_count FROM testapp_profile WHERE user_id = %s", [user.pk])
        assert cursor.fetchone()[0] == 2
    assert not counters.check(["testapp.Profile"]).drifted


def test_16_threads_following_one_celebrity_are_exact_without_deadlock():
    star = UserFactory()
    fans = UserFactory.create_batch(16 * 6)
    Follow.objects.create(follower=fans[0], followed=star)

    def follow(index: int) -> None:
        for fan in fans[index * 6 : index * 6 + 6]:
            if fan != fans[0]:
                Follow.objects.create(follower=fan, followed=star)

    assert run_threads(16, follow) == []
    assert followers(star) == 16 * 6
    assert GlobalStats.current().total_follows == 16 * 6
    assert_exact()
    fold()
    assert UserStats.objects.filter(pk=star.pk).values_list("followers_count", flat=True)[0] == 96
    assert_exact()


def test_16_threads_writing_posts_keep_the_site_totals_exact():
    authors = UserFactory.create_batch(16)

    def write(index: int) -> None:
        for i in range(8):
            Post.objects.create(author=authors[index], title=f"{index}-{i}")

    assert run_threads(16, write) == []
    assert GlobalStats.current().total_posts == 128
    assert_exact()


def test_folding_while_writers_run_loses_nothing():
    star = UserFactory()
    fans = UserFactory.create_batch(8 * 10)
    stop = threading.Event()

    def work(index: int) -> None:
        if index == 8:
            while not stop.is_set():
                fold()
                time.sleep(0.01)
            return
        try:
            for fan in fans[index * 10 : index * 10 + 10]:
                Follow.objects.create(follower=fan, followed=star)
                Post.objects.create(author=fan, title="x")
        finally:
            if index == 0:
                time.sleep(0.2)
                stop.set()

    assert run_threads(9, work) == []
    fold()
    assert followers(star) == 80 and GlobalStats.current().total_posts == 80
    assert_exact()


def test_a_rollback_leaves_slots_as_they_were():
    star, a, b, slow = UserFactory.create_batch(4)
    Follow.objects.create(follower=a, followed=star)
    held = slow_writer(slow, star)
    try:
        with OtherClient(autocommit=False) as other:
            other.execute(
                "INSERT INTO counters_follow (follower_id, followed_id) VALUES (%s, %s)",
                [b.pk, star.pk],
            )
            [(pending,)] = other.execute(
                "SELECT sum(delta) FROM counters_slot WHERE counter = %s AND key = %s",
                ["counters_social.UserStats.followers_count", star.pk],
            )
            assert pending == 1  # it went to a slot...
            other.rollback()  # ...and the rollback takes it back
        assert not CounterSlot.objects.filter(key=star.pk).exists()
    finally:
        held.release()
    assert followers(star) == 1
    assert_exact()


def test_recount_and_check_see_slots_and_fold_them():
    star, fan = UserFactory.create_batch(2)
    Follow.objects.create(follower=fan, followed=star)
    with counters.unguarded():
        CounterSlot.objects.create(
            counter="counters_social.UserStats.followers_count", key=star.pk, slot=3, delta=5
        )
    report = counters.check(["counters_social.UserStats.followers_count"])
    assert report.counters[0].examples == [{"key": star.pk, "cached": 6, "true": 1}]
    counters.recount(["counters_social.UserStats"])
    assert not CounterSlot.objects.exists()
    assert followers(star) == 1
    assert not counters.check().drifted


def test_truncate_clears_slots():
    star, fan = UserFactory.create_batch(2)
    Follow.objects.create(follower=fan, followed=star)
    CounterSlot.objects.create(
        counter="counters_social.UserStats.followers_count", key=star.pk, slot=0, delta=1
    )
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE counters_follow")
    assert followers(star) == 0 and not CounterSlot.objects.exists()


def test_a_row_held_by_a_non_writer_is_waited_for_in_order():
    """A recount or a manual lock does not claim rows: writers wait for it (never skip)."""
    star, fan = UserFactory.create_batch(2)
    Follow.objects.create(follower=UserFactory(), followed=star)
    held = HeldRow("SELECT 1 FROM user_stats WHERE user_id = %s FOR UPDATE", [star.pk])
    try:
        finished = in_background(lambda: Follow.objects.create(follower=fan, followed=star))
        assert not finished.wait(1)
    finally:
        held.release()
    assert finished.wait(10)
    assert followers(star) == 2
    assert_exact()


def test_slots_can_be_switched_off_per_session():
    star, fan, slow = UserFactory.create_batch(3)
    Follow.objects.create(follower=UserFactory(), followed=star)
    held = slow_writer(slow, star)

    def follow() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL counters.slots = off")
            Follow.objects.create(follower=fan, followed=star)

    try:
        finished = in_background(follow)
        assert not finished.wait(1), "with slots off the writer must wait for the row"
    finally:
        held.release()
    assert finished.wait(10)
    assert not CounterSlot.objects.exists() and followers(star) == 2


def test_orphaned_slots_are_removed_by_fold():
    star = UserFactory()
    CounterSlot.objects.create(
        counter="counters_social.UserStats.followers_count", key=star.pk, slot=0, delta=4
    )
    star.delete()
    report = fold(["counters_social.UserStats.followers_count"])
    assert report.orphans["counters_social.UserStats.followers_count"] == 1
    assert not CounterSlot.objects.exists()


def test_slots_declaration_is_checked():
    bad = registry.resolve_all(
        [
            (QuizSession, Count("answers_count", source=Answer, path="session", slots=4)),
            (GlobalStats, Count("total_posts", source=Post, slots=-1)),
            (GlobalStats, Count("total_follows", source=Follow, slots=1000)),
        ]
    )
    assert [p.id for p in bad.problems] == ["counters.E010"] * 3
    good = registry.resolve_all([(GlobalStats, Count("total_posts", source=Post))])
    assert good.counters[0].slots == 16  # the default for single-row totals
    assert registry.get_counter(UserStats, "following_count").slots == 4
    assert registry.get_counter(Profile, "correct_answers_count").slots == 0  # not declared

"""Never the reason an application's transaction fails: what the library does inside a user's
statement survives Django's delete cascades, REPEATABLE READ, a short statement_timeout whatever
the backlog, and transactions that cross on a path's middle model; a counted write with nobody
else on its rows leaves nothing pending."""

from __future__ import annotations

import random
import threading
import time

import pytest
from django.contrib.auth import get_user_model
from django.db import OperationalError, connection, transaction

import counters
from counters.core.registry import counters_on
from counters.models import CounterDelta
from counters.social.models import Follow, GlobalStats, Post, UserStats
from tests.factories import UserFactory
from tests.testapp.models import Answer, Profile, QuizSession
from tests.utils import OtherClient, assert_exact, run_threads

User = get_user_model()


def columns_alone_are_exact() -> None:
    assert_exact(UserStats, GlobalStats, folded=True)


@pytest.mark.django_db
def test_a_single_writer_leaves_nothing_pending_and_the_columns_are_the_counts():
    users = UserFactory.create_batch(12)
    rng = random.Random(5)
    for _ in range(300):  # creates, deletes, moves, bulk statements, one writer
        a, b = rng.sample(users, 2)
        if not Follow.objects.filter(follower=a, followed=b).delete()[0]:
            Follow.objects.create(follower=a, followed=b)
        Post.objects.create(author=a, title="x")
    Post.objects.filter(author__in=users[:3]).update(author=users[4])
    Follow.objects.bulk_create(
        [Follow(follower=users[0], followed=u) for u in users[1:]], ignore_conflicts=True
    )
    Post.objects.filter(author=users[5]).delete()
    assert not CounterDelta.objects.exists()
    columns_alone_are_exact()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_deleting_users_with_their_follows_posts_and_stats_row_never_fails():
    """Django's cascade deletes the follows, nulls the posts and deletes the stats row in one
    transaction; a writer's fold once re-created the stats row there (IntegerityError at
    commit, 5 times in 150)."""
    stars = UserFactory.create_batch(3)
    failures = []
    for i in range(500):
        user = User.objects.create(username=f"leaving{i}")
        Follow.objects.create(follower=user, followed=stars[i % 3])
        Follow.objects.create(follower=stars[(i + 1) % 3], followed=user)
        Post.objects.create(author=user, title="x")
        with counters.deferred():  # pending deltas on the rows the cascade touches
            Follow.objects.create(follower=stars[(i + 2) % 3], followed=user)
            Post.objects.create(author=user, title="y")
        try:
            with transaction.atomic():
                user.delete()
        except Exception as exc:  # noqa: BLE001 - counted, then reported
            failures.append(exc)
    assert failures == []
    assert not UserStats.objects.filter(user__username__startswith="leaving").exists()
    assert_exact()
    counters.fold()
    columns_alone_are_exact()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_repeatable_read_writers_never_fail_because_of_the_library():
    """8 writers in REPEATABLE READ transactions for 10 s, each on rows of its own plus the site
    totals every one of them counts into: the same transactions fail nowhere without counters,
    so every serialization failure would be the library's."""
    users = UserFactory.create_batch(24)
    Post.objects.bulk_create([Post(author=u, title="first") for u in users])  # rows exist
    failures: list[BaseException] = []
    done = [0]
    stop = time.monotonic() + 10

    def work(index: int) -> None:
        rng = random.Random(index)
        mine = users[index * 3 : index * 3 + 3]
        while time.monotonic() < stop:
            try:
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    a, b = rng.sample(mine, 2)
                    if not Follow.objects.filter(follower=a, followed=b).delete()[0]:
                        Follow.objects.create(follower=a, followed=b)
                    Post.objects.create(author=a, title="x")
                    UserStats.objects.get(pk=a.pk)  # a read in the same snapshot
                done[0] += 1
            except OperationalError as exc:
                failures.append(exc)

    assert run_threads(8, work) == []
    assert failures == [], failures[:3]
    assert done[0] > 100
    assert_exact()
    counters.fold()
    columns_alone_are_exact()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_single_row_writes_under_a_50ms_statement_timeout_with_a_200k_row_backlog():
    users = UserFactory.create_batch(200)
    Post.objects.bulk_create([Post(author=u, title="first") for u in users])  # rows exist
    ids = {c.field.name: c.id for c in counters_on(UserStats)}
    total = next(c.id for c in counters_on(GlobalStats) if c.field.name == "total_follows")
    with connection.cursor() as cursor:  # 200,000 pending rows that add up to nothing: 1,000
        # per user on followers_count (+1 and -1), and 0 on the follows total
        cursor.execute(
            "INSERT INTO counters_delta (counter, key, delta) "
            "SELECT %s, u.id::text, CASE WHEN g %% 2 = 0 THEN 1 ELSE -1 END "
            "FROM auth_user AS u, generate_series(1, 1000) AS g WHERE u.id = ANY(%s)",
            [ids["followers_count"], [u.pk for u in users]],
        )
        cursor.execute(
            "INSERT INTO counters_delta (counter, key, delta) "
            "SELECT %s, '1', CASE WHEN g %% 2 = 0 THEN 1 ELSE -1 END "
            "FROM generate_series(1, 2000) AS g",
            [total],
        )
        cursor.execute("SELECT count(*) FROM counters_delta")
        assert cursor.fetchone()[0] >= 200_000
    rng = random.Random(9)
    cancelled = 0
    with connection.cursor() as cursor:
        cursor.execute("SET statement_timeout = '50ms'")
    try:
        for _ in range(1000):
            a, b = rng.sample(users, 2)
            try:
                with transaction.atomic():
                    if not Follow.objects.filter(follower=a, followed=b).delete()[0]:
                        Follow.objects.create(follower=a, followed=b)
            except OperationalError:
                cancelled += 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET statement_timeout")
    assert cancelled == 0
    assert_exact()


@pytest.mark.django_db(transaction=True)
def test_two_transactions_crossing_on_a_paths_middle_model_never_wait_for_each_other():
    """answer -> session -> user: an ordinary update of a session (its title) and a counted
    answer on the same session, in two transactions that cross, as plain foreign keys allow
    (the library used to lock the session FOR SHARE: "deadlock detected" after 1.3 s)."""
    u1, u2 = UserFactory.create_batch(2)
    s1, s2 = QuizSession.objects.create(user=u1), QuizSession.objects.create(user=u2)
    answer = f"INSERT INTO {Answer._meta.db_table} (session_id, correct) VALUES (%s, true)"
    session = f"UPDATE {QuizSession._meta.db_table} SET title = %s WHERE id = %s"
    with OtherClient(autocommit=False) as one, OtherClient(autocommit=False) as two:
        for client in (one, two):  # a wait fails at once instead of hanging the test
            client.execute("SET lock_timeout = '2s'")
        one.execute(session, ["one", s1.pk])
        two.execute(answer, [s1.pk])  # the session is held by one: counted without waiting
        two.execute(session, ["two", s2.pk])
        one.execute(answer, [s2.pk])  # and the other way round
        one.wrapper.commit()
        two.wrapper.commit()
    assert QuizSession.objects.get(pk=s1.pk).answers_count == 1
    assert Profile.objects.get(pk=u1.pk).answers_count == 1
    assert Profile.objects.get(pk=u2.pk).answers_count == 1
    assert_exact(QuizSession, Profile)


@pytest.mark.django_db(transaction=True)
def test_a_move_of_the_middle_row_and_a_counted_write_through_it_stay_exact():
    """A session moved to another user while an answer to it is being counted: the move waits
    for the answer's transaction (which read the session as it was), then moves its count."""
    u1, u2 = UserFactory.create_batch(2)
    s1 = QuizSession.objects.create(user=u1)
    Answer.objects.create(session=s1)
    moved = threading.Event()
    errors: list[BaseException] = []

    def move() -> None:
        try:
            with OtherClient() as mover:
                mover.execute("SET lock_timeout = '20s'")
                mover.execute(
                    f"UPDATE {QuizSession._meta.db_table} SET user_id = %s WHERE id = %s",
                    [u2.pk, s1.pk],
                )
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            moved.set()

    with OtherClient(autocommit=False) as writer:
        writer.execute(
            f"INSERT INTO {Answer._meta.db_table} (session_id, correct) VALUES (%s, false)",
            [s1.pk],
        )
        thread = threading.Thread(target=move)
        thread.start()
        with OtherClient() as watcher:  # the move waits for the writer's transaction
            deadline = time.monotonic() + 20
            while not watcher.execute(
                "SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE %s",
                [f"UPDATE {QuizSession._meta.db_table}%"],
            ):
                assert time.monotonic() < deadline and not moved.is_set(), errors
                time.sleep(0.01)
        writer.wrapper.commit()
    thread.join(30)
    assert errors == []
    assert Profile.objects.get(pk=u1.pk).answers_count == 0
    assert Profile.objects.get(pk=u2.pk).answers_count == 2
    assert_exact(QuizSession, Profile)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_counters_fold_folds_20k_pending_keys_and_creates_their_rows_in_one_call():
    """20,000 users counted for the first time by a REPEATABLE READ writer (which appends and
    creates no row): ``SELECT counters_fold()`` creates their rows and folds every delta in one
    transaction without filling the server's lock table ("out of shared memory" before)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, "
            "email, is_staff, is_active, date_joined) SELECT '', false, 'many' || g, '', '', '', "
            "false, true, now() FROM generate_series(1, 20000) AS g"
        )
    with OtherClient(autocommit=False) as writer:
        writer.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        writer.execute(
            f"INSERT INTO {Post._meta.db_table} (author_id, title, body, created_at) "
            "SELECT id, 'x', '', now() FROM auth_user WHERE username LIKE 'many%%'"
        )
        writer.wrapper.commit()
    assert not UserStats.objects.filter(user__username__startswith="many").exists()
    assert CounterDelta.objects.values("key").distinct().count() > 20_000
    with connection.cursor() as cursor:
        cursor.execute("SELECT counters_fold()")
        assert cursor.fetchone()[0] > 20_000
    assert not CounterDelta.objects.exists()
    assert UserStats.objects.filter(user__username__startswith="many", posts_count=1).count() == (
        20_000
    )
    columns_alone_are_exact()


@pytest.mark.django_db
def test_a_counter_over_a_trigger_kept_column_is_exact_at_every_step_without_a_fold():
    """QuizTotals counts the profiles whose answers_count (itself kept by triggers) is above 0:
    each step's column must already be right, with nothing pending and no fold."""
    from tests.testapp.models import QuizTotals

    def column() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT answering_profiles FROM testapp_quiztotals")
            row = cursor.fetchone()
        return row[0] if row else 0

    def truth() -> int:
        return Profile.objects.filter(answers_count__gt=0).count()

    u1, u2 = UserFactory.create_batch(2)
    s1, s2 = QuizSession.objects.create(user=u1), QuizSession.objects.create(user=u2)
    steps = [
        lambda: Answer.objects.create(session=s1),  # u1's profile row is created with 1
        lambda: Answer.objects.create(session=s1),
        lambda: Answer.objects.bulk_create([Answer(session=s2) for _ in range(3)]),
        lambda: Answer.objects.filter(session=s1).delete(),  # u1 back to 0
        lambda: QuizSession.objects.filter(pk=s2.pk).update(user=u1),  # answers move to u1
        lambda: Answer.objects.all().delete(),
    ]
    seen = []
    for step in steps:
        step()
        seen.append((column(), truth()))
    assert seen == [(1, 1), (1, 1), (2, 2), (1, 1), (1, 1), (0, 0)]
    assert not CounterDelta.objects.exists()
    assert QuizTotals.objects.get().answering_profiles == 0

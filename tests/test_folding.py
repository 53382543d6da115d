"""The write path: writers append deltas, folding moves them into the counter columns, reads add
what is pending. Exact with and without a folder, under concurrent writers, folders and recounts."""

from __future__ import annotations

import random
import threading
import time

import pytest
from django.db import connection, connections, transaction

import counters
from counters.core import registry
from counters.core.registry import counters_on
from counters.folding import folder_present
from counters.models import CounterDelta
from counters.social.models import Follow, GlobalStats, Post, UserStats
from tests.factories import UserFactory
from tests.utils import assert_exact, random_graph, run_threads


def pending() -> int:
    return CounterDelta.objects.count()


def toggle_follow(follower, followed) -> None:  # noqa: ANN001
    """Unfollow if following, else follow: one statement that changes the counts either way."""
    deleted, _ = Follow.objects.filter(follower=follower, followed=followed).delete()
    if not deleted:
        Follow.objects.create(follower=follower, followed=followed)


def columns_alone_are_exact() -> None:
    """After a full fold, the columns alone equal COUNT(*) (what a raw SQL reader sees)."""
    assert_exact(UserStats, GlobalStats, folded=True)


@pytest.mark.django_db
def test_writers_update_the_columns_in_place_and_a_rollback_leaves_nothing():
    a, b = UserFactory.create_batch(2)
    Follow.objects.create(follower=a, followed=b)
    assert pending() == 0  # nobody else held the rows: counted in place
    with connection.cursor() as cursor:  # the column alone is the count
        cursor.execute("SELECT followers_count FROM user_stats WHERE user_id = %s", [b.pk])
        assert cursor.fetchone()[0] == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        Follow.objects.create(follower=b, followed=a)
        Post.objects.create(author=a, title="x")
        raise RuntimeError
    assert pending() == 0
    columns_alone_are_exact()


@pytest.mark.django_db
def test_deferred_writers_append_and_a_rollback_leaves_nothing():
    a, b = UserFactory.create_batch(2)
    Follow.objects.create(follower=b, followed=a)  # creates both stats rows
    with counters.deferred():
        Follow.objects.create(follower=a, followed=b)
    ids = {c.id for c in counters_on(UserStats)}
    rows = list(CounterDelta.objects.filter(counter__in=ids).values_list("key", "delta"))
    assert sorted(rows) == sorted([(str(a.pk), 1), (str(b.pk), 1)])
    with connection.cursor() as cursor:  # the deferred writer did not touch the columns
        cursor.execute("SELECT followers_count FROM user_stats WHERE user_id = %s", [b.pk])
        assert cursor.fetchone()[0] == 0
    assert UserStats.objects.get(pk=b.pk).followers_count == 1  # the read adds the pending delta
    before = pending()
    with pytest.raises(RuntimeError), counters.deferred():
        Post.objects.create(author=b, title="x")
        raise RuntimeError
    assert pending() == before
    fans = UserFactory.create_batch(20)  # a bulk statement takes in the pending deltas of the
    Follow.objects.bulk_create(  # rows it holds (a small one does now and then)
        [Follow(follower=u, followed=t) for u in fans for t in (a, b)]
    )
    assert not CounterDelta.objects.filter(counter__in=ids).exists()
    columns_alone_are_exact()


@pytest.mark.django_db
def test_a_bulk_statement_appends_one_row_per_counter_and_key():
    users = UserFactory.create_batch(10)
    Follow.objects.bulk_create([Follow(follower=users[0], followed=u) for u in users[1:]])
    with counters.deferred():  # every row exists: none is created, none is taken in place
        Follow.objects.bulk_create([Follow(follower=u, followed=users[0]) for u in users[1:]])
    followers = counters_on(UserStats)[0]
    assert followers.field.name == "followers_count"
    assert list(CounterDelta.objects.filter(counter=followers.id).values_list("key", "delta")) == [
        (str(users[0].pk), 9)
    ]
    total = registry.get_counter(GlobalStats, "total_follows")
    assert CounterDelta.objects.filter(counter=total.id).count() == 1
    assert_exact()


@pytest.mark.django_db
def test_deltas_of_deleted_rows_are_dropped_by_the_fold():
    a, b = UserFactory.create_batch(2)
    Follow.objects.create(follower=a, followed=b)
    b.delete()  # its stats row and its follows go; their deltas cancel or are orphaned
    report = counters.fold(["counters_social.UserStats"])
    assert report.left["counters_social.UserStats"] == 0
    assert not UserStats.objects.filter(pk=b.pk).exists()
    columns_alone_are_exact()


@pytest.mark.slow
@pytest.mark.django_db
def test_writers_fold_now_and_then_so_the_backlog_drains_without_a_folder():
    users = UserFactory.create_batch(40)
    rng = random.Random(7)
    with counters.deferred():  # a backlog, as deferred or REPEATABLE READ writers leave one
        for _ in range(300):
            toggle_follow(*rng.sample(users, 2))
    backlog = pending()
    assert backlog > 300
    for _ in range(1200):  # ordinary writers: the rows they hold, and now and then a window
        toggle_follow(*rng.sample(users, 2))
    assert pending() < backlog / 4
    assert_exact()


@pytest.mark.django_db(transaction=True)
def test_exact_while_a_folder_runs_through_every_kind_of_write():
    stop = threading.Event()
    folds = []

    def folder() -> None:
        try:
            while not stop.is_set():
                folds.append(counters.fold(batch_size=50).total)
                time.sleep(0.005)
        finally:
            connections.close_all()

    thread = threading.Thread(target=folder)
    thread.start()
    try:
        users = random_graph(30, 5, 40, seed=11)
        newcomer = UserFactory()
        moved = [Follow.objects.filter(follower=u).first().pk for u in users[:5]]
        Follow.objects.filter(pk__in=moved).update(followed=newcomer)  # one follow each
        Post.objects.filter(author__in=users[:10]).update(author=None)
        Follow.objects.filter(followed__in=users[10:15]).delete()
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO counters_post (author_id, title, body) SELECT id, 'raw', '' "
                "FROM auth_user"
            )
        users[20].delete()
        assert_exact()  # reads are exact whatever the folder has done so far
    finally:
        stop.set()
        thread.join(30)
    assert sum(folds) > 0  # the folder did fold
    assert_exact()
    columns_alone_are_exact()


def deadlocks_so_far() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_writers_folders_and_a_recount_at_once_stay_exact_without_deadlocks():
    users = UserFactory.create_batch(24)
    stars = users[:2]
    before = deadlocks_so_far()
    deadline = time.monotonic() + 4

    def work(index: int) -> None:
        rng = random.Random(index)
        if index == 0:  # a recount, again and again
            while time.monotonic() < deadline:
                counters.recount(["counters_social.UserStats"], batch_size=7)
        elif index in (1, 2):  # two folders
            while time.monotonic() < deadline:
                counters.fold(batch_size=5)
        else:  # writers: two unrelated follows per transaction, in either order
            mine = users[2 + (index - 3) * 3 : 5 + (index - 3) * 3]
            while time.monotonic() < deadline:
                pairs = [(rng.choice(mine), stars[0]), (rng.choice(mine), stars[1])]
                rng.shuffle(pairs)
                with transaction.atomic():
                    for fan, star in pairs:
                        toggle_follow(fan, star)

    assert run_threads(9, work) == []  # a recount, two folders, six writers
    assert Follow.objects.filter(followed__in=stars).exists()
    assert deadlocks_so_far() == before
    assert not counters.check().drifted
    assert_exact()
    columns_alone_are_exact()


@pytest.mark.django_db
def test_exact_views_and_the_fold_function_serve_raw_sql_readers():
    with counters.deferred():
        random_graph(15, 4, 20, seed=5)
    assert pending() > 0
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT count(*) FROM user_stats_exact AS s
            WHERE s.followers_count <> (SELECT count(*) FROM counters_follow AS f
                                        WHERE f.followed_id = s.user_id)
               OR s.following_count <> (SELECT count(*) FROM counters_follow AS f
                                        WHERE f.follower_id = s.user_id)
               OR s.posts_count <> (SELECT count(*) FROM counters_post AS p
                                    WHERE p.author_id = s.user_id)
            """
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM user_stats_exact")
        assert cursor.fetchone()[0] == UserStats.objects.count() > 0
        cursor.execute("SELECT total_follows, total_posts FROM counters_globalstats_exact")
        assert cursor.fetchone() == (Follow.objects.count(), Post.objects.count())
        cursor.execute("SELECT profile_views FROM user_stats_exact LIMIT 1")  # event counters too
        cursor.execute("SELECT counters_fold()")
        assert cursor.fetchone()[0] > 0
        cursor.execute("SELECT counters_fold()")
        assert cursor.fetchone()[0] == 0
    assert pending() == 0
    columns_alone_are_exact()


@pytest.mark.django_db
def test_fold_and_recount_inside_a_transaction_leave_the_guard_on():
    a, b = UserFactory.create_batch(2)
    Follow.objects.create(follower=a, followed=b)
    with transaction.atomic():
        counters.fold()
        counters.recount(["counters_social.UserStats"], ids=[b.pk])
        UserStats.objects.filter(pk=b.pk).update(followers_count=99)  # a hand write, still kept
    assert UserStats.objects.get(pk=b.pk).followers_count == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('counters.unguarded', true)")
        assert cursor.fetchone()[0] in (None, "", "off")


@pytest.mark.django_db(transaction=True)
def test_a_folder_thread_keeps_the_columns_close_behind():
    from counters.folding import Folder

    a, b = UserFactory.create_batch(2)
    Follow.objects.create(follower=b, followed=a)  # their stats rows and the totals row exist
    folder = Folder(interval=0.05).start()
    try:
        with counters.deferred():  # pending deltas: the folder's work
            Follow.objects.create(follower=a, followed=b)
        deadline = time.monotonic() + 10
        # (folded counts once fold() has returned: a moment after its commit empties the table)
        while (pending() or folder.folded < 3 or not folder_present()) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.05)
        assert pending() == 0 and folder.folded >= 3
        assert folder_present()  # its beat: writers leave their folds to it
    finally:
        folder.stop()
    assert not folder_present()  # stopped: forgotten at once, writers fold again
    columns_alone_are_exact()


@pytest.mark.django_db(transaction=True)
def test_a_folder_that_stops_beating_is_forgotten_after_its_ttl():
    """A folder killed without a word (no clean stop) leaves its last beat: writers go on
    leaving the folding to it only until that beat runs out."""
    from tests.utils import OtherClient

    with OtherClient() as folder:
        assert folder.beat_as_folder("killed", ttl=0.3)
        assert folder_present()
        deadline = time.monotonic() + 10
        while folder_present():
            assert time.monotonic() < deadline, "the beat never ran out"
            time.sleep(0.05)
        assert folder.beat_as_folder("next", ttl=60.0)  # a stale beat is no other folder
        folder.forget_folder("next")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_writers_leave_the_folding_to_a_dedicated_folder_when_one_runs():
    from counters.folding import announce_folder
    from tests.utils import OtherClient

    users = UserFactory.create_batch(30)
    rng = random.Random(3)
    with counters.deferred():  # pending deltas on the first 15 users' rows
        for _ in range(200):
            toggle_follow(*rng.sample(users[:15], 2))
    ids = [c.id for c in counters_on(UserStats)]
    backlog = CounterDelta.objects.filter(counter__in=ids).count()
    assert backlog > 0
    with OtherClient() as folder:  # another process says it is the folder (its beat)
        assert not folder_present() and folder.beat_as_folder("elsewhere", ttl=600.0)
        assert folder_present() and not announce_folder(by="second")  # told one runs already
        for _ in range(600):  # about ten writers' folds would happen without the folder
            toggle_follow(*rng.sample(users[15:], 2))
        assert CounterDelta.objects.filter(counter__in=ids).count() == backlog  # none folded
        folder.forget_folder("elsewhere")
        folder.forget_folder("second")
    assert not folder_present()
    for _ in range(600):  # the folder is gone: writers fold now and then again
        toggle_follow(*rng.sample(users[15:], 2))
    assert CounterDelta.objects.filter(counter__in=ids).count() < backlog
    assert_exact()


@pytest.mark.django_db
def test_pgtriggers_ignore_still_works_with_the_cheaper_check():
    import pgtrigger

    with connection.cursor() as cursor:
        cursor.execute("SELECT prosrc FROM pg_proc WHERE proname = '_pgtrigger_should_ignore'")
        (source,) = cursor.fetchone()
    assert "EXCEPTION WHEN" not in source.upper()
    assert "current_setting('pgtrigger.ignore', true)" in source  # missing_ok: no error to catch
    a, b = UserFactory.create_batch(2)
    with pgtrigger.ignore("counters_social.Follow:counters_insert"):
        Follow.objects.create(follower=a, followed=b)  # not counted: the trigger was ignored
    Follow.objects.create(follower=b, followed=a)
    assert UserStats.objects.get(pk=a.pk).followers_count == 1
    assert UserStats.objects.filter(pk=b.pk, followers_count=0).exists() or not (
        UserStats.objects.filter(pk=b.pk).exists()
    )


@pytest.mark.django_db
def test_a_bulk_statement_creates_the_stats_rows_of_many_new_keys():
    users = UserFactory.create_batch(150)  # no stats rows yet
    star = users[0]
    Follow.objects.bulk_create([Follow(follower=u, followed=star) for u in users[1:]])
    assert UserStats.objects.filter(pk__in=[u.pk for u in users]).count() == 150
    assert UserStats.objects.get(pk=star.pk).followers_count == 149
    columns_alone_are_exact()


@pytest.mark.django_db
def test_the_next_writer_creates_a_row_a_skipped_creation_left_missing_with_its_deltas():
    from tests.utils import another_writer_creating

    users = UserFactory.create_batch(6)
    lost = UserFactory()  # no stats row yet
    with another_writer_creating(UserStats, lost.pk):  # (then it rolled back)
        Follow.objects.create(follower=users[0], followed=lost)  # this one does not wait
    assert not UserStats.objects.filter(pk=lost.pk).exists()
    assert UserStats.objects.for_user(lost).followers_count == 1  # the read is exact meanwhile
    Follow.objects.create(follower=users[1], followed=lost)  # the next writer creates it
    with connection.cursor() as cursor:
        cursor.execute("SELECT followers_count FROM user_stats WHERE user_id = %s", [lost.pk])
        assert cursor.fetchone()[0] == 2  # with the deltas the first writer left
    assert not CounterDelta.objects.filter(key=str(lost.pk)).exists()
    assert_exact()


@pytest.mark.django_db(transaction=True)
def test_a_fold_keeps_the_deltas_of_a_row_another_writer_is_creating_and_never_waits_for_it():
    from tests.utils import OtherClient

    a, b, c = UserFactory.create_batch(3)  # no follows yet: no totals row, no stats rows
    with OtherClient(autocommit=False) as other:
        # another writer's first follow creates the totals row and a's and b's stats rows: not
        # committed yet
        other.execute(
            f"INSERT INTO {Follow._meta.db_table} (follower_id, followed_id, created_at) "
            "VALUES (%s, %s, now())",
            [a.pk, b.pk],
        )
        # this writer leaves those rows to it (no waiting) and commits its deltas
        Follow.objects.create(follower=b, followed=c)
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = '5s'")  # waiting for the other writer fails
        try:
            counters.fold()  # sees deltas whose row is not visible yet: keeps them
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET statement_timeout")
        other.wrapper.commit()
    assert GlobalStats.current().total_follows == 2
    counters.fold()
    assert GlobalStats.objects.get().total_follows == 2  # the column alone, once folded
    assert_exact(UserStats, GlobalStats, folded=True)


@pytest.mark.django_db
@pytest.mark.parametrize("size", [0, -1, 2.5, "10", None])
def test_a_fold_batch_size_must_be_a_positive_integer(size):
    with pytest.raises(ValueError) as info:
        counters.fold(batch_size=size)
    assert str(info.value) == f"batch size must be a positive integer, not {size!r}"


@pytest.mark.django_db
@pytest.mark.parametrize("run", [counters.fold, counters.recount])
def test_a_batch_size_of_true_is_refused_like_any_other_non_integer(run):
    with pytest.raises(ValueError, match="batch size must be a positive integer, not True"):
        run(batch_size=True)


@pytest.mark.django_db
@pytest.mark.parametrize(("interval", "backoff"), [(0, 30.0), (-1, 30.0), (0.5, 0), (0.5, -2.0)])
def test_a_folder_needs_a_positive_interval_and_backoff(interval, backoff):
    from counters.folding import Folder

    with pytest.raises(ValueError, match="^interval and max_backoff must be positive$"):
        Folder(interval, max_backoff=backoff)

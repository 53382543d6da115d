"""backfill_counters and the Python recount/check API."""

from __future__ import annotations

import json
import random
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

import counters
from counters.exceptions import RecountInterrupted, TriggersNotInstalled
from counters.social.models import Follow, GlobalStats, Post, UserStats
from tests.factories import UserFactory
from tests.testapp.models import Answer, Profile, QuizSession
from tests.utils import assert_exact, command, inject, random_graph, run_threads

pytestmark = pytest.mark.django_db


def backfill(*args: str) -> tuple[int, str, str]:
    return command("backfill_counters", *args)


@pytest.fixture
def graph():
    return random_graph(20, 6, 50, seed=7)


def test_check_reports_injected_drift_then_backfill_fixes_it(graph):
    victim = graph[3]
    inject(
        "UPDATE user_stats SET followers_count = followers_count + 7 WHERE user_id = %s",
        [victim.pk],
    )
    inject("UPDATE counters_globalstats SET total_posts = 0")
    status, out, _ = backfill("--check")
    assert status == 1
    assert "counters_social.UserStats.followers_count" in out and f"key {victim.pk}" in out
    report = counters.check()
    by_label = {r.label: r for r in report.counters}
    drift = by_label["counters_social.UserStats.followers_count"]
    assert (drift.rows_drifted, drift.largest_drift) == (1, 7)
    assert drift.rows_checked == 20
    assert drift.examples[0]["cached"] - drift.examples[0]["true"] == 7
    assert by_label["counters_social.GlobalStats.total_posts"].examples[0] == {
        "key": 1,
        "cached": 0,
        "true": 50,
    }
    assert backfill()[0] == 0
    status, out, _ = backfill("--check")
    assert status == 0
    assert_exact()


def test_zero_count_targets_are_fixed_and_missing_rows_created(graph):
    lonely = UserFactory()
    inject("UPDATE user_stats SET posts_count = 5 WHERE user_id = %s", [graph[0].pk])
    Post.objects.filter(author=graph[0]).delete()
    inject("DELETE FROM user_stats WHERE user_id = %s", [graph[1].pk])
    report = counters.recount(["counters_social.UserStats"])
    assert report.rows_created == 2  # graph[1] again and the lonely user
    assert UserStats.objects.filter(pk=lonely.pk).exists()
    assert UserStats.objects.get(pk=graph[0].pk).posts_count == 0
    assert UserStats.objects.count() == UserFactory._meta.model.objects.count()
    assert_exact()


def test_ids_limits_the_work_to_given_targets(graph):
    a, b = graph[0], graph[1]
    inject("UPDATE user_stats SET followers_count = 999 WHERE user_id IN (%s, %s)", [a.pk, b.pk])
    status, out, _ = backfill("counters_social.UserStats.followers_count", "--ids", str(a.pk))
    assert status == 0
    assert (
        UserStats.objects.get(pk=a.pk).followers_count == Follow.objects.filter(followed=a).count()
    )
    assert UserStats.objects.get(pk=b.pk).followers_count == 999
    report = counters.check(["counters_social.UserStats"], ids=[a.pk, b.pk])
    assert report.counters[0].rows_checked == 2
    assert [r.rows_drifted for r in report.counters] == [1, 0, 0, 0]


def test_resume_with_start_after(graph):
    ordered = sorted(graph, key=lambda u: u.pk)
    inject("UPDATE user_stats SET following_count = following_count + 1")
    status, _, _ = backfill(
        "counters_social.UserStats", "--start-after", str(ordered[9].pk), "--batch-size", "3"
    )
    assert status == 0
    fixed = {s.pk: s.following_count for s in UserStats.objects.all()}
    for user in ordered[:10]:
        assert fixed[user.pk] == Follow.objects.filter(follower=user).count() + 1  # untouched
    for user in ordered[10:]:
        assert fixed[user.pk] == Follow.objects.filter(follower=user).count()


def test_interrupted_run_keeps_its_committed_batches(graph):
    inject("UPDATE user_stats SET posts_count = posts_count + 2")
    seen = []

    def stop_after_two(progress):
        seen.append(progress.last_key)
        if len(seen) == 2 and progress.target == "counters_social.UserStats":
            raise KeyboardInterrupt

    with pytest.raises(RecountInterrupted) as info:
        counters.recount(["counters_social.UserStats"], batch_size=4, progress=stop_after_two)
    last = info.value.report.last_committed["counters_social.UserStats"]
    assert last == seen[-1]
    drifted = counters.check(["counters_social.UserStats.posts_count"]).counters[0]
    assert drifted.rows_drifted == 20 - 8  # two batches of four committed
    assert all(example["key"] > last for example in drifted.examples)
    counters.recount(["counters_social.UserStats"], start_after=last)
    assert not counters.check().drifted


def test_bad_input_is_a_command_error_and_writes_nothing(graph):
    inject("UPDATE user_stats SET posts_count = 77")
    with pytest.raises(
        CommandError, match="names no counter. Valid labels: .*counters_social.UserStats"
    ):
        call_command("backfill_counters", "counters.Nope")
    with pytest.raises(CommandError, match="positive"):
        call_command("backfill_counters", "--batch-size", "0")
    with pytest.raises(CommandError, match="positive"):
        call_command("backfill_counters", "--batch-size", "-5")
    with pytest.raises(CommandError, match="not a valid key"):
        call_command("backfill_counters", "counters_social.UserStats", "--start-after", "abc")
    with pytest.raises(CommandError, match="one target model"):
        call_command("backfill_counters", "--start-after", "3")
    assert set(UserStats.objects.values_list("posts_count", flat=True)) == {77}


def test_json_report(graph):
    inject(
        "UPDATE user_stats SET followers_count = followers_count + 1 WHERE user_id = %s",
        [graph[0].pk],
    )
    status, out, err = backfill("--check", "--json")
    data = json.loads(out)
    assert status == 1 and data["drifted"] is True and data["fixed"] is False
    assert {c["label"]: c["rows_drifted"] for c in data["counters"]}[
        "counters_social.UserStats.followers_count"
    ] == 1
    assert "largest drift" in err  # the summary table still ends the run


def test_missing_triggers_are_reported_before_anything_runs(graph):
    inject("UPDATE user_stats SET posts_count = 77")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # run the test's pending FK checks first
        cursor.execute("ALTER TABLE counters_post DISABLE TRIGGER USER")
    with pytest.raises(
        TriggersNotInstalled, match="counters_insert on counters_social.Post \\(disabled\\)"
    ):
        counters.recount()
    with pytest.raises(CommandError, match="pgtrigger enable"):
        call_command("backfill_counters")
    assert set(UserStats.objects.values_list("posts_count", flat=True)) == {77}


def test_two_fk_and_update_mode_counters_recount():
    user = UserFactory()
    session = QuizSession.objects.create(user=user)
    Answer.objects.bulk_create([Answer(session=session, correct=True) for _ in range(3)])
    inject("UPDATE testapp_profile SET answers_count = 0, correct_answers_count = 9")
    inject("UPDATE testapp_quizsession SET answers_count = 1")
    assert counters.check(["testapp.Profile", "testapp.QuizSession"]).drifted
    counters.recount(["testapp.Profile", "testapp.QuizSession"])
    profile = Profile.objects.get(pk=user.pk)
    session.refresh_from_db()
    assert (profile.answers_count, profile.correct_answers_count, session.answers_count) == (
        3,
        3,
        3,
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_recount_while_4_threads_write_leaves_zero_drift():
    users = UserFactory.create_batch(40)
    Follow.objects.bulk_create(
        [Follow(follower=a, followed=b) for a in users for b in users[:8] if a != b]
    )
    Post.objects.bulk_create([Post(author=users[i % 40], title="p") for i in range(80)])
    inject("UPDATE user_stats SET followers_count = followers_count + 3, posts_count = 0")
    inject("UPDATE counters_globalstats SET total_follows = total_follows - 5")
    stop = threading.Event()

    def write(index: int) -> None:
        rng = random.Random(index)
        while not stop.is_set():
            a, b = rng.sample(users, 2)
            action = rng.randrange(4)
            if action == 0:
                Follow.objects.bulk_create([Follow(follower=a, followed=b)], ignore_conflicts=True)
            elif action == 1:
                Follow.objects.filter(
                    pk__in=Follow.objects.filter(follower=a).values("pk")[:1]
                ).delete()
            elif action == 2:
                Post.objects.create(author=a, title="new")
            else:  # move rows between targets
                Post.objects.filter(pk__in=Post.objects.filter(author=a).values("pk")[:2]).update(
                    author=b
                )

    def recount_then_stop(index: int) -> None:
        if index < 4:
            write(index)
            return
        try:
            for _ in range(3):
                counters.recount(batch_size=7)
        finally:
            stop.set()

    assert run_threads(5, recount_then_stop) == []
    report = counters.check()
    assert not report.drifted, [r for r in report.counters if r.rows_drifted]
    assert_exact()


def test_summary_and_progress_lines(graph):
    status, out, err = backfill("-v", "2", "--batch-size", "5")
    assert status == 0
    assert "counters_social.UserStats: 5/20 rows, last committed key" in err
    assert out.strip().splitlines()[0].split() == [
        "counter",
        "checked",
        "fixed",
        "largest",
        "drift",
    ]
    assert "Recount complete" in out
    assert GlobalStats.current().total_posts == 50


def test_sample_checks_only_that_many_random_rows(graph):
    inject("UPDATE user_stats SET posts_count = posts_count + 1")
    report = counters.check(["counters_social.UserStats"], sample=5)
    assert [r.rows_checked for r in report.counters] == [5, 5, 5, 5]
    assert {r.label: r.rows_drifted for r in report.counters}[
        "counters_social.UserStats.posts_count"
    ] == 5
    status, out, _ = backfill("counters_social.UserStats", "--check", "--sample", "7")
    row = next(
        line
        for line in out.splitlines()
        if line.startswith("counters_social.UserStats.posts_count ")
    )
    assert status == 1 and row.split()[1:3] == ["7", "7"]  # checked, drifted
    with pytest.raises(ValueError, match="sample must be a positive integer"):
        counters.check(sample=0)


def test_time_limit_stops_after_a_batch_and_resumes_where_it_stopped(graph):
    inject("UPDATE user_stats SET following_count = following_count + 2")
    first = counters.recount(["counters_social.UserStats"], batch_size=6, time_limit=1e-6)
    assert not first.completed and first.counters[0].rows_checked == 6
    resume = first.last_committed["counters_social.UserStats"]
    rest = counters.recount(["counters_social.UserStats"], batch_size=100, start_after=resume)
    assert rest.completed and rest.counters[0].rows_checked == 14
    assert not counters.check().drifted
    with pytest.raises(ValueError, match="time limit must be positive"):
        counters.check(time_limit=0)


def test_empty_ids_check_nothing():
    UserFactory.create_batch(3)
    report = counters.check(["counters_social.UserStats"], ids=[])
    assert [r.rows_checked for r in report.counters] == [0, 0, 0, 0]


def test_compare_reads_cached_beside_true_for_users_with_and_without_a_row(graph):
    loner = UserFactory()
    Post.objects.create(author=loner, title="x")
    inject("DELETE FROM user_stats WHERE user_id = %s", [loner.pk])
    inject("UPDATE user_stats SET followers_count = 50 WHERE user_id = %s", [graph[0].pk])
    found = counters.compare(UserStats, [loner.pk, graph[0].pk, str(graph[1].pk)])
    assert set(found) == {loner.pk, graph[0].pk, graph[1].pk}
    loner_posts = {c.counter.field.name: c for c in found[loner.pk]}["posts_count"]
    assert (loner_posts.cached, loner_posts.true, loner_posts.drift) == (0, 1, -1)
    star = {c.counter.field.name: c for c in found[graph[0].pk]}["followers_count"]
    assert star.cached == 50 and star.true == Follow.objects.filter(followed=graph[0]).count()
    assert all(c.drift == 0 for c in found[graph[1].pk])
    assert counters.compare(UserStats, []) == {}
    with pytest.raises(ValueError, match="not a valid key"):
        counters.compare(UserStats, ["abc"])
    with pytest.raises(counters.CounterError, match="no trigger-kept counters"):
        counters.compare(Follow, [1])


def test_a_check_reports_counts_as_integers_with_deltas_pending(graph):
    star = graph[0]
    with counters.deferred():  # a pending delta on the star's row
        Follow.objects.create(follower=UserFactory(), followed=star)
    inject(
        "UPDATE user_stats SET followers_count = followers_count + 2 WHERE user_id = %s",
        [star.pk],
    )
    report = counters.check()
    [followers] = [
        c for c in report.counters if c.label == "counters_social.UserStats.followers_count"
    ]
    [example] = followers.examples
    assert type(example["cached"]) is int and type(example["true"]) is int
    assert example["cached"] - example["true"] == 2
    [found] = [
        c
        for c in counters.compare(UserStats, [star.pk])[star.pk]
        if c.counter.field.name == "followers_count"
    ]
    assert type(found.cached) is int and found.cached == found.true + 2


@pytest.mark.django_db(transaction=True)
def test_a_recount_inside_a_repeatable_read_transaction_is_refused():
    """A batch must see what committed before its locks; a REPEATABLE READ snapshot would not."""
    from django.db import transaction

    from counters.exceptions import CounterError

    star, fan = UserFactory.create_batch(2)
    Follow.objects.create(follower=fan, followed=star)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        with pytest.raises(CounterError) as info:
            counters.recount(["counters_social.UserStats"])
    assert str(info.value) == (
        "a recount inside a repeatable read transaction could miss concurrent writes"
    )
    report = counters.recount(["counters_social.UserStats"])  # on its own: fine
    assert report.completed and not report.drifted

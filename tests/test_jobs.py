"""counters.admin.jobs: the message a recount leaves in the admin, the job the overview keeps in the
session between bounded steps, and the summary merged from each step's report. The reports are
real recounts of drift injected into the database."""

from __future__ import annotations

import json

import pytest
from django.contrib import messages

from counters.admin.jobs import merge, new_job, recount_message
from counters.recounting import run
from counters.social.models import Follow, UserStats
from tests.factories import UserFactory
from tests.utils import assert_exact, inject

pytestmark = pytest.mark.django_db

FOLLOWERS = "counters_social.UserStats.followers_count"


def followed_users(count: int) -> list:
    """``count`` users followed by one fan each (so each has a stats row with 1 follower)."""
    fan, *users = UserFactory.create_batch(count + 1)
    Follow.objects.bulk_create([Follow(follower=fan, followed=u) for u in users])
    return users


def drift(users: list, by: int = 3) -> None:
    inject(
        "UPDATE user_stats SET followers_count = followers_count + %s WHERE user_id = ANY(%s)",
        [by, [u.pk for u in users]],
    )


def test_an_exact_recount_is_a_success_that_says_how_many_rows_it_checked():
    users = followed_users(3)
    report = run(["counters_social.UserStats"], fix=True, ids=[u.pk for u in users])
    assert recount_message(report, "user stats") == (
        messages.SUCCESS,
        "Recounted 3 user stats: every counter was exact.",
    )


def test_a_recount_that_created_missing_rows_says_so():
    users = followed_users(2)
    UserStats.objects.filter(pk=users[0].pk).delete()  # a row lost (a restore, a bad script)
    report = run(["counters_social.UserStats"], fix=True, ids=[u.pk for u in users])
    level, text = recount_message(report, "user stats")
    assert (level, text) == (
        messages.SUCCESS,
        "Recounted 2 user stats: every counter was exact; created 1 missing row(s).",
    )
    assert UserStats.objects.get(pk=users[0].pk).followers_count == 1
    assert_exact(UserStats)


def test_a_recount_that_fixed_drift_warns_with_each_fixed_value():
    [user] = followed_users(1)
    drift([user], by=4)
    report = run([FOLLOWERS], fix=True, ids=[user.pk])
    assert recount_message(report, f"user stats {user.pk}") == (
        messages.WARNING,
        f"Recounted 1 user stats {user.pk}: {FOLLOWERS}: 1 row(s) fixed (key {user.pk}: 5 → 1).",
    )
    assert_exact(UserStats)


def test_a_recount_that_fixed_more_rows_than_it_shows_ends_its_examples_with_an_ellipsis():
    users = followed_users(7)
    drift(users)
    report = run([FOLLOWERS], fix=True, ids=[u.pk for u in users])
    level, text = recount_message(report, "user stats")
    shown = ", ".join(f"key {u.pk}: 4 → 1" for u in sorted(users, key=lambda u: u.pk)[:5])
    assert (level, text) == (
        messages.WARNING,
        f"Recounted 7 user stats: {FOLLOWERS}: 7 row(s) fixed ({shown}, …).",
    )


def test_a_new_job_starts_at_its_first_target_and_survives_the_session_as_json():
    job = new_job("recount", ["testapp.Blog", "counters_social.UserStats"], ["1", "2"], "second")
    assert job == {
        "mode": "recount",
        "targets": ["testapp.Blog", "counters_social.UserStats"],
        "index": 0,
        "start_after": None,
        "done": 0,
        "result": None,
        "ids": ["1", "2"],
        "database": "second",
    }
    assert json.loads(json.dumps(job)) == job
    assert new_job("check", ["testapp.Blog"])["database"] == "default"
    assert new_job("check", ["testapp.Blog"])["ids"] is None


def test_merging_steps_adds_their_rows_and_keeps_five_examples_per_counter():
    users = sorted(followed_users(8), key=lambda u: u.pk)
    drift(users[:6], by=2)
    first = run([FOLLOWERS], fix=False, ids=[u.pk for u in users[:4]])
    second = run(["counters_social.UserStats"], fix=False, ids=[u.pk for u in users[4:]])
    result = merge(None, first)
    assert result["counters"] == [
        {
            "label": FOLLOWERS,
            "rows_checked": 4,
            "rows_drifted": 4,
            "largest_drift": 2,
            "examples": [{"key": str(u.pk), "cached": "3", "true": "1"} for u in users[:4]],
        }
    ]
    result = merge(result, second)
    by_label = {c["label"]: c for c in result["counters"]}
    assert sorted(by_label) == [
        "counters_social.UserStats.followers_count",
        "counters_social.UserStats.following_count",
        "counters_social.UserStats.last_post_at",
        "counters_social.UserStats.posts_count",
    ]
    followers = by_label[FOLLOWERS]
    assert (followers["rows_checked"], followers["rows_drifted"], followers["largest_drift"]) == (
        8,
        6,
        2,
    )
    assert [e["key"] for e in followers["examples"]] == [str(u.pk) for u in users[:5]]
    assert by_label["counters_social.UserStats.posts_count"]["rows_drifted"] == 0
    assert result["created"] == 0
    assert result["seconds"] == pytest.approx(first.seconds + second.seconds)
    assert json.loads(json.dumps(result)) == result  # what the session keeps

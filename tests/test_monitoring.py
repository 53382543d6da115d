"""Monitoring: the Prometheus metrics (view and command, parsed with prometheus_client's own
parser), the recorded checks, and counters_health's exit codes for each condition."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from prometheus_client.parser import text_string_to_metric_families

import counters
from counters import monitoring
from counters.social.models import Follow
from tests.factories import UserFactory
from tests.utils import command, inject

pytestmark = pytest.mark.django_db

URL = "/metrics/counters"
FOLLOWERS = "counters_social.UserStats.followers_count"


def samples(text: str) -> dict[tuple[str, frozenset], float]:
    """Every sample of an exposition text: (name, labels) -> value."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: dict, name: str, **labels: str) -> float:
    return found[(name, frozenset(labels.items()))]


@pytest.fixture
def metrics_url():
    """Where the demo project mounts the metrics view (the way docs/operations.md says)."""
    return URL


@pytest.fixture
def staff(client, django_user_model):
    user = django_user_model.objects.create_user("ops", password="x", is_staff=True)
    client.force_login(user)
    return client


def scrape(client) -> dict:  # noqa: ANN001
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return samples(response.content.decode())


def test_the_view_refuses_anonymous_and_non_staff_users(client, metrics_url, django_user_model):
    assert client.get(metrics_url).status_code == 403
    client.force_login(django_user_model.objects.create_user("someone", password="x"))
    response = client.get(metrics_url)
    assert response.status_code == 403 and "staff only" in response.json()["error"]


def test_a_scraper_with_the_token_may_read_it(client, metrics_url, settings):
    assert client.get(metrics_url, HTTP_AUTHORIZATION="Bearer s3cret").status_code == 403
    settings.COUNTERS_METRICS_TOKEN = "s3cret"
    assert client.get(metrics_url, HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    response = client.get(metrics_url, HTTP_AUTHORIZATION="Bearer s3cret")
    assert response.status_code == 200
    assert ("counters_last_fold_timestamp_seconds", frozenset()) in samples(
        response.content.decode()
    )
    assert client.post(metrics_url, HTTP_AUTHORIZATION="Bearer s3cret").status_code == 405


def test_pending_deltas_and_folds_move_the_metrics(staff, metrics_url):
    a, b, c = UserFactory.create_batch(3)
    Follow.objects.create(follower=c, followed=a)  # the rows exist
    Follow.objects.create(follower=a, followed=b)
    before = scrape(staff)
    assert value(before, "counters_pending_deltas", counter=FOLLOWERS) == 0
    with counters.deferred():
        Follow.objects.create(follower=a, followed=c)
        Follow.objects.create(follower=b, followed=c)
    piled = scrape(staff)
    assert value(piled, "counters_pending_deltas", counter=FOLLOWERS) == 2  # one row per statement
    assert value(piled, "counters_pending_oldest_seconds", counter=FOLLOWERS) >= 0
    counters.fold()
    folded = scrape(staff)
    assert value(folded, "counters_pending_deltas", counter=FOLLOWERS) == 0
    assert value(folded, "counters_last_fold_timestamp_seconds") > value(
        before, "counters_last_fold_timestamp_seconds"
    )


def test_a_disabled_trigger_shows_in_its_state(staff, metrics_url):
    first = next(t for t in monitoring.triggers() if t.counter == FOLLOWERS)
    labels = {"counter": FOLLOWERS, "model": first.model, "trigger": first.trigger}
    found = scrape(staff)
    assert value(found, "counters_trigger_state", **labels, state="enabled") == 1
    assert value(found, "counters_trigger_state", **labels, state="disabled") == 0
    call_command("pgtrigger", "disable", f"{first.model}:{first.trigger}")  # rolled back after
    found = scrape(staff)
    assert value(found, "counters_trigger_state", **labels, state="enabled") == 0
    assert value(found, "counters_trigger_state", **labels, state="disabled") == 1


@pytest.mark.slow
def test_checks_are_recorded_and_exposed(staff, metrics_url):
    a, b = UserFactory.create_batch(2)
    Follow.objects.create(follower=a, followed=b)
    assert (
        "counters_check_rows_drifted",
        frozenset({("counter", FOLLOWERS), ("kind", "full")}),
    ) not in scrape(staff)  # never checked yet
    inject("UPDATE user_stats SET followers_count = followers_count + 5 WHERE user_id = %s", [b.pk])
    counters.check()
    found = scrape(staff)
    assert value(found, "counters_check_rows_drifted", counter=FOLLOWERS, kind="full") == 1
    assert value(found, "counters_check_largest_drift", counter=FOLLOWERS, kind="full") == 5
    assert value(found, "counters_check_rows_checked", counter=FOLLOWERS, kind="full") >= 1
    assert value(found, "counters_check_completed", counter=FOLLOWERS, kind="full") == 1
    counters.check(sample=1)
    found = scrape(staff)
    assert (
        "counters_check_rows_drifted",
        frozenset({("counter", FOLLOWERS), ("kind", "full")}),
    ) not in found  # the latest run per counter
    assert value(found, "counters_check_rows_checked", counter=FOLLOWERS, kind="sampled") == 1
    counters.check(ids=[a.pk])  # one row: not a check of the counter, not recorded
    assert (
        "counters_check_rows_checked",
        frozenset({("counter", FOLLOWERS), ("kind", "sampled")}),
    ) in scrape(staff)


def health(*args: str) -> tuple[int, str, str]:
    return command("counters_health", *args)


@pytest.mark.slow
def test_health_exit_codes_for_each_condition():
    a, b = UserFactory.create_batch(2)
    Follow.objects.create(follower=b, followed=a)  # the rows exist
    code, out, _ = health()
    assert code == 0 and "healthy" in out

    with counters.deferred():  # pending, not folded
        Follow.objects.create(follower=a, followed=b)
    code, _, err = health("--max-pending", "0")
    assert code == monitoring.EXIT_BACKLOG and "pending delta rows (more than 0)" in err
    with connection.cursor() as cursor:
        cursor.execute("UPDATE counters_delta SET created = created - interval '2 minutes'")
    code, _, err = health("--max-lag", "60")
    assert code == monitoring.EXIT_LAG and "nothing has folded it" in err
    counters.fold()

    inject("UPDATE user_stats SET followers_count = 9 WHERE user_id = %s", [b.pk])
    counters.check()
    code, _, err = health()
    assert code == monitoring.EXIT_DRIFT and FOLLOWERS in err and "up to 8" in err
    counters.recount()  # a recount fixes what it found: healthy again
    assert health()[0] == 0

    inject("UPDATE user_stats SET followers_count = 9 WHERE user_id = %s", [b.pk])
    counters.check()
    first = next(t for t in monitoring.triggers() if t.counter == FOLLOWERS)
    with connection.cursor() as cursor:  # deferred FK checks first: ALTER TABLE needs none pending
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("pgtrigger", "disable", f"{first.model}:{first.trigger}")
    code, _, err = health("--json")  # several problems: the most severe code, every reason
    assert code == monitoring.EXIT_TRIGGERS
    assert "(disabled)" in err and "drift" in err


def test_health_json_is_for_machines():
    code, out, _ = health("--json")
    assert code == 0
    data = json.loads(out)
    assert data["healthy"] is True and data["exit_code"] == 0 and data["problems"] == []
    assert set(data) >= {"pending_rows", "oldest_pending_seconds", "last_fold", "checked_counters"}


def test_health_and_metrics_refuse_bad_arguments_clearly():
    with pytest.raises(CommandError, match="--max-lag must be positive"):
        call_command("counters_health", "--max-lag", "0")
    with pytest.raises(CommandError, match="--max-pending must be 0 or more"):
        call_command("counters_health", "--max-pending", "-1")
    with pytest.raises(CommandError, match="invalid choice: 'nope'"):
        call_command("counters_metrics", "--database", "nope")


def test_the_command_prints_what_the_view_serves(staff, metrics_url):
    out = io.StringIO()
    call_command("counters_metrics", stdout=out)
    printed = samples(out.getvalue())
    served = scrape(staff)
    assert {key for key in printed if key[0] != "counters_pending_oldest_seconds"} == {
        key for key in served if key[0] != "counters_pending_oldest_seconds"
    }
    assert ("counters_pending_deltas", frozenset({("counter", FOLLOWERS)})) in printed


def test_a_bounded_sampled_check_from_the_command_is_recorded():
    UserFactory.create_batch(3)
    call_command(
        "backfill_counters",
        "--check",
        "--sample",
        "2",
        "--time-limit",
        "30",
        "--no-progress",
        stdout=io.StringIO(),
    )
    result = monitoring.last_checks()[FOLLOWERS]
    assert result.kind == "sampled" and result.rows_checked <= 2 and result.completed


def test_a_max_counts_its_recompute_markers_in_the_backlog():
    from counters.folding import pending_rows
    from counters.social.models import Post

    Post.objects.create(title="first")  # the totals row exists
    with counters.deferred():
        post = Post.objects.create(title="x")  # a candidate for the site's last_post_at
        post.delete()  # and a recompute marker: the latest post left
    latest = "counters_social.GlobalStats.last_post_at"
    assert monitoring.backlog()[latest].rows == 2
    assert pending_rows()[latest] == 2

"""The demo and maintenance commands."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from counters import registry
from counters.models import CounterDelta
from counters.social.models import Follow, Post, UserStats
from tests.conftest import assert_exact
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_seed_demo_makes_a_graph_the_triggers_count():
    out = run(
        "seed_demo", "--users", "60", "--follows", "900", "--posts", "40", "--celebrities", "2"
    )
    assert "Created 60 users, 900 follows and 40 posts." in out
    assert (Follow.objects.count(), Post.objects.count()) == (900, 40)
    top = UserStats.objects.order_by("-followers_count").first()
    assert top.followers_count > 900 / 60 * 3  # a celebrity, far above the average
    assert_exact()
    assert "skipping" in run("seed_demo", "--if-empty")
    assert Follow.objects.count() == 900


def test_seed_demo_refuses_impossible_sizes():
    with pytest.raises(CommandError, match="at most 6 follows"):
        run("seed_demo", "--users", "3", "--follows", "7")
    with pytest.raises(CommandError, match="at least 2 users"):
        run("seed_demo", "--users", "1")


def test_demo_admin_prints_a_password_that_logs_in():
    out = run("demo_admin")
    password = re.search(r"password: (\S+)", out).group(1)
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)
    second = re.search(r"password: (\S+)", run("demo_admin")).group(1)
    assert second != password  # a fresh one each time


def test_fold_counters_command(writers_do_not_fold):
    star = UserFactory()
    Follow.objects.create(follower=UserFactory(), followed=star)
    out = run("fold_counters", "counters_social.UserStats")
    assert "counters_social.UserStats: folded 2 delta(s), dropped 0 orphaned, 0 left" in out
    stats_ids = [c.id for c in registry.counters_on(UserStats)]
    assert not CounterDelta.objects.filter(counter__in=stats_ids).exists()
    assert CounterDelta.objects.exists()  # the other models' deltas (site totals) were not named
    with connection.cursor() as cursor:  # the column alone is exact now
        cursor.execute("SELECT followers_count FROM user_stats WHERE user_id = %s", [star.pk])
        assert cursor.fetchone()[0] == 1
    with pytest.raises(CommandError, match="positive"):
        run("fold_counters", "--batch-size", "0")
    with pytest.raises(CommandError, match="positive"):
        run("fold_counters", "--forever", "--interval", "0")
    with pytest.raises(CommandError, match="names no counter"):
        run("fold_counters", "nope.Nope")
    assert "testapp.Blog: folded 0 delta(s)" in run("fold_counters", "testapp.Blog")

"""App-side event counters bumped with F()-style atomic updates."""

from __future__ import annotations

import pytest

import counters
from counters.social.models import GlobalStats, UserStats
from tests.factories import UserFactory
from tests.social_factories import FollowFactory

pytestmark = pytest.mark.django_db


def test_increment_creates_the_row_and_returns_the_new_value():
    user = UserFactory()
    stats = UserStats(user=user)
    assert counters.increment(stats, "profile_views") == 1
    assert counters.increment(stats, "profile_views", by=4) == 5
    assert stats.profile_views == 5
    assert UserStats.objects.get(pk=user.pk).profile_views == 5
    assert counters.increment(stats, "profile_views", by=-2) == 3


def test_increment_keeps_trigger_kept_counts_on_an_existing_row():
    follow = FollowFactory()
    stats = UserStats.objects.get(pk=follow.followed_id)
    counters.increment(stats, "profile_views")
    stats.refresh_from_db()
    assert (stats.followers_count, stats.profile_views) == (1, 1)


def test_increment_refuses_a_trigger_kept_counter():
    stats = UserStats(user=UserFactory())
    with pytest.raises(
        counters.TriggerKeptCounterError, match="counters_social.UserStats.followers_count"
    ):
        counters.increment(stats, "followers_count")
    with pytest.raises(counters.TriggerKeptCounterError, match="kept by database triggers"):
        counters.increment(GlobalStats(pk=1), "total_posts")
    assert not UserStats.objects.filter(pk=stats.user_id).exists()


def test_increment_refuses_unknown_fields_and_bad_amounts():
    stats = UserStats(user=UserFactory())
    with pytest.raises(counters.UnknownCounterError, match="UserStats.nope.*profile_views"):
        counters.increment(stats, "nope")
    with pytest.raises(TypeError):
        counters.increment(stats, "profile_views", by=1.5)
    with pytest.raises(ValueError, match="primary key"):
        counters.increment(UserStats(), "profile_views")


def test_the_demo_profile_counts_a_view_per_post_and_never_on_get(client):
    user = UserFactory(username="ada")
    FollowFactory(followed=user)
    read = client.get("/demo/profile/ada/").json()
    assert read["followers"] == 1 and read["profile_views"] == 0
    assert client.head("/demo/profile/ada/").status_code == 200
    assert client.options("/demo/profile/ada/").status_code == 405
    assert not UserStats.objects.filter(pk=user.pk, profile_views__gt=0).exists()
    first = client.post("/demo/profile/ada/").json()
    second = client.post("/demo/profile/ada/").json()
    assert (first["profile_views"], second["profile_views"]) == (1, 2)
    assert client.get("/demo/profile/ada/").json()["profile_views"] == 2
    assert client.get("/demo/profile/nobody/").status_code == 404
    assert client.get("/demo/totals/").json() == {"follows": 1, "posts": 0}


def test_names_no_user_can_have_are_a_404_not_a_500(client):
    assert client.get("/demo/profile/a%00b/").status_code == 404
    assert client.post("/demo/profile/a%00b/").status_code == 404
    assert client.get("/demo/live/", {"user": "a\x00b"}).status_code == 404

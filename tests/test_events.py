"""App-side event counters bumped with F()-style atomic updates."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from asgiref.sync import sync_to_async
from django.core.exceptions import SynchronousOnlyOperation
from django.db import connections

import counters
from counters.exceptions import TriggerKeptCounterError
from counters.social.models import GlobalStats, UserStats
from tests.factories import UserFactory
from tests.live import asgi_server  # noqa: F401 (a fixture)
from tests.social_factories import FollowFactory
from tests.testapp.models import Place

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


@pytest.mark.django_db(transaction=True)
def test_aincrement_in_a_running_event_loop_creates_the_row_and_adds_concurrently():
    """Inside the event loop ``increment`` raises SynchronousOnlyOperation; ``aincrement`` runs
    the same statement: the first call creates the row, 40 calls at once lose nothing."""
    user = UserFactory()

    async def scenario() -> tuple[int, int, int]:
        stats = UserStats(user=user)
        with pytest.raises(SynchronousOnlyOperation):
            counters.increment(stats, "profile_views")
        first = await counters.aincrement(stats, "profile_views")
        await asyncio.gather(
            *(counters.aincrement(UserStats(user=user), "profile_views", by=2) for _ in range(40))
        )
        back = await counters.aincrement(stats, "profile_views", by=-1)
        await sync_to_async(connections.close_all)()  # the ORM's thread keeps its connection
        return first, back, stats.profile_views

    first, back, on_instance = asyncio.run(scenario())
    assert (first, back, on_instance) == (1, 80, 80)
    assert UserStats.objects.get(user=user).profile_views == 80
    with pytest.raises(TriggerKeptCounterError):  # refused before any query
        asyncio.run(counters.aincrement(UserStats(user=user), "followers_count"))


@pytest.mark.django_db(transaction=True)
def test_aincrement_from_an_async_view_under_uvicorn(asgi_server, settings):  # noqa: F811
    """An async view served by a real ASGI server bumps an event counter with ``aincrement``;
    20 concurrent requests, 20 counted."""
    settings.ROOT_URLCONF = "tests.ecosystem.urls"
    place = Place.objects.create(name="Luigi's")

    def visit() -> dict:
        url = f"{asgi_server.url}/places/{place.pk}/visit/"
        with urllib.request.urlopen(url, timeout=30) as reply:
            assert reply.status == 200
            return json.loads(reply.read())

    with ThreadPoolExecutor(max_workers=10) as pool:
        replies = list(pool.map(lambda _: visit(), range(20)))
    assert sorted(r["views"] for r in replies) == list(range(1, 21))
    assert all(r["instance"] == r["views"] for r in replies)
    assert Place.objects.get(pk=place.pk).views == 20

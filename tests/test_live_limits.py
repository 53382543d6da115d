"""The live stream under hostile use: limits on topics and streams, keys that name no row, a load
of many streams with many keys plus bulk writes and aborted clients, and shutdown with streams
open (a real uvicorn process receiving SIGTERM)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

# ruff: noqa: E402 - the skip comes before the imports that need psycopg 3
import pytest

pytest.importorskip(
    "psycopg", reason="live counters need psycopg 3; this cell runs Django on psycopg2 alone"
)

from django.contrib.auth import get_user_model

from counters.live import hub as live_hub
from counters.live import topics as live_topics
from counters.social.models import Follow
from tests.factories import UserFactory
from tests.live import Stream, _free_port, in_thread
from tests.utils import database_url

pytestmark = pytest.mark.django_db(transaction=True)

TOTAL = "counters_social.GlobalStats.total_follows"
ROOT = Path(__file__).resolve().parent.parent


def allow_everything(request, topic) -> bool:  # noqa: ANN001
    return True


def wait_until_empty(hub: live_hub.Hub, seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while (hub.subscribers or hub.watched) and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_stream_watches_at_most_the_topic_limit(client, settings):
    users = UserFactory.create_batch(3)
    query = "&".join(f"c=counters_social.UserStats.followers_count:{u.pk}" for u in users)
    settings.COUNTERS_STREAM_MAX_TOPICS = 2
    response = client.get(f"/counters/stream/?{query}")
    assert response.status_code == 400
    assert "at most 2 counters" in response.json()["error"]
    # a whole row counts each of its counters (followers, following, posts, profile views)
    settings.COUNTERS_STREAM_MAX_TOPICS = 3
    response = client.get(f"/counters/stream/?c=counters_social.UserStats:{users[0].pk}")
    assert response.status_code == 400
    assert "a whole row counts each" in response.json()["error"]
    # the same topic twice is one topic
    settings.COUNTERS_STREAM_MAX_TOPICS = 1
    response = client.get(f"/counters/stream/?c={TOTAL}&c={TOTAL}")
    assert response.status_code == 503  # past the limits: only WSGI refuses it here
    assert "ASGI" in response.json()["error"]


def test_a_setting_that_is_not_a_positive_integer_is_a_clear_error(client, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.COUNTERS_STREAM_MAX_TOPICS = "lots"
    with pytest.raises(ImproperlyConfigured, match="COUNTERS_STREAM_MAX_TOPICS must be a pos"):
        client.get(f"/counters/stream/?c={TOTAL}")


def test_keys_that_name_no_row_are_a_404_and_cost_the_hub_nothing(asgi_server):
    user = UserFactory()  # no stats row yet: its counters are zero, and it may be watched
    unknown = user.pk + 1000

    async def scenario() -> None:
        stream = await Stream.open(
            asgi_server,
            f"c=counters_social.UserStats.followers_count:{user.pk}"
            f"&c=counters_social.UserStats.posts_count:{unknown}",
        )
        assert stream.status == 404
        assert f"no such row: counters_social.UserStats:{unknown}" in stream.body.decode()
        assert not any(hub.watched for hub in live_hub._hubs.values())
        ok = await Stream.open(
            asgi_server, f"c=counters_social.UserStats.followers_count:{user.pk}"
        )
        assert ok.status == 200
        assert await ok.event() == {f"counters_social.UserStats.followers_count:{user.pk}": 0}
        await ok.close()

    asyncio.run(scenario())


def test_a_process_serves_at_most_the_stream_limit(asgi_server, settings):
    settings.COUNTERS_STREAM_MAX_STREAMS = 3

    async def scenario() -> None:
        streams = [await Stream.open(asgi_server, f"c={TOTAL}") for _ in range(3)]
        for stream in streams:
            assert stream.status == 200 and await stream.event() == {TOTAL: 0}
        refused = await Stream.open(asgi_server, f"c={TOTAL}")
        assert refused.status == 503
        assert b"too many open streams" in refused.body
        await streams[0].close()
        (hub,) = live_hub._hubs.values()
        deadline = time.monotonic() + 10
        while hub.subscribers > 2 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        again = await Stream.open(asgi_server, f"c={TOTAL}")  # a freed place is taken again
        assert again.status == 200
        for stream in [*streams[1:], again]:
            await stream.close()

    asyncio.run(scenario())


@pytest.mark.slow
def test_many_streams_with_many_keys_bulk_writes_and_aborted_clients(asgi_server, settings):
    """10 streams each watching 400 rows (2,000 values: every counter of each row), two bulk
    statements over those rows, 30 clients that leave at once: every watcher gets its changes,
    normal requests are served meanwhile and after, and afterwards the hub holds nothing. (How
    long a request takes beside open streams is a figure of ``make bench``'s live section, not
    a limit of this test: a timed assertion fails on a busy machine.)"""
    per_row = len(live_topics.parse_topics([f"counters_social.UserStats:{UserFactory().pk}"]))
    settings.COUNTERS_STREAM_MAX_TOPICS = 400 * per_row
    settings.COUNTERS_STREAM_AUTHORIZE = "tests.test_live_limits.allow_everything"
    User = get_user_model()
    users = User.objects.bulk_create([User(username=f"load{i}", password="!") for i in range(4000)])
    celebrity = UserFactory()
    groups = [users[i * 400 : (i + 1) * 400] for i in range(10)]

    def normal_requests() -> int:
        served = 0
        for _ in range(5):
            with urllib.request.urlopen(f"{asgi_server.url}/demo/totals/", timeout=30) as reply:
                assert reply.status == 200 and b"follows" in reply.read()
            served += 1
        return served

    async def scenario() -> None:
        streams = []
        for group in groups:
            query = "&".join(f"c=counters_social.UserStats:{u.pk}" for u in group)
            stream = await Stream.open(asgi_server, query)
            assert stream.status == 200, stream.body
            first = await stream.event(timeout=30)
            assert len(first) == 400 * per_row
            # counts 0; last_post_at NULL (None, never a 0 that a page would show as a number)
            assert all(
                (value is None) == (".last_post_at:" in name) for name, value in first.items()
            )
            assert {value for name, value in first.items() if ".last_post_at:" not in name} == {0}
            streams.append(stream)
        aborted = []
        for _ in range(30):  # clients that ask and leave before (or while) they are served
            reader, writer = await asyncio.open_connection(asgi_server.host, asgi_server.port)
            writer.write(
                f"GET /counters/stream/?c=counters_social.UserStats:{groups[0][0].pk} "
                f"HTTP/1.0\r\nHost: x\r\n\r\n".encode()
            )
            aborted.append(writer)
        for writer in aborted:
            writer.close()
        # bulk statements: every watched user follows the celebrity, then the first half unfollow
        await in_thread(
            lambda: Follow.objects.bulk_create(
                [Follow(follower=u, followed=celebrity) for u in users]
            )
        )
        for stream, group in zip(streams, groups, strict=True):
            seen: dict[str, int] = {}
            while len(seen) < 400:
                seen.update(await stream.event(timeout=30))
            assert seen == {f"counters_social.UserStats.following_count:{u.pk}": 1 for u in group}
        await in_thread(
            lambda: Follow.objects.filter(follower__in=users[:2000], followed=celebrity).delete()
        )
        for stream, group in zip(streams[:5], groups[:5], strict=True):
            seen = {}
            while len(seen) < 400:
                seen.update(await stream.event(timeout=30))
            assert seen == {f"counters_social.UserStats.following_count:{u.pk}": 0 for u in group}
        assert await in_thread(normal_requests) == 5  # with 10 heavy streams open
        (hub,) = live_hub._hubs.values()
        assert hub.subscribers == 10 and len(hub.watched) == 4000 * per_row
        for stream in streams:
            await stream.close()
        await in_thread(lambda: wait_until_empty(hub))
        assert hub.subscribers == 0 and not hub.watched and not hub.values and not hub.by_key
        assert await in_thread(normal_requests) == 5  # after they closed

    asyncio.run(scenario())


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
def test_one_signal_stops_a_server_with_50_open_streams(number):
    """uvicorn waits for open connections before it exits; the hub ends its streams on the
    signal, so the server stops within seconds instead of never."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "project.settings_test",
        "COUNTERS_DEMO_FOLDER": "0",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "project.asgi:application", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    target = type("Server", (), {"host": "127.0.0.1", "port": port})()
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/demo/totals/", timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline and server.poll() is None, "no server"
                time.sleep(0.2)

        async def open_streams() -> list[Stream]:
            streams = [await Stream.open(target, f"c={TOTAL}") for _ in range(50)]
            for stream in streams:
                assert stream.status == 200 and await stream.event() == {TOTAL: 0}
            return streams

        async def scenario() -> None:
            streams = await open_streams()
            start = time.monotonic()
            server.send_signal(number)
            while server.poll() is None:
                assert time.monotonic() - start < 10, "the server did not stop"
                await asyncio.sleep(0.05)
            for stream in streams:  # every stream was ended by the server, not cut
                assert await asyncio.wait_for(stream.reader.read(), 5) == b""
                await stream.close()

        asyncio.run(scenario())  # without the hub's handler, uvicorn waits for them for ever
        assert b"Traceback" not in server.stderr.read()
    finally:
        if server.poll() is None:
            server.kill()
        server.wait(10)

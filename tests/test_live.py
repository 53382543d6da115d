"""Live counters: NOTIFY from the triggers, one LISTEN connection per process, the event stream
under a real ASGI server (uvicorn), the hook, and the command."""

from __future__ import annotations

import asyncio
import io
import json
import threading
import time

# ruff: noqa: E402 - the skip comes before the imports that need psycopg 3
import pytest

pytest.importorskip(
    "psycopg", reason="live counters need psycopg 3; this cell runs Django on psycopg2 alone"
)

from django.core.management import call_command
from django.db import connection, transaction

from counters import live
from counters.social.models import Follow, Post
from tests.factories import UserFactory
from tests.live import Stream, in_thread

pytestmark = pytest.mark.django_db(transaction=True)

TOTAL = "counters_social.GlobalStats.total_follows"


def follow(a, b) -> None:  # noqa: ANN001
    Follow.objects.create(follower=a, followed=b)


def follow_then_roll_back(a, b) -> None:  # noqa: ANN001
    with pytest.raises(RuntimeError), transaction.atomic():
        Follow.objects.create(follower=a, followed=b)
        raise RuntimeError("rolled back")


def allow_everything(request, topic) -> bool:  # noqa: ANN001
    return True


def test_stream_sends_the_current_values_then_committed_changes_only(asgi_server, settings):
    # a whole row's topic includes profile_views, which is not public: a hook lets it through
    settings.COUNTERS_STREAM_AUTHORIZE = "tests.test_live.allow_everything"
    a, b, c = UserFactory.create_batch(3)
    follow(c, b)
    followers = f"counters_social.UserStats.followers_count:{b.pk}"

    async def scenario() -> None:
        stream = await Stream.open(
            asgi_server, f"c={followers}&c={TOTAL}&c=counters_social.UserStats:{a.pk}"
        )
        assert stream.status == 200
        first = await stream.event()
        assert first[followers] == 1 and first[TOTAL] == 1
        assert first[f"counters_social.UserStats.profile_views:{a.pk}"] == 0  # events too, for a row
        await in_thread(lambda: follow_then_roll_back(a, b))
        with pytest.raises(TimeoutError):
            await stream.event(timeout=1.0)  # nothing for rolled-back work
        await in_thread(lambda: follow(a, b))
        changed = await stream.event()
        assert changed[followers] == 2 and changed[TOTAL] == 2
        assert changed[f"counters_social.UserStats.following_count:{a.pk}"] == 1
        # raw SQL from another client is announced the same way
        await in_thread(
            lambda: connection.cursor().execute(
                "INSERT INTO counters_follow (follower_id, followed_id) VALUES (%s, %s)",
                [a.pk, c.pk],
            )
        )
        assert (await stream.event())[TOTAL] == 3
        await stream.close()

    asyncio.run(scenario())


def test_200_clients_share_one_listen_connection(asgi_server):
    a, b = UserFactory.create_batch(2)

    async def scenario() -> None:
        streams = await asyncio.gather(
            *(Stream.open(asgi_server, f"c={TOTAL}") for _ in range(200))
        )
        firsts = await asyncio.gather(*(s.event(timeout=30) for s in streams))
        assert all(first == {TOTAL: 0} for first in firsts)
        await in_thread(lambda: follow(a, b))
        changes = await asyncio.gather(*(s.event(timeout=30) for s in streams))
        assert all(change == {TOTAL: 1} for change in changes)
        (hub,) = live._hubs.values()
        assert hub.subscribers == 200
        assert hub.listen_connections == 1
        listening = await in_thread(
            lambda: (
                connection.cursor()
                .execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND query = 'LISTEN \"counters\"'"
                )
                .fetchone()[0]
            )
        )
        assert listening == 1
        await asyncio.gather(*(s.close() for s in streams))
        deadline = time.monotonic() + 10
        while hub.subscribers and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert hub.subscribers == 0  # closed pages are forgotten

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("c=counters_social.UserStats.nope:1", "'counters_social.UserStats.nope' names no counter"),
        ("c=counters.Nothing", "counters.Nothing"),
        (
            "c=counters_social.UserStats.followers_count",
            "needs a key: counters_social.UserStats.followers_count:<user>",
        ),
        (
            "c=counters_social.UserStats.followers_count:abc",
            "'abc' is not a valid key of counters_social.UserStats",
        ),
        ("", "name at least one counter"),
    ],
)
def test_unknown_counters_and_bad_keys_are_a_clear_400(client, query, error):
    response = client.get(f"/counters/stream/?{query}")
    assert response.status_code == 400
    assert error in response.json()["error"]


def test_under_wsgi_the_stream_says_it_needs_asgi(client):
    response = client.get(f"/counters/stream/?c={TOTAL}")
    assert response.status_code == 503
    assert "needs an ASGI server" in response.json()["error"]


def test_hook_receives_every_notification_and_many_rows_say_so():
    a, b = UserFactory.create_batch(2)
    others = UserFactory.create_batch(120)
    seen: list[tuple[str, list | None]] = []

    def receiver(sender, model, keys, **kwargs) -> None:  # noqa: ANN001
        seen.append((model, keys))

    async def scenario() -> None:
        hub = live.Hub()
        try:
            await hub.listening.wait()
            await in_thread(lambda: follow(a, b))
            await in_thread(
                lambda: Follow.objects.bulk_create([Follow(follower=o, followed=b) for o in others])
            )
            await in_thread(lambda: Post.objects.create(author=a, title="x"))
            deadline = time.monotonic() + 10
            while len(seen) < 5 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        finally:
            await hub.close()

    live.counters_changed.connect(receiver)
    try:
        asyncio.run(scenario())
    finally:
        live.counters_changed.disconnect(receiver)
    assert seen[:5] == [
        ("counters_social.UserStats", sorted([a.pk, b.pk])),
        ("counters_social.GlobalStats", [1]),
        ("counters_social.UserStats", None),  # 121 target rows: "many"
        ("counters_social.GlobalStats", [1]),
        ("counters_social.UserStats", [a.pk]),
    ]


def test_notifications_can_be_switched_off_per_session():
    a, b = UserFactory.create_batch(2)

    async def scenario() -> int:
        hub = live.Hub()
        try:
            await hub.listening.wait()

            def quiet_follow() -> None:
                with transaction.atomic():
                    connection.cursor().execute("SET LOCAL counters.notify = off")
                    follow(a, b)

            await in_thread(quiet_follow)
            await asyncio.sleep(0.5)
            return hub.notifications
        finally:
            await hub.close()

    assert asyncio.run(scenario()) == 0
    assert Follow.objects.filter(follower=a, followed=b).exists()


def test_the_listen_connection_comes_back_after_it_is_killed():
    a, b = UserFactory.create_batch(2)
    followers = f"counters_social.UserStats.followers_count:{b.pk}"

    async def scenario() -> None:
        hub = live.Hub(min_interval=0.01)
        try:
            subscription = await hub.subscribe(live.parse_topics([followers]))
            assert await subscription.changes(5) == {followers: 0}
            pid = hub.listen_pid
            await in_thread(
                lambda: connection.cursor().execute("SELECT pg_terminate_backend(%s)", [pid])
            )
            deadline = time.monotonic() + 15
            while hub.listen_connections < 2 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            assert hub.listen_connections == 2 and hub.listen_pid != pid
            await in_thread(lambda: follow(a, b))
            values = {}
            while values.get(followers) != 1 and time.monotonic() < deadline:
                values.update(await subscription.changes(5))
            assert values[followers] == 1
        finally:
            await hub.close()

    asyncio.run(scenario())


def test_listen_counters_command_prints_each_notification():
    a = UserFactory()
    targets = UserFactory.create_batch(10)
    out = io.StringIO()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            call_command("listen_counters", "--count", "2", stdout=out, stderr=io.StringIO())
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    for target in targets:  # the command starts listening at some point: keep writing until then
        if not thread.is_alive():
            break
        follow(a, target)
        time.sleep(0.5)
    thread.join(10)
    assert not errors and not thread.is_alive()
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {line["model"] for line in lines} == {"counters_social.UserStats", "counters_social.GlobalStats"}


def test_a_thousand_query_parameters_are_a_400_not_a_crash(asgi_server):
    import urllib.error
    import urllib.parse
    import urllib.request

    query = urllib.parse.urlencode([("c", f"x{i}") for i in range(1001)])
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"{asgi_server.url}/counters/stream/?{query}", timeout=10)
    assert info.value.code == 400

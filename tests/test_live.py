"""Live counters: writers that never NOTIFY, one reader connection per process, the event stream
under a real ASGI server (uvicorn), values written for people (display=1), the hook, and the
command."""

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
from django.core.management.base import CommandError
from django.db import connection, connections, transaction

from counters import live
from counters.live import hub as live_hub
from counters.live import stream as live_stream
from counters.live import topics as live_topics
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
        assert (
            first[f"counters_social.UserStats.profile_views:{a.pk}"] == 0
        )  # events too, for a row
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


def test_display_writes_each_value_as_the_admin_does(asgi_server, settings):
    """``display=1``: before each ``counters`` event, the same values written for people (what the
    admin panels show), so a page never turns a timestamp into a number (``NaN``)."""
    from django.contrib.admin.utils import display_for_field

    from counters.social.models import GlobalStats

    author = UserFactory()
    Post.objects.bulk_create([Post(author=author, title=f"p{i}") for i in range(1200)])
    last, posts = (
        f"counters_social.GlobalStats.{name}" for name in ("last_post_at", "total_posts")
    )
    newest = Post.objects.latest("created_at").created_at

    def written(value, name: str) -> str:  # noqa: ANN001
        field = GlobalStats._meta.get_field(name)
        return str(display_for_field(value, field, "-"))

    async def scenario() -> None:
        stream = await Stream.open(asgi_server, f"c={last}&c={posts}&display=1")
        assert stream.status == 200, stream.body
        texts, values = await stream.displayed()
        assert values == {last: live_stream.wire_text(newest), posts: 1200}
        assert texts == {last: written(newest, "last_post_at"), posts: "1,200"}
        post = await in_thread(lambda: Post.objects.create(author=author, title="news"))
        texts, values = await stream.displayed()
        assert values[last] == live_stream.wire_text(post.created_at) and values[posts] == 1201
        assert texts == {last: written(post.created_at, "last_post_at"), posts: "1,201"}
        await stream.close()

    assert settings.USE_THOUSAND_SEPARATOR  # the demo project's choice
    asyncio.run(scenario())


def test_200_clients_share_one_reader_connection(asgi_server):
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
        (hub,) = live_hub._hubs.values()
        assert hub.subscribers == 200
        assert hub.reader_connections == 1 and len(hub.watched) == 1  # one topic, one read
        await asyncio.gather(*(s.close() for s in streams))
        deadline = time.monotonic() + 10
        while hub.subscribers and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        assert hub.subscribers == 0 and not hub.watched  # closed pages are forgotten

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
        (f"c={TOTAL}&display=yes", "display takes one value: display=1"),
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


def test_hook_receives_the_changes_of_watched_values():
    a, b = UserFactory.create_batch(2)
    others = UserFactory.create_batch(30)
    seen: list[tuple[str, list]] = []

    def receiver(sender, model, keys, **kwargs) -> None:  # noqa: ANN001
        seen.append((model, keys))

    async def scenario() -> None:
        hub = live_hub.Hub(interval=0.02)
        try:
            await hub.subscribe(
                live_topics.parse_topics(
                    [f"counters_social.UserStats.followers_count:{b.pk}", TOTAL]
                )
            )
            await in_thread(lambda: follow(a, b))
            await wait_for(lambda: len(seen) >= 2)
            await in_thread(
                lambda: Follow.objects.bulk_create([Follow(follower=o, followed=b) for o in others])
            )
            await wait_for(lambda: len(seen) >= 4)
            await in_thread(lambda: Post.objects.create(author=a, title="x"))  # nothing watched
            polls = hub.polls  # two more polls: one read began after the commit and announced
            await wait_for(lambda: hub.polls >= polls + 2)
            assert len(seen) == 4
        finally:
            await hub.close()

    live.counters_changed.connect(receiver)
    try:
        asyncio.run(scenario())
    finally:
        live.counters_changed.disconnect(receiver)
    assert sorted(seen) == sorted(
        [("counters_social.UserStats", [b.pk]), ("counters_social.GlobalStats", [1])] * 2
    )


async def wait_for(condition, seconds: float = 10) -> None:  # noqa: ANN001
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


def test_writers_never_notify():
    """A NOTIFY in a writing transaction takes a global lock at commit: no trigger sends one."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_proc WHERE proname LIKE 'pgtrigger_counters%%' "
            "AND prosrc ILIKE '%%pg_notify%%'"
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM pg_proc WHERE proname LIKE 'pgtrigger_counters%%'")
        assert cursor.fetchone()[0] > 10  # the triggers are there
        cursor.execute(  # nor any function of the library's (NOTIFY or pg_notify, any channel)
            "SELECT proname FROM pg_proc WHERE (proname LIKE 'pgtrigger_counters%%' "
            "OR proname LIKE 'counters%%') AND prosrc ~* '(pg_)?notify'"
        )
        assert cursor.fetchall() == []


def test_the_reader_connection_comes_back_after_it_is_killed():
    a, b = UserFactory.create_batch(2)
    followers = f"counters_social.UserStats.followers_count:{b.pk}"

    async def scenario() -> None:
        hub = live_hub.Hub(interval=0.02)
        try:
            subscription = await hub.subscribe(live_topics.parse_topics([followers]))
            assert await subscription.changes(5) == {followers: 0}
            pid = hub.reader_pid
            await in_thread(
                lambda: connection.cursor().execute("SELECT pg_terminate_backend(%s)", [pid])
            )
            await in_thread(lambda: follow(a, b))
            deadline = time.monotonic() + 15
            values = {}
            while values.get(followers) != 1 and time.monotonic() < deadline:
                values.update(await subscription.changes(5))
            assert values[followers] == 1
            assert hub.reader_connections == 2 and hub.reader_pid != pid
        finally:
            await hub.close()

    asyncio.run(scenario())


def test_listen_counters_command_prints_each_change():
    a, b = UserFactory.create_batch(2)
    out, err = io.StringIO(), io.StringIO()
    errors: list[BaseException] = []

    def run() -> None:
        try:
            call_command(
                "listen_counters",
                "--watch",
                f"counters_social.UserStats:{b.pk}",
                TOTAL,
                "--count",
                "2",
                stdout=out,
                stderr=err,
            )
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 30
    while "Watching counters" not in err.getvalue():  # it has read the first values
        assert time.monotonic() < deadline and thread.is_alive(), (errors, err.getvalue())
        time.sleep(0.02)
    follow(a, b)
    thread.join(10)
    assert not errors and not thread.is_alive()
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {"model": "counters_social.UserStats", "keys": [b.pk]} in lines
    assert {"model": "counters_social.GlobalStats", "keys": [1]} in lines
    with pytest.raises(CommandError, match="required: --watch"):
        call_command("listen_counters")


def test_a_thousand_query_parameters_are_a_400_not_a_crash(asgi_server):
    import urllib.error
    import urllib.parse
    import urllib.request

    query = urllib.parse.urlencode([("c", f"x{i}") for i in range(1001)])
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(f"{asgi_server.url}/counters/stream/?{query}", timeout=10)
    assert info.value.code == 400


def test_a_client_gone_during_its_first_read_leaves_no_subscription():
    a = UserFactory()

    async def scenario() -> None:
        hub = live_hub.Hub(interval=0.02)
        try:
            topics = live_topics.parse_topics([f"counters_social.UserStats.followers_count:{a.pk}"])
            for _ in range(30):  # 30 clients that leave while their first read runs
                task = asyncio.ensure_future(hub.subscribe(topics))
                await asyncio.sleep(0)  # registered, reading
                assert hub.subscribers == 1 and not task.done()  # the cancel lands mid-read
                task.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await task
            assert hub.subscribers == 0 and not hub.watched and not hub.values
        finally:
            await hub.close()

    asyncio.run(scenario())


def test_a_hub_built_directly_leaves_the_process_signal_handlers_alone():
    """Only the server's hub (``get_hub``, what the stream view uses) chains its stop handler in
    front of the server's own; a hub built in a script or a test changes nothing in the process."""
    import signal

    outside = {number: signal.getsignal(number) for number in (signal.SIGTERM, signal.SIGINT)}

    async def scenario() -> None:
        before = {n: signal.getsignal(n) for n in outside}  # asyncio.run's own SIGINT handler
        hub = live_hub.Hub(interval=0.02)
        try:
            assert {n: signal.getsignal(n) for n in outside} == before
        finally:
            await hub.close()
        served = live_hub.get_hub()
        try:
            for number in outside:
                assert getattr(signal.getsignal(number), "ends_counter_streams", False)
        finally:
            await served.close()

    try:
        asyncio.run(scenario())
    finally:
        for number, handler in outside.items():
            signal.signal(number, handler)

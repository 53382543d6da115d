"""counters.live.hub: one hub per event loop, subscriptions that leave nothing behind, a broken
``counters_changed`` receiver that never stops the stream, and Ctrl-C, which ends every stream
first (the hub's handler in front of the process's own), in a server and in ``listen_counters``."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import signal

# ruff: noqa: E402 - the skip comes before the imports that need psycopg 3
import pytest

pytest.importorskip(
    "psycopg", reason="live counters need psycopg 3; this cell runs Django on psycopg2 alone"
)

from django.core.management import call_command

from counters import live
from counters.live import hub as live_hub
from counters.live.topics import parse_topics
from counters.social.models import Follow
from tests.factories import UserFactory
from tests.live import in_thread

pytestmark = pytest.mark.django_db

TOTAL = "counters_social.GlobalStats.total_follows"
POSTS = "counters_social.GlobalStats.total_posts"


@pytest.fixture
def own_hubs():
    """The process's hubs as they were, and its SIGINT handler, put back after the test."""
    hubs = dict(live_hub._hubs)
    handler = signal.getsignal(signal.SIGINT)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, handler)
        live_hub._hubs.clear()
        live_hub._hubs.update(hubs)


def test_a_subscription_forgotten_twice_is_forgotten_once():
    async def scenario() -> None:
        hub = live_hub.Hub(interval=3600)
        try:
            topics = parse_topics([TOTAL, "counters_social.GlobalStats.total_posts"])
            first = await hub.subscribe(topics)
            second = await hub.subscribe(topics[:1])
            assert hub.subscribers == 2 and hub.watched == {topics[0]: 2, topics[1]: 1}
            hub.unsubscribe(first)
            hub.unsubscribe(first)  # a stream's cleanup may run after the server's: harmless
            assert hub.subscribers == 1 and hub.watched == {topics[0]: 1}
            assert set(hub.values) == {topics[0]}
            hub.unsubscribe(second)
            assert (hub.subscribers, hub.watched, hub.values, dict(hub.by_key)) == (0, {}, {}, {})
        finally:
            await hub.close()

    asyncio.run(scenario())


def test_each_event_loop_has_one_hub_and_a_closed_loops_hub_is_dropped(own_hubs):
    async def one_server() -> live_hub.Hub:
        hub = live_hub.get_hub()
        assert live_hub.get_hub() is hub  # every stream of the loop shares it
        assert hub.loop is asyncio.get_running_loop()
        await hub.close()
        return hub

    first = asyncio.run(one_server())
    assert first.loop.is_closed() and live_hub._hubs[first.loop] is first
    live_hub.shutdown_streams()  # a hub whose loop is closed is left alone
    assert not first.closing
    second = asyncio.run(one_server())
    assert second is not first
    assert list(live_hub._hubs.values()) == [second]  # the stale hub is gone


def test_ctrl_c_ends_every_stream_then_interrupts_as_the_default_handler_would(own_hubs):
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # no handler of the process's own

    async def scenario() -> None:
        hub = live_hub.get_hub()
        try:
            subscription = await hub.subscribe(parse_topics([TOTAL]))
            assert await subscription.changes(10) == {TOTAL: 0}
            handler = signal.getsignal(signal.SIGINT)
            assert getattr(handler, "ends_counter_streams", False)
            with pytest.raises(KeyboardInterrupt):
                signal.raise_signal(signal.SIGINT)
            assert await subscription.changes(10) is None  # its stream ended
            assert hub.closing
            with pytest.raises(live_hub.HubUnavailable, match="the server is shutting down"):
                await hub.subscribe(parse_topics([TOTAL]))
        finally:
            await hub.close()

    asyncio.run(scenario())


def test_ctrl_c_stops_listen_counters_without_a_traceback(own_hubs):
    signal.signal(signal.SIGINT, signal.default_int_handler)

    class CtrlCOnceWatching(io.StringIO):
        """A terminal where the user presses Ctrl-C once the command says it is watching."""

        def write(self, text: str) -> int:
            written = super().write(text)
            if "Watching counters" in text:
                signal.raise_signal(signal.SIGINT)
            return written

    out, err = io.StringIO(), CtrlCOnceWatching()
    call_command("listen_counters", "--watch", TOTAL, stdout=out, stderr=err)
    assert "Watching counters (Ctrl-C stops)." in err.getvalue()
    assert json.loads(out.getvalue().splitlines()[0]) == {"values": {TOTAL: 0}}


@pytest.mark.django_db(transaction=True)
def test_a_broken_receiver_is_logged_and_the_stream_goes_on(caplog):
    a, b = UserFactory.create_batch(2)

    def broken(sender, **kwargs) -> None:  # noqa: ANN001
        raise RuntimeError("a bug in the team's receiver")

    async def scenario() -> None:
        loop = asyncio.get_running_loop()
        logged = asyncio.Event()

        class Seen(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                loop.call_soon_threadsafe(logged.set)

        seen = Seen(level=logging.ERROR)
        live_hub.logger.addHandler(seen)
        hub = live_hub.Hub(interval=0.02)
        try:
            subscription = await hub.subscribe(parse_topics([TOTAL]))
            posts = await hub.subscribe(parse_topics([POSTS]))  # the same row, another counter
            assert await subscription.changes(10) == {TOTAL: 0}
            assert await posts.changes(10) == {POSTS: 0}
            await in_thread(lambda: Follow.objects.create(follower=a, followed=b))
            assert await subscription.changes(10) == {TOTAL: 1}
            await asyncio.wait_for(logged.wait(), 10)
            assert not posts.ready.is_set() and posts.pending == {}  # nothing it watches moved
            await in_thread(lambda: Follow.objects.create(follower=b, followed=a))
            assert await subscription.changes(10) == {TOTAL: 2}
        finally:
            live_hub.logger.removeHandler(seen)
            await hub.close()

    live.counters_changed.connect(broken)
    try:
        asyncio.run(scenario())
    finally:
        live.counters_changed.disconnect(broken)
    failures = [r for r in caplog.records if r.name == "counters.live.hub"]
    assert failures and all(r.levelno == logging.ERROR for r in failures)
    assert failures[0].getMessage().startswith("counters: counters_changed receiver <function")
    assert "failed" in failures[0].getMessage()
    assert str(failures[0].exc_info[1]) == "a bug in the team's receiver"

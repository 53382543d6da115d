"""counters.live.stream: the Server-Sent Events a browser reads, driven on a real hub (its reader
connection reads the test database): the retry hint, the current values, keep-alives, the end
of a stream when the server shuts down, and a stream refused when the process is full."""

from __future__ import annotations

import asyncio
import datetime
import decimal

# ruff: noqa: E402 - the skip comes before the imports that need psycopg 3
import pytest

pytest.importorskip(
    "psycopg", reason="live counters need psycopg 3; this cell runs Django on psycopg2 alone"
)

from counters.live import hub as live_hub
from counters.live import stream as live_stream
from counters.live.stream import Display, json_default, sse, stream, wire_text
from counters.live.topics import parse_topics

pytestmark = pytest.mark.django_db

TOTAL = "counters_social.GlobalStats.total_follows"


def test_dates_and_booleans_travel_as_a_page_reads_them():
    day = datetime.date(2026, 12, 2)
    assert json_default(day) == "2026-12-02"
    assert wire_text(day) == "2026-12-02"
    assert (wire_text(True), wire_text(False), wire_text(None)) == ("true", "false", "null")
    naive = datetime.datetime(2026, 12, 2, 17, 34)  # no time zone: written as it is
    assert json_default(naive) == "2026-12-02T17:34:00"
    assert sse({"d": day, "n": decimal.Decimal("1.50")}) == (
        'event: counters\ndata: {"d":"2026-12-02","n":"1.50"}\n\n'
    )


def test_a_stream_sends_a_retry_hint_the_values_keep_alives_and_ends_at_shutdown(monkeypatch):
    monkeypatch.setattr(live_stream, "KEEPALIVE_SECONDS", 0.01)  # a quiet moment: a keep-alive
    topics = parse_topics([TOTAL])

    async def scenario() -> list[str]:
        hub = live_hub.Hub(interval=3600)  # no poll during the test: nothing changes
        events = stream(topics, hub, Display("en", datetime.UTC))
        try:
            sent = [await anext(events) for _ in range(3)]
            assert hub.subscribers == 1
            hub.shutdown()  # the server stops: the browser reconnects elsewhere
            with pytest.raises(StopAsyncIteration):
                await anext(events)
            assert hub.subscribers == 0 and not hub.watched
            return sent
        finally:
            await hub.close()

    sent = asyncio.run(scenario())
    assert sent == [
        "retry: 1000\n\n",
        f'event: display\ndata: {{"{TOTAL}":"0"}}\n\nevent: counters\ndata: {{"{TOTAL}":0}}\n\n',
        ": keep-alive\n\n",
    ]


def test_a_stream_opened_when_the_process_is_full_ends_at_once_with_a_longer_retry(settings):
    settings.COUNTERS_STREAM_MAX_STREAMS = 1
    topics = parse_topics([TOTAL])

    async def scenario() -> list[str]:
        hub = live_hub.Hub(interval=3600)
        try:
            first = await hub.subscribe(topics)  # the one stream this process may serve
            sent = [chunk async for chunk in stream(topics, hub)]
            assert hub.subscribers == 1
            hub.unsubscribe(first)
            return sent
        finally:
            await hub.close()

    assert asyncio.run(scenario()) == [
        "retry: 5000\n: this process serves 1 streams already (COUNTERS_STREAM_MAX_STREAMS)\n\n"
    ]

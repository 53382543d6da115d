"""A live stream as a browser reads it: Server-Sent Events of a subscription's changes
(:func:`stream`), values as JSON or written for people (:class:`Display`)."""

from __future__ import annotations

import datetime
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

from django.utils import timezone, translation

from counters.display import human
from counters.live.hub import Hub, HubUnavailable, get_hub
from counters.live.topics import Topic

KEEPALIVE_SECONDS = 15.0

RETRY_MS = 1000  # how long a browser waits before reconnecting (EventSource's retry)


def sse(values: dict[str, object], texts: dict[str, str] | None = None) -> str:
    """One Server-Sent Event carrying ``values``; with ``texts``, a ``display`` event carrying
    them goes first (see :func:`stream`)."""
    data = json.dumps(values, separators=(",", ":"), default=json_default)
    event = f"event: counters\ndata: {data}\n\n"
    if texts is not None:
        shown = json.dumps(texts, separators=(",", ":"), ensure_ascii=False)
        event = f"event: display\ndata: {shown}\n\n{event}"
    return event


def json_default(value: object) -> object:
    """Sums of decimals travel as strings (exact), timestamps and dates in ISO 8601 (timestamps in
    UTC, whatever the time zone of the connection that read them)."""
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def wire_text(value: object) -> str:
    """``value`` as a page's script sees it after the stream carried it (``String(value)`` of the
    parsed JSON): ``"12034"``, ``"12.35"``, ``"2026-12-02T17:34:16.123456+00:00"``, ``"null"``.
    Pages put it in ``data-value`` so that the first event, which repeats the current values,
    finds them unchanged."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return str(json_default(value))


@dataclass(frozen=True)
class Display:
    """How a stream writes values for people: the language and time zone of the request that
    opened it (the values read the same as on the page that asked, see
    :func:`counters.display.human`)."""

    language: str | None
    time_zone: datetime.tzinfo

    def texts(self, values: dict[str, object]) -> dict[str, str]:
        with translation.override(self.language), timezone.override(self.time_zone):
            return {name: human(value) for name, value in values.items()}


async def stream(
    topics: list[Topic], hub: Hub | None = None, display: Display | None = None
) -> AsyncIterator[str]:
    """The event stream of ``topics``: a retry hint, the current values at once, then every
    change (coalesced), and a comment every KEEPALIVE_SECONDS so proxies keep it open. With
    ``display``, each ``counters`` event follows a ``display`` event holding the same values
    written for people (``{"<topic>": "12,034"}``)."""
    hub = hub or get_hub()
    try:
        subscription = await hub.subscribe(topics)
    except HubUnavailable as exc:  # filled up between the view's check and now: end at once
        yield f"retry: {RETRY_MS * 5}\n: {exc}\n\n"
        return
    try:
        yield f"retry: {RETRY_MS}\n\n"
        while True:
            values = await subscription.changes(KEEPALIVE_SECONDS)
            if values is None:  # the server is shutting down: the browser reconnects elsewhere
                return
            if not values:
                yield ": keep-alive\n\n"
                continue
            yield sse(values, display.texts(values) if display is not None else None)
    finally:
        hub.unsubscribe(subscription)

"""Live counters: committed changes pushed to browsers (Server-Sent Events) and to Python hooks.

Writers never announce anything (a ``NOTIFY`` in a writing transaction takes a global lock at
commit, which serializes every writer). Instead, in each server process one :class:`Hub` holds
**one** reader connection, whatever the number of open pages, and every ``interval`` seconds
(50 ms) reads the values of every watched counter (column plus pending deltas) in one query per
target model. Values that changed are pushed to the subscribers that watch them. The database sees
one small read per process per interval, however many pages are open, and only while some page is.

Topics name declared counters: ``counters_social.GlobalStats.total_follows`` (a single-row total),
``counters_social.UserStats.followers_count:42`` (one counter of target row 42) or
``counters_social.UserStats:42`` (every counter of that row, event counters included).

Hooks: :data:`counters_changed` is a Django signal sent by every hub when watched values change
(``model`` label and the ``keys`` whose values changed); ``manage.py listen_counters --watch ...``
runs a hub alone, for a process that forwards changes elsewhere.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import logging
import signal
import threading
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.dispatch import Signal
from django.utils import timezone, translation

from counters import registry
from counters.conf import stream_authorize, stream_max_streams
from counters.display import human
from counters.exceptions import CounterError, UnknownCounterError
from counters.keys import clean_key
from counters.reading import value_sql
from counters.spec import quote

logger = logging.getLogger(__name__)

#: Sent by the hub of each process when watched values changed (one read found them different),
#: with ``model`` (the target model's label, e.g. ``"counters_social.UserStats"``) and ``keys``
#: (the target keys whose watched values changed).
#: Receivers may be ``async def``; they run in the hub's event loop (``Signal.asend``).
counters_changed = Signal()

KEEPALIVE_SECONDS = 15.0
RETRY_MS = 1000  # how long a browser waits before reconnecting (EventSource's retry)


class TopicError(CounterError, ValueError):
    """A stream asked for a counter that does not exist, or without a valid key."""


class HubUnavailable(CounterError):
    """The process serves as many streams as ``COUNTERS_STREAM_MAX_STREAMS`` allows, or its
    server is shutting down: try again later (the view answers 503 with ``Retry-After``)."""


@dataclass(frozen=True)
class Topic:
    """One value a page watches: a counter of a target row."""

    model: type[models.Model]
    key: object
    field: str

    @property
    def name(self) -> str:
        label = f"{self.model._meta.label}.{self.field}"
        singleton = _singleton_key(self.model)
        return label if singleton is not None and self.key == singleton else f"{label}:{self.key}"


def may_watch(request: object, topic: Topic) -> bool:
    """Whether ``request`` may stream ``topic``: always for a counter declared ``public``; else as
    ``COUNTERS_STREAM_AUTHORIZE`` decides (default: never)."""
    if registry.is_public(topic.model, topic.field):
        return True
    authorize = stream_authorize()
    return bool(authorize is not None and authorize(request, topic))


def _singleton_key(model: type[models.Model]) -> object | None:
    found = registry.counters_on(model)
    if found and found[0].mode == "singleton":
        return found[0].singleton_key
    return None


def parse_topics(specs: Iterable[str], limit: int | None = None) -> list[Topic]:
    """``["counters_social.GlobalStats.total_follows", "counters_social.UserStats:42"]`` -> topics
    (each once); keys are checked against the key column (:func:`counters.keys.clean_key`), and
    at most ``limit`` topics are accepted. Raises :class:`TopicError` naming what is wrong."""
    specs = list(dict.fromkeys(specs))
    if limit is not None and len(specs) > limit:  # before any work on them
        raise TopicError(f"a stream watches at most {limit} counters; {len(specs)} were asked")
    topics: dict[Topic, None] = {}
    for spec in specs:
        label, _, raw_key = spec.partition(":")
        try:
            chosen = registry.select([label])
        except UnknownCounterError as exc:
            raise TopicError(str(exc)) from None
        model = chosen[0].target
        fields = [c.field.name for c in chosen]
        if label == model._meta.label:  # a whole model: its event counters too
            fields += [f.name for f in registry.event_fields(model)]
        singleton = _singleton_key(model)
        if not raw_key:
            if singleton is None:
                raise TopicError(f"{label} needs a key: {label}:<{model._meta.pk.name}>")
            key = singleton
        else:
            if singleton is not None:
                raise TopicError(f"{label} is a single-row total: name it without a key")
            try:
                key = clean_key(model, raw_key)
            except ValueError as exc:
                raise TopicError(str(exc)) from None
        topics.update((Topic(model, key, name), None) for name in fields)
        if limit is not None and len(topics) > limit:
            raise TopicError(
                f"a stream watches at most {limit} counters (a whole row counts each of its "
                "counters)"
            )
    if not topics:
        raise TopicError("name at least one counter, e.g. ?c=app_label.Model.field:<key>")
    return list(topics)


def missing_rows(topics: Iterable[Topic], using: str = DEFAULT_DB_ALIAS) -> list[Topic]:
    """The topics whose key names no row: neither a target row nor a row of the model the
    counters' paths end at (a stats row not created yet still has its user). Single-row totals
    always exist. One query per target model; the hub never spends time on keys that cannot
    change."""
    by_model: dict[type[models.Model], set[object]] = defaultdict(set)
    for topic in topics:
        if _singleton_key(topic.model) is None:
            by_model[topic.model].add(topic.key)
    absent: set[tuple[type[models.Model], object]] = set()
    for model, keys in by_model.items():
        key_type = model._meta.pk.rel_db_type(connections[using])
        places = {(model._meta.db_table, model._meta.pk.column)}
        for counter in registry.counters_on(model):
            if counter.key_model is not None:
                places.add((counter.key_model._meta.db_table, counter.key_reference))
        exists = " OR ".join(
            f"EXISTS (SELECT 1 FROM {quote(table)} AS r WHERE r.{quote(column)} = k.key)"
            for table, column in sorted(places)
        )
        with connections[using].cursor() as cursor:
            cursor.execute(
                f"SELECT k.key FROM unnest(%s::{key_type}[]) AS k (key) WHERE NOT ({exists})",
                [sorted(keys, key=str)],
            )
            absent.update((model, row[0]) for row in cursor.fetchall())
    return [topic for topic in topics if (topic.model, topic.key) in absent]


def require_psycopg() -> None:
    """The hub talks to PostgreSQL with psycopg 3 (async reads), whatever driver Django uses."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise CounterError(
            "live counters need psycopg 3 (pip install 'psycopg[binary]'); it can be installed "
            "beside psycopg2, which Django may keep using"
        ) from None


def _connection_params(alias: str) -> dict[str, Any]:
    params = connections[alias].get_connection_params()
    wanted = ("dbname", "user", "password", "host", "port", "sslmode", "options")
    return {key: value for key, value in params.items() if key in wanted and value}


def read_sql(model: type[models.Model], fields: list[str]) -> str:
    """``SELECT key, value...`` of ``fields`` (column plus pending deltas) for the keys of the
    array ``%s``, a row not created yet reading as what is pending for it."""
    table, key = quote(model._meta.db_table), quote(model._meta.pk.column)
    key_type = model._meta.pk.rel_db_type(connections[DEFAULT_DB_ALIAS])
    columns = ", ".join(value_sql(model, name, "t", key="k.key") for name in fields)
    return (
        f"SELECT k.key, {columns} FROM unnest(%s::{key_type}[]) AS k (key) "
        f"LEFT JOIN {table} AS t ON t.{key} = k.key"
    )


@dataclass(eq=False)
class Subscription:
    """One open stream: its topics, and the values waiting to be sent (newest wins)."""

    topics: frozenset[Topic]
    pending: dict[str, object] = field(default_factory=dict)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    closed: bool = False

    def push(self, values: dict[str, object]) -> None:
        self.pending.update(values)
        self.ready.set()

    def close(self) -> None:
        """End the stream (the server is shutting down): :meth:`changes` returns ``None``."""
        self.closed = True
        self.ready.set()

    async def changes(self, timeout: float) -> dict[str, object] | None:
        """The values changed since the last call; ``{}`` after ``timeout`` seconds of quiet;
        ``None`` once the subscription is closed."""
        try:
            await asyncio.wait_for(self.ready.wait(), timeout)
        except TimeoutError:
            return {}
        self.ready.clear()
        if self.closed:
            return None
        values, self.pending = self.pending, {}
        return values


class Hub:
    """The per-process fan-out: one reader connection, any number of subscriptions. Create it
    inside the event loop that serves the streams (see :func:`get_hub`)."""

    def __init__(self, alias: str = DEFAULT_DB_ALIAS, interval: float = 0.05) -> None:
        self.alias = alias
        self.interval = interval
        self.loop = asyncio.get_running_loop()
        self.by_key: dict[tuple[str, object], set[Subscription]] = defaultdict(set)
        self.subscriptions: set[Subscription] = set()
        self.closing = False
        self.watched: dict[Topic, int] = defaultdict(int)  # topic -> subscriptions watching it
        self.values: dict[Topic, object] = {}  # last values (a count, a sum, a timestamp, None)
        self.reader_connections = 0  # reader connections opened so far (one, unless it broke)
        self.reader_pid: int | None = None
        self.polls = 0
        self._reader: Any = None  # a psycopg.AsyncConnection, opened on first use
        self._reader_lock = asyncio.Lock()
        self._tasks = [self.loop.create_task(self._poll_loop(), name="counters-poll")]
        _chain_shutdown_signals()

    # -- subscribers ------------------------------------------------------------------------

    @property
    def full(self) -> bool:
        """Whether a new stream would pass ``COUNTERS_STREAM_MAX_STREAMS`` (or the server is
        shutting down)."""
        return self.closing or len(self.subscriptions) >= stream_max_streams()

    async def subscribe(self, topics: list[Topic]) -> Subscription:
        """Register ``topics`` and queue their current values as the first message. Raises
        :class:`HubUnavailable` when the process serves as many streams as allowed, or is
        shutting down. Time and memory are proportional to ``topics``."""
        if self.full:
            raise HubUnavailable(
                "the server is shutting down"
                if self.closing
                else f"this process serves {len(self.subscriptions)} streams already "
                "(COUNTERS_STREAM_MAX_STREAMS)"
            )
        subscription = Subscription(frozenset(topics))
        self.subscriptions.add(subscription)
        for topic in subscription.topics:
            self.by_key[(topic.model._meta.label, topic.key)].add(subscription)
            self.watched[topic] += 1
        try:
            unknown = [topic for topic in topics if topic not in self.values]
            if unknown:
                await self._read(unknown)
        except BaseException:  # cancelled (the client left) or the read failed: leave nothing
            self.unsubscribe(subscription)
            raise
        subscription.push({topic.name: self.values.get(topic) for topic in topics})
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        """Forget ``subscription`` (in time proportional to its own topics); idempotent."""
        if subscription not in self.subscriptions:
            return
        self.subscriptions.discard(subscription)
        for topic in subscription.topics:
            key = (topic.model._meta.label, topic.key)
            watchers = self.by_key.get(key)
            if watchers is not None:
                watchers.discard(subscription)
                if not watchers:
                    del self.by_key[key]
            self.watched[topic] -= 1
            if self.watched[topic] <= 0:
                del self.watched[topic]
                self.values.pop(topic, None)

    @property
    def subscribers(self) -> int:
        return len(self.subscriptions)

    def shutdown(self) -> None:
        """End every open stream and refuse new ones: the server is stopping (see
        :func:`shutdown_streams`)."""
        self.closing = True
        for subscription in list(self.subscriptions):
            subscription.close()

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._reader is not None:
            await self._reader.close()

    # -- database side ------------------------------------------------------------------------

    async def _poll_loop(self) -> None:
        delay = self.interval
        while True:
            await asyncio.sleep(delay)
            if not self.watched:
                continue
            try:
                changed = await self._read(list(self.watched))
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the database went away: read again, never give up
                logger.warning("counters: reading watched values failed", exc_info=True)
                await self._drop_reader()
                delay = min(max(delay * 2, 0.5), 10.0)
                continue
            delay = self.interval
            self.polls += 1
            if changed:
                self._fan_out(changed)
                await self._announce(changed)

    async def _announce(self, changed: list[Topic]) -> None:
        by_model: dict[str, set[object]] = defaultdict(set)
        for topic in changed:
            by_model[topic.model._meta.label].add(topic.key)
        for label, keys in sorted(by_model.items()):
            results = await counters_changed.asend_robust(
                sender=Hub, model=label, keys=sorted(keys, key=str)
            )
            for receiver, outcome in results:
                if isinstance(outcome, Exception):  # a broken receiver must not stop the stream
                    logger.error(
                        "counters: counters_changed receiver %r failed", receiver, exc_info=outcome
                    )

    def _fan_out(self, changed: Iterable[Topic]) -> None:
        per_subscription: dict[Subscription, dict[str, object]] = defaultdict(dict)
        for topic in changed:
            for watcher in self.by_key.get((topic.model._meta.label, topic.key), ()):
                if topic in watcher.topics:
                    per_subscription[watcher][topic.name] = self.values[topic]
        for watcher, values in per_subscription.items():
            watcher.push(values)

    async def _drop_reader(self) -> None:
        if self._reader is not None:
            try:
                await self._reader.close()
            except Exception:  # noqa: BLE001 - it is broken already
                pass
            self._reader = None

    async def _read(self, topics: Iterable[Topic]) -> list[Topic]:
        """Read the topics' values into ``self.values``; return those that changed."""
        import psycopg

        grouped: dict[type[models.Model], dict[str, set[object]]] = defaultdict(
            lambda: defaultdict(set)
        )
        for topic in topics:
            grouped[topic.model][topic.field].add(topic.key)
        changed: list[Topic] = []
        async with self._reader_lock:
            if self._reader is None or self._reader.closed:
                params = _connection_params(self.alias)
                # autocommitted single statements, never prepared (prepare_threshold=None): a
                # pooler in transaction mode (PgBouncer) may run each on another server session,
                # which would not know a statement prepared on the last one
                self._reader = await psycopg.AsyncConnection.connect(
                    **params, autocommit=True, prepare_threshold=None
                )
                self.reader_connections += 1
                self.reader_pid = self._reader.info.backend_pid
            for model, by_field in grouped.items():
                fields = sorted(by_field)
                keys = sorted(set().union(*by_field.values()), key=str)
                rows = await (
                    await self._reader.execute(read_sql(model, fields), [keys])
                ).fetchall()
                found = {row[0]: row[1:] for row in rows}
                for name in fields:
                    for key in by_field[name]:
                        value = found.get(key, [0] * len(fields))[fields.index(name)]
                        topic = Topic(model, key, name)
                        # a NULL (a Min or Max over no rows) is a value too: not "unread"
                        if topic in self.watched and (
                            topic not in self.values or self.values[topic] != value
                        ):
                            self.values[topic] = value
                            changed.append(topic)
        return changed


_hubs: dict[asyncio.AbstractEventLoop, Hub] = {}


def get_hub(alias: str = DEFAULT_DB_ALIAS) -> Hub:
    """The hub of the running event loop (one per server process), created on first use."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        for stale in [other for other in _hubs if other.is_closed()]:
            del _hubs[stale]
        hub = _hubs[loop] = Hub(alias)
    return hub


def shutdown_streams() -> None:
    """End every open stream of this process and refuse new ones (the server is stopping).

    Runs by itself on SIGTERM and SIGINT when the server's event loop is in the main thread (the
    hub chains a handler in front of the server's own), so a server that waits for its
    connections to close before it exits (uvicorn does) stops within moments. Call it from your
    server's shutdown hook if it runs the loop elsewhere."""
    for hub in list(_hubs.values()):
        if not hub.loop.is_closed():
            hub.loop.call_soon_threadsafe(hub.shutdown)


def _chain_shutdown_signals() -> None:
    """Put :func:`shutdown_streams` in front of the current SIGTERM and SIGINT handlers (once;
    only the main thread may set signal handlers)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for number in (signal.SIGTERM, signal.SIGINT):
        previous = signal.getsignal(number)
        if getattr(previous, "ends_counter_streams", False):
            continue

        def handler(signum: int, frame: object, previous: object = previous) -> None:
            shutdown_streams()
            if callable(previous):
                previous(signum, frame)
            elif signum == signal.SIGINT and previous == signal.SIG_DFL:
                raise KeyboardInterrupt
            elif previous == signal.SIG_DFL:  # die as the signal would have killed us
                signal.signal(signum, signal.SIG_DFL)
                signal.raise_signal(signum)

        handler.ends_counter_streams = True  # type: ignore[attr-defined]
        signal.signal(number, handler)


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


__all__ = [
    "Display",
    "Hub",
    "HubUnavailable",
    "Subscription",
    "Topic",
    "TopicError",
    "counters_changed",
    "get_hub",
    "may_watch",
    "missing_rows",
    "parse_topics",
    "shutdown_streams",
    "stream",
    "wire_text",
]

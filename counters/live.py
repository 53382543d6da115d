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
import json
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.dispatch import Signal

from counters import registry
from counters.conf import stream_authorize
from counters.exceptions import CounterError, UnknownCounterError
from counters.keys import clean_key
from counters.reading import value_sql
from counters.spec import quote

logger = logging.getLogger(__name__)

#: Sent by the hub of each process for every counter notification it receives, with ``model``
#: (the target model's label, e.g. ``"counters.UserStats"``) and ``keys`` (the target keys whose
#: counters changed, or ``None`` for "many rows": a bulk statement or a TRUNCATE).
#: Receivers may be ``async def``; they run in the hub's event loop (``Signal.asend``).
counters_changed = Signal()

KEEPALIVE_SECONDS = 15.0
RETRY_MS = 1000  # how long a browser waits before reconnecting (EventSource's retry)


class TopicError(CounterError, ValueError):
    """A stream asked for a counter that does not exist, or without a valid key."""


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


def parse_topics(specs: Iterable[str]) -> list[Topic]:
    """``["counters_social.GlobalStats.total_follows", "counters_social.UserStats:42"]`` -> topics;
    keys are checked against the key column (:func:`counters.keys.clean_key`). Raises
    :class:`TopicError` with a message naming what is wrong."""
    topics: list[Topic] = []
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
        topics += [Topic(model, key, name) for name in fields]
    if not topics:
        raise TopicError("name at least one counter, e.g. ?c=app_label.Model.field:<key>")
    return topics


def require_psycopg() -> None:
    """The hub talks to PostgreSQL with psycopg 3 (async LISTEN), whatever driver Django uses."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise CounterError(
            "live counters need psycopg 3 (pip install 'psycopg[binary]'); it can be installed "
            "beside psycopg2, which Django may keep using"
        ) from None


def _connection_params(alias: str) -> dict[str, object]:
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

    topics: list[Topic]
    pending: dict[str, int] = field(default_factory=dict)
    ready: asyncio.Event = field(default_factory=asyncio.Event)

    def push(self, values: dict[str, int]) -> None:
        self.pending.update(values)
        self.ready.set()

    async def changes(self, timeout: float) -> dict[str, int]:
        """The values changed since the last call; ``{}`` after ``timeout`` seconds of quiet."""
        try:
            await asyncio.wait_for(self.ready.wait(), timeout)
        except TimeoutError:
            return {}
        self.ready.clear()
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
        self.watched: dict[Topic, int] = defaultdict(int)  # topic -> subscriptions watching it
        self.values: dict[Topic, int] = {}  # last values of watched topics
        self.reader_connections = 0  # reader connections opened so far (one, unless it broke)
        self.reader_pid: int | None = None
        self.polls = 0
        self._reader = None
        self._reader_lock = asyncio.Lock()
        self._tasks = [self.loop.create_task(self._poll_loop(), name="counters-poll")]

    # -- subscribers ------------------------------------------------------------------------

    async def subscribe(self, topics: list[Topic]) -> Subscription:
        """Register ``topics`` and queue their current values as the first message."""
        subscription = Subscription(topics)
        for topic in topics:
            self.by_key[(topic.model._meta.label, topic.key)].add(subscription)
            self.watched[topic] += 1
        try:
            unknown = [topic for topic in topics if topic not in self.values]
            if unknown:
                await self._read(unknown)
        except BaseException:  # cancelled (the client left) or the read failed: leave nothing
            self.unsubscribe(subscription)
            raise
        subscription.push({topic.name: self.values.get(topic, 0) for topic in topics})
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
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
        return len({s for watchers in self.by_key.values() for s in watchers})

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
        per_subscription: dict[Subscription, dict[str, int]] = defaultdict(dict)
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
                self._reader = await psycopg.AsyncConnection.connect(**params, autocommit=True)
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
                        if topic in self.watched and self.values.get(topic) != value:
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


def sse(values: dict[str, int]) -> str:
    """One Server-Sent Event carrying ``values``."""
    return f"event: counters\ndata: {json.dumps(values, separators=(',', ':'))}\n\n"


async def stream(topics: list[Topic], hub: Hub | None = None) -> AsyncIterator[str]:
    """The event stream of ``topics``: a retry hint, the current values at once, then every
    change (coalesced), and a comment every KEEPALIVE_SECONDS so proxies keep it open."""
    hub = hub or get_hub()
    subscription = await hub.subscribe(topics)
    try:
        yield f"retry: {RETRY_MS}\n\n"
        while True:
            values = await subscription.changes(KEEPALIVE_SECONDS)
            yield sse(values) if values else ": keep-alive\n\n"
    finally:
        hub.unsubscribe(subscription)


__all__ = [
    "Hub",
    "Subscription",
    "Topic",
    "TopicError",
    "counters_changed",
    "get_hub",
    "may_watch",
    "parse_topics",
    "stream",
]

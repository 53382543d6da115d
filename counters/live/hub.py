"""One reader per process (:class:`Hub`): every ``interval`` it reads the watched counters' values
in one query per target model and pushes those that changed to its subscribers and to
:data:`counters.live.counters_changed` (see :mod:`counters.live`)."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models

from counters.conf import stream_max_streams
from counters.exceptions import CounterError
from counters.live.signals import counters_changed
from counters.live.topics import Topic, read_sql

logger = logging.getLogger(__name__)


class HubUnavailable(CounterError):
    """The process serves as many streams as ``COUNTERS_STREAM_MAX_STREAMS`` allows, or its
    server is shutting down: try again later (the view answers 503 with ``Retry-After``)."""


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
        _chain_shutdown_signals()  # the server's hub: a stop signal ends its streams first
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

        handler.ends_counter_streams = True  # type: ignore[attr-defined]  # a marker of ours on the function
        signal.signal(number, handler)

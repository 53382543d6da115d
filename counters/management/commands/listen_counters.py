"""manage.py listen_counters: run a live-counters hub alone and print (or forward) every change."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from counters.exceptions import CounterError
from counters.live.hub import Hub, Subscription, require_psycopg
from counters.live.signals import counters_changed
from counters.live.stream import json_default
from counters.live.topics import Topic, TopicError, parse_topics
from counters.management.commands._arguments import add_database


class Command(BaseCommand):
    help = (
        'Watch counters and print one JSON line per change: {"model": ..., "keys": [...]} '
        'for the rows whose watched values changed, then {"values": {...}} with the new '
        "values. Receivers of counters.live.counters_changed (your forwarding code, e.g. to a "
        "message bus) run for each change. One reader connection polls the watched values "
        "(writers announce nothing). Runs until interrupted, or for --count changes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--watch",
            nargs="+",
            metavar="COUNTER",
            required=True,
            help="the counters to watch, e.g. counters_social.GlobalStats.total_follows "
            "counters_social.UserStats:42",
        )
        parser.add_argument(
            "--count",
            type=int,
            default=0,
            metavar="N",
            help="stop after N changes (default: run until interrupted)",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=0.05,
            help="seconds between reads of the watched values (default: %(default)s)",
        )
        add_database(parser)

    def handle(self, *args: str, **options: Any) -> None:
        try:
            require_psycopg()
        except CounterError as exc:
            raise CommandError(str(exc)) from None
        try:
            topics = parse_topics(options["watch"])
        except TopicError as exc:
            raise CommandError(str(exc)) from None
        if options["count"] < 0:
            raise CommandError("--count must be 0 (no limit) or a positive number")
        if options["interval"] <= 0:
            raise CommandError(f"--interval must be positive, not {options['interval']}")
        try:
            asyncio.run(
                self._run(topics, options["count"], options["interval"], options["database"])
            )
        except KeyboardInterrupt:
            pass

    async def _run(self, topics: list[Topic], count: int, interval: float, alias: str) -> None:
        done = asyncio.Event()
        seen = 0

        async def printed(sender: object, model: str, keys: list[object], **kwargs: object) -> None:
            nonlocal seen
            self.stdout.write(json.dumps({"model": model, "keys": keys}, default=str))
            seen += 1
            if count and seen >= count:
                done.set()

        counters_changed.connect(printed, dispatch_uid="listen_counters")
        hub = Hub(alias, interval=interval)
        try:
            subscription = await hub.subscribe(topics)
            asyncio.get_running_loop().create_task(self._values(subscription))
            self.stderr.write("Watching counters (Ctrl-C stops).")
            await done.wait()
        finally:
            counters_changed.disconnect(dispatch_uid="listen_counters")
            await hub.close()

    async def _values(self, subscription: Subscription) -> None:
        while True:
            values = await subscription.changes(3600)
            if values is None:  # the hub was shut down
                return
            if values:
                self.stdout.write(json.dumps({"values": values}, default=json_default))

"""manage.py listen_counters: run a live-counters hub alone and print (or forward) every change."""

from __future__ import annotations

import asyncio
import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from counters.exceptions import CounterError
from counters.live import Hub, TopicError, counters_changed, parse_topics, require_psycopg


class Command(BaseCommand):
    help = (
        "Listen for committed counter changes (the triggers' NOTIFY) and print one JSON line per "
        "notification: the target model and the keys that changed (null: many rows). Receivers of "
        "counters.live.counters_changed (your forwarding code, e.g. to a message bus) run for each. "
        "With --watch, also print the new values of the named counters as they change. "
        "Runs until interrupted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--watch",
            nargs="+",
            metavar="COUNTER",
            default=[],
            help="counters whose values to print, e.g. counters_social.GlobalStats.total_follows "
            "counters_social.UserStats:42",
        )
        parser.add_argument(
            "--count",
            type=int,
            default=0,
            metavar="N",
            help="stop after N notifications (default: run until interrupted)",
        )

    def handle(self, *args: str, **options: object) -> None:
        try:
            require_psycopg()
        except CounterError as exc:
            raise CommandError(str(exc)) from None
        try:
            topics = parse_topics(options["watch"]) if options["watch"] else []
        except TopicError as exc:
            raise CommandError(str(exc)) from None
        if options["count"] < 0:
            raise CommandError("--count must be 0 (no limit) or a positive number")
        try:
            asyncio.run(self._run(topics, options["count"]))
        except KeyboardInterrupt:
            pass

    async def _run(self, topics: list, count: int) -> None:
        done = asyncio.Event()
        seen = 0

        async def printed(sender: object, model: str, keys: list | None, **kwargs: object) -> None:
            nonlocal seen
            self.stdout.write(json.dumps({"model": model, "keys": keys}))
            seen += 1
            if count and seen >= count:
                done.set()

        counters_changed.connect(printed, dispatch_uid="listen_counters")
        hub = Hub()
        try:
            if topics:
                subscription = await hub.subscribe(topics)
                asyncio.get_running_loop().create_task(self._values(subscription))
            else:
                await hub.listening.wait()
            self.stderr.write("Listening for counter changes (Ctrl-C stops).")
            await done.wait()
        finally:
            counters_changed.disconnect(dispatch_uid="listen_counters")
            await hub.close()

    async def _values(self, subscription) -> None:  # noqa: ANN001
        while True:
            values = await subscription.changes(3600)
            if values:
                self.stdout.write(json.dumps({"values": values}))

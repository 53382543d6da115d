"""manage.py counters_metrics: the counters' Prometheus metrics, printed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from counters.exceptions import CounterError
from counters.management.commands._arguments import add_database
from counters.metrics import render


class Command(BaseCommand):
    help = (
        "Print the counters' metrics in the Prometheus text format: pending deltas and their "
        "age, the last fold, every trigger's state, each counter's last check. For the node "
        "exporter's textfile collector, e.g. every minute from cron: manage.py counters_metrics "
        "> /var/lib/node_exporter/counters.prom.tmp && mv ... counters.prom"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_database(parser)

    def handle(self, *args: str, **options: Any) -> None:
        try:
            text = render(options["database"])
        except CounterError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(text.decode(), ending="")

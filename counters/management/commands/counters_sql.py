"""manage.py counters_sql: print the SQL that keeps a counter, for review."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from counters.core import registry
from counters.core.counter import Counter
from counters.exceptions import UnknownCounterError
from counters.management.commands._arguments import add_labels
from counters.sql import printer
from counters.triggers import triggers_for


def counter_sql(counter: Counter) -> str:
    """What the command prints for ``counter`` (:func:`counters.sql.printer.counter_sql`, fed
    with the registry's counters and the registered triggers that keep it)."""
    return printer.counter_sql(
        counter,
        registry.all_counters(),
        triggers_for(counter),
        registry.event_fields(counter.target),
    )


class Command(BaseCommand):
    help = (
        "Print, formatted, the SQL that keeps each named counter: its triggers and read-only "
        "guards (as installed by the migrations), the fold of its target table, the recount's "
        "statements and the <table>_exact view. No LABEL: every declared counter."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_labels(parser)

    def handle(self, *args: str, **options: Any) -> None:
        try:
            chosen = registry.select(options["labels"])
        except UnknownCounterError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write("\n".join(counter_sql(counter) for counter in chosen), ending="")

"""manage.py counters_sql: print the SQL that keeps a counter, for review."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from counters import registry
from counters.exceptions import UnknownCounterError
from counters.sql import counter_sql


class Command(BaseCommand):
    help = (
        "Print, formatted, the SQL that keeps each named counter: its triggers and read-only "
        "guards (as installed by the migrations), the fold of its target table, the recount's "
        "statements and the <table>_exact view. No LABEL: every declared counter."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "labels",
            nargs="*",
            metavar="LABEL",
            help="a counter (app_label.Model.field) or every counter of a model (app_label.Model)",
        )

    def handle(self, *args: str, **options: Any) -> None:
        try:
            chosen = registry.select(options["labels"])
        except UnknownCounterError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write("\n".join(counter_sql(counter) for counter in chosen), ending="")

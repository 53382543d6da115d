"""manage.py fold_counters: fold pending counter deltas into their rows (once, or forever)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from counters.exceptions import UnknownCounterError
from counters.folding import announce_folder, fold
from counters.management.commands._arguments import (
    add_database,
    add_labels_and_batch_size,
    batch_size,
)


class Command(BaseCommand):
    help = (
        "Add pending counter deltas (appended by the triggers) into their counter rows and delete "
        "them. Never waits on a writer: rows busy right now are left for the next fold. Reads are "
        "exact either way; folding keeps them cheap. Once (cron), or with --forever as a "
        "dedicated folder that folds every --interval seconds."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_labels_and_batch_size(parser, batch_size=1000, batch_help="target keys per transaction")
        parser.add_argument(
            "--forever", action="store_true", help="keep folding until interrupted (a folder)"
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=0.5,
            help="seconds between folds with --forever (default: %(default)s)",
        )
        add_database(parser)

    def handle(self, *args: str, **options: Any) -> None:
        if options["interval"] <= 0:
            raise CommandError(f"--interval must be positive, not {options['interval']}")
        size, using = batch_size(options), options["database"]
        if options["forever"]:
            announce_folder(using)  # writers leave the folding to us
        try:
            self._fold(options, size, using)
        except KeyboardInterrupt:  # Ctrl-C stops a folder: every committed fold stays
            return

    def _fold(self, options: dict[str, Any], size: int, using: str) -> None:
        while True:
            try:
                report = fold(options["labels"], batch_size=size, using=using)
            except UnknownCounterError as exc:
                raise CommandError(str(exc)) from None
            if not options["forever"]:
                break
            if options["verbosity"] >= 2 and report.total:
                self.stdout.write(f"folded {report.total} delta(s) in {report.seconds:.3f} s")
            time.sleep(options["interval"])
            if connections[using].connection is None or not connections[using].is_usable():
                connections[using].close()
                announce_folder(using)  # a new connection: say it again
        if options["verbosity"] == 0:
            return
        if not report.folded:
            self.stdout.write("No counters selected.")
        for label in report.folded:
            self.stdout.write(
                f"{label}: folded {report.folded[label]} delta(s), dropped "
                f"{report.orphans[label]} orphaned, {report.left[label]} left (busy)"
            )

"""manage.py fold_counters: fold hot counters' slot rows back into their rows (cron-friendly)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from counters.exceptions import UnknownCounterError
from counters.folding import fold
from counters.management.commands._arguments import add_labels_and_batch_size, batch_size


class Command(BaseCommand):
    help = (
        "Add the pending slot rows of hot (slotted) counters into their target rows and delete "
        "them. Never waits on a writer: rows busy right now are left for the next run. Reads are "
        "exact either way; folding keeps them cheap. Safe to run from cron every minute."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_labels_and_batch_size(parser, batch_size=1000, batch_help="target keys per transaction")

    def handle(self, *args: str, **options: object) -> None:
        try:
            report = fold(options["labels"], batch_size=batch_size(options))
        except UnknownCounterError as exc:
            raise CommandError(str(exc)) from None
        if options["verbosity"] == 0:
            return
        if not report.folded:
            self.stdout.write("No slotted counters selected.")
        for label in report.folded:
            self.stdout.write(
                f"{label}: folded {report.folded[label]} slot rows, removed "
                f"{report.orphans[label]} orphaned, {report.left[label]} left (busy)"
            )

"""manage.py fold_counters: fold hot counters' slot rows back into their rows (cron-friendly)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from counters.exceptions import UnknownCounterError
from counters.fold import fold


class Command(BaseCommand):
    help = (
        "Add the pending slot rows of hot (slotted) counters into their target rows and delete "
        "them. Never waits on a writer: rows busy right now are left for the next run. Reads are "
        "exact either way; folding keeps them cheap. Safe to run from cron every minute."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "labels",
            nargs="*",
            metavar="LABEL",
            help="a counter (app_label.Model.field) or a model (app_label.Model); none means all",
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=1000,
            help="target keys per transaction (default: %(default)s)",
        )

    def handle(self, *args: str, **options: object) -> None:
        if options["batch_size"] < 1:
            raise CommandError(
                f"--batch-size must be a positive integer, not {options['batch_size']}"
            )
        try:
            report = fold(options["labels"], batch_size=options["batch_size"])
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

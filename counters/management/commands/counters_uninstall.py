"""manage.py counters_uninstall: drop every counter trigger from the database."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from counters.installation import uninstall
from counters.management.commands._arguments import add_database


class Command(BaseCommand):
    help = (
        "Drop every counter trigger and read-only guard this library installed (and their "
        "functions), in every app's tables, in one transaction. Run it before removing the "
        "library: `migrate counters zero` alone leaves the triggers of the apps that declare "
        "counters installed and counting. Counter columns keep their last values. To put the "
        "triggers back: manage.py counters_install, then manage.py backfill_counters."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="list the triggers, drop nothing"
        )
        add_database(parser)

    def handle(self, *args: str, **options: Any) -> None:
        found = uninstall(dry_run=options["dry_run"], using=options["database"])
        verb = "Would drop" if options["dry_run"] else "Dropped"
        if options["verbosity"] >= 2:
            for trigger in found:
                self.stdout.write(f"  {trigger}")
        if options["verbosity"]:
            tables = len({trigger.table for trigger in found})
            self.stdout.write(f"{verb} {len(found)} counter trigger(s) on {tables} table(s).")

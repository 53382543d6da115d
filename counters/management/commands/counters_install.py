"""manage.py counters_install: (re)install every declared counter trigger."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS

from counters.installation import install


class Command(BaseCommand):
    help = (
        "Install (or reinstall) the triggers and read-only guards of every declared counter, "
        "as the migrations would, and nothing else. Use it after counters_uninstall, or when "
        "backfill_counters says triggers are missing; then run backfill_counters, since writes "
        "made while triggers were missing were not counted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="database alias (default: %(default)s)"
        )

    def handle(self, *args: str, **options: object) -> None:
        done = install(using=options["database"])
        if options["verbosity"] >= 2:
            for line in done:
                self.stdout.write(f"  {line}")
        if options["verbosity"]:
            self.stdout.write(
                f"Installed {len(done)} counter trigger(s). Recount with manage.py backfill_counters."
            )

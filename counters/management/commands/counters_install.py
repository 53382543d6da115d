"""manage.py counters_install: (re)install every declared counter trigger."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from counters.installation import install
from counters.management.commands._arguments import add_database


class Command(BaseCommand):
    help = (
        "Install (or reinstall) the triggers and read-only guards of every declared counter, "
        "as the migrations would, and nothing else; and their copies on every partition of a "
        "partitioned table (a partition created since the last install included; tables no "
        "longer partitions lose theirs). Use it after counters_uninstall, or when "
        "backfill_counters or counters_health say triggers are missing; then run backfill_counters, "
        "since writes "
        "made while triggers were missing were not counted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_database(parser)

    def handle(self, *args: str, **options: Any) -> None:
        done = install(using=options["database"])
        if options["verbosity"] >= 2:
            for line in done:
                self.stdout.write(f"  {line}")
        if options["verbosity"]:
            self.stdout.write(
                f"Installed {len(done)} counter trigger(s). Recount with manage.py backfill_counters."
            )

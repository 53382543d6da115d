"""manage.py counters_health: exit non-zero, saying why, when the counters need a person."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from counters import monitoring
from counters.exceptions import CounterError
from counters.management.commands._arguments import add_database


class Command(BaseCommand):
    help = (
        "Check that the database keeps the counters exact, and exit with a status a monitor can "
        "act on: 0 healthy; 2 a counter trigger is missing, disabled or outdated (a partition's "
        "copy too), or the partitions of a partitioned source changed since it was counted; 3 "
        "the last "
        "check of a counter found drift (and no recount fixed it since); 4 the backlog of pending "
        "deltas is above --max-pending; 5 the oldest pending delta is older than --max-lag "
        "(nothing folds). With several problems, the smallest code wins and every reason is "
        "printed. Run a check on a schedule (backfill_counters --check --sample N --time-limit S) "
        "so drift is found. Reads only: it runs against a hot standby too (--database)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--max-pending",
            type=int,
            default=monitoring.DEFAULT_MAX_PENDING,
            metavar="ROWS",
            help="pending delta rows in all before it is a problem (default: %(default)s)",
        )
        parser.add_argument(
            "--max-lag",
            type=float,
            default=monitoring.DEFAULT_MAX_LAG,
            metavar="SECONDS",
            help="age of the oldest pending delta before it is a problem (default: %(default)s)",
        )
        parser.add_argument(
            "--json", action="store_true", help="print the result as JSON on standard output"
        )
        add_database(parser)

    def handle(self, *args: str, **options: Any) -> None:
        if options["max_pending"] < 0:
            raise CommandError(f"--max-pending must be 0 or more, not {options['max_pending']}")
        if options["max_lag"] <= 0:
            raise CommandError(f"--max-lag must be positive, not {options['max_lag']}")
        try:
            report = monitoring.health(
                max_pending=options["max_pending"],
                max_lag=options["max_lag"],
                using=options["database"],
            )
        except CounterError as exc:
            raise CommandError(str(exc)) from None
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2))
        elif not report.problems:
            self.stdout.write(
                self.style.SUCCESS(
                    f"healthy: triggers enabled, {report.pending_rows} pending delta rows "
                    f"(oldest {report.oldest_pending_seconds:.1f} s), "
                    f"{report.checked_counters} counters checked without drift left"
                )
            )
        if report.read_only and not options["json"]:
            self.stdout.write(
                f"database {options['database']!r} is read-only (a standby): the backlog, folds "
                "and checks shown are the primary's, as replayed here; nothing was recorded"
            )
        for problem in report.problems:
            self.stderr.write(self.style.ERROR(f"{problem.code}: {problem.message}"))
        if report.problems:
            raise SystemExit(report.exit_code)

"""manage.py fold_counters: fold pending counter deltas into their rows (once, or forever)."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import Error as DatabaseError

from counters.exceptions import ReadOnlyDatabase, UnknownCounterError
from counters.folding import Folder, FoldReport, first_line, fold
from counters.management.commands._arguments import (
    add_database,
    add_labels_and_batch_size,
    batch_size,
)
from counters.state import read_only


class Command(BaseCommand):
    help = (
        "Add pending counter deltas (appended by the triggers) into their counter rows and delete "
        "them. Never waits on a writer: rows busy right now are left for the next fold. Reads are "
        "exact either way; folding keeps them cheap. Once (cron), or with --forever as a "
        "dedicated folder that folds every --interval seconds and outlives database restarts: "
        "it reconnects with a backoff up to --max-backoff seconds, logging one line when the "
        "database goes away and one when folding works again. It beats in counters_state each "
        "cycle, so writers leave their occasional folds to it (through a pooler in transaction "
        "mode too). SIGINT and SIGTERM stop it cleanly (exit status 0, its beat forgotten), so a "
        "supervisor (systemd, Kubernetes) can restart it."
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
        parser.add_argument(
            "--max-backoff",
            type=float,
            default=30.0,
            metavar="SECONDS",
            help="with --forever, the longest wait between attempts while the database is "
            "unreachable; the wait doubles from --interval up to it (default: %(default)s)",
        )
        add_database(parser)

    def handle(self, *args: str, **options: Any) -> None:
        for name in ("interval", "max_backoff"):
            if options[name] <= 0:
                option = "--" + name.replace("_", "-")
                raise CommandError(f"{option} must be positive, not {options[name]}")
        size, using = batch_size(options), options["database"]
        try:
            refused = read_only(using)
        except DatabaseError as exc:  # not reachable (a pooler refusing clients, a server down)
            raise CommandError(f"cannot reach database {using!r}: {first_line(exc)}") from None
        if refused:  # said before a folder starts, not once a cycle
            raise CommandError(str(ReadOnlyDatabase.refusing(using, "folding writes")))
        if options["forever"]:
            self._forever(options, size, using)
            return
        try:
            report = fold(options["labels"], batch_size=size, using=using)
        except (UnknownCounterError, ReadOnlyDatabase) as exc:
            raise CommandError(str(exc)) from None
        except DatabaseError as exc:
            raise CommandError(f"could not fold on database {using!r}: {first_line(exc)}") from None
        if options["verbosity"] == 0:
            return
        if not report.folded:
            self.stdout.write("No counters selected.")
        for label in report.folded:
            self.stdout.write(
                f"{label}: folded {report.folded[label]} delta(s), dropped "
                f"{report.orphans[label]} orphaned, {report.left[label]} left (busy)"
            )

    def _forever(self, options: dict[str, Any], size: int, using: str) -> None:
        """The shared folder loop (:class:`counters.folding.Folder`) in the foreground."""

        def said(report: FoldReport) -> None:
            if options["verbosity"] >= 2 and report.total:
                self.stdout.write(f"folded {report.total} delta(s) in {report.seconds:.3f} s")

        try:
            folder = Folder(
                options["interval"],
                using,
                labels=options["labels"],
                batch_size=size,
                max_backoff=options["max_backoff"],
                on_fold=said,
            )
        except UnknownCounterError as exc:
            raise CommandError(str(exc)) from None
        logger = logging.getLogger("counters.folding")
        handler = None
        if not logger.hasHandlers() and options["verbosity"] >= 1:  # no LOGGING configured
            handler = logging.StreamHandler(self.stderr)
            handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
            logger.addHandler(handler)
            logger.setLevel(logging.INFO)
        main = threading.current_thread() is threading.main_thread()  # signals: main thread only
        previous = (
            signal.signal(signal.SIGTERM, lambda *_: folder.stop(timeout=0)) if main else None
        )
        try:
            folder.run()
        except KeyboardInterrupt:  # Ctrl-C stops a folder: every committed fold stays
            pass
        finally:
            if main:
                signal.signal(signal.SIGTERM, previous)
            if handler is not None:
                logger.removeHandler(handler)
                logger.setLevel(logging.NOTSET)

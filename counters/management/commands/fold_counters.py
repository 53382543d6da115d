"""manage.py fold_counters: fold pending counter deltas into their rows (once, or forever)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, connections

from counters.exceptions import ReadOnlyDatabase, UnknownCounterError
from counters.folding import announce_folder, fold, folder_id, forget_folder
from counters.management.commands._arguments import (
    add_database,
    add_labels_and_batch_size,
    batch_size,
)
from counters.monitoring import read_only


class Command(BaseCommand):
    help = (
        "Add pending counter deltas (appended by the triggers) into their counter rows and delete "
        "them. Never waits on a writer: rows busy right now are left for the next fold. Reads are "
        "exact either way; folding keeps them cheap. Once (cron), or with --forever as a "
        "dedicated folder that folds every --interval seconds: it beats in counters_state each "
        "cycle, so writers leave their occasional folds to it (through a pooler in transaction "
        "mode too), and forgets its beat when stopped (Ctrl-C, SIGTERM)."
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
        self.name = folder_id()
        try:
            refused = read_only(using)
        except DatabaseError as exc:  # not reachable (a pooler refusing clients, a server down)
            raise CommandError(f"cannot reach database {using!r}: {str(exc).strip()}") from None
        if refused:
            raise CommandError(
                f"database {using!r} is read-only (a standby): folding writes; run the folder "
                "against the primary (a standby replays its folds)"
            )
        if not options["forever"]:
            self._fold(options, size, using)
            return
        previous = _stop_on_sigterm()
        try:
            self._fold(options, size, using)
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM stops a folder: every committed fold stays
            pass
        finally:
            _restore_sigterm(previous)
            self._forget(using)

    def _forget(self, using: str) -> None:
        """Remove this folder's beat: writers fold by themselves again at once."""
        try:
            connections[using].close()  # it may be mid-statement: a fresh connection
            forget_folder(using, by=self.name)
        except Exception as exc:  # noqa: BLE001 - the beat runs out by itself anyway
            self.stderr.write(f"could not remove the folder's beat ({exc}); it expires by itself")

    def _fold(self, options: dict[str, Any], size: int, using: str) -> None:
        while True:
            try:
                if options["forever"]:  # writers leave the folding to us (a beat each cycle)
                    announce_folder(using, by=self.name, interval=options["interval"])
                report = fold(options["labels"], batch_size=size, using=using)
            except (UnknownCounterError, ReadOnlyDatabase) as exc:
                raise CommandError(str(exc)) from None
            except DatabaseError as exc:
                if not options["forever"]:
                    raise CommandError(f"folding failed: {exc}") from None
                # the server or the pooler is restarting: fold again next cycle
                self.stderr.write(f"fold failed ({str(exc).strip()}); trying again")
                connections[using].close()
                time.sleep(options["interval"])
                continue
            if not options["forever"]:
                break
            if options["verbosity"] >= 2 and report.total:
                self.stdout.write(f"folded {report.total} delta(s) in {report.seconds:.3f} s")
            time.sleep(options["interval"])
        if options["verbosity"] == 0:
            return
        if not report.folded:
            self.stdout.write("No counters selected.")
        for label in report.folded:
            self.stdout.write(
                f"{label}: folded {report.folded[label]} delta(s), dropped "
                f"{report.orphans[label]} orphaned, {report.left[label]} left (busy)"
            )


def _stop_on_sigterm() -> Any:
    """Let SIGTERM (a service manager's stop) end the folder like Ctrl-C, so it forgets its beat;
    returns the previous handler (``None`` outside the main thread, where signals cannot be set)."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, interrupt)


def _restore_sigterm(previous: Any) -> None:
    import signal

    if previous is not None:
        signal.signal(signal.SIGTERM, previous)

"""manage.py backfill_counters: recount (or check) declared counters in resumable batches."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from counters.exceptions import (
    ReadOnlyDatabase,
    RecountInterrupted,
    TriggersNotInstalled,
    UnknownCounterError,
)
from counters.management.commands._arguments import (
    add_database,
    add_labels_and_batch_size,
    batch_size,
)
from counters.recounting import run
from counters.report import Progress, Report


class Command(BaseCommand):
    help = (
        "Recount trigger-kept counters from their source rows, in keyset batches (one transaction "
        "each), creating missing target rows (a fix also drops the deltas it recounts). Safe while the "
        "site keeps writing. A whole recount first puts the counter triggers on every partition "
        "of a partitioned source (and takes them off detached tables), and records the partitions "
        "it counted, which counters_health compares. With --check, "
        "write nothing and exit with status 1 if any counter drifted; a check runs read-only "
        "against a hot standby too (--database; its result is then not recorded)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        add_labels_and_batch_size(
            parser,
            batch_size=10000,
            batch_help="target rows per batch and per transaction; writers wait at most one batch",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="only report drift (rows checked, drifted, largest drift, examples); write nothing; "
            "exit status 1 when anything drifted",
        )
        parser.add_argument(
            "--ids",
            nargs="+",
            metavar="KEY",
            help="only these target keys, e.g. one user's id (space or comma separated)",
        )
        parser.add_argument(
            "--start-after",
            metavar="KEY",
            help="resume after this target key (printed as the run goes and when interrupted)",
        )
        parser.add_argument(
            "--sample",
            type=int,
            metavar="N",
            help="only N target keys of each model, picked at random: a quick health check "
            "(with --check) of a big table",
        )
        parser.add_argument(
            "--time-limit",
            type=float,
            metavar="SECONDS",
            help="stop after the batch that ends this many seconds after the start (a bounded "
            "scheduled check; the report says where it stopped)",
        )
        parser.add_argument(
            "--json", action="store_true", help="print the report as JSON on standard output"
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="no progress bar, even on a terminal"
        )
        add_database(parser)

    def handle(self, *args: str, **options: Any) -> None:
        labels = options["labels"]
        size = batch_size(options)
        ids = None
        if options["ids"]:
            ids = [part for value in options["ids"] for part in value.split(",") if part]
        reporter = _ProgressReporter(self, options)
        try:
            report = run(
                labels,
                fix=not options["check"],
                batch_size=size,
                ids=ids,
                start_after=options["start_after"],
                sample=options["sample"],
                time_limit=options["time_limit"],
                progress=reporter,
                using=options["database"],
            )
        except (ValueError, TriggersNotInstalled, UnknownCounterError, ReadOnlyDatabase) as exc:
            raise CommandError(str(exc)) from None
        except RecountInterrupted as exc:
            reporter.close()
            self._summary(exc.report, options)
            resume = ", ".join(
                f"{label} after {key}" for label, key in exc.report.last_committed.items()
            )
            self.stderr.write(
                "Interrupted. Every committed batch stays. Last committed key: "
                f"{resume or 'none'}.\nResume with: manage.py backfill_counters "
                + " ".join(labels or ["<app_label.Model>"])
                + (
                    f" --start-after {list(exc.report.last_committed.values())[-1]}"
                    if exc.report.last_committed
                    else ""
                )
            )
            raise SystemExit(130) from None
        reporter.close()
        self._summary(report, options)
        if report.recorded is False and options["verbosity"] >= 1:
            (self.stderr if options["json"] else self.stdout).write(
                f"Not recorded: database {options['database']!r} is read-only (a standby). "
                "counters_health reads the checks run on the primary."
            )
        if options["check"] and report.drifted:
            raise SystemExit(1)

    def _summary(self, report: Report, options: dict[str, Any]) -> None:
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), indent=2, default=str))
        if options["verbosity"] == 0:
            return
        out = self.stderr if options["json"] else self.stdout
        verb = "fixed" if report.fixed else "drifted"
        rows = [("counter", "checked", verb, "largest drift")]
        rows += [
            (r.label, str(r.rows_checked), str(r.rows_drifted), str(r.largest_drift))
            for r in report.counters
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(4)]
        lines = [
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows
        ]
        lines.insert(1, "  ".join("-" * w for w in widths))
        out.write("\n".join(lines))
        for r in report.counters:
            for example in r.examples:
                out.write(
                    f"  {r.label} key {example['key']}: cached {example['cached']}, "
                    f"true {example['true']}"
                )
        state = "complete" if report.completed else "stopped before the end"
        created = f", {report.rows_created} target rows created" if report.rows_created else ""
        style = self.style.ERROR if report.drifted and not report.fixed else self.style.SUCCESS
        out.write(
            style(
                f"{'Recount' if report.fixed else 'Check'} {state} in {report.seconds:.1f}s{created}."
            )
        )


class _ProgressReporter:
    """A tqdm bar on a terminal; plain lines (every 5 s, or every batch at -v 2) otherwise."""

    def __init__(self, command: Command, options: dict[str, Any]) -> None:
        self.command = command
        self.verbosity = options["verbosity"]
        self.tty = sys.stderr.isatty() and not options["no_progress"] and self.verbosity >= 1
        self.bar: Any = None  # a tqdm bar, on a terminal
        self.target: str | None = None
        self.last_line = 0.0

    def __call__(self, progress: Progress) -> None:
        if self.tty:
            from tqdm import tqdm

            if self.target != progress.target:
                self.close()
                self.bar = tqdm(total=progress.total, desc=progress.target, unit="rows")
                self.target = progress.target
            self.bar.update(progress.done - self.bar.n)
            self.bar.set_postfix(last_key=progress.last_key, refresh=False)
            return
        now = time.monotonic()
        if self.verbosity >= 2 or (self.verbosity >= 1 and now - self.last_line >= 5):
            self.last_line = now
            self.command.stderr.write(
                f"{progress.target}: {progress.done}/{progress.total} rows, "
                f"last committed key {progress.last_key}"
            )

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

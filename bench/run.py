#!/usr/bin/env python
"""Benchmarks: what the counters cost, as ratios against a baseline measured in the same run.

Runs in its own database (``counters_bench``) on the embedded server or on DATABASE_URL's server.

- Write overhead: the same writes to ``counters_follow``/``counters_post`` with the user triggers
  on (counted) and off (``ALTER TABLE ... DISABLE TRIGGER USER``), alternating rounds; and the
  same writes kept by the alternatives (a hand-written row-level trigger, app-side ``F()`` in
  ``post_save``/``post_delete`` signals), with the drift each leaves behind.
- Concurrency: 8 and 16 writer processes (ORM and raw SQL) on different users, one celebrity and
  the site totals, vs triggers off and a row-level trigger; the backlog of pending deltas; two
  follows per transaction (deadlocks); a dedicated folder's lag.
- Isolation: serialization failures of 8 writers under REPEATABLE READ and SERIALIZABLE, with
  the counters and with ``COUNT(*)`` reads and no counters.
- Breakdown: where a single-row write's time goes, per trigger function (server time per
  statement), against the insert without counters and the row-level trigger.
- Live: commit-to-event time at 200 stream clients.
- Reads: the documented read vs ``COUNT(*)`` at 1k/100k/1M followers.
- Recount: ``backfill_counters`` over all counters vs the bare ``GROUP BY`` scans it needs, at two
  sizes (to show it grows linearly).

Prints a table, writes ``bench/results/latest.json`` and rewrites the figures in
``docs/benchmarks.md``. Usage: ``make bench`` or ``python -m bench.run [--quick] [--only SECTION]``. One module per
section (``bench/writes.py``, ``breakdown``, ``aggregates``, ``hot``, ``live_latency``, ``reads``, ``recount``),
what they share in ``bench/common.py``, the report writer in ``bench/report.py``.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: bench/ itself must not shadow anything
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from bench.aggregates import aggregates  # noqa: E402
from bench.breakdown import breakdown  # noqa: E402
from bench.common import RESULTS, ROW_TRIGGERS, make_users, sql, triggers  # noqa: E402
from bench.distinct import distinct  # noqa: E402
from bench.hot import concurrency, deadlocks, folder_lag  # noqa: E402
from bench.isolation import isolation  # noqa: E402
from bench.live_latency import live  # noqa: E402
from bench.reads import reads  # noqa: E402
from bench.recount import recount_at  # noqa: E402
from bench.report import save  # noqa: E402
from bench.writes import write_overhead  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--skip-recount", action="store_true", help="only the write overhead")
    parser.add_argument("--skip-writes", action="store_true", help="no write-overhead figures")
    parser.add_argument(
        "--skip-hot", action="store_true", help="no concurrency, deadlock or folder figures"
    )
    parser.add_argument("--skip-reads", action="store_true", help="no read figures")
    parser.add_argument(
        "--skip-isolation",
        action="store_true",
        help="no REPEATABLE READ / SERIALIZABLE serialization-failure figures",
    )
    parser.add_argument("--skip-live", action="store_true", help="no live-counter figures")
    parser.add_argument("--skip-aggregates", action="store_true", help="no Sum/Min/Max figures")
    parser.add_argument("--skip-distinct", action="store_true", help="no distinct-count figures")
    parser.add_argument(
        "--skip-breakdown", action="store_true", help="no per-statement trigger cost breakdown"
    )
    parser.add_argument(
        "--only",
        choices=[
            "writes",
            "breakdown",
            "aggregates",
            "distinct",
            "hot",
            "isolation",
            "reads",
            "live",
            "recount",
        ],
        help="run one section (the others keep their last figures)",
    )
    args = parser.parse_args()
    if args.only:
        for section in (
            "writes",
            "breakdown",
            "aggregates",
            "distinct",
            "hot",
            "isolation",
            "reads",
            "live",
            "recount",
        ):
            setattr(args, f"skip_{section}", section != args.only)

    settings.DATABASES["default"]["TEST"]["NAME"] = "counters_bench"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    try:
        info = sql("SELECT version(), current_setting('fsync'), current_setting('shared_buffers')")[
            0
        ]
        RESULTS["machine"] = {
            "postgres": info[0].split(" on ")[0],
            "fsync": info[1],
            "shared_buffers": info[2],
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "date": time.strftime("%Y-%m-%d"),
            "quick": args.quick,
        }
        print(
            f"{RESULTS['machine']['postgres']}, fsync {info[1]}, {os.cpu_count()} cores", flush=True
        )
        sql(ROW_TRIGGERS)
        triggers(True)
        make_users(2000)
        if not args.skip_writes:
            write_overhead(args.quick)
            save(args.quick)
        if not args.skip_breakdown:
            breakdown(args.quick)
            save(args.quick)
        if not args.skip_aggregates:
            aggregates(args.quick)
            save(args.quick)
        if not args.skip_distinct:
            distinct(args.quick)
            save(args.quick)
        if not args.skip_hot:
            make_users(20_000)
            concurrency(args.quick)
            deadlocks(args.quick)
            folder_lag(args.quick)
            save(args.quick)
        if not args.skip_isolation:
            isolation(args.quick)
            save(args.quick)
        if not args.skip_live:
            make_users(20_000)
            live(args.quick)
            save(args.quick)
        if not args.skip_recount:
            if args.quick:
                recount_at("100k follows", 100_000, 20_000, 20_000, 2)
                recount_at("200k follows", 200_000, 40_000, 40_000, 2)
            else:
                recount_at("250k follows", 250_000, 25_000, 50_000, 3)
                recount_at("1M follows", 1_000_000, 100_000, 200_000, 3)
            save(args.quick)
        if not args.skip_reads:
            reads(args.quick)
        save(args.quick)
    finally:
        connection.creation.destroy_test_db("counters_bench", verbosity=0)
    print("quick run: figures not saved" if args.quick else "wrote bench/results/latest.json")


if __name__ == "__main__":
    main()

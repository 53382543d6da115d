#!/usr/bin/env python
"""What a writer pays to ask whether a dedicated folder runs (``counters.sql.fold.NO_FOLDER``).

Every counter trigger, once per target table and statement, decides whether to fold a window of
pending rows by itself: ``random() < 1/64`` and not ``deferred()``, then (one time in 64) whether
a folder's beat in ``counters_state`` is fresh. The beat check reads a table, so it sits in an IF
of its own: the outer condition stays a simple PL/pgSQL expression. This measures, in a server-side
loop (no client round trips), microseconds per evaluation of:

- the beat check alone, without and with a live folder row;
- the per-statement condition as the triggers have it (outer IF, inner beat check);
- the same condition written flat (one IF: every statement would run the table read's executor);
- the session-lock peek it replaced (``pg_try_advisory_lock_shared`` then unlock), for reference.

Usage: ``python -m bench.folder_check [--rounds 5] [--loops 200000]`` (on the embedded server, or
DATABASE_URL's; needs ``manage.py migrate`` done). Prints medians; nothing is written to disk.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from counters.folding import folder_present  # noqa: E402
from counters.sql.fold import FOLDER_STATE, NO_FOLDER  # noqa: E402
from counters.sql.landing import IN_PLACE_ALLOWED  # noqa: E402
from counters.sql.quoting import stable_id  # noqa: E402
from counters.sql.triggers import FOLD_CHANCE  # noqa: E402

LOCK = stable_id("counters.folder")  # the session lock the beat replaced
PEEK = f"(CASE WHEN pg_try_advisory_lock_shared({LOCK}) THEN pg_advisory_unlock_shared({LOCK}) ELSE false END)"
OUTER = f"random() < {FOLD_CHANCE} AND {IN_PLACE_ALLOWED}"

CASES = {
    "empty loop": "_n := _n + 1;",
    "beat check alone": f"IF {NO_FOLDER} THEN _n := _n + 1; END IF;",
    "per statement, as the triggers have it (nested IF)": (
        f"IF {OUTER} THEN IF {NO_FOLDER} THEN _n := _n + 1; END IF; END IF;"
    ),
    "per statement, written flat (one IF)": f"IF {OUTER} AND {NO_FOLDER} THEN _n := _n + 1; END IF;",
    "per statement, the session-lock peek it replaced": f"IF {OUTER} AND {PEEK} THEN _n := _n + 1; END IF;",
}


def per_evaluation(body: str, loops: int) -> float:
    """Microseconds per loop iteration of ``body``, measured inside the server."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""CREATE OR REPLACE FUNCTION pg_temp.counters_bench_loop() RETURNS float8 AS $$
            DECLARE _t timestamptz; _n integer := 0;
            BEGIN
                _t := clock_timestamp();
                FOR _i IN 1..{loops} LOOP {body} END LOOP;
                RETURN extract(epoch FROM clock_timestamp() - _t) * 1e6 / {loops};
            END $$ LANGUAGE plpgsql"""
        )
        cursor.execute("SELECT pg_temp.counters_bench_loop()")
        return cursor.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5, help="runs per case (the median counts)")
    parser.add_argument("--loops", type=int, default=200_000, help="evaluations per run")
    options = parser.parse_args()
    try:
        for state in ("no folder", "a folder's fresh beat"):
            with connection.cursor() as cursor:
                if state == "no folder" and folder_present():
                    print("(a folder runs on this database: both cases see its beat)")
                if state != "no folder":
                    cursor.execute(
                        "INSERT INTO counters_state (name, at, data) VALUES (%s, now(), "
                        "jsonb_build_object('by', 'bench', 'until', now() + interval '1 hour')) "
                        "ON CONFLICT (name) DO NOTHING",
                        [FOLDER_STATE],
                    )
            print(f"== {state}")
            for label, body in CASES.items():
                runs = [per_evaluation(body, options.loops) for _ in range(options.rounds)]
                print(
                    f"  {label}: {statistics.median(runs):.3f} us (runs: "
                    + ", ".join(f"{r:.3f}" for r in runs)
                    + ")"
                )
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM counters_state WHERE name = %s AND data ->> 'by' = 'bench'",
                [FOLDER_STATE],
            )


if __name__ == "__main__":
    main()

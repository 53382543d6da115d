"""Where a single-row write's time goes: the server time of each trigger function per statement
(``track_functions``), against the whole insert without counters, measured on one connection.

The counter trigger of ``counters_follow`` is measured as installed, and cut down to its parts
(the append statement alone, then with the probe for missing stats rows, then everything but a
writer's occasional fold) by replacing its function body for the measurement only; an empty
statement trigger with a transition table and the hand-written row-level trigger are measured the
same way. Each variant gets a fresh connection (its plans are made in it, as a new request's are).
"""

from __future__ import annotations

import statistics
import time

import psycopg

from bench.common import FOLLOWS, RESULTS, ROW_TRIGGER_NAMES, psycopg_params, reset, sql, user_ids

APPEND_END = "SELECT array_agg("  # where the append statement's own work ends in the body
FOLD = "random() < 1.0 / 64"  # the test of a writer's occasional fold


def _insert_function() -> tuple[str, str]:
    name = sql(
        "SELECT tgfoid::regproc::text FROM pg_trigger WHERE tgrelid = %s::regclass "
        "AND tgname LIKE 'pgtrigger_counters_insert%%'",
        [FOLLOWS],
    )[0][0]
    return name, sql("SELECT pg_get_functiondef(%s::regproc)", [name])[0][0]


def _variants(definition: str) -> dict[str, str]:
    """Function definitions of the installed counter trigger's parts."""
    head, body, tail = definition.split("$function$")
    assert APPEND_END in body and FOLD in body, "the trigger's SQL changed: update bench/breakdown"
    start = body.index(APPEND_END)
    end = body.index("RETURN NULL;", start)
    append_only = body[:start] + "SELECT 1 FROM delta LIMIT 1 INTO _folded;\n" + body[end:]
    parts = {
        "an empty statement trigger (transition table captured)": "\nBEGIN RETURN NULL; END;\n",
        "the append alone (one grouped INSERT)": append_only,
        "+ the probe for missing stats rows": body.replace(FOLD, "false"),
        "the counter trigger as installed (+ a writer's fold, 1 in 64)": body,
    }
    return {label: f"{head}$function${text}$function${tail}" for label, text in parts.items()}


def _inserts(pairs: list[tuple[int, int]], function: str | None = None) -> float:
    """Insert ``pairs`` one statement each on a new connection, after a reset: the server time of
    ``function`` per statement, in microseconds (no function: the wall time per insert)."""
    reset()
    with psycopg.connect(**psycopg_params(), autocommit=True) as conn:
        if function:
            conn.execute("SET track_functions = 'pl'")
            conn.execute(
                "SELECT pg_stat_reset_single_function_counters(%s::regproc::oid)", [function]
            )
        started = time.perf_counter()
        for a, b in pairs:
            conn.execute(
                f"INSERT INTO {FOLLOWS} (follower_id, followed_id) VALUES (%s, %s)", [a, b]
            )
        wall = (time.perf_counter() - started) / len(pairs) * 1e6
        if not function:
            return wall
        conn.execute("SELECT pg_stat_force_next_flush()")
    time.sleep(0.2)
    row = sql(
        "SELECT calls, total_time FROM pg_stat_user_functions WHERE funcid = %s::regproc::oid",
        [function],
    )
    calls, total_ms = row[0] if row else (0, 0.0)
    assert calls == len(pairs), f"{function}: {calls} calls for {len(pairs)} inserts"
    return total_ms * 1000 / calls


def breakdown(quick: bool) -> None:
    users = user_ids(2000)
    pairs = [(users[i], users[(i * 7 + 1) % len(users)]) for i in range(300 if quick else 500)]
    rounds = 3 if quick else 5
    name, installed = _insert_function()
    row_function = ROW_TRIGGER_NAMES[FOLLOWS]
    server: dict[str, list[float]] = {}
    first: dict[str, list[float]] = {}  # server time of the first statement on a new connection
    wall: list[float] = []
    try:
        for _ in range(rounds):
            sql(f"ALTER TABLE {FOLLOWS} DISABLE TRIGGER USER")  # no counters: the insert's own time
            wall.append(_inserts(pairs))
            sql(f"ALTER TABLE {FOLLOWS} ENABLE TRIGGER {row_function}")
            server.setdefault("the hand-written row-level trigger (three UPDATEs)", []).append(
                _inserts(pairs, row_function)
            )
            first.setdefault("the hand-written row-level trigger", []).append(
                _inserts(pairs[:1], row_function)
            )
            sql(f"ALTER TABLE {FOLLOWS} ENABLE TRIGGER USER")
            sql(f"ALTER TABLE {FOLLOWS} DISABLE TRIGGER {row_function}")
            for label, definition in _variants(installed).items():
                sql(definition)
                server.setdefault(label, []).append(_inserts(pairs, name))
            # the first write of a new connection: the function is compiled, its statements planned
            first.setdefault("the counter trigger", []).append(_inserts(pairs[:1], name))
    finally:
        sql(installed)
        sql(f"ALTER TABLE {FOLLOWS} ENABLE TRIGGER USER")
        sql(f"ALTER TABLE {FOLLOWS} DISABLE TRIGGER {row_function}")
        reset()  # the counters on and exact again for the next section
    insert_us = statistics.median(wall)
    RESULTS["breakdown"] = {
        "insert_without_counters_us": insert_us,
        "rounds": rounds,
        "inserts": len(pairs),
        "first_statement_us": {label: statistics.median(v) for label, v in first.items()},
        "parts": {
            label: {"median_us": statistics.median(v), "min_us": min(v), "max_us": max(v)}
            for label, v in server.items()
        },
    }
    print(f"breakdown: an insert without counters {insert_us:.0f} us (client round trip, commit)")
    for label, v in server.items():
        print(f"  {label:64} {statistics.median(v):6.1f} us ({min(v):.1f}-{max(v):.1f})")
    for label, v in first.items():
        print(f"  first statement on a new connection, {label:40} {statistics.median(v):7.0f} us")

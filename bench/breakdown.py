"""Where a single-row write's time goes: the server time of each trigger function per statement
(``track_functions``), against the whole insert without counters, measured on one connection.

The counter trigger of ``counters_follow`` is measured as installed, and cut down to its in-place
statement (the early return for an empty statement, the isolation test, and the one statement
that updates the rows nobody else holds and appends deltas for the rest; no row creation blocks,
no writer's fold) by replacing its function body for the measurement only; an empty statement
trigger with a transition table and the hand-written row-level trigger are measured the same way.
Each variant gets a fresh connection (its plans are made in it, as a new request's are).

Then the first counted write on a new connection, as Django's default ``CONN_MAX_AGE = 0`` makes
every request pay it: the wall time of one single-row insert (commit included, connect excluded)
on a connection opened for it, with triggers off, the counters' triggers and the row-level trigger.
"""

from __future__ import annotations

import statistics
import time

import psycopg

from bench.common import FOLLOWS, RESULTS, ROW_TRIGGER_NAMES, psycopg_params, reset, sql, user_ids

ROW_CREATION = "IF _new0 IS NOT NULL THEN"  # the first of the blocks creating missing rows
FOLD = "IF random() < 1.0 / 64"  # the first of a writer's occasional folds
RETURN = "RETURN NULL;"  # the body's last statement
INSERT = f"INSERT INTO {FOLLOWS} (follower_id, followed_id) VALUES (%s, %s)"


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
    for marker in (ROW_CREATION, FOLD, RETURN):
        assert marker in body, (
            f"the counter trigger's SQL changed ({marker!r} is not in {head.strip()}): "
            "update the cut points in bench/breakdown.py"
        )
    cut = body.index(ROW_CREATION)
    assert cut < body.index(FOLD), "the trigger's SQL changed: row creation no longer before folds"
    in_place = body[:cut] + body[body.rindex(RETURN) :]
    parts = {
        "an empty statement trigger (transition table captured)": "\nBEGIN RETURN NULL; END;\n",
        "the in-place statement alone (no row creation blocks, no writer's fold)": in_place,
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
            conn.execute(INSERT, [a, b])
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


FRESH = ("off", "counted", "row trigger")  # the designs of the fresh-connection writes


def _use(design: str) -> None:
    """The follows table's triggers for ``design``: none, the counters', or the row-level one."""
    sql(f"ALTER TABLE {FOLLOWS} {'ENABLE' if design == 'counted' else 'DISABLE'} TRIGGER USER")
    row_trigger = ROW_TRIGGER_NAMES[FOLLOWS]
    sql(
        f"ALTER TABLE {FOLLOWS} {'ENABLE' if design == 'row trigger' else 'DISABLE'} TRIGGER {row_trigger}"
    )


def _fresh_connection(pairs: list[tuple[int, int]], rounds: int) -> dict[str, float]:
    """The first write on a new connection, as every request pays it under ``CONN_MAX_AGE = 0``:
    each insert of ``pairs`` on a connection of its own (autocommit, the commit included, the
    connect not), the designs alternating in ``rounds`` that each start from the same state."""
    times: dict[str, list[float]] = {design: [] for design in FRESH}
    for index in range(rounds):
        for design in FRESH[index % len(FRESH) :] + FRESH[: index % len(FRESH)]:
            _use("counted")
            reset()
            _use(design)
            for a, b in pairs:
                with psycopg.connect(**psycopg_params(), autocommit=True) as conn:
                    started = time.perf_counter()
                    conn.execute(INSERT, [a, b])
                    times[design].append(time.perf_counter() - started)
    off, counted, row = (statistics.median(times[design]) * 1000 for design in FRESH)
    return {
        "writes": len(times["off"]),
        "off_ms": off,
        "counted_ms": counted,
        "row_trigger_ms": row,
        "counted_ratio": counted / off,
        "row_trigger_ratio": row / off,
    }


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
            sql(installed)
            # the first write of a new connection: the function is compiled, its statements planned
            first.setdefault("the counter trigger", []).append(_inserts(pairs[:1], name))
        fresh = _fresh_connection(pairs[: (60 if quick else 150) // rounds], rounds)
    finally:
        sql(installed)
        _use("counted")
        reset()  # the counters on and exact again for the next section
    insert_us = statistics.median(wall)
    RESULTS["breakdown"] = {
        "insert_without_counters_us": insert_us,
        "rounds": rounds,
        "inserts": len(pairs),
        "first_statement_us": {label: statistics.median(v) for label, v in first.items()},
        "fresh_connection": fresh,
        "parts": {
            label: {"median_us": statistics.median(v), "min_us": min(v), "max_us": max(v)}
            for label, v in server.items()
        },
    }
    print(f"breakdown: an insert without counters {insert_us:.0f} us (client round trip, commit)")
    for label, v in server.items():
        print(f"  {label:72} {statistics.median(v):6.1f} us ({min(v):.1f}-{max(v):.1f})")
    for label, v in first.items():
        print(f"  first statement on a new connection, {label:40} {statistics.median(v):7.0f} us")
    print(
        f"  the first write on a new connection ({fresh['writes']} each, wall time, commit "
        f"included): off {fresh['off_ms']:.2f} ms, counted {fresh['counted_ms']:.2f} ms "
        f"({fresh['counted_ratio']:.2f}x), row trigger {fresh['row_trigger_ms']:.2f} ms "
        f"({fresh['row_trigger_ratio']:.2f}x)"
    )

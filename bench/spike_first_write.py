"""Spike: where the first counted write on a new connection goes (Django's default
``CONN_MAX_AGE = 0`` makes every request that writes pay it), measured side by side in one run.

Usage: ``python -m bench.spike_first_write postgres://.../dbname`` against a migrated database of
the demo project with at least 300 users (``manage.py migrate``; ``seed_demo`` or any users).

Two measurements, each a median over fresh connections (one ``INSERT`` of a follow each, wall time,
autocommit):

1. Variants of ``counters_follow``'s insert trigger function (replaced for the measurement, then
   put back): as installed; its bulk branch, row-creation blocks and writers' folds made dynamic
   SQL (``EXECUTE $dyn$...$dyn$``: PL/pgSQL then compiles less, and plans them only if run); and
   a lower bound keeping only the statement that reads the transition table and the small
   statements' loop. If compiling the function were the cost, the dynamic variant would be cheaper.
2. The installed trigger with parts of a new backend's start-up done before the timed insert:
   PL/pgSQL loaded, the counter tables' catalog entries read; and a second write on a connection.
"""

from __future__ import annotations

import re
import statistics
import sys
import time

import psycopg


def main(dsn: str, per_variant: int = 60) -> None:
    admin = psycopg.connect(dsn, autocommit=True)
    name = admin.execute(
        "SELECT tgfoid::regproc::text FROM pg_trigger WHERE tgrelid = 'counters_follow'::regclass "
        "AND tgname LIKE 'pgtrigger_counters_insert%'"
    ).fetchone()[0]
    definition = admin.execute("SELECT pg_get_functiondef(%s::regproc)", [name]).fetchone()[0]
    head, body, tail = definition.split("$function$")
    users = [r[0] for r in admin.execute("SELECT id FROM auth_user ORDER BY id LIMIT 400")]
    assert len(users) >= 300, "needs at least 300 users"
    pairs = [(users[i], users[(i * 7 + 3) % len(users)]) for i in range(len(users))]
    pairs = [(a, b) for a, b in pairs if a != b]
    counter = iter(range(10**9))

    def insert(pre: str | None = None, second: bool = False) -> float:
        a, b = pairs[next(counter) % len(pairs)]
        admin.execute(
            "DELETE FROM counters_follow WHERE follower_id = %s AND followed_id = %s", [a, b]
        )
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("SELECT 1")
            if pre:
                conn.execute(pre)
            if second:
                c, d = pairs[(next(counter) + 150) % len(pairs)]
                admin.execute(
                    "DELETE FROM counters_follow WHERE follower_id = %s AND followed_id = %s",
                    [c, d],
                )
                conn.execute(
                    "INSERT INTO counters_follow (follower_id, followed_id) VALUES (%s, %s)", [c, d]
                )
            started = time.perf_counter()
            conn.execute(
                "INSERT INTO counters_follow (follower_id, followed_id) VALUES (%s, %s)", [a, b]
            )
            return (time.perf_counter() - started) * 1000

    def triggers(on: bool) -> None:
        admin.execute(f"ALTER TABLE counters_follow {'ENABLE' if on else 'DISABLE'} TRIGGER USER")

    def install(text: str) -> None:
        admin.execute(f"{head}$function${text}$function${tail}")

    variants = {
        "as installed": body,
        "bulk, creation and folds as dynamic SQL": _dynamic(body),
        "lower bound: transition-table statement + small loop": _small_only(body),
    }
    tables = (
        "SELECT (SELECT 1 FROM user_stats LIMIT 1), (SELECT 1 FROM counters_globalstats LIMIT 1), "
        "(SELECT 1 FROM counters_delta LIMIT 1), (SELECT 1 FROM counters_state LIMIT 1)"
    )
    warmups = {
        "installed, PL/pgSQL loaded first": "DO $$ BEGIN PERFORM 1; END $$",
        "installed, counter tables read first": tables,
        "installed, both first": "DO $$ BEGIN PERFORM 1; END $$; " + tables,
    }
    times: dict[str, list[float]] = {}
    try:
        for _ in range(3):
            triggers(False)
            for _ in range(per_variant // 3):
                times.setdefault("triggers off", []).append(insert())
                times.setdefault("triggers off, second write", []).append(insert(second=True))
            triggers(True)
            for label, text in variants.items():
                install(text)
                for _ in range(per_variant // 3):
                    times.setdefault(label, []).append(insert())
            install(body)
            for label, pre in warmups.items():
                for _ in range(per_variant // 3):
                    times.setdefault(label, []).append(insert(pre))
            for _ in range(per_variant // 3):
                times.setdefault("installed, second write", []).append(insert(second=True))
    finally:
        install(body)
        triggers(True)
    off = statistics.median(times["triggers off"])
    for label, values in times.items():
        median = statistics.median(values)
        print(f"{label:56} {median:6.2f} ms  {median / off:5.2f}x  (n={len(values)})")


def _dynamic(body: str) -> str:
    """The bulk branch, the row-creation blocks and the writers' folds as ``EXECUTE`` of the same
    SQL (arrays passed as parameters)."""
    start = body.index("IF cardinality(_counters) > 16 THEN\n") + len(
        "IF cardinality(_counters) > 16 THEN\n"
    )
    end = body.index("\nELSE\n    FOR _i IN")
    bulk = body[start:end].strip().rstrip(";")
    into = re.search(r"\n\s*INTO ([_a-z0-9, ]+)\n", bulk)
    targets = ""
    if into:
        targets = f" INTO {into.group(1)}"
        bulk = bulk[: into.start()] + "\n" + bulk[into.end() :]
    for var, n in (("_counters", "1"), ("_keys", "2"), ("_deltas", "3")):
        bulk = re.sub(rf"\b{var}\b", f"${n}", bulk)
    out = (
        body[:start]
        + f"    EXECUTE $dyn$\n{bulk}\n$dyn${targets} USING _counters, _keys, _deltas;"
        + body[end:]
    )
    for m in reversed(
        list(re.finditer(r"IF (_new\d) IS NOT NULL THEN\n(.*?);\nEND IF;", out, re.S))
    ):
        statement = re.sub(rf"\b{m.group(1)}\b", "$1", m.group(2))
        out = (
            out[: m.start()]
            + f"IF {m.group(1)} IS NOT NULL THEN\n    EXECUTE $dyn$\n{statement}\n$dyn$ USING "
            + f"{m.group(1)};\nEND IF;"
            + out[m.end() :]
        )
    fold = (
        r"(WITH slice AS MATERIALIZED \(.*?)\n(\s*)SELECT array_agg\(folded.key\) FILTER "
        r"\(WHERE folded.recompute\) INTO (_folded\d) FROM folded;"
    )
    for m in reversed(list(re.finditer(fold, out, re.S))):
        statement = (
            f"{m.group(1)}\n{m.group(2)}SELECT array_agg(folded.key) FILTER "
            "(WHERE folded.recompute) FROM folded"
        )
        out = (
            out[: m.start()]
            + f"EXECUTE $dyn$\n{statement}\n$dyn$ INTO {m.group(3)};"
            + out[m.end() :]
        )
    return out


def _small_only(body: str) -> str:
    start = body.index("IF cardinality(_counters) > 16 THEN\n")
    end = body.index("\nELSE\n    FOR _i IN") + len("\nELSE\n")
    body = body[:start] + "IF true THEN\n" + body[end:]
    return body[: body.index("IF _new0 IS NOT NULL THEN")] + "RETURN NULL;\nEND;\n"


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 60)

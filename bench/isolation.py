"""Serialization failures under REPEATABLE READ and SERIALIZABLE: 8 writer processes, each
transaction a follow toggled between two of the writer's own users and a read of another user's
followers count, with the counters (the read is the ``_exact`` view: column plus pending) and
without them (triggers off, the read is ``COUNT(*)``). The library must add no failure to what
the same transactions have without it."""

from __future__ import annotations

import time

from bench.common import FOLLOWS, RESULTS, STATS, psycopg_params, reset, sql, use, user_ids


def _worker(args: tuple) -> tuple[int, int]:
    import random

    import psycopg

    params, level, read, mine, others, deadline, seed = args
    rng = random.Random(seed)
    done = failed = 0
    with psycopg.connect(**params) as conn:
        while time.time() < deadline:
            a, b = rng.sample(mine, 2)
            try:
                conn.execute(f"SET TRANSACTION ISOLATION LEVEL {level}")
                conn.execute(read, [rng.choice(others)]).fetchone()
                gone = conn.execute(
                    f"DELETE FROM {FOLLOWS} WHERE follower_id = %s AND followed_id = %s", [a, b]
                ).rowcount
                if not gone:
                    conn.execute(
                        f"INSERT INTO {FOLLOWS} (follower_id, followed_id) VALUES (%s, %s)", [a, b]
                    )
                conn.commit()
                done += 1
            except psycopg.errors.SerializationFailure:
                conn.rollback()
                failed += 1
    return done, failed


def isolation(quick: bool) -> None:
    import multiprocessing

    from django.db import connections

    seconds = 2.0 if quick else 6.0
    users = user_ids(400)
    params = psycopg_params()
    reads = {
        "counted": f"SELECT followers_count FROM {STATS}_exact WHERE user_id = %s",
        "COUNT(*), no counters": f"SELECT count(*) FROM {FOLLOWS} WHERE followed_id = %s",
    }
    RESULTS["isolation"] = {}
    for level in ("REPEATABLE READ", "SERIALIZABLE"):
        for design, read in reads.items():
            use("counted")
            reset()
            use("counted" if design == "counted" else "off")
            deadline = time.time() + 1.0 + seconds
            jobs = [
                (params, level, read, users[i * 8 : i * 8 + 8], users[200:], deadline, i)
                for i in range(8)
            ]
            connections.close_all()
            with multiprocessing.get_context("fork").Pool(8) as pool:
                results = pool.map(_worker, jobs)
            use("counted")
            done = sum(d for d, _ in results)
            failed = sum(f for _, f in results)
            share = failed / (done + failed) if done + failed else 0.0
            RESULTS["isolation"][f"{level}, {design}"] = {
                "committed": done,
                "serialization_failures": failed,
                "share": share,
            }
            print(
                f"{level:15} {design:22} {done:6} committed, {failed:5} serialization failures "
                f"({share:.1%})",
                flush=True,
            )
    sql("SELECT 1")

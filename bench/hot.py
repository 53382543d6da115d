"""Concurrency: writer processes on different users, one celebrity and the site totals; deadlocks; a folder's lag."""

from __future__ import annotations

import statistics
import time

import counters
from bench.common import (
    DELTAS,
    FOLLOWS,
    POSTS,
    RESULTS,
    Follow,
    Post,
    drifted_values,
    psycopg_params,
    reset,
    sql,
    use,
    user_ids,
)


def exact_after(design: str) -> bool:
    """Every counter exact after the counters' own rounds; every count after an alternative's
    (the row-level trigger keeps no ``last_post_at``)."""
    if design.startswith("counted"):
        return not counters.check().drifted
    return drifted_values() == 0


def hot_worker(args: tuple) -> int:
    """One writer process, one insert per transaction until the deadline, through the ORM (as a
    Django app writes) or raw SQL (its own psycopg connection)."""
    params, client, kind, target, rows, deadline = args
    done = 0
    if client == "ORM":
        from django.db import connections

        connections.close_all()  # the parent's connection is not ours
        for index, row in enumerate(rows):
            if time.time() >= deadline:
                break
            if kind == "posts":
                Post.objects.create(author_id=row, title="p")
            else:
                followed = target if kind == "celebrity" else rows[(index + 1) % len(rows)]
                Follow.objects.create(follower_id=row, followed_id=followed)
            done += 1
        connections.close_all()
        return done
    import psycopg

    with psycopg.connect(**params, autocommit=True) as conn:
        for index, row in enumerate(rows):
            if time.time() >= deadline:
                break
            if kind == "posts":
                conn.execute(
                    f"INSERT INTO {POSTS} (author_id, title, body) VALUES (%s, 'p', '')", [row]
                )
            else:
                # every writer on the celebrity, or each on users of its own (totals still shared)
                followed = target if kind == "celebrity" else rows[(index + 1) % len(rows)]
                conn.execute(
                    f"INSERT INTO {FOLLOWS} (follower_id, followed_id) VALUES (%s, %s)",
                    [row, followed],
                )
            done += 1
    return done


class Backlog:
    """Samples the pending delta rows while writers run (the largest count for one counter and
    key, and the total), from a thread of the main process."""

    def __init__(self) -> None:
        import threading

        self.most_per_key = self.most_total = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Backlog:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(10)

    def _run(self) -> None:
        import psycopg

        with psycopg.connect(**psycopg_params(), autocommit=True) as conn:
            while not self._stop.wait(0.2):
                per_key, total = conn.execute(
                    "SELECT coalesce(max(n), 0), coalesce(sum(n), 0) FROM (SELECT count(*) AS n "
                    f"FROM {DELTAS} GROUP BY counter, key) AS k"
                ).fetchone()
                self.most_per_key = max(self.most_per_key, int(per_key))
                self.most_total = max(self.most_total, int(total))


CONCURRENCY_DESIGNS = ("off", "counted", "counted + folder", "row trigger")


def concurrency(quick: bool) -> None:
    """Writer processes, one insert per transaction, through the ORM and through raw SQL: on
    different users (the site total is still shared), all on one celebrity, or all posting (one
    site-totals row). Throughput of the counters and of a hand-written row-level trigger vs
    triggers off; exact at the end of every round; the backlog of pending deltas with no folder
    running (writers fold now and then themselves); and the same with a dedicated folder."""
    from counters.folding import Folder

    seconds = 1.5 if quick else 3.0
    rounds = 1 if quick else 2
    for client in ("ORM", "raw"):
        for kind in ("different users", "celebrity", "posts"):
            for writers in (8, 16):
                rates: dict[str, list[float]] = {design: [] for design in CONCURRENCY_DESIGNS}
                backlog = Backlog()
                for _ in range(rounds):
                    for design in CONCURRENCY_DESIGNS:
                        use("counted")
                        reset()
                        use(design.removesuffix(" + folder"))
                        if design == "counted":
                            with backlog:
                                rates[design].append(_writers(client, kind, writers, seconds))
                            backlog = _restart(backlog)
                        elif design == "counted + folder":  # a thread here: its CPU is counted
                            folder = Folder(interval=0.5).start()
                            try:
                                rates[design].append(_writers(client, kind, writers, seconds))
                            finally:
                                folder.stop()
                        else:
                            rates[design].append(_writers(client, kind, writers, seconds))
                        use("counted")
                        if design != "off":
                            assert exact_after(design), f"drift: {client} {kind} {design}"
                med = {d: statistics.median(v) for d, v in rates.items()}
                name = f"{writers} {client} writers, {kind}"
                RESULTS[name] = {
                    "client": client,
                    "kind": kind,
                    "writers": writers,
                    "seconds": seconds,
                    "rounds": rounds,
                    "off_per_s": med["off"],
                    "counted_per_s": med["counted"],
                    "folder_per_s": med["counted + folder"],
                    "folder_ratio": med["counted + folder"] / med["off"],
                    "row_trigger_per_s": med["row trigger"],
                    "concurrency_ratio": med["counted"] / med["off"],
                    "row_trigger_ratio": med["row trigger"] / med["off"],
                    "spread_per_s": {d: [min(v), max(v)] for d, v in rates.items()},
                    "backlog_most_per_key": backlog.most_per_key,
                    "backlog_most_total": backlog.most_total,
                }
                print(
                    f"{name:38} off {med['off']:7.0f}/s  counted {med['counted']:7.0f}/s "
                    f"({med['counted'] / med['off']:.2f}x)  + folder {med['counted + folder']:7.0f}/s "
                    f"({med['counted + folder'] / med['off']:.2f}x)  row trigger {med['row trigger']:7.0f}/s "
                    f"({med['row trigger'] / med['off']:.2f}x)  backlog <= {backlog.most_per_key}"
                    f"/key, {backlog.most_total} rows",
                    flush=True,
                )


def _restart(backlog: Backlog) -> Backlog:
    """A fresh sampler that keeps the maxima seen so far (a thread starts only once)."""
    fresh = Backlog()
    fresh.most_per_key, fresh.most_total = backlog.most_per_key, backlog.most_total
    return fresh


def _writers(client: str, kind: str, writers: int, seconds: float) -> float:
    """Inserts per second of ``writers`` processes (one insert per transaction) for ``seconds``."""
    import multiprocessing

    from django.db import connections

    users = user_ids(20_000)
    params = psycopg_params()
    per = (len(users) - 1) // writers
    deadline = time.time() + 1.0 + seconds
    jobs = [
        (params, client, kind, users[0], users[1 + i * per : 1 + (i + 1) * per], deadline)
        for i in range(writers)
    ]
    connections.close_all()  # forked children must not share the parent's connection
    with multiprocessing.get_context("fork").Pool(writers) as pool:
        started = time.time()
        counts = pool.map(hot_worker, jobs)
        elapsed = time.time() - started
    return sum(counts) / elapsed


def _pair_worker(args: tuple) -> tuple[int, int]:
    """Two unrelated follows per transaction, in either order, until the deadline."""
    import random

    import psycopg

    params, mine, stars, deadline, seed = args
    rng = random.Random(seed)
    done = failed = 0
    with psycopg.connect(**params) as conn:
        while time.time() < deadline:
            pairs = [(rng.choice(mine), stars[0]), (rng.choice(mine), stars[1])]
            rng.shuffle(pairs)
            try:
                for follower, star in pairs:
                    gone = conn.execute(
                        f"DELETE FROM {FOLLOWS} WHERE follower_id = %s AND followed_id = %s",
                        [follower, star],
                    ).rowcount
                    if not gone:
                        conn.execute(
                            f"INSERT INTO {FOLLOWS} (follower_id, followed_id) VALUES (%s, %s)",
                            [follower, star],
                        )
                conn.commit()
                done += 1
            except psycopg.errors.DeadlockDetected:
                conn.rollback()
                failed += 1
    return done, failed


def deadlocks(quick: bool) -> None:
    """8 writer processes, each transaction two follows of the same two stars in random order:
    a design that makes writers wait for counter rows deadlocks; the counters must not."""
    import multiprocessing

    from django.db import connections

    seconds = 3.0 if quick else 10.0
    users = user_ids(2000)
    params = psycopg_params()
    for design in ("counted", "row trigger"):
        use("counted")
        reset()
        use(design)
        before = sql("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        deadline = time.time() + 1.0 + seconds
        jobs = [(params, users[2 + i * 50 : 52 + i * 50], users[:2], deadline, i) for i in range(8)]
        connections.close_all()
        with multiprocessing.get_context("fork").Pool(8) as pool:
            results = pool.map(_pair_worker, jobs)
        after = sql("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        use("counted")
        exact = exact_after(design)
        RESULTS[f"two follows per transaction, {design}"] = {
            "design": design,
            "seconds": seconds,
            "transactions": sum(done for done, _ in results),
            "deadlocks": after[0][0] - before[0][0],
            "exact": exact,
        }
        print(
            f"two follows per transaction, {design:12} {sum(d for d, _ in results):6} transactions "
            f"in {seconds:.0f} s, {after[0][0] - before[0][0]} deadlocks, exact: {exact}",
            flush=True,
        )


def folder_lag(quick: bool) -> None:
    """8 ORM writers on different users with a dedicated folder (every 0.5 s, in the main
    process): the most deltas pending at once, and how long after the last write the columns
    alone are exact."""
    from counters.folding import Folder

    seconds = 2.0 if quick else 6.0
    use("counted")
    reset()
    folder = Folder(interval=0.5).start()
    try:
        with Backlog() as backlog:
            rate = _writers("ORM", "different users", 8, seconds)
        ended = time.perf_counter()
        while sql(f"SELECT count(*) FROM {DELTAS}")[0][0]:
            time.sleep(0.01)
        lag = time.perf_counter() - ended
    finally:
        folder.stop()
    RESULTS["folder, 8 ORM writers on different users"] = {
        "writes_per_s": rate,
        "folder_interval_s": 0.5,
        "pending_most_total": backlog.most_total,
        "pending_most_per_key": backlog.most_per_key,
        "lag_s": lag,
    }
    print(
        f"folder every 0.5 s, 8 ORM writers     {rate:7.0f}/s, pending <= {backlog.most_total} rows, "
        f"columns exact {lag:.2f} s after the last write",
        flush=True,
    )

"""Reads: the documented read vs COUNT(*), at growing counts and under writers."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import counters
from bench.common import (
    DELTAS,
    FOLLOWS,
    RESULTS,
    STATS,
    USERS,
    Follow,
    compare,
    make_users,
    psycopg_params,
    reset,
    sql,
    user_ids,
)
from bench.hot import hot_worker


def reads(quick: bool) -> None:
    """The documented read (UserStats.objects.for_user) vs COUNT(*), for users with many followers."""
    from counters.social.models import UserStats

    sizes = (1_000, 10_000, 100_000) if quick else (1_000, 100_000, 1_000_000)
    make_users(200_000)
    spread = 20_000 if quick else 100_000

    def insert_over_many_keys() -> None:  # every row a new pair, over 200k distinct users
        sql(
            f"INSERT INTO {FOLLOWS} (follower_id, followed_id) "
            f"SELECT u.id, (SELECT min(id) FROM {USERS}) + (u.n + 100000) %% 200000 "
            f"FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM {USERS} "
            "ORDER BY id LIMIT %s) AS u",
            [spread],
        )

    compare(
        f"raw INSERT {spread // 1000}k over 200k distinct keys",
        2 if quick else 3,
        reset,
        insert_over_many_keys,
        spread,
    )
    reset()
    make_users(max(sizes) + len(sizes))
    ids = user_ids(len(sizes))
    first = sql(f"SELECT min(id) FROM {USERS}")[0][0]
    for target, n in zip(ids, sizes, strict=True):
        sql(
            f"INSERT INTO {FOLLOWS} (follower_id, followed_id) SELECT id, %s FROM {USERS} "
            "WHERE id >= %s AND id <> %s ORDER BY id LIMIT %s",
            [target, first + len(sizes), target, n],
        )
    counters.fold()  # a site folds after a bulk load (a folder, cron, or the writers over time)
    sql(f"VACUUM ANALYZE {FOLLOWS}")
    sql(f"VACUUM ANALYZE {STATS}")
    sql(f"VACUUM ANALYZE {DELTAS}")

    def per_read(work: Callable[[], object], times: int) -> float:
        work()  # warm
        samples = []
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(times):
                work()
            samples.append((time.perf_counter() - started) / times)
        return statistics.median(samples)

    cached_at: dict[int, float] = {}
    for target, n in zip(ids, sizes, strict=True):
        cached = per_read(lambda t=target: UserStats.objects.for_user(t).followers_count, 200)
        counted = per_read(lambda t=target: Follow.objects.filter(followed_id=t).count(), 5)
        assert UserStats.objects.for_user(target).followers_count == n
        cached_at[n] = cached
        RESULTS[f"read, {n:,} followers"] = {
            "followers": n,
            "cached_ms": cached * 1000,
            "count_ms": counted * 1000,
            "count_vs_cached": counted / cached,
        }
        print(
            f"read, {n:>9,} followers        cached {cached * 1000:7.3f} ms  COUNT(*) "
            f"{counted * 1000:8.3f} ms ({counted / cached:.1f}x the cached read)",
            flush=True,
        )
    flat = cached_at[sizes[-1]] / cached_at[sizes[0]]
    RESULTS["read flatness"] = {"largest_vs_smallest": flat}
    print(f"cached read at {sizes[-1]:,} vs {sizes[0]:,} followers: {flat:.2f}x", flush=True)
    _read_under_writers(ids[1], sizes[1], per_read, quick)
    reset()


def _read_under_writers(star: int, followers: int, per_read: Callable, quick: bool) -> None:
    """The documented read of a celebrity while 8 ORM writer processes follow them (deltas pending
    on that very row, folded now and then by the writers), against the same read idle."""
    import multiprocessing

    from django.contrib.auth import get_user_model
    from django.db import connections

    from counters.social.models import UserStats

    def baseline() -> object:  # a comparable one-row indexed read with no counter in it
        return get_user_model().objects.filter(pk=star).values_list("username", flat=True).get()

    idle = per_read(lambda: UserStats.objects.for_user(star).followers_count, 200)
    idle_baseline = per_read(baseline, 200)
    fans = [
        row[0]
        for row in sql(
            f"SELECT id FROM {USERS} WHERE id NOT IN (SELECT follower_id FROM {FOLLOWS} "
            "WHERE followed_id = %s) AND id <> %s ORDER BY id DESC LIMIT 80000",
            [star, star],
        )
    ]
    seconds = 3.0 if quick else 8.0
    deadline = time.time() + 1.0 + seconds
    per = len(fans) // 8
    jobs = [
        (psycopg_params(), "ORM", "celebrity", star, fans[i * per : (i + 1) * per], deadline)
        for i in range(8)
    ]
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(8) as pool:
        running = pool.map_async(hot_worker, jobs)
        time.sleep(1.5)  # the writers are at it
        busy = per_read(lambda: UserStats.objects.for_user(star).followers_count, 50)
        busy_baseline = per_read(baseline, 50)
        written = sum(running.get())
    pending = sql(f"SELECT count(*) FROM {DELTAS}")[0][0]
    assert UserStats.objects.for_user(star).followers_count == followers + written
    RESULTS["read under 8 writers following that user"] = {
        "idle_ms": idle * 1000,
        "busy_ms": busy * 1000,
        "busy_vs_idle": busy / idle,
        "baseline_idle_ms": idle_baseline * 1000,
        "baseline_busy_ms": busy_baseline * 1000,
        "baseline_busy_vs_idle": busy_baseline / idle_baseline,
        "follows_written": written,
        "pending_after": pending,
    }
    print(
        f"read of a celebrity, idle {idle * 1000:.3f} ms, under 8 writers {busy * 1000:.3f} ms "
        f"({busy / idle:.2f}x); a plain one-row read {busy_baseline / idle_baseline:.2f}x; "
        f"{written} follows written, {pending} deltas pending after",
        flush=True,
    )

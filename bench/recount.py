"""Recount: backfill_counters vs the bare GROUP BY scans it needs, at two sizes."""

from __future__ import annotations

import statistics

import counters
from bench.common import (
    DELTAS,
    FOLLOWS,
    POSTS,
    RESULTS,
    STATS,
    USERS,
    make_users,
    reset,
    sql,
    timed,
)


def load(follows: int, users: int, posts: int) -> None:
    """Load a graph with raw SQL (triggers on), so the counters start exact."""
    reset()
    make_users(users)
    have = sql(f"SELECT count(*) FROM {USERS}")[0][0]
    if have != users:  # the recount walks every user: a bigger table would skew its figures
        raise RuntimeError(f"recount needs exactly {users:,} users, the database has {have:,}")
    per_user = follows // users
    sql(
        f"INSERT INTO {FOLLOWS} (follower_id, followed_id) SELECT a.id, "
        f"(SELECT min(id) FROM {USERS}) + ((a.id + g * 7919) %% %s) FROM "
        f"(SELECT id FROM {USERS} ORDER BY id LIMIT %s) a, generate_series(1, %s) g "
        f"WHERE (SELECT min(id) FROM {USERS}) + ((a.id + g * 7919) %% %s) <> a.id "
        "ON CONFLICT DO NOTHING",
        [users, users, per_user, users],
    )
    sql(
        f"INSERT INTO {POSTS} (author_id, title, body) SELECT "
        f"(SELECT min(id) FROM {USERS}) + (g * 31 %% %s), 'p', '' FROM generate_series(1, %s) g",
        [users, posts],
    )
    sql(f"VACUUM ANALYZE {FOLLOWS}")
    sql(f"VACUUM ANALYZE {POSTS}")
    sql(f"VACUUM ANALYZE {STATS}")
    counters.fold(batch_size=10000)  # as a running site would have: its backlog stays small
    sql(f"VACUUM ANALYZE {STATS}")
    sql(f"VACUUM ANALYZE {DELTAS}")


# the social app's counters (the test app's, installed for the aggregates section, are left out)
SOCIAL = ["counters_social.UserStats", "counters_social.GlobalStats"]


def bare_scans() -> None:
    """The GROUP BY scans a recount of the social counters cannot do without."""
    sql(f"SELECT followed_id, count(*) FROM {FOLLOWS} GROUP BY 1")
    sql(f"SELECT follower_id, count(*) FROM {FOLLOWS} GROUP BY 1")
    sql(f"SELECT author_id, count(*), max(created_at) FROM {POSTS} GROUP BY 1")
    sql(f"SELECT count(*) FROM {FOLLOWS}")
    sql(f"SELECT count(*), max(created_at) FROM {POSTS}")


def recount_at(label: str, follows: int, users: int, posts: int, rounds: int) -> None:
    load(follows, users, posts)
    actual = sql(f"SELECT (SELECT count(*) FROM {FOLLOWS}), (SELECT count(*) FROM {POSTS})")[0]
    scans, recounts, checks = [], [], []
    for _ in range(rounds):
        scans.append(timed(bare_scans))
        recounts.append(timed(lambda: counters.recount(SOCIAL, batch_size=10000)))
        checks.append(timed(lambda: counters.check(SOCIAL, batch_size=10000)))
    # and a recount that has every stats row to rewrite
    with counters.unguarded():
        sql(f"UPDATE {STATS} SET followers_count = followers_count + 1")
    drifted = timed(lambda: counters.recount(SOCIAL, batch_size=10000))
    assert not counters.check(SOCIAL).drifted
    # and a first backfill: the app added to a project whose rows exist, no stats rows yet
    sql(f"DELETE FROM {STATS}")
    first = timed(lambda: counters.recount(SOCIAL, batch_size=10000))
    assert not counters.check(SOCIAL).drifted
    scan, rec, chk = (statistics.median(x) for x in (scans, recounts, checks))
    RESULTS[f"recount {label}"] = {
        "follows": actual[0],
        "users": users,
        "posts": actual[1],
        "rounds": rounds,
        "bare_scans_s": scan,
        "recount_s": rec,
        "check_s": chk,
        "recount_all_drifted_s": drifted,
        "first_backfill_s": first,
        "first_ratio": first / scan,
        "recount_ratio": rec / scan,
        "check_ratio": chk / scan,
        "drifted_ratio": drifted / scan,
        "recount_spread_s": [min(recounts), max(recounts)],
        "scan_spread_s": [min(scans), max(scans)],
    }
    print(
        f"recount {label:26} scans {scan:6.2f}s  recount {rec:6.2f}s ({rec / scan:.2f}x)  "
        f"check {chk:6.2f}s ({chk / scan:.2f}x)  all rows drifted {drifted:6.2f}s "
        f"({drifted / scan:.2f}x)  first backfill {first:6.2f}s ({first / scan:.2f}x)",
        flush=True,
    )

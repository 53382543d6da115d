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
- Live: commit-to-event time at 200 stream clients.
- Reads: the documented read vs ``COUNT(*)`` at 1k/100k/1M followers.
- Recount: ``backfill_counters`` over all counters vs the bare ``GROUP BY`` scans it needs, at two
  sizes (to show it grows linearly).

Prints a table, writes ``bench/results/latest.json`` and rewrites the figures in
``docs/benchmarks.md``. Usage: ``make bench`` or ``python bench/run.py [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

import counters  # noqa: E402
from counters.social.models import Follow, Post  # noqa: E402

RESULTS: dict[str, object] = {}


def sql(statement: str, params: object = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


ROW_TRIGGERS = """
CREATE FUNCTION bench_row_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE user_stats SET followers_count = followers_count + 1 WHERE user_id = NEW.followed_id;
    UPDATE user_stats SET following_count = following_count + 1 WHERE user_id = NEW.follower_id;
    UPDATE counters_globalstats SET total_follows = total_follows + 1 WHERE id = 1;
  ELSE
    UPDATE user_stats SET followers_count = followers_count - 1 WHERE user_id = OLD.followed_id;
    UPDATE user_stats SET following_count = following_count - 1 WHERE user_id = OLD.follower_id;
    UPDATE counters_globalstats SET total_follows = total_follows - 1 WHERE id = 1;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER bench_row_follow AFTER INSERT OR DELETE ON counters_follow
  FOR EACH ROW EXECUTE FUNCTION bench_row_follow();
CREATE FUNCTION bench_row_post() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE user_stats SET posts_count = posts_count + 1 WHERE user_id = NEW.author_id;
    UPDATE counters_globalstats SET total_posts = total_posts + 1 WHERE id = 1;
  ELSE
    UPDATE user_stats SET posts_count = posts_count - 1 WHERE user_id = OLD.author_id;
    UPDATE counters_globalstats SET total_posts = total_posts - 1 WHERE id = 1;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER bench_row_post AFTER INSERT OR DELETE ON counters_post
  FOR EACH ROW EXECUTE FUNCTION bench_row_post();
"""
ROW_TRIGGER_NAMES = {"counters_follow": "bench_row_follow", "counters_post": "bench_row_post"}


def triggers(on: bool) -> None:
    """The counters' triggers on or off (the row-level alternative stays off either way)."""
    for table, row_trigger in ROW_TRIGGER_NAMES.items():
        sql(f"ALTER TABLE {table} {'ENABLE' if on else 'DISABLE'} TRIGGER USER")
        sql(f"ALTER TABLE {table} DISABLE TRIGGER {row_trigger}")


def _follow_saved(sender, instance, created, **kwargs) -> None:  # noqa: ANN001
    """The Rails counter_cache way: F() increments after the save, one UPDATE each."""
    from django.db.models import F

    from counters.social.models import GlobalStats, UserStats

    if created:
        UserStats.objects.filter(pk=instance.followed_id).update(
            followers_count=F("followers_count") + 1
        )
        UserStats.objects.filter(pk=instance.follower_id).update(
            following_count=F("following_count") + 1
        )
        GlobalStats.objects.filter(pk=1).update(total_follows=F("total_follows") + 1)


def _follow_deleted(sender, instance, **kwargs) -> None:  # noqa: ANN001
    from django.db.models import F

    from counters.social.models import GlobalStats, UserStats

    UserStats.objects.filter(pk=instance.followed_id).update(
        followers_count=F("followers_count") - 1
    )
    UserStats.objects.filter(pk=instance.follower_id).update(
        following_count=F("following_count") - 1
    )
    GlobalStats.objects.filter(pk=1).update(total_follows=F("total_follows") - 1)


def _post_saved(sender, instance, created, **kwargs) -> None:  # noqa: ANN001
    from django.db.models import F

    from counters.social.models import GlobalStats, UserStats

    if created:
        UserStats.objects.filter(pk=instance.author_id).update(posts_count=F("posts_count") + 1)
        GlobalStats.objects.filter(pk=1).update(total_posts=F("total_posts") + 1)


def _post_deleted(sender, instance, **kwargs) -> None:  # noqa: ANN001
    from django.db.models import F

    from counters.social.models import GlobalStats, UserStats

    UserStats.objects.filter(pk=instance.author_id).update(posts_count=F("posts_count") - 1)
    GlobalStats.objects.filter(pk=1).update(total_posts=F("total_posts") - 1)


SIGNALS = [
    ("post_save", Follow, _follow_saved),
    ("post_delete", Follow, _follow_deleted),
    ("post_save", Post, _post_saved),
    ("post_delete", Post, _post_deleted),
]
DESIGNS = ("off", "counted", "counted + folder", "row trigger", "signals")


def use(design: str) -> None:
    """Keep the counters by ``design`` from now on (and only by it)."""
    from django.db.models import signals

    triggers(design == "counted")
    for name, model, receiver in SIGNALS:
        getattr(signals, name).disconnect(receiver, sender=model)
    sql("RESET counters.unguarded")
    if design == "row trigger":
        for table, row_trigger in ROW_TRIGGER_NAMES.items():
            sql(f"ALTER TABLE {table} ENABLE TRIGGER {row_trigger}")
    elif design == "signals":
        sql("SET counters.unguarded = on")  # app-side writes of the counters, as Rails would
        for name, model, receiver in SIGNALS:
            getattr(signals, name).connect(receiver, sender=model)


def drifted_values() -> int:
    """How many cached values differ from COUNT(*) now (the counters' triggers must be on)."""
    return sum(report.rows_drifted for report in counters.check().counters)


def reset() -> None:
    """Empty the source tables; every user keeps a (zeroed) stats row, as in a running site."""
    sql("TRUNCATE counters_follow, counters_post, user_stats, counters_globalstats, counters_delta")
    sql("INSERT INTO user_stats (user_id) SELECT id FROM auth_user")
    sql("INSERT INTO counters_globalstats (id) VALUES (1)")


def make_users(n: int) -> None:
    have = sql("SELECT count(*) FROM auth_user")[0][0]
    if have < n:
        sql(
            "INSERT INTO auth_user (username, password, is_superuser, first_name, last_name, email,"
            " is_staff, is_active, date_joined) SELECT 'u' || g, '!', false, '', '', '', false, true,"
            " now() FROM generate_series(%s, %s) g",
            [have + 1, n],
        )
    sql("VACUUM ANALYZE auth_user")


def user_ids(n: int) -> list[int]:
    return [row[0] for row in sql("SELECT id FROM auth_user ORDER BY id LIMIT %s", [n])]


def timed(work: Callable[[], None]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


class folder_process:  # noqa: N801 - a context manager, used as `with folder_process():`
    """A dedicated folder in a process of its own (``fold_counters --forever``), announced to the
    writers before the work starts; its CPU competes with the work's on the same cores."""

    def __enter__(self) -> folder_process:
        import subprocess

        from counters.folding import FOLDER_PRESENT

        params = _psycopg_params()
        url = (
            f"postgres://{params.get('user', '')}@/{params['dbname']}?host={params.get('host', '')}"
        )
        if params.get("port"):
            url += f"&port={params['port']}"
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "fold_counters", "--forever", "--interval", "0.5"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings"},
        )
        deadline = time.time() + 60
        while not sql(
            "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND objid = %s::oid AND granted",
            [FOLDER_PRESENT & 0xFFFFFFFF],
        ):
            assert time.time() < deadline, "the folder did not start"
            time.sleep(0.1)
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        self.process.wait(30)


def compare(
    name: str,
    rounds: int,
    setup: Callable[[], None],
    work: Callable[[], None],
    unit: int,
    alternative_rounds: int = 0,
) -> None:
    """Alternate triggers-off and counted rounds of ``work`` (and, in the first
    ``alternative_rounds``, the row-trigger and signals designs); record medians, spread, ratios
    and the drift each design left. Every round starts exact: ``setup`` runs with the counters on.
    """
    times: dict[str, list[float]] = {design: [] for design in DESIGNS}
    drift: dict[str, int] = {design: 0 for design in DESIGNS}
    for index in range(rounds):
        designs = DESIGNS if index < alternative_rounds else ("off", "counted", "counted + folder")
        for design in designs:
            use("counted")
            setup()
            use(design.removesuffix(" + folder"))
            if design == "counted + folder":
                with folder_process():
                    times[design].append(timed(work))
            else:
                times[design].append(timed(work))
            use("counted")
            if design != "off":
                drift[design] = max(drift[design], drifted_values())
    med = {design: statistics.median(values) for design, values in times.items() if values}
    RESULTS[name] = {
        "rounds": rounds,
        "counted_s": med["counted"],
        "off_s": med["off"],
        "counted_spread_s": [min(times["counted"]), max(times["counted"])],
        "off_spread_s": [min(times["off"]), max(times["off"])],
        "ratio": med["counted"] / med["off"],
        "per_op_counted_ms": med["counted"] / unit * 1000,
        "per_op_off_ms": med["off"] / unit * 1000,
        "counted_drifted_values": drift["counted"],
        "alternatives": {
            design: {
                "rounds": len(times[design]),
                "s": med[design],
                "spread_s": [min(times[design]), max(times[design])],
                "ratio": med[design] / med["off"],
                "drifted_values": drift[design],
            }
            for design in ("counted + folder", "row trigger", "signals")
            if times[design]
        },
    }
    r = RESULTS[name]
    others = "  ".join(
        f"{design} {a['ratio']:.2f}x (drift {a['drifted_values']})"
        for design, a in r["alternatives"].items()
    )
    print(
        f"{name:34} counted {r['counted_s']:8.3f}s  off {r['off_s']:8.3f}s  ratio {r['ratio']:.2f}x"
        f"  {others}",
        flush=True,
    )


def write_overhead(quick: bool) -> None:
    users = user_ids(2000)
    singles = 300 if quick else 1000
    bulk = 20_000 if quick else 100_000
    rounds = 3 if quick else 5
    alternative_rounds = 1 if quick else 2  # the slow alternatives take minutes per round
    pairs = [
        (users[i], users[(i * 7 + j) % len(users)]) for i in range(len(users)) for j in range(1, 60)
    ]
    pairs = [(a, b) for a, b in pairs if a != b]

    def single_create() -> None:
        for a, b in pairs[:singles]:
            Follow.objects.create(follower_id=a, followed_id=b)

    compare(
        "ORM Follow create (one row)", rounds, reset, single_create, singles, alternative_rounds
    )

    def seed_singles() -> None:
        reset()
        Follow.objects.bulk_create(
            [Follow(follower_id=a, followed_id=b) for a, b in pairs[:singles]]
        )

    def single_delete() -> None:
        for follow in list(Follow.objects.all()[:singles]):
            follow.delete()

    compare(
        "ORM Follow delete (one row)",
        rounds,
        seed_singles,
        single_delete,
        singles,
        alternative_rounds,
    )

    def post_create() -> None:
        for a, _ in pairs[:singles]:
            Post.objects.create(author_id=a, title="p")

    compare("ORM Post create (one row)", rounds, reset, post_create, singles, alternative_rounds)

    def seed_posts() -> None:
        reset()
        Post.objects.bulk_create([Post(author_id=a, title="p") for a, _ in pairs[:singles]])

    def post_delete() -> None:
        for post in list(Post.objects.all()[:singles]):
            post.delete()

    compare(
        "ORM Post delete (one row)", rounds, seed_posts, post_delete, singles, alternative_rounds
    )

    def bulk_create() -> None:
        Follow.objects.bulk_create([Follow(follower_id=a, followed_id=b) for a, b in pairs[:bulk]])

    compare(
        f"bulk_create {bulk // 1000}k follows", rounds, reset, bulk_create, bulk, alternative_rounds
    )

    def seed_bulk() -> None:
        reset()
        Follow.objects.bulk_create([Follow(follower_id=a, followed_id=b) for a, b in pairs[:bulk]])

    def qs_delete() -> None:
        Follow.objects.filter(
            pk__in=Follow.objects.order_by("pk").values("pk")[: bulk // 2]
        ).delete()

    compare(
        f"queryset.delete() {bulk // 2000}k follows",
        rounds,
        seed_bulk,
        qs_delete,
        bulk // 2,
        alternative_rounds,
    )

    def raw_insert() -> None:
        sql(
            "INSERT INTO counters_follow (follower_id, followed_id) SELECT a.id, b.id "
            "FROM (SELECT id FROM auth_user ORDER BY id LIMIT %s) a "
            "CROSS JOIN LATERAL (SELECT id FROM auth_user WHERE id <> a.id ORDER BY id LIMIT %s) b",
            [len(users), bulk // len(users)],
        )

    compare(
        f"raw INSERT ... SELECT {bulk // 1000}k",
        rounds,
        reset,
        raw_insert,
        bulk,
        alternative_rounds,
    )
    reset()


def aggregates(quick: bool) -> None:
    """Sum, Min and Max: line items of orders (``testapp.Order`` keeps two sums, a Max, a Min and
    a count of them), counted vs triggers off on ``testapp_lineitem``, same run; and deleting the
    current largest item of each order (its Max is recomputed when the marker folds)."""
    import datetime
    import random
    from decimal import Decimal

    from tests.testapp.models import LineItem, Order

    rng = random.Random(7)
    rounds = 3 if quick else 5
    singles = 300 if quick else 1000
    bulk = 20_000 if quick else 100_000
    sql("TRUNCATE testapp_lineitem, testapp_order, counters_delta")
    orders = [o.pk for o in Order.objects.bulk_create([Order() for _ in range(200)])]
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)

    def item(order: int) -> LineItem:
        return LineItem(
            order_id=order,
            amount=Decimal(rng.randint(1, 100_000)) / 100,
            quantity=rng.randint(1, 5),
            added_at=start + datetime.timedelta(seconds=rng.randint(0, 10**7)),
        )

    def on(counted: bool) -> None:
        sql(f"ALTER TABLE testapp_lineitem {'ENABLE' if counted else 'DISABLE'} TRIGGER USER")

    def empty() -> None:
        on(True)
        sql("DELETE FROM testapp_lineitem")
        counters.recount(["testapp.Order"])

    def seed(per_order: int) -> Callable[[], None]:
        def run() -> None:
            empty()
            LineItem.objects.bulk_create([item(o) for o in orders for _ in range(per_order)])
            counters.fold()

        return run

    def single_create() -> None:
        for index in range(singles):
            item(orders[index % len(orders)]).save()

    def bulk_create() -> None:
        LineItem.objects.bulk_create([item(orders[i % len(orders)]) for i in range(bulk)])

    def delete_largest() -> None:  # one statement per order: its current Max leaves
        for order in orders:
            largest = LineItem.objects.filter(order_id=order).order_by("-amount").first()
            largest.delete()

    def delete_any() -> None:  # the same number of deletes of rows that hold no extreme
        for order in orders:
            some = LineItem.objects.filter(order_id=order).order_by("amount", "added_at")[5]
            some.delete()

    cases = [
        ("ORM LineItem create (one row): 2 sums, max, min, count", empty, single_create, singles),
        (
            f"bulk_create {bulk // 1000}k line items: 2 sums, max, min, count",
            empty,
            bulk_create,
            bulk,
        ),
        ("delete the current max (one row each, 200 orders)", seed(50), delete_largest, 200),
        ("delete a row holding no extreme (one row each)", seed(50), delete_any, 200),
    ]
    for name, setup, work, unit in cases:
        times: dict[str, list[float]] = {"off": [], "counted": []}
        folds: list[float] = []  # the fold after the counted work (Min/Max recomputes happen there)
        drifted = 0
        for _ in range(rounds):
            for design in ("off", "counted"):
                setup()
                on(design == "counted")
                times[design].append(timed(work))
                on(True)
                if design == "counted":
                    folds.append(timed(counters.fold))
                    report = counters.check(["testapp.Order"])
                    drifted = max(drifted, sum(c.rows_drifted for c in report.counters))
        med = {design: statistics.median(values) for design, values in times.items()}
        RESULTS[name] = {
            "rounds": rounds,
            "counted_s": med["counted"],
            "off_s": med["off"],
            "aggregate_ratio": med["counted"] / med["off"],
            "counted_spread_s": [min(times["counted"]), max(times["counted"])],
            "off_spread_s": [min(times["off"]), max(times["off"])],
            "per_op_counted_ms": med["counted"] / unit * 1000,
            "per_op_off_ms": med["off"] / unit * 1000,
            "counted_drifted_values": drifted,
            "fold_after_s": statistics.median(folds),
        }
        r = RESULTS[name]
        print(
            f"{name:58} counted {r['counted_s']:7.3f}s  off {r['off_s']:7.3f}s  "
            f"ratio {r['aggregate_ratio']:.2f}x  fold after {r['fold_after_s']:.3f}s  "
            f"drift {drifted}",
            flush=True,
        )
    empty()


def _hot_worker(args: tuple) -> int:
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
                    "INSERT INTO counters_post (author_id, title, body) VALUES (%s, 'p', '')", [row]
                )
            else:
                # every writer on the celebrity, or each on users of its own (totals still shared)
                followed = target if kind == "celebrity" else rows[(index + 1) % len(rows)]
                conn.execute(
                    "INSERT INTO counters_follow (follower_id, followed_id) VALUES (%s, %s)",
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

        with psycopg.connect(**_psycopg_params(), autocommit=True) as conn:
            while not self._stop.wait(0.2):
                per_key, total = conn.execute(
                    "SELECT coalesce(max(n), 0), coalesce(sum(n), 0) FROM (SELECT count(*) AS n "
                    "FROM counters_delta GROUP BY counter, key) AS k"
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
                            assert not counters.check().drifted, f"drift: {client} {kind} {design}"
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
    params = _psycopg_params()
    per = (len(users) - 1) // writers
    deadline = time.time() + 1.0 + seconds
    jobs = [
        (params, client, kind, users[0], users[1 + i * per : 1 + (i + 1) * per], deadline)
        for i in range(writers)
    ]
    connections.close_all()  # forked children must not share the parent's connection
    with multiprocessing.get_context("fork").Pool(writers) as pool:
        started = time.time()
        counts = pool.map(_hot_worker, jobs)
        elapsed = time.time() - started
    return sum(counts) / elapsed


def _psycopg_params() -> dict[str, object]:
    params = connection.get_connection_params()
    return {k: v for k, v in params.items() if k in ("dbname", "user", "password", "host", "port")}


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
                        "DELETE FROM counters_follow WHERE follower_id = %s AND followed_id = %s",
                        [follower, star],
                    ).rowcount
                    if not gone:
                        conn.execute(
                            "INSERT INTO counters_follow (follower_id, followed_id) VALUES (%s, %s)",
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
    params = _psycopg_params()
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
        exact = not counters.check().drifted
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
        while sql("SELECT count(*) FROM counters_delta")[0][0]:
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


def live(quick: bool) -> None:
    """Live counters without NOTIFY: the time from a commit to the event at 200 stream clients
    (one hub per server process polls the watched values every 50 ms)."""
    reset()
    _latency(clients=200, commits=20 if quick else 60)


def _latency(clients: int, commits: int) -> None:
    """Commit-to-event time at ``clients`` stream clients of a uvicorn server (its own process)."""
    import asyncio
    import subprocess

    import psycopg

    from tests.live import Server, Stream, _free_port

    params = _psycopg_params()
    url = f"postgres://{params.get('user', '')}@/{params['dbname']}?host={params.get('host', '')}"
    if params.get("port"):
        url += f"&port={params['port']}"
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "project.asgi:application",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--backlog",
            "2048",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "COUNTERS_DEMO_FOLDER": "0",  # the commit-to-event time of reads with deltas pending
        },
    )
    users = user_ids(commits + 1)

    async def measure() -> list[float]:
        for _ in range(200):  # wait for the server
            try:
                probe = await Stream.open(
                    Server("127.0.0.1", port), "c=counters_social.GlobalStats.total_follows"
                )
                await probe.close()
                break
            except OSError:
                await asyncio.sleep(0.1)
        target = Server("127.0.0.1", port)
        streams = [
            await Stream.open(target, "c=counters_social.GlobalStats.total_follows")
            for _ in range(clients)
        ]
        await asyncio.gather(*(s.event(timeout=60) for s in streams))
        samples: list[float] = []
        async with await psycopg.AsyncConnection.connect(**params, autocommit=True) as conn:
            for i in range(commits):
                await conn.execute(
                    "INSERT INTO counters_follow (follower_id, followed_id) VALUES (%s, %s)",
                    [users[i + 1], users[0]],
                )
                committed = time.perf_counter()  # autocommit: the statement's return is the commit

                async def arrival(stream: Stream, since: float = committed) -> float:
                    await stream.event(timeout=30)
                    return time.perf_counter() - since

                samples += await asyncio.gather(*(arrival(s) for s in streams))
                await asyncio.sleep(0.05)
        await asyncio.gather(*(s.close() for s in streams))
        return samples

    try:
        samples = sorted(asyncio.run(measure()))
    finally:
        server.terminate()
        server.wait(10)
    median = statistics.median(samples)
    p99 = samples[int(len(samples) * 0.99) - 1]
    RESULTS[f"live, commit to event at {clients} clients"] = {
        "clients": clients,
        "commits": commits,
        "median_ms": median * 1000,
        "p99_ms": p99 * 1000,
        "max_ms": samples[-1] * 1000,
    }
    print(
        f"commit -> event at {clients} clients   median {median * 1000:.1f} ms  "
        f"p99 {p99 * 1000:.1f} ms  ({commits} commits)",
        flush=True,
    )


def reads(quick: bool) -> None:
    """The documented read (UserStats.objects.for_user) vs COUNT(*), for users with many followers."""
    from counters.social.models import UserStats

    sizes = (1_000, 10_000, 100_000) if quick else (1_000, 100_000, 1_000_000)
    make_users(200_000)
    spread = 20_000 if quick else 100_000

    def insert_over_many_keys() -> None:  # every row a new pair, over 200k distinct users
        sql(
            "INSERT INTO counters_follow (follower_id, followed_id) "
            "SELECT u.id, (SELECT min(id) FROM auth_user) + (u.n + 100000) %% 200000 "
            "FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM auth_user "
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
    first = sql("SELECT min(id) FROM auth_user")[0][0]
    for target, n in zip(ids, sizes, strict=True):
        sql(
            "INSERT INTO counters_follow (follower_id, followed_id) SELECT id, %s FROM auth_user "
            "WHERE id >= %s AND id <> %s ORDER BY id LIMIT %s",
            [target, first + len(sizes), target, n],
        )
    counters.fold()  # a site folds after a bulk load (a folder, cron, or the writers over time)
    sql("VACUUM ANALYZE counters_follow")
    sql("VACUUM ANALYZE user_stats")
    sql("VACUUM ANALYZE counters_delta")

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

    from django.db import connections

    from counters.social.models import UserStats

    idle = per_read(lambda: UserStats.objects.for_user(star).followers_count, 200)
    fans = [
        row[0]
        for row in sql(
            "SELECT id FROM auth_user WHERE id NOT IN (SELECT follower_id FROM counters_follow "
            "WHERE followed_id = %s) AND id <> %s ORDER BY id DESC LIMIT 80000",
            [star, star],
        )
    ]
    seconds = 3.0 if quick else 8.0
    deadline = time.time() + 1.0 + seconds
    per = len(fans) // 8
    jobs = [
        (_psycopg_params(), "ORM", "celebrity", star, fans[i * per : (i + 1) * per], deadline)
        for i in range(8)
    ]
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(8) as pool:
        running = pool.map_async(_hot_worker, jobs)
        time.sleep(1.5)  # the writers are at it
        busy = per_read(lambda: UserStats.objects.for_user(star).followers_count, 50)
        written = sum(running.get())
    pending = sql("SELECT count(*) FROM counters_delta")[0][0]
    assert UserStats.objects.for_user(star).followers_count == followers + written
    RESULTS["read under 8 writers following that user"] = {
        "idle_ms": idle * 1000,
        "busy_ms": busy * 1000,
        "busy_vs_idle": busy / idle,
        "follows_written": written,
        "pending_after": pending,
    }
    print(
        f"read of a celebrity, idle {idle * 1000:.3f} ms, under 8 writers {busy * 1000:.3f} ms "
        f"({busy / idle:.2f}x); {written} follows written, {pending} deltas pending after",
        flush=True,
    )


def load(follows: int, users: int, posts: int) -> None:
    """Load a graph with raw SQL (triggers on), so the counters start exact."""
    reset()
    make_users(users)
    have = sql("SELECT count(*) FROM auth_user")[0][0]
    if have != users:  # the recount walks every user: a bigger table would skew its figures
        raise RuntimeError(f"recount needs exactly {users:,} users, the database has {have:,}")
    per_user = follows // users
    sql(
        "INSERT INTO counters_follow (follower_id, followed_id) SELECT a.id, "
        "(SELECT min(id) FROM auth_user) + ((a.id + g * 7919) %% %s) FROM "
        "(SELECT id FROM auth_user ORDER BY id LIMIT %s) a, generate_series(1, %s) g "
        "WHERE (SELECT min(id) FROM auth_user) + ((a.id + g * 7919) %% %s) <> a.id "
        "ON CONFLICT DO NOTHING",
        [users, users, per_user, users],
    )
    sql(
        "INSERT INTO counters_post (author_id, title, body) SELECT "
        "(SELECT min(id) FROM auth_user) + (g * 31 %% %s), 'p', '' FROM generate_series(1, %s) g",
        [users, posts],
    )
    sql("VACUUM ANALYZE counters_follow")
    sql("VACUUM ANALYZE counters_post")
    sql("VACUUM ANALYZE user_stats")


def bare_scans() -> None:
    sql("SELECT followed_id, count(*) FROM counters_follow GROUP BY 1")
    sql("SELECT follower_id, count(*) FROM counters_follow GROUP BY 1")
    sql("SELECT author_id, count(*) FROM counters_post GROUP BY 1")
    sql("SELECT count(*) FROM counters_follow")
    sql("SELECT count(*) FROM counters_post")


def recount_at(label: str, follows: int, users: int, posts: int, rounds: int) -> None:
    load(follows, users, posts)
    actual = sql(
        "SELECT (SELECT count(*) FROM counters_follow), (SELECT count(*) FROM counters_post)"
    )[0]
    scans, recounts, checks = [], [], []
    for _ in range(rounds):
        scans.append(timed(bare_scans))
        recounts.append(timed(lambda: counters.recount(batch_size=10000)))
        checks.append(timed(lambda: counters.check(batch_size=10000)))
    # and a recount that has every stats row to rewrite
    with counters.unguarded():
        sql("UPDATE user_stats SET followers_count = followers_count + 1")
    drifted = timed(lambda: counters.recount(batch_size=10000))
    assert not counters.check().drifted
    # and a first backfill: the app added to a project whose rows exist, no stats rows yet
    sql("DELETE FROM user_stats")
    first = timed(lambda: counters.recount(batch_size=10000))
    assert not counters.check().drifted
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
    parser.add_argument("--skip-live", action="store_true", help="no live-counter figures")
    parser.add_argument("--skip-aggregates", action="store_true", help="no Sum/Min/Max figures")
    parser.add_argument(
        "--only",
        choices=["writes", "aggregates", "hot", "reads", "live", "recount"],
        help="run one section (the others keep their last figures)",
    )
    args = parser.parse_args()
    if args.only:
        for section in ("writes", "aggregates", "hot", "reads", "live", "recount"):
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
        if not args.skip_aggregates:
            aggregates(args.quick)
            save(args.quick)
        if not args.skip_hot:
            make_users(20_000)
            concurrency(args.quick)
            deadlocks(args.quick)
            folder_lag(args.quick)
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


def save(quick: bool) -> None:
    """Merge this run's figures into bench/results/latest.json and docs/benchmarks.md (after every
    section, so a failure later keeps what was measured); sections skipped keep their last ones."""
    if quick:
        return
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    latest = out / "latest.json"
    previous = json.loads(latest.read_text()) if latest.exists() else {}
    merged = {**previous, **RESULTS}
    RESULTS.clear()
    RESULTS.update(merged)
    latest.write_text(json.dumps(RESULTS, indent=2) + "\n")
    write_docs()


def markdown_table(header: list[str], marker: str, row: Callable[[str, dict], str]) -> list[str]:
    """A table of every result that has ``marker``, rendered by ``row(name, result)``."""
    rows = [row(name, r) for name, r in RESULTS.items() if isinstance(r, dict) and marker in r]
    return ["", "| " + " | ".join(header) + " |", "|" + "---|" * len(header), *rows]


def figures_markdown() -> str:
    m = RESULTS["machine"]
    lines = [
        f"Measured {m['date']} on {m['platform']}, {m['cpus']} cores, {m['postgres']} "
        f"(fsync {m['fsync']}, shared_buffers {m['shared_buffers']}), Python {m['python']}. "
        "Medians of the rounds shown; spread is min-max."
    ]

    def with_folder(r: dict) -> str:
        folder = r.get("alternatives", {}).get("counted + folder")
        return f"**{folder['ratio']:.2f}x**" if folder else "-"

    lines += markdown_table(
        [
            "write",
            "rounds",
            "counted",
            "triggers off",
            "ratio, no folder",
            "ratio, with a folder",
            "counted spread",
            "off spread",
        ],
        "ratio",
        lambda name, r: (
            f"| {name} | {r['rounds']} | {r['counted_s']:.3f} s | {r['off_s']:.3f} s | "
            f"**{r['ratio']:.2f}x** | {with_folder(r)} | "
            f"{r['counted_spread_s'][0]:.3f}-{r['counted_spread_s'][1]:.3f} s | "
            f"{r['off_spread_s'][0]:.3f}-{r['off_spread_s'][1]:.3f} s |"
        ),
    )
    lines += markdown_table(
        [
            "Sum, Min, Max (testapp.Order over its line items)",
            "rounds",
            "counted",
            "triggers off",
            "ratio",
            "the fold after it",
            "counted spread",
            "off spread",
            "drift after",
        ],
        "aggregate_ratio",
        lambda name, r: (
            f"| {name} | {r['rounds']} | {r['counted_s']:.3f} s | {r['off_s']:.3f} s | "
            f"**{r['aggregate_ratio']:.2f}x** | {r.get('fold_after_s', 0):.3f} s | "
            f"{r['counted_spread_s'][0]:.3f}-{r['counted_spread_s'][1]:.3f} s | "
            f"{r['off_spread_s'][0]:.3f}-{r['off_spread_s'][1]:.3f} s | "
            f"{r['counted_drifted_values']} |"
        ),
    )
    if any(isinstance(r, dict) and r.get("alternatives") for r in RESULTS.values()):

        def cell(ratio: float, drifted: int) -> str:
            wrong = "exact" if drifted == 0 else f"**{drifted:,} values wrong**"
            return f"{ratio:.2f}x, {wrong}"

        def alternatives_row(name: str, r: dict) -> str:
            alts = r["alternatives"]
            cells = [
                cell(alts[d]["ratio"], alts[d]["drifted_values"]) if d in alts else "-"
                for d in ("row trigger", "signals")
            ]
            rounds = min(a["rounds"] for a in alts.values())
            return (
                f"| {name} | {cell(r['ratio'], r.get('counted_drifted_values', 0))} | "
                f"{cells[0]} | {cells[1]} | 1.00x, exact (reads pay) | {rounds} |"
            )

        lines += markdown_table(
            [
                "write (time vs triggers off; drift after it)",
                "**counters** (statement triggers)",
                "row-level trigger",
                "app-side `F()` in signals",
                "`COUNT(*)` at read time",
                "alternative rounds",
            ],
            "alternatives",
            alternatives_row,
        )
    if any(isinstance(r, dict) and "cached_ms" in r for r in RESULTS.values()):
        lines += markdown_table(
            [
                "read one user's followers count",
                "documented read (`UserStats.objects.for_user`)",
                "`COUNT(*)` over the follows index",
                "COUNT(*) / cached",
            ],
            "cached_ms",
            lambda name, r: (
                f"| {r['followers']:,} followers | {r['cached_ms']:.3f} ms | {r['count_ms']:.3f} ms | "
                f"{r['count_vs_cached']:.1f}x |"
            ),
        )
        flat = RESULTS.get("read flatness", {}).get("largest_vs_smallest")
        if flat:
            lines.append(f"\nCached read at the largest vs the smallest count: **{flat:.2f}x**.")
    lines += markdown_table(
        [
            "writers (one insert per transaction)",
            "processes",
            "triggers off",
            "**counters**, no folder",
            "**counters** + a folder",
            "row-level trigger",
            "most deltas pending (one key / all), no folder",
        ],
        "concurrency_ratio",
        lambda name, r: (
            f"| {r['client']}, {r['kind']} | {r['writers']} | {r['off_per_s']:,.0f}/s | "
            f"{r['counted_per_s']:,.0f}/s (**{r['concurrency_ratio']:.2f}x**) | "
            f"{r['folder_per_s']:,.0f}/s (**{r['folder_ratio']:.2f}x**) | "
            f"{r['row_trigger_per_s']:,.0f}/s ({r['row_trigger_ratio']:.2f}x) | "
            f"{r['backlog_most_per_key']:,} / {r['backlog_most_total']:,} |"
        ),
    )
    lines += markdown_table(
        [
            "two follows per transaction, 8 processes",
            "seconds",
            "transactions",
            "deadlocks",
            "exact",
        ],
        "deadlocks",
        lambda name, r: (
            f"| {r['design']} | {r['seconds']:.0f} | {r['transactions']:,} | "
            f"**{r['deadlocks']}** | {'yes' if r['exact'] else 'NO'} |"
        ),
    )
    lines += markdown_table(
        [
            "dedicated folder (0.5 s)",
            "writes",
            "most deltas pending",
            "columns exact after the last write",
        ],
        "lag_s",
        lambda name, r: (
            f"| 8 ORM writers, different users | {r['writes_per_s']:,.0f}/s | "
            f"{r['pending_most_total']:,} rows | **{r['lag_s']:.2f} s** |"
        ),
    )
    lines += markdown_table(
        ["read under writers", "idle", "8 writers following that user", "ratio"],
        "busy_vs_idle",
        lambda name, r: (
            f"| documented read of one celebrity | {r['idle_ms']:.3f} ms | {r['busy_ms']:.3f} ms | "
            f"**{r['busy_vs_idle']:.2f}x** |"
        ),
    )
    lines += markdown_table(
        ["live counters: commit to event", "clients", "commits", "median", "p99", "max"],
        "median_ms",
        lambda name, r: (
            f"| uvicorn, one process | {r['clients']} | {r['commits']} | "
            f"**{r['median_ms']:.1f} ms** | {r['p99_ms']:.1f} ms | {r['max_ms']:.1f} ms |"
        ),
    )
    lines += markdown_table(
        [
            "recount",
            "follows",
            "users",
            "posts",
            "bare GROUP BY scans",
            "recount (no drift)",
            "check",
            "recount, every stats row drifted",
            "first backfill (no stats rows)",
        ],
        "recount_ratio",
        lambda name, r: (
            f"| {name} | {r['follows']:,} | {r['users']:,} | {r['posts']:,} | {r['bare_scans_s']:.2f} s | "
            f"{r['recount_s']:.2f} s (**{r['recount_ratio']:.2f}x**) | {r['check_s']:.2f} s "
            f"({r['check_ratio']:.2f}x) | {r['recount_all_drifted_s']:.2f} s ({r['drifted_ratio']:.2f}x) | "
            f"{r['first_backfill_s']:.2f} s ({r['first_ratio']:.2f}x) |"
        ),
    )
    return "\n".join(lines)


def write_docs() -> None:
    doc = ROOT / "docs" / "benchmarks.md"
    text = doc.read_text()
    start, end = "<!-- figures:start -->", "<!-- figures:end -->"
    head, rest = text.split(start, 1)
    tail = rest.split(end, 1)[1]
    doc.write_text(f"{head}{start}\n{figures_markdown()}\n{end}{tail}")


if __name__ == "__main__":
    main()

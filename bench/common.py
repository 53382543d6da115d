"""What every benchmark section shares: Django on the benchmark database, the table names (from
the models), the designs compared (counters, triggers off, a row-level trigger, app-side F() in
signals), timing, and the results every section adds to."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402

import counters  # noqa: E402
from counters.models import CounterDelta  # noqa: E402
from counters.social.models import Follow, GlobalStats, Post, UserStats  # noqa: E402
from tests.testapp.models import LineItem, Order  # noqa: E402

# the tables the SQL below reads and writes, named by the models
FOLLOWS = Follow._meta.db_table
POSTS = Post._meta.db_table
STATS = UserStats._meta.db_table
TOTALS = GlobalStats._meta.db_table
DELTAS = CounterDelta._meta.db_table
USERS = get_user_model()._meta.db_table
LINE_ITEMS = LineItem._meta.db_table
ORDERS = Order._meta.db_table

RESULTS: dict[str, object] = {}


def sql(statement: str, params: object = None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchall() if cursor.description else []


ROW_TRIGGERS = f"""
CREATE FUNCTION bench_row_follow() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE {STATS} SET followers_count = followers_count + 1 WHERE user_id = NEW.followed_id;
    UPDATE {STATS} SET following_count = following_count + 1 WHERE user_id = NEW.follower_id;
    UPDATE {TOTALS} SET total_follows = total_follows + 1 WHERE id = 1;
  ELSE
    UPDATE {STATS} SET followers_count = followers_count - 1 WHERE user_id = OLD.followed_id;
    UPDATE {STATS} SET following_count = following_count - 1 WHERE user_id = OLD.follower_id;
    UPDATE {TOTALS} SET total_follows = total_follows - 1 WHERE id = 1;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER bench_row_follow AFTER INSERT OR DELETE ON {FOLLOWS}
  FOR EACH ROW EXECUTE FUNCTION bench_row_follow();
CREATE FUNCTION bench_row_post() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE {STATS} SET posts_count = posts_count + 1 WHERE user_id = NEW.author_id;
    UPDATE {TOTALS} SET total_posts = total_posts + 1 WHERE id = 1;
  ELSE
    UPDATE {STATS} SET posts_count = posts_count - 1 WHERE user_id = OLD.author_id;
    UPDATE {TOTALS} SET total_posts = total_posts - 1 WHERE id = 1;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER bench_row_post AFTER INSERT OR DELETE ON {POSTS}
  FOR EACH ROW EXECUTE FUNCTION bench_row_post();
"""
ROW_TRIGGER_NAMES = {f"{FOLLOWS}": "bench_row_follow", f"{POSTS}": "bench_row_post"}


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
    """How many cached counts differ from COUNT(*) now (the counters' triggers must be on): the
    counts every design keeps (the alternatives keep no ``last_post_at``)."""
    counts = [c.label for c in counters.all_counters() if c.kind == "count"]
    return sum(report.rows_drifted for report in counters.check(counts).counters)


def reset() -> None:
    """Empty the source tables; every user keeps a (zeroed) stats row, as in a running site. The
    sources' TRUNCATE triggers drop their counters' pending deltas; other counters' deltas (the
    test app's orders) stay: emptying ``counters_delta`` by hand would lose them."""
    sql(f"TRUNCATE {FOLLOWS}, {POSTS}, {STATS}, {TOTALS}")
    sql(f"INSERT INTO {STATS} (user_id) SELECT id FROM {USERS}")
    sql(f"INSERT INTO {TOTALS} (id) VALUES (1)")


def make_users(n: int) -> None:
    have = sql(f"SELECT count(*) FROM {USERS}")[0][0]
    if have < n:
        sql(
            f"INSERT INTO {USERS} (username, password, is_superuser, first_name, last_name, email,"
            " is_staff, is_active, date_joined) SELECT 'u' || g, '!', false, '', '', '', false, true,"
            " now() FROM generate_series(%s, %s) g",
            [have + 1, n],
        )
    sql(f"VACUUM ANALYZE {USERS}")


def user_ids(n: int) -> list[int]:
    return [row[0] for row in sql(f"SELECT id FROM {USERS} ORDER BY id LIMIT %s", [n])]


def timed(work: Callable[[], None]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def off_then_counted(
    rounds: int,
    setup: Callable[[], None],
    work: Callable[[], None],
    unit: int,
    on: Callable[[bool], None],
    labels: list[str],
    *,
    after_counted: Callable[[], None] | None = None,
    after_off: Callable[[], None] | None = None,
) -> dict[str, object]:
    """``work`` timed with one table's triggers off and on (``on(counted)``), alternating, from
    ``setup`` each time; after each counted round ``after_counted`` (a fold) then a drift check of
    the counters ``labels``, after each round without triggers ``after_off`` (a recount). The
    medians, spreads, per-``unit`` times and the largest drift, as a result row."""
    times: dict[str, list[float]] = {"off": [], "counted": []}
    drifted = 0
    for _ in range(rounds):
        for design in ("off", "counted"):
            setup()
            on(design == "counted")
            times[design].append(timed(work))
            on(True)
            after = after_counted if design == "counted" else after_off
            if after is not None:
                after()
            if design == "counted":
                report = counters.check(labels)
                drifted = max(drifted, sum(c.rows_drifted for c in report.counters))
    med = {design: statistics.median(values) for design, values in times.items()}
    return {
        "rounds": rounds,
        "counted_s": med["counted"],
        "off_s": med["off"],
        "counted_spread_s": [min(times["counted"]), max(times["counted"])],
        "off_spread_s": [min(times["off"]), max(times["off"])],
        "per_op_counted_ms": med["counted"] / unit * 1000,
        "per_op_off_ms": med["off"] / unit * 1000,
        "counted_drifted_values": drifted,
    }


class folder_process:  # noqa: N801 - a context manager, used as `with folder_process():`
    """A dedicated folder in a process of its own (``fold_counters --forever``), announced to the
    writers before the work starts; its CPU competes with the work's on the same cores."""

    def __enter__(self) -> folder_process:
        import subprocess

        from counters.folding import folder_present
        from tests.utils import database_url

        url = database_url()
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "fold_counters", "--forever", "--interval", "0.5"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "bench.settings"},
        )
        deadline = time.time() + 60
        while not folder_present():
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


def psycopg_params() -> dict[str, object]:
    params = connection.get_connection_params()
    return {k: v for k, v in params.items() if k in ("dbname", "user", "password", "host", "port")}

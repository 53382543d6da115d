"""Counters over a declaratively partitioned source table (``tests.partitioned``: events
``PARTITION BY RANGE (day)``, a partition per year, created by the migration with ``RunSQL``).

Every statement, on the parent or naming a partition, is counted exactly (compared with the ORM's
``COUNT``/``SUM``); ``TRUNCATE`` of a partition too. What no trigger sees (a partition created
later, ``ATTACH``, ``DETACH``) is reported by ``counters_health`` with exit code 2 and the command
that fixes it, and the fix leaves the counters exact."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.utils import NotSupportedError

from counters import monitoring, partitions
from counters.installation import installed_triggers
from tests.partitioned.models import Event, Stream
from tests.utils import assert_exact, command, run_threads

pytestmark = pytest.mark.django_db

DAY_2026 = datetime.date(2026, 3, 1)
DAY_2027 = datetime.date(2027, 3, 1)
LABELS = "partitioned.Stream.events_count, partitioned.Stream.weight_total"


def sql(statement: str, params: object = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def truncate(tables: str) -> None:
    """``TRUNCATE``, after the foreign key checks Django defers to the commit (PostgreSQL refuses
    to truncate a table with pending trigger events, counters or not)."""
    sql("SET CONSTRAINTS ALL IMMEDIATE")
    sql(f"TRUNCATE {tables}")
    sql("SET CONSTRAINTS ALL DEFERRED")


def partition_problems() -> list[str]:
    return [p.message for p in monitoring.health().problems if p.code == "partitions"]


def exact() -> None:
    """Every counter of Stream equals the ORM's COUNT/SUM, read and stored (folded)."""
    assert_exact(Stream, folded=True)


def trigger_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            [table],
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.fixture
def streams() -> tuple[Stream, Stream]:
    """Two streams with events in both partitions, the partition sets recorded (a flush by
    another test file may have emptied counters_state)."""
    partitions.sync()
    a, b = Stream.objects.create(name="a"), Stream.objects.create(name="b")
    Event.objects.bulk_create(
        [Event(stream=a, day=DAY_2026, weight=w) for w in range(1, 6)]
        + [Event(stream=b, day=DAY_2027, weight=10) for _ in range(3)]
        + [Event(stream=a, day=DAY_2027, weight=7)]
    )
    a.refresh_from_db()
    assert (a.events_count, a.weight_total) == (6, 22)  # through the parent: counted
    assert partition_problems() == []
    return a, b


def test_every_partition_carries_copies_of_the_parents_counter_triggers():
    parent = trigger_names("partitioned_event")
    for partition in ("partitioned_event_2026", "partitioned_event_2027"):
        names = trigger_names(partition)
        copies = {
            partitions.copy_name(name) for name in parent if name.startswith("pgtrigger_counters_")
        }
        # insert, update and delete: the parent's TRUNCATE reset is no partition's business
        assert len(copies) == 4 and {n for n in copies if "truncate" not in n} <= names
        assert not any("counters_truncate" in n for n in names)
        assert {partitions.BEFORE_TRUNCATE, partitions.AFTER_TRUNCATE} <= names
    with connection.cursor() as cursor:  # the copies call the parent's own functions
        cursor.execute(
            "SELECT count(DISTINCT tgfoid), count(*) FROM pg_trigger "
            "WHERE tgname LIKE 'counters\\_partition\\_insert%%' "
            "OR (tgname LIKE 'pgtrigger\\_counters\\_insert%%' "
            "AND tgrelid = 'partitioned_event'::regclass)"
        )
        assert cursor.fetchone() == (1, 3)


def test_statements_on_the_parent_and_naming_a_partition_are_counted(streams):
    a, b = streams
    # naming a partition: only that partition's triggers fire
    sql(
        "INSERT INTO partitioned_event_2026 (stream_id, day, weight) "
        "SELECT %s, '2026-05-05', g FROM generate_series(1, 20) AS g",
        [b.pk],
    )
    exact()
    sql("UPDATE partitioned_event_2027 SET weight = weight + 1, stream_id = %s", [a.pk])
    exact()
    sql("DELETE FROM partitioned_event_2026 WHERE weight > 15")
    exact()
    # through the parent, rows moving between partitions (a delete and an insert underneath)
    moved = Event.objects.filter(day=DAY_2026, stream=a).update(day=DAY_2027, stream=b)
    assert moved == 5
    exact()
    Event.objects.filter(weight__lt=3).delete()
    exact()
    b.refresh_from_db()
    assert b.events_count == Event.objects.filter(stream=b).count() > 0


def test_truncate_of_a_partition_counts_its_rows_and_of_the_parent_resets(streams):
    a, b = streams
    truncate("partitioned_event_2026")
    exact()
    a.refresh_from_db()
    assert (a.events_count, a.weight_total) == (1, 7)  # the 2027 event is left
    truncate("partitioned_event")
    exact()
    assert Stream.objects.filter(events_count=0).count() == 2
    # in the same transaction: the parent's truncate marked itself, and the mark is gone
    Event.objects.bulk_create([Event(stream=a, day=DAY_2026), Event(stream=b, day=DAY_2027)])
    truncate("partitioned_event_2026")
    exact()
    b.refresh_from_db()
    assert b.events_count == 1
    # a partition named beside its parent: counted once, and the parent's reset wins
    Event.objects.bulk_create([Event(stream=a, day=DAY_2026)])
    truncate("partitioned_event_2027, partitioned_event")
    exact()


def test_a_partition_created_later_is_reported_and_counters_install_covers_it(streams):
    a, _ = streams
    sql(
        "CREATE TABLE partitioned_event_2028 PARTITION OF partitioned_event "
        "FOR VALUES FROM ('2028-01-01') TO ('2029-01-01')"
    )
    (problem,) = partition_problems()
    assert "partitioned_event_2028" in problem and "counters_install" in problem
    status, _, err = command("counters_health")
    assert status == monitoring.EXIT_TRIGGERS and "partitioned_event_2028" in err
    status, out, _ = command("counters_install", "-v", "2")
    assert status == 0 and "on partitioned_event_2028" in out
    assert partition_problems() == []  # it was empty: nothing can have been missed
    sql(
        "INSERT INTO partitioned_event_2028 (stream_id, day, weight) VALUES (%s, '2028-02-02', 5)",
        [a.pk],
    )
    exact()
    truncate("partitioned_event_2028")
    exact()


def test_a_partition_written_before_it_was_covered_asks_for_a_recount(streams):
    a, _ = streams
    sql(
        "CREATE TABLE partitioned_event_2028 PARTITION OF partitioned_event "
        "FOR VALUES FROM ('2028-01-01') TO ('2029-01-01')"
    )
    sql(
        "INSERT INTO partitioned_event_2028 (stream_id, day, weight) VALUES (%s, '2028-02-02', 5)",
        [a.pk],
    )  # not counted: the partition has no trigger yet
    a.refresh_from_db()
    assert a.events_count == 6 and Event.objects.filter(stream=a).count() == 7
    command("counters_install")
    (problem,) = partition_problems()
    assert "new, not counted when they arrived: partitioned_event_2028" in problem
    assert f"backfill_counters {LABELS.replace(', ', ' ')}" in problem
    status, _, _ = command("backfill_counters", *LABELS.split(", "), "--no-progress")
    assert status == 0
    assert partition_problems() == []
    exact()


@pytest.mark.slow
def test_detach_and_attach_are_reported_and_a_backfill_makes_them_exact(streams):
    a, _ = streams
    sql("ALTER TABLE partitioned_event DETACH PARTITION partitioned_event_2026")
    a.refresh_from_db()
    assert a.events_count == 6 and Event.objects.filter(stream=a).count() == 1  # rows left
    problems = partition_problems()
    assert any("no longer partitions" in p and "partitioned_event_2026" in p for p in problems)
    assert any(
        "detached or dropped, still counted: partitioned_event_2026" in p
        and "backfill_counters partitioned.Stream.events_count" in p
        for p in problems
    )
    status, _, err = command("counters_health")
    assert status == monitoring.EXIT_TRIGGERS and "partitioned_event_2026" in err
    # the copies left on it would keep PostgreSQL from attaching it again
    with pytest.raises(NotSupportedError, match="counters_partition_"):
        sql("SAVEPOINT attach")
        try:
            sql(
                "ALTER TABLE partitioned_event ATTACH PARTITION partitioned_event_2026 "
                "FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')"
            )
        finally:
            sql("ROLLBACK TO SAVEPOINT attach")
    status, _, _ = command("backfill_counters", "partitioned.Stream", "--no-progress")
    assert status == 0
    assert partition_problems() == []
    assert trigger_names("partitioned_event_2026") == set()  # a table of its own again
    exact()
    sql(
        "INSERT INTO partitioned_event_2026 (id, stream_id, day, weight) "
        "VALUES (nextval('partitioned_event_id_seq'), %s, '2026-06-06', 1)",
        [a.pk],
    )  # no longer a source row: not counted
    exact()
    sql(
        "ALTER TABLE partitioned_event ATTACH PARTITION partitioned_event_2026 "
        "FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')"
    )
    (problem,) = partition_problems()
    assert "without their counter triggers" in problem and "partitioned_event_2026" in problem
    command("counters_install")  # covered now, but it came with rows nobody counted
    (problem,) = partition_problems()
    assert "new, not counted when they arrived: partitioned_event_2026" in problem
    command("backfill_counters", "partitioned.Stream", "--no-progress")
    assert partition_problems() == []
    exact()
    a.refresh_from_db()
    assert a.events_count == 7
    sql("DELETE FROM partitioned_event_2026 WHERE weight = 1")  # covered again
    exact()


def test_a_dropped_partition_asks_for_a_recount(streams):
    sql("SET CONSTRAINTS ALL IMMEDIATE")
    sql("DROP TABLE partitioned_event_2027")
    (problem,) = partition_problems()
    assert "detached or dropped, still counted: partitioned_event_2027" in problem
    command("backfill_counters", "partitioned.Stream", "--no-progress")
    assert partition_problems() == []
    exact()


def test_migrate_covers_a_partition_a_migration_created(streams):
    sql(
        "CREATE TABLE partitioned_event_2028 PARTITION OF partitioned_event "
        "FOR VALUES FROM ('2028-01-01') TO ('2029-01-01')"
    )
    assert partition_problems()
    command("migrate", "--verbosity", "0")  # nothing to apply; post_migrate still runs
    assert partition_problems() == []
    assert partitions.BEFORE_TRUNCATE in trigger_names("partitioned_event_2028")


def test_uninstall_drops_the_partitions_triggers_and_install_puts_them_back(streams):
    names = {t.name for t in installed_triggers() if t.table == "partitioned_event_2027"}
    assert partitions.BEFORE_TRUNCATE in names
    command("counters_uninstall")
    assert trigger_names("partitioned_event_2027") == set()
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regproc(%s)", [partitions.FUNCTION])
        assert cursor.fetchone() == (None,)
    command("counters_install")
    assert trigger_names("partitioned_event_2027") == names


def function_version() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT xmin::text::bigint FROM pg_proc WHERE oid = to_regproc(%s)",
            [partitions.FUNCTION],
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_two_installs_at_once_both_succeed_and_a_sync_with_nothing_to_do_writes_nothing():
    sql(f"DROP FUNCTION {partitions.FUNCTION}() CASCADE")  # the TRUNCATE triggers go with it
    assert partition_problems()
    # both create the function and the triggers: the second waits for the first, then finds
    # them there (two CREATE FUNCTION at once: one of them fails in PostgreSQL)
    assert run_threads(2, lambda i: partitions.sync()) == []
    assert partition_problems() == []
    version = function_version()
    assert partitions.sync().installed == []
    assert function_version() == version  # not replaced: a recount runs it every time


def test_sub_partitions_are_covered_at_every_level(streams):
    a, b = streams
    sql(
        "CREATE TABLE partitioned_event_2028 PARTITION OF partitioned_event "
        "FOR VALUES FROM ('2028-01-01') TO ('2029-01-01') PARTITION BY RANGE (day)"
    )
    for half, (start, end) in enumerate(
        (("2028-01-01", "2028-07-01"), ("2028-07-01", "2029-01-01"))
    ):
        sql(
            f"CREATE TABLE partitioned_event_2028_{half} PARTITION OF partitioned_event_2028 "
            f"FOR VALUES FROM ('{start}') TO ('{end}')"
        )
    command("counters_install")
    assert partition_problems() == []
    for leaf in ("partitioned_event_2028", "partitioned_event_2028_0", "partitioned_event_2028_1"):
        assert partitions.BEFORE_TRUNCATE in trigger_names(leaf)
    sql(  # naming the middle level: its own triggers, rows in both halves
        "INSERT INTO partitioned_event_2028 (stream_id, day, weight) "
        "VALUES (%s, '2028-02-02', 2), (%s, '2028-08-08', 3), (%s, '2028-09-09', 4)",
        [a.pk, a.pk, b.pk],
    )
    exact()
    sql(
        "INSERT INTO partitioned_event_2028_1 (stream_id, day, weight) VALUES (%s, '2028-10-10', 1)",
        [b.pk],
    )
    exact()
    sql("UPDATE partitioned_event_2028 SET day = '2028-03-03' WHERE weight = 3")  # half to half
    exact()
    truncate("partitioned_event_2028_0")
    exact()
    truncate("partitioned_event_2028")  # the middle level: its halves step aside
    exact()
    b.refresh_from_db()
    assert b.events_count == 3  # the 2027 events are left


def test_a_counter_without_a_record_gets_the_partitions_it_has_at_the_next_sync(streams):
    sql("DELETE FROM counters_state WHERE name LIKE 'partitions:%%'")
    sql("SET CONSTRAINTS ALL IMMEDIATE")
    sql("DROP TABLE partitioned_event_2027")
    assert partition_problems() == []  # nothing recorded to compare with: nothing to say
    partitions.sync()  # as after upgrading: migrate or counters_install records what there is
    now = {"partitioned_event": ["partitioned_event_2026"]}
    assert partitions.recorded()["partitioned.Stream.events_count"] == now
    partitions.record("partitioned.Stream.events_count", {})  # the table itself not recorded yet
    partitions.sync()
    assert partitions.recorded()["partitioned.Stream.events_count"] == now
    assert partition_problems() == []


# -- databases and states without partitioned tables ------------------------------------------


class DefaultOnly:
    """Every app migrates to the default database: the second keeps no counter."""

    def allow_migrate(self, db: str, app_label: str, **hints: object) -> bool:
        return db == "default"


class PartitionedElsewhere:
    """The partitioned app migrates nowhere any more (it moved to another database)."""

    def allow_migrate(self, db: str, app_label: str, **hints: object) -> bool | None:
        return False if app_label == "partitioned" else None


def copies_installed() -> set[tuple[str, str]]:
    return {(p.table, p.name) for p in partitions.present().values()}


@pytest.mark.django_db(databases=["default", "second"])
def test_a_database_that_keeps_no_counters_has_no_partitioned_table_to_cover(settings):
    settings.DATABASE_ROUTERS = [f"{__name__}.DefaultOnly"]
    assert partitions.partitioned("second") == []
    assert partitions.sync("second") == partitions.Sync()
    assert partitions.problems("second") == []


def test_the_triggers_of_partitions_no_counter_needs_any_more_are_dropped(settings):
    partitions.sync()
    before = copies_installed()
    assert {table for table, _ in before} >= {"partitioned_event_2026", "partitioned_event_2027"}
    settings.DATABASE_ROUTERS = [
        f"{__name__}.PartitionedElsewhere",
        "tests.routers.SecondDatabaseRouter",
    ]
    assert partitions.partitioned() == []
    done = partitions.sync()
    assert {(p.table, p.name) for p in done.dropped} == before and done.installed == []
    assert copies_installed() == set()


def test_a_parent_trigger_that_is_missing_is_not_copied():
    import pgtrigger

    from counters.sql.partitions import copy_name

    [found] = partitions.partitioned()
    names = {name for name, _, _ in found.copies}
    [delete] = [t for m, t in pgtrigger.registered() if m is Event and t.name == "counters_delete"]
    pgid = delete.get_pgid(Event)
    assert copy_name(pgid) in names
    delete.uninstall(Event)  # counters_health reports the parent's trigger by itself
    [found] = partitions.partitioned()
    assert {name for name, _, _ in found.copies} == names - {copy_name(pgid)}


def test_without_the_engines_state_table_a_sync_installs_and_records_nothing():
    partitions.sync()
    sql("ALTER TABLE counters_state RENAME TO counters_state_elsewhere")
    assert partitions.recorded() == {}
    done = partitions.sync(force=True)  # reinstalls every copy: the tables are there
    assert {w.table for w in done.installed} >= {"partitioned_event_2026"}
    assert partitions.recorded() == {}


def test_a_partition_set_recorded_without_a_table_reports_no_change_for_it():
    partitions.sync()
    label = "partitioned.Stream.events_count"
    recorded = partitions.recorded()[label]
    [(table, sets)] = recorded.items()
    partitions.record(label, {})  # counted before the table was on its path
    assert partition_problems() == []
    partitions.record(label, {table: sets[:1]})  # counted with one partition fewer
    [problem] = partition_problems()
    assert "new, not counted when they arrived: " + sets[1] in problem

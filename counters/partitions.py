"""Counters over declaratively partitioned tables (``PARTITION BY RANGE/LIST/HASH``).

django-pgtrigger installs a model's counter triggers on its table. When that table is a
partitioned parent, PostgreSQL fires them for every statement that names the parent (rows of the
partitions count once, in the parent's transition tables, rows moving between partitions as an
``UPDATE``), but **not** for a statement that names a partition (``INSERT INTO events_2027_01``,
``COPY``, ``DELETE``, ``TRUNCATE events_2027_01``): that fires only the partition's own
statement-level triggers. And rows enter or leave without any statement on ``ATTACH PARTITION``,
``DETACH PARTITION`` and ``DROP TABLE`` of a partition; event triggers would see those, but they
need a superuser, so the library cannot count on them.

So, for every partitioned table on a counter path (what :func:`sync` keeps, after ``migrate``, in
``manage.py counters_install`` and before a whole recount):

- **copies** of the parent's ``INSERT``, ``UPDATE`` and ``DELETE`` counter triggers on every
  partition (every level below it), calling the very same functions, named
  ``counters_partition_<op>_<hash>`` (not ``pgtrigger_...``: django-pgtrigger's pruning would
  take them for orphans of its own). The parent's statements do not fire them, so nothing counts
  twice;
- a ``BEFORE TRUNCATE`` trigger on every partition that first deletes the partition's rows with a
  counted ``DELETE`` (exact, at the cost of a ``DELETE``: O(rows) instead of O(1)). ``TRUNCATE`` of
  the parent fires the ``TRUNCATE`` triggers of every partition too; there the partitions' trigger
  sees that an ancestor is being truncated (the parent's own ``BEFORE TRUNCATE`` trigger wrote it
  into ``counters.truncating``) and does nothing, and the parent's reset keeps its O(1). An
  ``AFTER TRUNCATE`` trigger clears the setting at the end of the statement.
- the **set of partitions** each counter was last counted with (a ``counters_state`` row per
  counter, ``partitions:<label>``): set when the triggers are first installed, extended by a
  partition whose triggers are installed while it is empty (nothing can have been missed in it),
  and replaced by a completed whole recount (``backfill_counters``).

:func:`problems` (read by ``manage.py counters_health``, exit code 2) reports a partition without
its triggers (created after the last install: ``counters_install``), triggers left on a table that
is no longer a partition (detached: they would count its writes, and they keep PostgreSQL from
attaching it again: ``counters_install`` drops them), and a partition set that changed since the
counters were counted (attached, detached or dropped partitions: ``backfill_counters <labels>``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from counters import state
from counters.sql.partitions import (
    AFTER_TRUNCATE,
    BEFORE_TRUNCATE,
    FUNCTION,
    PREFIX,
    TRUNCATE_FUNCTION,
    copy_name,
    function_body,
)
from counters.sql.triggers import CounterTrigger, pgtrigger_model
from counters.triggers import registered_on

STATE = "partitions:"

COPIED = ("insert", "update", "delete")  # a partition's TRUNCATE deletes first; never a reset


@dataclass(frozen=True)
class Wanted:
    """A trigger a partitioned table or one of its partitions should carry."""

    table: str  # regclass text
    name: str
    function: int  # the oid of the function it calls
    args: str  # its argument ('delete', 'mark', '')
    create: str  # the statement that creates it


@dataclass
class Partitioned:
    """One partitioned table on a counter path, as the database has it now."""

    table: str  # regclass text
    labels: set[str] = field(default_factory=set)  # the counters it feeds
    partitions: list[str] = field(default_factory=list)  # every level below it, regclass text
    copies: list[tuple[str, int, str]] = field(default_factory=list)  # (name, function, sql)


def _counter_triggers(using: str) -> dict[str, list[tuple[str, CounterTrigger]]]:
    """The counter triggers that belong on database ``using``, by quoted table: (pgid, trigger)."""
    from pgtrigger import utils

    found: dict[str, list[tuple[str, CounterTrigger]]] = defaultdict(list)
    for model, trigger in registered_on(using, (CounterTrigger,)):
        if isinstance(trigger, CounterTrigger) and trigger.operation_name in COPIED:
            found[utils.quote(model._meta.db_table)].append(
                (trigger.get_pgid(pgtrigger_model(model)), trigger)
            )
    return found


def partitioned(using: str = DEFAULT_DB_ALIAS) -> list[Partitioned]:
    """Every partitioned table on a counter path of database ``using``, with its partitions and
    the counter triggers installed on it (a parent trigger that is missing is not copied:
    ``counters_health`` reports it by itself). One catalog query per partitioned table."""
    by_table = _counter_triggers(using)
    if not by_table:
        return []
    result = []
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT t.name, c.oid::regclass::text FROM unnest(%s::text[]) AS t (name) "
            "JOIN pg_class AS c ON c.oid = to_regclass(t.name) WHERE c.relkind = 'p'",
            [sorted(by_table)],
        )
        for name, table in cursor.fetchall():
            found = Partitioned(table)
            cursor.execute(
                "SELECT relid::regclass::text FROM pg_partition_tree(%s::regclass) "
                "JOIN pg_class AS c ON c.oid = relid "
                "WHERE relid <> %s::regclass AND c.relkind IN ('r', 'p') ORDER BY 1",
                [table, table],
            )
            found.partitions = [row[0] for row in cursor.fetchall()]
            cursor.execute(
                "SELECT tgname, tgfoid::int, tgfoid::regprocedure::text FROM pg_trigger "
                "WHERE tgrelid = %s::regclass",
                [table],
            )
            installed = {row[0]: row[1:] for row in cursor.fetchall()}
            for pgid, trigger in by_table[name]:
                found.labels.update(counter.label for counter, _ in trigger.feeds)
                if pgid in installed:
                    function, signature = installed[pgid]  # wherever pgtrigger created it
                    op, referencing = str(trigger.operation), str(trigger.referencing or "")
                    found.copies.append(
                        (
                            copy_name(pgid),
                            function,
                            f"AFTER {op} ON {{table}} {referencing}FOR EACH STATEMENT "
                            f"EXECUTE FUNCTION {signature}",
                        )
                    )
            result.append(found)
    return result


def _truncate_function(using: str) -> int | None:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT to_regproc(%s)::oid::int", [FUNCTION])
        oid: int | None = cursor.fetchone()[0]  # NULL when the function does not exist
        return oid


def wanted(tables: list[Partitioned], truncate_function: int | None) -> list[Wanted]:
    """Every trigger the partitioned ``tables`` and their partitions should carry."""
    result = []
    for found in tables:
        for partition in found.partitions:
            for name, function, sql in found.copies:
                create = f"CREATE TRIGGER {name} {sql.format(table=partition)}"
                result.append(Wanted(partition, name, function, "", create))
        for table in [found.table, *found.partitions]:
            arg = "mark" if table == found.table else "delete"
            result.append(
                Wanted(
                    table,
                    BEFORE_TRUNCATE,
                    truncate_function or 0,  # the function is missing: so are they
                    arg,
                    f"CREATE TRIGGER {BEFORE_TRUNCATE} BEFORE TRUNCATE ON {table} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}('{arg}')",
                )
            )
            result.append(
                Wanted(
                    table,
                    AFTER_TRUNCATE,
                    truncate_function or 0,
                    "",
                    f"CREATE TRIGGER {AFTER_TRUNCATE} AFTER TRUNCATE ON {table} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()",
                )
            )
    return result


@dataclass(frozen=True)
class Present:
    table: str
    name: str
    function: int
    args: str
    enabled: bool


def present(using: str = DEFAULT_DB_ALIAS) -> dict[tuple[str, str], Present]:
    """Every ``counters_partition_...`` trigger in the database, by (table, name)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT tgrelid::regclass::text, tgname, tgfoid::int, "
            "coalesce(encode(tgargs, 'escape'), ''), tgenabled = 'O' FROM pg_trigger "
            "WHERE NOT tgisinternal AND tgname LIKE %s",
            [PREFIX.replace("_", r"\_") + "%"],
        )
        return {(row[0], row[1]): Present(*row) for row in cursor.fetchall()}


def _args(args: str) -> str:
    """The first argument of a trigger, from ``encode(tgargs, 'escape')`` (NUL-terminated)."""
    return args.split("\\000")[0]


@dataclass
class Sync:
    """What :func:`sync` did (or, from :func:`plan`, would do)."""

    installed: list[Wanted] = field(default_factory=list)
    dropped: list[Present] = field(default_factory=list)


def plan(using: str = DEFAULT_DB_ALIAS) -> tuple[list[Partitioned], Sync]:
    """The partitioned tables, and the triggers to (re)create (missing, disabled, calling another
    function) and to drop (on tables that are no longer partitions of a counted table)."""
    tables = partitioned(using)
    want = wanted(tables, _truncate_function(using))
    have = present(using)
    todo = Sync()
    for w in want:
        p = have.get((w.table, w.name))
        if p is None or not p.enabled or p.function != w.function or _args(p.args) != w.args:
            todo.installed.append(w)
    keep = {(w.table, w.name) for w in want}
    todo.dropped = [p for key, p in sorted(have.items()) if key not in keep]
    return tables, todo


def sync(using: str = DEFAULT_DB_ALIAS, *, force: bool = False) -> Sync:
    """Install the partition triggers every partitioned table on a counter path lacks (with
    ``force``, reinstall them all, as ``counters_install`` does the parents'), drop the ones left
    on tables that are no longer its partitions, and record the partition sets (see
    :func:`record_new`), in one transaction. Returns what it did."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        if not partitioned(using) and not present(using):
            return Sync()  # no partitioned table on a counter path: the usual case, two reads
        # one sync at a time (two installs or recounts at once), and the function replaced only
        # when it differs: concurrent CREATE OR REPLACE of one function fails in PostgreSQL
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [FUNCTION])
        cursor.execute("SELECT p.prosrc FROM pg_proc AS p WHERE p.oid = to_regproc(%s)", [FUNCTION])
        source = cursor.fetchone()
        if source is None or source[0] != function_body():
            cursor.execute(TRUNCATE_FUNCTION)
        tables, todo = plan(using)
        for p in todo.dropped:
            cursor.execute(f'DROP TRIGGER IF EXISTS "{p.name}" ON {p.table}')
        # covered now: the tables that lacked their triggers (a reinstall covers nothing new)
        covered = {w.table for w in todo.installed if w.name == BEFORE_TRUNCATE}
        if force:
            todo.installed = wanted(tables, _truncate_function(using))
        for w in todo.installed:
            cursor.execute(f'DROP TRIGGER IF EXISTS "{w.name}" ON {w.table}')
            cursor.execute(w.create)
        cursor.execute("SELECT to_regclass('counters_state') IS NOT NULL")
        if cursor.fetchone()[0]:
            record_new(tables, covered, using)
    return todo


def empty(table: str, using: str) -> bool:
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT NOT EXISTS (SELECT FROM {table})")
        return bool(cursor.fetchone()[0])


def recorded(using: str = DEFAULT_DB_ALIAS) -> dict[str, dict[str, list[str]]]:
    """The partition sets each counter was last counted with: label -> table -> partitions."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT to_regclass('counters_state') IS NOT NULL"
        )  # the engine migrated to zero: nothing recorded
        if not cursor.fetchone()[0]:
            return {}
        cursor.execute("SELECT name, data FROM counters_state WHERE name LIKE %s", [STATE + "%"])
        rows = cursor.fetchall()
    result = {}
    for name, data in rows:
        if isinstance(data, str):  # psycopg2 without the JSON adapter
            data = json.loads(data)
        result[name.removeprefix(STATE)] = {t: list(p) for t, p in data["tables"].items()}
    return result


def record(label: str, sets: dict[str, list[str]], using: str = DEFAULT_DB_ALIAS) -> None:
    state.save_state(STATE + label, {"tables": {t: sorted(p) for t, p in sets.items()}}, using)


def current(
    tables: list[Partitioned], labels: set[str] | None = None
) -> dict[str, dict[str, list[str]]]:
    """label -> partitioned table -> its partitions now (for ``labels``, all when ``None``)."""
    result: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for found in tables:
        for label in found.labels:
            if labels is None or label in labels:
                result[label][found.table] = list(found.partitions)
    return dict(result)


def record_new(tables: list[Partitioned], covered: set[str], using: str) -> None:
    """Record the partition sets: a counter (or a table of its path) seen for the first time gets
    the set it has now (its triggers were just installed: count it as any new install is, with
    a recount); a partition whose triggers were installed now is added when it is empty, inside
    the transaction that installed them (``CREATE TRIGGER`` keeps writers out of it until the
    commit), so no row of it can have been missed. A partition that is not empty stays out, and
    ``counters_health`` asks for a recount."""
    if not tables:
        return
    before = recorded(using)
    emptiness: dict[str, bool] = {}
    for label, sets in current(tables).items():
        known = before.get(label)
        if known is None:
            record(label, sets, using)
            continue
        changed = False
        for table, partitions in sets.items():
            if table not in known:
                known[table] = partitions
                changed = True
                continue
            for partition in partitions:
                if partition in known[table] or partition not in covered:
                    continue
                if partition not in emptiness:
                    emptiness[partition] = empty(partition, using)
                if emptiness[partition]:
                    known[table].append(partition)
                    changed = True
        if changed:
            record(label, known, using)


def problems(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """What keeps counters over partitioned tables from being exact, each with its fix."""
    tables, todo = plan(using)
    found = []
    missing = sorted({w.table for w in todo.installed if w.table not in {t.table for t in tables}})
    parents = sorted({w.table for w in todo.installed} - set(missing))
    if missing:
        found.append(
            "partitions without their counter triggers, or with disabled ones (created or "
            "attached after the last install; statements naming them are not counted): "
            + ", ".join(missing)
            + " (run manage.py counters_install; when rows arrived in them meanwhile, it then "
            "asks for a recount)"
        )
    if parents:
        found.append(
            "partitioned tables without their TRUNCATE triggers, or with disabled ones: "
            + ", ".join(parents)
            + " (run manage.py counters_install)"
        )
    stray = sorted({p.table for p in todo.dropped})
    if stray:
        found.append(
            "counter triggers left on tables that are no longer partitions of a counted table "
            "(detached: writes to them would count, and PostgreSQL refuses to attach them "
            "again): " + ", ".join(stray) + " (run manage.py counters_install, which drops them)"
        )
    known = recorded(using)
    changed: dict[str, list[str]] = defaultdict(list)
    for label, sets in current(tables).items():
        if label not in known:
            continue
        for table, partitions in sets.items():
            before = known[label].get(table)
            if before is None:
                continue
            # a partition still without triggers is reported above: once covered, it counts
            # as new here only if rows arrived in it before (see record_new)
            added = sorted(set(partitions) - set(before) - set(missing))
            gone = sorted(set(before) - set(partitions))
            if added or gone:
                words = []
                if added:
                    words.append("new, not counted when they arrived: " + ", ".join(added))
                if gone:
                    words.append("detached or dropped, still counted: " + ", ".join(gone))
                changed[f"{table} ({'; '.join(words)})"].append(label)
    for what, labels in sorted(changed.items()):
        found.append(
            f"the partitions of {what} changed since {', '.join(sorted(labels))} "
            f"{'was' if len(labels) == 1 else 'were'} last counted (run manage.py "
            f"backfill_counters {' '.join(sorted(labels))}: it installs the partitions' "
            "triggers, drops those of detached tables, recounts and records the new set)"
        )
    return found

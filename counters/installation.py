"""Removing every counter trigger from a database (``manage.py counters_uninstall``).

``migrate counters zero`` removes the engine's own tables, but the counter triggers live in the
migrations of the apps that declare counters, so they would stay installed and keep counting.
:func:`uninstall` finds them in PostgreSQL's catalog by name (every trigger and guard this library
installs is named ``pgtrigger_counters_...``, and their copies on the partitions of a partitioned
table ``counters_partition_...``), whatever app or migration installed them, and drops each trigger
with its function, and the ``<table>_exact`` views and ``counters_fold()``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pgtrigger
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from counters import partitions
from counters.carriers import is_unmigrated
from counters.core import registry
from counters.core.targets import TargetTable
from counters.sql.objects import (
    IGNORE_CHECK,
    exact_view_name,
    ignore_check_name,
    render_exact_view,
    render_fold_function,
)
from counters.sql.partitions import PREFIX as PARTITION_PREFIX  # the copies on partitions
from counters.sql.quoting import quote
from counters.sql.triggers import pgtrigger_model
from counters.triggers import registered_on

PREFIX = "pgtrigger_counters_"


@dataclass(frozen=True)
class InstalledTrigger:
    """A counter trigger found in the database."""

    table: str  # schema-qualified, as PostgreSQL prints it
    name: str
    function: str

    def __str__(self) -> str:
        return f"{self.name} on {self.table}"


def installed_triggers(using: str = DEFAULT_DB_ALIAS) -> list[InstalledTrigger]:
    """Every counter trigger and guard installed in the database (the partitions' too), sorted
    by table and name."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT t.tgrelid::regclass::text, t.tgname, p.oid::regprocedure::text "
            "FROM pg_trigger AS t JOIN pg_proc AS p ON p.oid = t.tgfoid "
            "WHERE NOT t.tgisinternal AND (t.tgname LIKE %s OR t.tgname LIKE %s) ORDER BY 1, 2",
            [PREFIX.replace("_", r"\_") + "%", PARTITION_PREFIX.replace("_", r"\_") + "%"],
        )
        return [InstalledTrigger(*row) for row in cursor.fetchall()]


def uninstall(*, dry_run: bool = False, using: str = DEFAULT_DB_ALIAS) -> list[InstalledTrigger]:
    """Drop every counter trigger and guard (and their functions), in one transaction.

    Counter columns keep their last values and are no longer kept. :func:`install` (``manage.py
    counters_install``) puts the declared triggers back; then recount, since writes in between
    were not counted.

    Returns the triggers dropped (or, with ``dry_run``, the ones that would be).
    """
    found = installed_triggers(using)
    if dry_run:
        return found
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        for trigger in found:
            cursor.execute(f"DROP TRIGGER IF EXISTS {quote(trigger.name)} ON {trigger.table}")
        for function in sorted({trigger.function for trigger in found}):
            cursor.execute(f"DROP FUNCTION IF EXISTS {function}")
        uninstall_sql_objects(using=using)
    return found


def refuse_unmigrating(plan: list[tuple[object, bool]], using: str = DEFAULT_DB_ALIAS) -> None:
    """Raise a :class:`CommandError` when ``plan`` (a ``migrate`` plan: migrations and whether
    each runs backwards) unapplies the engine's first migration, which drops ``counters_delta``,
    while counter triggers are installed: they append to that table, so every counted write
    would fail after it. ``manage.py counters_uninstall`` drops them first."""
    removing = any(
        backwards
        and getattr(migration, "app_label", None) == "counters"
        and getattr(migration, "name", "").startswith("0001")
        for migration, backwards in plan
    )
    if not removing:
        return
    found = installed_triggers(using)
    if found:
        tables = len({trigger.table for trigger in found})
        option = "" if using == DEFAULT_DB_ALIAS else f" --database {using}"
        raise CommandError(
            f"{len(found)} counter trigger(s) on {tables} table(s) of database {using!r} still "
            "append to counters_delta, which this migration drops: every counted write would "
            f"fail. Run `manage.py counters_uninstall{option}` first, then migrate counters zero."
        )


def install(*, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """(Re)install every declared counter trigger and guard of the apps that migrate to database
    ``using`` (django-pgtrigger asks the routers), and nothing else.

    Unlike ``manage.py pgtrigger install``, it prunes nothing: pgtrigger's pruning takes the
    triggers of a table named with an explicit schema (``db_table = 'sales"."orders'``) for
    orphans. Then the partitions of partitioned tables get their copies of the triggers, and
    tables that are no longer partitions lose theirs (:func:`counters.partitions.sync`). Returns
    ``"name on app_label.Model"`` for each trigger installed (``"name on table"`` for a
    partition's).
    """
    registry.build()
    done = []
    with transaction.atomic(using=using):
        for model, trigger in registered_on(using):  # another database's go there
            trigger.install(pgtrigger_model(model), database=using)
            done.append(f"{trigger.name} on {model._meta.label}")
        done += [f"{w.name} on {w.table}" for w in partitions.sync(using, force=True).installed]
        install_sql_objects(using=using)
    return sorted(done)


def install_sql_objects(*, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """(Re)create the ``<table>_exact`` views and ``counters_fold()`` from the declarations, for
    the target tables that exist, and make pgtrigger's ignore check cheap (:data:`IGNORE_CHECK`).
    Run after every ``migrate`` (a post_migrate handler) and by ``counters_install``. Returns the
    names created."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    if "counters_delta" not in existing:  # migrated to zero: nothing of ours may stay behind
        uninstall_sql_objects(using=using)
        return []
    targets = [
        t
        for t in TargetTable.group(registry.on_database(using))
        if t.table.split('"."')[-1] in existing
    ]
    created = []
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for target in targets:
            view = exact_view_name(target.table)
            cursor.execute(f"DROP VIEW IF EXISTS {view}")
            cursor.execute(render_exact_view(target, registry.event_fields(target.model)))
            created.append(view)
        cursor.execute(render_fold_function(targets))
        created.append("counters_fold()")
        name = ignore_check_name(pgtrigger.features.schema())
        cursor.execute(IGNORE_CHECK.format(name=name))
        created.append(f"{name}()")
    return created


def uninstall_sql_objects(*, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Drop ``counters_fold()`` and every ``*_exact`` view whose definition says it is ours."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT c.oid::regclass::text FROM pg_class AS c WHERE c.relkind = 'v' "
            "AND c.relname LIKE %s AND pg_get_viewdef(c.oid) LIKE %s",
            ["%\\_exact", "%counters_delta%"],
        )
        views = [row[0] for row in cursor.fetchall()]
        for view in views:
            cursor.execute(f"DROP VIEW IF EXISTS {view}")
        cursor.execute("DROP FUNCTION IF EXISTS counters_fold()")
    return [*views, "counters_fold()"]


def install_unmigrated(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Install every counter trigger and guard registered on a model of an app without
    migrations that the database does not have yet (one catalog query; nothing to do, the usual
    case, costs only that). Returns ``"name on app_label.Model"`` for each one installed."""

    wanted = [
        (model, trigger)
        for model, trigger in registered_on(using)
        if is_unmigrated(model._meta.app_label)
    ]
    if not wanted:
        return []
    present = {trigger.name for trigger in installed_triggers(using)}
    done = []
    for model, trigger in wanted:
        if trigger.get_pgid(pgtrigger_model(model)) not in present:
            trigger.install(pgtrigger_model(model), database=using)
            done.append(f"{trigger.name} on {model._meta.label}")
    return done

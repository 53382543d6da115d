"""Removing every counter trigger from a database (``manage.py counters_uninstall``).

``migrate counters zero`` removes the engine's own tables, but the counter triggers live in the
migrations of the apps that declare counters, so they would stay installed and keep counting.
:func:`uninstall` finds them in PostgreSQL's catalog by name (every trigger and guard this library
installs is named ``pgtrigger_counters_...``), whatever app or migration installed them, and drops
each trigger with its function.
"""

from __future__ import annotations

from dataclasses import dataclass

import pgtrigger
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from counters.spec import quote

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
    """Every counter trigger and guard installed in the database, sorted by table and name."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT t.tgrelid::regclass::text, t.tgname, p.oid::regprocedure::text "
            "FROM pg_trigger AS t JOIN pg_proc AS p ON p.oid = t.tgfoid "
            "WHERE NOT t.tgisinternal AND t.tgname LIKE %s ORDER BY 1, 2",
            [PREFIX.replace("_", r"\_") + "%"],
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
    return found


def install(*, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """(Re)install every declared counter trigger and guard, and nothing else.

    Unlike ``manage.py pgtrigger install``, it prunes nothing: pgtrigger's pruning takes the
    triggers of a table named with an explicit schema (``db_table = 'sales"."orders'``) for
    orphans. Returns ``"name on app_label.Model"`` for each trigger installed.
    """
    from counters.registry import build
    from counters.triggers import CounterTrigger, ReadOnlyTrigger

    build()
    done = []
    with transaction.atomic(using=using):
        for model, trigger in pgtrigger.registered():
            if isinstance(trigger, CounterTrigger | ReadOnlyTrigger):
                trigger.install(model, database=using)
                done.append(f"{trigger.name} on {model._meta.label}")
    return sorted(done)

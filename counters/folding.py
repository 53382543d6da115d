"""Folding slot rows back into their target rows, without ever waiting on a writer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from counters import registry
from counters.spec import Counter, literal, quote
from counters.triggers import advisory_try


@dataclass
class FoldReport:
    """What :func:`fold` did, per counter label."""

    folded: dict[str, int] = field(default_factory=dict)  # slot rows added into their target
    orphans: dict[str, int] = field(default_factory=dict)  # slot rows whose target row is gone
    left: dict[str, int] = field(default_factory=dict)  # slot rows busy now, for a later fold


def fold(
    labels: Sequence[str] = (), *, batch_size: int = 1000, using: str = DEFAULT_DB_ALIAS
) -> FoldReport:
    """Add every free slot row of the slotted counters (all when ``labels`` is empty) into its
    target row and delete it, in batches of ``batch_size`` keys, one transaction each.

    Target rows are claimed the way writers claim them (a tried advisory lock, then ``SKIP
    LOCKED``), slot rows with ``SKIP LOCKED``: a row a writer is landing on right now is left for a
    later fold, and a writer finding the fold on a row goes to a slot. Nobody waits.
    Slot rows whose target row no longer exists (its owner was deleted) are deleted.

    Example (cron, every minute)::

        python manage.py fold_counters
    """
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch size must be a positive integer, not {batch_size!r}")
    report = FoldReport()
    for counter in registry.select(labels):
        if counter.slots:
            _fold_counter(counter, batch_size, using, report)
    return report


def _fold_counter(counter: Counter, batch_size: int, using: str, report: FoldReport) -> None:
    table, key, column = (
        quote(counter.table),
        quote(counter.key_column),
        quote(counter.field.column),
    )
    label = literal(counter.label)
    connection = connections[using]
    last = None
    folded = orphans = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT DISTINCT key FROM counters_slot WHERE counter = {label} "
                f"AND (%s::bigint IS NULL OR key > %s) ORDER BY key LIMIT %s",
                [last, last, batch_size],
            )
            keys = [row[0] for row in cursor.fetchall()]
        if not keys:
            break
        last = keys[-1]
        with transaction.atomic(using=using), connection.cursor() as cursor:
            cursor.execute("SELECT set_config('counters.unguarded', 'on', true)")
            cursor.execute(
                f"WITH claimed AS MATERIALIZED (SELECT k FROM unnest(%s::bigint[]) AS k "
                f"WHERE {advisory_try(counter.table, 'k')}), "
                f"free AS (SELECT t.{key} AS key FROM {table} AS t "
                f"WHERE t.{key} IN (SELECT k FROM claimed) "
                f"ORDER BY t.{key} FOR NO KEY UPDATE SKIP LOCKED), "
                f"taken AS (DELETE FROM counters_slot WHERE id IN (SELECT s.id FROM counters_slot "
                f"AS s JOIN free ON free.key = s.key WHERE s.counter = {label} "
                f"FOR UPDATE OF s SKIP LOCKED) RETURNING key, delta), "
                f"sums AS (SELECT key, sum(delta)::bigint AS n, count(*) AS rows FROM taken "
                f"GROUP BY key), "
                f"added AS (UPDATE {table} AS t SET {column} = t.{column} + sums.n FROM sums "
                f"WHERE t.{key} = sums.key) "
                f"SELECT coalesce(sum(rows), 0) FROM sums",
                [keys],
            )
            folded += cursor.fetchone()[0]
            cursor.execute(
                f"DELETE FROM counters_slot WHERE id IN (SELECT s.id FROM counters_slot AS s "
                f"WHERE s.counter = {label} AND s.key = ANY(%s) AND NOT EXISTS (SELECT 1 FROM "
                f"{table} AS t WHERE t.{key} = s.key) FOR UPDATE OF s SKIP LOCKED)",
                [keys],
            )
            orphans += cursor.rowcount
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM counters_slot WHERE counter = {label}")
        left = cursor.fetchone()[0]
    report.folded[counter.label] = folded
    report.orphans[counter.label] = orphans
    report.left[counter.label] = left

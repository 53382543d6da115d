"""The counters of one target table: what the triggers, folding and recount share about it."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property

from django.db import models

from counters.core.counter import Counter
from counters.exceptions import CounterDeclarationError
from counters.meta import column
from counters.sql.quoting import quote, stable_id

CREATE_LOCKS = 1024  # creation locks per table (a power of two)
HOLD_LOCKS = 256  # row-holding locks per table (a power of two)


class TargetTable:
    """The trigger-kept counters held by one target table, in a stable order (by column).

    Its key, key type and landing mode come from the counters' target model; ``ids`` are the
    counters' numbers in ``counters_delta``.
    """

    def __init__(self, counters: Iterable[Counter]) -> None:
        self.counters = sorted(set(counters), key=lambda counter: column(counter.field))
        first = self.counters[0]
        self.model = first.target
        modes = {counter.mode for counter in self.counters}
        # a table some counter creates rows of is "upsert" (or "singleton") for all of them
        self.mode = next(m for m in ("singleton", "upsert", "update") if m in modes)
        self.table = first.table
        self.key_column = first.key_column
        self.key_type = first.key_db_type

    def __repr__(self) -> str:
        return f"<TargetTable {self.model._meta.label}: {', '.join(c.field.name for c in self.counters)}>"

    @property
    def owner(self) -> tuple[str, str] | None:
        """For a stats table: the (quoted) table and column of the rows its keys point to (a
        user for ``user_stats``), which must exist for a stats row to be created."""
        if self.mode != "upsert":
            return None
        pk = self.model._meta.pk
        if not isinstance(pk, models.ForeignKey):  # an upsert target is keyed by its owner's key
            raise CounterDeclarationError(f"{self.label}: its primary key is not a foreign key")
        return quote(pk.related_model._meta.db_table), quote(column(pk.target_field))

    @property
    def label(self) -> str:
        return self.model._meta.label

    @property
    def quoted_table(self) -> str:
        return quote(self.table)

    @property
    def quoted_key(self) -> str:
        return quote(self.key_column)

    @property
    def quoted_columns(self) -> list[str]:
        return [quote(column(counter.field)) for counter in self.counters]

    @cached_property
    def ids(self) -> list[int]:
        """Every ``counters_delta.counter`` number of the table's counters (a Min's or Max's
        recompute markers included)."""
        return [number for counter in self.counters for number in counter.delta_ids]

    @property
    def ids_sql(self) -> str:
        return ", ".join(str(i) for i in self.ids)

    @property
    def binds(self) -> dict[str, str]:
        """What every template about this table is filled with (``TEMPLATE.format(**binds)``):
        ``table`` and ``key`` (quoted), ``key_type``, ``ids`` (its counters' delta numbers) and
        ``hold`` (the try of the hold lock of the row ``t``, see :meth:`try_hold`)."""
        return {
            "table": self.quoted_table,
            "key": self.quoted_key,
            "key_type": self.key_type,
            "ids": self.ids_sql,
            "hold": self.try_hold(f"t.{self.quoted_key}::text"),
        }

    @property
    def create_lock(self) -> int:
        """First key of the transaction advisory locks ``(create_lock, hashtext(key))`` that whoever
        creates a row of this table tries first (writers and folds alike): nobody waits for
        another's insert of the same row."""
        return stable_id(self.table)

    def create_lock_keys(self, key: str) -> str:
        """The two keys of the creation lock of the row whose key is ``key`` (a text expression).
        Keys share 1,024 locks per table, so a fold creating thousands of rows in one transaction
        never fills the server's lock table; two writers creating different rows of one bucket at
        once: one of them leaves its deltas pending instead."""
        return f"{self.create_lock}, hashtext({key}) & {CREATE_LOCKS - 1}"

    def try_create_lock(self, key: str) -> str:
        """SQL trying the creation lock of the row whose key is ``key`` (a text expression) until
        the transaction ends (see :meth:`create_lock_keys`)."""
        return f"pg_try_advisory_xact_lock({self.create_lock_keys(key)})"

    def try_hold(self, key: str) -> str:
        """SQL trying the lock that whoever adds into the row whose key is ``key`` (a text
        expression) takes before the row itself (writers in place, and every fold), held until
        the transaction ends.

        A row lock taken ``SKIP LOCKED`` can still wait: when the row version a statement sees was
        updated by a transaction that commits at that very moment, PostgreSQL follows the update
        chain and waits for whoever holds the newer version, and two writers doing that on one
        hot row deadlock (1 run in 6 of eight threads on one order). So only the holder of this
        lock ever tries the row. Keys share 256 locks per table, so a bulk statement never fills
        the server's lock table; a writer whose key shares a lock with another writer's appends
        its deltas instead."""
        return (
            f"pg_try_advisory_xact_lock({stable_id(self.table + '#hold')}, "
            f"hashtext({key}) & {HOLD_LOCKS - 1})"
        )

    @staticmethod
    def group(counters: Iterable[Counter]) -> list[TargetTable]:
        """The target tables of ``counters``, single-row totals last, then by table name."""
        grouped: dict[str, list[Counter]] = {}
        for counter in counters:
            grouped.setdefault(counter.table, []).append(counter)
        tables = [TargetTable(items) for items in grouped.values()]
        return sorted(tables, key=lambda t: (t.mode == "singleton", t.table))

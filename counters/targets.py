"""The counters of one target table: what the triggers, folding and recount share about it."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cached_property

from counters.spec import Counter, quote, stable_id


class TargetTable:
    """The trigger-kept counters held by one target table, in a stable order (by column).

    Its key, key type and landing mode come from the counters' target model; ``ids`` are the
    counters' numbers in ``counters_delta``.
    """

    def __init__(self, counters: Iterable[Counter]) -> None:
        self.counters = sorted(set(counters), key=lambda counter: counter.field.column)
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
        return quote(pk.related_model._meta.db_table), quote(pk.target_field.column)

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
        return [quote(counter.field.column) for counter in self.counters]

    @cached_property
    def ids(self) -> list[int]:
        """Every ``counters_delta.counter`` number of the table's counters (a Min's or Max's
        recompute markers included)."""
        return [number for counter in self.counters for number in counter.delta_ids]

    @property
    def ids_sql(self) -> str:
        return ", ".join(str(i) for i in self.ids)

    @property
    def create_lock(self) -> int:
        """First key of the transaction advisory locks ``(create_lock, hashtext(key))`` that whoever
        creates a row of this table tries first (writers and folds alike): nobody waits for
        another's insert of the same row."""
        return stable_id(self.table)

    @staticmethod
    def group(counters: Iterable[Counter]) -> list[TargetTable]:
        """The target tables of ``counters``, single-row totals last, then by table name."""
        grouped: dict[str, list[Counter]] = {}
        for counter in counters:
            grouped.setdefault(counter.table, []).append(counter)
        tables = [TargetTable(items) for items in grouped.values()]
        return sorted(tables, key=lambda t: (t.mode == "singleton", t.table))

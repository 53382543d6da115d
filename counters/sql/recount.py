"""The recount's and drift check's SQL, per target table and by key range (:class:`Target`,
:func:`key_bounds`). What runs it is :mod:`counters.recounting`."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from counters import meta
from counters.core.counter import Counter
from counters.core.targets import TargetTable
from counters.sql.fold import fold_lock
from counters.sql.quoting import literal, quote


class Target(TargetTable):
    """The counters of one target table (the class the triggers and folding use), with the SQL
    that checks or recounts them by key range. ``every`` is every counter of the target model
    (those recounted by default): a row created with its true values holds them all."""

    def __init__(self, counters: Iterable[Counter], every: Iterable[Counter] | None = None) -> None:
        super().__init__(counters)
        self.every = sorted(set(self.counters if every is None else every), key=lambda c: c.label)

    def domain_sql(self) -> str:
        """``SELECT k``: every key that should have a target row."""
        if self.mode == "singleton":
            first = self.counters[0]
            return f"SELECT {literal(first.singleton_key)}::{first.key_db_type} AS k"
        owner = self.owner  # a stats table ("upsert"): the keys of the rows it is created for
        if owner is not None:
            table, key = owner
            return f"SELECT {key} AS k FROM {table}"
        return f"SELECT {self.quoted_key} AS k FROM {self.quoted_table}"

    @staticmethod
    def _true_counts(counters: list[Counter], bounds: str) -> str:
        """LEFT JOINs ``c0, c1, ...``: each counter's true value per key of the range."""
        return " ".join(
            f"LEFT JOIN (SELECT r.key, {counter.true_aggregate} AS n "
            f"FROM ({counter.rows_sql(-1, '')}) AS r "
            f"WHERE {bounds.format(col='r.key')} GROUP BY r.key) AS c{i} ON c{i}.key = d.k"
            for i, counter in enumerate(counters)
        )

    def _pending(self, bounds: str) -> str:
        """A LEFT JOIN ``p`` with each counter's pending deltas (``p.d0, p.m0, ...``) per key of
        the range: the pending rows of the range's keys only (found through the ``(key,
        counter)`` index), so a big backlog costs each batch its own keys, not the backlog."""
        sums = ", ".join(
            aggregate
            for i, counter in enumerate(self.counters)
            for aggregate in counter.pending_aggregates(i, "p")
        )
        return (
            f"LEFT JOIN (SELECT p.key, {sums} FROM counters_delta AS p "
            f"WHERE p.counter IN ({self.ids_sql}) AND p.key IN (SELECT b.k::text "
            f"FROM ({self.domain_sql()}) AS b WHERE {bounds.format(col='b.k')}) "
            f"GROUP BY p.key) AS p ON p.key = d.k::text"
        )

    @property
    def model_ids_sql(self) -> str:
        """The delta numbers of every counter of the model, not only of those being recounted
        (a row created with its true values owes nothing to any pending delta)."""
        return ", ".join(str(n) for counter in self.every for n in counter.delta_ids)

    def values_sql(self, bounds: str, *, drifted_only: bool = True) -> str:
        """Rows of the range with each counter's value (column plus pending deltas) and true
        count, in that order; only the rows where some value differs unless ``drifted_only`` is
        false."""
        cached, true, differ = [], [], []
        for i, counter in enumerate(self.counters):
            column = f"coalesce(t.{quote(meta.column(counter.field))}, {counter.empty})"
            value = counter.merged(column, "p", i, "d.k")
            truth = f"coalesce(c{i}.n, {counter.empty})"
            cached.append(value)
            true.append(truth)
            differ.append(f"{value} IS DISTINCT FROM {truth}")
        where = f" AND ({' OR '.join(differ)})" if drifted_only else ""
        return (
            f"SELECT d.k, {', '.join(cached)}, {', '.join(true)} "
            f"FROM ({self.domain_sql()}) AS d LEFT JOIN {self.quoted_table} AS t ON t.{self.quoted_key} = d.k "
            f"AND {bounds.format(col='t.' + self.quoted_key)} "
            f"{self._true_counts(self.counters, bounds)} {self._pending(bounds)} "
            f"WHERE {bounds.format(col='d.k')}{where} ORDER BY d.k"
        )

    def create_sql(self, bounds: str) -> str:
        """Insert the range's missing target rows with the true values of every counter they hold,
        and drop the deltas pending for them (counted already), in one statement and snapshot.

        A writer whose trigger creates the same row first wins the conflict; the drift comparison
        that follows catches what that row lacks. A row whose creation lock a writer holds right
        now is left to that writer (waiting for its insert while it waits for one of ours would
        deadlock); the next batch or recount finds it.
        """
        every = self.every
        columns = ", ".join(quote(meta.column(c.field)) for c in every)
        values = ", ".join(f"coalesce(c{i}.n, {c.empty})" for i, c in enumerate(every))
        return (
            f"WITH created AS (INSERT INTO {self.quoted_table} ({self.quoted_key}, {columns}) "
            f"SELECT d.k, {values} "
            f"FROM ({self.domain_sql()}) AS d {self._true_counts(every, bounds)} "
            f"WHERE {bounds.format(col='d.k')} AND NOT EXISTS (SELECT 1 FROM {self.quoted_table} AS e "
            f"WHERE e.{self.quoted_key} = d.k AND {bounds.format(col='e.' + self.quoted_key)}) "
            f"AND {self.try_create_lock('d.k::text')} "
            f"ORDER BY d.k ON CONFLICT ({self.quoted_key}) DO NOTHING RETURNING {self.quoted_key} AS k), "
            f"counted AS (DELETE FROM counters_delta AS p USING created "
            f"WHERE p.counter IN ({self.model_ids_sql}) AND p.key = created.k::text) "
            f"SELECT count(*) FROM created"
        )

    def fix_sql(self, bounds: str) -> str:
        """Write the true values over the drifted rows and drop their pending deltas, in one
        statement (one snapshot: the deltas dropped are those of the rows counted); returns the
        same columns as values_sql."""
        width = len(self.counters)
        sets = ", ".join(
            f"{quote(meta.column(c.field))} = drift.true{i}" for i, c in enumerate(self.counters)
        )
        names = ["k", *(f"cached{i}" for i in range(width)), *(f"true{i}" for i in range(width))]
        return (
            f"WITH drift({', '.join(names)}) AS ({self.values_sql(bounds)}), "
            f"fixed AS (UPDATE {self.quoted_table} AS t SET {sets} FROM drift "
            f"WHERE t.{self.quoted_key} = drift.k), "
            f"counted AS (DELETE FROM counters_delta AS p USING drift "
            f"WHERE p.counter IN ({self.ids_sql}) AND p.key = drift.k::text) "
            f"SELECT * FROM drift ORDER BY drift.k"
        )

    def lock_sql(self, bounds: str) -> list[str]:
        """Lock the rows of the range, in key order."""
        return [
            f"SELECT 1 FROM {self.quoted_table} WHERE {bounds.format(col=self.quoted_key)} "
            f"ORDER BY {self.quoted_key} FOR NO KEY UPDATE"
        ]

    def fold_lock_sql(self) -> str:
        """Wait for the table's folder lock (folders never hold it long, and skip a held one)."""
        return f"SELECT {fold_lock(self, wait=True)}"


def key_bounds(ids: Sequence[object] | None) -> str:
    """``(lo, hi]`` of target keys (either end may be NULL: open), and only ``ids`` if given.

    Bounds are compared in SQL only, so they follow the key type's own order (the collation of
    a text key, the byte order of a UUID), whatever Python's order would say."""
    bounds = "(%(lo)s IS NULL OR {col} > %(lo)s) AND (%(hi)s IS NULL OR {col} <= %(hi)s)"
    if ids is not None:
        bounds += " AND {col} = ANY(%(ids)s)"
    return bounds

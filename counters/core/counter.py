"""A resolved counter: one declaration, with its models, its path and the SQL of its source rows
(what it counts). What its kind decides is in :mod:`counters.core.kinds`."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db import models

from counters.core.generic import GenericHop, hop_column, hop_columns
from counters.core.keys import key_field
from counters.core.kinds import Counted, DistinctCounted, Extreme, KindRules, Summed
from counters.meta import column, concrete, rel_db_type
from counters.sql.quoting import compile_condition, literal, quote, stable_id


@dataclass(frozen=True)
class Counter(KindRules):
    """A trigger-kept counter: ``target.field`` = number of ``source`` rows reaching that target row.

    ``hops`` are the foreign keys from the source, one per model along the path. ``path_models``
    are the models whose rows decide the count, so each of them gets counter triggers: the source,
    each intermediate model, and the model the path ends at when the last foreign key points to a
    column (``to_field``) other than the one the target is keyed by.
    """

    target: type[models.Model]
    field: models.Field[Any, Any]
    source: type[models.Model]
    hops: tuple[models.ForeignKey[Any, Any] | GenericHop, ...]
    condition: models.Q | None
    public: bool = False
    kind: str = "count"  # "count", "sum", "min", "max" or "distinct"
    # the source field summed, kept, or counted distinct
    value: models.Field[Any, Any] | None = None

    @property
    def label(self) -> str:
        """``app_label.Model.field``: how commands, the admin and errors name this counter."""
        return f"{self.target._meta.label}.{self.field.name}"

    def __str__(self) -> str:
        return self.label

    @property
    def id(self) -> int:
        """The counter's number in ``counters_delta.counter``: a stable hash of its label."""
        return stable_id(self.label)

    # -- the path ---------------------------------------------------------------------------

    @property
    def path(self) -> str | None:
        return "__".join(hop.name for hop in self.hops) or None

    @property
    def generic(self) -> GenericHop | None:
        """The path's last hop when it is a ``GenericForeignKey``."""
        last = self.hops[-1] if self.hops else None
        return last if isinstance(last, GenericHop) else None

    @property
    def key_model(self) -> type[models.Model] | None:
        """The model the path ends at (the target, or the model the target's primary key points
        to), ``None`` for totals."""
        return concrete(self.hops[-1].related_model) if self.hops else None

    @property
    def key_reference(self) -> str | None:
        """The column of :attr:`key_model` whose value is the target row's key."""
        if not self.hops:
            return None
        if self.mode == "update":
            return self.key_column
        return column(key_field(self.target))  # the column the target's primary key points to

    @property
    def translates_key(self) -> bool:
        """Whether the last foreign key points to another column of the key model than the one
        the target is keyed by (``to_field``), so the key model is joined to find the key."""
        return bool(self.hops) and column(self.hops[-1].target_field) != self.key_reference

    @property
    def path_models(self) -> tuple[type[models.Model], ...]:
        """The source, every intermediate model, and the key model when it is joined."""
        joined = self.hops if self.translates_key else self.hops[:-1]
        return (self.source, *(concrete(hop.related_model) for hop in joined))

    @property
    def mode(self) -> str:
        """How deltas land: ``upsert`` (stats row created on demand), ``update``, or ``singleton``."""
        if not self.hops:
            return "singleton"
        end = concrete(self.hops[-1].related_model)
        if end is concrete(self.target):
            return "update"
        return "upsert"

    @property
    def table(self) -> str:
        return self.target._meta.db_table

    @property
    def key_column(self) -> str:
        return column(self.target._meta.pk)

    @property
    def singleton_key(self) -> object:
        """The primary key value of a single-row target (its pk field's default)."""
        return self.target._meta.pk.get_default()

    @property
    def key_db_type(self) -> str:
        return rel_db_type(self.target._meta.pk)

    @cached_property
    def condition_sql(self) -> str | None:
        """The condition compiled against the source row aliased ``s0`` (literals inlined)."""
        if self.condition is None:
            return None
        return compile_condition(self.source, self.condition, "s0")

    def _unchanged(self, position: int, other: str) -> str:
        """SQL true for a row at ``position`` of the path whose columns that decide the count
        (the one the previous hop points to, and its own next hop or the key) are as they were
        in ``other`` (the other transition table of an UPDATE): its deltas would cancel."""
        model = self.path_models[position]
        pk = quote(column(model._meta.pk))
        columns = [column(self.hops[position - 1].target_field)]
        if position < len(self.hops):
            columns += hop_columns(self.hops[position])
        else:
            columns.append(str(self.key_reference))
        same = [f"u.{pk} = s{position}.{pk}"] + [
            f"u.{quote(c)} IS NOT DISTINCT FROM s{position}.{quote(c)}"
            for c in dict.fromkeys(columns)
            if c != column(model._meta.pk)
        ]
        return f"NOT EXISTS (SELECT 1 FROM {other} AS u WHERE {' AND '.join(same)})"

    def _unchanged_source(self, other: str) -> str:
        """For a Min, Max or distinct count: SQL true for an updated source row whose first hop,
        value and condition are as they were in ``other``, so it neither leaves nor brings a candidate
        (an update of a post's title must not make its author's latest post recomputed)."""
        pk = column(self.source._meta.pk)
        columns = list(hop_columns(self.hops[0])) if self.hops else []
        columns.append(column(self.value_field))
        same = [f"u.{quote(pk)} = s0.{quote(pk)}"] + [
            f"u.{quote(c)} IS NOT DISTINCT FROM s0.{quote(c)}"
            for c in dict.fromkeys(columns)
            if c != pk
        ]
        if self.condition is not None:
            same.append(
                f"({compile_condition(self.source, self.condition, 'u')}) IS NOT DISTINCT FROM "
                f"({self.condition_sql})"
            )
        return f"NOT EXISTS (SELECT 1 FROM {other} AS u WHERE {' AND '.join(same)})"

    def rows_sql(self, position: int, rows: str, *, unchanged_in: str | None = None) -> str:
        """``SELECT key`` for every source row counted, with ``rows`` read in place of the model at
        ``position`` of the path (a transition table in a trigger; ``-1``: the tables themselves).

        ``unchanged_in`` names the other transition table of an UPDATE: rows of a model further
        along the path whose deciding columns did not change are left out (their deltas cancel).
        Rows of the models after ``position`` are locked FOR KEY SHARE, in key order (the lock a
        foreign key check takes: an ordinary update of those rows never waits for it); the update
        trigger of a model on the path locks the rows whose path columns it changed FOR UPDATE
        first (see :func:`counters.sql.collect.render_move_lock`), so a move and a counted write on
        the same row serialize instead of both missing each other.
        """
        parts = []
        for j, model in enumerate(self.path_models):
            table = rows if j == position else quote(model._meta.db_table)
            if j == 0:
                parts.append(f"FROM {table} AS s0")
            else:
                hop = self.hops[j - 1]
                parts.append(
                    f"JOIN {table} AS s{j}"
                    f" ON s{j}.{quote(column(hop.target_field))} = s{j - 1}.{quote(hop_column(hop))}"
                )
        where = []
        last = self.generic
        if last is not None:
            alias = f"s{len(self.hops) - 1}"
            key = last.key_sql(f"{alias}.{quote(last.column)}")
            where.append(f"{alias}.{quote(last.ct_column)} = {last.content_type_sql()}")
        elif self.translates_key:
            key = f"s{len(self.hops)}.{quote(str(self.key_reference))}"
        elif self.hops:
            key = f"s{len(self.hops) - 1}.{quote(hop_column(self.hops[-1]))}"
        else:
            key = f"{literal(self.singleton_key)}::{self.key_db_type}"
        if self.hops:
            where.append(f"{key} IS NOT NULL")
        value = ""
        if self.value is not None:  # what a Sum adds, or a Min or Max compares (NULL: nothing)
            value = f", s0.{quote(column(self.value))} AS value"
            where.append(f"s0.{quote(column(self.value))} IS NOT NULL")
        if self.condition_sql:
            where.append(f"({self.condition_sql})")
        if unchanged_in is not None and position > 0:
            where.append(self._unchanged(position, unchanged_in))
        elif unchanged_in is not None and position == 0 and self.recomputed:
            where.append(self._unchanged_source(unchanged_in))
        if self.generic and self.generic.textual and position < 0:  # lookups use its index
            value += f", s{len(self.hops) - 1}.{quote(hop_column(self.hops[-1]))}::text AS written"
        sql = f"SELECT {key} AS key{value} " + " ".join(parts)
        if where:
            sql += " WHERE " + " AND ".join(where)
        locked = range(position + 1, len(self.path_models)) if position >= 0 else range(0)
        if locked:
            order = ", ".join(f"s{j}.{quote(column(self.path_models[j]._meta.pk))}" for j in locked)
            sql += f" ORDER BY {order} FOR KEY SHARE OF " + ", ".join(f"s{j}" for j in locked)
        return sql

    @staticmethod
    def of_kind(kind: str) -> type[Counter]:
        """The class of a resolved counter of ``kind`` ("count", "sum", "min", "max",
        "distinct"): a :class:`Counter` with its kind's rules (:mod:`counters.core.kinds`)."""
        return KINDS[kind]


@dataclass(frozen=True)
class CountCounter(Counted, Counter):
    """A Count."""


@dataclass(frozen=True)
class SumCounter(Summed, Counter):
    """A Sum."""


@dataclass(frozen=True)
class ExtremeCounter(Extreme, Counter):
    """A Min or a Max."""


@dataclass(frozen=True)
class DistinctCounter(DistinctCounted, Counter):
    """A distinct Count."""


KINDS: dict[str, type[Counter]] = {
    "count": CountCounter,
    "sum": SumCounter,
    "min": ExtremeCounter,
    "max": ExtremeCounter,
    "distinct": DistinctCounter,
}

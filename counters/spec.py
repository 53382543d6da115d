"""A resolved counter: one declaration, with its models and the SQL fragments everything else uses."""

from __future__ import annotations

import datetime
import decimal
import math
import uuid
import zlib
from dataclasses import dataclass
from functools import cached_property

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.sql import Query

from counters.exceptions import CounterDeclarationError


def quote(name: str) -> str:
    """Quote an SQL identifier the way Django's PostgreSQL backend does.

    A name already in double quotes is left alone, which is how Django models name a table in
    another schema (``db_table = 'reports"."daily'``); everything else is wrapped in quotes.
    """
    if name.startswith('"') and name.endswith('"'):
        return name
    return f'"{name}"'


def literal(value: object) -> str:
    """Render a Python value as an SQL literal (for values fixed at declaration time: condition
    parameters, single-row keys, counter labels). Needs no database driver."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | decimal.Decimal):
        if isinstance(value, float) and not math.isfinite(value):
            raise CounterDeclarationError(f"{value!r} has no SQL literal")
        return f"{value}::numeric" if isinstance(value, decimal.Decimal) else repr(value)
    if isinstance(value, str):
        if "\x00" in value:
            raise CounterDeclarationError("a NUL character cannot be part of an SQL literal")
        if "\\" in value:
            return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'"
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, uuid.UUID):
        return f"'{value}'::uuid"
    if isinstance(value, datetime.datetime):
        kind = "timestamptz" if value.tzinfo is not None else "timestamp"
        return f"'{value.isoformat()}'::{kind}"
    if isinstance(value, datetime.date):
        return f"'{value.isoformat()}'::date"
    if isinstance(value, datetime.time):
        return f"'{value.isoformat()}'::time"
    raise CounterDeclarationError(f"cannot write {type(value).__name__} {value!r} as SQL")


@dataclass(frozen=True)
class Counter:
    """A trigger-kept counter: ``target.field`` = number of ``source`` rows reaching that target row.

    ``hops`` are the foreign keys from the source, one per model along the path. ``path_models``
    are the models whose rows decide the count, so each of them gets counter triggers: the source,
    each intermediate model, and the model the path ends at when the last foreign key points to a
    column (``to_field``) other than the one the target is keyed by.
    """

    target: type[models.Model]
    field: models.Field
    source: type[models.Model]
    hops: tuple[models.ForeignKey, ...]
    condition: models.Q | None
    public: bool = False

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

    @property
    def path(self) -> str | None:
        return "__".join(hop.name for hop in self.hops) or None

    @property
    def key_model(self) -> type[models.Model] | None:
        """The model the path ends at (the target, or the model the target's primary key points
        to), ``None`` for totals."""
        return self.hops[-1].related_model._meta.concrete_model if self.hops else None

    @property
    def key_reference(self) -> str | None:
        """The column of :attr:`key_model` whose value is the target row's key."""
        if not self.hops:
            return None
        if self.mode == "update":
            return self.target._meta.pk.column
        return self.target._meta.pk.target_field.column

    @property
    def translates_key(self) -> bool:
        """Whether the last foreign key points to another column of the key model than the one
        the target is keyed by (``to_field``), so the key model is joined to find the key."""
        return bool(self.hops) and self.hops[-1].target_field.column != self.key_reference

    @property
    def path_models(self) -> tuple[type[models.Model], ...]:
        """The source, every intermediate model, and the key model when it is joined."""
        joined = self.hops if self.translates_key else self.hops[:-1]
        return (self.source, *(hop.related_model._meta.concrete_model for hop in joined))

    @property
    def mode(self) -> str:
        """How deltas land: ``upsert`` (stats row created on demand), ``update``, or ``singleton``."""
        if not self.hops:
            return "singleton"
        end = self.hops[-1].related_model._meta.concrete_model
        if end is self.target._meta.concrete_model:
            return "update"
        return "upsert"

    @property
    def table(self) -> str:
        return self.target._meta.db_table

    @property
    def key_column(self) -> str:
        return self.target._meta.pk.column

    @property
    def singleton_key(self) -> object:
        """The primary key value of a single-row target (its pk field's default)."""
        return self.target._meta.pk.get_default()

    @property
    def key_db_type(self) -> str:
        return self.target._meta.pk.rel_db_type(connections[DEFAULT_DB_ALIAS])

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
        pk = quote(model._meta.pk.column)
        columns = [self.hops[position - 1].target_field.column]
        columns.append(
            self.hops[position].column if position < len(self.hops) else self.key_reference
        )
        same = [f"u.{pk} = s{position}.{pk}"] + [
            f"u.{quote(c)} IS NOT DISTINCT FROM s{position}.{quote(c)}"
            for c in dict.fromkeys(columns)
            if c != model._meta.pk.column
        ]
        return f"NOT EXISTS (SELECT 1 FROM {other} AS u WHERE {' AND '.join(same)})"

    def rows_sql(self, position: int, rows: str, *, unchanged_in: str | None = None) -> str:
        """``SELECT key`` for every source row counted, with ``rows`` read in place of the model at
        ``position`` of the path (a transition table in a trigger; ``-1``: the tables themselves).

        ``unchanged_in`` names the other transition table of an UPDATE: rows of a model further
        along the path whose deciding columns did not change are left out (their deltas cancel).
        Rows of the models after ``position`` are locked FOR SHARE, in key order, so a
        concurrent update of one of them waits for us (or we for it) instead of both missing it.
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
                    f" ON s{j}.{quote(hop.target_field.column)} = s{j - 1}.{quote(hop.column)}"
                )
        if self.translates_key:
            key = f"s{len(self.hops)}.{quote(self.key_reference)}"
        elif self.hops:
            key = f"s{len(self.hops) - 1}.{quote(self.hops[-1].column)}"
        else:
            key = f"{literal(self.singleton_key)}::{self.key_db_type}"
        where = [f"{key} IS NOT NULL"] if self.hops else []
        if self.condition_sql:
            where.append(f"({self.condition_sql})")
        if unchanged_in is not None and position > 0:
            where.append(self._unchanged(position, unchanged_in))
        sql = f"SELECT {key} AS key " + " ".join(parts)
        if where:
            sql += " WHERE " + " AND ".join(where)
        locked = range(position + 1, len(self.path_models)) if position >= 0 else range(0)
        if locked:
            order = ", ".join(f"s{j}.{quote(self.path_models[j]._meta.pk.column)}" for j in locked)
            sql += f" ORDER BY {order} FOR SHARE OF " + ", ".join(f"s{j}" for j in locked)
        return sql

    def pending_sql(self, key: str) -> str:
        """This counter's pending deltas for target key ``key`` (an SQL expression), summed."""
        return (
            f"coalesce((SELECT sum(p.delta) FROM counters_delta AS p WHERE p.counter = {self.id} "
            f"AND p.key = ({key})::text), 0)::bigint"
        )


def stable_id(text: str) -> int:
    """A signed 32-bit number for ``text`` that every process and release computes alike."""
    return zlib.crc32(text.encode()) - 2**31


def compile_condition(model: type[models.Model], condition: models.Q, alias: str) -> str:
    """Compile a ``Q`` on ``model``'s own columns to SQL whose columns are qualified by ``alias``."""
    connection = connections[DEFAULT_DB_ALIAS]
    query = Query(model)
    try:
        where = query.build_where(condition)
    except Exception as exc:  # FieldError, ValueError...: report it against the declaration
        raise CounterDeclarationError(f"invalid condition {condition!r}: {exc}") from exc
    if len(query.alias_map) > 1:
        raise CounterDeclarationError(
            f"condition {condition!r} may only use fields of {model._meta.label} itself (no joins)"
        )
    sql, params = where.as_sql(query.get_compiler(connection=connection), connection)
    sql = sql.replace(f"{quote(model._meta.db_table)}.", f"{alias}.")
    return sql % tuple(literal(param) for param in params)

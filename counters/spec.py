"""A resolved counter: one declaration, with its models and the SQL fragments everything else uses."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import psycopg.adapt
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.sql import Query

from counters.exceptions import CounterDeclarationError


def quote(name: str) -> str:
    """Quote an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: object) -> str:
    """Render a Python value as an SQL literal (for values fixed at declaration time)."""
    if value is None:
        return "NULL"
    return psycopg.adapt.Transformer().as_literal(value).decode()


@dataclass(frozen=True)
class Counter:
    """A trigger-kept counter: ``target.field`` = number of ``source`` rows reaching that target row.

    ``hops`` are the foreign keys from the source, one per model along the path; ``path_models`` are
    the models whose rows decide the count (the source, then each intermediate model), so each of them
    gets counter triggers.
    """

    target: type[models.Model]
    field: models.Field
    source: type[models.Model]
    hops: tuple[models.ForeignKey, ...]
    condition: models.Q | None
    slots: int = 0

    @property
    def label(self) -> str:
        """``app_label.Model.field``: how commands, the admin and errors name this counter."""
        return f"{self.target._meta.label}.{self.field.name}"

    def __str__(self) -> str:
        return self.label

    @property
    def path(self) -> str | None:
        return "__".join(hop.name for hop in self.hops) or None

    @property
    def path_models(self) -> tuple[type[models.Model], ...]:
        """The source model followed by every intermediate model of the path."""
        return (self.source, *(hop.related_model for hop in self.hops[:-1]))

    @property
    def key_model(self) -> type[models.Model] | None:
        """The model the path ends at (its primary key is the target key), ``None`` for totals."""
        return self.hops[-1].related_model if self.hops else None

    @property
    def mode(self) -> str:
        """How deltas land: ``upsert`` (stats row created on demand), ``update``, or ``singleton``."""
        if not self.hops:
            return "singleton"
        if self.key_model._meta.concrete_model is self.target._meta.concrete_model:
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

    def rows_sql(self, position: int, rows: str, *, unchanged_in: str | None = None) -> str:
        """``SELECT key`` for every source row counted, with ``rows`` read in place of the model at
        ``position`` of the path (a transition table in a trigger, or the table itself).

        ``unchanged_in`` names the other transition table of an UPDATE: rows of an intermediate
        model whose next foreign key did not change are left out (their deltas would cancel).
        Rows of the models further along the path are locked FOR SHARE, in key order, so a
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
        if self.hops:
            last = len(self.hops) - 1
            key = f"s{last}.{quote(self.hops[-1].column)}"
            where = [f"{key} IS NOT NULL"]
        else:
            key, where = literal(self.singleton_key), []
        if self.condition_sql:
            where.append(f"({self.condition_sql})")
        if unchanged_in is not None and position > 0:
            model = self.path_models[position]
            pk = quote(model._meta.pk.column)
            fk = quote(self.hops[position].column)
            where.append(
                f"NOT EXISTS (SELECT 1 FROM {unchanged_in} AS u WHERE u.{pk} = s{position}.{pk}"
                f" AND u.{fk} IS NOT DISTINCT FROM s{position}.{fk})"
            )
        sql = f"SELECT {key} AS key " + " ".join(parts)
        if where:
            sql += " WHERE " + " AND ".join(where)
        locked = range(position + 1, len(self.path_models)) if position >= 0 else range(0)
        if locked:
            order = ", ".join(f"s{j}.{quote(self.path_models[j]._meta.pk.column)}" for j in locked)
            sql += f" ORDER BY {order} FOR SHARE OF " + ", ".join(f"s{j}" for j in locked)
        return sql

    def pending_sql(self, key: str) -> str:
        """The sum of this counter's slot rows for target key ``key`` (an SQL expression)."""
        if not self.slots:
            return "0"
        return (
            f"coalesce((SELECT sum(s.delta) FROM counters_slot AS s WHERE s.counter = "
            f"{literal(self.label)} AND s.key = {key}), 0)::bigint"
        )


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

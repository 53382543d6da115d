"""Reading counters: the column plus the counter's pending deltas, in the same query.

A counter row that no other writer held when a transaction counted into it is updated in place:
its column is the count. A row other writers held at that moment (a celebrity, a site total) may
carry pending deltas until the next writer that holds it, or a fold, adds them in. Every read of a
counter field that Django selects (model instances from any manager, ``select_related``,
``values()``, ``values_list()``, ``refresh_from_db()``, async reads, inherited models) adds the
row's pending deltas in the same query and snapshot (see :func:`exact_reads`), so it is exact.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, TypeVar

from django.db import models

from counters import meta
from counters.core import registry
from counters.sql.quoting import literal, quote


def value_sql(
    model: type[models.Model], field_name: str, alias: str, key: str | None = None
) -> str:
    """What a read of ``field_name`` returns, as SQL over ``model``'s table aliased ``alias``: the
    column, plus the counter's pending deltas when the database keeps it. ``key`` (an SQL
    expression) names the row's key when the row itself may be missing (then it reads as 0 plus
    what is pending)."""
    column = f"{alias}.{quote(meta.column(meta.own_field(model, field_name)))}"
    counter = registry.get_counter(model, field_name)
    if counter is None:
        return column if key is None else f"coalesce({column}, 0)"
    key = key or f"{alias}.{quote(meta.column(model._meta.pk))}"
    return counter.read_sql(column, key)


def pending_values(
    model: type[models.Model], key: object, using: str | None = None
) -> dict[str, object]:
    """Each trigger-kept counter of ``model``'s row ``key`` as pending deltas alone: what a row
    that does not exist yet reads as (its first writer's row creation may still be ahead).

    Read from ``using``: pass the queryset's database (``queryset.db``) so the pending values
    come from where the row was looked for (a replica's snapshot, not the primary's); without
    it, from where the routers send ``model``'s reads (``db_for_read``)."""
    found = registry.counters_on(model)
    if not found:
        return {}
    from django.db import connections, router

    key_sql = f"{literal(key)}::{found[0].key_db_type}"  # inlined: the SQL may hold a % sign
    reads = [counter.read_sql("NULL", key_sql) for counter in found]
    with connections[using or router.db_for_read(model)].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(reads)}")
        row = cursor.fetchone()
    return {counter.field.attname: value for counter, value in zip(found, row, strict=True)}


def exact_reads(counters: Iterable[Any]) -> None:
    """Make every selected read of each counter's field add the row's pending deltas.

    Django asks a field how to select its column (``Field.select_format``) wherever it selects
    it: a model instance from any manager, ``select_related`` and ``prefetch_related`` from other
    models, ``values()`` and ``values_list()``, ``refresh_from_db()``, a parent's field read
    through a child model. The field of each trigger-kept counter answers with its column plus
    the pending deltas of that row (one index lookup on ``counters_delta``; nothing for a row
    with nothing pending). Filters, ordering and aggregates compare the column itself, so they
    stay index-served: exact for every row no other writer held when it was last counted into;
    so do grouped queries (``values("n").annotate(Count("id"))`` groups by the column).
    """
    for counter in counters:
        field = counter.field
        if getattr(field, "_counters_exact_read", None) is counter:
            continue
        column = re.escape(quote(field.column))
        pattern = re.compile(rf'^((?:"[^"]+"\.)+){column}$')  # "alias"."column", nothing else
        key = quote(counter.target._meta.pk.column)
        original = type(field).select_format.__get__(field)

        def select_format(
            compiler: Any,
            sql: str,
            params: Any,
            *,
            _c: Any = counter,
            _p: Any = pattern,
            _k: str = key,
            _o: Any = original,
        ) -> tuple[str, Any]:
            sql, params = _o(compiler, sql, params)
            found = _p.match(sql)
            if found is None or compiler.query.group_by not in (None, True):
                # an expression over the column, or a query grouped by chosen columns
                # (values("n").annotate(...) groups by the column itself): the column, like
                # filters and aggregates (grouped by the primary key, as annotate() does, is fine)
                return sql, params
            return _c.read_sql(sql, f"{found.group(1)}{_k}"), params

        field.select_format = select_format
        field._counters_exact_read = counter


_QuerySetT = TypeVar("_QuerySetT", bound=models.QuerySet[Any])
_ModelT = TypeVar("_ModelT", bound=models.Model)


def with_pending(queryset: _QuerySetT) -> _QuerySetT:
    """The queryset itself: every selected counter field already reads as its column plus its
    pending deltas (see :func:`exact_reads`). Kept for code written against earlier releases."""
    return queryset


class CounterManager(models.Manager[_ModelT]):
    """A manager for models holding counters (``for_user()``-style helpers build on it).

    Reads are exact through any manager (see :func:`exact_reads`); this one is kept so that
    ``objects = counters.CounterManager()`` in existing code goes on working.
    """


def pending_expression(model: type[models.Model], field_name: str, key: str) -> models.Expression:
    """``field_name``'s pending deltas for the row whose key is the SQL expression ``key`` (a
    column of the outer query, e.g. ``'"auth_user"."id"'``), for annotations."""
    counter = registry.get_counter(model, field_name)
    sql = counter.pending_sql(key) if counter is not None else "0"
    return models.expressions.RawSQL(sql, [], output_field=models.BigIntegerField())


def value_expression(model: type[models.Model], field_name: str, key: str) -> models.Expression:
    """What a read of ``model.field_name`` returns for the row whose key is the SQL expression
    ``key`` (a column of the outer query), as an annotation: any kind of counter, the row
    itself read by a subquery (a missing row reads as no rows: 0, or NULL for a Min or Max)."""
    table, pk = quote(model._meta.db_table), quote(meta.column(model._meta.pk))
    field = meta.own_field(model, field_name)
    column = f"(SELECT t.{quote(meta.column(field))} FROM {table} AS t WHERE t.{pk} = {key})"
    counter = registry.get_counter(model, field_name)
    sql = counter.read_sql(column, key) if counter is not None else f"coalesce({column}, 0)"
    return models.expressions.RawSQL(sql, [], output_field=field.clone())

"""Reading counters: the column plus the counter's pending deltas, in the same query.

Writers append deltas and folding moves them into the columns later, so the column alone may lag
by what is pending (usually under a second's worth). Every documented read adds the pending
deltas of the row, in the same query and snapshot, so it is exact.
"""

from __future__ import annotations

from django.db import models

from counters import registry
from counters.spec import literal, quote


def value_sql(
    model: type[models.Model], field_name: str, alias: str, key: str | None = None
) -> str:
    """What a read of ``field_name`` returns, as SQL over ``model``'s table aliased ``alias``: the
    column, plus the counter's pending deltas when the database keeps it. ``key`` (an SQL
    expression) names the row's key when the row itself may be missing (then it reads as 0 plus
    what is pending)."""
    column = f"{alias}.{quote(model._meta.get_field(field_name).column)}"
    counter = registry.get_counter(model, field_name)
    if counter is None:
        return column if key is None else f"coalesce({column}, 0)"
    key = key or f"{alias}.{quote(model._meta.pk.column)}"
    return counter.read_sql(column, key)


def pending_values(model: type[models.Model], key: object) -> dict[str, object]:
    """Each trigger-kept counter of ``model``'s row ``key`` as pending deltas alone: what a row
    that does not exist yet reads as (its first writer's row creation may still be ahead)."""
    found = registry.counters_on(model)
    if not found:
        return {}
    from django.db import connections, router

    key_sql = f"{literal(key)}::{found[0].key_db_type}"  # inlined: the SQL may hold a % sign
    reads = [counter.read_sql("NULL", key_sql) for counter in found]
    with connections[router.db_for_read(model)].cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(reads)}")
        row = cursor.fetchone()
    return {counter.field.attname: value for counter, value in zip(found, row, strict=True)}


def with_pending(queryset: models.QuerySet) -> models.QuerySet:
    """Make every trigger-kept counter of the queryset's model read as its column plus its pending
    deltas (replacing the field's attribute on each instance, and in ``values()``), at the cost of
    one indexed sum per counter and row."""
    model = queryset.model
    table = quote(model._meta.db_table)
    select = {
        counter.field.name: value_sql(model, counter.field.name, table)
        for counter in registry.counters_on(model)
    }
    return queryset.extra(select=select) if select else queryset


class CounterManager(models.Manager):
    """Default manager for models holding counters: reads include pending deltas.

    Use it (or ``CounterManager.from_queryset(YourQuerySet)``) as ``objects`` and name it in
    ``Meta.base_manager_name`` so related lookups (``user.stats``) and ``refresh_from_db()`` read
    the same way.
    """

    def get_queryset(self) -> models.QuerySet:
        return with_pending(super().get_queryset())


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
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    field = model._meta.get_field(field_name)
    column = f"(SELECT t.{quote(field.column)} FROM {table} AS t WHERE t.{pk} = {key})"
    counter = registry.get_counter(model, field_name)
    sql = counter.read_sql(column, key) if counter is not None else f"coalesce({column}, 0)"
    return models.expressions.RawSQL(sql, [], output_field=field.clone())

"""Reading counters: the column plus the counter's pending deltas, in the same query.

Writers append deltas and folding moves them into the columns later, so the column alone may lag
by what is pending (usually under a second's worth). Every documented read adds the pending
deltas of the row, in the same query and snapshot, so it is exact.
"""

from __future__ import annotations

from django.db import models

from counters import registry
from counters.spec import quote


def value_sql(model: type[models.Model], field_name: str, alias: str) -> str:
    """What a read of ``field_name`` returns, as SQL over ``model``'s table aliased ``alias``: the
    column, plus the counter's pending deltas when the database keeps it."""
    column = f"{alias}.{quote(model._meta.get_field(field_name).column)}"
    counter = registry.get_counter(model, field_name)
    if counter is None:
        return column
    return f"{column} + {counter.pending_sql(f'{alias}.{quote(model._meta.pk.column)}')}"


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

"""Reading counters: the column plus the counter's pending deltas, in the same query.

Writers append deltas and folding moves them into the columns later, so the column alone may lag
by what is pending (usually under a second's worth). Every documented read adds the pending
deltas of the row, in the same query and snapshot, so it is exact.
"""

from __future__ import annotations

from django.db import models

from counters import registry
from counters.spec import quote


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
    return f"coalesce({column}, 0) + {counter.pending_sql(key)}"


def pending_values(model: type[models.Model], key: object) -> dict[str, int]:
    """Each trigger-kept counter of ``model``'s row ``key`` as pending deltas alone: what a row
    that does not exist yet reads as (its first writer's row creation may still be ahead)."""
    found = registry.counters_on(model)
    if not found:
        return {}
    from django.db import connections, router

    sums = ", ".join(counter.pending_sql("%s") for counter in found)
    with connections[router.db_for_read(model)].cursor() as cursor:
        cursor.execute(f"SELECT {sums}", [str(key)] * len(found))
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

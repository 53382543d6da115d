"""Reading counters: the cached column plus any pending slot rows, in the same query."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Cast, Coalesce

from counters import registry
from counters.spec import quote


def value_sql(model: type[models.Model], field_name: str, alias: str) -> str:
    """What a read of ``field_name`` returns, as SQL over ``model``'s table aliased ``alias``: the
    column, plus the counter's pending slot rows when it has slots."""
    column = f"{alias}.{quote(model._meta.get_field(field_name).column)}"
    counter = registry.get_counter(model, field_name)
    if counter is None or not counter.slots:
        return column
    return f"{column} + {counter.pending_sql(f'{alias}.{quote(model._meta.pk.column)}')}"


def with_pending(queryset: models.QuerySet) -> models.QuerySet:
    """Make every slotted counter of the queryset's model read as main row + its slots.

    The value replaces the field's attribute on each instance (and in ``values()``), at the cost
    of one indexed sum over at most ``slots`` rows per counter and row.
    """
    model = queryset.model
    table = quote(model._meta.db_table)
    select = {
        counter.field.name: value_sql(model, counter.field.name, table)
        for counter in registry.counters_on(model)
        if counter.slots
    }
    return queryset.extra(select=select) if select else queryset


class CounterManager(models.Manager):
    """Default manager for models holding counters: reads include pending slot rows.

    Use it (or ``CounterManager.from_queryset(YourQuerySet)``) as ``objects`` and name it in
    ``Meta.base_manager_name`` so related lookups (``user.stats``) and ``refresh_from_db()`` read
    the same way.
    """

    def get_queryset(self) -> models.QuerySet:
        return with_pending(super().get_queryset())


def pending_expression(counter_label: str, key: models.Expression | str) -> models.Expression:
    """``coalesce(sum of the slot rows of counter_label for key, 0)``, for annotations."""
    from counters.models import CounterSlot

    pending = (
        CounterSlot.objects.filter(counter=counter_label, key=key)
        .order_by()
        .values("counter")
        .annotate(total=Cast(models.Sum("delta"), models.BigIntegerField()))
        .values("total")
    )
    return Coalesce(models.Subquery(pending), 0, output_field=models.BigIntegerField())

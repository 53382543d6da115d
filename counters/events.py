"""App-side event counters (views, generations): one atomic ``UPDATE ... SET n = n + k``."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.db import connections, models, router

from counters import meta
from counters.core import registry
from counters.exceptions import TriggerKeptCounterError, UnknownCounterError
from counters.sql.quoting import quote


def increment(obj: models.Model, field: str, by: int = 1) -> int:
    """Add ``by`` (may be negative) to the event counter ``field`` of ``obj`` in one statement.

    The row is created if it does not exist yet (``INSERT ... ON CONFLICT DO UPDATE``, so two
    first increments at once cannot race), the new value is returned and set on ``obj``.

    Raises:
        TriggerKeptCounterError: ``field`` is kept by database triggers (a manual bump would count
            twice).
        UnknownCounterError: ``field`` is not a declared ``counters.Events`` field of the model.

    Example::

        stats = UserStats(user=request.user)
        counters.increment(stats, "profile_views")
    """
    model = _declaring_model(meta.concrete(type(obj)), field)
    if not isinstance(by, int) or isinstance(by, bool):
        raise TypeError(f"increment() takes an int to add, not {by!r}")
    kept = registry.get_counter(model, field)
    if kept is not None:
        raise TriggerKeptCounterError(
            f"{kept.label} is kept by database triggers (it counts {kept.source._meta.label} "
            f"rows); incrementing it by hand would count twice"
        )
    declared = {f.name: f for f in registry.event_fields(model)}
    if field not in declared:
        valid = ", ".join(sorted(declared)) or "none"
        raise UnknownCounterError(
            f"{model._meta.label}.{field} is not a declared event counter "
            f"(declared with counters.Events on {model._meta.label}: {valid})"
        )
    if obj.pk is None:
        raise ValueError(f"increment() needs a {model._meta.label} with a primary key")
    key = obj.pk if model is meta.concrete(type(obj)) else _parent_key(obj, model)
    column = quote(meta.column(declared[field]))
    table, pk = quote(model._meta.db_table), quote(meta.column(model._meta.pk))
    using = router.db_for_write(model, instance=obj)
    pk_value = model._meta.pk.get_db_prep_value(key, connections[using])
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {column} = {column} + %s WHERE {pk} = %s RETURNING {column}",
            [by, pk_value],
        )
        row = cursor.fetchone()
        if row is None:  # no row yet: create it, or add to the one a concurrent call just created
            cursor.execute(
                f"INSERT INTO {table} AS t ({pk}, {column}) VALUES (%s, %s) ON CONFLICT ({pk}) "
                f"DO UPDATE SET {column} = t.{column} + EXCLUDED.{column} RETURNING {column}",
                [pk_value, by],
            )
            row = cursor.fetchone()
    value: int = row[0]  # the integer column's new value
    setattr(obj, declared[field].attname, value)
    return value


async def aincrement(obj: models.Model, field: str, by: int = 1) -> int:
    """The awaitable :func:`increment`, for async views and tasks: the same single statement,
    run the way Django runs its own async ORM calls (``sync_to_async``, in the thread that holds
    the request's database connection); the new value is returned and set on ``obj``.

    Example::

        async def article(request, pk):
            stats = await ArticleStats.objects.aget(pk=pk)
            await counters.aincrement(stats, "views")
    """
    return await sync_to_async(increment)(obj, field, by)


def _declaring_model(model: type[models.Model], field: str) -> type[models.Model]:
    """The model whose table holds ``field``: ``model`` itself, or the multi-table inheritance
    parent that declares it (a ``Restaurant``'s ``views`` declared on ``Place``)."""
    for candidate in (model, *model._meta.get_parent_list()):
        if registry.get_counter(candidate, field) is not None or any(
            f.name == field for f in registry.event_fields(candidate)
        ):
            return candidate
    return model


def _parent_key(obj: models.Model, parent: type[models.Model]) -> object:
    """The primary key of ``obj``'s row in the table of its parent model ``parent``."""
    link = obj._meta.get_ancestor_link(parent)
    if link is None:  # a parent further up: follow the chain of parent links
        return obj.pk
    return getattr(obj, link.attname)

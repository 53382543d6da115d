"""Helpers shared by the tests (not fixtures: those are in conftest)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connections


class OtherClient:
    """A second database client outside the test's own connection (another app server, psql),
    through Django's backend so it works with psycopg 3 and psycopg2 alike."""

    def __init__(self, *, autocommit: bool = True) -> None:
        self.wrapper = connections.create_connection(DEFAULT_DB_ALIAS)
        self.wrapper.ensure_connection()
        self.wrapper.set_autocommit(autocommit)

    def execute(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        """Run one statement; its rows (none for a statement that returns none)."""
        with self.wrapper.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def rollback(self) -> None:
        self.wrapper.rollback()

    def close(self) -> None:
        self.wrapper.close()

    def __enter__(self) -> OtherClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def true_value(counter: object, key: object) -> object:
    """What ``COUNT(*)`` / ``SUM`` / ``MIN`` / ``MAX`` says for ``counter`` and target key
    ``key``, computed by the ORM from the counter's declaration (its source, path, column and
    condition), not by the library's SQL."""
    from django.db import models

    rows = counter.source._default_manager.all()
    if counter.hops:
        key_model = counter.key_model
        key_field = next(
            f for f in key_model._meta.concrete_fields if f.column == counter.key_reference
        )
        rows = rows.filter(**{f"{counter.path}__{key_field.name}": key})
    if counter.condition is not None:
        rows = rows.filter(counter.condition)
    if counter.kind == "count":
        return rows.count()
    aggregate = {"sum": models.Sum, "min": models.Min, "max": models.Max}[counter.kind]
    found = rows.aggregate(v=aggregate(counter.value.name))["v"]
    return 0 if found is None and counter.kind == "sum" else found


def assert_exact(model: type, *, folded: bool = False) -> None:
    """Every declared counter of every ``model`` row, as its manager reads it, equals
    :func:`true_value`; with ``folded``, after ``counters.fold()``, the stored columns alone too."""
    from django.db.models import QuerySet

    import counters
    from counters import registry

    declared = registry.counters_on(model)
    assert declared, f"{model._meta.label} declares no counters"
    if folded:
        counters.fold()
    readings = [("read", list(model._default_manager.order_by("pk")))]
    if folded:  # a plain queryset: the columns as stored, without pending deltas added
        readings.append(("stored", list(QuerySet(model).order_by("pk"))))
    for how, rows in readings:
        assert rows, f"no {model._meta.label} rows to compare"
        for row in rows:
            for counter in declared:
                cached = getattr(row, counter.field.attname)
                true = true_value(counter, row.pk)
                assert cached == true, (
                    f"{counter.label}[{row.pk}] {how}: cached {cached!r}, true {true!r}"
                )


def database_url() -> str:
    """A ``DATABASE_URL`` for the test database, for a subprocess (a server, a command) that must
    work on the same data as the test."""
    import urllib.parse

    from django.db import connection

    s = connection.settings_dict
    query = urllib.parse.urlencode({"host": s["HOST"]}) if s["HOST"].startswith("/") else ""
    host = "localhost" if query else s["HOST"] or "localhost"
    user = urllib.parse.quote(s["USER"] or "", safe="")
    password = urllib.parse.quote(s["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if user else ""
    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgresql://{credentials}{host}{port}/{s['NAME']}" + (f"?{query}" if query else "")

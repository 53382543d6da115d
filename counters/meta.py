"""Django's model metadata as the engine reads it, with the types it has there.

Django's type stubs allow ``None`` where an installed model never has it: a field's ``column``
(``None`` for a field without a column of its own, such as a ``ForeignObject``), a model's
``concrete_model`` (``None`` only while the class is being built), a field's database type
(``None`` for a field that makes no column). These accessors return what
the engine relies on, and name the field or model when it is really missing.
"""

from __future__ import annotations

from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

from counters.exceptions import CounterDeclarationError


def column(field: models.Field[Any, Any]) -> str:
    """The column of ``field`` in its model's table."""
    if field.column is None:
        raise CounterDeclarationError(f"{field} has no column of its own")
    return field.column


def own_field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    """``model``'s field ``name`` (``FieldDoesNotExist`` if it has none), a field of its own
    rather than the other side of a relation."""
    found = model._meta.get_field(name)
    if not isinstance(found, models.Field):
        raise CounterDeclarationError(f"{model._meta.label}.{name} is the other side of a relation")
    return found


def concrete(model: type[models.Model]) -> type[models.Model]:
    """The model whose table holds ``model``'s rows: ``model`` itself, or the model a proxy
    stands for."""
    found = model._meta.concrete_model
    if found is None:
        raise CounterDeclarationError(f"{model._meta.label} is not a finished model class")
    return found


def dialect() -> BaseDatabaseWrapper:
    """The connection whose PostgreSQL dialect renders the library's SQL (column types, compiled
    conditions, integer ranges), whichever database the SQL then runs on: every PostgreSQL
    database renders it alike. The first PostgreSQL database of ``DATABASES`` (``default``,
    unless that one is another engine); nothing runs on it but what Django's compiler asks."""
    for alias in connections:
        if connections[alias].vendor == "postgresql":
            return connections[alias]
    return connections[DEFAULT_DB_ALIAS]


def rel_db_type(field: models.Field[Any, Any]) -> str:
    """The database type of a column holding ``field``'s values (a key's, in a foreign key)."""
    found = field.rel_db_type(dialect())
    if found is None:
        raise CounterDeclarationError(f"{field} has no database type")
    return found

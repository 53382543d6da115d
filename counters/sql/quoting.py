"""Writing SQL text from Python values and Django's own compiled conditions: identifiers quoted
as Django quotes them, literals for values fixed at declaration time, stable numbers for labels.
Imports nothing of the engine but its errors: every renderer builds on it."""

from __future__ import annotations

import datetime
import decimal
import math
import uuid
import zlib

from django.db import models
from django.db.models.sql import Query

from counters.exceptions import CounterDeclarationError
from counters.meta import dialect


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


def stable_id(text: str) -> int:
    """A signed 32-bit number for ``text`` that every process and release computes alike."""
    return zlib.crc32(text.encode()) - 2**31


def compile_condition(model: type[models.Model], condition: models.Q, alias: str) -> str:
    """Compile a ``Q`` on ``model``'s own columns to SQL whose columns are qualified by ``alias``."""
    connection = dialect()
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
    # The table's name becomes the alias in the compiled text, not through Django's
    # change_aliases: Django 6.1 quotes every alias ("s0") where 5.2 and 6.0 leave a query's own
    # unquoted, and the triggers' SQL must be the same text under every Django version (a
    # difference is an outdated trigger and a migration).
    sql = sql.replace(f"{quote(model._meta.db_table)}.", f"{alias}.")
    return sql % tuple(literal(param) for param in params)

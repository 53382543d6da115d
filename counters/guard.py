"""Deliberate manual writes to trigger-kept counters."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction


@contextmanager
def unguarded(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Let this block write trigger-kept counters by hand (repairs, tests that inject drift).

    Runs the block in a transaction with ``counters.unguarded`` set locally; the guard triggers
    refuse such writes everywhere else. From psql: ``SET LOCAL counters.unguarded = on``.
    """
    with transaction.atomic(using=using):
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT set_config('counters.unguarded', 'on', true)")
        yield  # on an exception the atomic block rolls back, and the setting with it
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT set_config('counters.unguarded', 'off', true)")

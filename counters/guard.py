"""Deliberate writes of trigger-kept counters (repairs, folding, recounts)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction


@contextmanager
def unguarded(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Let this block write trigger-kept counters by hand (repairs, tests that inject drift).

    Runs the block in a transaction with ``counters.unguarded`` set locally, and puts the previous
    value back at the end (a setting made with ``set_config(..., true)`` would otherwise last to
    the end of an enclosing transaction). The read-only guards keep counter columns as counted
    everywhere else. From psql: ``SET LOCAL counters.unguarded = on``.

    A repair writes the column; deltas still pending are added on top by every read. Fold first
    (``counters.fold()``), or better, let ``manage.py backfill_counters`` repair.
    """
    with transaction.atomic(using=using):
        with connections[using].cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('counters.unguarded', true), "
                "set_config('counters.unguarded', 'on', true)"
            )
            previous = cursor.fetchone()[0] or ""
        yield  # on an exception the atomic block rolls back, and the setting with it
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT set_config('counters.unguarded', %s, true)", [previous])

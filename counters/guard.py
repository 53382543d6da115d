"""Settings a block of writes can ask for: deliberate writes of trigger-kept counters (repairs,
folding, recounts), and counted writes that leave the counter rows alone (long transactions)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction


@contextmanager
def _local_setting(name: str, using: str) -> Iterator[None]:
    """Run the block in a transaction with the setting ``name`` on locally, and put its previous
    value back at the end (a setting made with ``set_config(..., true)`` would otherwise last to
    the end of an enclosing transaction)."""
    with transaction.atomic(using=using):
        with connections[using].cursor() as cursor:
            cursor.execute(
                "SELECT current_setting(%s, true), set_config(%s, 'on', true)", [name, name]
            )
            previous = cursor.fetchone()[0] or ""
        yield  # on an exception the atomic block rolls back, and the setting with it
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT set_config(%s, %s, true)", [name, previous])


@contextmanager
def deferred(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Count this block's writes without holding any counter row that exists: their deltas are
    appended, as under REPEATABLE READ, and folded later (by the next writer that holds the row, a writer's
    occasional fold, or a folder); every documented read adds them meanwhile.

    For long transactions (an import, a migration of data): a counted write holds the counter
    rows it updates in place until its transaction ends, so an application ``UPDATE`` of those
    rows (``article.save()``) would wait for the whole import. From psql:
    ``SET LOCAL counters.deferred = on``.
    """
    with _local_setting("counters.deferred", using):
        yield


@contextmanager
def unguarded(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Let this block write trigger-kept counters by hand (repairs, tests that inject drift).

    Runs the block in a transaction with ``counters.unguarded`` set locally. The read-only guards
    keep counter columns as counted everywhere else. From psql:
    ``SET LOCAL counters.unguarded = on``.

    A repair writes the column; deltas still pending are added on top by every read. Fold first
    (``counters.fold()``), or better, let ``manage.py backfill_counters`` repair.
    """
    with _local_setting("counters.unguarded", using):
        yield

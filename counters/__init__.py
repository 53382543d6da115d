"""Exact counter caches for Django on PostgreSQL, kept by statement-level triggers.

Declare counters on the model that holds them::

    @counters.register(
        counters.Count("followers_count", source="counters.Follow", path="followed"),
        counters.Events("profile_views"),
    )
    class UserStats(models.Model): ...

then ``makemigrations`` / ``migrate`` install the triggers, ``manage.py backfill_counters`` recounts,
and ``counters.increment(obj, "profile_views")`` bumps an event counter.
"""

from counters.declarations import Count, Events, register
from counters.exceptions import (
    CounterDeclarationError,
    CounterError,
    TriggerKeptCounterError,
    UnknownCounterError,
)
from counters.guard import unguarded


def increment(obj, field: str, by: int = 1) -> int:  # noqa: ANN001 - documented in events
    """Add ``by`` to the event counter ``field`` of ``obj``; see :func:`counters.events.increment`."""
    from counters.events import increment as _increment

    return _increment(obj, field, by)


def all_counters():  # noqa: ANN201
    """Every declared trigger-kept counter (:class:`counters.spec.Counter`), sorted by label."""
    from counters.registry import all_counters as _all

    return _all()


__all__ = [
    "Count",
    "CounterDeclarationError",
    "CounterError",
    "Events",
    "TriggerKeptCounterError",
    "UnknownCounterError",
    "all_counters",
    "increment",
    "register",
    "unguarded",
]

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


def recount(labels=(), **kwargs):  # noqa: ANN001, ANN201
    """Recount counters and fix drift; see :func:`counters.backfill.run` for the arguments."""
    from counters.backfill import recount as _recount

    return _recount(labels, **kwargs)


def check(labels=(), **kwargs):  # noqa: ANN001, ANN201
    """Report drift without writing; see :func:`counters.backfill.run` for the arguments."""
    from counters.backfill import check as _check

    return _check(labels, **kwargs)


__all__ = [
    "Count",
    "CounterDeclarationError",
    "CounterError",
    "Events",
    "TriggerKeptCounterError",
    "UnknownCounterError",
    "all_counters",
    "check",
    "increment",
    "recount",
    "register",
    "unguarded",
]

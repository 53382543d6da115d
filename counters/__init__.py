"""Exact counter caches for Django on PostgreSQL, kept by statement-level triggers.

Declare counters on the model that holds them::

    @counters.register(
        counters.Count("followers_count", source="counters_social.Follow", path="followed"),
        counters.Events("profile_views"),
    )
    class UserStats(models.Model): ...

then ``makemigrations`` / ``migrate`` install the triggers, ``manage.py backfill_counters`` recounts,
and ``counters.increment(obj, "profile_views")`` bumps an event counter.
"""

from counters.backfill import check, compare, recount, trigger_states
from counters.declarations import Count, Events, Max, Min, Sum, register
from counters.events import increment
from counters.exceptions import (
    CounterDeclarationError,
    CounterError,
    TriggerKeptCounterError,
    UnknownCounterError,
)
from counters.folding import fold
from counters.guard import unguarded
from counters.reading import CounterManager
from counters.registry import all_counters

__all__ = [
    "Count",
    "CounterDeclarationError",
    "CounterManager",
    "CounterError",
    "Events",
    "Max",
    "Min",
    "Sum",
    "TriggerKeptCounterError",
    "UnknownCounterError",
    "all_counters",
    "check",
    "compare",
    "fold",
    "increment",
    "recount",
    "register",
    "trigger_states",
    "unguarded",
]

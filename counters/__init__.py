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

from typing import TYPE_CHECKING, Any

from counters.core.declarations import Count, Events, Max, Min, Sum, register
from counters.core.registry import CounterInfo
from counters.core.registry import describe as all_counters
from counters.events import aincrement, increment
from counters.exceptions import (
    CounterDeclarationError,
    CounterError,
    ReadOnlyDatabase,
    RecountInterrupted,
    TriggerKeptCounterError,
    TriggersNotInstalled,
    UnknownCounterError,
)
from counters.folding import fold
from counters.guard import deferred, unguarded
from counters.reading import CounterManager
from counters.recounting import check, compare, recount
from counters.status import trigger_states

if TYPE_CHECKING:
    from counters.admin import CounterAdminMixin
    from counters.live import counters_changed

__version__ = "0.2.0.dev0"

# Imported on first use: the admin needs the app registry, the live hub is optional.
_LAZY = {"CounterAdminMixin": "counters.admin", "counters_changed": "counters.live"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'counters' has no attribute {name!r}")


__all__ = [
    "Count",
    "CounterAdminMixin",
    "CounterDeclarationError",
    "CounterManager",
    "CounterError",
    "CounterInfo",
    "Events",
    "Max",
    "Min",
    "Sum",
    "ReadOnlyDatabase",
    "RecountInterrupted",
    "TriggerKeptCounterError",
    "TriggersNotInstalled",
    "UnknownCounterError",
    "__version__",
    "aincrement",
    "all_counters",
    "check",
    "compare",
    "counters_changed",
    "fold",
    "increment",
    "recount",
    "register",
    "trigger_states",
    "unguarded",
    "deferred",
]

"""The counter triggers and read-only guards, registered with django-pgtrigger when the app is ready
(:func:`register_all`), and found again by the commands and checks (:func:`registered_on`,
:func:`triggers_for`). What they run is rendered in :mod:`counters.sql.triggers`."""

from __future__ import annotations

from collections import defaultdict
from typing import cast

import pgtrigger
from django.db import models

from counters.carriers import trigger_model, trigger_name
from counters.core.counter import Counter
from counters.sql.collect import Feed
from counters.sql.triggers import OPERATIONS, CounterTrigger, ReadOnlyTrigger, pgtrigger_model


def register_all(counters: list[Counter]) -> None:
    """Register the counter triggers and read-only guards of ``counters`` with django-pgtrigger,
    each on the declaring app's own model or on its proxy of a model of another app."""
    feeds: dict[type[models.Model], list[Feed]] = defaultdict(list)
    targets: dict[type[models.Model], list[Counter]] = defaultdict(list)
    for counter in counters:
        targets[counter.target].append(counter)
        for position, model in enumerate(counter.path_models):
            app_label = counter.target._meta.app_label
            feeds[trigger_model(model, app_label)].append((counter, position))
    for model, model_feeds in feeds.items():
        for operation in OPERATIONS:
            trigger = CounterTrigger(operation, model_feeds, trigger_name(operation, model))
            trigger.register(pgtrigger_model(model))
    for target, target_counters in targets.items():
        for operation in ("insert", "update"):
            ReadOnlyTrigger(operation, target_counters).register(pgtrigger_model(target))


def _registered() -> list[tuple[type[models.Model], pgtrigger.Trigger]]:
    """``pgtrigger.registered()``: each registered trigger with its model class (which pgtrigger
    annotates as an instance, see :func:`counters.sql.triggers.pgtrigger_model`)."""
    return [(cast(type[models.Model], model), trigger) for model, trigger in pgtrigger.registered()]


def registered_on(
    using: str, kinds: tuple[type[pgtrigger.Trigger], ...] = (CounterTrigger, ReadOnlyTrigger)
) -> list[tuple[type[models.Model], pgtrigger.Trigger]]:
    """The library's registered triggers of ``kinds`` (counter triggers and read-only guards)
    that belong on database ``using``: their models' apps migrate there (django-pgtrigger asks
    the routers)."""
    return [
        (model, trigger)
        for model, trigger in _registered()
        if isinstance(trigger, kinds) and trigger.allow_migrate(pgtrigger_model(model), using)
    ]


def triggers_for(
    counter: Counter,
) -> list[tuple[type[models.Model], CounterTrigger | ReadOnlyTrigger]]:
    """The registered pgtrigger triggers that keep ``counter`` (for status checks)."""
    return [
        (model, trigger)
        for model, trigger in _registered()
        if (isinstance(trigger, CounterTrigger) and any(c == counter for c, _ in trigger.feeds))
        or (isinstance(trigger, ReadOnlyTrigger) and counter in trigger.counters)
    ]

"""The registry of declared counters, built once the app registry is ready, and its lookups.

``build()`` resolves every ``@counters.register`` declaration into
:class:`counters.core.counter.Counter` objects (:mod:`counters.core.rules`). Declarations that do
not resolve are kept as problems for ``manage.py check`` instead of breaking start-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Union

from django.db import models

from counters.core import declarations
from counters.core.counter import Counter
from counters.core.rules import (
    COUNTER_DECLARATIONS,
    field_named,
    index_warning,
    onto_concrete_models,
    resolve,
)
from counters.exceptions import CounterDeclarationError, UnknownCounterError
from counters.meta import concrete

# What the public functions take to name counters: labels (``app_label.Model.field``, or
# ``app_label.Model`` for all of a model's), or what ``counters.all_counters()`` hands out.
Names = Union[str, "CounterInfo", Sequence[Union[str, "CounterInfo"]]]


@dataclass
class DeclarationProblem:
    """A declaration that did not resolve; ``manage.py check`` reports it under ``id``."""

    id: str
    message: str
    obj: object


@dataclass
class Registry:
    counters: list[Counter] = field(default_factory=list)
    events: dict[type[models.Model], list[models.Field[Any, Any]]] = field(default_factory=dict)
    public_events: set[tuple[type[models.Model], str]] = field(default_factory=set)
    problems: list[DeclarationProblem] = field(default_factory=list)
    warnings: list[DeclarationProblem] = field(default_factory=list)
    built: bool = False


_registry = Registry()


def resolve_all(declared: list[tuple[type[models.Model], declarations.Declaration]]) -> Registry:
    """Resolve declarations into a (not yet registered) Registry; bad ones become problems."""
    result = Registry()
    seen: set[tuple[type[models.Model], str]] = set()
    for target, declaration in onto_concrete_models(declared):
        if isinstance(declaration, COUNTER_DECLARATIONS):
            names = [declaration.field]
        else:
            names = list(declaration.fields)
        duplicate = [name for name in names if (target, name) in seen]
        seen.update((target, name) for name in names)
        if duplicate:
            result.problems.append(
                DeclarationProblem(
                    "counters.E009",
                    f"{target._meta.label}.{duplicate[0]} is declared as a counter more than once",
                    target,
                )
            )
            continue
        try:
            if isinstance(declaration, COUNTER_DECLARATIONS):
                counter = resolve(target, declaration)
                result.counters.append(counter)
                warning = index_warning(counter)
                if warning is not None:
                    result.warnings.append(DeclarationProblem("counters.W003", warning, target))
                if getattr(declaration, "slots", None) is not None:
                    result.warnings.append(
                        DeclarationProblem(
                            "counters.W002",
                            f"{target._meta.label}.{declaration.field}: slots= is deprecated and "
                            "ignored; no counter ever waits on a hot row (docs/design.md)",
                            target,
                        )
                    )
            else:
                fields = [
                    field_named(target, name, f"Events on {target._meta.label}") for name in names
                ]
                result.events.setdefault(target, []).extend(fields)
                if declaration.public:
                    result.public_events.update((target, f.name) for f in fields)
        except CounterDeclarationError as exc:
            result.problems.append(DeclarationProblem(str(exc.id), exc.message, target))
    result.counters.sort(key=lambda counter: counter.label)
    by_id: dict[int, str] = {}
    for counter in result.counters:
        other = by_id.setdefault(counter.id, counter.label)
        if other != counter.label:  # a 1 in 4 billion chance per pair, but never silently
            result.problems.append(
                DeclarationProblem(
                    "counters.E015",
                    f"{counter.label} and {other} hash to the same counter id; rename a field",
                    counter.target,
                )
            )
    return result


def build() -> Registry:
    """Resolve all declarations, once. ``AppConfig.ready`` calls it, then registers the counters'
    triggers with django-pgtrigger and wires their models (:mod:`counters.apps`)."""
    global _registry
    if not _registry.built:
        _registry = resolve_all(declarations.declared)
        _registry.built = True
    return _registry


def all_counters() -> list[Counter]:
    """Every trigger-kept counter, sorted by label."""
    return list(build().counters)


def event_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The event-counter fields declared on ``model``."""
    return list(build().events.get(concrete(model), []))


def is_public(model: type[models.Model], field_name: str) -> bool:
    """Whether the counter ``model.field_name`` is declared ``public`` (anyone may stream it)."""
    counter = get_counter(model, field_name)
    if counter is not None:
        return counter.public
    return (model._meta.concrete_model, field_name) in build().public_events


def counters_on(model: type[models.Model]) -> list[Counter]:
    """The trigger-kept counters whose target is ``model``."""
    model = concrete(model)
    return [counter for counter in all_counters() if counter.target is model]


def get_counter(target: type[models.Model], field_name: str) -> Counter | None:
    """The trigger-kept counter held by ``target.field_name``, if there is one."""
    for counter in counters_on(target):
        if counter.field.name == field_name:
            return counter
    return None


def kept_on(counter: Counter, using: str) -> bool:
    """Whether database ``using`` keeps ``counter``: its target's app migrates there
    (``router.allow_migrate_model``; without routers, every database keeps every counter)."""
    from django.db import router

    return bool(router.allow_migrate_model(using, counter.target))


def on_database(using: str) -> list[Counter]:
    """The counters database ``using`` keeps (:func:`kept_on`), sorted by label. Every command,
    fold, check and page that works on one database works on these, and never touches the tables
    of counters another database keeps."""
    return [counter for counter in all_counters() if kept_on(counter, using)]


def databases_of(counter: Counter) -> list[str]:
    """The aliases of the databases that keep ``counter``."""
    from django.db import connections

    return [alias for alias in connections if kept_on(counter, alias)]


def _named(counter: Counter, label: str) -> bool:
    """Whether ``label`` names ``counter`` (``app_label.Model.field``) or its target model
    (``app_label.Model``), in any case."""
    return label.lower() in (counter.label.lower(), counter.target._meta.label.lower())


def select(labels: Names = (), using: str | None = None) -> list[Counter]:
    """Counters named by ``app_label.Model.field`` or ``app_label.Model`` labels, or by the
    :class:`CounterInfo` objects ``counters.all_counters()`` hands out (one name alone is taken as
    a list of one); all when empty. With ``using``, only the counters that database keeps
    (:func:`on_database`).

    Raises ``UnknownCounterError`` listing the valid labels when one names nothing, or, with
    ``using``, naming the databases that keep what it names when that is not one of them.
    """
    given = [labels] if isinstance(labels, str | CounterInfo) else labels
    counters = all_counters() if using is None else on_database(using)
    if not given:
        return counters
    chosen: list[Counter] = []
    for label in (name.label if isinstance(name, CounterInfo) else name for name in given):
        matched = [counter for counter in counters if _named(counter, label)]
        if not matched:
            elsewhere = sorted(
                {
                    alias
                    for counter in all_counters()
                    if _named(counter, label)
                    for alias in databases_of(counter)
                }
            )
            if elsewhere:
                raise UnknownCounterError(
                    f"{label!r} names counters kept on database {', '.join(map(repr, elsewhere))}"
                    f", not {using!r} (its app migrates there): use --database {elsewhere[0]}"
                )
            valid = sorted({c.label for c in counters} | {c.target._meta.label for c in counters})
            raise UnknownCounterError(
                f"{label!r} names no counter. Valid labels: {', '.join(valid)}"
            )
        chosen.extend(counter for counter in matched if counter not in chosen)
    return chosen


def problems() -> list[DeclarationProblem]:
    return list(build().problems)


def warnings() -> list[DeclarationProblem]:
    return list(build().warnings)


@dataclass(frozen=True)
class CounterInfo:
    """A declared counter, as the public API describes it (``counters.all_counters()``): what
    it keeps, where, from what. The engine's own objects (and their SQL) stay internal."""

    label: str  # "app_label.Model.field"
    target: type[models.Model]
    field: str
    kind: str  # "count", "sum", "min", "max" or "distinct"
    source: type[models.Model]
    path: str | None
    column: str | None  # the source field a Sum, Min or Max keeps, or a distinct count counts
    condition: models.Q | None
    public: bool


def describe() -> list[CounterInfo]:
    """Every trigger-kept counter, sorted by label (``counters.all_counters()``)."""
    return [
        CounterInfo(
            label=c.label,
            target=c.target,
            field=c.field.name,
            kind=c.kind,
            source=c.source,
            path=c.path,
            column=c.value.name if c.value is not None else None,
            condition=c.condition,
            public=c.public,
        )
        for c in all_counters()
    ]

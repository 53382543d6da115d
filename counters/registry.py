"""The registry of declared counters, built once the app registry is ready.

``build()`` resolves every ``@counters.register`` declaration into :class:`counters.spec.Counter`
objects, and registers one set of statement-level triggers per model on a counter path (plus a
guard on each target model) with django-pgtrigger. Declarations that do not resolve are kept as
errors for ``manage.py check`` instead of breaking start-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from counters import declarations
from counters.exceptions import CounterDeclarationError, UnknownCounterError
from counters.spec import Counter, GenericHop, hop_columns


@dataclass
class DeclarationProblem:
    """A declaration that did not resolve; ``manage.py check`` reports it under ``id``."""

    id: str
    message: str
    obj: object


@dataclass
class Registry:
    counters: list[Counter] = field(default_factory=list)
    events: dict[type[models.Model], list[models.Field]] = field(default_factory=dict)
    public_events: set[tuple[type[models.Model], str]] = field(default_factory=set)
    problems: list[DeclarationProblem] = field(default_factory=list)
    warnings: list[DeclarationProblem] = field(default_factory=list)
    built: bool = False


_registry = Registry()

INTEGER_FIELDS = (models.IntegerField, models.BigIntegerField, models.SmallIntegerField)


def _declared_field(model: type[models.Model], name: str, what: str) -> models.Field:
    """The target field a declaration names (``counters.E003`` when there is none)."""
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        raise CounterDeclarationError(
            "counters.E003", f"{what} names field {model._meta.label}.{name}, which does not exist"
        ) from None


def _field(model: type[models.Model], name: str, what: str) -> models.Field:
    found = _declared_field(model, name, what)
    if not isinstance(found, INTEGER_FIELDS) or isinstance(found, models.AutoField):
        raise CounterDeclarationError(
            "counters.E004",
            f"{what} names field {model._meta.label}.{name}, which is a "
            f"{type(found).__name__}, not an integer field",
        )
    if found.null:
        raise CounterDeclarationError(
            "counters.E011",
            f"{what} names field {model._meta.label}.{name}, which is nullable; a counter "
            f"column must be NOT NULL (remove null=True and give it db_default=0)",
        )
    return found


def _composite_pk(model: type[models.Model]) -> bool:
    composite = getattr(models, "CompositePrimaryKey", None)  # Django 5.2+
    return composite is not None and isinstance(model._meta.pk, composite)


def _check_created_rows(target: type[models.Model], what: str) -> None:
    """The triggers insert a stats or totals row with only its key and counter columns: every
    other NOT NULL column needs a database default, or the first count would fail."""
    for f in target._meta.concrete_fields:
        if f.primary_key or f.null or getattr(f, "generated", False):
            continue
        if f.db_default is models.NOT_PROVIDED:
            raise CounterDeclarationError(
                "counters.E012",
                f"{what}: the triggers create {target._meta.label} rows, but its column "
                f"{f.name} is NOT NULL without a database default; give it db_default=... "
                f"(a Python default= is not enough: the database fills the row) or null=True",
            )


def _resolve_hops(
    source: type[models.Model], path: str | None, target: type[models.Model]
) -> tuple[models.ForeignKey | GenericHop, ...]:
    hops: list[models.ForeignKey | GenericHop] = []
    model = source
    names = path.split("__") if path else []
    for position, name in enumerate(names):
        try:
            hop = model._meta.get_field(name)
        except FieldDoesNotExist:
            raise CounterDeclarationError(
                "counters.E006", f"path {path!r}: {model._meta.label} has no field {name!r}"
            ) from None
        if isinstance(hop, models.ManyToManyField):
            through = hop.remote_field.through
            back = hop.m2m_field_name()
            raise CounterDeclarationError(
                "counters.E006",
                f"path {path!r}: {model._meta.label}.{name} is a many-to-many field; count "
                f"the rows of its through table instead: source={through._meta.label!r}, "
                f"path={back!r} (from the other side: path={hop.m2m_reverse_field_name()!r})",
            )
        if _is_generic_foreign_key(hop):
            hops.append(_generic_hop(model, hop, path, target, last=position == len(names) - 1))
            break
        if not isinstance(hop, models.ForeignKey):  # OneToOneField is a ForeignKey too
            raise CounterDeclarationError(
                "counters.E006",
                f"path {path!r}: {model._meta.label}.{name} is not a foreign key (a path follows "
                f"foreign keys from the counted rows, and may end with a GenericForeignKey)",
            )
        if hop.model._meta.concrete_model is not model._meta.concrete_model:
            raise CounterDeclarationError(
                "counters.E013",
                f"path {path!r}: {model._meta.label}.{name} is inherited from "
                f"{hop.model._meta.label} (multi-table inheritance), so its column lives in "
                f"another table than {model._meta.label}'s rows; count {hop.model._meta.label} "
                f"rows instead, or give {model._meta.label} a foreign key of its own",
            )
        if _composite_pk(model):
            raise CounterDeclarationError(
                "counters.E014",
                f"path {path!r}: {model._meta.label} has a composite primary key, which "
                f"counters do not support",
            )
        hops.append(hop)
        model = hop.related_model._meta.concrete_model
    return tuple(hops)


def _is_generic_foreign_key(field: object) -> bool:
    if not apps.is_installed("django.contrib.contenttypes"):
        return False
    from django.contrib.contenttypes.fields import GenericForeignKey

    return isinstance(field, GenericForeignKey)


def _generic_hop(
    model: type[models.Model],
    gfk: Any,
    path: str | None,
    target: type[models.Model],
    *,
    last: bool,
) -> GenericHop:
    """The hop through ``model.gfk`` (a ``GenericForeignKey``) to the model the counter's
    target is keyed by: the target itself, or the model its primary key points to."""
    label = f"{model._meta.label}.{gfk.name}"
    if not last:
        raise CounterDeclarationError(
            "counters.E018",
            f"path {path!r}: {label} is a GenericForeignKey; it can only end a path (its rows "
            f"point to models of every kind, so no foreign key follows it); count from the "
            f"model it points to, or end the path at {gfk.name!r}",
        )
    pk = target._meta.pk
    pointed = (
        pk.related_model._meta.concrete_model
        if isinstance(pk, models.ForeignKey)
        else target._meta.concrete_model
    )
    id_field = model._meta.get_field(gfk.fk_field)
    hop = GenericHop(
        name=gfk.name,
        model=model._meta.concrete_model,
        related_model=pointed,
        id_field=id_field,
        ct_field=model._meta.get_field(gfk.ct_field),
    )
    if not hop.holds_keys:
        raise CounterDeclarationError(
            "counters.E019",
            f"path {path!r}: {label} stores its object id in {model._meta.label}."
            f"{id_field.name}, a {type(id_field).__name__}, which cannot hold the keys of "
            f"{pointed._meta.label} ({type(pointed._meta.pk).__name__}); give it a "
            f"CharField or TextField object id (as django-contrib-comments' object_pk), or one "
            f"of the key's own type",
        )
    return hop


COUNTER_DECLARATIONS = (
    declarations.Count,
    declarations.Sum,
    declarations.Min,
    declarations.Max,
)


def _family(field: models.Field) -> str | None:
    """The kind of value a Sum, Min or Max can keep exactly: integer, decimal, datetime, date."""
    if isinstance(field, models.AutoField) or field.is_relation:
        return None
    if isinstance(field, INTEGER_FIELDS):
        return "integer"
    if isinstance(field, models.DecimalField):
        return "decimal"
    if isinstance(field, models.DateTimeField):
        return "datetime"
    if isinstance(field, models.DateField):
        return "date"
    return None


def _aggregate_fields(
    target: type[models.Model],
    source: type[models.Model],
    declaration: declarations.Sum | declarations.Min | declarations.Max,
    what: str,
) -> tuple[models.Field, models.Field]:
    """The target field and the source value field of a Sum, Min or Max, checked together."""
    kind = declaration.kind
    field_ = _declared_field(target, declaration.field, what)
    try:
        value = source._meta.get_field(declaration.column)
    except FieldDoesNotExist:
        raise CounterDeclarationError(
            "counters.E003",
            f"{what}.{declaration.field}: column={declaration.column!r}: "
            f"{source._meta.label} has no such field",
        ) from None
    accepted = (
        ("integer", "decimal") if kind == "sum" else ("integer", "decimal", "datetime", "date")
    )
    family = _family(value)
    if family not in accepted:
        raise CounterDeclarationError(
            "counters.E016",
            f"{what}.{declaration.field}: {source._meta.label}.{value.name} is a "
            f"{type(value).__name__}; a {kind.title()} keeps "
            + ("integer or decimal" if kind == "sum" else "timestamp, date, integer or decimal")
            + " columns exactly (floats cannot be summed exactly)",
        )
    wanted = {"integer": "an integer field", "decimal": "a DecimalField"}
    target_family = _family(field_)
    fits = target_family == family or (
        kind == "sum" and family == "integer" and target_family == "decimal"
    )
    if fits and target_family == "decimal" and family == "decimal":
        fits = field_.decimal_places >= value.decimal_places
    if not fits:
        expected = wanted.get(family or "", f"a {type(value).__name__}")
        if family == "decimal":
            expected += f" with at least {value.decimal_places} decimal places"
        raise CounterDeclarationError(
            "counters.E017",
            f"{what}.{declaration.field}: {target._meta.label}.{field_.name} is a "
            f"{type(field_).__name__}; the {kind.title()} of {source._meta.label}.{value.name} "
            f"needs {expected}",
        )
    if kind == "sum" and field_.null:
        raise CounterDeclarationError(
            "counters.E011",
            f"{what} names field {target._meta.label}.{field_.name}, which is nullable; a "
            "sum column must be NOT NULL (remove null=True and give it db_default=0)",
        )
    if kind != "sum" and not field_.null:
        raise CounterDeclarationError(
            "counters.E017",
            f"{what}.{declaration.field}: {target._meta.label}.{field_.name} must be "
            f"null=True: a {kind.title()} is NULL while no row reaches its target",
        )
    return field_, value


def _distinct_field(
    source: type[models.Model], count: declarations.Count, what: str
) -> models.Field:
    """The source field whose different values a distinct count counts: a column of the
    source's own table (a foreign key counts the rows it points to)."""
    try:
        found = source._meta.get_field(str(count.distinct))
    except FieldDoesNotExist:
        found = None
    if found is None or not getattr(found, "concrete", False) or found.many_to_many:
        raise CounterDeclarationError(
            "counters.E003",
            f"{what}.{count.field}: distinct={count.distinct!r}: {source._meta.label} has no "
            f"such column (name a field of its own table, or a foreign key)",
        )
    return found


def index_warning(counter: Counter) -> str | None:
    """For a Min, Max or distinct count: a warning unless an index of the source starts with the
    columns its recompute filters and orders by (the first foreign key, then the value)."""
    if not counter.recomputed:
        return None
    value = counter.value_field
    first = counter.hops[0] if counter.hops else None
    wanted = (list(hop_columns(first)) if first else []) + [value.column]
    meta = counter.source._meta
    candidates = []
    for index in meta.indexes:
        names = [name.lstrip("-") for name in index.fields]
        candidates.append([meta.get_field(name).column for name in names if name])
    for constraint in meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            candidates.append([meta.get_field(name).column for name in constraint.fields])
    if not counter.hops and (value.db_index or value.unique):
        candidates.append([value.column])
    if any(columns[: len(wanted)] == wanted for columns in candidates):
        return None
    fields = []
    if isinstance(first, GenericHop):
        fields += [first.ct_field.name, first.id_field.name]
    elif first is not None:
        fields.append(first.name)
    fields.append(value.name)
    return (
        f"{counter.label}: no index of {meta.label} starts with ({', '.join(wanted)}), so "
        f"recomputing the {what_is_recomputed(counter)} reads every row of its target; add "
        f"models.Index(fields={fields!r}) to {meta.label}'s Meta.indexes"
    )


def what_is_recomputed(counter: Counter) -> str:
    if counter.kind == "distinct":
        return "distinct count after a row arrives or leaves"
    return f"{counter.kind} after a row leaves"


def resolve(
    target: type[models.Model],
    count: declarations.Count | declarations.Sum | declarations.Min | declarations.Max,
) -> Counter:
    """Resolve one ``Count``, ``Sum``, ``Min`` or ``Max`` declaration, raising
    ``CounterDeclarationError`` ("ID:message")."""
    kind = getattr(count, "kind", "count")
    what = f"{type(count).__name__} on {target._meta.label}"
    field_ = _field(target, count.field, what) if kind == "count" else None
    if _composite_pk(target):
        raise CounterDeclarationError(
            "counters.E014",
            f"{what}.{count.field}: {target._meta.label} has a composite primary key, which "
            f"counters do not support",
        )
    try:
        source = apps.get_model(count.source) if isinstance(count.source, str) else count.source
    except (LookupError, ValueError):
        raise CounterDeclarationError(
            "counters.E005", f"{what}.{count.field}: source model {count.source!r} is not installed"
        ) from None
    if not (isinstance(source, type) and issubclass(source, models.Model)):
        raise CounterDeclarationError(
            "counters.E005", f"{what}.{count.field}: source {count.source!r} is not a model"
        )
    if _composite_pk(source):
        raise CounterDeclarationError(
            "counters.E014",
            f"{what}.{count.field}: {source._meta.label} has a composite primary key, which "  # type: ignore[attr-defined]
            f"counters do not support",
        )
    source = source._meta.concrete_model  # type: ignore[attr-defined]  # a proxy's rows: its model's
    value = None
    if not isinstance(count, declarations.Count):
        field_, value = _aggregate_fields(target, source, count, what)
    elif count.distinct is not None:
        kind = "distinct"
        value = _distinct_field(source, count, what)
    hops = _resolve_hops(source, count.path, target)
    if hops:
        end = hops[-1].related_model._meta.concrete_model
        pk = target._meta.pk
        reaches_target = end is target._meta.concrete_model or (
            isinstance(pk, models.ForeignKey) and pk.related_model._meta.concrete_model is end
        )
        if not reaches_target:
            raise CounterDeclarationError(
                "counters.E007",
                f"{what}.{count.field}: path {count.path!r} ends at {end._meta.label}, which is "
                f"neither {target._meta.label} nor the model its primary key points to",
            )
    elif target._meta.pk.get_default() is None:
        raise CounterDeclarationError(
            "counters.E007",
            f"{what}.{count.field}: a counter without a path needs a single-row target whose "
            f"primary key has a default (the row every total lands in)",
        )
    counter = Counter(
        target=target,
        field=field_,
        source=source,
        hops=hops,
        condition=count.condition,
        public=count.public,
        kind=kind,
        value=value,
    )
    if counter.mode != "update":
        _check_created_rows(target, f"{what}.{count.field}")
    try:
        counter.condition_sql  # noqa: B018 - compile now so a bad condition fails the check
    except CounterDeclarationError as exc:
        raise CounterDeclarationError("counters.E008", f"{what}.{count.field}: {exc}") from None
    return counter


def _onto_concrete_models(
    declared: list[tuple[type[models.Model], declarations.Declaration]],
) -> list[tuple[type[models.Model], declarations.Declaration]]:
    """Declarations on an abstract base apply to each concrete model that inherits its fields
    (each has a table of its own); the others stay where they were declared."""
    found = []
    for target, declaration in declared:
        if not target._meta.abstract:
            found.append((target, declaration))
            continue
        for model in apps.get_models():
            if issubclass(model, target) and not model._meta.proxy:
                found.append((model, declaration))
    return found


def resolve_all(declared: list[tuple[type[models.Model], declarations.Declaration]]) -> Registry:
    """Resolve declarations into a (not yet registered) Registry; bad ones become problems."""
    result = Registry()
    seen: set[tuple[type[models.Model], str]] = set()
    for target, declaration in _onto_concrete_models(declared):
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
                fields = [_field(target, name, f"Events on {target._meta.label}") for name in names]
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
    """Resolve all declarations and register their triggers. Called from ``AppConfig.ready``."""
    from counters import editing, reading, triggers

    global _registry
    if not _registry.built:
        _registry = resolve_all(declarations.declared)
        triggers.register_all(_registry.counters)
        reading.exact_reads(_registry.counters)
        editing.make_read_only(
            [c.field for c in _registry.counters]
            + [f for fields in _registry.events.values() for f in fields]
        )
        _registry.built = True
    return _registry


def all_counters() -> list[Counter]:
    """Every trigger-kept counter, sorted by label."""
    return list(build().counters)


def event_fields(model: type[models.Model]) -> list[models.Field]:
    """The event-counter fields declared on ``model``."""
    return list(build().events.get(model._meta.concrete_model, []))


def is_public(model: type[models.Model], field_name: str) -> bool:
    """Whether the counter ``model.field_name`` is declared ``public`` (anyone may stream it)."""
    counter = get_counter(model, field_name)
    if counter is not None:
        return counter.public
    return (model._meta.concrete_model, field_name) in build().public_events


def counters_on(model: type[models.Model]) -> list[Counter]:
    """The trigger-kept counters whose target is ``model``."""
    model = model._meta.concrete_model
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


def select(labels: Sequence[str] = (), using: str | None = None) -> list[Counter]:
    """Counters named by ``app_label.Model.field`` or ``app_label.Model`` labels; all when empty.
    With ``using``, only the counters that database keeps (:func:`on_database`).

    Raises ``UnknownCounterError`` listing the valid labels when one names nothing, or, with
    ``using``, naming the databases that keep what it names when that is not one of them.
    """
    counters = all_counters() if using is None else on_database(using)
    if not labels:
        return counters
    chosen: list[Counter] = []
    for label in labels:
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

"""The resolution rules: how a declaration becomes a :class:`counters.core.counter.Counter`, and
the shapes that cannot be kept exact, each refused under its system check ID (``counters.E001``...)
with a message that says what to do."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from counters.core import declarations
from counters.core.counter import Counter
from counters.core.generic import GenericHop, generic_hop, hop_columns, is_generic_foreign_key
from counters.exceptions import CounterDeclarationError
from counters.meta import column, concrete

INTEGER_FIELDS = (models.IntegerField, models.BigIntegerField, models.SmallIntegerField)


def _declared_field(
    model: type[models.Model], name: str, what: str
) -> models.Field[Any, Any] | models.ForeignObjectRel:
    """The target field a declaration names (``counters.E003`` when there is none)."""
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        raise CounterDeclarationError(
            "counters.E003", f"{what} names field {model._meta.label}.{name}, which does not exist"
        ) from None


def field_named(model: type[models.Model], name: str, what: str) -> models.Field[Any, Any]:
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
) -> tuple[models.ForeignKey[Any, Any] | GenericHop, ...]:
    hops: list[models.ForeignKey[Any, Any] | GenericHop] = []
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
            through_label = through._meta.label if through is not None else "its through model"
            back = hop.m2m_field_name()
            raise CounterDeclarationError(
                "counters.E006",
                f"path {path!r}: {model._meta.label}.{name} is a many-to-many field; count "
                f"the rows of its through table instead: source={through_label!r}, "
                f"path={back!r} (from the other side: path={hop.m2m_reverse_field_name()!r})",
            )
        if is_generic_foreign_key(hop):
            hops.append(generic_hop(model, hop, path, target, last=position == len(names) - 1))
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
        model = concrete(hop.related_model)
    return tuple(hops)


COUNTER_DECLARATIONS = (
    declarations.Count,
    declarations.Sum,
    declarations.Min,
    declarations.Max,
)


def _family(field: models.Field[Any, Any]) -> str | None:
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
) -> tuple[models.Field[Any, Any], models.Field[Any, Any]]:
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
    family = _family(value) if isinstance(value, models.Field) else None  # a reverse relation: none
    if family not in accepted or not isinstance(value, models.Field):
        raise CounterDeclarationError(
            "counters.E016",
            f"{what}.{declaration.field}: {source._meta.label}.{value.name} is a "
            f"{type(value).__name__}; a {kind.title()} keeps "
            + ("integer or decimal" if kind == "sum" else "timestamp, date, integer or decimal")
            + " columns exactly (floats cannot be summed exactly)",
        )
    wanted = {"integer": "an integer field", "decimal": "a DecimalField"}
    target_family = _family(field_) if isinstance(field_, models.Field) else None
    fits = target_family == family or (
        kind == "sum" and family == "integer" and target_family == "decimal"
    )
    if fits and isinstance(field_, models.DecimalField) and isinstance(value, models.DecimalField):
        fits = field_.decimal_places >= value.decimal_places
    if not fits or not isinstance(field_, models.Field):
        expected = wanted.get(family or "", f"a {type(value).__name__}")
        if isinstance(value, models.DecimalField):
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
) -> models.Field[Any, Any]:
    """The source field whose different values a distinct count counts: a column of the
    source's own table (a foreign key counts the rows it points to)."""
    try:
        found = source._meta.get_field(str(count.distinct))
    except FieldDoesNotExist:
        found = None
    if (
        not isinstance(found, models.Field)  # a reverse relation, or no such field
        or not getattr(found, "concrete", False)
        or found.many_to_many
    ):
        raise CounterDeclarationError(
            "counters.E003",
            f"{what}.{count.field}: distinct={count.distinct!r}: {source._meta.label} has no "
            f"such column (name a field of its own table, or a foreign key)",
        )
    return found


def _column(field: models.Field[Any, Any] | models.ForeignObjectRel) -> str:
    """The column of a field an index or constraint names (always a concrete field)."""
    if not isinstance(field, models.Field):
        raise CounterDeclarationError(f"{field} is not a column")
    return column(field)


def index_warning(counter: Counter) -> str | None:
    """For a Min, Max or distinct count: a warning unless an index of the source starts with the
    columns its recompute filters and orders by (the first foreign key, then the value)."""
    if not counter.recomputed:
        return None
    value = counter.value_field
    first = counter.hops[0] if counter.hops else None
    wanted = (list(hop_columns(first)) if first else []) + [column(value)]
    meta = counter.source._meta
    candidates = []
    for index in meta.indexes:
        names = [name.lstrip("-") for name in index.fields]
        candidates.append([_column(meta.get_field(name)) for name in names if name])
    for constraint in meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            candidates.append([_column(meta.get_field(name)) for name in constraint.fields])
    db_index = value.db_index  # type: ignore[attr-defined]  # Field.db_index: not in django-stubs
    if not counter.hops and (db_index or value.unique):
        candidates.append([column(value)])
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
    field_ = field_named(target, count.field, what) if kind == "count" else None
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
            f"{what}.{count.field}: {source._meta.label} has a composite primary key, which "
            f"counters do not support",
        )
    source = concrete(source)  # a proxy's rows: its model's
    value = None
    if not isinstance(count, declarations.Count):
        field_, value = _aggregate_fields(target, source, count, what)
    elif count.distinct is not None:
        kind = "distinct"
        value = _distinct_field(source, count, what)
    if field_ is None:  # pragma: no cover - a Count's field is found above, the others' with value
        raise CounterDeclarationError("counters.E003", f"{what}: no field {count.field!r}")
    hops = _resolve_hops(source, count.path, target)
    if hops:
        end = concrete(hops[-1].related_model)
        pk = target._meta.pk
        reaches_target = end is concrete(target) or (
            isinstance(pk, models.ForeignKey) and concrete(pk.related_model) is end
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
    counter = Counter.of_kind(kind)(
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


def onto_concrete_models(
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

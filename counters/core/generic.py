"""A path's last hop through a ``GenericForeignKey`` (django-contrib-comments, django-taggit)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models

from counters import meta
from counters.exceptions import CounterDeclarationError
from counters.meta import dialect
from counters.sql.quoting import literal, quote

INTEGER_TYPES = {"smallint": 2**15, "integer": 2**31, "bigint": 2**63}


@dataclass(frozen=True)
class GenericHop:
    """The last hop of a path through a ``GenericForeignKey`` (``content_object``): the rows
    whose content type column names :attr:`related_model` and whose object id column holds one
    of its keys. It answers what a path asks of a ``ForeignKey`` (``name``, ``column``,
    ``model``, ``related_model``, ``target_field``), plus the content type column."""

    name: str
    model: type[models.Model]  # the model holding the generic foreign key
    related_model: type[models.Model]  # the model it points to, for this counter
    id_field: models.Field[Any, Any]  # object_pk / object_id
    ct_field: models.ForeignKey[Any, Any]  # content_type

    @property
    def column(self) -> str:
        return meta.column(self.id_field)

    @property
    def ct_column(self) -> str:
        return meta.column(self.ct_field)

    @property
    def target_field(self) -> models.Field[Any, Any]:
        return self.related_model._meta.pk

    @property
    def textual(self) -> bool:
        """Whether the object id is stored as text (django-contrib-comments' ``object_pk``)."""
        return self.id_field.get_internal_type() in ("CharField", "TextField", "SlugField")

    @property
    def holds_keys(self) -> bool:
        """Whether the object id column can name keys of :attr:`related_model`: a text id (any
        key, in its text form), an id of the key's own type, or integers of any width."""
        connection = dialect()
        key_type = self.target_field.rel_db_type(connection)
        id_type = self.id_field.db_type(connection)
        both_integers = key_type in INTEGER_TYPES and id_type in INTEGER_TYPES
        return self.textual or id_type == key_type or both_integers

    def content_type_sql(self) -> str:
        """The id of :attr:`related_model`'s content type, looked up by the database when the
        statement runs: content type ids differ between databases and fixtures."""
        meta = self.related_model._meta
        table = quote(self.ct_field.related_model._meta.db_table)
        return (
            f"(SELECT ct.id FROM {table} AS ct WHERE ct.app_label = {literal(meta.app_label)} "
            f"AND ct.model = {literal(meta.model_name)})"
        )

    def key_sql(self, column: str) -> str:
        """The key of :attr:`related_model` that the object id ``column`` (SQL) names, of the
        key's own type, or NULL where it names none: a text id counts only in the canonical form
        Django writes and joins on (``str(pk)``), so nothing is ever cast that cannot be (a
        malformed id is simply not counted, never an error in the writer's statement), and the
        key column itself is never cast."""
        connection = dialect()
        key_type = self.target_field.rel_db_type(connection)
        id_type = self.id_field.db_type(connection)
        if id_type == key_type:
            return column
        if key_type in INTEGER_TYPES:
            limit = INTEGER_TYPES[key_type]
            if id_type in INTEGER_TYPES:
                if INTEGER_TYPES[id_type] <= limit:
                    return column  # compared with the key as it is: its index serves lookups
                in_range = f"{column} BETWEEN {-limit} AND {limit - 1}"
                return f"CASE WHEN {in_range} THEN {column}::{key_type} END"
            whole = f"{column} ~ '^(0|-?[1-9][0-9]{{0,17}})$'"  # fits a bigint
            if key_type == "bigint":
                return f"CASE WHEN {whole} THEN {column}::bigint END"
            in_range = f"{column}::bigint BETWEEN {-limit} AND {limit - 1}"
            return f"CASE WHEN {whole} THEN CASE WHEN {in_range} THEN {column}::{key_type} END END"
        if key_type == "uuid":
            canonical = "'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'"
            return f"CASE WHEN {column} ~ {canonical} THEN {column}::uuid END"
        key_field = self.target_field
        while isinstance(key_field, models.ForeignKey):  # a key that is itself a foreign key
            key_field = key_field.target_field
        length = getattr(key_field, "max_length", None)
        if length:
            return f"CASE WHEN length({column}) <= {int(length)} THEN {column}::{key_type} END"
        return f"{column}::{key_type}"


def hop_column(hop: models.ForeignKey[Any, Any] | GenericHop) -> str:
    """The column of a hop's own model that holds the key it points to (a generic hop's object
    id)."""
    return hop.column if isinstance(hop, GenericHop) else meta.column(hop)


def hop_columns(hop: models.ForeignKey[Any, Any] | GenericHop) -> tuple[str, ...]:
    """The columns of a hop's own model that decide where its rows count."""
    if isinstance(hop, GenericHop):
        return (hop.ct_column, hop.column)
    return (meta.column(hop),)


def is_generic_foreign_key(field: object) -> bool:
    if not apps.is_installed("django.contrib.contenttypes"):
        return False
    from django.contrib.contenttypes.fields import GenericForeignKey

    return isinstance(field, GenericForeignKey)


def generic_hop(
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
    pointed = meta.concrete(pk.related_model if isinstance(pk, models.ForeignKey) else target)
    id_field = model._meta.get_field(gfk.fk_field)
    ct_field = model._meta.get_field(gfk.ct_field)
    if not isinstance(id_field, models.Field) or not isinstance(ct_field, models.ForeignKey):
        raise CounterDeclarationError(
            "counters.E019",
            f"path {path!r}: {label} needs an object id field ({gfk.fk_field!r}) and a content "
            f"type foreign key ({gfk.ct_field!r}) of {model._meta.label}",
        )
    hop = GenericHop(
        name=gfk.name,
        model=meta.concrete(model),
        related_model=pointed,
        id_field=id_field,
        ct_field=ct_field,
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

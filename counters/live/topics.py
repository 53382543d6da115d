"""What a live stream watches: topics naming declared counters and their rows, parsed and checked
(:func:`parse_topics`), who may watch them (:func:`may_watch`), and how one read finds their
values (:func:`read_sql`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections, models

from counters import meta
from counters.conf import stream_authorize
from counters.core import registry
from counters.core.keys import clean_key
from counters.exceptions import CounterError, UnknownCounterError
from counters.meta import dialect
from counters.reading import value_sql
from counters.sql.quoting import quote


class TopicError(CounterError, ValueError):
    """A stream asked for a counter that does not exist, or without a valid key."""


@dataclass(frozen=True)
class Topic:
    """One value a page watches: a counter of a target row."""

    model: type[models.Model]
    key: object
    field: str

    @property
    def name(self) -> str:
        label = f"{self.model._meta.label}.{self.field}"
        singleton = _singleton_key(self.model)
        return label if singleton is not None and self.key == singleton else f"{label}:{self.key}"


def may_watch(request: object, topic: Topic) -> bool:
    """Whether ``request`` may stream ``topic``: always for a counter declared ``public``; else as
    ``COUNTERS_STREAM_AUTHORIZE`` decides (default: never)."""
    if registry.is_public(topic.model, topic.field):
        return True
    authorize = stream_authorize()
    return bool(authorize is not None and authorize(request, topic))


def _singleton_key(model: type[models.Model]) -> object | None:
    found = registry.counters_on(model)
    if found and found[0].mode == "singleton":
        return found[0].singleton_key
    return None


def parse_topics(specs: Iterable[str], limit: int | None = None) -> list[Topic]:
    """``["counters_social.GlobalStats.total_follows", "counters_social.UserStats:42"]`` -> topics
    (each once); keys are checked against the key column (:func:`counters.core.keys.clean_key`), and
    at most ``limit`` topics are accepted. Raises :class:`TopicError` naming what is wrong."""
    specs = list(dict.fromkeys(specs))
    if limit is not None and len(specs) > limit:  # before any work on them
        raise TopicError(f"a stream watches at most {limit} counters; {len(specs)} were asked")
    topics: dict[Topic, None] = {}
    for spec in specs:
        label, _, raw_key = spec.partition(":")
        try:
            chosen = registry.select([label])
        except UnknownCounterError as exc:
            raise TopicError(str(exc)) from None
        model = chosen[0].target
        fields = [c.field.name for c in chosen]
        if label == model._meta.label:  # a whole model: its event counters too
            fields += [f.name for f in registry.event_fields(model)]
        singleton = _singleton_key(model)
        if not raw_key:
            if singleton is None:
                raise TopicError(f"{label} needs a key: {label}:<{model._meta.pk.name}>")
            key = singleton
        else:
            if singleton is not None:
                raise TopicError(f"{label} is a single-row total: name it without a key")
            try:
                key = clean_key(model, raw_key)
            except ValueError as exc:
                raise TopicError(str(exc)) from None
        topics.update((Topic(model, key, name), None) for name in fields)
        if limit is not None and len(topics) > limit:
            raise TopicError(
                f"a stream watches at most {limit} counters (a whole row counts each of its "
                "counters)"
            )
    if not topics:
        raise TopicError("name at least one counter, e.g. ?c=app_label.Model.field:<key>")
    return list(topics)


def missing_rows(topics: Iterable[Topic], using: str = DEFAULT_DB_ALIAS) -> list[Topic]:
    """The topics whose key names no row: neither a target row nor a row of the model the
    counters' paths end at (a stats row not created yet still has its user). Single-row totals
    always exist. One query per target model; the hub never spends time on keys that cannot
    change."""
    by_model: dict[type[models.Model], set[object]] = defaultdict(set)
    for topic in topics:
        if _singleton_key(topic.model) is None:
            by_model[topic.model].add(topic.key)
    absent: set[tuple[type[models.Model], object]] = set()
    for model, keys in by_model.items():
        key_type = model._meta.pk.rel_db_type(connections[using])
        places = {(model._meta.db_table, meta.column(model._meta.pk))}
        for counter in registry.counters_on(model):
            if counter.key_model is not None and counter.key_reference is not None:
                places.add((counter.key_model._meta.db_table, counter.key_reference))
        exists = " OR ".join(
            f"EXISTS (SELECT 1 FROM {quote(table)} AS r WHERE r.{quote(column)} = k.key)"
            for table, column in sorted(places)
        )
        with connections[using].cursor() as cursor:
            cursor.execute(
                f"SELECT k.key FROM unnest(%s::{key_type}[]) AS k (key) WHERE NOT ({exists})",
                [sorted(keys, key=str)],
            )
            absent.update((model, row[0]) for row in cursor.fetchall())
    return [topic for topic in topics if (topic.model, topic.key) in absent]


def read_sql(model: type[models.Model], fields: list[str]) -> str:
    """``SELECT key, value...`` of ``fields`` (column plus pending deltas) for the keys of the
    array ``%s``, a row not created yet reading as what is pending for it."""
    table, key = quote(model._meta.db_table), quote(meta.column(model._meta.pk))
    key_type = model._meta.pk.rel_db_type(dialect())
    columns = ", ".join(value_sql(model, name, "t", key="k.key") for name in fields)
    return (
        f"SELECT k.key, {columns} FROM unnest(%s::{key_type}[]) AS k (key) "
        f"LEFT JOIN {table} AS t ON t.{key} = k.key"
    )

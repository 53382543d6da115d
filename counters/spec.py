"""A resolved counter: one declaration, with its models and the SQL fragments everything else uses."""

from __future__ import annotations

import datetime
import decimal
import math
import uuid
import zlib
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.sql import Query

from counters.exceptions import CounterDeclarationError


def quote(name: str) -> str:
    """Quote an SQL identifier the way Django's PostgreSQL backend does.

    A name already in double quotes is left alone, which is how Django models name a table in
    another schema (``db_table = 'reports"."daily'``); everything else is wrapped in quotes.
    """
    if name.startswith('"') and name.endswith('"'):
        return name
    return f'"{name}"'


def literal(value: object) -> str:
    """Render a Python value as an SQL literal (for values fixed at declaration time: condition
    parameters, single-row keys, counter labels). Needs no database driver."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | decimal.Decimal):
        if isinstance(value, float) and not math.isfinite(value):
            raise CounterDeclarationError(f"{value!r} has no SQL literal")
        return f"{value}::numeric" if isinstance(value, decimal.Decimal) else repr(value)
    if isinstance(value, str):
        if "\x00" in value:
            raise CounterDeclarationError("a NUL character cannot be part of an SQL literal")
        if "\\" in value:
            return "E'" + value.replace("\\", "\\\\").replace("'", "''") + "'"
        return "'" + value.replace("'", "''") + "'"
    if isinstance(value, uuid.UUID):
        return f"'{value}'::uuid"
    if isinstance(value, datetime.datetime):
        kind = "timestamptz" if value.tzinfo is not None else "timestamp"
        return f"'{value.isoformat()}'::{kind}"
    if isinstance(value, datetime.date):
        return f"'{value.isoformat()}'::date"
    if isinstance(value, datetime.time):
        return f"'{value.isoformat()}'::time"
    raise CounterDeclarationError(f"cannot write {type(value).__name__} {value!r} as SQL")


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
    id_field: models.Field  # object_pk / object_id
    ct_field: models.ForeignKey  # content_type

    @property
    def column(self) -> str:
        return self.id_field.column

    @property
    def ct_column(self) -> str:
        return self.ct_field.column

    @property
    def target_field(self) -> models.Field:
        return self.related_model._meta.pk

    @property
    def textual(self) -> bool:
        """Whether the object id is stored as text (django-contrib-comments' ``object_pk``)."""
        return self.id_field.get_internal_type() in ("CharField", "TextField", "SlugField")

    @property
    def holds_keys(self) -> bool:
        """Whether the object id column can name keys of :attr:`related_model`: a text id (any
        key, in its text form), an id of the key's own type, or integers of any width."""
        connection = connections[DEFAULT_DB_ALIAS]
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
        connection = connections[DEFAULT_DB_ALIAS]
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


def hop_columns(hop: models.ForeignKey | GenericHop) -> tuple[str, ...]:
    """The columns of a hop's own model that decide where its rows count."""
    if isinstance(hop, GenericHop):
        return (hop.ct_column, hop.column)
    return (hop.column,)


@dataclass(frozen=True)
class Counter:
    """A trigger-kept counter: ``target.field`` = number of ``source`` rows reaching that target row.

    ``hops`` are the foreign keys from the source, one per model along the path. ``path_models``
    are the models whose rows decide the count, so each of them gets counter triggers: the source,
    each intermediate model, and the model the path ends at when the last foreign key points to a
    column (``to_field``) other than the one the target is keyed by.
    """

    target: type[models.Model]
    field: models.Field
    source: type[models.Model]
    hops: tuple[models.ForeignKey | GenericHop, ...]
    condition: models.Q | None
    public: bool = False
    kind: str = "count"  # "count", "sum", "min", "max" or "distinct"
    value: models.Field | None = None  # the source field summed, kept, or counted distinct

    @property
    def label(self) -> str:
        """``app_label.Model.field``: how commands, the admin and errors name this counter."""
        return f"{self.target._meta.label}.{self.field.name}"

    def __str__(self) -> str:
        return self.label

    @property
    def id(self) -> int:
        """The counter's number in ``counters_delta.counter``: a stable hash of its label."""
        return stable_id(self.label)

    # -- kinds: what a source row contributes and how pending deltas combine ------------------

    @property
    def value_field(self) -> models.Field:
        """The source field a Sum, Min or Max keeps (a Count has none)."""
        if self.value is None:
            raise CounterDeclarationError(f"{self.label} is a count: it has no value column")
        return self.value

    @property
    def extreme(self) -> bool:
        """A Min or Max: pending rows are candidates and recompute markers, not amounts."""
        return self.kind in ("min", "max")

    @property
    def recomputed(self) -> bool:
        """A Min, a Max or a distinct count: its pending rows are markers (and a Min's or Max's
        candidates), and whoever holds the row recomputes it from the source rows when they say
        so. A distinct count is recomputed after every change of its rows (whether a value
        arrived or left for good is known only by looking)."""
        return self.extreme or self.kind == "distinct"

    @property
    def marker_id(self) -> int:
        """For a Min or Max: the ``counters_delta.counter`` of its "recompute" markers, appended
        when a row leaves (it may have held the extreme)."""
        return stable_id(self.label + "#recompute")

    @property
    def marker_ids(self) -> tuple[int, ...]:
        """The ``counters_delta.counter`` numbers of pending rows that ask for a recompute: a Min's
        or Max's markers (rows left), and every pending row of a distinct count."""
        return (self.id, self.marker_id) if self.kind == "distinct" else (self.marker_id,)

    def is_marker(self, counter: str) -> str:
        """SQL true when ``counter`` (a ``counters_delta.counter`` value) is one of
        :attr:`marker_ids`."""
        ids = self.marker_ids
        if len(ids) == 1:
            return f"{counter} = {ids[0]}"
        return f"{counter} IN ({', '.join(map(str, ids))})"

    @property
    def delta_ids(self) -> tuple[int, ...]:
        """Every ``counters_delta.counter`` number this counter uses."""
        return (self.id, self.marker_id) if self.recomputed else (self.id,)

    @property
    def empty(self) -> str:
        """The value with no source rows, as SQL: 0, or NULL for a Min or Max."""
        return "NULL" if self.extreme else "0"

    @cached_property
    def _codec(self) -> tuple[str, str]:
        """How a source value travels in ``counters_delta.delta`` (a bigint), both ways:
        templates over ``{v}`` (a value) and ``{d}`` (a delta). Exact for every type accepted:
        decimals are scaled by their decimal places, timestamps are microseconds since the
        epoch, dates days since the epoch."""
        if self.kind in ("count", "distinct"):
            return "1", "{d}"
        internal = self.value_field.get_internal_type()
        if internal == "DecimalField":
            scale = 10**self.value_field.decimal_places
            return f"({{v}} * {scale})::bigint", f"(({{d}})::numeric / {scale})"
        if internal == "DateTimeField":
            return (
                "(extract(epoch FROM {v}) * 1000000)::bigint",
                "(timestamptz 'epoch' + ({d}) * interval '1 microsecond')",
            )
        if internal == "DateField":
            return "({v} - DATE '1970-01-01')", "(DATE '1970-01-01' + ({d})::integer)"
        return "{v}", "{d}"

    def typed(self, sql: str) -> str:
        """``sql`` cast to the target column's type (a sum of bigints is a numeric, a decoded
        decimal has extra scale): what a read returns is what the column would hold."""
        if self.kind in ("count", "distinct"):
            return sql
        return f"({sql})::{self.field.db_type(connections[DEFAULT_DB_ALIAS])}"

    def encode(self, value: str) -> str:
        return self._codec[0].format(v=value)

    def decode(self, delta: str) -> str:
        return self._codec[1].format(d=delta)

    def arm(self, sign: str) -> tuple[int, str]:
        """The ``counters_delta`` (counter, delta) of the rows of a transition table (``r``) on
        the ``sign`` side (``"1"`` new rows, ``"-1"`` old rows), grouped by target key: the delta
        is an aggregate over one key's rows (an arm aggregates on the key's own type, before it
        becomes text)."""
        if self.kind == "count":
            return self.id, "count(*)" if sign == "1" else "-count(*)"
        if self.kind == "distinct":  # rows arrived (id) or left (marker): recompute either way
            return (self.id if sign == "1" else self.marker_id), "count(*)"
        if self.kind == "sum":
            amount = self.encode("r.value")
            return self.id, f"sum({amount})::bigint" if sign == "1" else f"-sum({amount})::bigint"
        best = f"{self.kind}({self.encode('r.value')})"
        if sign == "1":
            return self.id, best  # the best candidate
        return (
            self.marker_id,
            best,
        )  # rows left (the best of them): recompute, if it was the extreme

    @property
    def true_aggregate(self) -> str:
        """The true value over rows ``r`` of :meth:`rows_sql`."""
        if self.kind == "distinct":
            return "count(DISTINCT r.value)"
        return "count(*)" if self.kind == "count" else f"{self.kind}(r.value)"

    def recompute_sql(self, key: str) -> str:
        """The true value for the target key ``key`` (an SQL expression), from the source rows."""
        lookup = f"r.key = {key}"
        if self.generic and self.generic.textual:  # found through the object id's index
            lookup += f" AND r.written = ({key})::text"
        return f"(SELECT {self.true_aggregate} FROM ({self.rows_sql(-1, '')}) AS r WHERE {lookup})"

    def pending_aggregates(self, i: int, rows: str) -> list[str]:
        """Aggregates over ``counters_delta`` rows aliased ``rows`` (grouped by key) that
        :meth:`merged` combines with the column: ``d{i}`` (and for a Min or Max, ``m{i}``: a row
        left, and ``v{i}``: the best value of the rows that left)."""
        if self.kind == "count":  # a count stays an integer (a sum of bigints is a numeric)
            return [
                f"(sum({rows}.delta) FILTER (WHERE {rows}.counter = {self.id}))::bigint AS d{i}"
            ]
        if self.kind == "distinct":
            return [
                f"NULL::bigint AS d{i}",
                f"bool_or({self.is_marker(f'{rows}.counter')}) AS m{i}",
                f"NULL::bigint AS v{i}",
            ]
        if not self.extreme:
            return [f"sum({rows}.delta) FILTER (WHERE {rows}.counter = {self.id}) AS d{i}"]
        return [
            f"{self.kind}({rows}.delta) FILTER (WHERE {rows}.counter = {self.id}) AS d{i}",
            f"bool_or({self.is_marker(f'{rows}.counter')}) AS m{i}",
            f"{self.kind}({rows}.delta) FILTER (WHERE {rows}.counter = {self.marker_id}) AS v{i}",
        ]

    def merged(
        self, column: str, aggregates: str, i: int, key: str, *, recompute: bool = True
    ) -> str:
        """``column`` with the pending aggregates ``aggregates.d{i}`` (see
        :meth:`pending_aggregates`) applied: added, or for a Min or Max the extreme of both,
        recomputed for ``key`` when a row has left. Without ``recompute`` the candidates are
        applied and rows that left are not: the caller recomputes in a later statement when they
        reached the column (see :meth:`must_recompute` and
        :func:`counters.folding.render_recompute`)."""
        if self.kind == "distinct":
            return self._recomputed(f"{aggregates}.m{i}", column, key) if recompute else column
        pending = self.decode(f"{aggregates}.d{i}")
        if not self.extreme:
            return self.typed(f"{column} + coalesce({pending}, 0)")
        if not recompute:
            best = "greatest" if self.kind == "max" else "least"
            return self.typed(f"{best}({column}, {pending})")
        best = "greatest" if self.kind == "max" else "least"
        kept = f"{best}({column}, {pending})"
        return self._recomputed(f"{aggregates}.m{i}", kept, key)

    def must_recompute(self, marked: str, column: str, value: str) -> str:
        """SQL true when the row must be recomputed: ``marked`` (SQL: pending rows asked for it,
        see :meth:`is_marker`) and, for a Min or Max, the rows that left, the best of them
        ``value`` (a decoded marker value), may have held ``column``'s value (at or beyond it),
        or the column is NULL; a row below a Max (above a Min) did not hold it. A distinct count
        is recomputed whenever it is marked."""
        if not self.extreme:
            return marked
        beyond = ">=" if self.kind == "max" else "<="
        return f"({marked} AND ({column} IS NULL OR {value} {beyond} {column}))"

    def read_sql(self, column: str, key: str) -> str:
        """What a read of one row returns: ``column`` (NULL for a missing row) plus what is
        pending for ``key``, in the same snapshot."""
        if not self.recomputed:
            return self.typed(f"coalesce({column}, 0) + {self.pending_sql(key)}")
        marked = (
            f"EXISTS (SELECT 1 FROM counters_delta AS p WHERE {self.is_marker('p.counter')} "
            f"AND p.key = ({key})::text)"
        )
        if self.kind == "distinct":
            return self._recomputed(marked, f"coalesce({column}, 0)", key)
        candidates = self.decode(
            f"(SELECT {self.kind}(p.delta) FROM counters_delta AS p "
            f"WHERE p.counter = {self.id} AND p.key = ({key})::text)"
        )
        best = "greatest" if self.kind == "max" else "least"
        return self._recomputed(marked, f"{best}({column}, {candidates})", key)

    def _recomputed(self, marked: str, kept: str, key: str) -> str:
        """The value recomputed for ``key`` from the source rows when ``marked`` (SQL), else
        ``kept`` (SQL: the column, with a Min's or Max's pending candidates)."""
        return self.typed(f"CASE WHEN {marked} THEN {self.recompute_sql(key)} ELSE {kept} END")

    def drift(self, cached: Any, true: Any) -> Any:
        """How far ``cached`` is from ``true``: 0 when equal, else their difference (a number,
        a timedelta), or None when one of them is NULL."""
        if cached == true:
            return 0
        if cached is None or true is None:
            return None
        return cached - true

    # -- the path ---------------------------------------------------------------------------

    @property
    def path(self) -> str | None:
        return "__".join(hop.name for hop in self.hops) or None

    @property
    def generic(self) -> GenericHop | None:
        """The path's last hop when it is a ``GenericForeignKey``."""
        last = self.hops[-1] if self.hops else None
        return last if isinstance(last, GenericHop) else None

    @property
    def key_model(self) -> type[models.Model] | None:
        """The model the path ends at (the target, or the model the target's primary key points
        to), ``None`` for totals."""
        return self.hops[-1].related_model._meta.concrete_model if self.hops else None

    @property
    def key_reference(self) -> str | None:
        """The column of :attr:`key_model` whose value is the target row's key."""
        if not self.hops:
            return None
        if self.mode == "update":
            return self.target._meta.pk.column
        return self.target._meta.pk.target_field.column

    @property
    def translates_key(self) -> bool:
        """Whether the last foreign key points to another column of the key model than the one
        the target is keyed by (``to_field``), so the key model is joined to find the key."""
        return bool(self.hops) and self.hops[-1].target_field.column != self.key_reference

    @property
    def path_models(self) -> tuple[type[models.Model], ...]:
        """The source, every intermediate model, and the key model when it is joined."""
        joined = self.hops if self.translates_key else self.hops[:-1]
        return (self.source, *(hop.related_model._meta.concrete_model for hop in joined))

    @property
    def mode(self) -> str:
        """How deltas land: ``upsert`` (stats row created on demand), ``update``, or ``singleton``."""
        if not self.hops:
            return "singleton"
        end = self.hops[-1].related_model._meta.concrete_model
        if end is self.target._meta.concrete_model:
            return "update"
        return "upsert"

    @property
    def table(self) -> str:
        return self.target._meta.db_table

    @property
    def key_column(self) -> str:
        return self.target._meta.pk.column

    @property
    def singleton_key(self) -> object:
        """The primary key value of a single-row target (its pk field's default)."""
        return self.target._meta.pk.get_default()

    @property
    def key_db_type(self) -> str:
        return self.target._meta.pk.rel_db_type(connections[DEFAULT_DB_ALIAS])

    @cached_property
    def condition_sql(self) -> str | None:
        """The condition compiled against the source row aliased ``s0`` (literals inlined)."""
        if self.condition is None:
            return None
        return compile_condition(self.source, self.condition, "s0")

    def _unchanged(self, position: int, other: str) -> str:
        """SQL true for a row at ``position`` of the path whose columns that decide the count
        (the one the previous hop points to, and its own next hop or the key) are as they were
        in ``other`` (the other transition table of an UPDATE): its deltas would cancel."""
        model = self.path_models[position]
        pk = quote(model._meta.pk.column)
        columns = [self.hops[position - 1].target_field.column]
        if position < len(self.hops):
            columns += hop_columns(self.hops[position])
        else:
            columns.append(str(self.key_reference))
        same = [f"u.{pk} = s{position}.{pk}"] + [
            f"u.{quote(c)} IS NOT DISTINCT FROM s{position}.{quote(c)}"
            for c in dict.fromkeys(columns)
            if c != model._meta.pk.column
        ]
        return f"NOT EXISTS (SELECT 1 FROM {other} AS u WHERE {' AND '.join(same)})"

    def _unchanged_source(self, other: str) -> str:
        """For a Min, Max or distinct count: SQL true for an updated source row whose first hop,
        value and condition are as they were in ``other``, so it neither leaves nor brings a candidate
        (an update of a post's title must not make its author's latest post recomputed)."""
        pk = self.source._meta.pk.column
        columns = list(hop_columns(self.hops[0])) if self.hops else []
        columns.append(self.value_field.column)
        same = [f"u.{quote(pk)} = s0.{quote(pk)}"] + [
            f"u.{quote(c)} IS NOT DISTINCT FROM s0.{quote(c)}"
            for c in dict.fromkeys(columns)
            if c != pk
        ]
        if self.condition is not None:
            same.append(
                f"({compile_condition(self.source, self.condition, 'u')}) IS NOT DISTINCT FROM "
                f"({self.condition_sql})"
            )
        return f"NOT EXISTS (SELECT 1 FROM {other} AS u WHERE {' AND '.join(same)})"

    def rows_sql(self, position: int, rows: str, *, unchanged_in: str | None = None) -> str:
        """``SELECT key`` for every source row counted, with ``rows`` read in place of the model at
        ``position`` of the path (a transition table in a trigger; ``-1``: the tables themselves).

        ``unchanged_in`` names the other transition table of an UPDATE: rows of a model further
        along the path whose deciding columns did not change are left out (their deltas cancel).
        Rows of the models after ``position`` are locked FOR KEY SHARE, in key order (the lock a
        foreign key check takes: an ordinary update of those rows never waits for it); the update
        trigger of a model on the path locks the rows whose path columns it changed FOR UPDATE
        first (see :func:`counters.triggers.render_move_lock`), so a move and a counted write on
        the same row serialize instead of both missing each other.
        """
        parts = []
        for j, model in enumerate(self.path_models):
            table = rows if j == position else quote(model._meta.db_table)
            if j == 0:
                parts.append(f"FROM {table} AS s0")
            else:
                hop = self.hops[j - 1]
                parts.append(
                    f"JOIN {table} AS s{j}"
                    f" ON s{j}.{quote(hop.target_field.column)} = s{j - 1}.{quote(hop.column)}"
                )
        where = []
        last = self.generic
        if last is not None:
            alias = f"s{len(self.hops) - 1}"
            key = last.key_sql(f"{alias}.{quote(last.column)}")
            where.append(f"{alias}.{quote(last.ct_column)} = {last.content_type_sql()}")
        elif self.translates_key:
            key = f"s{len(self.hops)}.{quote(str(self.key_reference))}"
        elif self.hops:
            key = f"s{len(self.hops) - 1}.{quote(self.hops[-1].column)}"
        else:
            key = f"{literal(self.singleton_key)}::{self.key_db_type}"
        if self.hops:
            where.append(f"{key} IS NOT NULL")
        value = ""
        if self.value is not None:  # what a Sum adds, or a Min or Max compares (NULL: nothing)
            value = f", s0.{quote(self.value.column)} AS value"
            where.append(f"s0.{quote(self.value.column)} IS NOT NULL")
        if self.condition_sql:
            where.append(f"({self.condition_sql})")
        if unchanged_in is not None and position > 0:
            where.append(self._unchanged(position, unchanged_in))
        elif unchanged_in is not None and position == 0 and self.recomputed:
            where.append(self._unchanged_source(unchanged_in))
        if self.generic and self.generic.textual and position < 0:  # lookups use its index
            value += f", s{len(self.hops) - 1}.{quote(self.hops[-1].column)}::text AS written"
        sql = f"SELECT {key} AS key{value} " + " ".join(parts)
        if where:
            sql += " WHERE " + " AND ".join(where)
        locked = range(position + 1, len(self.path_models)) if position >= 0 else range(0)
        if locked:
            order = ", ".join(f"s{j}.{quote(self.path_models[j]._meta.pk.column)}" for j in locked)
            sql += f" ORDER BY {order} FOR KEY SHARE OF " + ", ".join(f"s{j}" for j in locked)
        return sql

    def pending_sql(self, key: str) -> str:
        """This Count's or Sum's pending deltas for target key ``key`` (an SQL expression),
        summed (see :meth:`read_sql` for every kind)."""
        total = (
            f"(SELECT sum(p.delta) FROM counters_delta AS p WHERE p.counter = {self.id} "
            f"AND p.key = ({key})::text)"
        )
        if self.kind == "count":
            return f"coalesce({total}, 0)::bigint"
        return f"coalesce({self.decode(total)}, 0)"


def stable_id(text: str) -> int:
    """A signed 32-bit number for ``text`` that every process and release computes alike."""
    return zlib.crc32(text.encode()) - 2**31


def compile_condition(model: type[models.Model], condition: models.Q, alias: str) -> str:
    """Compile a ``Q`` on ``model``'s own columns to SQL whose columns are qualified by ``alias``."""
    connection = connections[DEFAULT_DB_ALIAS]
    query = Query(model)
    try:
        where = query.build_where(condition)
    except Exception as exc:  # FieldError, ValueError...: report it against the declaration
        raise CounterDeclarationError(f"invalid condition {condition!r}: {exc}") from exc
    if len(query.alias_map) > 1:
        raise CounterDeclarationError(
            f"condition {condition!r} may only use fields of {model._meta.label} itself (no joins)"
        )
    sql, params = where.as_sql(query.get_compiler(connection=connection), connection)
    sql = sql.replace(f"{quote(model._meta.db_table)}.", f"{alias}.")
    return sql % tuple(literal(param) for param in params)

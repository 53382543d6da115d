"""What a counter's kind (Count, Sum, Min, Max, distinct Count) decides: what a source row
contributes to ``counters_delta``, how a value travels in its bigint ``delta`` (the codec), how
pending rows combine with the column, when a row is recomputed, and what a read returns.

:class:`KindRules` holds what every kind shares; one class per kind family says the rest:
:class:`Counted` (Count), :class:`Summed` (Sum), :class:`Extreme` (Min, Max) and
:class:`DistinctCounted` (a distinct Count). A resolved counter (:mod:`counters.core.counter`) is
one of them: ``Counter.of_kind`` picks the class, so no rule compares ``kind`` strings.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db import models

from counters.exceptions import CounterDeclarationError
from counters.meta import dialect
from counters.sql.quoting import stable_id

if TYPE_CHECKING:
    from counters.core.generic import GenericHop


class KindRules:
    """What every kind shares (mixed into ``Counter``); the defaults are a value's (a Sum's)."""

    kind: str
    value: models.Field[Any, Any] | None
    field: models.Field[Any, Any]

    # a Min, a Max or a distinct count: its pending rows are markers (and a Min's or Max's
    # candidates), and whoever holds the row recomputes it from the source rows when they say so
    recomputed = False
    counts_up_from_zero = False  # a Count: only a positive delta needs its target row created
    empty = "0"  # the value with no source rows, as SQL

    if TYPE_CHECKING:

        @property
        def label(self) -> str: ...

        @property
        def id(self) -> int: ...

        @property
        def generic(self) -> GenericHop | None: ...

        def rows_sql(self, position: int, rows: str, *, unchanged_in: str | None = None) -> str: ...

    @property
    def combined(self) -> str:
        """The aggregate that combines one statement's deltas of this counter and one key into
        one pending row: amounts add up."""
        return "sum"

    @property
    def value_field(self) -> models.Field[Any, Any]:
        """The source field a Sum, Min or Max keeps (a Count has none)."""
        if self.value is None:
            raise CounterDeclarationError(f"{self.label} is a count: it has no value column")
        return self.value

    @property
    def marker_id(self) -> int:
        """For a Min or Max: the ``counters_delta.counter`` of its "recompute" markers, appended
        when a row leaves (it may have held the extreme)."""
        return stable_id(self.label + "#recompute")

    @property
    def marker_ids(self) -> tuple[int, ...]:
        """The ``counters_delta.counter`` numbers of pending rows that ask for a recompute."""
        return (self.marker_id,)

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

    @cached_property
    def _codec(self) -> tuple[str, str]:
        """How a source value travels in ``counters_delta.delta`` (a bigint), both ways:
        templates over ``{v}`` (a value) and ``{d}`` (a delta). Exact for every type accepted:
        decimals are scaled by their decimal places, timestamps are microseconds since the
        epoch, dates days since the epoch."""
        value = self.value_field
        if isinstance(value, models.DecimalField):
            scale = 10**value.decimal_places
            return f"({{v}} * {scale})::bigint", f"(({{d}})::numeric / {scale})"
        internal = value.get_internal_type()
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
        return f"({sql})::{self.field.db_type(dialect())}"

    def encode(self, value: str) -> str:
        return self._codec[0].format(v=value)

    def decode(self, delta: str) -> str:
        return self._codec[1].format(d=delta)

    def arm(self, sign: str) -> tuple[int, str]:
        """The ``counters_delta`` (counter, delta) of the rows of a transition table (``r``) on
        the ``sign`` side (``"1"`` new rows, ``"-1"`` old rows), grouped by target key: the delta
        is an aggregate over one key's rows (an arm aggregates on the key's own type, before it
        becomes text). A Sum's: the rows' amounts, added or taken away."""
        amount = self.encode("r.value")
        return self.id, f"sum({amount})::bigint" if sign == "1" else f"-sum({amount})::bigint"

    @property
    def true_aggregate(self) -> str:
        """The true value over rows ``r`` of :meth:`rows_sql`."""
        return f"{self.kind}(r.value)"

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
        return [f"sum({rows}.delta) FILTER (WHERE {rows}.counter = {self.id}) AS d{i}"]

    def _marked_aggregates(self, i: int, rows: str, candidates: str, left: str) -> list[str]:
        """A recomputed kind's :meth:`pending_aggregates`: ``d{i}`` (SQL ``candidates``: the
        best pending value), ``m{i}`` (a pending row asks for a recompute) and ``v{i}`` (SQL
        ``left``: the best value of the rows that left)."""
        marked = f"bool_or({self.is_marker(f'{rows}.counter')})"
        return [f"{candidates} AS d{i}", f"{marked} AS m{i}", f"{left} AS v{i}"]

    def merged(
        self, column: str, aggregates: str, i: int, key: str, *, recompute: bool = True
    ) -> str:
        """``column`` with the pending aggregates ``aggregates.d{i}`` (see
        :meth:`pending_aggregates`) applied: added, or for a Min or Max the extreme of both,
        recomputed for ``key`` when a row has left. Without ``recompute`` the candidates are
        applied and rows that left are not: the caller recomputes in a later statement when they
        reached the column (see :meth:`must_recompute` and
        :func:`counters.sql.fold.render_recompute`)."""
        return self.typed(f"{column} + coalesce({self.decode(f'{aggregates}.d{i}')}, 0)")

    def one_added(self, column: str, value: str) -> str:
        """``column`` with one decoded delta ``value`` applied (a writer adding its deltas one at
        a time); a distinct count leaves it to its recompute."""
        return self.typed(f"{column} + {value}")

    def must_recompute(self, marked: str, column: str, value: str) -> str:
        """SQL true when the row must be recomputed: ``marked`` (SQL: pending rows asked for it,
        see :meth:`is_marker`); for a Min or Max only when the rows that left may have held the
        column's value (see :meth:`Extreme.must_recompute`)."""
        return marked

    def pending_sql(self, key: str) -> str:
        """This Count's or Sum's pending deltas for target key ``key`` (an SQL expression),
        summed (see :meth:`read_sql` for every kind)."""
        return f"coalesce({self.decode(self._pending_total(key))}, 0)"

    def _pending_total(self, key: str) -> str:
        return (
            f"(SELECT sum(p.delta) FROM counters_delta AS p WHERE p.counter = {self.id} "
            f"AND p.key = ({key})::text)"
        )

    def read_sql(self, column: str, key: str) -> str:
        """What a read of one row returns: ``column`` (NULL for a missing row) plus what is
        pending for ``key``, in the same snapshot."""
        return self.typed(f"coalesce({column}, 0) + {self.pending_sql(key)}")

    def _marked(self, key: str) -> str:
        """SQL true when a pending row asks for ``key``'s recompute."""
        return (
            f"EXISTS (SELECT 1 FROM counters_delta AS p WHERE {self.is_marker('p.counter')} "
            f"AND p.key = ({key})::text)"
        )

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


class Summed(KindRules):
    """A Sum: amounts that add up (the defaults)."""


class RowsCounted(KindRules):
    """What both counts share: a row counts one, and the column is an integer that needs no
    cast."""

    @cached_property
    def _codec(self) -> tuple[str, str]:
        return "1", "{d}"

    def typed(self, sql: str) -> str:
        return sql


class Counted(RowsCounted):
    """A Count: one per row, added; a count stays an integer (a sum of bigints is a numeric)."""

    counts_up_from_zero = True

    def arm(self, sign: str) -> tuple[int, str]:
        return self.id, "count(*)" if sign == "1" else "-count(*)"

    @property
    def true_aggregate(self) -> str:
        return "count(*)"

    def pending_aggregates(self, i: int, rows: str) -> list[str]:
        return [f"(sum({rows}.delta) FILTER (WHERE {rows}.counter = {self.id}))::bigint AS d{i}"]

    def pending_sql(self, key: str) -> str:
        return f"coalesce({self._pending_total(key)}, 0)::bigint"


class Extreme(KindRules):
    """A Min or a Max: a row's candidates keep their extreme; a row that leaves may have held it,
    so it appends a recompute marker carrying the best value of the rows that left."""

    recomputed = True
    empty = "NULL"

    @property
    def combined(self) -> str:
        return self.kind  # the extreme candidate; one marker row with the best value that left

    @property
    def best(self) -> str:
        """The SQL function keeping the extreme of two values."""
        return "greatest" if self.kind == "max" else "least"

    def arm(self, sign: str) -> tuple[int, str]:
        best = f"{self.kind}({self.encode('r.value')})"
        return (self.id if sign == "1" else self.marker_id), best  # a candidate, or a marker

    def pending_aggregates(self, i: int, rows: str) -> list[str]:
        best = f"{self.kind}({rows}.delta) FILTER (WHERE {rows}.counter = {{}})"
        return self._marked_aggregates(i, rows, best.format(self.id), best.format(self.marker_id))

    def merged(
        self, column: str, aggregates: str, i: int, key: str, *, recompute: bool = True
    ) -> str:
        kept = f"{self.best}({column}, {self.decode(f'{aggregates}.d{i}')})"
        if not recompute:
            return self.typed(kept)
        return self._recomputed(f"{aggregates}.m{i}", kept, key)

    def one_added(self, column: str, value: str) -> str:
        return self.typed(f"{self.best}({column}, {value})")

    def must_recompute(self, marked: str, column: str, value: str) -> str:
        """``marked`` and the rows that left, the best of them ``value`` (a decoded marker
        value), may have held ``column``'s value (at or beyond it), or the column is NULL; a row
        below a Max (above a Min) did not hold it."""
        beyond = ">=" if self.kind == "max" else "<="
        return f"({marked} AND ({column} IS NULL OR {value} {beyond} {column}))"

    def read_sql(self, column: str, key: str) -> str:
        candidates = self.decode(
            f"(SELECT {self.kind}(p.delta) FROM counters_delta AS p "
            f"WHERE p.counter = {self.id} AND p.key = ({key})::text)"
        )
        return self._recomputed(self._marked(key), f"{self.best}({column}, {candidates})", key)


class DistinctCounted(RowsCounted):
    """A distinct Count: recomputed after every change of its rows (whether a value arrived or
    left for good is known only by looking); every pending row of it is a marker."""

    recomputed = True

    @property
    def combined(self) -> str:
        return "max"  # one marker row is enough

    @property
    def marker_ids(self) -> tuple[int, ...]:
        return (self.id, self.marker_id)

    def arm(self, sign: str) -> tuple[int, str]:
        return (self.id if sign == "1" else self.marker_id), "count(*)"  # recompute either way

    @property
    def true_aggregate(self) -> str:
        return "count(DISTINCT r.value)"

    def pending_aggregates(self, i: int, rows: str) -> list[str]:
        return self._marked_aggregates(i, rows, "NULL::bigint", "NULL::bigint")

    def merged(
        self, column: str, aggregates: str, i: int, key: str, *, recompute: bool = True
    ) -> str:
        return self._recomputed(f"{aggregates}.m{i}", column, key) if recompute else column

    def one_added(self, column: str, value: str) -> str:
        return column  # recomputed next

    def read_sql(self, column: str, key: str) -> str:
        return self._recomputed(self._marked(key), f"coalesce({column}, 0)", key)

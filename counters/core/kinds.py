"""What a counter's kind (Count, Sum, Min, Max, distinct Count) decides: what a source row
contributes to ``counters_delta``, how a value travels in its bigint ``delta`` (the codec), how
pending rows combine with the column, when a row is recomputed, and what a read returns.

:class:`KindRules` is the part of :class:`counters.core.counter.Counter` that depends on
``Counter.kind``; the rest of the counter (identity, path, source rows) is in
:mod:`counters.core.counter`.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db import DEFAULT_DB_ALIAS, connections, models

from counters.exceptions import CounterDeclarationError
from counters.sql.quoting import stable_id

if TYPE_CHECKING:
    from counters.core.generic import GenericHop


class KindRules:
    """The kind-dependent SQL of a counter (mixed into ``Counter``)."""

    kind: str
    value: models.Field[Any, Any] | None
    field: models.Field[Any, Any]

    if TYPE_CHECKING:

        @property
        def label(self) -> str: ...

        @property
        def id(self) -> int: ...

        @property
        def generic(self) -> GenericHop | None: ...

        def rows_sql(self, position: int, rows: str, *, unchanged_in: str | None = None) -> str: ...

        def pending_sql(self, key: str) -> str: ...

    @property
    def value_field(self) -> models.Field[Any, Any]:
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
        :func:`counters.sql.fold.render_recompute`)."""
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

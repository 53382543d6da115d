"""The one statement of a counter trigger that reads its transition tables (:func:`render_collect`),
and the lock an UPDATE further along a path takes first (:func:`render_move_lock`)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from django.db import models

from counters.core.counter import Counter
from counters.core.generic import hop_columns
from counters.meta import column
from counters.sql.quoting import quote

NEW, OLD = "counters_new", "counters_old"

SIDES = {"insert": ((NEW, "1"),), "update": ((NEW, "1"), (OLD, "-1")), "delete": ((OLD, "-1"),)}

Feed = tuple[Counter, int]  # a counter and the position of the trigger's model on its path

ARM = """\
        SELECT {id}, r.key::text, {delta} FROM (
            {rows}
        ) AS r GROUP BY r.key"""

COLLECT = """\
SELECT array_agg(d.counter), array_agg(d.key), array_agg(d.delta)
INTO _counters, _keys, _deltas
FROM (
    SELECT part.counter, part.key, {combine} AS delta
    FROM (
{arms}
    ) AS part (counter, key, delta)
    GROUP BY part.counter, part.key
    HAVING {keep}
) AS d;
IF _counters IS NULL THEN
    RETURN NULL;
END IF;"""

MOVE_LOCK = """\
PERFORM 1 FROM {table} AS m
WHERE m.{pk} IN (
    SELECT n.{pk} FROM counters_new AS n JOIN counters_old AS o ON o.{pk} = n.{pk}
    WHERE {changed}
)
ORDER BY m.{pk} FOR UPDATE;"""


def _sides(feeds: list[Feed], operation: str) -> Iterator[tuple[Counter, str, str]]:
    """(counter, the rows it counts on one side of the statement as SQL, that side's sign), in
    label order: an INSERT has new rows, a DELETE old ones, an UPDATE both (rows of a model
    further along the path whose deciding columns did not change are left out)."""
    for counter, position in sorted(feeds, key=lambda feed: (feed[0].label, feed[1])):
        for rows, sign in SIDES[operation]:
            unchanged_in = (NEW if rows == OLD else OLD) if operation == "update" else None
            yield counter, counter.rows_sql(position, rows, unchanged_in=unchanged_in), sign


def _combine(feeds: list[Feed]) -> tuple[str, str]:
    """How one statement's rows of a counter and key combine into one delta row (``combine``),
    and which rows are kept (``keep``): amounts add up and zeros are dropped; a Min's or Max's
    candidates keep their extreme, its recompute markers one row."""
    combine, keep = "sum(part.delta)::bigint", "sum(part.delta) <> 0"
    extremes = sorted({c for c, _ in feeds if c.recomputed}, key=lambda c: c.label)
    if extremes:
        cases = "".join(
            f"\n        WHEN part.counter IN ({', '.join(str(n) for n in c.delta_ids)}) "
            f"THEN {c.combined}(part.delta)"
            for c in extremes
        )
        combine = f"CASE{cases}\n        ELSE sum(part.delta)::bigint END"
        numbers = ", ".join(str(n) for c in extremes for n in c.delta_ids)
        keep = f"part.counter IN ({numbers}) OR sum(part.delta) <> 0"
    return combine, keep


def _arms(feeds: list[Feed], operation: str) -> str:
    arms = []
    for counter, sql, sign in _sides(feeds, operation):
        number, delta = counter.arm(sign)
        arms.append(ARM.format(id=number, delta=delta, rows=sql))
    return "\n        UNION ALL\n".join(arms)


def render_collect(feeds: list[Feed], operation: str) -> str:
    """The one statement of a counter trigger that reads the transition tables: this statement's
    deltas, one per counter and key, into three arrays (nothing counted: the trigger returns).

    PostgreSQL plans a statement that reads a transition table again at every trigger call; the
    statements that read the arrays instead are planned once per connection, so everything else
    the trigger does reads the arrays."""
    combine, keep = _combine(feeds)
    return COLLECT.format(
        combine=combine, keep=keep, arms=textwrap.indent(_arms(feeds, operation), "    ")
    )


def render_move_lock(feeds: list[Feed], model: type[models.Model]) -> str:
    """In the UPDATE trigger of a model further along a path (a session on answer -> session ->
    user): lock ``FOR UPDATE`` the rows whose path columns changed, before counting. A counted
    write reading such a row holds ``FOR KEY SHARE`` on it (as its foreign key check does), so a
    move waits for it and then counts its rows, and a write after the move waits for the move and
    reads the row as moved; an ordinary update of the row (a title) waits for nobody."""
    columns: set[str] = set()
    for counter, position in feeds:
        if position == 0:
            continue
        columns.add(column(counter.hops[position - 1].target_field))
        if position < len(counter.hops):
            columns.update(hop_columns(counter.hops[position]))
        else:
            columns.add(str(counter.key_reference))
    pk = column(model._meta.pk)
    columns.discard(pk)
    if not columns:
        return ""
    return MOVE_LOCK.format(
        table=quote(model._meta.db_table),
        pk=quote(pk),
        changed=" OR ".join(f"o.{quote(c)} IS DISTINCT FROM n.{quote(c)}" for c in sorted(columns)),
    )

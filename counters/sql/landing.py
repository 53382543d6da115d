"""Where a counter trigger's deltas land under READ COMMITTED (:func:`render_append`): in place
into the target rows nobody else holds, appended to ``counters_delta`` for the rows another
transaction holds, and the rows counted for the first time created with their values."""

from __future__ import annotations

import textwrap

from counters.core.targets import TargetTable
from counters.sql.collect import Feed
from counters.sql.fold import fold_parts, render_recompute

DELTAS = "unnest(_counters, _keys, _deltas) AS d (counter, key, delta)"

DELTA = f"""\
WITH delta AS MATERIALIZED (
    SELECT d.counter, d.key, d.delta FROM {DELTAS}
),"""

IN_PLACE = """
taken{i} AS MATERIALIZED (
    SELECT t.{key}::text AS key FROM {table} AS t
    WHERE t.{key} IN (SELECT delta.key::{key_type} FROM delta WHERE delta.counter IN ({ids}))
      AND {in_place} AND {hold}
    ORDER BY t.{key} FOR NO KEY UPDATE SKIP LOCKED
),
absorbed{i} AS (
    DELETE FROM counters_delta AS p
    WHERE p.id IN (
        SELECT q.id FROM counters_delta AS q
        WHERE q.key IN (SELECT taken{i}.key FROM taken{i}) AND q.counter IN ({ids})
        LIMIT {absorb})
    RETURNING p.counter, p.key, p.delta
),
summed{i} AS (
    SELECT x.key, {sums}
    FROM (
        SELECT delta.counter, delta.key, delta.delta FROM delta
        WHERE delta.counter IN ({ids}) AND delta.key IN (SELECT taken{i}.key FROM taken{i})
        UNION ALL
        SELECT absorbed{i}.counter, absorbed{i}.key, absorbed{i}.delta FROM absorbed{i}
    ) AS x
    GROUP BY x.key
),
updated{i} AS (
    UPDATE {table} AS t SET {sets}
    FROM summed{i} AS summed WHERE t.{key} = summed.key::{key_type}
    RETURNING t.{key} AS key, {left} AS recompute
),"""

APPEND_REST = """
appended AS (
    INSERT INTO counters_delta (counter, key, delta)
    SELECT delta.counter, delta.key, delta.delta FROM delta
    WHERE {rest}
)
SELECT {selected}
FROM delta;"""

FEW = 16  # a statement with no more deltas than this takes its rows one by one (cheaper plans)

ONE_BY_ONE = """\
FOR _i IN 1 .. cardinality(_counters) LOOP{tables}
    INSERT INTO counters_delta (counter, key, delta) VALUES (_counters[_i], _keys[_i], _deltas[_i]);
END LOOP;"""

ONE = """
    IF _counters[_i] IN ({ids}) THEN
        IF random() < {absorb_chance} THEN
            WITH taken AS (
                SELECT t.{key} FROM {table} AS t
                WHERE t.{key} = _keys[_i]::{key_type} AND {in_place} AND {hold}
                FOR NO KEY UPDATE SKIP LOCKED
            ),
            absorbed AS (
                DELETE FROM counters_delta AS p
                WHERE p.id IN (
                    SELECT q.id FROM counters_delta AS q
                    WHERE q.key = _keys[_i] AND q.counter IN ({ids}) AND EXISTS (SELECT FROM taken)
                    LIMIT {absorb})
                RETURNING p.counter, p.delta
            ),
            summed AS (
                SELECT {sums}
                FROM (
                    SELECT _counters[_i], _deltas[_i]
                    UNION ALL
                    SELECT absorbed.counter, absorbed.delta FROM absorbed
                ) AS x (counter, delta)
            )
            UPDATE {table} AS t SET {sets}
            FROM summed
            WHERE t.{key} IN (SELECT taken.{key} FROM taken){returning};
        ELSE
            PERFORM FROM {table} AS t
            WHERE t.{key} = _keys[_i]::{key_type} AND {in_place} AND {hold}
            FOR NO KEY UPDATE SKIP LOCKED;
            IF FOUND THEN
                UPDATE {table} AS t SET {one_sets}
                WHERE t.{key} = _keys[_i]::{key_type}{one_returning};
            END IF;
        END IF;
        IF FOUND THEN{left}
            CONTINUE;
        END IF;{missing}
    END IF;"""

ONE_LEFT = """
            IF _left THEN
                _recompute{i} := _recompute{i} || _keys[_i]::{key_type};
            END IF;"""

ONE_MISSING = """
        IF {counted} AND NOT EXISTS (SELECT FROM {table} AS t WHERE t.{key} = _keys[_i]::{key_type}) THEN
            _new{i} := _new{i} || _keys[_i]::{key_type};
        END IF;"""

APPEND_LAST = """\
INSERT INTO counters_delta (counter, key, delta)
SELECT delta.counter, delta.key, delta.delta FROM delta
WHERE {rest};"""

MISSING = """\
array_agg(delta.key::{key_type}) FILTER (
           WHERE {counted}
             AND delta.key NOT IN (SELECT taken{i}.key FROM taken{i})
             AND NOT EXISTS (SELECT 1 FROM {table} AS t WHERE t.{key} = delta.key::{key_type}))"""

RECOMPUTED = "(SELECT array_agg(updated{i}.key) FROM updated{i} WHERE updated{i}.recompute)"

CREATE = """
IF _new{i} IS NOT NULL THEN
    WITH pending AS (
        SELECT p.key, {sums}
        FROM counters_delta AS p
        WHERE p.counter IN ({ids}) AND p.key IN (SELECT k.key::text FROM unnest(_new{i}) AS k (key))
        GROUP BY p.key
    ),
    created AS (
        INSERT INTO {table} ({key}, {columns})
        SELECT pending.key::{key_type}, {values}
        FROM pending
        WHERE cardinality(_new{i}) > {bulk} OR {lock}
        ORDER BY 1
        ON CONFLICT DO NOTHING
        RETURNING {key}
    )
    DELETE FROM counters_delta AS p
    WHERE p.counter IN ({ids}) AND p.key IN (SELECT created.{key}::text FROM created);
END IF;"""

RECOMPUTE = """
IF {keys} IS NOT NULL THEN
{recompute};
END IF;"""

CREATE_BULK = 64  # more new keys than this in one statement: no per-key locks, in key order

ABSORB = 256  # pending rows a writer takes into a row it holds, at most, per table and statement

ABSORB_CHANCE = "1.0 / 8"  # how often a small statement also takes in the pending rows of a row

IN_PLACE_ALLOWED = "current_setting('counters.deferred', true) IS DISTINCT FROM 'on'"


def render_append(feeds: list[Feed]) -> str:
    """What a counter trigger does with its deltas under READ COMMITTED: added
    in place into every target row nobody else holds (with up to ``ABSORB`` pending rows of each
    row it takes), appended to ``counters_delta`` for the rows another transaction holds; then
    the rows counted for the first time are created with their values."""
    targets = TargetTable.group(counter for counter, _ in feeds)
    parts = [DELTA]
    rest, selected, into = [], [], []
    for i, target in enumerate(targets):
        ids = target.ids_sql
        sums, sets, left = fold_parts(target, "x")
        parts.append(
            IN_PLACE.format(
                **target.binds,
                i=i,
                absorb=ABSORB,
                in_place=IN_PLACE_ALLOWED,
                sums=sums,
                sets=sets,
                left=left,
            )
        )
        rest.append(
            f"(delta.counter NOT IN ({ids}) OR delta.key NOT IN (SELECT taken{i}.key FROM taken{i}))"
        )
        if target.mode != "update":
            selected.append(
                MISSING.format(
                    **target.binds,
                    i=i,
                    counted=_counted_for_the_first_time(target),
                )
            )
            into.append(f"_new{i}")
        if left != "false":
            selected.append(RECOMPUTED.format(i=i))
            into.append(f"_recompute{i}")
    selected_sql = ",\n       ".join(selected) + "\nINTO " + ", ".join(into)
    where = "\n  AND ".join(rest)
    if into:
        statement = "".join(parts) + APPEND_REST.format(
            rest=where.replace("\n", "\n    "), selected=selected_sql
        )
    else:  # nothing to read back: the append is the statement itself
        statement = "".join(parts).rstrip(",") + "\n" + APPEND_LAST.format(rest=where)
    set_based = textwrap.indent(statement, "    ")
    blocks = [
        f"IF cardinality(_counters) > {FEW} THEN\n{set_based}\nELSE\n"
        + textwrap.indent(_render_one_by_one(targets), "    ")
        + "\nEND IF;"
    ]
    for i, target in enumerate(targets):
        if target.mode != "update":
            blocks.append(_render_create(target, i))
        recompute = render_recompute(target, f"_recompute{i}")
        if recompute:
            blocks.append(
                RECOMPUTE.format(
                    keys=f"_recompute{i}", recompute=textwrap.indent(recompute, "    ")
                )
            )
    return "".join(blocks)


def _render_one_by_one(targets: list[TargetTable]) -> str:
    """The few deltas of a small statement (a single-row write), one at a time: each row taken
    and added into in one short statement whose plan is made once per connection (a set-based
    statement costs more to start than a handful of these), else appended."""
    tables = []
    for i, target in enumerate(targets):
        sums, sets, left = fold_parts(target, "x")
        missing = ""
        if target.mode != "update":
            missing = ONE_MISSING.format(
                **target.binds,
                i=i,
                counted=_counted_for_the_first_time(target, "_counters[_i]", "_deltas[_i]"),
            )
        one_sets, one_left = _one_parts(target)
        tables.append(
            ONE.format(
                **target.binds | {"hold": target.try_hold("_keys[_i]")},
                absorb_chance=ABSORB_CHANCE,
                one_sets=one_sets,
                one_returning=""
                if left == "false"
                else f"\n                RETURNING {one_left} INTO _left",
                in_place=IN_PLACE_ALLOWED,
                absorb=ABSORB,
                sums=sums,
                sets=sets,
                returning="" if left == "false" else f"\n            RETURNING {left} INTO _left",
                left="" if left == "false" else ONE_LEFT.format(i=i, key_type=target.key_type),
                missing=missing,
            )
        )
    return ONE_BY_ONE.format(tables="".join(tables))


def _one_parts(target: TargetTable) -> tuple[str, str]:
    """The ``SET`` list adding the delta ``_deltas[_i]`` of counter ``_counters[_i]`` into its
    column of ``target`` (the other columns unchanged), and SQL true when that delta is a Min's or
    Max's recompute marker whose rows reached the column's value (``"false"`` for a table
    without one). A marker carries the best value of the rows that left: a row below a Max (above
    a Min) did not hold it, so the row this writer holds keeps its value without a recompute."""
    sets = []
    for col, counter in zip(target.quoted_columns, target.counters, strict=True):
        new = counter.one_added(f"t.{col}", counter.decode("_deltas[_i]"))
        sets.append(f"{col} = CASE WHEN _counters[_i] = {counter.id} THEN {new} ELSE t.{col} END")
    reached = [
        c.must_recompute(c.is_marker("_counters[_i]"), f"t.{col}", c.decode("_deltas[_i]"))
        for col, c in zip(target.quoted_columns, target.counters, strict=True)
        if c.recomputed
    ]
    return ", ".join(sets), " OR ".join(reached) or "false"


def _render_create(target: TargetTable, i: int) -> str:
    """Create the rows of ``target`` counted for the first time, with their values: this
    statement's deltas and any other pending ones of the row (a writer that found it being
    created by someone who then rolled back), consumed in the same statement. A row another
    writer is creating right now (its creation lock is taken) keeps its deltas pending."""
    sums, _, _ = fold_parts(target, "p")
    values = ", ".join(
        counter.merged(counter.empty, "pending", j, f"pending.key::{target.key_type}")
        for j, counter in enumerate(target.counters)
    )
    return CREATE.format(
        **target.binds,
        i=i,
        sums=sums,
        columns=", ".join(target.quoted_columns),
        values=values,
        bulk=CREATE_BULK,
        lock=target.try_create_lock("pending.key"),
    )


def _counted_for_the_first_time(
    target: TargetTable, counter: str = "delta.counter", delta: str = "delta.delta"
) -> str:
    """Which deltas (SQL of their ``counter`` number and ``delta``) need their target row: a
    count's positive ones (a count cannot start below zero), and any of a sum or a candidate of a
    Min or Max."""
    counts = [c.id for c in target.counters if c.counts_up_from_zero]
    others = [c.id for c in target.counters if not c.counts_up_from_zero]
    parts = []
    if counts:
        parts.append(f"{counter} IN ({', '.join(map(str, counts))}) AND {delta} > 0")
    if others:
        parts.append(f"{counter} IN ({', '.join(map(str, others))})")
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(f"({p})" for p in parts) + ")"

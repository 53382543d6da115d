"""The triggers that keep counters, rendered from the counter declarations.

Every model on a counter path gets four statement-level AFTER triggers (INSERT, UPDATE, DELETE,
TRUNCATE). One statement fires each at most once, whatever its row count. A trigger reads its
statement's transition tables once, into one delta per counter and target key (new rows count
+1, old rows -1, so an UPDATE that moves a row between targets or in and out of a condition moves
its count; zero deltas are left out), held in three arrays (:func:`render_collect`).

Under READ COMMITTED it then adds each delta **in place** into its target row when nobody else
holds that row (a tried hold lock, then ``FOR NO KEY UPDATE SKIP LOCKED``), and appends it to
``counters_delta`` otherwise (:func:`render_append`): writers never wait for each other's counter
rows and never deadlock on them. Under REPEATABLE READ and SERIALIZABLE every delta is appended.
Rows counted for the first time (stats rows, totals) are created by the writer, with their values.
Pending deltas are added in by the next writer that holds the row, or by folding
(:mod:`counters.folding`); every selected read adds what is still pending.

Every target model also gets two row-level guards that keep its trigger-kept fields read-only to
writes made by anything but a trigger (``pg_trigger_depth() < 1``) unless ``counters.unguarded`` is
on: see :class:`ReadOnlyTrigger`.

Triggers are registered in the app that declares the counters (the target's app): on the source
model itself when it belongs to that app, else on a proxy model created there (see
:func:`trigger_model`), so their migrations never land in another package.
"""

from __future__ import annotations

import textwrap
import zlib
from collections import defaultdict
from collections.abc import Iterator

import pgtrigger
from django.apps import apps
from django.db import models

from counters.folding import (
    NO_FOLDER,
    fold_lock,
    fold_parts,
    render_recompute,
    render_window_fold,
)
from counters.spec import Counter, hop_columns, quote
from counters.targets import TargetTable

NEW, OLD = "counters_new", "counters_old"

OPERATIONS = {
    "insert": (pgtrigger.Insert, pgtrigger.Referencing(new=NEW)),
    "update": (pgtrigger.Update, pgtrigger.Referencing(old=OLD, new=NEW)),
    "delete": (pgtrigger.Delete, pgtrigger.Referencing(old=OLD)),
    "truncate": (pgtrigger.Truncate, None),
}

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

APPEND_ONLY = f"""\
IF current_setting('transaction_isolation') IN ('repeatable read', 'serializable') THEN
    INSERT INTO counters_delta (counter, key, delta)
    SELECT d.counter, d.key, d.delta FROM {DELTAS};
    RETURN NULL;
END IF;"""

RECOMPUTE = """
IF {keys} IS NOT NULL THEN
{recompute};
END IF;"""

CREATE_BULK = 64  # more new keys than this in one statement: no per-key locks, in key order
ABSORB = 256  # pending rows a writer takes into a row it holds, at most, per table and statement
ABSORB_CHANCE = "1.0 / 8"  # how often a small statement also takes in the pending rows of a row

# the beat check reads a table, so it sits in an IF of its own: the outer condition stays a
# simple expression (no executor call), and a statement pays the table read one time in 64
FOLD_NOW_AND_THEN = """
IF random() < {chance} AND {in_place} THEN
    IF {no_folder} THEN
{fold};{recompute}
    END IF;
END IF;"""

IN_PLACE_ALLOWED = "current_setting('counters.deferred', true) IS DISTINCT FROM 'on'"
FOLD_CHANCE = "1.0 / 64"  # about one statement in 64 folds a window of pending rows

MOVE_LOCK = """\
PERFORM 1 FROM {table} AS m
WHERE m.{pk} IN (
    SELECT n.{pk} FROM counters_new AS n JOIN counters_old AS o ON o.{pk} = n.{pk}
    WHERE {changed}
)
ORDER BY m.{pk} FOR UPDATE;"""

RESET = """\
PERFORM {lock};
PERFORM 1 FROM {table} WHERE {nonempty} ORDER BY {key} FOR NO KEY UPDATE;
UPDATE {table} SET {empty} WHERE {nonempty};
DELETE FROM counters_delta WHERE counter IN ({ids});"""


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
            f"THEN {c.kind if c.extreme else 'max'}(part.delta)"
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
                i=i,
                key=target.quoted_key,
                table=target.quoted_table,
                key_type=target.key_type,
                ids=ids,
                absorb=ABSORB,
                in_place=IN_PLACE_ALLOWED,
                hold=target.try_hold(f"t.{target.quoted_key}::text"),
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
                    i=i,
                    table=target.quoted_table,
                    key=target.quoted_key,
                    key_type=target.key_type,
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
                i=i,
                counted=_counted_for_the_first_time(target, "_counters[_i]", "_deltas[_i]"),
                table=target.quoted_table,
                key=target.quoted_key,
                key_type=target.key_type,
            )
        one_sets, one_left = _one_parts(target)
        tables.append(
            ONE.format(
                absorb_chance=ABSORB_CHANCE,
                one_sets=one_sets,
                one_returning=""
                if left == "false"
                else f"\n                RETURNING {one_left} INTO _left",
                ids=target.ids_sql,
                table=target.quoted_table,
                key=target.quoted_key,
                key_type=target.key_type,
                in_place=IN_PLACE_ALLOWED,
                hold=target.try_hold("_keys[_i]"),
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
        value = counter.decode("_deltas[_i]")
        if counter.kind == "distinct":
            new = f"t.{col}"  # recomputed next
        elif counter.extreme:
            best = "greatest" if counter.kind == "max" else "least"
            new = counter.typed(f"{best}(t.{col}, {value})")
        else:
            new = counter.typed(f"t.{col} + {value}")
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
        i=i,
        sums=sums,
        ids=target.ids_sql,
        table=target.quoted_table,
        key=target.quoted_key,
        columns=", ".join(target.quoted_columns),
        key_type=target.key_type,
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
    counts = [c.id for c in target.counters if c.kind == "count"]
    others = [c.id for c in target.counters if c.kind != "count"]
    parts = []
    if counts:
        parts.append(f"{counter} IN ({', '.join(map(str, counts))}) AND {delta} > 0")
    if others:
        parts.append(f"{counter} IN ({', '.join(map(str, others))})")
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(f"({p})" for p in parts) + ")"


def render_fold_now_and_then(target: TargetTable, i: int) -> str:
    """A writer's occasional fold of ``target`` when no dedicated folder runs: a bounded window of
    pending rows (see :func:`counters.folding.render_window_fold`), never waiting."""
    recompute = render_recompute(target, f"_folded{i}")
    return FOLD_NOW_AND_THEN.format(
        chance=FOLD_CHANCE,
        in_place=IN_PLACE_ALLOWED,
        no_folder=NO_FOLDER,
        fold=textwrap.indent(render_window_fold(target, f"_folded{i}"), "        "),
        recompute=textwrap.indent(
            RECOMPUTE.format(keys=f"_folded{i}", recompute=textwrap.indent(recompute, "    ")),
            "        ",
        )
        if recompute
        else "",
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
        columns.add(counter.hops[position - 1].target_field.column)
        if position < len(counter.hops):
            columns.update(hop_columns(counter.hops[position]))
        else:
            columns.add(str(counter.key_reference))
    pk = model._meta.pk.column
    columns.discard(pk)
    if not columns:
        return ""
    return MOVE_LOCK.format(
        table=quote(model._meta.db_table),
        pk=quote(pk),
        changed=" OR ".join(f"o.{quote(c)} IS DISTINCT FROM n.{quote(c)}" for c in sorted(columns)),
    )


def render_reset(target: TargetTable) -> str:
    """After a TRUNCATE on the path: every counter of ``target`` is 0, nothing is pending."""
    pairs = list(zip(target.quoted_columns, target.counters, strict=True))
    return RESET.format(
        lock=fold_lock(target, wait=True),
        table=target.quoted_table,
        key=target.quoted_key,
        nonempty=" OR ".join(
            f"{col} <> 0" if c.empty == "0" else f"{col} IS NOT NULL" for col, c in pairs
        ),
        empty=", ".join(f"{col} = {c.empty}" for col, c in pairs),
        ids=target.ids_sql,
    )


class CounterTrigger(pgtrigger.Trigger):
    """The statement-level trigger of one operation on one model on a counter path."""

    level = pgtrigger.Statement
    when = pgtrigger.After

    def __init__(self, operation: str, feeds: list[Feed], name: str | None = None) -> None:
        self.operation_name = operation
        self.feeds = feeds
        op, referencing = OPERATIONS[operation]
        super().__init__(
            name=name or f"counters_{operation}", operation=op, referencing=referencing
        )

    def get_declare(self, model: type[models.Model]) -> list[tuple[str, str]]:
        if self.operation_name == "truncate":
            return []
        declared = [
            ("_counters", "integer[]"),
            ("_keys", "text[]"),
            ("_deltas", "bigint[]"),
            ("_i", "integer"),
            ("_left", "boolean"),
        ]
        for i, target in enumerate(TargetTable.group(counter for counter, _ in self.feeds)):
            if target.mode != "update":
                declared.append((f"_new{i}", f"{target.key_type}[]"))
            if any(counter.recomputed for counter in target.counters):
                declared.append((f"_recompute{i}", f"{target.key_type}[]"))
            declared.append((f"_folded{i}", f"{target.key_type}[]"))
        return declared

    def get_func(self, model: type[models.Model]) -> str:
        targets = TargetTable.group(counter for counter, _ in self.feeds)
        if self.operation_name == "truncate":
            body = "\n".join(render_reset(target) for target in targets)
            return f"{body}\nRETURN NULL;"
        blocks = []
        if self.operation_name == "update":
            blocks.append(render_move_lock(self.feeds, model))
        blocks.append(render_collect(self.feeds, self.operation_name))
        blocks.append(APPEND_ONLY)
        blocks.append(render_append(self.feeds))
        blocks += [render_fold_now_and_then(t, i) for i, t in enumerate(targets)]
        return "\n".join(block.strip("\n") for block in blocks if block) + "\nRETURN NULL;"


class ReadOnlyTrigger(pgtrigger.Trigger):
    """Keeps trigger-kept counter columns read-only to every write that is not a trigger's.

    A row-level ``BEFORE`` trigger: an ``UPDATE`` that would change a kept column keeps the old
    value, an ``INSERT`` that would set one starts it at 0, and the rest of the row is written as
    asked. So ``save()`` of an instance whose counters are stale just works (Django writes every
    column), and a hand ``UPDATE ... SET n = n + 1`` cannot count twice. The test sits in the
    trigger's ``WHEN`` clause, so writes made by the counter triggers (depth 1) and writes that
    change no kept column never call the function. ``counters.unguarded`` lifts it for repairs.
    """

    level = pgtrigger.Row
    when = pgtrigger.Before

    def __init__(self, operation: str, counters: list[Counter]) -> None:
        self.operation_name = operation
        self.counters = sorted(counters, key=lambda counter: counter.label)
        super().__init__(
            name=f"counters_readonly_{operation}",
            operation=pgtrigger.Update if operation == "update" else pgtrigger.Insert,
        )

    def _changed(self, counter: Counter) -> str:
        col = quote(counter.field.column)
        if self.operation_name == "update":
            return f"OLD.{col} IS DISTINCT FROM NEW.{col}"
        return f"NEW.{col} IS DISTINCT FROM {counter.empty}"

    def get_condition(self, model: type[models.Model]) -> pgtrigger.Condition:
        changed = " OR ".join(self._changed(counter) for counter in self.counters)
        return pgtrigger.Condition(
            "pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) "
            f"IS DISTINCT FROM 'on' AND ({changed})"
        )

    def get_func(self, model: type[models.Model]) -> str:
        sets = [
            f"NEW.{quote(c.field.column)} := "
            + (f"OLD.{quote(c.field.column)}" if self.operation_name == "update" else c.empty)
            + ";"
            for c in self.counters
        ]
        return "\n".join([*sets, "RETURN NEW;"])


MAX_TRIGGER_NAME = 47  # pgtrigger's limit


def trigger_name(operation: str, model: type[models.Model]) -> str:
    """``counters_insert`` on a model of the declaring app itself; ``counters_<app>_insert`` on a
    proxy (several apps may count the same table, and pgtrigger names are unique per table)."""
    if not model._meta.proxy:
        return f"counters_{operation}"
    name = f"counters_{model._meta.app_label}_{operation}"
    if len(name) > MAX_TRIGGER_NAME:
        name = f"counters_{zlib.crc32(model._meta.app_label.encode()):08x}_{operation}"
    return name


_proxies: dict[tuple[type[models.Model], str], type[models.Model]] = {}


def trigger_model(model: type[models.Model], app_label: str) -> type[models.Model]:
    """The model whose triggers keep the counters of ``app_label`` that ``model`` feeds.

    Triggers are migrations, and they belong to the app that declares the counters: a model of
    that app carries them itself; for any other model (``auth.User``, a third-party app's model,
    an auto-created many-to-many through table, a model of another of your apps) a proxy model is
    created in the declaring app and carries them, so ``makemigrations`` writes them into the
    declaring app's migrations and never into another package (django-pgtrigger's documented way).
    """
    model = model._meta.concrete_model
    if model._meta.app_label == app_label and not model._meta.auto_created:
        return model
    key = (model, app_label)
    if key not in _proxies:
        name = f"{model._meta.app_label.title().replace('_', '')}{model.__name__}Counters"
        existing = apps.all_models[app_label].get(name.lower())
        if existing is not None:  # already created (the registry was built before)
            _proxies[key] = existing
        else:
            meta = type(
                "Meta",
                (),
                {
                    "proxy": True,
                    "app_label": app_label,
                    "default_permissions": (),
                    "verbose_name": f"counter triggers on {model._meta.label}",
                },
            )
            config = apps.get_app_config(app_label)
            module = config.name + ".models"
            _proxies[key] = type(name, (model,), {"__module__": module, "Meta": meta})
            if model._meta.auto_created:  # a through table: see counters.unmigrated
                from counters.unmigrated import hide_when_unmigrated

                hide_when_unmigrated(_proxies[key])
            if config.models_module is not None:  # importable where its __module__ says
                setattr(config.models_module, name, _proxies[key])
    return _proxies[key]


def register_all(counters: list[Counter]) -> None:
    """Register the counter triggers and read-only guards of ``counters`` with django-pgtrigger,
    each on the declaring app's own model or on its proxy of a model of another app."""
    feeds: dict[type[models.Model], list[Feed]] = defaultdict(list)
    targets: dict[type[models.Model], list[Counter]] = defaultdict(list)
    for counter in counters:
        targets[counter.target].append(counter)
        for position, model in enumerate(counter.path_models):
            app_label = counter.target._meta.app_label
            feeds[trigger_model(model, app_label)].append((counter, position))
    for model, model_feeds in feeds.items():
        for operation in OPERATIONS:
            CounterTrigger(operation, model_feeds, trigger_name(operation, model)).register(model)
    for target, target_counters in targets.items():
        for operation in ("insert", "update"):
            ReadOnlyTrigger(operation, target_counters).register(target)


def registered_on(
    using: str, kinds: tuple[type[pgtrigger.Trigger], ...] = (CounterTrigger, ReadOnlyTrigger)
) -> list[tuple[type[models.Model], pgtrigger.Trigger]]:
    """The library's registered triggers of ``kinds`` (counter triggers and read-only guards)
    that belong on database ``using``: their models' apps migrate there (django-pgtrigger asks
    the routers)."""
    return [
        (model, trigger)
        for model, trigger in pgtrigger.registered()
        if isinstance(trigger, kinds) and trigger.allow_migrate(model, using)
    ]


def triggers_for(counter: Counter) -> list[tuple[type[models.Model], pgtrigger.Trigger]]:
    """The registered pgtrigger triggers that keep ``counter`` (for status checks)."""
    return [
        (model, trigger)
        for model, trigger in pgtrigger.registered()
        if (isinstance(trigger, CounterTrigger) and any(c == counter for c, _ in trigger.feeds))
        or (isinstance(trigger, ReadOnlyTrigger) and counter in trigger.counters)
    ]

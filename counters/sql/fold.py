"""The fold's SQL: moving pending deltas from ``counters_delta`` into the counter columns
(:func:`render_fold`), the bounded window a writer folds now and then (:func:`render_window_fold`),
the rows still missing (:func:`render_create`), a Min's or Max's recompute once its row is held
(:func:`render_recompute`), and the per-table folder lock (:func:`fold_lock`). What runs it is
:mod:`counters.folding`."""

from __future__ import annotations

import textwrap

from counters.core.targets import TargetTable
from counters.sql.quoting import stable_id

FOLD_LOCK = stable_id("counters.fold")  # first key of the per-table folder locks

FOLDER_STATE = "folder"  # the counters_state row a dedicated folder beats in, every cycle

# what a writer asks before folding by itself: false while a dedicated folder's last beat is
# fresh. A row, not a session lock: a pooler (PgBouncer in transaction mode) hands sessions to
# other clients, so a lock held by one would outlive its folder, or vanish on a reconnect.
NO_FOLDER = (
    f"NOT EXISTS (SELECT FROM counters_state AS f WHERE f.name = '{FOLDER_STATE}' "
    "AND (f.data ->> 'until')::timestamptz > statement_timestamp())"
)

OLDEST = """\
SELECT p.key FROM counters_delta AS p
WHERE p.counter IN ({ids}){after}
GROUP BY p.key ORDER BY p.key LIMIT {batch}"""

# What both folds do with the keys of {source}: the target rows nobody holds right now are taken,
# their deltas ({moving}) moved (deleted) and added in one statement. A dedicated fold's delta whose
# target row is missing (rowless) waits for the row to be created, unless the row is gone for good
# (an orphan: its owner was deleted).
TAKE_AND_ADD = """\
taken AS (
    SELECT t.{key} FROM {table} AS t
    WHERE t.{key} IN (SELECT {source}.key::{key_type} FROM {source}) AND {hold}
    ORDER BY t.{key} FOR NO KEY UPDATE SKIP LOCKED
),
moved AS (
    DELETE FROM counters_delta AS p
    WHERE {moving}
    RETURNING p.counter, p.key, p.delta
),
summed AS (
    SELECT moved.key, {sums}
    FROM moved GROUP BY moved.key
),
folded AS (
    UPDATE {table} AS t SET {sets}
    FROM summed WHERE t.{key} = summed.key::{key_type}
    RETURNING t.{key} AS key, {left} AS recompute
)"""

FOLD = """\
WITH pending AS (
{pending}
),
{take_and_add},
rowless AS (
    SELECT pending.key FROM pending
    WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WHERE t.{key} = pending.key::{key_type})
),
orphans AS (
    DELETE FROM counters_delta AS p
    WHERE p.counter IN ({ids}) AND p.key IN (SELECT rowless.key FROM rowless){owned}
    RETURNING 1
)
SELECT (SELECT count(*) FROM moved) AS moved, (SELECT count(*) FROM orphans) AS orphans,
       (SELECT count(*) FROM pending) AS seen, (SELECT max(pending.key) FROM pending) AS last_key,
       (SELECT count(*) FROM folded) AS updated, (SELECT count(*) FROM rowless) AS rowless,
       (SELECT array_agg(folded.key) FROM folded WHERE folded.recompute) AS recompute{into}"""

RECOMPUTE = """\
WITH settled AS (
    DELETE FROM counters_delta AS p
    WHERE p.counter IN ({ids}) AND p.key IN (SELECT k.key::text FROM unnest({keys}) AS k (key))
)
UPDATE {table} AS t SET {sets}
WHERE t.{key} = ANY({keys})"""

WINDOW = """\
WITH slice AS MATERIALIZED (
    SELECT w.id, w.key FROM (
        SELECT p.id, p.counter, p.key FROM counters_delta AS p
        WHERE p.key >= (
            SELECT r.key FROM counters_delta AS r
            WHERE r.id >= (SELECT (min(b.id) + floor(random() * (max(b.id) - min(b.id) + 1)))::bigint FROM counters_delta AS b)
            ORDER BY r.id LIMIT 1)
        ORDER BY p.key LIMIT {window}
    ) AS w
    WHERE w.counter IN ({ids})
),
{take_and_add}
SELECT array_agg(folded.key) FILTER (WHERE folded.recompute) INTO {into} FROM folded"""

# rows still missing: their first writer rolled back, or skipped creating them while another
# writer was at it; a row another writer is creating now (its creation lock) is left alone
CREATE = """\
INSERT INTO {table} ({key})
SELECT pending.key::{key_type}
FROM (
    SELECT DISTINCT p.key FROM counters_delta AS p
    WHERE p.counter IN ({ids}){after}
    ORDER BY p.key LIMIT {batch}
) AS pending
WHERE NOT EXISTS (SELECT 1 FROM {table} AS t WHERE t.{key} = pending.key::{key_type}){owner}
  AND {lock}
ORDER BY 1
ON CONFLICT DO NOTHING"""

# a stats row is created only for an owner that exists and is not being deleted right now
OWNER = """
  AND pending.key::{key_type} IN (
      SELECT o.{column} FROM {owner} AS o WHERE o.{column} = pending.key::{key_type}
      FOR KEY SHARE SKIP LOCKED)"""


def _after(after: str | None) -> str:
    """Only the pending keys after ``after`` (SQL of a text key, or NULL to start from the first
    key); every key when ``after`` is None."""
    return "" if after is None else f" AND ({after} IS NULL OR p.key > {after})"


def render_create(target: TargetTable, *, batch: int | str, after: str | None = None) -> str:
    """Create the rows of ``target`` that pending deltas wait for (stats and totals rows), up to
    ``batch`` pending keys (see :func:`_after`); ``""`` for a table whose rows are never created
    (the counted-into model itself)."""
    if target.mode == "update":
        return ""
    owner = ""
    if target.owner is not None:
        table, column = target.owner
        owner = OWNER.format(key_type=target.key_type, column=column, owner=table)
    return CREATE.format(
        **target.binds,
        after=_after(after),
        batch=batch,
        owner=owner,
        lock=target.try_create_lock("pending.key"),
    )


def render_fold(
    target: TargetTable,
    *,
    batch: int | str,
    after: str | None = None,
    into: str = "",
) -> str:
    """One fold step over ``target``: up to ``batch`` pending keys (SQL), after ``after`` (see
    :func:`_after`). Returns rows moved, orphans dropped, keys looked at, the last key, rows updated
    and pending keys without their row, and the keys whose Min or Max :func:`render_recompute`
    must recompute next (``INTO`` the PL/pgSQL variable ``into``, in a function)."""
    pending = OLDEST.format(
        ids=target.ids_sql,
        after=_after(after),
        batch=batch,
    )
    return FOLD.format(
        **target.binds,
        pending=textwrap.indent(pending, "    "),
        take_and_add=_take_and_add(
            target,
            "pending",
            "p.counter IN ({ids}) AND p.key IN (SELECT taken.{key}::text FROM taken)",
        ),
        into=f" INTO {into}" if into else "",
        owned=_owner_gone(target),
    )


def _take_and_add(target: TargetTable, source: str, moving: str) -> str:
    """:data:`TAKE_AND_ADD` over the keys of CTE ``source``, moving the deltas ``moving`` (a
    condition on ``counters_delta AS p``, filled with the table's binds)."""
    sums, sets, left = fold_parts(target)
    return TAKE_AND_ADD.format(
        **target.binds,
        source=source,
        moving=moving.format(**target.binds),
        sums=sums,
        sets=sets,
        left=left,
    )


def fold_parts(target: TargetTable, rows: str = "moved") -> tuple[str, str, str]:
    """What a fold of ``target`` adds: the pending aggregates over delta rows ``rows`` grouped
    by key, the ``SET`` list merging them into the columns (``summed``), and SQL true for a row
    whose Min or Max must be recomputed (a row left it): the recompute runs in a statement of its
    own (:func:`render_recompute`), once the row is held, so its snapshot includes every in-place
    update made before."""
    sums = ", ".join(
        aggregate
        for i, counter in enumerate(target.counters)
        for aggregate in counter.pending_aggregates(i, rows)
    )
    sets = ", ".join(
        f"{col} = "
        + counter.merged(f"t.{col}", "summed", i, f"t.{target.quoted_key}", recompute=False)
        for i, (col, counter) in enumerate(zip(target.quoted_columns, target.counters, strict=True))
    )
    flags = [
        c.must_recompute(f"coalesce(summed.m{i}, false)", f"t.{col}", c.decode(f"summed.v{i}"))
        for i, (col, c) in enumerate(zip(target.quoted_columns, target.counters, strict=True))
        if c.recomputed
    ]
    left = " OR ".join(flags) or "false"
    return sums, sets, left


def render_recompute(target: TargetTable, keys: str) -> str:
    """Recompute every Min and Max of ``target``'s rows whose keys are in the array ``keys``
    (SQL of the key's type) from the source rows, and drop their pending candidates and markers
    in the same statement (one snapshot): the recompute includes every row they stood for, and a
    candidate left pending would bring back a row that has left since. ``""`` for a table
    without a Min or Max."""
    extremes = [
        (col, counter)
        for col, counter in zip(target.quoted_columns, target.counters, strict=True)
        if counter.recomputed
    ]
    if not extremes:
        return ""
    sets = ", ".join(
        f"{col} = {counter.typed(counter.recompute_sql(f't.{target.quoted_key}'))}"
        for col, counter in extremes
    )
    ids = ", ".join(str(n) for _, counter in extremes for n in counter.delta_ids)
    return RECOMPUTE.format(
        table=target.quoted_table, key=target.quoted_key, sets=sets, keys=keys, ids=ids
    )


WINDOW_ROWS = 256  # a writer's occasional fold looks at no more pending rows than this


def render_window_fold(target: TargetTable, into: str) -> str:
    """A writer's occasional fold of ``target``: the pending rows of its counters among at most
    ``WINDOW_ROWS`` rows of ``counters_delta`` in key order, from the key of a pending row drawn
    at random (so a key with many pending rows is drawn often), into the
    target rows nobody holds. Bounded work whatever the backlog; creates no row and drops no
    orphan (that is a dedicated fold's work, outside the application's transactions). The keys
    whose Min or Max must be recomputed go ``INTO`` the PL/pgSQL array ``into``."""
    moving = "p.id IN (SELECT slice.id FROM slice WHERE slice.key IN (SELECT taken.{key}::text FROM taken))"
    return WINDOW.format(
        **target.binds,
        window=WINDOW_ROWS,
        take_and_add=_take_and_add(target, "slice", moving),
        into=into,
    )


def _owner_gone(target: TargetTable) -> str:
    """For a stats table, a delta is an orphan only once its owner row is gone too (a row still
    missing while its owner exists waits for the next fold's create step). A single-row total's
    deltas are never orphans: a missing totals row is one another writer is creating right now
    (its deltas may be visible before its row is), or one the next create step makes."""
    if target.mode == "singleton":
        return "\n      AND false"
    if target.owner is None:
        return ""
    table, column = target.owner
    return (
        f"\n      AND NOT EXISTS (SELECT 1 FROM {table} AS o WHERE o.{column} = p.key::"
        f"{target.key_type})"
    )


def fold_lock(target: TargetTable, *, wait: bool = False) -> str:
    """SQL trying (or, with ``wait``, waiting for) the folder lock of ``target``'s table, held
    until the transaction ends. Folders only try it; a recount or a TRUNCATE waits for it."""
    function = "pg_advisory_xact_lock" if wait else "pg_try_advisory_xact_lock"
    return f"{function}({FOLD_LOCK}, {stable_id(target.table)})"

"""The SQL of the triggers on the partitions of a partitioned table on a counter path: their names
(:func:`copy_name`) and the function of their ``TRUNCATE`` triggers (:data:`TRUNCATE_FUNCTION`).
Why they exist, and what keeps them in place: :mod:`counters.partitions`."""

from __future__ import annotations

PREFIX = "counters_partition_"

BEFORE_TRUNCATE = PREFIX + "before_truncate"

AFTER_TRUNCATE = PREFIX + "after_truncate"

FUNCTION = "counters_partition_truncate"

# TRUNCATE of a partition of a table counters count: its rows leave with a counted DELETE first.
# When an ancestor is truncated in the same statement (TRUNCATE fires the triggers of every
# partition of a truncated parent), the ancestor's reset or DELETE covers the rows: nothing to do.
# The AFTER trigger clears the list of tables being truncated once the statement is over.
TRUNCATE_FUNCTION = f"""\
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger AS $$
DECLARE
    _truncating text := coalesce(current_setting('counters.truncating', true), '');
BEGIN
    IF TG_WHEN = 'AFTER' THEN
        PERFORM set_config('counters.truncating', '', true);
        RETURN NULL;
    END IF;
    IF EXISTS (
        SELECT FROM pg_partition_ancestors(TG_RELID) AS a
        WHERE a.relid <> TG_RELID
          AND a.relid::oid::text = ANY(string_to_array(_truncating, ','))
    ) THEN
        RETURN NULL;
    END IF;
    PERFORM set_config(
        'counters.truncating', concat_ws(',', nullif(_truncating, ''), TG_RELID::oid::text), true
    );
    IF TG_ARGV[0] = 'delete' THEN
        EXECUTE format('DELETE FROM %s', TG_RELID::regclass);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql"""


def function_body() -> str:
    """The body of :data:`TRUNCATE_FUNCTION`, as ``pg_proc.prosrc`` holds it."""
    return TRUNCATE_FUNCTION.split("$$", 2)[1]


def copy_name(pgid: str) -> str:
    """The name of a copy on a partition of the parent's trigger ``pgid``
    (``pgtrigger_counters_insert_1a2b3`` -> ``counters_partition_insert_1a2b3``: as long)."""
    return PREFIX + pgid.removeprefix("pgtrigger_counters_")

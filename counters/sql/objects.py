"""The SQL objects that span apps, so no single app's migration can own them: the ``<table>_exact``
views (:func:`render_exact_view`), ``counters_fold()`` (:func:`render_fold_function`) and a cheaper
django-pgtrigger ignore check (:data:`IGNORE_CHECK`). :mod:`counters.installation` creates them
after every ``migrate``."""

from __future__ import annotations

import textwrap
from typing import Any

from django.db import models

from counters import meta
from counters.core.targets import TargetTable
from counters.sql.fold import fold_lock, render_create, render_fold, render_recompute
from counters.sql.quoting import quote

# a target table's counters with the deltas still pending added
EXACT_VIEW = """\
CREATE VIEW {view} AS
SELECT t.{key}, {columns}
FROM {table} AS t
LEFT JOIN LATERAL (
    SELECT {sums}
    FROM counters_delta AS p
    WHERE p.counter IN ({ids}) AND p.key = t.{key}::text
) AS p ON true"""

# Fold every pending counter delta into its row (what manage.py fold_counters does), table by
# table, in batches; a table another folder holds, and rows someone holds, are left for later.
# Returns how many delta rows it folded or dropped. Its own writes of the counter columns are not
# hand writes: it lifts the read-only guards for itself (counters.unguarded), then restores them.
FOLD_FUNCTION = """\
CREATE OR REPLACE FUNCTION counters_fold() RETURNS bigint AS $$
DECLARE
    _folded record;
    _after text;
    _total bigint := 0;
    _unguarded text := current_setting('counters.unguarded', true);
BEGIN
    PERFORM set_config('counters.unguarded', 'on', true);
{tables}
    PERFORM set_config('counters.unguarded', coalesce(_unguarded, ''), true);
    RETURN _total;
END;
$$ LANGUAGE plpgsql"""

FOLD_TABLE = """\
    _after := NULL;
    IF {lock} THEN
        LOOP
{fold};
            _total := _total + _folded.moved + _folded.orphans;
            _after := _folded.last_key;
            EXIT WHEN _folded.seen < {batch};
        END LOOP;
    END IF;"""


def exact_view_name(table: str) -> str:
    """``user_stats`` -> ``user_stats_exact`` (inside the quotes of a schema-qualified name)."""
    return quote(table + "_exact")


def render_exact_view(target: TargetTable, events: list[models.Field[Any, Any]]) -> str:
    """``<table>_exact``: the target's key and counter columns, pending deltas added, and its
    ``events`` columns (``counters.Events``) as they are, for SQL readers outside Django (reports,
    BI tools, psql)."""
    sums = ", ".join(
        aggregate
        for i, counter in enumerate(target.counters)
        for aggregate in counter.pending_aggregates(i, "p")
    )
    columns = [
        f"{counter.merged(f't.{col}', 'p', i, f't.{target.quoted_key}')} AS {col}"
        for i, (col, counter) in enumerate(zip(target.quoted_columns, target.counters, strict=True))
    ]
    columns += [f"t.{quote(meta.column(f))}" for f in events]
    return EXACT_VIEW.format(
        **target.binds,
        view=exact_view_name(target.table),
        columns=", ".join(columns),
        sums=sums,
    )


def render_fold_function(targets: list[TargetTable], batch: int = 1000) -> str:
    """``counters_fold()``: folds every target table (see :mod:`counters.folding`)."""

    def step(target: TargetTable) -> str:
        sql = render_fold(target, batch=batch, after="_after", into="_folded")
        create = render_create(target, batch=batch, after="_after")
        recompute = render_recompute(target, "_folded.recompute")
        if recompute:
            sql += f";\nIF _folded.recompute IS NOT NULL THEN\n{textwrap.indent(recompute, '    ')};\nEND IF"
        return textwrap.indent(f"{create};\n{sql}" if create else sql, " " * 12)

    tables = "\n".join(
        FOLD_TABLE.format(lock=fold_lock(target), fold=step(target), batch=batch)
        for target in targets
    )
    return FOLD_FUNCTION.format(tables=tables)


def ignore_check_name(schema: str) -> str:
    """django-pgtrigger's ignore check function, in the schema its ``PGTRIGGER_SCHEMA`` setting
    names (``public`` by default): the function its triggers call, which :data:`IGNORE_CHECK`
    replaces."""
    return f"{quote(schema)}._pgtrigger_should_ignore" if schema else "_pgtrigger_should_ignore"


# django-pgtrigger's ignore check, without its EXCEPTION block (a subtransaction on every trigger
# call): the same answer, from current_setting(..., missing_ok)
IGNORE_CHECK = """\
CREATE OR REPLACE FUNCTION {name}(trigger_name NAME) RETURNS BOOLEAN AS $$
    SELECT CASE WHEN coalesce(current_setting('pgtrigger.ignore', true), '') = '' THEN false
                ELSE coalesce(trigger_name = ANY(current_setting('pgtrigger.ignore', true)::text[]),
                              false) END
$$ LANGUAGE sql STABLE"""

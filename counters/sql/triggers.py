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
from typing import cast

import pgtrigger
from django.db import models

from counters.core.counter import Counter
from counters.core.targets import TargetTable
from counters.meta import column
from counters.sql.collect import NEW, OLD, Feed, render_collect, render_move_lock
from counters.sql.fold import NO_FOLDER, fold_lock, render_recompute, render_window_fold
from counters.sql.landing import DELTAS, IN_PLACE_ALLOWED, RECOMPUTE, render_append
from counters.sql.quoting import quote

OPERATIONS = {
    "insert": (pgtrigger.Insert, pgtrigger.Referencing(new=NEW)),
    "update": (pgtrigger.Update, pgtrigger.Referencing(old=OLD, new=NEW)),
    "delete": (pgtrigger.Delete, pgtrigger.Referencing(old=OLD)),
    "truncate": (pgtrigger.Truncate, None),
}

APPEND_ONLY = f"""\
IF current_setting('transaction_isolation') IN ('repeatable read', 'serializable') THEN
    INSERT INTO counters_delta (counter, key, delta)
    SELECT d.counter, d.key, d.delta FROM {DELTAS};
    RETURN NULL;
END IF;"""

# the beat check reads a table, so it sits in an IF of its own: the outer condition stays a
# simple expression (no executor call), and a statement pays the table read one time in 64
FOLD_NOW_AND_THEN = """
IF random() < {chance} AND {in_place} THEN
    IF {no_folder} THEN
{fold};{recompute}
    END IF;
END IF;"""

FOLD_CHANCE = "1.0 / 64"  # about one statement in 64 folds a window of pending rows

RESET = """\
PERFORM {lock};
PERFORM 1 FROM {table} WHERE {nonempty} ORDER BY {key} FOR NO KEY UPDATE;
UPDATE {table} SET {empty} WHERE {nonempty};
DELETE FROM counters_delta WHERE counter IN ({ids});"""


def render_fold_now_and_then(target: TargetTable, i: int) -> str:
    """A writer's occasional fold of ``target`` when no dedicated folder runs: a bounded window of
    pending rows (see :func:`counters.sql.fold.render_window_fold`), never waiting."""
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


def render_reset(target: TargetTable) -> str:
    """After a TRUNCATE on the path: every counter of ``target`` is 0, nothing is pending."""
    pairs = list(zip(target.quoted_columns, target.counters, strict=True))
    return RESET.format(
        **target.binds,
        lock=fold_lock(target, wait=True),
        nonempty=" OR ".join(
            f"{col} <> 0" if c.empty == "0" else f"{col} IS NOT NULL" for col, c in pairs
        ),
        empty=", ".join(f"{col} = {c.empty}" for col, c in pairs),
    )


def pgtrigger_model(model: type[models.Model]) -> models.Model:
    """``model`` as django-pgtrigger's methods annotate their ``model`` argument: a model
    instance, where they take (and pgtrigger itself passes) the model class
    (AmbitionEng/django-pgtrigger#200). Only the annotation differs: ``model`` is returned."""
    return cast(models.Model, model)


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

    # pgtrigger annotates ``model`` as an instance; it passes the class (see pgtrigger_model)
    def get_declare(self, model: type[models.Model]) -> list[tuple[str, str]]:  # type: ignore[override]
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

    def get_func(self, model: type[models.Model]) -> str:  # type: ignore[override]  # as above
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
        col = quote(column(counter.field))
        if self.operation_name == "update":
            return f"OLD.{col} IS DISTINCT FROM NEW.{col}"
        return f"NEW.{col} IS DISTINCT FROM {counter.empty}"

    # pgtrigger annotates ``model`` as an instance; it passes the class (see pgtrigger_model)
    def get_condition(self, model: type[models.Model]) -> pgtrigger.Condition:  # type: ignore[override]
        changed = " OR ".join(self._changed(counter) for counter in self.counters)
        return pgtrigger.Condition(
            "pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) "
            f"IS DISTINCT FROM 'on' AND ({changed})"
        )

    def get_func(self, model: type[models.Model]) -> str:  # type: ignore[override]  # as above
        sets = [
            f"NEW.{quote(column(c.field))} := "
            + (f"OLD.{quote(column(c.field))}" if self.operation_name == "update" else c.empty)
            + ";"
            for c in self.counters
        ]
        return "\n".join([*sets, "RETURN NEW;"])

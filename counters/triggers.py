"""The triggers that keep counters, rendered from the counter declarations.

Every model on a counter path gets four statement-level AFTER triggers (INSERT, UPDATE, DELETE,
TRUNCATE). One statement fires each at most once, whatever its row count: the trigger reads the
statement's transition tables, turns them into one delta per target row (new rows count +1, old
rows -1, so an UPDATE that moves a row between targets or in and out of a condition moves its
count), and applies the deltas of each target table in one statement, in ascending key order, so
two statements touching the same rows in opposite orders never deadlock. Target tables are visited
in one fixed order (single-row totals last, since they are the hottest rows).

Every target model also gets two row-level guards that refuse writes to its trigger-kept fields made
by anything but a trigger (``pg_trigger_depth() < 1``) unless ``counters.unguarded`` is on.
"""

from __future__ import annotations

from collections import defaultdict

import pgtrigger
from django.db import models

from counters.spec import Counter, quote

NEW, OLD = "counters_new", "counters_old"

OPERATIONS = {
    "insert": (pgtrigger.Insert, pgtrigger.Referencing(new=NEW)),
    "update": (pgtrigger.Update, pgtrigger.Referencing(old=OLD, new=NEW)),
    "delete": (pgtrigger.Delete, pgtrigger.Referencing(old=OLD)),
    "truncate": (pgtrigger.Truncate, None),
}

SIDES = {"insert": (NEW,), "update": (NEW, OLD), "delete": (OLD,)}

Feed = tuple[Counter, int]  # a counter and the position of the trigger's model on its path


class TargetGroup:
    """The counters of one target table (and landing mode) fed by one model, in a stable order."""

    def __init__(self, feeds: list[Feed]) -> None:
        self.feeds = sorted(feeds, key=lambda feed: (feed[0].label, feed[1]))
        self.counters = sorted({counter for counter, _ in feeds}, key=lambda c: c.field.column)
        first = self.counters[0]
        self.table, self.key, self.mode = first.table, first.key_column, first.mode
        self.key_db_type = first.key_db_type

    @property
    def columns(self) -> list[str]:
        return [quote(counter.field.column) for counter in self.counters]

    @staticmethod
    def order(feeds: list[Feed]) -> list[TargetGroup]:
        grouped: dict[tuple[str, str], list[Feed]] = defaultdict(list)
        for counter, position in feeds:
            grouped[(counter.table, counter.mode)].append((counter, position))
        groups = [TargetGroup(items) for items in grouped.values()]
        return sorted(groups, key=lambda g: (g.mode == "singleton", g.table, g.mode))


def render_delta(group: TargetGroup, operation: str) -> str:
    """``SELECT key, d0, d1...``: this statement's net delta per target key, zero rows left out."""
    width = len(group.counters)
    arms = []
    for counter, position in group.feeds:
        slot = group.counters.index(counter)
        for rows, other, sign in ((NEW, OLD, "1"), (OLD, NEW, "-1")):
            if rows not in SIDES[operation]:
                continue
            unchanged_in = other if operation == "update" else None
            values = ", ".join(sign if i == slot else "0" for i in range(width))
            arms.append(
                f"SELECT r.key, {values} FROM "
                f"({counter.rows_sql(position, rows, unchanged_in=unchanged_in)}) AS r"
            )
    names = [f"d{i}" for i in range(width)]
    sums = ", ".join(f"sum({name})::bigint AS {name}" for name in names)
    nonzero = " OR ".join(f"sum({name}) <> 0" for name in names)
    return (
        f"SELECT key, {sums} FROM ({' UNION ALL '.join(arms)}) AS parts({', '.join(['key', *names])}) "
        f"GROUP BY key HAVING {nonzero}"
    )


def render_apply(group: TargetGroup, delta: str, index: int) -> str:
    """Apply ``delta`` (the SELECT of render_delta) to ``group``'s table: the one place where a
    counter delta lands.

    ``upsert`` and ``singleton`` targets take it in one ``INSERT ... ON CONFLICT DO UPDATE`` in key
    order: a missing row is created (only for a positive delta: a missing row with a negative one
    means its owner is being deleted). ``update`` targets (the counted-into model itself, whose
    required columns an INSERT could not fill) collect the deltas in sorted arrays, lock the rows
    in key order, then add.
    """
    table, key, columns = quote(group.table), quote(group.key), group.columns
    names = [f"d{i}" for i in range(len(columns))]
    if group.mode == "update":
        arrays = [f"_k{index}"] + [f"_d{index}_{i}" for i in range(len(columns))]
        aggs = ", ".join(f"array_agg({name} ORDER BY key)" for name in ["key", *names])
        sets = ", ".join(
            f"{col} = t.{col} + d.{name}" for col, name in zip(columns, names, strict=True)
        )
        return (
            f"SELECT {aggs} INTO {', '.join(arrays)} FROM ({delta}) AS delta;\n"
            f"IF _k{index} IS NOT NULL THEN "
            f"PERFORM 1 FROM {table} AS t WHERE t.{key} = ANY(_k{index}) ORDER BY t.{key} "
            f"FOR NO KEY UPDATE; "
            f"UPDATE {table} AS t SET {sets} FROM unnest({', '.join(arrays)}) "
            f"AS d(key, {', '.join(names)}) WHERE t.{key} = d.key; END IF;"
        )
    positive = " OR ".join(f"d.{name} > 0" for name in names)
    sets = ", ".join(f"{col} = t.{col} + EXCLUDED.{col}" for col in columns)
    return (
        f"INSERT INTO {table} AS t ({key}, {', '.join(columns)}) "
        f"SELECT d.key, {', '.join('d.' + n for n in names)} FROM ({delta}) AS d "
        f"LEFT JOIN {table} AS e ON e.{key} = d.key WHERE {positive} OR e.{key} IS NOT NULL "
        f"ORDER BY d.key ON CONFLICT ({key}) DO UPDATE SET {sets};"
    )


def render_reset(group: TargetGroup) -> str:
    """After a TRUNCATE on the path: every counter of the group is 0 (rows locked in key order)."""
    table, key = quote(group.table), quote(group.key)
    nonzero = " OR ".join(f"{col} <> 0" for col in group.columns)
    zero = ", ".join(f"{col} = 0" for col in group.columns)
    return (
        f"PERFORM 1 FROM {table} WHERE {nonzero} ORDER BY {key} FOR NO KEY UPDATE; "
        f"UPDATE {table} SET {zero} WHERE {nonzero};"
    )


class CounterTrigger(pgtrigger.Trigger):
    """The statement-level trigger of one operation on one model on a counter path."""

    level = pgtrigger.Statement
    when = pgtrigger.After

    def __init__(self, operation: str, feeds: list[Feed]) -> None:
        self.operation_name = operation
        self.feeds = feeds
        op, referencing = OPERATIONS[operation]
        super().__init__(name=f"counters_{operation}", operation=op, referencing=referencing)

    def groups(self) -> list[TargetGroup]:
        return TargetGroup.order(self.feeds)

    def get_declare(self, model: type[models.Model]) -> list[tuple[str, str]]:
        if self.operation_name == "truncate":
            return []
        declare = []
        for index, group in enumerate(self.groups()):
            if group.mode != "update":
                continue
            declare.append((f"_k{index}", f"{group.key_db_type}[]"))
            declare += [(f"_d{index}_{i}", "bigint[]") for i in range(len(group.counters))]
        return declare

    def get_func(self, model: type[models.Model]) -> str:
        groups = self.groups()
        if self.operation_name == "truncate":
            body = [render_reset(group) for group in groups]
        else:
            body = []
            for index, group in enumerate(groups):
                body.append(render_apply(group, render_delta(group, self.operation_name), index))
        return "\n".join([*body, "RETURN NULL;"])


class GuardTrigger(pgtrigger.Trigger):
    """Refuses writes to trigger-kept counters that do not come from a trigger.

    The check sits in the trigger's WHEN clause, so writes made by the counter triggers (trigger
    depth 1) never even call the function.
    """

    level = pgtrigger.Row
    when = pgtrigger.Before

    def __init__(self, operation: str, counters: list[Counter]) -> None:
        self.operation_name = operation
        self.counters = counters
        super().__init__(
            name=f"counters_guard_{operation}",
            operation=pgtrigger.Update if operation == "update" else pgtrigger.Insert,
        )

    def _changed(self, counter: Counter) -> str:
        col = quote(counter.field.column)
        if self.operation_name == "update":
            return f"OLD.{col} IS DISTINCT FROM NEW.{col}"
        return f"NEW.{col} IS DISTINCT FROM 0"

    def _sorted(self) -> list[Counter]:
        return sorted(self.counters, key=lambda counter: counter.label)

    def get_condition(self, model: type[models.Model]) -> pgtrigger.Condition:
        changed = " OR ".join(self._changed(counter) for counter in self._sorted())
        return pgtrigger.Condition(
            "pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) "
            f"IS DISTINCT FROM 'on' AND ({changed})"
        )

    def get_func(self, model: type[models.Model]) -> str:
        checks = [
            f"IF {self._changed(counter)} THEN RAISE EXCEPTION USING ERRCODE = '55000', "
            f"MESSAGE = 'counter {counter.label} is kept by database triggers; "
            f"writing it by hand would count twice', "
            f"HINT = 'Let the triggers count, repair it with manage.py backfill_counters, "
            f"or SET LOCAL counters.unguarded = on for a deliberate repair.'; END IF;"
            for counter in self._sorted()
        ]
        return "\n".join([*checks, "RETURN NEW;"])


def register_all(counters: list[Counter]) -> None:
    """Register the counter triggers and guards of ``counters`` with django-pgtrigger."""
    feeds: dict[type[models.Model], list[Feed]] = defaultdict(list)
    targets: dict[type[models.Model], list[Counter]] = defaultdict(list)
    for counter in counters:
        targets[counter.target].append(counter)
        for position, model in enumerate(counter.path_models):
            feeds[model].append((counter, position))
    for model, model_feeds in feeds.items():
        for operation in OPERATIONS:
            CounterTrigger(operation, model_feeds).register(model)
    for target, target_counters in targets.items():
        for operation in ("insert", "update"):
            GuardTrigger(operation, target_counters).register(target)


def triggers_for(counter: Counter) -> list[tuple[type[models.Model], pgtrigger.Trigger]]:
    """The registered pgtrigger triggers that keep ``counter`` (for status checks)."""
    wanted = set(counter.path_models)
    return [
        (model, trigger)
        for model, trigger in pgtrigger.registered()
        if isinstance(trigger, CounterTrigger | GuardTrigger)
        and (
            (isinstance(trigger, CounterTrigger) and model in wanted)
            or (isinstance(trigger, GuardTrigger) and model is counter.target)
        )
    ]

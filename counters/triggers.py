"""The triggers that keep counters, rendered from the counter declarations.

Every model on a counter path gets four statement-level AFTER triggers (INSERT, UPDATE, DELETE,
TRUNCATE). One statement fires each at most once, whatever its row count. A trigger turns its
statement's transition tables into one delta per counter and target key (new rows count +1, old
rows -1, so an UPDATE that moves a row between targets or in and out of a condition moves its
count; zero deltas are left out) and **appends** them to ``counters_delta`` in one ``INSERT``.
Writers never update counter rows: no row lock on a target, no waiting on another writer, no
deadlock on counter rows whatever the order of statements in a transaction, and a rollback takes
the appended rows with it. Folding (:mod:`counters.folding`) moves pending deltas into the
counter columns later, off the writers' path; every documented read adds what is still pending.

The same statement creates missing stats and totals rows (with zeros) for keys with a positive
delta, so a fold only ever updates rows that exist.

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

from counters.spec import Counter, quote
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

APPEND = """\
WITH delta AS MATERIALIZED (
    SELECT part.counter, part.key, {combine} AS delta
    FROM (
{arms}
    ) AS part (counter, key, delta)
    GROUP BY part.counter, part.key
    HAVING {keep}
),
appended AS (
    INSERT INTO counters_delta (counter, key, delta)
    SELECT delta.counter, delta.key, delta.delta FROM delta
)
SELECT {missing}
FROM delta;{creates}"""

APPEND_PLAIN = """\
INSERT INTO counters_delta (counter, key, delta)
SELECT part.counter, part.key, {combine} AS delta
FROM (
{arms}
) AS part (counter, key, delta)
GROUP BY part.counter, part.key
HAVING {keep};"""  # no target rows to create: the append alone

TOUCHED = """\
SELECT touched.key FROM (
{arms}
) AS touched (key)
LIMIT {batch}"""

TOUCHED_ARM = """\
    SELECT r.key::text FROM (
        {rows}
    ) AS r  -- {label}"""

ARM = """\
        SELECT {id}, r.key::text, {delta} FROM (
            {rows}
        ) AS r GROUP BY r.key  -- {label}"""

MISSING = """\
array_agg(delta.key::{key_type}) FILTER (  -- {table}: keys counted for the first time
           WHERE {counted}
             AND NOT EXISTS (SELECT 1 FROM {table} AS t WHERE t.{key} = delta.key::{key_type}))"""

CREATE = """
IF _new{index} IS NOT NULL THEN  -- {table}: their row, with zeros, for the fold to add into,
    INSERT INTO {table} ({key})  -- unless another writer is creating it right now (no waiting;
    SELECT DISTINCT k.key FROM unnest(_new{index}) AS k (key)  -- a bulk statement creates in key order)
    WHERE cardinality(_new{index}) > {bulk} OR pg_try_advisory_xact_lock({lock}, hashtext(k.key::text))
    ORDER BY 1 ON CONFLICT DO NOTHING;
END IF;"""

CREATE_BULK = 64  # more new keys than this in one statement: no per-key locks (the lock table)

FOLD_NOW_AND_THEN = """\
IF random() < {chance} THEN  -- now and then a writer folds a batch, when no folder runs ...
    IF {no_folder} AND {lock} THEN  -- ... and nobody is folding this table
{fold}
    END IF;
END IF;"""

FOLD_CHANCE = "1.0 / 64"  # about one statement in 64 folds a batch of ...
FOLD_BATCH = 256  # ... target keys of each target table it feeds

RESET = """\
-- {table}: a TRUNCATE on the path leaves nothing to count
PERFORM {lock};  -- no fold of this table meanwhile
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


def render_append(feeds: list[Feed], operation: str) -> str:
    """The one statement a counter trigger runs: append this statement's deltas (and create
    the missing stats rows they need)."""
    arms = []
    for counter, sql, sign in _sides(feeds, operation):
        number, delta = counter.arm(sign)
        arms.append(ARM.format(id=number, delta=delta, rows=sql, label=counter.label))
    created = created_targets(feeds)
    missing = [
        MISSING.format(
            table=target.quoted_table,
            key=target.quoted_key,
            key_type=target.key_type,
            counted=_counted_for_the_first_time(target),
        )
        for target in created
    ]
    into = ", ".join(f"_new{index}" for index in range(len(created)))
    creates = "".join(
        CREATE.format(
            index=index,
            table=target.quoted_table,
            key=target.quoted_key,
            lock=target.create_lock,
            bulk=CREATE_BULK,
        )
        for index, target in enumerate(created)
    )
    combine, keep = "sum(part.delta)::bigint", "sum(part.delta) <> 0"
    extremes = sorted({c for c, _ in feeds if c.extreme}, key=lambda c: c.label)
    if extremes:  # candidates keep their extreme, markers one row; amounts add up
        cases = "".join(
            f"\n        WHEN part.counter IN ({', '.join(str(n) for n in c.delta_ids)}) "
            f"THEN {c.kind}(part.delta)  -- {c.label}: its extreme; markers: one row"
            for c in extremes
        )
        combine = f"CASE{cases}\n        ELSE sum(part.delta)::bigint END"
        numbers = ", ".join(str(n) for c in extremes for n in c.delta_ids)
        keep = f"part.counter IN ({numbers}) OR sum(part.delta) <> 0"
    if not created:
        return APPEND_PLAIN.format(
            combine=combine,
            keep=keep,
            arms=textwrap.indent(textwrap.dedent("\n        UNION ALL\n".join(arms)), "    "),
        )
    return APPEND.format(
        combine=combine,
        keep=keep,
        arms="\n        UNION ALL\n".join(arms),
        missing=",\n       ".join(missing) + f"\nINTO {into}",
        creates=creates,
    )


def render_touched(feeds: list[Feed], operation: str, target: TargetTable) -> str:
    """The keys of ``target`` this statement touched, read again from its transition tables (the
    first ``FOLD_BATCH`` of them): what a writer's occasional fold takes besides the oldest."""
    arms = [
        TOUCHED_ARM.format(rows=sql, label=counter.label)
        for counter, sql, _ in _sides(feeds, operation)
        if counter in target.counters
    ]
    return TOUCHED.format(arms="\n    UNION\n".join(arms), batch=FOLD_BATCH)


def _counted_for_the_first_time(target: TargetTable) -> str:
    """Which appended deltas need their target row: a count's positive ones (a count cannot
    start below zero), and any of a sum or a candidate of a Min or Max."""
    counts = [c.id for c in target.counters if c.kind == "count"]
    others = [c.id for c in target.counters if c.kind != "count"]
    parts = []
    if counts:
        parts.append(f"delta.counter IN ({', '.join(map(str, counts))}) AND delta.delta > 0")
    if others:
        parts.append(f"delta.counter IN ({', '.join(map(str, others))})")
    return parts[0] if len(parts) == 1 else "(" + " OR ".join(f"({p})" for p in parts) + ")"


def created_targets(feeds: list[Feed]) -> list[TargetTable]:
    """The target tables whose rows the writers create (stats rows and totals)."""
    targets = TargetTable.group(counter for counter, _ in feeds)
    return [target for target in targets if target.mode != "update"]


def render_fold_now_and_then(target: TargetTable, keys: str) -> str:
    """A writer's occasional fold of the keys of ``target`` its statement touched (``keys``):
    the rows being written are the ones whose deltas pile up. Tried, never waited for."""
    from counters.folding import NO_FOLDER, fold_lock, render_create, render_fold

    fold = render_fold(target, batch=FOLD_BATCH, into="_folded", keys=keys)
    create = render_create(target, batch=FOLD_BATCH)
    if create:  # only when the fold met keys without their row (rare: a statement creates them)
        fold += f";\nIF _folded.rowless > 0 THEN\n{textwrap.indent(create, '    ')};\nEND IF"
    return FOLD_NOW_AND_THEN.format(
        chance=FOLD_CHANCE,
        no_folder=NO_FOLDER,
        lock=fold_lock(target),
        fold=textwrap.indent(fold, " " * 8) + ";",
    )


def render_reset(target: TargetTable) -> str:
    """After a TRUNCATE on the path: every counter of ``target`` is 0, nothing is pending."""
    from counters.folding import fold_lock

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
        created = created_targets(self.feeds)
        new = [(f"_new{i}", f"{target.key_type}[]") for i, target in enumerate(created)]
        return [*new, ("_folded", "record")]

    def get_func(self, model: type[models.Model]) -> str:
        targets = TargetTable.group(counter for counter, _ in self.feeds)
        if self.operation_name == "truncate":
            body = "\n".join(render_reset(target) for target in targets)
        else:
            body = "\n".join(
                [render_append(self.feeds, self.operation_name)]
                + [
                    render_fold_now_and_then(t, render_touched(self.feeds, self.operation_name, t))
                    for t in targets
                ]
            )
        return f"{body}\nRETURN NULL;"


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


def triggers_for(counter: Counter) -> list[tuple[type[models.Model], pgtrigger.Trigger]]:
    """The registered pgtrigger triggers that keep ``counter`` (for status checks)."""
    return [
        (model, trigger)
        for model, trigger in pgtrigger.registered()
        if (isinstance(trigger, CounterTrigger) and any(c == counter for c, _ in trigger.feeds))
        or (isinstance(trigger, ReadOnlyTrigger) and counter in trigger.counters)
    ]

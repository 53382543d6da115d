"""The triggers that keep counters, rendered from the counter declarations.

Every model on a counter path gets four statement-level AFTER triggers (INSERT, UPDATE, DELETE,
TRUNCATE). One statement fires each at most once, whatever its row count: the trigger reads the
statement's transition tables, turns them into one delta per target row (new rows count +1, old
rows -1, so an UPDATE that moves a row between targets or in and out of a condition moves its
count), and applies the deltas of each target table in one statement, in ascending key order, so
two statements touching the same rows in opposite orders never deadlock. Target tables are visited
in one fixed order (single-row totals last, since they are the hottest rows).

After landing, each trigger announces which target rows changed with ``pg_notify('counters', ...)``
(one message per target table and statement, delivered at commit, never for rolled-back work;
``counters.notify = off`` skips it): see :mod:`counters.live`.

Every target model also gets two row-level guards that keep its trigger-kept fields read-only to
writes made by anything but a trigger (``pg_trigger_depth() < 1``) unless ``counters.unguarded`` is
on: see :class:`ReadOnlyTrigger`.

Triggers are registered in the app that declares the counters (the target's app): on the source
model itself when it belongs to that app, else on a proxy model created there (see
:func:`trigger_model`), so their migrations never land in another package.
"""

from __future__ import annotations

import zlib
from collections import defaultdict

import pgtrigger
from django.apps import apps
from django.db import models

from counters.spec import Counter, literal, quote

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

    @property
    def slotted(self) -> bool:
        """Whether some counter of the group may spread a busy row's deltas over slot rows."""
        return any(counter.slots for counter in self.counters)

    @property
    def all_slotted(self) -> bool:
        """Whether every counter of the group has slots (the one-statement landing)."""
        return self.mode != "update" and all(counter.slots for counter in self.counters)

    def changed_keys(self, index: int) -> str | None:
        """The PL/pgSQL array the landing fills with the changed keys (for the notification),
        when it does (the one-statement landing); ``None`` when they must be derived again."""
        return f"_nk{index}" if self.all_slotted else None

    def declare(self, index: int) -> list[tuple[str, str]]:
        """The PL/pgSQL variables the group's landing code uses."""
        width = range(len(self.counters))
        if self.mode == "update":
            return [(f"_k{index}", f"{self.key_db_type}[]")] + [
                (f"_d{index}_{i}", "bigint[]") for i in width
            ]
        if not self.slotted:
            return []
        changed = [(f"_nk{index}", f"{self.key_db_type}[]")] if self.all_slotted else []
        return [
            *changed,
            (f"_done{index}", f"{self.key_db_type}[]"),
            (f"_bk{index}", f"{self.key_db_type}[]"),
            *[(f"_bd{index}_{i}", "bigint[]") for i in width],
            ("_i", "integer"),
            ("_s", "integer"),
        ]

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
    if group.all_slotted:
        return render_all_slotted_apply(group, delta, index)
    if group.slotted:
        return render_slotted_apply(group, delta, index)
    return render_upsert(group, delta) + ";"


def render_upsert(group: TargetGroup, delta: str, where: str = "", returning: str = "") -> str:
    """``INSERT ... ON CONFLICT DO UPDATE`` of the deltas, in key order (waits for busy rows)."""
    table, key, columns = quote(group.table), quote(group.key), group.columns
    names = [f"d{i}" for i in range(len(columns))]
    positive = " OR ".join(f"d.{name} > 0" for name in names)
    sets = ", ".join(f"{col} = t.{col} + EXCLUDED.{col}" for col in columns)
    return (
        f"INSERT INTO {table} AS t ({key}, {', '.join(columns)}) "
        f"SELECT d.key, {', '.join('d.' + n for n in names)} FROM ({delta}) AS d "
        f"LEFT JOIN {table} AS e ON e.{key} = d.key WHERE ({positive} OR e.{key} IS NOT NULL)"
        f"{where} ORDER BY d.key ON CONFLICT ({key}) DO UPDATE SET {sets}{returning}"
    )


def render_slotted_apply(group: TargetGroup, delta: str, index: int) -> str:
    """Land deltas without waiting on a hot row (one that another writer holds).

    1. Keys that must wait (the row is missing, a counter without slots moved, or
       ``counters.slots`` is off) are upserted in key order, as without slots.
    2. The other keys take their row if it is free at once (``SKIP LOCKED``) and add to it.
    3. The rest (busy rows) add their deltas to slot rows in ``counters_slot``, key by key in
       order: a free existing slot (``SKIP LOCKED``), else a new slot number, else (all slots busy)
       they wait for their own slot. Nothing is ever skipped; reads add the slots in.

    Waits happen only in steps 1 and 3, each in key order, and step 1 before anything is taken
    without waiting, so two statements never wait on each other in a cycle.
    """
    table, key = quote(group.table), quote(group.key)
    names = [f"d{i}" for i in range(len(group.counters))]
    unslotted = [f"d.{n}" for n, c in zip(names, group.counters, strict=True) if not c.slots]
    must = " OR ".join(
        ["e." + key + " IS NULL", "current_setting('counters.slots', true) = 'off'"]
        + [f"{name} <> 0" for name in unslotted]
    )
    done = f"_done{index}"
    step1 = (
        f"WITH applied AS ({render_upsert(group, delta, f' AND ({must})', f' RETURNING t.{key}')}) "
        f"SELECT coalesce(array_agg({key}), '{{}}') INTO {done} FROM applied;"
    )
    sets = ", ".join(
        f"{col} = t.{col} + d.{n}" for col, n in zip(group.columns, names, strict=True)
    )
    step2 = (
        f"WITH d AS MATERIALIZED (SELECT * FROM ({delta}) AS delta "
        f"WHERE delta.key NOT IN (SELECT unnest({done}))), "
        f"free AS (SELECT t.{key} FROM {table} AS t WHERE t.{key} IN (SELECT d.key FROM d) "
        f"ORDER BY t.{key} FOR NO KEY UPDATE SKIP LOCKED), "
        f"taken AS (UPDATE {table} AS t SET {sets} FROM d WHERE t.{key} = d.key "
        f"AND t.{key} IN (SELECT {key} FROM free) RETURNING t.{key}) "
        f"{busy_into(group, index, 'd')} FROM d "
        f"WHERE d.key NOT IN (SELECT {key} FROM taken) "
        f"AND EXISTS (SELECT 1 FROM {table} AS e WHERE e.{key} = d.key);"
    )
    return "\n".join([step1, step2, render_busy_to_slots(group, index)])


def busy_into(group: TargetGroup, index: int, alias: str, busy: str | None = None) -> str:
    """``SELECT <sorted arrays of alias's keys and deltas> INTO`` the group's busy variables.

    With ``busy`` (a condition), only those rows go to the busy arrays, and every key goes to
    the group's changed keys (so the statement needs no WHERE)."""
    names = ["key", *(f"d{i}" for i in range(len(group.counters)))]
    only = f" FILTER (WHERE {busy})" if busy else ""
    aggs = [f"array_agg({alias}.{name} ORDER BY {alias}.key){only}" for name in names]
    into = [f"_bk{index}"] + [f"_bd{index}_{i}" for i in range(len(group.counters))]
    if busy:
        aggs.append(f"array_agg({alias}.key ORDER BY {alias}.key)")
        into.append(group.changed_keys(index))
    return f"SELECT {', '.join(aggs)} INTO {', '.join(into)}"


def render_busy_to_slots(group: TargetGroup, index: int) -> str:
    """Send each busy key's deltas (collected by :func:`busy_into`) to its counters' slot rows,
    key by key in ascending order."""
    slot_writes = " ".join(
        render_slot_write(counter, f"_bk{index}[_i]", f"_bd{index}_{i}[_i]")
        for i, counter in enumerate(group.counters)
        if counter.slots
    )
    return (
        f"IF _bk{index} IS NOT NULL THEN FOR _i IN 1 .. cardinality(_bk{index}) LOOP "
        f"{slot_writes} END LOOP; END IF;"
    )


ADVISORY_BATCH = 64  # statements with more target keys than this wait for their rows instead


def advisory_class(table: str) -> int:
    """The first key of the advisory locks that mark "a writer is landing on a row of table"."""
    return zlib.crc32(table.encode()) - 2**31


def advisory_try(table: str, key: str) -> str:
    """SQL trying (never waiting for) the advisory lock of ``key`` in ``table``."""
    return f"pg_try_advisory_xact_lock({advisory_class(table)}, mod({key}, 2147483647)::integer)"


def render_all_slotted_apply(group: TargetGroup, delta: str, index: int) -> str:
    """Land deltas when every counter of the group has slots, in one statement.

    A writer claims each existing target row it changes with a transaction-level advisory lock,
    *tried* and never waited for. Claimed rows (and missing rows, which are created) are upserted
    in key order as usual; rows another writer has claimed are busy, and their deltas go to slot
    rows (see :func:`render_slot_write`). Writers never wait for each other's rows, only (in key
    order) for a row a recount, a bulk statement or a ``counters.slots = off`` session holds,
    which do not claim. Statements with more than ``ADVISORY_BATCH`` keys do not claim either:
    they wait, in key order, like every exact counter.
    """
    table, key = quote(group.table), quote(group.key)
    names = [f"d{i}" for i in range(len(group.counters))]
    positive = " OR ".join(f"g.{name} > 0" for name in names)
    sets = ", ".join(f"{col} = t.{col} + EXCLUDED.{col}" for col in group.columns)
    busy = (
        f"NOT g.claimed AND g.key NOT IN (SELECT {key} FROM applied) "
        f"AND EXISTS (SELECT 1 FROM {table} AS e WHERE e.{key} = g.key)"
    )
    landed = (
        f"WITH d AS MATERIALIZED ({delta}), "
        f"g AS MATERIALIZED (SELECT d.*, CASE WHEN (SELECT count(*) FROM d) > {ADVISORY_BATCH} "
        f"OR current_setting('counters.slots', true) = 'off' THEN true "
        f"ELSE {advisory_try(group.table, 'd.key')} END AS claimed FROM d), "
        f"applied AS (INSERT INTO {table} AS t ({key}, {', '.join(group.columns)}) "
        f"SELECT g.key, {', '.join('g.' + n for n in names)} FROM g "
        f"LEFT JOIN {table} AS e ON e.{key} = g.key "
        f"WHERE (g.claimed OR e.{key} IS NULL) AND ({positive} OR e.{key} IS NOT NULL) "
        f"ORDER BY g.key ON CONFLICT ({key}) DO UPDATE SET {sets} RETURNING t.{key}) "
        f"{busy_into(group, index, 'g', busy)} FROM g;"
    )
    return f"{landed}\n{render_busy_to_slots(group, index)}"


def render_slot_write(counter: Counter, key: str, delta: str) -> str:
    """Add ``delta`` to one of ``counter``'s slot rows for ``key`` (PL/pgSQL)."""
    label, n = literal(counter.label), counter.slots
    where = f"counter = {label} AND key = {key}"
    return (
        f"IF {delta} <> 0 THEN "
        f"_s := NULL; "
        f"SELECT slot INTO _s FROM counters_slot WHERE {where} "
        f"ORDER BY (slot + pg_backend_pid()) % {n} FOR UPDATE SKIP LOCKED LIMIT 1; "
        f"IF _s IS NOT NULL THEN "
        f"UPDATE counters_slot SET delta = delta + {delta} WHERE {where} AND slot = _s; "
        f"ELSE "
        f"SELECT g INTO _s FROM generate_series(0, {n - 1}) AS g WHERE NOT EXISTS "
        f"(SELECT 1 FROM counters_slot WHERE {where} AND slot = g) "
        f"ORDER BY (g + pg_backend_pid()) % {n} LIMIT 1; "
        f"INSERT INTO counters_slot (counter, key, slot, delta) "
        f"VALUES ({label}, {key}, coalesce(_s, pg_backend_pid() % {n}), {delta}) "
        f"ON CONFLICT (counter, key, slot) DO UPDATE SET delta = counters_slot.delta + EXCLUDED.delta; "
        f"END IF; END IF;"
    )


CHANNEL = "counters"  # the NOTIFY channel of counter changes
NOTIFY_MAX_KEYS = 100  # a statement changing more target rows announces "many" (keys null)


def render_notify(group: TargetGroup, delta: str | None, keys: str | None = None) -> str:
    """Announce, at commit, which rows of ``group``'s table this statement changed:
    ``{"t": "<model label>", "k": [keys] or null}`` (null: more than NOTIFY_MAX_KEYS, or a
    TRUNCATE). PostgreSQL folds identical messages of one transaction into one.

    ``keys`` names a PL/pgSQL array the landing already filled with the changed keys; without it
    they are derived again from ``delta``."""
    label = literal(group.counters[0].target._meta.label)
    gate = "current_setting('counters.notify', true) IS DISTINCT FROM 'off'"
    if keys is not None:
        send = (
            f"PERFORM pg_notify({literal(CHANNEL)}, json_build_object('t', {label}, 'k', "
            f"CASE WHEN cardinality({keys}) > {NOTIFY_MAX_KEYS} THEN NULL "
            f"ELSE to_json({keys}) END)::text);"
        )
        return f"IF {keys} IS NOT NULL AND {gate} THEN {send} END IF;"
    if delta is None:
        send = f"PERFORM pg_notify({literal(CHANNEL)}, json_build_object('t', {label}, 'k', NULL)::text);"
    else:
        send = (
            f"PERFORM pg_notify({literal(CHANNEL)}, json_build_object('t', {label}, 'k', "
            f"CASE WHEN c.n > {NOTIFY_MAX_KEYS} THEN NULL ELSE c.keys END)::text) "
            f"FROM (SELECT count(*) AS n, json_agg(d.key ORDER BY d.key) AS keys "
            f"FROM ({delta}) AS d) AS c WHERE c.n > 0;"
        )
    return f"IF {gate} THEN {send} END IF;"


def render_reset(group: TargetGroup) -> str:
    """After a TRUNCATE on the path: every counter of the group is 0 (rows locked in key order)."""
    table, key = quote(group.table), quote(group.key)
    nonzero = " OR ".join(f"{col} <> 0" for col in group.columns)
    zero = ", ".join(f"{col} = 0" for col in group.columns)
    labels = ", ".join(literal(counter.label) for counter in group.counters if counter.slots)
    slots = f" DELETE FROM counters_slot WHERE counter IN ({labels});" if labels else ""
    return (
        f"PERFORM 1 FROM {table} WHERE {nonzero} ORDER BY {key} FOR NO KEY UPDATE; "
        f"UPDATE {table} SET {zero} WHERE {nonzero};{slots}"
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

    def groups(self) -> list[TargetGroup]:
        return TargetGroup.order(self.feeds)

    def get_declare(self, model: type[models.Model]) -> list[tuple[str, str]]:
        if self.operation_name == "truncate":
            return []
        declare: list[tuple[str, str]] = []
        for index, group in enumerate(self.groups()):
            declare += [item for item in group.declare(index) if item not in declare]
        return declare

    def get_func(self, model: type[models.Model]) -> str:
        groups = self.groups()
        if self.operation_name == "truncate":
            body = [render_reset(group) for group in groups]
            body += [render_notify(group, None) for group in groups]
        else:
            body = []
            for index, group in enumerate(groups):
                delta = render_delta(group, self.operation_name)
                body.append(render_apply(group, delta, index))
            body += [
                render_notify(
                    group, render_delta(group, self.operation_name), group.changed_keys(index)
                )
                for index, group in enumerate(groups)
            ]
        return "\n".join([*body, "RETURN NULL;"])


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
        return f"NEW.{col} IS DISTINCT FROM 0"

    def get_condition(self, model: type[models.Model]) -> pgtrigger.Condition:
        changed = " OR ".join(self._changed(counter) for counter in self.counters)
        return pgtrigger.Condition(
            "pg_trigger_depth() < 1 AND current_setting('counters.unguarded', true) "
            f"IS DISTINCT FROM 'on' AND ({changed})"
        )

    def get_func(self, model: type[models.Model]) -> str:
        kept = "OLD.{col}" if self.operation_name == "update" else "0"
        sets = [
            f"NEW.{quote(c.field.column)} := {kept.format(col=quote(c.field.column))};"
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

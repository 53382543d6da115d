"""Recount and drift check: batched, resumable, and correct while writes go on.

The work is done per target model, in keyset batches of target keys (``(lo, hi]`` ranges), one
transaction per batch. A recount batch

1. creates the missing target rows of the range with their true values (every user gets a stats
   row),
2. compares cached and true values of the whole range in one statement (set-based ``GROUP BY``),
3. locks only the drifted rows, in key order (``FOR NO KEY UPDATE``): from then on every writer
   whose trigger would touch one of them waits for us, and we have waited for every writer that
   already had,
4. then, in a fresh statement (so a fresh READ COMMITTED snapshot that sees all of those writers),
   recounts those rows and writes the true values.

Rows that matched in step 2 are left alone: triggers keep them matching, so a recount of a healthy
database writes and locks nothing.

A check runs step 2 alone, in one statement per batch: cached values and source rows
are read from the same snapshot, and every transaction changes both together, so any difference is
real drift. Nothing is locked or written.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

from counters import registry
from counters.exceptions import CounterError
from counters.spec import Counter, literal, quote

MAX_EXAMPLES = 5


@dataclass
class CounterReport:
    """What a run found for one counter."""

    label: str
    rows_checked: int = 0
    rows_drifted: int = 0
    largest_drift: int = 0
    examples: list[dict[str, object]] = field(default_factory=list)  # key, cached, true

    def add(self, key: object, cached: int, true: int) -> None:
        self.rows_drifted += 1
        self.largest_drift = max(self.largest_drift, abs(true - cached))
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append({"key": key, "cached": cached, "true": true})


@dataclass
class Progress:
    """Where a run is: passed to the progress callback after every committed batch."""

    target: str
    done: int
    total: int
    last_key: object


@dataclass
class Report:
    """The result of :func:`recount` or :func:`check`."""

    fixed: bool
    counters: list[CounterReport]
    rows_created: int = 0
    seconds: float = 0.0
    completed: bool = True
    last_committed: dict[str, object] = field(default_factory=dict)  # target label -> last key

    @property
    def drifted(self) -> bool:
        return any(report.rows_drifted for report in self.counters)

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["drifted"] = self.drifted
        return data


class RecountInterrupted(CounterError):
    """A run stopped before its end (Ctrl-C); every batch committed before stays committed."""

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__(f"interrupted; committed up to {report.last_committed}")


class TriggersNotInstalled(CounterError):
    """The database lacks (or has disabled) triggers that keep the counters asked for."""


class Target:
    """The counters of one target model, and the SQL that checks or recounts them by key range."""

    def __init__(self, counters: list[Counter]) -> None:
        self.counters = counters
        first = counters[0]
        self.model = first.target
        self.mode = first.mode
        self.table = quote(first.table)
        self.key = quote(first.key_column)
        self.label = self.model._meta.label

    @property
    def key_field(self) -> models.Field:
        return self.model._meta.pk

    def domain_sql(self) -> str:
        """``SELECT k``: every key that should have a target row."""
        if self.mode == "singleton":
            return f"SELECT {self.counters[0].singleton_key!r}::bigint AS k"
        if self.mode == "upsert":
            pk = self.model._meta.pk
            return (
                f"SELECT {quote(pk.target_field.column)} AS k "
                f"FROM {quote(pk.related_model._meta.db_table)}"
            )
        return f"SELECT {self.key} AS k FROM {self.table}"

    @staticmethod
    def _true_counts(counters: list[Counter], bounds: str) -> str:
        """LEFT JOINs ``c0, c1, ...``: each counter's true value per key of the range."""
        return " ".join(
            f"LEFT JOIN (SELECT r.key, count(*) AS n FROM ({counter.rows_sql(-1, '')}) AS r "
            f"WHERE {bounds.format(col='r.key')} GROUP BY r.key) AS c{i} ON c{i}.key = d.k"
            for i, counter in enumerate(counters)
        )

    def _pending(self, bounds: str) -> str:
        """LEFT JOINs ``p0, p1, ...``: the slot sum per key of each slotted counter of the range."""
        return " ".join(
            f"LEFT JOIN (SELECT s.key, sum(s.delta)::bigint AS n FROM counters_slot AS s "
            f"WHERE s.counter = {literal(counter.label)} AND {bounds.format(col='s.key')} "
            f"GROUP BY s.key) AS p{i} ON p{i}.key = d.k"
            for i, counter in enumerate(self.counters)
            if counter.slots
        )

    @property
    def slotted(self) -> list[Counter]:
        return [counter for counter in self.counters if counter.slots]

    def drift_sql(self, bounds: str) -> str:
        """Rows of the range whose value (row plus slots) differs from the true count, with both."""
        cached, true, differ = [], [], []
        for i, counter in enumerate(self.counters):
            value = f"coalesce(t.{quote(counter.field.column)}, 0)"
            if counter.slots:
                value += f" + coalesce(p{i}.n, 0)"
            cached.append(value)
            true.append(f"coalesce(c{i}.n, 0)")
            differ.append(f"{value} <> coalesce(c{i}.n, 0)")
        return (
            f"SELECT d.k, {', '.join(cached)}, {', '.join(true)} "
            f"FROM ({self.domain_sql()}) AS d LEFT JOIN {self.table} AS t ON t.{self.key} = d.k "
            f"AND {bounds.format(col='t.' + self.key)} "
            f"{self._true_counts(self.counters, bounds)} {self._pending(bounds)} "
            f"WHERE {bounds.format(col='d.k')} AND ({' OR '.join(differ)}) ORDER BY d.k"
        )

    def create_sql(self, bounds: str) -> str:
        """Insert the range's missing target rows with the true values of every counter they hold.

        A writer whose trigger creates the same row first wins the conflict; the drift comparison
        that follows catches what that row lacks.
        """
        every = registry.counters_on(self.model)
        columns = ", ".join(quote(c.field.column) for c in every)
        values = ", ".join(f"coalesce(c{i}.n, 0)" for i in range(len(every)))
        return (
            f"INSERT INTO {self.table} ({self.key}, {columns}) SELECT d.k, {values} "
            f"FROM ({self.domain_sql()}) AS d {self._true_counts(every, bounds)} "
            f"WHERE {bounds.format(col='d.k')} AND NOT EXISTS (SELECT 1 FROM {self.table} AS e "
            f"WHERE e.{self.key} = d.k AND {bounds.format(col='e.' + self.key)}) "
            f"ORDER BY d.k ON CONFLICT ({self.key}) DO NOTHING"
        )

    def fix_sql(self, bounds: str) -> str:
        """Write the true values over the drifted rows and drop their slot rows (folded into the
        recount); returns the same columns as drift_sql."""
        width = len(self.counters)
        sets = ", ".join(
            f"{quote(c.field.column)} = drift.true{i}" for i, c in enumerate(self.counters)
        )
        names = ["k", *(f"cached{i}" for i in range(width)), *(f"true{i}" for i in range(width))]
        slots = ""
        if self.slotted:
            labels = ", ".join(literal(counter.label) for counter in self.slotted)
            slots = (
                f", folded AS (DELETE FROM counters_slot AS s USING drift WHERE "
                f"s.counter IN ({labels}) AND s.key = drift.k)"
            )
        return (
            f"WITH drift({', '.join(names)}) AS ({self.drift_sql(bounds)}), "
            f"fixed AS (UPDATE {self.table} AS t SET {sets} FROM drift "
            f"WHERE t.{self.key} = drift.k){slots} "
            f"SELECT * FROM drift ORDER BY drift.k"
        )

    def lock_sql(self, bounds: str) -> list[str]:
        """Lock the rows (then their slot rows) of the range, in key order."""
        statements = [
            f"SELECT 1 FROM {self.table} WHERE {bounds.format(col=self.key)} "
            f"ORDER BY {self.key} FOR NO KEY UPDATE"
        ]
        if self.slotted:
            labels = ", ".join(literal(counter.label) for counter in self.slotted)
            statements.append(
                f"SELECT 1 FROM counters_slot WHERE counter IN ({labels}) AND "
                f"{bounds.format(col='key')} ORDER BY key, counter, slot FOR UPDATE"
            )
        return statements


def _targets(counters: Iterable[Counter]) -> list[Target]:
    grouped: dict[type[models.Model], list[Counter]] = {}
    for counter in counters:
        grouped.setdefault(counter.target, []).append(counter)
    return [Target(items) for _, items in sorted(grouped.items(), key=lambda i: i[0]._meta.label)]


def verify_triggers(counters: Iterable[Counter], using: str = DEFAULT_DB_ALIAS) -> None:
    """Raise TriggersNotInstalled unless every trigger keeping ``counters`` is installed and on."""
    from counters.triggers import triggers_for

    missing = []
    for counter in counters:
        for model, trigger in triggers_for(counter):
            status, enabled = trigger.get_installation_status(model, database=using)
            if status != "INSTALLED" or not enabled:
                state = status.lower() if status != "INSTALLED" else "disabled"
                missing.append(f"{trigger.name} on {model._meta.label} ({state})")
    if missing:
        raise TriggersNotInstalled(
            "the database does not keep these counters: triggers "
            + ", ".join(sorted(set(missing)))
            + ". Run `manage.py migrate` (or `manage.py pgtrigger install`), and "
            "`manage.py pgtrigger enable` for disabled ones, then recount."
        )


def _key_bounds(ids: Sequence[object] | None) -> str:
    bounds = "(%(lo)s IS NULL OR {col} > %(lo)s) AND {col} <= %(hi)s"
    if ids is not None:
        bounds += " AND {col} = ANY(%(ids)s)"
    return bounds


def run(
    labels: Sequence[str] = (),
    *,
    fix: bool = True,
    batch_size: int = 10000,
    ids: Sequence[object] | None = None,
    start_after: object | None = None,
    progress: Callable[[Progress], None] | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> Report:
    """Check (``fix=False``) or recount the counters named by ``labels`` (all when empty).

    Args:
        labels: ``app_label.Model.field`` or ``app_label.Model`` labels.
        fix: write the true values (a recount); ``False`` only reports drift (a check).
        batch_size: target keys per batch (and per transaction).
        ids: only these target keys (for example one user's id).
        start_after: resume after this target key (needs counters of a single target model).
        progress: called after every batch with a :class:`Progress`.
        using: the database alias.

    Returns:
        A :class:`Report`. Raises :class:`RecountInterrupted` (carrying the partial report) on
        KeyboardInterrupt, ``UnknownCounterError`` for bad labels, ``ValueError`` for bad
        arguments, :class:`TriggersNotInstalled` when the database does not keep the counters.
    """
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch size must be a positive integer, not {batch_size!r}")
    counters = registry.select(labels)
    targets = _targets(counters)
    if start_after is not None and len(targets) > 1:
        raise ValueError(
            "start_after needs counters of one target model; name it, e.g. "
            + " or ".join(target.label for target in targets)
        )
    for target in targets:  # bad keys fail before anything is written
        for value in [*(ids or []), *([start_after] if start_after is not None else [])]:
            _clean_key(target, value)
    verify_triggers(counters, using)
    started = time.monotonic()
    report = Report(
        fixed=fix, counters=[CounterReport(c.label) for t in targets for c in t.counters]
    )
    by_label = {r.label: r for r in report.counters}
    try:
        for target in targets:
            _run_target(
                target, fix, batch_size, ids, start_after, progress, using, report, by_label
            )
    except KeyboardInterrupt:
        report.completed = False
        report.seconds = time.monotonic() - started
        raise RecountInterrupted(report) from None
    report.seconds = time.monotonic() - started
    return report


def _clean_key(target: Target, value: object) -> object:
    from django.core.exceptions import ValidationError

    field_ = target.key_field.target_field if target.mode == "upsert" else target.key_field
    try:
        return field_.to_python(value)
    except ValidationError:
        raise ValueError(
            f"{value!r} is not a valid key of {target.label} ({type(field_).__name__})"
        ) from None


def _run_target(
    target: Target,
    fix: bool,
    batch_size: int,
    ids: Sequence[object] | None,
    start_after: object | None,
    progress: Callable[[Progress], None] | None,
    using: str,
    report: Report,
    by_label: dict[str, CounterReport],
) -> None:
    connection = connections[using]
    ids = [_clean_key(target, value) for value in ids] if ids is not None else None
    lo = _clean_key(target, start_after) if start_after is not None else None
    bounds = _key_bounds(ids)
    domain = target.domain_sql()
    params: dict[str, object] = {"ids": ids}
    with connection.cursor() as cursor:
        where = " WHERE d.k = ANY(%(ids)s)" if ids is not None else ""
        cursor.execute(f"SELECT count(*) FROM ({domain}) AS d{where}", params)
        (total,) = cursor.fetchone()
    done = 0
    next_sql = (
        f"SELECT max(k), count(*) FROM (SELECT d.k FROM ({domain}) AS d "
        f"WHERE (%(lo)s IS NULL OR d.k > %(lo)s){' AND d.k = ANY(%(ids)s)' if ids else ''} "
        f"ORDER BY d.k LIMIT %(size)s) AS batch"
    )
    while True:
        with connection.cursor() as cursor:
            cursor.execute(next_sql, {**params, "lo": lo, "size": batch_size})
            hi, size = cursor.fetchone()
        if not size:
            break
        batch = {**params, "lo": lo, "hi": hi}
        outermost = not connection.in_atomic_block
        with transaction.atomic(using=using), connection.cursor() as cursor:
            if fix:
                _read_committed(cursor, outermost)
                report.rows_created += _create_missing(target, cursor, batch, bounds)
            cursor.execute(target.drift_sql(bounds), batch)
            rows = cursor.fetchall()
            if fix and rows:
                rows = _fix(target, cursor, batch, [row[0] for row in rows])
        width = len(target.counters)
        for row in rows:
            for i, counter in enumerate(target.counters):
                cached, true = row[1 + i], row[1 + width + i]
                if cached != true:
                    by_label[counter.label].add(row[0], cached, true)
        for counter in target.counters:
            by_label[counter.label].rows_checked += size
        done += size
        lo = hi
        report.last_committed[target.label] = hi
        if progress is not None:
            progress(Progress(target.label, done, total, hi))


def _read_committed(cursor, outermost: bool) -> None:  # noqa: ANN001
    """A recount batch must see, after its locks, what committed before them: READ COMMITTED."""
    if outermost:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        return
    cursor.execute("SELECT current_setting('transaction_isolation')")
    (level,) = cursor.fetchone()
    if level != "read committed":
        raise CounterError(f"a recount inside a {level} transaction could miss concurrent writes")


def _create_missing(target: Target, cursor, batch: dict[str, object], bounds: str) -> int:  # noqa: ANN001
    """Insert the range's missing target rows, counted; returns how many were created."""
    cursor.execute("SELECT set_config('counters.unguarded', 'on', true)")
    if target.mode == "update":
        return 0
    cursor.execute(
        f"SELECT d.k FROM ({target.domain_sql()}) AS d WHERE {bounds.format(col='d.k')} "
        f"AND NOT EXISTS (SELECT 1 FROM {target.table} AS e WHERE e.{target.key} = d.k "
        f"AND {bounds.format(col='e.' + target.key)}) LIMIT 1",
        batch,
    )
    if cursor.fetchone() is None:
        return 0
    cursor.execute(target.create_sql(bounds), batch)
    return cursor.rowcount


def _fix(target: Target, cursor, batch: dict[str, object], drifted: list[object]) -> list[tuple]:  # noqa: ANN001
    """Lock the drifted rows (and their slots) in key order, then recount and write them (and drop
    their slots) in a fresh statement.

    Rows that matched in the batch's snapshot are left alone: every writer keeps them matching.
    A drifted row is recounted only after its lock is held, so the count's snapshot sees every
    writer that touched it before, and every later writer waits and adds on top.
    """
    narrow = {**batch, "ids": drifted}
    bounds = _key_bounds(drifted)
    for statement in target.lock_sql(bounds):
        cursor.execute(statement, narrow)
    cursor.execute(target.fix_sql(bounds), narrow)
    return cursor.fetchall()


def recount(labels: Sequence[str] = (), **kwargs: object) -> Report:
    """Recount counters (all when ``labels`` is empty) and fix drift; see :func:`run`.

    Example::

        counters.recount(["counters.UserStats"], ids=[request.user.pk])
    """
    return run(labels, fix=True, **kwargs)


def check(labels: Sequence[str] = (), **kwargs: object) -> Report:
    """Report drift without writing anything (for a health endpoint or cron); see :func:`run`.

    Example::

        report = counters.check()
        status = 500 if report.drifted else 200
    """
    return run(labels, fix=False, **kwargs)

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
from contextlib import nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

from counters import partitions, state
from counters.conf import is_positive_integer
from counters.core import registry
from counters.core.counter import Counter
from counters.core.keys import clean_key
from counters.exceptions import CounterError, ReadOnlyDatabase, RecountInterrupted
from counters.guard import unguarded
from counters.report import CounterReport, Progress, Report
from counters.sql.recount import Target, key_bounds

if TYPE_CHECKING:
    from django.db.backends.utils import CursorWrapper
from counters.status import verify_triggers


def _targets(counters: Iterable[Counter]) -> list[Target]:
    grouped: dict[type[models.Model], list[Counter]] = {}
    for counter in counters:
        grouped.setdefault(counter.target, []).append(counter)
    return [
        Target(items, every=registry.counters_on(model))
        for model, items in sorted(grouped.items(), key=lambda i: i[0]._meta.label)
    ]


def run(
    labels: registry.Names = (),
    *,
    fix: bool = True,
    batch_size: int = 10000,
    ids: Sequence[object] | None = None,
    start_after: object | None = None,
    sample: int | None = None,
    time_limit: float | None = None,
    progress: Callable[[Progress], None] | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> Report:
    """Check (``fix=False``) or recount the counters named by ``labels`` (all when empty).

    Args:
        labels: ``app_label.Model.field`` or ``app_label.Model`` labels, or what
            ``counters.all_counters()`` hands out (see :func:`counters.core.registry.select`).
        fix: write the true values (a recount); ``False`` only reports drift (a check).
        batch_size: target keys per batch (and per transaction).
        ids: only these target keys (for example one user's id).
        start_after: resume after this target key (needs counters of a single target model).
        sample: only this many target keys per target model, picked at random (a quick check).
        time_limit: stop after the first batch that ends this many seconds after the start;
            the report then says ``completed=False`` and ``last_committed`` tells where to
            resume (with ``start_after``). For work in bounded steps, such as an admin request.
        progress: called after every batch with a :class:`Progress`.
        using: the database alias.

    Returns:
        A :class:`Report`. Raises :class:`RecountInterrupted` (carrying the partial report) on
        KeyboardInterrupt, ``UnknownCounterError`` for bad labels, ``ValueError`` for bad
        arguments, :class:`TriggersNotInstalled` when the database does not keep the counters,
        :class:`ReadOnlyDatabase` for a recount (``fix``) of a read-only database (a hot
        standby). A check runs on a standby and writes nothing there (``Report.recorded`` is
        then ``False``)
    """
    for name, value in (("batch size", batch_size), ("sample", sample)):
        if value is not None and not is_positive_integer(value):
            raise ValueError(f"{name} must be a positive integer, not {value!r}")
    if time_limit is not None and time_limit <= 0:
        raise ValueError(f"time limit must be positive, not {time_limit!r}")
    counters = registry.select(labels, using)
    targets = _targets(counters)
    if start_after is not None and len(targets) > 1:
        raise ValueError(
            "start_after needs counters of one target model; name it, e.g. "
            + " or ".join(target.label for target in targets)
        )
    for target in targets:  # bad keys fail before anything is written
        for key in [*(ids or []), *([start_after] if start_after is not None else [])]:
            _clean_key(target, key)
    verify_triggers(counters, using)
    writable = not state.read_only(using)
    if fix and not writable:
        raise ReadOnlyDatabase.refusing(
            using, "a recount writes (a check, fix=False or --check, reads only)"
        )
    whole = fix and ids is None and sample is None and start_after is None
    partition_sets: dict[str, dict[str, list[str]]] = {}
    if whole:  # partitioned sources: triggers on every partition, and the set this run counts
        partitions.sync(using)
        labels_run = {c.label for c in counters}
        partition_sets = partitions.current(partitions.partitioned(using), labels_run)
    started = time.monotonic()
    report = Report(
        fixed=fix, counters=[CounterReport(c.label) for t in targets for c in t.counters]
    )
    by_label = {r.label: r for r in report.counters}
    deadline = started + time_limit if time_limit is not None else None
    try:
        for target in targets:
            keys = _sample(target, sample, using) if sample is not None else ids
            step = Step(fix, batch_size, keys, start_after, deadline, progress, using)
            if not _run_target(target, step, report, by_label):
                report.completed = False
                break
    except KeyboardInterrupt:
        report.completed = False
        report.seconds = time.monotonic() - started
        raise RecountInterrupted(report) from None
    report.seconds = time.monotonic() - started
    if ids is None:  # a run over whole targets (or a sample of them): monitoring reads it back
        report.recorded = writable  # a standby cannot record it: its reads write nothing
        if writable:
            state.record_run(report, sampled=sample is not None, using=using)
    if report.completed and partition_sets:
        for label, sets in partition_sets.items():
            partitions.record(label, sets, using)
    return report


def _clean_key(target: Target, value: object) -> object:
    return clean_key(target.model, value)


@dataclass
class Step:
    """How :func:`run` walks one target model."""

    fix: bool
    batch_size: int
    ids: Sequence[object] | None
    start_after: object | None
    deadline: float | None
    progress: Callable[[Progress], None] | None
    using: str


def _sample(target: Target, size: int, using: str) -> list[object]:
    """``size`` target keys picked at random."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"SELECT d.k FROM ({target.domain_sql()}) AS d ORDER BY random() LIMIT %s", [size]
        )
        return [row[0] for row in cursor.fetchall()]


def _run_target(
    target: Target, step: Step, report: Report, by_label: dict[str, CounterReport]
) -> bool:
    """Walk ``target`` in batches; ``False`` when the deadline stopped it before the end."""
    connection = connections[step.using]
    ids = [_clean_key(target, value) for value in step.ids] if step.ids is not None else None
    lo: Any = _clean_key(target, step.start_after) if step.start_after is not None else None
    bounds = key_bounds(ids)
    domain = target.domain_sql()
    params: dict[str, Any] = {"ids": ids}  # keys of the target's key type
    only = " AND d.k = ANY(%(ids)s)" if ids is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM ({domain}) AS d WHERE true{only}", params)
        (total,) = cursor.fetchone()
    done = 0
    # the batch's last key and size (max() is not defined for every key type, uuid among them)
    next_sql = (
        f"SELECT batch.k, count(*) OVER () FROM (SELECT d.k FROM ({domain}) AS d "
        f"WHERE (%(lo)s IS NULL OR d.k > %(lo)s){only} "
        f"ORDER BY d.k LIMIT %(size)s) AS batch ORDER BY batch.k DESC LIMIT 1"
    )
    while True:
        with connection.cursor() as cursor:
            cursor.execute(next_sql, {**params, "lo": lo, "size": step.batch_size})
            found = cursor.fetchone()
        if found is None:
            return True
        hi, size = found
        batch = {**params, "lo": lo, "hi": hi}
        outermost = not connection.in_atomic_block
        with transaction.atomic(using=step.using), connection.cursor() as cursor:
            if step.fix:
                _read_committed(cursor, outermost)  # first: before any query of the batch
            with unguarded(step.using) if step.fix else nullcontext():  # its writes are repairs
                if step.fix:
                    report.rows_created += _create_missing(target, cursor, batch, bounds)
                cursor.execute(target.values_sql(bounds), batch)
                rows = cursor.fetchall()
                if step.fix and rows:
                    rows = _fix(target, cursor, batch, [row[0] for row in rows])
        width = len(target.counters)
        for row in rows:
            for i, counter in enumerate(target.counters):
                cached, true = row[1 + i], row[1 + width + i]
                drift = counter.drift(cached, true)
                if drift != 0:
                    by_label[counter.label].add(row[0], cached, true, drift)
        for counter in target.counters:
            by_label[counter.label].rows_checked += size
        done += size
        lo = hi
        report.last_committed[target.label] = hi
        if step.progress is not None:
            step.progress(Progress(target.label, done, total, hi))
        if step.deadline is not None and time.monotonic() >= step.deadline:
            return False


def _read_committed(cursor: CursorWrapper, outermost: bool) -> None:
    """A recount batch must see, after its locks, what committed before them: READ COMMITTED."""
    if outermost:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
        return
    cursor.execute("SELECT current_setting('transaction_isolation')")
    (level,) = cursor.fetchone()
    if level != "read committed":
        raise CounterError(f"a recount inside a {level} transaction could miss concurrent writes")


def _create_missing(
    target: Target, cursor: CursorWrapper, batch: dict[str, Any], bounds: str
) -> int:
    """Insert the range's missing target rows, counted; returns how many were created.

    First takes the table's folder lock (until the batch commits): a fold must not move the
    deltas that this batch drops as counted."""
    cursor.execute(target.fold_lock_sql())
    if target.mode == "update":
        return 0
    cursor.execute(
        f"SELECT d.k FROM ({target.domain_sql()}) AS d WHERE {bounds.format(col='d.k')} "
        f"AND NOT EXISTS (SELECT 1 FROM {target.quoted_table} AS e WHERE e.{target.quoted_key} = d.k "
        f"AND {bounds.format(col='e.' + target.quoted_key)}) LIMIT 1",
        batch,
    )
    if cursor.fetchone() is None:
        return 0
    cursor.execute(target.create_sql(bounds), batch)
    created: int = cursor.fetchone()[0]  # SELECT count(*)
    return created


def _fix(
    target: Target, cursor: CursorWrapper, batch: dict[str, Any], drifted: list[object]
) -> list[tuple[Any, ...]]:
    """Lock the drifted rows in key order, then recount and write them (and drop their pending
    deltas) in a fresh statement.

    Rows that matched in the batch's snapshot are left alone: every writer keeps them matching.
    A drifted row is recounted only after its lock is held, so the count's snapshot sees every
    writer that touched it before, and every later writer waits and adds on top.
    """
    narrow = {**batch, "ids": drifted}
    bounds = key_bounds(drifted)
    for statement in target.lock_sql(bounds):
        cursor.execute(statement, narrow)
    cursor.execute(target.fix_sql(bounds), narrow)
    rows: list[tuple[Any, ...]] = cursor.fetchall()
    return rows


@dataclass(frozen=True)
class Comparison:
    """One counter of one target row: the value a read returns (column plus pending) and COUNT(*)."""

    counter: Counter
    key: object
    cached: int
    true: int

    @property
    def drift(self) -> object:
        """0 when exact; else cached minus true (a number, a timedelta), None when one is NULL."""
        return self.counter.drift(self.cached, self.true)


def compare(
    model: type[models.Model], keys: Sequence[object], *, using: str = DEFAULT_DB_ALIAS
) -> dict[object, list[Comparison]]:
    """Each trigger-kept counter of ``model`` for each of ``keys``, cached beside true, in one
    query (for an admin page or a support script). Reads only; a key with no target row yet
    reads as zeros beside its true counts; keys that cannot have a row are left out.

    Example::

        for c in counters.compare(UserStats, [user.pk])[user.pk]:
            print(c.counter.field.name, c.cached, c.true)
    """
    found = registry.counters_on(model)
    if not found:
        raise CounterError(f"{model._meta.label} has no trigger-kept counters")
    target = Target(found)
    cleaned = list(dict.fromkeys(_clean_key(target, key) for key in keys))
    if not cleaned:
        return {}
    with connections[using].cursor() as cursor:
        cursor.execute(
            target.values_sql(key_bounds(cleaned), drifted_only=False),
            {"lo": None, "hi": None, "ids": cleaned},
        )
        rows = cursor.fetchall()
    width = len(target.counters)
    return {
        row[0]: [
            Comparison(counter, row[0], row[1 + i], row[1 + width + i])
            for i, counter in enumerate(target.counters)
        ]
        for row in rows
    }


def recount(labels: registry.Names = (), **kwargs: Any) -> Report:
    """Recount counters (all when ``labels`` is empty) and fix drift; see :func:`run`.

    Example::

        counters.recount(["counters_social.UserStats"], ids=[request.user.pk])
    """
    return run(labels, fix=True, **kwargs)


def check(labels: registry.Names = (), **kwargs: Any) -> Report:
    """Report drift without writing anything (for a health endpoint or cron); see :func:`run`.

    Example::

        report = counters.check()
        status = 500 if report.drifted else 200
    """
    return run(labels, fix=False, **kwargs)

"""The engine's own records in ``counters_state``, and what every process reads of them: when the
last fold ran, each counter's last check or recount, the backlog of pending deltas, whether the
database takes writes. Written by the runners (folding, recounting, partitions), read by
:mod:`counters.monitoring`."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections

from counters.core import registry
from counters.exceptions import CounterError
from counters.report import Report

#: ``counters_state`` names
FOLD_STATE = "fold"

CHECK_STATE = "check:"


def require_tables(using: str = DEFAULT_DB_ALIAS) -> None:
    """Raise :class:`CounterError` when the engine's tables are not there (not migrated yet)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT to_regclass('counters_delta') IS NOT NULL "
            "AND to_regclass('counters_state') IS NOT NULL"
        )
        if not cursor.fetchone()[0]:
            raise CounterError(
                f"the counters' tables are missing from database {using!r}: run manage.py migrate"
            )


def read_only(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether ``using`` takes no writes: a hot standby (in recovery), or a database whose
    transactions are read-only (``default_transaction_read_only``). Checks, health and reads run
    there and record nothing; recounts and folds belong on the primary."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on'"
        )
        return bool(cursor.fetchone()[0])


@dataclass(frozen=True)
class Backlog:
    """The pending deltas of one counter."""

    rows: int
    oldest_seconds: float


def backlog(using: str = DEFAULT_DB_ALIAS) -> dict[str, Backlog]:
    """Pending delta rows and the age of the oldest, per counter label (counters with nothing
    pending are absent; a Min's or Max's recompute markers count with its candidates). One
    grouped scan of ``counters_delta``, which folding keeps short."""
    by_id = {n: c.label for c in registry.on_database(using) for n in c.delta_ids}
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT counter, count(*), "
            "greatest(extract(epoch FROM clock_timestamp() - min(created)), 0)::float8 "
            "FROM counters_delta GROUP BY counter"
        )
        found: dict[str, Backlog] = {}
        for counter, rows, oldest in cursor.fetchall():
            label = by_id.get(counter)
            if label is not None:
                before = found.get(label, Backlog(0, 0.0))
                found[label] = Backlog(before.rows + rows, max(before.oldest_seconds, oldest))
        return found


def save_state(name: str, data: dict[str, object], using: str = DEFAULT_DB_ALIAS) -> None:
    """Upsert one ``counters_state`` row (a short statement; concurrent writers: last one wins)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "INSERT INTO counters_state (name, at, data) VALUES (%s, clock_timestamp(), %s::jsonb) "
            "ON CONFLICT (name) DO UPDATE SET at = excluded.at, data = excluded.data",
            [name, json.dumps(data, default=str)],
        )


def record_fold(folded: int, seconds: float, using: str = DEFAULT_DB_ALIAS) -> None:
    save_state(FOLD_STATE, {"folded": folded, "seconds": round(seconds, 3)}, using)


def last_fold(using: str = DEFAULT_DB_ALIAS) -> datetime.datetime | None:
    """When :func:`counters.fold` last ran, ``None`` if it never did."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT at FROM counters_state WHERE name = %s", [FOLD_STATE])
        row = cursor.fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class CheckResult:
    """A counter's last check (or recount) over its whole target, or a sample of it."""

    label: str
    at: datetime.datetime
    kind: str  # "full", "sampled" or "recount"
    rows_checked: int
    rows_drifted: int
    largest_drift: float
    completed: bool

    @property
    def drift_left(self) -> bool:
        """Drift found and not fixed (a recount fixes what it finds)."""
        return self.rows_drifted > 0 and self.kind != "recount"


def record_run(report: Report, *, sampled: bool, using: str = DEFAULT_DB_ALIAS) -> None:
    """Record a :class:`counters.report.Report` per counter, for :func:`last_checks`."""
    kind = "recount" if report.fixed else ("sampled" if sampled else "full")
    for counter in report.counters:
        save_state(
            CHECK_STATE + counter.label,
            {
                "kind": kind,
                "rows_checked": counter.rows_checked,
                "rows_drifted": counter.rows_drifted,
                "largest_drift": counter.largest_drift,
                "completed": report.completed,
            },
            using,
        )


def last_checks(using: str = DEFAULT_DB_ALIAS) -> dict[str, CheckResult]:
    """Each declared counter's last recorded check or recount, by label."""
    labels = {counter.label for counter in registry.on_database(using)}
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT name, at, data FROM counters_state WHERE name LIKE %s", [CHECK_STATE + "%"]
        )
        rows = cursor.fetchall()
    results = {}
    for name, at, data in rows:
        label = name.removeprefix(CHECK_STATE)
        if label not in labels:
            continue  # a counter declared no more
        if isinstance(data, str):  # psycopg2 without the JSON adapter
            data = json.loads(data)
        results[label] = CheckResult(
            label,
            at,
            data.get("kind", "full"),
            int(data.get("rows_checked", 0)),
            int(data.get("rows_drifted", 0)),
            float(data.get("largest_drift", 0)),
            bool(data.get("completed", True)),
        )
    return results

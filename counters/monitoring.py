"""The counters' health, as monitoring reads it: backlog, folds, triggers, and the last checks.

Everything here is read from the database, so any process (a web worker serving the metrics
view, a cron job printing them, ``manage.py counters_health``) sees the same figures:

- **backlog**: pending delta rows per counter and the age of the oldest (``counters_delta``);
- **folds**: when :func:`counters.fold` last ran (a dedicated folder, ``fold_counters``, the admin;
  writers' own occasional folds are not recorded, the backlog's age shows them);
- **triggers**: the state of every trigger keeping a counter (enabled, disabled, outdated, missing);
- **checks**: each counter's last full or sampled check, or recount, as the check recorded it
  (:func:`record_run`, called by :func:`counters.check` / :func:`counters.recount` runs over whole
  targets).

:func:`health` turns them into problems, each with the exit code ``manage.py counters_health``
uses. ``counters.metrics`` exposes the same figures to Prometheus.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

from counters import registry
from counters.exceptions import CounterError
from counters.recount import Report
from counters.status import STATES, states_by_counter

#: ``counters_state`` names
FOLD_STATE = "fold"
CHECK_STATE = "check:"

#: exit codes of ``manage.py counters_health``, most severe first (the smallest one found wins)
EXIT_TRIGGERS = 2
EXIT_DRIFT = 3
EXIT_BACKLOG = 4
EXIT_LAG = 5

DEFAULT_MAX_PENDING = 100_000
DEFAULT_MAX_LAG = 60.0


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
    """Record a :class:`counters.recount.Report` per counter, for :func:`last_checks`."""
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


#: the words a trigger's state takes in metrics and health reports
TRIGGER_STATES = STATES


@dataclass(frozen=True)
class TriggerReport:
    counter: str
    trigger: str
    model: str
    state: str  # one of TRIGGER_STATES


def triggers(using: str = DEFAULT_DB_ALIAS) -> list[TriggerReport]:
    """Every trigger keeping a counter that database ``using`` keeps, in one of
    :data:`TRIGGER_STATES` (another database's counters are not missing here)."""
    return [
        TriggerReport(counter.label, state.name, state.model, state.state)
        for counter, states in states_by_counter(registry.on_database(using), using).items()
        for state in states
    ]


@dataclass(frozen=True)
class Problem:
    code: str  # "triggers", "partitions", "drift", "backlog", "lag"
    exit_code: int
    message: str


@dataclass
class Health:
    """What :func:`health` found; healthy when ``problems`` is empty."""

    problems: list[Problem] = field(default_factory=list)
    pending_rows: int = 0
    oldest_pending_seconds: float = 0.0
    last_fold: datetime.datetime | None = None
    checked_counters: int = 0
    read_only: bool = False  # a standby: what it shows is the primary's state, as replayed

    @property
    def exit_code(self) -> int:
        return min((p.exit_code for p in self.problems), default=0)

    def as_dict(self) -> dict[str, object]:
        return {
            "healthy": not self.problems,
            "exit_code": self.exit_code,
            "problems": [p.__dict__ for p in self.problems],
            "pending_rows": self.pending_rows,
            "oldest_pending_seconds": round(self.oldest_pending_seconds, 3),
            "last_fold": self.last_fold.isoformat() if self.last_fold else None,
            "checked_counters": self.checked_counters,
            "read_only": self.read_only,
        }


def health(
    *,
    max_pending: int = DEFAULT_MAX_PENDING,
    max_lag: float = DEFAULT_MAX_LAG,
    using: str = DEFAULT_DB_ALIAS,
) -> Health:
    """Problems a person should hear about: a trigger that is not installed and enabled (a
    partition's copy too, or a partition set that changed since the counters were counted: see
    :mod:`counters.partitions`); drift
    the last check of a counter found (and no recount fixed since); more than ``max_pending``
    pending delta rows in all; a pending delta older than ``max_lag`` seconds (nothing folds)."""
    require_tables(using)
    report = Health(read_only=read_only(using))  # reads only: it runs on a standby as well
    broken = sorted(
        {f"{t.trigger} on {t.model} ({t.state})" for t in triggers(using) if t.state != "enabled"}
    )
    if broken:
        report.problems.append(
            Problem(
                "triggers",
                EXIT_TRIGGERS,
                "counters are not kept: triggers " + ", ".join(broken) + " (run manage.py "
                "migrate, or manage.py counters_install; then recount)",
            )
        )
    from counters.partitions import problems as partition_problems

    report.problems += [
        Problem("partitions", EXIT_TRIGGERS, message) for message in partition_problems(using)
    ]
    checks = last_checks(using)
    report.checked_counters = len(checks)
    drifted = sorted(
        f"{r.label} ({r.rows_drifted} rows, up to {r.largest_drift}, {r.kind} check at "
        f"{timezone.localtime(r.at):%Y-%m-%d %H:%M})"
        for r in checks.values()
        if r.drift_left
    )
    if drifted:
        report.problems.append(
            Problem(
                "drift",
                EXIT_DRIFT,
                "the last check found drift: " + "; ".join(drifted) + " (manage.py "
                "backfill_counters fixes it; find what wrote around the triggers)",
            )
        )
    pending = backlog(using)
    report.pending_rows = sum(b.rows for b in pending.values())
    report.oldest_pending_seconds = max((b.oldest_seconds for b in pending.values()), default=0.0)
    report.last_fold = last_fold(using)
    if report.pending_rows > max_pending:
        report.problems.append(
            Problem(
                "backlog",
                EXIT_BACKLOG,
                f"{report.pending_rows} pending delta rows (more than {max_pending}): run "
                "manage.py fold_counters --forever, or fold more often",
            )
        )
    if report.oldest_pending_seconds > max_lag:
        report.problems.append(
            Problem(
                "lag",
                EXIT_LAG,
                f"the oldest pending delta is {report.oldest_pending_seconds:.0f} s old (more "
                f"than {max_lag:g} s): nothing has folded it",
            )
        )
    return report

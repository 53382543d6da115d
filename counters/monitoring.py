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
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS
from django.utils import timezone

from counters import partitions
from counters.core import registry
from counters.state import (
    backlog,
    last_checks,
    last_fold,
    read_only,
    require_tables,
)
from counters.status import STATES, states_by_counter

#: exit codes of ``manage.py counters_health``, most severe first (the smallest one found wins)
EXIT_TRIGGERS = 2

EXIT_DRIFT = 3

EXIT_BACKLOG = 4

EXIT_LAG = 5

DEFAULT_MAX_PENDING = 100_000

DEFAULT_MAX_LAG = 60.0

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

    def add(self, code: str, exit_code: int, message: str) -> None:
        self.problems.append(Problem(code, exit_code, message))

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
        report.add(
            "triggers",
            EXIT_TRIGGERS,
            "counters are not kept: triggers " + ", ".join(broken) + " (run manage.py "
            "migrate, or manage.py counters_install; then recount)",
        )
    for message in partitions.problems(using):
        report.add("partitions", EXIT_TRIGGERS, message)
    checks = last_checks(using)
    report.checked_counters = len(checks)
    drifted = sorted(
        f"{r.label} ({r.rows_drifted} rows, up to {r.largest_drift}, {r.kind} check at "
        f"{timezone.localtime(r.at):%Y-%m-%d %H:%M})"
        for r in checks.values()
        if r.drift_left
    )
    if drifted:
        report.add(
            "drift",
            EXIT_DRIFT,
            "the last check found drift: " + "; ".join(drifted) + " (manage.py "
            "backfill_counters fixes it; find what wrote around the triggers)",
        )
    pending = backlog(using)
    report.pending_rows = sum(b.rows for b in pending.values())
    report.oldest_pending_seconds = max((b.oldest_seconds for b in pending.values()), default=0.0)
    report.last_fold = last_fold(using)
    if report.pending_rows > max_pending:
        report.add(
            "backlog",
            EXIT_BACKLOG,
            f"{report.pending_rows} pending delta rows (more than {max_pending}): run "
            "manage.py fold_counters --forever, or fold more often",
        )
    if report.oldest_pending_seconds > max_lag:
        report.add(
            "lag",
            EXIT_LAG,
            f"the oldest pending delta is {report.oldest_pending_seconds:.0f} s old (more "
            f"than {max_lag:g} s): nothing has folded it",
        )
    return report

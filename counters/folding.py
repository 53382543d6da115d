"""Folding: moving pending deltas from ``counters_delta`` into the counter columns.

Off the writers' path, and never waiting on anyone:

- one folder per target table at a time (a *tried* transaction advisory lock per table: a folder
  that finds the table busy skips it);
- target rows are taken ``FOR NO KEY UPDATE SKIP LOCKED``: a row someone holds right now (a
  recount, the application updating another column) is left for the next fold;
- the deltas of the rows taken are deleted and added in the same statement (one snapshot), so a
  delta is added exactly once; deltas of transactions that commit meanwhile stay for later;
- deltas whose target row no longer exists (its owner was deleted) are dropped.

A dedicated folder (:class:`Folder`, ``manage.py fold_counters --forever``) beats in
``counters_state`` every cycle (:func:`announce_folder`), and writers skip their occasional folds
while its beat is fresh (:data:`NO_FOLDER`). Nothing here keeps session state (every lock is a
transaction lock), so all of it works through a pooler in transaction mode (PgBouncer).

Pending deltas exist only for rows another transaction held when a writer counted into them (see
:mod:`counters.sql.triggers`). The same fold serves :func:`fold` (``manage.py fold_counters``) and the
SQL function ``counters_fold()``; the writers' own occasional folds take a bounded window of
pending rows instead (:func:`render_window_fold`). A Min's or Max's recompute runs in a statement
of its own once the row is held (:func:`render_recompute`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

from counters import state
from counters.conf import is_positive_integer
from counters.core import registry
from counters.core.targets import TargetTable
from counters.exceptions import ReadOnlyDatabase
from counters.guard import unguarded
from counters.sql.fold import (
    FOLDER_STATE,
    NO_FOLDER,
    fold_lock,
    render_create,
    render_fold,
    render_recompute,
)

FOLDER_GRACE = 5.0  # seconds a folder's beat outlives its interval (a slow fold, a pooler hiccup)


@dataclass
class FoldReport:
    """What :func:`fold` did, per target model label."""

    folded: dict[str, int] = field(default_factory=dict)  # delta rows added into their rows
    orphans: dict[str, int] = field(default_factory=dict)  # delta rows whose row is gone
    left: dict[str, int] = field(default_factory=dict)  # delta rows still pending (busy rows)
    busy: list[str] = field(default_factory=list)  # tables another folder was folding
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.folded.values()) + sum(self.orphans.values())


def fold(
    labels: registry.Names = (), *, batch_size: int = 1000, using: str = DEFAULT_DB_ALIAS
) -> FoldReport:
    """Fold every pending delta of the counters named by ``labels`` (all when empty) into its
    counter row, in batches of ``batch_size`` target keys, one short transaction each. Only the
    counters database ``using`` keeps (their apps migrate there: see
    :func:`counters.core.registry.on_database`); naming another database's counter is an
    ``UnknownCounterError``.

    Never waits: rows busy right now, and tables another folder is folding, are left for the next
    fold. Reads are exact either way; folding keeps them cheap.

    Example (a cron job, or ``manage.py fold_counters --forever``)::

        counters.fold()
    """
    if not is_positive_integer(batch_size):
        raise ValueError(f"batch size must be a positive integer, not {batch_size!r}")
    if state.read_only(using):
        raise ReadOnlyDatabase.refusing(using, "folding writes")
    started = time.monotonic()
    report = FoldReport()
    for target in TargetTable.group(registry.select(labels, using)):
        _fold_table(target, batch_size, using, report)
    report.seconds = time.monotonic() - started
    state.record_fold(report.total, report.seconds, using)
    return report


def _fold_table(target: TargetTable, batch_size: int, using: str, report: FoldReport) -> None:
    connection = connections[using]
    sql = render_fold(target, batch="%(batch)s", after="%(after)s")
    create = render_create(target, batch="%(batch)s", after="%(after)s")
    recompute = render_recompute(target, f"%(keys)s::{target.key_type}[]")
    after, folded, orphans = None, 0, 0
    while True:
        with unguarded(using), connection.cursor() as cursor:  # its writes are not hand writes
            cursor.execute(f"SELECT {fold_lock(target)}")
            if not cursor.fetchone()[0]:
                report.busy.append(target.label)
                break
            if create:
                cursor.execute(create, {"batch": batch_size, "after": after})
            cursor.execute(sql, {"batch": batch_size, "after": after})
            moved, dropped, seen, last, _, _, keys = cursor.fetchone()
            if keys and recompute:
                cursor.execute(recompute, {"keys": keys})
        folded, orphans, after = folded + moved, orphans + dropped, last
        if seen < batch_size:
            break
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM counters_delta WHERE counter IN ({target.ids_sql})")
        report.left[target.label] = cursor.fetchone()[0]
    report.folded[target.label] = folded
    report.orphans[target.label] = orphans


def pending_rows(using: str = DEFAULT_DB_ALIAS) -> dict[str, int]:
    """Pending delta rows per counter label (for the admin; see
    :func:`counters.state.backlog`)."""
    return {label: pending.rows for label, pending in state.backlog(using).items()}


FOLDER_BEAT = """\
WITH before AS (
    SELECT f.data ->> 'by' AS by FROM counters_state AS f
    WHERE f.name = %(name)s AND (f.data ->> 'until')::timestamptz > clock_timestamp()
)
INSERT INTO counters_state (name, at, data)
VALUES (%(name)s, clock_timestamp(), jsonb_build_object(
    'by', %(by)s::text, 'interval', %(interval)s::float8,
    'until', clock_timestamp() + make_interval(secs => %(ttl)s::float8)))
ON CONFLICT (name) DO UPDATE SET at = excluded.at, data = excluded.data
RETURNING NOT EXISTS (SELECT FROM before WHERE before.by IS DISTINCT FROM %(by)s)"""


def folder_id() -> str:
    """A name for one folder (host, process, a random part): what its beats carry, so that it
    forgets only its own."""
    import os
    import secrets
    import socket

    return f"{socket.gethostname()} pid {os.getpid()} {secrets.token_hex(4)}"


def announce_folder(
    using: str = DEFAULT_DB_ALIAS,
    *,
    by: str = "",
    interval: float = 0.5,
    ttl: float | None = None,
) -> bool:
    """Tell writers a dedicated folder runs: it was seen now, and counts as present for ``ttl``
    seconds (by default ``interval`` plus :data:`FOLDER_GRACE`). A folder calls it every cycle
    (a heartbeat in ``counters_state``): while the beat is fresh, writers leave their occasional
    folds to it. One short autocommitted statement and no session state, so it works through a
    pooler in transaction mode and survives its reconnects; a folder that dies stops beating and
    is forgotten ``ttl`` seconds later (one that stops cleanly calls :func:`forget_folder`).

    ``False`` if another folder (another ``by``) had beaten within its own ``ttl``."""
    seconds = interval + FOLDER_GRACE if ttl is None else ttl
    with connections[using].cursor() as cursor:
        cursor.execute(
            FOLDER_BEAT,
            {"name": FOLDER_STATE, "by": by, "interval": interval, "ttl": seconds},
        )
        return bool(cursor.fetchone()[0])


def forget_folder(using: str = DEFAULT_DB_ALIAS, *, by: str = "") -> None:
    """A folder that stops says so: writers fold by themselves again at once. Only its own beat
    is removed (another folder that beat after it goes on being seen)."""
    with connections[using].cursor() as cursor:
        cursor.execute(
            "DELETE FROM counters_state WHERE name = %s AND data ->> 'by' = %s",
            [FOLDER_STATE, by],
        )


def folder_present(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether writers see a dedicated folder now (what their triggers ask, :data:`NO_FOLDER`)."""
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT NOT {NO_FOLDER}")
        return bool(cursor.fetchone()[0])


class Folder:
    """A dedicated folder: folds every ``interval`` seconds until stopped, and outlives the
    database. In a background thread of a server process (:meth:`start`; the demo starts one in
    its ASGI application), or in the foreground (:meth:`run`; ``manage.py fold_counters
    --forever``): one loop for both. Without any folder, writers fold now and then themselves; a
    folder keeps the columns within about ``interval`` of the truth.

    When the database goes away (a restart, a failover, a network cut) a fold fails: the folder
    closes its connection, logs one warning for the outage (not one per attempt), and tries again
    after a delay that doubles from ``interval`` up to ``max_backoff`` seconds; the first fold
    that works logs one line more and brings the delay back to ``interval``. Pending deltas wait
    in ``counters_delta`` meanwhile and reads stay exact, so an outage costs nothing but lag.

    Each cycle it beats (:func:`announce_folder`: writers leave their occasional folds to it
    while the beat is fresh, so an outage or a crash hands folding back to them once it runs out)
    and folds; when it stops it forgets its beat.

    Example::

        Folder(interval=0.5).start()
    """

    def __init__(
        self,
        interval: float = 0.5,
        using: str = DEFAULT_DB_ALIAS,
        *,
        labels: registry.Names = (),
        batch_size: int = 1000,
        max_backoff: float = 30.0,
        on_fold: Callable[[FoldReport], None] | None = None,
    ) -> None:
        import threading

        if interval <= 0 or max_backoff <= 0:
            raise ValueError("interval and max_backoff must be positive")
        chosen = registry.select(labels, using)  # an unknown label fails now, not in the loop
        self.labels = tuple(counter.label for counter in chosen) if labels else ()
        self.interval, self.using = interval, using
        self.batch_size, self.max_backoff, self.on_fold = batch_size, max_backoff, on_fold
        self.folded = 0
        self.outages = 0  # how many times the database went away under this folder
        self.name = folder_id()  # what its beats carry
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self.run, name="counters-folder", daemon=True)

    def start(self) -> Folder:
        """Run :meth:`run` in a daemon thread."""
        self._thread.start()
        return self

    def stop(self, timeout: float = 10) -> None:
        """Stop after the fold under way (from another thread, or a signal handler)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def run(self) -> None:
        """Fold, wait, and again, until :meth:`stop`; database errors never end it."""
        from django.db import Error as DatabaseError

        log = logging.getLogger(__name__)
        connection = connections[self.using]
        failing_since: float | None = None
        delay = self.interval
        try:
            while not self._stop.is_set():
                try:
                    announce_folder(self.using, by=self.name, interval=self.interval)  # a beat
                    report = fold(self.labels, batch_size=self.batch_size, using=self.using)
                except Exception as exc:  # noqa: BLE001 - the database may be restarting
                    if failing_since is None:
                        failing_since, self.outages = time.monotonic(), self.outages + 1
                        database = isinstance(exc, DatabaseError)
                        log.warning(
                            "counters: folding on database %r failed (%s: %s); retrying every "
                            "%g s up to %g s until it works",
                            self.using,
                            type(exc).__name__,
                            first_line(exc),
                            self.interval,
                            self.max_backoff,
                            exc_info=not database,  # a bug, not an outage: show where
                        )
                    else:
                        delay = min(delay * 2, self.max_backoff)
                    _close(connection)
                else:
                    if failing_since is not None:
                        log.info(
                            "counters: folding on database %r again after %.1f s",
                            self.using,
                            time.monotonic() - failing_since,
                        )
                        failing_since, delay = None, self.interval
                    self.folded += report.total
                    if self.on_fold is not None:
                        self.on_fold(report)
                self._stop.wait(delay)
        finally:
            try:
                forget_folder(self.using, by=self.name)
            except Exception:  # noqa: BLE001 - unreachable now: its beat runs out by itself
                log.warning(
                    "counters: the folder could not say it stopped; writers see it go "
                    "when its beat runs out"
                )
            _close(connection)


def first_line(exc: BaseException) -> str:
    """An error's message on one line (a driver's connection error spans several)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _close(connection: Any) -> None:
    """Close a connection that may already be broken (closing it can fail too)."""
    from django.db import Error as DatabaseError

    try:
        connection.close()
    except DatabaseError:
        connection.connection = None

"""Helpers shared by the tests (not fixtures: those are in conftest)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections

from counters.core import registry


class OtherClient:
    """A second database client outside the test's own connection (another app server, psql),
    through Django's backend so it works with psycopg 3 and psycopg2 alike."""

    def __init__(self, *, autocommit: bool = True) -> None:
        self.wrapper = connections.create_connection(DEFAULT_DB_ALIAS)
        self.wrapper.ensure_connection()
        self.wrapper.set_autocommit(autocommit)

    def execute(self, sql: str, params: Sequence[object] | dict[str, object] = ()) -> list[tuple]:
        """Run one statement; its rows (none for a statement that returns none)."""
        with self.wrapper.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def beat_as_folder(self, by: str, ttl: float) -> bool:
        """Beat as a dedicated folder named ``by`` for ``ttl`` seconds (what
        :func:`counters.folding.announce_folder` does); ``False`` if another folder was seen."""
        from counters.folding import FOLDER_BEAT
        from counters.sql.fold import FOLDER_STATE

        [(alone,)] = self.execute(
            FOLDER_BEAT, {"name": FOLDER_STATE, "by": by, "interval": ttl, "ttl": ttl}
        )
        return bool(alone)

    def forget_folder(self, by: str) -> None:
        """Remove the beat of folder ``by`` (what :func:`counters.folding.forget_folder` does)."""
        from counters.sql.fold import FOLDER_STATE

        self.execute(
            "DELETE FROM counters_state WHERE name = %s AND data ->> 'by' = %s", [FOLDER_STATE, by]
        )

    def rollback(self) -> None:
        self.wrapper.rollback()

    def close(self) -> None:
        self.wrapper.close()

    def __enter__(self) -> OtherClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextlib.contextmanager
def another_writer_creating(model: Any, key: object) -> Iterator[None]:
    """Another writer is creating ``model``'s counter row ``key`` right now (it holds the row's
    creation lock): writes counted into that row meanwhile leave it missing and their deltas
    pending, without waiting."""
    from counters.core.targets import TargetTable

    target = TargetTable(registry.counters_on(model))
    with OtherClient() as other:
        other.execute(f"SELECT pg_advisory_lock({target.create_lock_keys('%s')})", [str(key)])
        yield
        other.execute("SELECT pg_advisory_unlock_all()")


def _truth(counter: Any) -> tuple[str | None, Any]:
    """The ORM lookup from a source row to its target key, and the aggregate of the counter's
    kind, both derived from the declaration (never from the library's SQL)."""
    from django.db import models

    lookup = None
    if counter.hops and not counter.generic:
        key_model = counter.key_model
        key_field = next(
            f for f in key_model._meta.concrete_fields if f.column == counter.key_reference
        )
        lookup = f"{counter.path}__{key_field.name}"
    if counter.kind == "count":
        return lookup, models.Count("pk")
    if counter.kind == "distinct":
        return lookup, models.Count(counter.value.name, distinct=True)
    aggregate = {"sum": models.Sum, "min": models.Min, "max": models.Max}[counter.kind]
    return lookup, aggregate(counter.value.name)


def _rows(counter: Any) -> Any:
    rows = counter.source._default_manager.all()
    return rows.filter(counter.condition) if counter.condition is not None else rows


def _empty(counter: Any) -> Any:
    from counters.core.kinds import Extreme

    return None if isinstance(counter, Extreme) else 0  # a Min or Max over no rows is NULL


def _generic_truth(counter: Any) -> dict[object, Any]:
    """For a path ending with a GenericForeignKey: the ORM's aggregate per object id among the
    rows whose content type is the key model's, matched to keys as Django's generic relations
    match them (the object id as written equals ``str(pk)``)."""
    from django.contrib.contenttypes.models import ContentType

    hop = counter.hops[-1]
    prefix = "".join(f"{h.name}__" for h in counter.hops[:-1])
    _, aggregate = _truth(counter)
    content_type = ContentType.objects.get_for_model(counter.key_model)
    rows = _rows(counter).filter(**{f"{prefix}{hop.ct_field.name}": content_type})
    found = rows.values(f"{prefix}{hop.id_field.name}").annotate(v=aggregate)
    keys = {str(k): k for k in counter.key_model._base_manager.values_list("pk", flat=True)}
    return {
        keys[str(row[f"{prefix}{hop.id_field.name}"])]: row["v"]
        for row in found
        if str(row[f"{prefix}{hop.id_field.name}"]) in keys and row["v"] is not None
    }


def true_value(counter: Any, key: object) -> Any:
    """What ``COUNT(*)`` / ``SUM`` / ``MIN`` / ``MAX`` says for ``counter`` and target key
    ``key``, computed by the ORM from the counter's declaration."""
    if counter.generic:
        return _generic_truth(counter).get(key, _empty(counter))
    lookup, aggregate = _truth(counter)
    rows = _rows(counter)
    if lookup is not None:
        rows = rows.filter(**{lookup: key})
    found = rows.aggregate(v=aggregate)["v"]
    return _empty(counter) if found is None else found


def true_values(counter: Any) -> dict[object, Any]:
    """:func:`true_value` for every target key at once (one grouped query)."""
    if counter.generic:
        return _generic_truth(counter)
    lookup, aggregate = _truth(counter)
    if lookup is None:
        return {counter.singleton_key: true_value(counter, None)}
    rows = _rows(counter).filter(**{f"{lookup}__isnull": False})
    found = rows.values(lookup).annotate(v=aggregate).values_list(lookup, "v")
    return {key: _empty(counter) if value is None else value for key, value in found}


def _keys(model: Any) -> list[object]:
    """Every key that has (or would have) a row of ``model``: its own rows, the owners of a
    stats table, or the single row of a totals table."""
    from counters.core import registry

    declared = registry.counters_on(model)
    if any(c.mode == "singleton" for c in declared):
        return [declared[0].singleton_key]
    pk = model._meta.pk
    keys = set(model._base_manager.values_list("pk", flat=True))
    if pk.is_relation:  # a stats table: every owner may be read, row or not
        keys |= set(
            pk.related_model._default_manager.values_list(pk.target_field.attname, flat=True)
        )
    return sorted(keys, key=str)


def assert_exact(*models: Any, folded: bool = False) -> None:
    """Every declared counter of ``models`` (every target of the project when none is named),
    as its manager reads it (a missing stats row reads as empty plus what is pending), equals
    what the ORM's ``COUNT``/``SUM``/``MIN``/``MAX`` over its declaration says. With
    ``folded``, after ``counters.fold()``, the stored columns alone equal it too."""
    from django.db.models import QuerySet

    import counters
    from counters.core import registry
    from counters.reading import pending_values

    targets = models or sorted({c.target for c in registry.on_database(DEFAULT_DB_ALIAS)}, key=str)
    if folded:
        counters.fold()
    for model in targets:
        declared = registry.counters_on(model)
        assert declared, f"{model._meta.label} declares no counters"
        truth = {c: true_values(c) for c in declared}
        read = {row.pk: row for row in model._default_manager.all()}
        stored = {row.pk: row for row in QuerySet(model)} if folded else {}
        for key in _keys(model):
            row = read.get(key)
            values = (
                {c.field.attname: getattr(row, c.field.attname) for c in declared}
                if row is not None
                else pending_values(model, key)
            )
            for counter in declared:
                name = counter.field.attname
                true = truth[counter].get(key, _empty(counter))
                assert values[name] == true, (
                    f"{counter.label}[{key}]: read {values[name]!r}, true {true!r}"
                )
                if key in stored:
                    kept = getattr(stored[key], name)
                    assert kept == true, f"{counter.label}[{key}] stored: {kept!r}, true {true!r}"


def inject(sql: str, params: object = ()) -> None:
    """Make drift the way a restore or a trigger-less loader would: raw SQL past the guard, on
    columns folded first (so the value written is the whole value, with nothing pending on top)."""
    from django.db import connection

    import counters

    counters.fold()
    with counters.unguarded(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def random_graph(users: int, follows_each: int, posts: int, seed: int) -> list:
    """``users`` users following ``follows_each`` random others each, and ``posts`` posts."""
    import random

    from counters.social.models import Follow, Post
    from tests.factories import UserFactory

    people = UserFactory.create_batch(users)
    rng = random.Random(seed)
    Follow.objects.bulk_create(
        [
            Follow(follower=a, followed=b)
            for a in people
            for b in rng.sample(people, follows_each)
            if a != b
        ]
    )
    Post.objects.bulk_create([Post(author=rng.choice(people), title=str(i)) for i in range(posts)])
    return people


def command(name: str, *args: str) -> tuple[int, str, str]:
    """Run a management command as ``manage.py`` would: (exit status, stdout, stderr)."""
    import io

    from django.core.management import call_command

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(name, *args, stdout=out, stderr=err)
        status = 0
    except SystemExit as exc:
        status = exc.code
    return status, out.getvalue(), err.getvalue()


def run_threads(count: int, work: Callable[[int], None]) -> list[BaseException]:
    """Run ``work(i)`` in ``count`` threads at once (each with its own connection); their errors."""
    import threading

    from django.db import connections

    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def runner(index: int) -> None:
        try:
            barrier.wait()
            work(index)
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a writer thread hung"
    return errors


def database_url() -> str:
    """A ``DATABASE_URL`` for the test database, for a subprocess (a server, a command) that must
    work on the same data as the test."""
    import urllib.parse

    from django.db import connection

    s = connection.settings_dict
    query = urllib.parse.urlencode({"host": s["HOST"]}) if s["HOST"].startswith("/") else ""
    host = "localhost" if query else s["HOST"] or "localhost"
    user = urllib.parse.quote(s["USER"] or "", safe="")
    password = urllib.parse.quote(s["PASSWORD"] or "", safe="")
    credentials = f"{user}:{password}@" if user else ""
    port = f":{s['PORT']}" if s["PORT"] else ""
    return f"postgresql://{credentials}{host}{port}/{s['NAME']}" + (f"?{query}" if query else "")


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now (for a server a test starts)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_bin_dir() -> Path:
    """The directory of the test server's own binaries (``pg_basebackup``, ``pg_ctl``, ``psql``
    of the same version): what the server reports (the ``pg_config`` view's ``BINDIR``), else
    the directory of a backend's executable (a local server), else ``pg_config --bindir`` on
    PATH. The embedded server's are the ``pgserver`` wheel's."""
    import os
    import shutil
    import subprocess

    candidates: list[Path] = []
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT setting FROM pg_config WHERE name = 'BINDIR'")
        row = cursor.fetchone()
        if row:
            candidates.append(Path(row[0]))
        cursor.execute("SELECT pg_backend_pid()")
        with contextlib.suppress(OSError):
            candidates.append(Path(os.readlink(f"/proc/{cursor.fetchone()[0]}/exe")).parent)
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        candidates.append(Path(found.stdout.strip()))
    for candidate in candidates:
        if (candidate / "pg_basebackup").exists() and (candidate / "pg_ctl").exists():
            return candidate
    raise LookupError(
        "the test server's binaries (pg_basebackup, pg_ctl, psql) were not found: tried "
        + ", ".join(map(str, candidates))
    )

"""Several databases: the test settings' router (``tests.routers``) sends the ``routed`` app to a
second database on the same server (its counters are kept there; the default database has none of
its tables) and the engine's tables to both. Every command, ``counters.fold()``, the checks and the
admin overview act on the counters of the database they are given, and never on another
database's tables: each is run on each database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.management.base import CommandError
from django.db import connections
from django.urls import reverse

import counters
from counters.core import registry
from counters.installation import installed_triggers
from tests.routed.models import Board, Pin, PinTotals
from tests.utils import command

pytestmark = pytest.mark.django_db(databases=["default", "second"])

SECOND = "second"
ROUTED = ["routed.Board.pins_count", "routed.PinTotals.pins"]
OVERVIEW = reverse("admin:counters_counteroverview_changelist")


def rows(using: str, sql: str) -> list[tuple]:
    with connections[using].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


def pending(using: str) -> int:
    return rows(using, "SELECT count(*) FROM counters_delta")[0][0]


def stored(board: Board) -> int:
    """The stored column alone (no pending deltas added)."""
    return rows(SECOND, f"SELECT pins_count FROM routed_board WHERE id = {board.pk}")[0][0]


@pytest.fixture
def boards() -> Iterator[list[Board]]:
    """Two boards on the second database with 3 and 1 pins, counted there; two more pins whose
    deltas are pending (deferred), so a fold on the second database has work."""
    first, other = Board.objects.create(name="a"), Board.objects.create(name="b")
    Pin.objects.bulk_create([Pin(board=first), Pin(board=first), Pin(board=other)])
    with counters.deferred(using=SECOND):
        Pin.objects.create(board=first)
        Pin.objects.create(board=other)
    yield [first, other]


def test_the_router_decides_which_database_keeps_which_counter() -> None:
    assert [c.label for c in registry.on_database(SECOND)] == ROUTED
    here = {c.label for c in registry.on_database("default")}
    assert here and not here & set(ROUTED)
    assert registry.databases_of(registry.select(["routed.Board"])[0]) == [SECOND]
    assert not rows("default", "SELECT to_regclass('routed_board') IS NOT NULL")[0][0]
    assert rows(SECOND, "SELECT to_regclass('routed_board') IS NOT NULL")[0][0]
    # each database has the triggers of its own apps only
    assert {t.table for t in installed_triggers(SECOND)} == {
        "routed_board",
        "routed_pin",
        "routed_pintotals",
    }
    assert not {t.table for t in installed_triggers("default")} & {"routed_board", "routed_pin"}


def test_counts_are_exact_on_the_second_database(boards: list[Board]) -> None:
    first, other = boards
    assert Board.objects.get(pk=first.pk).pins_count == 3  # read adds what is pending
    assert Board.objects.get(pk=other.pk).pins_count == 2
    assert PinTotals.objects.get().pins == 5
    assert pending(SECOND) > 0


def test_fold_acts_on_each_database_s_own_counters(boards: list[Board]) -> None:
    first, _ = boards
    report = counters.fold()  # the default database: never a routed table
    assert not set(report.folded) & {"routed.Board", "routed.PinTotals"}
    assert pending(SECOND) > 0 and stored(first) == 2
    status, out, err = command("fold_counters")
    assert status == 0 and "routed." not in out, err
    report = counters.fold(using=SECOND)
    assert set(report.folded) == {"routed.Board", "routed.PinTotals"}
    assert pending(SECOND) == 0 and stored(first) == 3
    status, out, _ = command("fold_counters", "--database", SECOND)
    assert status == 0 and "routed.Board: folded 0 delta(s)" in out
    with pytest.raises(CommandError, match=r"kept on database 'second', not 'default'.*--database"):
        command("fold_counters", "routed.Board")
    with pytest.raises(counters.UnknownCounterError, match="kept on database 'second'"):
        counters.fold(["routed.Board.pins_count"])


def test_backfill_checks_and_repairs_each_database(boards: list[Board]) -> None:
    first, _ = boards
    counters.fold(using=SECOND)
    with counters.unguarded(using=SECOND):
        Board.objects.filter(pk=first.pk).update(pins_count=40)  # drift, past the guard
    status, out, err = command("backfill_counters", "--check", "--no-progress")
    assert status == 0 and "routed." not in out + err  # the default database is exact
    status, out, err = command(
        "backfill_counters", "--check", "--no-progress", "--database", SECOND
    )
    assert status == 1 and "routed.Board.pins_count" in out + err
    status, out, err = command("backfill_counters", "--no-progress", "--database", SECOND)
    assert status == 0, err
    assert stored(first) == 3
    status, _, _ = command("backfill_counters", "--check", "--no-progress", "--database", SECOND)
    assert status == 0
    with pytest.raises(CommandError, match="kept on database 'second'"):
        command("backfill_counters", "routed.Board", "--no-progress")


def test_health_and_metrics_per_database(boards: list[Board]) -> None:
    counters.fold(using=SECOND)
    counters.fold()
    for using in ("default", SECOND):
        status, out, err = command("counters_health", "--database", using)
        assert status == 0 and "healthy" in out, err
    status, out, _ = command("counters_metrics", "--database", SECOND)
    assert status == 0
    assert 'counter="routed.Board.pins_count"' in out and "counters_social" not in out
    status, out, _ = command("counters_metrics")
    assert status == 0 and "routed." not in out and "adopters." in out
    status, out, _ = command("counters_health", "--database", SECOND, "--json")
    assert status == 0 and '"healthy": true' in out


def test_install_and_uninstall_per_database(boards: list[Board]) -> None:
    default_before = installed_triggers("default")
    second_before = installed_triggers(SECOND)
    assert len(second_before) == 8  # Pin: 4 counter triggers; Board, PinTotals: 2 guards each
    status, out, _ = command("counters_uninstall", "--database", SECOND)
    assert status == 0 and "Dropped 8 counter trigger(s) on 3 table(s)" in out
    assert installed_triggers(SECOND) == [] and installed_triggers("default") == default_before
    status, _, err = command("counters_health", "--database", SECOND)
    assert status == 2 and "routed" in err
    status, _, _ = command("counters_health")  # the default database's triggers are all there
    assert status == 0
    status, out, _ = command("counters_install", "--database", SECOND)
    assert status == 0 and "Installed 8 counter trigger(s)" in out
    assert installed_triggers(SECOND) == second_before
    status, out, _ = command("counters_install")
    assert status == 0 and f"Installed {len(default_before)} counter trigger(s)" in out
    assert installed_triggers("default") == default_before
    assert rows(SECOND, "SELECT to_regclass('routed_board_exact') IS NOT NULL")[0][0]
    assert not rows("default", "SELECT to_regclass('routed_board_exact') IS NOT NULL")[0][0]


def test_the_admin_overview_shows_one_database_at_a_time(admin_client, boards) -> None:
    first, _ = boards
    html = admin_client.get(OVERVIEW).content.decode()
    assert "routed.Board.pins_count" not in html and 'id="counter-databases"' in html
    html = admin_client.get(OVERVIEW, {"database": SECOND}).content.decode()
    assert all(label in html for label in ROUTED)
    assert "adopters." not in html and "counters_social." not in html
    assert '<td class="true">5</td>' in html  # the pin total beside COUNT(*)
    response = admin_client.post(
        reverse("admin:counters_counteroverview_fold"), {"database": SECOND}
    )
    assert response.status_code == 302 and response["Location"].endswith("?database=second")
    assert pending(SECOND) == 0 and stored(first) == 3
    with counters.unguarded(using=SECOND):
        Board.objects.filter(pk=first.pk).update(pins_count=9)
    run = reverse("admin:counters_counteroverview_run")
    response = admin_client.post(run, {"mode": "recount", "database": SECOND}, follow=True)
    assert response.status_code == 200 and stored(first) == 3
    with counters.unguarded(using=SECOND):
        Board.objects.filter(pk=first.pk).update(pins_count=7)
    response = admin_client.post(
        reverse("admin:counters_counteroverview_recount_row"),
        {"target": "routed.Board", "key": str(first.pk), "database": SECOND},
    )
    assert response.status_code == 302 and stored(first) == 3
    assert admin_client.get(OVERVIEW, {"database": "nowhere"}).status_code == 400
    response = admin_client.post(run, {"mode": "sample", "database": "nowhere"})
    assert response.status_code == 400

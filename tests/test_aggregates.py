"""Sum, Min and Max kept as exactly as counts: an order total from decimal line amounts (and an
integer sum, the largest amount, the first item's time), the first answer's and the last correct
answer's time through a two-FK path with a condition; every kind of write, rollback, TRUNCATE,
concurrent writers, recount and drift check, read-only columns."""

from __future__ import annotations

import datetime
import random
import time
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections, transaction
from django.utils import timezone

import counters
from counters.core import registry
from counters.exceptions import TriggerKeptCounterError
from tests.testapp.models import Answer, LineItem, Order, Profile, QuizSession
from tests.utils import assert_exact, inject, run_threads, true_value

pytestmark = pytest.mark.django_db

D = Decimal
T0 = datetime.datetime(2026, 1, 1, 12, 0, tzinfo=datetime.UTC)


def at(minutes: float) -> datetime.datetime:
    return T0 + datetime.timedelta(minutes=minutes)


def order_values(order: Order) -> tuple:
    order = Order.objects.get(pk=order.pk)
    return (
        order.total_amount,
        order.units,
        order.largest_amount,
        order.first_item_at,
        order.items_count,
    )


def test_an_order_total_through_every_kind_of_write():
    a, b = Order.objects.create(reference="a"), Order.objects.create(reference="b")
    assert order_values(a) == (D("0.00"), 0, None, None, 0)  # no rows: 0 and NULL

    LineItem.objects.create(order=a, amount=D("10.50"), quantity=2, added_at=at(5))
    LineItem.objects.create(order=a, amount=None, quantity=1, added_at=at(1))  # NULL adds nothing
    assert order_values(a) == (D("10.50"), 3, D("10.50"), at(1), 2)

    LineItem.objects.bulk_create(
        [LineItem(order=a, amount=D("0.25"), added_at=at(9)) for _ in range(4)]
        + [LineItem(order=b, amount=D("99.99"), added_at=at(3))]
    )
    assert order_values(a) == (D("11.50"), 7, D("10.50"), at(1), 6)
    assert order_values(b) == (D("99.99"), 1, D("99.99"), at(3), 1)
    assert_exact(Order)

    LineItem.objects.filter(order=a, amount=D("0.25")).update(amount=D("20.00"))  # amounts
    assert order_values(a) == (D("90.50"), 7, D("20.00"), at(1), 6)
    LineItem.objects.filter(order=b).update(order=a)  # the path: moves amount and extremes
    assert order_values(a) == (D("190.49"), 8, D("99.99"), at(1), 7)
    assert order_values(b) == (D("0.00"), 0, None, None, 0)
    assert_exact(Order, folded=True)

    LineItem.objects.filter(amount=D("99.99")).delete()  # the largest leaves: recomputed
    assert order_values(a) == (D("90.50"), 7, D("20.00"), at(1), 6)
    LineItem.objects.filter(added_at=at(1)).delete()  # the first leaves: recomputed
    assert order_values(a)[3] == at(5)
    assert_exact(Order, folded=True)

    with connection.cursor() as cursor:  # raw SQL, as another client or a loader would
        cursor.execute(
            "INSERT INTO testapp_lineitem (order_id, amount, quantity, added_at) "
            "VALUES (%s, 1000.01, 5, %s), (%s, -3.00, 1, %s)",
            [b.pk, at(-60), b.pk, at(60)],
        )
    assert order_values(b) == (D("997.01"), 6, D("1000.01"), at(-60), 2)

    with pytest.raises(RuntimeError), transaction.atomic():  # rollback leaves nothing
        LineItem.objects.create(order=b, amount=D("5000"), added_at=at(-600))
        raise RuntimeError
    assert order_values(b) == (D("997.01"), 6, D("1000.01"), at(-60), 2)
    assert_exact(Order, folded=True)

    with connection.cursor() as cursor:  # (the test's transaction: deferred FK checks first)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE testapp_lineitem")
    assert order_values(a) == order_values(b) == (D("0.00"), 0, None, None, 0)


def test_first_and_last_timestamps_through_two_foreign_keys_with_a_condition():
    User = get_user_model()
    ann, bob = User.objects.create(username="ann"), User.objects.create(username="bob")
    s1 = QuizSession.objects.create(user=ann)
    s2 = QuizSession.objects.create(user=ann)
    Answer.objects.create(session=s1, correct=False, answered_at=at(10))
    Answer.objects.create(session=s2, correct=True, answered_at=at(20))
    Answer.objects.create(session=s2, correct=True, answered_at=at(30))
    stats = Profile.objects.get(pk=ann.pk)
    assert (stats.first_answer_at, stats.last_correct_answer_at) == (at(10), at(30))

    Answer.objects.filter(answered_at=at(30)).update(correct=False)  # leaves the condition
    stats = Profile.objects.get(pk=ann.pk)
    assert (stats.first_answer_at, stats.last_correct_answer_at) == (at(10), at(20))

    QuizSession.objects.filter(pk=s1.pk).update(user=bob)  # an intermediate row moves
    ann_stats, bob_stats = Profile.objects.get(pk=ann.pk), Profile.objects.get(pk=bob.pk)
    assert (ann_stats.first_answer_at, ann_stats.last_correct_answer_at) == (at(20), at(20))
    assert (bob_stats.first_answer_at, bob_stats.last_correct_answer_at) == (at(10), None)
    assert_exact(Profile, folded=True)

    Answer.objects.filter(session=s2).update(correct=True)  # enters the condition again
    Answer.objects.filter(session=s2, answered_at=at(20)).update(answered_at=at(40))
    assert Profile.objects.get(pk=ann.pk).last_correct_answer_at == at(40)
    assert Profile.objects.get(pk=ann.pk).first_answer_at == at(30)
    s2.delete()  # cascades: ann has no answers left
    stats = Profile.objects.get(pk=ann.pk)
    assert (stats.first_answer_at, stats.last_correct_answer_at) == (None, None)
    assert_exact(Profile, folded=True)


def test_an_update_that_changes_nothing_counted_appends_no_marker():
    order = Order.objects.create()
    item = LineItem.objects.create(order=order, amount=D("3.00"), added_at=at(0))
    counters.fold()
    LineItem.objects.filter(pk=item.pk).update(quantity=1)  # neither amount, time nor order
    largest = registry.get_counter(Order, "largest_amount")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM counters_delta WHERE counter = ANY(%s)", [list(largest.delta_ids)]
        )
        assert cursor.fetchone()[0] == 0


def test_the_largest_leaving_is_recomputed_in_place_by_its_writer():
    order = Order.objects.create()
    LineItem.objects.bulk_create(
        [LineItem(order=order, amount=D(n), added_at=at(n)) for n in (1, 5, 3)]
    )
    LineItem.objects.filter(amount=D(5)).delete()
    with connection.cursor() as cursor:  # the column alone: recomputed by the deleting statement
        cursor.execute("SELECT largest_amount FROM testapp_order WHERE id = %s", [order.pk])
        assert cursor.fetchone()[0] == D(3)
        cursor.execute("SELECT count(*) FROM counters_delta")
        assert cursor.fetchone()[0] == 0


def test_reads_see_the_recomputed_extreme_before_any_fold():
    order = Order.objects.create()
    LineItem.objects.bulk_create(
        [LineItem(order=order, amount=D(n), added_at=at(n)) for n in (1, 5, 3)]
    )
    with counters.deferred():
        LineItem.objects.filter(amount=D(5)).delete()
    with connection.cursor() as cursor:  # the column still says 5: a marker is pending
        cursor.execute("SELECT largest_amount FROM testapp_order WHERE id = %s", [order.pk])
        assert cursor.fetchone()[0] == D(5)
        cursor.execute("SELECT largest_amount FROM testapp_order_exact WHERE id = %s", [order.pk])
        assert cursor.fetchone()[0] == D(3)  # the raw-SQL view recomputes too
    assert Order.objects.get(pk=order.pk).largest_amount == D(3)
    found = {c.counter.field.name: c for c in counters.compare(Order, [order.pk])[order.pk]}
    assert found["largest_amount"].cached == found["largest_amount"].true == D(3)
    counters.fold()
    with connection.cursor() as cursor:
        cursor.execute("SELECT largest_amount FROM testapp_order WHERE id = %s", [order.pk])
        assert cursor.fetchone()[0] == D(3)


def test_check_finds_and_recount_fixes_drift_in_sums_and_extremes():
    order = Order.objects.create()
    LineItem.objects.create(order=order, amount=D("7.25"), added_at=at(2))
    inject(
        "UPDATE testapp_order SET total_amount = 1, largest_amount = 2, first_item_at = %s "
        "WHERE id = %s",
        [at(-5), order.pk],
    )
    report = counters.check(["testapp.Order"])
    drifted = {c.label: c for c in report.counters if c.rows_drifted}
    assert set(drifted) == {
        "testapp.Order.total_amount",
        "testapp.Order.largest_amount",
        "testapp.Order.first_item_at",
    }
    assert drifted["testapp.Order.total_amount"].largest_drift == 6.25
    assert drifted["testapp.Order.first_item_at"].largest_drift == 7 * 60  # seconds
    counters.recount(["testapp.Order"])
    assert order_values(order) == (D("7.25"), 1, D("7.25"), at(2), 1)
    assert not counters.check(["testapp.Order"]).drifted


def test_aggregate_columns_are_read_only_to_save_and_increment():
    order = Order.objects.create()
    LineItem.objects.create(order=order, amount=D("4.00"), added_at=at(0))
    stale = Order.objects.get(pk=order.pk)
    LineItem.objects.create(order=order, amount=D("6.00"), added_at=at(1))
    stale.reference = "renamed"
    stale.total_amount = D("123.00")
    stale.save()  # a stale save just works: the counted values stay
    assert order_values(order) == (D("10.00"), 2, D("6.00"), at(0), 2)
    assert Order.objects.get(pk=order.pk).reference == "renamed"
    made = Order.objects.create(largest_amount=D("9"), first_item_at=at(0), total_amount=D("5"))
    assert order_values(made) == (D("0.00"), 0, None, None, 0)  # INSERT starts empty
    with pytest.raises(TriggerKeptCounterError):
        counters.increment(order, "total_amount")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("folder", [True, False], ids=["with a folder", "writers fold"])
def test_eight_threads_inserting_and_deleting_keep_sum_min_and_max_exact(folder):
    order = Order.objects.create()
    LineItem.objects.create(order=order, amount=D("50.00"), added_at=at(0))
    stop = time.monotonic() + 3

    def work(index: int) -> None:
        rng = random.Random(index)
        while time.monotonic() < stop:
            with transaction.atomic():
                if rng.random() < 0.55:
                    LineItem.objects.create(
                        order_id=order.pk,
                        amount=D(rng.randint(1, 10_000)) / 100,
                        added_at=at(rng.randint(-10_000, 10_000)),
                    )
                else:  # delete the current extreme as often as anything else
                    victim = (
                        LineItem.objects.filter(order_id=order.pk)
                        .order_by(rng.choice(["amount", "-amount", "added_at", "-added_at", "?"]))
                        .values_list("pk", flat=True)
                        .first()
                    )
                    LineItem.objects.filter(pk=victim).delete()

    running = counters.folding.Folder(interval=0.05).start() if folder else None
    try:
        assert run_threads(8, work) == []
    finally:
        if running is not None:
            running.stop()
        connections.close_all()
    assert LineItem.objects.count() > 0
    for name in ("total_amount", "largest_amount", "first_item_at", "units"):
        counter = registry.get_counter(Order, name)
        assert getattr(Order.objects.get(pk=order.pk), name) == true_value(counter, order.pk)
    assert_exact(Order, folded=True)


def test_timestamps_and_decimals_survive_the_round_trip_exactly():
    order = Order.objects.create()
    odd = timezone.make_aware(datetime.datetime(1969, 7, 20, 20, 17, 40, 123456), datetime.UTC)
    LineItem.objects.create(order=order, amount=D("-0.01"), added_at=odd)  # before the epoch
    LineItem.objects.create(order=order, amount=D("99999999.99"), added_at=at(0))
    assert order_values(order) == (D("99999999.98"), 2, D("99999999.99"), odd, 2)
    assert_exact(Order, folded=True)


@pytest.mark.django_db(transaction=True)
def test_the_live_stream_carries_sums_and_timestamps_exactly():
    pytest.importorskip("psycopg", reason="the hub needs psycopg 3")
    import asyncio

    from counters.live import hub as live_hub
    from counters.live import stream as live_stream
    from counters.live import topics as live_topics

    order = Order.objects.create()
    LineItem.objects.create(order=order, amount=D("12.30"), added_at=at(0))
    LineItem.objects.create(order=order, amount=D("0.05"), added_at=at(-1))

    async def first_values() -> dict:
        hub = live_hub.Hub(interval=0.02)
        try:
            subscription = await hub.subscribe(
                live_topics.parse_topics([f"testapp.Order:{order.pk}"])
            )
            return await subscription.changes(5)
        finally:
            await hub.close()

    values = asyncio.run(first_values())
    assert values[f"testapp.Order.total_amount:{order.pk}"] == D("12.35")
    assert values[f"testapp.Order.first_item_at:{order.pk}"] == at(-1)
    event = live_stream.sse(values)  # decimals as exact strings, timestamps in ISO 8601
    assert f'"testapp.Order.total_amount:{order.pk}":"12.35"' in event
    assert f'"testapp.Order.first_item_at:{order.pk}":"2026-01-01T11:59:00+00:00"' in event
    assert f'"testapp.Order.largest_amount:{order.pk}":"12.30"' in event


def test_the_admin_shows_sums_and_extremes_beside_their_truth(admin_client):
    order = Order.objects.create(reference="A-1")
    LineItem.objects.create(order=order, amount=D("2.50"), added_at=at(0))
    LineItem.objects.create(order=order, amount=D("4.00"), added_at=at(3))
    html = admin_client.get(f"/admin/testapp/order/{order.pk}/change/").content.decode()
    assert "<td>total amount</td><td>6.50</td><td>6.50</td>" in html
    assert "matches SUM()" in html and "matches MAX()" in html and "matches MIN()" in html
    inject(
        "UPDATE testapp_order SET total_amount = 7, largest_amount = NULL WHERE id = %s", [order.pk]
    )
    html = admin_client.get(f"/admin/testapp/order/{order.pk}/change/").content.decode()
    assert "drift +0.50" in html and "drift (one of them is empty)" in html
    listing = admin_client.get("/admin/testapp/order/").content.decode()
    assert listing.count("counter-drift") >= 2  # the list's true columns flag both
    response = admin_client.post(
        "/admin/testapp/order/",
        {"action": "recount_selected", "_selected_action": [order.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert Order.objects.get(pk=order.pk).largest_amount == D("4.00")
    assert Order.objects.get(pk=order.pk).total_amount == D("6.50")


@pytest.mark.parametrize(
    ("column", "wrong"),
    [("items_count", "7"), ("total_amount", "1.00"), ("largest_amount", "NULL")],
)
def test_the_exactness_helper_itself_catches_drift(column, wrong):
    order = Order.objects.create()
    LineItem.objects.create(order=order, amount=D("2.00"), added_at=at(0))
    assert_exact(Order, folded=True)
    inject(f"UPDATE testapp_order SET {column} = {wrong} WHERE id = %s", [order.pk])
    with pytest.raises(AssertionError, match=f"testapp.Order.{column}"):
        assert_exact(Order)


def test_a_recompute_drops_the_pending_candidates_it_includes():
    """A candidate left pending (its row was held) and then the row it stood for leaves: the
    writer that recomputes the extreme must drop that candidate, or reads bring the row back.
    (A writer takes in a row's pending deltas only now and then: eight rounds.)"""
    for _ in range(8):
        order, other = Order.objects.create(), Order.objects.create()
        LineItem.objects.create(order=order, amount=D(1))
        with counters.deferred():
            big = LineItem.objects.create(order=order, amount=D(9))  # a pending candidate: 9
        assert Order.objects.get(pk=order.pk).largest_amount == D(9)
        LineItem.objects.filter(pk=big.pk).update(order=other)  # it leaves: recomputed in place
        assert Order.objects.get(pk=order.pk).largest_amount == D(1)
        assert Order.objects.get(pk=other.pk).largest_amount == D(9)
    assert_exact(Order)


def test_a_row_below_the_max_leaves_without_a_recompute_and_the_max_leaving_recomputes():
    """A marker carries the largest value that left: the writer that holds the row recomputes
    only when it reached the column (a Max), so deleting an ordinary row costs no recompute."""
    order = Order.objects.create()
    LineItem.objects.bulk_create(
        [LineItem(order=order, amount=D(n), added_at=at(n)) for n in (1, 5, 3)]
    )
    with connection.cursor() as cursor:  # mark the column: a recompute would overwrite it
        cursor.execute("SET LOCAL counters.unguarded = on")
        cursor.execute("UPDATE testapp_order SET largest_amount = 7 WHERE id = %s", [order.pk])
        cursor.execute("SET LOCAL counters.unguarded = off")
    LineItem.objects.filter(amount=D(3)).delete()  # 3 < 7 (and not the first): kept as it is
    assert Order.objects.get(pk=order.pk).largest_amount == D(7)
    LineItem.objects.filter(amount=D(5)).delete()  # 5 < 7 too: still no recompute
    assert Order.objects.get(pk=order.pk).largest_amount == D(7)
    LineItem.objects.filter(amount=D(1)).delete()  # the first item (the Min) left: both recomputed
    assert Order.objects.get(pk=order.pk).largest_amount is None
    LineItem.objects.create(order=order, amount=D(2))
    with connection.cursor() as cursor:  # back to the truth, then its max leaves
        cursor.execute("SET LOCAL counters.unguarded = on")
        cursor.execute("UPDATE testapp_order SET largest_amount = 2 WHERE id = %s", [order.pk])
        cursor.execute("SET LOCAL counters.unguarded = off")
    LineItem.objects.create(order=order, amount=D(1))
    LineItem.objects.filter(amount=D(2)).delete()  # it held the max: recomputed
    assert Order.objects.get(pk=order.pk).largest_amount == D(1)
    assert_exact(Order)

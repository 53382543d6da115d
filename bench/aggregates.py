"""Sum, Min and Max: line items of orders, counted vs triggers off."""

from __future__ import annotations

import statistics
from collections.abc import Callable

import counters
from bench.common import LINE_ITEMS, ORDERS, RESULTS, LineItem, off_then_counted, sql, timed


def aggregates(quick: bool) -> None:
    """Sum, Min and Max: line items of orders (``testapp.Order`` keeps two sums, a Max, a Min and
    a count of them), counted vs triggers off on ``testapp_lineitem``, same run; and deleting the
    current largest item of each order (its Max is recomputed when the marker folds)."""
    import datetime
    import random
    from decimal import Decimal

    from tests.testapp.models import LineItem, Order

    rng = random.Random(7)
    rounds = 3 if quick else 5
    singles = 300 if quick else 1000
    bulk = 20_000 if quick else 100_000
    sql(f"TRUNCATE {LINE_ITEMS}, {ORDERS}")  # its trigger drops the orders' pending deltas
    orders = [o.pk for o in Order.objects.bulk_create([Order() for _ in range(200)])]
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)

    def item(order: int) -> LineItem:
        return LineItem(
            order_id=order,
            amount=Decimal(rng.randint(1, 100_000)) / 100,
            quantity=rng.randint(1, 5),
            added_at=start + datetime.timedelta(seconds=rng.randint(0, 10**7)),
        )

    def on(counted: bool) -> None:
        sql(f"ALTER TABLE {LINE_ITEMS} {'ENABLE' if counted else 'DISABLE'} TRIGGER USER")

    def empty() -> None:
        on(True)
        sql(f"DELETE FROM {LINE_ITEMS}")
        counters.recount(["testapp.Order"])

    def seed(per_order: int) -> Callable[[], None]:
        def run() -> None:
            empty()
            LineItem.objects.bulk_create([item(o) for o in orders for _ in range(per_order)])
            counters.fold()

        return run

    def single_create() -> None:
        for index in range(singles):
            item(orders[index % len(orders)]).save()

    def bulk_create() -> None:
        LineItem.objects.bulk_create([item(orders[i % len(orders)]) for i in range(bulk)])

    def delete_largest() -> None:  # one statement per order: its current Max leaves
        for order in orders:
            largest = LineItem.objects.filter(order_id=order).order_by("-amount").first()
            largest.delete()

    def delete_any() -> None:  # the same number of deletes of rows that hold no extreme
        for order in orders:
            some = LineItem.objects.filter(order_id=order).order_by("amount", "added_at")[5]
            some.delete()

    cases = [
        ("ORM LineItem create (one row): 2 sums, max, min, count", empty, single_create, singles),
        (
            f"bulk_create {bulk // 1000}k line items: 2 sums, max, min, count",
            empty,
            bulk_create,
            bulk,
        ),
        ("delete the current max (one row each, 200 orders)", seed(50), delete_largest, 200),
        ("delete a row holding no extreme (one row each)", seed(50), delete_any, 200),
    ]
    for name, setup, work, unit in cases:
        folds: list[float] = []  # the fold after the counted work (Min/Max recomputes happen there)
        r = off_then_counted(
            rounds,
            setup,
            work,
            unit,
            on,
            ["testapp.Order"],
            after_counted=lambda folds=folds: folds.append(timed(counters.fold)),
        )
        r["aggregate_ratio"] = r["counted_s"] / r["off_s"]
        r["fold_after_s"] = statistics.median(folds)
        RESULTS[name] = r
        print(
            f"{name:58} counted {r['counted_s']:7.3f}s  off {r['off_s']:7.3f}s  "
            f"ratio {r['aggregate_ratio']:.2f}x  fold after {r['fold_after_s']:.3f}s  "
            f"drift {r['counted_drifted_values']}",
            flush=True,
        )
    empty()
    counters.fold()  # nothing of the orders left pending for the next sections

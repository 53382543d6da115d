"""Distinct counts: the different buyers of a shop, beside a plain count of the same purchases on
an identical table, each against its table's triggers off, in the same run."""

from __future__ import annotations

import random
from collections.abc import Callable

import counters
from bench.common import RESULTS, off_then_counted, sql


def distinct(quick: bool) -> None:
    """``Shop.purchases`` (a plain count of ``Purchase``) and ``Shop.buyers`` (the different
    buyers among ``BuyerPurchase``): the same writes on both tables, at 100 and 1,000 rows per
    shop (100 shops), each counted vs its triggers off. A distinct count recounts its shop's rows (an
    index-only scan of ``(shop, buyer)``) at every write that adds or removes rows."""
    from bench.shop.models import BuyerPurchase, Purchase, Shop

    rounds = 3 if quick else 5
    singles = 300 if quick else 1000
    bulk = 20_000 if quick else 50_000
    shops = [s.pk for s in Shop.objects.bulk_create([Shop() for _ in range(100)])]
    kinds = {"plain count": Purchase, "distinct count": BuyerPurchase}

    for per_shop in (100, 1000):
        for kind, model in kinds.items():
            _measure(kind, model, per_shop, shops, rounds, singles, bulk)
    counters.recount(["bench_shop.Shop"])


def _measure(
    kind: str, model: type, per_shop: int, shops: list[int], rounds: int, singles: int, bulk: int
) -> None:
    table = model._meta.db_table
    rng = random.Random(per_shop)

    def row(shop: int) -> object:
        return model(shop_id=shop, buyer=rng.randrange(per_shop // 2))

    def on(counted: bool) -> None:
        sql(f"ALTER TABLE {table} {'ENABLE' if counted else 'DISABLE'} TRIGGER USER")

    def seed() -> None:
        on(True)
        sql(f"TRUNCATE {table}")
        model.objects.bulk_create([row(s) for s in shops for _ in range(per_shop)])
        counters.fold()

    def single_create() -> None:
        for i in range(singles):
            row(shops[i % len(shops)]).save()  # type: ignore[attr-defined]

    per_shop_deleted = max(1, singles // len(shops))

    def single_delete() -> None:
        for shop in shops:
            for one in list(model.objects.filter(shop_id=shop)[:per_shop_deleted]):
                one.delete()

    def bulk_create() -> None:
        model.objects.bulk_create([row(shops[i % len(shops)]) for i in range(bulk)])

    cases: list[tuple[str, Callable[[], None], int]] = [
        ("ORM create (one row)", single_create, singles),
        ("ORM delete (one row)", single_delete, per_shop_deleted * len(shops)),
        (f"bulk_create {bulk // 1000}k", bulk_create, bulk),
    ]
    for what, work, unit in cases:
        name = f"{kind}, {per_shop:,} rows per shop: {what}"
        r = off_then_counted(
            rounds,
            seed,
            work,
            unit,
            on,
            ["bench_shop.Shop"],
            after_off=lambda: counters.recount(["bench_shop.Shop"]),
        )
        r["distinct_ratio"] = r["counted_s"] / r["off_s"]
        RESULTS[name] = r
        print(
            f"{name:62} counted {r['counted_s']:7.3f}s  off {r['off_s']:7.3f}s  "
            f"ratio {r['distinct_ratio']:.2f}x  drift {r['counted_drifted_values']}",
            flush=True,
        )
    sql(f"TRUNCATE {table}")

"""Two shops and two purchase tables of the same shape: ``Shop.purchases`` counts the rows of
``Purchase``, ``Shop.buyers`` the different buyers among the rows of ``BuyerPurchase``."""

from __future__ import annotations

from django.db import models

import counters


@counters.register(
    counters.Count("purchases", source="bench_shop.Purchase", path="shop"),
    counters.Count("buyers", source="bench_shop.BuyerPurchase", path="shop", distinct="buyer"),
)
class Shop(models.Model):
    purchases = models.IntegerField(default=0, db_default=0)
    buyers = models.IntegerField(default=0, db_default=0)


class Purchase(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE)
    buyer = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["shop", "buyer"])]


class BuyerPurchase(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE)
    buyer = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["shop", "buyer"])]

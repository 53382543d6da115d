"""The engine's own tables: pending slot rows of hot counters, and the admin overview's page."""

from __future__ import annotations

from django.db import models


class CounterSlot(models.Model):
    """A pending part of a hot counter: ``delta`` to add to ``counter``'s value for ``key``.

    Written by the counter triggers when the target row is busy, folded back into the target row
    by ``manage.py fold_counters`` and by recounts. At most ``slots`` rows per counter and key.
    """

    counter = models.CharField(max_length=255, help_text="the counter's label")
    key = models.BigIntegerField(help_text="the target row's primary key")
    slot = models.SmallIntegerField()
    delta = models.BigIntegerField(default=0, db_default=0)

    class Meta:
        db_table = "counters_slot"
        constraints = [
            models.UniqueConstraint(fields=["counter", "key", "slot"], name="counters_slot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.counter}[{self.key}] slot {self.slot}: {self.delta:+d}"


class CounterOverview(CounterSlot):
    """No table of its own: gives the admin its "Counters overview" page (declared counters,
    trigger states, site totals beside their true counts, check, recount and fold)."""

    class Meta:
        proxy = True
        verbose_name = "counters overview"
        verbose_name_plural = "counters overview"

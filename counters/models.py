"""The engine's own tables: pending counter deltas, and the admin overview's page."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now


class CounterDelta(models.Model):
    """A pending change of one counter of one target row: ``delta`` to add to its column.

    The counter triggers append these rows (one per counter and target key per statement) for
    the counter rows another transaction holds at that moment, and add into the others in place;
    the next writer that holds the row, and folding (``manage.py fold_counters``, the SQL
    function ``counters_fold()``, now and then the writers themselves) add them into the counter
    columns and delete them. Every read Django selects adds the pending rows in.
    """

    counter = models.IntegerField(help_text="the counter's id (a hash of its label)")
    # byte order ("C"): keys are compared, sorted and indexed without the locale's rules
    key = models.TextField(db_collation="C", help_text="the target row's primary key, as text")
    delta = models.BigIntegerField()
    created = models.DateTimeField(
        db_default=Now(), help_text="when the writing statement ran (how old the backlog is)"
    )

    class Meta:
        db_table = "counters_delta"
        # key first: folds walk pending keys in order across a table's counters (a batch reads
        # its keys, not the whole backlog); point reads give both columns
        indexes = [models.Index(fields=["key", "counter"], name="counters_delta_key_counter")]

    def __str__(self) -> str:
        return f"counter {self.counter}[{self.key}] {self.delta:+d}"


class CounterState(models.Model):
    """What monitoring reads back: the last fold (``"fold"``) and each counter's last check or
    recount (``"check:<label>"``), written by :func:`counters.fold` and the checks."""

    name = models.TextField(primary_key=True)
    at = models.DateTimeField()
    data = models.JSONField(default=dict)

    class Meta:
        db_table = "counters_state"
        default_permissions = ()

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"


class CounterOverview(CounterDelta):
    """No table of its own: gives the admin its "Counters overview" page (declared counters,
    trigger states, site totals beside their true counts, check, recount and fold)."""

    class Meta:
        proxy = True
        verbose_name = "counters overview"
        verbose_name_plural = "counters overview"

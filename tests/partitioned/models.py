"""A counter over a declaratively partitioned table, the way a team gets one: Django has no
partitioning, so the migration creates ``partitioned_event`` with ``RunSQL`` as a ``PARTITION BY
RANGE (day)`` table (the partition key in its primary key) with a partition per year, inside a
``SeparateDatabaseAndState`` whose state is the model below. The counter triggers that
django-pgtrigger installs land on the parent; :mod:`counters.partitions` copies them onto the
partitions."""

from django.db import models

import counters


@counters.register(
    counters.Count("events_count", source="partitioned.Event", path="stream"),
    counters.Sum("weight_total", source="partitioned.Event", path="stream", column="weight"),
)
class Stream(models.Model):
    name = models.CharField(max_length=50, default="")
    events_count = models.IntegerField(default=0, db_default=0)
    weight_total = models.BigIntegerField(default=0, db_default=0)

    objects = counters.CounterManager()  # reads add the pending deltas

    class Meta:
        base_manager_name = "objects"


class Event(models.Model):
    # in the database the primary key is (id, day): a partitioned table's unique keys hold its
    # partition key; id alone is unique through its sequence
    stream = models.ForeignKey(Stream, on_delete=models.CASCADE, related_name="events")
    day = models.DateField()
    weight = models.IntegerField(default=1)

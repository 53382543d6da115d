"""An app of its own database: ``tests.routers.SecondDatabaseRouter`` sends it to the ``second``
test database, where its counters are kept; the default database has none of its tables.

- ``Board.pins_count``: pins per board (the target counted into, a plain foreign key).
- ``PinTotals.pins``: the single-row total of every pin (a site total, on the second database).
"""

from django.db import models

import counters


@counters.register(counters.Count("pins_count", source="routed.Pin", path="board"))
class Board(models.Model):
    name = models.CharField(max_length=50, default="")
    pins_count = models.IntegerField(default=0, db_default=0)


class Pin(models.Model):
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="pins")


@counters.register(counters.Count("pins", source="routed.Pin", public=True))
class PinTotals(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    pins = models.BigIntegerField(default=0, db_default=0)

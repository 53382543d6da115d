"""counters.core.kinds: a Sum, Min or Max travels through ``counters_delta.delta`` (a bigint) as an
integer code of its value: scaled decimals, microseconds since the epoch, days since the epoch.
Each code is evaluated by PostgreSQL, there and back."""

from __future__ import annotations

import datetime
import decimal

import pytest
from django.db import connection, models
from django.test.utils import isolate_apps

from counters.core import registry
from counters.core.declarations import Max, Min, Sum

pytestmark = pytest.mark.django_db


def roundtrip(counter, value: object, sql_type: str) -> tuple[int, object]:  # noqa: ANN001
    """The delta code of ``value`` and the value decoded from it, as the triggers and reads
    compute them."""
    code = counter.encode(f"%s::{sql_type}")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {code}, {counter.typed(counter.decode(code))}", [value, value])
        return cursor.fetchone()


@pytest.fixture
def day_counters():
    with isolate_apps("tests.testapp"):

        class Shelf(models.Model):
            class Meta:
                app_label = "testapp"

            first_day = models.DateField(null=True)
            last_at = models.DateTimeField(null=True)
            total = models.DecimalField(max_digits=14, decimal_places=3, db_default=0)

        class Book(models.Model):
            class Meta:
                app_label = "testapp"
                indexes = [
                    models.Index(fields=["shelf", "day"], name="book_day"),
                    models.Index(fields=["shelf", "at"], name="book_at"),
                ]

            shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE)
            day = models.DateField()
            at = models.DateTimeField()
            price = models.DecimalField(max_digits=10, decimal_places=3)

        found = registry.resolve_all(
            [
                (Shelf, Min("first_day", source=Book, path="shelf", column="day")),
                (Shelf, Max("last_at", source=Book, path="shelf", column="at")),
                (Shelf, Sum("total", source=Book, path="shelf", column="price")),
            ]
        )
        assert found.problems == [] and found.warnings == []
        yield {c.field.name: c for c in found.counters}


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (datetime.date(1970, 1, 1), 0),
        (datetime.date(2026, 12, 2), 20789),
        (datetime.date(1969, 12, 31), -1),
        (datetime.date(1, 1, 1), -719162),
    ],
)
def test_a_date_travels_as_days_since_the_epoch(day_counters, day, code):
    counter = day_counters["first_day"]
    assert counter.encode("v") == "(v - DATE '1970-01-01')"
    assert roundtrip(counter, day, "date") == (code, day)


def test_a_timestamp_travels_as_microseconds_since_the_epoch(day_counters):
    at = datetime.datetime(2026, 12, 2, 17, 34, 16, 123456, tzinfo=datetime.UTC)
    code, back = roundtrip(day_counters["last_at"], at, "timestamptz")
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
    assert code == (at - epoch) // datetime.timedelta(microseconds=1)
    assert back == at


def test_a_decimal_travels_scaled_by_its_decimal_places(day_counters):
    assert roundtrip(day_counters["total"], decimal.Decimal("-12.345"), "numeric") == (
        -12345,
        decimal.Decimal("-12.345"),
    )

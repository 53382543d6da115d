"""counters.core.counter: SQL literals and identifiers, counter ids, and what each kind of counter
contributes (checked against the database where the SQL runs)."""

from __future__ import annotations

import datetime
import decimal
import uuid

import pytest
from django.db import connection

from counters.core import registry
from counters.exceptions import CounterDeclarationError
from counters.social.models import GlobalStats, UserStats
from counters.sql.quoting import literal, quote, stable_id
from tests.testapp.models import Order

VALUES = [
    None,
    True,
    False,
    42,
    -7,
    1.5,
    decimal.Decimal("12.340"),
    "it's",
    "back\\slash",
    uuid.UUID("12345678-1234-5678-1234-567812345678"),
    datetime.datetime(2026, 1, 2, 3, 4, 5, 6, tzinfo=datetime.UTC),
    datetime.datetime(2026, 1, 2, 3, 4, 5),
    datetime.date(1969, 7, 20),
    datetime.time(23, 59, 1),
]


@pytest.mark.django_db
@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_literals_read_back_as_the_same_value(value):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {literal(value)}")
        assert cursor.fetchone()[0] == value


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "nul\x00", object()], ids=repr)
def test_values_without_a_literal_are_refused(value):
    with pytest.raises(CounterDeclarationError):
        literal(value)


def test_quote_leaves_schema_qualified_names_alone():
    assert quote("user_stats") == '"user_stats"'
    assert quote('reports"."daily') == '"reports"."daily"'  # Django's way to name a schema
    assert quote('"already"') == '"already"'


def test_ids_are_stable_signed_32_bit_numbers():
    assert stable_id("counters_social.UserStats.followers_count") == stable_id(
        "counters_social.UserStats.followers_count"
    )
    ids = [c.id for c in registry.all_counters()]
    assert len(set(ids)) == len(ids)
    assert all(-(2**31) <= number < 2**31 for number in ids)


def test_each_kind_says_how_its_rows_combine():
    count = registry.get_counter(UserStats, "followers_count")
    total = registry.get_counter(Order, "total_amount")
    largest = registry.get_counter(Order, "largest_amount")
    assert (count.kind, total.kind, largest.kind) == ("count", "sum", "max")
    assert count.delta_ids == (count.id,) and largest.delta_ids == (largest.id, largest.marker_id)
    assert (count.empty, total.empty, largest.empty) == ("0", "0", "NULL")
    assert count.arm("1") == (count.id, "count(*)") and count.arm("-1") == (count.id, "-count(*)")
    assert total.arm("-1") == (total.id, "-sum((r.value * 100)::bigint)::bigint")
    assert largest.arm("1")[1].startswith("max(")  # the largest arriving value is the candidate
    # rows leave: a recompute marker carrying the largest of them (below the column: no recompute)
    assert largest.arm("-1") == (largest.marker_id, largest.arm("1")[1])
    with pytest.raises(CounterDeclarationError, match="is a count"):
        count.value_field  # noqa: B018
    assert count.drift(3, 3) == 0 and count.drift(5, 3) == 2
    assert largest.drift(None, decimal.Decimal(1)) is None
    last = registry.get_counter(GlobalStats, "last_post_at")
    later = datetime.datetime(2026, 1, 1, 0, 5, tzinfo=datetime.UTC)
    assert last.drift(later, later - datetime.timedelta(minutes=5)) == datetime.timedelta(minutes=5)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("total_amount", decimal.Decimal("-123456.78")),
        ("first_item_at", datetime.datetime(1900, 2, 3, 4, 5, 6, 789012, tzinfo=datetime.UTC)),
    ],
)
def test_values_travel_through_a_delta_exactly(field, value):
    counter = registry.get_counter(Order, field)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counter.decode(counter.encode('%s'))}", [value])
        assert cursor.fetchone()[0] == value

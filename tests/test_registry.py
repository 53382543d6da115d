"""counters.core.registry: finding declared counters by label, model and field."""

from __future__ import annotations

import pytest

import counters
from counters.core import registry
from counters.exceptions import UnknownCounterError
from counters.social.models import GlobalStats, UserStats
from tests.testapp.models import Order


def test_select_by_counter_or_model_label_and_refuse_unknown_ones():
    one = registry.select(["counters_social.UserStats.followers_count"])
    assert [c.label for c in one] == ["counters_social.UserStats.followers_count"]
    whole = registry.select(["counters_social.UserStats"])
    assert [c.field.name for c in whole] == [
        "followers_count",
        "following_count",
        "last_post_at",
        "posts_count",
    ]
    with pytest.raises(UnknownCounterError, match="'nope.Nope' names no counter"):
        registry.select(["nope.Nope"])
    assert registry.select() == registry.all_counters()


def test_lookups_by_model_and_field():
    assert registry.get_counter(UserStats, "profile_views") is None  # an event counter
    assert [f.name for f in registry.event_fields(UserStats)] == ["profile_views"]
    assert registry.is_public(UserStats, "followers_count")
    assert not registry.is_public(UserStats, "profile_views")
    assert registry.get_counter(GlobalStats, "last_post_at").kind == "max"
    assert {c.field.name for c in registry.counters_on(Order)} == {
        "total_amount",
        "units",
        "largest_amount",
        "first_item_at",
        "items_count",
    }


def test_the_public_description_hides_the_engine():
    described = {info.label: info for info in counters.all_counters()}
    total = described["testapp.Order.total_amount"]
    assert (total.kind, total.field, total.column, total.path) == (
        "sum",
        "total_amount",
        "amount",
        "order",
    )
    assert total.source._meta.label == "testapp.LineItem" and total.target is Order
    assert not hasattr(total, "rows_sql")  # no SQL methods on what the public API hands out
    assert len(described) == len(registry.all_counters())

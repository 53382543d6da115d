"""counters.core.registry: finding declared counters by label, model and field."""

from __future__ import annotations

import pytest
from django.db import models
from django.test.utils import isolate_apps

import counters
from counters.core import registry
from counters.core.declarations import Count, Events
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


@isolate_apps("tests.testapp")
def test_public_event_counters_may_be_streamed_by_anyone():
    class Page(models.Model):
        class Meta:
            app_label = "testapp"

        views = models.BigIntegerField(default=0, db_default=0)
        shares = models.BigIntegerField(default=0, db_default=0)
        edits = models.BigIntegerField(default=0, db_default=0)

    found = registry.resolve_all(
        [(Page, Events("views", "shares", public=True)), (Page, Events("edits"))]
    )
    assert found.problems == []
    assert [f.name for f in found.events[Page]] == ["views", "shares", "edits"]
    assert found.public_events == {(Page, "views"), (Page, "shares")}


@isolate_apps("tests.testapp")
def test_two_labels_with_the_same_counter_number_are_refused_not_mixed_up():
    # crc32("testapp.Tally.n29685295") == crc32("testapp.Tally.n32060020"): the deltas of one
    # would be folded into the other
    class Tally(models.Model):
        class Meta:
            app_label = "testapp"

        n29685295 = models.IntegerField(default=0, db_default=0)
        n32060020 = models.IntegerField(default=0, db_default=0)

    class Mark(models.Model):
        class Meta:
            app_label = "testapp"

        tally = models.ForeignKey(Tally, on_delete=models.CASCADE)

    found = registry.resolve_all(
        [
            (Tally, Count("n29685295", source=Mark, path="tally")),
            (Tally, Count("n32060020", source=Mark, path="tally")),
        ]
    )
    assert found.counters[0].id == found.counters[1].id
    assert [(p.id, p.message) for p in found.problems] == [
        (
            "counters.E015",
            "testapp.Tally.n32060020 and testapp.Tally.n29685295 hash to the same counter id; "
            "rename a field",
        )
    ]

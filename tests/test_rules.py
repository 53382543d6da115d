"""counters.core.rules: how a declaration resolves into a counter, on the shapes the check IDs in
test_checks.py do not reach: paths naming nothing, composite keys along a path or on the target,
sources that are not models, values a Sum cannot keep, and the index a recompute needs (a unique
constraint, an indexed column of a single-row total, a generic relation's columns)."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.test.utils import isolate_apps

from counters.core import registry
from counters.core.declarations import Count, Max, Min, Sum
from counters.core.rules import what_is_recomputed


def resolved(target, declaration) -> tuple[list[str], str]:  # noqa: ANN001
    """The problem and warning IDs of one declaration, and their messages."""
    found = registry.resolve_all([(target, declaration)])
    problems = [*found.problems, *found.warnings]
    return [p.id for p in problems], " ".join(p.message for p in problems)


@pytest.fixture
def cart_models():
    """A cart counted from its items, in an isolated app registry."""
    with isolate_apps("tests.testapp"):

        class Cart(models.Model):
            class Meta:
                app_label = "testapp"

            items = models.IntegerField(default=0, db_default=0)
            total = models.BigIntegerField(default=0, db_default=0)
            latest = models.DateTimeField(null=True)

        class Item(models.Model):
            class Meta:
                app_label = "testapp"
                constraints = [
                    models.UniqueConstraint(fields=["cart", "added"], name="item_cart_added"),
                    models.CheckConstraint(condition=models.Q(qty__gte=0), name="item_qty"),
                ]

            cart = models.ForeignKey(Cart, on_delete=models.CASCADE)
            qty = models.IntegerField(default=1)
            added = models.DateTimeField()
            shipped = models.DateTimeField(null=True)

        yield Cart, Item


def test_a_path_naming_no_field_is_refused_with_the_model_that_lacks_it(cart_models):
    cart, item = cart_models
    ids, message = resolved(cart, Count("items", source=item, path="cart__nope"))
    assert ids == ["counters.E006"]
    assert message == "path 'cart__nope': testapp.Cart has no field 'nope'"


def test_a_source_that_is_not_a_model_is_refused(cart_models):
    cart, _ = cart_models
    ids, message = resolved(cart, Count("items", source=42, path="cart"))
    assert ids == ["counters.E005"]
    assert message == "Count on testapp.Cart.items: source 42 is not a model"


def test_a_sum_of_a_key_or_a_foreign_key_keeps_nothing_exact(cart_models):
    cart, item = cart_models
    for column in ("id", "cart"):
        ids, message = resolved(cart, Sum("total", source=item, path="cart", column=column))
        assert ids == ["counters.E016"], column
        assert "testapp.Item." in message


def test_a_unique_constraint_serves_the_recompute_as_an_index_does(cart_models):
    cart, item = cart_models
    assert resolved(cart, Max("latest", source=item, path="cart", column="added")) == ([], "")
    ids, message = resolved(cart, Max("latest", source=item, path="cart", column="shipped"))
    assert ids == ["counters.W003"]
    assert "models.Index(fields=['cart', 'shipped'])" in message
    assert "recomputing the max after a row leaves reads every row" in message


@isolate_apps("tests.testapp")
def test_a_single_row_extreme_needs_an_index_of_its_value_alone():
    class Totals(models.Model):
        class Meta:
            app_label = "testapp"

        id = models.PositiveSmallIntegerField(primary_key=True, default=1)
        first = models.DateTimeField(null=True)
        last = models.DateTimeField(null=True)

    class Event(models.Model):
        class Meta:
            app_label = "testapp"

        at = models.DateTimeField(db_index=True)
        seen = models.DateTimeField()

    assert resolved(Totals, Min("first", source=Event, column="at")) == ([], "")
    ids, message = resolved(Totals, Max("last", source=Event, column="seen"))
    assert ids == ["counters.W003"]
    assert message.endswith("add models.Index(fields=['seen']) to testapp.Event's Meta.indexes")


@isolate_apps("tests.testapp")
def test_a_composite_key_along_the_path_is_refused_where_it_is():
    class Team(models.Model):
        class Meta:
            app_label = "testapp"

        marks = models.IntegerField(default=0, db_default=0)

    class Seat(models.Model):
        class Meta:
            app_label = "testapp"

        pk = models.CompositePrimaryKey("team_id", "number")
        team = models.ForeignKey(Team, on_delete=models.CASCADE)
        number = models.IntegerField()
        code = models.CharField(max_length=10, unique=True)

    class Mark(models.Model):
        class Meta:
            app_label = "testapp"

        seat = models.ForeignKey(Seat, to_field="code", on_delete=models.CASCADE)

    ids, message = resolved(Team, Count("marks", source=Mark, path="seat__team"))
    assert ids == ["counters.E014"]
    assert message == (
        "path 'seat__team': testapp.Seat has a composite primary key, which counters do not support"
    )


@isolate_apps("tests.testapp")
def test_a_target_with_a_composite_key_is_refused():
    class Slot(models.Model):
        class Meta:
            app_label = "testapp"

        pk = models.CompositePrimaryKey("day", "hour")
        day = models.DateField()
        hour = models.IntegerField()
        bookings = models.IntegerField(default=0, db_default=0)

    class Booking(models.Model):
        class Meta:
            app_label = "testapp"

    ids, message = resolved(Slot, Count("bookings", source=Booking))
    assert ids == ["counters.E014"]
    assert message == (
        "Count on testapp.Slot.bookings: testapp.Slot has a composite primary key, which "
        "counters do not support"
    )


@isolate_apps("tests.testapp")
def test_the_index_a_generic_relations_recompute_needs_names_its_two_columns():
    class Page(models.Model):
        class Meta:
            app_label = "testapp"

        last_note_at = models.DateTimeField(null=True)

    class Note(models.Model):
        class Meta:
            app_label = "testapp"

        content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
        object_pk = models.CharField(max_length=64)
        target = GenericForeignKey("content_type", "object_pk")
        at = models.DateTimeField()

    declaration = Max("last_note_at", source=Note, path="target", column="at")
    ids, message = resolved(Page, declaration)
    assert ids == ["counters.W003"]
    assert "models.Index(fields=['content_type', 'object_pk', 'at'])" in message
    counter = registry.resolve(Page, declaration)
    # a text object id: the recompute finds the rows by the id as written, through its index
    assert counter.recompute_sql("42").endswith("WHERE r.key = 42 AND r.written = (42)::text)")


def test_a_distinct_count_is_recomputed_whenever_a_row_arrives_or_leaves():
    from tests.ecosystem.models import Article

    reviewers = registry.get_counter(Article, "reviewers")
    assert reviewers.kind == "distinct"
    assert what_is_recomputed(reviewers) == "distinct count after a row arrives or leaves"
    heaviest = registry.get_counter(Article, "heaviest_like")
    assert what_is_recomputed(heaviest) == "max after a row leaves"


@isolate_apps("tests.testapp")
def test_a_condition_on_a_parents_field_would_join_its_table_and_is_refused():
    class Totals(models.Model):
        class Meta:
            app_label = "testapp"

        id = models.PositiveSmallIntegerField(primary_key=True, default=1)
        pizzerias = models.IntegerField(default=0, db_default=0)

    class Place(models.Model):
        class Meta:
            app_label = "testapp"

        name = models.CharField(max_length=20)

    class Restaurant(Place):
        class Meta:
            app_label = "testapp"

        pizza = models.BooleanField(default=False)

    ok = Count("pizzerias", source=Restaurant, condition=models.Q(pizza=True))
    assert resolved(Totals, ok) == ([], "")
    ids, message = resolved(
        Totals, Count("pizzerias", source=Restaurant, condition=models.Q(name="Luigi's"))
    )
    assert ids == ["counters.E008"]
    assert message.endswith("may only use fields of testapp.Restaurant itself (no joins)"), message

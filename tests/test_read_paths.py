"""Every way Django reads a column reads the count: a team's own models (``testapp.Place``, a
multi-table child ``Restaurant``), with Django's plain manager and a second one of their own, no
``CounterManager`` anywhere. Without pending deltas (nobody else held the row) the column itself
is exact, so filters, ordering, aggregates and raw SQL are too; with deltas pending (another
transaction held the row while reviews were counted), every selected read adds them, and filters
and aggregates see the column until the next writer or fold takes them in (docs/reading.md)."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.db import connection, connections
from django.db.models import F, Max, Sum
from django.db.models.query import QuerySet

import counters
from counters.models import CounterDelta
from tests.testapp.models import Place, Restaurant, Review, Shelf
from tests.utils import OtherClient, assert_exact


def make_places() -> tuple[Place, Restaurant]:
    place = Place.objects.create(name="park")
    restaurant = Restaurant.objects.create(name="trattoria", serves_pizza=True)
    Review.objects.bulk_create([Review(place=place) for _ in range(3)])
    for _ in range(4):
        Review.objects.create(place=restaurant)
    return place, restaurant


def every_read(place: Place, restaurant: Restaurant) -> dict[str, object]:
    """The place's and the restaurant's count through every read path Django offers."""
    review = Review.objects.filter(place=place).first()
    child_review = Review.objects.filter(place_id=restaurant.pk).first()
    stale = Place.objects.get(pk=place.pk)
    stale.reviews_count = -1
    stale.refresh_from_db()
    partial = Place.objects.get(pk=place.pk)
    partial.reviews_count = -1
    partial.refresh_from_db(fields=["reviews_count"])
    return {
        "get": Place.objects.get(pk=place.pk).reviews_count,
        "second manager": Place.named.get(pk=place.pk).reviews_count,
        "base manager": Place._base_manager.get(pk=place.pk).reviews_count,
        "plain queryset": QuerySet(Place).get(pk=place.pk).reviews_count,
        "select_related": Review.objects.select_related("place")
        .get(pk=review.pk)
        .place.reviews_count,
        "prefetch_related": Review.objects.prefetch_related("place")
        .get(pk=review.pk)
        .place.reviews_count,
        "related object": Review.objects.get(pk=review.pk).place.reviews_count,
        "values()": Place.objects.filter(pk=place.pk).values()[0]["reviews_count"],
        "values(name)": Place.objects.filter(pk=place.pk).values("reviews_count")[0][
            "reviews_count"
        ],
        "values_list": Place.objects.filter(pk=place.pk).values_list("reviews_count", flat=True)[0],
        "annotate(F)": Place.objects.annotate(n=F("reviews_count")).get(pk=place.pk).n,
        "refresh_from_db": stale.reviews_count,
        "refresh_from_db(fields)": partial.reviews_count,
        "aget": asyncio.run(async_read(place.pk)),
        "child get": Restaurant.objects.get(pk=restaurant.pk).reviews_count,
        "child values": Restaurant.objects.filter(pk=restaurant.pk).values("reviews_count")[0][
            "reviews_count"
        ],
        "child's parent": Restaurant.objects.get(pk=restaurant.pk).place_ptr.reviews_count,
        "child through a review": Review.objects.select_related("place")
        .get(pk=child_review.pk)
        .place.reviews_count,
    }


async def async_read(pk: int) -> int:
    try:
        return (await Place.objects.aget(pk=pk)).reviews_count
    finally:  # the ORM's worker thread has a connection of its own
        await sync_to_async(connections.close_all)()


def truth(place: Place) -> int:
    return Review.objects.filter(place_id=place.pk).count()


def column(place: Place) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reviews_count FROM testapp_place WHERE id = %s", [place.pk])
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_every_read_path_is_exact_and_the_column_is_the_count_when_nothing_is_pending():
    place, restaurant = make_places()
    assert not CounterDelta.objects.exists()
    reads = every_read(place, restaurant)
    child = {k for k in reads if k.startswith("child")}
    assert {k: v for k, v in reads.items() if k not in child} == dict.fromkeys(
        set(reads) - child, 3
    )
    assert {k: reads[k] for k in child} == dict.fromkeys(child, 4)
    # the column is the count: filters, exclude, ordering, aggregates, raw SQL
    assert column(place) == 3 and column(restaurant) == 4
    assert list(
        Place.objects.filter(reviews_count__gte=3).order_by("pk").values_list("pk", flat=True)
    ) == [place.pk, restaurant.pk]
    assert list(Place.objects.exclude(reviews_count__gte=4).values_list("pk", flat=True)) == [
        place.pk
    ]
    assert list(Place.objects.order_by("-reviews_count").values_list("pk", flat=True)) == [
        restaurant.pk,
        place.pk,
    ]
    assert Place.objects.aggregate(n=Sum("reviews_count"), top=Max("reviews_count")) == {
        "n": 7,
        "top": 4,
    }
    assert Restaurant.objects.filter(reviews_count=4).get() == restaurant
    assert_exact(Place)


@pytest.mark.django_db(transaction=True)
def test_every_selected_read_adds_what_is_pending_while_another_transaction_holds_the_row():
    place, restaurant = make_places()
    with OtherClient(autocommit=False) as other:  # another writer holds both rows right now
        other.execute(
            "SELECT 1 FROM testapp_place WHERE id IN (%s, %s) FOR NO KEY UPDATE",
            [place.pk, restaurant.pk],
        )
        Review.objects.create(place=place)  # counted without waiting: appended
        Review.objects.create(place=place)
        Review.objects.create(place=restaurant)
        assert CounterDelta.objects.count() == 3
        other.rollback()
    assert (truth(place), column(place)) == (5, 3)  # the column trails by what is pending
    reads = every_read(place, restaurant)
    child = {k for k in reads if k.startswith("child")}
    assert {k: v for k, v in reads.items() if k not in child} == dict.fromkeys(
        set(reads) - child, 5
    )
    assert {k: reads[k] for k in child} == dict.fromkeys(child, 5)
    with connection.cursor() as cursor:  # raw SQL readers: the _exact view adds them too
        cursor.execute("SELECT reviews_count FROM testapp_place_exact WHERE id = %s", [place.pk])
        assert cursor.fetchone()[0] == 5
    # what a hot row's filter sees, as documented: the stored column, until a writer or a fold
    # takes the pending deltas in
    assert not Place.objects.filter(pk=place.pk, reviews_count=5).exists()
    counters.fold()  # (or the next writers that hold the rows, now and then)
    assert column(place) == truth(place) == 5
    assert column(restaurant) == truth(restaurant) == 5
    assert Place.objects.filter(reviews_count=5).count() == 2
    assert not CounterDelta.objects.exists()
    assert_exact(Place)


@pytest.mark.django_db
def test_event_counters_declared_on_a_parent_or_an_abstract_base_are_bumped_through_the_child():
    restaurant = Restaurant.objects.create(name="trattoria")
    assert counters.increment(restaurant, "views") == 1
    assert counters.increment(restaurant, "views", by=2) == 3
    assert Place.objects.get(pk=restaurant.pk).views == 3
    assert Restaurant.objects.get(pk=restaurant.pk).views == 3
    shelf = Shelf.objects.create(name="top")
    assert counters.increment(shelf, "visits") == 1
    assert Shelf.objects.get(pk=shelf.pk).visits == 1
    with pytest.raises(counters.UnknownCounterError):
        counters.increment(shelf, "views")


@pytest.mark.django_db
def test_grouped_and_annotated_queries_read_counters_too():
    from django.db.models import Count

    place, restaurant = make_places()
    with counters.deferred():  # a pending delta on the park
        Review.objects.create(place=place)
    annotated = Place.objects.annotate(found=Count("reviews")).get(pk=place.pk)
    assert annotated.found == annotated.reviews_count == 4  # grouped by the primary key
    # grouped by the counter column itself: the column, as filters and aggregates read it
    grouped = (
        Place.objects.values("reviews_count").annotate(n=Count("id")).order_by("reviews_count")
    )
    assert [(row["reviews_count"], row["n"]) for row in grouped] == [(3, 1), (4, 1)]
    counters.fold()
    grouped = Place.objects.values("reviews_count").annotate(n=Count("id"))
    assert sorted((row["reviews_count"], row["n"]) for row in grouped) == [(4, 2)]

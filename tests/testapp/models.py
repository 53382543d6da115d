"""Test-only models proving the declaration API is general.

- ``Article`` / ``Blog.published_count``: a conditional counter (only published articles count).
- ``Answer`` -> ``QuizSession`` -> user: a counter through two foreign keys (``Profile.answers_count``),
  plus a direct one landing on the counted-into model itself (``QuizSession.answers_count``), and
  the first answer's time and the last correct answer's time (``Min`` / ``Max`` with a condition).
- ``LineItem`` -> ``Order``: a decimal ``Sum`` (the order total), an integer ``Sum``, and a
  ``Max`` / ``Min`` of a decimal and a timestamp.
- ``Review`` -> ``Place`` <- ``Restaurant``: a counter and event counters on a multi-table
  inheritance parent, read and bumped through the child, with plain and custom managers only;
  ``Events`` declared on an abstract base (``Visitable`` -> ``Shelf``).
- ``QuizTotals.answering_profiles``: a counter over a trigger-kept column (profiles with answers).
"""

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone

import counters
from counters.reading import CounterManager


@counters.register(
    counters.Count(
        "published_count", source="testapp.Article", path="blog", condition=models.Q(published=True)
    ),
    counters.Count("articles_count", source="testapp.Article", path="blog"),
)
class Blog(models.Model):
    name = models.CharField(max_length=100)
    published_count = models.IntegerField(default=0, db_default=0)
    articles_count = models.IntegerField(default=0, db_default=0)

    objects = CounterManager()  # reads add the pending deltas

    class Meta:
        base_manager_name = "objects"


class Article(models.Model):
    blog = models.ForeignKey(Blog, null=True, on_delete=models.CASCADE, related_name="articles")
    title = models.CharField(max_length=100, default="")
    published = models.BooleanField(default=False)


@counters.register(counters.Count("answers_count", source="testapp.Answer", path="session"))
class QuizSession(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE)
    title = models.CharField(max_length=100, default="", db_default="")
    answers_count = models.BigIntegerField(default=0, db_default=0)

    objects = CounterManager()

    class Meta:
        base_manager_name = "objects"


class Answer(models.Model):
    session = models.ForeignKey(QuizSession, on_delete=models.CASCADE, related_name="answers")
    correct = models.BooleanField(default=False)
    answered_at = models.DateTimeField(default=timezone.now, db_default=Now())

    class Meta:
        indexes = [models.Index(fields=["session", "answered_at"], name="answer_session_time")]


@counters.register(
    counters.Count("answers_count", source="testapp.Answer", path="session__user"),
    counters.Count(
        "correct_answers_count",
        source="testapp.Answer",
        path="session__user",
        condition=models.Q(correct=True),
    ),
    counters.Min(
        "first_answer_at", source="testapp.Answer", path="session__user", column="answered_at"
    ),
    counters.Max(
        "last_correct_answer_at",
        source="testapp.Answer",
        path="session__user",
        column="answered_at",
        condition=models.Q(correct=True),
    ),
)
class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE
    )
    answers_count = models.BigIntegerField(default=0, db_default=0)
    correct_answers_count = models.BigIntegerField(default=0, db_default=0)
    first_answer_at = models.DateTimeField(null=True, blank=True)
    last_correct_answer_at = models.DateTimeField(null=True, blank=True)

    objects = CounterManager()

    class Meta:
        base_manager_name = "objects"


@counters.register(
    counters.Sum("total_amount", source="testapp.LineItem", path="order", column="amount"),
    counters.Sum("units", source="testapp.LineItem", path="order", column="quantity"),
    counters.Max("largest_amount", source="testapp.LineItem", path="order", column="amount"),
    counters.Min("first_item_at", source="testapp.LineItem", path="order", column="added_at"),
    counters.Count("items_count", source="testapp.LineItem", path="order"),
)
class Order(models.Model):
    reference = models.CharField(max_length=20, default="")
    total_amount = models.DecimalField(max_digits=14, decimal_places=2, default=0, db_default=0)
    units = models.BigIntegerField(default=0, db_default=0)
    largest_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    first_item_at = models.DateTimeField(null=True, blank=True)
    items_count = models.IntegerField(default=0, db_default=0)

    objects = CounterManager()

    class Meta:
        base_manager_name = "objects"


class LineItem(models.Model):
    order = models.ForeignKey(Order, null=True, on_delete=models.CASCADE, related_name="items")
    amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    quantity = models.IntegerField(default=1)
    added_at = models.DateTimeField(default=timezone.now, db_default=Now())

    class Meta:
        indexes = [
            models.Index(fields=["order", "amount"], name="lineitem_order_amount"),
            models.Index(fields=["order", "added_at"], name="lineitem_order_added"),
        ]


class NamedPlaces(models.Manager):
    """A second manager, as Django's docs show (``PublishedManager``): it must read exact counts
    too, although the library knows nothing of it."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().exclude(name="")


@counters.register(
    counters.Count("reviews_count", source="testapp.Review", path="place"),
    counters.Events("views"),
)
class Place(models.Model):
    name = models.CharField(max_length=50, default="")
    reviews_count = models.BigIntegerField(default=0, db_default=0)
    views = models.BigIntegerField(default=0, db_default=0)

    objects = models.Manager()  # a plain manager: no CounterManager anywhere
    named = NamedPlaces()


class Restaurant(Place):
    serves_pizza = models.BooleanField(default=False)


class Review(models.Model):
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="reviews")
    stars = models.IntegerField(default=5)


@counters.register(counters.Events("visits"))
class Visitable(models.Model):
    visits = models.BigIntegerField(default=0, db_default=0)

    class Meta:
        abstract = True


class Shelf(Visitable):
    name = models.CharField(max_length=50, default="")


@counters.register(
    # a counter over a trigger-kept column: profiles whose answers_count is above zero
    counters.Count(
        "answering_profiles", source="testapp.Profile", condition=models.Q(answers_count__gt=0)
    ),
)
class QuizTotals(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    answering_profiles = models.BigIntegerField(default=0, db_default=0)

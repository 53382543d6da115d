"""A team's own app, declaring counters the way the README tells it to, on the shapes real Django
schemas have. It depends on nothing but the engine (``counters``) and ``django.contrib.auth``.

- ``Article.likes_count``: the rows of an auto-created many-to-many through table.
- ``Article.comments_count``: comments point at the article's slug (``to_field``); and
  ``Article.last_comment_at``, the latest of their times (a ``Max`` through that ``to_field``).
- ``MemberStats``: a one-to-one stats row keyed by ``User.username`` (a text key reached through a
  ``to_field`` primary key), counting likes given through the through table's other side; it has
  another NOT NULL column with a database default.
- ``Shop.paid_orders_count``: a UUID-keyed target with a condition; ``Shop.paid_total``, the
  decimal ``Sum`` of the paid orders' amounts.
- ``Tag.uses_count``: a text primary key, counted from a table in an explicit schema, with a
  quoted mixed-case name.
- ``SiteTotals``: single-row totals of ``auth.User`` and ``auth.Group`` rows and of group
  memberships (``auth``'s own through table): models of an app the team does not own.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone

import counters


@counters.register(
    counters.Count("likes_count", source="adopters.Article_likes", path="article"),
    counters.Count("comments_count", source="adopters.Comment", path="article"),
    counters.Max("last_comment_at", source="adopters.Comment", path="article", column="created_at"),
)
class Article(models.Model):
    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=100, default="")
    likes = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="liked_articles"
    )
    likes_count = models.IntegerField(default=0, db_default=0)
    comments_count = models.IntegerField(default=0, db_default=0)
    last_comment_at = models.DateTimeField(null=True, blank=True)

    objects = counters.CounterManager()  # reads add the pending deltas

    class Meta:
        base_manager_name = "objects"


class Comment(models.Model):
    article = models.ForeignKey(
        Article, to_field="slug", on_delete=models.CASCADE, related_name="comments"
    )
    body = models.TextField(default="")
    created_at = models.DateTimeField(default=timezone.now, db_default=Now())

    class Meta:
        indexes = [models.Index(fields=["article", "created_at"], name="comment_article_time")]


@counters.register(
    counters.Count("likes_given", source=Article.likes.through, path="user"),
)
class MemberStats(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, to_field="username", primary_key=True, on_delete=models.CASCADE
    )
    badge = models.CharField(max_length=20, default="new", db_default="new")
    likes_given = models.BigIntegerField(default=0, db_default=0)

    objects = counters.CounterManager()  # reads add the pending deltas

    class Meta:
        base_manager_name = "objects"


@counters.register(
    counters.Count(
        "paid_orders_count", source="adopters.Order", path="shop", condition=models.Q(paid=True)
    ),
    counters.Sum(
        "paid_total",
        source="adopters.Order",
        path="shop",
        column="amount",
        condition=models.Q(paid=True),
    ),
)
class Shop(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    name = models.CharField(max_length=100, default="")
    paid_orders_count = models.IntegerField(default=0, db_default=0)
    paid_total = models.DecimalField(max_digits=14, decimal_places=2, default=0, db_default=0)

    objects = counters.CounterManager()  # reads add the pending deltas

    class Meta:
        base_manager_name = "objects"


class Order(models.Model):
    shop = models.ForeignKey(Shop, null=True, on_delete=models.CASCADE, related_name="orders")
    paid = models.BooleanField(default=False)
    amount = models.DecimalField(max_digits=10, decimal_places=2, default=0, db_default=0)


@counters.register(
    counters.Count(
        "uses_count", source="adopters.Tagging", path="tag", condition=models.Q(visible=True)
    ),
)
class Tag(models.Model):
    name = models.CharField(primary_key=True, max_length=50)
    uses_count = models.IntegerField(default=0, db_default=0)

    objects = counters.CounterManager()  # reads add the pending deltas

    class Meta:
        base_manager_name = "objects"


class Tagging(models.Model):
    # db_constraint=False: Django's test flush cannot see a quoted db_table (it compares it with
    # the catalog's names), so a constraint from it would block truncating tags and articles
    tag = models.ForeignKey(
        Tag, on_delete=models.CASCADE, related_name="taggings", db_constraint=False
    )
    article = models.ForeignKey(Article, on_delete=models.CASCADE, db_constraint=False)
    visible = models.BooleanField(default=True)

    class Meta:
        db_table = 'public"."Adopters_Taggings'  # an explicit schema and a quoted mixed-case name


@counters.register(
    counters.Count("users_count", source="auth.User"),
    counters.Count("staff_count", source="auth.User", condition=models.Q(is_staff=True)),
    counters.Count("groups_count", source="auth.Group"),
    counters.Count("memberships_count", source="auth.User_groups"),
)
class SiteTotals(models.Model):
    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    users_count = models.BigIntegerField(default=0, db_default=0)
    staff_count = models.BigIntegerField(default=0, db_default=0)
    groups_count = models.BigIntegerField(default=0, db_default=0)
    memberships_count = models.BigIntegerField(default=0, db_default=0)

    objects = counters.CounterManager()  # reads add the pending deltas

    class Meta:
        base_manager_name = "objects"

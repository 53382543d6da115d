"""Counters over the rows of other packages, through generic relations: comments
(django-contrib-comments: ``content_type`` + a text ``object_pk``), tags (django-taggit:
``content_type`` + an integer ``object_id``), comment flags (a foreign key, then the generic
relation), and a like of this app's own with a weight; targets keyed by integers, UUIDs and
text, and a stats table keyed by a one-to-one field. Declared as the README tells a team to."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django_comments.models import Comment
from taggit.managers import TaggableManager

import counters

VISIBLE = Q(is_public=True, is_removed=False)


class Like(models.Model):
    """A like of anything, with a weight."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.BigIntegerField()
    content_object = GenericForeignKey()
    weight = models.IntegerField(default=1)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(fields=["content_type", "object_id", "weight"]),
            models.Index(fields=["content_type", "object_id", "author"]),
        ]


@counters.register(
    counters.Count("comments_count", source="django_comments.Comment", path="content_object"),
    counters.Count(
        "visible_comments",
        source="django_comments.Comment",
        path="content_object",
        condition=VISIBLE,
    ),
    counters.Count(
        "flags_count", source="django_comments.CommentFlag", path="comment__content_object"
    ),
    counters.Count("tags_count", source="taggit.TaggedItem", path="content_object"),
    counters.Sum("likes_weight", source="ecosystem.Like", path="content_object", column="weight"),
    counters.Min("lightest_like", source="ecosystem.Like", path="content_object", column="weight"),
    counters.Max("heaviest_like", source="ecosystem.Like", path="content_object", column="weight"),
    counters.Count("reviewers", source="ecosystem.Review", path="article", distinct="author"),
    counters.Count(
        "happy_reviewers",
        source="ecosystem.Review",
        path="article",
        distinct="author",
        condition=Q(stars__gte=4),
    ),
    counters.Count("likers", source="ecosystem.Like", path="content_object", distinct="author"),
)
class Article(models.Model):
    title = models.CharField(max_length=100, default="")
    comments_count = models.IntegerField(default=0, db_default=0)
    visible_comments = models.IntegerField(default=0, db_default=0)
    flags_count = models.IntegerField(default=0, db_default=0)
    tags_count = models.IntegerField(default=0, db_default=0)
    likes_weight = models.BigIntegerField(default=0, db_default=0)
    lightest_like = models.IntegerField(null=True)
    heaviest_like = models.IntegerField(null=True)
    reviewers = models.IntegerField(default=0, db_default=0)
    happy_reviewers = models.IntegerField(default=0, db_default=0)
    likers = models.IntegerField(default=0, db_default=0)

    comments = GenericRelation(Comment, object_id_field="object_pk")
    likes = GenericRelation(Like)
    tags = TaggableManager(blank=True)


class Review(models.Model):
    """Reviews of an article: how many different people reviewed it is a distinct count."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    stars = models.IntegerField(default=5)

    class Meta:
        indexes = [models.Index(fields=["article", "author"])]


@counters.register(
    counters.Count("comments_count", source="django_comments.Comment", path="content_object"),
    counters.Count("reviewers", source="ecosystem.Review", path="article", distinct="author"),
)
class ArticleStats(models.Model):
    """Stats kept beside the article, created on demand: the generic relation points to the
    model the stats row's primary key points to."""

    article = models.OneToOneField(Article, primary_key=True, on_delete=models.CASCADE)
    comments_count = models.IntegerField(default=0, db_default=0)
    reviewers = models.IntegerField(default=0, db_default=0)


@counters.register(
    counters.Count("comments_count", source="django_comments.Comment", path="content_object"),
)
class Document(models.Model):
    """Keyed by a UUID: comments' text object_pk holds str(uuid)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4)
    comments_count = models.IntegerField(default=0, db_default=0)
    comments = GenericRelation(Comment, object_id_field="object_pk")


@counters.register(
    counters.Count("comments_count", source="django_comments.Comment", path="content_object"),
)
class Page(models.Model):
    """Keyed by text."""

    slug = models.CharField(max_length=20, primary_key=True)
    comments_count = models.IntegerField(default=0, db_default=0)
    comments = GenericRelation(Comment, object_id_field="object_pk")

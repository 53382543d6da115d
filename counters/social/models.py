"""The built-in social counters: follows, posts, per-user stats and site totals.

They are declared with the same public API a host project uses for its own counters.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce

import counters
from counters.core.registry import get_counter
from counters.meta import column
from counters.reading import (
    CounterManager,
    pending_expression,
    pending_values,
    value_expression,
)
from counters.sql.quoting import quote


class Follow(models.Model):
    """``follower`` follows ``followed``. Each pair at most once; nobody follows themselves."""

    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following_set"
    )
    followed = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follower_set"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_default=models.functions.Now())

    class Meta:
        db_table = "counters_follow"
        constraints = [
            models.UniqueConstraint(fields=["follower", "followed"], name="follow_once"),
            models.CheckConstraint(
                condition=~models.Q(follower=models.F("followed")), name="no_self_follow"
            ),
        ]
        indexes = [models.Index(fields=["followed", "follower"], name="follow_followed_idx")]

    def __str__(self) -> str:
        return f"{self.follower_id} follows {self.followed_id}"


class Post(models.Model):
    """A post; its author may be deleted (the post stays, with no author)."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, default="", db_default="")
    created_at = models.DateTimeField(auto_now_add=True, db_default=models.functions.Now())

    class Meta:
        db_table = "counters_post"
        indexes = [  # serve the recompute of last_post_at when a user's or the site's latest goes
            models.Index(fields=["author", "created_at"], name="post_author_created"),
            models.Index(fields=["created_at"], name="post_created"),
        ]

    def __str__(self) -> str:
        return self.title


class UserStatsQuerySet(models.QuerySet["UserStats"]):
    def for_user(self, user: models.Model | int) -> UserStats:
        """The stats row of ``user``; an unsaved row (zeros plus anything pending) when it has
        none yet."""
        user_id: Any = getattr(user, "pk", user)  # of the type of AUTH_USER_MODEL's key
        found = self.filter(pk=user_id).first()
        if found is not None:
            return found
        # the pending deltas from the database the row was looked for in (.using(), routers)
        return self.model(user_id=user_id, **pending_values(self.model, user_id, self.db))


@counters.register(
    counters.Count(
        "followers_count", source="counters_social.Follow", path="followed", public=True
    ),
    counters.Count(
        "following_count", source="counters_social.Follow", path="follower", public=True
    ),
    counters.Count("posts_count", source="counters_social.Post", path="author", public=True),
    counters.Max(
        "last_post_at",
        source="counters_social.Post",
        path="author",
        column="created_at",
        public=True,
    ),
    counters.Events("profile_views"),
)
class UserStats(models.Model):
    """One row per user holding their counts. A user with no row yet reads as zeros."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="stats"
    )
    followers_count = models.BigIntegerField(default=0, db_default=0)
    following_count = models.BigIntegerField(default=0, db_default=0)
    posts_count = models.BigIntegerField(default=0, db_default=0)
    last_post_at = models.DateTimeField(null=True, blank=True, help_text="their latest post's time")
    profile_views = models.BigIntegerField(default=0, db_default=0)

    objects = CounterManager.from_queryset(UserStatsQuerySet)()

    class Meta:
        db_table = "user_stats"
        base_manager_name = "objects"
        verbose_name = "user stats"
        verbose_name_plural = "user stats"

    def __str__(self) -> str:
        return f"stats of user {self.user_id}"


COUNT_FIELDS = ("followers_count", "following_count", "posts_count", "profile_views")


_QuerySetT = TypeVar("_QuerySetT", bound=models.QuerySet[Any])


def with_counts(users: _QuerySetT) -> _QuerySetT:
    """Annotate a user queryset with every UserStats counter (0 where a user has no row, pending
    deltas added) and ``last_post_at``, in the same query: the way to read counts for a list of
    users."""
    key = f"{quote(users.model._meta.db_table)}.{quote(column(users.model._meta.pk))}"
    annotations: dict[str, models.Expression] = {}
    for name in COUNT_FIELDS:
        value: models.Expression = Coalesce(
            f"stats__{name}", 0, output_field=models.BigIntegerField()
        )
        if get_counter(UserStats, name) is not None:  # trigger-kept: add what is pending
            value = value + pending_expression(UserStats, name, key)
        annotations[name] = value
    annotations["last_post_at"] = value_expression(UserStats, "last_post_at", key)
    return users.annotate(**annotations)


@counters.register(
    counters.Count("total_follows", source="counters_social.Follow", public=True),
    counters.Count("total_posts", source="counters_social.Post", public=True),
    counters.Max("last_post_at", source="counters_social.Post", column="created_at", public=True),
)
class GlobalStats(models.Model):
    """The single row of site-wide totals (primary key 1)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    total_follows = models.BigIntegerField(default=0, db_default=0)
    total_posts = models.BigIntegerField(default=0, db_default=0)
    last_post_at = models.DateTimeField(null=True, blank=True, help_text="the latest post's time")

    objects = CounterManager()

    class Meta:
        base_manager_name = "objects"
        db_table = "counters_globalstats"
        verbose_name = "global stats"
        verbose_name_plural = "global stats"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="globalstats_single_row")
        ]

    def __str__(self) -> str:
        return "site totals"

    @classmethod
    def current(cls, using: str | None = None) -> GlobalStats:
        """The totals row (zeros, unsaved, if it does not exist yet), read from ``using`` (by
        default where the routers send reads)."""
        rows = cls.objects.using(using) if using else cls.objects
        return rows.filter(pk=1).first() or cls(pk=1)

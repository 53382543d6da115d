"""Admin pages for the built-in models, and a mixin that shows declared counters read-only."""

from __future__ import annotations

from django.contrib import admin

from counters import registry
from counters.models import Follow, GlobalStats, Post, UserStats


class CounterAdminMixin:
    """Makes every counter declared on the admin's model read-only (trigger-kept and event ones)."""

    def get_readonly_fields(self, request, obj=None):  # noqa: ANN001, ANN201
        fields = list(super().get_readonly_fields(request, obj))
        declared = [c.field.name for c in registry.counters_on(self.model)]
        declared += [f.name for f in registry.event_fields(self.model)]
        return fields + [name for name in declared if name not in fields]


@admin.register(UserStats)
class UserStatsAdmin(CounterAdminMixin, admin.ModelAdmin):
    list_display = ("user", "followers_count", "following_count", "posts_count", "profile_views")
    list_select_related = ("user",)
    search_fields = ("user__username",)
    raw_id_fields = ("user",)
    ordering = ("-followers_count",)
    show_full_result_count = False


@admin.register(GlobalStats)
class GlobalStatsAdmin(CounterAdminMixin, admin.ModelAdmin):
    list_display = ("__str__", "total_follows", "total_posts")


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("id", "follower", "followed", "created_at")
    list_select_related = ("follower", "followed")
    raw_id_fields = ("follower", "followed")
    search_fields = ("follower__username", "followed__username")
    show_full_result_count = False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "author", "created_at")
    list_select_related = ("author",)
    raw_id_fields = ("author",)
    search_fields = ("title", "author__username")
    show_full_result_count = False

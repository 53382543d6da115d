"""Admin pages of the built-in social counters, built on ``counters.admin.CounterAdminMixin``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.http import HttpRequest

from counters.admin import CounterAdminMixin
from counters.social.models import Follow, GlobalStats, Post, UserStats

if TYPE_CHECKING:  # ModelAdmin is generic in django-stubs only (no __class_getitem__ at run time)
    _UserStatsAdmin = admin.ModelAdmin[UserStats]
    _GlobalStatsAdmin = admin.ModelAdmin[GlobalStats]
    _FollowAdmin = admin.ModelAdmin[Follow]
    _PostAdmin = admin.ModelAdmin[Post]
    _AdminBase = admin.ModelAdmin[Any]  # UserPickerMixin's, as a mixin of any of them
else:
    _UserStatsAdmin = _GlobalStatsAdmin = _FollowAdmin = _PostAdmin = admin.ModelAdmin
    _AdminBase = object


@admin.register(UserStats)
class UserStatsAdmin(CounterAdminMixin, _UserStatsAdmin):
    list_display = (
        "username",
        "followers_count",
        "following_count",
        "posts_count",
        "profile_views",
    )
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email")
    raw_id_fields = ("user",)
    ordering = ("-followers_count",)
    show_full_result_count = False

    @admin.display(description="user", ordering="user__username")
    def username(self, obj: UserStats) -> str:
        return obj.user.get_username()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # rows are created by the triggers and by recounts


@admin.register(GlobalStats)
class GlobalStatsAdmin(CounterAdminMixin, _GlobalStatsAdmin):
    list_display = ("__str__", "total_follows", "total_posts", "last_post_at")
    list_true_counts = True

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: GlobalStats | None = None) -> bool:
        return False


class UserPickerMixin(_AdminBase):
    """Foreign keys to users get the admin's autocomplete (searches as you type, pages of 20: fine
    with 100k users) when the user admin has ``search_fields``; a raw id field otherwise."""

    def get_autocomplete_fields(self, request: HttpRequest) -> tuple[str, ...] | list[str]:
        user_admin = self.admin_site._registry.get(get_user_model())
        return self.raw_id_fields if user_admin and user_admin.search_fields else ()


@admin.register(Follow)
class FollowAdmin(UserPickerMixin, _FollowAdmin):
    list_display = ("id", "follower", "followed", "created_at")
    list_select_related = ("follower", "followed")
    raw_id_fields = ("follower", "followed")
    search_fields = ("follower__username", "followed__username")
    show_full_result_count = False


@admin.register(Post)
class PostAdmin(UserPickerMixin, _PostAdmin):
    list_display = ("id", "title", "author", "created_at")
    list_select_related = ("author",)
    raw_id_fields = ("author",)
    search_fields = ("title", "author__username")
    show_full_result_count = False

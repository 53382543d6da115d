"""A host project's own admin using the mixin (declared fieldsets, true counts on the list)."""

from django.contrib import admin

from counters.admin import CounterAdminMixin
from tests.testapp.models import Blog, Order, Place


@admin.register(Blog)
class BlogAdmin(CounterAdminMixin, admin.ModelAdmin):
    list_display = ("name", "published_count", "articles_count")
    list_true_counts = True
    fieldsets = [(None, {"fields": ["name", "published_count", "articles_count"]})]


@admin.register(Order)
class OrderAdmin(CounterAdminMixin, admin.ModelAdmin):
    """Sums and extremes beside their true SUM() / MIN() / MAX()."""

    list_display = ("reference", "total_amount", "largest_amount", "first_item_at")
    list_true_counts = True


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    """A plain ModelAdmin, no mixin: its form leaves the counters out by itself."""

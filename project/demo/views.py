"""Demo endpoints: a JSON profile (bumping the ``profile_views`` event counter), the totals, and a
page showing live counters. They live in the demo project, not in the library."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods

import counters
from counters.social.models import GlobalStats, UserStats


def _user(username: str):  # noqa: ANN202
    """The user named ``username``; 404 for no such user or a name no user can have (NUL)."""
    user_model = get_user_model()
    if "\x00" in username:
        raise Http404("no such user")
    return get_object_or_404(user_model, **{user_model.USERNAME_FIELD: username})


@require_http_methods(["GET", "HEAD", "POST"])
def profile(request: HttpRequest, username: str) -> JsonResponse:
    """``/demo/profile/<username>/``: the user's counts. A ``POST`` is one profile view (it bumps
    ``profile_views`` and returns the new count); ``GET`` and ``HEAD`` only read, so crawlers,
    prefetching and reloads count nothing."""
    user = _user(username)
    stats = UserStats.objects.for_user(user)
    if request.method == "POST":
        counters.increment(stats, "profile_views")
    return JsonResponse(
        {
            "username": user.get_username(),
            "followers": stats.followers_count,
            "following": stats.following_count,
            "posts": stats.posts_count,
            "profile_views": stats.profile_views,
        }
    )


def totals(request: HttpRequest) -> JsonResponse:
    """``GET /demo/totals/``: the site totals."""
    stats = GlobalStats.current()
    return JsonResponse({"follows": stats.total_follows, "posts": stats.total_posts})


def live_page(request: HttpRequest) -> HttpResponse:
    """``GET /demo/live/?user=<username>``: the site totals and one user's counts, live."""
    user_model = get_user_model()
    name = request.GET.get("user")
    if name:
        user = _user(name)
    else:  # the most followed user, for the demo
        top = UserStats.objects.order_by("-followers_count").select_related("user").first()
        user = top.user if top is not None else user_model._default_manager.order_by("pk").first()
    stats = UserStats.objects.for_user(user) if user is not None else None
    context = {"watched": user, "stats": stats, "totals": GlobalStats.current()}
    return render(request, "demo/live.html", context)

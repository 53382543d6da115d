"""A small JSON profile endpoint: reading counts, and bumping the ``profile_views`` event counter."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404

import counters
from counters.models import GlobalStats, UserStats


def profile(request: HttpRequest, username: str) -> JsonResponse:
    """``GET /counters/profile/<username>/``: the user's counts; each call is one profile view."""
    user = get_object_or_404(get_user_model(), username=username)
    stats = UserStats.objects.for_user(user)
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
    """``GET /counters/totals/``: the site totals."""
    stats = GlobalStats.current()
    return JsonResponse({"follows": stats.total_follows, "posts": stats.total_posts})

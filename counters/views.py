"""Demo endpoints: a JSON profile (bumping the ``profile_views`` event counter), the totals, and
the live counters (an event stream and a page that shows it)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render

import counters
from counters.live import TopicError, parse_topics, stream
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


async def live_stream(request: HttpRequest) -> HttpResponse:
    """``GET /counters/stream/?c=<counter>[:<key>]&c=...``: Server-Sent Events of those counters
    (the current values at once, then every committed change). Needs an ASGI server.

    ``c`` names a counter (``counters.GlobalStats.total_follows``), one counter of a target row
    (``counters.UserStats.followers_count:42``) or every counter of a row
    (``counters.UserStats:42``). Unknown counters or bad keys: 400 with ``{"error": ...}``.
    """
    try:
        topics = parse_topics(request.GET.getlist("c"))
    except TopicError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    if not isinstance(request, ASGIRequest):  # under WSGI an endless stream would pin a worker
        return JsonResponse(
            {
                "error": "the live stream needs an ASGI server, e.g. uvicorn project.asgi:application"
            },
            status=503,
        )
    response = StreamingHttpResponse(stream(topics), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: do not buffer the stream
    return response


def live_page(request: HttpRequest) -> HttpResponse:
    """``GET /counters/live/?user=<username>``: the site totals and one user's counts, live."""
    user_model = get_user_model()
    name = request.GET.get("user")
    if name:
        user = get_object_or_404(user_model, **{user_model.USERNAME_FIELD: name})
    else:  # the most followed user, for the demo
        top = UserStats.objects.order_by("-followers_count").select_related("user").first()
        user = top.user if top is not None else user_model._default_manager.order_by("pk").first()
    stats = UserStats.objects.for_user(user) if user is not None else None
    context = {"watched": user, "stats": stats, "totals": GlobalStats.current()}
    return render(request, "counters/live.html", context)

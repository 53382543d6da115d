"""The live counters' event stream (Server-Sent Events); see :mod:`counters.live`."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.utils import timezone, translation

from counters.conf import stream_max_topics
from counters.exceptions import CounterError
from counters.live.hub import get_hub, require_psycopg
from counters.live.stream import RETRY_MS, Display, stream
from counters.live.topics import Topic, TopicError, may_watch, missing_rows, parse_topics


def _refused(request: HttpRequest, topics: list[Topic]) -> list[str]:
    """The counters among ``topics`` that ``request`` may not watch (see ``may_watch``)."""
    return sorted({f"{t.model._meta.label}.{t.field}" for t in topics if not may_watch(request, t)})


async def live_stream(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """``GET /counters/stream/?c=<counter>[:<key>]&c=...``: Server-Sent Events of those counters
    (the current values at once, then every committed change). Needs an ASGI server.

    ``c`` names a counter (``counters_social.GlobalStats.total_follows``), one counter of a target row
    (``counters_social.UserStats.followers_count:42``) or every counter of a row
    (``counters_social.UserStats:42``). Unknown counters, bad keys or more than
    ``COUNTERS_STREAM_MAX_TOPICS`` values: 400; ``display`` other than ``1``: 400; a counter the client may not watch: 403; a key
    that names no row: 404; a process serving ``COUNTERS_STREAM_MAX_STREAMS`` streams already, or
    shutting down, or without psycopg 3, or under WSGI: 503. Every error is ``{"error": ...}``.

    ``display=1`` adds, before each ``counters`` event, a ``display`` event with the same values
    written for people as the admin writes them (``12,034``, ``Dec. 2, 2026, 5:34 p.m.``), in the
    request's language and time zone: the server formats, so a page's script never has to guess
    how Django would.
    """
    display = request.GET.get("display")
    if display not in (None, "1"):
        return JsonResponse({"error": "display takes one value: display=1"}, status=400)
    try:
        topics = parse_topics(request.GET.getlist("c"), limit=stream_max_topics())
    except TopicError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    refused = await sync_to_async(_refused)(request, topics)  # a hook may read request.user
    if refused:
        return JsonResponse(
            {"error": f"not public: {', '.join(refused)} (see COUNTERS_STREAM_AUTHORIZE)"},
            status=403,
        )
    try:
        require_psycopg()
    except CounterError as exc:
        return JsonResponse({"error": str(exc)}, status=503)
    if not isinstance(request, ASGIRequest):  # under WSGI an endless stream would pin a worker
        return JsonResponse(
            {
                "error": "the live stream needs an ASGI server, e.g. uvicorn project.asgi:application"
            },
            status=503,
        )
    hub = get_hub()
    if hub.full:
        busy = JsonResponse(
            {"error": "the server is shutting down" if hub.closing else "too many open streams"},
            status=503,
        )
        busy["Retry-After"] = str(RETRY_MS * 5 // 1000)
        return busy
    # the one query of the request, once every check that needs none has passed
    missing = await sync_to_async(missing_rows)(topics)
    if missing:
        names = ", ".join(sorted({f"{t.model._meta.label}:{t.key}" for t in missing}))
        return JsonResponse({"error": f"no such row: {names}"}, status=404)
    shown = None
    if display is not None:  # the language and time zone as the middleware left them
        shown = Display(translation.get_language(), timezone.get_current_timezone())
    response = StreamingHttpResponse(stream(topics, hub, shown), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: do not buffer the stream
    return response

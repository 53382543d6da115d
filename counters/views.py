"""The live counters' event stream (Server-Sent Events); see :mod:`counters.live`."""

from __future__ import annotations

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse

from counters.exceptions import CounterError
from counters.live import TopicError, parse_topics, require_psycopg, stream


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
    response = StreamingHttpResponse(stream(topics), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: do not buffer the stream
    return response

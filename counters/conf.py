"""The library's settings, read when used (never at import), each with its default here.

- ``COUNTERS_STREAM_AUTHORIZE``: a callable, or its dotted path, ``(request, topic) -> bool``,
  deciding who may watch a counter that is not declared ``public`` on the live stream. Default:
  ``None``, which refuses them to everyone.
- ``COUNTERS_STREAM_MAX_TOPICS``: how many values one stream may watch (a whole-row topic counts
  each of its counters). Default: 100; a request asking for more is a 400.
- ``COUNTERS_STREAM_MAX_STREAMS``: how many streams one server process serves at once. Default:
  2,000; beyond it a new stream is a 503 with ``Retry-After``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

DEFAULT_STREAM_MAX_TOPICS = 100
DEFAULT_STREAM_MAX_STREAMS = 2000


def stream_authorize() -> Callable[[Any, Any], object] | None:
    """``COUNTERS_STREAM_AUTHORIZE``, imported when it is a dotted path: ``(request, topic)``,
    its result read as true or false."""
    value = getattr(settings, "COUNTERS_STREAM_AUTHORIZE", None)
    return import_string(value) if isinstance(value, str) else value


def is_positive_integer(value: object) -> bool:
    """Whether ``value`` is an int of 1 or more (``True`` is an int to Python, not a size here)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _positive(name: str, default: int) -> int:
    value = getattr(settings, name, default)
    if not is_positive_integer(value):
        raise ImproperlyConfigured(f"{name} must be a positive integer, not {value!r}")
    return value


def stream_max_topics() -> int:
    """``COUNTERS_STREAM_MAX_TOPICS``: the values one stream may watch."""
    return _positive("COUNTERS_STREAM_MAX_TOPICS", DEFAULT_STREAM_MAX_TOPICS)


def stream_max_streams() -> int:
    """``COUNTERS_STREAM_MAX_STREAMS``: the streams one server process serves at once."""
    return _positive("COUNTERS_STREAM_MAX_STREAMS", DEFAULT_STREAM_MAX_STREAMS)

"""The library's settings, read when used (never at import), each with its default here.

- ``COUNTERS_STREAM_AUTHORIZE``: a callable, or its dotted path, ``(request, topic) -> bool``,
  deciding who may watch a counter that is not declared ``public`` on the live stream. Default:
  ``None``, which refuses them to everyone.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils.module_loading import import_string


def stream_authorize() -> Callable | None:
    """``COUNTERS_STREAM_AUTHORIZE``, imported when it is a dotted path."""
    value = getattr(settings, "COUNTERS_STREAM_AUTHORIZE", None)
    return import_string(value) if isinstance(value, str) else value

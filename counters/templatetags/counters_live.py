"""Template filters for pages that show live counters (``{% load counters_live %}``).

``{{ value|counter_text }}`` writes a counter's value as Django's admin does (see
:func:`counters.display.human`); ``data-value="{{ value|counter_value }}"`` holds it as the live
stream carries it (see :func:`counters.live.stream.wire_text`), so the stream's first event, which repeats
the current values, leaves the element as the server rendered it.
"""

from __future__ import annotations

from django import template

from counters.display import human
from counters.live.stream import wire_text

register = template.Library()


@register.filter
def counter_text(value: object) -> str:
    """``12,034`` (with ``USE_THOUSAND_SEPARATOR``), ``Dec. 2, 2026, 5:34 p.m.``, ``-``."""
    return human(value)


@register.filter
def counter_value(value: object) -> str:
    """``12034``, ``12.35``, ``2026-12-02T17:34:16.123456+00:00``, ``null``."""
    return wire_text(value)

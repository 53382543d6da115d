"""How the admin pages show counters to people: values, drift in words and colour, conditions as
text.

Values are written the way Django's admin writes a read-only field (``display_for_field``): numbers
through ``django.utils.formats.number_format`` (thousands separators when ``USE_THOUSAND_SEPARATOR``
is on, in the active locale's style), dates and timestamps in the active locale's
``DATETIME_FORMAT`` / ``DATE_FORMAT`` and the current time zone, an empty value as ``-``. The
overview, ``CounterAdminMixin``'s table and the live panels all go through :func:`human`, so one
value reads the same everywhere on a page, and the same after the live stream moved it.
"""

from __future__ import annotations

import decimal

from django.db import models

DRIFT_STYLE = "color: #ba2121; font-weight: bold"  # the admin's error red (inline: any page)


TRUTH = {
    "count": "COUNT(*)",
    "sum": "SUM()",
    "min": "MIN()",
    "max": "MAX()",
    "distinct": "COUNT(DISTINCT)",
}


EMPTY = "-"  # what Django's admin shows for an empty value (AdminSite.empty_value_display)


def human(value: object, empty: str = EMPTY) -> str:
    """``value`` as Django's admin shows a read-only field holding it (its own
    ``display_for_value``): ``12,034`` (with ``USE_THOUSAND_SEPARATOR``), ``12.35``,
    ``Dec. 2, 2026, 5:34 p.m.`` (the active locale's ``DATETIME_FORMAT``, in the current time
    zone), ``empty`` for ``None``."""
    from django.contrib.admin.utils import display_for_value  # the admin's, imported on use

    return str(display_for_value(value, empty))


def drift_words(drift: object, kind: str = "count") -> str:
    """``matches COUNT(*)``, ``drift +3``, ``drift +1,200`` (with ``USE_THOUSAND_SEPARATOR``),
    ``drift -0:05:00`` (a Min or Max), ``drift (one of them is empty)``."""
    if drift == 0:
        return f"matches {TRUTH[kind]}"
    if drift is None:
        return "drift (one of them is empty)"
    if isinstance(drift, int | decimal.Decimal):
        sign = "-" if drift < 0 else "+"
        return f"drift {sign}{human(abs(drift))}"
    return f"drift {drift}"


def drift_style(drift: object) -> str:
    return "" if drift == 0 else DRIFT_STYLE


def describe_condition(condition: models.Q | None) -> str:
    """``published=True AND NOT (hidden=True)``: a declaration's condition, for people."""
    if condition is None:
        return ""
    parts = [_describe_child(child) for child in condition.children]
    text = f" {condition.connector} ".join(parts)
    if len(parts) > 1:
        text = f"({text})"
    return f"NOT {text}" if condition.negated else text


def _describe_child(child: object) -> str:
    """One part of a ``Q``: a ``Q``, a ``(lookup, value)`` pair, or an expression."""
    if isinstance(child, models.Q):
        return describe_condition(child)
    if isinstance(child, tuple):
        return f"{child[0]}={child[1]!r}"
    return str(child)

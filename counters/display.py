"""How the admin pages show counters to people: drift in words and colour, conditions as text."""

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


def drift_words(drift: object, kind: str = "count") -> str:
    """``matches COUNT(*)``, ``drift +3``, ``drift -0:05:00`` (a Min or Max), ``drift (NULL)``."""
    if drift == 0:
        return f"matches {TRUTH[kind]}"
    if drift is None:
        return "drift (one of them is empty)"
    if isinstance(drift, int | decimal.Decimal):
        return f"drift {drift:+}"
    return f"drift {drift}"


def drift_style(drift: object) -> str:
    return "" if drift == 0 else DRIFT_STYLE


def describe_condition(condition: models.Q | None) -> str:
    """``published=True AND NOT (hidden=True)``: a declaration's condition, for people."""
    if condition is None:
        return ""
    parts = [
        describe_condition(child) if isinstance(child, models.Q) else f"{child[0]}={child[1]!r}"
        for child in condition.children
    ]
    text = f" {condition.connector} ".join(parts)
    if len(parts) > 1:
        text = f"({text})"
    return f"NOT {text}" if condition.negated else text

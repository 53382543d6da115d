"""Target keys: the values a target row's primary key can hold, parsed from user input.

Commands, the admin and the live stream take keys as text (``--ids 42``, a form, a URL). A key is
accepted only if the target's key column could hold it: an integer within the column's range (and
positive for an auto-incremented key), a valid UUID, a text of at most ``max_length`` characters
without NUL bytes. Anything else is a ``ValueError`` naming the model, never a database error.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from counters.meta import dialect

AUTO_TYPES = ("AutoField", "BigAutoField", "SmallAutoField")
INTEGER = re.compile(r"[+-]?[0-9]+")


def key_field(model: type[models.Model]) -> models.Field[Any, Any]:
    """The field whose values are ``model``'s keys (through a one-to-one primary key)."""
    pk = model._meta.pk
    return pk.target_field if isinstance(pk, models.ForeignKey) else pk


def clean_key(model: type[models.Model], value: object) -> object:
    """``value`` as a key of ``model`` (``int``, ``UUID``, ``str``...), or ``ValueError``."""
    field = key_field(model)
    invalid = ValueError(
        f"{value!r} is not a valid key of {model._meta.label} ({type(field).__name__})"
    )
    if isinstance(value, bool) or (isinstance(value, str) and "\x00" in value):
        raise invalid
    internal = field.get_internal_type()
    if isinstance(field, models.IntegerField) or internal in AUTO_TYPES:
        if isinstance(value, str):
            if not INTEGER.fullmatch(value.strip()):  # ASCII digits only: no "١٢", no "1e3"
                raise invalid
            value = int(value)
        if not isinstance(value, int):
            raise invalid
        low, high = dialect().ops.integer_field_range(internal)
        if internal in AUTO_TYPES or "Positive" in internal:
            low = 1 if internal in AUTO_TYPES else 0
        if (low is not None and value < low) or (high is not None and value > high):
            raise invalid
        return value
    try:
        cleaned = field.to_python(value)
    except (ValidationError, TypeError, ValueError):
        raise invalid from None
    max_length = getattr(field, "max_length", None)
    if isinstance(cleaned, str) and max_length is not None and len(cleaned) > max_length:
        raise invalid
    return cleaned

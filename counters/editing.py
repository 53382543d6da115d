"""Counter fields are read-only wherever a form or a serializer is built from the model.

A counter's value is written by the database (triggers) or by :func:`counters.increment`, never
by a form: a ``ModelForm(fields="__all__")``, a plain ``ModelAdmin`` or a Django REST framework
``ModelSerializer`` that offered the field would accept a value and then silently lose it (the
read-only trigger keeps the stored count; an event counter would be overwritten under a
concurrent increment). Django's own flag for such fields is ``editable=False``: model forms and
the admin leave them out (naming one explicitly is a ``FieldError`` that says it is not
editable), DRF makes them ``read_only``. So every counter field gets it when the counters are
built, without a migration: the flag is left out of the field's ``deconstruct()``, which is what
migrations compare, when the team did not set it themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models


def make_read_only(fields: Iterable[models.Field[Any, Any]]) -> None:
    """Mark each counter field ``editable=False`` for forms and serializers; its migrations see
    the field as declared."""
    for field in fields:
        if not field.editable or getattr(field, "_counters_read_only", False):
            continue  # declared non-editable by the team (their migration says so), or done
        field.editable = False
        field._counters_read_only = True  # type: ignore[attr-defined]  # a marker of ours on the field
        original = field.deconstruct

        def deconstruct(_original: Any = original) -> Any:
            name, path, args, kwargs = _original()
            kwargs.pop("editable", None)  # as declared: editable
            return name, path, args, kwargs

        field.deconstruct = deconstruct  # type: ignore[method-assign]  # replaced on this field only

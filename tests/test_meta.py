"""Django's model metadata as the engine reads it (counters/meta.py)."""

from __future__ import annotations

import pytest
from django.db import connections
from django.db.utils import ConnectionHandler

from counters import meta
from counters.exceptions import CounterDeclarationError


def test_the_dialect_is_the_first_postgresql_database_even_when_default_is_another_engine(
    monkeypatch,
):
    """A project whose ``default`` is another engine and whose counters live on a PostgreSQL
    database behind a router renders the library's SQL with PostgreSQL's types."""
    assert meta.dialect() is connections["default"]
    postgres = dict(connections["default"].settings_dict)
    handler = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}, "pg": postgres}
    )
    monkeypatch.setattr(meta, "connections", handler)  # Django's own registry, other settings
    assert meta.dialect() is handler["pg"] and meta.dialect().vendor == "postgresql"
    from tests.testapp.models import Order

    assert meta.rel_db_type(Order._meta.get_field("total_amount")) == "numeric(14, 2)"


def test_the_other_side_of_a_relation_is_not_a_field_of_the_models_own():
    from django.contrib.contenttypes.models import ContentType

    assert meta.column(meta.own_field(ContentType, "app_label")) == "app_label"
    with pytest.raises(CounterDeclarationError, match="ContentType.permission is the other side"):
        meta.own_field(ContentType, "permission")

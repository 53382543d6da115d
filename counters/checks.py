"""System checks (``manage.py check``), each with a stable ID; registered by
``CountersConfig.ready()`` (see :func:`register`).

- counters.E001: the database backend is not PostgreSQL.
- counters.E002: ``pgtrigger`` is not in INSTALLED_APPS.
- counters.E003: a declaration names a field that does not exist.
- counters.E004: a declaration names a field that is not an integer field.
- counters.E005: a declaration's source model is not installed.
- counters.E006: a declaration's path is not a chain of foreign keys.
- counters.E007: a declaration's path does not end at its target (or a total has no single row).
- counters.E008: a declaration's condition does not compile against the source model.
- counters.E009: a field is declared as a counter twice.
- counters.E011: a counter column is nullable.
- counters.E012: trigger-created target rows have a NOT NULL column without a database default.
- counters.E013: a path through a foreign key inherited from a parent model.
- counters.E014: a composite primary key on the path or the target.
- counters.E015: two counters hash to the same id.
- counters.E016: a Sum, Min or Max names a source column it cannot keep exactly (a float, a text).
- counters.E017: a Sum's, Min's or Max's target field cannot hold the source column's values (its
  type, its decimal places; a Min or Max must be ``null=True``).
- counters.W002: ``slots=`` is deprecated and ignored.
- counters.W003: no index serves a Min's or Max's recompute (it names the index to add).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig, apps
from django.conf import settings
from django.core import checks

from counters.core import registry


def check_backend(
    app_configs: Sequence[AppConfig] | None = None,
    databases: Sequence[str] | None = None,
    **kwargs: Any,
) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for alias in databases or []:
        engine = settings.DATABASES[alias]["ENGINE"]
        if "postgresql" not in engine and "postgis" not in engine:
            errors.append(
                checks.Error(
                    f"database {alias!r} uses {engine}; counters need PostgreSQL triggers",
                    hint="Use django.db.backends.postgresql.",
                    id="counters.E001",
                )
            )
    return errors


def check_declarations(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    if not apps.is_installed("pgtrigger"):
        errors.append(
            checks.Error(
                "counters install their triggers through django-pgtrigger, which is not installed",
                hint='Add "pgtrigger" to INSTALLED_APPS.',
                id="counters.E002",
            )
        )
    for problem in registry.problems():
        errors.append(checks.Error(problem.message, obj=problem.obj, id=problem.id))
    for problem in registry.warnings():
        errors.append(checks.Warning(problem.message, obj=problem.obj, id=problem.id))
    return errors


def register() -> None:
    """Register the counters' system checks with Django (from ``CountersConfig.ready()``)."""
    checks.register(check_backend, checks.Tags.database)
    checks.register(check_declarations)

"""The test settings' database router: the ``routed`` app lives in the ``second`` database only,
the engine's own tables (``counters``) in both, everything else in the default database."""

from __future__ import annotations

from typing import Any

SECOND = "second"
ROUTED_APPS = {"routed"}
EVERYWHERE = {"counters"}  # counters_delta and counters_state: each database keeps its own


class SecondDatabaseRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return SECOND if model._meta.app_label in ROUTED_APPS else None

    db_for_write = db_for_read

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        if app_label in ROUTED_APPS:
            return db == SECOND
        if db == SECOND:
            return app_label in EVERYWHERE
        return None

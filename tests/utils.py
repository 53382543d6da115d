"""Helpers shared by the tests (not fixtures: those are in conftest)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connections


class OtherClient:
    """A second database client outside the test's own connection (another app server, psql),
    through Django's backend so it works with psycopg 3 and psycopg2 alike."""

    def __init__(self, *, autocommit: bool = True) -> None:
        self.wrapper = connections.create_connection(DEFAULT_DB_ALIAS)
        self.wrapper.ensure_connection()
        self.wrapper.set_autocommit(autocommit)

    def execute(self, sql: str, params: Sequence[object] = ()) -> list[tuple]:
        """Run one statement; its rows (none for a statement that returns none)."""
        with self.wrapper.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall() if cursor.description else []

    def rollback(self) -> None:
        self.wrapper.rollback()

    def close(self) -> None:
        self.wrapper.close()

    def __enter__(self) -> OtherClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

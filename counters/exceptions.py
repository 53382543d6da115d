"""Every error the counters app raises, in one place.

``CounterError`` is the base class: ``except counters.CounterError`` catches them all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from counters.report import Report


class CounterError(Exception):
    """Base class of the counters app's errors."""


class CounterDeclarationError(CounterError):
    """A declaration that cannot be kept exact. ``id`` is the system check's ID
    (``"counters.E003"``...) that ``manage.py check`` reports it under; ``message`` says why.

    Raised as ``CounterDeclarationError("counters.E003", "...")``, or with a message alone for
    problems that a caller reports under its own ID (a condition that does not compile)."""

    def __init__(self, id_or_message: str, message: str | None = None) -> None:
        if message is None:
            self.id: str | None = None
            self.message = id_or_message
        else:
            self.id, self.message = id_or_message, message
        super().__init__(self.message)


class TriggerKeptCounterError(CounterError):
    """Something tried to write a counter that the database keeps with triggers."""


class UnknownCounterError(CounterError, LookupError):
    """A label, model or field that names no declared counter."""


class TriggersNotInstalled(CounterError):
    """The database lacks (or has disabled) triggers that keep the counters asked for."""


class RecountInterrupted(CounterError):
    """A recount or check stopped before its end (Ctrl-C); every batch committed before stays
    committed. ``report`` is what was done, with ``last_committed`` telling where to resume."""

    def __init__(self, report: Report) -> None:
        self.report = report
        super().__init__(f"interrupted; committed up to {report.last_committed}")


class ReadOnlyDatabase(CounterError):
    """Work that writes (a recount, a fold) was asked of a read-only database: a hot standby, or
    a database whose transactions are read-only. Checks and reads run there; writes belong on
    the primary."""

    @classmethod
    def refusing(cls, using: str, work: str) -> ReadOnlyDatabase:
        """The refusal of ``work`` (what was asked and that it writes) on database ``using``."""
        return cls(
            f"database {using!r} is read-only (a standby, or read-only transactions): {work}; "
            "run it against the primary (a standby replays what the primary writes)"
        )


__all__ = [
    "CounterDeclarationError",
    "CounterError",
    "ReadOnlyDatabase",
    "RecountInterrupted",
    "TriggerKeptCounterError",
    "TriggersNotInstalled",
    "UnknownCounterError",
]

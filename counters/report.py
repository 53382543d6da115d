"""What a recount or a drift check found (:class:`Report`, one :class:`CounterReport` per counter),
and where a run is (:class:`Progress`)."""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field
from typing import Any

MAX_EXAMPLES = 5


@dataclass
class CounterReport:
    """What a run found for one counter."""

    label: str
    rows_checked: int = 0
    rows_drifted: int = 0
    largest_drift: int | float = 0
    examples: list[dict[str, object]] = field(default_factory=list)  # key, cached, true

    def add(self, key: object, cached: object, true: object, drift: Any) -> None:
        """A drifted row; ``drift`` is :meth:`counters.core.counter.Counter.drift` of its values."""
        self.rows_drifted += 1
        self.largest_drift = max(self.largest_drift, magnitude(drift))
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append({"key": key, "cached": cached, "true": true})


def magnitude(drift: Any) -> int | float:
    """A drift as a number: the difference of counts and sums, seconds between timestamps or
    dates, 1 when one of the values is NULL (``drift`` is ``None``)."""
    if drift is None:
        return 1
    if isinstance(drift, datetime.timedelta):
        return abs(drift.total_seconds())
    return abs(drift) if isinstance(drift, int) else abs(float(drift))


@dataclass
class Progress:
    """Where a run is: passed to the progress callback after every committed batch."""

    target: str
    done: int
    total: int
    last_key: object


@dataclass
class Report:
    """The result of :func:`recount` or :func:`check`."""

    fixed: bool
    counters: list[CounterReport]
    rows_created: int = 0
    seconds: float = 0.0
    completed: bool = True
    last_committed: dict[str, object] = field(default_factory=dict)  # target label -> last key
    # whether the run was recorded for monitoring (counters_state); False on a read-only
    # database (a standby: the primary's own checks are what it replicates), None for runs
    # over chosen keys, which are never recorded
    recorded: bool | None = None

    @property
    def drifted(self) -> bool:
        return any(report.rows_drifted for report in self.counters)

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["drifted"] = self.drifted
        return data

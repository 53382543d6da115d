"""Moved: the recount and drift check live in :mod:`counters.recounting`, trigger states in
:mod:`counters.status`, their errors in :mod:`counters.exceptions`. This module re-exports them
for code written against 0.1."""

from counters.exceptions import RecountInterrupted, TriggersNotInstalled
from counters.recounting import Comparison, check, compare, recount, run
from counters.report import CounterReport, Progress, Report
from counters.sql.recount import key_bounds
from counters.status import TriggerState, trigger_states, verify_triggers

__all__ = [
    "Comparison",
    "CounterReport",
    "Progress",
    "RecountInterrupted",
    "Report",
    "TriggerState",
    "TriggersNotInstalled",
    "check",
    "compare",
    "key_bounds",
    "recount",
    "run",
    "trigger_states",
    "verify_triggers",
]

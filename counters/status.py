"""Whether the database keeps the counters: the state of every trigger that keeps each one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS

from counters.core import registry
from counters.core.counter import Counter
from counters.exceptions import TriggersNotInstalled, UnknownCounterError
from counters.sql.triggers import pgtrigger_model
from counters.triggers import triggers_for

#: the state a trigger keeping a counter is in, in one word (metrics and health use these)
STATES = ("enabled", "disabled", "outdated", "missing")


@dataclass(frozen=True)
class TriggerState:
    """One trigger keeping a counter, as pgtrigger finds it in the database."""

    name: str
    model: str  # the label of the model whose table has the trigger
    status: str  # pgtrigger's: INSTALLED, UNINSTALLED, OUTDATED, ...
    enabled: bool | None

    @property
    def ok(self) -> bool:
        return self.status == "INSTALLED" and bool(self.enabled)

    @property
    def state(self) -> str:
        """One of :data:`STATES` (a status pgtrigger reports that is none of them: missing)."""
        if self.ok:
            return "enabled"
        if self.status == "INSTALLED":
            return "disabled"
        if self.status == "OUTDATED":
            return "outdated"
        return "missing"

    @property
    def words(self) -> str:
        """How the admin and errors describe it: installed and enabled, disabled, missing, ..."""
        if self.ok:
            return "installed and enabled"
        if self.status == "OUTDATED":
            return "outdated (the database has an older version)"
        if self.status in ("INSTALLED", "UNINSTALLED"):
            return self.state
        return self.status.lower()


def states_by_counter(
    counters: Iterable[Counter], using: str = DEFAULT_DB_ALIAS
) -> dict[Counter, list[TriggerState]]:
    """The state of every trigger that keeps each of ``counters``, from pgtrigger's own status
    check, asking the database once per trigger (one trigger keeps many counters)."""
    found: dict[tuple[str, str], TriggerState] = {}
    result = {}
    for counter in counters:
        states = []
        for model, trigger in triggers_for(counter):
            key = (model._meta.label, str(trigger.name))
            if key not in found:
                status, enabled = trigger.get_installation_status(
                    pgtrigger_model(model), database=using
                )
                found[key] = TriggerState(key[1], key[0], status, enabled)
            states.append(found[key])
        result[counter] = sorted(states, key=lambda state: (state.model, state.name))
    return result


def trigger_states(
    counter: Counter | registry.CounterInfo | str, using: str = DEFAULT_DB_ALIAS
) -> list[TriggerState]:
    """The state of every trigger that keeps ``counter``: what ``counters.all_counters()`` hands
    out (a ``CounterInfo``), its label (``"blog.Article.comments_count"``), or the engine's own
    counter. An unknown label is an ``UnknownCounterError``."""
    if not isinstance(counter, Counter):
        label = counter if isinstance(counter, str) else counter.label
        found = [c for c in registry.select(label) if c.label.lower() == label.lower()]
        if not found:  # a model's label: it names several counters
            raise UnknownCounterError(f"{label!r} names a model; name one of its counters")
        counter = found[0]
    return states_by_counter([counter], using)[counter]


def verify_triggers(counters: Iterable[Counter], using: str = DEFAULT_DB_ALIAS) -> None:
    """Raise TriggersNotInstalled unless every trigger keeping ``counters`` is installed and on."""
    missing = {
        f"{state.name} on {state.model} ({state.words})"
        for states in states_by_counter(counters, using).values()
        for state in states
        if not state.ok
    }
    if missing:
        raise TriggersNotInstalled(
            "the database does not keep these counters: triggers "
            + ", ".join(sorted(missing))
            + ". Run `manage.py migrate` (or `manage.py pgtrigger install`), and "
            "`manage.py pgtrigger enable` for disabled ones, then recount."
        )

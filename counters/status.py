"""Whether the database keeps the counters: the state of every trigger that keeps each one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS

from counters.exceptions import TriggersNotInstalled
from counters.spec import Counter


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
    def words(self) -> str:
        """How the admin and errors describe it: installed and enabled, disabled, missing, ..."""
        if self.ok:
            return "installed and enabled"
        if self.status == "INSTALLED":
            return "disabled"
        if self.status == "UNINSTALLED":
            return "missing"
        if self.status == "OUTDATED":
            return "outdated (the database has an older version)"
        return self.status.lower()


def trigger_states(counter: Counter, using: str = DEFAULT_DB_ALIAS) -> list[TriggerState]:
    """The state of every trigger that keeps ``counter``, from pgtrigger's own status check."""
    from counters.triggers import triggers_for

    states = []
    for model, trigger in triggers_for(counter):
        status, enabled = trigger.get_installation_status(model, database=using)
        states.append(TriggerState(str(trigger.name), model._meta.label, status, enabled))
    return sorted(states, key=lambda state: (state.model, state.name))


def verify_triggers(counters: Iterable[Counter], using: str = DEFAULT_DB_ALIAS) -> None:
    """Raise TriggersNotInstalled unless every trigger keeping ``counters`` is installed and on."""
    missing = {
        f"{state.name} on {state.model} ({state.words})"
        for counter in counters
        for state in trigger_states(counter, using)
        if not state.ok
    }
    if missing:
        raise TriggersNotInstalled(
            "the database does not keep these counters: triggers "
            + ", ".join(sorted(missing))
            + ". Run `manage.py migrate` (or `manage.py pgtrigger install`), and "
            "`manage.py pgtrigger enable` for disabled ones, then recount."
        )

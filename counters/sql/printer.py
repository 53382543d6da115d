"""Everything the library runs for a counter, as SQL a person can read (``manage.py counters_sql``).

The triggers' and the fold's SQL is written as multi-line templates (:mod:`counters.sql.triggers`,
:mod:`counters.folding`); the recount's statements are laid out with sqlparse (which Django
depends on). Golden files of this output for the test apps' counters (``tests/golden/``) make
every change to the generated SQL a readable diff in review.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pgtrigger
import sqlparse
from django.db import models

from counters.core.counter import Counter
from counters.core.targets import TargetTable
from counters.sql.fold import render_fold
from counters.sql.objects import render_exact_view
from counters.sql.recount import Target, key_bounds
from counters.sql.triggers import CounterTrigger, ReadOnlyTrigger, pgtrigger_model

Triggers = Sequence[tuple[type[models.Model], pgtrigger.Trigger]]


def _pretty(sql: str) -> str:
    return sqlparse.format(sql, reindent=True, keyword_case="upper").strip()


def trigger_sql(model: type[models.Model], trigger: pgtrigger.Trigger) -> str:
    """One registered trigger of the library on ``model``: a ``--`` heading (what, when, and a
    guard's condition) and its function body with its declarations."""
    kind = "trigger" if isinstance(trigger, CounterTrigger) else "read-only guard"
    header = (
        f"-- {kind} {trigger.name} on {model._meta.db_table} ({model._meta.label}): "
        f"{trigger.when} {trigger.operation} FOR EACH {trigger.level}"
    )
    if isinstance(trigger, ReadOnlyTrigger):
        header += f"\n--   WHEN {trigger.get_condition(model).sql}"
    declare = trigger.get_declare(pgtrigger_model(model))
    body = str(trigger.get_func(pgtrigger_model(model)))
    if declare:
        body = "DECLARE " + " ".join(f"{name} {type_};" for name, type_ in declare) + "\n" + body
    return f"{header}\n{body}"


def table_sql(
    target: TargetTable, recount: Target, events: Sequence[models.Field[Any, Any]] = ()
) -> list[str]:
    """What runs on a target table, each under a ``--`` heading: the fold of ``target`` (every
    counter of the table), the statements that recount ``recount``'s counters, and the ``_exact``
    view (with the table's ``events`` columns)."""
    bounds = key_bounds(None)
    return [
        f"-- fold of {target.label} (fold_counters, counters_fold(), writers now and then)\n"
        + render_fold(target, batch=":batch", after=":after"),
        "-- recount: the drifted rows of a batch of keys (lo, hi]\n"
        + _pretty(recount.values_sql(bounds)),
        "-- recount: write the true values, drop the deltas they include\n"
        + _pretty(recount.fix_sql(bounds)),
        f"-- the view for SQL readers\n{render_exact_view(target, list(events))}",
    ]


def counter_sql(
    counter: Counter,
    neighbours: Sequence[Counter],
    triggers: Triggers,
    events: Sequence[models.Field[Any, Any]] = (),
) -> str:
    """The trigger functions that keep ``counter`` (``triggers``: the registered triggers that
    keep it), its target table's fold (``neighbours``: every counter of its table), its recount's
    statements and the ``_exact`` view (with the table's ``events`` columns)."""
    what = f"{counter.source._meta.label} rows" + (f" by {counter.path}" if counter.path else "")
    target = TargetTable([c for c in neighbours if c.table == counter.table])
    recount = Target([counter], every=[c for c in neighbours if c.target is counter.target])
    found = sorted(triggers, key=lambda item: (item[0]._meta.label, item[1].name))
    parts = [
        f"-- counter {counter.label} (id {counter.id} in counters_delta): {what}",
        *(trigger_sql(model, trigger) for model, trigger in found),
        *table_sql(target, recount, events),
    ]
    return "\n\n".join(parts) + "\n"

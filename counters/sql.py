"""Everything the library runs for a counter, as SQL a person can read (``manage.py counters_sql``).

The triggers' and the fold's SQL is written as multi-line templates (:mod:`counters.triggers`,
:mod:`counters.folding`); the recount's statements are laid out with sqlparse (which Django
depends on). Golden files of this output for the test apps' counters (``tests/golden/``) make
every change to the generated SQL a readable diff in review.
"""

from __future__ import annotations

import sqlparse

from counters import registry
from counters.spec import Counter
from counters.targets import TargetTable


def _pretty(sql: str) -> str:
    return sqlparse.format(sql, reindent=True, keyword_case="upper").strip()


def _triggers(counter: Counter) -> list[str]:
    from counters.triggers import CounterTrigger, ReadOnlyTrigger, triggers_for

    parts = []
    found = sorted(triggers_for(counter), key=lambda item: (item[0]._meta.label, item[1].name))
    for model, trigger in found:
        kind = "trigger" if isinstance(trigger, CounterTrigger) else "read-only guard"
        header: str = (
            f"-- {kind} {trigger.name} on {model._meta.db_table} ({model._meta.label}): "
            f"{trigger.when} {trigger.operation} FOR EACH {trigger.level}"
        )
        if isinstance(trigger, ReadOnlyTrigger):
            header += f"\n--   WHEN {trigger.get_condition(model).sql}"
        declare = trigger.get_declare(model)
        body = str(trigger.get_func(model))
        if declare:
            body = (
                "DECLARE " + " ".join(f"{name} {type_};" for name, type_ in declare) + "\n" + body
            )
        parts.append(f"{header}\n{body}")
    return parts


def counter_sql(counter: Counter) -> str:
    """The trigger functions that keep ``counter``, its target table's fold, the recount's
    statements and the ``_exact`` view, each under a ``--`` heading."""
    from counters.folding import render_fold
    from counters.installation import render_exact_view
    from counters.recount import Target, key_bounds

    what = f"{counter.source._meta.label} rows" + (f" by {counter.path}" if counter.path else "")
    target = TargetTable([c for c in registry.all_counters() if c.table == counter.table])
    recount = Target([counter])
    bounds = key_bounds(None)
    parts = [
        f"-- counter {counter.label} (id {counter.id} in counters_delta): {what}",
        *_triggers(counter),
        f"-- fold of {target.label} (fold_counters, counters_fold(), writers now and then)\n"
        + render_fold(target, batch=":batch", after=":after"),
        "-- recount: the drifted rows of a batch of keys (lo, hi]\n"
        + _pretty(recount.values_sql(bounds)),
        "-- recount: write the true values, drop the deltas they include\n"
        + _pretty(recount.fix_sql(bounds)),
        f"-- the view for SQL readers\n{render_exact_view(target)}",
    ]
    return "\n\n".join(parts) + "\n"

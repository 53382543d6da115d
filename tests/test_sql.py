"""The generated SQL is an interface users review in their migrations: it is compared with golden
files, one per trigger (``tests/golden/triggers/<model label>.<trigger>.sql``) and one per target
table (``tests/golden/tables/<table>.sql``: its fold, recount and view), so a change to one
statement shows up here as one readable hunk.

After an intended change: ``COUNTERS_UPDATE_GOLDEN=1 pytest tests/test_sql.py``, then review and
commit the files under ``tests/golden/``.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from counters.core import registry
from counters.core.targets import TargetTable
from counters.sql import printer
from counters.sql.recount import Target
from counters.triggers import registered_on

GOLDEN = Path(__file__).resolve().parent / "golden"
APPS = ("testapp", "adopters")
TRIGGERS = {
    f"{model._meta.label}.{trigger.name}": (model, trigger)
    for model, trigger in registered_on("default")
    if model._meta.app_label in APPS
}
COUNTED = [c for c in registry.all_counters() if c.target._meta.app_label in APPS]
TABLES = sorted({c.table for c in COUNTED})


def _matches_golden(name: str, rendered: str) -> None:
    golden = GOLDEN / name
    if os.environ.get("COUNTERS_UPDATE_GOLDEN") == "1":
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(rendered)
    assert golden.exists(), f"no golden file {name}: run with COUNTERS_UPDATE_GOLDEN=1"
    assert rendered == golden.read_text(), f"the SQL changed: see tests/golden/{name}"


@pytest.mark.parametrize("name", sorted(TRIGGERS))
def test_each_trigger_matches_its_golden_file(name):
    model, trigger = TRIGGERS[name]
    _matches_golden(f"triggers/{name}.sql", printer.trigger_sql(model, trigger) + "\n")


@pytest.mark.parametrize("table", TABLES)
def test_each_target_tables_fold_recount_and_view_match_its_golden_file(table):
    counters = [c for c in COUNTED if c.table == table]
    target = TargetTable(counters)
    recount = Target(counters, every=registry.counters_on(target.model))
    events = registry.event_fields(target.model)
    _matches_golden(
        f"tables/{table}.sql", "\n\n".join(printer.table_sql(target, recount, events)) + "\n"
    )


def test_every_golden_file_belongs_to_a_trigger_or_table_that_exists():
    expected = {f"triggers/{name}.sql" for name in TRIGGERS} | {f"tables/{t}.sql" for t in TABLES}
    found = {str(p.relative_to(GOLDEN)) for p in GOLDEN.rglob("*.sql")}
    assert found == expected


def test_counters_sql_prints_a_counters_triggers_and_refuses_unknown_labels():
    out = io.StringIO()
    call_command("counters_sql", "testapp.Blog.published_count", stdout=out)
    text = out.getvalue()
    assert text.startswith("-- counter testapp.Blog.published_count (id ")
    insert = (GOLDEN / "triggers/testapp.Article.counters_insert.sql").read_text()
    assert insert in text  # the same trigger body the golden file holds
    assert 'AND (s0."published")' in text  # the condition, compiled against the source row
    assert "-- read-only guard counters_readonly_update on testapp_blog" in text
    assert "-- fold of testapp.Blog" in text
    with pytest.raises(CommandError, match="names no counter"):
        call_command("counters_sql", "nope.Nope")

"""The generated SQL is an interface users review in their migrations: it is compared with golden
files, so any change to it shows up here as a readable diff.

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
from counters.management.commands.counters_sql import counter_sql

GOLDEN = Path(__file__).resolve().parent / "golden"
COUNTERS = sorted(
    c.label for c in registry.all_counters() if c.target._meta.app_label in ("testapp", "adopters")
)


@pytest.mark.parametrize("label", COUNTERS)
def test_generated_sql_matches_its_golden_file(label):
    (counter,) = registry.select([label])
    rendered = counter_sql(counter)
    golden = GOLDEN / f"{label}.sql"
    if os.environ.get("COUNTERS_UPDATE_GOLDEN") == "1":
        golden.write_text(rendered)
    assert golden.exists(), f"no golden file for {label}: run with COUNTERS_UPDATE_GOLDEN=1"
    assert rendered == golden.read_text(), f"the SQL of {label} changed: see {golden.name}"


def test_counters_sql_prints_a_counter_and_refuses_unknown_labels():
    out = io.StringIO()
    call_command("counters_sql", "testapp.Blog.published_count", stdout=out)
    text = out.getvalue()
    assert text == (GOLDEN / "testapp.Blog.published_count.sql").read_text()
    assert "-- trigger counters_insert on testapp_article" in text
    assert 'AND (s0."published")' in text  # the condition, compiled against the source row
    assert "-- read-only guard counters_readonly_update on testapp_blog" in text
    with pytest.raises(CommandError, match="names no counter"):
        call_command("counters_sql", "nope.Nope")

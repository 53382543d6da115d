"""How counters are shown to people: drift in words, trigger states, conditions, model rows."""

from __future__ import annotations

import datetime
import decimal

import pytest
from django.db import models

from counters.display import DRIFT_STYLE, describe_condition, drift_style, drift_words
from counters.models import CounterDelta, CounterState
from counters.status import TriggerState


@pytest.mark.parametrize(
    ("drift", "kind", "words"),
    [
        (0, "count", "matches COUNT(*)"),
        (0, "sum", "matches SUM()"),
        (3, "count", "drift +3"),
        (-2, "count", "drift -2"),
        (decimal.Decimal("-0.50"), "sum", "drift -0.50"),
        (datetime.timedelta(minutes=5), "max", "drift 0:05:00"),
        (None, "min", "drift (one of them is empty)"),
    ],
)
def test_drift_in_words(drift, kind, words):
    assert drift_words(drift, kind) == words
    assert drift_style(drift) == ("" if drift == 0 else DRIFT_STYLE)


@pytest.mark.parametrize(
    ("status", "enabled", "words"),
    [
        ("INSTALLED", True, "installed and enabled"),
        ("INSTALLED", False, "disabled"),
        ("UNINSTALLED", None, "missing"),
        ("OUTDATED", True, "outdated (the database has an older version)"),
        ("PRUNE", None, "prune"),
    ],
)
def test_trigger_states_in_words(status, enabled, words):
    state = TriggerState("counters_insert", "app.Model", status, enabled)
    assert state.words == words
    assert state.ok == (words == "installed and enabled")


def test_conditions_for_people():
    assert describe_condition(None) == ""
    assert describe_condition(models.Q(published=True)) == "published=True"
    assert (
        describe_condition(models.Q(published=True) & ~models.Q(hidden=True))
        == "(published=True AND NOT hidden=True)"
    )


def test_engine_rows_describe_themselves():
    assert str(CounterDelta(counter=7, key="42", delta=-1)) == "counter 7[42] -1"
    at = datetime.datetime(2026, 11, 23, 4, 5, 6, tzinfo=datetime.UTC)
    assert str(CounterState(name="fold", at=at)) == "fold at 2026-11-23 04:05:06"

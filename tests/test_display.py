"""How counters are shown to people: drift in words, trigger states, conditions, model rows."""

from __future__ import annotations

import datetime
import decimal
import zoneinfo

import pytest
from django.db import models

from counters.display import (
    DRIFT_STYLE,
    EMPTY,
    describe_condition,
    drift_style,
    drift_words,
    human,
)
from counters.live.stream import Display, sse, wire_text
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


@pytest.mark.parametrize(
    ("value", "field"),
    [
        (1234567, models.BigIntegerField()),
        (0, models.BigIntegerField()),
        (decimal.Decimal("12034.50"), models.DecimalField(max_digits=12, decimal_places=2)),
        (
            datetime.datetime(2026, 12, 2, 17, 34, 16, 123456, tzinfo=datetime.UTC),
            models.DateTimeField(),
        ),
        (datetime.date(2026, 12, 2), models.DateField()),
        (None, models.DateTimeField(null=True)),
    ],
)
@pytest.mark.parametrize("separators", [True, False])
def test_values_read_as_the_admin_writes_them(settings, value, field, separators):
    """The overview, CounterAdminMixin's table and the live panels write a value exactly as the
    admin writes a read-only field holding it, with or without USE_THOUSAND_SEPARATOR."""
    from django.contrib.admin.utils import display_for_field

    settings.USE_THOUSAND_SEPARATOR = separators
    assert human(value) == display_for_field(value, field, EMPTY)


def test_values_for_people_follow_the_settings_and_the_time_zone(settings):
    from django.utils import timezone, translation

    at = datetime.datetime(2026, 12, 2, 17, 34, 16, 123456, tzinfo=datetime.UTC)
    settings.USE_THOUSAND_SEPARATOR = True
    assert (human(1234567), human(at), human(None)) == (
        "1,234,567",
        "Dec. 2, 2026, 5:34 p.m.",  # en-us DATETIME_FORMAT, no microseconds, no ISO
        "-",
    )
    assert drift_words(1200) == "drift +1,200" and drift_words(-1200) == "drift -1,200"
    with translation.override("de"), timezone.override(zoneinfo.ZoneInfo("Europe/Berlin")):
        assert (human(1234567), human(at)) == ("1.234.567", "2. Dezember 2026 18:34")
    settings.USE_THOUSAND_SEPARATOR = False
    assert (human(1234567), drift_words(1200)) == ("1234567", "drift +1200")


def test_values_on_the_wire_are_what_a_script_reads():
    """``data-value`` holds ``String(value)`` of what the stream's JSON carries: a timestamp read
    by any connection is the same text (UTC), so the first event leaves the page as rendered."""
    at = datetime.datetime(2026, 12, 2, 17, 34, 16, 123456, tzinfo=datetime.UTC)
    berlin = at.astimezone(zoneinfo.ZoneInfo("Europe/Berlin"))
    assert [wire_text(v) for v in (12034, decimal.Decimal("12.30"), None, at, berlin)] == [
        "12034",
        "12.30",
        "null",
        "2026-12-02T17:34:16.123456+00:00",
        "2026-12-02T17:34:16.123456+00:00",
    ]
    event = sse({"a": berlin, "b": 1200}, {"a": "Dec. 2, 2026, 5:34 p.m.", "b": "1,200"})
    assert event == (
        'event: display\ndata: {"a":"Dec. 2, 2026, 5:34 p.m.","b":"1,200"}\n\n'
        'event: counters\ndata: {"a":"2026-12-02T17:34:16.123456+00:00","b":1200}\n\n'
    )


def test_a_stream_writes_values_in_the_language_and_time_zone_of_its_request(settings):
    """The view captures both when the stream opens; the stream writes every later event in
    them, whatever the language active where it runs."""
    at = datetime.datetime(2026, 12, 2, 17, 34, tzinfo=datetime.UTC)
    settings.USE_THOUSAND_SEPARATOR = True
    german = Display("de", zoneinfo.ZoneInfo("Europe/Berlin"))
    assert german.texts({"n": 1234567, "at": at, "none": None}) == {
        "n": "1.234.567",
        "at": "2. Dezember 2026 18:34",
        "none": "-",
    }
    assert human(1234567) == "1,234,567"  # nothing leaked out of the stream's formatting

"""The flat public API: every name in ``counters.__all__`` exists, and the version is the
package's."""

from __future__ import annotations

import importlib.metadata

import counters


def test_every_public_name_resolves():
    for name in counters.__all__:
        assert getattr(counters, name) is not None, name
    from counters.admin import CounterAdminMixin
    from counters.live import counters_changed

    assert counters.CounterAdminMixin is CounterAdminMixin  # imported on first use
    assert counters.counters_changed is counters_changed


def test_the_version_is_the_installed_packages():
    assert counters.__version__ == importlib.metadata.version("django-exact-counters")


def test_unknown_names_are_an_attribute_error():
    import pytest

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        counters.nope  # noqa: B018


def test_the_old_backfill_module_still_answers():
    import importlib

    from counters import backfill, exceptions, status

    recount = importlib.import_module("counters.recount")  # `counters.recount` is the function
    assert backfill.run is recount.run and backfill.Report is recount.Report
    assert backfill.RecountInterrupted is exceptions.RecountInterrupted
    assert backfill.trigger_states is status.trigger_states

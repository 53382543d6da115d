"""The flat public API: every name in ``counters.__all__`` exists, and the version is the
package's."""

from __future__ import annotations

import importlib.metadata

import pytest
from django.dispatch import Signal

import counters


def test_every_public_name_resolves_to_the_librarys_own_object():
    for name in counters.__all__:
        found = getattr(counters, name)
        if name == "__version__":
            assert isinstance(found, str) and found[0].isdigit()
            continue
        if isinstance(found, Signal):  # counters_changed: a signal instance, checked below
            continue
        owner = getattr(found, "__module__", None) or type(found).__module__
        assert owner.startswith("counters"), (name, owner)
    from counters.admin import CounterAdminMixin
    from counters.live.signals import counters_changed

    assert counters.CounterAdminMixin is CounterAdminMixin  # imported on first use
    assert counters.counters_changed is counters_changed


def test_the_version_is_the_installed_packages():
    assert counters.__version__ == importlib.metadata.version("django-exact-counters")


def test_unknown_names_are_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        counters.nope  # noqa: B018


def test_the_old_backfill_module_still_answers():
    from counters import backfill, exceptions, recounting, report, status

    assert backfill.run is recounting.run and backfill.Report is report.Report
    assert backfill.RecountInterrupted is exceptions.RecountInterrupted
    assert backfill.trigger_states is status.trigger_states


@pytest.mark.django_db
def test_trigger_states_takes_what_all_counters_hands_out():
    """``counters.all_counters()`` gives ``CounterInfo``s; ``trigger_states`` answers for each
    (and for its label), where it used to return nothing for them."""
    from counters.core import registry
    from counters.exceptions import UnknownCounterError

    here = {c.label for c in registry.on_database("default")}  # the routed app's are elsewhere
    infos = [info for info in counters.all_counters() if info.label in here]
    assert len(infos) > 10
    for info in infos:
        states = counters.trigger_states(info)
        assert states and all(state.ok for state in states), (info.label, states)
        assert counters.trigger_states(info.label) == states
    with pytest.raises(UnknownCounterError, match="names no counter"):
        counters.trigger_states("blog.Nothing.here")
    with pytest.raises(UnknownCounterError, match="names a model; name one of its counters"):
        counters.trigger_states("counters_social.UserStats")

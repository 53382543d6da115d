"""What ``counters`` in ``INSTALLED_APPS`` wires at start-up (counters/apps.py), and what merely
importing a module of the library does not."""

from __future__ import annotations

import importlib

from django.contrib import admin

from counters.apps import register_overview
from counters.models import CounterOverview


def test_the_app_registers_the_overview_once():
    from counters.admin.overview import CounterOverviewAdmin

    assert isinstance(admin.site._registry[CounterOverview], CounterOverviewAdmin)
    registered = admin.site._registry[CounterOverview]
    register_overview()  # a second call keeps the page it has
    assert admin.site._registry[CounterOverview] is registered
    admin.site.unregister(CounterOverview)
    try:
        register_overview()
        assert isinstance(admin.site._registry[CounterOverview], CounterOverviewAdmin)
    finally:
        admin.site._registry[CounterOverview] = registered


def test_importing_the_admin_module_registers_nothing():
    """Importing the mixin's package or the overview's module is not what registers the page
    (it used to be: a second import under another name raised AlreadyRegistered)."""
    from counters.admin import overview

    kept = dict(vars(overview))
    before = dict(admin.site._registry)
    try:
        importlib.reload(overview)  # runs the module again, as a first import would
        assert admin.site._registry == before
    finally:
        vars(overview).update(kept)

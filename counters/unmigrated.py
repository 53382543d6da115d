"""Counters in apps without migrations (``pytest --nomigrations``, ``MIGRATION_MODULES = {app:
None}``).

Counter triggers live in the declaring app's migrations: on its own models, and on proxy models it
carries for the models of other apps (``auth.User``, many-to-many through tables; see
:func:`counters.triggers.trigger_model`). Without migrations Django creates the tables from the
models instead (*syncdb*), and django-pgtrigger installs the triggers of each table it creates; but
a proxy has no table, so the triggers it carries were never installed and the counters of other
apps' rows stayed at zero, silently. Two things fix that:

- :func:`install_unmigrated` (a ``post_migrate`` handler: Django sends the signal after a syncdb
  too) installs every counter trigger and guard of an app without migrations that the database
  lacks; it does nothing for apps with migrations, whose triggers their migrations install.
- A proxy of an auto-created many-to-many through table cannot even be rendered without
  migrations: Django builds an unmigrated app's model states without their many-to-many fields, so
  the through table it names as its base does not exist there, and creating the test database
  failed with ``InvalidBasesError``. Such a proxy counts as auto-created (left out of the model
  states, as the through table itself is) while its app has no migrations
  (:func:`hide_when_unmigrated`), and only then: ``makemigrations`` still writes it.
"""

from __future__ import annotations

import importlib.util

from django.db import DEFAULT_DB_ALIAS, models
from django.db.models.options import Options


def is_unmigrated(app_label: str) -> bool:
    """Whether Django creates ``app_label``'s tables without migrations: its migrations module is
    disabled (``MIGRATION_MODULES``, which ``pytest --nomigrations`` sets for every app) or does
    not exist."""
    from django.db.migrations.loader import MigrationLoader

    module, _ = MigrationLoader.migrations_module(app_label)
    if module is None:
        return True
    try:
        return importlib.util.find_spec(module) is None
    except ImportError:
        return True


class _CarrierOptions(Options):
    """The options of a proxy carrying triggers for an auto-created through table: auto-created
    itself while its app has no migrations (see the module's docstring)."""

    @property
    def auto_created(self) -> bool:
        return is_unmigrated(self.app_label)

    @auto_created.setter
    def auto_created(self, value: object) -> None:  # Options.__init__ sets it: ignored
        pass


def hide_when_unmigrated(proxy: type[models.Model]) -> None:
    """Let ``proxy`` (of an auto-created through table) count as auto-created while its app has
    no migrations."""
    proxy._meta.__class__ = _CarrierOptions


def install_unmigrated(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Install every counter trigger and guard registered on a model of an app without
    migrations that the database does not have yet (one catalog query; nothing to do, the usual
    case, costs only that). Returns ``"name on app_label.Model"`` for each one installed."""
    from counters.installation import installed_triggers
    from counters.triggers import registered_on

    wanted = [
        (model, trigger)
        for model, trigger in registered_on(using)
        if is_unmigrated(model._meta.app_label)
    ]
    if not wanted:
        return []
    present = {trigger.name for trigger in installed_triggers(using)}
    done = []
    for model, trigger in wanted:
        if trigger.get_pgid(model) not in present:
            trigger.install(model, database=using)
            done.append(f"{trigger.name} on {model._meta.label}")
    return done

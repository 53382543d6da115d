"""The models that carry counter triggers: the declaring app's own models, and proxy models it
creates for the models of other apps (:func:`trigger_model`, :func:`trigger_name`).

Counter triggers live in the declaring app's migrations: on its own models, and on proxy models it
carries for the models of other apps (``auth.User``, many-to-many through tables). Without
migrations (``pytest --nomigrations``, ``MIGRATION_MODULES = {app: None}``) Django creates the
tables from the models instead (*syncdb*), and django-pgtrigger installs the triggers of each table
it creates; but a proxy has no table, so the triggers it carries were never installed and the
counters of other apps' rows stayed at zero, silently. Two things fix that:

- :func:`counters.installation.install_unmigrated` (a ``post_migrate`` handler: Django sends the
  signal after a syncdb too) installs every counter trigger and guard of an app without migrations
  that the database lacks; it does nothing for apps with migrations, whose triggers their
  migrations install.
- A proxy of an auto-created many-to-many through table cannot even be rendered without
  migrations: Django builds an unmigrated app's model states without their many-to-many fields, so
  the through table it names as its base does not exist there, and creating the test database
  failed with ``InvalidBasesError``. Such a proxy counts as auto-created (left out of the model
  states, as the through table itself is) while its app has no migrations
  (:func:`hide_when_unmigrated`), and only then: ``makemigrations`` still writes it.
"""

from __future__ import annotations

import importlib.util
import zlib
from typing import TYPE_CHECKING

from django.apps import apps
from django.db import models
from django.db.models.options import Options

from counters.meta import concrete

if TYPE_CHECKING:  # Options is generic in django-stubs only (no __class_getitem__ at run time)
    _Options = Options[models.Model]
else:
    _Options = Options


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


class _CarrierOptions(_Options):
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


MAX_TRIGGER_NAME = 47  # pgtrigger's limit


def trigger_name(operation: str, model: type[models.Model]) -> str:
    """``counters_insert`` on a model of the declaring app itself; ``counters_<app>_insert`` on a
    proxy (several apps may count the same table, and pgtrigger names are unique per table)."""
    if not model._meta.proxy:
        return f"counters_{operation}"
    name = f"counters_{model._meta.app_label}_{operation}"
    if len(name) > MAX_TRIGGER_NAME:
        name = f"counters_{zlib.crc32(model._meta.app_label.encode()):08x}_{operation}"
    return name


_proxies: dict[tuple[type[models.Model], str], type[models.Model]] = {}


def trigger_model(model: type[models.Model], app_label: str) -> type[models.Model]:
    """The model whose triggers keep the counters of ``app_label`` that ``model`` feeds.

    Triggers are migrations, and they belong to the app that declares the counters: a model of
    that app carries them itself; for any other model (``auth.User``, a third-party app's model,
    an auto-created many-to-many through table, a model of another of your apps) a proxy model is
    created in the declaring app and carries them, so ``makemigrations`` writes them into the
    declaring app's migrations and never into another package (django-pgtrigger's documented way).
    """
    model = concrete(model)
    if model._meta.app_label == app_label and not model._meta.auto_created:
        return model
    key = (model, app_label)
    if key not in _proxies:
        name = f"{model._meta.app_label.title().replace('_', '')}{model.__name__}Counters"
        existing = apps.all_models[app_label].get(name.lower())
        if existing is not None:  # already created (the registry was built before)
            _proxies[key] = existing
        else:
            meta = type(
                "Meta",
                (),
                {
                    "proxy": True,
                    "app_label": app_label,
                    "default_permissions": (),
                    "verbose_name": f"counter triggers on {model._meta.label}",
                },
            )
            config = apps.get_app_config(app_label)
            module = config.name + ".models"
            _proxies[key] = type(name, (model,), {"__module__": module, "Meta": meta})
            if model._meta.auto_created:  # a through table: see counters.carriers
                hide_when_unmigrated(_proxies[key])
            if config.models_module is not None:  # importable where its __module__ says
                setattr(config.models_module, name, _proxies[key])
    return _proxies[key]

"""counters.carriers: the models that carry counter triggers. A model of the declaring app carries
its own; any other model (``auth.User``, an auto-created many-to-many through table) gets a proxy
in the declaring app, named once; a through table's proxy counts as auto-created only while its
app has no migrations."""

from __future__ import annotations

import zlib

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.test.utils import isolate_apps

from counters import carriers
from counters.carriers import MAX_TRIGGER_NAME, is_unmigrated, trigger_model, trigger_name
from counters.social.models import Follow
from tests.adopters.models import Article


@pytest.mark.parametrize(
    ("modules", "unmigrated"),
    [
        ({}, False),  # tests/adopters/migrations
        ({"adopters": None}, True),  # pytest --nomigrations
        ({"adopters": "tests.adopters.no_such_migrations"}, True),  # the module does not exist
        ({"adopters": "no_such_package.migrations"}, True),  # nor does its package
    ],
)
def test_an_app_is_unmigrated_when_its_migrations_module_is_disabled_or_missing(
    settings, modules, unmigrated
):
    settings.MIGRATION_MODULES = modules
    assert is_unmigrated("adopters") is unmigrated


def test_a_model_of_the_declaring_app_carries_its_own_triggers():
    assert trigger_model(Follow, "counters_social") is Follow
    assert trigger_name("insert", Follow) == "counters_insert"


def test_another_apps_model_gets_one_proxy_in_the_declaring_app():
    user = get_user_model()
    proxy = trigger_model(user, "adopters")
    assert proxy is trigger_model(user, "adopters")  # created once
    assert proxy is apps.get_model("adopters", "AuthUserCounters")
    assert proxy._meta.proxy and proxy._meta.concrete_model is user
    assert proxy._meta.verbose_name == "counter triggers on auth.User"
    assert trigger_name("insert", proxy) == "counters_adopters_insert"


def test_a_proxy_the_app_registry_already_holds_is_taken_as_it_is():
    through = Article.likes.through
    proxy = trigger_model(through, "adopters")
    key = (through, "adopters")
    del carriers._proxies[key]  # a registry built before (the proxy exists, no longer known here)
    try:
        assert trigger_model(through, "adopters") is proxy
    finally:
        carriers._proxies[key] = proxy
    assert proxy is apps.get_model("adopters", "AdoptersArticle_likesCounters")


def test_a_through_tables_proxy_is_auto_created_only_while_its_app_has_no_migrations(settings):
    proxy = trigger_model(Article.likes.through, "adopters")
    assert proxy._meta.auto_created is False  # makemigrations writes it
    proxy._meta.auto_created = True  # what Options.__init__ does: ignored
    assert proxy._meta.auto_created is False
    settings.MIGRATION_MODULES = {"adopters": None}
    assert proxy._meta.auto_created is True  # left out of the model states, as its table is


@isolate_apps("tests.testapp")
def test_a_proxy_of_an_app_with_a_long_label_is_named_by_its_labels_checksum():
    class Thing(models.Model):
        class Meta:
            app_label = "testapp"

    label = "a_very_long_application_label_for_counters"

    class LongProxy(Thing):
        class Meta:
            app_label = label
            proxy = True

    name = trigger_name("truncate", LongProxy)
    assert name == f"counters_{zlib.crc32(label.encode()):08x}_truncate"
    assert len(name) <= MAX_TRIGGER_NAME < len(f"counters_{label}_truncate")

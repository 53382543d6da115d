from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


def install_sql_objects(sender: AppConfig, using: str, **kwargs: object) -> None:
    """After ``migrate``: the ``<table>_exact`` views and ``counters_fold()`` follow the
    declarations (they span apps, so no single app's migration can own them)."""
    from counters.installation import install_sql_objects as install

    install(using=using)


def install_unmigrated(sender: AppConfig, using: str, **kwargs: object) -> None:
    """After ``migrate`` (a syncdb too): the counter triggers of apps without migrations, which
    the tables Django created do not all carry (see :mod:`counters.carriers`)."""
    from counters.installation import install_unmigrated as install

    install(using=using)


def cover_partitions(sender: AppConfig, using: str, **kwargs: object) -> None:
    """After ``migrate``: the partitions of partitioned tables on a counter path carry copies of
    its counter triggers, a partition a migration created included (see
    :mod:`counters.partitions`)."""
    from counters.installation import installed_triggers
    from counters.partitions import sync

    if installed_triggers(using):  # nothing installed (migrated to zero): nothing to copy
        sync(using)


def refuse_removing_tables_under_triggers(sender: AppConfig, using: str, **kwargs: Any) -> None:
    """Before ``migrate``: unapplying the engine's first migration (``migrate counters zero``)
    drops ``counters_delta``, which every installed counter trigger appends to; the triggers,
    which live in other apps' migrations, would stay and make counted writes fail. Refuse, naming
    the command that removes them first."""
    from counters.installation import refuse_unmigrating

    refuse_unmigrating(kwargs.get("plan") or [], using)


def register_overview() -> None:
    """The "Counters overview" page in the admin site, when the project has the admin: what
    ``counters`` in ``INSTALLED_APPS`` gives (importing ``counters.admin`` registers nothing)."""
    from django.apps import apps

    if not apps.is_installed("django.contrib.admin"):
        return
    from django.contrib import admin

    from counters.admin.overview import CounterOverviewAdmin
    from counters.models import CounterOverview

    if not admin.site.is_registered(CounterOverview):
        admin.site.register(CounterOverview, CounterOverviewAdmin)


class CountersConfig(AppConfig):
    name = "counters"
    verbose_name = "Counters"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from counters import checks, editing, reading, triggers
        from counters.core import registry

        checks.register()
        built = registry.build()
        triggers.register_all(built.counters)
        reading.exact_reads(built.counters)
        editing.make_read_only(
            [c.field for c in built.counters] + [f for fs in built.events.values() for f in fs]
        )
        pre_migrate.connect(
            refuse_removing_tables_under_triggers, sender=self, dispatch_uid="counters_unmigrate"
        )
        post_migrate.connect(install_unmigrated, sender=self, dispatch_uid="counters_unmigrated")
        post_migrate.connect(install_sql_objects, sender=self, dispatch_uid="counters_sql")
        post_migrate.connect(cover_partitions, sender=self, dispatch_uid="counters_partitions")
        register_overview()

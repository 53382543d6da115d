from django.apps import AppConfig
from django.db.models.signals import post_migrate


def install_sql_objects(sender: AppConfig, using: str, **kwargs: object) -> None:
    """After ``migrate``: the ``<table>_exact`` views and ``counters_fold()`` follow the
    declarations (they span apps, so no single app's migration can own them)."""
    from counters.installation import install_sql_objects as install

    install(using=using)


class CountersConfig(AppConfig):
    name = "counters"
    verbose_name = "Counters"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from counters import checks, registry

        checks.register()
        registry.build()
        post_migrate.connect(install_sql_objects, sender=self, dispatch_uid="counters_sql")

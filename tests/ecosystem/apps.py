from django.apps import AppConfig


class EcosystemConfig(AppConfig):
    name = "tests.ecosystem"
    default_auto_field = "django.db.models.BigAutoField"

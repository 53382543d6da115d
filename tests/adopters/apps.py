from django.apps import AppConfig


class AdoptersConfig(AppConfig):
    name = "tests.adopters"
    label = "adopters"
    default_auto_field = "django.db.models.BigAutoField"

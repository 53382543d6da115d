from django.apps import AppConfig


class RoutedConfig(AppConfig):
    """A small app a router sends to the second test database (``tests.routers``)."""

    name = "tests.routed"
    label = "routed"
    default_auto_field = "django.db.models.BigAutoField"

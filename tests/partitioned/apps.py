from django.apps import AppConfig


class PartitionedConfig(AppConfig):
    name = "tests.partitioned"
    label = "partitioned"
    default_auto_field = "django.db.models.BigAutoField"

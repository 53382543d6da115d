from django.apps import AppConfig


class DbCascadeConfig(AppConfig):
    name = "tests.dbcascade"
    label = "dbcascade"
    default_auto_field = "django.db.models.BigAutoField"

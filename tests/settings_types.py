"""Settings for the type checker alone (``[tool.django-stubs]`` in pyproject.toml): the mypy
plugin runs ``django.setup()`` with them to learn the models. They name the apps and a PostgreSQL
database, and start none (project.settings may start an embedded PostgreSQL)."""

SECRET_KEY = "type-checking-only"
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "pgtrigger",
    "counters",
    "counters.social",
]
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "counters"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True

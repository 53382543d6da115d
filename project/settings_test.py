"""Test settings: the demo settings plus the test-only models in ``tests.testapp``, and a second
database (another database on the same server) that a router gives the ``tests.routed`` app."""

import django

from project.settings import *  # noqa: F403
from project.settings import DATABASES, INSTALLED_APPS

INSTALLED_APPS = [
    *INSTALLED_APPS,
    "django.contrib.sites",  # for django-contrib-comments
    "django_comments",
    "taggit",
    "rest_framework",
    "tests.testapp",
    "tests.adopters",
    "tests.ecosystem",
    "tests.routed",
    "tests.partitioned",
]
if django.VERSION >= (6, 1):  # database-level on_delete (DB_CASCADE, DB_SET_NULL)
    INSTALLED_APPS.append("tests.dbcascade")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SITE_ID = 1

_second_name = f"{DATABASES['default']['NAME']}_second"
DATABASES["second"] = {
    **DATABASES["default"],
    "NAME": _second_name,
    "TEST": {"NAME": f"test_{_second_name}"},
}
DATABASE_ROUTERS = ["tests.routers.SecondDatabaseRouter"]

"""Test settings: the demo settings plus the test-only models in ``tests.testapp``."""

from project.settings import *  # noqa: F403
from project.settings import INSTALLED_APPS

INSTALLED_APPS = [
    *INSTALLED_APPS,
    "django.contrib.sites",  # for django-contrib-comments
    "django_comments",
    "taggit",
    "rest_framework",
    "tests.testapp",
    "tests.adopters",
    "tests.ecosystem",
]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SITE_ID = 1

"""Test settings: the demo settings plus the test-only models in ``tests.testapp``."""

from project.settings import *  # noqa: F403
from project.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp", "tests.adopters"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

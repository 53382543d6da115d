"""The engine alone, as a team installs it: ``counters`` without ``counters.social`` or the demo,
and the test apps' own counters."""

from project.settings import *  # noqa: F403
from project.settings import INSTALLED_APPS

INSTALLED_APPS = [
    app for app in INSTALLED_APPS if app not in ("counters.social", "project.demo")
] + ["tests.testapp", "tests.adopters"]
ROOT_URLCONF = "tests.urls_engine"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

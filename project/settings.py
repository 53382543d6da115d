"""Settings for the demo project (and, through settings_test, the test suite)."""

import os
import secrets
from pathlib import Path

from project.database import ROOT, database_config


def checkout_secret_key(path: Path = ROOT / ".secret_key") -> str:
    """A secret key made once per checkout and kept beside it (git ignores the file)."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        key = secrets.token_urlsafe(50)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(key)
        return key


BASE_DIR = ROOT
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or checkout_secret_key()
DEBUG = os.environ.get("DJANGO_DEBUG") == "1"  # off unless asked for
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
# What a local HTTP demo cannot have (manage.py check --deploy lists them; docs/demo.md says why):
# HSTS, SSL redirect and secure-only cookies need HTTPS.

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "pgtrigger",
    "counters",  # the engine
    "counters.social",  # the built-in social counters (Follow, Post, UserStats, GlobalStats)
    "project.demo",  # the demo's data generator, admin user and pages
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "project.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "project.wsgi.application"

DATABASES = {"default": database_config()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# 200,000 rather than 200000, on every admin page and in the live panels (the library writes
# numbers through Django's formats, so it follows this setting and the active locale)
USE_THOUSAND_SEPARATOR = True
STATIC_URL = "static/"

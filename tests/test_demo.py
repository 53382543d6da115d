"""The demo project's settings: safe defaults for a local demo."""

from __future__ import annotations

import stat

from django.conf import settings
from django.core import checks

from project.settings import checkout_secret_key


def test_deploy_check_is_clean_but_for_what_plain_http_cannot_have():
    found = checks.run_checks(include_deployment_checks=True)
    ids = {message.id for message in found if message.id.startswith("security.")}
    # HSTS, SSL redirect, secure session and CSRF cookies: all need HTTPS (docs/demo.md)
    assert ids == {"security.W004", "security.W008", "security.W012", "security.W016"}


def test_secret_key_is_made_once_per_checkout_and_private(tmp_path):
    path = tmp_path / ".secret_key"
    first = checkout_secret_key(path)
    assert len(first) >= 50 and checkout_secret_key(path) == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert checkout_secret_key(tmp_path / "other") != first
    assert settings.SECRET_KEY != "demo-only-not-secret"


def test_debug_is_off_unless_asked_for(monkeypatch):
    import importlib

    import project.settings as demo_settings

    monkeypatch.delenv("DJANGO_DEBUG", raising=False)
    assert importlib.reload(demo_settings).DEBUG is False
    monkeypatch.setenv("DJANGO_DEBUG", "1")
    assert importlib.reload(demo_settings).DEBUG is True
    monkeypatch.delenv("DJANGO_DEBUG")
    importlib.reload(demo_settings)

"""The library's URLs (``counters.urls``): only the live stream, and a clear answer when it
cannot run."""

from __future__ import annotations

import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import NoReverseMatch, reverse

from tests.testapp.models import Blog

pytestmark = pytest.mark.django_db


def test_the_library_exposes_the_stream_and_nothing_of_the_demo():
    assert reverse("counters:stream") == "/counters/stream/"
    for demo in ("profile", "totals", "live"):
        with pytest.raises(NoReverseMatch):
            reverse(f"counters:{demo}")


def test_without_psycopg_3_the_stream_and_the_command_say_what_to_install(client, monkeypatch):
    blog = Blog.objects.create(name="b")
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as on a psycopg2-only project
    response = client.get("/counters/stream/", {"c": f"testapp.Blog:{blog.pk}"})
    assert response.status_code == 503
    assert "live counters need psycopg 3" in response.json()["error"]
    with pytest.raises(CommandError, match=r"pip install 'psycopg\[binary\]'"):
        call_command("listen_counters", "--count", "1")

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


def staff_only(request, topic) -> bool:  # noqa: ANN001
    return request.user.is_staff


def test_without_psycopg_3_the_stream_and_the_command_say_what_to_install(
    client, monkeypatch, settings
):
    settings.COUNTERS_STREAM_AUTHORIZE = lambda request, topic: True
    blog = Blog.objects.create(name="b")
    monkeypatch.setitem(sys.modules, "psycopg", None)  # as on a psycopg2-only project
    response = client.get("/counters/stream/", {"c": f"testapp.Blog:{blog.pk}"})
    assert response.status_code == 503
    assert "live counters need psycopg 3" in response.json()["error"]
    with pytest.raises(CommandError, match=r"pip install 'psycopg\[binary\]'"):
        call_command("listen_counters", "--watch", f"testapp.Blog:{blog.pk}", "--count", "1")


@pytest.mark.parametrize(
    ("topic", "problem"),
    [
        ("testapp.Blog:-5", "'-5' is not a valid key of testapp.Blog (BigAutoField)"),
        ("testapp.Blog:" + "9" * 30, "is not a valid key of testapp.Blog"),
        (
            "testapp.Blog:\\u0661\\u0662",
            "is not a valid key of testapp.Blog",
        ),  # Arabic-Indic digits
        ("testapp.Blog:1e3", "is not a valid key of testapp.Blog"),
        ("testapp.Blog:a\\x00b", "is not a valid key of testapp.Blog"),
        ("adopters.Shop:not-a-uuid", "is not a valid key of adopters.Shop (UUIDField)"),
        ("adopters.Tag:" + "x" * 51, "is not a valid key of adopters.Tag (CharField)"),
        ("adopters.SiteTotals.users_count:1", "is a single-row total: name it without a key"),
    ],
)
def test_keys_no_row_can_have_are_refused(topic, problem):
    from counters.live.topics import TopicError, parse_topics

    with pytest.raises(TopicError) as info:
        parse_topics([topic.encode().decode("unicode_escape")])
    assert problem in str(info.value)


def test_keys_any_row_can_have_are_accepted():
    from counters.live.topics import parse_topics

    shop = "0b7a1d2e-8f57-4c7f-9c1e-2d3a4b5c6d7e"
    topics = parse_topics(["testapp.Blog:42", f"adopters.Shop:{shop}", "adopters.Tag:Ünïcode"])
    assert {str(t.key) for t in topics} == {"42", shop, "Ünïcode"}


def test_only_public_counters_are_streamed_unless_a_hook_allows_it(client, settings):
    """Refused counters are a 403 before anything is read; allowed ones go on (to the 503 that
    says the test client is not an ASGI server)."""
    from django.contrib.auth.models import User

    blog = Blog.objects.create(name="b")
    private = {"c": f"testapp.Blog.articles_count:{blog.pk}"}
    response = client.get("/counters/stream/", private)
    assert response.status_code == 403
    assert "not public: testapp.Blog.articles_count" in response.json()["error"]
    settings.COUNTERS_STREAM_AUTHORIZE = "tests.test_views.staff_only"
    assert client.get("/counters/stream/", private).status_code == 403
    client.force_login(User.objects.create(username="staff", is_staff=True))
    assert client.get("/counters/stream/", private).status_code == 503  # allowed
    client.logout()
    if registry_has_social():
        public = {"c": "counters_social.GlobalStats.total_follows"}
        assert client.get("/counters/stream/", public).status_code == 503  # allowed to anyone
        whole_row = {"c": "counters_social.UserStats:1"}  # profile_views is not public
        assert (
            "counters_social.UserStats.profile_views"
            in client.get("/counters/stream/", whole_row).json()["error"]
        )


def registry_has_social() -> bool:
    from django.apps import apps

    return apps.is_installed("counters.social")

"""counters.conf: the library's settings, read when used, each with its default; a value that
cannot work is an ImproperlyConfigured naming the setting, and the stream view obeys them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from counters import conf

pytestmark = pytest.mark.django_db

BLOG = "testapp.Blog.articles_count"  # not declared public


def only_staff(request, topic) -> bool:  # noqa: ANN001 - a COUNTERS_STREAM_AUTHORIZE hook
    return bool(request.user.is_staff) and topic.field == "articles_count"


def test_every_setting_has_its_documented_default(settings):
    for name in (
        "COUNTERS_STREAM_AUTHORIZE",
        "COUNTERS_STREAM_MAX_TOPICS",
        "COUNTERS_STREAM_MAX_STREAMS",
    ):
        if hasattr(settings, name):
            delattr(settings, name)
    assert conf.stream_authorize() is None
    assert conf.stream_max_topics() == conf.DEFAULT_STREAM_MAX_TOPICS == 100
    assert conf.stream_max_streams() == conf.DEFAULT_STREAM_MAX_STREAMS == 2000


def test_the_limits_are_read_each_time_they_are_used(settings):
    settings.COUNTERS_STREAM_MAX_TOPICS = 1
    settings.COUNTERS_STREAM_MAX_STREAMS = 3
    assert (conf.stream_max_topics(), conf.stream_max_streams()) == (1, 3)
    settings.COUNTERS_STREAM_MAX_TOPICS = 250
    assert conf.stream_max_topics() == 250


@pytest.mark.parametrize("value", [0, -5, True, 2.5, "100", None])
@pytest.mark.parametrize("name", ["COUNTERS_STREAM_MAX_TOPICS", "COUNTERS_STREAM_MAX_STREAMS"])
def test_a_limit_that_is_not_a_positive_integer_is_refused_by_name(settings, name, value):
    setattr(settings, name, value)
    read = conf.stream_max_topics if name.endswith("TOPICS") else conf.stream_max_streams
    with pytest.raises(ImproperlyConfigured) as info:
        read()
    assert str(info.value) == f"{name} must be a positive integer, not {value!r}"


def test_the_authorize_hook_is_a_callable_or_its_dotted_path(settings):
    settings.COUNTERS_STREAM_AUTHORIZE = only_staff
    assert conf.stream_authorize() is only_staff
    settings.COUNTERS_STREAM_AUTHORIZE = "tests.test_conf.only_staff"
    assert conf.stream_authorize() is only_staff
    settings.COUNTERS_STREAM_AUTHORIZE = "tests.test_conf.nobody"
    with pytest.raises(ImportError, match='does not define a "nobody" attribute'):
        conf.stream_authorize()


def test_the_stream_refuses_a_counter_that_is_not_public_until_the_hook_allows_it(
    client, admin_client, settings
):
    from tests.testapp.models import Blog

    watched = f"{BLOG}:{Blog.objects.create(name='news').pk}"
    settings.COUNTERS_STREAM_AUTHORIZE = None
    refused = admin_client.get(f"/counters/stream/?c={watched}")
    assert refused.status_code == 403
    assert refused.json() == {"error": f"not public: {BLOG} (see COUNTERS_STREAM_AUTHORIZE)"}
    settings.COUNTERS_STREAM_AUTHORIZE = "tests.test_conf.only_staff"
    assert client.get(f"/counters/stream/?c={watched}").status_code == 403  # anonymous
    allowed = admin_client.get(f"/counters/stream/?c={watched}")
    # past the authorization: only the test client's WSGI (or, in the psycopg2 cell, the
    # missing psycopg 3) is refused now
    assert allowed.status_code == 503
    assert any(why in allowed.json()["error"] for why in ("needs an ASGI server", "need psycopg 3"))

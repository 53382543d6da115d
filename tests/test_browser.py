"""The admin and the demo's live page in a real browser: headless Chromium (Debian's), driven by
Playwright. Every value a live panel shows is read off the page and compared with the database,
as a reader would see it (written the way Django's admin writes the same value: see
``django.contrib.admin.utils.display_for_field``)."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.contrib.admin.utils import display_for_field
from django.contrib.auth import get_user_model
from django.db import connections, models

from counters.core import registry
from counters.live import stream as live_stream
from counters.live import topics as live_topics
from counters.recounting import compare
from counters.social.models import Follow, Post, UserStats
from tests.browser import screenshot
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FANS, POSTS = 1200, 1050  # past a thousand: the thousands separators show


def seed_crowd(star: models.Model) -> list[models.Model]:
    """FANS users following ``star`` and POSTS posts among them, in bulk (the triggers count)."""
    user_model = get_user_model()
    fans = user_model.objects.bulk_create(
        [user_model(username=f"fan{i:04}", password="!") for i in range(FANS)]
    )
    Follow.objects.bulk_create([Follow(follower=fan, followed=star) for fan in fans])
    Post.objects.bulk_create([Post(author=fans[i % FANS], title=f"post {i}") for i in range(POSTS)])
    return fans


def from_another_connection(work: Callable[[], object]) -> object:
    """Run ``work`` in a thread with its own database connection, as another client would."""
    result: list[object] = []

    def run() -> None:
        try:
            result.append(work())
        finally:
            connections.close_all()

    writer = threading.Thread(target=run)
    writer.start()
    writer.join(30)
    assert result, "the write from another connection did not finish"
    return result[0]


def database_value(topic_name: str) -> tuple[object, models.Field]:
    """The true value of a stream topic (COUNT(*), MAX() ... over the source rows), and its field;
    the cached value (column plus pending deltas) must be the same."""
    (topic,) = live_topics.parse_topics([topic_name])
    found = {c.counter.field.name: c for c in compare(topic.model, [topic.key])[topic.key]}
    value = found[topic.field]
    assert value.cached == value.true, topic_name
    return value.true, topic.model._meta.get_field(topic.field)


def as_the_admin_writes(value: object, field: models.Field) -> str:
    return str(display_for_field(value, field, "-"))


def assert_live_values_are_the_database_values(page, root: str) -> list[str]:
    """Every ``[data-counter]`` under ``root``: its text is the database's value written as the
    admin writes it, its ``data-value`` the value as the stream carries it. Returns the topics."""
    shown = page.eval_on_selector_all(
        f"{root} [data-counter]",
        "els => els.map(e => [e.dataset.counter, e.dataset.value, e.textContent])",
    )
    assert shown, f"no live values under {root}"
    text = page.inner_text(root)
    assert "NaN" not in text and "undefined" not in text, text
    for topic, value, written in shown:
        true, field = database_value(topic)
        assert (topic, written) == (topic, as_the_admin_writes(true, field))
        assert (topic, value) == (topic, live_stream.wire_text(true))
    return [topic for topic, _, _ in shown]


def wait_for_value(page, topic: str, value: object) -> None:
    """Poll (Playwright, with its deadline) until the element of ``topic`` holds ``value``."""
    page.wait_for_function(
        "([topic, value]) => document.querySelector(`[data-counter='${topic}']`)"
        ".dataset.value === value",
        arg=[topic, live_stream.wire_text(value)],
    )


def log_in(page, url: str) -> None:
    page.goto(f"{url}/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "pw-for-the-test")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")


def news_from(author: models.Model, follower: models.Model | None = None) -> Post:
    """A post by ``author`` (and a follow of them), committed on another connection."""

    def write() -> Post:
        if follower is not None:
            Follow.objects.create(follower=follower, followed=author)
        post = Post.objects.create(author=author, title="news")
        post.refresh_from_db()  # created_at as the database holds it
        return post

    return from_another_connection(write)  # type: ignore[return-value]


def pick_user(page, field: str, username: str) -> None:
    """Choose a user in the admin's autocomplete widget, typing as a person would."""
    page.click(f".field-{field} .select2-selection")
    page.fill(".select2-container--open .select2-search__field", username)
    page.click(f".select2-results__option >> text={username}")


def followers_on_stats_page(page, live_server, username: str) -> str:
    page.goto(f"{live_server.url}/admin/counters_social/userstats/?q={username}")
    return page.inner_text(".field-followers_count")


def test_follow_in_the_admin_moves_the_followers_count(page, live_server, django_user_model):
    django_user_model.objects.create_superuser("root", "root@example.com", "pw-for-the-test")
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    Follow.objects.create(follower=UserFactory(username="carol"), followed=bob)

    log_in(page, live_server.url)

    page.click("text=Counters overview")
    page.wait_for_selector("#declared-counters")
    assert "installed and enabled" in page.inner_text("#declared-counters")
    assert "matches COUNT(*)" in page.inner_text("#site-totals")
    screenshot(page, "admin-overview-wsgi")  # no live panel updates under WSGI

    assert followers_on_stats_page(page, live_server, "bob") == "1"
    screenshot(page, "admin-userstats-before")

    page.goto(f"{live_server.url}/admin/counters_social/follow/add/")
    pick_user(page, "follower", "alice")
    pick_user(page, "followed", "bob")
    screenshot(page, "admin-follow-add")
    page.click("input[name=_save]")
    page.wait_for_selector(".messagelist .success")
    assert Follow.objects.filter(follower=alice, followed=bob).exists()

    assert followers_on_stats_page(page, live_server, "bob") == "2"
    screenshot(page, "admin-userstats-after")
    page.click("text=bob")
    page.wait_for_selector(".counter-values")
    assert "matches COUNT(*)" in page.inner_text(".counter-values")
    screenshot(page, "admin-userstats-change")
    assert UserStats.objects.get(pk=bob.pk).followers_count == 2


def test_admin_live_panel_and_tables_show_the_database_values(page, asgi_server, django_user_model):
    django_user_model.objects.create_superuser("root", "root@example.com", "pw-for-the-test")
    star = UserFactory(username="star")
    seed_crowd(star)
    latecomer = UserFactory(username="latecomer")
    log_in(page, asgi_server.url)
    page.click("text=Counters overview")
    page.wait_for_selector('.counters-live [data-live-status][data-state="live"]')

    topics = assert_live_values_are_the_database_values(page, ".counters-live")
    assert set(topics) == {
        "counters_social.GlobalStats.total_follows",
        "counters_social.GlobalStats.total_posts",
        "counters_social.GlobalStats.last_post_at",
    }
    assert page.inner_text('[data-counter="counters_social.GlobalStats.total_follows"]') == "1,200"

    post = news_from(star, follower=latecomer)
    wait_for_value(page, "counters_social.GlobalStats.last_post_at", post.created_at)
    wait_for_value(page, "counters_social.GlobalStats.total_follows", FANS + 1)
    assert_live_values_are_the_database_values(page, ".counters-live")  # moved by the script

    page.reload()  # the site totals table, rendered by the server, after the write
    page.wait_for_selector('.counters-live [data-live-status][data-state="live"]')
    cells = page.eval_on_selector_all(
        "#site-totals tbody tr",
        "trs => trs.map(tr => [tr.dataset.counter, tr.querySelector('.cached').textContent,"
        " tr.querySelector('.true').textContent])",
    )
    assert {topic for topic, _, _ in cells} >= set(topics)  # the test settings add more totals
    for topic, cached, true in cells:
        value, field = database_value(topic)
        assert (topic, cached, true) == (topic, *[as_the_admin_writes(value, field)] * 2)
    assert_live_values_are_the_database_values(page, ".counters-live")
    screenshot(page, "admin-overview", docs=True)

    # CounterAdminMixin's table beside the form's read-only fields: the same words for a value
    page.goto(f"{asgi_server.url}/admin/counters_social/userstats/{star.pk}/change/")
    rows = page.eval_on_selector_all(
        ".counter-values tbody tr", "trs => trs.map(tr => Array.from(tr.cells, c => c.textContent))"
    )
    assert len(rows) == len(registry.counters_on(UserStats))
    for counter in registry.counters_on(UserStats):
        name, cached, true, pending, words = next(
            row for row in rows if row[0] == counter.field.verbose_name
        )
        value, field = database_value(f"{counter.label}:{star.pk}")
        form = page.inner_text(f".field-{counter.field.name} .readonly")
        assert (name, cached, true, words) == (
            name,
            form,
            as_the_admin_writes(value, field),
            "matches " + {"count": "COUNT(*)", "max": "MAX()"}[counter.kind],
        )
        assert pending.isdigit()
    assert page.inner_text(".field-followers_count .readonly") == "1,201"
    screenshot(page, "admin-userstats-change", docs=True)


def test_live_page_moves_without_a_reload(page, asgi_server):
    star = UserFactory(username="star")
    seed_crowd(star)
    newcomers = UserFactory.create_batch(3)
    page.goto(f"{asgi_server.url}/demo/live/?user=star")
    page.wait_for_selector('[data-live-status][data-state="live"]')
    topics = assert_live_values_are_the_database_values(page, "main")
    assert len(topics) == 7  # three site totals, four counters of star
    assert page.inner_text("#user-followers") == "1,200"
    assert page.inner_text("#user-last-post") == "-"  # star has not posted
    page.evaluate("window.notReloaded = true")  # gone if the page reloads
    screenshot(page, "live-before")

    for fan in newcomers[:-1]:
        from_another_connection(lambda fan=fan: Follow.objects.create(follower=fan, followed=star))
    post = news_from(star, follower=newcomers[-1])
    wait_for_value(page, f"counters_social.UserStats.last_post_at:{star.pk}", post.created_at)
    wait_for_value(page, f"counters_social.UserStats.followers_count:{star.pk}", FANS + 3)
    assert page.inner_text("#user-followers") == "1,203"
    assert page.get_attribute("#total-follows", "data-value") == str(FANS + 3)
    assert_live_values_are_the_database_values(page, "main")
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "live", docs=True)
    assert page.evaluate("window.notReloaded") is True

"""The admin in a real browser: headless Chromium (Debian's), driven by Playwright."""

from __future__ import annotations

import pytest

from counters.social.models import Follow, UserStats
from tests.browser import screenshot
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


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

    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "pw-for-the-test")
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")

    page.click("text=Counters overview")
    page.wait_for_selector("#declared-counters")
    assert "installed and enabled" in page.inner_text("#declared-counters")
    assert "matches COUNT(*)" in page.inner_text("#site-totals")
    screenshot(page, "admin-overview")

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


def test_live_page_moves_without_a_reload(page, asgi_server):
    import threading

    star = UserFactory(username="star")
    fans = UserFactory.create_batch(3)
    page.goto(f"{asgi_server.url}/demo/live/?user=star")
    page.wait_for_selector('[data-live-status][data-state="live"]')
    assert page.inner_text("#user-followers") == "0"
    page.evaluate("window.notReloaded = true")  # gone if the page reloads
    screenshot(page, "live-before")

    def follow_from_another_connection() -> None:
        from django.db import connections

        try:
            for fan in fans:
                Follow.objects.create(follower=fan, followed=star)
        finally:
            connections.close_all()

    writer = threading.Thread(target=follow_from_another_connection)
    writer.start()
    writer.join(30)
    page.wait_for_function("document.querySelector('#user-followers').dataset.value === '3'")
    assert page.inner_text("#user-followers") == "3"
    assert page.get_attribute("#total-follows", "data-value") == "3"
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "live-after")
    assert page.evaluate("window.notReloaded") is True

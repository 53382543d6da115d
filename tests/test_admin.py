"""The admin: overview, UserStats/GlobalStats/Follow/Post admins and the mixin, through Django's
test client against the real database (the browser test is in test_browser.py)."""

from __future__ import annotations

import random
import threading

import pgtrigger
import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import counters
from counters.admin import jobs as counters_jobs
from counters.core import registry
from counters.core.registry import get_counter
from counters.models import CounterDelta
from counters.social import admin as social_admin
from counters.social.models import Follow, GlobalStats, Post, UserStats
from tests.factories import UserFactory
from tests.testapp.models import Article, Blog
from tests.utils import assert_exact, inject, random_graph, run_threads

pytestmark = pytest.mark.django_db

OVERVIEW = reverse("admin:counters_counteroverview_changelist")
RUN = reverse("admin:counters_counteroverview_run")
STATS = reverse("admin:counters_social_userstats_changelist")


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def graph():
    return random_graph(12, 4, 20, seed=3)


def set_trigger(model, name: str, action: str) -> None:
    """Disable or uninstall one counter trigger (inside the test's transaction: rolled back)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's pending FK checks first
    for registered_model, trigger in pgtrigger.registered():
        if registered_model is model and trigger.name == name:
            getattr(trigger, action)(registered_model)
            return
    raise AssertionError(f"no trigger {name} on {model}")


# -- overview ---------------------------------------------------------------------------------


def test_overview_lists_every_counter_its_triggers_and_the_true_totals(admin_client, graph):
    inject("UPDATE counters_globalstats SET total_posts = total_posts + 3")
    html = admin_client.get(OVERVIEW).content.decode()
    here = registry.on_database("default")  # the second test database keeps the routed app's
    labels_here = {c.label for c in here}
    assert here and len(here) < len(counters.all_counters())
    for counter in counters.all_counters():
        assert (counter.label in html) == (counter.label in labels_here), counter.label
    assert "all 6 installed and enabled" in html
    assert html.count("installed and enabled") == len(here)
    assert f'<td class="true">{Post.objects.count()}</td>' in html
    assert f'<td class="cached">{Post.objects.count() + 3}</td>' in html
    assert "drift +3" in html
    assert "<code>published=True</code>" in html  # the condition, for people
    assert "Counters overview" in admin_client.get(reverse("admin:index")).content.decode()


@pytest.mark.parametrize(("action", "words"), [("disable", "disabled"), ("uninstall", "missing")])
def test_overview_says_in_words_when_triggers_are_off_and_refuses_to_check(
    admin_client, graph, action, words
):
    set_trigger(Post, "counters_insert", action)
    html = admin_client.get(OVERVIEW).content.decode()
    assert f"<code>counters_insert</code> on counters_social.Post: <strong>{words}</strong>" in html
    assert "all 6 installed and enabled" in html  # the Follow counters are still fine
    response = admin_client.post(RUN, {"mode": "sample"}, follow=True)
    assert response.status_code == 200
    assert any(
        "Could not run" in text and f"counters_insert on counters_social.Post ({words})" in text
        for text in texts(response)
    )


def test_sampled_check_reports_drift_without_fixing_it(admin_client, graph):
    victim = graph[2]
    inject("UPDATE user_stats SET followers_count = 99 WHERE user_id = %s", [victim.pk])
    response = admin_client.post(RUN, {"mode": "sample"}, follow=True)
    assert any("Sampled check done: 1 drifted value(s) found" in t for t in texts(response))
    html = response.content.decode()
    assert f"key {victim.pk}: cached 99" in html
    assert UserStats.objects.get(pk=victim.pk).followers_count == 99


def drive(admin_client, mode: str) -> tuple[int, object]:
    """Start a full check or recount and follow the page's own continue form to the end."""
    response = admin_client.post(RUN, {"mode": mode})
    steps = 1
    while response.status_code == 200:  # a progress page: continue as its script would
        assert b'id="counters-continue"' in response.content
        response = admin_client.post(RUN, {"mode": "continue"})
        steps += 1
        assert steps < 200
    assert response.status_code == 302 and response.url == OVERVIEW
    return steps, admin_client.get(OVERVIEW)


@pytest.mark.slow
def test_full_check_and_recount_run_in_bounded_steps(admin_client, graph, monkeypatch):
    monkeypatch.setattr(counters_jobs, "STEP_SECONDS", 1e-6)  # every batch ends a step
    monkeypatch.setattr(counters_jobs, "STEP_BATCH_SIZE", 5)
    inject("UPDATE user_stats SET posts_count = posts_count + 1")  # 12 users with stats rows
    inject("UPDATE counters_globalstats SET total_follows = 0")
    steps, page = drive(admin_client, "check")
    assert steps >= 4  # 12 user keys in batches of 5, then the totals row
    assert any("Full check done: 13 drifted value(s) found" in t for t in texts(page))
    assert counters.check().drifted  # a check writes nothing
    steps, page = drive(admin_client, "recount")
    assert any("Recount done: 13 drifted value(s) fixed" in t for t in texts(page))
    assert not counters.check().drifted
    assert_exact()


def test_continue_without_a_job_and_get_requests_are_refused_politely(admin_client):
    response = admin_client.post(RUN, {"mode": "continue"}, follow=True)
    assert any("Nothing to run" in t for t in texts(response))
    assert admin_client.get(RUN).url == OVERVIEW


def test_fold_button_folds_pending_deltas(admin_client, graph):
    user, fan = graph[0], UserFactory()
    with counters.deferred():  # pending: +1 followers, +1 on the follows total
        Follow.objects.create(follower=fan, followed=user)
    html = admin_client.get(OVERVIEW).content.decode()
    row = html.split('data-counter="counters_social.UserStats.followers_count"')[1].split("</tr>")[
        0
    ]
    assert '<td class="pending">1</td>' in row  # the overview shows the pending delta row
    pending = CounterDelta.objects.count()
    assert pending >= 2
    response = admin_client.post(reverse("admin:counters_counteroverview_fold"), follow=True)
    assert any(f"Folded {pending} pending delta(s)" in t for t in texts(response))
    assert not CounterDelta.objects.exists()
    assert_exact()


def test_recount_one_row_creates_a_missing_stats_row(admin_client, graph):
    loner = UserFactory(username="loner")
    Post.objects.create(author=loner, title="x")
    inject("DELETE FROM user_stats WHERE user_id = %s", [loner.pk])
    url = reverse("admin:counters_counteroverview_recount_row")
    target = "counters_social.UserStats"
    response = admin_client.post(url, {"target": target, "key": str(loner.pk)}, follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "admin:counters_social_userstats_change", args=[loner.pk]
    )
    assert any("created 1 missing row(s)" in t for t in texts(response))
    assert UserStats.objects.get(pk=loner.pk).posts_count == 1
    response = admin_client.post(url, {"target": target, "key": "abc"}, follow=True)
    assert any(
        "'abc' is not a valid key of counters_social.UserStats" in t for t in texts(response)
    )
    response = admin_client.post(
        url, {"target": "counters_social.GlobalStats", "key": "1"}, follow=True
    )
    assert any("holds no per-row counters" in t for t in texts(response))
    response = admin_client.post(url, {"target": "nope.Nope", "key": "1"}, follow=True)
    assert any("holds no per-row counters" in t for t in texts(response))


def test_viewers_see_the_overview_but_cannot_change_anything(client, graph):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_counteroverview"))
    client.force_login(viewer)
    html = client.get(OVERVIEW).content.decode()
    assert "counters_social.UserStats.followers_count" in html and "Full check" not in html
    response = client.post(RUN, {"mode": "recount"}, follow=True)
    assert any("may look at the counters, not change them" in t for t in texts(response))
    other = UserFactory(is_staff=True)
    client.force_login(other)
    assert client.get(OVERVIEW).status_code == 403


# -- UserStats, GlobalStats, Follow and Post admins ------------------------------------------


def test_user_stats_list_has_a_fixed_number_of_queries(admin_client, graph):
    admin_client.get(STATS)  # warm the session and content types
    with CaptureQueriesContext(connection) as small:
        assert admin_client.get(STATS).status_code == 200
    UserFactory.create_batch(30)  # their stats rows come with their first counted row
    Follow.objects.bulk_create(
        [Follow(follower=u, followed=graph[0]) for u in UserFactory.create_batch(30)]
    )
    with CaptureQueriesContext(connection) as big:
        html = admin_client.get(STATS).content.decode()
    assert len(big) == len(small) <= 8, [q["sql"] for q in big.captured_queries]
    assert html.count('class="field-username"') == UserStats.objects.count()


def test_user_stats_list_searches_username_and_email_and_sorts_by_read_value(admin_client, graph):
    star = graph[5]
    star.email = "star@celebrity.example"
    star.save()
    html = admin_client.get(STATS, {"q": "celebrity.example"}).content.decode()
    assert html.count('class="field-username"') == 1 and star.username in html
    html = admin_client.get(STATS, {"q": graph[6].username}).content.decode()
    assert graph[6].username in html
    # the column says -100, its pending deltas +140: the list sorts by column + pending (the
    # value it shows), which puts the star first, where the column alone would put it last
    CounterDelta.objects.create(
        counter=get_counter(UserStats, "followers_count").id, key=str(star.pk), delta=140
    )
    inject(
        "UPDATE user_stats SET followers_count = followers_count - 100 WHERE user_id = %s",
        [star.pk],
    )
    column = 1 + social_admin.UserStatsAdmin.list_display.index("followers_count")  # 0: checkbox
    html = admin_client.get(STATS, {"o": f"-{column}"}).content.decode()
    first = html.split('class="field-username"')[1]
    assert star.username in first.split("</tr>")[0]


def test_recount_selected_fixes_and_reports(admin_client, graph):
    victim = graph[1]
    inject("UPDATE user_stats SET following_count = 40 WHERE user_id = %s", [victim.pk])
    response = admin_client.post(
        STATS,
        {"action": "recount_selected", "_selected_action": [victim.pk, graph[2].pk]},
        follow=True,
    )
    true = Follow.objects.filter(follower=victim).count()
    assert any(
        f"Recounted 2 user stats: counters_social.UserStats.following_count: 1 row(s) fixed "
        f"(key {victim.pk}: 40 → {true})" in t
        for t in texts(response)
    )
    assert UserStats.objects.get(pk=victim.pk).following_count == true
    response = admin_client.post(STATS, {"action": "recount_selected", "index": 0}, follow=True)
    assert any("Items must be selected" in t for t in texts(response))
    response = admin_client.post(
        STATS, {"action": "recount_selected", "_selected_action": [graph[3].pk]}, follow=True
    )
    assert any("every counter was exact" in t for t in texts(response))


def test_recount_of_a_large_selection_runs_in_bounded_steps(admin_client, graph, monkeypatch):
    monkeypatch.setattr(counters_jobs, "STEP_SECONDS", 1e-6)
    monkeypatch.setattr(counters_jobs, "STEP_BATCH_SIZE", 5)
    inject("UPDATE user_stats SET posts_count = posts_count + 1")  # 12 users with stats rows
    keys = list(UserStats.objects.order_by("pk").values_list("pk", flat=True))
    response = admin_client.post(
        STATS, {"action": "recount_selected", "_selected_action": keys[:11]}
    )
    assert response.status_code == 200 and b'id="counters-continue"' in response.content
    assert b"<code>counters_social.UserStats</code>, 5 of 11 rows done" in response.content
    steps = 1
    while response.status_code == 200:
        response = admin_client.post(RUN, {"mode": "continue"})
        steps += 1
    assert steps >= 3 and response.url == OVERVIEW  # 11 keys in batches of 5
    assert any(
        "Recount done: 11 drifted value(s) fixed" in t for t in texts(admin_client.get(OVERVIEW))
    )
    report = counters.check(["counters_social.UserStats.posts_count"])
    assert report.counters[0].rows_drifted == 1  # the row left out of the selection
    assert report.counters[0].examples[0]["key"] == keys[11]


def test_view_only_staff_cannot_run_the_recount_action(client, graph):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_userstats"))
    client.force_login(viewer)
    html = client.get(STATS).content.decode()
    assert "recount_selected" not in html  # the action is not offered
    inject("UPDATE user_stats SET posts_count = posts_count + 5")
    response = client.post(
        STATS, {"action": "recount_selected", "_selected_action": [graph[0].pk]}, follow=True
    )
    assert response.status_code == 200 and not any("Recounted" in t for t in texts(response))
    assert counters.check(["counters_social.UserStats.posts_count"]).drifted  # nothing recounted


def test_recount_selected_with_disabled_triggers_is_a_message_not_a_crash(admin_client, graph):
    set_trigger(Follow, "counters_delete", "disable")
    response = admin_client.post(
        STATS, {"action": "recount_selected", "_selected_action": [graph[0].pk]}, follow=True
    )
    assert response.status_code == 200
    assert any("Nothing recounted" in t and "(disabled)" in t for t in texts(response))


def test_change_page_shows_cached_beside_true_with_drift_highlighted(admin_client, graph):
    victim = graph[4]
    inject("UPDATE user_stats SET posts_count = posts_count + 5 WHERE user_id = %s", [victim.pk])
    url = reverse("admin:counters_social_userstats_change", args=[victim.pk])
    html = admin_client.get(url).content.decode()
    true = Post.objects.filter(author=victim).count()
    assert f"<td>posts count</td><td>{true + 5}</td><td>{true}</td>" in html
    assert 'class="counter-drift" style="color: #ba2121' in html and "drift +5" in html
    assert html.count("matches COUNT(*)") == 2  # followers and following are exact
    assert 'name="followers_count"' not in html  # read-only


def test_global_stats_list_shows_totals_beside_true_counts(admin_client, graph):
    inject("UPDATE counters_globalstats SET total_follows = total_follows + 2")
    html = admin_client.get(
        reverse("admin:counters_social_globalstats_changelist")
    ).content.decode()
    follows = Follow.objects.count()
    assert f"{follows} (drift +2)" in html and f"{Post.objects.count()} (matches COUNT(*))" in html
    assert GlobalStats.current().total_follows == follows + 2


def test_follow_and_post_admins_create_and_delete_rows_with_user_autocomplete(admin_client, graph):
    a, b = UserFactory(), UserFactory()
    html = admin_client.get(reverse("admin:counters_social_follow_add")).content.decode()
    assert html.count("admin-autocomplete") >= 2  # searches users as you type (100k is fine)
    response = admin_client.post(
        reverse("admin:counters_social_follow_add"), {"follower": a.pk, "followed": b.pk}
    )
    assert response.status_code == 302
    assert UserStats.objects.get(pk=b.pk).followers_count == 1
    follow = Follow.objects.get(follower=a, followed=b)
    admin_client.post(
        reverse("admin:counters_social_follow_delete", args=[follow.pk]), {"post": "yes"}
    )
    assert UserStats.objects.get(pk=b.pk).followers_count == 0
    admin_client.post(reverse("admin:counters_social_post_add"), {"author": a.pk, "title": "hi"})
    assert UserStats.objects.get(pk=a.pk).posts_count == 1
    search = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": a.username,
            "app_label": "counters_social",
            "model_name": "follow",
            "field_name": "follower",
        },
    )
    assert [r["id"] for r in search.json()["results"]] == [str(a.pk)]
    assert_exact()


# -- the mixin on a host project's admin ------------------------------------------------------


def test_mixin_on_a_host_admin_with_its_own_fieldsets(admin_client):
    blog = Blog.objects.create(name="b")
    Article.objects.bulk_create([Article(blog=blog, published=i % 2 == 0) for i in range(5)])
    inject("UPDATE testapp_blog SET published_count = 0")
    html = admin_client.get(reverse("admin:testapp_blog_change", args=[blog.pk])).content.decode()
    assert "<td>published count</td><td>0</td><td>3</td>" in html and "drift -3" in html
    assert 'name="published_count"' not in html and 'name="name"' in html
    html = admin_client.get(reverse("admin:testapp_blog_changelist")).content.decode()
    assert "3 (drift -3)" in html and "5 (matches COUNT(*))" in html
    admin_client.post(
        reverse("admin:testapp_blog_changelist"),
        {"action": "recount_selected", "_selected_action": [blog.pk]},
    )
    blog.refresh_from_db()
    assert blog.published_count == 3


# -- concurrency ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_recount_action_while_writers_follow_and_unfollow(admin_client):
    users = UserFactory.create_batch(24)
    Follow.objects.bulk_create([Follow(follower=a, followed=users[0]) for a in users[1:]])
    inject("UPDATE user_stats SET followers_count = followers_count + 5")
    stop = threading.Event()

    def write(index: int) -> None:
        rng = random.Random(index)
        while not stop.is_set():
            a, b = rng.sample(users, 2)
            if rng.random() < 0.5:
                Follow.objects.bulk_create([Follow(follower=a, followed=b)], ignore_conflicts=True)
            else:
                Follow.objects.filter(follower=a, followed=b).delete()

    writers = threading.Thread(target=lambda: run_threads(3, write))
    writers.start()
    try:
        for _ in range(3):
            response = admin_client.post(
                STATS,
                {
                    "action": "recount_selected",
                    "_selected_action": [u.pk for u in users],
                    "select_across": "0",
                },
                follow=True,
            )
            assert response.status_code == 200
    finally:
        stop.set()
        writers.join()
    assert not counters.check().drifted
    assert_exact()


# -- the mixin on shapes the host admins above do not have ------------------------------------


def test_the_mixin_on_a_model_with_event_counters_only_adds_no_counters_table(admin_user):
    from django.contrib import admin
    from django.test import RequestFactory

    from counters.admin import CounterAdminMixin
    from tests.testapp.models import Shelf

    class ShelfAdmin(CounterAdminMixin, admin.ModelAdmin):
        pass

    shelf = Shelf.objects.create(name="top")
    counters.increment(shelf, "visits", by=4)
    request = RequestFactory().get("/")
    request.user = admin_user
    model_admin = ShelfAdmin(Shelf, admin.site)
    assert model_admin.get_readonly_fields(request, shelf) == ["visits"]
    assert model_admin.get_readonly_fields(request) == ["visits"]
    assert [name for name, _ in model_admin.get_fieldsets(request, shelf)] == [None]
    assert model_admin.get_fields(request, shelf) == ["name", "visits"]


def test_a_true_count_column_shows_a_dash_for_a_row_the_change_list_did_not_compare(
    admin_user,
):
    from django.contrib import admin
    from django.test import RequestFactory

    from tests.testapp.admin import BlogAdmin

    blog = Blog.objects.create(name="b")
    Article.objects.create(blog=blog)
    request = RequestFactory().get("/")
    request.user = admin_user
    columns = BlogAdmin(Blog, admin.site).get_list_display(request)
    assert [getattr(c, "__name__", c) for c in columns] == [
        "name",
        "published_count",
        "true_published_count",
        "articles_count",
        "true_articles_count",
    ]
    true_articles = columns[4]
    assert true_articles.short_description == "articles count: true"
    assert true_articles(Blog.objects.get(pk=blog.pk)) == "-"  # not attached by a change list

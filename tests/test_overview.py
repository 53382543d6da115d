"""counters.admin.overview: the "Counters overview" page's buttons, on the second test database
(two routed targets, so a full check takes two steps): a check without drift, a step that cannot
run, a database that keeps no counters, requests that only look, and a project without the live
stream's URLs."""

from __future__ import annotations

import pgtrigger
import pytest
from django.contrib.messages import get_messages
from django.db import connections
from django.urls import reverse

import counters
from counters.models import CounterDelta
from counters.social.models import Follow
from tests.factories import UserFactory
from tests.routed.models import Board, Pin

pytestmark = pytest.mark.django_db(databases=["default", "second"])

SECOND = "second"
OVERVIEW = reverse("admin:counters_counteroverview_changelist")
RUN = reverse("admin:counters_counteroverview_run")
FOLD = reverse("admin:counters_counteroverview_fold")
RECOUNT_ROW = reverse("admin:counters_counteroverview_recount_row")


class DefaultOnly:
    """A router that migrates every app to the default database: the second keeps no counter."""

    def allow_migrate(self, db: str, app_label: str, **hints: object) -> bool:
        return db == "default"


def texts(response) -> list[str]:  # noqa: ANN001
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def boards() -> list[Board]:
    first, other = Board.objects.create(name="a"), Board.objects.create(name="b")
    Pin.objects.bulk_create([Pin(board=first) for _ in range(3)] + [Pin(board=other)])
    return [first, other]


def follow_steps(admin_client, response):  # noqa: ANN001, ANN201
    """Post the progress page's continue form until the job ends (as its script would)."""
    steps = 1
    while response.status_code == 200:
        assert b'id="counters-continue"' in response.content
        response = admin_client.post(RUN, {"mode": "continue"})
        steps += 1
    return steps, response


def test_a_full_check_without_drift_says_so_and_asks_for_no_recount(admin_client, boards):
    steps, response = follow_steps(
        admin_client, admin_client.post(RUN, {"mode": "check", "database": SECOND})
    )
    assert steps == 2  # routed.Board, then routed.PinTotals
    assert response.status_code == 302 and response.url == f"{OVERVIEW}?database={SECOND}"
    page = admin_client.get(response.url)
    assert texts(page) == ["Full check done: 0 drifted value(s) found (up to 2 rows per model)."]
    result = admin_client.session["counters_result"]
    assert {c["label"]: c["rows_checked"] for c in result["counters"]} == {
        "routed.Board.pins_count": 2,
        "routed.PinTotals.pins": 1,
    }


def test_a_step_that_cannot_run_ends_the_job_with_the_reason(admin_client, boards):
    [insert] = [t for m, t in pgtrigger.registered() if m is Pin and t.name == "counters_insert"]
    with connections[SECOND].cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the pins' pending FK checks first
    insert.disable(Pin, database=SECOND)  # inside the test's transaction on that database
    response = admin_client.post(RUN, {"mode": "check", "database": SECOND})
    assert response.status_code == 302 and response.url == f"{OVERVIEW}?database={SECOND}"
    assert "counters_job" not in admin_client.session
    [text] = texts(admin_client.get(response.url))
    assert text.startswith(
        "Could not run: the database does not keep these counters: triggers counters_insert on "
        "routed.Pin (disabled)."
    )
    response = admin_client.post(RUN, {"mode": "continue"}, follow=True)
    assert texts(response) == ["Nothing to run: choose a check or a recount."]


def test_a_database_that_keeps_no_counters_has_nothing_to_check_and_no_choice(
    admin_client, settings
):
    settings.DATABASE_ROUTERS = [f"{__name__}.DefaultOnly"]
    html = admin_client.get(OVERVIEW, {"database": SECOND}).content.decode()
    assert 'id="counter-databases"' not in html  # one database keeps them all: nothing to choose
    assert "routed.Board.pins_count" not in html
    response = admin_client.post(RUN, {"mode": "check", "database": SECOND})
    assert response.status_code == 302 and response.url == f"{OVERVIEW}?database={SECOND}"
    assert "counters_job" not in admin_client.session
    assert "counters_result" not in admin_client.session
    assert texts(admin_client.get(response.url)) == []


def test_get_requests_to_the_buttons_change_nothing(admin_client, writers_do_not_fold):
    star, fan = UserFactory.create_batch(2)
    Follow.objects.create(follower=fan, followed=star)
    counters.fold()
    with counters.deferred():
        Follow.objects.create(follower=star, followed=fan)
    pending = CounterDelta.objects.count()
    assert pending > 0
    for url in (FOLD, RECOUNT_ROW, RUN):
        response = admin_client.get(url, {"target": "counters_social.UserStats", "key": star.pk})
        assert response.status_code == 302 and response.url == OVERVIEW
    assert CounterDelta.objects.count() == pending
    assert admin_client.get(FOLD, {"database": SECOND}).url == f"{OVERVIEW}?database={SECOND}"


def test_viewers_are_sent_back_from_every_button(client, django_user_model):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_counteroverview"))
    client.force_login(viewer)
    for url, data in (
        (FOLD, {}),
        (RECOUNT_ROW, {"target": "counters_social.UserStats", "key": "1"}),
    ):
        response = client.post(url, data, follow=True)
        assert texts(response) == ["You may look at the counters, not change them."]


@pytest.mark.urls("tests.urls_engine")
def test_without_the_librarys_urls_the_overview_has_no_live_panel(admin_client):
    html = admin_client.get(OVERVIEW).content.decode()
    assert "counters_social.GlobalStats.total_follows" in html
    assert "data-live-counters" not in html


def test_with_the_librarys_urls_the_overview_streams_the_public_totals(admin_client):
    html = admin_client.get(OVERVIEW).content.decode()
    assert f'data-stream="{reverse("counters:stream")}"' in html


def test_the_second_database_has_its_own_tables(boards):
    with connections[SECOND].cursor() as cursor:
        cursor.execute("SELECT count(*) FROM routed_pin")
        assert cursor.fetchone()[0] == Pin.objects.count() == 4

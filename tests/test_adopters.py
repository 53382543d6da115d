"""A team's own app (tests/adopters) on the schemas Django projects really have: many-to-many
through tables, auth's models, ``to_field`` foreign keys, UUID and text keys, a table in an explicit
schema. Every counter is compared with a COUNT(*) computed by the ORM, never by the library.

This module imports nothing of ``counters.social``: it also runs with the engine alone
(``--ds=tests.settings_engine``, see the Makefile).
"""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

import counters
from tests.adopters.models import (
    Article,
    Comment,
    MemberStats,
    Order,
    Shop,
    SiteTotals,
    Tag,
    Tagging,
)
from tests.factories import UserFactory
from tests.utils import assert_exact as exact
from tests.utils import inject

pytestmark = pytest.mark.django_db
SECOND = "second" in settings.DATABASES  # the test settings' second database (tests.routed)
Like = Article.likes.through
Membership = User.groups.through


def assert_exact() -> None:
    """Every adopters counter equals what the ORM's aggregates over its declaration say (a
    missing stats row reads as 0), and the recount engine agrees."""
    exact(Article, MemberStats, Shop, Tag, SiteTotals)
    labels = [c.label for c in counters.all_counters() if c.target._meta.app_label == "adopters"]
    assert not counters.check(labels).drifted  # the recount engine agrees, on every key type


def test_many_to_many_likes_through_add_remove_clear_set_and_both_sides():
    users = UserFactory.create_batch(5)
    first, second = Article.objects.create(slug="a"), Article.objects.create(slug="b")
    first.likes.add(*users[:3])
    second.likes.add(users[0])
    assert_exact()
    first.likes.remove(users[1])
    users[4].liked_articles.add(first, second)  # the reverse side
    assert Article.objects.get(pk=first.pk).likes_count == 3
    assert MemberStats.objects.get(pk=users[4].username).likes_given == 2
    assert_exact()
    first.likes.set([users[1], users[2]])
    second.likes.clear()
    assert_exact()
    Like.objects.bulk_create([Like(article=second, user=u) for u in users])
    Like.objects.filter(user__in=users[:2]).delete()
    assert_exact()
    users[2].delete()  # deleting one side removes its through rows
    second.delete()
    assert_exact()


def test_raw_sql_on_the_through_table():
    user = UserFactory()
    article = Article.objects.create(slug="raw")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Like._meta.db_table} (article_id, user_id) VALUES (%s, %s)",
            [article.pk, user.pk],
        )
    assert Article.objects.get(pk=article.pk).likes_count == 1
    assert MemberStats.objects.get(pk=user.username).likes_given == 1
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {Like._meta.db_table}")
    assert_exact()


def test_to_field_foreign_key_counts_on_the_row_it_names():
    a = Article.objects.create(slug="first")
    b = Article.objects.create(slug="second")  # ids differ from the slugs' order on purpose
    Comment.objects.create(article=a)
    Comment.objects.bulk_create([Comment(article=b) for _ in range(3)])
    assert (
        Article.objects.get(pk=a.pk).comments_count,
        Article.objects.get(pk=b.pk).comments_count,
    ) == (1, 3)
    Comment.objects.filter(article=b).update(article=a)  # move them all
    assert_exact()
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO adopters_comment (article_id, body) VALUES ('second', 'raw')")
    assert Article.objects.get(pk=b.pk).comments_count == 1
    Comment.objects.filter(article=a).delete()
    assert_exact()


def test_renaming_the_referenced_column_keeps_counts_in_either_order():
    """The slug a to_field points at may change, with its comments moved in the same
    transaction (foreign keys are checked at commit): the key model is on the path."""
    article = Article.objects.create(slug="old")
    Comment.objects.bulk_create([Comment(article=article) for _ in range(4)])
    with transaction.atomic():
        Article.objects.filter(pk=article.pk).update(slug="new")
        Comment.objects.filter(article_id="old").update(article_id="new")
    assert Article.objects.get(pk=article.pk).comments_count == 4
    with transaction.atomic():
        Comment.objects.filter(article_id="new").update(article_id="newer")
        Article.objects.filter(pk=article.pk).update(slug="newer")
    assert Article.objects.get(pk=article.pk).comments_count == 4
    assert_exact()


def test_the_latest_comment_through_a_to_field_key():
    t0 = datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC)
    a, b = Article.objects.create(slug="a"), Article.objects.create(slug="b")
    Comment.objects.bulk_create(
        [Comment(article=a, created_at=t0 + datetime.timedelta(hours=h)) for h in (1, 5, 3)]
    )
    assert Article.objects.get(pk=a.pk).last_comment_at == t0 + datetime.timedelta(hours=5)
    Comment.objects.filter(created_at=t0 + datetime.timedelta(hours=5)).update(article=b)
    assert Article.objects.get(pk=a.pk).last_comment_at == t0 + datetime.timedelta(hours=3)
    assert Article.objects.get(pk=b.pk).last_comment_at == t0 + datetime.timedelta(hours=5)
    with transaction.atomic():  # the slug it points at is renamed, comments moved along
        Article.objects.filter(pk=a.pk).update(slug="a2")
        Comment.objects.filter(article_id="a").update(article_id="a2")
    assert Article.objects.get(pk=a.pk).last_comment_at == t0 + datetime.timedelta(hours=3)
    Comment.objects.filter(article_id="b").delete()
    assert Article.objects.get(pk=b.pk).last_comment_at is None
    counters.fold()
    assert_exact()


def test_uuid_keyed_target_with_a_condition_and_recount():
    shops = [Shop.objects.create(name=str(i)) for i in range(7)]
    Order.objects.bulk_create(
        [
            Order(shop=s, paid=i % 2 == 0, amount=Decimal(i) + Decimal("0.25"))
            for i, s in enumerate(shops * 3)
        ]
    )
    assert_exact()
    Order.objects.filter(shop=shops[0]).update(paid=True)
    Order.objects.filter(shop=shops[1]).update(shop=shops[2])
    Order.objects.filter(shop=shops[3]).update(shop=None)
    Order.objects.filter(shop=shops[4]).delete()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO adopters_order (shop_id, paid) VALUES (%s, true)", [shops[5].pk]
        )
    assert_exact()
    inject("UPDATE adopters_shop SET paid_orders_count = paid_orders_count + 9")
    report = counters.check(["adopters.Shop"], batch_size=2)  # keyset batches over UUIDs
    assert report.counters[0].rows_checked == 7 and report.counters[0].rows_drifted == 7
    assert isinstance(report.counters[0].examples[0]["key"], uuid.UUID)
    counters.recount(["adopters.Shop"], batch_size=3)
    assert_exact()
    one = counters.compare(Shop, [shops[6].pk, str(shops[0].pk)])
    found = {c.counter.field.name: c.true for c in one[shops[6].pk]}
    paid = Order.objects.filter(shop=shops[6], paid=True)
    assert found == {
        "paid_orders_count": paid.count(),
        "paid_total": sum((o.amount for o in paid), Decimal(0)),
    }
    assert shops[0].pk in one


def test_text_keys_in_a_schema_qualified_table():
    python, django = Tag.objects.create(name="python"), Tag.objects.create(name="Django")
    article = Article.objects.create(slug="t")
    Tagging.objects.bulk_create(
        [
            Tagging(tag=t, article=article, visible=i % 3 != 0)
            for i, t in enumerate([python, django] * 4)
        ]
    )
    assert_exact()
    Tagging.objects.filter(tag=python).update(visible=True)
    Tagging.objects.filter(tag=django, visible=True).update(tag=python)
    with connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO public."Adopters_Taggings" (tag_id, article_id, visible) VALUES (%s, %s, true)',
            ["Django", article.pk],
        )
    assert Tag.objects.get(pk="Django").uses_count == 1
    Tagging.objects.filter(visible=True, tag=python)[:1].get().delete()
    assert_exact()
    inject("UPDATE adopters_tag SET uses_count = 0")
    counters.recount(["adopters.Tag"], batch_size=1, start_after="A")
    assert_exact()


def test_totals_of_models_of_an_app_the_team_does_not_own():
    users = UserFactory.create_batch(4)
    User.objects.bulk_create([User(username=f"bulk{i}") for i in range(5)])
    groups = Group.objects.bulk_create([Group(name=f"g{i}") for i in range(3)])
    assert_exact()
    User.objects.filter(pk__in=[u.pk for u in users[:2]]).update(is_staff=True)
    users[0].groups.add(*groups)
    groups[1].user_set.add(users[1], users[2])
    users[0].groups.remove(groups[0])
    assert SiteTotals.objects.get().memberships_count == 4
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO auth_group (name) VALUES ('raw')")
    groups[2].delete()
    users[1].delete()
    User.objects.filter(username__startswith="bulk").delete()
    assert_exact()


def test_stale_save_of_a_target_just_works():
    article = Article.objects.create(slug="stale", title="before")
    loaded = Article.objects.get(pk=article.pk)
    Comment.objects.create(article=article)  # elsewhere, meanwhile
    loaded.title = "after"
    loaded.save()  # writes every column, comments_count=0 among them
    fresh = Article.objects.get(pk=article.pk)
    assert (fresh.title, fresh.comments_count) == ("after", 1)
    shop = Shop.objects.create()
    stale = Shop.objects.get(pk=shop.pk)
    Order.objects.create(shop=shop, paid=True)
    stale.name = "renamed"
    stale.save()
    assert Shop.objects.get(pk=shop.pk).paid_orders_count == 1
    assert_exact()


@pytest.mark.django_db(databases=["default", "second"] if SECOND else ["default"])
def test_triggers_live_in_the_declaring_apps_migrations_only():
    """No migration for auth (or any package) is needed; the proxies that carry the triggers on
    auth.User, auth.Group and both through tables are in the adopters app's own migrations."""
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
    loader = MigrationLoader(None, ignore_no_migrations=True)
    operations = [
        op
        for (app, _), migration in loader.disk_migrations.items()
        if app == "adopters"
        for op in migration.operations
    ]
    proxies = {
        op.name
        for op in operations
        if type(op).__name__ == "CreateModel" and op.options.get("proxy")
    }
    assert proxies == {
        "AuthUserCounters",
        "AuthGroupCounters",
        "AuthUser_groupsCounters",
        "AdoptersArticle_likesCounters",
    }
    triggered = {op.model_name for op in operations if type(op).__name__ == "AddTrigger"}
    assert {name.lower() for name in proxies} <= triggered
    from tests.adopters import models as declaring

    assert declaring.AuthUserCounters._meta.proxy  # importable where its __module__ says
    for (app, name), migration in loader.disk_migrations.items():
        if app == "auth":
            assert type(migration).__module__.startswith("django.contrib.auth."), name


def test_the_admin_overview_works_with_whatever_the_project_declares(admin_client):
    SiteTotals.objects.all().delete()
    UserFactory.create_batch(2)
    html = admin_client.get(reverse("admin:counters_counteroverview_changelist")).content.decode()
    assert 'data-counter="adopters.SiteTotals.users_count"' in html
    assert "adopters.Shop.paid_orders_count" in html
    response = admin_client.post(
        reverse("admin:counters_counteroverview_recount_row"),
        {"target": "adopters.Shop", "key": "not-a-uuid"},
        follow=True,
    )
    assert response.status_code == 200
    assert any(
        "is not a valid key of adopters.Shop" in str(m) for m in response.context["messages"]
    )


def test_the_project_checks_clean_with_or_without_the_social_app():
    from django.apps import apps

    call_command("check", verbosity=0)
    declared = {c.target._meta.app_label for c in counters.all_counters()}
    expected = {"testapp", "adopters"} | {
        label
        for label, name in (
            ("counters_social", "counters.social"),
            ("routed", "tests.routed"),
            ("ecosystem", "tests.ecosystem"),
            ("partitioned", "tests.partitioned"),
            ("dbcascade", "tests.dbcascade"),
        )
        if apps.is_installed(name)
    }
    assert declared == expected


def test_the_overview_checks_uuid_and_text_keyed_targets_in_steps(admin_client, monkeypatch):
    """Each step's resume key is kept in the session (JSON) as text, whatever the key type."""
    from counters.admin import jobs as counters_jobs

    monkeypatch.setattr(counters_jobs, "STEP_SECONDS", 1e-6)
    monkeypatch.setattr(counters_jobs, "STEP_BATCH_SIZE", 2)
    shops = [Shop.objects.create() for _ in range(5)]
    Order.objects.bulk_create([Order(shop=s, paid=True) for s in shops])
    for name in "abcde":
        Tag.objects.create(name=name)
    inject("UPDATE adopters_shop SET paid_orders_count = 0")
    run = reverse("admin:counters_counteroverview_run")
    response = admin_client.post(run, {"mode": "recount"})
    steps = 1
    while response.status_code == 200:
        response = admin_client.post(run, {"mode": "continue"})
        steps += 1
    assert steps > 5 and response.status_code == 302
    assert_exact()

"""Uninstalling: every counter trigger and guard leaves the database; counters_install puts them
back.

Runs with the engine alone too (no counters.social import)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

import counters
from counters.installation import installed_triggers
from tests.adopters.models import Article, Comment, Shop
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def trigger_names() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'pgtrigger_counters%%' "
            "OR tgname LIKE 'counters_partition%%'"
        )
        return {row[0] for row in cursor.fetchall()}


def test_uninstall_drops_every_counter_trigger_and_install_puts_them_back():
    before = installed_triggers()
    tables = {t.table for t in before}
    assert {"adopters_article", "auth_user", '"Adopters_Taggings"'} <= tables
    assert {t.name for t in before} == trigger_names()
    out = io.StringIO()
    call_command("counters_uninstall", "--dry-run", "-v", "2", stdout=out)
    assert f"Would drop {len(before)} counter trigger(s)" in out.getvalue()
    assert "on adopters_article" in out.getvalue() and trigger_names()  # nothing dropped
    call_command("counters_uninstall", stdout=out)
    assert trigger_names() == set()
    with connection.cursor() as cursor:  # the views and the fold function went too
        cursor.execute("SELECT to_regclass('adopters_shop_exact'), to_regproc('counters_fold')")
        assert cursor.fetchone() == (None, None)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_proc WHERE proname LIKE 'pgtrigger_counters%%'")
        assert cursor.fetchone()[0] == 0
    article = Article.objects.create(slug="x")
    Comment.objects.create(article=article)
    article.refresh_from_db()
    assert article.comments_count == 0  # no longer kept
    UserFactory()  # auth's table has no counter trigger left either
    out = io.StringIO()
    call_command("counters_install", stdout=out)
    assert f"Installed {len(before)} counter trigger(s)" in out.getvalue()
    assert trigger_names() == {t.name for t in before}
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('adopters_shop_exact'), to_regproc('counters_fold')")
        assert None not in cursor.fetchone()
    counters.recount(["adopters.Article"])
    article.refresh_from_db()
    assert article.comments_count == 1
    Comment.objects.create(article=article)
    shop = Shop.objects.create()
    article.refresh_from_db()
    assert article.comments_count == 2 and shop.paid_orders_count == 0


def relations(*names: str) -> list[object]:
    """``to_regclass`` of each name (``None``: no such table or view)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join("to_regclass(%s)::text" for _ in names), list(names))
        return list(cursor.fetchone())


def test_migrate_counters_zero_names_counters_uninstall_first_and_works_after_it():
    """``migrate counters zero`` drops counters_delta, which every installed counter trigger
    appends to: it is refused (a CommandError, nothing dropped) until ``counters_uninstall`` has
    removed them, and then works, leaving no view or function of ours behind; writes go on
    uncounted, and migrating back plus counters_install counts again. (Inside the test's
    transaction: PostgreSQL rolls the DDL back for the next test.)"""
    from django.core.management.base import CommandError

    article = Article.objects.create(slug="zero")
    with pytest.raises(CommandError, match=r"Run `manage.py counters_uninstall` first"):
        call_command("migrate", "counters", "zero", verbosity=0)
    assert None not in relations("counters_delta", "counters_state", "adopters_shop_exact")
    call_command("counters_uninstall", verbosity=0)
    call_command("migrate", "counters", "zero", verbosity=0)
    assert relations("counters_delta", "counters_state", "adopters_shop_exact") == [None] * 3
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regproc('counters_fold')")
        assert cursor.fetchone()[0] is None
    Comment.objects.create(article=article)  # no trigger left to append to a missing table
    UserFactory()
    call_command("migrate", "counters", verbosity=0)
    assert None not in relations("counters_delta", "adopters_shop_exact")
    call_command("counters_install", verbosity=0)
    counters.recount(["adopters.Article"])
    Comment.objects.create(article=article)
    article.refresh_from_db()
    assert article.comments_count == 2


def test_the_ignore_check_replaced_is_the_one_pgtrigger_calls(settings):
    """The name is derived from pgtrigger's public setting; if pgtrigger ever names its check
    otherwise, this fails (and the cheaper check would be installed beside, not instead)."""
    import pgtrigger.core

    from counters.sql.objects import ignore_check_name

    for schema in ("public", "tools"):
        settings.PGTRIGGER_SCHEMA = schema
        assert ignore_check_name(schema) == pgtrigger.core._ignore_func_name()

"""System checks, each by its stable ID."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import models
from django.test import override_settings

from counters import checks, registry
from counters.declarations import Count, Events
from tests.testapp.models import Article, Blog, Profile


def problem_ids(*declared) -> list[str]:
    return [problem.id for problem in registry.resolve_all(list(declared)).problems]


@pytest.mark.parametrize(
    ("declaration", "target", "code", "named"),
    [
        (Count("nope", source="testapp.Article", path="blog"), Blog, "E003", "testapp.Blog.nope"),
        (Count("name", source="testapp.Article", path="blog"), Blog, "E004", "testapp.Blog.name"),
        (Events("name"), Blog, "E004", "testapp.Blog.name"),
        (Count("articles_count", source="testapp.Missing", path="blog"), Blog, "E005", "Missing"),
        (Count("articles_count", source="testapp.Article", path="title"), Blog, "E006", "title"),
        (
            Count("articles_count", source="testapp.Article", path="blog"),
            Profile,
            "E003",
            "Profile",
        ),
        (Count("answers_count", source="testapp.Article", path="blog"), Profile, "E007", "Blog"),
        (Count("articles_count", source=Article, path=None), Blog, "E007", "single-row"),
        (
            Count(
                "articles_count", source=Article, path="blog", condition=models.Q(blog__name="x")
            ),
            Blog,
            "E008",
            "Joined field",
        ),
        (
            Count("articles_count", source=Article, path="blog", condition=models.Q(nope=1)),
            Blog,
            "E008",
            "nope",
        ),
    ],
)
def test_bad_declarations_are_reported_by_id(declaration, target, code, named):
    resolved = registry.resolve_all([(target, declaration)])
    assert [p.id for p in resolved.problems] == [f"counters.{code}"]
    assert named in resolved.problems[0].message
    assert resolved.counters == []


def test_duplicate_declaration_is_e009():
    count = Count("articles_count", source=Article, path="blog")
    assert problem_ids((Blog, count), (Blog, count)) == ["counters.E009"]


def test_manage_py_check_fails_naming_the_field(monkeypatch):
    bad = registry.resolve_all([(Blog, Count("name", source=Article, path="blog"))])
    monkeypatch.setattr(registry, "problems", lambda: bad.problems)
    with pytest.raises(SystemCheckError, match=r"counters\.E004.*testapp\.Blog\.name"):
        call_command("check")


def test_clean_project_passes_check():
    call_command("check")
    assert checks.check_declarations() == []


@pytest.mark.filterwarnings("ignore:Overriding setting DATABASES")
def test_e001_backend_must_be_postgresql():
    with override_settings(DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3"}}):
        errors = checks.check_backend(databases=["default"])
    assert [e.id for e in errors] == ["counters.E001"]


def test_e002_pgtrigger_must_be_installed(monkeypatch):
    real = apps.is_installed
    monkeypatch.setattr(apps, "is_installed", lambda name: name != "pgtrigger" and real(name))
    assert [e.id for e in checks.check_declarations()] == ["counters.E002"]


@pytest.mark.django_db
def test_makemigrations_finds_nothing_to_do():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_w001_slotted_counters_need_the_counter_manager():
    from counters.social.models import GlobalStats

    slotted = [c for c in registry.all_counters() if c.slots]
    assert checks.check_slot_readers(slotted) == []  # the built-in models are set up right
    blog_counter = registry.resolve_all(
        [(Blog, Count("articles_count", source=Article, path="blog"))]
    ).counters[0]
    import dataclasses

    # a stats-style target whose managers are Django's plain ones
    fake = dataclasses.replace(registry.get_counter(GlobalStats, "total_posts"), target=Blog)
    warnings = checks.check_slot_readers([blog_counter, fake])
    assert [w.id for w in warnings] == ["counters.W001"]
    assert "testapp.Blog" in warnings[0].msg and "default and base" in warnings[0].msg

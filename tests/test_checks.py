"""System checks, each by its stable ID."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import models
from django.test import override_settings
from django.test.utils import isolate_apps

from counters import checks
from counters.core import registry
from counters.core.declarations import Count, Events
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


@pytest.mark.django_db(databases=["default", "second"])  # it reads both migration histories
def test_makemigrations_finds_nothing_to_do():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_w002_slots_are_deprecated_not_an_error():
    resolved = registry.resolve_all(
        [(Blog, Count("articles_count", source=Article, path="blog", slots=16))]
    )
    assert resolved.problems == [] and len(resolved.counters) == 1
    assert [w.id for w in resolved.warnings] == ["counters.W002"]
    assert "deprecated and ignored" in resolved.warnings[0].message


# -- shapes that cannot be kept exact are refused by ID, before any trigger is written ----------


@isolate_apps("tests.testapp")
def test_e011_a_counter_column_must_be_not_null():
    class Box(models.Model):
        class Meta:
            app_label = "testapp"

        things = models.IntegerField(null=True, db_default=0)

    class Thing(models.Model):
        class Meta:
            app_label = "testapp"

        box = models.ForeignKey(Box, on_delete=models.CASCADE)

    resolved = registry.resolve_all([(Box, Count("things", source=Thing, path="box"))])
    assert [p.id for p in resolved.problems] == ["counters.E011"]
    assert "testapp.Box.things, which is nullable" in resolved.problems[0].message
    assert problem_ids((Box, Events("things"))) == ["counters.E011"]


@isolate_apps("tests.testapp")
def test_e012_rows_the_triggers_create_need_database_defaults():
    from django.contrib.auth.models import User

    class Card(models.Model):
        class Meta:
            app_label = "testapp"

        user = models.OneToOneField(User, primary_key=True, on_delete=models.CASCADE)
        nickname = models.CharField(max_length=20, default="x")  # a Python default only
        notes = models.TextField(null=True)  # nullable: fine
        level = models.IntegerField(db_default=1)  # a database default: fine
        cards = models.IntegerField(default=0, db_default=0)

    class Play(models.Model):
        class Meta:
            app_label = "testapp"

        user = models.ForeignKey(User, on_delete=models.CASCADE)

    resolved = registry.resolve_all([(Card, Count("cards", source=Play, path="user"))])
    assert [p.id for p in resolved.problems] == ["counters.E012"]
    assert "column nickname is NOT NULL without a database default" in resolved.problems[0].message
    assert resolved.counters == []  # no trigger that would fail every write


@isolate_apps("tests.testapp")
def test_e012_does_not_apply_to_rows_that_exist_already():
    class Shelf(models.Model):
        class Meta:
            app_label = "testapp"

        label = models.CharField(max_length=20)  # NOT NULL, no default: the app creates shelves
        books = models.IntegerField(default=0, db_default=0)

    class Book(models.Model):
        class Meta:
            app_label = "testapp"

        shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE)

    assert problem_ids((Shelf, Count("books", source=Book, path="shelf"))) == []


@isolate_apps("tests.testapp")
def test_e013_a_path_through_an_inherited_foreign_key():
    class Owner(models.Model):
        class Meta:
            app_label = "testapp"

        places = models.IntegerField(default=0, db_default=0)

    class Place(models.Model):
        class Meta:
            app_label = "testapp"

        owner = models.ForeignKey(Owner, on_delete=models.CASCADE)

    class Restaurant(Place):
        class Meta:
            app_label = "testapp"

        pass

    assert problem_ids((Owner, Count("places", source=Restaurant, path="owner"))) == [
        "counters.E013"
    ]
    assert problem_ids((Owner, Count("places", source=Place, path="owner"))) == []


@isolate_apps("tests.testapp")
def test_e014_composite_primary_keys_are_refused():
    class Team(models.Model):
        class Meta:
            app_label = "testapp"

        members = models.IntegerField(default=0, db_default=0)

    class Seat(models.Model):
        class Meta:
            app_label = "testapp"

        pk = models.CompositePrimaryKey("team_id", "number")
        team = models.ForeignKey(Team, on_delete=models.CASCADE)
        number = models.IntegerField()

    resolved = registry.resolve_all([(Team, Count("members", source=Seat, path="team"))])
    assert [p.id for p in resolved.problems] == ["counters.E014"]
    assert "composite primary key" in resolved.problems[0].message


def test_e006_a_many_to_many_path_says_which_through_table_to_count():
    from tests.adopters.models import Article as Liked

    resolved = registry.resolve_all([(Liked, Count("likes_count", source=Liked, path="likes"))])
    assert [p.id for p in resolved.problems] == ["counters.E006"]
    message = resolved.problems[0].message
    assert "source='adopters.Article_likes', path='article'" in message


# -- Sum, Min and Max ------------------------------------------------------------------------


@isolate_apps("tests.testapp")
def test_e016_e017_and_w003_for_sums_and_extremes():
    from counters.core.declarations import Max, Sum

    class Cart(models.Model):
        class Meta:
            app_label = "testapp"

        total = models.DecimalField(max_digits=12, decimal_places=2, db_default=0)
        coarse = models.DecimalField(max_digits=12, decimal_places=1, db_default=0)
        weight = models.FloatField(db_default=0)
        latest = models.DateTimeField(null=True)
        latest_required = models.DateTimeField(db_default=models.functions.Now())
        latest_day = models.DateField(null=True)
        nullable_total = models.DecimalField(max_digits=12, decimal_places=2, null=True)

    class Item(models.Model):
        class Meta:
            app_label = "testapp"
            indexes = [models.Index(fields=["cart", "-added"], name="item_cart_added")]

        cart = models.ForeignKey(Cart, on_delete=models.CASCADE)
        price = models.DecimalField(max_digits=10, decimal_places=2)
        grams = models.FloatField()
        label = models.CharField(max_length=10)
        added = models.DateTimeField()

    def ids(declaration: object) -> list[str]:
        resolved = registry.resolve_all([(Cart, declaration)])
        return [p.id for p in resolved.problems] + [w.id for w in resolved.warnings]

    def message(declaration: object) -> str:
        resolved = registry.resolve_all([(Cart, declaration)])
        return " ".join(p.message for p in [*resolved.problems, *resolved.warnings])

    assert ids(Sum("total", source=Item, path="cart", column="price")) == []
    assert ids(Max("latest", source=Item, path="cart", column="added")) == []  # the index serves
    # floats and texts cannot be kept exactly
    assert ids(Sum("weight", source=Item, path="cart", column="grams")) == ["counters.E016"]
    assert "floats cannot be summed exactly" in message(
        Sum("weight", source=Item, path="cart", column="grams")
    )
    assert ids(Max("latest", source=Item, path="cart", column="label")) == ["counters.E016"]
    assert ids(Sum("total", source=Item, path="cart", column="nope")) == ["counters.E003"]
    # the target must hold what the source gives: type, decimal places, NULL for extremes
    assert ids(Sum("coarse", source=Item, path="cart", column="price")) == ["counters.E017"]
    assert "at least 2 decimal places" in message(
        Sum("coarse", source=Item, path="cart", column="price")
    )
    assert ids(Max("latest_day", source=Item, path="cart", column="added")) == ["counters.E017"]
    assert ids(Max("latest_required", source=Item, path="cart", column="added")) == [
        "counters.E017"
    ]
    assert "must be null=True" in message(
        Max("latest_required", source=Item, path="cart", column="added")
    )
    assert ids(Sum("nullable_total", source=Item, path="cart", column="price")) == ["counters.E011"]
    # no index starts with (cart_id, price): the recompute after a delete would scan a cart
    assert ids(Max("nullable_total", source=Item, path="cart", column="price")) == ["counters.W003"]
    assert "models.Index(fields=['cart', 'price'])" in message(
        Max("nullable_total", source=Item, path="cart", column="price")
    )
    with pytest.raises(TypeError, match="needs column="):
        Sum("total", source=Item, path="cart")


def test_declaration_errors_carry_their_check_id():
    from counters.exceptions import CounterDeclarationError

    with pytest.raises(CounterDeclarationError) as info:
        registry.resolve(Blog, Count("nope", source="testapp.Article", path="blog"))
    assert info.value.id == "counters.E003"
    assert info.value.message.startswith("Count on testapp.Blog names field testapp.Blog.nope")
    assert str(info.value) == info.value.message

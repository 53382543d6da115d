"""counters.core.keys: a key typed by a person (``--ids 42``, a form, a URL) is accepted only if the
target's key column could hold it; anything else is a ``ValueError`` naming the model, never a
database error."""

from __future__ import annotations

import uuid

import pytest
from django.core.management.base import CommandError
from django.db import models
from django.test.utils import isolate_apps

from counters.core.keys import clean_key, key_field
from counters.social.models import UserStats
from tests.adopters.models import MemberStats, Shop, Tag
from tests.testapp.models import Blog, QuizTotals
from tests.utils import command

BIGINT = 2**63 - 1


def refused(model, value) -> str:  # noqa: ANN001
    with pytest.raises(ValueError) as info:
        clean_key(model, value)
    return str(info.value)


def test_a_stats_tables_keys_are_its_owners_keys():
    assert key_field(UserStats).model._meta.label == "auth.User"
    assert key_field(MemberStats).name == "username"  # a to_field primary key
    assert key_field(Blog) is Blog._meta.pk


@pytest.mark.parametrize(
    ("value", "key"),
    [("42", 42), (" 42 ", 42), ("+7", 7), (42, 42), (str(BIGINT), BIGINT)],
)
def test_an_auto_incremented_key_is_a_positive_integer_within_its_column(value, key):
    assert clean_key(Blog, value) == key and type(clean_key(Blog, value)) is int


@pytest.mark.parametrize(
    "value", ["0", "-1", str(BIGINT + 1), "1e3", "4.2", "١٢", "", "42\x00", True, 4.0, None]
)
def test_anything_else_is_not_a_key_of_an_auto_incremented_column(value):
    assert refused(Blog, value) == f"{value!r} is not a valid key of testapp.Blog (BigAutoField)"


def test_a_positive_small_key_starts_at_zero_and_ends_at_its_columns_limit():
    assert clean_key(QuizTotals, "0") == 0 and clean_key(QuizTotals, 32767) == 32767
    assert "(PositiveSmallIntegerField)" in refused(QuizTotals, "32768")
    assert "(PositiveSmallIntegerField)" in refused(QuizTotals, -1)


@isolate_apps("tests.testapp")
def test_a_plain_integer_key_may_be_negative_within_its_columns_range():
    class Reading(models.Model):
        class Meta:
            app_label = "testapp"

        id = models.IntegerField(primary_key=True)

    assert clean_key(Reading, "-2147483648") == -(2**31)
    assert clean_key(Reading, "0") == 0
    assert refused(Reading, 2**31) == (
        "2147483648 is not a valid key of testapp.Reading (IntegerField)"
    )


def test_a_uuid_key_is_any_spelling_of_a_uuid():
    value = uuid.uuid4()
    assert clean_key(Shop, str(value)) == value
    assert clean_key(Shop, str(value).upper()) == value
    assert clean_key(Shop, value.hex) == value
    assert (
        refused(Shop, "not-a-uuid")
        == "'not-a-uuid' is not a valid key of adopters.Shop (UUIDField)"
    )
    assert "adopters.Shop (UUIDField)" in refused(Shop, 12.5)  # a TypeError inside: still ours


def test_a_text_key_fits_its_column_and_holds_no_nul():
    assert clean_key(Tag, "django") == "django"
    assert clean_key(Tag, "x" * 50) == "x" * 50
    assert refused(Tag, "x" * 51) == f"{'x' * 51!r} is not a valid key of adopters.Tag (CharField)"
    assert "adopters.Tag (CharField)" in refused(Tag, "a\x00b")
    assert clean_key(MemberStats, "alice") == "alice"  # the username a stats row is keyed by
    assert "(CharField)" in refused(MemberStats, "u" * 151)


@isolate_apps("tests.testapp")
def test_a_text_key_without_a_length_takes_any_text():
    class Note(models.Model):
        class Meta:
            app_label = "testapp"

        slug = models.TextField(primary_key=True)

    assert clean_key(Note, "y" * 10_000) == "y" * 10_000
    assert clean_key(Note, 7) == "7"


@pytest.mark.django_db
def test_a_command_given_a_bad_key_says_which_and_touches_nothing():
    with pytest.raises(CommandError, match=r"'1e3' is not a valid key of testapp.Blog"):
        command("backfill_counters", "testapp.Blog", "--ids", "1e3", "--no-progress")

"""counters.core.counter: a resolved counter's name, number and path, for the three ways its
deltas land (a stats row created on demand, a row that exists, the single row of totals)."""

from __future__ import annotations

from counters.core import registry
from counters.social.models import GlobalStats, UserStats
from counters.sql.quoting import stable_id
from tests.adopters.models import Article as AdoptedArticle
from tests.testapp.models import Blog, Profile


def test_a_counter_is_named_by_its_label_and_numbered_by_its_hash():
    counter = registry.get_counter(UserStats, "followers_count")
    assert str(counter) == counter.label == "counters_social.UserStats.followers_count"
    assert counter.id == stable_id("counters_social.UserStats.followers_count")
    assert f"{counter}" == counter.label  # how errors and logs write it


def test_a_stats_counter_is_keyed_by_the_column_its_owner_is_found_by():
    counter = registry.get_counter(Profile, "answers_count")
    assert (counter.mode, counter.path, counter.key_reference) == ("upsert", "session__user", "id")
    assert [m._meta.label for m in counter.path_models] == ["testapp.Answer", "testapp.QuizSession"]
    assert counter.key_model._meta.label == "auth.User" and not counter.translates_key


def test_a_counter_of_existing_rows_is_keyed_by_their_primary_key():
    counter = registry.get_counter(Blog, "articles_count")
    assert (counter.mode, counter.path, counter.key_reference) == ("update", "blog", "id")
    assert counter.key_model is Blog and counter.generic is None


def test_a_path_ending_at_another_column_joins_the_key_model_to_find_the_key():
    counter = registry.get_counter(AdoptedArticle, "comments_count")  # comments point at the slug
    assert counter.translates_key and counter.key_reference == "id"
    assert [m._meta.label for m in counter.path_models] == ["adopters.Comment", "adopters.Article"]


def test_a_single_row_total_has_no_path_and_no_key_column_to_find():
    counter = registry.get_counter(GlobalStats, "total_follows")
    assert (counter.mode, counter.path, counter.key_model, counter.key_reference) == (
        "singleton",
        None,
        None,
        None,
    )
    assert counter.singleton_key == 1 and not counter.translates_key
    assert [m._meta.label for m in counter.path_models] == ["counters_social.Follow"]

"""The declaration API is general: a conditional counter and a counter through two foreign keys."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from counters.core import registry
from counters.core.counter import Counter
from tests.factories import UserFactory
from tests.testapp.models import Answer, Article, Blog, Profile, QuizSession
from tests.utils import assert_exact

pytestmark = pytest.mark.django_db


def blog_counts(blog: Blog) -> tuple[int, int]:
    blog.refresh_from_db()
    return blog.published_count, blog.articles_count


def assert_blogs_exact() -> None:
    assert_exact(Blog)


def profile_counts(user) -> tuple[int, int]:
    profile = Profile.objects.filter(pk=user.pk).first()
    return (profile.answers_count, profile.correct_answers_count) if profile else (0, 0)


def assert_answers_exact() -> None:
    assert_exact(Profile, QuizSession)


def test_conditional_counter_counts_only_published_and_moves_on_publish():
    blog, other = Blog.objects.create(name="a"), Blog.objects.create(name="b")
    Article.objects.bulk_create([Article(blog=blog, published=i % 2 == 0) for i in range(10)])
    assert blog_counts(blog) == (5, 10)
    Article.objects.filter(blog=blog, published=False).update(published=True)  # publish
    assert blog_counts(blog) == (10, 10)
    first = Article.objects.filter(blog=blog).first()
    first.published = False  # unpublish one through save()
    first.save()
    assert blog_counts(blog) == (9, 10)
    Article.objects.filter(pk__in=Article.objects.filter(published=True).values("pk")[:3]).update(
        blog=other
    )  # move three published articles
    assert blog_counts(blog) == (6, 7) and blog_counts(other) == (3, 3)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE testapp_article SET published = NOT published")
    assert_blogs_exact()
    Article.objects.filter(blog=other).delete()
    assert blog_counts(other) == (0, 0)
    assert_blogs_exact()


def test_counter_through_two_foreign_keys():
    alice, bob = UserFactory.create_batch(2)
    s1 = QuizSession.objects.create(user=alice)
    s2 = QuizSession.objects.create(user=alice)
    Answer.objects.bulk_create([Answer(session=s1, correct=i < 2) for i in range(5)])
    Answer.objects.create(session=s2, correct=True)
    assert profile_counts(alice) == (6, 3)
    s1.refresh_from_db()
    assert s1.answers_count == 5
    # moving the intermediate row moves every answer under it to the new user
    QuizSession.objects.filter(pk=s1.pk).update(user=bob)
    assert profile_counts(alice) == (1, 1) and profile_counts(bob) == (5, 2)
    # moving answers between sessions
    Answer.objects.filter(session=s2).update(session=s1)
    assert profile_counts(alice) == (0, 0) and profile_counts(bob) == (6, 3)
    # nulling the user of a session removes its answers from the count
    QuizSession.objects.filter(pk=s1.pk).update(user=None)
    assert profile_counts(bob) == (0, 0)
    QuizSession.objects.filter(pk=s1.pk).update(user=alice)
    assert profile_counts(alice) == (6, 3)
    # deleting a session (its answers cascade first) and a user
    s1.delete()
    assert profile_counts(alice) == (0, 0)
    assert_answers_exact()


def test_two_fk_counter_with_raw_sql_in_either_order():
    alice, bob = UserFactory.create_batch(2)
    session = QuizSession.objects.create(user=alice)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO testapp_answer (session_id, correct) SELECT %s, g %% 2 = 0 "
            "FROM generate_series(1, 10) g",
            [session.pk],
        )
        assert profile_counts(alice) == (10, 5)
        cursor.execute("UPDATE testapp_quizsession SET user_id = %s", [bob.pk])
        assert profile_counts(alice) == (0, 0) and profile_counts(bob) == (10, 5)
        # the intermediate row deleted before its answers (foreign keys are checked at commit)
        with transaction.atomic():
            cursor.execute("DELETE FROM testapp_quizsession WHERE id = %s", [session.pk])
            assert profile_counts(bob) == (0, 0)
            cursor.execute("DELETE FROM testapp_answer WHERE session_id = %s", [session.pk])
            assert profile_counts(bob) == (0, 0)
    assert_answers_exact()


def test_counter_declaration_is_resolved_into_the_registry():
    labels = [counter.label for counter in registry.all_counters()]
    assert "counters_social.UserStats.followers_count" in labels
    assert "testapp.Profile.correct_answers_count" in labels
    counter = registry.get_counter(Profile, "answers_count")
    assert isinstance(counter, Counter)
    assert counter.path == "session__user" and counter.mode == "upsert"
    assert [m.__name__ for m in counter.path_models] == ["Answer", "QuizSession"]
    assert registry.get_counter(QuizSession, "answers_count").mode == "update"
    assert registry.get_counter(Blog, "published_count").condition_sql == 's0."published"'


def test_register_takes_declarations_only_and_says_what_it_got():
    import counters

    with pytest.raises(TypeError) as info:
        counters.register(counters.Count("n", source="testapp.Article", path="blog"), "views")
    assert str(info.value) == (
        "counters.register() takes Count(...), Sum(...), Min(...), Max(...) or Events(...), "
        "not 'views'"
    )

"""Distinct counts: ``Count(..., distinct="author")`` = the number of different non-null authors
among the counted rows, equal to the ORM's ``Count("author", distinct=True)`` after every kind of
write, under concurrent writers on the same people and articles, at every isolation level, read
through every path while another transaction holds the row, and recounted."""

from __future__ import annotations

import random

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

import counters
from counters.core.rules import resolve
from counters.models import CounterDelta
from tests.ecosystem.models import Article, ArticleStats, Like, Review
from tests.utils import OtherClient, assert_exact, run_threads

pytestmark = pytest.mark.django_db
User = get_user_model()


def exact() -> None:
    assert_exact(Article, ArticleStats)


def people(n: int) -> list:
    return [User.objects.create(username=f"u{i}-{random.random()}") for i in range(n)]


def test_a_second_review_by_the_same_author_counts_once_and_leaving_needs_every_review_gone():
    a, b = Article.objects.create(), Article.objects.create()
    ann, bob = people(2)
    first = Review.objects.create(article=a, author=ann, stars=5)
    exact()
    assert Article.objects.get(pk=a.pk).reviewers == 1
    second = Review.objects.create(article=a, author=ann, stars=2)
    Review.objects.create(article=a, author=None)  # no author: not a value
    exact()
    a.refresh_from_db()
    assert (a.reviewers, a.happy_reviewers) == (1, 1)
    assert ArticleStats.objects.get(pk=a.pk).reviewers == 1
    first.delete()  # ann still has a review
    exact()
    assert Article.objects.get(pk=a.pk).reviewers == 1
    assert Article.objects.get(pk=a.pk).happy_reviewers == 0
    Review.objects.filter(pk=second.pk).update(stars=4)  # the condition changes
    exact()
    assert Article.objects.get(pk=a.pk).happy_reviewers == 1
    Review.objects.filter(pk=second.pk).update(author=bob)  # the value changes
    Review.objects.create(article=b, author=bob)
    exact()
    second.delete()
    exact()
    assert Article.objects.get(pk=a.pk).reviewers == 0
    assert Article.objects.get(pk=b.pk).reviewers == 1


def test_bulk_moves_raw_sql_set_null_and_truncate():
    articles = [Article.objects.create() for _ in range(6)]
    authors = people(8)
    rng = random.Random(3)
    Review.objects.bulk_create(
        [
            Review(
                article=rng.choice(articles), author=rng.choice(authors), stars=rng.randint(1, 5)
            )
            for _ in range(400)
        ]
    )
    exact()
    Review.objects.filter(article=articles[0]).update(article=articles[1])  # bulk move
    Review.objects.filter(author=authors[0]).update(author=authors[1])  # two people become one
    exact()
    authors[2].delete()  # SET_NULL: their reviews stay, with no author
    exact()
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ecosystem_review (article_id, author_id, stars) "
            "SELECT %s, %s, 5 FROM generate_series(1, 10)",
            [articles[2].pk, authors[3].pk],
        )
        cursor.execute("DELETE FROM ecosystem_review WHERE author_id = %s", [authors[4].pk])
    exact()
    Review.objects.filter(pk__in=list(Review.objects.values_list("pk", flat=True)[:100])).delete()
    exact()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE ecosystem_review")
    exact()
    assert not Article.objects.filter(reviewers__gt=0).exists()
    counters.fold()
    assert_exact(Article, ArticleStats, folded=True)


def test_distinct_through_a_generic_relation():
    a = Article.objects.create()
    ann, bob = people(2)
    Like.objects.bulk_create(
        [Like(content_object=a, author=ann), Like(content_object=a, author=ann)]
        + [Like(content_object=a, author=bob)]
    )
    exact()
    assert Article.objects.get(pk=a.pk).likers == 2
    Like.objects.filter(author=bob).update(
        content_type=ContentType.objects.get_for_model(User)
    )  # moves to another type
    exact()
    assert Article.objects.get(pk=a.pk).likers == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("isolation", ["read committed", "repeatable read"])
def test_eight_writers_on_the_same_articles_and_people(isolation):
    articles = [Article.objects.create() for _ in range(3)]
    authors = people(4)

    def work(index: int) -> None:
        rng = random.Random(index)
        done = 0
        while done < 40:
            try:
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute(f"SET TRANSACTION ISOLATION LEVEL {isolation.upper()}")
                    if rng.random() < 0.6:
                        Review.objects.create(
                            article=rng.choice(articles),
                            author=rng.choice(authors),
                            stars=rng.randint(1, 5),
                        )
                    else:
                        Review.objects.filter(
                            pk__in=Review.objects.filter(author=rng.choice(authors)).values("pk")[
                                :1
                            ]
                        ).delete()
                done += 1
            except Exception as exc:  # a serialization failure of the app's own delete
                if "could not serialize" not in str(exc):
                    raise

    assert run_threads(8, work) == []
    exact()
    counters.fold()
    assert_exact(Article, ArticleStats, folded=True)


@pytest.mark.django_db(transaction=True)
def test_reads_are_exact_while_another_transaction_holds_the_row():
    """The other transaction holds the article's row; our reviews leave markers, and every
    selected read recomputes the distinct count."""
    a = Article.objects.create()
    ann, bob = people(2)
    Review.objects.create(article=a, author=ann)
    with OtherClient(autocommit=False) as other:
        other.execute("SELECT 1 FROM ecosystem_article WHERE id = %s FOR NO KEY UPDATE", [a.pk])
        Review.objects.create(article=a, author=bob)
        Review.objects.create(article=a, author=ann)
        assert CounterDelta.objects.filter(key=str(a.pk)).exists()  # it could not hold the row
        assert Article.objects.get(pk=a.pk).reviewers == 2
        assert Article.objects.values_list("reviewers", flat=True).get(pk=a.pk) == 2
        assert Review.objects.select_related("article").first().article.reviewers == 2
        other.rollback()
    exact()
    counters.fold()
    assert not CounterDelta.objects.filter(key=str(a.pk)).exists()
    assert_exact(Article, ArticleStats, folded=True)


def test_recount_fixes_a_distinct_count():
    a = Article.objects.create()
    Review.objects.bulk_create([Review(article=a, author=u) for u in people(3)])
    with counters.unguarded(), connection.cursor() as cursor:
        cursor.execute("UPDATE ecosystem_article SET reviewers = 9 WHERE id = %s", [a.pk])
    report = counters.check(["ecosystem.Article.reviewers"])
    assert report.counters[0].examples == [{"key": a.pk, "cached": 9, "true": 3}]
    counters.recount(["ecosystem.Article.reviewers"])
    exact()


def test_distinct_names_a_column_of_the_source():
    with pytest.raises(counters.CounterDeclarationError, match="distinct='nobody'") as info:
        resolve(
            Article, counters.Count("reviewers", source=Review, path="article", distinct="nobody")
        )
    assert info.value.id == "counters.E003"
    info_ = counters.all_counters()
    assert {(i.label, i.kind, i.column) for i in info_ if i.field == "reviewers"} >= {
        ("ecosystem.Article.reviewers", "distinct", "author")
    }

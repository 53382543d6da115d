"""Counters through generic relations, with the packages themselves: comments per object
(django-contrib-comments: a text ``object_pk``), tags per object (django-taggit: an integer
``object_id``), flags of those comments (a foreign key, then the generic relation), and likes
with a weight (Sum, Min). Targets keyed by integers, UUIDs and text, and a stats table. Every
count equals the ORM's own aggregate after each kind of write."""

from __future__ import annotations

import datetime
import random

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.test.utils import isolate_apps
from django.utils import timezone
from django_comments.models import Comment, CommentFlag
from taggit.models import Tag, TaggedItem

import counters
from counters.core.rules import resolve
from counters.exceptions import CounterDeclarationError
from tests.ecosystem.models import Article, ArticleStats, Document, Like, Page
from tests.live import asgi_server  # noqa: F401 (a fixture)
from tests.utils import assert_exact, run_threads

pytestmark = pytest.mark.django_db

MODELS = (Article, ArticleStats, Document, Page)
T0 = timezone.now().replace(microsecond=0)


def comment(obj: object, *, at: int = 0, **fields: object) -> Comment:
    return Comment(
        content_object=obj,
        site_id=1,
        user_name="reader",
        comment="Nice",
        submit_date=T0 + datetime.timedelta(minutes=at),
        **fields,
    )


def exact() -> None:
    """Every counter equals the ORM's aggregate over the rows whose object id is the key as
    Django writes it (``str(pk)``), and what a team reads through its own generic relation
    managers (``article.comments.count()``, ``article.tags.count()``) agrees. (Django's
    ``annotate(Count("comments"))`` casts every row's text id to the key's type, so it fails as
    soon as any object of another type has a key that is not a number.)"""
    assert_exact(*MODELS)
    for article in Article.objects.all():
        assert (article.comments_count, article.tags_count) == (
            article.comments.count(),
            article.tags.count(),
        )
    for obj in [*Document.objects.all(), *Page.objects.all()]:
        assert obj.comments_count == obj.comments.count()


def test_comments_through_the_orm_count_per_object_and_type():
    a, b = Article.objects.create(title="a"), Article.objects.create(title="b")
    doc, page = Document.objects.create(), Page.objects.create(slug="about")
    for obj in (a, a, b, doc, doc, doc, page):
        comment(obj).save()
    exact()
    a.refresh_from_db()
    assert (a.comments_count, a.visible_comments) == (2, 2)
    assert Document.objects.get(pk=doc.pk).comments_count == 3
    assert Page.objects.get(pk="about").comments_count == 1
    assert ArticleStats.objects.get(pk=a.pk).comments_count == 2  # created on demand
    later = comment(a, at=5)
    later.save()
    Comment.objects.filter(pk=later.pk).update(is_public=False)  # a condition changes
    exact()
    assert Article.objects.get(pk=a.pk).visible_comments == 2
    later.delete()
    exact()


def test_bulk_writes_moves_between_objects_and_types_and_malformed_ids():
    articles = [Article.objects.create(title=str(i)) for i in range(5)]
    docs = [Document.objects.create() for _ in range(3)]
    pages = [Page.objects.create(slug=f"p{i}") for i in range(3)]
    rows = [comment(random.Random(i).choice(articles + docs + pages), at=i) for i in range(300)]
    Comment.objects.bulk_create(rows)
    exact()
    article_type = ContentType.objects.get_for_model(Article)
    page_type = ContentType.objects.get_for_model(Page)
    # ids that name nothing, in forms Django never writes: not counted, and no error
    odd = ["007", " 1", "abc", "99999999999999999999999", "", "-0", str(articles[0].pk) + " "]
    Comment.objects.bulk_create(
        [comment(articles[0]) for _ in odd]
        + [comment(docs[0]), comment(docs[0]), comment(pages[0])]
    )
    latest = Comment.objects.order_by("-pk")
    for row, written in zip(latest[3 : 3 + len(odd)], odd, strict=True):
        Comment.objects.filter(pk=row.pk).update(object_pk=written)
    doc_rows = list(latest[1:3])
    Comment.objects.filter(pk=doc_rows[0].pk).update(object_pk=str(docs[0].pk).upper())
    Comment.objects.filter(pk=doc_rows[1].pk).update(object_pk="not-a-uuid")
    Comment.objects.filter(pk=latest[0].pk).update(object_pk="x" * 30)  # longer than a slug
    exact()
    # moves: from articles to a page, from one article to another, a whole type changed
    Comment.objects.filter(content_type=article_type, object_pk=str(articles[1].pk)).update(
        content_type=page_type, object_pk="p2"
    )
    Comment.objects.filter(content_type=article_type, object_pk=str(articles[2].pk)).update(
        object_pk=str(articles[3].pk)
    )
    exact()
    Comment.objects.filter(content_type=page_type).update(content_type=article_type)  # p* ids
    exact()
    Comment.objects.filter(pk__in=[r.pk for r in rows[::3]]).delete()
    exact()
    counters.fold()
    assert_exact(*MODELS, folded=True)


def test_the_generic_relation_manager_cascades_raw_sql_and_truncate():
    a, b = Article.objects.create(title="a"), Article.objects.create(title="b")
    a.comments.add(comment(b), bulk=False)  # saved as a's
    moved = comment(b)
    moved.save()
    a.comments.add(moved)  # bulk: an UPDATE of content_type and object_pk
    exact()
    assert Article.objects.get(pk=a.pk).comments_count == 2
    a.comments.remove(moved)  # removing a generic related object deletes it
    exact()
    b.comments.create(site_id=1, comment="direct", submit_date=T0)
    exact()
    doomed = Article.objects.create(title="doomed")
    comment(doomed).save()
    doomed.delete()  # Django's cascade through the GenericRelation deletes its comments
    assert not Comment.objects.filter(object_pk=str(doomed.pk)).exists()
    exact()
    table = Comment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (content_type_id, object_pk, site_id, user_name, user_email, "
            "user_url, comment, submit_date, ip_address, is_public, is_removed) "
            "SELECT %s, %s, 1, '', '', '', 'raw', now(), NULL, true, false "
            "FROM generate_series(1, 4)",
            [ContentType.objects.get_for_model(Article).pk, str(b.pk)],
        )
    exact()
    assert Article.objects.get(pk=b.pk).comments_count == 5
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending
        cursor.execute(f"TRUNCATE {table} CASCADE")
    exact()
    assert not Article.objects.filter(comments_count__gt=0).exists()


def test_tags_with_django_taggit():
    a, b = Article.objects.create(title="a"), Article.objects.create(title="b")
    a.tags.add("django", "postgres", "counters")
    b.tags.add("django")
    exact()
    assert Article.objects.get(pk=a.pk).tags_count == 3
    a.tags.remove("postgres")
    b.tags.set(["python", "orm"])
    exact()
    Tag.objects.filter(name="django").delete()  # cascades to the tagged items
    exact()
    a.tags.clear()
    exact()
    assert (Article.objects.get(pk=a.pk).tags_count, Article.objects.get(pk=b.pk).tags_count) == (
        0,
        2,
    )
    assert TaggedItem.objects.filter(object_id=b.pk).count() == 2


def test_comment_flags_a_foreign_key_then_the_generic_relation():
    a, b = Article.objects.create(title="a"), Article.objects.create(title="b")
    user = get_user_model().objects.create(username="mod")
    first, second = comment(a), comment(a)
    first.save()
    second.save()
    CommentFlag.objects.create(comment=first, user=user, flag=CommentFlag.SUGGEST_REMOVAL)
    CommentFlag.objects.create(comment=second, user=user, flag=CommentFlag.MODERATOR_APPROVAL)
    exact()
    assert Article.objects.get(pk=a.pk).flags_count == 2
    Comment.objects.filter(pk=first.pk).update(object_pk=str(b.pk))  # the middle row moves
    exact()
    assert Article.objects.get(pk=b.pk).flags_count == 1
    second.delete()  # the flag goes with it
    exact()
    assert Article.objects.get(pk=a.pk).flags_count == 0


def test_likes_sum_and_min_through_an_integer_object_id():
    a, b = Article.objects.create(title="a"), Article.objects.create(title="b")
    likes = [Like(content_object=a, weight=w) for w in (3, 1, 5)]
    likes += [Like(content_object=b, weight=2)]
    Like.objects.bulk_create(likes)
    exact()
    a.refresh_from_db()
    assert (a.likes_weight, a.lightest_like, a.heaviest_like) == (9, 1, 5)
    Like.objects.filter(weight=1).delete()  # the lightest leaves: recomputed
    Like.objects.filter(weight=2).update(object_id=a.pk)  # moves to a
    exact()
    a.refresh_from_db()
    assert (a.likes_weight, a.lightest_like, a.heaviest_like) == (10, 2, 5)
    Like.objects.filter(weight=5).delete()  # the heaviest leaves: recomputed
    exact()
    assert Article.objects.get(pk=a.pk).heaviest_like == 3
    stray = Like.objects.create(
        content_type=ContentType.objects.get_for_model(Document), object_id=a.pk, weight=100
    )  # same id, another type
    exact()
    stray.delete()
    assert Article.objects.get(pk=a.pk).likes_weight == 5


def test_content_types_are_looked_up_when_the_statement_runs():
    """Content type ids differ between databases and fixtures: none is written into the
    triggers. The page type gets another id; comments on pages still count."""
    page_type = ContentType.objects.get_for_model(Page)
    Permission.objects.filter(content_type=page_type).delete()  # they point to the old id
    with connection.cursor() as cursor:
        cursor.execute("SELECT max(id) + 100 FROM django_content_type")
        (new_id,) = cursor.fetchone()
        cursor.execute(
            "UPDATE django_content_type SET id = %s WHERE id = %s", [new_id, page_type.pk]
        )
    ContentType.objects.clear_cache()
    page = Page.objects.create(slug="moved")
    comment(page).save()
    assert Comment.objects.get().content_type_id == new_id
    assert Page.objects.get(pk="moved").comments_count == 1
    exact()


@pytest.mark.django_db(transaction=True)
def test_eight_concurrent_writers_on_comments_tags_and_likes():
    articles = [Article.objects.create(title=str(i)) for i in range(4)]
    docs = [Document.objects.create() for _ in range(2)]
    Tag.objects.bulk_create([Tag(name=f"t{i}", slug=f"t{i}") for i in range(6)])
    raced = []

    def work(index: int) -> None:
        rng = random.Random(index)
        for step in range(40):
            target = rng.choice(articles + docs)
            action = rng.random()
            try:
                act(rng, step, target, action)
            except IntegrityError as exc:  # django-taggit's own race: two threads add one tag
                assert "taggit_taggeditem" in str(exc), exc  # to one object; rolled back
                raced.append(exc)

    def act(rng: random.Random, step: int, target: object, action: float) -> None:
        with transaction.atomic():
            if action < 0.4:
                comment(target, at=step).save()
            elif action < 0.55:
                Comment.objects.filter(pk__in=Comment.objects.order_by("?")[:1]).delete()
            elif action < 0.7 and isinstance(target, Article):
                target.tags.add(f"t{rng.randrange(6)}")
            elif action < 0.8 and isinstance(target, Article):
                target.tags.remove(f"t{rng.randrange(6)}")
            elif isinstance(target, Article):
                Like.objects.create(content_object=target, weight=rng.randrange(1, 9))

    assert run_threads(8, work) == []  # taggit's races (if any) are its own, the same without us
    exact()
    counters.fold()
    assert_exact(*MODELS, folded=True)


def test_recount_and_check_cover_generic_counters():
    a = Article.objects.create(title="a")
    Comment.objects.bulk_create([comment(a) for _ in range(4)])
    a.tags.add("x", "y")
    with counters.unguarded(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ecosystem_article SET comments_count = 40, tags_count = 0 WHERE id = %s",
            [a.pk],
        )
    report = counters.check(["ecosystem.Article.comments_count", "ecosystem.Article.tags_count"])
    found = {r.label: r.examples for r in report.counters}
    assert found == {
        "ecosystem.Article.comments_count": [{"key": a.pk, "cached": 40, "true": 4}],
        "ecosystem.Article.tags_count": [{"key": a.pk, "cached": 0, "true": 2}],
    }
    counters.recount(["ecosystem.Article"])
    exact()
    assert not counters.check(["ecosystem.Article"]).drifted


def test_a_generic_foreign_key_must_end_the_path_and_hold_the_keys():
    with pytest.raises(CounterDeclarationError, match="can only end a path") as info:
        resolve(
            Article,
            counters.Count("comments_count", source=Comment, path="content_object__title"),
        )
    assert info.value.id == "counters.E018"
    with pytest.raises(CounterDeclarationError, match="cannot hold the keys") as info:
        resolve(Document, counters.Count("comments_count", source=Like, path="content_object"))
    assert info.value.id == "counters.E019"
    assert "CharField or TextField object id" in info.value.message


def allow_everything(request, topic) -> bool:  # noqa: ANN001
    return True


@pytest.mark.django_db(transaction=True)
def test_generic_counters_stream_live_and_print_their_sql(asgi_server, settings):  # noqa: F811
    """The live stream follows a comment count like any other counter; ``counters_sql`` prints
    the content type lookup (by name, never an id)."""
    pytest.importorskip("psycopg", reason="the live hub needs psycopg 3")
    import asyncio
    import io

    from django.core.management import call_command

    from tests.live import Stream, in_thread

    settings.COUNTERS_STREAM_AUTHORIZE = "tests.test_generic.allow_everything"
    article = Article.objects.create(title="live")
    topic = f"ecosystem.Article.comments_count:{article.pk}"

    async def scenario() -> None:
        stream = await Stream.open(asgi_server, f"c={topic}")
        assert stream.status == 200, stream.body
        assert (await stream.event())[topic] == 0
        await in_thread(lambda: comment(article).save())
        assert (await stream.event())[topic] == 1
        await stream.close()

    asyncio.run(scenario())
    out = io.StringIO()
    call_command("counters_sql", "ecosystem.Article.comments_count", stdout=out)
    assert "ct.app_label = 'ecosystem' AND ct.model = 'article'" in out.getvalue()


# -- the object id read as a key, for every pair of types a declaration accepts ----------------


def keys_read(declared: list, ids: list) -> list:  # noqa: ANN001
    """What the counter's key expression makes of each object id, evaluated by PostgreSQL."""
    from counters.core import registry

    found = registry.resolve_all(declared)
    assert found.problems == [], found.problems
    hop = found.counters[0].generic
    id_type = hop.id_field.db_type(connection)  # the object id column's own type
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {hop.key_sql('t.v')} FROM unnest(%s::{id_type}[]) WITH ORDINALITY AS t (v, n) "
            "ORDER BY n",
            [ids],
        )
        return [row[0] for row in cursor.fetchall()]


def generic_models(key: object, id_field: object):  # noqa: ANN001, ANN201
    """A target keyed by ``key`` and tags naming it through an object id field ``id_field``."""
    from django.contrib.contenttypes.fields import GenericForeignKey
    from django.db import models

    class Target(models.Model):
        class Meta:
            app_label = "testapp"

        id = key
        tags = models.IntegerField(default=0, db_default=0)

    class Tagged(models.Model):
        class Meta:
            app_label = "testapp"

        content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
        object_id = id_field
        target = GenericForeignKey("content_type", "object_id")

    return Target, Tagged


@isolate_apps("tests.testapp")
def test_a_wider_integer_id_names_a_key_only_within_the_keys_range():
    from django.db import models

    from counters.core.declarations import Count

    target, tagged = generic_models(models.AutoField(primary_key=True), models.BigIntegerField())
    declared = [(target, Count("tags", source=tagged, path="target"))]
    assert keys_read(declared, [7, -5, 2**31 - 1, 2**31, -(2**31) - 1]) == [
        7,
        -5,
        2**31 - 1,
        None,
        None,
    ]


@isolate_apps("tests.testapp")
def test_a_text_id_names_an_integer_key_only_in_its_canonical_form_and_range():
    from django.db import models

    from counters.core.declarations import Count

    target, tagged = generic_models(models.AutoField(primary_key=True), models.TextField())
    declared = [(target, Count("tags", source=tagged, path="target"))]
    ids = ["42", "-3", "0", "007", "4.0", "x", "2147483648", "99999999999999999999"]
    assert keys_read(declared, ids) == [42, -3, 0, None, None, None, None, None]


@isolate_apps("tests.testapp")
def test_a_text_id_names_a_text_key_behind_two_one_to_one_keys_when_it_fits():
    from django.db import models

    from counters.core.declarations import Count

    class Code(models.Model):
        class Meta:
            app_label = "testapp"

        name = models.CharField(primary_key=True, max_length=5)

    class Coded(models.Model):
        class Meta:
            app_label = "testapp"

        code = models.OneToOneField(Code, primary_key=True, on_delete=models.CASCADE)

    class CodedStats(models.Model):
        class Meta:
            app_label = "testapp"

        coded = models.OneToOneField(Coded, primary_key=True, on_delete=models.CASCADE)
        tags = models.IntegerField(default=0, db_default=0)

    _, tagged = generic_models(models.AutoField(primary_key=True), models.TextField())
    declared = [(CodedStats, Count("tags", source=tagged, path="target"))]
    assert keys_read(declared, ["abc", "abcde", "abcdef"]) == ["abc", "abcde", None]


@isolate_apps("tests.testapp")
def test_a_short_text_id_names_a_text_key_of_any_length_as_it_is():
    from django.db import models

    from counters.core.declarations import Count

    target, tagged = generic_models(
        models.TextField(primary_key=True), models.CharField(max_length=20)
    )
    declared = [(target, Count("tags", source=tagged, path="target"))]
    assert keys_read(declared, ["a", "a b", ""]) == ["a", "a b", ""]

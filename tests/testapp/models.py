"""Test-only models proving the declaration API is general.

- ``Article`` / ``Blog.published_count``: a conditional counter (only published articles count).
- ``Answer`` -> ``QuizSession`` -> user: a counter through two foreign keys (``Profile.answers_count``),
  plus a direct one landing on the counted-into model itself (``QuizSession.answers_count``).
"""

from django.conf import settings
from django.db import models

import counters
from counters.reading import CounterManager


@counters.register(
    counters.Count(
        "published_count", source="testapp.Article", path="blog", condition=models.Q(published=True)
    ),
    counters.Count("articles_count", source="testapp.Article", path="blog"),
)
class Blog(models.Model):
    name = models.CharField(max_length=100)
    published_count = models.IntegerField(default=0, db_default=0)
    articles_count = models.IntegerField(default=0, db_default=0)

    objects = CounterManager()  # reads add the pending deltas

    class Meta:
        base_manager_name = "objects"


class Article(models.Model):
    blog = models.ForeignKey(Blog, null=True, on_delete=models.CASCADE, related_name="articles")
    title = models.CharField(max_length=100, default="")
    published = models.BooleanField(default=False)


@counters.register(counters.Count("answers_count", source="testapp.Answer", path="session"))
class QuizSession(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE)
    answers_count = models.BigIntegerField(default=0, db_default=0)

    objects = CounterManager()

    class Meta:
        base_manager_name = "objects"


class Answer(models.Model):
    session = models.ForeignKey(QuizSession, on_delete=models.CASCADE, related_name="answers")
    correct = models.BooleanField(default=False)


@counters.register(
    counters.Count("answers_count", source="testapp.Answer", path="session__user"),
    counters.Count(
        "correct_answers_count",
        source="testapp.Answer",
        path="session__user",
        condition=models.Q(correct=True),
    ),
)
class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE
    )
    answers_count = models.BigIntegerField(default=0, db_default=0)
    correct_answers_count = models.BigIntegerField(default=0, db_default=0)

    objects = CounterManager()

    class Meta:
        base_manager_name = "objects"

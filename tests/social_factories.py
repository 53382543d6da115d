"""Factories of the built-in social models (tests that need ``counters.social``)."""

import factory

from tests.factories import UserFactory


class FollowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "counters_social.Follow"

    follower = factory.SubFactory(UserFactory)
    followed = factory.SubFactory(UserFactory)


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "counters_social.Post"

    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"post {n}")

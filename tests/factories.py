import factory
from django.contrib.auth import get_user_model

# Models named by label, so the engine-alone run (no counters.social) can import UserFactory.


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")


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

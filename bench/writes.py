"""Write overhead: single-row and bulk writes with the counters vs triggers off and the alternatives."""

from __future__ import annotations

from bench.common import FOLLOWS, USERS, Follow, Post, compare, reset, sql, user_ids


def write_overhead(quick: bool) -> None:
    users = user_ids(2000)
    singles = 300 if quick else 1000
    bulk = 20_000 if quick else 100_000
    rounds = 3 if quick else 5
    alternative_rounds = 1 if quick else 2  # the slow alternatives take minutes per round
    pairs = [
        (users[i], users[(i * 7 + j) % len(users)]) for i in range(len(users)) for j in range(1, 60)
    ]
    pairs = [(a, b) for a, b in pairs if a != b]

    def single_create() -> None:
        for a, b in pairs[:singles]:
            Follow.objects.create(follower_id=a, followed_id=b)

    compare(
        "ORM Follow create (one row)", rounds, reset, single_create, singles, alternative_rounds
    )

    def seed_singles() -> None:
        reset()
        Follow.objects.bulk_create(
            [Follow(follower_id=a, followed_id=b) for a, b in pairs[:singles]]
        )

    def single_delete() -> None:
        for follow in list(Follow.objects.all()[:singles]):
            follow.delete()

    compare(
        "ORM Follow delete (one row)",
        rounds,
        seed_singles,
        single_delete,
        singles,
        alternative_rounds,
    )

    def post_create() -> None:
        for a, _ in pairs[:singles]:
            Post.objects.create(author_id=a, title="p")

    compare("ORM Post create (one row)", rounds, reset, post_create, singles, alternative_rounds)

    def seed_posts() -> None:
        reset()
        Post.objects.bulk_create([Post(author_id=a, title="p") for a, _ in pairs[:singles]])

    def post_delete() -> None:
        for post in list(Post.objects.all()[:singles]):
            post.delete()

    compare(
        "ORM Post delete (one row)", rounds, seed_posts, post_delete, singles, alternative_rounds
    )

    def bulk_create() -> None:
        Follow.objects.bulk_create([Follow(follower_id=a, followed_id=b) for a, b in pairs[:bulk]])

    compare(
        f"bulk_create {bulk // 1000}k follows", rounds, reset, bulk_create, bulk, alternative_rounds
    )

    def seed_bulk() -> None:
        reset()
        Follow.objects.bulk_create([Follow(follower_id=a, followed_id=b) for a, b in pairs[:bulk]])

    def qs_delete() -> None:
        Follow.objects.filter(
            pk__in=Follow.objects.order_by("pk").values("pk")[: bulk // 2]
        ).delete()

    compare(
        f"queryset.delete() {bulk // 2000}k follows",
        rounds,
        seed_bulk,
        qs_delete,
        bulk // 2,
        alternative_rounds,
    )

    def raw_insert() -> None:
        sql(
            f"INSERT INTO {FOLLOWS} (follower_id, followed_id) SELECT a.id, b.id "
            f"FROM (SELECT id FROM {USERS} ORDER BY id LIMIT %s) a "
            f"CROSS JOIN LATERAL (SELECT id FROM {USERS} WHERE id <> a.id ORDER BY id LIMIT %s) b",
            [len(users), bulk // len(users)],
        )

    compare(
        f"raw INSERT ... SELECT {bulk // 1000}k",
        rounds,
        reset,
        raw_insert,
        bulk,
        alternative_rounds,
    )
    reset()

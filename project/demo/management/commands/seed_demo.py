"""manage.py seed_demo: a realistic social graph for the demo, written with bulk inserts."""

from __future__ import annotations

import random
import sys

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from tqdm import tqdm

from counters.social.models import Follow, Post

WORDS = (
    "counter cache exact trigger postgres django follow post celebrity total batch statement "
    "delta lock order slot recount drift bulk raw copy truncate admin"
).split()


class Command(BaseCommand):
    help = (
        "Generate demo users, follows (a few celebrities with tens of thousands of followers, a "
        "long tail of everyone else) and posts with bulk inserts, so the triggers do the counting."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=25_000, help="default: %(default)s")
        parser.add_argument("--follows", type=int, default=200_000, help="default: %(default)s")
        parser.add_argument("--posts", type=int, default=50_000, help="default: %(default)s")
        parser.add_argument(
            "--celebrities", type=int, default=3, help="users followed by most others (default: 3)"
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default: 2026)")
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when users already exist"
        )

    def handle(self, *args: str, **options: int) -> None:
        users, follows, posts, celebrities = (
            options["users"],
            options["follows"],
            options["posts"],
            options["celebrities"],
        )
        if min(users, follows, posts, celebrities) < 0 or users < 2:
            raise CommandError("sizes must be non-negative, with at least 2 users")
        if follows > users * (users - 1):
            raise CommandError(f"{users} users can make at most {users * (users - 1)} follows")
        if celebrities > users:
            raise CommandError("more celebrities than users")
        User = get_user_model()
        if options["if_empty"] and User.objects.filter(is_superuser=False).exists():
            self.stdout.write("Demo data already present; skipping (drop --if-empty to add more).")
            return
        rng = random.Random(options["seed"])
        self.plain = options["verbosity"] >= 1 and not sys.stderr.isatty()
        quiet = options["verbosity"] == 0 or self.plain
        start = User.objects.count()
        password = make_password(None)  # unusable: demo users cannot log in
        new_users = [
            User(
                username=f"user{start + i:06d}",
                email=f"user{start + i:06d}@example.com",
                password=password,
            )
            for i in range(users)
        ]
        ids = [u.pk for u in self._bulk(User, new_users, "users", quiet)]
        pairs = self._follow_pairs(ids, follows, celebrities, rng)
        self._bulk(
            Follow, [Follow(follower_id=a, followed_id=b) for a, b in pairs], "follows", quiet
        )
        weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(ids))]
        authors = rng.choices(ids, weights=weights, k=posts)
        self._bulk(
            Post,
            [
                Post(author_id=author, title=" ".join(rng.sample(WORDS, 4)).capitalize(), body="")
                for author in authors
            ],
            "posts",
            quiet,
        )
        self.stdout.write(
            self.style.SUCCESS(f"Created {users} users, {len(pairs)} follows and {posts} posts.")
        )

    def _follow_pairs(self, ids: list[int], total: int, celebrities: int, rng: random.Random):
        pairs: set[tuple[int, int]] = set()
        stars = ids[:celebrities]
        for rank, star in enumerate(stars):  # each celebrity: most of the users, fewer per rank
            share = min(total // max(1, 2 * celebrities), int(len(ids) * (0.95 - 0.1 * rank)))
            for fan in rng.sample(ids, max(0, share)):
                if fan != star and len(pairs) < total:
                    pairs.add((fan, star))
        weights = [1.0 / (rank + 1) ** 1.1 for rank in range(len(ids))]
        while len(pairs) < total:
            followers = rng.choices(ids, k=total - len(pairs))
            followed = rng.choices(ids, weights=weights, k=len(followers))
            pairs.update((a, b) for a, b in zip(followers, followed, strict=True) if a != b)
            while len(pairs) > total:
                pairs.pop()
        return sorted(pairs, key=lambda pair: rng.random())

    def _bulk(self, model, objs: list, what: str, quiet: bool, batch: int = 10_000) -> list:  # noqa: ANN001
        created = []
        with tqdm(total=len(objs), desc=what, unit="rows", disable=quiet) as bar:
            for i in range(0, len(objs), batch):
                with transaction.atomic():
                    created += model.objects.bulk_create(objs[i : i + batch])
                bar.update(len(objs[i : i + batch]))
        if self.plain:  # no terminal: one plain line per table instead of a bar
            self.stderr.write(f"{what}: {len(objs)} rows")
        return created

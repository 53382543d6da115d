"""manage.py demo_admin: (re)create the demo superuser with a fresh random password and print it."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Create the demo superuser (or reset its password) with a random password, and print it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin", help="default: %(default)s")

    def handle(self, *args: str, **options: str) -> None:
        User = get_user_model()
        password = secrets.token_urlsafe(12)
        user, _ = User.objects.get_or_create(
            username=options["username"], defaults={"email": "admin@example.com"}
        )
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        self.stdout.write(
            self.style.SUCCESS(
                "\nAdmin: http://127.0.0.1:8000/admin/\n"
                f"  username: {user.get_username()}\n  password: {password}\n"
            )
        )

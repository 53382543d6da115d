"""The demo and maintenance commands."""

from __future__ import annotations

import io
import json
import re
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

import counters
from counters.core import registry
from counters.models import CounterDelta
from counters.social.models import Follow, Post, UserStats
from tests.factories import UserFactory
from tests.utils import assert_exact

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_seed_demo_makes_a_graph_the_triggers_count():
    out = run(
        "seed_demo", "--users", "60", "--follows", "900", "--posts", "40", "--celebrities", "2"
    )
    assert "Created 60 users, 900 follows and 40 posts." in out
    assert (Follow.objects.count(), Post.objects.count()) == (900, 40)
    top = UserStats.objects.order_by("-followers_count").first()
    assert top.followers_count > 900 / 60 * 3  # a celebrity, far above the average
    assert_exact()
    assert "skipping" in run("seed_demo", "--if-empty")
    assert Follow.objects.count() == 900


def test_seed_demo_refuses_impossible_sizes():
    with pytest.raises(CommandError, match="at most 6 follows"):
        run("seed_demo", "--users", "3", "--follows", "7")
    with pytest.raises(CommandError, match="at least 2 users"):
        run("seed_demo", "--users", "1")


def test_demo_admin_prints_a_password_that_logs_in():
    out = run("demo_admin")
    password = re.search(r"password: (\S+)", out).group(1)
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password(password)
    second = re.search(r"password: (\S+)", run("demo_admin")).group(1)
    assert second != password  # a fresh one each time


def test_fold_counters_command():
    star, fan = UserFactory.create_batch(2)
    Follow.objects.create(follower=star, followed=fan)  # their stats rows exist
    with counters.deferred():
        Follow.objects.create(follower=fan, followed=star)
    out = run("fold_counters", "counters_social.UserStats")
    assert "counters_social.UserStats: folded 2 delta(s), dropped 0 orphaned, 0 left" in out
    stats_ids = [c.id for c in registry.counters_on(UserStats)]
    assert not CounterDelta.objects.filter(counter__in=stats_ids).exists()
    assert CounterDelta.objects.exists()  # the other models' deltas (site totals) were not named
    with connection.cursor() as cursor:  # the column alone is exact now
        cursor.execute("SELECT followers_count FROM user_stats WHERE user_id = %s", [star.pk])
        assert cursor.fetchone()[0] == 1
    with pytest.raises(CommandError, match="positive"):
        run("fold_counters", "--batch-size", "0")
    with pytest.raises(CommandError, match="positive"):
        run("fold_counters", "--forever", "--interval", "0")
    with pytest.raises(CommandError, match="names no counter"):
        run("fold_counters", "nope.Nope")
    assert "testapp.Blog: folded 0 delta(s)" in run("fold_counters", "testapp.Blog")


@pytest.mark.django_db(transaction=True)
def test_fold_counters_forever_is_a_folder_until_interrupted():
    """A dedicated folder process: it announces itself (writers stop folding), folds what
    writers append, and stops cleanly on Ctrl-C."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from counters.folding import folder_present
    from tests.utils import database_url

    folder = subprocess.Popen(
        [sys.executable, "manage.py", "fold_counters", "--forever", "--interval", "0.1", "-v", "2"],
        cwd=Path(__file__).resolve().parent.parent,
        env={
            **os.environ,
            "DATABASE_URL": database_url(),
            "DJANGO_SETTINGS_MODULE": "project.settings_test",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 30
        while not folder_present():  # announced: its beat in counters_state
            assert time.monotonic() < deadline and folder.poll() is None, "no folder"
            time.sleep(0.1)
        star, fans = UserFactory(), UserFactory.create_batch(5)
        Post.objects.bulk_create([Post(author=u, title="x") for u in [star, *fans]])
        with counters.deferred():  # every row exists: the deltas are the folder's work
            Follow.objects.bulk_create([Follow(follower=u, followed=star) for u in fans])
        while CounterDelta.objects.exists():
            assert time.monotonic() < deadline, "the folder did not fold"
            time.sleep(0.1)
        with connection.cursor() as cursor:
            cursor.execute("SELECT followers_count FROM user_stats WHERE user_id = %s", [star.pk])
            assert cursor.fetchone()[0] == 5
        folder.send_signal(signal.SIGINT)
        out, err = folder.communicate(timeout=20)
        assert folder.returncode == 0, err
        assert b"folded" in out and b"Traceback" not in err
        assert not folder_present()  # it forgot its beat: writers fold by themselves again
    finally:
        if folder.poll() is None:
            folder.kill()
            folder.wait(10)


def test_commands_turn_every_failure_into_a_clear_error(monkeypatch):
    """Bad arguments and broken environments are a CommandError (or an exit status), never a
    traceback."""
    from counters.exceptions import CounterError, RecountInterrupted
    from counters.management.commands import backfill_counters, counters_metrics
    from counters.report import Report

    try:
        import psycopg  # noqa: F401 - the live hub's driver
    except ImportError:  # the psycopg2 cell: the command says what it needs first
        with pytest.raises(CommandError, match="live counters need psycopg 3"):
            run("listen_counters", "--watch", "counters_social.GlobalStats")
    else:
        with pytest.raises(CommandError, match="--count must be 0"):
            run("listen_counters", "--watch", "counters_social.GlobalStats", "--count", "-1")
        with pytest.raises(CommandError, match="--interval must be positive"):
            run("listen_counters", "--watch", "counters_social.GlobalStats", "--interval", "0")
        with pytest.raises(CommandError, match="names no counter"):
            run("listen_counters", "--watch", "nope.Nope")
    with pytest.raises(CommandError, match="invalid choice: 'elsewhere'"):
        run("backfill_counters", "--database", "elsewhere")
    with pytest.raises(CommandError, match="names no counter"):
        run("backfill_counters", "nope.Nope", "--no-progress")

    def no_client(using: str) -> bytes:
        raise CounterError("counter metrics need prometheus_client")

    monkeypatch.setattr(counters_metrics, "render", no_client)
    with pytest.raises(CommandError, match="need prometheus_client"):
        run("counters_metrics")

    def interrupted(*args: object, **kwargs: object) -> Report:
        report = Report(fixed=True, counters=[], completed=False)
        report.last_committed = {"counters_social.UserStats": 41}
        raise RecountInterrupted(report)

    monkeypatch.setattr(backfill_counters, "run", interrupted)
    err = io.StringIO()
    with pytest.raises(SystemExit) as info:
        call_command(
            "backfill_counters", "counters_social.UserStats", stdout=io.StringIO(), stderr=err
        )
    assert info.value.code == 130
    assert (
        "Resume with: manage.py backfill_counters counters_social.UserStats --start-after 41"
        in err.getvalue()
    )


class DefaultOnly:
    """A router that migrates every app to the default database: the second keeps no counter."""

    def allow_migrate(self, db: str, app_label: str, **hints: object) -> bool:
        return db == "default"


@pytest.mark.django_db(databases=["default", "second"])
def test_fold_counters_on_a_database_that_keeps_none_says_so(settings):
    settings.DATABASE_ROUTERS = [f"{__name__}.DefaultOnly"]
    assert run("fold_counters", "--database", "second") == "No counters selected.\n"
    assert run("fold_counters", "--database", "second", "-v", "0") == ""


def test_fold_counters_forever_refuses_an_unknown_counter_before_it_starts():
    with pytest.raises(CommandError, match="'nope.Nope' names no counter"):
        run("fold_counters", "--forever", "nope.Nope")


def test_fold_counters_says_which_database_failed_and_why():
    from tests.testapp.models import Article, Blog

    blog = Blog.objects.create(name="b")
    with counters.deferred():  # a pending delta: the fold has to write the blog's row
        Article.objects.create(blog=blog)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE testapp_blog RENAME TO testapp_blog_elsewhere")
    with pytest.raises(CommandError) as info:
        run("fold_counters", "testapp.Blog")
    assert str(info.value) == (
        "could not fold on database 'default': relation \"testapp_blog\" does not exist"
    )


def test_backfill_counters_at_verbosity_0_prints_nothing_but_json_when_asked():
    star, fan = UserFactory.create_batch(2)
    Follow.objects.create(follower=fan, followed=star)
    assert run("backfill_counters", "counters_social.UserStats", "-v", "0") == ""
    out = run("backfill_counters", "counters_social.UserStats", "-v", "0", "--json")
    report = json.loads(out)
    assert (report["fixed"], report["drifted"], report["completed"]) == (True, False, True)
    assert {c["label"]: c["rows_checked"] for c in report["counters"]} == {
        label: UserStats.objects.count()
        for label in (
            "counters_social.UserStats.followers_count",
            "counters_social.UserStats.following_count",
            "counters_social.UserStats.last_post_at",
            "counters_social.UserStats.posts_count",
        )
    }


@pytest.mark.django_db(transaction=True)
def test_backfill_counters_on_a_terminal_draws_a_progress_bar_per_target():
    """On a terminal (standard error is a tty) the progress is a tqdm bar, one per target model,
    closed when the target is done."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios
    from pathlib import Path

    from tests.utils import database_url

    people = UserFactory.create_batch(5)
    Follow.objects.bulk_create([Follow(follower=people[0], followed=p) for p in people[1:]])
    primary, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))  # 120 columns
    drawn = bytearray()

    def read_the_terminal() -> None:
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the command ended: its side of the terminal is closed
                return
            if not chunk:
                return
            drawn.extend(chunk)

    reader = threading.Thread(target=read_the_terminal)
    reader.start()
    try:
        done = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "backfill_counters",
                "counters_social.UserStats",
                "counters_social.GlobalStats",
                "--batch-size",
                "2",
            ],
            cwd=Path(__file__).resolve().parent.parent,
            env={
                **os.environ,
                "DATABASE_URL": database_url(),
                "DJANGO_SETTINGS_MODULE": "project.settings_test",
            },
            stdout=subprocess.PIPE,
            stderr=terminal,
            timeout=120,
        )
    finally:
        os.close(terminal)  # the reader sees the end of the terminal's output
        reader.join(30)
        os.close(primary)
    screen = bytes(drawn).decode(errors="replace")
    assert done.returncode == 0, screen
    rows = UserStats.objects.count()
    assert re.search(rf"counters_social\.UserStats: 100%\|[^|]*\| {rows}/{rows} ", screen), screen
    assert re.search(r"counters_social\.GlobalStats: 100%\|[^|]*\| 1/1 ", screen), screen
    assert "Recount complete" in done.stdout.decode()

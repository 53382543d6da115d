"""counters.status: the state of every trigger that keeps a counter, as pgtrigger finds it in the
database (enabled, disabled, outdated, missing), and the error a runner raises when one is not
installed and on. Triggers are changed inside the test's transaction, so each change rolls back."""

from __future__ import annotations

import pgtrigger
import pytest
from django.db import connection

from counters.core import registry
from counters.exceptions import TriggersNotInstalled, UnknownCounterError
from counters.social.models import Follow, UserStats
from counters.status import STATES, TriggerState, states_by_counter, trigger_states, verify_triggers

pytestmark = pytest.mark.django_db

FOLLOWERS = "counters_social.UserStats.followers_count"


def followers():
    return registry.get_counter(UserStats, "followers_count")


def registered(model, name: str) -> pgtrigger.Trigger:
    found = [t for m, t in pgtrigger.registered() if m is model and t.name == name]
    assert len(found) == 1, (model, name)
    return found[0]


def test_a_counter_is_kept_by_its_sources_triggers_and_its_targets_guards():
    states = trigger_states(followers())  # the engine's own Counter
    assert [(s.model, s.name, s.status, s.enabled) for s in states] == [
        ("counters_social.Follow", "counters_delete", "INSTALLED", True),
        ("counters_social.Follow", "counters_insert", "INSTALLED", True),
        ("counters_social.Follow", "counters_truncate", "INSTALLED", True),
        ("counters_social.Follow", "counters_update", "INSTALLED", True),
        ("counters_social.UserStats", "counters_readonly_insert", "INSTALLED", True),
        ("counters_social.UserStats", "counters_readonly_update", "INSTALLED", True),
    ]
    assert {s.state for s in states} == {"enabled"} and all(s.ok for s in states)
    assert trigger_states(FOLLOWERS) == states == trigger_states(FOLLOWERS.upper())
    verify_triggers([followers()])  # nothing to say


def test_one_trigger_serves_every_counter_it_feeds_and_is_asked_for_once():
    every = registry.counters_on(UserStats)
    found = states_by_counter(every)
    assert list(found) == every
    following = registry.get_counter(UserStats, "following_count")
    # the same Follow triggers keep both counts: the very same state objects
    assert [id(s) for s in found[followers()]] == [id(s) for s in found[following]]


def test_a_disabled_trigger_is_disabled_and_the_runners_refuse_its_counters():
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending
    registered(Follow, "counters_insert").disable(Follow)
    [insert] = [s for s in trigger_states(followers()) if s.name == "counters_insert"]
    assert (insert.status, insert.enabled, insert.ok) == ("INSTALLED", False, False)
    assert (insert.state, insert.words) == ("disabled", "disabled")
    with pytest.raises(TriggersNotInstalled) as info:
        verify_triggers(registry.counters_on(UserStats))
    assert str(info.value) == (
        "the database does not keep these counters: triggers counters_insert on "
        "counters_social.Follow (disabled). Run `manage.py migrate` (or `manage.py pgtrigger "
        "install`), and `manage.py pgtrigger enable` for disabled ones, then recount."
    )


def test_a_dropped_trigger_is_missing():
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    registered(UserStats, "counters_readonly_update").uninstall(UserStats)
    [guard] = [s for s in trigger_states(followers()) if s.name == "counters_readonly_update"]
    assert (guard.status, guard.enabled, guard.state, guard.words) == (
        "UNINSTALLED",
        None,
        "missing",
        "missing",
    )
    with pytest.raises(TriggersNotInstalled, match=r"counters_readonly_update on "):
        verify_triggers([followers()])


def test_a_trigger_of_an_older_version_is_outdated():
    trigger = registered(Follow, "counters_delete")
    with connection.cursor() as cursor:  # pgtrigger keeps the version's hash in the comment
        cursor.execute(
            f'COMMENT ON TRIGGER "{trigger.get_pgid(Follow)}" ON "counters_follow" IS %s',
            ["an older hash"],
        )
    [delete] = [s for s in trigger_states(followers()) if s.name == "counters_delete"]
    assert (delete.status, delete.enabled, delete.ok) == ("OUTDATED", True, False)
    assert delete.state == "outdated"
    assert delete.words == "outdated (the database has an older version)"
    with pytest.raises(TriggersNotInstalled, match=r"\(outdated \(the database has an older"):
        verify_triggers([followers()])


def test_a_disabled_trigger_of_an_older_version_is_outdated_first():
    state = TriggerState("counters_insert", "app.Model", "OUTDATED", False)
    assert (state.ok, state.state) == (False, "outdated")


def test_a_database_the_counter_does_not_migrate_to_has_none_of_its_triggers():
    states = trigger_states(followers(), using="second")  # the router keeps it on default
    assert {(s.status, s.enabled, s.state, s.words) for s in states} == {
        ("UNALLOWED", None, "missing", "unallowed")
    }
    assert {s.state for s in states} <= set(STATES)


def test_a_model_or_an_unknown_label_names_no_single_counter():
    with pytest.raises(UnknownCounterError, match="names a model; name one of its counters"):
        trigger_states("counters_social.UserStats")
    with pytest.raises(UnknownCounterError, match="'blog.Nothing.here' names no counter"):
        trigger_states("blog.Nothing.here")

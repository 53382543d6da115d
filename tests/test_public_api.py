"""The flat public API: every name in ``counters.__all__`` exists, and the version is the
package's."""

from __future__ import annotations

import importlib.metadata

import pytest
from django.dispatch import Signal

import counters


def test_every_public_name_resolves_to_the_librarys_own_object():
    for name in counters.__all__:
        found = getattr(counters, name)
        if name == "__version__":
            assert isinstance(found, str) and found[0].isdigit()
            continue
        if isinstance(found, Signal):  # counters_changed: a signal instance, checked below
            continue
        owner = getattr(found, "__module__", None) or type(found).__module__
        assert owner.startswith("counters"), (name, owner)
    from counters.admin import CounterAdminMixin
    from counters.live.signals import counters_changed

    assert counters.CounterAdminMixin is CounterAdminMixin  # imported on first use
    assert counters.counters_changed is counters_changed


def test_the_version_is_the_installed_packages():
    assert counters.__version__ == importlib.metadata.version("django-exact-counters")


def test_unknown_names_are_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        counters.nope  # noqa: B018


def test_the_old_backfill_module_still_answers():
    from counters import backfill, exceptions, recounting, report, status

    assert backfill.run is recounting.run and backfill.Report is report.Report
    assert backfill.RecountInterrupted is exceptions.RecountInterrupted
    assert backfill.trigger_states is status.trigger_states


@pytest.mark.django_db
def test_trigger_states_takes_what_all_counters_hands_out():
    """``counters.all_counters()`` gives ``CounterInfo``s; ``trigger_states`` answers for each
    (and for its label), where it used to return nothing for them."""
    from counters.core import registry
    from counters.exceptions import UnknownCounterError

    here = {c.label for c in registry.on_database("default")}  # the routed app's are elsewhere
    infos = [info for info in counters.all_counters() if info.label in here]
    assert len(infos) > 10
    for info in infos:
        states = counters.trigger_states(info)
        assert states and all(state.ok for state in states), (info.label, states)
        assert counters.trigger_states(info.label) == states
    with pytest.raises(UnknownCounterError, match="names no counter"):
        counters.trigger_states("blog.Nothing.here")
    with pytest.raises(UnknownCounterError, match="names a model; name one of its counters"):
        counters.trigger_states("counters_social.UserStats")


def _info(label: str) -> counters.CounterInfo:
    """What ``counters.all_counters()`` hands out for ``label``: the object a team passes on."""
    (info,) = [info for info in counters.all_counters() if info.label == label]
    return info


@pytest.fixture
def blogs_with_drift(db):
    """Two blogs whose published_count was set wrong behind the triggers' back (articles_count
    stays right)."""
    from tests.testapp.models import Article, Blog
    from tests.utils import inject

    blogs = [Blog.objects.create(name=name) for name in ("a", "b")]
    for blog in blogs:
        Article.objects.bulk_create([Article(blog=blog, published=True) for _ in range(3)])
    inject("UPDATE testapp_blog SET published_count = 7")
    return blogs


def test_check_and_recount_take_counter_infos_alone_or_in_a_list(blogs_with_drift):
    from tests.testapp.models import Blog

    info = _info("testapp.Blog.published_count")
    report = counters.check(info)  # one alone, as a list of one
    assert [c.label for c in report.counters] == [info.label]
    assert report.counters[0].rows_drifted == 2 and not report.fixed
    report = counters.check([info, _info("testapp.Blog.articles_count")])
    assert {c.label: c.rows_drifted for c in report.counters} == {
        "testapp.Blog.articles_count": 0,
        "testapp.Blog.published_count": 2,
    }
    report = counters.recount([info])
    assert report.fixed and report.counters[0].rows_drifted == 2
    assert list(Blog.objects.values_list("published_count", flat=True)) == [3, 3]
    assert counters.check(info.label).counters[0].rows_drifted == 0  # a label alone too


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("writers_do_not_fold")
def test_fold_takes_a_counter_info_and_folds_only_that_counters_deltas():
    from django.db import connection

    from tests.testapp.models import Article, Blog, LineItem, Order
    from tests.utils import OtherClient

    blog, order = Blog.objects.create(name="a"), Order.objects.create()
    with OtherClient(autocommit=False) as other:  # holds both rows: the writes leave deltas
        other.execute("SELECT 1 FROM testapp_blog WHERE id = %s FOR NO KEY UPDATE", [blog.pk])
        other.execute("SELECT 1 FROM testapp_order WHERE id = %s FOR NO KEY UPDATE", [order.pk])
        Article.objects.create(blog=blog, published=True)
        LineItem.objects.create(order=order, amount=5, quantity=1)
        other.rollback()
    report = counters.fold(_info("testapp.Blog.published_count"))
    assert report.folded == {"testapp.Blog": 1}
    assert report.left == {"testapp.Blog": 0}
    with connection.cursor() as cursor:  # the columns alone, without the pending deltas
        cursor.execute("SELECT published_count, articles_count FROM testapp_blog")
        assert cursor.fetchall() == [(1, 0)]  # articles_count's delta still waits
        cursor.execute("SELECT items_count FROM testapp_order")
        assert cursor.fetchall() == [(0,)]  # and so do the other table's
    folded = {label: n for label, n in counters.fold().folded.items() if n}
    assert folded == {"testapp.Blog": 1, "testapp.Order": 5}  # a delta per counter of Order


def test_compare_takes_the_target_a_counter_info_names(blogs_with_drift):
    info = _info("testapp.Blog.published_count")
    blog = blogs_with_drift[0]
    found = {
        c.counter.label: (c.cached, c.true)
        for c in counters.compare(info.target, [blog.pk])[blog.pk]
    }
    assert found[info.label] == (7, 3)
    assert found["testapp.Blog.articles_count"] == (3, 3)


def test_a_counter_info_of_a_database_that_does_not_keep_it_is_refused(db):
    from counters.core import registry
    from counters.exceptions import UnknownCounterError

    elsewhere = [c for c in registry.all_counters() if not registry.kept_on(c, "default")]
    assert elsewhere, "the routed test app keeps its counters on another database"
    with pytest.raises(UnknownCounterError, match="kept on database"):
        counters.check(_info(elsewhere[0].label))

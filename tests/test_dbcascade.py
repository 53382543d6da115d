"""Django 6.1's database-level ``on_delete``: ``DB_CASCADE`` deletes a folder's files (and its
subfolders' files) in the database, ``DB_SET_NULL`` detaches files from a deleted label, with no
signal sent and nothing collected by Django. The counter triggers see those rows leave like any
other delete: signal-based counters cannot."""

from __future__ import annotations

import django
import pytest

pytestmark = [
    pytest.mark.skipif(
        django.VERSION < (6, 1),
        reason="database-level on_delete is Django 6.1's; the Python 3.13 + Django 6.1 cell runs it",
    ),
    pytest.mark.django_db,
]


def test_db_cascade_and_db_set_null_are_counted():
    from django.db.models import Count, Sum

    from tests.dbcascade.models import File, Folder, Label
    from tests.utils import assert_exact

    root = Folder.objects.create()
    child = Folder.objects.create(parent=root)
    other = Folder.objects.create()
    red, blue = Label.objects.create(), Label.objects.create()
    File.objects.bulk_create(
        [File(folder=root, label=red, size=10) for _ in range(3)]
        + [File(folder=child, label=blue, size=5) for _ in range(4)]
        + [File(folder=other, label=red, size=1) for _ in range(2)]
    )
    assert_exact(Folder, Label)
    root.delete()  # the database deletes child, and every file of both
    assert not File.objects.filter(folder_id__in=[root.pk, child.pk]).exists()
    assert_exact(Folder, Label)
    assert Label.objects.get(pk=red.pk).files_count == 2
    assert Label.objects.get(pk=blue.pk).files_count == 0
    red.delete()  # the database sets the files' label to NULL
    assert File.objects.filter(label=None).count() == 2
    assert_exact(Folder, Label)
    other = Folder.objects.annotate(n=Count("files"), b=Sum("files__size")).get(pk=other.pk)
    assert (other.files_count, other.bytes) == (other.n, other.b) == (2, 2)

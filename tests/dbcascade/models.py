"""Folders whose files the database deletes with them, and tags it detaches."""

from __future__ import annotations

from django.db import models

import counters


@counters.register(
    counters.Count("files_count", source="dbcascade.File", path="folder"),
    counters.Sum("bytes", source="dbcascade.File", path="folder", column="size"),
)
class Folder(models.Model):
    parent = models.ForeignKey("self", null=True, on_delete=models.DB_CASCADE)
    files_count = models.IntegerField(default=0, db_default=0)
    bytes = models.BigIntegerField(default=0, db_default=0)


@counters.register(counters.Count("files_count", source="dbcascade.File", path="label"))
class Label(models.Model):
    files_count = models.IntegerField(default=0, db_default=0)


class File(models.Model):
    folder = models.ForeignKey(Folder, on_delete=models.DB_CASCADE, related_name="files")
    label = models.ForeignKey(Label, null=True, on_delete=models.DB_SET_NULL, related_name="files")
    size = models.BigIntegerField(default=0)

"""A team's URLs: the admin only (the library's live stream is not included)."""

from django.contrib import admin
from django.urls import path

urlpatterns = [path("admin/", admin.site.urls)]

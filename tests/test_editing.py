"""Counter fields are read-only wherever a form or a serializer is built from the model: model
forms, the admin, Django REST framework. A value sent for a counter is never accepted and then
silently lost."""

from __future__ import annotations

import io

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

import counters
from tests.testapp.models import Place, Review

pytestmark = pytest.mark.django_db


def a_place_with_reviews(n: int = 3) -> Place:
    place = Place.objects.create(name="Luigi's")
    Review.objects.bulk_create([Review(place=place) for _ in range(n)])
    counters.increment(place, "views", by=7)
    return place


def test_a_model_form_with_every_field_leaves_the_counters_out():
    class PlaceForm(forms.ModelForm):
        class Meta:
            model = Place
            fields = "__all__"

    place = a_place_with_reviews()
    form = PlaceForm({"name": "Mario's", "reviews_count": 999, "views": 999}, instance=place)
    assert set(form.fields) == {"name"}
    assert form.is_valid(), form.errors
    form.save()
    place = Place.objects.get(pk=place.pk)
    assert (place.name, place.reviews_count, place.views) == ("Mario's", 3, 7)


def test_a_model_form_naming_a_counter_is_refused_with_a_message_that_says_why():
    with pytest.raises(FieldError, match="reviews_count.*non-editable"):

        class PlaceForm(forms.ModelForm):
            class Meta:
                model = Place
                fields = ["name", "reviews_count"]


def test_a_plain_model_admin_shows_no_counter_input_and_keeps_the_counts():
    user = get_user_model().objects.create_superuser("boss", "boss@example.com", "pw")
    place = a_place_with_reviews()
    model_admin = admin.site._registry[Place]  # tests/testapp/admin.py: no mixin
    assert type(model_admin).__mro__[1] is admin.ModelAdmin
    request = RequestFactory().get("/")
    request.user = user
    assert {"reviews_count", "views"}.isdisjoint(model_admin.get_form(request, place).base_fields)
    client = Client()
    client.force_login(user)
    url = f"/admin/testapp/place/{place.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="name"' in page and 'name="reviews_count"' not in page
    reply = client.post(url, {"name": "Mario's", "reviews_count": 999, "views": 999})
    assert reply.status_code == 302
    place = Place.objects.get(pk=place.pk)
    assert (place.name, place.reviews_count, place.views) == ("Mario's", 3, 7)


@pytest.mark.urls("tests.ecosystem.urls")
def test_a_drf_model_serializer_reads_counters_and_ignores_a_patch_of_them():
    place = a_place_with_reviews()
    api = APIClient()
    got = api.get(f"/api/places/{place.pk}/").json()
    assert (got["reviews_count"], got["views"]) == (3, 7)
    reply = api.patch(
        f"/api/places/{place.pk}/", {"reviews_count": 999, "views": 999, "name": "Mario's"}
    )
    assert reply.status_code == 200
    assert (reply.json()["reviews_count"], reply.json()["views"], reply.json()["name"]) == (
        3,
        7,
        "Mario's",
    )
    created = api.post("/api/places/", {"name": "New", "reviews_count": 5}).json()
    assert created["reviews_count"] == 0
    place = Place.objects.get(pk=place.pk)
    assert (place.name, place.reviews_count, place.views) == ("Mario's", 3, 7)
    assert Place.objects.get(pk=created["id"]).reviews_count == 0


@pytest.mark.django_db(databases=["default", "second"])  # makemigrations looks at both
def test_read_only_counters_need_no_migration():
    out = io.StringIO()
    call_command("makemigrations", "testapp", "adopters", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
    field = Place._meta.get_field("reviews_count")
    assert field.editable is False and "editable" not in field.deconstruct()[3]


def test_a_field_is_made_read_only_once_and_a_teams_own_flag_is_left_as_declared():
    from counters.editing import make_read_only

    field = Place._meta.get_field("reviews_count")
    deconstruct = field.deconstruct
    make_read_only([field])  # the counters built again (a second registry build)
    assert field.deconstruct is deconstruct and field.editable is False
    assert "editable" not in field.deconstruct()[3]  # migrations see it as declared

    from django.db import models

    declared = models.IntegerField(editable=False)
    declared.set_attributes_from_name("hits")
    make_read_only([declared])
    assert declared.deconstruct()[3] == {"editable": False}  # the team's migration says so
    assert not getattr(declared, "_counters_read_only", False)

"""What a project may expose of the library: the live counters' event stream.

path("counters/", include("counters.urls")),
"""

from django.urls import path

from counters.live import views

app_name = "counters"
urlpatterns = [
    path("stream/", views.live_stream, name="stream"),
]

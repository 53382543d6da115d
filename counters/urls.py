from django.urls import path

from counters import views

app_name = "counters"
urlpatterns = [
    path("profile/<str:username>/", views.profile, name="profile"),
    path("totals/", views.totals, name="totals"),
    path("stream/", views.live_stream, name="stream"),
    path("live/", views.live_page, name="live"),
]

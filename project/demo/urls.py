from django.urls import path

from project.demo import views

app_name = "demo"
urlpatterns = [
    path("profile/<str:username>/", views.profile, name="profile"),
    path("totals/", views.totals, name="totals"),
    path("live/", views.live_page, name="live"),
]

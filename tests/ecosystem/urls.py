from django.urls import include, path

from tests.ecosystem import views
from tests.ecosystem.api import router

urlpatterns = [
    path("api/", include(router.urls)),
    path("places/<int:pk>/visit/", views.visit),
]

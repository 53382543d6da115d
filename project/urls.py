from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from counters.metrics import metrics_view

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("counters/", include("counters.urls")),  # the library's live stream
    path("metrics/counters", metrics_view),  # Prometheus metrics: staff or a bearer token
    path("demo/", include("project.demo.urls")),  # the demo's pages, not part of the library
]

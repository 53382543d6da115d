"""Prometheus metrics of the counters (the exposition text format, through ``prometheus_client``).

Two ways to expose them, both opt-in:

- the view :func:`metrics_view`, which a project mounts where its scraper looks::

      # urls.py
      from counters.metrics import metrics_view
      path("metrics/counters", metrics_view),

  Staff users (a logged-in session) may read it, and so may a scraper presenting
  ``Authorization: Bearer <COUNTERS_METRICS_TOKEN>`` when that setting is set; anyone else gets
  403. Nothing is exposed by merely installing the app.
- ``manage.py counters_metrics`` prints the same text, for the node exporter's textfile collector.

Every value is read from the database when scraped (see :mod:`counters.monitoring`), so every
process serves the same figures. The metric names and labels are documented in
docs/operations.md.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS
from django.http import HttpRequest, HttpResponse, JsonResponse

from counters import monitoring
from counters.core import registry
from counters.exceptions import CounterError
from counters.state import backlog, last_checks, last_fold, require_tables


def require_prometheus_client() -> None:
    try:
        import prometheus_client  # noqa: F401
    except ImportError:
        raise CounterError(
            "counter metrics need prometheus_client (pip install 'django-exact-counters[metrics]' "
            "or pip install prometheus-client)"
        ) from None


class CountersCollector:
    """A ``prometheus_client`` collector reading the counters' health from ``using``; register it
    on your own registry to merge the counters' metrics into an existing endpoint."""

    def __init__(self, using: str = DEFAULT_DB_ALIAS) -> None:
        self.using = using

    def describe(self) -> list[Any]:
        return []  # read on collect only: registering it must not query the database

    def collect(self) -> Iterator[Any]:
        from prometheus_client.core import GaugeMetricFamily

        using = self.using
        labels = [counter.label for counter in registry.on_database(using)]

        pending = backlog(using)
        rows = GaugeMetricFamily(
            "counters_pending_deltas", "Pending delta rows, not folded yet.", labels=["counter"]
        )
        age = GaugeMetricFamily(
            "counters_pending_oldest_seconds",
            "Age of the oldest pending delta row (0 when none is pending).",
            labels=["counter"],
        )
        for label in labels:
            found = pending.get(label)
            rows.add_metric([label], found.rows if found else 0)
            age.add_metric([label], found.oldest_seconds if found else 0.0)
        yield rows
        yield age

        last = last_fold(using)
        fold = GaugeMetricFamily(
            "counters_last_fold_timestamp_seconds",
            "When counters.fold() last ran (a folder, fold_counters, the admin); 0: never.",
        )
        fold.add_metric([], last.timestamp() if last else 0.0)
        yield fold

        state = GaugeMetricFamily(
            "counters_trigger_state",
            "1 for the state each trigger keeping a counter is in (enabled, disabled, outdated, "
            "missing), 0 for the others.",
            labels=["counter", "model", "trigger", "state"],
        )
        for trigger in monitoring.triggers(using):
            for word in monitoring.TRIGGER_STATES:
                state.add_metric(
                    [trigger.counter, trigger.model, trigger.trigger, word],
                    1.0 if trigger.state == word else 0.0,
                )
        yield state

        checks = last_checks(using)
        families = {
            name: GaugeMetricFamily(f"counters_check_{name}", text, labels=["counter", "kind"])
            for name, text in (
                ("rows_checked", "Rows the counter's last check (or recount) compared."),
                ("rows_drifted", "Rows whose cached value differed from the true one."),
                ("largest_drift", "The largest difference found, in absolute value."),
                ("timestamp_seconds", "When the counter's last check (or recount) ended."),
                (
                    "completed",
                    "1 when the last check covered all it meant to, 0 when it "
                    "stopped at its time limit.",
                ),
            )
        }
        for label in labels:
            result = checks.get(label)
            if result is None:
                continue
            values = {
                "rows_checked": result.rows_checked,
                "rows_drifted": result.rows_drifted,
                "largest_drift": result.largest_drift,
                "timestamp_seconds": result.at.timestamp(),
                "completed": 1.0 if result.completed else 0.0,
            }
            for name, value in values.items():
                families[name].add_metric([label, result.kind], value)
        yield from families.values()


def render(using: str = DEFAULT_DB_ALIAS) -> bytes:
    """The counters' metrics in the Prometheus text format."""
    require_prometheus_client()
    from prometheus_client import CollectorRegistry, generate_latest

    require_tables(using)
    metrics = CollectorRegistry(auto_describe=False)
    metrics.register(CountersCollector(using))
    return generate_latest(metrics)


def _allowed(request: HttpRequest) -> bool:
    token = getattr(settings, "COUNTERS_METRICS_TOKEN", None)
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), str(token)):
            return True
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_active and user.is_staff)


def metrics_view(request: HttpRequest) -> HttpResponse:
    """``GET``: the metrics (staff, or ``Authorization: Bearer <COUNTERS_METRICS_TOKEN>``)."""
    if request.method not in ("GET", "HEAD"):
        return JsonResponse({"error": "GET only"}, status=405, headers={"Allow": "GET, HEAD"})
    if not _allowed(request):
        return JsonResponse(
            {"error": "staff only, or Authorization: Bearer <COUNTERS_METRICS_TOKEN>"}, status=403
        )
    try:
        body = render()
    except CounterError as exc:
        return JsonResponse({"error": str(exc)}, status=503)
    from prometheus_client import CONTENT_TYPE_LATEST

    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


__all__ = ["CountersCollector", "metrics_view", "render"]

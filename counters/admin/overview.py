"""The admin's "Counters overview" page: every declared counter, its triggers' state, the site
totals beside their true values, and buttons to check, recount (in bounded steps) and fold.

One database at a time (``?database=ALIAS``, the default database unless asked): the counters
whose apps migrate there (:func:`counters.core.registry.on_database`), with links to the others when
several databases keep counters."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, URLPattern, path, reverse

from counters.admin import jobs
from counters.admin.jobs import merge, new_job, recount_message
from counters.core import registry
from counters.core.counter import Counter
from counters.display import describe_condition, drift_words
from counters.exceptions import CounterError
from counters.folding import fold, pending_rows
from counters.models import CounterOverview
from counters.recounting import compare, run
from counters.report import Progress, Report
from counters.status import states_by_counter

if TYPE_CHECKING:  # ModelAdmin is generic in django-stubs only (no __class_getitem__ at run time)
    _OverviewAdmin = admin.ModelAdmin[CounterOverview]
else:
    _OverviewAdmin = admin.ModelAdmin


class CounterOverviewAdmin(_OverviewAdmin):
    """The "Counters overview" page. Viewing needs the view permission of "counters overview";
    checking, recounting and folding need its change permission (superusers have both).
    ``CountersConfig.ready()`` registers it with the admin site: importing this module (or the
    mixin) registers nothing."""

    JOB = "counters_job"
    RESULT = "counters_result"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def can_repair(self, request: HttpRequest) -> bool:
        return request.user.has_perm("counters.change_counteroverview")

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("", wrap(self.overview_view), name=f"{prefix}_changelist"),
            path("run/", wrap(self.run_view), name=f"{prefix}_run"),
            path("fold/", wrap(self.fold_view), name=f"{prefix}_fold"),
            path("recount-row/", wrap(self.recount_row_view), name=f"{prefix}_recount_row"),
        ]

    def _url(self, name: str, database: str = DEFAULT_DB_ALIAS) -> str:
        url = reverse(f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{name}")
        return url if database == DEFAULT_DB_ALIAS else f"{url}?database={database}"

    @staticmethod
    def _database(request: HttpRequest) -> str | None:
        """The database a request is about (``database`` in the query or the form; the default
        database without it), ``None`` when no such database is configured."""
        alias = request.POST.get("database") or request.GET.get("database") or DEFAULT_DB_ALIAS
        return alias if alias in connections else None

    def overview_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        using = self._database(request)
        if using is None:
            return HttpResponseBadRequest("No such database.")
        counters = registry.on_database(using)
        totals: list[dict[str, Any]] = [
            {"comparison": c, "words": drift_words(c.drift, c.counter.kind)}
            for model, key in single_rows(counters)
            for c in compare(model, [key], using=using).get(key, [])
        ]
        pending = pending_rows(using)
        rows = []
        for counter, states in states_by_counter(counters, using).items():
            rows.append(
                {
                    "counter": counter,
                    "source": counter.source._meta.label,
                    "condition": describe_condition(counter.condition),
                    "states": states,
                    "ok": all(state.ok for state in states),
                    "pending": pending.get(counter.label, 0),
                }
            )
        databases = _keeping()
        if len(databases) < 2:  # one database keeps them all: nothing to choose
            databases = []
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Counters overview",
            "rows": rows,
            "totals": totals,
            "result": request.session.get(self.RESULT),
            "can_repair": self.can_repair(request),
            "sample_size": jobs.SAMPLE_SIZE,
            "targets": sorted({c.target._meta.label for c in counters if c.mode != "singleton"}),
            "stream_url": _stream_url(),
            # the live panel streams public totals only (others need COUNTERS_STREAM_AUTHORIZE)
            "live_totals": [
                row
                for row in totals
                if row["comparison"].counter.public and using == DEFAULT_DB_ALIAS
            ],
            "urls": {name: self._url(name) for name in ("run", "fold", "recount_row")},
            "database": using,
            # the databases keeping counters, when there are several: the page links them
            "databases": [(alias, self._url("changelist", alias)) for alias in databases],
        }
        return TemplateResponse(request, "admin/counters/overview.html", context)

    def _refuse(self, request: HttpRequest) -> HttpResponse | None:
        using = self._database(request)
        if using is None:
            return HttpResponseBadRequest("No such database.")
        if request.method != "POST":
            return HttpResponseRedirect(self._url("changelist", using))
        if not self.can_repair(request):
            self.message_user(
                request, "You may look at the counters, not change them.", messages.ERROR
            )
            return HttpResponseRedirect(self._url("changelist", using))
        return None

    def run_view(self, request: HttpRequest) -> HttpResponse:
        """A sampled check (one request), or a full check / recount in bounded steps: each request
        works for about STEP_SECONDS, then the page posts the next step by itself."""
        if (refused := self._refuse(request)) is not None:
            return refused
        using = self._database(request) or DEFAULT_DB_ALIAS
        mode = request.POST.get("mode")
        if mode == "sample":
            return self._finish(
                request,
                "sample",
                self._attempt(request, fix=False, sample=jobs.SAMPLE_SIZE, using=using),
                using,
            )
        if mode in ("check", "recount"):
            targets = sorted({c.target._meta.label for c in registry.on_database(using)})
            request.session[self.JOB] = new_job(mode, targets, database=using)
        if request.session.get(self.JOB) is None or mode not in ("check", "recount", "continue"):
            self.message_user(
                request, "Nothing to run: choose a check or a recount.", messages.ERROR
            )
            return HttpResponseRedirect(self._url("changelist", using))
        return self.step(request)

    def step(self, request: HttpRequest) -> HttpResponse:
        """Run the session's job for about STEP_SECONDS; then a page that posts the next step by
        itself, or the overview with the result once the job is done."""
        job = request.session[self.JOB]
        using = job.get("database", DEFAULT_DB_ALIAS)
        if not job["targets"]:  # no counters on that database
            request.session.pop(self.JOB, None)
            return self._finish(request, job["mode"], job["result"], using)
        target = job["targets"][job["index"]]
        seen: list[Progress] = []
        report = self._attempt(
            request,
            labels=[target],
            using=using,
            fix=job["mode"] == "recount",
            ids=job.get("ids"),
            start_after=job["start_after"],
            batch_size=jobs.STEP_BATCH_SIZE,
            time_limit=jobs.STEP_SECONDS,
            progress=seen.append,
        )
        if report is None:
            request.session.pop(self.JOB, None)
            return HttpResponseRedirect(self._url("changelist", using))
        job["result"] = merge(job["result"], report)
        if report.completed:
            job["index"], job["start_after"], job["done"] = job["index"] + 1, None, 0
        else:  # keys as text: the session is JSON, and a key may be a UUID
            job["start_after"] = str(report.last_committed[target])
            job["done"] += seen[-1].done if seen else 0
        if job["index"] >= len(job["targets"]):
            request.session.pop(self.JOB, None)
            return self._finish(request, job["mode"], job["result"], using)
        request.session[self.JOB] = job
        total = seen[-1].total if seen and not report.completed else None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": f"{'Recounting' if job['mode'] == 'recount' else 'Checking'} counters",
            "job": job,
            "target": job["targets"][job["index"]],
            "step": job["index"] + 1,
            "steps": len(job["targets"]),
            "total": total,
            "run_url": self._url("run"),
            "overview_url": self._url("changelist", using),
            "database": using,
        }
        return TemplateResponse(request, "admin/counters/progress.html", context)

    def _attempt(
        self, request: HttpRequest, *, labels: Sequence[str] = (), **kwargs: Any
    ) -> Report | None:
        try:
            return run(labels, **kwargs)
        except CounterError as exc:
            self.message_user(request, f"Could not run: {exc}", messages.ERROR)
            return None

    def _finish(
        self,
        request: HttpRequest,
        mode: str,
        result: Report | dict[str, Any] | None,
        using: str = DEFAULT_DB_ALIAS,
    ) -> HttpResponse:
        if result is None:
            return HttpResponseRedirect(self._url("changelist", using))
        if isinstance(result, Report):
            result = merge(None, result)
        result.update(mode=mode, at=time.strftime("%Y-%m-%d %H:%M:%S"))
        request.session[self.RESULT] = result
        drifted = sum(c["rows_drifted"] for c in result["counters"])
        checked = max((c["rows_checked"] for c in result["counters"]), default=0)
        what = {"sample": "Sampled check", "check": "Full check", "recount": "Recount"}[mode]
        if mode == "recount":
            text = f"{what} done: {drifted} drifted value(s) fixed, {result['created']} row(s) created."
        else:
            text = (
                f"{what} done: {drifted} drifted value(s) found (up to {checked} rows per model)."
            )
            if drifted:
                text += " Recount to fix them."
        self.message_user(
            request, text, messages.WARNING if drifted and mode != "recount" else messages.SUCCESS
        )
        return HttpResponseRedirect(self._url("changelist", using))

    def fold_view(self, request: HttpRequest) -> HttpResponse:
        if (refused := self._refuse(request)) is not None:
            return refused
        using = self._database(request) or DEFAULT_DB_ALIAS
        report = fold(using=using)
        folded, left, orphans = (
            sum(d.values()) for d in (report.folded, report.left, report.orphans)
        )
        self.message_user(
            request,
            f"Folded {folded} pending delta(s) into their counters; {left} left for a later fold "
            f"(busy rows); {orphans} orphaned delta(s) dropped.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._url("changelist", using))

    def recount_row_view(self, request: HttpRequest) -> HttpResponse:
        """Recount the counters of one target row, named by its model and key (creates a missing
        stats row), then open its admin change page when the model has one."""
        if (refused := self._refuse(request)) is not None:
            return refused
        using = self._database(request) or DEFAULT_DB_ALIAS
        label, raw_key = request.POST.get("target", ""), request.POST.get("key", "").strip()
        found = [c for c in registry.on_database(using) if c.target._meta.label == label]
        if not found or found[0].mode == "singleton":
            self.message_user(request, f"{label!r} holds no per-row counters.", messages.ERROR)
            return HttpResponseRedirect(self._url("changelist", using))
        model = found[0].target
        try:
            report = run([label], fix=True, ids=[raw_key], using=using)
        except (CounterError, ValueError) as exc:
            self.message_user(request, f"Could not recount: {exc}", messages.ERROR)
            return HttpResponseRedirect(self._url("changelist", using))
        level, text = recount_message(report, f"{model._meta.verbose_name} {raw_key}")
        self.message_user(request, text, level)
        if model in self.admin_site._registry:
            opts = model._meta
            name = f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change"
            return HttpResponseRedirect(reverse(name, args=[raw_key]))
        return HttpResponseRedirect(self._url("changelist", using))


def single_rows(counters: Sequence[Counter]) -> list[tuple[type[models.Model], object]]:
    """The single-row targets (site totals) among ``counters``, with their row's key."""
    rows = {c.target: c.singleton_key for c in counters if c.mode == "singleton"}
    return sorted(rows.items(), key=lambda item: item[0]._meta.label)


def _keeping() -> list[str]:
    """The aliases of the databases that keep at least one counter, in settings order."""
    return [alias for alias in connections if registry.on_database(alias)]


def _stream_url() -> str | None:
    """The live stream's URL, when the project includes ``counters.urls``."""
    try:
        return reverse("counters:stream")
    except NoReverseMatch:
        return None

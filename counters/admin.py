"""Admin pages: a counters overview, and a mixin for a project's own model admins.

``CounterAdminMixin`` makes every counter declared on the admin's model read-only, adds a
"Recount selected" action, and shows each trigger-kept counter's cached value beside its true
count on the change page (optionally on the list too). ``CounterOverviewAdmin`` is the
"Counters overview" page: every declared counter, its triggers' state, the site totals, and
buttons to check, recount and fold.
"""

from __future__ import annotations

import decimal
import time
from collections.abc import Callable, Sequence
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.html import format_html, format_html_join

from counters import registry
from counters.backfill import Comparison, Progress, Report, compare, run, trigger_states
from counters.exceptions import CounterError
from counters.folding import fold, pending_rows
from counters.models import CounterDelta, CounterOverview
from counters.spec import Counter

# Admin requests that check or recount work in steps of at most this many seconds of batches
# (then the page continues by itself), so a full check of a big table never times out a request.
STEP_SECONDS = 2.0
STEP_BATCH_SIZE = 2000
SAMPLE_SIZE = 1000


DRIFT_STYLE = "color: #ba2121; font-weight: bold"  # the admin's error red (inline: any page)


TRUTH = {"count": "COUNT(*)", "sum": "SUM()", "min": "MIN()", "max": "MAX()"}


def drift_words(drift: object, kind: str = "count") -> str:
    """``matches COUNT(*)``, ``drift +3``, ``drift -0:05:00`` (a Min or Max), ``drift (NULL)``."""
    if drift == 0:
        return f"matches {TRUTH[kind]}"
    if drift is None:
        return "drift (one of them is empty)"
    if isinstance(drift, int | decimal.Decimal):
        return f"drift {drift:+}"
    return f"drift {drift}"


def drift_style(drift: object) -> str:
    return "" if drift == 0 else DRIFT_STYLE


def _recount_message(report: Report, what: str) -> tuple[int, str]:
    """A message level and text for a recount's report."""
    checked = max((c.rows_checked for c in report.counters), default=0)
    created = f"; created {report.rows_created} missing row(s)" if report.rows_created else ""
    if not report.drifted:
        return messages.SUCCESS, f"Recounted {checked} {what}: every counter was exact{created}."
    fixes = "; ".join(
        f"{c.label}: {c.rows_drifted} row(s) fixed ("
        + ", ".join(f"key {e['key']}: {e['cached']} → {e['true']}" for e in c.examples)
        + (", …" if c.rows_drifted > len(c.examples) else "")
        + ")"
        for c in report.counters
        if c.rows_drifted
    )
    return messages.WARNING, f"Recounted {checked} {what}: {fixes}{created}."


class CounterAdminMixin:
    """For a ``ModelAdmin`` of a model that holds declared counters.

    * every counter (trigger-kept and event) is read-only;
    * the "Recount selected" action recounts the selected rows with :func:`counters.recount`
      and says what it fixed;
    * the change page has a "Counters" section: each trigger-kept counter's value (row plus
      pending deltas) beside ``COUNT(*)``, drift highlighted;
    * ``list_true_counts = True`` adds a "true" column after every trigger-kept counter of the
      list (one query per page; meant for small tables such as site totals).

    Example::

        @admin.register(ArticleStats)
        class ArticleStatsAdmin(CounterAdminMixin, admin.ModelAdmin):
            list_display = ("article", "comments_count")
    """

    list_true_counts: bool = False
    actions: Sequence[Callable | str] | None = ["recount_selected"]
    model: type[models.Model]

    def _trigger_kept(self) -> list[Counter]:
        return registry.counters_on(self.model)

    def get_readonly_fields(self, request: HttpRequest, obj: models.Model | None = None) -> list:
        fields = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        declared = [c.field.name for c in self._trigger_kept()]
        declared += [f.name for f in registry.event_fields(self.model)]
        if obj is not None and self._trigger_kept():
            declared.append("counter_values")
        return fields + [name for name in declared if name not in fields]

    def get_fields(self, request: HttpRequest, obj: models.Model | None = None) -> list:
        fields = super().get_fields(request, obj)  # type: ignore[misc]
        return [name for name in fields if name != "counter_values"]

    def get_fieldsets(self, request: HttpRequest, obj: models.Model | None = None) -> list:
        fieldsets = list(super().get_fieldsets(request, obj))  # type: ignore[misc]
        if obj is not None and self._trigger_kept():
            fieldsets.append(
                (
                    "Counters: cached value beside COUNT(*)",
                    {
                        "fields": ["counter_values"],
                        "description": "The cached value includes pending deltas (not folded yet). "
                        "A drift means something bypassed the triggers; the Recount selected "
                        "action (or manage.py backfill_counters) fixes it.",
                    },
                )
            )
        return fieldsets

    @admin.display(description="counters")
    def counter_values(self, obj: models.Model) -> str:
        """The change page's table: counter, cached, true, pending delta rows, drift."""
        found = compare(self.model, [obj.pk]).get(obj.pk, [])
        by_id = {c.counter.id: c.counter.label for c in found}
        pending = {
            by_id[counter]: rows
            for counter, rows in CounterDelta.objects.filter(counter__in=by_id, key=str(obj.pk))
            .values("counter")
            .annotate(rows=models.Count("*"))
            .values_list("counter", "rows")
        }
        rows = format_html_join(
            "",
            '<tr class="{}" style="{}"><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>',
            (
                (
                    "counter-drift" if c.drift != 0 else "counter-exact",
                    drift_style(c.drift),
                    c.counter.field.verbose_name,
                    c.cached,
                    c.true,
                    pending.get(c.counter.label, 0),
                    drift_words(c.drift, c.counter.kind),
                )
                for c in found
            ),
        )
        return format_html(
            '<table class="counter-values"><thead><tr><th>counter</th><th>cached</th>'
            "<th>true (COUNT(*))</th><th>pending deltas</th><th></th></tr></thead>"
            "<tbody>{}</tbody></table>",
            rows,
        )

    @admin.action(description="Recount selected %(verbose_name_plural)s", permissions=["change"])
    def recount_selected(
        self, request: HttpRequest, queryset: models.QuerySet
    ) -> HttpResponse | None:
        """Recount the selected rows: at once for up to STEP_BATCH_SIZE of them, else in bounded
        steps through the overview's job runner (a page that continues by itself)."""
        keys = list(queryset.order_by("pk").values_list("pk", flat=True))
        overview = self.admin_site._registry.get(CounterOverview)  # type: ignore[attr-defined]
        if len(keys) > STEP_BATCH_SIZE and overview is not None:
            job = new_job("recount", [self.model._meta.label], [str(key) for key in keys])
            request.session[CounterOverviewAdmin.JOB] = job
            return overview.step(request)
        try:
            report = run([self.model._meta.label], fix=True, ids=keys)
        except CounterError as exc:
            self.message_user(request, f"Nothing recounted: {exc}", messages.ERROR)  # type: ignore[attr-defined]
            return None
        level, text = _recount_message(report, f"{self.model._meta.verbose_name_plural}")
        self.message_user(request, text, level)  # type: ignore[attr-defined]
        return None

    def get_list_display(self, request: HttpRequest) -> Sequence:
        columns = list(super().get_list_display(request))  # type: ignore[misc]
        if not self.list_true_counts:
            return columns
        for counter in self._trigger_kept():
            if counter.field.name in columns:
                at = columns.index(counter.field.name) + 1
                columns.insert(at, _true_column(counter))
        return columns

    def get_changelist_instance(self, request: HttpRequest):  # noqa: ANN201
        changelist = super().get_changelist_instance(request)  # type: ignore[misc]
        if self.list_true_counts and self._trigger_kept():
            rows = list(changelist.result_list)
            found = compare(self.model, [row.pk for row in rows])
            for row in rows:
                row._counter_values = {c.counter.label: c for c in found.get(row.pk, [])}
        return changelist


def _true_column(counter: Counter) -> Callable[[models.Model], str]:
    """A list column: ``counter``'s COUNT(*) and drift, from what the change list attached."""

    def column(obj: models.Model) -> str:
        value: Comparison | None = getattr(obj, "_counter_values", {}).get(counter.label)
        if value is None:
            return "-"
        css = "counter-drift" if value.drift != 0 else "counter-exact"
        return format_html(
            '<span class="{}" style="{}">{} ({})</span>',
            css,
            drift_style(value.drift),
            value.true,
            drift_words(value.drift, value.counter.kind),
        )

    column.short_description = f"{counter.field.verbose_name}: true"  # type: ignore[attr-defined]
    column.__name__ = f"true_{counter.field.name}"
    return column


def describe_condition(condition: models.Q | None) -> str:
    """``published=True AND NOT (hidden=True)``: a declaration's condition, for people."""
    if condition is None:
        return ""
    parts = [
        describe_condition(child) if isinstance(child, models.Q) else f"{child[0]}={child[1]!r}"
        for child in condition.children
    ]
    text = f" {condition.connector} ".join(parts)
    if len(parts) > 1:
        text = f"({text})"
    return f"NOT {text}" if condition.negated else text


@admin.register(CounterOverview)
class CounterOverviewAdmin(admin.ModelAdmin):
    """The "Counters overview" page. Viewing needs the view permission of "counters overview";
    checking, recounting and folding need its change permission (superusers have both)."""

    JOB = "counters_job"
    RESULT = "counters_result"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def can_repair(self, request: HttpRequest) -> bool:
        return request.user.has_perm("counters.change_counteroverview")

    def get_urls(self) -> list:
        wrap = self.admin_site.admin_view
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("", wrap(self.overview_view), name=f"{prefix}_changelist"),
            path("run/", wrap(self.run_view), name=f"{prefix}_run"),
            path("fold/", wrap(self.fold_view), name=f"{prefix}_fold"),
            path("recount-row/", wrap(self.recount_row_view), name=f"{prefix}_recount_row"),
        ]

    def _url(self, name: str) -> str:
        return reverse(
            f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{name}"
        )

    def overview_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        counters = sorted(registry.all_counters(), key=lambda c: c.label)
        totals: list[dict[str, Any]] = [
            {"comparison": c, "words": drift_words(c.drift, c.counter.kind)}
            for model, key in single_rows(counters)
            for c in compare(model, [key]).get(key, [])
        ]
        pending = pending_rows()
        rows = []
        for counter in counters:
            states = trigger_states(counter)
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
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Counters overview",
            "rows": rows,
            "totals": totals,
            "result": request.session.get(self.RESULT),
            "can_repair": self.can_repair(request),
            "sample_size": SAMPLE_SIZE,
            "targets": sorted({c.target._meta.label for c in counters if c.mode != "singleton"}),
            "stream_url": _stream_url(),
            # the live panel streams public totals only (others need COUNTERS_STREAM_AUTHORIZE)
            "live_totals": [row for row in totals if row["comparison"].counter.public],
            "urls": {name: self._url(name) for name in ("run", "fold", "recount_row")},
        }
        return TemplateResponse(request, "admin/counters/overview.html", context)

    def _refuse(self, request: HttpRequest) -> HttpResponse | None:
        if request.method != "POST":
            return HttpResponseRedirect(self._url("changelist"))
        if not self.can_repair(request):
            self.message_user(
                request, "You may look at the counters, not change them.", messages.ERROR
            )
            return HttpResponseRedirect(self._url("changelist"))
        return None

    def run_view(self, request: HttpRequest) -> HttpResponse:
        """A sampled check (one request), or a full check / recount in bounded steps: each request
        works for about STEP_SECONDS, then the page posts the next step by itself."""
        if (refused := self._refuse(request)) is not None:
            return refused
        mode = request.POST.get("mode")
        if mode == "sample":
            return self._finish(
                request, "sample", self._attempt(request, fix=False, sample=SAMPLE_SIZE)
            )
        if mode in ("check", "recount"):
            targets = sorted({c.target._meta.label for c in registry.all_counters()})
            request.session[self.JOB] = new_job(mode, targets)
        if request.session.get(self.JOB) is None or mode not in ("check", "recount", "continue"):
            self.message_user(
                request, "Nothing to run: choose a check or a recount.", messages.ERROR
            )
            return HttpResponseRedirect(self._url("changelist"))
        return self.step(request)

    def step(self, request: HttpRequest) -> HttpResponse:
        """Run the session's job for about STEP_SECONDS; then a page that posts the next step by
        itself, or the overview with the result once the job is done."""
        job = request.session[self.JOB]
        target = job["targets"][job["index"]]
        seen: list[Progress] = []
        report = self._attempt(
            request,
            labels=[target],
            fix=job["mode"] == "recount",
            ids=job.get("ids"),
            start_after=job["start_after"],
            batch_size=STEP_BATCH_SIZE,
            time_limit=STEP_SECONDS,
            progress=seen.append,
        )
        if report is None:
            request.session.pop(self.JOB, None)
            return HttpResponseRedirect(self._url("changelist"))
        job["result"] = _merge(job["result"], report)
        if report.completed:
            job["index"], job["start_after"], job["done"] = job["index"] + 1, None, 0
        else:  # keys as text: the session is JSON, and a key may be a UUID
            job["start_after"] = str(report.last_committed[target])
            job["done"] += seen[-1].done if seen else 0
        if job["index"] >= len(job["targets"]):
            request.session.pop(self.JOB, None)
            return self._finish(request, job["mode"], job["result"])
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
            "overview_url": self._url("changelist"),
        }
        return TemplateResponse(request, "admin/counters/progress.html", context)

    def _attempt(self, request: HttpRequest, *, labels: Sequence[str] = (), **kwargs: Any):  # noqa: ANN202
        try:
            return run(labels, **kwargs)
        except CounterError as exc:
            self.message_user(request, f"Could not run: {exc}", messages.ERROR)
            return None

    def _finish(
        self, request: HttpRequest, mode: str, result: Report | dict | None
    ) -> HttpResponse:
        if result is None:
            return HttpResponseRedirect(self._url("changelist"))
        if isinstance(result, Report):
            result = _merge(None, result)
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
        return HttpResponseRedirect(self._url("changelist"))

    def fold_view(self, request: HttpRequest) -> HttpResponse:
        if (refused := self._refuse(request)) is not None:
            return refused
        report = fold()
        folded, left, orphans = (
            sum(d.values()) for d in (report.folded, report.left, report.orphans)
        )
        self.message_user(
            request,
            f"Folded {folded} pending delta(s) into their counters; {left} left for a later fold "
            f"(busy rows); {orphans} orphaned delta(s) dropped.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self._url("changelist"))

    def recount_row_view(self, request: HttpRequest) -> HttpResponse:
        """Recount the counters of one target row, named by its model and key (creates a missing
        stats row), then open its admin change page when the model has one."""
        if (refused := self._refuse(request)) is not None:
            return refused
        label, raw_key = request.POST.get("target", ""), request.POST.get("key", "").strip()
        found = [c for c in registry.all_counters() if c.target._meta.label == label]
        if not found or found[0].mode == "singleton":
            self.message_user(request, f"{label!r} holds no per-row counters.", messages.ERROR)
            return HttpResponseRedirect(self._url("changelist"))
        model = found[0].target
        try:
            report = run([label], fix=True, ids=[raw_key])
        except (CounterError, ValueError) as exc:
            self.message_user(request, f"Could not recount: {exc}", messages.ERROR)
            return HttpResponseRedirect(self._url("changelist"))
        level, text = _recount_message(report, f"{model._meta.verbose_name} {raw_key}")
        self.message_user(request, text, level)
        if model in self.admin_site._registry:
            opts = model._meta
            name = f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change"
            return HttpResponseRedirect(reverse(name, args=[raw_key]))
        return HttpResponseRedirect(self._url("changelist"))


def single_rows(counters: Sequence[Counter]) -> list[tuple[type[models.Model], object]]:
    """The single-row targets (site totals) among ``counters``, with their row's key."""
    rows = {c.target: c.singleton_key for c in counters if c.mode == "singleton"}
    return sorted(rows.items(), key=lambda item: item[0]._meta.label)


def _stream_url() -> str | None:
    """The live stream's URL, when the project includes ``counters.urls``."""
    try:
        return reverse("counters:stream")
    except NoReverseMatch:
        return None


def new_job(mode: str, targets: list[str], ids: list[str] | None = None) -> dict:
    """A check or recount the overview runs in bounded steps (kept in the session, as JSON)."""
    job = {"mode": mode, "targets": targets, "index": 0, "start_after": None, "done": 0}
    job.update(result=None, ids=ids)
    return job


def _merge(result: dict | None, report: Report) -> dict:
    """Add ``report`` into a JSON-able summary kept in the session between steps."""
    result = result or {"counters": [], "created": 0, "seconds": 0.0}
    by_label = {c["label"]: c for c in result["counters"]}
    for part in report.counters:
        entry = by_label.get(part.label)
        if entry is None:
            entry = {
                "label": part.label,
                "rows_checked": 0,
                "rows_drifted": 0,
                "largest_drift": 0,
                "examples": [],
            }
            result["counters"].append(entry)
            by_label[part.label] = entry
        entry["rows_checked"] += part.rows_checked
        entry["rows_drifted"] += part.rows_drifted
        entry["largest_drift"] = max(entry["largest_drift"], part.largest_drift)
        room = 5 - len(entry["examples"])
        entry["examples"] += [{k: str(v) for k, v in e.items()} for e in part.examples[:room]]
    result["created"] += report.rows_created
    result["seconds"] += report.seconds
    return result

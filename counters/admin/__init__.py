"""Admin pages: a counters overview, and a mixin for a project's own model admins.

``CounterAdminMixin`` makes every counter declared on the admin's model read-only, adds a
"Recount selected" action, and shows each trigger-kept counter's cached value beside its true
count on the change page (optionally on the list too). ``CounterOverviewAdmin`` is the
"Counters overview" page: every declared counter, its triggers' state, the site totals, and
buttons to check, recount and fold.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.db import models, router
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html, format_html_join

from counters.admin import jobs
from counters.admin.jobs import new_job, recount_message
from counters.admin.overview import CounterOverviewAdmin
from counters.core import registry
from counters.core.counter import Counter
from counters.display import drift_style, drift_words, human
from counters.exceptions import CounterError
from counters.models import CounterDelta, CounterOverview
from counters.recounting import Comparison, compare, run

if TYPE_CHECKING:  # a mixin of ModelAdmin: type-checked as one (it is generic in the stubs only)
    from django.contrib.admin.options import _FieldGroups, _FieldsetSpec, _ListDisplayT
    from django.contrib.admin.views.main import ChangeList

    _AdminBase = admin.ModelAdmin[Any]
else:
    _AdminBase = object


class CounterAdminMixin(_AdminBase):
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
    actions = ["recount_selected"]

    def _using(self) -> str:
        """The database the model's rows (and so its counters) live in: the routers say."""
        return router.db_for_read(self.model)

    def _trigger_kept(self) -> list[Counter]:
        return registry.counters_on(self.model)

    def get_readonly_fields(
        self, request: HttpRequest, obj: models.Model | None = None
    ) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        declared = [c.field.name for c in self._trigger_kept()]
        declared += [f.name for f in registry.event_fields(self.model)]
        if obj is not None and self._trigger_kept():
            declared.append("counter_values")
        return fields + [name for name in declared if name not in fields]

    def get_fields(self, request: HttpRequest, obj: models.Model | None = None) -> _FieldGroups:
        fields = super().get_fields(request, obj)
        return [name for name in fields if name != "counter_values"]

    def get_fieldsets(self, request: HttpRequest, obj: models.Model | None = None) -> _FieldsetSpec:
        fieldsets = list(super().get_fieldsets(request, obj))
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
        """The change page's table: counter, cached, true, pending delta rows, drift; values
        written as the form beside it writes them (:func:`counters.display.human`)."""
        empty = self.get_empty_value_display()
        using = self._using()
        found = compare(self.model, [obj.pk], using=using).get(obj.pk, [])
        by_id = {c.counter.id: c.counter.label for c in found}
        pending = {
            by_id[counter]: rows
            for counter, rows in CounterDelta.objects.using(using)
            .filter(counter__in=by_id, key=str(obj.pk))
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
                    human(c.cached, empty),
                    human(c.true, empty),
                    human(pending.get(c.counter.label, 0)),
                    drift_words(c.drift, c.counter.kind),
                )
                for c in found
            ),
        )
        return format_html(
            '<table class="counter-values"><thead><tr><th>counter</th><th>cached</th>'
            "<th>true (from the source rows)</th><th>pending deltas</th><th></th></tr></thead>"
            "<tbody>{}</tbody></table>",
            rows,
        )

    @admin.action(description="Recount selected %(verbose_name_plural)s", permissions=["change"])
    def recount_selected(
        self, request: HttpRequest, queryset: models.QuerySet[Any]
    ) -> HttpResponse | None:
        """Recount the selected rows: at once for up to STEP_BATCH_SIZE of them, else in bounded
        steps through the overview's job runner (a page that continues by itself)."""
        keys = list(queryset.order_by("pk").values_list("pk", flat=True))
        overview = self.admin_site._registry.get(CounterOverview)
        if len(keys) > jobs.STEP_BATCH_SIZE and isinstance(overview, CounterOverviewAdmin):
            job = new_job(
                "recount",
                [self.model._meta.label],
                [str(key) for key in keys],
                database=self._using(),
            )
            request.session[CounterOverviewAdmin.JOB] = job
            return overview.step(request)
        try:
            report = run([self.model._meta.label], fix=True, ids=keys, using=self._using())
        except CounterError as exc:
            self.message_user(request, f"Nothing recounted: {exc}", messages.ERROR)
            return None
        level, text = recount_message(report, f"{self.model._meta.verbose_name_plural}")
        self.message_user(request, text, level)
        return None

    def get_list_display(self, request: HttpRequest) -> _ListDisplayT[Any]:
        columns = list(super().get_list_display(request))
        if not self.list_true_counts:
            return columns
        for counter in self._trigger_kept():
            if counter.field.name in columns:
                at = columns.index(counter.field.name) + 1
                columns.insert(at, _true_column(counter))
        return columns

    def get_changelist_instance(self, request: HttpRequest) -> ChangeList:
        changelist = super().get_changelist_instance(request)
        if self.list_true_counts and self._trigger_kept():
            rows = list(changelist.result_list)
            found = compare(self.model, [row.pk for row in rows], using=self._using())
            for row in rows:
                row._counter_values = {c.counter.label: c for c in found.get(row.pk, [])}
        return changelist


def _true_column(counter: Counter) -> Callable[[models.Model], str]:
    """A list column: ``counter``'s COUNT(*) and drift, from what the change list attached."""

    @admin.display(description=f"{counter.field.verbose_name}: true")
    def column(obj: models.Model) -> str:
        value: Comparison | None = getattr(obj, "_counter_values", {}).get(counter.label)
        if value is None:
            return "-"
        css = "counter-drift" if value.drift != 0 else "counter-exact"
        return format_html(
            '<span class="{}" style="{}">{} ({})</span>',
            css,
            drift_style(value.drift),
            human(value.true),
            drift_words(value.drift, value.counter.kind),
        )

    column.__name__ = f"true_{counter.field.name}"
    return column


__all__ = ["CounterAdminMixin", "CounterOverviewAdmin"]

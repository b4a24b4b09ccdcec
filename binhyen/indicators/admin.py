"""Django's admin for superusers: a read-only window on the catalogue, values and reports.

Every change goes through ``services`` (the scoped pages and the API), so the audit trail
stays complete; nothing is edited in place here.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from binhyen.indicators.models import (
    DataValue,
    Disaggregation,
    DisaggregationOption,
    Metric,
    ReportForm,
    ReportFormMetric,
    Submission,
    ValidationRule,
)


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class OptionInline(ReadOnlyMixin, admin.TabularInline):
    model = DisaggregationOption
    extra = 0


class FormMetricInline(ReadOnlyMixin, admin.TabularInline):
    model = ReportFormMetric
    extra = 0


@admin.register(Disaggregation)
class DisaggregationAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("code", "name")
    inlines = [OptionInline]


@admin.register(Metric)
class MetricAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "value_type",
        "aggregation",
        "counting",
        "period_kind",
        "source",
        "is_active",
    )
    list_filter = ("source", "period_kind", "aggregation", "counting", "is_active")
    search_fields = ("code", "name")


@admin.register(ReportForm)
class ReportFormAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("code", "name", "period_kind", "deadline_day", "is_active")
    inlines = [FormMetricInline]


@admin.register(ValidationRule)
class ValidationRuleAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("code", "name", "left_metric", "operator", "right_metric", "severity")


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("form", "orgunit", "period", "status", "submitted_at", "reviewed_at")
    list_filter = ("status", "form")
    search_fields = ("orgunit__code", "orgunit__name", "period")
    raw_id_fields = ("orgunit",)


@admin.register(DataValue)
class DataValueAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("metric", "orgunit", "period", "option", "value", "source", "updated_at")
    list_filter = ("source",)
    search_fields = ("orgunit__code", "period", "metric__code")
    raw_id_fields = ("orgunit", "metric", "entered_by")
    show_full_result_count = False

"""Django admin for hotspots: the problem categories are edited here; designations are shown
read-only because every change goes through the services (audit, metrics)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from binhyen.hotspots.models import Designation, PlanTask, ProblemCategory, Relapse, Responsibility


@admin.register(ProblemCategory)
class ProblemCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "sort_order")
    search_fields = ("code", "name")


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ResponsibilityInline(_ReadOnlyInline):
    model = Responsibility


class TaskInline(_ReadOnlyInline):
    model = PlanTask


class RelapseInline(_ReadOnlyInline):
    model = Relapse


@admin.register(Designation)
class DesignationAdmin(admin.ModelAdmin):
    list_display = ("orgunit", "regime", "year", "decision_number", "decision_date", "removal_date")
    list_filter = ("regime", "year")
    search_fields = ("orgunit__code", "orgunit__name", "decision_number")
    raw_id_fields = ("orgunit", "recorded_by")
    inlines = [ResponsibilityInline, TaskInline, RelapseInline]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

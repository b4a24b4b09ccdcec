"""Django admin for programmes: read-only views for system administrators.

Every change goes through the app's pages or API (services: permission, CEL checks, locked
versions, audit, indicator resync), so the admin never adds, edits or deletes these rows.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from binhyen.programs.models import CriteriaSet, Criterion, Decision, Enrollment, Program


class ReadOnlyAdmin(admin.ModelAdmin):
    """List and inspect rows; writes belong to the services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CriterionInline(admin.TabularInline):
    model = Criterion
    fields = ("code", "group", "order", "title", "kind", "mandatory", "expression", "max_points")
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Program)
class ProgramAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "kind", "period_kind", "owner", "current_set", "is_active")
    list_filter = ("kind", "period_kind", "is_active")
    search_fields = ("name", "code")


@admin.register(CriteriaSet)
class CriteriaSetAdmin(ReadOnlyAdmin):
    list_display = ("program", "version", "published_at")
    inlines = [CriterionInline]


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyAdmin):
    list_display = ("unit", "program", "period", "status", "met_count", "criteria_count")
    list_filter = ("status", "program")
    search_fields = ("unit__name", "unit__code")


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("number", "program", "period", "issued_on", "issuing_body")
    search_fields = ("number",)

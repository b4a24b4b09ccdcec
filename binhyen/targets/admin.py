"""Django admin for targets: read-only, because every change goes through the services
(audit, allocation versions, campaign forms)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from binhyen.targets.models import Allocation, Campaign, Plan, Target


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Plan)
class PlanAdmin(_ReadOnly):
    list_display = ("number", "title", "kind", "orgunit", "issued_on")
    list_filter = ("kind",)
    search_fields = ("number", "title_folded")


@admin.register(Target)
class TargetAdmin(_ReadOnly):
    list_display = ("name", "orgunit", "metric", "kind", "value", "period", "source")
    list_filter = ("kind", "source")
    search_fields = ("name_folded", "orgunit__code")


@admin.register(Allocation)
class AllocationAdmin(_ReadOnly):
    list_display = ("target", "version", "method", "is_current", "created_at")


@admin.register(Campaign)
class CampaignAdmin(_ReadOnly):
    list_display = ("name", "orgunit", "start", "end", "frequency", "status")
    search_fields = ("name_folded",)

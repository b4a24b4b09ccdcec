"""Django admin for the cases app: the case types only, read-only.

Cases, their helpers, reviews, requests and read logs are deliberately not registered: the
admin would show them to staff outside the case's commune and without a read-audit row,
which the access model forbids. Types are added through the services (audit, breakdown).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from binhyen.cases.models import CaseType


@admin.register(CaseType)
class CaseTypeAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "name_en",
        "province",
        "duration_months",
        "review_every_days",
        "is_active",
    )
    search_fields = ("code", "name", "name_en")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

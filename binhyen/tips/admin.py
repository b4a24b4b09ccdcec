"""Django admin for the tips app: configuration (categories, reply templates) is editable;
tips are read-only and never show contact details or the secret hash (contact details are
revealed only on the tip page, where every view is logged)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from binhyen.tips.models import Category, OutboundMessage, ReplyTemplate, Tip


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "is_active", "sort_order"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]


@admin.register(ReplyTemplate)
class ReplyTemplateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "is_active"]
    search_fields = ["code", "name", "body"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Tip)
class TipAdmin(ReadOnlyAdmin):
    list_display = ["tracking_code", "kind", "status", "orgunit", "channel", "created_at"]
    list_filter = ["status", "kind", "channel", "is_valuable"]
    search_fields = ["tracking_code"]
    fields = readonly_fields = (
        "tracking_code",
        "channel",
        "kind",
        "category",
        "status",
        "priority",
        "orgunit",
        "commune",
        "village",
        "is_anonymous",
        "is_valuable",
        "created_at",
        "ack_due_at",
        "due_at",
        "acknowledged_at",
        "concluded_at",
        "escalation_level",
        "outcome",
    )


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdmin):
    list_display = ["channel", "created_at"]
    fields = readonly_fields = ("channel", "created_at")

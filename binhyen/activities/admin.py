"""Django admin for the activity log: read-only; records change through the app's pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from binhyen.activities.models import Activity, ActivityPhoto, SurrenderedItem


class ReadOnlyAdmin(admin.ModelAdmin):
    """Show records to administrators; every write goes through the services (audit, metrics)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ItemInline(admin.TabularInline):
    model = SurrenderedItem
    extra = 0
    can_delete = False
    readonly_fields = ("item_kind", "description", "quantity")


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ("date", "kind", "title", "orgunit", "participants")
    list_filter = ("kind",)
    search_fields = ("title", "topic", "orgunit__code", "orgunit__name")
    date_hierarchy = "date"
    raw_id_fields = ("orgunit", "villages", "recorded_by")
    inlines = [ItemInline]


@admin.register(ActivityPhoto)
class ActivityPhotoAdmin(ReadOnlyAdmin):
    list_display = ("activity", "caption", "width", "height", "created_at")
    raw_id_fields = ("activity", "uploaded_by")

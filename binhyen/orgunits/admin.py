"""Django admin for the administrative map (system administrators only).

Catalogue units and lineage come from the official import, so the admin never adds or
deletes them; edits go through ``services.orgunit_update`` (permission, validation,
audit), limited to the fields that service allows for the unit's kind.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from binhyen.core.web import current_user
from binhyen.orgunits import services
from binhyen.orgunits.models import Lineage, OrgUnit

ALL_FIELDS = (
    "code",
    "official_code",
    "name",
    "short_name",
    "kind",
    "subkind",
    "parent",
    "path",
    "level",
    "valid_from",
    "valid_to",
    "latitude",
    "longitude",
    "area_km2",
    "population",
    "households",
    "address",
    "note",
    "created_at",
    "updated_at",
)


class OrgUnitAdminForm(forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = services.CHILD_FIELDS

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.instance.pk is not None:
            changed = {name: cleaned.get(name) for name in self.changed_data if name in cleaned}
            try:
                services.orgunit_update_validate(unit=self.instance_before, fields=changed)
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    for message in messages:
                        self.add_error(name if name in self.fields else None, message)
        return cleaned

    @property
    def instance_before(self) -> OrgUnit:
        """The unit as stored, to validate the changed fields against."""
        return OrgUnit.objects.select_related("parent").get(pk=self.instance.pk)


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    form = OrgUnitAdminForm
    list_display = ("code", "name", "kind", "subkind", "parent", "valid_from", "valid_to")
    # valid_to's date filter includes "no date" (open units) and "has date" (closed ones).
    list_filter = ("kind", "valid_to", "subkind")
    search_fields = ("code", "official_code", "name", "name_folded")
    raw_id_fields = ("parent",)
    list_select_related = ("parent",)
    ordering = ("path",)
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ("path", "level", "created_at", "updated_at")
        editable = set(services.editable_fields(obj))
        return tuple(name for name in ALL_FIELDS if name not in editable)

    def save_model(self, request: HttpRequest, obj: OrgUnit, form: Any, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in form.changed_data}
        if fields:
            services.orgunit_update(
                actor=current_user(request),
                unit=OrgUnit.objects.select_related("parent").get(pk=obj.pk),
                **fields,
            )


@admin.register(Lineage)
class LineageAdmin(admin.ModelAdmin):
    list_display = ("predecessor", "successor", "kind", "is_default", "share", "effective_date")
    list_filter = ("kind", "is_default", "effective_date")
    search_fields = ("predecessor__code", "predecessor__name", "successor__code", "successor__name")
    raw_id_fields = ("predecessor", "successor")
    list_select_related = ("predecessor", "successor")
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

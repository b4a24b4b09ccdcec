"""Django admin for community records: read-only views for system administrators.

Every change goes through the app's pages or API (services: permission, checks, audit,
indicator resync), so the admin never adds, edits or deletes these rows.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from binhyen.community.models import (
    CommunityDecision,
    GradingRules,
    Pledge,
    Scheme,
    SchemeType,
    SecurityTeam,
    TeamMember,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """List and inspect rows; writes belong to the services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SchemeType)
class SchemeTypeAdmin(ReadOnlyAdmin):
    list_display = ("name", "code", "category", "province", "is_active")
    list_filter = ("category", "is_active")
    search_fields = ("name", "code")


@admin.register(Scheme)
class SchemeAdmin(ReadOnlyAdmin):
    list_display = ("name", "scheme_type", "status", "founded_on")
    list_filter = ("status", "scheme_type__category")
    search_fields = ("name_folded",)


@admin.register(SecurityTeam)
class SecurityTeamAdmin(ReadOnlyAdmin):
    list_display = ("name", "village", "established_on", "dissolved_on")
    search_fields = ("name_folded", "village__code")


@admin.register(TeamMember)
class TeamMemberAdmin(ReadOnlyAdmin):
    list_display = ("full_name", "team", "role", "origin", "joined_on", "left_on")
    list_filter = ("role", "origin")
    search_fields = ("name_folded",)


@admin.register(Pledge)
class PledgeAdmin(ReadOnlyAdmin):
    list_display = ("orgunit", "signer_kind", "year", "signed_on", "household_count")
    list_filter = ("signer_kind", "year")


@admin.register(CommunityDecision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("kind", "number", "issued_on", "issuing_body", "orgunit")
    list_filter = ("kind",)
    exclude = ("file",)


@admin.register(GradingRules)
class GradingRulesAdmin(ReadOnlyAdmin):
    list_display = (
        "province",
        "team_size_min",
        "team_size_max",
        "min_activity_months",
        "excellent_max_pct_of_good",
        "excellent_min_task_pct",
    )

"""Django's admin for superusers: a read-mostly window on users, roles and tokens.

Day-to-day administration happens on the scoped pages of this app. Here every change goes
through a service (as admin actions), so the audit trail stays complete; records are not
edited in place.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from binhyen.accounts import services
from binhyen.accounts.models import ApiToken, RoleAssignment, User
from binhyen.core.web import current_user


def _superuser_only(request: HttpRequest) -> bool:
    """Open Django's admin to active superusers only (staff status alone is not enough)."""
    user: Any = request.user
    return bool(user.is_active and user.is_superuser)


admin.site.has_permission = _superuser_only  # type: ignore[method-assign]
admin.site.site_header = _("Bình Yên — quản trị hệ thống")
admin.site.site_title = _("Bình Yên")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    fk_name = "user"
    fields = ("role", "orgunit", "granted_by", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _run_for_each(request: HttpRequest, queryset: QuerySet[Any], call: Any, done: Any) -> None:
    count = 0
    for obj in queryset:
        try:
            call(obj)
        except (PermissionDenied, ValidationError) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, f"{obj}: {text}")
        else:
            count += 1
    if count:
        messages.success(request, done % {"count": count})


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = (
        "username",
        "full_name",
        "email",
        "position",
        "is_active",
        "is_superuser",
        "last_login",
    )
    list_filter = ("is_active", "is_superuser", "role_assignments__role")
    search_fields = ("username", "full_name", "email", "phone")
    fields = (
        "username",
        "full_name",
        "email",
        "phone",
        "position",
        "is_active",
        "is_staff",
        "is_superuser",
        "last_login",
        "date_joined",
    )
    readonly_fields = fields
    inlines = [RoleAssignmentInline]
    actions = ["deactivate", "reactivate"]

    @admin.action(description=_("Khóa các tài khoản đã chọn"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        _run_for_each(
            request,
            queryset,
            lambda u: services.user_set_active(
                actor=current_user(request), user=u, is_active=False
            ),
            _("Đã khóa %(count)s tài khoản."),
        )

    @admin.action(description=_("Mở khóa các tài khoản đã chọn"))
    def reactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        _run_for_each(
            request,
            queryset,
            lambda u: services.user_set_active(actor=current_user(request), user=u, is_active=True),
            _("Đã mở khóa %(count)s tài khoản."),
        )


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("user", "role", "orgunit", "granted_by", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__full_name", "orgunit__code", "orgunit__name")
    list_select_related = ("user", "orgunit", "granted_by")
    raw_id_fields = ("user", "orgunit", "granted_by")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens by name and prefix; the hash is not shown and the secret is never stored."""

    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "prefix", "user__username")
    list_select_related = ("user",)
    fields = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields

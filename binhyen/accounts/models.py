"""Users, roles on units, and API tokens.

A ``RoleAssignment(user, role, orgunit)`` grants ``role`` on ``orgunit`` and its whole
subtree. What each role may do is defined in ``permissions.py`` (the whole access model).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from binhyen.core.models import BaseModel


class Role(models.TextChoices):
    MINISTRY_OFFICER = "ministry_officer", _("Cán bộ Bộ Công an (V05)")
    PROVINCE_OFFICER = "province_officer", _("Cán bộ Công an tỉnh (PV05)")
    COMMUNE_CHIEF = "commune_chief", _("Trưởng Công an xã/phường")
    COMMUNE_OFFICER = "commune_officer", _("Cán bộ Công an xã/phường")
    VILLAGE_MEMBER = "village_member", _("Thành viên Tổ bảo vệ ANTT")
    VIEWER = "viewer", _("Người xem (chỉ đọc)")
    SYSTEM_ADMIN = "system_admin", _("Quản trị hệ thống")


class User(AbstractUser):
    """A person who signs in: police officers, security-team members, administrators."""

    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    position = models.CharField(_("chức vụ"), max_length=120, blank=True)

    class Meta:
        ordering = ["username"]
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def display_name(self) -> str:
        return self.full_name or self.get_full_name() or self.username


class RoleAssignment(BaseModel):
    """Grant of one role on one unit (and everything below it) to one user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.CASCADE,
        related_name="role_assignments",
    )
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices)
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người cấp"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["user__username", "role"]
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "orgunit"], name="uniq_role_assignment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.orgunit}"


class ApiToken(BaseModel):
    """A revocable integration token. Only a SHA-256 hash of the secret is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("tên"), max_length=100)
    prefix = models.CharField(_("tiền tố"), max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("mã truy cập API")
        verbose_name_plural = _("mã truy cập API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

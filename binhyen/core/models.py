"""Shared model base and the audit trail.

Invariant: every write made through a service leaves exactly one ``AuditEvent`` in the same
transaction, so a rolled-back write leaves no audit row and a committed one always has one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BaseModel(models.Model):
    """Abstract base giving every table creation and update times."""

    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        abstract = True


class LocalizedNameMixin:
    """``label``: the English name (``name_en``) when the page is in English and one is set.

    Catalogue rows (metrics, categories, scheme types…) carry a Vietnamese ``name`` and an
    optional ``name_en``; templates show ``label`` so English pages are English throughout.
    """

    name: str
    name_en: str

    @property
    def label(self) -> str:
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class AuditEvent(models.Model):
    """One recorded action: who did what to which object, in which unit, before/after summary."""

    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(_("tên người thực hiện"), max_length=150, blank=True)
    action = models.CharField(_("hành động"), max_length=80, db_index=True)
    object_type = models.CharField(_("loại đối tượng"), max_length=80, blank=True)
    object_id = models.CharField(_("mã đối tượng"), max_length=64, blank=True)
    object_repr = models.CharField(_("đối tượng"), max_length=255, blank=True)
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changes = models.JSONField(_("thay đổi"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("nhật ký hoạt động")
        verbose_name_plural = _("nhật ký hoạt động")
        indexes = [models.Index(fields=["orgunit", "created_at"])]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"
        )


# --- Outbound webhooks (binhyen.core.webhooks) -------------------------------------------------


class WebhookEvent(models.TextChoices):
    """Events a subscriber may ask for; each payload carries ids and codes, never personal data."""

    TIP_RECEIVED = "tip.received", _("Nhận tin báo")
    TIP_CLOSED = "tip.closed", _("Kết thúc tin báo")
    REPORT_SUBMITTED = "report.submitted", _("Nộp báo cáo")
    REPORT_APPROVED = "report.approved", _("Duyệt báo cáo")
    DECISION_RECORDED = "decision.recorded", _("Ghi nhận quyết định")


class WebhookSubscription(BaseModel):
    """A receiver URL, its signing secret and the events it wants.

    The secret is stored as entered (the receiver needs the same value to check signatures);
    it is shown only once, when set, and never in lists, logs or audit events.
    """

    name = models.CharField(_("tên"), max_length=120)
    url = models.URLField(_("địa chỉ nhận (URL)"), max_length=500)
    secret = models.CharField(_("khóa bí mật"), max_length=200)
    events = models.JSONField(_("sự kiện"), default=list)
    is_active = models.BooleanField(_("đang bật"), default=True)
    disabled_reason = models.CharField(_("lý do tắt"), max_length=200, blank=True)
    consecutive_failures = models.PositiveIntegerField(_("số lần lỗi liên tiếp"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhook")

    def __str__(self) -> str:
        return self.name


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Thất bại")


class WebhookDelivery(BaseModel):
    """One event for one subscription: the exact signed body, its state and retry schedule."""

    subscription = models.ForeignKey(
        WebhookSubscription,
        verbose_name=_("webhook"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    event = models.CharField(_("sự kiện"), max_length=40, choices=WebhookEvent.choices)
    event_id = models.CharField(_("mã sự kiện"), max_length=36, db_index=True)
    body = models.TextField(_("nội dung gửi"))
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveIntegerField(_("số lần thử"), default=0)
    next_attempt_at = models.DateTimeField(_("lần thử tới"), null=True, blank=True)
    last_status_code = models.PositiveIntegerField(_("mã phản hồi cuối"), null=True, blank=True)
    last_error = models.CharField(_("lỗi cuối"), max_length=120, blank=True)
    delivered_at = models.DateTimeField(_("gửi thành công lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lần gửi webhook")
        verbose_name_plural = _("lần gửi webhook")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscription_id}"


class WebhookAttempt(models.Model):
    """One HTTP attempt of a delivery: status code, duration and the error class, nothing else."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        verbose_name=_("lần gửi"),
        on_delete=models.CASCADE,
        related_name="attempt_log",
    )
    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True)
    status_code = models.PositiveIntegerField(_("mã phản hồi"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("thời gian (ms)"), default=0)
    error = models.CharField(_("lỗi"), max_length=120, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("lần thử webhook")
        verbose_name_plural = _("lần thử webhook")

    def __str__(self) -> str:
        return f"{self.delivery_id}: {self.status_code or self.error}"

"""Shared model base and the audit trail.

Invariant: every write made through a service leaves exactly one ``AuditEvent`` in the same
transaction, so a rolled-back write leaves no audit row and a committed one always has one.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from binhyen.core.text import clean_text


class BaseModel(models.Model):
    """Abstract base giving every table creation and update times."""

    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        abstract = True

    def clean_fields(self, exclude: Any = None) -> None:
        """Validate the fields, and hold every one-line text field to the one text rule.

        Every service calls ``full_clean()``, so a name or title that reaches a model through a
        form, an import or the API alike is NFC-normalised and refused, naming the field, when
        it carries a control or format character (``core.text.clean_text``).
        """
        errors: dict[str, list[Any]] = {}
        try:
            super().clean_fields(exclude=exclude)
        except ValidationError as exc:
            errors = dict(exc.message_dict)
        for field in self._meta.concrete_fields:
            if (
                not isinstance(field, models.CharField)
                or field.choices
                or field.name in errors
                or (exclude and field.name in exclude)
            ):
                continue
            value = getattr(self, field.attname)
            if not isinstance(value, str) or not value:
                continue
            try:
                clean_text(value, label=capfirst(str(field.verbose_name)))
            except ValidationError as exc:
                errors.setdefault(field.name, []).extend(exc.messages)
            else:
                setattr(self, field.attname, unicodedata.normalize("NFC", value))
        if errors:
            raise ValidationError(errors)


M = TypeVar("M", bound=models.Model)


def instances_from_rows(
    model: type[M],
    names: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    db: str,
    related: Mapping[str, tuple[str, Mapping[Any, Any]]] | None = None,
) -> list[M]:
    """Return instances of ``model`` from ``values_list(*names)`` rows (``names`` are field
    attnames, the primary key among them), the same as the ORM builds them
    (``Model.from_db``: loaded from ``db``, the fields not read deferred). ``related`` maps
    a foreign key's name to (its attname, the objects by id): each instance gets the shared
    object as if it had been read with it (``select_related``), None where there is none.

    For reads of thousands of rows: each instance gets its fields and its state directly
    instead of running ``Model.__init__``, which checked every field one by one and was most
    of the reading. ``post_init`` receivers still get each instance once it is built (as
    ``__init__`` sends it last); a model with ``pre_init`` receivers, which expect the
    constructor's arguments, is built the ORM's way.
    """
    lookups = [
        (name, names.index(attname), objects.get)
        for name, (attname, objects) in (related or {}).items()
    ]
    if pre_init.has_listeners(model):
        out = []
        for row in rows:
            instance = model.from_db(db, names, row)
            for name, at, get in lookups:
                instance._state.fields_cache[name] = get(row[at])
            out.append(instance)
        return out
    new, new_state = model.__new__, ModelState.__new__
    keys = (*names, "_state")
    made: list[M] = []
    append = made.append
    for row in rows:
        cache = {}
        for name, at, get in lookups:
            cache[name] = get(row[at])
        state = new_state(ModelState)
        state.__dict__ = {"adding": False, "db": db, "fields_cache": cache}
        instance = new(model)
        instance.__dict__ = dict(zip(keys, (*row, state), strict=True))
        append(instance)
    if post_init.has_listeners(model):
        for instance in made:
            post_init.send(sender=model, instance=instance)
    return made


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


class SchedulerLease(models.Model):
    """The lease that makes one scheduler process the active one (docs/adr/0011-scheduler.md).

    The holder renews ``expires_at`` on every heartbeat; any other process may take the row
    over once it has expired. The row doubles as the scheduler's heartbeat for health checks.
    """

    name = models.CharField(_("tên"), max_length=40, primary_key=True)
    holder = models.CharField(_("tiến trình giữ"), max_length=120)
    acquired_at = models.DateTimeField(_("nhận lúc"))
    heartbeat_at = models.DateTimeField(_("nhịp gần nhất"))
    expires_at = models.DateTimeField(_("hết hạn lúc"))

    class Meta:
        verbose_name = _("quyền chạy lịch")
        verbose_name_plural = _("quyền chạy lịch")

    def __str__(self) -> str:
        return f"{self.name}: {self.holder}"


class ScheduledJob(models.Model):
    """A scheduled job's persisted state: what it runs, when it last ran and runs next.

    ``next_run_at`` is the fire time the scheduler owes: a run is enqueued only by the
    update that moves ``next_run_at`` past it, so each fire time is enqueued at most once
    even when two schedulers overlap, and a time missed while no scheduler ran is caught up
    once (all missed times coalesce into one run).
    """

    class Status(models.TextChoices):
        ENQUEUED = "enqueued", _("đã xếp hàng")
        MISSED = "missed", _("bỏ lỡ")
        FAILED = "failed", _("lỗi xếp hàng")

    job_id = models.CharField(_("mã lịch"), max_length=60, unique=True)
    task_path = models.CharField(_("tác vụ"), max_length=200)
    cron = models.CharField(_("lịch cron"), max_length=100)
    last_run_at = models.DateTimeField(_("lần chạy gần nhất"), null=True, blank=True)
    last_enqueued_at = models.DateTimeField(_("xếp hàng lúc"), null=True, blank=True)
    last_status = models.CharField(
        _("kết quả gần nhất"), max_length=20, choices=Status.choices, blank=True
    )
    last_task_id = models.CharField(_("mã tác vụ gần nhất"), max_length=64, blank=True)
    next_run_at = models.DateTimeField(_("lần chạy tới"), null=True, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        ordering = ["job_id"]
        verbose_name = _("lịch chạy định kỳ")
        verbose_name_plural = _("lịch chạy định kỳ")

    def __str__(self) -> str:
        return f"{self.job_id} ({self.cron})"


class PendingTask(models.Model):
    """A coalesced task that is enqueued and not started yet, by its coalescing key.

    The unique key makes "at most one pending task per key" hold across processes: the
    marker is inserted in the transaction that enqueues the task, and the task deletes it
    when it starts, so a change made while it runs enqueues the next one.
    """

    key = models.CharField(_("khóa"), max_length=200, unique=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("tác vụ đang chờ")
        verbose_name_plural = _("tác vụ đang chờ")

    def __str__(self) -> str:
        return self.key


class FileJobStatus(models.TextChoices):
    PENDING = "pending", _("đang chờ")
    RUNNING = "running", _("đang tạo")
    DONE = "done", _("hoàn thành")
    FAILED = "failed", _("lỗi")


class FileJob(models.Model):
    """A file built by a worker for the user who asked: its state and the stored file.

    The common part of every background file (an export of a list, a rendered document, a
    report pack): only the requester sees it; ``file`` is the storage name once done.
    """

    Status = FileJobStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người yêu cầu"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    language = models.CharField(_("ngôn ngữ"), max_length=10, default="vi")
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=FileJobStatus.choices, default=FileJobStatus.PENDING
    )
    filename = models.CharField(_("tên tệp"), max_length=200, blank=True)
    file = models.CharField(_("tệp lưu"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def finished(self) -> bool:
        return self.status in (FileJobStatus.DONE, FileJobStatus.FAILED)


class ExportJob(FileJob):
    """A large export built by a worker: the page it came from, its state and its file.

    Only its requester may see it or download the file; the file is deleted with the row
    after ``EXPORT_KEEP_DAYS`` (the scheduled ``exports_prune`` job).
    """

    path = models.CharField(_("trang xuất"), max_length=2000)
    rows = models.PositiveIntegerField(_("số dòng"), default=0)

    class Meta(FileJob.Meta):
        verbose_name = _("tệp xuất")
        verbose_name_plural = _("tệp xuất")

    def __str__(self) -> str:
        return f"{self.path} ({self.status})"


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


# The idempotency keys of API writes live in their own module (it imports nothing of ours).
from binhyen.core.idempotency import IdempotencyRecord as IdempotencyRecord  # noqa: E402


class NotificationKind(models.TextChoices):
    REMINDER = "reminder", _("Nhắc việc")


class Notification(BaseModel):
    """A message to one user inside the product (and by e-mail where configured, ADR 0020).

    The text is not frozen: ``message`` names an entry of ``core.notifications.MESSAGES`` and
    ``params`` fills it, so the title and body are rendered in the reader's language when read.
    ``params`` hold names of units, forms and periods and dates only, never personal data of
    tips or cases.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhận"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(
        _("loại"),
        max_length=20,
        choices=NotificationKind.choices,
        default=NotificationKind.REMINDER,
    )
    message = models.CharField(_("mẫu nội dung"), max_length=80)
    params = models.JSONField(_("tham số"), default=dict, blank=True)
    link = models.CharField(_("liên kết"), max_length=300, blank=True)
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    read_at = models.DateTimeField(_("đọc lúc"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("gửi thư lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["orgunit", "message", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.message} → {self.recipient_id}"

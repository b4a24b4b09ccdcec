"""Citizen tips and feedback: the tip, its files, its thread, Zalo deliveries and the outbox.

Invariants:
- An anonymous tip stores no name, phone, email, IP address, user agent or device data: the
  contact fields are empty (checked by ``clean()`` and by a database constraint), media are
  re-encoded without metadata, and the audit trail of a public submission has no IP address.
  Rate limiting uses a short-lived keyed hash kept only in the cache, never here.
- A Zalo tip carries ``zalo_sender_hash``, a keyed hash of the Zalo user id, so follow-ups
  reach the sender's open tip. The raw Zalo user id (an id scoped to our Official Account,
  not a phone number) is kept only in ``ZaloContact`` and only while the OA may still write
  to the sender (``TIPS_ZALO_CONTACT_DAYS`` after their last message), so officer replies
  can be pushed at once; ``zalo_contacts_purge`` deletes it afterwards.
- Every officer reply to a Zalo tip has one ``ZaloPush`` row (pending → sent, held, failed
  after ``TIPS_ZALO_MAX_ATTEMPTS``, or discarded by an admin). The row stores no text and its
  ``last_error`` only an error code or class: the text is the reply itself.
- ``tracking_code`` is unique; only a salted hash of the citizen's secret is stored.
- ``orgunit`` is the queue the tip sits in: the current commune of its location, or the
  province when the place is unknown. ``commune``/``village`` are where it happened.
- A concluded tip (handled, unfounded, transferred, duplicate) always has an ``outcome``
  saying what was done: nothing is ever just "closed".
- ``ZaloDelivery.msg_id`` is unique: a redelivered Zalo event never makes a second tip.
- ``ZaloToken`` is one row holding the OA access token, its expiry and the single-use refresh
  token; a refresh replaces both under a row lock, so two workers never spend the same
  refresh token, and a failed refresh leaves the old pair in place.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from binhyen.core.models import BaseModel, LocalizedNameMixin

# Unambiguous alphabet for codes read aloud or typed on a phone: no 0/O, 1/I/L, U.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
MAX_DESCRIPTION = 5000
MIN_OUTCOME = 10


class TipKind(models.TextChoices):
    CRIME = "crime", _("Tin báo, tố giác tội phạm")
    FEEDBACK = "feedback", _("Phản ánh, kiến nghị về an ninh, trật tự")
    OTHER = "other", _("Khác")


class Channel(models.TextChoices):
    WEB = "web", _("Trang web")
    API = "api", _("Ứng dụng (API)")
    ZALO = "zalo", _("Zalo")


class Status(models.TextChoices):
    NEW = "new", _("Mới")
    VERIFYING = "verifying", _("Đang xác minh")
    TRANSFERRED = "transferred", _("Đã chuyển")
    RESOLVED = "resolved", _("Đã xử lý")
    UNFOUNDED = "unfounded", _("Không có cơ sở")
    DUPLICATE = "duplicate", _("Trùng")


OPEN_STATUSES = (Status.NEW, Status.VERIFYING)
CONCLUDED_STATUSES = (Status.TRANSFERRED, Status.RESOLVED, Status.UNFOUNDED, Status.DUPLICATE)


class Priority(models.IntegerChoices):
    LOW = 1, _("Thấp")
    NORMAL = 2, _("Bình thường")
    HIGH = 3, _("Cao")
    URGENT = 4, _("Khẩn cấp")


class Category(LocalizedNameMixin, BaseModel):
    """A configurable category of tip within a kind (theft, drugs, noise, ...)."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    kind = models.CharField(_("loại tin"), max_length=16, choices=TipKind.choices)
    name = models.CharField(_("tên"), max_length=120)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=120, blank=True)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["kind", "sort_order", "name"]
        verbose_name = _("nhóm tin")
        verbose_name_plural = _("nhóm tin")

    def __str__(self) -> str:
        return self.label


class Tip(BaseModel):
    """One tip or piece of feedback from a citizen, from intake to its outcome."""

    tracking_code = models.CharField(_("mã theo dõi"), max_length=12, unique=True)
    secret_hash = models.CharField(max_length=100, editable=False)
    channel = models.CharField(_("kênh"), max_length=8, choices=Channel.choices)
    kind = models.CharField(_("loại tin"), max_length=16, choices=TipKind.choices)
    category = models.ForeignKey(
        Category,
        verbose_name=_("nhóm tin"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tips",
    )
    description = models.TextField(_("nội dung"), max_length=MAX_DESCRIPTION)
    occurred_at = models.DateTimeField(_("thời gian xảy ra"), null=True, blank=True)
    # Where: the queue unit, then what the citizen said.
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị tiếp nhận"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    commune = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("xã/phường"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    village = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("thôn/tổ dân phố"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    address_text = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    latitude = models.FloatField(_("vĩ độ"), null=True, blank=True)
    longitude = models.FloatField(_("kinh độ"), null=True, blank=True)
    location_unknown = models.BooleanField(_("không nhớ địa điểm"), default=False)
    # Who: nothing at all for anonymous tips.
    is_anonymous = models.BooleanField(_("ẩn danh"), default=True)
    contact_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    contact_phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    contact_email = models.EmailField(_("thư điện tử"), blank=True)
    zalo_sender_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    # Triage.
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=Status.choices, default=Status.NEW
    )
    priority = models.PositiveSmallIntegerField(
        _("mức ưu tiên"), choices=Priority.choices, default=Priority.NORMAL
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("đang xử lý"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    claimed_at = models.DateTimeField(_("nhận xử lý lúc"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("được giao cho"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    ack_due_at = models.DateTimeField(_("hạn tiếp nhận"))
    due_at = models.DateTimeField(_("hạn xử lý"))
    acknowledged_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("cấp đã báo quá hạn"), default=0)
    escalated_to = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đã báo cáo lên"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    escalated_at = models.DateTimeField(_("báo quá hạn lúc"), null=True, blank=True)
    outcome = models.TextField(_("kết quả xử lý"), blank=True)
    transferred_to_body = models.CharField(_("chuyển đến cơ quan"), max_length=200, blank=True)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("trùng với"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duplicates",
    )
    is_valuable = models.BooleanField(_("tin có giá trị"), default=False)
    awaiting_officer = models.BooleanField(_("có thông tin mới từ người báo"), default=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("tin báo")
        verbose_name_plural = _("tin báo")
        indexes = [
            models.Index(fields=["orgunit", "status", "created_at"]),
            models.Index(fields=["status", "ack_due_at"]),
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["commune", "kind", "created_at"]),
            models.Index(fields=["concluded_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_anonymous=False)
                | (Q(contact_name="") & Q(contact_phone="") & Q(contact_email="")),
                name="tip_anonymous_has_no_contact",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=CONCLUDED_STATUSES) | ~Q(outcome=""),
                name="tip_concluded_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_name or self.contact_phone or self.contact_email)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if not (self.description or "").strip():
            errors["description"] = _("Hãy mô tả sự việc (không được để trống).")
        if self.is_anonymous and self.has_contact:
            errors["is_anonymous"] = _("Tin ẩn danh không được kèm thông tin liên hệ.")
        if (
            not self.is_anonymous
            and self.channel != Channel.ZALO
            and not (self.contact_phone or self.contact_email)
        ):
            errors["contact_phone"] = _(
                "Hãy cho biết số điện thoại hoặc thư điện tử, hoặc chọn gửi ẩn danh."
            )
        if self.status in CONCLUDED_STATUSES and len((self.outcome or "").strip()) < MIN_OUTCOME:
            errors["outcome"] = _(
                "Hãy ghi rõ kết quả xử lý (ít nhất %(n)s ký tự): đã làm gì, kết luận ra sao."
            ) % {"n": MIN_OUTCOME}
        if self.latitude is not None and not (-90 <= self.latitude <= 90):
            errors["latitude"] = _("Vĩ độ phải nằm trong khoảng -90 đến 90.")
        if self.longitude is not None and not (-180 <= self.longitude <= 180):
            errors["longitude"] = _("Kinh độ phải nằm trong khoảng -180 đến 180.")
        if (self.latitude is None) != (self.longitude is None):
            errors["latitude"] = _("Vị trí trên bản đồ cần cả vĩ độ và kinh độ.")
        if errors:
            raise ValidationError(errors)


class MediaKind(models.TextChoices):
    IMAGE = "image", _("Ảnh")
    VIDEO = "video", _("Video")


class TipMedia(BaseModel):
    """A photo or video of a tip: a re-encoded file, or a reference to a Zalo-hosted image."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="media")
    message = models.ForeignKey(
        "TipMessage", null=True, blank=True, on_delete=models.CASCADE, related_name="media"
    )
    kind = models.CharField(_("loại tệp"), max_length=8, choices=MediaKind.choices)
    file = models.FileField(_("tệp"), upload_to="tips/%Y/%m/", max_length=200, blank=True)
    source_url = models.URLField(_("đường dẫn gốc"), max_length=1000, blank=True)
    content_type = models.CharField(max_length=60, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("ảnh/video")
        verbose_name_plural = _("ảnh/video")

    def __str__(self) -> str:
        return f"{self.tip} · {self.get_kind_display()}"


class Direction(models.TextChoices):
    FROM_CITIZEN = "from_citizen", _("Người báo gửi")
    TO_CITIZEN = "to_citizen", _("Trả lời người báo")
    INTERNAL = "internal", _("Ghi chú nội bộ")
    EVENT = "event", _("Diễn biến")


class TipMessage(BaseModel):
    """One entry of a tip's thread: citizen text, a reply, an internal note or an event."""

    tip = models.ForeignKey(Tip, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(_("loại"), max_length=16, choices=Direction.choices)
    body = models.TextField(_("nội dung"), max_length=MAX_DESCRIPTION)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người viết"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    channel = models.CharField(_("kênh"), max_length=8, choices=Channel.choices, blank=True)
    # An event (direction "event") is shown from its code and parameters in the reader's
    # language (``binhyen.tips.events``); ``body`` keeps the Vietnamese text for the API.
    event = models.CharField(_("mã diễn biến"), max_length=32, blank=True)
    params = models.JSONField(_("tham số diễn biến"), default=dict, blank=True)
    delivered_at = models.DateTimeField(_("đã gửi tới người báo lúc"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("trao đổi")
        verbose_name_plural = _("trao đổi")
        indexes = [models.Index(fields=["tip", "direction"])]

    def __str__(self) -> str:
        return f"{self.tip} · {self.get_direction_display()}"

    @property
    def is_public(self) -> bool:
        """Return True for entries the citizen sees when following the tip."""
        return self.direction in (Direction.FROM_CITIZEN, Direction.TO_CITIZEN)


class ReplyTemplate(LocalizedNameMixin, BaseModel):
    """A ready-made message to the citizen that officers pick and adapt.

    ``name_en`` labels it on English pages; the body stays in the citizen's language.
    """

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=120)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=120, blank=True)
    body = models.TextField(_("nội dung"))
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("mẫu trả lời")
        verbose_name_plural = _("mẫu trả lời")

    def __str__(self) -> str:
        return self.label


class ZaloDelivery(models.Model):
    """One Zalo event taken in, keyed by its message id: the idempotency record."""

    msg_id = models.CharField(max_length=100, unique=True)
    event_name = models.CharField(max_length=60)
    tip = models.ForeignKey(Tip, null=True, on_delete=models.CASCADE, related_name="+")
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sự kiện Zalo đã nhận")
        verbose_name_plural = _("sự kiện Zalo đã nhận")

    def __str__(self) -> str:
        return self.msg_id


class OutboundMessage(models.Model):
    """A message the recording sender kept instead of sending (the default outbox)."""

    channel = models.CharField(max_length=8, choices=Channel.choices)
    recipient_hash = models.CharField(max_length=64)
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("tin nhắn gửi đi")
        verbose_name_plural = _("tin nhắn gửi đi")

    def __str__(self) -> str:
        return f"{self.channel} {self.created_at:%Y-%m-%d %H:%M}"


class ZaloContact(models.Model):
    """The Zalo user id behind a sender hash, kept only while the OA may still answer them."""

    sender_hash = models.CharField(max_length=64, unique=True)
    user_id = models.CharField(max_length=64)
    last_seen_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("liên hệ Zalo")
        verbose_name_plural = _("liên hệ Zalo")

    def __str__(self) -> str:
        return f"{self.sender_hash[:8]}…"


class PushStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ gửi")
    SENT = "sent", _("Đã gửi")
    HELD = "held", _("Chờ người báo nhắn lại")
    FAILED = "failed", _("Gửi không được")
    DISCARDED = "discarded", _("Đã bỏ")


class ZaloPush(BaseModel):
    """Delivery of one officer reply to a Zalo sender through the OA API, with retries."""

    message = models.OneToOneField(
        TipMessage, on_delete=models.CASCADE, related_name="zalo_push", verbose_name=_("trả lời")
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=PushStatus.choices, default=PushStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("số lần thử"), default=0)
    next_attempt_at = models.DateTimeField(_("lần thử tới"), null=True, blank=True)
    last_error = models.CharField(_("lỗi cuối"), max_length=120, blank=True)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("tin trả lời qua Zalo")
        verbose_name_plural = _("tin trả lời qua Zalo")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.message_id}: {self.status}"


class ZaloToken(models.Model):
    """The OA's access token, its expiry and the single-use refresh token (one row, pk=1).

    Stored as received: the project has no field encryption; restrict database access and
    backups accordingly (docs/privacy.md). Never logged, never shown.
    """

    access_token = models.TextField(blank=True)
    access_expires_at = models.DateTimeField(null=True, blank=True)
    refresh_token = models.TextField(blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("khóa truy cập Zalo OA")
        verbose_name_plural = _("khóa truy cập Zalo OA")

    def __str__(self) -> str:
        return f"Zalo OA token (expires {self.access_expires_at})"

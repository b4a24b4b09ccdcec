"""Reintegration support cases (tái hòa nhập cộng đồng): the most sensitive data of Bình Yên.

Invariants:
- A case belongs to exactly one commune (``Case.orgunit``); it is read only through
  ``binhyen.cases.selectors`` (inside its commune, by its chief or its assigned users) and
  every read leaves a ``CaseRead`` row.
- A case holds support data only: no field about speech, religion or politics, no location,
  no monitoring of communications (this is support, not surveillance).
- ``str()`` of every model here is a reference without personal data, because the audit trail
  stores ``str(obj)``: audit rows and messages name the case by its id, never the person.
- Anonymisation empties every personal field and keeps the type, the commune, the dates,
  the needs, the outcome kinds and the closure reason, so the published counts stay.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from binhyen.core.models import BaseModel, LocalizedNameMixin
from binhyen.indicators.models import CODE_VALIDATOR
from binhyen.orgunits.models import OrgUnit


class Need(models.TextChoices):
    PAPERS = "papers", _("Giấy tờ tùy thân")
    RESIDENCE = "residence", _("Đăng ký cư trú")
    TRAINING = "training", _("Học nghề")
    JOB = "job", _("Việc làm")
    LOAN = "loan", _("Vay vốn ưu đãi")
    HEALTH = "health", _("Sức khỏe")


class CaseType(LocalizedNameMixin, BaseModel):
    """A kind of case with its legal basis and schedule; national or added by a province."""

    code = models.CharField(_("mã"), max_length=32, unique=True, validators=[CODE_VALIDATOR])
    name = models.CharField(_("tên loại hồ sơ"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    purpose = models.TextField(_("mục đích xử lý dữ liệu"))
    purpose_en = models.TextField(_("mục đích xử lý dữ liệu (tiếng Anh)"), blank=True)
    legal_basis = models.TextField(_("căn cứ pháp lý"))
    province = models.ForeignKey(
        OrgUnit,
        verbose_name=_("tỉnh"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_types",
        help_text=_("Để trống: loại hồ sơ dùng chung cả nước."),
    )
    duration_months = models.PositiveSmallIntegerField(
        _("thời hạn hỗ trợ (tháng)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
    )
    review_every_days = models.PositiveSmallIntegerField(
        _("chu kỳ gặp gỡ, đánh giá (ngày)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(366)],
    )
    extra_fields = models.JSONField(
        _("trường bổ sung"),
        default=list,
        blank=True,
        help_text=_("Danh sách nhãn của các trường riêng của loại hồ sơ."),
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ("sort_order", "name")
        verbose_name = _("loại hồ sơ")
        verbose_name_plural = _("loại hồ sơ")

    def __str__(self) -> str:
        return self.label

    @property
    def purpose_label(self) -> str:
        """The purpose in English when the page is in English and one is set."""
        from django.utils.translation import get_language

        if self.purpose_en and (get_language() or "").startswith("en"):
            return self.purpose_en
        return self.purpose


class Case(BaseModel):
    """One person the commune helps back into society (see the module invariants)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Đang hỗ trợ")
        CLOSED = "closed", _("Đã kết thúc")

    class ClosureReason(models.TextChoices):
        SETTLED = "settled", _("Đã ổn định cuộc sống")
        MOVED = "moved", _("Chuyển nơi cư trú ngoài hệ thống")
        PERIOD_ENDED = "period_ended", _("Hết thời hạn hỗ trợ, quản lý")
        OTHER = "other", _("Lý do khác")

    orgunit = models.ForeignKey(
        OrgUnit, verbose_name=_("xã, phường"), on_delete=models.PROTECT, related_name="cases"
    )
    case_type = models.ForeignKey(
        CaseType, verbose_name=_("loại hồ sơ"), on_delete=models.PROTECT, related_name="cases"
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    opened_on = models.DateField(_("ngày lập hồ sơ"))
    full_name = models.CharField(_("họ và tên"), max_length=120, blank=True)
    full_name_folded = models.CharField(max_length=120, blank=True, editable=False)
    birth_year = models.PositiveSmallIntegerField(
        _("năm sinh"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    identity_number = models.CharField(_("số định danh cá nhân"), max_length=12, blank=True)
    home_village = models.ForeignKey(
        OrgUnit,
        verbose_name=_("thôn, tổ dân phố cư trú"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    judgment_number = models.CharField(_("số bản án, quyết định"), max_length=60, blank=True)
    judgment_date = models.DateField(_("ngày bản án, quyết định"), null=True, blank=True)
    release_date = models.DateField(_("ngày chấp hành xong, được đặc xá"), null=True, blank=True)
    support_until = models.DateField(_("hết thời hạn quản lý, hỗ trợ"), null=True, blank=True)
    needs = models.JSONField(_("nhu cầu hỗ trợ"), default=list, blank=True)
    extra = models.JSONField(_("thông tin bổ sung"), default=dict, blank=True)
    closed_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    closure_reason = models.CharField(
        _("lý do kết thúc"), max_length=20, choices=ClosureReason.choices, blank=True
    )
    closure_note = models.TextField(_("ghi chú kết thúc"), blank=True)
    anonymised_at = models.DateTimeField(_("ẩn danh lúc"), null=True, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ("-opened_on", "-pk")
        verbose_name = _("hồ sơ tái hòa nhập")
        verbose_name_plural = _("hồ sơ tái hòa nhập")
        indexes = [
            models.Index(fields=["orgunit", "status"]),
            models.Index(fields=["status", "closed_on"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """Return the case's reference (no personal data): "HS-000042"."""
        return f"HS-{self.pk or 0:06d}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    def need_labels(self) -> list[str]:
        labels = dict(Need.choices)
        return [str(labels.get(code, code)) for code in self.needs]


class Helper(BaseModel):
    """A person or organisation assigned to help; with a ``user``, that user may open the case."""

    class Kind(models.TextChoices):
        OFFICER = "officer", _("Cán bộ phụ trách")
        FAMILY = "family", _("Gia đình")
        MASS_ORGANISATION = "mass_org", _("Đoàn thể, tổ chức")
        OTHER = "other", _("Người khác")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="helpers")
    kind = models.CharField(_("vai trò"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("họ tên, tên tổ chức"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="case_helps",
    )
    can_reveal = models.BooleanField(_("được xem trường nhạy cảm"), default=False)
    assigned_on = models.DateField(_("ngày phân công"))
    ended_on = models.DateField(_("ngày thôi phân công"), null=True, blank=True)

    class Meta:
        ordering = ("assigned_on", "pk")
        verbose_name = _("người được giao giúp đỡ")
        verbose_name_plural = _("người được giao giúp đỡ")

    def __str__(self) -> str:
        return f"{self.case.reference}/helper-{self.pk}"


class SupportTask(BaseModel):
    """One step of the support plan (papers, a course, a job interview…) with its date."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    need = models.CharField(_("nhu cầu"), max_length=12, choices=Need.choices)
    title = models.CharField(_("việc cần làm"), max_length=255)
    due_on = models.DateField(_("hạn"))
    done_on = models.DateField(_("hoàn thành ngày"), null=True, blank=True)

    class Meta:
        ordering = ("due_on", "pk")
        verbose_name = _("việc trong kế hoạch hỗ trợ")
        verbose_name_plural = _("kế hoạch hỗ trợ")

    def __str__(self) -> str:
        return f"{self.case.reference}/task-{self.pk}"


class Review(BaseModel):
    """A contact or a periodic review: what was done and by whom (no location, no monitoring)."""

    class Kind(models.TextChoices):
        CONTACT = "contact", pgettext_lazy("case review kind", "Gặp gỡ, trao đổi")
        REVIEW = "review", pgettext_lazy("case review kind", "Đánh giá định kỳ")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reviews")
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices)
    held_on = models.DateField(_("ngày"))
    summary = models.TextField(_("nội dung đã làm"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-held_on", "-pk")
        verbose_name = _("lần gặp gỡ, đánh giá")
        verbose_name_plural = _("gặp gỡ, đánh giá")

    def __str__(self) -> str:
        return f"{self.case.reference}/review-{self.pk}"


class Outcome(BaseModel):
    """A result of the support: a job, a loan, papers issued…"""

    class Kind(models.TextChoices):
        EMPLOYED = "employed", _("Có việc làm")
        LOAN_GRANTED = "loan_granted", _("Được vay vốn")
        PAPERS_ISSUED = "papers_issued", _("Được cấp giấy tờ")
        RESIDENCE_REGISTERED = "residence", _("Được đăng ký cư trú")
        TRAINED = "trained", _("Hoàn thành học nghề")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(_("kết quả"), max_length=14, choices=Kind.choices)
    achieved_on = models.DateField(_("ngày đạt"))
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ("achieved_on", "pk")
        verbose_name = _("kết quả hỗ trợ")
        verbose_name_plural = _("kết quả hỗ trợ")

    def __str__(self) -> str:
        return f"{self.case.reference}/outcome-{self.pk}"


class Handover(BaseModel):
    """A move to another commune: pending until the receiving commune accepts it.

    The sending commune keeps this row (the case's reference, where it went, when) and
    nothing of the case's contents once it is accepted.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ tiếp nhận")
        ACCEPTED = "accepted", _("Đã tiếp nhận")
        CANCELLED = "cancelled", _("Đã hủy")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="handovers")
    from_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("xã gửi"), on_delete=models.PROTECT, related_name="+"
    )
    to_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("xã nhận"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_on = models.DateField(_("ngày chuyển"))
    decided_at = models.DateTimeField(_("xử lý lúc"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-requested_on", "-pk")
        verbose_name = _("chuyển hồ sơ")
        verbose_name_plural = _("chuyển hồ sơ")

    def __str__(self) -> str:
        return f"{self.case.reference}/handover-{self.pk}"


class SubjectRequest(BaseModel):
    """A data-subject request (Law 91/2025): access, correction or deletion, with a deadline."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("Xem, nhận bản sao dữ liệu")
        CORRECTION = "correction", _("Chỉnh sửa dữ liệu")
        DELETION = "deletion", _("Xóa dữ liệu")

    class Status(models.TextChoices):
        OPEN = "open", _("Đang xử lý")
        DONE = "done", _("Đã đáp ứng")
        REFUSED = "refused", _("Từ chối có lý do")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="subject_requests")
    kind = models.CharField(_("loại yêu cầu"), max_length=12, choices=Kind.choices)
    received_on = models.DateField(_("ngày nhận"))
    due_on = models.DateField(_("hạn trả lời"))
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    details = models.TextField(_("nội dung yêu cầu"), blank=True)
    response = models.TextField(_("trả lời"), blank=True)
    completed_on = models.DateField(_("ngày trả lời"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ("-received_on", "-pk")
        verbose_name = _("yêu cầu của chủ thể dữ liệu")
        verbose_name_plural = _("yêu cầu của chủ thể dữ liệu")

    def __str__(self) -> str:
        return f"{self.case.reference}/request-{self.pk}"


class CaseRead(models.Model):
    """One read of a case: who, when, through what, and which hidden field if any.

    Written by every page, API call and export that shows a case (``services.case_read``);
    never changed or deleted by the product.
    """

    class Channel(models.TextChoices):
        PAGE = "page", _("Trang hồ sơ")
        LIST = "list", _("Danh sách hồ sơ")
        API = "api", _("API")
        EXPORT = "export", _("Xuất Excel")
        REVEAL = "reveal", _("Xem trường nhạy cảm")
        SUBJECT_EXPORT = "subject_export", _("Xuất dữ liệu cho chủ thể")
        HISTORY = "history", _("Xem lịch sử truy cập")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user_label = models.CharField(_("người xem"), max_length=150)
    at = models.DateTimeField(_("lúc"), auto_now_add=True, db_index=True)
    channel = models.CharField(_("qua"), max_length=16, choices=Channel.choices)
    field = models.CharField(_("trường"), max_length=40, blank=True)

    class Meta:
        ordering = ("-at", "-pk")
        verbose_name = _("lượt truy cập hồ sơ")
        verbose_name_plural = _("lịch sử truy cập hồ sơ")

    def __str__(self) -> str:
        return f"{self.case_id}/read-{self.pk}"

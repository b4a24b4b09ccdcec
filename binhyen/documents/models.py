"""Official documents: editable Word templates, issued documents and their rendering jobs.

Invariants:
- A ``DocumentTemplate`` row is one uploaded version of a template code, for a province or
  (``province`` empty) national; versions are never overwritten, a new upload adds the next
  number. A unit uses the newest version of its province, else the newest national one,
  else the file shipped with the product (``binhyen/documents/docx``).
- An ``IssuedDocument`` is a draft until issued. Issuing freezes it: the context (every
  figure, table and narrative) is stored as JSON, the Word file rendered from it is stored,
  and it carries a number unique per issuing unit and year. Nothing changes it afterwards.
- A ``RenderJob`` belongs to its requester only (others: 404); a worker fills its file.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from binhyen.core.models import BaseModel, FileJob, FileJobStatus


class DocumentKind(models.TextChoices):
    PERIODIC_REPORT = "periodic_report", _("Báo cáo kết quả phong trào (xã)")
    PROVINCE_REPORT = "province_report", _("Báo cáo kết quả phong trào (tỉnh)")
    RECOGNITION_DECISION = "recognition_decision", _("Quyết định công nhận")
    RECOGNITION_LIST = "recognition_list", _("Danh sách kèm quyết định công nhận")
    CERTIFICATE = "certificate", _("Giấy chứng nhận")
    ANNUAL_PLAN = "annual_plan", _("Kế hoạch năm")
    REWARD_DECISION = "reward_decision", _("Quyết định khen thưởng")
    REWARD_CERTIFICATE = "reward_certificate", _("Giấy khen")
    HOTSPOT_REPORT = "hotspot_report", _("Báo cáo chuyển hóa địa bàn trọng điểm")
    TIP_SUMMARY = "tip_summary", _("Báo cáo tổng hợp tiếp nhận, xử lý tin báo")


class DocumentTemplate(BaseModel):
    """One uploaded version of a Word template, national (no province) or for one province."""

    code = models.CharField(_("mã mẫu"), max_length=40)
    kind = models.CharField(_("loại văn bản"), max_length=24, choices=DocumentKind.choices)
    province = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("tỉnh"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("phiên bản"))
    content = models.BinaryField(_("tệp .docx"))
    filename = models.CharField(_("tên tệp"), max_length=200)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải lên"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["code", "-version"]
        verbose_name = _("mẫu văn bản")
        verbose_name_plural = _("mẫu văn bản")
        constraints = [
            models.UniqueConstraint(
                fields=["code", "province", "version"], name="documents_template_version"
            ),
            models.UniqueConstraint(
                fields=["code", "version"],
                condition=Q(province__isnull=True),
                name="documents_template_national_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class DocumentProfile(BaseModel):
    """How a unit signs its documents: body names, symbol, place, signer and recipients.

    Every field has a default derived from the unit (``selectors.profile_for``); a stored
    profile overrides the fields that are filled.
    """

    orgunit = models.OneToOneField(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị"),
        on_delete=models.CASCADE,
        related_name="document_profile",
    )
    body_name = models.CharField(_("cơ quan ban hành"), max_length=200, blank=True)
    parent_body_name = models.CharField(_("cơ quan chủ quản"), max_length=200, blank=True)
    symbol = models.CharField(
        _("chữ viết tắt cơ quan"),
        max_length=20,
        blank=True,
        help_text=_("Phần sau loại văn bản trong ký hiệu, ví dụ CAX trong 12/BC-CAX."),
    )
    place = models.CharField(_("địa danh"), max_length=100, blank=True)
    signer_prefix = models.CharField(
        _("thẩm quyền ký"), max_length=8, blank=True, help_text=_("KT., TM., Q., TL. hoặc để trống")
    )
    signer_authority = models.CharField(_("chức danh người đứng đầu"), max_length=150, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=150, blank=True)
    signer_name = models.CharField(_("họ tên người ký"), max_length=150, blank=True)
    recipients = models.TextField(_("nơi nhận (mỗi dòng một nơi)"), blank=True)

    class Meta:
        verbose_name = _("thông tin ban hành văn bản")
        verbose_name_plural = _("thông tin ban hành văn bản")

    def __str__(self) -> str:
        return str(self.orgunit)


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("dự thảo")
    ISSUED = "issued", _("đã ban hành")


class IssuedDocument(BaseModel):
    """A document of a unit for a period: a draft, then issued (frozen, numbered, stored)."""

    template_code = models.CharField(_("mẫu"), max_length=40)
    kind = models.CharField(_("loại văn bản"), max_length=24, choices=DocumentKind.choices)
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị ban hành"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    period = models.CharField(_("kỳ"), max_length=16)
    summary = models.CharField(_("trích yếu"), max_length=300)
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT
    )
    narrative = models.JSONField(_("phần lời văn"), default=dict, blank=True)
    number = models.PositiveIntegerField(_("số"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("năm"), null=True, blank=True)
    symbol = models.CharField(_("ký hiệu"), max_length=40, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    context = models.JSONField(_("nội dung đã ban hành"), default=dict, blank=True)
    template_version = models.CharField(_("phiên bản mẫu"), max_length=40, blank=True)
    docx_file = models.CharField(_("tệp Word"), max_length=300, blank=True)
    pdf_file = models.CharField(_("tệp PDF"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người soạn"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ban hành"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("văn bản")
        verbose_name_plural = _("văn bản")
        constraints = [
            models.UniqueConstraint(
                fields=["orgunit", "year", "number"],
                condition=Q(number__isnull=False),
                name="documents_number_per_body_year",
            ),
        ]

    def __str__(self) -> str:
        if self.number:
            return f"{self.number}/{self.symbol} — {self.summary}"
        return self.summary

    @property
    def is_issued(self) -> bool:
        return self.status == DocumentStatus.ISSUED

    @property
    def reference(self) -> str:
        """Return the number and symbol, "12/BC-CAX", or the symbol alone for a draft."""
        return f"{self.number}/{self.symbol}" if self.number else f"/{self.symbol}"


class JobFormat(models.TextChoices):
    DOCX = "docx", _("Word (.docx)")
    PDF = "pdf", _("PDF")
    PACK = "zip", _("Bộ báo cáo (.zip)")


JobStatus = FileJobStatus


class RenderJob(FileJob):
    """A file built by a worker: a document as Word or PDF, or a province's report pack."""

    document = models.ForeignKey(
        IssuedDocument,
        verbose_name=_("văn bản"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="jobs",
    )
    template_code = models.CharField(_("mẫu"), max_length=40, blank=True)
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    period = models.CharField(_("kỳ"), max_length=16)
    fmt = models.CharField(_("định dạng"), max_length=4, choices=JobFormat.choices)
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    step = models.CharField(_("bước"), max_length=200, blank=True)
    error = models.CharField(_("lỗi"), max_length=500, blank=True)

    class Meta(FileJob.Meta):
        verbose_name = _("tệp đang tạo")
        verbose_name_plural = _("tệp đang tạo")

    def __str__(self) -> str:
        return f"{self.template_code or self.fmt} {self.period} ({self.status})"

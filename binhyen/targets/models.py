"""Plans, targets with their cascading allocations, and peak campaigns.

Invariants:
- A ``Target`` is on one unit, one metric (optionally one breakdown option), one period
  (a period code; ``period_start``/``period_end`` are its span) and has one ``kind``:
  ``count`` (the metric's value in the period), ``increase`` (the value at the end of the
  period minus the value at the end of the previous period of the same length: "xây dựng
  mới"), ``rate`` (numerator ÷ ``denominator`` metric × 100) or ``change`` (percentage
  change against the same period last year). A rate always has a denominator; only a rate
  has one. ``comparison`` is ``at_least`` (≥) or ``at_most`` (≤).
- A target of a plan lies inside the plan's period.
- An ``Allocation`` splits one parent target among the parent's children; its versions are
  numbered from 1 and only the latest is ``is_current``: a revision keeps every earlier
  version and its shares. The child targets it produced (``source = allocated``,
  ``parent`` = the split target) always carry the current version's values.
- A unit has at most one target of each source per (metric, option, period, kind): its own
  target and, separately, the share allocated from above.
- Figures are never stored here: actuals come from the indicators engine at read time.
- A ``Campaign`` owns at most one report form (``campaign_<id>``) whose periods are the
  campaign's periods (day or ISO week) and whose submitting units are its participants.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from binhyen.core.models import BaseModel


def document_path(instance: object, filename: str) -> str:
    today = timezone.localdate()
    return f"targets/{today:%Y/%m}/{filename}"


class PlanKind(models.TextChoices):
    PLAN = "plan", _("Kế hoạch")
    RESOLUTION = "resolution", _("Nghị quyết")
    DIRECTIVE = "directive", _("Chỉ thị")
    COORDINATION = "coordination", _("Quy chế phối hợp")


class Plan(BaseModel):
    """A plan, resolution, directive or coordination regulation a unit issued or signed."""

    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị ban hành"),
        on_delete=models.PROTECT,
        related_name="target_plans",
    )
    kind = models.CharField(_("loại văn bản"), max_length=16, choices=PlanKind.choices)
    number = models.CharField(_("số, ký hiệu"), max_length=60)
    issued_on = models.DateField(_("ngày ban hành"))
    title = models.CharField(_("trích yếu"), max_length=300)
    title_folded = models.CharField(max_length=400, editable=False, db_index=True)
    summary = models.TextField(_("nội dung chính"), blank=True)
    partners = models.CharField(_("cơ quan phối hợp"), max_length=300, blank=True)
    period_start = models.DateField(_("thực hiện từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    document = models.FileField(
        _("tệp văn bản"), upload_to=document_path, max_length=255, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhập"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("kế hoạch, văn bản chỉ đạo")
        verbose_name_plural = _("kế hoạch, văn bản chỉ đạo")
        indexes = [models.Index(fields=["orgunit", "issued_on"], name="tg_plan_unit_issued")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class PlanTask(BaseModel):
    """One task of a plan: who, what, by when, how far along."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("kế hoạch"), on_delete=models.CASCADE, related_name="tasks"
    )
    description = models.CharField(_("nội dung công việc"), max_length=300)
    assignee = models.CharField(_("đơn vị, người thực hiện"), max_length=200)
    due_on = models.DateField(_("thời hạn"))
    progress = models.PositiveSmallIntegerField(
        _("tiến độ (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        ordering = ["plan", "due_on", "pk"]
        verbose_name = _("nhiệm vụ của kế hoạch")
        verbose_name_plural = _("nhiệm vụ của kế hoạch")

    def __str__(self) -> str:
        return self.description


class TargetKind(models.TextChoices):
    COUNT = "count", _("Số lượng trong kỳ")
    INCREASE = "increase", _("Tăng thêm trong kỳ (xây dựng mới)")
    RATE = "rate", _("Tỷ lệ (%) trên mẫu số")
    CHANGE = "change", _("Thay đổi (%) so với cùng kỳ năm trước")


class Comparison(models.TextChoices):
    AT_LEAST = "at_least", _("Không thấp hơn (≥)")
    AT_MOST = "at_most", _("Không vượt quá (≤)")


class TargetSource(models.TextChoices):
    OWN = "own", _("Đơn vị tự đặt")
    ALLOCATED = "allocated", _("Cấp trên giao")


class Target(BaseModel):
    """A target (chỉ tiêu) of a unit on one metric for one period (see the module docstring)."""

    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="targets",
    )
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("kế hoạch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="targets",
    )
    name = models.CharField(_("tên chỉ tiêu"), max_length=300)
    name_folded = models.CharField(max_length=400, editable=False, db_index=True)
    metric = models.ForeignKey(
        "indicators.Metric",
        verbose_name=_("số liệu theo dõi"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    option = models.CharField(_("nhóm phân tổ"), max_length=32, blank=True, default="")
    kind = models.CharField(
        _("loại chỉ tiêu"), max_length=16, choices=TargetKind.choices, default=TargetKind.COUNT
    )
    comparison = models.CharField(
        _("so sánh"), max_length=16, choices=Comparison.choices, default=Comparison.AT_LEAST
    )
    value = models.FloatField(_("mức chỉ tiêu"))
    denominator = models.ForeignKey(
        "indicators.Metric",
        verbose_name=_("mẫu số"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    denominator_option = models.CharField(
        _("nhóm phân tổ của mẫu số"), max_length=32, blank=True, default=""
    )
    period = models.CharField(_("kỳ"), max_length=16)
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    source = models.CharField(
        _("nguồn"), max_length=16, choices=TargetSource.choices, default=TargetSource.OWN
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("giao từ chỉ tiêu"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="allocated",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đặt"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["period_start", "orgunit__path", "metric__sort_order", "pk"]
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        constraints = [
            models.UniqueConstraint(
                fields=["orgunit", "metric", "option", "period", "kind", "source"],
                name="uniq_target_per_source",
            ),
        ]
        indexes = [models.Index(fields=["orgunit", "period_end"], name="tg_target_unit_end")]

    def __str__(self) -> str:
        return f"{self.orgunit.code} {self.period}: {self.name}"


class AllocationMethod(models.TextChoices):
    EQUAL = "equal", _("Chia đều")
    POPULATION = "population", _("Theo dân số")
    HOUSEHOLDS = "households", _("Theo số hộ")
    LAST_YEAR = "last_year", _("Theo kết quả năm trước")
    SHEET = "sheet", _("Theo tệp Excel")
    MANUAL = "manual", _("Nhập từng đơn vị")


class Allocation(BaseModel):
    """One version of the split of a target among the unit's children."""

    target = models.ForeignKey(
        Target, verbose_name=_("chỉ tiêu"), on_delete=models.CASCADE, related_name="allocations"
    )
    version = models.PositiveIntegerField(_("lần phân bổ"), validators=[MinValueValidator(1)])
    method = models.CharField(_("cách phân bổ"), max_length=16, choices=AllocationMethod.choices)
    is_current = models.BooleanField(_("đang áp dụng"), default=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người phân bổ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["target", "-version"]
        verbose_name = _("phân bổ chỉ tiêu")
        verbose_name_plural = _("phân bổ chỉ tiêu")
        constraints = [
            models.UniqueConstraint(fields=["target", "version"], name="uniq_allocation_version"),
        ]

    def __str__(self) -> str:
        return f"{self.target} v{self.version}"


class AllocationShare(models.Model):
    """The share of one child in one allocation version."""

    allocation = models.ForeignKey(
        Allocation, verbose_name=_("phân bổ"), on_delete=models.CASCADE, related_name="shares"
    )
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+"
    )
    value = models.FloatField(_("mức được giao"))

    class Meta:
        ordering = ["allocation", "orgunit__name_folded"]
        verbose_name = _("phần được giao")
        verbose_name_plural = _("phần được giao")
        constraints = [
            models.UniqueConstraint(fields=["allocation", "orgunit"], name="uniq_allocation_share"),
        ]

    def __str__(self) -> str:
        return f"{self.allocation}: {self.orgunit_id} = {self.value}"


class Frequency(models.TextChoices):
    DAY = "day", _("Hằng ngày")
    WEEK = "week", _("Hằng tuần")


class CampaignStatus(models.TextChoices):
    OPEN = "open", _("Đang triển khai")
    CLOSED = "closed", _("Đã kết thúc")


class Campaign(BaseModel):
    """A peak campaign (đợt cao điểm): its period, units, tracked metrics and reporting."""

    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị chủ trì"),
        on_delete=models.PROTECT,
        related_name="target_campaigns",
    )
    name = models.CharField(_("tên đợt"), max_length=300)
    name_folded = models.CharField(max_length=400, editable=False, db_index=True)
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("kế hoạch, quyết định"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaigns",
    )
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"))
    frequency = models.CharField(
        _("tần suất báo cáo"), max_length=8, choices=Frequency.choices, default=Frequency.WEEK
    )
    units = models.ManyToManyField(
        "orgunits.OrgUnit", verbose_name=_("đơn vị tham gia"), related_name="+"
    )
    form = models.OneToOneField(
        "indicators.ReportForm",
        verbose_name=_("biểu mẫu báo cáo"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaign",
    )
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=CampaignStatus.choices, default=CampaignStatus.OPEN
    )
    closed_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True)
    summary = models.JSONField(_("tổng kết"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tạo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-start", "-pk"]
        verbose_name = _("đợt cao điểm")
        verbose_name_plural = _("đợt cao điểm")

    def __str__(self) -> str:
        return self.name

    @property
    def form_code(self) -> str:
        return f"campaign_{self.pk}"


class CampaignMetric(models.Model):
    """A metric a campaign tracks and the campaign's target for it (all units together)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("đợt"), on_delete=models.CASCADE, related_name="tracked"
    )
    metric = models.ForeignKey(
        "indicators.Metric", verbose_name=_("số liệu"), on_delete=models.PROTECT, related_name="+"
    )
    target = models.FloatField(_("chỉ tiêu của đợt"))
    sort_order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["campaign", "sort_order", "pk"]
        verbose_name = _("số liệu theo dõi của đợt")
        verbose_name_plural = _("số liệu theo dõi của đợt")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "metric"], name="uniq_campaign_metric"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.metric_id} ≥ {self.target}"

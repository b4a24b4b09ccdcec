"""Metric catalogue, captured values, periodic report forms, submissions and validation rules.

Invariants:
- A ``DataValue`` is unique on (metric, orgunit, period, option); ``option`` is ``""`` for a
  metric without disaggregation, otherwise the code of one ``DisaggregationOption`` (the
  total of a disaggregated metric is the sum over its options, never stored).
- ``DataValue.period`` is a period code of the metric's ``period_kind``; ``period_start`` and
  ``period_end`` are its span, stored so the engine filters on dates without parsing codes.
- Values stay on the unit where they were captured (commune, village, establishment, or a
  pre-2025 unit for history); the engine rolls them up and forward at query time.
- A value whose (unit, period) belongs to a submitted or approved ``Submission`` of a form
  containing its metric is locked: services refuse to change it.
- A ``ReportForm``'s metrics all have the form's period kind.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from binhyen.core.models import BaseModel, FileJob, LocalizedNameMixin
from binhyen.indicators.periods import PeriodError, PeriodKind, parse_period

CODE_VALIDATOR = RegexValidator(
    r"^[a-z][a-z0-9_]{1,63}$",
    _("Mã chỉ gồm chữ thường không dấu, chữ số và dấu gạch dưới, bắt đầu bằng chữ."),
)


class ValueType(models.TextChoices):
    INTEGER = "integer", _("Số nguyên")
    DECIMAL = "decimal", _("Số thập phân")
    PERCENT = "percent", _("Tỷ lệ phần trăm")
    BOOLEAN = "boolean", _("Có/không")


class Aggregation(models.TextChoices):
    SUM = "sum", _("Cộng dồn")
    AVERAGE = "average", _("Trung bình")
    MIN = "min", _("Nhỏ nhất")
    MAX = "max", _("Lớn nhất")
    LAST = "last", _("Giá trị cuối kỳ (cộng các đơn vị)")
    NONE = "none", _("Không tổng hợp")


class Counting(models.TextChoices):
    """What a count adds up: quantities sum through the map; distinct things count once."""

    QUANTITY = "quantity", _("Số lượng (cộng dồn qua các đơn vị)")
    DISTINCT = "distinct", _("Số đối tượng (mỗi đối tượng đếm một lần)")


class MetricSource(models.TextChoices):
    FORM = "form", _("Nhập qua biểu mẫu báo cáo")
    IMPORT = "import", _("Nhập từ tệp")
    PROVIDER = "provider", _("Tính tự động từ nghiệp vụ")


class ValueSource(models.TextChoices):
    """Where a stored value came from: a metric's source, or the demo's made-up figures
    (``demo``: generated for a newcomer to see the product, removed before real use)."""

    FORM = "form", _("Nhập qua biểu mẫu báo cáo")
    IMPORT = "import", _("Nhập từ tệp")
    PROVIDER = "provider", _("Tính tự động từ nghiệp vụ")
    DEMO = "demo", _("Dữ liệu minh họa")


class Disaggregation(LocalizedNameMixin, BaseModel):
    """A breakdown of a metric, e.g. crimes by group or weapons by kind."""

    code = models.CharField(_("mã"), max_length=64, unique=True, validators=[CODE_VALIDATOR])
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("phân tổ")
        verbose_name_plural = _("phân tổ")

    def __str__(self) -> str:
        return self.label


class DisaggregationOption(LocalizedNameMixin, BaseModel):
    disaggregation = models.ForeignKey(
        Disaggregation,
        verbose_name=_("phân tổ"),
        on_delete=models.CASCADE,
        related_name="options",
    )
    code = models.CharField(_("mã"), max_length=32, validators=[CODE_VALIDATOR])
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["disaggregation", "sort_order", "code"]
        verbose_name = _("nhóm phân tổ")
        verbose_name_plural = _("nhóm phân tổ")
        constraints = [
            models.UniqueConstraint(fields=["disaggregation", "code"], name="uniq_disagg_option"),
        ]

    def __str__(self) -> str:
        return self.label


class Metric(LocalizedNameMixin, BaseModel):
    """One thing the movement counts or measures, with how it rolls up."""

    code = models.CharField(_("mã"), max_length=64, unique=True, validators=[CODE_VALIDATOR])
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    unit_of_measure = models.CharField(_("đơn vị tính"), max_length=40, blank=True)
    value_type = models.CharField(
        _("kiểu giá trị"), max_length=16, choices=ValueType.choices, default=ValueType.INTEGER
    )
    aggregation = models.CharField(
        _("cách tổng hợp"), max_length=16, choices=Aggregation.choices, default=Aggregation.SUM
    )
    counting = models.CharField(
        _("cách đếm"),
        max_length=16,
        choices=Counting.choices,
        default=Counting.QUANTITY,
        help_text=_(
            "Số đối tượng: mô hình, tổ, thôn, lượt đưa vào danh sách… được đếm một lần ở mọi "
            "cấp, dù trải trên nhiều đơn vị hay nhiều đơn vị cũ đã sáp nhập."
        ),
    )
    period_kind = models.CharField(
        _("kỳ thu thập"), max_length=16, choices=PeriodKind.choices, default=PeriodKind.MONTH
    )
    capture_kinds = models.JSONField(
        _("cấp đơn vị nhập số liệu"),
        default=list,
        help_text=_("Danh sách cấp đơn vị: commune, village, establishment, province…"),
    )
    disaggregation = models.ForeignKey(
        Disaggregation,
        verbose_name=_("phân tổ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="metrics",
    )
    source = models.CharField(
        _("nguồn số liệu"), max_length=16, choices=MetricSource.choices, default=MetricSource.FORM
    )
    provider_key = models.CharField(_("bộ tính tự động"), max_length=64, blank=True)
    min_value = models.FloatField(_("giá trị nhỏ nhất"), null=True, blank=True)
    max_value = models.FloatField(_("giá trị lớn nhất"), null=True, blank=True)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")

    def __str__(self) -> str:
        return self.label

    @property
    def is_distinct(self) -> bool:
        """Return True when the metric counts distinct things (``DataItem`` rows)."""
        return self.counting == Counting.DISTINCT

    @property
    def is_count(self) -> bool:
        """Return True for event counts (integer, summed): the Poisson test applies."""
        return self.value_type == ValueType.INTEGER and self.aggregation == Aggregation.SUM

    def clean(self) -> None:
        from binhyen.orgunits.models import UnitKind

        errors: dict[str, Any] = {}
        kinds = self.capture_kinds
        if not isinstance(kinds, list) or not kinds:
            errors["capture_kinds"] = _("Chọn ít nhất một cấp đơn vị nhập số liệu.")
        else:
            bad = [k for k in kinds if k not in UnitKind.values]
            if bad:
                errors["capture_kinds"] = _("Cấp đơn vị không tồn tại: %(kinds)s.") % {
                    "kinds": ", ".join(map(str, bad))
                }
        if self.source == MetricSource.PROVIDER and not self.provider_key:
            errors["provider_key"] = _("Chỉ tiêu tính tự động cần tên bộ tính.")
        if self.counting == Counting.DISTINCT:
            # Only a provider knows which things it counted (the items); a typed number
            # cannot say which schemes or villages it counts.
            if self.source != MetricSource.PROVIDER:
                errors["counting"] = _(
                    "Chỉ tiêu đếm số đối tượng phải tính tự động từ nghiệp vụ (bộ tính)."
                )
            elif self.value_type != ValueType.INTEGER or self.aggregation not in (
                Aggregation.SUM,
                Aggregation.LAST,
            ):
                errors["counting"] = _(
                    "Chỉ tiêu đếm số đối tượng phải là số nguyên, tổng hợp cộng dồn hoặc "
                    "giá trị cuối kỳ."
                )
        for name in ("min_value", "max_value"):
            bound = getattr(self, name)
            if bound is not None and not math.isfinite(bound):
                errors[name] = _("Giới hạn phải là một số hữu hạn.")
        if (
            "min_value" not in errors
            and "max_value" not in errors
            and self.min_value is not None
            and self.max_value is not None
            and self.min_value > self.max_value
        ):
            errors["max_value"] = _("Giá trị lớn nhất phải không nhỏ hơn giá trị nhỏ nhất.")
        if errors:
            raise ValidationError(errors)

    def check_value(self, value: float) -> str | None:
        """Return why ``value`` is not acceptable for this metric, or None.

        Infinity and NaN are refused first (they would crash the integer checks and poison
        every sum); a value above the metric's maximum, or above
        ``settings.INDICATORS_DEFAULT_MAX_VALUE`` when the metric sets none, is refused.
        """
        if not math.isfinite(value):
            return str(_("phải là một số hữu hạn (không nhận inf, NaN)"))
        if self.value_type in (ValueType.INTEGER, ValueType.BOOLEAN) and value != int(value):
            return str(_("phải là số nguyên"))
        if self.value_type == ValueType.BOOLEAN and value not in (0, 1):
            return str(_("chỉ nhận 0 (không) hoặc 1 (có)"))
        if self.value_type == ValueType.PERCENT and not 0 <= value <= 100:
            return str(_("tỷ lệ phải từ 0 đến 100"))
        low = self.min_value if self.min_value is not None else 0.0
        if value < low:
            return str(_("không được nhỏ hơn %(min)s") % {"min": _num(low)})
        high = self.upper_bound
        if value > high:
            return str(_("không được lớn hơn %(max)s") % {"max": _num(high)})
        return None

    @property
    def upper_bound(self) -> float:
        """Return the largest value accepted: the metric's own maximum, else the default."""
        if self.max_value is not None:
            return self.max_value
        return float(settings.INDICATORS_DEFAULT_MAX_VALUE)


def _num(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


class DataValue(BaseModel):
    """One captured number: (metric, unit, period, option) → value, with who and how."""

    metric = models.ForeignKey(
        Metric, verbose_name=_("chỉ tiêu"), on_delete=models.PROTECT, related_name="values"
    )
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="data_values",
    )
    period = models.CharField(_("kỳ"), max_length=16)
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    option = models.CharField(_("nhóm phân tổ"), max_length=32, blank=True, default="")
    # A float is exact for counts up to 2^53 and sums fastest on both databases.
    value = models.FloatField(_("giá trị"))
    source = models.CharField(
        _("nguồn"), max_length=16, choices=ValueSource.choices, default=ValueSource.FORM
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người nhập"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["metric", "orgunit", "period_start", "option"]
        verbose_name = _("số liệu")
        verbose_name_plural = _("số liệu")
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "orgunit", "period", "option"], name="uniq_data_value"
            ),
        ]
        indexes = [
            # National and provincial rollups: a few metrics over a date range, all units.
            # ``value`` is a key column so the index covers the query on SQLite too.
            models.Index(
                fields=["metric", "period_end", "orgunit", "value"], name="dv_metric_end_unit"
            ),
            # One unit's history (trend charts, data entry, predecessors).
            models.Index(
                fields=["orgunit", "metric", "period_end", "value"], name="dv_unit_metric_end"
            ),
        ]

    def __str__(self) -> str:
        suffix = f" [{self.option}]" if self.option else ""
        return f"{self.metric.code} {self.orgunit.code} {self.period}{suffix} = {self.value}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        try:
            period = parse_period(self.period)
        except PeriodError as exc:
            raise ValidationError({"period": str(exc)}) from exc
        if self.metric_id is not None:
            metric = self.metric
            if period.kind != metric.period_kind:
                errors["period"] = _(
                    "Chỉ tiêu '%(metric)s' nhập theo %(kind)s, không nhận kỳ '%(code)s'."
                ) % {
                    "metric": metric.label,
                    "kind": PeriodKind(metric.period_kind).label.lower(),
                    "code": period.label,
                }
            problem = metric.check_value(self.value) if self.value is not None else None
            if problem:
                errors["value"] = _("Giá trị của '%(metric)s' %(problem)s.") % {
                    "metric": metric.label,
                    "problem": problem,
                }
            if metric.disaggregation_id is None and self.option:
                errors["option"] = _("Chỉ tiêu '%(metric)s' không có phân tổ.") % {
                    "metric": metric.label
                }
            elif metric.disaggregation_id is not None and not (
                DisaggregationOption.objects.filter(
                    disaggregation_id=metric.disaggregation_id, code=self.option
                ).exists()
            ):
                errors["option"] = _(
                    "Nhóm phân tổ '%(option)s' không thuộc chỉ tiêu '%(metric)s'."
                ) % {
                    "option": self.option,
                    "metric": metric.label,
                }
        if self.orgunit_id is not None and self.metric_id is not None:
            unit = self.orgunit
            if unit.kind not in (self.metric.capture_kinds or []):
                errors["orgunit"] = _(
                    "Chỉ tiêu '%(metric)s' không nhập ở cấp '%(kind)s' (đơn vị %(unit)s)."
                ) % {
                    "metric": self.metric.label,
                    "kind": unit.get_kind_display(),
                    "unit": unit.name,
                }
            elif not _open_during(unit, period.start, period.end):
                errors["orgunit"] = _("Đơn vị %(unit)s không hoạt động trong kỳ %(period)s.") % {
                    "unit": unit.name,
                    "period": period.label,
                }
        if errors:
            raise ValidationError(errors)


def _open_during(unit: Any, start: date, end: date) -> bool:
    return (unit.valid_from is None or unit.valid_from <= end) and (
        unit.valid_to is None or unit.valid_to >= start
    )


class DataItem(models.Model):
    """One thing a distinct metric counted at a unit in a period ("scheme:123").

    The provider's ``DataValue`` at the unit is the number of its items there; the engine
    counts distinct items over a target's units (and forwarded predecessors), so a thing
    reached through several units counts once.
    """

    metric = models.ForeignKey(
        Metric, verbose_name=_("chỉ tiêu"), on_delete=models.CASCADE, related_name="items"
    )
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="data_items",
    )
    period = models.CharField(_("kỳ"), max_length=16)
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    option = models.CharField(_("nhóm phân tổ"), max_length=32, blank=True, default="")
    item = models.CharField(_("đối tượng"), max_length=64)

    class Meta:
        verbose_name = _("đối tượng được đếm")
        verbose_name_plural = _("đối tượng được đếm")
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "orgunit", "period", "option", "item"], name="uniq_data_item"
            ),
        ]
        indexes = [
            # National questions: a few metrics over a date range, all units (covering).
            models.Index(
                fields=["metric", "period_end", "orgunit", "item"], name="di_metric_end_unit"
            ),
            # A subtree's units, each seeking its items (covering).
            models.Index(
                fields=["orgunit", "metric", "period_end", "item"], name="di_unit_metric_end"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric_id} {self.orgunit_id} {self.period} {self.item}"


class ReportForm(LocalizedNameMixin, BaseModel):
    """A periodic report (báo cáo định kỳ): metrics, period type, who submits, deadline."""

    code = models.CharField(_("mã"), max_length=64, unique=True, validators=[CODE_VALIDATOR])
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    period_kind = models.CharField(
        _("kỳ báo cáo"), max_length=16, choices=PeriodKind.choices, default=PeriodKind.MONTH
    )
    submitting_kinds = models.JSONField(_("cấp đơn vị phải báo cáo"), default=list)
    metrics = models.ManyToManyField(
        Metric, verbose_name=_("chỉ tiêu"), through="ReportFormMetric", related_name="forms"
    )
    # Deadline: day ``deadline_day`` of the month ``deadline_month_offset`` months after the
    # month in which the period ends ("ngày 16 tháng sau" = offset 1, day 16).
    deadline_month_offset = models.PositiveSmallIntegerField(
        _("hạn nộp: số tháng sau tháng cuối kỳ"), default=1, validators=[MaxValueValidator(12)]
    )
    deadline_day = models.PositiveSmallIntegerField(
        _("hạn nộp: ngày trong tháng"),
        default=16,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("biểu mẫu báo cáo")
        verbose_name_plural = _("biểu mẫu báo cáo")

    def __str__(self) -> str:
        return self.label

    def deadline_for(self, period_end: date) -> date:
        """Return the last on-time day for a period ending on ``period_end``."""
        import calendar

        months = period_end.year * 12 + period_end.month - 1 + self.deadline_month_offset
        year, month = divmod(months, 12)
        last = calendar.monthrange(year, month + 1)[1]
        return date(year, month + 1, min(self.deadline_day, last))

    @property
    def deadline_text(self) -> str:
        if self.deadline_month_offset == 0:
            return str(_("Ngày %(day)s của tháng cuối kỳ") % {"day": self.deadline_day})
        if self.deadline_month_offset == 1:
            return str(_("Ngày %(day)s tháng sau kỳ báo cáo") % {"day": self.deadline_day})
        return str(
            _("Ngày %(day)s, %(n)s tháng sau tháng cuối kỳ")
            % {"day": self.deadline_day, "n": self.deadline_month_offset}
        )

    def clean(self) -> None:
        from binhyen.orgunits.models import UnitKind

        kinds = self.submitting_kinds
        if not isinstance(kinds, list) or not kinds or any(k not in UnitKind.values for k in kinds):
            raise ValidationError(
                {"submitting_kinds": _("Chọn ít nhất một cấp đơn vị hợp lệ phải báo cáo.")}
            )


class ReportFormMetric(models.Model):
    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="form_metrics")
    metric = models.ForeignKey(Metric, on_delete=models.PROTECT, related_name="form_links")
    sort_order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["form", "sort_order", "id"]
        verbose_name = _("chỉ tiêu trong biểu mẫu")
        verbose_name_plural = _("chỉ tiêu trong biểu mẫu")
        constraints = [
            models.UniqueConstraint(fields=["form", "metric"], name="uniq_form_metric"),
        ]

    def __str__(self) -> str:
        return f"{self.form.code}: {self.metric.code}"


class SubmissionStatus(models.TextChoices):
    DRAFT = "draft", _("Đang nhập")
    SUBMITTED = "submitted", _("Đã gửi, chờ duyệt")
    RETURNED = "returned", _("Bị trả lại")
    APPROVED = "approved", _("Đã duyệt (khóa)")
    REOPENED = "reopened", _("Mở lại để sửa")


EDITABLE_STATUSES = (SubmissionStatus.DRAFT, SubmissionStatus.RETURNED, SubmissionStatus.REOPENED)
LOCKED_STATUSES = (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED)
DONE_STATUSES = (SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED)


class Submission(BaseModel):
    """One unit's report for one period of one form, and where it is in the workflow."""

    form = models.ForeignKey(
        ReportForm, verbose_name=_("biểu mẫu"), on_delete=models.PROTECT, related_name="submissions"
    )
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="report_submissions",
    )
    period = models.CharField(_("kỳ"), max_length=16)
    period_start = models.DateField(_("từ ngày"))
    period_end = models.DateField(_("đến ngày"))
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.DRAFT,
    )
    submitted_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người gửi"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    first_submitted_at = models.DateTimeField(_("gửi lần đầu lúc"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("xử lý lúc"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người duyệt"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.TextField(_("ý kiến của cấp trên"), blank=True)

    class Meta:
        ordering = ["form", "period_start", "orgunit__path"]
        verbose_name = _("báo cáo đã lập")
        verbose_name_plural = _("báo cáo đã lập")
        constraints = [
            models.UniqueConstraint(fields=["form", "orgunit", "period"], name="uniq_submission"),
        ]
        indexes = [models.Index(fields=["form", "period", "status"], name="sub_form_period_status")]

    def __str__(self) -> str:
        return f"{self.form.code} {self.orgunit.code} {self.period}"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATUSES

    @property
    def deadline(self) -> date:
        return self.form.deadline_for(self.period_end)

    @property
    def on_time(self) -> bool | None:
        """Return whether the first submission met the deadline (None if never submitted)."""
        if self.first_submitted_at is None:
            return None
        from django.utils import timezone

        return timezone.localdate(self.first_submitted_at) <= self.deadline


class RuleOperator(models.TextChoices):
    LE = "le", "≤"
    LT = "lt", "<"
    EQ = "eq", "="
    GE = "ge", "≥"
    GT = "gt", ">"


class RuleSeverity(models.TextChoices):
    ERROR = "error", _("Lỗi (không cho gửi báo cáo)")
    WARNING = "warning", _("Cảnh báo")


class ValidationRule(LocalizedNameMixin, BaseModel):
    """``left op right`` between two metrics of the same unit and period."""

    code = models.CharField(_("mã"), max_length=64, unique=True, validators=[CODE_VALIDATOR])
    name = models.CharField(_("tên quy tắc"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    left_metric = models.ForeignKey(
        Metric, verbose_name=_("vế trái"), on_delete=models.CASCADE, related_name="+"
    )
    operator = models.CharField(_("phép so sánh"), max_length=2, choices=RuleOperator.choices)
    right_metric = models.ForeignKey(
        Metric, verbose_name=_("vế phải"), on_delete=models.CASCADE, related_name="+"
    )
    severity = models.CharField(
        _("mức độ"), max_length=8, choices=RuleSeverity.choices, default=RuleSeverity.ERROR
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("quy tắc kiểm tra")
        verbose_name_plural = _("quy tắc kiểm tra")

    def __str__(self) -> str:
        return self.label

    def holds(self, left: float, right: float) -> bool:
        op = self.operator
        if op == RuleOperator.LE:
            return left <= right
        if op == RuleOperator.LT:
            return left < right
        if op == RuleOperator.EQ:
            return abs(left - right) < 1e-9
        if op == RuleOperator.GE:
            return left >= right
        return left > right


class RollupGrain(models.TextChoices):
    """How a rollup row's figures are bucketed in time."""

    PERIOD = "p", _("Kỳ nhập")  # the value's own period end, as stored
    YEAR = "y", _("Năm")  # the calendar year its period ends in (keyed by 31/12)
    # Distinct metrics: the number of distinct items per stored period end (``total``).
    DISTINCT = "d", _("Số đối tượng theo kỳ nhập")


class Rollup(models.Model):
    """Pre-aggregated figures of a current unit: every value counting toward it, summed.

    Derived data, maintained in the same transaction as every value write (see
    ``binhyen.indicators.rollups``) and rebuilt whole when the map's structure changes.
    ``total`` is the sum of weighted values, ``weight`` the sum of weights (for averages),
    ``value_count`` how many values contribute (the row goes when it reaches 0) and ``forwarded``
    how many of them come from predecessors through the lineage.
    """

    grain = models.CharField(max_length=1, choices=RollupGrain.choices)
    level = models.PositiveSmallIntegerField()
    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="+")
    period_end = models.DateField()
    unit = models.ForeignKey("orgunits.OrgUnit", on_delete=models.CASCADE, related_name="+")
    option = models.CharField(max_length=32, blank=True, default="")
    total = models.FloatField(default=0.0)
    weight = models.FloatField(default=0.0)
    value_count = models.IntegerField(default=0)
    forwarded = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("số liệu tổng hợp sẵn")
        verbose_name_plural = _("số liệu tổng hợp sẵn")
        constraints = [
            # Also the read path: one level's units for a metric and a range of ends.
            models.UniqueConstraint(
                fields=["grain", "level", "metric", "period_end", "unit", "option"],
                name="uniq_rollup_cell",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grain}:{self.unit_id}:{self.metric_id}:{self.period_end}:{self.option}"


class RollupState(models.Model):
    """Which map structure version the rollups were built for (one row, ``id = 1``)."""

    structure_version = models.BigIntegerField(default=0)
    built_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0.0)

    class Meta:
        verbose_name = _("trạng thái tổng hợp sẵn")
        verbose_name_plural = _("trạng thái tổng hợp sẵn")

    def __str__(self) -> str:
        return f"v{self.structure_version}"


class HistoryImport(FileJob):
    """A province's history workbook imported by a worker (``history_import``): progress and
    the rows refused. ``file`` is the stored upload, deleted once the import has run."""

    province = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("tỉnh"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    source = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("địa bàn cũ"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    progress = models.PositiveSmallIntegerField(_("tiến độ (%)"), default=0)
    step = models.CharField(_("bước"), max_length=200, blank=True)
    rows = models.PositiveIntegerField(_("số dòng"), default=0)
    created = models.PositiveIntegerField(_("số liệu mới"), default=0)
    replaced = models.PositiveIntegerField(_("số liệu thay thế"), default=0)
    problems = models.JSONField(_("lỗi"), default=list, blank=True)

    class Meta(FileJob.Meta):
        verbose_name = _("nhập số liệu lịch sử")
        verbose_name_plural = _("nhập số liệu lịch sử")

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

"""Recognition programmes, their versioned criteria sets, and each unit's file through the cycle.

Invariants:
- A ``Program`` recognises units of some kinds/subkinds once per period of its
  ``period_kind`` (the evaluation window, e.g. ``MY2025`` = 01/11/2024–31/10/2025). Its
  verifier and decider levels lie strictly above every kind it recognises, so a unit never
  verifies or decides its own file.
- A ``CriteriaSet`` is one version of a programme's criteria. It is *locked* as soon as an
  ``Enrollment`` uses it: its criteria, condition, levels and caps never change afterwards
  (services refuse); a new version starts as an editable copy. ``Program.current_set`` is
  the published version new enrolments bind to.
- ``Criterion.expression`` (rule criteria) is CEL, validated on save against the metric
  catalogue (``rules.py``); ``metric_codes`` is derived from it and never edited by hand.
- ``Enrollment`` is unique per (program, unit, period) and moves only forward through
  ``EnrollmentStatus`` except for "returned to the unit" (submitted → enrolled) and
  withdrawal (recognised → withdrawn), each done by one service and audited.
- ``Assessment`` rows are the per-criterion record of one enrolment. Rule outcomes and the
  figures behind them are frozen into it at submission, so the verifier judges what the
  unit submitted even if data change later; before submission rules are evaluated live.
- Files (evidence, decision scans) are stored only after ``binhyen.core.uploads`` checked
  their real type and re-encoded images without metadata.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from binhyen.core.formats import format_date
from binhyen.core.models import BaseModel, LocalizedNameMixin
from binhyen.core.vocabulary import CLASSIFICATION_ORDER, Classification
from binhyen.indicators.periods import Period, PeriodKind, parse_period

CODE_VALIDATOR = RegexValidator(
    r"^[a-z0-9][a-z0-9_-]{1,63}$",
    _("Mã chỉ gồm chữ thường không dấu, chữ số, gạch dưới hoặc gạch ngang."),
)
MAX_EXPRESSION = 2000


class ProgramKind(models.TextChoices):
    RECOGNITION = "recognition", _("Công nhận (đạt chuẩn, điển hình)")
    CLASSIFICATION = "classification", _("Xếp loại phong trào (chấm điểm)")


class Level(models.TextChoices):
    """The level of the unit that verifies or decides (an ancestor of the enrolled unit)."""

    COMMUNE = "commune", _("Cấp xã")
    PROVINCE = "province", _("Cấp tỉnh")
    COUNTRY = "country", _("Bộ Công an")


# Depth of each level in the unit tree; an enrolled unit must sit strictly deeper.
LEVEL_RANK: dict[str, int] = {Level.COUNTRY: 0, Level.PROVINCE: 1, Level.COMMUNE: 2}
KIND_RANK: dict[str, int] = {
    "country": 0,
    "province": 1,
    "district": 2,
    "commune": 2,
    "village": 3,
    "establishment": 3,
}
RECOGNISED_KINDS = ("commune", "village", "establishment")
WINDOW_KINDS = (
    PeriodKind.YEAR,
    PeriodKind.MOVEMENT_YEAR,
    PeriodKind.TEAM_YEAR,
    PeriodKind.HALF,
)


class Program(LocalizedNameMixin, BaseModel):
    """A recognition or classification programme (TT 124 "An toàn về ANTT", QĐ 510...)."""

    code = models.CharField(_("mã"), max_length=64, unique=True, validators=[CODE_VALIDATOR])
    name = models.CharField(_("tên"), max_length=300)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=300, blank=True)
    description = models.TextField(_("mô tả, căn cứ"), blank=True)
    owner = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị quản lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Để trống: chương trình toàn quốc (Bộ Công an quản lý)."),
    )
    kind = models.CharField(
        _("loại chương trình"),
        max_length=16,
        choices=ProgramKind.choices,
        default=ProgramKind.RECOGNITION,
    )
    unit_kinds = models.JSONField(_("cấp đơn vị được xét"), default=list)
    unit_subkinds = models.JSONField(
        _("loại đơn vị được xét"),
        default=list,
        blank=True,
        help_text=_("Để trống: mọi loại thuộc các cấp đã chọn."),
    )
    period_kind = models.CharField(
        _("kỳ đánh giá"),
        max_length=16,
        choices=[(k.value, k.label) for k in WINDOW_KINDS],
        default=PeriodKind.YEAR,
    )
    verifier_level = models.CharField(
        _("cấp thẩm định"), max_length=16, choices=Level.choices, default=Level.PROVINCE
    )
    decider_level = models.CharField(
        _("cấp quyết định công nhận"), max_length=16, choices=Level.choices, default=Level.PROVINCE
    )
    submit_deadline_day = models.PositiveSmallIntegerField(
        _("hạn nộp hồ sơ: ngày"),
        default=20,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    submit_deadline_month = models.PositiveSmallIntegerField(
        _("hạn nộp hồ sơ: tháng"),
        default=11,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    decide_deadline_day = models.PositiveSmallIntegerField(
        _("hạn quyết định: ngày"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    decide_deadline_month = models.PositiveSmallIntegerField(
        _("hạn quyết định: tháng"),
        default=11,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
    )
    enrolled_metric = models.CharField(_("chỉ tiêu số đơn vị đăng ký"), max_length=64, blank=True)
    recognised_metric = models.CharField(
        _("chỉ tiêu số đơn vị được công nhận"), max_length=64, blank=True
    )
    current_set = models.ForeignKey(
        "CriteriaSet",
        verbose_name=_("bộ tiêu chí đang áp dụng"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("áp dụng từ chương trình"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
    )
    is_active = models.BooleanField(_("đang áp dụng"), default=True)
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("chương trình")
        verbose_name_plural = _("chương trình")

    def __str__(self) -> str:
        return self.label

    @property
    def is_classification(self) -> bool:
        return self.kind == ProgramKind.CLASSIFICATION

    def deadlines(self, period: Period) -> tuple[date, date]:
        """Return (submission, decision) deadlines of the cycle ``period``.

        Both fall in the year the evaluation window ends (QĐ 510: residential areas
        report before 20/11, communes before 30/11 of the year being evaluated); a day
        past the end of its month moves to the month's last day.
        """
        import calendar

        year = period.end.year

        def make(day: int, month: int) -> date:
            return date(year, month, min(day, calendar.monthrange(year, month)[1]))

        return (
            make(self.submit_deadline_day, self.submit_deadline_month),
            make(self.decide_deadline_day, self.decide_deadline_month),
        )

    def clean(self) -> None:
        from binhyen.orgunits.models import SUBKINDS_BY_KIND

        errors: dict[str, Any] = {}
        kinds = self.unit_kinds
        if not isinstance(kinds, list) or not kinds:
            errors["unit_kinds"] = _("Chọn ít nhất một cấp đơn vị được xét.")
        else:
            bad = [k for k in kinds if k not in RECOGNISED_KINDS]
            if bad:
                errors["unit_kinds"] = _(
                    "Cấp đơn vị không được xét: %(kinds)s (chỉ xã, thôn/tổ dân phố, cơ quan)."
                ) % {"kinds": ", ".join(map(str, bad))}
            else:
                allowed = {s for k in kinds for s in SUBKINDS_BY_KIND.get(k, ())}
                subkinds = self.unit_subkinds if isinstance(self.unit_subkinds, list) else None
                if subkinds is None:
                    errors["unit_subkinds"] = _("Danh sách loại đơn vị không hợp lệ.")
                elif [s for s in subkinds if s not in allowed]:
                    errors["unit_subkinds"] = _(
                        "Loại đơn vị không thuộc các cấp đã chọn: %(subkinds)s."
                    ) % {"subkinds": ", ".join(str(s) for s in subkinds if s not in allowed)}
                deepest_level = max(
                    LEVEL_RANK.get(self.verifier_level, 0), LEVEL_RANK.get(self.decider_level, 0)
                )
                shallowest_kind = min(KIND_RANK[k] for k in kinds)
                if deepest_level >= shallowest_kind:
                    errors["verifier_level"] = _(
                        "Cấp thẩm định và cấp quyết định phải cao hơn cấp đơn vị được xét."
                    )
        if LEVEL_RANK.get(self.decider_level, 0) > LEVEL_RANK.get(self.verifier_level, 0):
            errors["decider_level"] = _("Cấp quyết định không được thấp hơn cấp thẩm định.")
        for prefix in ("submit", "decide"):
            day = getattr(self, f"{prefix}_deadline_day")
            month = getattr(self, f"{prefix}_deadline_month")
            if day and month and not (1 <= month <= 12 and 1 <= day <= 31):
                errors[f"{prefix}_deadline_day"] = _("Ngày, tháng của hạn không hợp lệ.")
        if errors:
            raise ValidationError(errors)

    def accepts(self, unit: Any) -> bool:
        """Return True if ``unit`` is of a kind (and subkind) this programme recognises."""
        if unit.kind not in (self.unit_kinds or []):
            return False
        return not self.unit_subkinds or unit.subkind in self.unit_subkinds


class CriteriaSet(BaseModel):
    """One version of a programme's criteria, with the recognition condition and levels."""

    program = models.ForeignKey(
        Program, verbose_name=_("chương trình"), on_delete=models.CASCADE, related_name="sets"
    )
    version = models.PositiveIntegerField(_("phiên bản"))
    note = models.TextField(_("ghi chú, căn cứ"), blank=True)
    groups = models.JSONField(_("nhóm tiêu chí"), default=list, blank=True)
    min_optional_met = models.PositiveIntegerField(
        _("số tiêu chí không bắt buộc tối thiểu phải đạt"), default=0
    )
    min_points = models.DecimalField(
        _("tổng điểm tối thiểu"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    levels = models.JSONField(
        _("ngưỡng xếp loại"),
        default=list,
        blank=True,
        help_text=_('Danh sách {"level": "excellent", "min_points": 90}, từ cao xuống thấp.'),
    )
    caps = models.JSONField(
        _("giới hạn tỷ lệ xếp loại"),
        default=list,
        blank=True,
        help_text=_('Danh sách {"level": "excellent", "max_share": 20, "base": "fair"}.'),
    )
    published_at = models.DateTimeField(_("ban hành lúc"), null=True, blank=True)
    based_on = models.ForeignKey(
        "self",
        verbose_name=_("sao chép từ phiên bản"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["program", "-version"]
        verbose_name = _("bộ tiêu chí")
        verbose_name_plural = _("bộ tiêu chí")
        constraints = [
            models.UniqueConstraint(fields=["program", "version"], name="uniq_set_version"),
        ]

    def __str__(self) -> str:
        return f"{self.program.name} — v{self.version}"

    @property
    def is_locked(self) -> bool:
        """Return True once an enrolment uses this version: it can never change again."""
        return self.pk is not None and self.enrollments.exists()

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        groups = self.groups
        if not isinstance(groups, list) or not all(
            isinstance(g, str) and g.strip() for g in groups
        ):
            errors["groups"] = _("Nhóm tiêu chí phải là danh sách tên nhóm.")
        elif len({g.strip() for g in groups}) != len(groups):
            errors["groups"] = _("Tên nhóm tiêu chí bị trùng.")
        if self.min_points is not None and self.min_points < 0:
            errors["min_points"] = _("Tổng điểm tối thiểu không được âm.")
        level_error = _levels_error(self.levels)
        if level_error:
            errors["levels"] = level_error
        cap_error = _caps_error(self.caps)
        if cap_error:
            errors["caps"] = cap_error
        if errors:
            raise ValidationError(errors)


def _levels_error(levels: Any) -> str | None:
    """Return why the level thresholds are malformed (None when fine)."""
    if not isinstance(levels, list):
        return str(_("Ngưỡng xếp loại phải là danh sách."))
    seen: list[str] = []
    previous: Decimal | None = None
    for item in levels:
        if not isinstance(item, dict) or item.get("level") not in CLASSIFICATION_ORDER:
            return str(_("Mức xếp loại không hợp lệ: %(item)s.") % {"item": item})
        if item["level"] in seen:
            return str(_("Mức xếp loại “%(level)s” bị lặp.") % {"level": item["level"]})
        if seen and CLASSIFICATION_ORDER.index(item["level"]) < CLASSIFICATION_ORDER.index(
            seen[-1]
        ):
            return str(_("Các mức xếp loại phải theo thứ tự từ cao xuống thấp."))
        seen.append(item["level"])
        raw = item.get("min_points")
        if raw is None:
            continue
        try:
            value = Decimal(str(raw))
        except ArithmeticError:
            return str(_("Ngưỡng điểm “%(v)s” không phải là số.") % {"v": raw})
        if not value.is_finite() or value < 0:
            return str(_("Ngưỡng điểm “%(v)s” không hợp lệ.") % {"v": raw})
        if previous is not None and value > previous:
            return str(_("Ngưỡng điểm của mức thấp hơn không được lớn hơn mức cao hơn."))
        previous = value
    return None


def _caps_error(caps: Any) -> str | None:
    if not isinstance(caps, list):
        return str(_("Giới hạn tỷ lệ phải là danh sách."))
    for item in caps:
        if not isinstance(item, dict) or item.get("level") not in CLASSIFICATION_ORDER:
            return str(_("Giới hạn tỷ lệ không hợp lệ: %(item)s.") % {"item": item})
        base = item.get("base") or ""
        if base and base not in CLASSIFICATION_ORDER:
            return str(_("Mức làm cơ sở “%(base)s” không tồn tại.") % {"base": base})
        try:
            share = Decimal(str(item.get("max_share")))
        except ArithmeticError:
            return str(_("Tỷ lệ tối đa phải là số từ 0 đến 100."))
        if not share.is_finite() or not 0 <= share <= 100:
            return str(_("Tỷ lệ tối đa phải là số từ 0 đến 100."))
    return None


class CriterionKind(models.TextChoices):
    RULE = "rule", _("Quy tắc tự động (CEL)")
    EVIDENCE = "evidence", _("Minh chứng (tài liệu, ảnh)")
    POINTS = "points", _("Chấm điểm")


class Criterion(BaseModel):
    """One criterion of a set: a CEL rule, an evidence item, or a scored item."""

    criteria_set = models.ForeignKey(
        CriteriaSet,
        verbose_name=_("bộ tiêu chí"),
        on_delete=models.CASCADE,
        related_name="criteria",
    )
    code = models.CharField(_("mã tiêu chí"), max_length=32)
    group = models.CharField(_("nhóm"), max_length=200, blank=True)
    order = models.PositiveIntegerField(_("thứ tự"), default=0)
    title = models.CharField(_("nội dung tiêu chí"), max_length=1000)
    title_en = models.CharField(
        _("nội dung tiêu chí (tiếng Anh)"),
        max_length=1000,
        blank=True,
        help_text=_("Bản dịch để đọc; văn bản chính thức là nội dung tiếng Việt."),
    )
    guidance = models.TextField(_("hướng dẫn đánh giá"), blank=True)
    mandatory = models.BooleanField(_("bắt buộc"), default=True)
    kind = models.CharField(
        _("loại tiêu chí"),
        max_length=16,
        choices=CriterionKind.choices,
        default=CriterionKind.EVIDENCE,
    )
    expression = models.TextField(_("biểu thức CEL"), blank=True, max_length=MAX_EXPRESSION)
    metric_codes = models.JSONField(_("chỉ tiêu sử dụng"), default=list, blank=True, editable=False)
    max_points = models.DecimalField(
        _("điểm tối đa"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    pass_points = models.DecimalField(
        _("điểm tối thiểu để đạt"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    needs_completion = models.BooleanField(
        _("cần tỉnh hoàn thiện nội dung"),
        default=False,
        help_text=_("Nội dung chính thức chưa có trong hệ thống; tỉnh nhập theo văn bản."),
    )

    class Meta:
        ordering = ["criteria_set", "order", "id"]
        verbose_name = _("tiêu chí")
        verbose_name_plural = _("tiêu chí")
        constraints = [
            models.UniqueConstraint(fields=["criteria_set", "code"], name="uniq_criterion_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"

    @property
    def title_label(self) -> str:
        """The English title when the page is in English and one is set (the Vietnamese
        title stays the official wording)."""
        from django.utils.translation import get_language

        if self.title_en and (get_language() or "").startswith("en"):
            return self.title_en
        return self.title

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.kind == CriterionKind.RULE and not (self.expression or "").strip():
            errors["expression"] = _("Tiêu chí quy tắc cần biểu thức CEL.")
        if self.kind != CriterionKind.RULE and (self.expression or "").strip():
            errors["expression"] = _("Chỉ tiêu chí quy tắc mới có biểu thức CEL.")
        if self.kind == CriterionKind.POINTS and self.max_points is None:
            errors["max_points"] = _("Tiêu chí chấm điểm cần điểm tối đa.")
        if self.max_points is not None and self.max_points <= 0:
            errors["max_points"] = _("Điểm tối đa phải lớn hơn 0.")
        if self.pass_points is not None:
            if self.kind != CriterionKind.POINTS:
                errors["pass_points"] = _("Chỉ tiêu chí chấm điểm mới có điểm tối thiểu để đạt.")
            elif self.pass_points < 0 or (
                self.max_points is not None and self.pass_points > self.max_points
            ):
                errors["pass_points"] = _("Điểm tối thiểu để đạt phải từ 0 đến điểm tối đa.")
        groups = self.criteria_set.groups if self.criteria_set_id else []
        if self.group and groups and self.group not in groups:
            errors["group"] = _("Nhóm “%(group)s” không có trong bộ tiêu chí.") % {
                "group": self.group
            }
        if errors:
            raise ValidationError(errors)


class EnrollmentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("Đang tự đánh giá")
    SUBMITTED = "submitted", _("Đã nộp, chờ thẩm định")
    VERIFIED = "verified", _("Đã thẩm định, chờ quyết định")
    RECOGNISED = "recognised", _("Được công nhận")
    NOT_RECOGNISED = "not_recognised", _("Không được công nhận")
    CLASSIFIED = "classified", _("Đã xếp loại")
    WITHDRAWN = "withdrawn", _("Đã thu hồi công nhận")


OPEN_STATUSES = (EnrollmentStatus.ENROLLED, EnrollmentStatus.SUBMITTED, EnrollmentStatus.VERIFIED)
DECIDED_STATUSES = (
    EnrollmentStatus.RECOGNISED,
    EnrollmentStatus.NOT_RECOGNISED,
    EnrollmentStatus.CLASSIFIED,
    EnrollmentStatus.WITHDRAWN,
)


def _scan_upload_to(instance: Any, filename: str) -> str:
    today = date.today()  # noqa: DTZ011 - a folder name, not a timestamp
    return f"programs/decisions/{today:%Y/%m}/{filename}"


def _evidence_upload_to(instance: Any, filename: str) -> str:
    today = date.today()  # noqa: DTZ011 - a folder name, not a timestamp
    return f"programs/evidence/{today:%Y/%m}/{filename}"


class Decision(BaseModel):
    """A recognition or classification decision covering one or more enrolments."""

    program = models.ForeignKey(
        Program, verbose_name=_("chương trình"), on_delete=models.PROTECT, related_name="decisions"
    )
    period = models.CharField(_("kỳ đánh giá"), max_length=16)
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("cấp quyết định"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    number = models.CharField(_("số, ký hiệu"), max_length=60)
    issued_on = models.DateField(_("ngày ký"))
    signer = models.CharField(_("người ký"), max_length=150)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=150, blank=True)
    issuing_body = models.CharField(_("cơ quan ban hành"), max_length=200)
    scan = models.FileField(_("bản scan"), upload_to=_scan_upload_to, blank=True, max_length=200)
    scan_mime = models.CharField(_("kiểu tệp"), max_length=32, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi nhận"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("quyết định công nhận")
        verbose_name_plural = _("quyết định công nhận")

    def __str__(self) -> str:
        return f"{self.number} ({format_date(self.issued_on)})"


class Enrollment(BaseModel):
    """One unit's file in one programme and period, from enrolment to decision."""

    program = models.ForeignKey(
        Program,
        verbose_name=_("chương trình"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    criteria_set = models.ForeignKey(
        CriteriaSet,
        verbose_name=_("bộ tiêu chí"),
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    period = models.CharField(_("kỳ đánh giá"), max_length=16)
    status = models.CharField(
        _("trạng thái"),
        max_length=16,
        choices=EnrollmentStatus.choices,
        default=EnrollmentStatus.ENROLLED,
        db_index=True,
    )
    assigned = models.BooleanField(_("do cấp trên giao"), default=False)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người đăng ký"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    verified_at = models.DateTimeField(_("thẩm định xong lúc"), null=True, blank=True)
    verification_note = models.TextField(_("kết luận thẩm định"), blank=True)
    decision = models.ForeignKey(
        Decision,
        verbose_name=_("quyết định"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enrollments",
    )
    level_by_points = models.CharField(
        _("mức theo điểm"), max_length=16, choices=Classification.choices, blank=True
    )
    level = models.CharField(
        _("xếp loại"), max_length=16, choices=Classification.choices, blank=True
    )
    capped = models.BooleanField(_("hạ mức do giới hạn tỷ lệ"), default=False)
    met_count = models.PositiveIntegerField(_("số tiêu chí đạt"), null=True, blank=True)
    criteria_count = models.PositiveIntegerField(_("số tiêu chí"), null=True, blank=True)
    points_total = models.DecimalField(
        _("tổng điểm"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    condition_met = models.BooleanField(_("đủ điều kiện công nhận"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("lý do thu hồi"), blank=True)
    withdrawal_number = models.CharField(_("số quyết định thu hồi"), max_length=60, blank=True)

    class Meta:
        ordering = ["program", "-period", "unit__path"]
        verbose_name = _("hồ sơ đăng ký")
        verbose_name_plural = _("hồ sơ đăng ký")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "unit", "period"], name="uniq_enrollment_unit_period"
            ),
        ]
        indexes = [models.Index(fields=["program", "period", "status"])]

    def __str__(self) -> str:
        return f"{self.unit} — {self.program.name} ({self.period})"

    @property
    def period_value(self) -> Period:
        return parse_period(self.period)

    @property
    def is_editable_by_unit(self) -> bool:
        return self.status == EnrollmentStatus.ENROLLED


class Verdict(models.TextChoices):
    AGREE = "agree", _("Đồng ý")
    DISAGREE = "disagree", _("Không đồng ý")


class RuleStatus(models.TextChoices):
    MET = "met", _("Đạt")
    NOT_MET = "not_met", _("Không đạt")
    INSUFFICIENT = "insufficient", _("Không đủ dữ liệu")
    ERROR = "error", _("Lỗi biểu thức")


class Assessment(BaseModel):
    """The self-assessment and the verification of one criterion in one enrolment."""

    enrollment = models.ForeignKey(
        Enrollment, verbose_name=_("hồ sơ"), on_delete=models.CASCADE, related_name="assessments"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("tiêu chí"), on_delete=models.PROTECT, related_name="+"
    )
    self_met = models.BooleanField(_("tự đánh giá đạt"), null=True, blank=True)
    self_points = models.DecimalField(
        _("điểm tự chấm"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    self_note = models.TextField(_("giải trình của đơn vị"), blank=True)
    rule_status = models.CharField(
        _("kết quả quy tắc khi nộp"), max_length=16, choices=RuleStatus.choices, blank=True
    )
    figures = models.JSONField(_("số liệu khi nộp"), default=dict, blank=True)
    verdict = models.CharField(
        _("ý kiến thẩm định"), max_length=16, choices=Verdict.choices, blank=True
    )
    verified_met = models.BooleanField(_("kết quả thẩm định"), null=True, blank=True)
    verified_points = models.DecimalField(
        _("điểm thẩm định"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    verifier_comment = models.TextField(_("nhận xét thẩm định"), blank=True)

    class Meta:
        ordering = ["enrollment", "criterion__order", "criterion_id"]
        verbose_name = _("đánh giá tiêu chí")
        verbose_name_plural = _("đánh giá tiêu chí")
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "criterion"], name="uniq_assessment_criterion"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrollment_id}/{self.criterion.code}"


class Evidence(BaseModel):
    """A document or photo the unit uploaded for one criterion (checked and cleaned)."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("đánh giá"), on_delete=models.CASCADE, related_name="evidence"
    )
    file = models.FileField(_("tệp"), upload_to=_evidence_upload_to, max_length=200)
    mime = models.CharField(_("kiểu tệp"), max_length=32)
    original_name = models.CharField(_("tên tệp gốc"), max_length=200)
    size = models.PositiveIntegerField(_("dung lượng (byte)"), default=0)
    description = models.CharField(_("mô tả"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải lên"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        # By the assessment's id: ordering by the assessment itself would follow its own
        # ordering through the file, the programme and the unit on every read.
        ordering = ["assessment_id", "created_at", "id"]
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")

    def __str__(self) -> str:
        return self.original_name

"""Hotspot areas under three separate regimes, their plans, removals and relapses.

The three regimes (DOMAIN.md §4) are never mixed: each ``Designation`` has exactly one
``regime`` and every count, board and target is computed per regime.

- ``ministry_hotspot``: "xã trọng điểm, phức tạp về ANTT", recognised by the Minister.
- ``transformation``: the yearly lists of "chuyển hóa địa bàn trọng điểm, phức tạp về
  TTATXH" (QĐ 1960/QĐ-BCA, KH 113/KH-BCA-V01); ``year`` is the list's year and the targets
  (≥ 60 % of a year's list transformed, ≥ 85 % without relapse) come from settings.
- ``drug_area``: drug hotspots type I/II/III and drug-free areas (QĐ 28/2025/QĐ-TTg);
  ``drug_area_type`` is required for this regime and empty for the others.

Invariants:
- A designation is on a commune that existed on the decision date; no date lies in the
  future. ``year`` is the list year (within one year of the decision date).
- Removal: the proposal is not before the decision; the removal decision is strictly
  after the designation decision and not before the proposal. A relapse is recorded only
  after a removal and is dated after it.
- A commune has at most one designation in force per regime (for ``transformation``: one
  per list year), checked by the services.
- "Removed" means a removal decision is recorded; "in force on day D" means decided on or
  before D and not removed on or before D.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from binhyen.core.formats import format_date
from binhyen.core.models import BaseModel, LocalizedNameMixin

MIN_DATE = date(2000, 1, 1)


class Regime(models.TextChoices):
    MINISTRY_HOTSPOT = "ministry_hotspot", _("Xã trọng điểm, phức tạp về ANTT (Bộ công nhận)")
    TRANSFORMATION = "transformation", _("Chuyển hóa địa bàn trọng điểm, phức tạp về TTATXH")
    DRUG_AREA = "drug_area", _("Địa bàn trọng điểm về ma túy, địa bàn không ma túy")


class DrugAreaType(models.TextChoices):
    TYPE_1 = "type_1", _("Loại I")
    TYPE_2 = "type_2", _("Loại II")
    TYPE_3 = "type_3", _("Loại III")
    DRUG_FREE = "drug_free", _("Địa bàn không ma túy")


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Chưa thực hiện")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    DONE = "done", _("Hoàn thành")


class ProblemCategory(LocalizedNameMixin, BaseModel):
    """A kind of security-and-order problem that makes an area a hotspot."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("nhóm vấn đề")
        verbose_name_plural = _("nhóm vấn đề")

    def __str__(self) -> str:
        return self.label


def attachment_path(instance: Any, filename: str) -> str:
    today = timezone.localdate()
    return f"hotspots/{today:%Y/%m}/{filename}"


def _not_future(value: date | None, add: Any, field: str, label: Any) -> None:
    if value is None:
        return
    today = timezone.localdate()
    if value > today:
        add(field, _("%(label)s không được sau hôm nay.") % {"label": label})
    if value < MIN_DATE:
        add(field, _("%(label)s không được trước năm 2000.") % {"label": label})


class Designation(BaseModel):
    """A commune put on a hotspot list under one regime, and what happened next."""

    regime = models.CharField(_("diện"), max_length=24, choices=Regime.choices)
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("xã, phường"),
        on_delete=models.PROTECT,
        related_name="hotspot_designations",
    )
    year = models.PositiveSmallIntegerField(
        _("năm danh sách"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    drug_area_type = models.CharField(
        _("phân loại ma túy"), max_length=16, choices=DrugAreaType.choices, blank=True
    )
    categories = models.ManyToManyField(
        ProblemCategory, verbose_name=_("nhóm vấn đề"), blank=True, related_name="designations"
    )
    # the decision
    decision_number = models.CharField(_("số quyết định"), max_length=60)
    decision_date = models.DateField(_("ngày quyết định"))
    issuing_body = models.CharField(_("cơ quan ban hành"), max_length=200)
    decision_file = models.FileField(
        _("tệp quyết định"), upload_to=attachment_path, max_length=255, blank=True
    )
    # survey
    survey_date = models.DateField(_("ngày khảo sát"), null=True, blank=True)
    survey_findings = models.TextField(_("kết quả khảo sát"), blank=True)
    # transformation plan
    plan_summary = models.TextField(_("kế hoạch chuyển hóa"), blank=True)
    # removal
    removal_proposed_on = models.DateField(
        _("ngày đề nghị đưa ra khỏi diện"), null=True, blank=True
    )
    removal_proposal = models.TextField(_("nội dung đề nghị"), blank=True)
    removal_decision_number = models.CharField(
        _("số quyết định đưa ra khỏi diện"), max_length=60, blank=True
    )
    removal_date = models.DateField(_("ngày quyết định đưa ra khỏi diện"), null=True, blank=True)
    removal_issuing_body = models.CharField(
        _("cơ quan quyết định đưa ra khỏi diện"), max_length=200, blank=True
    )
    removal_file = models.FileField(
        _("tệp quyết định đưa ra khỏi diện"), upload_to=attachment_path, max_length=255, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi nhận"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # The commune closed by the 2025 reform the designation was recorded on before it was
    # moved onto its successor (``services.designation_carry_forward``): it counted there up
    # to that commune's last day, and its dates are checked against that commune's lifetime.
    former_orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("xã, phường trước khi chuyển"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    carried_on = models.DateField(_("ngày chuyển"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "regime", "orgunit__name_folded"]
        verbose_name = _("địa bàn trọng điểm")
        verbose_name_plural = _("địa bàn trọng điểm")
        indexes = [
            models.Index(fields=["regime", "year"], name="designation_regime_year"),
            models.Index(fields=["orgunit", "regime"], name="designation_unit_regime"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(removal_date__isnull=True)
                | models.Q(removal_date__gt=models.F("decision_date")),
                name="designation_removal_after_decision",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.orgunit} — {self.get_regime_display()} ({self.year})"

    @property
    def is_removed(self) -> bool:
        return self.removal_date is not None

    def in_force_on(self, day: date) -> bool:
        return self.decision_date <= day and (self.removal_date is None or self.removal_date > day)

    @property
    def carried_since(self) -> date | None:
        """The first day the designation stood on its current commune after a move."""
        if self.former_orgunit is None or self.former_orgunit.valid_to is None:
            return None
        return self.former_orgunit.valid_to + timedelta(days=1)

    def clean(self) -> None:
        errors: dict[str, list[Any]] = {}

        def add(field: str, message: Any) -> None:
            errors.setdefault(field, []).append(message)

        from binhyen.orgunits.models import UnitKind

        if self.orgunit_id is not None and self.orgunit.kind != UnitKind.COMMUNE:
            add("orgunit", _("Địa bàn trọng điểm phải là một xã, phường, đặc khu."))
        if self.regime == Regime.DRUG_AREA and not self.drug_area_type:
            add(
                "drug_area_type",
                _("Hãy chọn phân loại: loại I, II, III hoặc địa bàn không ma túy."),
            )
        if self.regime != Regime.DRUG_AREA and self.drug_area_type:
            add("drug_area_type", _("Phân loại ma túy chỉ dùng cho diện địa bàn ma túy."))
        _not_future(self.decision_date, add, "decision_date", _("Ngày quyết định"))
        _not_future(self.survey_date, add, "survey_date", _("Ngày khảo sát"))
        _not_future(self.removal_proposed_on, add, "removal_proposed_on", _("Ngày đề nghị"))
        _not_future(self.removal_date, add, "removal_date", _("Ngày quyết định đưa ra khỏi diện"))
        decided = self.decision_date
        if decided is not None:
            if self.year and abs(self.year - decided.year) > 1:
                add(
                    "year",
                    _("Năm danh sách %(year)s không khớp với ngày quyết định %(day)s.")
                    % {"year": self.year, "day": format_date(decided)},
                )
            if self.orgunit_id is not None:
                from binhyen.orgunits.history import check_record_date

                # A designation moved onto a successor keeps the dates of its old commune.
                home = self.former_orgunit or self.orgunit
                try:
                    check_record_date(home, decided, field="decision_date")
                except ValidationError as exc:
                    for message in exc.message_dict["decision_date"]:
                        add("decision_date", message)
            if self.removal_proposed_on is not None and self.removal_proposed_on < decided:
                add(
                    "removal_proposed_on",
                    _(
                        "Ngày đề nghị đưa ra khỏi diện (%(day)s) không được trước ngày quyết "
                        "định đưa vào diện (%(start)s)."
                    )
                    % {
                        "day": format_date(self.removal_proposed_on),
                        "start": format_date(decided),
                    },
                )
            if self.removal_date is not None and self.removal_date <= decided:
                add(
                    "removal_date",
                    _(
                        "Quyết định đưa ra khỏi diện (%(day)s) phải sau ngày quyết định đưa "
                        "vào diện (%(start)s)."
                    )
                    % {"day": format_date(self.removal_date), "start": format_date(decided)},
                )
        if (
            self.removal_date is not None
            and self.removal_proposed_on is not None
            and self.removal_date < self.removal_proposed_on
        ):
            add(
                "removal_date",
                _(
                    "Quyết định đưa ra khỏi diện (%(day)s) không được trước ngày đề nghị "
                    "(%(proposed)s)."
                )
                % {
                    "day": format_date(self.removal_date),
                    "proposed": format_date(self.removal_proposed_on),
                },
            )
        if self.removal_date is not None:
            if not self.removal_decision_number.strip():
                add("removal_decision_number", _("Hãy nhập số quyết định đưa ra khỏi diện."))
            if not self.removal_issuing_body.strip():
                add("removal_issuing_body", _("Hãy nhập cơ quan quyết định đưa ra khỏi diện."))
        if errors:
            raise ValidationError(errors)


class Responsibility(BaseModel):
    """Who is assigned to follow the area (phân công phụ trách): department and officer."""

    designation = models.ForeignKey(
        Designation,
        verbose_name=_("địa bàn"),
        on_delete=models.CASCADE,
        related_name="responsibilities",
    )
    department = models.CharField(_("đơn vị phụ trách"), max_length=200)
    officer_name = models.CharField(_("cán bộ phụ trách"), max_length=150, blank=True)
    duty = models.CharField(_("nhiệm vụ"), max_length=255, blank=True)

    class Meta:
        ordering = ["designation", "id"]
        verbose_name = _("phân công phụ trách")
        verbose_name_plural = _("phân công phụ trách")

    def __str__(self) -> str:
        return f"{self.department} {self.officer_name}".strip()


class PlanTask(BaseModel):
    """One task of the area's transformation plan, with its owner, deadline and progress."""

    designation = models.ForeignKey(
        Designation, verbose_name=_("địa bàn"), on_delete=models.CASCADE, related_name="tasks"
    )
    title = models.CharField(_("nhiệm vụ"), max_length=255)
    owner = models.CharField(_("người, đơn vị thực hiện"), max_length=200)
    deadline = models.DateField(_("hạn hoàn thành"))
    progress = models.PositiveSmallIntegerField(
        _("tiến độ (%)"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    completed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    evidence = models.TextField(_("kết quả, minh chứng"), blank=True)
    evidence_file = models.FileField(
        _("tệp minh chứng"), upload_to=attachment_path, max_length=255, blank=True
    )

    class Meta:
        ordering = ["designation", "deadline", "id"]
        verbose_name = _("nhiệm vụ chuyển hóa")
        verbose_name_plural = _("nhiệm vụ chuyển hóa")
        indexes = [models.Index(fields=["deadline", "status"], name="plantask_deadline_status")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="plantask_progress_lte_100"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, on: date | None = None) -> bool:
        """Return True if on day ``on`` (today) the deadline had passed and the task was undone."""
        day = on or timezone.localdate()
        return self.deadline < day and (self.completed_on is None or self.completed_on > day)

    def clean(self) -> None:
        errors: dict[str, list[Any]] = {}

        def add(field: str, message: Any) -> None:
            errors.setdefault(field, []).append(message)

        if self.status == TaskStatus.DONE:
            if self.progress != 100:
                add("progress", _("Nhiệm vụ hoàn thành phải có tiến độ 100%."))
            if self.completed_on is None:
                add("completed_on", _("Hãy nhập ngày hoàn thành."))
        else:
            if self.progress == 100:
                add("status", _("Tiến độ 100%: hãy chọn trạng thái “Hoàn thành”."))
            if self.completed_on is not None:
                add("completed_on", _("Chỉ nhập ngày hoàn thành khi nhiệm vụ đã hoàn thành."))
            if self.status == TaskStatus.NOT_STARTED and self.progress:
                add("status", _("Nhiệm vụ đã có tiến độ: hãy chọn “Đang thực hiện”."))
        _not_future(self.completed_on, add, "completed_on", _("Ngày hoàn thành"))
        if self.designation_id is not None:
            decided = self.designation.decision_date
            if self.deadline is not None and decided is not None and self.deadline < decided:
                add(
                    "deadline",
                    _("Hạn hoàn thành không được trước ngày quyết định đưa vào diện (%(day)s).")
                    % {"day": format_date(decided)},
                )
            if (
                self.completed_on is not None
                and decided is not None
                and self.completed_on < decided
            ):
                add(
                    "completed_on",
                    _("Ngày hoàn thành không được trước ngày quyết định đưa vào diện (%(day)s).")
                    % {"day": format_date(decided)},
                )
        if errors:
            raise ValidationError(errors)


class Relapse(BaseModel):
    """The area became complex again after its removal (tái phức tạp)."""

    designation = models.ForeignKey(
        Designation, verbose_name=_("địa bàn"), on_delete=models.CASCADE, related_name="relapses"
    )
    date = models.DateField(_("ngày ghi nhận"))
    description = models.TextField(_("diễn biến"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi nhận"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["designation", "date", "id"]
        verbose_name = _("tái phức tạp")
        verbose_name_plural = _("tái phức tạp")

    def __str__(self) -> str:
        return f"{self.designation} {format_date(self.date)}"

    def clean(self) -> None:
        errors: dict[str, list[Any]] = {}

        def add(field: str, message: Any) -> None:
            errors.setdefault(field, []).append(message)

        _not_future(self.date, add, "date", _("Ngày ghi nhận"))
        if self.designation_id is not None and self.date is not None:
            removed = self.designation.removal_date
            if removed is None:
                add(
                    "date", _("Chỉ ghi nhận tái phức tạp sau khi địa bàn đã được đưa ra khỏi diện.")
                )
            elif self.date <= removed:
                add(
                    "date",
                    _("Ngày tái phức tạp phải sau ngày đưa ra khỏi diện (%(day)s).")
                    % {"day": format_date(removed)},
                )
        if errors:
            raise ValidationError(errors)

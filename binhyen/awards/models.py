"""Emulation and rewards (thi đua – khen thưởng): catalogue, drives, reviews, proposals.

Invariants:
- ``CatalogueEntry`` rows are the emulation titles and forms of reward, each with the
  ``level`` that may grant it. A row without ``province`` is national; a province row with
  the same ``code`` replaces the national one inside that province. Nothing else in the code
  names a title, a form or an amount: they come from these rows (seeded by a migration,
  edited by province and ministry officers) and from ``settings.AWARDS``.
- A ``Registration`` either is typed in, or links a ``community`` pledge (``pledge``):
  the pledge's data is never copied, only referenced (one link per drive and pledge).
- A ``Review`` is one unit's year-end review (one per unit and year). Its entries are marked
  kept / not kept (registrations) or classified (collectives, officers); the number of
  "excellent" entries of a subject never exceeds ``EXCELLENT_CAP_PERCENT`` of the subject's
  entries. Evidence is a snapshot of what the product held when the review was opened.
- A ``Proposal`` waits at exactly one unit (``current_unit``) until it is decided at its
  ``deciding_unit`` (the proposer's ancestor at the level of the form). Every move is a
  ``ProposalStep``; nothing is deleted.
- A ``Reward`` is one recipient of one decision. A tipster's reward stores no identity: only
  the tip's id, a hash of its one-time collection code and, if the citizen chose to give
  one, the name said at the counter.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from binhyen.core.models import BaseModel, LocalizedNameMixin
from binhyen.core.vocabulary import TaskGrade

AMOUNT_MAX = 10_000_000_000  # a plausible ceiling for one reward, in đồng
COEFFICIENT_MAX = 100


class Level(models.TextChoices):
    """Who grants: the granting authority, from the commune up to the ministry."""

    COMMUNE = "commune", _("Chủ tịch UBND cấp xã")
    PROVINCE_POLICE = "province_police", _("Giám đốc Công an tỉnh")
    PROVINCE = "province", _("Chủ tịch UBND cấp tỉnh")
    MINISTRY = "ministry", _("Bộ trưởng Bộ Công an")


# The unit kind where each level decides, and the order of the levels.
LEVEL_UNIT_KIND = {
    Level.COMMUNE: "commune",
    Level.PROVINCE_POLICE: "province",
    Level.PROVINCE: "province",
    Level.MINISTRY: "country",
}
KIND_RANK = {
    "village": 0,
    "establishment": 0,
    "commune": 1,
    "district": 1,
    "province": 2,
    "country": 3,
}


class EntryCategory(models.TextChoices):
    TITLE = "title", _("Danh hiệu thi đua")
    FORM = "form", _("Hình thức khen thưởng")


class Recipients(models.TextChoices):
    COLLECTIVE = "collective", _("Tập thể")
    INDIVIDUAL = "individual", _("Cá nhân")
    BOTH = "both", _("Tập thể và cá nhân")


class CatalogueEntry(LocalizedNameMixin, BaseModel):
    """An emulation title or a form of reward, national or of one province."""

    province = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("tỉnh"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="award_entries",
    )
    category = models.CharField(_("loại"), max_length=8, choices=EntryCategory.choices)
    code = models.SlugField(_("mã"), max_length=60)
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    name_folded = models.CharField(max_length=200, editable=False, db_index=True)
    level = models.CharField(_("cấp quyết định"), max_length=16, choices=Level.choices)
    recipients = models.CharField(_("đối tượng"), max_length=12, choices=Recipients.choices)
    coefficient_collective = models.DecimalField(
        _("hệ số tiền thưởng tập thể (× mức lương cơ sở)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(COEFFICIENT_MAX)],
    )
    coefficient_individual = models.DecimalField(
        _("hệ số tiền thưởng cá nhân (× mức lương cơ sở)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(COEFFICIENT_MAX)],
    )
    legal_basis = models.CharField(_("căn cứ"), max_length=300, blank=True)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["category", "sort_order", "name"]
        verbose_name = _("danh hiệu, hình thức khen thưởng")
        verbose_name_plural = _("danh hiệu, hình thức khen thưởng")
        constraints = [
            models.UniqueConstraint(
                fields=["province", "code"], name="uniq_award_entry_per_province"
            ),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(province__isnull=True),
                name="uniq_award_entry_national",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def grants_to(self, collective: bool) -> bool:
        if self.recipients == Recipients.BOTH:
            return True
        return self.recipients == (Recipients.COLLECTIVE if collective else Recipients.INDIVIDUAL)


class Drive(BaseModel):
    """An emulation drive (phong trào thi đua) launched by a unit for a period."""

    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị phát động"),
        on_delete=models.PROTECT,
        related_name="award_drives",
    )
    title = models.CharField(_("tên phong trào"), max_length=300)
    title_folded = models.CharField(max_length=300, editable=False, db_index=True)
    year = models.PositiveSmallIntegerField(
        _("năm"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    aims = models.TextField(_("mục đích, yêu cầu"), blank=True)
    criteria = models.TextField(_("nội dung, tiêu chí thi đua"), blank=True)
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người phát động"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-year", "orgunit__path", "title"]
        verbose_name = _("phong trào thi đua")
        verbose_name_plural = _("phong trào thi đua")

    def __str__(self) -> str:
        return self.title


class RegistrantKind(models.TextChoices):
    COLLECTIVE = "collective", _("Tập thể")
    INDIVIDUAL = "individual", _("Cá nhân")


class Registration(BaseModel):
    """One collective's or individual's registration (đăng ký thi đua) in a drive."""

    drive = models.ForeignKey(
        Drive, verbose_name=_("phong trào"), on_delete=models.CASCADE, related_name="registrations"
    )
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="award_registrations",
    )
    kind = models.CharField(_("đối tượng"), max_length=12, choices=RegistrantKind.choices)
    name = models.CharField(_("tên"), max_length=200)
    name_folded = models.CharField(max_length=200, editable=False, db_index=True)
    commitments = models.TextField(_("nội dung đăng ký"), blank=True)
    registered_on = models.DateField(_("ngày đăng ký"))
    pledge = models.ForeignKey(
        "community.Pledge",
        verbose_name=_("giao ước thi đua"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )

    class Meta:
        ordering = ["drive", "orgunit__path", "name"]
        verbose_name = _("đăng ký thi đua")
        verbose_name_plural = _("đăng ký thi đua")
        constraints = [
            models.UniqueConstraint(fields=["drive", "pledge"], name="uniq_registration_pledge"),
        ]

    def __str__(self) -> str:
        return self.name


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Đang bình xét")
    SUBMITTED = "submitted", _("Chờ cấp trên duyệt")
    RETURNED = "returned", _("Cấp trên trả lại")
    APPROVED = "approved", _("Đã duyệt")


class Review(BaseModel):
    """A unit's year-end review (bình xét) of registrations, collectives and officers."""

    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="award_reviews",
    )
    year = models.PositiveSmallIntegerField(
        _("năm"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    comment = models.TextField(_("ý kiến"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("thủ trưởng quyết định"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("quyết định lúc"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cấp trên duyệt"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("duyệt lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "orgunit__path"]
        verbose_name = _("bình xét cuối năm")
        verbose_name_plural = _("bình xét cuối năm")
        constraints = [
            models.UniqueConstraint(fields=["orgunit", "year"], name="uniq_review_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.orgunit} {self.year}"


class Subject(models.TextChoices):
    REGISTRATION = "registration", _("Giao ước, đăng ký thi đua")
    COLLECTIVE = "collective", _("Tập thể")
    OFFICER = "officer", _("Cán bộ, chiến sĩ")


class Outcome(models.TextChoices):
    KEPT = "kept", _("Thực hiện đúng giao ước")
    NOT_KEPT = "not_kept", _("Không thực hiện đúng giao ước")


class ReviewEntry(BaseModel):
    """One line of a review: a registration marked, or a collective/officer classified."""

    review = models.ForeignKey(
        Review, verbose_name=_("bình xét"), on_delete=models.CASCADE, related_name="entries"
    )
    subject = models.CharField(_("đối tượng"), max_length=12, choices=Subject.choices)
    registration = models.ForeignKey(
        Registration,
        verbose_name=_("đăng ký thi đua"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="review_entries",
    )
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="award_review_entries",
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    name = models.CharField(_("tên"), max_length=200)
    outcome = models.CharField(_("kết quả"), max_length=10, choices=Outcome.choices, blank=True)
    grade = models.CharField(_("xếp loại"), max_length=16, choices=TaskGrade.choices, blank=True)
    evidence = models.JSONField(_("căn cứ"), default=list, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["review", "subject", "orgunit__path", "name"]
        verbose_name = _("dòng bình xét")
        verbose_name_plural = _("dòng bình xét")

    def __str__(self) -> str:
        return self.name


class ProposalKind(models.TextChoices):
    REGULAR = "regular", _("Khen thưởng tổng kết năm")
    ADHOC = "adhoc", _("Khen thưởng đột xuất")


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Đang soạn")
    PENDING = "pending", _("Đang trình")
    RETURNED = "returned", _("Bị trả lại")
    DECIDED = "decided", _("Đã quyết định")


class Proposal(BaseModel):
    """A reward proposal (đề nghị khen thưởng) climbing to the level that grants its form."""

    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị đề nghị"),
        on_delete=models.PROTECT,
        related_name="award_proposals",
    )
    kind = models.CharField(_("loại"), max_length=8, choices=ProposalKind.choices)
    year = models.PositiveSmallIntegerField(
        _("năm"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    form = models.ForeignKey(
        CatalogueEntry,
        verbose_name=_("hình thức khen thưởng"),
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    achievement = models.CharField(_("thành tích"), max_length=300)
    achievement_folded = models.CharField(max_length=300, editable=False, db_index=True)
    summary = models.TextField(_("tóm tắt thành tích"), blank=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=ProposalStatus.choices,
        default=ProposalStatus.DRAFT,
    )
    current_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đang chờ tại"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    deciding_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("cấp quyết định"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("trình lúc"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người lập"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("đề nghị khen thưởng")
        verbose_name_plural = _("đề nghị khen thưởng")
        indexes = [models.Index(fields=["status", "current_unit"])]

    def __str__(self) -> str:
        return f"{self.form} — {self.achievement}"


class NomineeKind(models.TextChoices):
    UNIT = "unit", _("Đơn vị, Công an xã")
    VILLAGE = "village", _("Thôn, tổ dân phố")
    TEAM = "team", _("Tổ bảo vệ ANTT")
    SCHEME = "scheme", _("Mô hình tự quản")
    AGENCY = "agency", _("Cơ quan, doanh nghiệp, nhà trường")
    OFFICER = "officer", _("Cán bộ, chiến sĩ")
    MEMBER = "member", _("Thành viên Tổ bảo vệ ANTT")
    CITIZEN = "citizen", _("Công dân")
    TIPSTER = "tipster", _("Người báo tin (ẩn danh)")


COLLECTIVE_KINDS = frozenset(
    {
        NomineeKind.UNIT,
        NomineeKind.VILLAGE,
        NomineeKind.TEAM,
        NomineeKind.SCHEME,
        NomineeKind.AGENCY,
    }
)


class Nominee(BaseModel):
    """A collective or an individual a proposal nominates."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("đề nghị"), on_delete=models.CASCADE, related_name="nominees"
    )
    kind = models.CharField(_("đối tượng"), max_length=10, choices=NomineeKind.choices)
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="award_nominees",
    )
    name = models.CharField(_("tên"), max_length=200)
    name_folded = models.CharField(max_length=200, editable=False, db_index=True)
    tip_id = models.PositiveBigIntegerField(_("tin báo"), null=True, blank=True)

    class Meta:
        ordering = ["proposal", "id"]
        verbose_name = _("người, tập thể được đề nghị")
        verbose_name_plural = _("người, tập thể được đề nghị")

    def __str__(self) -> str:
        return self.name

    @property
    def is_collective(self) -> bool:
        return self.kind in COLLECTIVE_KINDS


class StepAction(models.TextChoices):
    SUBMITTED = "submitted", _("Trình")
    FORWARDED = "forwarded", _("Đồng ý, chuyển cấp trên")
    RETURNED = "returned", _("Trả lại")
    DECIDED = "decided", _("Quyết định khen thưởng")


class ProposalStep(BaseModel):
    """One move of a proposal: who did what at which unit, with the comment."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("đề nghị"), on_delete=models.CASCADE, related_name="steps"
    )
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit", verbose_name=_("tại"), on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("việc"), max_length=10, choices=StepAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người thực hiện"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    comment = models.TextField(_("ý kiến"), blank=True)

    class Meta:
        ordering = ["proposal", "created_at", "id"]
        verbose_name = _("bước xử lý đề nghị")
        verbose_name_plural = _("bước xử lý đề nghị")


class Decision(BaseModel):
    """The reward decision of the deciding level for one proposal."""

    proposal = models.OneToOneField(
        Proposal, verbose_name=_("đề nghị"), on_delete=models.PROTECT, related_name="decision"
    )
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("cấp quyết định"),
        on_delete=models.PROTECT,
        related_name="award_decisions",
    )
    number = models.CharField(_("số quyết định"), max_length=60)
    decided_on = models.DateField(_("ngày quyết định"))
    signer = models.CharField(_("người ký"), max_length=200)

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("quyết định khen thưởng")
        verbose_name_plural = _("quyết định khen thưởng")

    def __str__(self) -> str:
        return self.number


class Reward(BaseModel):
    """One recipient of a decision (what the figures count)."""

    decision = models.ForeignKey(
        Decision, verbose_name=_("quyết định"), on_delete=models.PROTECT, related_name="rewards"
    )
    nominee = models.OneToOneField(
        Nominee, verbose_name=_("người được đề nghị"), on_delete=models.PROTECT, related_name="+"
    )
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="award_rewards",
    )
    proposer_unit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị đề nghị"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    form = models.ForeignKey(
        CatalogueEntry, verbose_name=_("hình thức"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("cấp quyết định"), max_length=16, choices=Level.choices)
    year = models.PositiveSmallIntegerField(_("năm"))
    is_collective = models.BooleanField(_("tập thể"))
    name = models.CharField(_("tên"), max_length=200)
    amount = models.PositiveBigIntegerField(
        _("tiền thưởng (đồng)"), null=True, blank=True, validators=[MaxValueValidator(AMOUNT_MAX)]
    )
    tip_id = models.PositiveBigIntegerField(_("tin báo"), null=True, blank=True, db_index=True)
    code_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    code_nonce = models.CharField(max_length=32, blank=True, editable=False)
    collected_at = models.DateTimeField(_("nhận lúc"), null=True, blank=True)
    collected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ trao"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    collector_name = models.CharField(_("người nhận tự nguyện ghi tên"), max_length=200, blank=True)

    class Meta:
        ordering = ["-year", "orgunit__path", "name"]
        verbose_name = _("khen thưởng")
        verbose_name_plural = _("khen thưởng")
        indexes = [models.Index(fields=["year", "level"])]

    def __str__(self) -> str:
        return self.name

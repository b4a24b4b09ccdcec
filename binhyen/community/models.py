"""Movement records of the community: self-management schemes, security teams and pledges.

Invariants:
- Every record hangs on units of the administrative map (communes, villages,
  establishments) and is read only through ``selectors``, scoped by
  ``OrgUnit.objects.visible_to(user)``; a record outside the scope answers like a missing one.
- A ``Scheme`` may cover several units (a border cluster spans communes, even provinces). It
  is visible when any covered unit is visible, and may be changed by whoever holds
  ``MANAGE_COMMUNITY`` on the commune of any covered unit (``permissions.py``).
- ``SchemeType`` rows with no province are the national catalogue; a province adds its own
  rows and marks the types it calls "typical" (``typical_in``). Each type belongs to one
  ``SchemeCategory``, the breakdown under which the indicators count it.
- At most one active ``SecurityTeam`` per village (a partial unique constraint). A person
  (folded full name + date of birth, see ``docs/adr``) is an active member of at most one
  team at any time, anywhere; at most one active leader per team. Services check both.
- Team gradings run over the team year (``TY<year>``, 15/11 – 14/11 by default) and are
  checked against the province's ``GradingRules`` (national defaults in settings).
- Only the least personal data is stored about people: full name, date of birth (to tell
  people apart), role, origin and dates. No ID numbers, addresses or phone numbers.
- Scanned documents are ``CommunityDecision`` rows with a sniffed, re-encoded file (``uploads.py``),
  served only through a scoped view, never from a public URL.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from binhyen.core.formats import format_date
from binhyen.core.models import BaseModel, LocalizedNameMixin
from binhyen.core.vocabulary import GRADE_RANK, SchemeQuality, TaskGrade  # noqa: F401 (re-exported)

CODE_VALIDATOR = RegexValidator(
    r"^[a-z][a-z0-9_]{1,31}$",
    _("Mã chỉ gồm chữ thường không dấu, chữ số và dấu gạch dưới, bắt đầu bằng chữ (2–32 ký tự)."),
)
NOT_NEGATIVE = MinValueValidator(0, _("Không được nhỏ hơn 0."))
# Plausible upper bounds of counts users type: larger is a typing error (and far larger would
# overflow the integer columns).
PEOPLE_MAX = MaxValueValidator(100_000, _("Không được lớn hơn %(limit_value)s."))
HOUSEHOLDS_MAX = MaxValueValidator(1_000_000, _("Không được lớn hơn %(limit_value)s."))
PERCENT_RANGE = [
    MinValueValidator(Decimal(0), _("Tỷ lệ phải từ 0 đến 100.")),
    MaxValueValidator(Decimal(100), _("Tỷ lệ phải từ 0 đến 100.")),
]


def _upload_to(instance: CommunityDecision, filename: str) -> str:
    """Store under a random name: the uploaded name is never trusted nor kept in the path."""
    import uuid

    from django.utils import timezone

    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"community/decisions/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{ext}"


# --- decisions -----------------------------------------------------------------------------


class CommunityDecisionKind(models.TextChoices):
    FOUNDING = "founding", _("Quyết định thành lập mô hình")
    ESTABLISHMENT = "establishment", _("Quyết định thành lập Tổ bảo vệ ANTT")
    RECOGNITION = "recognition", _("Quyết định công nhận")
    GRADING = "grading", _("Quyết định xếp loại")
    PLEDGE = "pledge", _("Bản giao ước, cam kết")


class CommunityDecision(BaseModel):
    """A decision or signed document: number, date, issuing body and its scanned file."""

    kind = models.CharField(_("loại văn bản"), max_length=16, choices=CommunityDecisionKind.choices)
    number = models.CharField(_("số, ký hiệu"), max_length=50, blank=True)
    issued_on = models.DateField(_("ngày ban hành"))
    issuing_body = models.CharField(_("cơ quan ban hành"), max_length=200, blank=True)
    file = models.FileField(_("bản scan"), upload_to=_upload_to, blank=True, max_length=200)
    content_type = models.CharField(_("kiểu tệp"), max_length=32, blank=True)
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("quyết định, văn bản")
        verbose_name_plural = _("quyết định, văn bản")

    def __str__(self) -> str:
        label = self.number or str(self.get_kind_display())
        return f"{label} ({format_date(self.issued_on)})"


# --- schemes -------------------------------------------------------------------------------


class SchemeCategory(models.TextChoices):
    """The kinds of scheme named in the seeds and the glossary; the metric breakdown."""

    SELF_MANAGED = "to_tu_quan", _("Tổ tự quản về ANTT")
    MEDIATION = "to_hoa_giai", _("Tổ hòa giải")
    YOUNG_GUARDS = "an_ninh_mang_non", _("Đội An ninh măng non")
    SAFE_HOUSEHOLD = "ho_an_toan", _("Hộ an toàn – tổ dân phố bình yên")
    SAFE_AREA = "khu_dan_cu_an_toan", _("Tổ dân phố, thôn, xóm an toàn")
    CLAN = "dong_ho_tu_quan", _("Dòng họ tự quản về ANTT")
    BORDER_CLUSTER = "cum_giap_ranh", _("Cụm giáp ranh về ANTT")
    MENTORING = "dan_van_kheo", _("Dân vận khéo – cảm hóa, giáo dục người lầm lỗi")
    FARMERS = "chi_hoi_nong_dan", _("Chi hội nông dân đảm bảo ANTT, ATGT")
    RELIGIOUS = "ton_giao_binh_yen", _("Xứ, họ đạo bình yên; chùa tinh tiến về ANTT")
    OTHER = "khac", _("Mô hình khác")


class SchemeType(LocalizedNameMixin, BaseModel):
    """A kind of scheme in a province's catalogue (``province`` empty: national catalogue)."""

    province = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("tỉnh"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    code = models.CharField(_("mã"), max_length=32, validators=[CODE_VALIDATOR])
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    category = models.CharField(_("nhóm mô hình"), max_length=32, choices=SchemeCategory.choices)
    typical_in = models.ManyToManyField(
        "orgunits.OrgUnit",
        verbose_name=_("là mô hình tiêu biểu của tỉnh"),
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField(_("đang dùng"), default=True)
    sort_order = models.PositiveIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("loại mô hình")
        verbose_name_plural = _("loại mô hình")
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(province__isnull=True),
                name="uniq_national_scheme_type_code",
            ),
            models.UniqueConstraint(
                fields=["province", "code"], name="uniq_province_scheme_type_code"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class LeadOrgKind(models.TextChoices):
    POLICE = "police", _("Công an xã, phường")
    VETERANS = "veterans", _("Hội Cựu chiến binh")
    FARMERS = "farmers", _("Hội Nông dân")
    YOUTH = "youth", _("Đoàn Thanh niên")
    WOMEN = "women", _("Hội Liên hiệp Phụ nữ")
    FRONT = "front", _("Mặt trận Tổ quốc")
    VILLAGE = "village", _("Thôn, tổ dân phố")
    CLAN = "clan", _("Dòng họ")
    SCHOOL = "school", _("Nhà trường")
    RELIGIOUS = "religious", _("Cơ sở tôn giáo (giáo xứ, chùa…)")
    ENTERPRISE = "enterprise", _("Cơ quan, doanh nghiệp")
    OTHER = "other", _("Tổ chức khác")


class SchemeStatus(models.TextChoices):
    ACTIVE = "active", _("Đang hoạt động")
    SUSPENDED = "suspended", _("Tạm dừng")
    DISSOLVED = "dissolved", _("Đã giải thể")


class Scheme(BaseModel):
    """A self-management scheme (mô hình tự quản) with the units it covers."""

    scheme_type = models.ForeignKey(
        SchemeType, verbose_name=_("loại mô hình"), on_delete=models.PROTECT, related_name="schemes"
    )
    name = models.CharField(_("tên mô hình"), max_length=200)
    name_folded = models.CharField(max_length=200, db_index=True, editable=False)
    units = models.ManyToManyField(
        "orgunits.OrgUnit", verbose_name=_("địa bàn"), related_name="community_schemes"
    )
    lead_org_kind = models.CharField(
        _("tổ chức nòng cốt"), max_length=16, choices=LeadOrgKind.choices
    )
    lead_org_name = models.CharField(_("tên tổ chức nòng cốt"), max_length=200, blank=True)
    founded_on = models.DateField(_("ngày thành lập"))
    founding_decision = models.ForeignKey(
        CommunityDecision,
        verbose_name=_("quyết định thành lập"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    member_count = models.PositiveIntegerField(
        _("số thành viên"), null=True, blank=True, validators=[NOT_NEGATIVE, PEOPLE_MAX]
    )
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=SchemeStatus.choices, default=SchemeStatus.ACTIVE
    )
    status_since = models.DateField(_("trạng thái từ ngày"))
    replicated_from = models.ForeignKey(
        "self",
        verbose_name=_("nhân rộng từ mô hình"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="replicas",
    )
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["name_folded", "id"]
        verbose_name = _("mô hình tự quản")
        verbose_name_plural = _("mô hình tự quản")
        indexes = [models.Index(fields=["status", "founded_on"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == SchemeStatus.ACTIVE

    def active_on(self, day: date) -> bool:
        """Return True if the scheme was running on ``day`` (latest status change known)."""
        if self.founded_on > day:
            return False
        return self.status == SchemeStatus.ACTIVE or self.status_since > day


class SchemeUnitHistory(BaseModel):
    """A unit a scheme covered before it was moved onto the unit's successor.

    The scheme covered ``orgunit`` up to ``until`` (the old unit's last day) and covers
    ``successor`` (one of ``Scheme.units``) since ``carried_on``. The scheme's units on a day
    ``d`` are therefore: ``orgunit`` of the rows with ``d <= until``, plus the current
    ``Scheme.units`` minus the ``successor`` of those rows (unless also covered otherwise).
    """

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("mô hình"), on_delete=models.CASCADE, related_name="unit_history"
    )
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị cũ"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    until = models.DateField(_("đến ngày"))
    successor = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị kế thừa"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    carried_on = models.DateField(_("ngày chuyển"))

    class Meta:
        ordering = ["until", "orgunit__path"]
        verbose_name = _("địa bàn trước đây của mô hình")
        verbose_name_plural = _("địa bàn trước đây của mô hình")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "orgunit"], name="uniq_scheme_unit_history")
        ]

    def __str__(self) -> str:
        return f"{self.scheme} — {self.orgunit} → {self.successor}"

    @property
    def since(self) -> date:
        """The first day the scheme no longer covered ``orgunit`` (the day after ``until``)."""
        return self.until + timedelta(days=1)


class SchemeMember(BaseModel):
    """One person on a scheme's roster: name and role only."""

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("mô hình"), on_delete=models.CASCADE, related_name="roster"
    )
    full_name = models.CharField(_("họ và tên"), max_length=150)
    role = models.CharField(_("vai trò"), max_length=100, blank=True)

    class Meta:
        ordering = ["scheme", "id"]
        verbose_name = _("thành viên mô hình")
        verbose_name_plural = _("thành viên mô hình")

    def __str__(self) -> str:
        return self.full_name


class SchemeSite(BaseModel):
    """A site (điểm mô hình): a unit the scheme is replicated to, from a date."""

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("mô hình"), on_delete=models.CASCADE, related_name="sites"
    )
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="community_scheme_sites",
    )
    established_on = models.DateField(_("ngày xây dựng"))
    ended_on = models.DateField(_("ngày dừng"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        ordering = ["scheme", "established_on", "id"]
        verbose_name = _("điểm mô hình")
        verbose_name_plural = _("điểm mô hình")
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "orgunit"],
                condition=Q(ended_on__isnull=True),
                name="uniq_open_scheme_site",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} — {self.orgunit}"


class SchemeGrading(BaseModel):
    """A periodic quality grading of a scheme (tốt / khá / trung bình / yếu)."""

    scheme = models.ForeignKey(
        Scheme, verbose_name=_("mô hình"), on_delete=models.CASCADE, related_name="gradings"
    )
    period = models.CharField(_("kỳ đánh giá"), max_length=16)
    level = models.CharField(_("xếp loại"), max_length=16, choices=SchemeQuality.choices)
    graded_on = models.DateField(_("ngày đánh giá"))
    note = models.TextField(_("nhận xét"), blank=True)

    class Meta:
        ordering = ["scheme", "-graded_on", "-id"]
        verbose_name = _("xếp loại mô hình")
        verbose_name_plural = _("xếp loại mô hình")
        constraints = [
            models.UniqueConstraint(fields=["scheme", "period"], name="uniq_scheme_grading"),
        ]

    def __str__(self) -> str:
        return f"{self.scheme} {self.period}: {self.get_level_display()}"


# --- security teams ------------------------------------------------------------------------


class SecurityTeam(BaseModel):
    """A Tổ bảo vệ ANTT of one village or residential group (Law 30/2023/QH15)."""

    village = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("thôn, tổ dân phố"),
        on_delete=models.PROTECT,
        related_name="security_teams",
    )
    name = models.CharField(_("tên tổ"), max_length=200)
    name_folded = models.CharField(max_length=200, db_index=True, editable=False)
    established_on = models.DateField(_("ngày thành lập"))
    dissolved_on = models.DateField(_("ngày giải thể"), null=True, blank=True)
    establishment_decision = models.ForeignKey(
        CommunityDecision,
        verbose_name=_("quyết định thành lập"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recognition_decision = models.ForeignKey(
        CommunityDecision,
        verbose_name=_("quyết định công nhận thành viên"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("ghi chú"), blank=True)
    # Where the team stood before it was moved onto the successor of its closed village
    # (``services.team_carry_forward``): it counted there up to that village's last day.
    former_village = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("thôn, tổ dân phố trước khi chuyển"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    carried_on = models.DateField(_("ngày chuyển"), null=True, blank=True)

    class Meta:
        ordering = ["name_folded", "id"]
        verbose_name = _("Tổ bảo vệ ANTT")
        verbose_name_plural = _("Tổ bảo vệ ANTT")
        constraints = [
            models.UniqueConstraint(
                fields=["village"],
                condition=Q(dissolved_on__isnull=True),
                name="uniq_active_team_per_village",
                violation_error_message=_(
                    "Thôn, tổ dân phố này đã có một Tổ bảo vệ ANTT đang hoạt động."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.dissolved_on is None

    @property
    def carried_since(self) -> date | None:
        """The first day the team stood on its current village after a move, if moved."""
        if self.former_village is None or self.former_village.valid_to is None:
            return None
        return self.former_village.valid_to + timedelta(days=1)


class TeamRole(models.TextChoices):
    LEADER = "leader", _("Tổ trưởng")
    DEPUTY = "deputy", _("Tổ phó")
    MEMBER = "member", _("Tổ viên")


class MemberOrigin(models.TextChoices):
    """Where a member came from: the forces merged into the teams on 01/07/2024."""

    PART_TIME_POLICE = "part_time_police", _("Công an viên bán chuyên trách (trước đây)")
    CIVIL_GUARD = "civil_guard", _("Bảo vệ dân phố (trước đây)")
    CIVIL_DEFENCE = "civil_defence", _("Dân phòng (trước đây)")
    NEW = "new", _("Tuyển mới")


class TeamMember(BaseModel):
    """A member of a security team: only what is needed to tell people apart and grade them."""

    team = models.ForeignKey(
        SecurityTeam, verbose_name=_("tổ"), on_delete=models.CASCADE, related_name="members"
    )
    full_name = models.CharField(_("họ và tên"), max_length=150)
    name_folded = models.CharField(max_length=150, editable=False)
    birth_date = models.DateField(_("ngày sinh"))
    role = models.CharField(_("chức danh"), max_length=16, choices=TeamRole.choices)
    origin = models.CharField(_("nguồn"), max_length=20, choices=MemberOrigin.choices)
    joined_on = models.DateField(_("ngày tham gia"))
    left_on = models.DateField(_("ngày thôi tham gia"), null=True, blank=True)
    recognition_decision = models.ForeignKey(
        CommunityDecision,
        verbose_name=_("quyết định công nhận"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["team", "left_on", "role", "name_folded", "id"]
        verbose_name = _("thành viên Tổ bảo vệ ANTT")
        verbose_name_plural = _("thành viên Tổ bảo vệ ANTT")
        indexes = [models.Index(fields=["name_folded", "birth_date"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_active(self) -> bool:
        return self.left_on is None


class TrainingRecord(BaseModel):
    """A training or drill attended by a team."""

    team = models.ForeignKey(
        SecurityTeam, verbose_name=_("tổ"), on_delete=models.CASCADE, related_name="trainings"
    )
    held_on = models.DateField(_("ngày tổ chức"))
    title = models.CharField(_("nội dung"), max_length=200)
    organiser = models.CharField(_("đơn vị tổ chức"), max_length=200, blank=True)
    hours = models.DecimalField(
        _("số giờ"),
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0), _("Không được nhỏ hơn 0."))],
    )
    attendees = models.PositiveIntegerField(
        _("số người tham dự"), null=True, blank=True, validators=[NOT_NEGATIVE, PEOPLE_MAX]
    )
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["team", "-held_on", "-id"]
        verbose_name = _("tập huấn, huấn luyện")
        verbose_name_plural = _("tập huấn, huấn luyện")

    def __str__(self) -> str:
        return f"{format_date(self.held_on)} {self.title}"


class Grading(BaseModel):
    """A grade for one team year: what team and member gradings share."""

    year = models.PositiveSmallIntegerField(_("năm đánh giá"))
    level = models.CharField(_("xếp loại"), max_length=16, choices=TaskGrade.choices)
    task_pct = models.DecimalField(
        _("tỷ lệ nhiệm vụ hoàn thành (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT_RANGE,
    )
    note = models.TextField(_("nhận xét"), blank=True)

    class Meta:
        abstract = True


class TeamGrading(Grading):
    """A team's grade for one team year (``year`` names the year the period ends in)."""

    team = models.ForeignKey(
        SecurityTeam, verbose_name=_("tổ"), on_delete=models.CASCADE, related_name="gradings"
    )

    class Meta:
        ordering = ["-year", "team"]
        verbose_name = _("xếp loại Tổ bảo vệ ANTT")
        verbose_name_plural = _("xếp loại Tổ bảo vệ ANTT")
        constraints = [
            models.UniqueConstraint(fields=["team", "year"], name="uniq_team_grading"),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.year}: {self.get_level_display()}"


class MemberGrading(Grading):
    """A member's grade for one team year."""

    member = models.ForeignKey(
        TeamMember, verbose_name=_("thành viên"), on_delete=models.CASCADE, related_name="gradings"
    )

    class Meta:
        ordering = ["-year", "member"]
        verbose_name = _("xếp loại thành viên")
        verbose_name_plural = _("xếp loại thành viên")
        constraints = [
            models.UniqueConstraint(fields=["member", "year"], name="uniq_member_grading"),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.year}: {self.get_level_display()}"


class GradingRules(BaseModel):
    """A province's own values of the numbers DOMAIN.md marks unconfirmed.

    A province without a row uses the national defaults in ``settings.COMMUNITY``.
    """

    province = models.OneToOneField(
        "orgunits.OrgUnit",
        verbose_name=_("tỉnh"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    team_size_min = models.PositiveSmallIntegerField(
        _("số thành viên tối thiểu của một tổ"),
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    team_size_max = models.PositiveSmallIntegerField(
        _("số thành viên tối đa của một tổ"),
        validators=[MinValueValidator(1), MaxValueValidator(50)],
    )
    min_activity_months = models.PositiveSmallIntegerField(
        _("số tháng hoạt động tối thiểu để được xếp loại"), validators=[MaxValueValidator(12)]
    )
    excellent_max_pct_of_good = models.PositiveSmallIntegerField(
        _("số “xuất sắc” tối đa so với số “tốt” (%)"), validators=[MaxValueValidator(100)]
    )
    excellent_min_task_pct = models.DecimalField(
        _("tỷ lệ nhiệm vụ phải vượt để được “xuất sắc” (%)"),
        max_digits=5,
        decimal_places=2,
        validators=PERCENT_RANGE,
    )
    leader_not_above_team = models.BooleanField(
        _("xếp loại tổ trưởng không cao hơn xếp loại của tổ"), default=True
    )
    basis = models.CharField(_("căn cứ"), max_length=255, blank=True)

    class Meta:
        ordering = ["province__code"]
        verbose_name = _("quy định xếp loại Tổ bảo vệ ANTT")
        verbose_name_plural = _("quy định xếp loại Tổ bảo vệ ANTT")

    def __str__(self) -> str:
        return str(self.province)


# --- pledges -------------------------------------------------------------------------------


class SignerKind(models.TextChoices):
    VILLAGE = "village", _("Thôn, tổ dân phố")
    HOUSEHOLDS = "households", _("Hộ gia đình trong thôn, tổ dân phố")
    AGENCY = "agency", _("Cơ quan, doanh nghiệp")
    SCHOOL = "school", _("Nhà trường")


class Pledge(BaseModel):
    """An emulation pledge (giao ước thi đua) signed for one year."""

    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị ký"),
        on_delete=models.PROTECT,
        related_name="community_pledges",
    )
    signer_kind = models.CharField(_("bên ký"), max_length=16, choices=SignerKind.choices)
    year = models.PositiveSmallIntegerField(_("năm"))
    signed_on = models.DateField(_("ngày ký"))
    signed_by = models.CharField(_("người ký"), max_length=200)
    household_count = models.PositiveIntegerField(
        _("số hộ đăng ký"), null=True, blank=True, validators=[NOT_NEGATIVE, HOUSEHOLDS_MAX]
    )
    document = models.ForeignKey(
        CommunityDecision,
        verbose_name=_("bản giao ước"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["-year", "orgunit__path", "signer_kind"]
        verbose_name = _("giao ước thi đua")
        verbose_name_plural = _("giao ước thi đua")
        constraints = [
            models.UniqueConstraint(
                fields=["orgunit", "signer_kind", "year"], name="uniq_pledge_per_year"
            ),
        ]
        indexes = [models.Index(fields=["year", "signer_kind"])]

    def __str__(self) -> str:
        return f"{self.orgunit} {self.year} ({self.get_signer_kind_display()})"

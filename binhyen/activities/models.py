"""The movement's activity log: what a commune or village did, on which day, in numbers.

Invariants:
- One ``Activity`` row per recorded activity, on a commune or a village (``orgunit``) and a
  ``date`` on which that unit existed; never in the future, never before ``MIN_DATE``.
- ``kind`` decides which of the typed columns apply (``KIND_FIELDS``); the columns of other
  kinds keep their empty value (``""``, ``0``, ``None``), so every number that feeds a metric
  is a typed column, never text. Counts are non-negative integers (database checks too).
- Weapons and explosives surrendered are ``SurrenderedItem`` rows (kind and quantity per
  item); only ``weapons_surrender`` activities have them.
- ``villages`` are villages of the activity's commune (the commune itself for a commune
  activity, the parent commune for a village activity) reached or covered by the activity.
- Photos (``ActivityPhoto``) are stored re-encoded without EXIF/GPS (``core.uploads``) and
  served only through a scoped view.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from binhyen.core.formats import format_date
from binhyen.core.models import BaseModel

MIN_DATE = date(2000, 1, 1)
MAX_COUNT = 1_000_000
MAX_KM = Decimal("10000")


class ActivityKind(models.TextChoices):
    OUTREACH = "outreach", _("Tuyên truyền, vận động")
    MEDIA_POST = "media_post", _("Tin, bài trên mạng xã hội, loa truyền thanh")
    WEAPONS_SURRENDER = "weapons_surrender", _("Vận động giao nộp vũ khí, vật liệu nổ, pháo")
    CAMERA = "camera", _("Lắp đặt camera an ninh")
    LIGHTING = "lighting", _("Thắp sáng đường quê")
    MEDIATION = "mediation", _("Hòa giải ở cơ sở")
    PATROL = "patrol", _("Tuần tra")
    TRAINING = "training", _("Tập huấn, huấn luyện")
    VOLUNTEER = "volunteer", _("Lao động tình nguyện, công tác cộng đồng")


class MediaChannel(models.TextChoices):
    FACEBOOK_PAGE = "facebook_page", _("Trang Facebook")
    ZALO_GROUP = "zalo_group", _("Nhóm Zalo")
    ZALO_OA = "zalo_oa", _("Zalo OA")
    LOUDSPEAKER = "loudspeaker", _("Hệ thống loa truyền thanh")


class CameraOwnership(models.TextChoices):
    PUBLIC = "public", _("Camera công cộng")
    HOUSEHOLD = "household", _("Camera của hộ gia đình")


class WeaponKind(models.TextChoices):
    """Kinds of items surrendered; the codes are the options of the ``weapon_kind`` breakdown."""

    FIREARM = "sung", _("Súng")
    AMMUNITION = "dan", _("Đạn")
    EXPLOSIVE = "vat_lieu_no", _("Vật liệu nổ")
    SUPPORT_TOOL = "cong_cu_ho_tro", _("Công cụ hỗ trợ")
    FIRECRACKER = "phao", _("Pháo")


# UnitKind-specific columns; every other kind keeps them empty.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    ActivityKind.OUTREACH: ("topic", "place", "leaflets", "posters", "bulletin_boards"),
    ActivityKind.MEDIA_POST: ("channel", "posts"),
    ActivityKind.WEAPONS_SURRENDER: ("place",),
    ActivityKind.CAMERA: ("place", "cameras", "camera_ownership", "latitude", "longitude"),
    ActivityKind.LIGHTING: ("place", "light_points", "lit_km"),
    ActivityKind.MEDIATION: ("place", "cases_resolved"),
    ActivityKind.PATROL: ("place",),
    ActivityKind.TRAINING: ("topic", "place"),
    ActivityKind.VOLUNTEER: ("place",),
}
SPECIFIC_FIELDS: tuple[str, ...] = (
    "topic",
    "place",
    "leaflets",
    "posters",
    "bulletin_boards",
    "channel",
    "posts",
    "cameras",
    "camera_ownership",
    "latitude",
    "longitude",
    "light_points",
    "lit_km",
    "cases_resolved",
)
# Kinds whose villages are part of what is counted ("26 sessions in 10 villages").
VILLAGE_KINDS: tuple[str, ...] = (ActivityKind.OUTREACH, ActivityKind.LIGHTING)


def _count(label: Any) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(
        label, default=0, validators=[MinValueValidator(0), MaxValueValidator(MAX_COUNT)]
    )


def empty_value(field_name: str) -> Any:
    """Return the value a column holds when its kind does not use it."""
    if field_name in ("latitude", "longitude"):
        return None
    if field_name == "lit_km":
        return Decimal("0")
    if field_name in ("topic", "place", "channel", "camera_ownership"):
        return ""
    return 0


class Activity(BaseModel):
    """One activity of the movement recorded by a commune police unit."""

    kind = models.CharField(_("loại hoạt động"), max_length=24, choices=ActivityKind.choices)
    orgunit = models.ForeignKey(
        "orgunits.OrgUnit",
        verbose_name=_("đơn vị"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    date = models.DateField(_("ngày"))
    title = models.CharField(_("tiêu đề"), max_length=200)
    description = models.TextField(_("nội dung"), blank=True)
    # None: not counted (unknown is not 0); sums of participants skip it.
    participants = models.PositiveIntegerField(
        _("số người tham gia"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_COUNT)],
    )
    villages = models.ManyToManyField(
        "orgunits.OrgUnit",
        verbose_name=_("thôn, tổ dân phố"),
        blank=True,
        related_name="+",
    )
    # outreach / training
    topic = models.CharField(_("chủ đề"), max_length=200, blank=True)
    place = models.CharField(_("địa điểm"), max_length=255, blank=True)
    leaflets = _count(_("tờ rơi, tài liệu phát ra"))
    posters = _count(_("pa nô, áp phích"))
    bulletin_boards = _count(_("bảng tin ANTT"))
    # media posts
    channel = models.CharField(_("kênh"), max_length=24, choices=MediaChannel.choices, blank=True)
    posts = _count(_("số tin, bài"))
    # cameras
    cameras = _count(_("số camera"))
    camera_ownership = models.CharField(
        _("camera của"), max_length=16, choices=CameraOwnership.choices, blank=True
    )
    latitude = models.FloatField(
        _("vĩ độ"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.FloatField(
        _("kinh độ"),
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    # lighting
    light_points = _count(_("điểm chiếu sáng"))
    lit_km = models.DecimalField(
        _("km đường được thắp sáng"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_KM)],
    )
    # mediation
    cases_resolved = _count(_("số vụ việc hòa giải thành"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người ghi nhận"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("hoạt động")
        verbose_name_plural = _("hoạt động")
        indexes = [
            # Providers: one kind over a date range, grouped by unit.
            models.Index(fields=["kind", "date", "orgunit"], name="activity_kind_date_unit"),
            # A unit's log, newest first.
            models.Index(fields=["orgunit", "date"], name="activity_unit_date"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(lit_km__gte=0), name="activity_lit_km_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{format_date(self.date)} {self.title}"

    def clean(self) -> None:
        errors: dict[str, list[Any]] = {}

        def add(field: str, message: Any) -> None:
            errors.setdefault(field, []).append(message)

        self._clean_date(add)
        self._clean_unit(add)
        self._clean_kind_fields(add)
        if errors:
            raise ValidationError(errors)

    def _clean_date(self, add: Any) -> None:
        if self.date is None:
            return
        today = timezone.localdate()
        if self.date > today:
            add(
                "date",
                _("Ngày hoạt động không được sau hôm nay (%(today)s).")
                % {"today": format_date(today)},
            )
        if self.date < MIN_DATE:
            add(
                "date",
                _("Ngày hoạt động không được trước %(min)s.") % {"min": format_date(MIN_DATE)},
            )
        if self.orgunit_id is None:
            return
        unit = self.orgunit
        if unit.valid_from is not None and self.date < unit.valid_from:
            add(
                "date",
                _("%(unit)s chỉ tồn tại từ ngày %(start)s; ngày hoạt động %(day)s là trước đó.")
                % {
                    "unit": unit.name,
                    "start": format_date(unit.valid_from),
                    "day": format_date(self.date),
                },
            )
        if unit.valid_to is not None and self.date > unit.valid_to:
            from binhyen.orgunits.history import check_record_date

            try:
                check_record_date(unit, self.date)
            except ValidationError as exc:
                for message in exc.message_dict.get("date", []):
                    add("date", message)

    def _clean_unit(self, add: Any) -> None:
        from binhyen.orgunits.models import UnitKind

        if self.orgunit_id is not None and self.orgunit.kind not in (
            UnitKind.COMMUNE,
            UnitKind.VILLAGE,
        ):
            add("orgunit", _("Hoạt động chỉ ghi cho xã, phường hoặc thôn, tổ dân phố."))

    def _clean_kind_fields(self, add: Any) -> None:
        if self.kind not in KIND_FIELDS:
            return
        used = KIND_FIELDS[self.kind]
        for name in SPECIFIC_FIELDS:
            if name not in used and getattr(self, name) not in (empty_value(name), None, ""):
                label = getattr(self._meta.get_field(name), "verbose_name", name)
                add(
                    name,
                    _("Trường “%(field)s” không dùng cho loại hoạt động “%(kind)s”.")
                    % {"field": label, "kind": self.get_kind_display()},
                )
        kind = self.kind
        if kind in (ActivityKind.OUTREACH, ActivityKind.TRAINING) and not self.topic.strip():
            add("topic", _("Hãy nhập chủ đề."))
        if kind == ActivityKind.MEDIA_POST:
            if not self.channel:
                add("channel", _("Hãy chọn kênh đăng tin."))
            if not self.posts:
                add("posts", _("Số tin, bài phải lớn hơn 0."))
        if kind == ActivityKind.CAMERA:
            if not self.cameras:
                add("cameras", _("Số camera phải lớn hơn 0."))
            if not self.camera_ownership:
                add("camera_ownership", _("Hãy chọn camera công cộng hay của hộ gia đình."))
            if (self.latitude is None) != (self.longitude is None):
                missing = "longitude" if self.longitude is None else "latitude"
                add(missing, _("Cần nhập cả vĩ độ và kinh độ, hoặc để trống cả hai."))
        if kind == ActivityKind.LIGHTING and not self.light_points and not self.lit_km:
            add("light_points", _("Hãy nhập số điểm chiếu sáng hoặc số km đường được thắp sáng."))
        if kind == ActivityKind.MEDIATION and not self.cases_resolved:
            add("cases_resolved", _("Số vụ việc hòa giải thành phải lớn hơn 0."))

    @property
    def commune_id(self) -> int | None:
        """Return the id of the commune the activity belongs to."""
        from binhyen.orgunits.models import UnitKind

        if self.orgunit_id is None:
            return None
        return self.orgunit.parent_id if self.orgunit.kind == UnitKind.VILLAGE else self.orgunit_id


class SurrenderedItem(BaseModel):
    """One line of a surrender: a kind of item and how many were handed in."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("hoạt động"), on_delete=models.CASCADE, related_name="items"
    )
    item_kind = models.CharField(_("loại"), max_length=24, choices=WeaponKind.choices)
    description = models.CharField(_("mô tả"), max_length=200, blank=True)
    quantity = models.PositiveIntegerField(
        _("số lượng"), validators=[MinValueValidator(1), MaxValueValidator(MAX_COUNT)]
    )

    class Meta:
        ordering = ["activity", "id"]
        verbose_name = _("hiện vật giao nộp")
        verbose_name_plural = _("hiện vật giao nộp")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="surrendered_qty_gte_1"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_item_kind_display()}: {self.quantity}"


def photo_path(instance: ActivityPhoto, filename: str) -> str:
    today = timezone.localdate()
    return f"activities/photos/{today:%Y/%m}/{filename}"


class ActivityPhoto(BaseModel):
    """A photo of an activity, re-encoded without metadata when uploaded."""

    activity = models.ForeignKey(
        Activity, verbose_name=_("hoạt động"), on_delete=models.CASCADE, related_name="photos"
    )
    image = models.FileField(_("ảnh"), upload_to=photo_path, max_length=255)
    caption = models.CharField(_("chú thích"), max_length=200, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người tải lên"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["activity", "id"]
        verbose_name = _("ảnh hoạt động")
        verbose_name_plural = _("ảnh hoạt động")

    def __str__(self) -> str:
        return self.caption or self.image.name or ""

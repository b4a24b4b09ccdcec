"""The administrative map: one tree of units through time, and the lineage between eras.

Invariants:
- ``code`` is unique. 2025 units carry their official GSO code (2-digit province, 5-digit
  commune); pre-2025 units carry their official code prefixed with ``L`` (``L24``, ``L223``,
  ``L07846``) because the 2025 catalogue reuses old codes for other units; villages and
  establishments get ``<commune code>-T<nnn>`` / ``<commune code>-E<nnn>``.
  ``official_code`` keeps the bare official code for both eras.
- ``path`` is the chain of codes from the root, ``/VN/24/07840/``; a subtree is
  ``path LIKE '<path>%'`` (``path__startswith``; on SQLite the same lookup is written as the
  range ``path >= '<path>' AND path < '<path with its last character + 1>'`` so the unique
  index on ``path`` answers it, see ``PathStartsWith``). ``level`` is the depth (country 0).
- A unit is valid on day D when ``valid_from <= D`` (or null) and ``D <= valid_to`` (or null).
  Pre-2025 units close on 2025-06-30; records keep pointing at the unit as it was.
- ``Lineage`` links a predecessor to a successor: ``merge`` (many → one) or ``split``
  (one → several, exactly one ``is_default`` successor, optional ``share``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.lookups import StartsWith
from django.utils.translation import gettext_lazy as _

from binhyen.core.models import BaseModel

ROOT_CODE = "VN"
LEGACY_PREFIX = "L"


# Plausible upper bounds of what users type (the whole country has about 100 million people):
# a larger number is a typing error, and far larger ones would overflow the integer columns.
POPULATION_MAX = 200_000_000
HOUSEHOLDS_MAX = 60_000_000


class UnitKind(models.TextChoices):
    COUNTRY = "country", _("Quốc gia")
    PROVINCE = "province", _("Tỉnh/thành phố")
    DISTRICT = "district", _("Quận/huyện (trước 2025)")
    COMMUNE = "commune", _("Xã/phường/đặc khu")
    VILLAGE = "village", _("Thôn/tổ dân phố")
    ESTABLISHMENT = "establishment", _("Cơ quan/doanh nghiệp/trường học")


class Subkind(models.TextChoices):
    COUNTRY = "quoc_gia", _("Quốc gia")
    # provinces
    TINH = "tinh", _("Tỉnh")
    THANH_PHO_TW = "thanh_pho_tw", _("Thành phố trực thuộc trung ương")
    # districts (pre-2025)
    QUAN = "quan", _("Quận")
    HUYEN = "huyen", _("Huyện")
    THI_XA = "thi_xa", _("Thị xã")
    THANH_PHO_THUOC_TINH = "thanh_pho_thuoc_tinh", _("Thành phố thuộc tỉnh")
    # communes
    XA = "xa", _("Xã")
    PHUONG = "phuong", _("Phường")
    THI_TRAN = "thi_tran", _("Thị trấn")
    DAC_KHU = "dac_khu", _("Đặc khu")
    # villages / residential groups
    THON = "thon", _("Thôn")
    BAN = "ban", _("Bản")
    LANG = "lang", _("Làng")
    AP = "ap", _("Ấp")
    BUON = "buon", _("Buôn")
    PHUM_SOC = "phum_soc", _("Phum, sóc")
    TO_DAN_PHO = "to_dan_pho", _("Tổ dân phố")
    KHU_PHO = "khu_pho", _("Khu phố")
    KHOI = "khoi", _("Khối")
    KHOM = "khom", _("Khóm")
    # establishments
    CO_QUAN = "co_quan", _("Cơ quan")
    DOANH_NGHIEP = "doanh_nghiep", _("Doanh nghiệp")
    CO_SO_GIAO_DUC = "co_so_giao_duc", _("Cơ sở giáo dục")


SUBKINDS_BY_KIND: dict[str, tuple[str, ...]] = {
    UnitKind.COUNTRY: (Subkind.COUNTRY,),
    UnitKind.PROVINCE: (Subkind.TINH, Subkind.THANH_PHO_TW),
    UnitKind.DISTRICT: (Subkind.QUAN, Subkind.HUYEN, Subkind.THI_XA, Subkind.THANH_PHO_THUOC_TINH),
    UnitKind.COMMUNE: (Subkind.XA, Subkind.PHUONG, Subkind.THI_TRAN, Subkind.DAC_KHU),
    UnitKind.VILLAGE: (
        Subkind.THON,
        Subkind.BAN,
        Subkind.LANG,
        Subkind.AP,
        Subkind.BUON,
        Subkind.PHUM_SOC,
        Subkind.TO_DAN_PHO,
        Subkind.KHU_PHO,
        Subkind.KHOI,
        Subkind.KHOM,
    ),
    UnitKind.ESTABLISHMENT: (Subkind.CO_QUAN, Subkind.DOANH_NGHIEP, Subkind.CO_SO_GIAO_DUC),
}

# Which kind of unit may sit directly under which.
PARENT_KINDS: dict[str, tuple[str, ...]] = {
    UnitKind.COUNTRY: (),
    UnitKind.PROVINCE: (UnitKind.COUNTRY,),
    UnitKind.DISTRICT: (UnitKind.PROVINCE,),
    UnitKind.COMMUNE: (UnitKind.PROVINCE, UnitKind.DISTRICT),
    UnitKind.VILLAGE: (UnitKind.COMMUNE,),
    UnitKind.ESTABLISHMENT: (UnitKind.COMMUNE,),
}


class PathStartsWith(StartsWith):
    """``path__startswith`` that SQLite answers from the index on ``path``.

    SQLite's ``LIKE`` ignores ASCII case, so it cannot use a (binary) index: every scope
    filter scanned the whole map, ~200 ms a condition on national data, several per page.
    A string prefix ``p`` is the byte range ``[p, p with its last character + 1)`` under
    the binary collation, which the index answers directly. Other databases (PostgreSQL
    has a pattern index for ``LIKE 'p%'``) and other right-hand sides keep ``LIKE``.
    """

    def as_sqlite(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        prefix = self.rhs
        if not (self.rhs_is_direct_value() and isinstance(prefix, str) and prefix):
            return self.as_sql(compiler, connection)
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        return f"({lhs_sql} >= %s AND {lhs_sql} < %s)", [*lhs_params, prefix, *lhs_params, upper]


class OrgUnitQuerySet(models.QuerySet["OrgUnit"]):
    def valid_on(self, day: date) -> OrgUnitQuerySet:
        """Units that existed on ``day``."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )

    def current(self) -> OrgUnitQuerySet:
        """Units that are open today (not closed by a boundary change)."""
        return self.filter(valid_to__isnull=True)

    def subtree(self, unit: OrgUnit) -> OrgUnitQuerySet:
        """``unit`` and every unit below it.

        The root of the map has every unit below it: no condition then, so that the
        database picks a selective index (the kind, the period) instead of scanning the
        whole ``path`` index for a range that covers the map.
        """
        if unit.parent_id is None and unit.level == 0:
            return self.all()
        return self.filter(path__startswith=unit.path)

    def visible_to(self, user: Any) -> OrgUnitQuerySet:
        """Units ``user`` may read: assigned subtrees plus their lineage predecessors.

        See ``binhyen.accounts.permissions`` for the access model. Returns an empty
        queryset for anonymous users and users without a role.
        """
        from binhyen.accounts import permissions

        if permissions.is_superadmin(user):
            return self.all()
        paths = permissions.scope_paths(user, permissions.VIEW_UNITS)
        if not paths:
            return self.none()
        root = f"/{ROOT_CODE}/"
        if root in paths:
            # The whole country: every unit of either era, and so every predecessor, lies
            # below the root; one range, no list of every unit built for each query.
            return self.all()
        condition = Q()
        for path in paths:
            condition |= Q(path__startswith=path)
        # Predecessors of the assigned units themselves, with their whole old subtree
        # (an old province under a new one), and predecessors of any unit in scope.
        # Read once per user object (a request asks this many times).
        cache: dict[tuple[str, ...], list[str]] | None = getattr(
            user, "_binhyen_lineage_roots", None
        )
        if cache is None:
            cache = {}
            user._binhyen_lineage_roots = cache
        key = tuple(paths)
        if key not in cache:
            cache[key] = list(
                Lineage.objects.filter(successor__path__in=paths).values_list(
                    "predecessor__path", flat=True
                )
            )
        roots = cache[key]
        for path in roots:
            condition |= Q(path__startswith=path)
        in_scope = Q()
        for path in paths:
            in_scope |= Q(successor__path__startswith=path)
        condition |= Q(pk__in=Lineage.objects.filter(in_scope).values("predecessor_id"))
        return self.filter(condition)


class OrgUnit(BaseModel):
    """A map unit: country, province, (pre-2025) district, commune, village or establishment.

    See the module docstring for the code, path and validity invariants.
    """

    code = models.CharField(_("mã"), max_length=32, unique=True)
    official_code = models.CharField(_("mã chính thức"), max_length=16, blank=True, db_index=True)
    name = models.CharField(_("tên"), max_length=200)
    short_name = models.CharField(_("tên ngắn"), max_length=200, blank=True)
    name_folded = models.CharField(max_length=200, db_index=True, editable=False)
    kind = models.CharField(_("cấp"), max_length=16, choices=UnitKind.choices, db_index=True)
    subkind = models.CharField(_("loại"), max_length=24, choices=Subkind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cha"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # A village or establishment that existed before a boundary change sits under its current
    # commune and keeps the commune it belonged to before (closed on the day of the change):
    # its records dated up to that commune's last day count there, later ones here.
    former_parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cha trước khi sắp xếp"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="former_children",
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    level = models.PositiveSmallIntegerField(editable=False, default=0)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True, db_index=True)
    latitude = models.FloatField(_("vĩ độ"), null=True, blank=True)
    longitude = models.FloatField(_("kinh độ"), null=True, blank=True)
    area_km2 = models.FloatField(_("diện tích (km²)"), null=True, blank=True)
    population = models.PositiveIntegerField(
        _("dân số"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(POPULATION_MAX, _("Không được lớn hơn %(limit_value)s."))],
    )
    households = models.PositiveIntegerField(
        _("số hộ"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(HOUSEHOLDS_MAX, _("Không được lớn hơn %(limit_value)s."))],
    )
    # The year the population and households above were counted (the population workbook).
    population_year = models.PositiveSmallIntegerField(
        _("năm số liệu dân số"), null=True, blank=True
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        indexes = [
            models.Index(fields=["kind", "valid_to"]),
            models.Index(fields=["parent", "name_folded"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_from__lte=models.F("valid_to")),
                name="orgunit_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_current(self) -> bool:
        return self.valid_to is None

    @property
    def ancestor_codes(self) -> list[str]:
        """Codes from the root down to the parent (excluding this unit)."""
        return [c for c in self.path.strip("/").split("/")[:-1] if c]

    def compute_path(self) -> tuple[str, int]:
        """Return the path and level this unit must have under its current parent."""
        if self.parent is None:
            return f"/{self.code}/", 0
        return f"{self.parent.path}{self.code}/", self.parent.level + 1

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors: dict[str, Any] = {}
        if "/" in (self.code or ""):
            errors["code"] = _("Mã không được chứa dấu '/'.")
        allowed = SUBKINDS_BY_KIND.get(self.kind, ())
        if self.subkind and self.subkind not in allowed:
            errors["subkind"] = _("Loại đơn vị không phù hợp với cấp đã chọn.")
        parent = self.parent if self.parent_id is not None else None
        if parent is not None:
            if parent.kind not in PARENT_KINDS.get(self.kind, ()):
                errors["parent"] = _("Đơn vị cha không phù hợp với cấp của đơn vị.")
            elif not parent.is_current and self.is_current:
                errors["parent"] = _("Không thể tạo đơn vị mới dưới một đơn vị đã giải thể.")
        elif self.kind != UnitKind.COUNTRY:
            errors["parent"] = _("Đơn vị phải thuộc một đơn vị cha.")
        former = self.former_parent if self.former_parent_id is not None else None
        if former is not None and (
            self.kind not in (UnitKind.VILLAGE, UnitKind.ESTABLISHMENT)
            or former.kind != UnitKind.COMMUNE
            or former.is_current
        ):
            errors["former_parent"] = _(
                "Chỉ thôn, tổ dân phố, cơ quan, doanh nghiệp mới có xã/phường cũ, "
                "và đó phải là một xã/phường đã giải thể."
            )
        if self.latitude is not None and not (-90 <= self.latitude <= 90):
            errors["latitude"] = _("Vĩ độ phải nằm trong khoảng -90 đến 90.")
        if self.longitude is not None and not (-180 <= self.longitude <= 180):
            errors["longitude"] = _("Kinh độ phải nằm trong khoảng -180 đến 180.")
        if errors:
            raise ValidationError(errors)


OrgUnit._meta.get_field("path").register_lookup(PathStartsWith, lookup_name="startswith")


class LineageKind(models.TextChoices):
    MERGE = "merge", _("Sáp nhập")
    SPLIT = "split", _("Chia tách")


class Lineage(BaseModel):
    """An edge from a predecessor unit to a successor unit at a boundary change."""

    predecessor = models.ForeignKey(
        OrgUnit,
        verbose_name=_("đơn vị cũ"),
        on_delete=models.CASCADE,
        related_name="successor_links",
    )
    successor = models.ForeignKey(
        OrgUnit,
        verbose_name=_("đơn vị mới"),
        on_delete=models.CASCADE,
        related_name="predecessor_links",
    )
    kind = models.CharField(_("hình thức"), max_length=8, choices=LineageKind.choices)
    is_default = models.BooleanField(_("đơn vị kế thừa mặc định"), default=True)
    share = models.DecimalField(_("tỷ lệ"), max_digits=5, decimal_places=4, null=True, blank=True)
    effective_date = models.DateField(_("ngày hiệu lực"))

    class Meta:
        ordering = ["predecessor__path", "-is_default", "successor__path"]
        verbose_name = _("sáp nhập/chia tách")
        verbose_name_plural = _("sáp nhập/chia tách")
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="uniq_lineage_edge"),
        ]
        indexes = [models.Index(fields=["successor", "predecessor"])]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.get_kind_display()})"


class StructureVersion(models.Model):
    """A counter bumped whenever the map's structure changes (see ``structure``).

    Structure means what decides where a recorded figure counts: units' paths and
    validity, and the lineage between eras. Derived data built from the map (the
    indicators' rollups) stores the version it was built for and is not used once the
    counter has moved on. One row (``id = 1``); a missing row reads as version 0.
    """

    version = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("phiên bản cấu trúc bản đồ")
        verbose_name_plural = _("phiên bản cấu trúc bản đồ")

    def __str__(self) -> str:
        return f"v{self.version}"

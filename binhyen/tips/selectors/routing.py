"""Routing reads of the tips app: where a tip goes, and the units intake looks up by code.

Invariants:
- Routing only reads: it never writes and never records an audit event; intake calls it
  inside its own transaction.
- Units found by code are kept per process for ``TIPS_UNIT_CACHE_SECONDS``; a save or delete
  of a unit or lineage in this process empties that memory at once (``unit_cache_clear``,
  connected in ``TipsConfig.ready``); an unknown code is never remembered.
- Unknown codes are errors naming their field, never silently dropped.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from binhyen.orgunits.address import resolve_address
from binhyen.orgunits.models import Lineage, OrgUnit, UnitKind
from binhyen.tips.inputs import TipInput

# Degrees around a pin searched for the nearest commune centre (about 20 km).
PIN_SEARCH_DEGREES = 0.2
# Bounding box a pin must fall in, (south, north) and (west, east) in degrees: Việt Nam's
# mainland (Lũng Cú ~23.4° N, Mũi Cà Mau ~8.6° N, A Pa Chải ~102.1° E, Mũi Đôi ~109.5° E),
# its coastal islands and the special zones Hoàng Sa and Trường Sa (to ~117° E, ~7.5° N).
# It is a sanity check against mistyped or made-up positions, not a border.
PIN_LATITUDE_RANGE = (7.5, 23.5)
PIN_LONGITUDE_RANGE = (102.0, 117.0)


# Units found by code for routing, per process: {(code, kind): (expires, unit)}. Public
# intake looks up the same few thousand communes all day; a hit saves a query per tip. Any
# save or delete of a unit or lineage in this process empties it, other processes see a
# change within ``TIPS_UNIT_CACHE_SECONDS`` (the map changes by imports, years apart).
class _Remembered(NamedTuple):
    expires: float  # monotonic time
    unit: OrgUnit


_UNIT_CACHE: dict[tuple[str, str], _Remembered] = {}
UNIT_CACHE_MAX = 50_000


def unit_cache_clear(**_kwargs: Any) -> None:
    """Forget the cached units (connected to unit and lineage saves and deletes)."""
    _UNIT_CACHE.clear()


def _current_unit(code: str, kind: str) -> OrgUnit | None:
    """Return the unit of ``kind`` with ``code`` as it is today (a closed one → its successor).

    Found units are kept for ``TIPS_UNIT_CACHE_SECONDS`` (0: always ask the database); an
    unknown code is never cached, so a newly imported unit is found at once.
    """
    code = (code or "").strip()
    if not code:
        return None
    ttl = settings.TIPS_UNIT_CACHE_SECONDS
    if ttl <= 0:
        return _current_unit_query(code, kind)
    key = (code, kind)
    now = time.monotonic()
    hit = _UNIT_CACHE.get(key)
    if hit is not None and hit.expires > now:
        return hit.unit
    unit = _current_unit_query(code, kind)
    if unit is not None:
        if len(_UNIT_CACHE) >= UNIT_CACHE_MAX:
            _UNIT_CACHE.clear()
        _UNIT_CACHE[key] = _Remembered(now + ttl, unit)
    return unit


def _current_unit_query(code: str, kind: str) -> OrgUnit | None:
    units = OrgUnit.objects.filter(code=code, kind=kind)
    if kind == UnitKind.VILLAGE:
        units = units.select_related("parent")
    unit = units.first()
    if unit is None or unit.is_current:
        return unit
    link = (
        Lineage.objects.filter(predecessor=unit, successor__kind=kind)
        .select_related("successor__parent")
        .order_by("-is_default", "successor__path")
        .first()
    )
    return link.successor if link is not None else None


def pin_check(latitude: float | None, longitude: float | None) -> None:
    """Refuse a pin given by half, or outside ``PIN_LATITUDE_RANGE``/``PIN_LONGITUDE_RANGE``.

    Raises ``ValidationError`` on the ``latitude`` field (the map's field in the form).
    """
    if latitude is None and longitude is None:
        return
    if latitude is None or longitude is None:
        raise ValidationError({"latitude": _("Vị trí trên bản đồ cần cả vĩ độ và kinh độ.")})
    south, north = PIN_LATITUDE_RANGE
    west, east = PIN_LONGITUDE_RANGE
    if not (
        math.isfinite(latitude)
        and math.isfinite(longitude)
        and south <= latitude <= north
        and west <= longitude <= east
    ):
        raise ValidationError(
            {
                "latitude": _(
                    "Vị trí đã chọn (%(lat)s, %(lon)s) nằm ngoài lãnh thổ Việt Nam. Hãy chọn lại "
                    "trên bản đồ, hoặc bỏ vị trí và chọn xã/phường."
                )
                % {"lat": f"{latitude:.4f}", "lon": f"{longitude:.4f}"}
            }
        )


def _nearest_commune(latitude: float, longitude: float) -> OrgUnit | None:
    """Return the current commune whose centre is nearest to the pin (within ~20 km)."""
    box = PIN_SEARCH_DEGREES
    candidates = OrgUnit.objects.current().filter(
        kind=UnitKind.COMMUNE,
        latitude__range=(latitude - box, latitude + box),
        longitude__range=(longitude - box, longitude + box),
    )
    scale = math.cos(math.radians(latitude))
    best: tuple[float, OrgUnit] | None = None
    for unit in candidates:
        assert unit.latitude is not None and unit.longitude is not None  # noqa: S101
        distance = (unit.latitude - latitude) ** 2 + ((unit.longitude - longitude) * scale) ** 2
        if best is None or distance < best[0]:
            best = (distance, unit)
    return best[1] if best is not None else None


@dataclass(frozen=True)
class Route:
    queue: OrgUnit
    commune: OrgUnit | None
    village: OrgUnit | None


def _default_province() -> OrgUnit | None:
    return _current_unit(settings.TIPS_DEFAULT_PROVINCE_CODE, UnitKind.PROVINCE)


def route_tip(data: TipInput) -> Route:
    """Decide where a tip goes: the current commune of its place, else a province queue.

    Order of evidence: a chosen village, a chosen commune, the typed address (resolved with
    the map, pre-2025 names included), the pin (nearest current commune centre, see
    ``pin_check`` for the accepted area); without a place, the chosen province, then
    ``TIPS_DEFAULT_PROVINCE_CODE``. Unknown codes are errors, never silently dropped.
    """
    pin_check(data.latitude, data.longitude)
    commune: OrgUnit | None = None
    village: OrgUnit | None = None
    if data.village_code:
        village = _current_unit(data.village_code, UnitKind.VILLAGE)
        if village is None:
            raise ValidationError(
                {
                    "village": _("Không tìm thấy thôn, tổ dân phố có mã “%(code)s”.")
                    % {"code": data.village_code}
                }
            )
        commune = village.parent
    if data.commune_code:
        chosen = _current_unit(data.commune_code, UnitKind.COMMUNE)
        if chosen is None:
            raise ValidationError(
                {
                    "commune": _("Không tìm thấy xã, phường có mã “%(code)s”.")
                    % {"code": data.commune_code}
                }
            )
        if commune is not None and commune.pk != chosen.pk:
            raise ValidationError(
                {
                    "village": _("Thôn, tổ dân phố đã chọn không thuộc %(name)s.")
                    % {"name": chosen.name}
                }
            )
        commune = chosen
    province: OrgUnit | None = None
    if data.province_code:
        province = _current_unit(data.province_code, UnitKind.PROVINCE)
        if province is None:
            raise ValidationError(
                {
                    "province": _("Không tìm thấy tỉnh, thành phố có mã “%(code)s”.")
                    % {"code": data.province_code}
                }
            )
    if commune is None and not data.location_unknown:
        if data.address_text.strip():
            match = resolve_address(data.address_text)
            current = match.current if match is not None else None
            if current is not None and current.kind == UnitKind.COMMUNE:
                commune = current
            elif match is not None and match.province is not None and province is None:
                province = match.province
        if commune is None and data.latitude is not None and data.longitude is not None:
            commune = _nearest_commune(data.latitude, data.longitude)
    if commune is not None:
        return Route(queue=commune, commune=commune, village=village)
    if province is None:
        province = _default_province()
    if province is None:
        field_name = "address" if data.address_text.strip() else "province"
        raise ValidationError(
            {
                field_name: _(
                    "Chưa xác định được nơi xảy ra: hãy chọn xã/phường, hoặc chọn tỉnh/thành phố "
                    "nếu không nhớ địa điểm."
                )
            }
        )
    return Route(queue=province, commune=None, village=None)


def zalo_unit(oa_id: str) -> OrgUnit | None:
    """Return the unit a Zalo Official Account serves (``TIPS_ZALO_OA_UNITS``)."""
    code = settings.TIPS_ZALO_OA_UNITS.get(oa_id, "")
    for kind in (UnitKind.COMMUNE, UnitKind.PROVINCE):
        unit = _current_unit(code, kind)
        if unit is not None:
            return unit
    return _default_province()

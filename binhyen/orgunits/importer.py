"""Import the national administrative map from the unit packages, in bulk and idempotently.

Sources (local files shipped with the installed packages; nothing is fetched):
- ``vietnamadminunits``: ``data/dataset.db`` (table ``admin_units``: the 34 provinces and
  3,321 communes of 2025; table ``admin_units_legacy``: the 63 provinces, 696 districts and
  10,035 communes before the 2025 reform) and ``data/converter_2025.json`` (old → new).
- ``vietnam-provinces``: only cross-checks codes, names and subkinds of 2025 units; any
  disagreement is reported as a warning, never fatal (that package follows the draft
  catalogue, whose codes differ for about a hundred communes).

Invariants:
- Codes follow ``binhyen.orgunits.models``: ``VN`` root; 2025 units carry the bare official
  code and are open (``valid_from`` = the reform date); pre-2025 units carry ``L`` + code,
  have no ``valid_from`` and close the day before the reform.
- Lineage edges (effective on the reform date): every old province → its new province
  (merge); every old commune → its new commune (merge) or, for a split commune, one edge per
  new commune (split) with exactly one default; the five island districts that had no
  communes → their special zone (merge).
- Idempotent: the target state is computed from the sources and compared with the database;
  only differences are written (``bulk_create`` / ``bulk_update``). A run that finds nothing
  to change writes nothing at all, not even an audit event.
- Never deletes: units or edges present in the database but absent from the sources may
  carry records, so they are counted and left alone. Only catalogue fields are written
  (never population, households, address or note).
- One transaction and one ``AuditEvent`` (``orgunit.map_import``) summarising the run.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, closing
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.core.services import audit_event_record
from binhyen.core.text import fold
from binhyen.orgunits.models import (
    LEGACY_PREFIX,
    ROOT_CODE,
    Lineage,
    LineageKind,
    OrgUnit,
    Subkind,
    UnitKind,
)
from binhyen.orgunits.structure import structure_changed

ROOT_NAME = "Việt Nam"
BATCH_SIZE = 1000
# Kinds the catalogue owns; villages and establishments belong to users.
MAP_KINDS: tuple[str, ...] = (
    UnitKind.COUNTRY,
    UnitKind.PROVINCE,
    UnitKind.DISTRICT,
    UnitKind.COMMUNE,
)
# Catalogue fields compared and written; everything else on a unit is left as users set it.
UNIT_FIELDS: tuple[str, ...] = (
    "official_code",
    "name",
    "short_name",
    "name_folded",
    "kind",
    "subkind",
    "parent_id",
    "path",
    "level",
    "valid_from",
    "valid_to",
    "latitude",
    "longitude",
    "area_km2",
)
LINEAGE_FIELDS: tuple[str, ...] = ("kind", "is_default", "effective_date")
# Fields whose validation would query the database once per row; the importer resolves
# these ids itself from rows written in the same transaction, and ``clean()`` still checks
# the parent's kind in Python.
NO_ROW_QUERY = ["parent", "predecessor", "successor"]

# Name prefix → subkind, per kind. Matching ignores case because the source spells a few
# names "Thị Trấn ..." / "Thành Phố ..."; the prefix is rewritten to its canonical form.
PREFIXES: dict[str, tuple[tuple[str, str], ...]] = {
    UnitKind.PROVINCE: (("Thành phố", Subkind.THANH_PHO_TW), ("Tỉnh", Subkind.TINH)),
    UnitKind.DISTRICT: (
        ("Thành phố", Subkind.THANH_PHO_THUOC_TINH),
        ("Thị xã", Subkind.THI_XA),
        ("Quận", Subkind.QUAN),
        ("Huyện", Subkind.HUYEN),
    ),
    UnitKind.COMMUNE: (
        ("Thị trấn", Subkind.THI_TRAN),
        ("Đặc khu", Subkind.DAC_KHU),
        ("Phường", Subkind.PHUONG),
        ("Xã", Subkind.XA),
    ),
}
# vietnam-provinces division types (folded) → our subkinds.
CROSSCHECK_SUBKINDS: dict[str, str] = {
    "tinh": Subkind.TINH,
    "thanh pho trung uong": Subkind.THANH_PHO_TW,
    "xa": Subkind.XA,
    "phuong": Subkind.PHUONG,
    "dac khu": Subkind.DAC_KHU,
}


class MapSourceError(Exception):
    """The package data contradicts itself; nothing has been written."""


class Writer(Protocol):
    def write(self, msg: str, /) -> Any: ...


@dataclass(frozen=True)
class UnitSpec:
    """The catalogue state one unit must have (``parent_code`` is None only for the root)."""

    code: str
    official_code: str
    name: str
    short_name: str
    kind: str
    subkind: str
    parent_code: str | None
    valid_from: date | None
    valid_to: date | None
    latitude: float | None = None
    longitude: float | None = None
    area_km2: float | None = None


@dataclass(frozen=True)
class EdgeSpec:
    predecessor: str
    successor: str
    kind: str
    is_default: bool


@dataclass
class MapSource:
    """Units (parents before children) and lineage edges read from the packages."""

    units: list[UnitSpec]
    edges: list[EdgeSpec]
    warnings: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    """What one run found and did; ``changed`` is False when the database already matched."""

    current_provinces: int = 0
    current_communes: int = 0
    current_communes_by_subkind: dict[str, int] = field(default_factory=dict)
    legacy_provinces: int = 0
    legacy_districts: int = 0
    legacy_communes: int = 0
    lineage_merge: int = 0
    lineage_split: int = 0
    units_created: int = 0
    units_updated: int = 0
    units_unchanged: int = 0
    descendants_moved: int = 0
    units_not_in_source: int = 0
    lineage_created: int = 0
    lineage_updated: int = 0
    lineage_unchanged: int = 0
    lineage_not_in_source: int = 0
    warnings: list[str] = field(default_factory=list)
    elapsed_seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(
            self.units_created
            or self.units_updated
            or self.descendants_moved
            or self.lineage_created
            or self.lineage_updated
        )

    def summary(self) -> dict[str, Any]:
        """Return the JSON-safe figures recorded in the audit event."""
        return {
            "current_provinces": self.current_provinces,
            "current_communes": self.current_communes,
            "current_communes_by_subkind": self.current_communes_by_subkind,
            "legacy_provinces": self.legacy_provinces,
            "legacy_districts": self.legacy_districts,
            "legacy_communes": self.legacy_communes,
            "lineage_merge": self.lineage_merge,
            "lineage_split": self.lineage_split,
            "units_created": self.units_created,
            "units_updated": self.units_updated,
            "descendants_moved": self.descendants_moved,
            "units_not_in_source": self.units_not_in_source,
            "lineage_created": self.lineage_created,
            "lineage_updated": self.lineage_updated,
            "lineage_not_in_source": self.lineage_not_in_source,
            "warnings": len(self.warnings),
        }


# --- Reading the sources ------------------------------------------------------------------


def reform_date() -> date:
    """Return the day the 2025 units took effect (``settings.BOUNDARY_REFORM_DATE``)."""
    return date.fromisoformat(str(settings.BOUNDARY_REFORM_DATE))


def _split_prefix(name: str, kind: str, type_hint: str | None) -> tuple[str, str]:
    """Return (canonical name, subkind) for a unit name such as "Thị Trấn Ái Tử".

    The name prefix decides the subkind because the source's type column is wrong for a
    few units (e.g. "Phường Việt Hòa" typed as a commune); the caller reports those.
    """
    lowered = name.lower()
    for prefix, subkind in PREFIXES[kind]:
        if lowered.startswith(prefix.lower() + " "):
            bare = name[len(prefix) + 1 :].strip()
            return f"{prefix} {bare}", subkind
    subkind_hint = _type_subkind(kind, type_hint)
    if subkind_hint is not None:
        return name, subkind_hint
    raise MapSourceError(
        _("Không nhận ra loại đơn vị của “%(name)s” (%(kind)s).") % {"name": name, "kind": kind}
    )


@lru_cache(maxsize=64)
def _fold_type(type_name: str) -> str:
    return fold(type_name)


@lru_cache(maxsize=64)
def _type_subkind(kind: str, type_name: str | None) -> str | None:
    """Return the subkind a type column value ("Thị xã", "Xã", ...) names, if any."""
    for prefix, subkind in PREFIXES[kind]:
        if type_name and fold(type_name) == fold(prefix):
            return subkind
    return None


def _package_files(stack: ExitStack) -> tuple[Path, Path]:
    """Return real paths of the package's dataset and converter files."""
    data = resources.files("vietnamadminunits").joinpath("data")
    db_path = stack.enter_context(resources.as_file(data.joinpath("dataset.db")))
    converter_path = stack.enter_context(resources.as_file(data.joinpath("converter_2025.json")))
    return Path(db_path), Path(converter_path)


def _rows(db: sqlite3.Connection, sql: str) -> Iterator[dict[str, Any]]:
    cursor = db.execute(sql)
    names = [c[0] for c in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def load_map_source() -> MapSource:
    """Read the packages and return the full target state of the map."""
    with ExitStack() as stack:
        db_path, converter_path = _package_files(stack)
        converter = json.loads(converter_path.read_text(encoding="utf-8"))
        db = stack.enter_context(closing(sqlite3.connect(db_path.as_uri() + "?mode=ro", uri=True)))
        current = list(
            _rows(
                db,
                "SELECT province, provinceShort, provinceCode, provinceLat, provinceLon, "
                "provinceKey, ward, wardShort, wardType, wardCode, wardLat, wardLon, "
                "wardAreaKm2, wardKey FROM admin_units ORDER BY provinceCode, wardCode",
            )
        )
        legacy = list(
            _rows(
                db,
                "SELECT province, provinceShort, provinceCode, provinceLat, provinceLon, "
                "provinceKey, district, districtShort, districtType, districtCode, districtLat, "
                "districtLon, districtKey, ward, wardShort, wardType, wardCode, wardLat, wardLon, "
                "wardKey FROM admin_units_legacy ORDER BY provinceCode, districtCode, wardCode",
            )
        )
    return build_map_source(current, legacy, converter)


def build_map_source(
    current: list[dict[str, Any]], legacy: list[dict[str, Any]], converter: dict[str, Any]
) -> MapSource:
    """Turn package rows into unit and edge specs; raise MapSourceError on contradictions."""
    opens = reform_date()
    closes = opens - timedelta(days=1)
    warnings: list[str] = []
    units: list[UnitSpec] = [
        UnitSpec(
            code=ROOT_CODE,
            official_code="",
            name=ROOT_NAME,
            short_name=ROOT_NAME,
            kind=UnitKind.COUNTRY,
            subkind=Subkind.COUNTRY,
            parent_code=None,
            valid_from=None,
            valid_to=None,
        )
    ]

    def type_check(name: str, kind: str, type_name: str | None, subkind: str, code: str) -> None:
        hinted = _type_subkind(kind, type_name)
        if type_name and hinted != subkind:
            warnings.append(
                _("Đơn vị %(code)s “%(name)s”: cột loại ghi “%(type)s”, dùng loại theo tên.")
                % {"code": code, "name": name, "type": type_name}
            )

    # 2025 provinces and communes.
    new_province_by_key: dict[str, str] = {}
    new_commune_by_key: dict[tuple[str, str], str] = {}
    areas: dict[str, list[float | None]] = defaultdict(list)
    for row in current:
        areas[row["provinceCode"]].append(row["wardAreaKm2"])
    for row in current:
        pcode = row["provinceCode"]
        if row["provinceKey"] not in new_province_by_key:
            new_province_by_key[row["provinceKey"]] = pcode
            name, subkind = _split_prefix(row["province"], UnitKind.PROVINCE, None)
            province_areas = areas[pcode]
            # The province's area is the sum of its communes' when every one is known.
            area = (
                round(sum(a for a in province_areas if a is not None), 2)
                if all(a is not None for a in province_areas)
                else None
            )
            units.append(
                UnitSpec(
                    code=pcode,
                    official_code=pcode,
                    name=name,
                    short_name=row["provinceShort"],
                    kind=UnitKind.PROVINCE,
                    subkind=subkind,
                    parent_code=ROOT_CODE,
                    valid_from=opens,
                    valid_to=None,
                    latitude=row["provinceLat"],
                    longitude=row["provinceLon"],
                    area_km2=area,
                )
            )
    for row in current:
        code = row["wardCode"]
        name, subkind = _split_prefix(row["ward"], UnitKind.COMMUNE, row["wardType"])
        type_check(name, UnitKind.COMMUNE, row["wardType"], subkind, code)
        new_commune_by_key[(row["provinceKey"], row["wardKey"])] = code
        units.append(
            UnitSpec(
                code=code,
                official_code=code,
                name=name,
                short_name=row["wardShort"],
                kind=UnitKind.COMMUNE,
                subkind=subkind,
                parent_code=row["provinceCode"],
                valid_from=opens,
                valid_to=None,
                latitude=row["wardLat"],
                longitude=row["wardLon"],
                area_km2=row["wardAreaKm2"],
            )
        )

    # Pre-2025 provinces, districts and communes.
    old_province_by_key: dict[str, str] = {}
    old_district_by_key: dict[str, str] = {}
    old_commune_by_key: dict[str, str] = {}
    for row in legacy:
        pcode = LEGACY_PREFIX + row["provinceCode"]
        dcode = LEGACY_PREFIX + row["districtCode"]
        if row["provinceKey"] not in old_province_by_key:
            old_province_by_key[row["provinceKey"]] = pcode
            name, subkind = _split_prefix(row["province"], UnitKind.PROVINCE, None)
            units.append(
                UnitSpec(
                    code=pcode,
                    official_code=row["provinceCode"],
                    name=name,
                    short_name=row["provinceShort"],
                    kind=UnitKind.PROVINCE,
                    subkind=subkind,
                    parent_code=ROOT_CODE,
                    valid_from=None,
                    valid_to=closes,
                    latitude=row["provinceLat"],
                    longitude=row["provinceLon"],
                )
            )
        district_key = f"{row['provinceKey']}_{row['districtKey']}"
        if district_key not in old_district_by_key:
            old_district_by_key[district_key] = dcode
            name, subkind = _split_prefix(row["district"], UnitKind.DISTRICT, row["districtType"])
            type_check(name, UnitKind.DISTRICT, row["districtType"], subkind, dcode)
            units.append(
                UnitSpec(
                    code=dcode,
                    official_code=row["districtCode"],
                    name=name,
                    short_name=row["districtShort"],
                    kind=UnitKind.DISTRICT,
                    subkind=subkind,
                    parent_code=pcode,
                    valid_from=None,
                    valid_to=closes,
                    latitude=row["districtLat"],
                    longitude=row["districtLon"],
                )
            )
        if row["ward"] is None:
            # An island district without communes; its lineage starts at the district.
            continue
        ccode = LEGACY_PREFIX + row["wardCode"]
        old_commune_by_key[f"{district_key}_{row['wardKey']}"] = ccode
        name, subkind = _split_prefix(row["ward"], UnitKind.COMMUNE, row["wardType"])
        type_check(name, UnitKind.COMMUNE, row["wardType"], subkind, ccode)
        units.append(
            UnitSpec(
                code=ccode,
                official_code=row["wardCode"],
                name=name,
                short_name=row["wardShort"],
                kind=UnitKind.COMMUNE,
                subkind=subkind,
                parent_code=dcode,
                valid_from=None,
                valid_to=closes,
                latitude=row["wardLat"],
                longitude=row["wardLon"],
            )
        )

    edges = _build_edges(
        converter,
        new_province_by_key=new_province_by_key,
        new_commune_by_key=new_commune_by_key,
        old_province_by_key=old_province_by_key,
        old_district_by_key=old_district_by_key,
        old_commune_by_key=old_commune_by_key,
    )
    codes = Counter(u.code for u in units)
    duplicates = sorted(c for c, n in codes.items() if n > 1)
    if duplicates:
        raise MapSourceError(
            _("Mã đơn vị bị trùng trong dữ liệu nguồn: %(codes)s.")
            % {"codes": ", ".join(duplicates[:10])}
        )
    return MapSource(units=units, edges=edges, warnings=warnings)


def _build_edges(
    converter: dict[str, Any],
    *,
    new_province_by_key: dict[str, str],
    new_commune_by_key: dict[tuple[str, str], str],
    old_province_by_key: dict[str, str],
    old_district_by_key: dict[str, str],
    old_commune_by_key: dict[str, str],
) -> list[EdgeSpec]:
    def missing(key: str) -> MapSourceError:
        return MapSourceError(
            _("Khóa “%(key)s” trong bảng chuyển đổi không có trong danh mục.") % {"key": key}
        )

    def old_unit(key: str) -> str:
        if key.endswith("_"):
            code = old_district_by_key.get(key[:-1])
        else:
            code = old_commune_by_key.get(key)
        if code is None:
            raise missing(key)
        return code

    def new_unit(province_key: str, ward_key: str) -> str:
        code = new_commune_by_key.get((province_key, ward_key))
        if code is None:
            raise missing(f"{province_key}/{ward_key}")
        return code

    edges: list[EdgeSpec] = []
    for new_key, old_keys in converter["DICT_PROVINCE"].items():
        if new_key not in new_province_by_key:
            raise missing(new_key)
        for old_key in old_keys:
            if old_key not in old_province_by_key:
                raise missing(old_key)
            edges.append(
                EdgeSpec(
                    old_province_by_key[old_key],
                    new_province_by_key[new_key],
                    LineageKind.MERGE,
                    True,
                )
            )
    for province_key, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, old_keys in wards.items():
            successor = new_unit(province_key, ward_key)
            for old_key in old_keys:
                edges.append(EdgeSpec(old_unit(old_key), successor, LineageKind.MERGE, True))
    for province_key, olds in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, parts in olds.items():
            predecessor = old_unit(old_key)
            if sum(1 for p in parts if p["isDefaultNewWard"]) != 1:
                raise MapSourceError(
                    _(
                        "Đơn vị cũ “%(key)s” bị chia tách nhưng không có đúng một "
                        "đơn vị kế thừa mặc định."
                    )
                    % {"key": old_key}
                )
            for part in parts:
                edges.append(
                    EdgeSpec(
                        predecessor,
                        new_unit(province_key, part["newWardKey"]),
                        LineageKind.SPLIT,
                        bool(part["isDefaultNewWard"]),
                    )
                )
    seen: set[tuple[str, str]] = set()
    for edge in edges:
        pair = (edge.predecessor, edge.successor)
        if pair in seen:
            raise MapSourceError(
                _("Quan hệ %(old)s → %(new)s xuất hiện hai lần trong bảng chuyển đổi.")
                % {"old": edge.predecessor, "new": edge.successor}
            )
        seen.add(pair)
    predecessors = set(old_commune_by_key.values())
    predecessors |= {old_district_by_key[k[:-1]] for k in _island_keys(converter)}
    linked = {e.predecessor for e in edges}
    unlinked = sorted(predecessors - linked)
    if unlinked:
        raise MapSourceError(
            _("Đơn vị cũ không có đơn vị kế thừa: %(codes)s.") % {"codes": ", ".join(unlinked[:10])}
        )
    return edges


def _island_keys(converter: dict[str, Any]) -> Iterator[str]:
    for wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].values():
        for old_keys in wards.values():
            yield from (k for k in old_keys if k.endswith("_"))


def crosscheck_current_units(units: Iterable[UnitSpec]) -> list[str]:
    """Compare 2025 units with ``vietnam-provinces``; return one warning per disagreement."""
    from vietnam_provinces import Province, Ward

    theirs: dict[str, tuple[str, str, str | None]] = {}
    for p in Province.iter_all():
        theirs[f"{int(p.code):02d}"] = (p.name, str(p.division_type.value), None)
    for w in Ward.iter_all():
        theirs[f"{int(w.code):05d}"] = (
            w.name,
            str(w.division_type.value),
            f"{int(w.province_code):02d}",
        )
    by_name: dict[tuple[str, str | None], str] = {}
    warnings: list[str] = []
    ours: set[str] = set()
    for unit in units:
        if unit.valid_to is not None or unit.kind not in (UnitKind.PROVINCE, UnitKind.COMMUNE):
            continue
        ours.add(unit.code)
        parent = unit.parent_code if unit.kind == UnitKind.COMMUNE else None
        their = theirs.get(unit.code)
        if their is None:
            if not by_name:
                by_name = {(fold(v[0]), v[2]): code for code, v in theirs.items()}
            other = by_name.get((fold(unit.name), parent)) or by_name.get(
                (fold(unit.short_name), parent)
            )
            warnings.append(
                _("vietnam-provinces: không có mã %(code)s (%(name)s)%(hint)s.")
                % {
                    "code": unit.code,
                    "name": unit.name,
                    "hint": (_(", ở đó mang mã %(other)s") % {"other": other}) if other else "",
                }
            )
            continue
        name, division, province = their
        if name not in (unit.name, unit.short_name) and fold(name) not in (
            fold(unit.name),
            fold(unit.short_name),
        ):
            warnings.append(
                _("vietnam-provinces: mã %(code)s là “%(theirs)s”, dữ liệu nhập là “%(ours)s”.")
                % {"code": unit.code, "theirs": name, "ours": unit.name}
            )
        if CROSSCHECK_SUBKINDS.get(_fold_type(division)) != unit.subkind:
            warnings.append(
                _("vietnam-provinces: mã %(code)s (%(name)s) thuộc loại “%(theirs)s”.")
                % {"code": unit.code, "name": unit.name, "theirs": division}
            )
        if province is not None and province != parent:
            warnings.append(
                _("vietnam-provinces: mã %(code)s (%(name)s) thuộc tỉnh %(theirs)s.")
                % {"code": unit.code, "name": unit.name, "theirs": province}
            )
    extra = sorted(set(theirs) - ours)
    if extra:
        warnings.append(
            _("vietnam-provinces: %(count)s mã không có trong dữ liệu nhập: %(codes)s.")
            % {"count": len(extra), "codes": ", ".join(extra)}
        )
    return warnings


# --- Writing ------------------------------------------------------------------------------


def _say(stdout: Writer | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


def _validate(obj: OrgUnit | Lineage, label: str) -> None:
    try:
        obj.full_clean(exclude=NO_ROW_QUERY, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise MapSourceError(
            _("Đơn vị %(code)s không hợp lệ: %(errors)s") % {"code": label, "errors": exc.messages}
        ) from exc


def _level(unit: UnitSpec, by_code: dict[str, UnitSpec]) -> int:
    level = 0
    parent = unit.parent_code
    while parent is not None:
        level += 1
        parent = by_code[parent].parent_code
    return level


def _sync_units(source: MapSource, report: ImportReport, stdout: Writer | None) -> dict[str, int]:
    """Create or update every catalogue unit, parents before children; return code → id."""
    by_code = {u.code: u for u in source.units}
    existing: dict[str, dict[str, Any]] = {
        row["code"]: row
        for row in OrgUnit.objects.filter(kind__in=MAP_KINDS).values("id", "code", *UNIT_FIELDS)
    }
    report.units_not_in_source = sum(1 for code in existing if code not in by_code)
    # code → (id, path, kind, valid_to): enough to place children and to let ``clean()``
    # check the parent without loading it.
    placed: dict[str, tuple[int, str, str, date | None]] = {}
    stubs: dict[str, OrgUnit] = {}

    def parent_stub(code: str) -> OrgUnit:
        if code not in stubs:
            pk, path, kind, valid_to = placed[code]
            stubs[code] = OrgUnit(pk=pk, code=code, path=path, kind=kind, valid_to=valid_to)
        return stubs[code]

    moved: list[tuple[str, str, int]] = []
    now = timezone.now()
    levels: dict[int, list[UnitSpec]] = defaultdict(list)
    for unit in source.units:
        levels[_level(unit, by_code)].append(unit)
    stage_names = {
        0: _("quốc gia"),
        1: _("tỉnh/thành phố"),
        2: _("quận/huyện cũ và xã/phường 2025"),
        3: _("xã/phường/thị trấn cũ"),
    }
    for level in sorted(levels):
        to_create: list[OrgUnit] = []
        to_update: list[OrgUnit] = []
        for spec in levels[level]:
            parent = placed[spec.parent_code] if spec.parent_code else None
            path = f"{parent[1] if parent else '/'}{spec.code}/"
            wanted = {
                "official_code": spec.official_code,
                "name": spec.name,
                "short_name": spec.short_name,
                "name_folded": fold(spec.name),
                "kind": spec.kind,
                "subkind": spec.subkind,
                "parent_id": parent[0] if parent else None,
                "path": path,
                "level": level,
                "valid_from": spec.valid_from,
                "valid_to": spec.valid_to,
                "latitude": spec.latitude,
                "longitude": spec.longitude,
                "area_km2": spec.area_km2,
            }
            row = existing.get(spec.code)
            if row is not None and all(row[f] == wanted[f] for f in UNIT_FIELDS):
                report.units_unchanged += 1
                placed[spec.code] = (row["id"], path, spec.kind, spec.valid_to)
                continue
            obj = OrgUnit(code=spec.code, **wanted)
            if spec.parent_code:
                obj.parent = parent_stub(spec.parent_code)
            _validate(obj, spec.code)
            if row is None:
                to_create.append(obj)
            else:
                obj.pk = row["id"]
                obj.updated_at = now
                to_update.append(obj)
                placed[spec.code] = (row["id"], path, spec.kind, spec.valid_to)
                if row["path"] != path:
                    moved.append((row["path"], path, level - row["level"]))
        if to_create:
            OrgUnit.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
            for obj in to_create:
                placed[obj.code] = (obj.pk, obj.path, obj.kind, obj.valid_to)
        if to_update:
            OrgUnit.objects.bulk_update(
                to_update, [*UNIT_FIELDS, "updated_at"], batch_size=BATCH_SIZE
            )
        report.units_created += len(to_create)
        report.units_updated += len(to_update)
        _say(
            stdout,
            _("Cấp %(stage)s: %(total)s đơn vị, thêm %(created)s, cập nhật %(updated)s.")
            % {
                "stage": stage_names.get(level, str(level)),
                "total": len(levels[level]),
                "created": len(to_create),
                "updated": len(to_update),
            },
        )
    report.descendants_moved = _move_descendants(moved)
    return {code: info[0] for code, info in placed.items()}


def _move_descendants(moved: list[tuple[str, str, int]]) -> int:
    """Rewrite paths of user-created units below catalogue units whose path changed."""
    count = 0
    for old_path, new_path, delta in moved:
        count += (
            OrgUnit.objects.filter(path__startswith=old_path)
            .exclude(kind__in=MAP_KINDS)
            .update(
                path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
                level=F("level") + delta,
                updated_at=timezone.now(),
            )
        )
    return count


def _sync_lineage(
    source: MapSource, ids: dict[str, int], report: ImportReport, stdout: Writer | None
) -> None:
    effective = reform_date()
    existing = {
        (row[1], row[2]): row
        for row in Lineage.objects.filter(
            predecessor__kind__in=MAP_KINDS, successor__kind__in=MAP_KINDS
        ).values_list("id", "predecessor_id", "successor_id", *LINEAGE_FIELDS)
    }
    wanted_pairs: set[tuple[int, int]] = set()
    to_create: list[Lineage] = []
    to_update: list[Lineage] = []
    now = timezone.now()
    for edge in source.edges:
        pair = (ids[edge.predecessor], ids[edge.successor])
        wanted_pairs.add(pair)
        row = existing.get(pair)
        if row is not None and tuple(row[3:]) == (edge.kind, edge.is_default, effective):
            report.lineage_unchanged += 1
            continue
        obj = Lineage(
            predecessor_id=pair[0],
            successor_id=pair[1],
            kind=edge.kind,
            is_default=edge.is_default,
            effective_date=effective,
        )
        _validate(obj, f"{edge.predecessor} → {edge.successor}")
        if row is None:
            to_create.append(obj)
        else:
            obj.pk = row[0]
            obj.updated_at = now
            to_update.append(obj)
    if to_create:
        Lineage.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    if to_update:
        Lineage.objects.bulk_update(
            to_update, [*LINEAGE_FIELDS, "updated_at"], batch_size=BATCH_SIZE
        )
    report.lineage_created = len(to_create)
    report.lineage_updated = len(to_update)
    report.lineage_not_in_source = sum(1 for pair in existing if pair not in wanted_pairs)
    _say(
        stdout,
        _("Sáp nhập/chia tách: %(total)s quan hệ, thêm %(created)s, cập nhật %(updated)s.")
        % {"total": len(source.edges), "created": len(to_create), "updated": len(to_update)},
    )


def _count(source: MapSource, report: ImportReport) -> None:
    subkinds: Counter[str] = Counter()
    for unit in source.units:
        current = unit.valid_to is None
        if unit.kind == UnitKind.PROVINCE:
            if current:
                report.current_provinces += 1
            else:
                report.legacy_provinces += 1
        elif unit.kind == UnitKind.DISTRICT:
            report.legacy_districts += 1
        elif unit.kind == UnitKind.COMMUNE:
            if current:
                report.current_communes += 1
                subkinds[unit.subkind] += 1
            else:
                report.legacy_communes += 1
    report.current_communes_by_subkind = dict(sorted(subkinds.items()))
    report.lineage_merge = sum(1 for e in source.edges if e.kind == LineageKind.MERGE)
    report.lineage_split = sum(1 for e in source.edges if e.kind == LineageKind.SPLIT)


@transaction.atomic
def orgunits_import_map(*, actor: Any = None, stdout: Writer | None = None) -> ImportReport:
    """Bring the administrative map in the database in line with the unit packages.

    Writes only differences, in bulk, in one transaction, and records one audit event when
    anything changed. ``stdout`` (anything with ``write``) receives one line per stage.
    Raises ``MapSourceError`` (and writes nothing) when the package data is inconsistent.
    """
    started = time.perf_counter()
    report = ImportReport()
    _say(stdout, _("Đọc dữ liệu đơn vị hành chính từ gói vietnamadminunits…"))
    source = load_map_source()
    _count(source, report)
    report.warnings.extend(source.warnings)
    _say(stdout, _("Đối chiếu mã và loại đơn vị 2025 với gói vietnam-provinces…"))
    report.warnings.extend(crosscheck_current_units(source.units))
    ids = _sync_units(source, report, stdout)
    _sync_lineage(source, ids, report, stdout)
    if report.changed:
        # Bulk writes bypass the model signals: record the change in one step.
        structure_changed(sender=OrgUnit)
        root = OrgUnit.objects.get(code=ROOT_CODE)
        audit_event_record(
            actor=actor,
            action="orgunit.map_import",
            obj=root,
            orgunit=root,
            after=report.summary(),
        )
    report.elapsed_seconds = time.perf_counter() - started
    return report

"""Writes to the administrative map made by users: villages and establishments.

Invariants:
- Users create only villages and establishments, and only under a commune that is open
  today. Provinces, communes and their lineage come from the official catalogue import.
- Codes are ``<commune code>-T<nnn>`` (villages) and ``<commune code>-E<nnn>``
  (establishments): the next free number in that commune, taken while the commune row is
  locked (``SELECT ... FOR UPDATE``; SQLite serialises writers itself), so concurrent
  creators never collide. Numbers are never reused because units are closed, never deleted.
- No two open units of the same kind in one commune share a name once diacritics and case
  are folded ("Thôn Đông" and "thon dong" are the same name).
- The actor must hold ``CHANGE_UNITS`` on the commune (or the unit being edited); otherwise
  ``PermissionDenied`` is raised and callers answer 404, as for a missing unit.
- Audit: every created, edited or closed unit gets one ``AuditEvent`` (``orgunit.create``,
  ``orgunit.update``, ``orgunit.close``). A bulk import writes one such event per created
  unit (so each unit's history starts with its creation) plus one ``orgunit.import`` event
  on the commune summarising the batch (row count, source file name).
- A village or establishment exists once across the 2025 reform: it sits under its current
  commune and may keep the pre-2025 commune it belonged to (``former_parent``), which must
  be a closed commune whose lineage reaches the current one. Created "under" a closed
  commune, it goes under that commune's current successor (the default one of a split, or
  the one chosen) with the closed commune as ``former_parent``. The same name among the open
  units of the current commune, or among the former units of the old commune, is the same
  place and is refused, naming the existing row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.accounts import permissions
from binhyen.core.actors import Actor
from binhyen.core.services import audit_event_record, model_snapshot
from binhyen.core.tabular import BulkValidationError as BulkValidationError
from binhyen.core.tabular import RowError as RowError
from binhyen.core.text import clean_text, fold
from binhyen.orgunits.history import can_record, predecessor_ids, successor_map, successors_of
from binhyen.orgunits.models import (
    HOUSEHOLDS_MAX,
    LEGACY_PREFIX,
    POPULATION_MAX,
    SUBKINDS_BY_KIND,
    OrgUnit,
    UnitKind,
)

CREATABLE_KINDS: tuple[str, ...] = (UnitKind.VILLAGE, UnitKind.ESTABLISHMENT)
CODE_LETTERS: dict[str, str] = {UnitKind.VILLAGE: "T", UnitKind.ESTABLISHMENT: "E"}
# Fields users may edit on the units they create, and on catalogue units (communes, ...).
CHILD_FIELDS: tuple[str, ...] = (
    "name",
    "subkind",
    "latitude",
    "longitude",
    "population",
    "households",
    "address",
    "note",
)
CATALOGUE_FIELDS: tuple[str, ...] = ("population", "households", "note")
SNAPSHOT_FIELDS: list[str] = [
    "code",
    "name",
    "kind",
    "subkind",
    "parent",
    "former_parent",
    *CHILD_FIELDS[2:],
]
NAME_MAX = 200
ADDRESS_MAX = 255
CODE_MAX = 32


@dataclass
class UnitInput:
    """One village or establishment to create, as parsed from a form, the API or a file."""

    name: str
    subkind: str
    kind: str = ""
    code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    population: int | None = None
    households: int | None = None
    address: str = ""
    note: str = ""
    # The pre-2025 commune the unit belonged to (a closed commune), if any.
    former_parent: OrgUnit | None = None
    # Row number as the user sees it in the source file (None outside imports).
    row: int | None = None

    def __post_init__(self) -> None:
        self.name = (self.name or "").strip()
        self.subkind = (self.subkind or "").strip()
        self.address = (self.address or "").strip()
        self.note = (self.note or "").strip()
        self.code = (self.code or "").strip() or None
        if not self.kind:
            self.kind = kind_of_subkind(self.subkind) or ""


def kind_of_subkind(subkind: str) -> str | None:
    """Return the creatable kind a subkind belongs to (``thon`` → village), or None."""
    for kind in CREATABLE_KINDS:
        if subkind in SUBKINDS_BY_KIND[kind]:
            return kind
    return None


def editable_fields(unit: OrgUnit) -> tuple[str, ...]:
    """Return the fields users may change on ``unit``."""
    return (*CHILD_FIELDS, "former_parent") if unit.kind in CREATABLE_KINDS else CATALOGUE_FIELDS


def former_communes_of(commune: OrgUnit) -> list[OrgUnit]:
    """Return the pre-2025 communes whose lineage reaches ``commune`` (by name): the former
    communes a village of ``commune`` may have."""
    if commune.kind != UnitKind.COMMUNE or not commune.is_current:
        return []
    closed = list(
        OrgUnit.objects.filter(
            pk__in=predecessor_ids([commune.path]), kind=UnitKind.COMMUNE, valid_to__isnull=False
        ).order_by("name_folded", "code")
    )
    reached = successor_map([c.pk for c in closed])
    return [c for c in closed if commune.pk in reached.get(c.pk, [])]


_COMMUNE_PREFIXES = ("xa ", "phuong ", "thi tran ")


def _bare_name(folded: str) -> str:
    for prefix in _COMMUNE_PREFIXES:
        if folded.startswith(prefix):
            return folded[len(prefix) :]
    return folded


def former_commune_find(text: str, *, commune: OrgUnit) -> OrgUnit:
    """Return the pre-2025 commune named by ``text`` for a unit of ``commune``.

    ``text`` is the old commune's code (with or without the ``L`` prefix) or its name (with
    or without diacritics, with or without "Xã"/"Phường"), looked up among the pre-2025
    communes of ``commune``'s province. Raises ``ValidationError`` (``former_parent``) when
    none or several match; whether it leads to ``commune`` is checked by the callers.
    """
    value = (text or "").strip()
    if any(ord(ch) < 32 for ch in value):
        # Control characters (NUL among them) are never part of a code or a name.
        value = "".join(ch for ch in value if ord(ch) >= 32)
        raise ValidationError(
            {
                "former_parent": _(
                    "Không tìm thấy xã/phường cũ “%(text)s” trong tỉnh (nhập mã hoặc tên)."
                )
                % {"text": value}
            }
        )
    province = next(
        (
            u
            for u in OrgUnit.objects.filter(code__in=commune.ancestor_codes, kind=UnitKind.PROVINCE)
        ),
        None,
    )
    scope = [province.path] if province is not None else [commune.path]
    candidates = OrgUnit.objects.filter(
        pk__in=predecessor_ids(scope), kind=UnitKind.COMMUNE, valid_to__isnull=False
    )
    code = value.upper()
    found = list(
        candidates.filter(code__in={code, f"{LEGACY_PREFIX}{code}"}).order_by("code")
    ) or list(candidates.filter(official_code=code.removeprefix(LEGACY_PREFIX)))
    if not found and value:
        folded = fold(value)
        bare = _bare_name(folded)
        found = [
            u
            for u in candidates.order_by("name_folded", "code")
            if u.name_folded == folded or _bare_name(u.name_folded) == bare
        ]
    if len(found) == 1:
        return found[0]
    parts = [p for p in re.split(r"[,;/]", value) if p.strip()] if not found else []
    if len(parts) > 1:
        raise ValidationError(
            {
                "former_parent": _(
                    "Mỗi thôn, tổ dân phố hoặc cơ sở chỉ thuộc một xã/phường cũ: nhập một mã "
                    "hoặc một tên, không phải %(count)s (“%(text)s”)."
                )
                % {"count": len(parts), "text": value}
            }
        )
    if not found:
        raise ValidationError(
            {
                "former_parent": _(
                    "Không tìm thấy xã/phường cũ “%(text)s” trong tỉnh (nhập mã hoặc tên)."
                )
                % {"text": value}
            }
        )
    raise ValidationError(
        {
            "former_parent": _("Có nhiều xã/phường cũ tên “%(text)s”: nhập mã (%(codes)s).")
            % {"text": value, "codes": ", ".join(u.official_code or u.code for u in found)}
        }
    )


def _former_error(commune: OrgUnit, former: OrgUnit) -> str | None:
    """Return why ``former`` cannot be the former commune of a unit of ``commune``, or None."""
    if former.kind != UnitKind.COMMUNE or former.is_current:
        return _("“%(unit)s” không phải một xã/phường trước 01/07/2025.") % {"unit": former.name}
    if commune.pk in successor_map([former.pk]).get(former.pk, []):
        return None
    valid = former_communes_of(commune)
    if valid:
        return _(
            "%(former)s không được sắp xếp vào %(commune)s. Xã/phường cũ hợp lệ: %(valid)s."
        ) % {
            "former": former.name,
            "commune": commune.name,
            "valid": ", ".join(f"{c.name} ({c.official_code or c.code})" for c in valid),
        }
    return _(
        "%(former)s không được sắp xếp vào %(commune)s; %(commune)s không có xã/phường cũ."
    ) % {
        "former": former.name,
        "commune": commune.name,
    }


def resolve_parents(
    parent: OrgUnit, former_parent: OrgUnit | None = None, successor: OrgUnit | None = None
) -> tuple[OrgUnit, OrgUnit | None]:
    """Return (current commune, former commune) of a unit to create "under" ``parent``.

    Under a closed commune the unit goes to its current successor (``successor`` when given,
    one of the closed commune's successors; else the default one) and keeps the closed
    commune as its former commune. Raises ``ValidationError`` naming the field.
    """
    if parent.kind == UnitKind.COMMUNE and not parent.is_current:
        if former_parent is not None and former_parent.pk != parent.pk:
            raise ValidationError(
                {
                    "former_parent": _(
                        "Đơn vị đang thêm vào một xã/phường cũ: không chọn xã/phường cũ khác."
                    )
                }
            )
        successors = [s for s in successors_of(parent) if s.kind == UnitKind.COMMUNE]
        if not successors:
            raise ValidationError(
                {
                    "parent": _("%(unit)s đã giải thể và không có xã/phường kế thừa.")
                    % {"unit": parent.name}
                }
            )
        if successor is None:
            return successors[0], parent
        if successor.pk not in {s.pk for s in successors}:
            raise ValidationError(
                {
                    "successor": _(
                        "%(unit)s không phải đơn vị kế thừa của %(former)s. "
                        "Chọn một trong: %(valid)s."
                    )
                    % {
                        "unit": successor.name,
                        "former": parent.name,
                        "valid": ", ".join(s.name for s in successors),
                    }
                }
            )
        return successor, parent
    if successor is not None:
        raise ValidationError(
            {"successor": _("Chỉ chọn đơn vị kế thừa khi thêm vào một xã/phường cũ.")}
        )
    if former_parent is not None and parent.kind == UnitKind.COMMUNE:
        problem = _former_error(parent, former_parent)
        if problem:
            raise ValidationError({"former_parent": problem})
    return parent, former_parent


def _require_change(actor: Actor, unit: OrgUnit) -> None:
    if not permissions.has_perm_on(actor, permissions.CHANGE_UNITS, unit):
        raise PermissionDenied(_("Bạn không có quyền thay đổi đơn vị này."))


def _check_parent(parent: OrgUnit) -> None:
    if parent.kind != UnitKind.COMMUNE:
        raise ValidationError(
            {
                "parent": _(
                    "Chỉ có thể thêm thôn, tổ dân phố, cơ quan, doanh nghiệp dưới một xã/phường."
                )
            }
        )
    if not parent.is_current:
        raise ValidationError(
            {"parent": _("Không thể thêm đơn vị mới vào một xã/phường đã giải thể.")}
        )


def _taken_names(parent: OrgUnit, exclude_pk: int | None = None) -> dict[str, set[str]]:
    """Return the folded names of the open villages and establishments of ``parent`` per kind."""
    taken: dict[str, set[str]] = {kind: set() for kind in CREATABLE_KINDS}
    rows = OrgUnit.objects.filter(parent=parent, kind__in=CREATABLE_KINDS, valid_to__isnull=True)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    for kind, name_folded in rows.values_list("kind", "name_folded"):
        taken[kind].add(name_folded)
    return taken


def _same_place_message(unit: OrgUnit) -> str:
    """Say that ``unit`` already is this place (same name in the same old commune)."""
    return _(
        "%(former)s đã có “%(name)s” (mã %(code)s, nay thuộc %(commune)s): "
        "đó là cùng một nơi, không tạo thêm."
    ) % {
        "former": unit.former_parent.name if unit.former_parent else "",
        "name": unit.name,
        "code": unit.code,
        "commune": unit.parent.name if unit.parent else "",
    }


def _duplicate_message(kind: str) -> str:
    if kind == UnitKind.VILLAGE:
        return _("Xã/phường đã có một thôn, tổ dân phố cùng tên.")
    return _("Xã/phường đã có một cơ quan, doanh nghiệp, cơ sở giáo dục cùng tên.")


def _text_fields() -> dict[str, tuple[str, bool]]:
    """Return the label and multi-line flag of each free-text field, in the active language."""
    return {
        "name": (_("Tên"), False),
        "subkind": (_("Loại đơn vị"), False),
        "address": (_("Địa chỉ"), False),
        "note": (_("Ghi chú"), True),
    }


def _field_errors(data: UnitInput) -> dict[str, str]:
    """Check one input on its own (no database): kinds, lengths, ranges."""
    errors: dict[str, str] = {}
    if data.kind not in CREATABLE_KINDS:
        errors["kind"] = _("Chỉ được thêm thôn, tổ dân phố hoặc cơ quan, doanh nghiệp, trường học.")
    if not data.subkind:
        errors["subkind"] = _("Hãy chọn loại đơn vị.")
    elif data.subkind not in SUBKINDS_BY_KIND.get(data.kind, ()):
        errors["subkind"] = _("Loại đơn vị không phù hợp với cấp đã chọn.")
    if not data.name:
        errors["name"] = _("Tên không được để trống.")
    elif len(data.name) > NAME_MAX:
        errors["name"] = _("Tên dài quá %(max)s ký tự.") % {"max": NAME_MAX}
    for name, (label, multiline) in _text_fields().items():
        if name == "subkind":
            continue
        try:
            setattr(data, name, clean_text(getattr(data, name), label=label, multiline=multiline))
        except ValidationError as exc:
            errors[name] = exc.messages[0]
    if len(data.address) > ADDRESS_MAX:
        errors["address"] = _("Địa chỉ dài quá %(max)s ký tự.") % {"max": ADDRESS_MAX}
    if data.latitude is not None and not (-90 <= data.latitude <= 90):
        errors["latitude"] = _("Vĩ độ phải nằm trong khoảng -90 đến 90.")
    if data.longitude is not None and not (-180 <= data.longitude <= 180):
        errors["longitude"] = _("Kinh độ phải nằm trong khoảng -180 đến 180.")
    if (data.latitude is None) != (data.longitude is None) and not (
        {"latitude", "longitude"} & errors.keys()
    ):
        missing = "longitude" if data.longitude is None else "latitude"
        errors[missing] = _("Cần nhập cả vĩ độ và kinh độ, hoặc để trống cả hai.")
    for name, limit in (("population", POPULATION_MAX), ("households", HOUSEHOLDS_MAX)):
        value = getattr(data, name)
        if value is not None and value < 0:
            errors[name] = _("Phải là số nguyên không âm.")
        elif value is not None and value > limit:
            errors[name] = _("Không được lớn hơn %(limit_value)s.") % {"limit_value": limit}
    return errors


def orgunit_inputs_validate(*, parent: OrgUnit, inputs: Sequence[UnitInput]) -> list[RowError]:
    """Return every problem of ``inputs`` as new children of ``parent`` (nothing is written).

    Covers each input on its own, duplicate names and codes within the batch, and clashes
    with the open units already in the commune. The row of an input is ``input.row`` or its
    position counted from 1.
    """
    _check_parent(parent)
    errors: list[RowError] = []
    taken = _taken_names(parent)
    # The open units already in the commune, and those already kept by each old commune
    # (the same name there is the same place), by (kind, folded name).
    present = {
        (u.kind, u.name_folded): u
        for u in OrgUnit.objects.filter(
            parent=parent, kind__in=CREATABLE_KINDS, valid_to__isnull=True
        ).select_related("parent", "former_parent")
    }
    formers = {d.former_parent.pk for d in inputs if d.former_parent is not None}
    former_present = {
        (u.former_parent_id, u.kind, u.name_folded): u
        for u in OrgUnit.objects.filter(
            former_parent_id__in=formers, kind__in=CREATABLE_KINDS, valid_to__isnull=True
        ).select_related("parent", "former_parent")
    }
    checked_formers: dict[int, str | None] = {}
    batch_formers: dict[tuple[str, str], OrgUnit | None] = {}
    seen_codes: set[str] = set()
    explicit = [d.code for d in inputs if d.code]
    existing_codes = set(OrgUnit.objects.filter(code__in=explicit).values_list("code", flat=True))
    for index, data in enumerate(inputs, start=1):
        row = data.row if data.row is not None else index
        problems = _field_errors(data)
        former = data.former_parent
        if former is not None:
            if former.pk not in checked_formers:
                checked_formers[former.pk] = _former_error(parent, former)
            if checked_formers[former.pk]:
                problems["former_parent"] = str(checked_formers[former.pk])
        if "name" not in problems and data.kind in taken:
            folded = fold(data.name)
            key = (data.kind, folded)
            existing = present.get(key)
            same_place = (
                former_present.get((former.pk, data.kind, folded)) if former is not None else None
            )
            if key in batch_formers:
                other = batch_formers[key]
                if former is not None and other is not None and other.pk != former.pk:
                    problems["former_parent"] = _(
                        "“%(name)s” đã có ở một dòng khác với xã/phường cũ %(other)s: "
                        "một nơi chỉ có một xã/phường cũ."
                    ) % {"name": data.name, "other": other.name}
                else:
                    problems["name"] = _duplicate_message(data.kind)
            elif existing is not None:
                if (
                    former is not None
                    and existing.former_parent is not None
                    and existing.former_parent_id != former.pk
                ):
                    problems["former_parent"] = _(
                        "“%(name)s” đã có (mã %(code)s) với xã/phường cũ %(other)s."
                    ) % {
                        "name": existing.name,
                        "code": existing.code,
                        "other": existing.former_parent.name,
                    }
                elif former is not None and existing.former_parent_id == former.pk:
                    problems["name"] = _same_place_message(existing)
                else:
                    problems["name"] = _duplicate_message(data.kind)
            elif same_place is not None:
                problems["name"] = _same_place_message(same_place)
            elif folded in taken[data.kind]:
                problems["name"] = _duplicate_message(data.kind)
            taken[data.kind].add(folded)
            batch_formers.setdefault(key, former)
        if data.code:
            prefix = f"{parent.code}-"
            if not data.code.startswith(prefix) or "/" in data.code or len(data.code) > CODE_MAX:
                problems["code"] = _(
                    "Mã phải bắt đầu bằng “%(prefix)s” và dài tối đa %(max)s ký tự."
                ) % {"prefix": prefix, "max": CODE_MAX}
            elif data.code in existing_codes or data.code in seen_codes:
                problems["code"] = _("Mã này đã được dùng cho một đơn vị khác.")
            seen_codes.add(data.code)
        errors.extend(RowError(row=row, field=name, message=msg) for name, msg in problems.items())
    return errors


_NUMBER = re.compile(r"(\d+)$")


def _next_numbers(parent: OrgUnit) -> dict[str, int]:
    """Return the next free number per code letter in ``parent`` (call with the parent locked)."""
    numbers: dict[str, int] = {}
    for kind, letter in CODE_LETTERS.items():
        prefix = f"{parent.code}-{letter}"
        highest = 0
        for code in OrgUnit.objects.filter(code__startswith=prefix).values_list("code", flat=True):
            suffix = code[len(prefix) :]
            if suffix.isdigit():
                highest = max(highest, int(suffix))
        numbers[kind] = highest + 1
    return numbers


def _lock(unit: OrgUnit) -> OrgUnit:
    return OrgUnit.objects.select_for_update().get(pk=unit.pk)


def _build(parent: OrgUnit, data: UnitInput, code: str) -> OrgUnit:
    unit = OrgUnit(
        code=code,
        name=data.name,
        kind=data.kind,
        subkind=data.subkind,
        parent=parent,
        former_parent=data.former_parent,
        latitude=data.latitude,
        longitude=data.longitude,
        population=data.population,
        households=data.households,
        address=data.address,
        note=data.note,
    )
    unit.path, unit.level = unit.compute_path()
    unit.name_folded = fold(unit.name)
    return unit


def _take_code(parent: OrgUnit, data: UnitInput, numbers: dict[str, int], used: set[str]) -> str:
    if data.code:
        return data.code
    letter = CODE_LETTERS[data.kind]
    while True:
        code = f"{parent.code}-{letter}{numbers[data.kind]:03d}"
        numbers[data.kind] += 1
        if code not in used:
            return code


def _raise_fields(errors: list[RowError]) -> None:
    """Raise the problems of a single input as a field-keyed ``ValidationError``."""
    if errors:
        by_field: dict[str, str] = {}
        for error in errors:
            by_field.setdefault(error.field, error.message)
        raise ValidationError(by_field)


@transaction.atomic
def orgunit_create(
    *,
    actor: Actor,
    parent: OrgUnit,
    kind: str,
    subkind: str,
    name: str,
    code: str | None = None,
    latitude: float | None = None,
    longitude: float | None = None,
    population: int | None = None,
    households: int | None = None,
    address: str = "",
    note: str = "",
    former_parent: OrgUnit | None = None,
    successor: OrgUnit | None = None,
) -> OrgUnit:
    """Create one village or establishment under the open commune ``parent``.

    ``parent`` may also be a pre-2025 commune: the unit then goes under its current
    successor (``successor``, or the default one) and keeps it as ``former_parent``; see
    ``resolve_parents``. ``former_parent`` alone names the old commune of a unit created
    under its current commune.
    """
    if parent.is_current:
        _require_change(actor, parent)
    elif not can_record(actor, permissions.CHANGE_UNITS, parent):
        raise PermissionDenied(_("Bạn không có quyền thay đổi đơn vị này."))
    parent, former_parent = resolve_parents(parent, former_parent, successor)
    _require_change(actor, parent)
    parent = _lock(parent)
    data = UnitInput(
        former_parent=former_parent,
        name=name,
        subkind=subkind,
        kind=kind,
        code=code,
        latitude=latitude,
        longitude=longitude,
        population=population,
        households=households,
        address=address,
        note=note,
    )
    _raise_fields(orgunit_inputs_validate(parent=parent, inputs=[data]))
    numbers = _next_numbers(parent)
    unit = _build(parent, data, _take_code(parent, data, numbers, set()))
    unit.full_clean()
    unit.save()
    audit_event_record(
        actor=actor,
        action="orgunit.create",
        obj=unit,
        orgunit=unit,
        after=model_snapshot(unit, SNAPSHOT_FIELDS),
    )
    return unit


@transaction.atomic
def orgunit_bulk_create(
    *, actor: Actor, commune: OrgUnit, rows: Sequence[UnitInput], source: str = ""
) -> list[OrgUnit]:
    """Create every row under ``commune`` or none: ``BulkValidationError`` lists all problems.

    ``source`` names the imported file in the summary audit event.
    """
    _require_change(actor, commune)
    commune = _lock(commune)
    if not rows:
        raise BulkValidationError(
            row_errors=[RowError(row=1, field="name", message=_("Tệp không có dòng dữ liệu nào."))]
        )
    errors = orgunit_inputs_validate(parent=commune, inputs=rows)
    if errors:
        raise BulkValidationError(row_errors=errors)
    numbers = _next_numbers(commune)
    used = {d.code for d in rows if d.code}
    units: list[OrgUnit] = []
    for data in rows:
        unit = _build(commune, data, _take_code(commune, data, numbers, used))
        used.add(unit.code)
        try:
            # Uniqueness was settled above under the commune lock: skip its per-row queries.
            unit.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            row = data.row if data.row is not None else len(units) + 1
            raise BulkValidationError(
                row_errors=[
                    RowError(row=row, field=name, message=str(msg))
                    for name, messages in exc.message_dict.items()
                    for msg in messages
                ]
            ) from exc
        units.append(unit)
    created = OrgUnit.objects.bulk_create(units, batch_size=500)
    if any(u.pk is None for u in created):
        # Backends that do not return keys from bulk inserts: read them back by code.
        ids = dict(
            OrgUnit.objects.filter(code__in=[u.code for u in created]).values_list("code", "pk")
        )
        for unit in created:
            unit.pk = ids[unit.code]
    for unit in created:
        unit._state.adding = False
        audit_event_record(
            actor=actor,
            action="orgunit.create",
            obj=unit,
            orgunit=unit,
            after={**model_snapshot(unit, SNAPSHOT_FIELDS), "via": "import"},
        )
    audit_event_record(
        actor=actor,
        action="orgunit.import",
        obj=commune,
        orgunit=commune,
        after={"created": len(created), "source": source[:200]},
    )
    return created


def orgunit_update_validate(*, unit: OrgUnit, fields: dict[str, Any]) -> dict[str, Any]:
    """Return ``fields`` cleaned for ``unit``; raise ``ValidationError`` naming each bad field."""
    allowed = editable_fields(unit)
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in allowed:
            errors[name] = _("Không được sửa trường này ở cấp đơn vị này.")
            continue
        if name == "former_parent":
            if value is not None and not isinstance(value, OrgUnit):
                errors[name] = _("Không tìm thấy xã/phường cũ này.")
                continue
        elif name in ("name", "subkind", "address", "note"):
            label, multiline = _text_fields()[name]
            try:
                value = clean_text(value, label=label, multiline=multiline)
            except ValidationError as exc:
                errors[name] = exc.messages[0]
                continue
        cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    if unit.kind in CREATABLE_KINDS:
        merged = UnitInput(
            name=cleaned.get("name", unit.name),
            subkind=cleaned.get("subkind", unit.subkind),
            kind=unit.kind,
            latitude=cleaned.get("latitude", unit.latitude),
            longitude=cleaned.get("longitude", unit.longitude),
            population=cleaned.get("population", unit.population),
            households=cleaned.get("households", unit.households),
            address=cleaned.get("address", unit.address),
            note=cleaned.get("note", unit.note),
        )
        problems = {k: v for k, v in _field_errors(merged).items() if k != "kind"}
        parent = unit.parent
        if "name" in cleaned and "name" not in problems and parent is not None:
            taken = _taken_names(parent, exclude_pk=unit.pk)
            if unit.is_current and fold(merged.name) in taken[unit.kind]:
                problems["name"] = _duplicate_message(unit.kind)
        former = cleaned.get("former_parent", unit.former_parent)
        if cleaned.get("former_parent") is not None and parent is not None:
            problem = _former_error(parent, cleaned["former_parent"])
            if problem:
                problems["former_parent"] = problem
        if former is not None and "name" not in problems and "former_parent" not in problems:
            same = (
                OrgUnit.objects.filter(
                    former_parent=former,
                    kind=unit.kind,
                    name_folded=fold(merged.name),
                    valid_to__isnull=True,
                )
                .exclude(pk=unit.pk)
                .select_related("parent", "former_parent")
                .first()
            )
            if same is not None:
                problems["former_parent"] = _same_place_message(same)
    else:
        problems = {}
        for name, limit in (("population", POPULATION_MAX), ("households", HOUSEHOLDS_MAX)):
            value = cleaned.get(name)
            if value is not None and value < 0:
                problems[name] = _("Phải là số nguyên không âm.")
            elif value is not None and value > limit:
                problems[name] = _("Không được lớn hơn %(limit_value)s.") % {"limit_value": limit}
    if problems:
        raise ValidationError(problems)
    return cleaned


@transaction.atomic
def orgunit_update(*, actor: Actor, unit: OrgUnit, **fields: Any) -> OrgUnit:
    """Change the editable fields of ``unit`` (see ``editable_fields``); audit what changed."""
    _require_change(actor, unit)
    # Lock the row alone: PostgreSQL refuses FOR UPDATE across the nullable parent join.
    unit = _lock(unit)
    cleaned = orgunit_update_validate(unit=unit, fields=fields)
    changed = [name for name, value in cleaned.items() if getattr(unit, name) != value]
    if not changed:
        return unit
    before = model_snapshot(unit, changed)
    for name in changed:
        setattr(unit, name, cleaned[name])
    if "name" in changed:
        unit.name_folded = fold(unit.name)
        changed.append("name_folded")
    unit.full_clean()
    unit.save(update_fields=[*changed, "updated_at"])
    audit_event_record(
        actor=actor,
        action="orgunit.update",
        obj=unit,
        orgunit=unit,
        before=before,
        after=model_snapshot(unit, [n for n in changed if n != "name_folded"]),
    )
    return unit


@transaction.atomic
def orgunit_close(*, actor: Actor, unit: OrgUnit, valid_to: date) -> OrgUnit:
    """Close a village or establishment on ``valid_to`` (its last day); units are never deleted."""
    _require_change(actor, unit)
    unit = _lock(unit)
    if unit.kind not in CREATABLE_KINDS:
        raise ValidationError(
            {"valid_to": _("Chỉ thôn, tổ dân phố, cơ quan, doanh nghiệp mới được đóng tại đây.")}
        )
    if not unit.is_current:
        raise ValidationError({"valid_to": _("Đơn vị này đã giải thể.")})
    if valid_to > timezone.localdate():
        raise ValidationError({"valid_to": _("Ngày giải thể không được sau ngày hôm nay.")})
    if unit.valid_from is not None and valid_to < unit.valid_from:
        raise ValidationError({"valid_to": _("Ngày giải thể không được trước ngày hiệu lực.")})
    unit.valid_to = valid_to
    unit.full_clean()
    unit.save(update_fields=["valid_to", "updated_at"])
    audit_event_record(
        actor=actor,
        action="orgunit.close",
        obj=unit,
        orgunit=unit,
        before={"valid_to": None},
        after={"valid_to": valid_to},
    )
    return unit

"""The provincial catalogue of scheme types (loại mô hình).

Invariants:
- Only a province's managers change its types; national types (no province) are changed by
  national staff only. Missing permission raises ``PermissionDenied`` (callers answer 404).
- A type's code is unique within its province (and among national types); a code made from
  the name is suffixed until it is.
- Marking a type typical records one ``AuditEvent``; the hotspots app reads it through
  ``selectors.communes_with_active_typical_scheme``.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from binhyen.community import permissions as community_perms
from binhyen.community import providers
from binhyen.community.models import (
    SchemeCategory,
    SchemeType,
)
from binhyen.community.services.checks import NAME_MAX, _clean_model, _raise, _text
from binhyen.community.services.metrics import _resync
from binhyen.core.actors import Actor
from binhyen.core.services import audit_event_record, model_snapshot
from binhyen.core.text import fold
from binhyen.orgunits.models import OrgUnit, UnitKind

TYPE_FIELDS = ["province", "code", "name", "name_en", "category", "is_active", "sort_order"]

# --- scheme types ----------------------------------------------------------------------------


def _code_from_name(name: str) -> str:
    code = re.sub(r"[^a-z0-9]+", "_", fold(name)).strip("_")[:32].strip("_")
    if not code or not code[0].isalpha():
        code = f"mh_{code}"[:32].strip("_")
    return code or "mo_hinh"


def _unique_type_code(base: str, province: OrgUnit | None, exclude: int | None = None) -> str:
    code = base
    number = 2
    while True:
        clash = SchemeType.objects.filter(code=code).filter(
            Q(province__isnull=True) | Q(province=province)
        )
        if exclude is not None:
            clash = clash.exclude(pk=exclude)
        if not clash.exists():
            return code
        suffix = f"_{number}"
        code = f"{base[: 32 - len(suffix)]}{suffix}"
        number += 1


def _check_type_fields(
    *, name: str, category: str, errors: dict[str, Any], name_en: str = ""
) -> tuple[str, str]:
    clean_name = _text(name, NAME_MAX, "name", _("Tên loại mô hình"), errors)
    if not clean_name:
        errors["name"] = _("Nhập tên loại mô hình.")
    if category not in SchemeCategory.values:
        errors["category"] = _("Nhóm mô hình không hợp lệ.")
    return clean_name, _text(name_en, NAME_MAX, "name_en", _("Tên tiếng Anh"), errors)


@transaction.atomic
def scheme_type_create(
    *,
    actor: Actor,
    province: OrgUnit | None,
    name: str,
    category: str,
    code: str = "",
    name_en: str = "",
    description: str = "",
    sort_order: int = 0,
    typical: bool = False,
) -> SchemeType:
    """Add a type to a province's catalogue (``province`` None: the national catalogue)."""
    if not community_perms.can_manage_catalogue(actor, province):
        raise PermissionDenied(_("Bạn không có quyền sửa danh mục mô hình này."))
    errors: dict[str, Any] = {}
    clean_name, clean_en = _check_type_fields(
        name=name, category=category, name_en=name_en, errors=errors
    )
    code = (code or "").strip()
    if code:
        clash = SchemeType.objects.filter(code=code).filter(
            Q(province__isnull=True) | Q(province=province)
        )
        if clash.exists():
            errors["code"] = _("Mã “%(code)s” đã có trong danh mục.") % {"code": code}
    else:
        code = _unique_type_code(_code_from_name(clean_name), province)
    if sort_order < 0:
        errors["sort_order"] = _("Thứ tự không được nhỏ hơn 0.")
    item = SchemeType(
        province=province,
        code=code,
        name=clean_name,
        name_en=clean_en,
        description=(description or "").strip(),
        category=category,
        sort_order=max(sort_order, 0),
    )
    _clean_model(item, errors)
    _raise(errors)
    item.save()
    if typical and province is not None:
        item.typical_in.add(province)
    audit_event_record(
        actor=actor,
        action="scheme_type.create",
        obj=item,
        orgunit=province,
        after={**model_snapshot(item, TYPE_FIELDS), "typical": typical},
    )
    return item


@transaction.atomic
def scheme_type_update(
    *,
    actor: Actor,
    scheme_type: SchemeType,
    name: str,
    category: str,
    name_en: str = "",
    description: str = "",
    sort_order: int = 0,
    is_active: bool = True,
) -> SchemeType:
    """Change a type of the catalogue; a category change resyncs the scheme counts."""
    item = SchemeType.objects.select_for_update(of=("self",)).get(pk=scheme_type.pk)
    if not community_perms.can_manage_catalogue(actor, item.province):
        raise PermissionDenied(_("Bạn không có quyền sửa danh mục mô hình này."))
    before = model_snapshot(item, TYPE_FIELDS)
    errors: dict[str, Any] = {}
    clean_name, clean_en = _check_type_fields(
        name=name, category=category, name_en=name_en, errors=errors
    )
    if sort_order < 0:
        errors["sort_order"] = _("Thứ tự không được nhỏ hơn 0.")
    old_category = item.category
    item.name, item.name_en, item.category = clean_name, clean_en, category
    item.description = (description or "").strip()
    item.sort_order = max(sort_order, 0)
    item.is_active = is_active
    _clean_model(item, errors)
    _raise(errors)
    item.save()
    audit_event_record(
        actor=actor,
        action="scheme_type.update",
        obj=item,
        orgunit=item.province,
        before=before,
        after=model_snapshot(item, TYPE_FIELDS),
    )
    if old_category != item.category:
        first = item.schemes.order_by("founded_on").values_list("founded_on", flat=True).first()
        if first is not None:
            _resync(actor=actor, codes=[providers.SCHEMES_ACTIVE], start=first)
    return item


@transaction.atomic
def scheme_type_typical_set(
    *, actor: Actor, scheme_type: SchemeType, province: OrgUnit, typical: bool
) -> SchemeType:
    """Mark or unmark a type as one of ``province``'s typical schemes."""
    if province.kind != UnitKind.PROVINCE or not community_perms.can_manage_catalogue(
        actor, province
    ):
        raise PermissionDenied(_("Bạn không có quyền sửa danh mục mô hình này."))
    if scheme_type.province_id not in (None, province.pk):
        raise ValidationError({"scheme_type": _("Loại mô hình này thuộc danh mục của tỉnh khác.")})
    if typical:
        scheme_type.typical_in.add(province)
    else:
        scheme_type.typical_in.remove(province)
    audit_event_record(
        actor=actor,
        action="scheme_type.typical",
        obj=scheme_type,
        orgunit=province,
        after={"province": province.code, "typical": typical},
    )
    return scheme_type

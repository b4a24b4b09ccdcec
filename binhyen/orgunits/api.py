"""REST endpoints of the administrative map, under /api/v1/orgunits.

Every read goes through ``selectors`` (scoped to the caller), every write through
``services``. A unit outside the caller's scope answers exactly like a missing one:
404 ``{"message", "field"}``. Fixed paths (``/resolve``) are declared before
``/{code}`` so they are never read as a unit code.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from binhyen.accounts import permissions
from binhyen.core.api_kit import PageQuery, api_page, api_user, not_found_as
from binhyen.core.idempotency import VersionConflictOut, version_conflict
from binhyen.orgunits import selectors, services
from binhyen.orgunits.history import can_record
from binhyen.orgunits.models import OrgUnit
from binhyen.orgunits.schemas import (
    ErrorOut,
    KindLiteral,
    LineageOut,
    ResolveOut,
    UnitCreateIn,
    UnitOut,
    UnitPageOut,
    UnitUpdateIn,
)

router = Router(tags=["orgunits"])

MAX_ADDRESS = 500


class UnitListQuery(PageQuery):
    q: str = Field("", max_length=200, description="Name (diacritics optional) or code prefix")
    kind: KindLiteral | None = None
    parent: str | None = Field(None, description="Only units below this unit code")
    on: date | None = Field(None, description="Only units valid on this day (YYYY-MM-DD)")
    current: bool = Field(False, description="Only units open today")


class ChildrenQuery(PageQuery):
    q: str = Field("", max_length=200)
    kind: KindLiteral | None = None


class ResolveQuery(Schema):
    address: str = Field("", max_length=MAX_ADDRESS, description="Free-text Vietnamese address")
    on: date | None = Field(None, description="Resolve as of this day (YYYY-MM-DD)")


@router.get(
    "",
    response={200: UnitPageOut, 404: ErrorOut},
    summary="Search the units you may read",
)
def unit_list(request: HttpRequest, filters: Query[UnitListQuery]) -> Any:
    user = api_user(request)
    parent = None
    if filters.parent:
        with not_found_as("parent", selectors.not_found_message()):
            parent = selectors.unit_get(user=user, code=filters.parent)
    queryset = selectors.unit_search(
        user=user,
        q=filters.q,
        kind=filters.kind,
        parent=parent,
        on=filters.on,
        current_only=filters.current,
    )
    return api_page(queryset.select_related("parent", "former_parent"), filters)


def _resolve_address(text: str, on: date | None) -> Any:
    """Call the address resolver (imported here: it loads the unit-name index on first use)."""
    from binhyen.orgunits.address import resolve_address

    return resolve_address(text, on=on)


@router.get(
    "/resolve",
    response={200: ResolveOut, 404: ErrorOut, 422: ErrorOut},
    summary="Find the unit of a free-text address (old or new boundaries)",
)
def unit_resolve(request: HttpRequest, params: Query[ResolveQuery]) -> Any:
    text = params.address.replace("\x00", "").strip()
    if not text:
        return Status(422, {"message": _("Hãy nhập địa chỉ cần tra cứu."), "field": "address"})
    match = _resolve_address(text, params.on)
    user = api_user(request)
    if match is None or not selectors.units_visible(user=user, units=[match.unit]):
        return Status(
            404,
            {
                "message": _(
                    "Không tìm thấy đơn vị nào khớp với địa chỉ này trong phạm vi của bạn."
                ),
                "field": "address",
            },
        )
    # The province of a visible unit is named in brief, as breadcrumbs name ancestors.
    return {
        "unit": match.unit,
        "era": match.era,
        "successors": selectors.units_visible(user=user, units=list(match.successors)),
        "province": match.province,
    }


@router.get(
    "/{code}",
    response={200: UnitOut, 404: ErrorOut},
    summary="One unit",
)
def unit_detail(request: HttpRequest, code: str) -> Any:
    with not_found_as("code", selectors.not_found_message()):
        return selectors.unit_get(user=api_user(request), code=code)


@router.patch(
    "/{code}",
    response={200: UnitOut, 400: ErrorOut, 404: ErrorOut, 409: VersionConflictOut},
    summary="Change a unit (catalogue units: population, households, note only)",
    description="With `If-Match: <version>` (the unit's `version` as read), an edit of a unit "
    "changed since answers 409 with the unit's current values and changes nothing.",
)
def unit_update(request: HttpRequest, code: str, payload: UnitUpdateIn) -> Any:
    user = api_user(request)
    with not_found_as("code", selectors.not_found_message()):
        unit = selectors.unit_get(user=user, code=code)
    fields = payload.dict(exclude_unset=True)
    if not fields:
        return Status(400, {"message": _("Không có trường nào để cập nhật."), "field": None})
    conflict = version_conflict(request, unit, UnitOut.from_orm(unit).dict())
    if conflict is not None:
        return conflict
    if "former_parent" in fields:
        # Looked up only for a user who may change the unit (the service refuses the others).
        text = fields["former_parent"] or ""
        fields["former_parent"] = (
            services.former_commune_find(text, commune=unit.parent)
            if text and unit.parent is not None and _may_change(user, unit)
            else None
        )
    with not_found_as("code", selectors.not_found_message()):
        unit = services.orgunit_update(actor=user, unit=unit, **fields)
    return OrgUnit.objects.select_related("parent", "former_parent").get(pk=unit.pk)


@router.get(
    "/{code}/children",
    response={200: UnitPageOut, 404: ErrorOut},
    summary="The units directly below a unit",
)
def unit_children(request: HttpRequest, code: str, filters: Query[ChildrenQuery]) -> Any:
    user = api_user(request)
    with not_found_as("code", selectors.not_found_message()):
        unit = selectors.unit_get(user=user, code=code)
    queryset = selectors.unit_children(
        user=user, unit=unit, q=filters.q, kind=filters.kind, with_former=True
    )
    return api_page(queryset.select_related("parent", "former_parent"), filters)


@router.post(
    "/{code}/children",
    response={201: UnitOut, 400: ErrorOut, 404: ErrorOut},
    summary="Add a village or establishment to an open commune",
)
def unit_child_create(request: HttpRequest, code: str, payload: UnitCreateIn) -> Any:
    user = api_user(request)
    with not_found_as("code", selectors.not_found_message()):
        parent = selectors.unit_get(user=user, code=code)
        fields = payload.dict()
        successor_code, former_text = fields.pop("successor"), fields.pop("former_parent")
        successor = None
        if not _may_change(user, parent):
            # The service refuses (404) before looking at any code a stranger sent.
            successor_code, former_text = "", ""
        if former_text and not parent.is_current:
            raise ValidationError(
                {
                    "former_parent": _(
                        "Đơn vị đang thêm vào một xã/phường cũ: không chọn xã/phường cũ khác."
                    )
                }
            )
        if successor_code:
            successor = (
                OrgUnit.objects.filter(code=successor_code).first()
                if all(ord(ch) >= 32 for ch in successor_code)
                else None
            )
            if successor is None:
                raise ValidationError(
                    {
                        "successor": _("Không tìm thấy đơn vị kế thừa “%(code)s”.")
                        % {"code": successor_code}
                    }
                )
        former = (
            services.former_commune_find(former_text, commune=parent)
            if former_text and parent.is_current
            else None
        )
        unit = services.orgunit_create(
            actor=user, parent=parent, former_parent=former, successor=successor, **fields
        )
    return Status(201, OrgUnit.objects.select_related("parent", "former_parent").get(pk=unit.pk))


def _may_change(user: Any, unit: OrgUnit) -> bool:
    """Return True if ``user`` may change ``unit`` (or record the history of a closed one)."""
    return can_record(user, permissions.CHANGE_UNITS, unit)


@router.get(
    "/{code}/lineage",
    response={200: LineageOut, 404: ErrorOut},
    summary="Predecessors and successors of a unit across boundary changes",
)
def unit_lineage(request: HttpRequest, code: str) -> Any:
    user = api_user(request)
    with not_found_as("code", selectors.not_found_message()):
        unit = selectors.unit_get(user=user, code=code)
    lineage = selectors.unit_lineage(user=user, unit=unit)
    return {
        side: [
            {
                "unit": link.unit,
                "kind": link.kind,
                "is_default": link.is_default,
                "share": link.share,
                "effective_date": link.effective_date,
            }
            for link in links
        ]
        for side, links in lineage.items()
    }

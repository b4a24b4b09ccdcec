"""REST twin of the village import page: ``/api/v1/orgunits/<commune>/import``.

The spreadsheet (``.xlsx`` or ``.csv``, multipart field ``file``) goes through the same
``excel.import_units`` as the page, so the rules are the page's: all rows are created
or none; every problem comes back as ``{row, field, message}`` (``row`` as seen in Excel,
``field`` the column header; no row and ``file`` for a problem of the whole file) with a 400.
Only an open commune the caller may change (``CHANGE_UNITS``) can be imported into or have
its template downloaded; any other unit, missing or not, answers the same 404.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from binhyen.accounts import permissions
from binhyen.core.api_kit import api_import, api_user
from binhyen.core.tabular import XLSX_CONTENT_TYPE
from binhyen.core.web import not_found
from binhyen.orgunits import excel, selectors
from binhyen.orgunits.models import OrgUnit, UnitKind
from binhyen.orgunits.schemas import ErrorOut, UnitBriefOut

router = Router(tags=["orgunits"])


class OrgUnitImportProblemOut(Schema):
    row: int | None
    field: str | None
    message: str


class OrgUnitImportErrorOut(Schema):
    message: str
    field: str | None = None
    errors: list[OrgUnitImportProblemOut]


class OrgUnitImportOut(Schema):
    created: int
    units: list[UnitBriefOut]


def _commune_to_change(user: Any, code: str) -> OrgUnit:
    """Return the open commune ``user`` may change, as the import page does (else 404)."""
    unit = selectors.unit_get(user=user, code=code)
    if not permissions.has_perm_on(user, permissions.CHANGE_UNITS, unit):
        raise not_found(selectors.not_found_message())
    if unit.kind != UnitKind.COMMUNE or not unit.is_current:
        raise not_found(selectors.not_found_message())
    return unit


@router.post(
    "/{code}/import",
    response={
        201: OrgUnitImportOut,
        400: OrgUnitImportErrorOut,
        401: ErrorOut,
        404: ErrorOut,
    },
    summary="Import a commune's villages and establishments from a spreadsheet (all or none)",
)
def unit_import(
    request: HttpRequest,
    code: str,
    file: UploadedFile | None = File(None),  # noqa: B008
) -> Any:
    """Multipart field ``file``; 400 lists every problem, and nothing is created."""
    user = api_user(request)
    commune = _commune_to_change(user, code)
    result = api_import(
        file, lambda upload: excel.import_units(actor=user, commune=commune, upload=upload)
    )
    return Status(201, {"created": len(result.created), "units": result.created})


@router.get(
    "/{code}/import/template",
    response={401: ErrorOut, 404: ErrorOut},
    summary="The import template of a commune",
    openapi_extra={
        "responses": {
            200: {
                "description": "The template",
                "content": {XLSX_CONTENT_TYPE: {}},
            }
        }
    },
)
def unit_import_template(request: HttpRequest, code: str) -> HttpResponse:
    commune = _commune_to_change(api_user(request), code)
    response = HttpResponse(excel.template_workbook(commune), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="mau-nhap-don-vi-{commune.code}.xlsx"'
    return response

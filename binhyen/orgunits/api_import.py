"""REST twin of the village import page: ``/api/v1/orgunits/<commune>/import``.

The spreadsheet (``.xlsx`` or ``.csv``, multipart field ``file``) goes through the same
``bulk_import.import_units`` as the page, so the rules are the page's: all rows are created
or none; every problem comes back as ``{row, field, message}`` (``row`` as seen in Excel,
``field`` the column header; no row and ``file`` for a problem of the whole file) with a 400.
Only an open commune the caller may change (``CHANGE_UNITS``) can be imported into or have
its template downloaded; any other unit, missing or not, answers the same 404.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from binhyen.accounts import permissions
from binhyen.core import tabular
from binhyen.orgunits import bulk_import, selectors
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


def _user(request: HttpRequest) -> Any:
    return getattr(request, "auth", None) or request.user


def _commune_to_change(user: Any, code: str) -> OrgUnit:
    """Return the open commune ``user`` may change, as the import page does (else 404)."""
    unit = selectors.unit_get(user=user, code=code)
    if not permissions.has_perm_on(user, permissions.CHANGE_UNITS, unit):
        raise Http404(selectors.not_found_message())
    if unit.kind != UnitKind.COMMUNE or not unit.is_current:
        raise Http404(selectors.not_found_message())
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
    user = _user(request)
    commune = _commune_to_change(user, code)
    problems = tabular.upload_problems(file)
    if problems or file is None:
        return Status(400, tabular.refusal(problems))
    try:
        result = bulk_import.import_units(actor=user, commune=commune, upload=file)
    except PermissionDenied as exc:
        raise Http404(selectors.not_found_message()) from exc
    if not result.ok:
        return Status(400, tabular.refusal(result.problems))
    return Status(201, {"created": len(result.created), "units": result.created})


@router.get(
    "/{code}/import/template",
    response={401: ErrorOut, 404: ErrorOut},
    summary="The import template of a commune",
    openapi_extra={
        "responses": {
            200: {
                "description": "The template",
                "content": {bulk_import.XLSX_CONTENT_TYPE: {}},
            }
        }
    },
)
def unit_import_template(request: HttpRequest, code: str) -> HttpResponse:
    commune = _commune_to_change(_user(request), code)
    response = HttpResponse(
        bulk_import.template_workbook(commune), content_type=bulk_import.XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="mau-nhap-don-vi-{commune.code}.xlsx"'
    return response

"""REST twin of the population page: ``/api/v1/orgunits/<code>/population``.

``<code>`` is an open province or commune the caller may change (``CHANGE_UNITS``); any
other unit, missing or not, answers 404. The workbook (multipart field ``file``) goes through
the page's ``excel_population.import_population``: all rows are saved or none, and every
problem comes back as ``{row, field, message}`` with a 400.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from binhyen.core.api_kit import api_import, api_user
from binhyen.core.tabular import XLSX_CONTENT_TYPE
from binhyen.orgunits import excel_population
from binhyen.orgunits.api_import import OrgUnitImportErrorOut
from binhyen.orgunits.schemas import ErrorOut
from binhyen.orgunits.views_population import population_scope

router = Router(tags=["orgunits"])


class PopulationImportOut(Schema):
    rows: int
    changed: int


@router.post(
    "/{code}/population",
    response={200: PopulationImportOut, 400: OrgUnitImportErrorOut, 401: ErrorOut, 404: ErrorOut},
    summary="Set the population and households of a province's communes and villages (all or none)",
)
def population_import(
    request: HttpRequest,
    code: str,
    file: UploadedFile | None = File(None),  # noqa: B008
) -> Any:
    """Multipart field ``file``; 400 lists every problem, and nothing is changed."""
    user = api_user(request)
    scope = population_scope(user, code)
    result = api_import(
        file,
        lambda upload: excel_population.import_population(actor=user, scope=scope, upload=upload),
    )
    return Status(200, {"rows": result.rows_read, "changed": result.created[0]})


@router.get(
    "/{code}/population/template",
    response={401: ErrorOut, 404: ErrorOut},
    summary="The population workbook of a province or commune, filled with the current figures",
    openapi_extra={
        "responses": {200: {"description": "The workbook", "content": {XLSX_CONTENT_TYPE: {}}}}
    },
)
def population_template(request: HttpRequest, code: str) -> HttpResponse:
    scope = population_scope(api_user(request), code)
    response = HttpResponse(
        excel_population.template_workbook(scope), content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="dan-so-{scope.code}.xlsx"'
    return response

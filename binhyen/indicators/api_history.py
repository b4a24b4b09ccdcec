"""REST twin of the history import: upload a workbook, follow the job, read its errors.

- ``GET /indicators/history/{code}/template?source=<old area>``: the template (xlsx);
- ``POST /indicators/history/{code}/imports`` (multipart ``file``, form field ``source``):
  202 with the job; the worker checks every row and imports all or none;
- ``GET /indicators/history-imports/{job_id}``: status, progress, counts, refused rows.

Who may: see ``history_import``; anything else answers 404 (jobs: their requester only).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from binhyen.core.api_kit import api_upload, api_user, not_found_as
from binhyen.core.tabular import XLSX_CONTENT_TYPE
from binhyen.indicators import history_import, selectors
from binhyen.indicators.models import HistoryImport
from binhyen.indicators.schemas import ErrorOut
from binhyen.indicators.tasks_history import history_import_start

router = Router(tags=["indicators"])


class HistoryProblemOut(Schema):
    row: int | None
    column: str
    message: str


class HistoryJobOut(Schema):
    id: UUID
    status: str
    progress: int
    step: str
    filename: str
    province: str
    source: str
    rows: int
    created: int
    replaced: int
    problems: list[HistoryProblemOut]


class HistoryRefusedOut(Schema):
    message: str
    field: str | None = None
    errors: list[dict[str, Any]]


def _out(job: HistoryImport) -> dict[str, Any]:
    return {
        "id": job.pk,
        "status": job.status,
        "progress": job.progress,
        "step": job.step,
        "filename": job.filename,
        "province": job.province.code,
        "source": job.source.code,
        "rows": job.rows,
        "created": job.created,
        "replaced": job.replaced,
        "problems": job.problems,
    }


def _province(user: Any, code: str) -> Any:
    unit = selectors.visible_units(user).filter(code=code).first()
    if unit is None:
        raise PermissionDenied
    history_import.import_sources(user=user, province=unit)
    return unit


@router.get(
    "/indicators/history/{code}/template",
    response={404: ErrorOut},
    summary="The history template of one old area of a province",
    openapi_extra={
        "responses": {200: {"description": "The template", "content": {XLSX_CONTENT_TYPE: {}}}}
    },
)
def history_template(request: HttpRequest, code: str, source: str = "") -> HttpResponse:
    user = api_user(request)
    with not_found_as("code"):
        province = _province(user, code)
        old = history_import.source_get(user=user, province=province, code=source)
    response = HttpResponse(history_import.template_workbook(old), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="mau-lich-su-{old.code}.xlsx"'
    return response


@router.post(
    "/indicators/history/{code}/imports",
    response={202: HistoryJobOut, 400: HistoryRefusedOut, 404: ErrorOut},
    summary="Import a province's history from a workbook (all rows or none, in the background)",
)
def history_import_create(
    request: HttpRequest,
    code: str,
    source: str = Form(""),
    file: UploadedFile | None = File(None),  # noqa: B008
) -> Any:
    user = api_user(request)
    with not_found_as("code"):
        province = _province(user, code)
        old = history_import.source_get(user=user, province=province, code=source)
    job = history_import_start(actor=user, province=province, source=old, upload=api_upload(file))
    return Status(
        202, _out(HistoryImport.objects.select_related("province", "source").get(pk=job.pk))
    )


@router.get(
    "/indicators/history-imports/{job_id}",
    response={200: HistoryJobOut, 404: ErrorOut},
    summary="One history import: status, progress, counts and refused rows",
)
def history_import_status(request: HttpRequest, job_id: UUID) -> Any:
    with not_found_as("job_id", _("Không tìm thấy lượt nhập này.")):
        job = history_import.history_job_get(user=api_user(request), pk=job_id)
    return _out(job)

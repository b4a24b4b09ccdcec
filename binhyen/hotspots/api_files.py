"""REST twins of the hotspot pages that take attachments, under /api/v1/hotspots.

- ``POST /designations/<id>/files/decision``: attach or replace the designation decision,
  through ``designation_update`` as the edit page does (every other field kept).
- ``POST /designations/<id>/removal/file``: record the removal decision with its attachment
  (multipart), through ``designation_remove`` as the removal form does; an area already
  taken off the list answers 409.
- ``POST /tasks/<id>/progress/file``: report a plan task's progress with an evidence file,
  through ``plan_task_report``.
- ``GET /designations/<id>/files/decision`` (and ``…/removal``) and ``GET /tasks/<id>/evidence``:
  download, to whoever may read the designation.

Files are checked by content and cleaned by the services (``core.uploads``); a refused file
answers 400 naming the field. A designation or task outside the caller's scope, or one the
caller may read but not change, answers the same 404 as a missing one.
"""

from __future__ import annotations

import mimetypes
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from binhyen.hotspots import selectors, services
from binhyen.hotspots.api import designation_out, task_out
from binhyen.hotspots.models import Designation
from binhyen.hotspots.permissions import can_manage
from binhyen.hotspots.schemas import DesignationOut, ErrorOut, StatusLiteral, TaskOut

router = Router(tags=["hotspots"])

WRITE: dict[int, Any] = {200: DesignationOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut}
DOWNLOAD = {
    "responses": {
        200: {
            "description": "The attachment (PDF or an image without metadata)",
            "content": {"application/pdf": {}, "image/jpeg": {}, "image/png": {}},
        }
    }
}


def _user(request: HttpRequest) -> Any:
    return getattr(request, "auth", None) or request.user


def _not_found() -> Http404:
    return Http404(selectors.not_found_message())


def _required(upload: UploadedFile | None, field: str) -> Status[dict[str, Any]] | None:
    if upload is None:
        return Status(400, {"message": _("Hãy chọn một tệp."), "field": field})
    if not upload.size:
        return Status(400, {"message": _("Tệp đã chọn không có nội dung."), "field": field})
    return None


def _stored_input(designation: Designation, decision_file: UploadedFile) -> Any:
    """The designation as stored, with a new decision file: what the edit page posts."""
    return services.DesignationInput(
        regime=designation.regime,
        unit=designation.orgunit,
        year=designation.year,
        decision_number=designation.decision_number,
        decision_date=designation.decision_date,
        issuing_body=designation.issuing_body,
        drug_area_type=designation.drug_area_type,
        categories=list(designation.categories.all()),
        survey_date=designation.survey_date,
        survey_findings=designation.survey_findings,
        plan_summary=designation.plan_summary,
        decision_file=decision_file,
    )


def _fresh(user: Any, pk: int) -> dict[str, Any]:
    return designation_out(selectors.designation_get(user=user, pk=pk))


@router.post(
    "/designations/{int:pk}/files/decision",
    response=WRITE,
    summary="Attach or replace the designation decision (PDF, JPEG or PNG)",
)
def decision_file_put(
    request: HttpRequest,
    pk: int,
    file: UploadedFile | None = File(None),  # noqa: B008
) -> Any:
    """Multipart field ``file``; 400 names ``decision_file`` when the file is refused."""
    user = _user(request)
    designation = selectors.designation_get(user=user, pk=pk)
    refused = _required(file, "decision_file")
    if refused is not None or file is None:
        return refused
    try:
        services.designation_update(
            actor=user, designation=designation, data=_stored_input(designation, file)
        )
    except PermissionDenied as exc:
        raise _not_found() from exc
    return _fresh(user, pk)


@router.post(
    "/designations/{int:pk}/removal/file",
    response={**WRITE, 409: ErrorOut, 422: ErrorOut},
    summary="Record the removal decision with its attachment (multipart)",
)
def removal_with_file(
    request: HttpRequest,
    pk: int,
    decision_number: str = Form(..., max_length=60),
    decision_date: date = Form(...),  # noqa: B008
    issuing_body: str = Form(..., max_length=200),
    file: UploadedFile | None = File(None),  # noqa: B008
) -> Any:
    """Fields as ``POST …/removal``, plus the decision's scan in ``file``."""
    user = _user(request)
    designation = selectors.designation_get(user=user, pk=pk)
    if not can_manage(user, designation.orgunit):
        raise _not_found()
    if designation.removal_date is not None:
        return Status(
            409,
            {
                "message": _("Địa bàn đã được đưa ra khỏi diện ngày %(day)s.")
                % {"day": f"{designation.removal_date:%d/%m/%Y}"},
                "field": "removal_date",
            },
        )
    refused = _required(file, "removal_file")
    if refused is not None:
        return refused
    try:
        services.designation_remove(
            actor=user,
            designation=designation,
            decision_number=decision_number,
            decision_date=decision_date,
            issuing_body=issuing_body,
            attachment=file,
        )
    except PermissionDenied as exc:
        raise _not_found() from exc
    return _fresh(user, pk)


@router.post(
    "/tasks/{int:pk}/progress/file",
    response={200: TaskOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Report a task's progress with an evidence file (multipart)",
)
def task_report_with_file(
    request: HttpRequest,
    pk: int,
    progress: int = Form(..., ge=0, le=100),
    status: StatusLiteral = Form(...),  # noqa: B008
    completed_on: date | None = Form(None),  # noqa: B008
    evidence: str = Form("", max_length=2000),
    file: UploadedFile | None = File(None),  # noqa: B008
) -> Any:
    """Fields as ``POST /tasks/<id>/progress``, plus the evidence in ``file``."""
    user = _user(request)
    task = selectors.task_get(user=user, pk=pk)
    refused = _required(file, "evidence_file")
    if refused is not None:
        return refused
    try:
        saved = services.plan_task_report(
            actor=user,
            task=task,
            progress=progress,
            status=status,
            completed_on=completed_on,
            evidence=evidence,
            evidence_file=file,
        )
    except PermissionDenied as exc:
        raise _not_found() from exc
    return task_out(saved)


def _serve(field: FieldFile) -> FileResponse:
    if not field:
        raise _not_found()
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise _not_found() from exc
    content_type = mimetypes.guess_type(field.name or "")[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@router.get(
    "/designations/{int:pk}/files/decision",
    response={401: ErrorOut, 404: ErrorOut},
    summary="Download the designation decision",
    openapi_extra=DOWNLOAD,
)
def decision_file_get(request: HttpRequest, pk: int) -> FileResponse:
    return _serve(selectors.designation_get(user=_user(request), pk=pk).decision_file)


@router.get(
    "/designations/{int:pk}/files/removal",
    response={401: ErrorOut, 404: ErrorOut},
    summary="Download the removal decision",
    openapi_extra=DOWNLOAD,
)
def removal_file_get(request: HttpRequest, pk: int) -> FileResponse:
    return _serve(selectors.designation_get(user=_user(request), pk=pk).removal_file)


@router.get(
    "/tasks/{int:pk}/evidence",
    response={401: ErrorOut, 404: ErrorOut},
    summary="Download a task's evidence file",
    openapi_extra=DOWNLOAD,
)
def task_evidence(request: HttpRequest, pk: int) -> FileResponse:
    return _serve(selectors.task_get(user=_user(request), pk=pk).evidence_file)

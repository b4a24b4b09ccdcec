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

Fields are checked by the pages' own forms, files by content and cleaned by the services
(``core.uploads``); a refusal answers 400 naming the field (the multipart file is ``file``).
A designation or task outside the caller's scope, or one the caller may read but not change,
answers the same 404 as a missing one.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Status
from ninja.files import UploadedFile

from binhyen.core.formats import format_date
from binhyen.hotspots import selectors, services
from binhyen.hotspots.api import designation_out, task_out
from binhyen.hotspots.forms import RemovalForm, TaskReportForm
from binhyen.hotspots.models import Designation, PlanTask
from binhyen.hotspots.permissions import can_manage, can_report_progress
from binhyen.hotspots.schemas import DesignationOut, ErrorOut, TaskOut

router = Router(tags=["hotspots"])

WRITE: dict[int, Any] = {
    200: DesignationOut,
    400: ErrorOut,
    401: ErrorOut,
    404: ErrorOut,
    422: ErrorOut,
}
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


MAX_ID = 2**63 - 1


def _designation(user: Any, pk: int) -> Designation:
    """The designation ``user`` may read; an id no row can have is as missing as any other."""
    if not 0 < pk <= MAX_ID:
        raise _not_found()
    return selectors.designation_get(user=user, pk=pk)


def _task(user: Any, pk: int) -> PlanTask:
    if not 0 < pk <= MAX_ID:
        raise _not_found()
    return selectors.task_get(user=user, pk=pk)


def _required(upload: UploadedFile | None) -> UploadedFile:
    if upload is None:
        raise ValidationError({"file": _("Hãy chọn một tệp.")})
    if not upload.size:
        raise ValidationError({"file": _("Tệp đã chọn không có nội dung.")})
    return upload


def _refused(exc: ValidationError, renames: dict[str, str]) -> ValidationError:
    """Name the API's fields in a service's or form's refusal (the file is ``file``)."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({renames.get(k, k): v for k, v in exc.message_dict.items()})


def _form_data(form: Any, renames: dict[str, str]) -> dict[str, Any]:
    if not form.is_valid():
        raise _refused(ValidationError(dict(form.errors.items())), renames)
    return dict(form.cleaned_data)


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
    "/designations/{pk}/files/decision",
    response=WRITE,
    summary="Attach or replace the designation decision (PDF, JPEG or PNG)",
)
def decision_file_put(
    request: HttpRequest,
    pk: int,
    file: UploadedFile | None = File(None),  # noqa: B008
) -> Any:
    """Multipart field ``file``; 400 names ``file`` when it is missing or refused."""
    user = _user(request)
    designation = _designation(user, pk)
    if not can_manage(user, designation.orgunit):
        raise _not_found()
    upload = _required(file)
    try:
        services.designation_update(
            actor=user, designation=designation, data=_stored_input(designation, upload)
        )
    except PermissionDenied as exc:
        raise _not_found() from exc
    except ValidationError as exc:
        raise _refused(exc, {"decision_file": "file"}) from exc
    return _fresh(user, pk)


@router.post(
    "/designations/{pk}/removal/file",
    response={**WRITE, 409: ErrorOut},
    summary="Record the removal decision with its attachment (multipart)",
)
def removal_with_file(
    request: HttpRequest,
    pk: int,
    decision_number: str = Form("", max_length=60),
    decision_date: str = Form("", description="YYYY-MM-DD or DD/MM/YYYY"),
    issuing_body: str = Form("", max_length=200),
    file: UploadedFile | None = File(None),  # noqa: B008
) -> Any:
    """Fields as ``POST …/removal``, checked by the removal form of the page, plus the
    decision's scan in ``file``; 400 names the field."""
    user = _user(request)
    designation = _designation(user, pk)
    if not can_manage(user, designation.orgunit):
        raise _not_found()
    if designation.removal_date is not None:
        return Status(
            409,
            {
                "message": _("Địa bàn đã được đưa ra khỏi diện ngày %(day)s.")
                % {"day": format_date(designation.removal_date)},
                "field": "removal_date",
            },
        )
    renames = {
        "attachment": "file",
        "removal_file": "file",
        "removal_decision_number": "decision_number",
        "removal_date": "decision_date",
        "removal_issuing_body": "issuing_body",
    }
    data = _form_data(
        RemovalForm(
            {
                "decision_number": decision_number,
                "decision_date": decision_date,
                "issuing_body": issuing_body,
            }
        ),
        renames,
    )
    _required(file)
    try:
        services.designation_remove(
            actor=user,
            designation=designation,
            decision_number=data["decision_number"],
            decision_date=data["decision_date"],
            issuing_body=data["issuing_body"],
            attachment=file,
        )
    except PermissionDenied as exc:
        raise _not_found() from exc
    except ValidationError as exc:
        raise _refused(exc, renames) from exc
    return _fresh(user, pk)


@router.post(
    "/tasks/{pk}/progress/file",
    response={200: TaskOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Report a task's progress with an evidence file (multipart)",
)
def task_report_with_file(
    request: HttpRequest,
    pk: int,
    progress: str = Form("", description="0 to 100"),
    status: str = Form("", description="not_started, in_progress or done"),
    completed_on: str = Form("", description="YYYY-MM-DD or DD/MM/YYYY; empty if not done"),
    evidence: str = Form("", max_length=2000),
    file: UploadedFile | None = File(None),  # noqa: B008
) -> Any:
    """Fields as ``POST /tasks/<id>/progress``, checked by the task page's report form, plus
    the evidence in ``file``; 400 names the field."""
    user = _user(request)
    task = _task(user, pk)
    if not can_report_progress(user, task.designation.orgunit):
        raise _not_found()
    renames = {"evidence_file": "file"}
    data = _form_data(
        TaskReportForm(
            {
                "progress": progress,
                "status": status,
                "completed_on": completed_on,
                "evidence": evidence,
            }
        ),
        renames,
    )
    _required(file)
    try:
        saved = services.plan_task_report(
            actor=user,
            task=task,
            progress=data["progress"],
            status=data["status"],
            completed_on=data.get("completed_on"),
            evidence=data.get("evidence") or "",
            evidence_file=file,
        )
    except PermissionDenied as exc:
        raise _not_found() from exc
    except ValidationError as exc:
        raise _refused(exc, renames) from exc
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
    "/designations/{pk}/files/decision",
    response={401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Download the designation decision",
    openapi_extra=DOWNLOAD,
)
def decision_file_get(request: HttpRequest, pk: int) -> FileResponse:
    return _serve(_designation(_user(request), pk).decision_file)


@router.get(
    "/designations/{pk}/files/removal",
    response={401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Download the removal decision",
    openapi_extra=DOWNLOAD,
)
def removal_file_get(request: HttpRequest, pk: int) -> FileResponse:
    return _serve(_designation(_user(request), pk).removal_file)


@router.get(
    "/tasks/{pk}/evidence",
    response={401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Download a task's evidence file",
    openapi_extra=DOWNLOAD,
)
def task_evidence(request: HttpRequest, pk: int) -> FileResponse:
    return _serve(_task(_user(request), pk).evidence_file)

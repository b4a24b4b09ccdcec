"""REST endpoints of the documents app, under /api/v1/documents.

List templates; draft, read, edit and issue documents; render a document (or a province's
report pack) in the background: the answer is a task id to poll, then download. A document,
unit or task outside the caller's scope answers like a missing one: 404 ``{"message",
"field"}``; bad input 400 naming the field; an issued document refuses changes with 409.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.utils import translation
from ninja import Field, Query, Router, Status

from binhyen.core.api_kit import api_page, api_user, error_body
from binhyen.core.schemas import PageQuery
from binhyen.core.web import not_found
from binhyen.documents import selectors, services, tasks
from binhyen.documents.models import IssuedDocument, RenderJob
from binhyen.documents.render import DOCX_CONTENT_TYPE, PDF_CONTENT_TYPE, ZIP_CONTENT_TYPE
from binhyen.documents.schemas import (
    DocTemplateOut,
    DocumentCreateIn,
    DocumentIssueIn,
    DocumentOut,
    DocumentPageOut,
    DocumentPatchIn,
    ErrorOut,
    RenderIn,
    RenderTaskOut,
)

router = Router(tags=["documents"])
MAX_ID = 2_147_483_647
WRITE = {
    200: DocumentOut,
    400: ErrorOut,
    401: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}
CONTENT = {"docx": DOCX_CONTENT_TYPE, "pdf": PDF_CONTENT_TYPE, "zip": ZIP_CONTENT_TYPE}
DOWNLOAD = {
    "responses": {
        200: {
            "description": "The file: Word, PDF or the zip of a report pack",
            "content": {DOCX_CONTENT_TYPE: {}, PDF_CONTENT_TYPE: {}, ZIP_CONTENT_TYPE: {}},
        }
    }
}


class DocumentListQuery(PageQuery):
    status: str | None = Field(None, description="draft or issued")
    q: str = Field("", max_length=200)


def _document(user: Any, document_id: int) -> IssuedDocument:
    """The document ``user`` may read; an id no row can have is as missing as any other."""
    if not 0 < document_id <= MAX_ID:
        raise not_found(selectors.not_found_message(), field="document_id")
    try:
        return selectors.document_get(user=user, pk=document_id)
    except Http404 as exc:
        raise not_found(selectors.not_found_message(), field="document_id") from exc


def _unit(user: Any, code: str) -> Any:
    try:
        return selectors.unit_get(user=user, code=code)
    except Http404 as exc:
        raise not_found(str(exc), field="unit") from exc


def _job(user: Any, task_id: UUID) -> RenderJob:
    try:
        return selectors.job_get(user=user, pk=task_id)
    except Http404 as exc:
        raise not_found(selectors.not_found_message(), field="task_id") from exc


def document_out(d: IssuedDocument) -> dict[str, Any]:
    return {
        "id": d.pk,
        "template": d.template_code,
        "kind": d.kind,
        "unit": d.orgunit.code,
        "unit_name": d.orgunit.name,
        "period": d.period,
        "summary": d.summary,
        "status": d.status,
        "number": d.number,
        "reference": d.reference if d.number else "",
        "issued_on": d.issued_on,
        "narrative": {k: str(v) for k, v in d.narrative.items()},
        "template_version": d.template_version,
        "created_at": d.created_at,
    }


def job_out(job: RenderJob) -> dict[str, Any]:
    return {
        "id": str(job.pk),
        "status": job.status,
        "progress": job.progress,
        "step": job.step,
        "format": job.fmt,
        "filename": job.filename,
        "error": job.error,
        "download": f"/api/v1/documents/tasks/{job.pk}/download" if job.file else "",
    }


@router.get(
    "/templates",
    response={200: list[DocTemplateOut], 401: ErrorOut},
    summary="List the document templates and the version the caller's province renders",
)
def template_list(request: HttpRequest) -> Any:
    user = api_user(request)
    unit = selectors.visible_units(user).filter(valid_to__isnull=True).order_by("level").first()
    province = selectors.province_of(unit) if unit is not None else None
    return [
        {
            "code": s.code,
            "kind": s.kind,
            "title": str(s.title),
            "type_code": s.type_code,
            "levels": list(s.levels),
            "narrative": [n.key for n in s.narrative],
            "fields": sorted(s.fields),
            "version": selectors.template_for(spec=s, unit=province).version,
        }
        for s in selectors.catalogue()
    ]


@router.get(
    "",
    response={200: DocumentPageOut, 401: ErrorOut},
    summary="List the documents the caller may read",
)
def document_list(request: HttpRequest, filters: Query[DocumentListQuery]) -> Any:
    qs = selectors.document_list(user=api_user(request), status=filters.status, q=filters.q)
    page = api_page(qs, filters)
    return {"count": page["count"], "items": [document_out(d) for d in page["items"]]}


@router.post(
    "",
    response={201: DocumentOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Start a draft of a template for a unit and a period",
)
def document_create(request: HttpRequest, payload: DocumentCreateIn) -> Any:
    user = api_user(request)
    unit = _unit(user, payload.unit)
    doc = services.document_draft_create(
        actor=user, template_code=payload.template, unit=unit, period=payload.period
    )
    return Status(201, document_out(doc))


@router.get(
    "/{int:document_id}",
    response={200: DocumentOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Read a document",
)
def document_detail(request: HttpRequest, document_id: int) -> Any:
    return document_out(_document(api_user(request), document_id))


@router.patch("/{int:document_id}", response=WRITE, summary="Edit a draft's summary and narrative")
def document_update(request: HttpRequest, document_id: int, payload: DocumentPatchIn) -> Any:
    user = api_user(request)
    doc = _document(user, document_id)
    try:
        doc = services.document_update(
            actor=user, document=doc, narrative=payload.narrative, summary=payload.summary
        )
    except services.DocumentStateError as exc:
        return Status(409, error_body(exc.message))
    return document_out(doc)


@router.post(
    "/{int:document_id}/issue",
    response=WRITE,
    summary="Number and issue a draft (number required, unique per body and year)",
)
def document_issue(request: HttpRequest, document_id: int, payload: DocumentIssueIn) -> Any:
    user = api_user(request)
    doc = _document(user, document_id)
    try:
        doc = services.document_issue(
            actor=user, document=doc, number=payload.number, issued_on=payload.issued_on
        )
    except services.DocumentStateError as exc:
        return Status(409, error_body(exc.message))
    return document_out(doc)


@router.post(
    "/render",
    response={202: RenderTaskOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Render a document (docx, pdf) or a province's report pack (zip) in the background",
)
def document_render(request: HttpRequest, payload: RenderIn) -> Any:
    user = api_user(request)
    language = translation.get_language() or settings.LANGUAGE_CODE
    if payload.document is not None:
        doc = _document(user, payload.document)
        job = tasks.render_job_start(
            actor=user, fmt=payload.format, document=doc, language=language
        )
    else:
        job = tasks.render_job_start(
            actor=user,
            fmt=payload.format,
            unit=_unit(user, payload.unit),
            period=payload.period,
            template_code=payload.template,
            language=language,
        )
    return Status(202, job_out(job))


@router.get(
    "/tasks/{uuid:task_id}",
    response={200: RenderTaskOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Poll a render task: status, progress, download when done",
)
def task_status(request: HttpRequest, task_id: UUID) -> Any:
    return job_out(_job(api_user(request), task_id))


@router.get(
    "/tasks/{uuid:task_id}/download",
    response={401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Download the file of a finished render task",
    openapi_extra=DOWNLOAD,
)
def task_download(request: HttpRequest, task_id: UUID) -> Any:
    job = _job(api_user(request), task_id)
    if not job.file:
        raise not_found(selectors.not_found_message(), field="task_id")
    return FileResponse(
        default_storage.open(job.file, "rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=CONTENT.get(job.fmt, "application/octet-stream"),
    )

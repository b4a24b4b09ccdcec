"""Writes of the documents app: template versions, unit profiles, drafts, issuing, jobs.

Every function is keyword-only, atomic, validates with ``full_clean()`` and records an
``AuditEvent`` in the same transaction. Refusals: ``PermissionDenied`` (answered as 404 by
callers), ``ValidationError`` naming the field for bad input, ``DocumentStateError`` when the
document's state refuses the action (an issued document is never changed).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from binhyen.core.actors import Actor
from binhyen.core.services import audit_event_record
from binhyen.core.text import clean_text
from binhyen.documents import context as ctx
from binhyen.documents import lint, permissions, render, selectors
from binhyen.documents.catalogue import Spec, spec_get
from binhyen.documents.models import (
    DocumentProfile,
    DocumentStatus,
    DocumentTemplate,
    IssuedDocument,
    JobFormat,
    JobStatus,
    RenderJob,
)
from binhyen.indicators.periods import Period, PeriodError
from binhyen.orgunits.models import OrgUnit

MAX_TEMPLATE_BYTES = 5 * 1024 * 1024
MAX_NARRATIVE = 20_000
NUMBER_MAX = 99_999


class DocumentStateError(Exception):
    """The document's state refuses the action (an issued document is frozen)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _spec(code: str) -> Spec:
    spec = spec_get(code)
    if spec is None:
        raise ValidationError(
            {"template": _("Không có mẫu văn bản '%(code)s'.") % {"code": code[:40]}}
        )
    return spec


def _period(code: str) -> Period:
    try:
        return selectors.period_get(code)
    except PeriodError as exc:
        raise ValidationError({"period": str(exc)}) from exc


# --- templates ------------------------------------------------------------------------------


@transaction.atomic
def template_upload(
    *,
    actor: Actor,
    code: str,
    province: OrgUnit | None,
    content: bytes,
    filename: str,
    note: str = "",
) -> DocumentTemplate:
    """Store a new version of template ``code`` for ``province`` (None: national) after checking it.

    A file with a broken tag or an unknown field is refused naming the tag and the paragraph.
    """
    spec = _spec(code)
    if province is not None and province.kind != "province":
        raise ValidationError({"province": _("Chỉ tải mẫu cho một tỉnh hoặc mẫu quốc gia.")})
    if not permissions.can_manage_templates(actor, province):
        raise PermissionDenied
    if not content:
        raise ValidationError({"file": _("Chưa chọn tệp mẫu (.docx).")})
    if len(content) > MAX_TEMPLATE_BYTES:
        raise ValidationError({"file": _("Tệp mẫu quá lớn (tối đa 5 MB).")})
    try:
        lint.check(content, spec)
    except lint.TemplateProblem as problem:
        raise ValidationError({"file": problem.message}) from problem
    last = selectors.template_versions(code=code, province=province).first()
    row = DocumentTemplate(
        code=code,
        kind=spec.kind,
        province=province,
        version=(last.version + 1) if last else 1,
        content=content,
        filename=clean_text(filename or spec.filename)[:200] or spec.filename,
        note=clean_text(note)[:255],
        uploaded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    row.full_clean(exclude=["content"])
    row.save()
    audit_event_record(
        actor=actor,
        action="documents.template_upload",
        obj=row,
        orgunit=province,
        after={"code": code, "version": row.version, "bytes": len(content)},
    )
    return row


# --- unit profile ---------------------------------------------------------------------------

PROFILE_FIELDS = (
    "body_name",
    "parent_body_name",
    "symbol",
    "place",
    "signer_prefix",
    "signer_authority",
    "signer_title",
    "signer_name",
    "recipients",
)


@transaction.atomic
def profile_update(*, actor: Actor, unit: OrgUnit, changes: dict[str, str]) -> DocumentProfile:
    """Set how ``unit`` signs its documents (only the fields given change)."""
    if not permissions.can_issue(actor, unit):
        raise PermissionDenied
    profile = DocumentProfile.objects.filter(orgunit=unit).first() or DocumentProfile(orgunit=unit)
    before = {f: getattr(profile, f) for f in PROFILE_FIELDS}
    for name, value in changes.items():
        if name in PROFILE_FIELDS:
            setattr(profile, name, clean_text(value or "", multiline=name == "recipients"))
    if profile.signer_prefix and profile.signer_prefix not in ("KT.", "TM.", "Q.", "TL.", "TUQ."):
        raise ValidationError(
            {"signer_prefix": _("Thẩm quyền ký chỉ nhận KT., TM., Q., TL. hoặc TUQ.")}
        )
    profile.full_clean()
    profile.save()
    audit_event_record(
        actor=actor,
        action="documents.profile_update",
        obj=profile,
        orgunit=unit,
        before=before,
        after={f: getattr(profile, f) for f in PROFILE_FIELDS},
    )
    return profile


# --- drafts and issuing -----------------------------------------------------------------------


@transaction.atomic
def document_draft_create(
    *, actor: Actor, template_code: str, unit: OrgUnit, period: str
) -> IssuedDocument:
    """Start a draft of ``template_code`` for ``unit`` and ``period``."""
    spec = _spec(template_code)
    if not permissions.can_draft(actor, unit):
        raise PermissionDenied
    if unit.kind not in spec.levels:
        raise ValidationError(
            {
                "unit": _("Mẫu «%(title)s» không dùng cho %(unit)s.")
                % {"title": spec.title, "unit": unit.name}
            }
        )
    value = _period(period)
    profile = selectors.profile_for(unit)
    doc = IssuedDocument(
        template_code=spec.code,
        kind=spec.kind,
        orgunit=unit,
        period=value.code,
        summary=ctx.summary_for(spec, unit, value)[:300],
        narrative={s.key: str(s.default) for s in spec.narrative},
        symbol=f"{spec.type_code}-{profile.symbol}",
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    doc.full_clean()
    doc.save()
    audit_event_record(
        actor=actor,
        action="documents.draft",
        obj=doc,
        orgunit=unit,
        after={"template": spec.code, "period": value.code},
    )
    return doc


def _frozen(document: IssuedDocument) -> None:
    if document.is_issued:
        raise DocumentStateError(_("Văn bản đã ban hành: không sửa được nữa."))


@transaction.atomic
def document_update(
    *,
    actor: Actor,
    document: IssuedDocument,
    narrative: dict[str, str] | None = None,
    summary: str | None = None,
) -> IssuedDocument:
    """Change a draft's narrative sections and summary (only those given)."""
    if not permissions.can_draft(actor, document.orgunit):
        raise PermissionDenied
    document = IssuedDocument.objects.select_for_update().get(pk=document.pk)
    _frozen(document)
    spec = _spec(document.template_code)
    before = {"summary": document.summary, "narrative": dict(document.narrative)}
    if narrative:
        keys = {s.key for s in spec.narrative}
        merged = dict(document.narrative)
        for key, text in narrative.items():
            if key not in keys:
                raise ValidationError({key: _("Mẫu này không có phần «%(key)s».") % {"key": key}})
            cleaned = clean_text(text or "", multiline=True)
            if len(cleaned) > MAX_NARRATIVE:
                raise ValidationError(
                    {key: _("Phần lời văn dài quá %(n)s ký tự.") % {"n": MAX_NARRATIVE}}
                )
            merged[key] = cleaned
        document.narrative = merged
    if summary is not None:
        cleaned = clean_text(summary)
        if not cleaned:
            raise ValidationError({"summary": _("Trích yếu không được để trống.")})
        document.summary = cleaned[:300]
    document.full_clean()
    document.save()
    audit_event_record(
        actor=actor,
        action="documents.update",
        obj=document,
        orgunit=document.orgunit,
        before=before,
        after={"summary": document.summary, "narrative": document.narrative},
    )
    return document


def document_context(
    *,
    user: Any,
    document: IssuedDocument,
    number: int | None = None,
    issued_on: date | None = None,
    progress: ctx.ProgressFn | None = None,
) -> dict[str, Any]:
    """Return the document's context: the frozen one if issued, else computed now (a read)."""
    if document.is_issued and document.context:
        return document.context
    spec = _spec(document.template_code)
    return ctx.build(
        user=user,
        spec=spec,
        unit=document.orgunit,
        period=_period(document.period),
        profile=selectors.profile_for(document.orgunit),
        narrative=document.narrative,
        number=number,
        issued_on=issued_on,
        summary=document.summary,
        draft=number is None,
        on=timezone.localdate(),
        progress=progress,
    )


@transaction.atomic
def document_issue(
    *, actor: Actor, document: IssuedDocument, number: int | None, issued_on: date | None = None
) -> IssuedDocument:
    """Number and issue a draft: freeze its context, store its Word file.

    The number is required and unique per issuing unit and year.
    """
    if not permissions.can_issue(actor, document.orgunit):
        raise PermissionDenied
    document = IssuedDocument.objects.select_for_update().get(pk=document.pk)
    _frozen(document)
    if number is None:
        raise ValidationError({"number": _("Cần nhập số văn bản để ban hành.")})
    if not 1 <= number <= NUMBER_MAX:
        raise ValidationError(
            {"number": _("Số văn bản phải từ 1 đến %(max)s.") % {"max": NUMBER_MAX}}
        )
    day = issued_on or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationError({"issued_on": _("Ngày ban hành không được sau hôm nay.")})
    unit = document.orgunit
    if selectors.number_taken(unit=unit, year=day.year, number=number, exclude=document.pk):
        raise ValidationError(
            {
                "number": _("Số %(n)s năm %(y)s của %(unit)s đã được dùng cho văn bản khác.")
                % {"n": number, "y": day.year, "unit": unit.name}
            }
        )
    spec = _spec(document.template_code)
    context = document_context(user=actor, document=document, number=number, issued_on=day)
    resolved = selectors.template_for(spec=spec, unit=unit)
    data = render.render_docx(resolved.content, context)
    document.status = DocumentStatus.ISSUED
    document.number = number
    document.year = day.year
    document.issued_on = day
    document.context = context
    document.template_version = resolved.version
    document.symbol = context["doc"]["reference"].split("/", 1)[1]
    document.issued_by = actor if getattr(actor, "is_authenticated", False) else None
    document.full_clean()
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"number": _("Số %(n)s năm %(y)s đã được dùng.") % {"n": number, "y": day.year}}
        ) from exc
    name = f"documents/{day.year}/{document.pk}/{_filename(document, 'docx')}"
    document.docx_file = default_storage.save(name, ContentFile(data))
    document.save(update_fields=["docx_file", "updated_at"])
    audit_event_record(
        actor=actor,
        action="documents.issue",
        obj=document,
        orgunit=unit,
        after={"number": document.reference, "issued_on": day, "template": resolved.version},
    )
    return document


def _filename(document: IssuedDocument, ext: str) -> str:
    stem = document.template_code
    if document.number:
        stem = f"{document.number}-{document.symbol}-{stem}"
    else:
        stem = f"du-thao-{stem}-{document.period}"
    return f"{stem}.{ext}".replace("Đ", "D").replace("/", "-")


def document_filename(document: IssuedDocument, ext: str) -> str:
    return _filename(document, ext)


@transaction.atomic
def document_pdf_store(*, actor: Actor, document: IssuedDocument, data: bytes) -> IssuedDocument:
    """Keep the PDF of an issued document (made once, from its stored Word file)."""
    if not document.is_issued:
        raise DocumentStateError(_("Chỉ lưu PDF của văn bản đã ban hành."))
    name = f"documents/{document.year}/{document.pk}/{_filename(document, 'pdf')}"
    document.pdf_file = default_storage.save(name, ContentFile(data))
    document.save(update_fields=["pdf_file", "updated_at"])
    audit_event_record(actor=actor, action="documents.pdf", obj=document, orgunit=document.orgunit)
    return document


# --- background jobs --------------------------------------------------------------------------


@transaction.atomic
def render_job_create(
    *,
    actor: Actor,
    fmt: str,
    document: IssuedDocument | None = None,
    unit: OrgUnit | None = None,
    period: str = "",
    template_code: str = "",
    language: str = "vi",
) -> RenderJob:
    """Ask a worker for a file: a document as Word or PDF, or a province's report pack.

    ``binhyen.documents.tasks.render_job_start`` calls this and enqueues the task when the
    transaction commits.
    """
    if fmt not in JobFormat.values:
        raise ValidationError({"format": _("Định dạng phải là docx, pdf hoặc zip.")})
    if document is not None:
        if not document.is_issued and not permissions.can_draft(actor, document.orgunit):
            raise PermissionDenied
        unit, period, template_code = document.orgunit, document.period, document.template_code
        if fmt == JobFormat.PACK:
            raise ValidationError(
                {"format": _("Bộ báo cáo được lập cho một tỉnh, không cho một văn bản.")}
            )
    else:
        if unit is None:
            raise ValidationError({"unit": _("Cần chọn đơn vị.")})
        if not permissions.can_draft(actor, unit):
            raise PermissionDenied
        value = _period(period)
        period = value.code
        if fmt == JobFormat.PACK:
            if unit.kind != "province":
                raise ValidationError({"unit": _("Bộ báo cáo chỉ lập cho cấp tỉnh.")})
            template_code = "bao-cao-phong-trao-tinh"
        else:
            spec = _spec(template_code)
            if unit.kind not in spec.levels:
                raise ValidationError(
                    {
                        "unit": _("Mẫu «%(title)s» không dùng cho %(unit)s.")
                        % {"title": spec.title, "unit": unit.name}
                    }
                )
    job = RenderJob(
        user=actor,
        document=document,
        template_code=template_code,
        orgunit=unit,
        period=period,
        fmt=fmt,
        language=language[:10] or "vi",
    )
    job.full_clean()
    job.save()
    audit_event_record(
        actor=actor,
        action="documents.render_request",
        obj=job,
        orgunit=unit,
        after={"format": fmt, "template": template_code, "period": period},
    )
    return job


def render_job_progress(*, job: RenderJob, progress: int, step: str) -> None:
    """Record how far a running job is (bookkeeping of the worker, not audited)."""
    RenderJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, progress=max(0, min(99, progress)), step=step[:200]
    )


@transaction.atomic
def render_job_finish(
    *, job: RenderJob, data: bytes | None, filename: str = "", error: str = ""
) -> RenderJob:
    """Store the job's file, or mark it failed with a message."""
    job.finished_at = timezone.now()
    if data is not None:
        stamp = timezone.now().strftime("%Y%m%d")
        job.file = default_storage.save(
            f"documents/jobs/{stamp}/{job.pk}/{filename}", ContentFile(data)
        )
        job.filename = filename[:200]
        job.status = JobStatus.DONE
        job.progress = 100
        job.step = ""
    else:
        job.status = JobStatus.FAILED
        job.error = error[:500]
    job.save()
    audit_event_record(
        actor=job.user,
        action=f"documents.render_{job.status}",
        obj=job,
        orgunit=job.orgunit,
        after={"filename": job.filename, "error": job.error},
    )
    return job

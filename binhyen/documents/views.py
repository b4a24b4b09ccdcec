"""Pages of the documents app: drafts, narrative, issuing, downloads, templates, report packs.

Deny by default: every view needs a signed-in user; documents are fetched through
``selectors`` (404 for missing and forbidden alike) and every write answers 404 when the
user lacks the permission on the unit, before the form is read, so existence never leaks.
Files are built by a worker (``RenderJob``); the job page polls until the file is ready.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from binhyen.core.collation import vi_order
from binhyen.core.web import call_service, current_user, not_found, paginate, querystring
from binhyen.documents import permissions, selectors, services, tasks
from binhyen.documents.forms import (
    DocumentFilterForm,
    DraftForm,
    IssueForm,
    NarrativeForm,
    PackForm,
    ProfileForm,
    TemplateUploadForm,
)
from binhyen.documents.models import IssuedDocument, JobFormat
from binhyen.documents.render import DOCX_CONTENT_TYPE, PDF_CONTENT_TYPE, ZIP_CONTENT_TYPE
from binhyen.orgunits.models import OrgUnit

CONTENT_TYPES = {"docx": DOCX_CONTENT_TYPE, "pdf": PDF_CONTENT_TYPE, "zip": ZIP_CONTENT_TYPE}


def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def _draft_units(user: Any) -> list[OrgUnit]:
    return selectors.issuing_units(user=user, perm_check=permissions.can_draft)


def _default_period() -> str:
    today = selectors.today()
    half = 1 if today.month <= 6 else 2
    return f"{today.year}S{half}"


@login_required
@require_GET
def document_list(request: HttpRequest) -> HttpResponse:
    """List the documents the user may read, with search, filter and pagination."""
    form = DocumentFilterForm(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    queryset = selectors.document_list(
        user=request.user, status=data.get("status") or None, q=data.get("q") or None
    )
    page = paginate(request, queryset)
    params = {k: data.get(k) or "" for k in ("q", "status")}
    return render(
        request,
        "documents/list.html",
        {
            "form": form,
            "page": page,
            "filtered": any(params.values()),
            "querystring": querystring(**params),
            "can_draft": permissions.can_draft_anywhere(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_create(request: HttpRequest) -> HttpResponse:
    """Start a draft: template, issuing unit and period."""
    if not permissions.can_draft_anywhere(request.user):
        raise not_found(selectors.not_found_message())
    units = _draft_units(request.user)
    form = DraftForm(
        request.POST or None,
        units=units,
        initial={"period": _default_period(), "template": "bao-cao-phong-trao-xa"},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            unit = selectors.unit_get(user=request.user, code=form.cleaned_data["unit"])
            ok, doc = call_service(
                form,
                services.document_draft_create,
                not_found_message=selectors.not_found_message(),
                actor=current_user(request),
                template_code=form.cleaned_data["template"],
                unit=unit,
                period=form.cleaned_data["period"],
            )
            if ok and doc is not None:
                messages.success(request, _("Đã tạo dự thảo."))
                return redirect("documents:detail", pk=doc.pk)
        status = 400
    return render(request, "documents/create.html", {"form": form, "units": units}, status=status)


def _narrative_form(doc: IssuedDocument, data: Any = None) -> NarrativeForm:
    spec = selectors.spec_or_404(doc.template_code)
    stored = {"summary": doc.summary, **{f"n_{k}": v for k, v in doc.narrative.items()}}
    return NarrativeForm(data, spec=spec, initial=stored, stored=stored)


def _detail(
    request: HttpRequest,
    doc: IssuedDocument,
    *,
    narrative_form: NarrativeForm | None = None,
    issue_form: IssueForm | None = None,
    status: int = 200,
) -> HttpResponse:
    spec = selectors.spec_or_404(doc.template_code)
    period = selectors.period_or_none(doc.period)
    unit = doc.orgunit
    can_edit = not doc.is_issued and permissions.can_draft(request.user, unit)
    can_issue = not doc.is_issued and permissions.can_issue(request.user, unit)
    year = (doc.issued_on or selectors.today()).year
    return render(
        request,
        "documents/detail.html",
        {
            "doc": doc,
            "spec": spec,
            "period": period,
            "open_period": period is not None and period.end >= selectors.today(),
            "profile": selectors.profile_for(unit),
            "narrative_form": narrative_form or (_narrative_form(doc) if can_edit else None),
            "issue_form": issue_form
            or (
                IssueForm(initial={"number": selectors.next_number(unit=unit, year=year)})
                if can_issue
                else None
            ),
            "can_edit": can_edit,
            "can_issue": can_issue,
            "can_render": doc.is_issued or permissions.can_draft(request.user, unit),
            "can_profile": permissions.can_issue(request.user, unit),
            "jobs": selectors.jobs_of(user=request.user, document=doc, limit=5),
            "template": selectors.template_for(spec=spec, unit=unit),
            "sections": [
                (s.label, doc.narrative.get(s.key, ""))
                for s in spec.narrative
                if doc.narrative.get(s.key)
            ],
        },
        status=status,
    )


@login_required
@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    doc = selectors.document_get(user=request.user, pk=pk)
    return _detail(request, doc)


@login_required
@require_POST
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the draft's summary and narrative sections."""
    doc = selectors.document_get(user=request.user, pk=pk)
    if not permissions.can_draft(request.user, doc.orgunit):
        raise not_found(selectors.not_found_message())
    if doc.is_issued:
        messages.error(request, _("Văn bản đã ban hành: không sửa được nữa."))
        return redirect("documents:detail", pk=doc.pk)
    form = _narrative_form(doc, request.POST)
    if form.is_valid():
        narrative = {
            name[2:]: value for name, value in form.cleaned_data.items() if name.startswith("n_")
        }
        try:
            ok, _saved = call_service(
                form,
                services.document_update,
                not_found_message=selectors.not_found_message(),
                actor=current_user(request),
                document=doc,
                narrative=narrative,
                summary=form.cleaned_data["summary"],
            )
        except services.DocumentStateError as exc:
            messages.error(request, exc.message)
            return redirect("documents:detail", pk=doc.pk)
        if ok:
            messages.success(request, _("Đã lưu phần lời văn."))
            return redirect("documents:detail", pk=doc.pk)
    return _detail(request, doc, narrative_form=form, status=400)


@login_required
@require_POST
def document_issue(request: HttpRequest, pk: int) -> HttpResponse:
    """Number and issue the draft (the number is required and unique per body and year)."""
    doc = selectors.document_get(user=request.user, pk=pk)
    if not permissions.can_issue(request.user, doc.orgunit):
        raise not_found(selectors.not_found_message())
    form = IssueForm(request.POST)
    if form.is_valid():
        try:
            ok, _issued = call_service(
                form,
                services.document_issue,
                not_found_message=selectors.not_found_message(),
                actor=current_user(request),
                document=doc,
                number=form.cleaned_data["number"],
                issued_on=form.cleaned_data.get("issued_on"),
            )
        except services.DocumentStateError as exc:
            messages.error(request, exc.message)
            return redirect("documents:detail", pk=doc.pk)
        if ok:
            messages.success(request, _("Đã ban hành văn bản."))
            return redirect("documents:detail", pk=doc.pk)
    return _detail(request, doc, issue_form=form, status=400)


@login_required
@require_POST
def document_render(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask a worker for the document as Word or PDF; go to the job's page."""
    doc = selectors.document_get(user=request.user, pk=pk)
    if not doc.is_issued and not permissions.can_draft(request.user, doc.orgunit):
        raise not_found(selectors.not_found_message())
    fmt = request.POST.get("fmt", "")
    if fmt not in (JobFormat.DOCX, JobFormat.PDF):
        messages.error(request, _("Định dạng phải là docx hoặc pdf."))
        return redirect("documents:detail", pk=doc.pk)
    job = tasks.render_job_start(
        actor=current_user(request), fmt=fmt, document=doc, language=_language()
    )
    return redirect("documents:job", pk=job.pk)


@login_required
@require_GET
def document_word(request: HttpRequest, pk: int) -> HttpResponseBase:
    """Download the stored Word file of an issued document."""
    doc = selectors.document_get(user=request.user, pk=pk)
    if not doc.is_issued or not doc.docx_file:
        raise not_found(selectors.not_found_message())
    return FileResponse(
        default_storage.open(doc.docx_file, "rb"),
        as_attachment=True,
        filename=services.document_filename(doc, "docx"),
        content_type=DOCX_CONTENT_TYPE,
    )


@login_required
@require_GET
def job_status(request: HttpRequest, pk: Any) -> HttpResponse:
    """Show a job's progress; htmx polls the status block until the file is ready."""
    job = selectors.job_get(user=request.user, pk=pk)
    template = "documents/_job.html" if request.headers.get("HX-Request") else "documents/job.html"
    return render(request, template, {"job": job})


@login_required
@require_GET
def job_download(request: HttpRequest, pk: Any) -> HttpResponseBase:
    job = selectors.job_get(user=request.user, pk=pk)
    if not job.file:
        raise not_found(selectors.not_found_message())
    return FileResponse(
        default_storage.open(job.file, "rb"),
        as_attachment=True,
        filename=job.filename,
        content_type=CONTENT_TYPES.get(job.fmt, "application/octet-stream"),
    )


# --- templates --------------------------------------------------------------------------------


def _provinces_managed(user: Any) -> list[OrgUnit]:
    qs = selectors.visible_units(user).filter(kind="province", valid_to__isnull=True)
    return [
        p for p in qs.order_by(vi_order("name"))[:100] if permissions.can_manage_templates(user, p)
    ]


def _home_province(user: Any) -> OrgUnit | None:
    unit = selectors.visible_units(user).filter(valid_to__isnull=True).order_by("level").first()
    return selectors.province_of(unit) if unit is not None else None


@login_required
@require_GET
def template_list(request: HttpRequest) -> HttpResponse:
    """The catalogue: each template, the version the user's province renders, its history."""
    if not permissions.can_read_templates(request.user):
        raise not_found(selectors.not_found_message())
    province = _home_province(request.user)
    rows = []
    for spec in selectors.catalogue():
        resolved = selectors.template_for(spec=spec, unit=province)
        versions = list(selectors.template_versions(code=spec.code, province=province)[:5])
        if province is not None:
            versions += list(selectors.template_versions(code=spec.code, province=None)[:5])
        rows.append({"spec": spec, "resolved": resolved, "versions": versions})
    return render(
        request,
        "documents/templates.html",
        {
            "rows": rows,
            "province": province,
            "can_upload": permissions.can_manage_templates_anywhere(request.user),
        },
    )


@login_required
@require_GET
def template_download(request: HttpRequest, code: str) -> HttpResponse:
    """Download a template: a stored version (``?version=<id>``) or the one the user renders."""
    if not permissions.can_read_templates(request.user):
        raise not_found(selectors.not_found_message())
    spec = selectors.spec_or_404(code)
    version = request.GET.get("version", "")
    if version.isdigit():
        row = selectors.template_row_get(pk=int(version))
        if row.code != spec.code:
            raise not_found(selectors.not_found_message())
        content = bytes(row.content)
    else:
        content = selectors.template_for(spec=spec, unit=_home_province(request.user)).content
    response = HttpResponse(content, content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{spec.filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def template_upload(request: HttpRequest, code: str) -> HttpResponse:
    """Upload a new version of a template for a province or the whole country."""
    spec = selectors.spec_or_404(code)
    if not permissions.can_manage_templates_anywhere(request.user):
        raise not_found(selectors.not_found_message())
    scopes = [(p.code, p.name) for p in _provinces_managed(request.user)]
    if permissions.can_manage_templates(request.user, None):
        scopes.insert(0, ("VN", _("Mẫu quốc gia (mọi tỉnh chưa có mẫu riêng)")))
    form = TemplateUploadForm(request.POST or None, request.FILES or None, scopes=scopes)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            scope = form.cleaned_data["scope"]
            province = None if scope == "VN" else selectors.unit_get(user=request.user, code=scope)
            upload = form.cleaned_data["file"]
            ok, row = call_service(
                form,
                services.template_upload,
                not_found_message=selectors.not_found_message(),
                actor=current_user(request),
                code=spec.code,
                province=province,
                content=upload.read(),
                filename=upload.name,
                note=form.cleaned_data.get("note") or "",
            )
            if ok and row is not None:
                messages.success(
                    request,
                    _("Đã lưu phiên bản %(v)s của mẫu «%(title)s».")
                    % {"v": row.version, "title": spec.title},
                )
                return redirect("documents:templates")
        status = 400
    return render(
        request, "documents/template_upload.html", {"form": form, "spec": spec}, status=status
    )


# --- unit profile and report packs ------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Edit how a unit signs its documents (names, symbol, place, signer, recipients)."""
    unit = selectors.unit_get(user=request.user, code=code)
    if not permissions.can_issue(request.user, unit):
        raise not_found(selectors.not_found_message())
    current = selectors.profile_for(unit)
    stored = {
        "body_name": current.body_name,
        "parent_body_name": current.parent_body_name,
        "symbol": current.symbol,
        "place": current.place,
        "signer_prefix": current.signer_prefix,
        "signer_authority": current.signer_authority,
        "signer_title": current.signer_title,
        "signer_name": current.signer_name,
        "recipients": "\n".join(current.recipients),
    }
    form = ProfileForm(request.POST or None, initial=stored, stored=stored)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            ok, _profile = call_service(
                form,
                services.profile_update,
                not_found_message=selectors.not_found_message(),
                actor=current_user(request),
                unit=unit,
                changes=form.cleaned_data,
            )
            if ok:
                messages.success(request, _("Đã lưu thông tin ban hành văn bản."))
                back = request.GET.get("next", "")
                if back.isdigit():
                    return redirect("documents:detail", pk=int(back))
                return redirect("documents:profile", code=unit.code)
        status = 400
    return render(request, "documents/profile.html", {"form": form, "unit": unit}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def pack_create(request: HttpRequest) -> HttpResponse:
    """Compile a province's report pack for a period (zip, built in the background)."""
    if not permissions.can_draft_anywhere(request.user):
        raise not_found(selectors.not_found_message())
    provinces = [u for u in _draft_units(request.user) if u.kind == "province"]
    form = PackForm(request.POST or None, units=provinces, initial={"period": _default_period()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            unit = selectors.unit_get(user=request.user, code=form.cleaned_data["unit"])
            ok, job = call_service(
                form,
                tasks.render_job_start,
                not_found_message=selectors.not_found_message(),
                actor=current_user(request),
                fmt=JobFormat.PACK,
                unit=unit,
                period=form.cleaned_data["period"],
                language=_language(),
            )
            if ok and job is not None:
                return redirect("documents:job", pk=job.pk)
        status = 400
    return render(
        request,
        "documents/pack.html",
        {"form": form, "provinces": provinces, "jobs": selectors.jobs_of(user=request.user)},
        status=status,
    )

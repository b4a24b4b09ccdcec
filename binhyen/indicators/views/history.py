"""Pages of the history import: upload a province's past values, follow the job, see errors.

Only a user who may import into the province (``history_import.import_sources``) sees the
page and the templates; a job is seen by its requester only. Anything else answers 404.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from binhyen.core.forms import BootstrapForm
from binhyen.core.tabular import XLSX_CONTENT_TYPE
from binhyen.core.web import current_user, not_found
from binhyen.indicators import history_import, selectors
from binhyen.indicators.models import HistoryImport
from binhyen.indicators.tasks_history import history_import_start
from binhyen.indicators.views.common import _ancestors
from binhyen.orgunits.models import OrgUnit


class HistoryUploadForm(BootstrapForm):
    source = forms.ChoiceField(label=gettext_lazy("Địa bàn cũ"))
    file = forms.FileField(
        label=gettext_lazy("Tệp Excel (.xlsx) hoặc CSV"),
        error_messages={
            "required": gettext_lazy("Hãy chọn một tệp để nhập."),
            "empty": gettext_lazy("Tệp đã chọn không có nội dung."),
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args: Any, sources: list[OrgUnit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["source"])
        field.choices = [(s.code, f"{s.name} ({s.code})") for s in sources]


def _province(request: HttpRequest, code: str) -> tuple[OrgUnit, list[OrgUnit]]:
    unit = selectors.visible_units(request.user).filter(code=code).first()
    if unit is None:
        raise not_found()
    try:
        return unit, history_import.import_sources(user=request.user, province=unit)
    except PermissionDenied as exc:
        raise not_found() from exc


@login_required
@require_http_methods(["GET", "POST"])
def history_upload(request: HttpRequest, code: str) -> HttpResponse:
    """The upload page: pick the old area, download its template, upload the workbook."""
    province, sources = _province(request, code)
    form = HistoryUploadForm(request.POST or None, request.FILES or None, sources=sources)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                source = history_import.source_get(
                    user=request.user, province=province, code=form.cleaned_data["source"]
                )
            except PermissionDenied as exc:
                raise not_found() from exc
            job = history_import_start(
                actor=current_user(request),
                province=province,
                source=source,
                upload=form.cleaned_data["file"],
            )
            return redirect("indicators:history_job", pk=job.pk)
        status = 400
    return render(
        request,
        "indicators/history_upload.html",
        {
            "unit": province,
            "sources": sources,
            "form": form,
            "columns": history_import.COLUMNS,
            "max_rows": f"{history_import.MAX_ROWS:,}".replace(",", "."),
            "ancestors": _ancestors(current_user(request), province),
        },
        status=status,
    )


@login_required
@require_GET
def history_template(request: HttpRequest, code: str) -> HttpResponse:
    """The template of one old area (``?source=<code>``; the first one without it)."""
    province, _sources = _province(request, code)
    try:
        source = history_import.source_get(
            user=request.user, province=province, code=request.GET.get("source", "")
        )
    except PermissionDenied as exc:
        raise not_found() from exc
    response = HttpResponse(
        history_import.template_workbook(source), content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="mau-lich-su-{source.code}.xlsx"'
    return response


@login_required
@require_GET
def history_job(request: HttpRequest, pk: str) -> HttpResponse:
    """One import: a progress bar while it runs, then its counts or every refused row."""
    try:
        job = history_import.history_job_get(user=request.user, pk=pk)
    except (HistoryImport.DoesNotExist, ValueError) as exc:
        raise not_found(_("Không tìm thấy lượt nhập này.")) from exc
    return render(request, "indicators/history_job.html", {"job": job, "unit": job.province})

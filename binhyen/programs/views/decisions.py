"""Decision pages: record a decision, its documents (list, certificates), its scan;
withdrawal.

Invariant: only a user who may decide at the programme's level records a decision.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from binhyen.core.forms import add_service_errors
from binhyen.core.web import call_or_404
from binhyen.programs import documents, evaluation, selectors, services
from binhyen.programs import permissions as prog_perms
from binhyen.programs.forms import (
    DecisionForm,
    ReasonForm,
)
from binhyen.programs.models import (
    EnrollmentStatus,
)
from binhyen.programs.views.common import _attachment, _require
from binhyen.programs.views.enrolment import _back


@login_required
@require_http_methods(["GET", "POST"])
def decide_page(request: HttpRequest, code: str) -> HttpResponse:
    program = selectors.program_get(user=request.user, code=code)
    _require(prog_perms.can_decide_anywhere(request.user))
    period = selectors.parse_program_period(
        program, request.POST.get("period") or request.GET.get("period")
    )
    candidates = selectors.decidable(user=request.user, program=program, period=period.code)
    form = DecisionForm(request.POST or None, request.FILES or None)
    chosen = {int(v) for v in request.POST.getlist("enrollment") if v.isdigit()}
    recognised = {int(v) for v in request.POST.getlist("recognised") if v.isdigit()}
    errors: list[str] = []
    if request.method == "POST":
        selected = [e for e in candidates if e.pk in chosen]
        if not selected:
            errors.append(_("Chọn ít nhất một hồ sơ."))
        elif form.is_valid():
            try:
                decision = call_or_404(
                    services.decision_record,
                    actor=request.user,
                    program=program,
                    period_code=period.code,
                    enrollments=selected,
                    recognised=recognised,
                    data=form.to_input(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request, _("Đã ghi nhận quyết định %(n)s.") % {"n": decision.number}
                )
                return redirect("programs:decision", pk=decision.pk)
    preview = {}
    if program.is_classification and candidates:
        criteria_set = candidates[0].criteria_set
        preview = evaluation.classify(
            {e.pk: (e.points_total or Decimal(0), e.unit.code) for e in candidates},
            levels=criteria_set.levels,
            caps=criteria_set.caps,
        )
    rows = [(e, preview.get(e.pk)) for e in candidates]
    return render(
        request,
        "programs/decide.html",
        {
            "program": program,
            "period": period,
            "periods": selectors.period_choices(program),
            "rows": rows,
            # Pass/fail programmes have no points: no "Điểm" column of zeros.
            "scored": program.is_classification or any(e.points_total for e in candidates),
            "form": form,
            "errors": errors,
            "chosen": chosen if request.method == "POST" else {e.pk for e in candidates},
            "recognised": recognised
            if request.method == "POST"
            else {e.pk for e in candidates if e.condition_met},
            "decisions": selectors.decisions_of(user=request.user, program=program)[:20],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_get(user=request.user, pk=pk)
    files = list(selectors.decision_enrollments(user=request.user, decision=decision))
    return render(
        request,
        "programs/decision.html",
        {
            "decision": decision,
            "program": decision.program,
            "files": files,
            "scored": decision.program.is_classification or any(e.points_total for e in files),
        },
    )


@login_required
@require_GET
def decision_list_docx(request: HttpRequest, pk: int) -> HttpResponse:
    decision = selectors.decision_get(user=request.user, pk=pk)
    files = selectors.decision_enrollments(user=request.user, decision=decision)
    return _attachment(
        documents.decision_list(decision, files),
        documents.DOCX_CONTENT_TYPE,
        f"danh-sach-quyet-dinh-{decision.pk}.docx",
    )


@login_required
@require_GET
def decision_scan(request: HttpRequest, pk: int) -> FileResponse:
    decision = selectors.decision_get(user=request.user, pk=pk)
    if not decision.scan:
        raise selectors.not_found()
    extension = (
        "pdf"
        if decision.scan_mime == "application/pdf"
        else (decision.scan.name or "").rsplit(".", 1)[-1]
    )
    return FileResponse(
        decision.scan.open("rb"),
        content_type=decision.scan_mime,
        filename=f"quyet-dinh-{decision.pk}.{extension}",
    )


@login_required
@require_GET
def certificate_docx(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = selectors.enrollment_get(user=request.user, pk=pk)
    if enrollment.status != EnrollmentStatus.RECOGNISED or enrollment.decision is None:
        raise selectors.not_found()
    return _attachment(
        documents.certificate(enrollment),
        documents.DOCX_CONTENT_TYPE,
        f"giay-chung-nhan-{enrollment.unit.code}-{enrollment.period}.docx",
    )


@login_required
@require_POST
def enrollment_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = selectors.enrollment_get(user=request.user, pk=pk)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    number = form.cleaned_data.get("number", "") if form.is_valid() else ""
    try:
        call_or_404(
            services.enrollment_withdraw,
            actor=request.user,
            enrollment=enrollment,
            reason=reason,
            number=number,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã thu hồi công nhận."))
    return _back(enrollment)

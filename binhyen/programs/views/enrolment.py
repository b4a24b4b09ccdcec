"""Enrolment and self-assessment pages: enrol, the file, scores, evidence, submission.

Invariant: only the unit (or its verifying level) sees and changes its file; else 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from binhyen.core.web import call_or_404
from binhyen.programs import evaluation, selectors, services
from binhyen.programs import permissions as prog_perms
from binhyen.programs.forms import (
    AssessForm,
    EnrolForm,
    EvidenceForm,
    ReasonForm,
)
from binhyen.programs.models import (
    Criterion,
    Enrollment,
    EnrollmentStatus,
)
from binhyen.programs.views.common import _require


@login_required
@require_POST
def enrol(request: HttpRequest, code: str) -> HttpResponse:
    program = selectors.program_get(user=request.user, code=code)
    units = list(
        selectors.enrollable_units(user=request.user, program=program)[: selectors.CHOICE_LIMIT + 1]
    )
    _require(bool(units))
    form = EnrolForm(
        request.POST,
        units=units if len(units) <= selectors.CHOICE_LIMIT else [],
        periods=selectors.period_choices(program),
    )
    if form.is_valid():
        try:
            unit = selectors.unit_get(user=request.user, code=form.cleaned_data["unit"])
            enrollment = call_or_404(
                services.enrollment_create,
                actor=request.user,
                program=program,
                unit=unit,
                period_code=form.cleaned_data["period"],
            )
        except (ValidationError, Http404) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            messages.error(request, text)
        else:
            messages.success(request, _("Đã đăng ký. Hãy tự đánh giá từng tiêu chí."))
            return redirect("programs:enrollment", pk=enrollment.pk)
    else:
        messages.error(request, _("Chọn đơn vị và kỳ đánh giá."))
    return redirect("programs:detail", code=code)


def _enrollment_context(
    request: HttpRequest, enrollment: Enrollment, *, missing: list[str] | None = None
) -> dict[str, Any]:
    progress = evaluation.progress(enrollment)
    user = request.user
    submit_deadline, decide_deadline = enrollment.program.deadlines(enrollment.period_value)
    can_self = prog_perms.can_self_assess(user, enrollment.unit)
    editable = can_self and enrollment.status == EnrollmentStatus.ENROLLED
    by_assessment = selectors.evidence_by_assessment(enrollment)
    evidence: dict[int, list[Any]] = {
        result.criterion.pk: by_assessment.get(result.assessment.pk, [])
        for result in progress.results
        if result.assessment is not None
    }
    return {
        "enrollment": enrollment,
        "program": enrollment.program,
        "progress": progress,
        "evidence": evidence,
        "editable": editable,
        "can_verify": prog_perms.can_verify(user, enrollment)
        and enrollment.status == EnrollmentStatus.SUBMITTED,
        "can_decide": prog_perms.can_decide(user, enrollment),
        "submit_deadline": submit_deadline,
        "decide_deadline": decide_deadline,
        "today": selectors.today(),
        "timeline": selectors.timeline(enrollment),
        "missing": missing or [],
        "reason_form": ReasonForm(),
        "evidence_form": EvidenceForm(),
        "predecessor_results": selectors.predecessor_results(
            user=user, unit=enrollment.unit, program=enrollment.program
        ),
    }


@login_required
@require_GET
def enrollment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = selectors.enrollment_get(user=request.user, pk=pk)
    return render(request, "programs/enrollment.html", _enrollment_context(request, enrollment))


def _criterion_of(enrollment: Enrollment, criterion_id: int) -> Criterion:
    return selectors.criterion_get(criteria_set=enrollment.criteria_set, pk=criterion_id)


def _back(enrollment: Enrollment, criterion: Criterion | None = None) -> HttpResponse:
    url = reverse("programs:enrollment", args=[enrollment.pk])
    return redirect(f"{url}#c{criterion.pk}" if criterion else url)


@login_required
@require_POST
def assessment_save(request: HttpRequest, pk: int, criterion_id: int) -> HttpResponse:
    enrollment = selectors.enrollment_get(user=request.user, pk=pk)
    criterion = _criterion_of(enrollment, criterion_id)
    form = AssessForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            call_or_404(
                services.assessment_save,
                actor=request.user,
                enrollment=enrollment,
                criterion=criterion,
                self_met=form.cleaned_data["self_met"],
                self_points=form.cleaned_data["self_points"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            errors = exc.messages
    else:
        errors = [str(e) for field_errors in form.errors.values() for e in field_errors]
    if getattr(request, "htmx", False):
        enrollment = selectors.enrollment_get(user=request.user, pk=pk)
        context = _enrollment_context(request, enrollment)
        result = next(r for r in context["progress"].results if r.criterion.pk == criterion.pk)
        context.update(result=result, card_errors=errors)
        return render(
            request, "programs/_criterion_response.html", context, status=400 if errors else 200
        )
    for error in errors:
        messages.error(request, error)
    if not errors:
        messages.success(
            request, _("Đã lưu tự đánh giá tiêu chí %(code)s.") % {"code": criterion.code}
        )
    return _back(enrollment, criterion)


@login_required
@require_POST
def evidence_add(request: HttpRequest, pk: int, criterion_id: int) -> HttpResponse:
    enrollment = selectors.enrollment_get(user=request.user, pk=pk)
    criterion = _criterion_of(enrollment, criterion_id)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Chọn tệp minh chứng để tải lên."))
        return _back(enrollment, criterion)
    try:
        call_or_404(
            services.evidence_add,
            actor=request.user,
            enrollment=enrollment,
            criterion=criterion,
            upload=form.cleaned_data["file"],
            description=form.cleaned_data["description"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Đã tải lên minh chứng cho tiêu chí %(code)s.") % {"code": criterion.code}
        )
    return _back(enrollment, criterion)


@login_required
@require_GET
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    evidence = selectors.evidence_get(user=request.user, pk=pk)
    return FileResponse(
        evidence.file.open("rb"), content_type=evidence.mime, filename=evidence.original_name
    )


@login_required
@require_POST
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = selectors.evidence_get(user=request.user, pk=pk)
    enrollment = evidence.assessment.enrollment
    try:
        call_or_404(services.evidence_delete, actor=request.user, evidence=evidence)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(enrollment, evidence.assessment.criterion)


@login_required
@require_POST
def enrollment_submit(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = selectors.enrollment_get(user=request.user, pk=pk)
    try:
        call_or_404(services.enrollment_submit, actor=request.user, enrollment=enrollment)
    except ValidationError as exc:
        missing = exc.message_dict.get("missing") or exc.messages
        return render(
            request,
            "programs/enrollment.html",
            _enrollment_context(request, enrollment, missing=missing),
            status=400,
        )
    messages.success(request, _("Đã nộp hồ sơ lên cấp thẩm định."))
    return _back(enrollment)

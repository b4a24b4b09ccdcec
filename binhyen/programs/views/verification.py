"""Verification pages: the verifier's view of a file, verdicts, return, finish.

Invariant: only the verifying level of the unit reaches these pages; else 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from binhyen.core.web import call_or_404
from binhyen.programs import permissions as prog_perms
from binhyen.programs import selectors, services
from binhyen.programs.forms import (
    NoteForm,
    ReasonForm,
    VerdictForm,
)
from binhyen.programs.models import (
    Enrollment,
)
from binhyen.programs.views.common import _require
from binhyen.programs.views.enrolment import _back, _criterion_of, _enrollment_context


def _verify_context(request: HttpRequest, enrollment: Enrollment, **extra: Any) -> dict[str, Any]:
    context = _enrollment_context(request, enrollment)
    context.update({"note_form": NoteForm(), "verdict_errors": {}})
    context.update(extra)
    return context


@login_required
@require_GET
def verify_page(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = selectors.enrollment_get(user=request.user, pk=pk)
    _require(prog_perms.can_verify(request.user, enrollment))
    return render(request, "programs/verify.html", _verify_context(request, enrollment))


@login_required
@require_POST
def verdict_save(request: HttpRequest, pk: int, criterion_id: int) -> HttpResponse:
    enrollment = selectors.enrollment_get(user=request.user, pk=pk)
    _require(prog_perms.can_verify(request.user, enrollment))
    criterion = _criterion_of(enrollment, criterion_id)
    form = VerdictForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            call_or_404(
                services.assessment_verify,
                actor=request.user,
                enrollment=enrollment,
                criterion=criterion,
                verdict=form.cleaned_data["verdict"],
                comment=form.cleaned_data["comment"],
                points=form.cleaned_data["points"],
            )
        except ValidationError as exc:
            errors = exc.messages
    else:
        errors = [_("Chọn “Đồng ý” hoặc “Không đồng ý”.")]
    if errors:
        context = _verify_context(request, enrollment, verdict_errors={criterion.pk: errors})
        return render(request, "programs/verify.html", context, status=400)
    return redirect(f"{reverse('programs:verify', args=[pk])}#c{criterion.pk}")


@login_required
@require_POST
def verify_finish(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = selectors.enrollment_get(user=request.user, pk=pk)
    _require(prog_perms.can_verify(request.user, enrollment))
    form = NoteForm(request.POST)
    form.is_valid()
    try:
        call_or_404(
            services.enrollment_verify,
            actor=request.user,
            enrollment=enrollment,
            note=form.cleaned_data.get("note", ""),
        )
    except ValidationError as exc:
        context = _verify_context(request, enrollment, finish_errors=exc.messages)
        return render(request, "programs/verify.html", context, status=400)
    messages.success(request, _("Đã hoàn thành thẩm định; hồ sơ chờ quyết định."))
    return _back(enrollment)


@login_required
@require_POST
def enrollment_return(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = selectors.enrollment_get(user=request.user, pk=pk)
    _require(prog_perms.can_verify(request.user, enrollment))
    form = ReasonForm(request.POST)
    reason = request.POST.get("reason", "") if not form.is_valid() else form.cleaned_data["reason"]
    try:
        call_or_404(
            services.enrollment_return, actor=request.user, enrollment=enrollment, reason=reason
        )
    except ValidationError as exc:
        context = _verify_context(request, enrollment, finish_errors=exc.messages)
        return render(request, "programs/verify.html", context, status=400)
    messages.success(request, _("Đã trả hồ sơ để đơn vị bổ sung."))
    return _back(enrollment)

"""Pages of the hotspots app: list, board, designation detail and its workflow, export.

Deny by default: every view needs a signed-in user; designations, tasks and attachments are
fetched through ``selectors`` (404 for missing and forbidden alike), and every write also
answers 404 when the user lacks the permission on the commune, so existence never leaks.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from binhyen.core.exports import export_offload
from binhyen.core.forms import BootstrapForm
from binhyen.core.tabular import XLSX_CONTENT_TYPE
from binhyen.core.web import (
    call_service,
    current_user,
    form_view,
    move_confirm_view,
    not_found,
    paginate,
    querystring,
)
from binhyen.hotspots import excel, selectors, services
from binhyen.hotspots.forms import (
    BoardForm,
    DesignationFilterForm,
    DesignationForm,
    RelapseForm,
    RemovalForm,
    RemovalProposalForm,
    ResponsibilityForm,
    TaskForm,
    TaskReportForm,
)
from binhyen.hotspots.models import Designation, PlanTask, Responsibility
from binhyen.hotspots.permissions import can_manage, can_manage_anywhere, can_report_progress
from binhyen.orgunits import carry


def _filtered(request: HttpRequest) -> tuple[DesignationFilterForm, Any, dict[str, Any]]:
    form = DesignationFilterForm(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    unit = selectors.unit_get(user=request.user, code=data["unit"]) if data.get("unit") else None
    queryset = selectors.designation_list(
        user=request.user,
        unit=unit,
        regime=data.get("regime") or None,
        year=data.get("year"),
        status=data.get("status") or None,
        q=data.get("q") or None,
    )
    params = {k: data.get(k) or "" for k in ("q", "regime", "year", "status", "unit")}
    return form, queryset, params


@login_required
@require_GET
def designation_list(request: HttpRequest) -> HttpResponse:
    """List the hotspot areas the user may read, with search, filters and pagination."""
    form, queryset, params = _filtered(request)
    page = paginate(request, queryset)
    return render(
        request,
        "hotspots/list.html",
        {
            "form": form,
            "page": page,
            "filtered": any(params.values()),
            "querystring": querystring(**params),
            "can_manage": can_manage_anywhere(request.user),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@login_required
@require_GET
def designation_export(request: HttpRequest) -> HttpResponse:
    """Download the filtered list as an Excel file."""
    _form, queryset, _params = _filtered(request)
    if offloaded := export_offload(request, queryset):
        return offloaded
    rows = queryset.prefetch_related("categories", "responsibilities", "tasks", "relapses")
    response = HttpResponse(
        excel.export_workbook(rows.iterator(chunk_size=500)), content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = 'attachment; filename="dia-ban-trong-diem.xlsx"'
    return response


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    """Show "removed N/M (x %)" per regime and year, relapses, overdue tasks, missing schemes."""
    form = BoardForm(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    roots = selectors.board_roots(user=request.user)
    if data.get("unit"):
        root = selectors.unit_get(user=request.user, code=data["unit"])
    elif roots:
        root = roots[0]
    else:
        raise not_found(selectors.not_found_message())
    year = data.get("year") or timezone.localdate().year
    result = selectors.board(
        user=request.user, root=root, year=year, regime=data.get("regime") or None
    )
    return render(
        request,
        "hotspots/board.html",
        {
            "form": form,
            "board": result,
            "roots": roots,
            "years": selectors.list_years(user=request.user),
        },
    )


def _communes(request: HttpRequest, designation: Designation | None = None) -> list[Any]:
    communes = list(selectors.manageable_communes(user=request.user, history=True)[:2000])
    if designation is not None and designation.orgunit not in communes:
        communes.insert(0, designation.orgunit)
    return communes


@login_required
@require_http_methods(["GET", "POST"])
def designation_create(request: HttpRequest) -> HttpResponse:
    """Record a designation decision for a commune."""
    if not can_manage_anywhere(request.user):
        raise not_found(selectors.not_found_message())
    communes = _communes(request)
    initial = {}
    if request.GET.get("unit"):
        initial["unit"] = request.GET["unit"]
    if request.GET.get("regime"):
        initial["regime"] = request.GET["regime"]
    form = DesignationForm(
        request.POST or None, request.FILES or None, communes=communes, initial=initial
    )
    return form_view(
        request,
        form,
        services.designation_create,
        template="hotspots/form.html",
        context={"mode": "create"},
        arguments=lambda _data: {"data": form.to_input()},
        success_url=lambda saved: reverse("hotspots:detail", args=[saved.pk]),
        success_message=_("Đã ghi nhận địa bàn trọng điểm."),
        not_found_message=selectors.not_found_message(),
    )


def _managed(request: HttpRequest, pk: int) -> Designation:
    designation = selectors.designation_get(user=request.user, pk=pk)
    if not can_manage(request.user, designation.orgunit):
        raise not_found(selectors.not_found_message())
    return designation


@login_required
@require_http_methods(["GET", "POST"])
def designation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct a designation's decision, survey or plan summary."""
    designation = _managed(request, pk)
    initial = {
        "regime": designation.regime,
        "unit": designation.orgunit.code,
        "year": designation.year,
        "drug_area_type": designation.drug_area_type,
        "categories": list(designation.categories.all()),
        "decision_number": designation.decision_number,
        "decision_date": designation.decision_date,
        "issuing_body": designation.issuing_body,
        "survey_date": designation.survey_date,
        "survey_findings": designation.survey_findings,
        "plan_summary": designation.plan_summary,
    }
    form = DesignationForm(
        request.POST or None,
        request.FILES or None,
        communes=_communes(request, designation),
        stored=initial,
    )
    return form_view(
        request,
        form,
        services.designation_update,
        template="hotspots/form.html",
        context={"mode": "edit", "designation": designation},
        arguments=lambda _data: {"designation": designation, "data": form.to_input()},
        success_url=reverse("hotspots:detail", args=[designation.pk]),
        success_message=_("Đã lưu thay đổi."),
        not_found_message=selectors.not_found_message(),
    )


def _detail(
    request: HttpRequest, designation: Designation, status: int = 200, **forms: Any
) -> HttpResponse:
    manage = can_manage(request.user, designation.orgunit)
    today = timezone.localdate()
    tasks = list(designation.tasks.all())
    context = {
        "designation": designation,
        "tasks": tasks,
        "overdue_ids": {t.pk for t in tasks if t.is_overdue(today)},
        "can_manage": manage,
        "can_report": can_report_progress(request.user, designation.orgunit),
        "responsibility_form": forms.get("responsibility_form") or ResponsibilityForm(),
        "task_form": forms.get("task_form") or TaskForm(),
        "proposal_form": forms.get("proposal_form")
        or RemovalProposalForm(initial={"proposed_on": today}),
        "removal_form": forms.get("removal_form") or RemovalForm(initial={"decision_date": today}),
        "relapse_form": forms.get("relapse_form") or RelapseForm(initial={"day": today}),
    }
    context["can_carry"] = manage and _can_carry(request, designation)
    return render(request, "hotspots/detail.html", context, status=status)


def _can_carry(request: HttpRequest, designation: Designation) -> bool:
    """Return True if the designation stands on a closed commune and the user may move it."""
    if designation.orgunit.valid_to is None:
        return False
    return carry.move_possible(
        lambda: services.designation_carry_plan(designation=designation),
        lambda moves: services.designation_carry_allowed(current_user(request), moves),
    )


@login_required
@require_http_methods(["GET", "POST"])
def designation_carry_forward(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm and move a designation from its closed commune onto the successor commune."""
    designation = _managed(request, pk)
    back = reverse("hotspots:detail", args=[designation.pk])
    return move_confirm_view(
        request,
        plan=lambda: services.designation_carry_plan(designation=designation),
        allowed=lambda moves: services.designation_carry_allowed(current_user(request), moves),
        service=services.designation_carry_forward,
        obj=designation,
        template="hotspots/confirm.html",
        back_url=back,
        context=lambda moves: {
            "designation": designation,
            "title": _("Chuyển địa bàn trọng điểm %(unit)s sang đơn vị mới")
            % {"unit": designation.orgunit.name},
            "intro": _(
                "Địa bàn sẽ được ghi trên %(moves)s, cùng kế hoạch, nhiệm vụ và phân công phụ "
                "trách. Xã, phường cũ vẫn được giữ trong lịch sử; ngày quyết định và số liệu các "
                "kỳ trước không đổi."
            )
            % {"moves": carry.moves_text(moves)},
        },
        success_message=_("Đã chuyển địa bàn trọng điểm sang đơn vị mới."),
        not_found_message=selectors.not_found_message(),
    )


@login_required
@require_GET
def designation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a designation: decision, survey, responsibilities, plan tasks, removal, relapses."""
    return _detail(request, selectors.designation_get(user=request.user, pk=pk))


def _post(
    request: HttpRequest,
    pk: int,
    form_class: type[BootstrapForm],
    form_key: str,
    service: Callable[..., Any],
    done: str,
) -> HttpResponse:
    """Handle one workflow form on the detail page: parse, call the service, redirect or re-show.

    The service is called with the designation and the form's cleaned data; the form's
    ``service_field_map`` puts the service's field errors on its fields.
    """
    designation = _managed(request, pk)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        ok, _saved = call_service(
            form,
            service,
            not_found_message=selectors.not_found_message(),
            actor=current_user(request),
            designation=designation,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, done)
            return redirect("hotspots:detail", pk=designation.pk)
    designation = selectors.designation_get(user=request.user, pk=pk)
    return _detail(request, designation, status=400, **{form_key: form})


@login_required
@require_POST
def responsibility_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        ResponsibilityForm,
        "responsibility_form",
        services.responsibility_create,
        _("Đã thêm phân công phụ trách."),
    )


@login_required
@require_POST
def responsibility_delete(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    designation = _managed(request, pk)
    responsibility = Responsibility.objects.filter(designation=designation, pk=item).first()
    if responsibility is None:
        raise not_found(selectors.not_found_message())
    services.responsibility_delete(actor=current_user(request), responsibility=responsibility)
    messages.success(request, _("Đã bỏ phân công."))
    return redirect("hotspots:detail", pk=designation.pk)


@login_required
@require_POST
def task_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        TaskForm,
        "task_form",
        services.plan_task_create,
        _("Đã thêm nhiệm vụ vào kế hoạch chuyển hóa."),
    )


@login_required
@require_POST
def removal_propose(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        RemovalProposalForm,
        "proposal_form",
        services.designation_removal_propose,
        _("Đã ghi nhận đề nghị đưa ra khỏi diện."),
    )


@login_required
@require_POST
def removal_decide(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        RemovalForm,
        "removal_form",
        services.designation_remove,
        _("Đã ghi nhận quyết định đưa ra khỏi diện."),
    )


@login_required
@require_POST
def relapse_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        RelapseForm,
        "relapse_form",
        services.relapse_create,
        _("Đã ghi nhận địa bàn tái phức tạp."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Report a task's progress (commune police or managers); managers also edit the task."""
    task = selectors.task_get(user=request.user, pk=pk)
    unit = task.designation.orgunit
    if not can_report_progress(request.user, unit):
        raise not_found(selectors.not_found_message())
    manage = can_manage(request.user, unit)
    report_initial = {
        "progress": task.progress,
        "status": task.status,
        "completed_on": task.completed_on,
        "evidence": task.evidence,
    }
    task_initial = {"title": task.title, "owner": task.owner, "deadline": task.deadline}
    which = request.POST.get("form") if request.method == "POST" else None
    report_form = TaskReportForm(
        request.POST if which == "report" else None,
        request.FILES if which == "report" else None,
        stored=report_initial,
    )
    task_form = TaskForm(request.POST if which == "task" and manage else None, stored=task_initial)
    status = 200
    if which == "task" and not manage:
        raise not_found(selectors.not_found_message())
    if which in ("report", "task"):
        bound = report_form if which == "report" else task_form
        if bound.is_valid():
            data = bound.cleaned_data
            service: Callable[..., PlanTask] = services.plan_task_update
            arguments: dict[str, Any] = data
            if which == "report":
                service = services.plan_task_report
                arguments = {
                    "progress": data["progress"],
                    "status": data["status"],
                    "completed_on": data.get("completed_on"),
                    "evidence": data.get("evidence") or "",
                    "evidence_file": data.get("evidence_file") or None,
                }
            ok, _saved = call_service(
                bound,
                service,
                not_found_message=selectors.not_found_message(),
                actor=current_user(request),
                task=task,
                **arguments,
            )
            if ok:
                messages.success(request, _("Đã cập nhật nhiệm vụ."))
                return redirect("hotspots:detail", pk=task.designation_id)
        status = 400
    return render(
        request,
        "hotspots/task.html",
        {
            "task": task,
            "designation": task.designation,
            "report_form": report_form,
            "task_form": task_form if manage else None,
            "overdue": task.is_overdue(),
        },
        status=status,
    )


def _serve(field: FieldFile) -> HttpResponseBase:
    if not field:
        raise not_found(selectors.not_found_message())
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise not_found(selectors.not_found_message()) from exc
    content_type = mimetypes.guess_type(field.name or "")[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int, which: str) -> HttpResponseBase:
    """Serve a designation's decision or removal decision to users who may read it."""
    designation = selectors.designation_get(user=request.user, pk=pk)
    if which == "decision":
        return _serve(designation.decision_file)
    if which == "removal":
        return _serve(designation.removal_file)
    raise not_found(selectors.not_found_message())


@login_required
@require_GET
def task_evidence(request: HttpRequest, pk: int) -> HttpResponseBase:
    task: PlanTask = selectors.task_get(user=request.user, pk=pk)
    return _serve(task.evidence_file)

"""Pages of the targets app: the unit's targets with progress, a target with its children
and allocations, the register of plans, campaigns and their boards, Excel in and out.

Deny by default: every view needs a signed-in user; objects come through ``selectors``
(404 for missing and forbidden alike) and every write answers 404 when the user may not
manage the unit, so existence never leaks. Views parse input, call one service, render.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from binhyen.core import tabular
from binhyen.core.tabular import XLSX_CONTENT_TYPE
from binhyen.core.web import call_service, current_user, form_view, paginate, querystring
from binhyen.orgunits.models import OrgUnit
from binhyen.targets import excel, selectors, services
from binhyen.targets.forms import (
    AllocateForm,
    CampaignForm,
    PlanFilterForm,
    PlanForm,
    TargetEditForm,
    TargetForm,
    TaskForm,
    TaskProgressForm,
    UploadForm,
)
from binhyen.targets.permissions import can_manage, can_manage_anywhere


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return timezone.localdate().year


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _managed(request: HttpRequest, unit: OrgUnit) -> None:
    if not can_manage(request.user, unit):
        raise Http404(selectors.not_found().args[0])


def _default_unit(request: HttpRequest) -> OrgUnit:
    roots = selectors.unit_roots(user=request.user)
    if not roots:
        raise selectors.not_found()
    return roots[0]


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Show the targets page of the user's own unit."""
    return _unit_page(request, _default_unit(request))


@login_required
@require_GET
def unit(request: HttpRequest, code: str) -> HttpResponse:
    """Show a unit's targets with actual, percentage, status, projection and children."""
    return _unit_page(request, selectors.unit_get(user=request.user, code=code))


def _unit_page(request: HttpRequest, unit: OrgUnit) -> HttpResponse:
    year = _year(request)
    items, children = selectors.children_table(user=request.user, unit=unit, year=year)
    behind = [
        (p.target, row)
        for p in items
        for row in children.get(p.target.pk, [])
        if row.progress is not None and row.progress.behind
    ]
    return render(
        request,
        "targets/unit.html",
        {
            "unit": unit,
            "year": year,
            "years": [year - 1, year, year + 1],
            "items": items,
            "children": children,
            "behind": behind,
            "can_manage": can_manage(request.user, unit),
            "is_province": unit.kind in ("province", "country"),
        },
    )


@login_required
@require_GET
def unit_export(request: HttpRequest, code: str) -> HttpResponse:
    """Download the unit's targets with their progress, and its children's, as Excel."""
    unit_ = selectors.unit_get(user=request.user, code=code)
    year = _year(request)
    items, children = selectors.children_table(user=request.user, unit=unit_, year=year)
    rows = list(items)
    for p in items:
        rows.extend(r.progress for r in children.get(p.target.pk, []) if r.progress is not None)
    return _xlsx(excel.progress_workbook(rows), f"chi-tieu-{unit_.code}-{year}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def target_create(request: HttpRequest, code: str) -> HttpResponse:
    """Set a target of the unit."""
    unit_ = selectors.unit_get(user=request.user, code=code)
    _managed(request, unit_)
    plans = list(selectors.unit_plans(unit_)[:50])
    form = TargetForm(
        request.POST or None, plans=plans, initial={"period": str(timezone.localdate().year)}
    )

    def arguments(data: dict[str, Any]) -> dict[str, Any]:
        return {
            "unit": unit_,
            "data": services.TargetInput(
                metric=data["metric"],
                kind=data["kind"],
                value=data["value"],
                period=data["period"],
                comparison=data["comparison"],
                name=data["name"],
                option=data["option"],
                denominator=data["denominator"],
                plan=next((p for p in plans if p.pk == data.get("plan")), None),
            ),
        }

    return form_view(
        request,
        form,
        services.target_create,
        template="targets/form.html",
        context={"unit": unit_, "title": _("Đặt chỉ tiêu"), "multipart": False},
        arguments=arguments,
        success_url=lambda target: reverse("targets:target", args=[target.pk]),
        success_message=_("Đã đặt chỉ tiêu."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def targets_import(request: HttpRequest, code: str) -> HttpResponse:
    """Import the unit's targets from an Excel sheet (all or nothing, errors per row)."""
    unit_ = selectors.unit_get(user=request.user, code=code)
    _managed(request, unit_)
    if request.method == "GET" and request.GET.get("template"):
        return _xlsx(excel.targets_template(), "mau-chi-tieu.xlsx")
    form = UploadForm(request.POST or None, request.FILES or None)
    problems: list[tabular.ImportProblem] = []
    if request.method == "POST" and form.is_valid():
        try:
            rows, problems = excel.read_targets(form.cleaned_data["file"])
            if not problems:
                created = services.targets_import(
                    actor=current_user(request), unit=unit_, rows=rows
                )
                messages.success(request, _("Đã nhập %(n)s chỉ tiêu.") % {"n": len(created)})
                return redirect("targets:unit", code=unit_.code)
        except tabular.ImportFileError as exc:
            problems = exc.problems
        except tabular.BulkValidationError as exc:
            problems = [tabular.ImportProblem(e.row, e.field, e.message) for e in exc.row_errors]
    return render(
        request,
        "targets/import.html",
        {"form": form, "unit": unit_, "problems": problems},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_GET
def target_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a target, its progress, its children and the versions of its allocation."""
    target = selectors.target_get(user=request.user, pk=pk)
    detail = selectors.target_detail(user=request.user, target=target)
    manage = can_manage(request.user, target.orgunit)
    return render(
        request,
        "targets/target.html",
        {
            "target": target,
            "detail": detail,
            "parent_visible": selectors.parent_visible(user=request.user, target=target),
            "can_manage": manage,
            "allocate_form": AllocateForm() if manage else None,
            "upload_form": UploadForm() if manage else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the level of the unit's own target."""
    target = selectors.target_get(user=request.user, pk=pk)
    _managed(request, target.orgunit)
    form = TargetEditForm(
        request.POST or None, initial={"name": target.name, "value": f"{target.value:g}"}
    )
    return form_view(
        request,
        form,
        services.target_update,
        template="targets/form.html",
        context={"unit": target.orgunit, "title": _("Sửa chỉ tiêu"), "multipart": False},
        arguments=lambda data: {"target": target, "value": data["value"], "name": data["name"]},
        success_url=reverse("targets:target", args=[target.pk]),
        success_message=_("Đã sửa chỉ tiêu."),
    )


@login_required
@require_POST
def target_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Delete the unit's own target (not one allocated further)."""
    target = selectors.target_get(user=request.user, pk=pk)
    _managed(request, target.orgunit)
    try:
        services.target_delete(actor=current_user(request), target=target)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("targets:target", pk=target.pk)
    messages.success(request, _("Đã xóa chỉ tiêu."))
    return redirect("targets:unit", code=target.orgunit.code)


@login_required
@require_POST
def allocate(request: HttpRequest, pk: int) -> HttpResponse:
    """Allocate a target to the unit's children by a method (a new version)."""
    target = selectors.target_get(user=request.user, pk=pk)
    _managed(request, target.orgunit)
    form = AllocateForm(request.POST)
    if form.is_valid():
        ok, allocation = call_service(
            form,
            services.allocation_create,
            actor=current_user(request),
            target=target,
            method=form.cleaned_data["method"],
            note=form.cleaned_data["note"],
        )
        if ok and allocation is not None:
            messages.success(request, _("Đã phân bổ (lần %(v)s).") % {"v": allocation.version})
            return redirect("targets:target", pk=target.pk)
    detail = selectors.target_detail(user=request.user, target=target)
    return render(
        request,
        "targets/target.html",
        {
            "target": target,
            "detail": detail,
            "parent_visible": selectors.parent_visible(user=request.user, target=target),
            "can_manage": True,
            "allocate_form": form,
            "upload_form": UploadForm(),
        },
        status=400,
    )


@login_required
@require_GET
def allocation_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the allocation sheet: the children with their current shares."""
    target = selectors.target_get(user=request.user, pk=pk)
    content = excel.shares_workbook(target, services.allocation_children(target))
    return _xlsx(content, f"phan-bo-{target.pk}.xlsx")


@login_required
@require_POST
def allocation_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Allocate a target from a filled allocation sheet (all or nothing, errors per row)."""
    target = selectors.target_get(user=request.user, pk=pk)
    _managed(request, target.orgunit)
    form = UploadForm(request.POST, request.FILES)
    problems: list[tabular.ImportProblem] = []
    if form.is_valid():
        try:
            shares, problems = excel.read_shares(form.cleaned_data["file"])
            if not problems:
                services.allocation_import(
                    actor=current_user(request), target=target, shares=shares
                )
                messages.success(request, _("Đã phân bổ theo tệp Excel."))
                return redirect("targets:target", pk=target.pk)
        except tabular.ImportFileError as exc:
            problems = exc.problems
        except tabular.BulkValidationError as exc:
            problems = [tabular.ImportProblem(e.row, e.field, e.message) for e in exc.row_errors]
        except ValidationError as exc:
            problems = [tabular.ImportProblem(None, "", m) for m in exc.messages]
    return render(
        request,
        "targets/import.html",
        {"form": form, "unit": target.orgunit, "problems": problems, "target": target},
        status=400,
    )


@login_required
@require_POST
def hotspot_seed(request: HttpRequest, code: str) -> HttpResponse:
    """Give a province its hotspot transformation targets with today's defaults."""
    unit_ = selectors.unit_get(user=request.user, code=code)
    _managed(request, unit_)
    raw = str(request.POST.get("year", ""))
    year = int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else timezone.localdate().year
    try:
        made = services.hotspot_targets_seed(
            actor=current_user(request),
            province=unit_,
            year=year,
            defaults=selectors.hotspot_defaults(),
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã đặt %(n)s chỉ tiêu chuyển hóa địa bàn.") % {"n": len(made)})
    return redirect(f"{reverse('targets:unit', args=[unit_.code])}?year={year}")


# --- plans ---------------------------------------------------------------------------------


@login_required
@require_GET
def plan_list(request: HttpRequest) -> HttpResponse:
    """The register of plans, resolutions, directives and coordination regulations."""
    form = PlanFilterForm(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    plans = selectors.plan_list(
        user=request.user, q=data.get("q"), kind=data.get("kind"), year=data.get("year")
    )
    page = paginate(request, plans)
    params = {k: data.get(k) or "" for k in ("q", "kind", "year")}
    return render(
        request,
        "targets/plans.html",
        {
            "form": form,
            "page": page,
            "filtered": any(params.values()),
            "querystring": querystring(**params),
            "can_manage": can_manage_anywhere(request.user),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _plan_input(data: dict[str, Any]) -> services.PlanInput:
    return services.PlanInput(
        kind=data["kind"],
        number=data["number"],
        issued_on=data["issued_on"],
        title=data["title"],
        period_start=data["period_start"],
        period_end=data["period_end"],
        summary=data["summary"],
        partners=data["partners"],
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    """Record a plan of a unit the user manages (``?unit=`` code, default: their own)."""
    code = request.GET.get("unit")
    unit_ = selectors.unit_get(user=request.user, code=code) if code else _default_unit(request)
    _managed(request, unit_)
    form = PlanForm(request.POST or None, request.FILES or None)
    return form_view(
        request,
        form,
        services.plan_create,
        template="targets/form.html",
        context={"unit": unit_, "title": _("Thêm kế hoạch, văn bản"), "multipart": True},
        arguments=lambda data: {
            "unit": unit_,
            "data": _plan_input(data),
            "upload": data.get("document"),
        },
        success_url=lambda plan: reverse("targets:plan", args=[plan.pk]),
        success_message=_("Đã ghi nhận văn bản."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    _managed(request, plan.orgunit)
    initial = {
        name: getattr(plan, name)
        for name in (
            "kind",
            "number",
            "issued_on",
            "title",
            "summary",
            "partners",
            "period_start",
            "period_end",
        )
    }
    form = PlanForm(request.POST or None, request.FILES or None, initial=initial)
    return form_view(
        request,
        form,
        services.plan_update,
        template="targets/form.html",
        context={"unit": plan.orgunit, "title": _("Sửa kế hoạch, văn bản"), "multipart": True},
        arguments=lambda data: {
            "plan": plan,
            "data": _plan_input(data),
            "upload": data.get("document"),
        },
        success_url=reverse("targets:plan", args=[plan.pk]),
        success_message=_("Đã sửa văn bản."),
    )


@login_required
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    targets = list(plan.targets.select_related("orgunit", "metric", "denominator"))
    manage = can_manage(request.user, plan.orgunit)
    return render(
        request,
        "targets/plan.html",
        {
            "plan": plan,
            "tasks": list(plan.tasks.all()),
            "items": selectors.progress_of(targets),
            "can_manage": manage,
            "task_form": TaskForm() if manage else None,
        },
    )


@login_required
@require_GET
def plan_document(request: HttpRequest, pk: int) -> FileResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    if not plan.document:
        raise selectors.not_found()
    return FileResponse(plan.document.open("rb"), as_attachment=True)


@login_required
@require_POST
def task_add(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(user=request.user, pk=pk)
    _managed(request, plan.orgunit)
    form = TaskForm(request.POST)
    if form.is_valid():
        ok, _task = call_service(
            form,
            services.plan_task_add,
            actor=current_user(request),
            plan=plan,
            **form.cleaned_data,
        )
        if ok:
            messages.success(request, _("Đã thêm nhiệm vụ."))
            return redirect("targets:plan", pk=plan.pk)
    targets = list(plan.targets.select_related("orgunit", "metric", "denominator"))
    return render(
        request,
        "targets/plan.html",
        {
            "plan": plan,
            "tasks": list(plan.tasks.all()),
            "items": selectors.progress_of(targets),
            "can_manage": True,
            "task_form": form,
        },
        status=400,
    )


@login_required
@require_POST
def task_update(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_get(user=request.user, pk=pk)
    _managed(request, task.plan.orgunit)
    form = TaskProgressForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Tiến độ phải là số từ 0 đến 100."))
        return redirect("targets:plan", pk=task.plan_id)
    try:
        services.plan_task_update(actor=current_user(request), task=task, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã cập nhật tiến độ."))
    return redirect("targets:plan", pk=task.plan_id)


# --- campaigns -----------------------------------------------------------------------------


@login_required
@require_GET
def campaign_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:200]
    page = paginate(request, selectors.campaign_list(user=request.user, q=q))
    return render(
        request,
        "targets/campaigns.html",
        {
            "page": page,
            "q": q,
            "querystring": querystring(q=q),
            "can_manage": can_manage_anywhere(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("unit")
    unit_ = selectors.unit_get(user=request.user, code=code) if code else _default_unit(request)
    _managed(request, unit_)
    plans = list(selectors.unit_plans(unit_)[:50])
    form = CampaignForm(request.POST or None, plans=plans)

    def arguments(data: dict[str, Any]) -> dict[str, Any]:
        codes = [c.strip() for c in data["units"].split(",") if c.strip()]
        below = selectors.visible_units(request.user).filter(
            path__startswith=unit_.path, valid_to__isnull=True
        )
        units = list(below.filter(code__in=codes)) if codes else list(below.filter(parent=unit_))
        missing = sorted(set(codes) - {u.code for u in units})
        if missing:
            raise ValidationError(
                {
                    "units": _("Không có đơn vị %(codes)s trong địa bàn của %(unit)s.")
                    % {"codes": ", ".join(missing), "unit": unit_.name}
                }
            )
        return {
            "unit": unit_,
            "data": services.CampaignInput(
                name=data["name"],
                start=data["start"],
                end=data["end"],
                frequency=data["frequency"],
                units=units,
                tracked=[(data["metric"], data["target"])],
                plan=next((p for p in plans if p.pk == data.get("plan")), None),
            ),
        }

    return form_view(
        request,
        form,
        _campaign_create,
        template="targets/form.html",
        context={"unit": unit_, "title": _("Mở đợt cao điểm"), "multipart": False},
        arguments=arguments,
        success_url=lambda campaign: reverse("targets:campaign", args=[campaign.pk]),
        success_message=_("Đã mở đợt cao điểm và biểu mẫu báo cáo của đợt."),
    )


def _campaign_create(**kwargs: Any) -> Any:
    """``services.campaign_create``, its error on the tracked metric shown on the form's
    metric field too."""
    try:
        return services.campaign_create(**kwargs)
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "tracked" in exc.error_dict:
            raise ValidationError({**exc.error_dict, "metric": exc.error_dict["tracked"]}) from exc
        raise


@login_required
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The campaign board: figures against targets by unit, who has not reported."""
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    board = selectors.campaign_board(user=request.user, campaign=campaign)
    return render(
        request,
        "targets/campaign.html",
        {
            "campaign": campaign,
            "board": board,
            "can_manage": can_manage(request.user, campaign.orgunit),
        },
    )


@login_required
@require_POST
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close the campaign and keep its summary."""
    campaign = selectors.campaign_get(user=request.user, pk=pk)
    _managed(request, campaign.orgunit)
    board = selectors.campaign_board(user=request.user, campaign=campaign)
    try:
        services.campaign_close(
            actor=current_user(request),
            campaign=campaign,
            summary=selectors.campaign_summary(board),
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Đã kết thúc đợt và lưu tổng kết."))
    return redirect("targets:campaign", pk=campaign.pk)

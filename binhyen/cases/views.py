"""Pages of the cases app: the commune's cases, one case and its workflow, handovers,
data-subject requests, the access history, the case types and the figures.

Deny by default: a case is fetched through ``services.case_read`` (scoped, and logged), so a
case page never shows without its read-audit row; a missing case, a case of another commune
and a user without the case permission all get the same 404. A user who reads the case but
may not do an action (an assigned officer closing it, a reveal without the field permission)
gets 403 with the reason. Figures pages show counts from the indicators engine, never names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from binhyen.cases import excel, permissions, selectors, services
from binhyen.cases.forms import (
    CaseFilterForm,
    CaseForm,
    CaseTypeForm,
    CloseForm,
    HandoverForm,
    HelperForm,
    OutcomeForm,
    RevealForm,
    ReviewForm,
    SubjectRequestDoneForm,
    SubjectRequestForm,
    TaskDoneForm,
    TaskForm,
)
from binhyen.cases.models import Case
from binhyen.cases.providers import METRIC_CODES
from binhyen.core.collation import vi_order
from binhyen.core.forms import add_service_errors
from binhyen.core.tabular import XLSX_CONTENT_TYPE
from binhyen.core.web import current_user, form_view, not_found, paginate, querystring
from binhyen.indicators import selectors as figures
from binhyen.indicators.periods import Period, PeriodKind
from binhyen.orgunits.models import OrgUnit, UnitKind

XLSX = XLSX_CONTENT_TYPE


def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    """Answer 403 with the service's reason (only to users who already read the case)."""
    return render(request, "403.html", {"exception": str(exc)}, status=403)


def _chief_unit(request: HttpRequest) -> OrgUnit | None:
    communes = list(selectors.chief_communes(user=request.user).order_by(vi_order("name")))
    code = request.GET.get("unit") or request.POST.get("unit")
    if code:
        return next((c for c in communes if c.code == code), None)
    return communes[0] if communes else None


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    """List the cases the user may read; the commune chief also sees handovers and requests."""
    if not permissions.can_use_cases(request.user):
        raise not_found(selectors.not_found_message())
    form = CaseFilterForm(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    queryset = selectors.case_list(
        user=request.user, status=data.get("status") or None, q=data.get("q") or None
    )
    page = paginate(request, queryset)
    services.cases_list_read(actor=current_user(request), cases=list(page.object_list))
    today = timezone.localdate()
    due = {c.pk for c in page.object_list if (selectors.review_due_on(c) or today) < today}
    params = {k: data.get(k) or "" for k in ("q", "status")}
    communes = list(selectors.chief_communes(user=request.user).order_by(vi_order("name")))
    return render(
        request,
        "cases/list.html",
        {
            "form": form,
            "page": page,
            "filtered": any(params.values()),
            "querystring": querystring(**params),
            "communes": communes,
            "incoming": selectors.handovers_incoming(user=request.user),
            "sent": selectors.handovers_sent(user=request.user)[:20],
            "requests_due": selectors.subject_requests_due(user=request.user),
            "today": today,
            "due": due,
        },
    )


@login_required
@require_GET
def case_export(request: HttpRequest, code: str) -> HttpResponse:
    """Download the commune's own list (chief only); every case in it is logged as read."""
    unit = next((c for c in selectors.chief_communes(user=request.user) if c.code == code), None)
    if unit is None:
        raise not_found(selectors.not_found_message())
    try:
        cases = services.cases_read_for_export(actor=current_user(request), unit=unit)
    except PermissionDenied as exc:
        raise not_found(selectors.not_found_message()) from exc
    response = HttpResponse(excel.case_list_workbook(cases), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="ho-so-tai-hoa-nhap-{unit.code}.xlsx"'
    return response


def _case_form(request: HttpRequest, unit: OrgUnit, **kwargs: Any) -> CaseForm:
    return CaseForm(
        request.POST or None,
        unit=unit,
        types=selectors.case_types(user=request.user, unit=unit),
        **kwargs,
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request: HttpRequest) -> HttpResponse:
    """Open a case in the chief's commune."""
    unit = _chief_unit(request)
    if unit is None:
        raise not_found(selectors.not_found_message())
    form = _case_form(request, unit, initial={"opened_on": timezone.localdate()})
    return form_view(
        request,
        form,
        services.case_open,
        template="cases/form.html",
        context={"unit": unit, "mode": "create"},
        arguments=lambda _data: {"unit": unit, "data": form.to_input()},
        success_url=lambda case: reverse("cases:detail", args=[case.pk]),
        success_message=lambda case: _("Đã lập hồ sơ %(ref)s.") % {"ref": case.reference},
        not_found_message=selectors.not_found_message(),
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct the person, the legal basis or the needs (the chief)."""
    case = services.case_read(actor=current_user(request), pk=pk)
    if not permissions.can_manage(request.user, case):
        raise not_found(selectors.not_found_message())
    initial = {
        "case_type": case.case_type,
        "full_name": case.full_name,
        "birth_year": case.birth_year,
        "identity_number": case.identity_number,
        "home_village": case.home_village,
        "judgment_number": case.judgment_number,
        "judgment_date": case.judgment_date,
        "release_date": case.release_date,
        "opened_on": case.opened_on,
        "support_until": case.support_until,
        "needs": case.needs,
    }
    form = _case_form(request, case.orgunit, initial=initial)
    for index, label in enumerate(form.extra_labels):
        form.initial[f"extra_{index}"] = (case.extra or {}).get(label, "")
    return form_view(
        request,
        form,
        services.case_update,
        template="cases/form.html",
        context={"unit": case.orgunit, "case": case, "mode": "edit"},
        arguments=lambda _data: {"case": case, "data": form.to_input()},
        success_url=reverse("cases:detail", args=[case.pk]),
        success_message=_("Đã lưu thay đổi."),
        not_found_message=selectors.not_found_message(),
    )


def _detail(
    request: HttpRequest,
    case: Case,
    *,
    status: int = 200,
    revealed: frozenset[str] = frozenset(),
    **forms: Any,
) -> HttpResponse:
    today = timezone.localdate()
    manage = permissions.can_manage(request.user, case)
    users = get_user_model().objects.none()
    if manage:
        users = (
            get_user_model()
            .objects.filter(
                is_active=True, role_assignments__orgunit__path__startswith=case.orgunit.path
            )
            .distinct()
            .order_by("username")
        )
    context = {
        "case": case,
        "hidden": selectors.masked(case, revealed),
        "helpers": list(case.helpers.select_related("user")),
        "tasks": list(case.tasks.all()),
        "reviews": list(case.reviews.select_related("recorded_by")),
        "outcomes": list(case.outcomes.all()),
        "handovers": list(case.handovers.select_related("from_unit", "to_unit")),
        "requests": list(case.subject_requests.all()) if manage else [],
        "review_due": selectors.review_due_on(case),
        "today": today,
        "can_manage": manage,
        "can_reveal": permissions.can_reveal(request.user, case),
        "helper_form": forms.get("helper_form")
        or HelperForm(users=users, initial={"assigned_on": today}),
        "task_form": forms.get("task_form") or TaskForm(),
        "review_form": forms.get("review_form")
        or ReviewForm(initial={"held_on": today, "kind": "review"}),
        "outcome_form": forms.get("outcome_form") or OutcomeForm(initial={"achieved_on": today}),
        "close_form": forms.get("close_form") or CloseForm(initial={"closed_on": today}),
        "handover_form": forms.get("handover_form")
        or HandoverForm(initial={"requested_on": today}),
        "request_form": forms.get("request_form")
        or SubjectRequestForm(initial={"received_on": today}),
        "done_form": SubjectRequestDoneForm(initial={"completed_on": today}),
        "task_done_form": TaskDoneForm(initial={"done_on": today}),
    }
    return render(request, "cases/detail.html", context, status=status)


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a case (hidden fields masked); the read is logged."""
    return _detail(request, services.case_read(actor=current_user(request), pk=pk))


@login_required
@require_POST
def case_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the case with one hidden field revealed; the reveal is logged."""
    form = RevealForm(request.POST)
    if not form.is_valid():
        case = services.case_read(actor=current_user(request), pk=pk)
        messages.error(request, _("Hãy chọn trường cần xem."))
        return _detail(request, case, status=400)
    field = form.cleaned_data["field"]
    try:
        case = services.case_field_reveal(actor=current_user(request), pk=pk, field=field)
    except PermissionDenied as exc:
        return _forbidden(request, exc)
    return _detail(request, case, revealed=frozenset({field}))


def _post(
    request: HttpRequest,
    pk: int,
    form_class: type,
    form_key: str,
    call: Callable[[Case, dict[str, Any]], Any],
    done: str,
    form_kwargs: dict[str, Any] | None = None,
) -> HttpResponse:
    """Handle one workflow form of the case page: parse, call one service, redirect or re-show."""
    case = selectors.case_get(user=request.user, pk=pk)
    form = form_class(request.POST, **(form_kwargs or {}))
    if form.is_valid():
        try:
            call(case, form.cleaned_data)
        except PermissionDenied as exc:
            return _forbidden(request, exc)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("cases:detail", pk=case.pk)
    case = services.case_read(actor=current_user(request), pk=pk)
    return _detail(request, case, status=400, **{form_key: form})


def _helper_users(request: HttpRequest, pk: int) -> Any:
    case = selectors.case_get(user=request.user, pk=pk)
    return (
        get_user_model()
        .objects.filter(
            is_active=True, role_assignments__orgunit__path__startswith=case.orgunit.path
        )
        .distinct()
    )


@login_required
@require_POST
def helper_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        HelperForm,
        "helper_form",
        lambda c, d: services.helper_assign(actor=current_user(request), case=c, **d),
        _("Đã phân công người giúp đỡ."),
        {"users": _helper_users(request, pk)},
    )


@login_required
@require_POST
def helper_end(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    helper = case.helpers.filter(pk=item).first()
    if helper is None:
        raise not_found(selectors.not_found_message())
    try:
        services.helper_end(actor=current_user(request), helper=helper)
    except PermissionDenied as exc:
        return _forbidden(request, exc)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("cases:detail", pk=case.pk)
    messages.success(request, _("Đã thôi phân công."))
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def task_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        TaskForm,
        "task_form",
        lambda c, d: services.support_task_add(actor=current_user(request), case=c, **d),
        _("Đã thêm việc vào kế hoạch hỗ trợ."),
    )


@login_required
@require_POST
def task_done(request: HttpRequest, pk: int, item: int) -> HttpResponse:
    def call(case: Case, data: dict[str, Any]) -> Any:
        task = case.tasks.filter(pk=item).first()
        if task is None:
            raise not_found(selectors.not_found_message())
        return services.support_task_done(actor=current_user(request), task=task, **data)

    return _post(request, pk, TaskDoneForm, "task_done_form", call, _("Đã ghi hoàn thành."))


@login_required
@require_POST
def review_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        ReviewForm,
        "review_form",
        lambda c, d: services.review_record(actor=current_user(request), case=c, **d),
        _("Đã ghi lần gặp gỡ, đánh giá."),
    )


@login_required
@require_POST
def outcome_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        OutcomeForm,
        "outcome_form",
        lambda c, d: services.outcome_record(actor=current_user(request), case=c, **d),
        _("Đã ghi kết quả hỗ trợ."),
    )


@login_required
@require_POST
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        CloseForm,
        "close_form",
        lambda c, d: services.case_close(
            actor=current_user(request),
            case=c,
            closed_on=d["closed_on"],
            reason=d["reason"],
            note=d["note"],
        ),
        _("Đã kết thúc hồ sơ."),
    )


@login_required
@require_POST
def case_anonymise(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_get(user=request.user, pk=pk)
    try:
        services.case_anonymise(actor=current_user(request), case=case)
    except PermissionDenied as exc:
        return _forbidden(request, exc)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _detail(request, services.case_read(actor=current_user(request), pk=pk), status=400)
    messages.success(request, _("Đã ẩn danh hồ sơ; số liệu tổng hợp được giữ nguyên."))
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def handover_request(request: HttpRequest, pk: int) -> HttpResponse:
    def call(case: Case, data: dict[str, Any]) -> Any:
        target = OrgUnit.objects.filter(code=data["to_unit"].strip(), kind=UnitKind.COMMUNE).first()
        if target is None:
            raise ValidationError(
                {"to_unit": _("Không có xã, phường mang mã %(code)s.") % {"code": data["to_unit"]}}
            )
        return services.handover_request(
            actor=current_user(request),
            case=case,
            to_unit=target,
            requested_on=data["requested_on"],
        )

    return _post(
        request,
        pk,
        HandoverForm,
        "handover_form",
        call,
        _("Đã chuyển hồ sơ; chờ xã, phường nhận tiếp nhận."),
    )


@login_required
@require_POST
def handover_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept an incoming case (the receiving chief): it arrives whole."""
    handover = selectors.handover_get(user=request.user, pk=pk)
    try:
        case = services.handover_accept(actor=current_user(request), handover=handover)
    except PermissionDenied as exc:
        raise not_found(selectors.not_found_message()) from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("cases:list")
    messages.success(request, _("Đã tiếp nhận hồ sơ %(ref)s.") % {"ref": case.reference})
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def handover_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a pending handover (the sending chief)."""
    handover = selectors.handover_get(user=request.user, pk=pk)
    try:
        services.handover_cancel(actor=current_user(request), handover=handover)
    except PermissionDenied as exc:
        raise not_found(selectors.not_found_message()) from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("cases:list")
    messages.success(request, _("Đã hủy việc chuyển hồ sơ."))
    return redirect("cases:detail", pk=handover.case_id)


@login_required
@require_GET
def access_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Show who read the case, when and how (the commune chief only)."""
    case = services.access_history_read(actor=current_user(request), pk=pk)
    reads = selectors.access_history(user=request.user, case=case)
    page = paginate(request, reads)
    return render(request, "cases/history.html", {"case": case, "page": page})


@login_required
@require_POST
def request_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _post(
        request,
        pk,
        SubjectRequestForm,
        "request_form",
        lambda c, d: services.subject_request_open(actor=current_user(request), case=c, **d),
        _("Đã ghi nhận yêu cầu của chủ thể dữ liệu."),
    )


@login_required
@require_POST
def request_complete(request: HttpRequest, pk: int) -> HttpResponse:
    subject_request = selectors.subject_request_get(user=request.user, pk=pk)
    form = SubjectRequestDoneForm(request.POST)
    if form.is_valid():
        try:
            services.subject_request_complete(
                actor=current_user(request), request=subject_request, **form.cleaned_data
            )
        except PermissionDenied as exc:
            raise not_found(selectors.not_found_message()) from exc
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã trả lời yêu cầu."))
            return redirect("cases:detail", pk=subject_request.case_id)
    case = services.case_read(actor=current_user(request), pk=subject_request.case_id)
    for error in form.errors.values():
        messages.error(request, " ".join(str(e) for e in error))
    return _detail(request, case, status=400)


@login_required
@require_GET
def request_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Download everything held about the person of the request's case (logged)."""
    subject_request = services.subject_export_read(actor=current_user(request), pk=pk)
    sheets = selectors.subject_export_rows(subject_request.case)
    response = HttpResponse(excel.subject_workbook(sheets), content_type=XLSX)
    name = f"du-lieu-chu-the-{subject_request.case.reference}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_GET
def type_list(request: HttpRequest) -> HttpResponse:
    """The case types with their purpose and legal basis (public to signed-in users)."""
    return render(
        request,
        "cases/types.html",
        {
            "types": selectors.case_types_all(user=request.user),
            "can_configure": bool(_provinces(request))
            or permissions.can_configure_types(request.user, None),
        },
    )


def _provinces(request: HttpRequest) -> list[OrgUnit]:
    return [
        p
        for p in OrgUnit.objects.visible_to(request.user).filter(
            kind=UnitKind.PROVINCE, valid_to__isnull=True
        )[:100]
        if permissions.can_configure_types(request.user, p)
    ]


@login_required
@require_http_methods(["GET", "POST"])
def type_create(request: HttpRequest) -> HttpResponse:
    """Add a case type for a province (province officers) or the whole country (admins)."""
    provinces = _provinces(request)
    national = permissions.can_configure_types(request.user, None)
    if not provinces and not national:
        raise not_found(selectors.not_found_message())
    queryset = OrgUnit.objects.filter(pk__in=[p.pk for p in provinces])
    form = CaseTypeForm(request.POST or None, provinces=queryset)
    if not national:
        form.fields["province"].required = True
    return form_view(
        request,
        form,
        services.case_type_create,
        template="cases/type_form.html",
        arguments=lambda _data: {"data": form.to_input()},
        success_url=reverse("cases:types"),
        success_message=_("Đã thêm loại hồ sơ."),
        not_found_message=selectors.not_found_message(),
    )


@login_required
@require_GET
def case_figures(request: HttpRequest, code: str) -> HttpResponse:
    """Show the case counts of a unit and its children: numbers only, never a name."""
    unit = figures.units_get(user=request.user, codes=[code])[0]
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
        period = Period(PeriodKind.YEAR, year)
        if not 2000 <= year <= 2100:
            raise ValueError
    except ValueError:
        messages.error(request, _("Năm không hợp lệ."))
        year = timezone.localdate().year
        period = Period(PeriodKind.YEAR, year)
    metrics = figures.metrics_get(list(METRIC_CODES))
    totals, breakdown = selectors.case_figures(user=request.user, unit=unit, period=period)
    labels = {
        (m.code, o.code): o.label
        for m in metrics
        if m.disaggregation is not None
        for o in m.disaggregation.options.all()
    }
    children = figures.unit_children(
        user=request.user, unit=unit, kinds=[UnitKind.PROVINCE, UnitKind.COMMUNE]
    )
    child_rows = []
    if children:
        child_rows = figures.analytics(
            user=request.user,
            metric_codes=[m.code for m in metrics],
            unit_codes=[c.code for c in children[:200]],
            period_codes=[period.code],
            compare=False,
        ).rows
    table: dict[str, dict[str, float | None]] = {}
    for row in child_rows:
        if not row.option:
            table.setdefault(row.unit, {})[row.metric] = row.value
    return render(
        request,
        "cases/figures.html",
        {
            "unit": unit,
            "year": year,
            "years": list(range(timezone.localdate().year, timezone.localdate().year - 5, -1)),
            "metrics": metrics,
            "totals": totals,
            "breakdown": [
                (r, labels.get((r.metric, r.option), r.option)) for r in breakdown if r.value
            ],
            "children": [(c, table.get(c.code, {})) for c in children[:200]],
        },
    )


@login_required
@require_GET
def figures_home(request: HttpRequest) -> HttpResponse:
    """Send the user to the figures of their first unit."""
    unit = selectors.figures_home_unit(user=request.user)
    if unit is None:
        raise Http404(_("Bạn chưa được phân quyền trên đơn vị nào."))
    return redirect("cases:figures", code=unit.code)

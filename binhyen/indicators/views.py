"""Pages of the indicators app: unit dashboard, report entry and review, completeness, and
the catalogue (metrics, report forms, validation rules).

Views only parse input, call one selector or service, and render. Deny by default: every
page needs a signed-in user and a unit in their scope; an out-of-scope unit and a missing
one both give 404. Numbers come from ``selectors`` (the engine) only. The catalogue is read
by whoever may read numbers somewhere and changed only with ``MANAGE_METRICS``; its add and
edit pages answer 404 to everybody else.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from binhyen.accounts import permissions as acc_perms
from binhyen.core.forms import add_service_errors
from binhyen.indicators import excel, selectors, services
from binhyen.indicators import permissions as ind_perms
from binhyen.indicators.forms import MetricFilterForm, MetricForm, ReportFormForm, RuleForm
from binhyen.indicators.models import Metric, ReportForm, Submission, ValidationRule
from binhyen.indicators.periods import Period, PeriodError, PeriodKind, parse_period
from binhyen.orgunits.models import OrgUnit

TREND_MONTHS = 24
DEFAULT_DASHBOARD_METRICS = [
    "crimes",
    "serious_crimes",
    "tips_received",
    "tips_valuable",
    "outreach_sessions",
    "weapons_surrendered",
    "cameras_installed",
    "traffic_accidents",
    "fires",
    "eid_activations",
]


def _dashboard_metrics() -> list[Metric]:
    codes = list(getattr(settings, "INDICATORS_DASHBOARD_METRICS", DEFAULT_DASHBOARD_METRICS))
    found = {m.code: m for m in Metric.objects.filter(code__in=codes, is_active=True)}
    return [found[c] for c in codes if c in found]


def _period_param(request: HttpRequest, default: Period) -> Period:
    code = request.GET.get("period", "").strip()
    if not code:
        return default
    try:
        return parse_period(code)
    except PeriodError as exc:
        messages.error(request, str(exc))
        return default


def _period_choices(current: Period) -> list[Period]:
    today_month = selectors.default_report_period(ReportForm(period_kind=PeriodKind.MONTH))
    months = [today_month.shift(-i) for i in range(12)]
    quarters = [Period.containing(PeriodKind.QUARTER, today_month.end).shift(-i) for i in range(4)]
    years = [Period.containing(PeriodKind.YEAR, today_month.end).shift(-i) for i in range(3)]
    choices = [*months, *quarters, *years]
    if current not in choices:
        choices.insert(0, current)
    return choices


def _ancestors(user: Any, unit: OrgUnit) -> list[dict[str, Any]]:
    codes = unit.ancestor_codes
    visible = set(
        selectors.visible_units(user).filter(code__in=codes).values_list("code", flat=True)
    )
    names = dict(OrgUnit.objects.filter(code__in=codes).values_list("code", "name"))
    return [{"code": c, "name": names.get(c, c), "visible": c in visible} for c in codes]


def _with_current(periods: list[Period], current: Period) -> list[Period]:
    """Return ``periods`` with ``current`` in it (first when it is older than all of them)."""
    return periods if current in periods else [current, *periods]


HISTORY_LABELS = {
    "submission.create": gettext_lazy("Lập báo cáo"),
    "data_value.save": gettext_lazy("Lưu số liệu"),
    "submission.submit": gettext_lazy("Gửi báo cáo"),
    "submission.return": gettext_lazy("Trả lại"),
    "submission.approve": gettext_lazy("Duyệt, khóa số liệu"),
    "submission.reopen": gettext_lazy("Mở lại để sửa"),
}


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if value == int(value) else f"{value:.2f}"


# --- home and dashboard --------------------------------------------------------------------


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send the user to the dashboard of their outermost unit."""
    paths = acc_perms.scope_paths(request.user)
    if acc_perms.is_superadmin(request.user):
        unit = OrgUnit.objects.filter(parent__isnull=True).first()
    else:
        unit = (
            selectors.visible_units(request.user).filter(path__in=paths).order_by("level").first()
        )
    if unit is None:
        return render(request, "indicators/no_scope.html", status=200)
    return redirect("indicators:dashboard", code=unit.code)


@login_required
@require_GET
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    """Key metrics with changes, trends, children with completeness, and a map."""
    unit = selectors.unit_get(user=request.user, code=code)
    default = selectors.default_report_period(ReportForm(period_kind=PeriodKind.MONTH))
    period = _period_param(request, default)
    metrics = _dashboard_metrics()
    children = selectors.unit_children(user=request.user, unit=unit)
    context: dict[str, Any] = {
        "unit": unit,
        "period": period,
        "period_choices": _period_choices(period),
        "ancestors": _ancestors(request.user, unit),
        "metrics": metrics,
        "children": children,
    }
    if not metrics:
        return render(request, "indicators/dashboard.html", context)
    chosen = request.GET.get("metric") or metrics[0].code
    table_metric = next((m for m in metrics if m.code == chosen), metrics[0])
    cards = selectors.analytics(
        user=request.user,
        metric_codes=[m.code for m in metrics],
        unit_codes=[unit.code],
        period_codes=[period.code],
        per_1000=True,
    ).rows
    trend_kind = (
        period.kind if period.kind in (PeriodKind.MONTH, PeriodKind.QUARTER) else PeriodKind.MONTH
    )
    last = Period.containing(trend_kind, period.end)
    count = TREND_MONTHS if trend_kind == PeriodKind.MONTH else 8
    trend_periods = [last.shift(i - count + 1) for i in range(count)]
    trend_rows = selectors.analytics(
        user=request.user,
        metric_codes=[m.code for m in metrics],
        unit_codes=[unit.code],
        period_codes=[p.code for p in trend_periods],
        compare=False,
    ).rows
    trends = {
        m.code: {
            "name": m.label,
            "unit": m.unit_of_measure,
            "labels": [p.code for p in trend_periods],
            "values": [r.value for r in trend_rows if r.metric == m.code],
            "predecessors": any(r.includes_predecessors for r in trend_rows if r.metric == m.code),
        }
        for m in metrics
    }
    child_rows = []
    if children:
        child_rows = selectors.analytics(
            user=request.user,
            metric_codes=[table_metric.code],
            unit_codes=[c.code for c in children],
            period_codes=[period.code],
            per_1000=True,
        ).rows
    forms = list(ReportForm.objects.filter(is_active=True, period_kind=period.kind))
    form = next(
        (f for f in forms if f.code == request.GET.get("form")), forms[0] if forms else None
    )
    completeness = None
    if form is not None and children:
        completeness = selectors.completeness(
            user=request.user, form=form, unit=unit, period=period
        )
    by_child = {r.unit.code: r for r in completeness.rows} if completeness else {}
    table = []
    points = []
    for child, row in zip(children, child_rows, strict=False):
        table.append({"unit": child, "row": row, "completeness": by_child.get(child.code)})
        if child.latitude is not None and child.longitude is not None:
            points.append(
                {
                    "code": child.code,
                    "name": child.name,
                    "lat": child.latitude,
                    "lon": child.longitude,
                    "value": row.value,
                    "label": _fmt(row.value),
                    "url": reverse("indicators:dashboard", args=[child.code])
                    + f"?period={period.code}",
                }
            )
    if request.GET.get("export") == "xlsx":
        return _export_children(unit, period, table_metric, table)
    context.update(
        {
            "cards": list(zip(metrics, cards, strict=True)),
            "trends": trends,
            "table_metric": table_metric,
            "table": table,
            "form": form,
            "forms": forms,
            "completeness": completeness,
            "points": points,
            "map_tiles": settings.MAP_TILE_URL,
            "map_attribution": settings.MAP_TILE_ATTRIBUTION,
            "predecessors": any(r.includes_predecessors for r in cards)
            or any(t["predecessors"] for t in trends.values()),
        }
    )
    return render(request, "indicators/dashboard.html", context)


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=excel.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _export_children(
    unit: OrgUnit, period: Period, metric: Metric, table: list[dict[str, Any]]
) -> HttpResponse:
    headers = [
        _("Mã đơn vị"),
        _("Đơn vị"),
        metric.label,
        _("Trên 1.000 dân"),
        _("Kỳ trước"),
        _("Thay đổi (%)"),
        _("Cùng kỳ năm trước"),
        _("So cùng kỳ (%)"),
        _("Gồm đơn vị cũ"),
        _("Đã nộp / phải nộp"),
    ]
    rows = []
    for item in table:
        r = item["row"]
        comp = item["completeness"]
        rows.append(
            [
                item["unit"].code,
                item["unit"].name,
                r.value,
                r.value_per_1000,
                r.previous,
                r.change_pct,
                r.last_year,
                r.yoy_pct,
                _("Có") if r.includes_predecessors else "",
                f"{comp.submitted}/{comp.expected}" if comp else "",
            ]
        )
    title = f"{unit.name} - {period.label}"
    data = excel.table_xlsx(title=title, headers=headers, rows=rows)
    return _xlsx_response(data, f"{unit.code}_{metric.code}_{period.code}.xlsx")


# --- reports: list, entry, review ------------------------------------------------------------


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    """The user's reports to fill and the reports waiting for their decision."""
    entries = []
    for unit in selectors.entry_units(user=request.user):
        for form in selectors.forms_for_unit(unit):
            period = selectors.default_report_period(form)
            sub = Submission.objects.filter(form=form, orgunit=unit, period=period.code).first()
            entries.append({"unit": unit, "form": form, "period": period, "submission": sub})
    queue = selectors.review_queue(user=request.user)
    reviewable_units = []
    if ind_perms.can_review_anywhere(request.user):
        reviewable_units = list(
            selectors.visible_units(request.user)
            .filter(path__in=acc_perms.scope_paths(request.user, acc_perms.APPROVE_REPORTS))
            .order_by("level", "name")
        )
    forms = list(ReportForm.objects.filter(is_active=True))
    overview = [
        {"unit": u, "form": f, "period": selectors.default_report_period(f)}
        for u in reviewable_units
        for f in forms
    ]
    return render(
        request,
        "indicators/report_list.html",
        {
            "entries": entries,
            "queue": queue,
            "reviewable_units": reviewable_units,
            "overview": overview,
        },
    )


def _report_context(
    request: HttpRequest, form_code: str, unit_code: str, period_code: str
) -> dict[str, Any]:
    form = selectors.form_get(form_code)
    try:
        period = parse_period(period_code)
    except PeriodError as exc:
        raise Http404(str(exc)) from exc
    if period.kind != form.period_kind:
        raise Http404(
            _("Biểu mẫu '%(f)s' không nhận kỳ '%(p)s'.") % {"f": form.code, "p": period.code}
        )
    unit, sub = selectors.submission_find(
        user=request.user, form=form, unit_code=unit_code, period=period
    )
    if unit.kind not in form.submitting_kinds:
        raise Http404(_("Đơn vị này không phải lập biểu mẫu '%(f)s'.") % {"f": form.code})
    return {"form": form, "period": period, "unit": unit, "submission": sub}


def _value_inputs(
    request: HttpRequest, metrics: list[Metric]
) -> tuple[list[services.ValueInput], list[str]]:
    """Parse posted cells named ``v_<metric code>[__<option>]``; return inputs and errors."""
    values: list[services.ValueInput] = []
    errors: list[str] = []
    for line in excel.template_lines(metrics, {}):
        name = f"v_{line.metric.code}" + (f"__{line.option}" if line.option else "")
        if name not in request.POST:
            continue
        raw = request.POST.get(name, "")
        label = line.metric.label + (f" — {line.option_name}" if line.option else "")
        try:
            value = excel.parse_number(raw)
        except ValueError:
            errors.append(
                _("%(label)s: '%(raw)s' không phải là số.") % {"label": label, "raw": raw[:40]}
            )
            continue
        values.append(
            services.ValueInput(metric=line.metric, value=value, option=line.option, ref=label)
        )
    return values, errors


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, form_code: str, unit_code: str, period_code: str) -> HttpResponse:
    """Enter, save, submit (unit) or approve, return, reopen (parent level) one report."""
    ctx = _report_context(request, form_code, unit_code, period_code)
    form, unit, period, sub = ctx["form"], ctx["unit"], ctx["period"], ctx["submission"]
    can_enter = ind_perms.can_enter_data(request.user, unit)
    can_review = ind_perms.can_review(request.user, unit)
    metrics = selectors.form_metrics(form)
    here = reverse("indicators:report", args=[form.code, unit.code, period.code])
    posted_errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action in ("save", "submit"):
                if not can_enter:
                    raise PermissionDenied
                values, posted_errors = _value_inputs(request, metrics)
                if not posted_errors:
                    sub = sub or services.submission_open(
                        actor=request.user, form=form, unit=unit, period_code=period.code
                    )
                    result = services.submission_save_values(
                        actor=request.user, submission=sub, values=values
                    )
                    for warning in result.warnings:
                        messages.warning(request, warning)
                    if action == "submit":
                        services.submission_submit(actor=request.user, submission=sub)
                        messages.success(request, _("Đã gửi báo cáo lên cấp trên."))
                    else:
                        messages.success(
                            request, _("Đã lưu nháp (%(n)s ô thay đổi).") % {"n": result.changed}
                        )
                    return redirect(here)
            elif action in ("approve", "return", "reopen") and sub is not None:
                if not can_review:
                    raise PermissionDenied
                comment = request.POST.get("comment", "")
                if action == "approve":
                    services.submission_approve(actor=request.user, submission=sub, comment=comment)
                    messages.success(request, _("Đã duyệt và khóa báo cáo."))
                elif action == "return":
                    services.submission_return(actor=request.user, submission=sub, comment=comment)
                    messages.success(request, _("Đã trả lại báo cáo kèm ý kiến."))
                else:
                    services.submission_reopen(actor=request.user, submission=sub, comment=comment)
                    messages.success(request, _("Đã mở lại báo cáo để đơn vị sửa."))
                return redirect(here)
            else:
                posted_errors = [_("Thao tác không hợp lệ.")]
        except PermissionDenied as exc:
            raise Http404(selectors.unit_not_found(unit.code)) from exc
        except ValidationError as exc:
            posted_errors = list(exc.messages)
        if sub is not None:
            sub.refresh_from_db()
    # Whoever sees the unit may read its report, even one not started yet (read-only): the
    # completeness tables link every unit to it.
    saved = selectors.form_values(sub) if sub else {}
    lines = excel.template_lines(metrics, saved)
    if request.method == "POST" and posted_errors:
        for line in lines:
            name = f"v_{line.metric.code}" + (f"__{line.option}" if line.option else "")
            line.posted = request.POST.get(name, "")  # type: ignore[attr-defined]
    editable = can_enter and (sub is None or sub.is_editable)
    rules = [
        {
            "code": r.code,
            "name": r.name,
            "left": r.left_metric.code,
            "op": r.operator,
            "right": r.right_metric.code,
            "error": r.severity == "error",
        }
        for r in selectors.form_rules(form)
    ]
    ctx.update(
        {
            "lines": lines,
            "editable": editable,
            "can_enter": can_enter,
            "can_review": can_review and sub is not None,
            "errors": posted_errors,
            "rules_json": rules,
            "history": [
                {"event": e, "label": HISTORY_LABELS.get(e.action, e.action)}
                for e in (selectors.submission_history(sub) if sub else [])
            ],
            "deadline": form.deadline_for(period.end),
            "ancestors": _ancestors(request.user, unit),
            "periods": _with_current(selectors.recent_periods(form.period_kind, 12), period),
        }
    )
    status = 400 if posted_errors else 200
    return render(request, "indicators/report.html", ctx, status=status)


@login_required
@require_GET
def report_template(
    request: HttpRequest, form_code: str, unit_code: str, period_code: str
) -> HttpResponse:
    ctx = _report_context(request, form_code, unit_code, period_code)
    if not ind_perms.can_enter_data(request.user, ctx["unit"]):
        raise selectors.unit_not_found(ctx["unit"].code)
    metrics = selectors.form_metrics(ctx["form"])
    values = selectors.form_values(ctx["submission"]) if ctx["submission"] else {}
    data = excel.build_template(
        form=ctx["form"],
        unit=ctx["unit"],
        period=ctx["period"],
        lines=excel.template_lines(metrics, values),
    )
    return _xlsx_response(data, f"{ctx['form'].code}_{ctx['unit'].code}_{ctx['period'].code}.xlsx")


@login_required
@require_POST
def report_upload(
    request: HttpRequest, form_code: str, unit_code: str, period_code: str
) -> HttpResponse:
    """Read an uploaded template; save all its cells or none, listing every bad cell."""
    ctx = _report_context(request, form_code, unit_code, period_code)
    form, unit, period, sub = ctx["form"], ctx["unit"], ctx["period"], ctx["submission"]
    if not ind_perms.can_enter_data(request.user, unit):
        raise selectors.unit_not_found(unit.code)
    here = reverse("indicators:report", args=[form.code, unit.code, period.code])
    upload = request.FILES.get("file")
    errors: list[str] = []
    if upload is None:
        errors = [_("Chọn tệp Excel (.xlsx) để tải lên.")]
    else:
        try:
            values, errors = excel.parse_upload(
                data=upload.read(excel.MAX_BYTES + 1),
                form=form,
                unit=unit,
                period=period,
                metrics=selectors.form_metrics(form),
            )
            if not errors:
                sub = sub or services.submission_open(
                    actor=request.user, form=form, unit=unit, period_code=period.code
                )
                result = services.submission_save_values(
                    actor=request.user, submission=sub, values=values
                )
                messages.success(
                    request, _("Đã nhập từ tệp (%(n)s ô thay đổi).") % {"n": result.changed}
                )
                for warning in result.warnings:
                    messages.warning(request, warning)
                return redirect(here)
        except excel.UploadError as exc:
            errors = [str(exc)]
        except ValidationError as exc:
            errors = list(exc.messages)
    return render(
        request,
        "indicators/upload_errors.html",
        {**ctx, "errors": errors, "back": here, "ancestors": _ancestors(request.user, unit)},
        status=400,
    )


@login_required
@require_GET
def completeness(
    request: HttpRequest, form_code: str, unit_code: str, period_code: str
) -> HttpResponse:
    """Submitted / expected and on time / late per child unit, with links to each report."""
    form = selectors.form_get(form_code)
    try:
        period = parse_period(period_code)
    except PeriodError as exc:
        raise Http404(str(exc)) from exc
    unit = selectors.unit_get(user=request.user, code=unit_code)
    result = selectors.completeness(user=request.user, form=form, unit=unit, period=period)
    if request.GET.get("export") == "xlsx":
        headers = [
            _("Mã đơn vị"),
            _("Đơn vị"),
            _("Phải nộp"),
            _("Đã nộp"),
            _("Đã duyệt"),
            _("Đúng hạn"),
            _("Muộn"),
            _("Tỷ lệ nộp (%)"),
        ]
        rows = [
            [
                r.unit.code,
                r.unit.name,
                r.expected,
                r.submitted,
                r.approved,
                r.on_time,
                r.late,
                r.rate,
            ]
            for r in result.rows
        ]
        data = excel.table_xlsx(title=f"{form.name} - {period.label}", headers=headers, rows=rows)
        return _xlsx_response(data, f"{form.code}_{unit.code}_{period.code}_completeness.xlsx")
    return render(
        request,
        "indicators/completeness.html",
        {
            "form": form,
            "unit": unit,
            "period": period,
            "result": result,
            "ancestors": _ancestors(request.user, unit),
            "periods": _with_current(selectors.recent_periods(form.period_kind, 12), period),
            "can_review": ind_perms.can_review_anywhere(request.user),
            "trend_json": json.dumps([]),
        },
    )


# --- catalogue: metrics, report forms, validation rules ---------------------------------------


def _require_reader(user: Any) -> None:
    """Let through users who may read numbers somewhere (deny by default: 404)."""
    if not acc_perms.has_perm_anywhere(user, acc_perms.VIEW_UNITS):
        raise Http404(_("Không tìm thấy."))


def _catalogue_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {"can_manage": ind_perms.can_manage_metrics(request.user), **extra}


def _page(request: HttpRequest, items: Any) -> Any:
    return Paginator(items, settings.PAGE_SIZE).get_page(request.GET.get("page"))


def _metric_for_manager(user: Any, code: str) -> Metric:
    """Return the metric to edit; missing, or a user who may not edit it, both give 404."""
    metric = Metric.objects.filter(code=code).first()
    if metric is None or not ind_perms.can_manage_metrics(user):
        raise Http404(_("Không có chỉ tiêu '%(code)s'.") % {"code": code[:64]})
    return metric


def _form_for_manager(user: Any, code: str) -> ReportForm:
    form = ReportForm.objects.filter(code=code).first()
    if form is None or not ind_perms.can_manage_metrics(user):
        raise Http404(_("Không có biểu mẫu '%(code)s'.") % {"code": code[:64]})
    return form


def _rule_for_manager(user: Any, code: str) -> ValidationRule:
    rule = ValidationRule.objects.filter(code=code).select_related("left_metric", "right_metric")
    found = rule.first()
    if found is None or not ind_perms.can_manage_metrics(user):
        raise Http404(_("Không có quy tắc kiểm tra '%(code)s'.") % {"code": code[:64]})
    return found


def _require_manager_page(user: Any) -> None:
    if not ind_perms.can_manage_metrics(user):
        raise Http404(_("Không tìm thấy."))


@login_required
@require_GET
def metric_list(request: HttpRequest) -> HttpResponse:
    """The metric catalogue: search by code or name, filters, pages."""
    _require_reader(request.user)
    form = MetricFilterForm(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    metrics = Metric.objects.select_related("disaggregation")
    q = (data.get("q") or "").strip()
    if q:
        metrics = metrics.filter(
            Q(code__icontains=q) | Q(name__icontains=q) | Q(name_en__icontains=q)
        )
    if data.get("source"):
        metrics = metrics.filter(source=data["source"])
    if data.get("period_kind"):
        metrics = metrics.filter(period_kind=data["period_kind"])
    if data.get("active") in ("0", "1"):
        metrics = metrics.filter(is_active=data["active"] == "1")
    params = {k: data.get(k) or "" for k in ("q", "source", "period_kind", "active")}
    return render(
        request,
        "indicators/metric_list.html",
        _catalogue_context(
            request,
            form=form,
            page=_page(request, metrics),
            filtered=any(params.values()),
        ),
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _metric_fields(form: MetricForm) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if k in services.METRIC_FIELDS}


def _catalogue_form(
    request: HttpRequest,
    *,
    form: Any,
    kind: str,
    obj: Any,
    save: Callable[[], Any],
    done: str,
    to: str,
) -> HttpResponse:
    """Run one catalogue write for a posted form: on success say ``done`` (formatted with
    the saved object's code) and go back to the list ``to``; on refusal show the service's
    errors next to the fields (400), the object reloaded as it is stored."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save()
        except ValidationError as exc:
            if obj is not None:
                obj.refresh_from_db()
            add_service_errors(form, exc)
        else:
            messages.success(request, done % {"code": saved.code})
            return redirect(to)
    return render(
        request,
        "indicators/catalogue_form.html",
        {"form": form, "kind": kind, "obj": obj},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def metric_create(request: HttpRequest) -> HttpResponse:
    _require_manager_page(request.user)
    form = MetricForm(request.POST or None, initial={"capture_kinds": ["commune"]})
    return _catalogue_form(
        request,
        form=form,
        kind="metric",
        obj=None,
        save=lambda: services.metric_create(actor=request.user, **_metric_fields(form)),
        done=_("Đã thêm chỉ tiêu %(code)s."),
        to="indicators:metric_list",
    )


@login_required
@require_http_methods(["GET", "POST"])
def metric_edit(request: HttpRequest, code: str) -> HttpResponse:
    metric = _metric_for_manager(request.user, code)
    form = MetricForm(request.POST or None, stored=MetricForm.initial_for(metric))
    return _catalogue_form(
        request,
        form=form,
        kind="metric",
        obj=metric,
        save=lambda: services.metric_update(
            actor=request.user, metric=metric, **_metric_fields(form)
        ),
        done=_("Đã lưu chỉ tiêu %(code)s."),
        to="indicators:metric_list",
    )


def _ordered_choice(form: ReportFormForm, current: list[Metric]) -> list[Metric]:
    """Keep the order the form already had, new metrics after it in catalogue order."""
    chosen = list(form.cleaned_data["metrics"])
    position = {m.pk: i for i, m in enumerate(current)}
    return sorted(chosen, key=lambda m: position.get(m.pk, len(position)))


def _form_metrics(form: ReportForm) -> list[Metric]:
    return [link.metric for link in form.form_metrics.select_related("metric")]


@login_required
@require_GET
def form_list(request: HttpRequest) -> HttpResponse:
    """Periodic report forms with their metrics and deadlines."""
    _require_reader(request.user)
    forms = ReportForm.objects.prefetch_related("form_metrics__metric").order_by("code")
    return render(
        request,
        "indicators/form_list.html",
        _catalogue_context(request, page=_page(request, forms)),
    )


def _form_fields(form: ReportFormForm) -> dict[str, Any]:
    return {k: v for k, v in form.cleaned_data.items() if k != "metrics"}


@login_required
@require_http_methods(["GET", "POST"])
def form_create(request: HttpRequest) -> HttpResponse:
    _require_manager_page(request.user)
    form = ReportFormForm(request.POST or None, initial={"submitting_kinds": ["commune"]})
    return _catalogue_form(
        request,
        form=form,
        kind="form",
        obj=None,
        save=lambda: services.report_form_create(
            actor=request.user, metrics=_ordered_choice(form, []), **_form_fields(form)
        ),
        done=_("Đã thêm biểu mẫu %(code)s."),
        to="indicators:form_list",
    )


@login_required
@require_http_methods(["GET", "POST"])
def form_edit(request: HttpRequest, code: str) -> HttpResponse:
    report_form = _form_for_manager(request.user, code)
    current = _form_metrics(report_form)
    initial = {name: getattr(report_form, name) for name in services.REPORT_FORM_FIELDS}
    initial["metrics"] = [m.code for m in current]
    form = ReportFormForm(request.POST or None, stored=initial, current=current)
    return _catalogue_form(
        request,
        form=form,
        kind="form",
        obj=report_form,
        save=lambda: services.report_form_update(
            actor=request.user,
            form=report_form,
            metrics=_ordered_choice(form, current),
            **_form_fields(form),
        ),
        done=_("Đã lưu biểu mẫu %(code)s."),
        to="indicators:form_list",
    )


def _render_rules(request: HttpRequest, status: int = 200) -> HttpResponse:
    rules = ValidationRule.objects.select_related("left_metric", "right_metric").order_by("code")
    return render(
        request,
        "indicators/rule_list.html",
        _catalogue_context(request, page=_page(request, rules)),
        status=status,
    )


@login_required
@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    """Validation rules between metrics of the same unit and period."""
    _require_reader(request.user)
    return _render_rules(request)


@login_required
@require_http_methods(["GET", "POST"])
def rule_create(request: HttpRequest) -> HttpResponse:
    _require_manager_page(request.user)
    form = RuleForm(request.POST or None)
    return _catalogue_form(
        request,
        form=form,
        kind="rule",
        obj=None,
        save=lambda: services.validation_rule_create(actor=request.user, **form.cleaned_data),
        done=_("Đã thêm quy tắc %(code)s."),
        to="indicators:rule_list",
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, code: str) -> HttpResponse:
    rule = _rule_for_manager(request.user, code)
    initial = {name: getattr(rule, name) for name in services.RULE_FIELDS}
    initial["left_metric"] = rule.left_metric.code
    initial["right_metric"] = rule.right_metric.code
    form = RuleForm(request.POST or None, stored=initial)
    return _catalogue_form(
        request,
        form=form,
        kind="rule",
        obj=rule,
        save=lambda: services.validation_rule_update(
            actor=request.user, rule=rule, **form.cleaned_data
        ),
        done=_("Đã lưu quy tắc %(code)s."),
        to="indicators:rule_list",
    )


@login_required
@require_POST
def rule_toggle(request: HttpRequest, code: str) -> HttpResponse:
    """Switch a rule on or off (``active`` = 1 or 0)."""
    rule = _rule_for_manager(request.user, code)
    active = request.POST.get("active")
    if active not in ("0", "1"):
        messages.error(request, _("Thao tác không hợp lệ."))
        return _render_rules(request, status=400)
    services.validation_rule_update(actor=request.user, rule=rule, is_active=active == "1")
    if active == "1":
        messages.success(request, _("Đã bật quy tắc %(code)s.") % {"code": rule.code})
    else:
        messages.success(request, _("Đã tắt quy tắc %(code)s.") % {"code": rule.code})
    return redirect("indicators:rule_list")

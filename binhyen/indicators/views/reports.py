"""Report pages: the list, entry and review of one report, its Excel template and upload,
completeness below a unit.

Invariants: a POST calls one service; whoever sees the unit may read its report (read-only),
writing needs ``ENTER_DATA`` (values) or ``APPROVE_REPORTS`` (review), else 404.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from binhyen.accounts import permissions as acc_perms
from binhyen.core.errors import Conflict
from binhyen.core.tabular import ImportFileError
from binhyen.core.web import current_user
from binhyen.indicators import excel, selectors, services
from binhyen.indicators import permissions as ind_perms
from binhyen.indicators.models import Metric, ReportForm, Submission
from binhyen.indicators.movement import movement_figures
from binhyen.indicators.views.common import (
    HISTORY_LABELS,
    _ancestors,
    _with_current,
    _xlsx_response,
)


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    """The user's reports to fill and the reports waiting for their decision."""
    entries = []
    for unit in selectors.entry_units(user=current_user(request)):
        for form in selectors.forms_for_unit(unit):
            period = selectors.default_report_period(form)
            sub = Submission.objects.filter(form=form, orgunit=unit, period=period.code).first()
            entries.append({"unit": unit, "form": form, "period": period, "submission": sub})
    queue = selectors.review_queue(user=current_user(request))
    reviewable_units = []
    if ind_perms.can_review_anywhere(current_user(request)):
        reviewable_units = list(
            selectors.visible_units(current_user(request))
            .filter(
                path__in=acc_perms.scope_paths(current_user(request), acc_perms.APPROVE_REPORTS)
            )
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
    return selectors.report_context(
        user=current_user(request),
        form_code=form_code,
        unit_code=unit_code,
        period_code=period_code,
    )


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
    can_enter = ind_perms.can_enter_data(current_user(request), unit)
    can_review = ind_perms.can_review(current_user(request), unit)
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
                    result = services.submission_save(
                        actor=current_user(request),
                        form=form,
                        unit=unit,
                        period_code=period.code,
                        values=values,
                        submit=action == "submit",
                    )
                    sub = result.submission
                    for warning in result.warnings:
                        messages.warning(request, warning)
                    if result.refusal is not None:
                        posted_errors = list(result.refusal.messages)
                    elif action == "submit":
                        messages.success(request, _("Đã gửi báo cáo lên cấp trên."))
                        return redirect(here)
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
                    services.submission_approve(
                        actor=current_user(request), submission=sub, comment=comment
                    )
                    messages.success(request, _("Đã duyệt và khóa báo cáo."))
                elif action == "return":
                    services.submission_return(
                        actor=current_user(request), submission=sub, comment=comment
                    )
                    messages.success(request, _("Đã trả lại báo cáo kèm ý kiến."))
                else:
                    services.submission_reopen(
                        actor=current_user(request), submission=sub, comment=comment
                    )
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
            "name": r.label,
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
            "movement": movement_figures(unit=unit, period=period, exclude={m.pk for m in metrics}),
            "ancestors": _ancestors(current_user(request), unit),
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
    if not ind_perms.can_enter_data(current_user(request), ctx["unit"]):
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
    form, unit, period = ctx["form"], ctx["unit"], ctx["period"]
    if not ind_perms.can_enter_data(current_user(request), unit):
        raise selectors.unit_not_found(unit.code)
    here = reverse("indicators:report", args=[form.code, unit.code, period.code])
    upload = request.FILES.get("file")
    errors: list[str] = []
    if upload is None:
        errors = [_("Chọn tệp Excel (.xlsx) để tải lên.")]
    else:
        try:
            values, problems = excel.parse_upload(
                data=upload.read(excel.MAX_BYTES + 1),
                form=form,
                unit=unit,
                period=period,
                metrics=selectors.form_metrics(form),
            )
            errors = [p.message for p in problems]
            if not errors:
                result = services.submission_save(
                    actor=current_user(request),
                    form=form,
                    unit=unit,
                    period_code=period.code,
                    values=values,
                )
                messages.success(
                    request, _("Đã nhập từ tệp (%(n)s ô thay đổi).") % {"n": result.changed}
                )
                for warning in result.warnings:
                    messages.warning(request, warning)
                return redirect(here)
        except ImportFileError as exc:
            errors = [p.message for p in exc.problems]
        except ValidationError as exc:
            errors = list(exc.messages)
    return render(
        request,
        "indicators/upload_errors.html",
        {
            **ctx,
            "errors": errors,
            "back": here,
            "ancestors": _ancestors(current_user(request), unit),
        },
        status=400,
    )


@login_required
@require_GET
def completeness(
    request: HttpRequest, form_code: str, unit_code: str, period_code: str
) -> HttpResponse:
    """Submitted / expected and on time / late per child unit, with links to each report."""
    form, period, unit = selectors.form_period_unit(
        user=current_user(request),
        form_code=form_code,
        unit_code=unit_code,
        period_code=period_code,
    )
    result = selectors.completeness(user=current_user(request), form=form, unit=unit, period=period)
    show = request.GET.get("show", "")
    sort = request.GET.get("sort", "")
    if show == "late":  # units that have not sent every report they owe
        result.rows = [r for r in result.rows if r.submitted < r.expected]
    if sort == "rate":  # the weakest first; a unit with nothing expected last
        result.rows.sort(key=lambda r: (r.rate is None, r.rate or 0.0, r.unit.name))
    if request.GET.get("export") == "report":  # the whole report of every unit, one workbook
        table = selectors.report_table(
            user=current_user(request), form=form, unit=unit, period=period
        )
        data = excel.table_xlsx(
            title=f"{form.label} - {period.label}", headers=table.headers, rows=table.rows
        )
        return _xlsx_response(data, f"{form.code}_{unit.code}_{period.code}_report.xlsx")
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
        data = excel.table_xlsx(title=f"{form.label} - {period.label}", headers=headers, rows=rows)
        return _xlsx_response(data, f"{form.code}_{unit.code}_{period.code}_completeness.xlsx")
    return render(
        request,
        "indicators/completeness.html",
        {
            "form": form,
            "unit": unit,
            "period": period,
            "result": result,
            "ancestors": _ancestors(current_user(request), unit),
            "periods": _with_current(selectors.recent_periods(form.period_kind, 12), period),
            "can_review": ind_perms.can_review_anywhere(current_user(request)),
            "trend_json": json.dumps([]),
            "show": show if show == "late" else "",
            "sort": sort if sort == "rate" else "",
            "overdue": result.deadline < timezone.localdate(),
            **_remind_context(current_user(request), form, unit, period, result),
        },
    )


def _remind_context(
    user: Any, form: ReportForm, unit: Any, period: Any, result: selectors.Completeness
) -> dict[str, Any]:
    """The reminder column: may the user remind, which rows, when each was last reminded."""
    if not services.can_remind(user, unit):
        return {"can_remind": False}
    late = services.late_in(form, result)
    last = services.reminded_at(form=form, period=period, units=late) if late else {}
    since = timezone.now() - timedelta(hours=settings.COMPLETENESS_REMIND_HOURS)
    return {
        "can_remind": True,
        "remindable": {u.code for u in late},
        "reminded": {u.code: last[u.pk] for u in late if u.pk in last},
        "remind_recent": {u.code for u in late if u.pk in last and last[u.pk] >= since},
    }


@login_required
@require_POST
def completeness_remind(
    request: HttpRequest, form_code: str, unit_code: str, period_code: str
) -> HttpResponse:
    """Remind the officers of one late unit (``unit`` posted) or of every late unit."""
    user = current_user(request)
    form, period, unit = selectors.form_period_unit(
        user=user, form_code=form_code, unit_code=unit_code, period_code=period_code
    )
    if not services.can_remind(user, unit):
        raise Http404
    back = reverse("indicators:completeness", args=[form.code, unit.code, period.code])
    if request.POST.get("show") == "late":
        back += "?show=late"
    child = request.POST.get("unit", "").strip()
    try:
        result = services.completeness_remind(
            actor=user, form=form, unit=unit, period=period, unit_codes=[child] if child else None
        )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        return render(
            request,
            "indicators/remind_refused.html",
            {
                "form": form,
                "unit": unit,
                "period": period,
                "errors": exc.messages,
                "back": back,
                "ancestors": _ancestors(user, unit),
            },
            status=409 if isinstance(exc, Conflict) else 400,
        )
    messages.success(
        request,
        ngettext(
            "Đã nhắc %(units)s đơn vị (%(n)s cán bộ nhận thông báo).",
            "Đã nhắc %(units)s đơn vị (%(n)s cán bộ nhận thông báo).",
            len(result.reminded),
        )
        % {"units": len(result.reminded), "n": result.notified},
    )
    for warning in result.warnings():
        messages.warning(request, warning)
    return redirect(back)

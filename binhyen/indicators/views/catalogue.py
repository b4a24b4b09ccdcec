"""The catalogue pages: metrics, report forms, validation rules.

Invariant: read by whoever may read numbers somewhere, changed only with ``MANAGE_METRICS``;
the add and edit pages answer 404 to everybody else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from copy import copy
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from binhyen.accounts import permissions as acc_perms
from binhyen.core.actors import Actor
from binhyen.core.search import text_search
from binhyen.core.web import current_user, form_view, paginate
from binhyen.indicators import permissions as ind_perms
from binhyen.indicators import services
from binhyen.indicators.forms import MetricFilterForm, MetricForm, ReportFormForm, RuleForm
from binhyen.indicators.models import Metric, ReportForm, ValidationRule


def _require_reader(user: Actor) -> None:
    """Let through users who may read numbers somewhere (deny by default: 404)."""
    if not acc_perms.has_perm_anywhere(user, acc_perms.VIEW_UNITS):
        raise Http404(_("Không tìm thấy."))


def _catalogue_context(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {"can_manage": ind_perms.can_manage_metrics(current_user(request)), **extra}


def _metric_for_manager(user: Actor, code: str) -> Metric:
    """Return the metric to edit; missing, or a user who may not edit it, both give 404."""
    metric = Metric.objects.filter(code=code).first()
    if metric is None or not ind_perms.can_manage_metrics(user):
        raise Http404(_("Không có chỉ tiêu '%(code)s'.") % {"code": code[:64]})
    return metric


def _form_for_manager(user: Actor, code: str) -> ReportForm:
    form = ReportForm.objects.filter(code=code).first()
    if form is None or not ind_perms.can_manage_metrics(user):
        raise Http404(_("Không có biểu mẫu '%(code)s'.") % {"code": code[:64]})
    return form


def _rule_for_manager(user: Actor, code: str) -> ValidationRule:
    rule = ValidationRule.objects.filter(code=code).select_related("left_metric", "right_metric")
    found = rule.first()
    if found is None or not ind_perms.can_manage_metrics(user):
        raise Http404(_("Không có quy tắc kiểm tra '%(code)s'.") % {"code": code[:64]})
    return found


def _require_manager_page(user: Actor) -> None:
    if not ind_perms.can_manage_metrics(user):
        raise Http404(_("Không tìm thấy."))


@login_required
@require_GET
def metric_list(request: HttpRequest) -> HttpResponse:
    """The metric catalogue: search by code or name, filters, pages."""
    _require_reader(current_user(request))
    form = MetricFilterForm(request.GET or None)
    data: dict[str, Any] = form.cleaned_data if form.is_bound and form.is_valid() else {}
    metrics = Metric.objects.select_related("disaggregation")
    q = (data.get("q") or "").strip()
    if q:
        metrics = text_search(metrics, q, ["code", "name", "name_en"])
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
            page=paginate(request, metrics),
            filtered=any(params.values()),
        ),
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _metric_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k in services.METRIC_FIELDS}


def _catalogue_form(
    request: HttpRequest,
    *,
    form: Any,
    kind: str,
    obj: Any,
    service: Callable[..., Any],
    arguments: Callable[[dict[str, Any]], Mapping[str, Any]],
    done: str,
    to: str,
) -> HttpResponse:
    """Run one catalogue write for a posted form: on success say ``done`` (formatted with
    the saved object's code) and go back to the list ``to``; on refusal show the service's
    errors next to the fields (400). ``arguments`` hands the service a copy of ``obj``, so
    the page shows the object as it is stored."""
    return form_view(
        request,
        form,
        service,
        template="indicators/catalogue_form.html",
        context={"kind": kind, "obj": obj},
        arguments=arguments,
        success_url=reverse(to),
        success_message=lambda saved: done % {"code": saved.code},
    )


@login_required
@require_http_methods(["GET", "POST"])
def metric_create(request: HttpRequest) -> HttpResponse:
    _require_manager_page(current_user(request))
    form = MetricForm(request.POST or None, initial={"capture_kinds": ["commune"]})
    return _catalogue_form(
        request,
        form=form,
        kind="metric",
        obj=None,
        service=services.metric_create,
        arguments=_metric_fields,
        done=_("Đã thêm chỉ tiêu %(code)s."),
        to="indicators:metric_list",
    )


@login_required
@require_http_methods(["GET", "POST"])
def metric_edit(request: HttpRequest, code: str) -> HttpResponse:
    metric = _metric_for_manager(current_user(request), code)
    form = MetricForm(request.POST or None, stored=MetricForm.initial_for(metric))
    return _catalogue_form(
        request,
        form=form,
        kind="metric",
        obj=metric,
        service=services.metric_update,
        arguments=lambda data: {"metric": copy(metric), **_metric_fields(data)},
        done=_("Đã lưu chỉ tiêu %(code)s."),
        to="indicators:metric_list",
    )


def _ordered_choice(data: dict[str, Any], current: list[Metric]) -> list[Metric]:
    """Keep the order the form already had, new metrics after it in catalogue order."""
    chosen = list(data["metrics"])
    position = {m.pk: i for i, m in enumerate(current)}
    return sorted(chosen, key=lambda m: position.get(m.pk, len(position)))


def _form_metrics(form: ReportForm) -> list[Metric]:
    return [link.metric for link in form.form_metrics.select_related("metric")]


@login_required
@require_GET
def form_list(request: HttpRequest) -> HttpResponse:
    """Periodic report forms with their metrics and deadlines."""
    _require_reader(current_user(request))
    forms = ReportForm.objects.prefetch_related("form_metrics__metric").order_by("code")
    return render(
        request,
        "indicators/form_list.html",
        _catalogue_context(request, page=paginate(request, forms)),
    )


def _form_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "metrics"}


@login_required
@require_http_methods(["GET", "POST"])
def form_create(request: HttpRequest) -> HttpResponse:
    _require_manager_page(current_user(request))
    form = ReportFormForm(request.POST or None, initial={"submitting_kinds": ["commune"]})
    return _catalogue_form(
        request,
        form=form,
        kind="form",
        obj=None,
        service=services.report_form_create,
        arguments=lambda data: {"metrics": _ordered_choice(data, []), **_form_fields(data)},
        done=_("Đã thêm biểu mẫu %(code)s."),
        to="indicators:form_list",
    )


@login_required
@require_http_methods(["GET", "POST"])
def form_edit(request: HttpRequest, code: str) -> HttpResponse:
    report_form = _form_for_manager(current_user(request), code)
    current = _form_metrics(report_form)
    initial = {name: getattr(report_form, name) for name in services.REPORT_FORM_FIELDS}
    initial["metrics"] = [m.code for m in current]
    form = ReportFormForm(request.POST or None, stored=initial, current=current)
    return _catalogue_form(
        request,
        form=form,
        kind="form",
        obj=report_form,
        service=services.report_form_update,
        arguments=lambda data: {
            "form": copy(report_form),
            "metrics": _ordered_choice(data, current),
            **_form_fields(data),
        },
        done=_("Đã lưu biểu mẫu %(code)s."),
        to="indicators:form_list",
    )


def _render_rules(request: HttpRequest, status: int = 200) -> HttpResponse:
    rules = ValidationRule.objects.select_related("left_metric", "right_metric").order_by("code")
    return render(
        request,
        "indicators/rule_list.html",
        _catalogue_context(request, page=paginate(request, rules)),
        status=status,
    )


@login_required
@require_GET
def rule_list(request: HttpRequest) -> HttpResponse:
    """Validation rules between metrics of the same unit and period."""
    _require_reader(current_user(request))
    return _render_rules(request)


@login_required
@require_http_methods(["GET", "POST"])
def rule_create(request: HttpRequest) -> HttpResponse:
    _require_manager_page(current_user(request))
    form = RuleForm(request.POST or None)
    return _catalogue_form(
        request,
        form=form,
        kind="rule",
        obj=None,
        service=services.validation_rule_create,
        arguments=dict,
        done=_("Đã thêm quy tắc %(code)s."),
        to="indicators:rule_list",
    )


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, code: str) -> HttpResponse:
    rule = _rule_for_manager(current_user(request), code)
    initial = {name: getattr(rule, name) for name in services.RULE_FIELDS}
    initial["left_metric"] = rule.left_metric.code
    initial["right_metric"] = rule.right_metric.code
    form = RuleForm(request.POST or None, stored=initial)
    return _catalogue_form(
        request,
        form=form,
        kind="rule",
        obj=rule,
        service=services.validation_rule_update,
        arguments=lambda data: {"rule": copy(rule), **data},
        done=_("Đã lưu quy tắc %(code)s."),
        to="indicators:rule_list",
    )


@login_required
@require_POST
def rule_toggle(request: HttpRequest, code: str) -> HttpResponse:
    """Switch a rule on or off (``active`` = 1 or 0)."""
    rule = _rule_for_manager(current_user(request), code)
    active = request.POST.get("active")
    if active not in ("0", "1"):
        messages.error(request, _("Thao tác không hợp lệ."))
        return _render_rules(request, status=400)
    services.validation_rule_update(actor=current_user(request), rule=rule, is_active=active == "1")
    if active == "1":
        messages.success(request, _("Đã bật quy tắc %(code)s.") % {"code": rule.code})
    else:
        messages.success(request, _("Đã tắt quy tắc %(code)s.") % {"code": rule.code})
    return redirect("indicators:rule_list")

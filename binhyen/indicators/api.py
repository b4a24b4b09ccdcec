"""REST endpoints of the indicators app: ``/api/v1/analytics`` and the catalogue.

Every number comes from ``selectors.analytics`` (the engine), scoped to the caller. Unknown
metric or period codes answer 400 naming the value and the parameter; unknown or
out-of-scope unit codes answer 404 naming the code (the same answer for both).

Catalogue (metrics, report forms, validation rules): whoever may read numbers somewhere
lists it; ``MANAGE_METRICS`` adds and changes entries. Creating without the permission
answers 403; changing an entry answers 404 both when it is missing and when the caller may
not change it. Bad input answers 400 (``message``, ``field``, ``errors``) or 422 for a
malformed body; nothing is saved. PUT changes only the fields sent.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from binhyen.accounts import permissions as acc_perms
from binhyen.core.api_kit import api_user
from binhyen.indicators import permissions as ind_perms
from binhyen.indicators import selectors, services
from binhyen.indicators.models import Disaggregation, Metric, ReportForm, ValidationRule
from binhyen.indicators.periods import Period
from binhyen.indicators.schemas import (
    AnalyticsOut,
    AnalyticsQuery,
    ErrorOut,
    MetricIn,
    MetricOut,
    MetricUpdateIn,
    PeriodOut,
    ReportFormIn,
    ReportFormOut,
    ReportFormUpdateIn,
    RuleIn,
    RuleOut,
    RuleUpdateIn,
)

router = Router(tags=["indicators"])


def metric_out(metric: Metric) -> dict[str, Any]:
    options = (
        [o.code for o in metric.disaggregation.options.all()]
        if metric.disaggregation is not None
        else []
    )
    return {
        "code": metric.code,
        "name": metric.name,
        "name_en": metric.name_en,
        "description": metric.description,
        "unit_of_measure": metric.unit_of_measure,
        "value_type": metric.value_type,
        "aggregation": metric.aggregation,
        "counting": metric.counting,
        "period_kind": metric.period_kind,
        "capture_kinds": list(metric.capture_kinds or []),
        "source": metric.source,
        "disaggregation": metric.disaggregation.code if metric.disaggregation is not None else None,
        "options": options,
        "provider_key": metric.provider_key,
        "min_value": metric.min_value,
        "max_value": metric.max_value,
        "is_active": metric.is_active,
        "sort_order": metric.sort_order,
    }


def period_out(period: Period) -> dict[str, Any]:
    return {
        "code": period.code,
        "kind": period.kind,
        "label": period.label,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }


def _split(value: str) -> list[str]:
    return [v for v in (value or "").split(",") if v.strip()]


@router.get(
    "/analytics",
    response={200: AnalyticsOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
    summary="Metrics × units × periods: rollups, rates per 1,000, comparisons",
)
def analytics(request: HttpRequest, query: Query[AnalyticsQuery]) -> Any:
    """Return one row per metric, unit and period (and option when disaggregated).

    Values of pre-2025 units count toward their 2025 successors (merge: summed; split:
    default successor or configured shares); ``includes_predecessors`` says when that
    happened. ``within_ordinary_variation`` is true when a change in a count is within what
    chance alone produces (two-sided Poisson test, p > 0.05).
    """
    try:
        result = selectors.analytics(
            user=api_user(request),
            metric_codes=_split(query.metrics),
            unit_codes=_split(query.units),
            period_codes=_split(query.periods),
            children=query.children,
            per_1000=query.per_1000,
            compare=query.compare,
            disaggregate=query.disaggregate,
        )
    except selectors.AnalyticsInputError as exc:
        return Status(400, {"message": exc.message, "field": exc.field})
    except Http404 as exc:
        return Status(404, {"message": str(exc), "field": "units"})
    notes = []
    if any(r.includes_predecessors for r in result.rows):
        notes.append(_("Một số số liệu gồm cả số liệu của đơn vị cũ trước sắp xếp năm 2025."))
    return {
        "rows": [asdict(r) for r in result.rows],
        "metrics": [metric_out(m) for m in result.metrics],
        "periods": [period_out(p) for p in result.periods],
        "notes": notes,
    }


@router.get("/indicators/metrics", response=list[MetricOut], summary="The metric catalogue")
def metric_list(request: HttpRequest, include_inactive: bool = False) -> Any:
    """Return the metrics in use (``include_inactive``: also those no longer in use)."""
    metrics = Metric.objects.select_related("disaggregation")
    if not include_inactive:
        metrics = metrics.filter(is_active=True)
    return [metric_out(m) for m in metrics.prefetch_related("disaggregation__options")]


@router.get(
    "/indicators/periods/{code}",
    response={200: PeriodOut, 400: ErrorOut, 401: ErrorOut},
    summary="Parse a period code",
)
def period_detail(request: HttpRequest, code: str) -> Any:
    try:
        periods = selectors.periods_get([code])
    except selectors.AnalyticsInputError as exc:
        return Status(400, {"message": exc.message, "field": "code"})
    return period_out(periods[0])


@router.post(
    "/indicators/metrics",
    response={201: MetricOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut},
    summary="Add a metric to the catalogue (MANAGE_METRICS)",
)
def metric_create(request: HttpRequest, payload: MetricIn) -> Any:
    fields = payload.dict()
    code = fields.pop("disaggregation")
    if code:
        fields["disaggregation"] = _disaggregation(code)
    try:
        metric = services.metric_create(actor=api_user(request), **fields)
    except PermissionDenied:
        return Status(
            403, {"message": _("Bạn không có quyền quản lý danh mục chỉ tiêu."), "field": None}
        )
    return Status(201, metric_out(metric))


def _disaggregation(code: str) -> Disaggregation:
    """Return the disaggregation named ``code`` or refuse the input naming it (400)."""
    disaggregation = Disaggregation.objects.filter(code=code).first()
    if disaggregation is None:
        raise ValidationError(
            {"disaggregation": _("Không có phân tổ '%(code)s'.") % {"code": code[:64]}}
        )
    return disaggregation


def _metrics(codes: list[str], field: str) -> list[Metric]:
    """Return the metrics named by ``codes`` in that order, or refuse naming unknown codes."""
    found = {m.code: m for m in Metric.objects.filter(code__in=codes)}
    unknown = [c[:64] for c in codes if c not in found]
    if unknown:
        raise ValidationError(
            {
                field: _("Không có chỉ tiêu trong danh mục: %(codes)s.")
                % {"codes": ", ".join(unknown)}
            }
        )
    return [found[c] for c in codes]


def _require_reader(request: HttpRequest) -> None:
    if not acc_perms.has_perm_anywhere(api_user(request), acc_perms.VIEW_UNITS):
        raise Http404(_("Không tìm thấy."))


def _forbidden() -> Status[dict[str, Any]]:
    return Status(
        403, {"message": _("Bạn không có quyền quản lý danh mục chỉ tiêu."), "field": None}
    )


def _missing(what: str, code: str) -> Http404:
    messages = {
        "metric": _("Không có chỉ tiêu '%(code)s'."),
        "form": _("Không có biểu mẫu '%(code)s'."),
        "rule": _("Không có quy tắc kiểm tra '%(code)s'."),
    }
    return Http404(messages[what] % {"code": code[:64]})


def form_out(form: ReportForm) -> dict[str, Any]:
    return {
        "code": form.code,
        "name": form.name,
        "description": form.description,
        "period_kind": form.period_kind,
        "submitting_kinds": list(form.submitting_kinds or []),
        "metrics": [link.metric.code for link in form.form_metrics.all()],
        "deadline_month_offset": form.deadline_month_offset,
        "deadline_day": form.deadline_day,
        "is_active": form.is_active,
    }


def rule_out(rule: ValidationRule) -> dict[str, Any]:
    return {
        "code": rule.code,
        "name": rule.name,
        "left_metric": rule.left_metric.code,
        "operator": rule.operator,
        "right_metric": rule.right_metric.code,
        "severity": rule.severity,
        "is_active": rule.is_active,
    }


@router.put(
    "/indicators/metrics/{code}",
    response={200: MetricOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Change a metric of the catalogue (MANAGE_METRICS)",
)
def metric_update(request: HttpRequest, code: str, payload: MetricUpdateIn) -> Any:
    """Change the fields sent. Code, period kind and disaggregation are fixed once it has data."""
    metric = Metric.objects.filter(code=code).first()
    if metric is None or not ind_perms.can_manage_metrics(api_user(request)):
        raise _missing("metric", code)
    fields = payload.dict(exclude_unset=True)
    if "disaggregation" in fields:
        value = fields["disaggregation"]
        fields["disaggregation"] = _disaggregation(value) if value else None
    metric = services.metric_update(actor=api_user(request), metric=metric, **fields)
    return metric_out(metric)


@router.get(
    "/indicators/forms",
    response={200: list[ReportFormOut], 401: ErrorOut, 404: ErrorOut},
    summary="Periodic report forms and their metrics",
)
def form_list(request: HttpRequest) -> Any:
    _require_reader(request)
    forms = ReportForm.objects.prefetch_related("form_metrics__metric").order_by("code")
    return [form_out(f) for f in forms]


@router.post(
    "/indicators/forms",
    response={201: ReportFormOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Add a periodic report form (MANAGE_METRICS)",
)
def form_create(request: HttpRequest, payload: ReportFormIn) -> Any:
    """Every metric must have the form's period kind; at least one metric."""
    if not ind_perms.can_manage_metrics(api_user(request)):
        return _forbidden()
    fields = payload.dict()
    metrics = _metrics(fields.pop("metrics"), "metrics")
    try:
        form = services.report_form_create(actor=api_user(request), metrics=metrics, **fields)
    except PermissionDenied:
        return _forbidden()
    return Status(201, form_out(form))


@router.put(
    "/indicators/forms/{code}",
    response={200: ReportFormOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Change a periodic report form (MANAGE_METRICS)",
)
def form_update(request: HttpRequest, code: str, payload: ReportFormUpdateIn) -> Any:
    """Change the fields sent; ``metrics`` (codes, in order) replaces the form's metrics."""
    form = ReportForm.objects.filter(code=code).first()
    if form is None or not ind_perms.can_manage_metrics(api_user(request)):
        raise _missing("form", code)
    fields = payload.dict(exclude_unset=True)
    codes = fields.pop("metrics", None)
    metrics = _metrics(codes, "metrics") if codes is not None else None
    form = services.report_form_update(
        actor=api_user(request), form=form, metrics=metrics, **fields
    )
    return form_out(form)


@router.get(
    "/indicators/rules",
    response={200: list[RuleOut], 401: ErrorOut, 404: ErrorOut},
    summary="Validation rules between metrics",
)
def rule_list(request: HttpRequest) -> Any:
    _require_reader(request)
    rules = ValidationRule.objects.select_related("left_metric", "right_metric").order_by("code")
    return [rule_out(r) for r in rules]


@router.post(
    "/indicators/rules",
    response={201: RuleOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
    summary="Add a validation rule (MANAGE_METRICS)",
)
def rule_create(request: HttpRequest, payload: RuleIn) -> Any:
    if not ind_perms.can_manage_metrics(api_user(request)):
        return _forbidden()
    fields = payload.dict()
    fields["left_metric"] = _metrics([fields["left_metric"]], "left_metric")[0]
    fields["right_metric"] = _metrics([fields["right_metric"]], "right_metric")[0]
    try:
        rule = services.validation_rule_create(actor=api_user(request), **fields)
    except PermissionDenied:
        return _forbidden()
    return Status(201, rule_out(rule))


@router.put(
    "/indicators/rules/{code}",
    response={200: RuleOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Change, switch on or switch off a validation rule (MANAGE_METRICS)",
)
def rule_update(request: HttpRequest, code: str, payload: RuleUpdateIn) -> Any:
    """Change the fields sent; ``is_active`` false stops the rule from being checked."""
    rule = ValidationRule.objects.filter(code=code).select_related("left_metric", "right_metric")
    found = rule.first()
    if found is None or not ind_perms.can_manage_metrics(api_user(request)):
        raise _missing("rule", code)
    fields = payload.dict(exclude_unset=True)
    for side in ("left_metric", "right_metric"):
        if side in fields:
            fields[side] = _metrics([fields[side] or ""], side)[0]
    found = services.validation_rule_update(actor=api_user(request), rule=found, **fields)
    return rule_out(found)

"""REST endpoints of the indicators app: ``/api/v1/analytics`` and the metric catalogue.

Every number comes from ``selectors.analytics`` (the engine), scoped to the caller. Unknown
metric or period codes answer 400 naming the value and the parameter; unknown or
out-of-scope unit codes answer 404 naming the code (the same answer for both).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from binhyen.indicators import selectors, services
from binhyen.indicators.models import Disaggregation, Metric
from binhyen.indicators.periods import Period
from binhyen.indicators.schemas import (
    AnalyticsOut,
    AnalyticsQuery,
    ErrorOut,
    MetricIn,
    MetricOut,
    PeriodOut,
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
        "period_kind": metric.period_kind,
        "capture_kinds": list(metric.capture_kinds or []),
        "source": metric.source,
        "disaggregation": metric.disaggregation.code if metric.disaggregation is not None else None,
        "options": options,
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
            user=request.user,
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
def metric_list(request: HttpRequest) -> Any:
    metrics = Metric.objects.filter(is_active=True).select_related("disaggregation")
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
        disaggregation = Disaggregation.objects.filter(code=code).first()
        if disaggregation is None:
            return Status(
                400,
                {
                    "message": _("Không có phân tổ '%(code)s'.") % {"code": code[:64]},
                    "field": "disaggregation",
                },
            )
        fields["disaggregation"] = disaggregation
    try:
        metric = services.metric_create(actor=request.user, **fields)
    except PermissionDenied:
        return Status(
            403, {"message": _("Bạn không có quyền quản lý danh mục chỉ tiêu."), "field": None}
        )
    return Status(201, metric_out(metric))

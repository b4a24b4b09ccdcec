"""The unit dashboard: key metrics with changes and trends, children with completeness, a map.

Invariant: numbers come from ``selectors`` (the engine) only; an out-of-scope unit is 404.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from binhyen.accounts import permissions as acc_perms
from binhyen.core.formats import format_number
from binhyen.core.web import current_user
from binhyen.indicators import excel, selectors
from binhyen.indicators.models import Metric, ReportForm
from binhyen.indicators.periods import Period, PeriodError, PeriodKind, parse_period
from binhyen.indicators.target_sources import target_sources
from binhyen.indicators.views.common import _ancestors, _xlsx_response
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


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Send the user to the dashboard of their outermost unit."""
    paths = acc_perms.scope_paths(current_user(request))
    if acc_perms.is_superadmin(current_user(request)):
        unit = OrgUnit.objects.filter(parent__isnull=True).first()
    else:
        unit = (
            selectors.visible_units(current_user(request))
            .filter(path__in=paths)
            .order_by("level")
            .first()
        )
    if unit is None:
        return render(request, "indicators/no_scope.html", status=200)
    return redirect("indicators:dashboard", code=unit.code)


@login_required
@require_GET
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    """Key metrics with changes, trends, children with completeness, and a map."""
    unit = selectors.unit_get(user=current_user(request), code=code)
    default = selectors.default_report_period(ReportForm(period_kind=PeriodKind.MONTH))
    period = _period_param(request, default)
    metrics = _dashboard_metrics()
    children = selectors.unit_children(user=current_user(request), unit=unit)
    context: dict[str, Any] = {
        "unit": unit,
        "period": period,
        "period_choices": _period_choices(period),
        "ancestors": _ancestors(current_user(request), unit),
        "metrics": metrics,
        "children": children,
    }
    if not metrics:
        return render(request, "indicators/dashboard.html", context)
    chosen = request.GET.get("metric") or metrics[0].code
    table_metric = next((m for m in metrics if m.code == chosen), metrics[0])
    cards = selectors.analytics(
        user=current_user(request),
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
        user=current_user(request),
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
            user=current_user(request),
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
            user=current_user(request), form=form, unit=unit, period=period
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
                    "label": format_number(row.value),
                    "url": reverse("indicators:dashboard", args=[child.code])
                    + f"?period={period.code}",
                }
            )
    if request.GET.get("export") == "xlsx":
        return _export_children(unit, period, table_metric, table)
    context.update(_targets(request, unit, children, period, table_metric, table))
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


def _targets(
    request: HttpRequest,
    unit: Any,
    children: list[Any],
    period: Period,
    table_metric: Metric,
    table: list[dict[str, Any]],
) -> dict[str, Any]:
    """Return the unit's target cards and, on each children row, its target of the table's
    metric (from the registered target sources; nothing when none is registered)."""
    found = target_sources.figures(
        user=current_user(request),
        units=[unit, *children],
        period_start=period.start,
        period_end=period.end,
    )
    for item in table:
        item["target"] = next(
            (
                f
                for f in found.get(item["unit"].pk, [])
                if f.metric_code == table_metric.code and not f.option
            ),
            None,
        )
    return {
        "target_cards": found.get(unit.pk, []),
        "child_targets": any(item["target"] is not None for item in table),
    }


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

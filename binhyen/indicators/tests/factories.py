"""Factories and small builders for indicators tests (no national import, ever)."""

from __future__ import annotations

from datetime import date
from typing import Any

import factory

from binhyen.indicators import rollups
from binhyen.indicators.models import (
    DataItem,
    DataValue,
    Metric,
    ReportForm,
    ReportFormMetric,
    ValidationRule,
)
from binhyen.indicators.periods import parse_period
from binhyen.orgunits.models import Lineage, LineageKind, Subkind, UnitKind
from binhyen.orgunits.tests.factories import CommuneFactory, OrgUnitFactory, country

REFORM = date(2025, 7, 1)
CLOSED = date(2025, 6, 30)


class MetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Metric

    code = factory.Sequence(lambda n: f"t_metric_{n}")
    name = factory.Sequence(lambda n: f"Chỉ tiêu thử {n}")
    unit_of_measure = "vụ"
    value_type = "integer"
    aggregation = "sum"
    period_kind = "month"
    capture_kinds = factory.LazyFunction(lambda: ["commune", "village", "establishment"])
    source = "form"


def put(metric: Any, unit: Any, period: str, value: float, option: str = "") -> DataValue:
    """Store a value directly (test set-up only; real writes go through services)."""
    p = parse_period(period)
    dv = DataValue.objects.create(
        metric=metric,
        orgunit=unit,
        period=p.code,
        period_start=p.start,
        period_end=p.end,
        option=option,
        value=value,
    )
    if metric.is_distinct:
        # A distinct metric counts things: the value at the unit is its number of items,
        # here one made-up thing per unit of value (distinct across units).
        DataItem.objects.bulk_create(
            DataItem(
                metric=metric,
                orgunit=unit,
                period=p.code,
                period_start=p.start,
                period_end=p.end,
                option=option,
                item=f"test:{unit.pk}:{option}:{i}",
            )
            for i in range(int(value))
        )
    # As every real write does: the pre-aggregated figures move in the same transaction.
    rollups.apply(
        rollups.value_changes([rollups.ValueMove(metric.pk, unit.pk, p.end, option, None, value)])
    )
    if metric.is_distinct:
        rollups.distinct_refresh(metric, p.end)
    return dv


def old_unit(code: str, kind: str, parent: Any, name: str = "") -> Any:
    subkinds: dict[str, str] = {
        UnitKind.PROVINCE: Subkind.TINH,
        UnitKind.DISTRICT: Subkind.HUYEN,
        UnitKind.COMMUNE: Subkind.XA,
        UnitKind.VILLAGE: Subkind.THON,
    }
    subkind = subkinds[kind]
    return OrgUnitFactory(
        code=code,
        name=name or f"Cũ {code}",
        kind=kind,
        subkind=subkind,
        parent=parent,
        valid_to=CLOSED,
    )


def link(
    pred: Any,
    succ: Any,
    kind: str = LineageKind.MERGE,
    is_default: bool = True,
    share: str | None = None,
) -> Lineage:
    return Lineage.objects.create(
        predecessor=pred,
        successor=succ,
        kind=kind,
        is_default=is_default,
        share=share,
        effective_date=REFORM,
    )


def form_with(
    metrics: list[Any],
    code: str = "t_form",
    period_kind: str = "month",
    kinds: list[str] | None = None,
) -> ReportForm:
    form = ReportForm.objects.create(
        code=code,
        name=f"Biểu {code}",
        period_kind=period_kind,
        submitting_kinds=kinds or ["commune"],
    )
    for i, m in enumerate(metrics):
        ReportFormMetric.objects.create(form=form, metric=m, sort_order=i)
    return form


def rule(code: str, left: Any, op: str, right: Any, severity: str = "error") -> ValidationRule:
    return ValidationRule.objects.create(
        code=code,
        name=f"Quy tắc {code}",
        left_metric=left,
        operator=op,
        right_metric=right,
        severity=severity,
    )


__all__ = ["CommuneFactory", "country"]

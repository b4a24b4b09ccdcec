"""The targets app's answer to ``binhyen.indicators.target_sources`` (registered in ``apps``).

Invariant: figures are read through the scoped selectors (``units_progress``) and handed
over as plain values; rule values through ``units_target_values`` for units the caller has
already scoped.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.urls import reverse

from binhyen.indicators.target_sources import TargetFigure
from binhyen.targets import selectors
from binhyen.targets.progress import Progress


def figure(item: Progress) -> TargetFigure:
    """Return one judged target as the plain values readers below the app receive."""
    target = item.target
    return TargetFigure(
        unit_id=target.orgunit_id,
        metric_code=target.metric.code,
        name=target.name or target.metric.name,
        kind=target.kind,
        comparison=target.comparison,
        value=target.value,
        actual=item.actual,
        percent=item.percent,
        status=item.status,
        status_label=item.status_label,
        light=item.light,
        light_label=item.light_label,
        label=item.label,
        period=target.period,
        option=target.option,
        url=reverse("targets:target", args=[target.pk]),
    )


class TargetsSource:
    """Plans' targets (own and allocated) of a unit, with their progress."""

    key = "targets"

    def figures(
        self, *, user: Any, units: Sequence[Any], period_start: date, period_end: date
    ) -> list[TargetFigure]:
        judged = selectors.units_progress(
            user=user, units=list(units), start=period_start, end=period_end
        )
        return [figure(item) for item in judged]

    def values(self, *, units: Sequence[Any], on: date) -> dict[int, dict[str, float]]:
        return selectors.units_target_values(units=list(units), on=on)

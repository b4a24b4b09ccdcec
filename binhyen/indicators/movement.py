"""The movement's figures beside a periodic report: what the domain apps already publish.

A monthly report asks about crimes, tips, accidents and fires; the outreach, weapons,
cameras, lighting, pledges, schemes and teams are recorded elsewhere and published by the
providers (``providers.py``). ``movement_figures`` reads them for the report's unit and
period from the one engine, so the report shows the whole picture, read-only, each group
linking to the records it comes from.

Apps say where their records are listed in their ``AppConfig.ready()``::

    from binhyen.indicators.movement import RecordList, record_lists
    record_lists.register(RecordList("activities.log", _("Hoạt động phong trào"),
                                     "activities:list", unit_param="unit", order=10))

Invariants:
- Only active metrics published by a registered provider are read, and only those whose
  capture period is not longer than the report's period (a yearly grading is not part of
  a monthly report).
- Kinds that cannot be added (``figures.not_additive``) are shown kind by kind, never as a
  total; metrics with no value in the period are left out; a group with no figure is left out.
- Read-only: the figures cannot be typed here; the records are edited where they live.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise

from binhyen.core.vocabulary import unit_of_measure_label
from binhyen.indicators import engine
from binhyen.indicators.figures import Figure, figures_of
from binhyen.indicators.models import Metric, MetricSource
from binhyen.indicators.periods import KIND_RANK, Period
from binhyen.orgunits.models import OrgUnit


@dataclass(frozen=True)
class RecordList:
    """Where the records behind a provider's metrics are listed."""

    provider_key: str
    label: str | Promise
    url_name: str
    unit_param: str = ""  # the list's query parameter taking a unit code, if it has one
    order: int = 100


class RecordLists:
    """Record lists by provider key; one process-wide registry filled at start-up."""

    def __init__(self) -> None:
        self._lists: dict[str, RecordList] = {}

    def register(self, entry: RecordList) -> None:
        self._lists[entry.provider_key] = entry

    def all(self) -> list[RecordList]:
        return sorted(self._lists.values(), key=lambda e: (e.order, e.provider_key))


record_lists = RecordLists()


@dataclass
class MovementFigure:
    label: str
    value: float
    unit_of_measure: str
    metric: str
    option: str = ""


@dataclass
class MovementGroup:
    label: str
    url: str
    figures: list[MovementFigure] = field(default_factory=list)


def _url(entry: RecordList, unit: OrgUnit) -> str:
    try:
        url = reverse(entry.url_name)
    except NoReverseMatch:
        return ""
    if entry.unit_param:
        url += "?" + urlencode({entry.unit_param: unit.code})
    return url


def _metrics(keys: list[str], period: Period, exclude: set[int]) -> list[Metric]:
    rank = KIND_RANK.get(period.kind, 0)
    return [
        m
        for m in Metric.objects.filter(
            is_active=True, source=MetricSource.PROVIDER, provider_key__in=keys
        )
        .select_related("disaggregation")
        .prefetch_related("disaggregation__options")
        .order_by("sort_order", "code")
        if KIND_RANK.get(m.period_kind, 0) <= rank and m.pk not in exclude
    ]


def _values(figures: list[Figure], unit: OrgUnit, period: Period) -> dict[str, float | None]:
    """Return figure key → value, totals and kinds read in one engine call each."""
    whole = [f.metric for f in figures if not f.option]
    by_kind = list({f.metric.pk: f.metric for f in figures if f.option}.values())
    out: dict[str, float | None] = {}
    if whole:
        for row in engine.run(metrics=whole, units=[unit], periods=[period], compare=False):
            out[row.metric] = row.value
    if by_kind:
        rows = engine.run(
            metrics=by_kind, units=[unit], periods=[period], compare=False, disaggregate=True
        )
        for row in rows:
            out[f"{row.metric}.{row.option}"] = row.value
    return out


def movement_figures(
    *, unit: OrgUnit, period: Period, exclude: set[int] | None = None
) -> list[MovementGroup]:
    """Return the movement's figures of ``unit`` in ``period``, grouped by where they live.

    ``exclude``: ids of metrics not to repeat (those the report itself asks for). The caller
    has checked that the user sees ``unit``.
    """
    entries = record_lists.all()
    if not entries:
        return []
    metrics = _metrics([e.provider_key for e in entries], period, exclude or set())
    figures = figures_of(metrics)
    values = _values(figures, unit, period)
    groups: list[MovementGroup] = []
    for entry in entries:
        group = MovementGroup(label=str(entry.label), url=_url(entry, unit))
        for figure in figures:
            if figure.metric.provider_key != entry.provider_key:
                continue
            value = values.get(figure.key)
            if not value:
                continue
            group.figures.append(
                MovementFigure(
                    label=figure.label,
                    value=value,
                    unit_of_measure=unit_of_measure_label(figure.metric.unit_of_measure),
                    metric=figure.metric.code,
                    option=figure.option,
                )
            )
        if group.figures:
            groups.append(group)
    return groups


def movement_out(groups: list[MovementGroup]) -> list[dict[str, Any]]:
    """The groups as plain data for the API."""
    return [
        {
            "label": g.label,
            "url": g.url,
            "figures": [
                {
                    "metric": f.metric,
                    "option": f.option,
                    "label": f.label,
                    "value": f.value,
                    "unit_of_measure": f.unit_of_measure,
                }
                for f in g.figures
            ],
        }
        for g in groups
    ]

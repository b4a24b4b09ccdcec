"""Grouped figures of target units and how they combine into a requested period.

Invariants:
- ``aggregate`` costs one SQL statement per group of targets (``sql``), or reads the
  pre-aggregated cells (``rollups``) for sums and averages of current units when they match
  the map; both give the same ``Agg`` per (unit, metric, option, stored period end).
- ``combine`` follows ``Metric.aggregation`` over the stored periods that end inside the
  requested one; never reads the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, NamedTuple

from binhyen.core.db_router import analytics
from binhyen.indicators import rollups
from binhyen.indicators.engine.distinct import Window, distinct_rows
from binhyen.indicators.engine.sql import Slice, _as_date, _folds, _grouped, _merge_ranges
from binhyen.indicators.models import Aggregation, DataValue, Metric
from binhyen.indicators.periods import KIND_RANK, Period, PeriodKind
from binhyen.orgunits.models import OrgUnit


class Agg(NamedTuple):
    """The grouped figures of one unit, metric, option and period end."""

    total: float  # sum of weighted values
    weight: float  # sum of weights
    low: float  # smallest value
    high: float  # largest value
    predecessors: bool  # some value came from a predecessor through the lineage


class Series(dict[date, Agg]):
    """A unit's figures by stored period end; ``spans`` holds distinct counts over a
    requested period longer than the capture period ((start, end) → Agg), which cannot be
    added up from the per-period counts."""

    spans: dict[tuple[date, date], Agg]

    def __init__(self) -> None:
        super().__init__()
        self.spans = {}


# key: (unit_id, metric_id, option) -> {period_end: Agg}
Grouped = dict[tuple[int, int, str], dict[date, Agg]]


@analytics
def aggregate(
    *,
    metrics: Sequence[Metric],
    units: Sequence[OrgUnit],
    periods: Iterable[Period],
    by_option: bool = False,
    also: Sequence[tuple[Sequence[Metric], Iterable[Period]]] = (),
) -> Grouped:
    """Return grouped aggregates of each target unit by metric, option and stored period end.

    ``also`` adds other metrics over other periods to the same SQL statement (the population
    used for rates), so one call costs one query.
    """
    result: Grouped = defaultdict(Series)
    requests = [(list(metrics), list(periods))] + [(list(m), list(p)) for m, p in also]
    requests = [(m, p) for m, p in requests if m and p]
    if not units or not requests:
        return result
    # Distinct counts have their own statement (``distinct``); the rest is unchanged.
    distinct = [([m for m in ms if m.is_distinct], ps) for ms, ps in requests]
    distinct = [(m, p) for m, p in distinct if m]
    requests = [([m for m in ms if not m.is_distinct], ps) for ms, ps in requests]
    requests = [(m, p) for m, p in requests if m]
    if distinct:
        _distinct(result, distinct, units, by_option)
    if not requests:
        return result
    use_rollups = any(u.valid_to is None for u in units) and rollups.usable()
    groups: dict[tuple[int, bool], list[OrgUnit]] = defaultdict(list)
    for unit in units:
        groups[(len(unit.path), unit.valid_to is None)].append(unit)
    for (_n, forward), group in groups.items():
        # Sums and averages of current units come from the pre-aggregated cells when
        # they can (``rollups.plan``); everything else from one GROUP BY over the values.
        deepest = max(u.level for u in group)
        served = rollups.plan(requests, level=deepest) if forward and use_rollups else {}
        raw = [([m for m in ms if m.pk not in served], ps) for ms, ps in requests]
        raw = [(m, p) for m, p in raw if m]
        slices: list[Slice] = []
        rollable: list[Metric] = []
        for ms, ps in raw:
            ids = [m.pk for m in ms if m.aggregation != Aggregation.NONE]
            if ids:
                slices.append((ids, _merge_ranges(ps)))
                rollable.extend(m for m in ms if m.aggregation != Aggregation.NONE)
        rows: list[tuple[Any, ...]] = []
        by_path = {u.path: u for u in group}
        if slices:
            rows = _grouped(
                slices=slices,
                kinds={m.pk: list(m.capture_kinds or []) for m in rollable},
                target_paths=sorted(by_path),
                forward=forward,
                by_option=by_option,
                need_stats=any(m.aggregation != Aggregation.SUM for m in rollable),
                folds=_folds(raw),
            )
        if served:
            # Cells come keyed by unit id, with few distinct ends: convert each end once.
            ends: dict[Any, date] = {}
            for row in rollups.read(
                served=served, requests=requests, units=group, by_option=by_option
            ):
                if by_option:
                    unit_id, metric_id, end, option, total, weight, pred = row
                else:
                    unit_id, metric_id, end, total, weight, pred = row
                    option = ""
                day = ends.get(end)
                if day is None:
                    day = ends[end] = _as_date(end)
                result[(unit_id, metric_id, option)][day] = Agg(total, weight, 0.0, 0.0, pred > 0)
        if rows:
            days: dict[Any, date] = {}
            for row in rows:
                target = by_path.get(row[0])
                if target is None:
                    continue
                if by_option:
                    _path, metric_id, end, option, total, weight, low, high, pred = row
                else:
                    _path, metric_id, end, total, weight, low, high, pred = row
                    option = ""
                day = days.get(end)
                if day is None:
                    day = days[end] = _as_date(end)
                result[(target.pk, metric_id, option)][day] = Agg(
                    float(total or 0.0),
                    float(weight or 0.0),
                    float(low or 0.0),
                    float(high or 0.0),
                    bool(pred),
                )
    for ms, ps in requests:
        own = [m for m in ms if m.aggregation == Aggregation.NONE]
        if own:
            _own_values(result, own, units, _merge_ranges(ps), by_option)
    return result


def _distinct(
    result: Grouped,
    requests: Sequence[tuple[Sequence[Metric], Sequence[Period]]],
    units: Sequence[OrgUnit],
    by_option: bool,
) -> None:
    """Add the distinct counts of ``requests`` to ``result`` (see ``distinct``)."""
    windows: list[Window] = []
    for ms, ps in requests:
        ids = tuple(sorted({m.pk for m in ms}))
        for start, end in _merge_ranges(ps):
            windows.append(Window(ids, start, end, False))
        spans = {
            (m.pk, p.start, p.end)
            for m in ms
            for p in ps
            if m.aggregation == Aggregation.SUM
            and m.period_kind != p.kind
            and KIND_RANK[m.period_kind] <= KIND_RANK[p.kind]
        }
        by_span: dict[tuple[date, date], list[int]] = defaultdict(list)
        for pk, start, end in sorted(spans):
            by_span[(start, end)].append(pk)
        for (start, end), span_ids in by_span.items():
            windows.append(Window(tuple(span_ids), start, end, True))
    use_cells = any(u.valid_to is None for u in units) and rollups.usable()
    groups: dict[tuple[int, bool], list[OrgUnit]] = defaultdict(list)
    for unit in units:
        groups[(len(unit.path), unit.valid_to is None)].append(unit)
    for (_n, forward), group in groups.items():
        by_path = {u.path: u for u in group}
        todo = windows
        if forward and use_cells:
            # Per-period counts of current targets at the period levels: the ``d`` cells.
            served = rollups.distinct_plan(
                requests, level=max(u.level for u in group), by_option=by_option
            )
            cells = [w for w in windows if not w.span and set(w.metric_ids) <= served]
            todo = [w for w in windows if w not in cells]
            ranges = sorted({(w.start, w.end) for w in cells})
            for unit_id, metric_id, end, count, fwd in rollups.distinct_read(
                metric_ids=sorted(served), ranges=ranges, units=group
            ):
                series = result[(unit_id, metric_id, "")]
                if not isinstance(series, Series):
                    series = result[(unit_id, metric_id, "")] = _as_series(series)
                series[_as_date(end)] = Agg(float(count), 1.0, float(count), float(count), fwd > 0)
        for row in distinct_rows(
            windows=todo, target_paths=sorted(by_path), forward=forward, by_option=by_option
        ):
            target = by_path.get(row[0])
            if target is None:
                continue
            if by_option:
                _path, metric_id, end, span_start, option, count, pred = row
            else:
                _path, metric_id, end, span_start, count, pred = row
                option = ""
            series = result[(target.pk, metric_id, option)]
            if not isinstance(series, Series):
                series = result[(target.pk, metric_id, option)] = _as_series(series)
            agg = Agg(float(count), 1.0, float(count), float(count), bool(pred))
            if span_start is not None:
                series.spans[(_as_date(span_start), _as_date(end))] = agg
            else:
                series[_as_date(end)] = agg


def _as_series(values: dict[date, Agg]) -> Series:
    series = Series()
    series.update(values)
    return series


@analytics
def served_from_rollups(
    *, metrics: Sequence[Metric], units: Sequence[OrgUnit], periods: Sequence[Period]
) -> bool:
    """Return True when every figure of ``metrics`` for ``units`` over ``periods`` would be
    read from the pre-aggregated cells: one call for many targets then costs no more than
    a few calls for fewer, so callers need not split their targets."""
    if not units or any(u.valid_to is not None for u in units) or not rollups.usable():
        return False
    rolled = [m for m in metrics if m.aggregation != Aggregation.NONE]
    plan = rollups.plan([(rolled, list(periods))], level=max(u.level for u in units))
    return all(m.pk in plan for m in rolled)


@analytics
def yearly_columns(
    *, metrics: Sequence[Metric], units: Sequence[OrgUnit], years: Sequence[Period]
) -> dict[tuple[int, int], dict[int, float]] | None:
    """Return {(metric id, index of the year in ``years``): {unit id: value}} read straight
    from the yearly cells, or None when some figure is not served by them (the caller then
    uses ``aggregate``).

    The bulk path for many units and whole years (programme windows, yearly targets): the
    same numbers as ``aggregate`` + ``combine``, as one column per metric and year, without
    building a series per unit and metric. A unit without a value is absent from a column.
    """
    if not metrics or any(p.kind != PeriodKind.YEAR for p in years):
        return None
    if not served_from_rollups(metrics=metrics, units=units, periods=years):
        return None
    return rollups.read_years(metrics=metrics, ends=[p.end for p in years], units=units)


def _own_values(
    result: Grouped,
    metrics: Sequence[Metric],
    units: Sequence[OrgUnit],
    ranges: Sequence[tuple[date, date]],
    by_option: bool,
) -> None:
    """Add the target's own values of metrics that are not aggregated (``none``)."""
    from django.db.models import Q

    window = Q()
    for start, end in ranges:
        window |= Q(period_end__gte=start, period_end__lte=end)
    for unit_id, metric_id, option, end, value in DataValue.objects.filter(
        window, metric__in=metrics, orgunit__in=units
    ).values_list("orgunit_id", "metric_id", "option", "period_end", "value"):
        key = (unit_id, metric_id, option if by_option else "")
        prev = result[key].get(end)
        total = value + (prev.total if prev else 0.0)
        result[key][end] = Agg(total, 1.0, total, total, False)


def combine(
    metric: Metric, series: dict[date, Agg] | None, period: Period
) -> tuple[float | None, bool]:
    """Return (value, includes_predecessors) of ``metric`` in ``period`` from grouped rows."""
    if series is None or (not series and not getattr(series, "spans", None)):
        return None, False
    if metric.period_kind == period.kind:
        # Same kind as captured: exactly one stored period can end inside it (the hot path of
        # dashboards: months of monthly metrics).
        one = series.get(period.end)
        if one is None:
            return None, False
        how = metric.aggregation
        if how == Aggregation.AVERAGE:
            return (one.total / one.weight if one.weight else None), one.predecessors
        if how == Aggregation.MIN:
            return one.low, one.predecessors
        if how == Aggregation.MAX:
            return one.high, one.predecessors
        return one.total, one.predecessors  # sum, last, or the value itself
    if KIND_RANK[metric.period_kind] > KIND_RANK[period.kind]:
        return None, False
    if metric.aggregation == Aggregation.NONE and metric.period_kind != period.kind:
        return None, False
    if (
        metric.is_distinct
        and metric.aggregation == Aggregation.SUM
        and metric.period_kind != period.kind
    ):
        # Distinct things over several stored periods: counted once over the span.
        span = getattr(series, "spans", {}).get((period.start, period.end))
        return (span.total, span.predecessors) if span is not None else (None, False)
    start, end = period.start, period.end
    inside = [(e, agg) for e, agg in series.items() if start <= e <= end]
    if not inside:
        return None, False
    pred = any(a.predecessors for _e, a in inside)
    how = metric.aggregation
    if how in (Aggregation.SUM, Aggregation.NONE):
        return sum(a.total for _e, a in inside), pred
    if how == Aggregation.AVERAGE:
        weight = sum(a.weight for _e, a in inside)
        return (sum(a.total for _e, a in inside) / weight if weight else None), pred
    if how == Aggregation.MIN:
        return min(a.low for _e, a in inside), pred
    if how == Aggregation.MAX:
        return max(a.high for _e, a in inside), pred
    _end, agg = max(inside, key=lambda item: item[0])
    return agg.total, agg.predecessors

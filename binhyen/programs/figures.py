"""The figures a criteria set reads: each unit's metric values in a window and the one before.

Invariants:
- Every number comes from ``binhyen.indicators.engine`` (rollup over the unit's subtree,
  lineage forwarding across the 2025 reform, the metric's own aggregation): this module
  only asks it and reshapes the answer, once for all units and both windows.
- A metric without a value in a window is absent from that window's map (never 0), so a
  rule reading it evaluates to "không đủ dữ liệu".
- All targets go to the engine in one call when it answers from its pre-aggregated cells
  (yearly windows of summed or averaged metrics); otherwise in slices of at most ``SLICE``
  units of one province, so the engine seeks a province's subtree by index instead of
  scanning the country.
- The answer is a ``FigureTable``: one column per metric and window ({unit id: value}), as
  the engine's yearly cells give them and as the columnar evaluation reads them. A unit's
  ``UnitFigures`` (the ``cel`` fallback, a file's results) is assembled when asked for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from binhyen.indicators import engine
from binhyen.indicators.models import Metric
from binhyen.indicators.periods import Period
from binhyen.indicators.target_sources import target_sources
from binhyen.orgunits.models import OrgUnit

SLICE = 400


@dataclass
class UnitFigures:
    """One unit's values: ``current`` window and ``previous`` window, metric code → value."""

    current: dict[str, float] = field(default_factory=dict)
    previous: dict[str, float] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)
    targets: dict[str, float] = field(default_factory=dict)  # ``t``: the unit's targets


class FigureTable(Mapping[int, UnitFigures]):
    """Every unit's figures as columns: ``current`` and ``previous`` map a metric code to
    {unit id: value}; ``facts`` and ``targets`` are per unit. Reads as a mapping of unit id
    → ``UnitFigures``, each assembled on first access."""

    def __init__(self, facts: dict[int, dict[str, Any]]) -> None:
        self.unit_ids: list[int] = list(facts)
        self.facts = facts
        self.targets: dict[int, dict[str, float]] = {}
        self.current: dict[str, dict[int, float]] = {}
        self.previous: dict[str, dict[int, float]] = {}
        self._assembled: dict[int, UnitFigures] = {}

    def __getitem__(self, unit_id: int) -> UnitFigures:
        found = self._assembled.get(unit_id)
        if found is None:
            facts = self.facts[unit_id]  # KeyError for a unit not asked for
            found = self._assembled[unit_id] = UnitFigures(
                current={c: col[unit_id] for c, col in self.current.items() if unit_id in col},
                previous={c: col[unit_id] for c, col in self.previous.items() if unit_id in col},
                facts=facts,
                targets=self.targets.get(unit_id, {}),
            )
        return found

    def __iter__(self) -> Iterator[int]:
        return iter(self.unit_ids)

    def __len__(self) -> int:
        return len(self.unit_ids)


def facts_of(unit: OrgUnit) -> dict[str, Any]:
    """Return the unit facts a rule may read (absent when unknown)."""
    facts: dict[str, Any] = {"kind": unit.kind, "subkind": unit.subkind, "code": unit.code}
    if unit.population is not None:
        facts["population"] = float(unit.population)
    if unit.households is not None:
        facts["households"] = float(unit.households)
    if unit.area_km2 is not None:
        facts["area_km2"] = float(unit.area_km2)
    return facts


def metrics_for(codes: Collection[str]) -> list[Metric]:
    """Return the active metrics among ``codes`` (unknown or retired codes are skipped)."""
    if not codes:
        return []
    return list(Metric.objects.filter(code__in=list(codes), is_active=True))


def _slices(units: Sequence[OrgUnit]) -> list[list[OrgUnit]]:
    by_province: dict[str, list[OrgUnit]] = defaultdict(list)
    for unit in sorted(units, key=lambda u: u.path):
        by_province["/".join(unit.path.split("/")[:3])].append(unit)
    out: list[list[OrgUnit]] = []
    for group in by_province.values():
        out.extend(group[i : i + SLICE] for i in range(0, len(group), SLICE))
    return out


def fetch(
    *,
    units: Sequence[OrgUnit],
    period: Period,
    metric_codes: Collection[str],
    target_codes: Collection[str] = (),
) -> FigureTable:
    """Return each unit's figures for ``period`` and the period before (unit id → figures),
    with the targets of ``target_codes`` running at the period's end (``t``)."""
    out = FigureTable({unit.pk: facts_of(unit) for unit in units})
    if target_codes and units:
        wanted = set(target_codes)
        for unit_id, given in target_sources.values(units=units, on=period.end).items():
            if unit_id in out.facts:
                out.targets[unit_id] = {c: float(v) for c, v in given.items() if c in wanted}
    metrics = metrics_for(metric_codes)
    if not metrics or not units:
        return out
    previous = period.previous()
    yearly = engine.yearly_columns(metrics=metrics, units=units, years=[period, previous])
    if yearly is not None:
        # The engine's columns are the table's: no per-unit work.
        codes = {metric.pk: metric.code for metric in metrics}
        windows = (out.current, out.previous)
        for (metric_id, index), column in yearly.items():
            code = codes.get(metric_id)
            if code is not None:
                windows[index][code] = column
        return out
    whole = engine.served_from_rollups(metrics=metrics, units=units, periods=[period, previous])
    for chunk in [list(units)] if whole else _slices(units):
        grouped = engine.aggregate(metrics=metrics, units=chunk, periods=[period, previous])
        for unit in chunk:
            for metric in metrics:
                series = grouped.get((unit.pk, metric.pk, ""))
                if not series:
                    continue
                value, _pred = engine.combine(metric, series, period)
                if value is not None:
                    out.current.setdefault(metric.code, {})[unit.pk] = float(value)
                earlier, _pred = engine.combine(metric, series, previous)
                if earlier is not None:
                    out.previous.setdefault(metric.code, {})[unit.pk] = float(earlier)
    return out

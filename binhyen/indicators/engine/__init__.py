"""The one engine every number comes from: rollups, rates and period comparisons.

Input: metrics × target units × periods. Output: one ``Row`` per (metric, unit, period[,
option]) with the value rolled up over the unit's subtree, optionally per 1,000
inhabitants, and its change against the previous period and the same period last year,
with a flag telling whether a change in a count is within ordinary (Poisson) variation.

Invariants:
- **Where a value counts.** A value stays on the unit where it was captured. It counts toward
  a target when its unit lies in the target's subtree (``path`` prefix). A value on a *closed*
  unit that has lineage (itself or its nearest ancestor has successor edges) counts instead
  toward the current successors, never both: a merge gives everything to the successor; a
  split gives everything to the default successor unless shares are configured, then
  ``share / sum(shares)`` to each successor (chains of changes are followed). Such values set
  ``includes_predecessors``. Targets that are closed units are read as they were (no
  forwarding), so an old commune's own history stays available.
- **Villages across the reform.** A village or establishment sits once, under its current
  commune, and may keep the commune it belonged to before (``former_parent``). For current
  targets it counts by path like any unit, whatever the date. For a closed target (the old
  commune, its old district or province) its values count when their own period ends on or
  before the old commune's last day (``valid_to``); later values do not. Closed targets are
  never served by the pre-aggregated cells, so only the SQL carries this branch.
- **When a value counts.** A stored value belongs to a requested period when its own period
  *ends* inside it and the metric's capture period is not longer than the requested one
  (months roll into quarters and years; a statistical month 15/06–14/07 counts in July).
- **Time and hierarchy aggregation** follow ``Metric.aggregation``: sum; average of all
  contributing values (share-weighted); min; max; last = the sum over units at the latest
  period with data inside the requested period; none = only the target's own value for
  exactly that period.
- **One SQL GROUP BY per call**, on SQLite and PostgreSQL alike. Each unit maps to the key
  ``substr(path, 1, len(target path))`` — or, for a forwarded predecessor, to its
  successor's key with the edge weight — computed by CTEs over the map and the lineage
  (recursive, so chains of changes work), joined to the values and grouped by key, metric
  and period end. Nothing loops over value rows in Python; Python only combines the grouped
  rows into periods and comparisons. When every requested period of a sum, average, min or
  max metric is longer than its capture period and they do not overlap (a year against the
  year before), the SQL groups by the requested period instead (keyed by its end), so one
  row per period comes back and ``combine`` finds just that row inside it. Two shapes of
  the same query: a small subtree (a province, a commune: at most ``SMALL_SUBTREE`` units)
  starts from its units and seeks each unit's values by index (SQLite: ``CROSS JOIN`` order;
  PostgreSQL: ``LATERAL``); a national question scans the requested values once and hashes
  the units, as a hand-written GROUP BY would (on PostgreSQL keyed by the target's position,
  computed once per unit). On PostgreSQL the statement runs with ``jit`` and merge joins off
  and a larger ``work_mem`` (``SET LOCAL``, this transaction only). Values exist only at a
  metric's capture kinds (services enforce it), so units are searched only for those
  metrics.
- **Scope** is checked by the caller (``selectors``): every target must be visible to the
  user. A visible target's figures include its subtree and its predecessors, which the access
  model makes visible too.
- **No cache**: every call reads committed values, so an edit is reflected at once.
- **Replica reads.** The entry functions (``run``, ``aggregate``, ``unit_values``,
  ``yearly_columns``, ``populations``, ``served_from_rollups``) are analytics reads: with a
  replica configured they read it, except in a request that has written or inside a
  transaction on the primary (``binhyen/core/db_router.py``), where they read the primary.
  Raw SQL takes its connection from ``read_connection()``, never ``django.db.connection``.
  On the replica "at once" means after the replication delay (normally well under a second).

The package: ``sql`` builds and runs the one GROUP BY, ``grouped`` turns its rows (or the
pre-aggregated cells) into figures and combines them into periods, ``population`` gives the
denominators of rates, ``statistics`` the test of ordinary variation; ``run`` (here) answers
the question. Everything callers use is importable from ``binhyen.indicators.engine``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from binhyen.core.db_router import analytics
from binhyen.indicators.engine.grouped import (
    Agg,
    Grouped,
    aggregate,
    combine,
    served_from_rollups,
    yearly_columns,
)
from binhyen.indicators.engine.population import (
    POPULATION_METRIC,
    population_request,
    populations,
)
from binhyen.indicators.engine.sql import SMALL_SUBTREE, _folds
from binhyen.indicators.engine.statistics import poisson_change_p_value
from binhyen.indicators.models import Aggregation, Metric, ValueType
from binhyen.indicators.periods import Period
from binhyen.orgunits.models import OrgUnit

__all__ = [
    "POPULATION_METRIC",
    "SMALL_SUBTREE",
    "Agg",
    "Grouped",
    "Row",
    "_folds",
    "aggregate",
    "combine",
    "poisson_change_p_value",
    "population_request",
    "populations",
    "run",
    "served_from_rollups",
    "unit_values",
    "yearly_columns",
]

ORDINARY_P = 0.05


@dataclass(slots=True)
class Row:
    metric: str
    unit: str
    unit_name: str
    period: str
    option: str
    value: float | None
    includes_predecessors: bool = False
    population: float | None = None
    value_per_1000: float | None = None
    previous: float | None = None
    change_abs: float | None = None
    change_pct: float | None = None
    within_ordinary_variation: bool | None = None
    p_value: float | None = None
    last_year: float | None = None
    yoy_abs: float | None = None
    yoy_pct: float | None = None
    yoy_within_ordinary_variation: bool | None = None
    yoy_p_value: float | None = None
    previous_period: str = ""
    last_year_period: str = ""
    # A rate was asked for and applies, but the unit has no population ("chưa có dân số").
    no_population: bool = False


def _pct(new: float | None, old: float | None) -> float | None:
    if new is None or old is None or old == 0:
        return None
    return round((new - old) / abs(old) * 100.0, 2)


def _variation(
    new: float, old: float, new_days: float, old_days: float
) -> tuple[bool | None, float | None]:
    """Whether a count's change is within ordinary variation (Poisson), and the p-value;
    (None, None) for negative figures. The caller has checked the metric counts things."""
    if new < 0 or old < 0:
        return None, None
    p = poisson_change_p_value(new, old, new_days, old_days)
    return p > ORDINARY_P, round(p, 4)


def _rate_applies(metric: Metric) -> bool:
    return metric.aggregation in (Aggregation.SUM, Aggregation.LAST) and metric.value_type in (
        ValueType.INTEGER,
        ValueType.DECIMAL,
    )


@analytics
def run(
    *,
    metrics: Sequence[Metric],
    units: Sequence[OrgUnit],
    periods: Sequence[Period],
    per_1000: bool = False,
    compare: bool = True,
    disaggregate: bool = False,
) -> list[Row]:
    """Compute the rows for metrics × units × periods (see the module docstring)."""
    needed: set[Period] = set(periods)
    if compare:
        for p in periods:
            needed.add(p.previous())
            needed.add(p.same_period_last_year())
    pop_metric, pop_years = population_request(periods) if per_1000 else (None, [])
    also = [([pop_metric], pop_years)] if pop_metric is not None else []
    grouped = aggregate(
        metrics=metrics, units=units, periods=needed, by_option=disaggregate, also=also
    )
    pops = populations(units, periods, grouped=grouped, metric=pop_metric) if per_1000 else {}
    option_order: dict[int, list[str]] = {}
    if disaggregate:
        for m in metrics:
            if m.disaggregation is not None:
                option_order[m.pk] = [o.code for o in m.disaggregation.options.all()]
    pairs = {p: (p.previous(), p.same_period_last_year()) for p in periods}
    # Each distinct period is combined once per series; rows refer to it by position.
    distinct = list(dict.fromkeys(q for p in periods for q in (p, *(pairs[p] if compare else ()))))
    position = {p: i for i, p in enumerate(distinct)}
    # Per requested period: its code and days, its comparison periods' codes and days, and
    # the positions of the three in ``distinct`` (read once here, not once per row).
    slots = [
        (
            p.code,
            p.days,
            pairs[p][0].code,
            pairs[p][0].days,
            pairs[p][1].code,
            pairs[p][1].days,
            position[p],
            position.get(pairs[p][0], 0),
            position.get(pairs[p][1], 0),
        )
        for p in periods
    ]
    nothing = [(None, False)] * len(distinct)  # a unit without any value of the metric
    rows: list[Row] = []
    for metric in metrics:
        metric_pk, metric_code = metric.pk, metric.code
        counts = metric.is_count
        options = option_order.get(metric_pk, [""]) if disaggregate else [""]
        rated = per_1000 and _rate_applies(metric)
        for unit in units:
            unit_pk, unit_code, unit_name = unit.pk, unit.code, unit.name
            for option in options:
                series = grouped.get((unit_pk, metric_pk, option))
                combined = (
                    nothing if series is None else [combine(metric, series, p) for p in distinct]
                )
                for code, days, prev_code, prev_days, ly_code, ly_days, at, at_p, at_l in slots:
                    value, pred = combined[at]
                    row = Row(metric_code, unit_code, unit_name, code, option, value, pred)
                    if rated:
                        pop = pops.get((unit_pk, code))
                        row.population = pop
                        row.no_population = not pop
                        if pop and value is not None:
                            row.value_per_1000 = round(value / pop * 1000.0, 4)
                    if compare:
                        prev, prev_pred = combined[at_p]
                        last, last_pred = combined[at_l]
                        row.previous_period, row.last_year_period = prev_code, ly_code
                        row.previous, row.last_year = prev, last
                        if value is not None:
                            if prev is not None:
                                row.change_abs, row.change_pct = value - prev, _pct(value, prev)
                                if counts:
                                    row.within_ordinary_variation, row.p_value = _variation(
                                        value, prev, days, prev_days
                                    )
                            if last is not None:
                                row.yoy_abs, row.yoy_pct = value - last, _pct(value, last)
                                if counts:
                                    row.yoy_within_ordinary_variation, row.yoy_p_value = _variation(
                                        value, last, days, ly_days
                                    )
                        row.includes_predecessors = pred or prev_pred or last_pred
                    rows.append(row)
    return rows


@analytics
def unit_values(
    *, unit: OrgUnit, period: Period, metrics: Sequence[Metric]
) -> dict[int, float | None]:
    """Return each metric's rolled-up total for one unit and period (metric id → value)."""
    grouped = aggregate(metrics=metrics, units=[unit], periods=[period])
    return {m.pk: combine(m, grouped.get((unit.pk, m.pk, "")), period)[0] for m in metrics}

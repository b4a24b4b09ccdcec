"""Pre-aggregated figures (rollups): what national, provincial and yearly questions read.

A rollup cell holds, for one *current* unit, one metric, one time bucket and one
disaggregation option, the sum of every stored value that counts toward that unit by the
engine's rules (its subtree by path, and predecessors forwarded through the lineage with
their weights): ``total`` = Σ weight·value, ``weight`` = Σ weight, ``value_count`` = how many
values, ``forwarded`` = how many came through the lineage.

Two grains:
- ``p`` (the value's own period end) for units at levels up to
  ``INDICATORS_ROLLUP_PERIOD_LEVELS`` (the country and the provinces by default): any
  question about those units, for any periods, reads a few hundred cells instead of
  scanning every commune's values;
- ``y`` (the calendar year the value's period ends in) for current units at every level:
  yearly questions (programme windows, yearly reports) about any unit.

Invariants:
- **Same answer as the raw query.** ``contributions`` applies the engine's rules (see
  ``engine``'s docstring: nearest ancestor-or-self with lineage, default successor or shares,
  chains up to ``MAX_CHAIN``); the tests compare both paths on the same data.
- **Never stale.** Cells change in the same transaction as the values (``apply``, called by
  every value write). They depend on the map's structure, so ``RollupState`` records the
  structure version they were built for; when the map changes (``map_structure_changed``)
  they are rebuilt, and until then the engine does not read them (``usable``).
- Sums and averages are served from cells (both are additive), and "last value" metrics
  where a cell holds exactly one stored period (``p`` cells; ``y`` cells of yearly
  metrics); min, max and non-aggregated metrics always read the values.
- Cells exist for current units only; a closed target (an old commune, district or province)
  always reads the values through SQL (``engine.grouped.aggregate`` plans cells for current
  targets only). So a village's ``former_parent`` never changes a cell: the village counts
  for its current commune by path, and for the old commune only in the SQL read of closed
  targets.
- **Distinct metrics** have their own cells (grain ``d``): per current unit at the period
  levels, metric and stored period end, ``total`` = the number of distinct items counting
  toward the unit, computed by the engine's own distinct statement (so cells = SQL by
  construction). Counts do not add up, so a sync recomputes the cells of the (metric,
  period) it changed, whole (``distinct_refresh``), and a request is served from them only
  for periods made of whole stored periods (per-period counts, "last"), never for a count
  of distinct items over a longer period (the SQL path) nor by option.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from django.conf import settings
from django.db import connection, transaction
from django.dispatch import receiver
from django.utils import timezone

from binhyen.core.db_router import read_connection
from binhyen.indicators.models import Aggregation, DataValue, Metric, Rollup, RollupState
from binhyen.indicators.models import RollupGrain as Grain
from binhyen.indicators.periods import KIND_RANK, Period, PeriodKind
from binhyen.orgunits.models import Lineage, OrgUnit, StructureVersion
from binhyen.orgunits.structure import current_version, map_structure_changed

SERVED = (Aggregation.SUM, Aggregation.AVERAGE)

# How many lineage edges a predecessor's values are followed through (here and in the engine).
MAX_CHAIN = 6


class Target(NamedTuple):
    """Where a unit's values count: a target unit, its level, the weight, forwarded or not."""

    unit_id: int
    level: int
    weight: float
    forwarded: bool


def period_levels() -> int:
    """Return the deepest level that keeps cells per stored period (0 = the country)."""
    return int(getattr(settings, "INDICATORS_ROLLUP_PERIOD_LEVELS", 1))


def enabled() -> bool:
    return bool(getattr(settings, "INDICATORS_ROLLUPS", True))


def year_end(day: date) -> date:
    return date(day.year, 12, 31)


# --- where a unit's values count --------------------------------------------------------


@dataclass(slots=True, frozen=True)
class _Unit:
    id: int
    code: str
    path: str
    level: int
    current: bool


def _units(**lookup: Any) -> dict[int, _Unit]:
    rows = OrgUnit.objects.filter(**lookup).values_list("id", "code", "path", "level", "valid_to")
    return {r[0]: _Unit(r[0], r[1], r[2], r[3], r[4] is None) for r in rows}


def _codes(unit: _Unit) -> list[str]:
    return [c for c in unit.path.strip("/").split("/") if c]


class _Map:
    """The part of the map the contributions of some units need (loaded on demand)."""

    def __init__(self, units: dict[int, _Unit] | None = None) -> None:
        self.by_id: dict[int, _Unit] = dict(units or {})
        self.by_code: dict[str, _Unit] = {u.code: u for u in self.by_id.values()}
        self.edges: dict[int, list[tuple[int, float]]] | None = None

    def load_codes(self, codes: Iterable[str]) -> None:
        missing = {c for c in codes if c not in self.by_code}
        if missing:
            for u in _units(code__in=missing).values():
                self.by_id[u.id] = u
                self.by_code[u.code] = u

    def load_ids(self, ids: Iterable[int]) -> None:
        missing = {i for i in ids if i not in self.by_id}
        if missing:
            for u in _units(pk__in=missing).values():
                self.by_id[u.id] = u
                self.by_code[u.code] = u

    def load_edges(self, start: Iterable[int] | None) -> None:
        """Load the weighted edges reachable from ``start`` (all edges when None)."""
        rows: list[tuple[int, int, Any, bool]] = []
        if start is None:
            rows = list(
                Lineage.objects.values_list("predecessor_id", "successor_id", "share", "is_default")
            )
        else:
            seen: set[int] = set()
            frontier = set(start)
            for _depth in range(MAX_CHAIN + 1):
                frontier -= seen
                if not frontier:
                    break
                seen |= frontier
                batch = list(
                    Lineage.objects.filter(predecessor_id__in=frontier).values_list(
                        "predecessor_id", "successor_id", "share", "is_default"
                    )
                )
                rows.extend(batch)
                frontier = {r[1] for r in batch}
        by_pid: dict[int, list[tuple[int, Any, bool]]] = defaultdict(list)
        for pid, sid, share, is_default in rows:
            by_pid[pid].append((sid, share, is_default))
        self.edges = {pid: _weights(out) for pid, out in by_pid.items()}
        self.load_ids({sid for out in self.edges.values() for sid, _w in out})

    def chain(self, unit: _Unit) -> list[_Unit]:
        """Return the unit's ancestors-or-self from the root down (by its path)."""
        return [self.by_code[c] for c in _codes(unit) if c in self.by_code]

    def current_chain(self, unit: _Unit, weight: float, forwarded: bool) -> list[Target]:
        return [Target(u.id, u.level, weight, forwarded) for u in self.chain(unit) if u.current]


def _weights(out: list[tuple[int, Any, bool]]) -> list[tuple[int, float]]:
    """Return each edge's weight: normalised shares, else the default successor, else the
    lowest successor id (the engine's ``edge`` CTE)."""
    ssum = sum(float(share) for _sid, share, _d in out if share is not None)
    has_default = any(d for _sid, _share, d in out)
    min_sid = min(sid for sid, _share, _d in out)
    weights = []
    for sid, share, is_default in out:
        if ssum > 0:
            w = float(share or 0) / ssum
        elif is_default or (not has_default and sid == min_sid):
            w = 1.0
        else:
            w = 0.0
        weights.append((sid, w))
    return weights


def contributions(unit_ids: Iterable[int], *, whole_map: bool = False) -> dict[int, list[Target]]:
    """Return, per unit, the current units its values count toward, with weights.

    An open unit, or a closed one with no lineage on itself or its three nearest
    ancestors, counts toward its open ancestors-or-self with weight 1; a closed unit with
    lineage counts instead toward the open successors (and their open ancestors) its
    nearest lineage leads to, chains followed, weights multiplied.
    """
    ids = set(unit_ids)
    m = _Map(_units() if whole_map else _units(pk__in=ids))
    if not whole_map:
        m.load_codes(
            {c for i in ids if i in m.by_id for c in m.by_id[i].path.strip("/").split("/")}
        )
    closed = [m.by_id[i] for i in ids if i in m.by_id and not m.by_id[i].current]
    anchors: dict[int, int] = {}
    if closed:
        # The nearest ancestor-or-self (up to three levels up) that has successor edges.
        nearest: dict[int, list[int]] = {
            u.id: [a.id for a in reversed(m.chain(u)[-4:])] for u in closed
        }
        candidates = {i for ids_up in nearest.values() for i in ids_up}
        with_edges = set(
            Lineage.objects.filter(predecessor_id__in=candidates)
            .values_list("predecessor_id", flat=True)
            .distinct()
        )
        for uid, ids_up in nearest.items():
            found = next((i for i in ids_up if i in with_edges), None)
            if found is not None:
                anchors[uid] = found
        if anchors:
            m.load_edges(None if whole_map else set(anchors.values()))
            m.load_codes({c for u in list(m.by_id.values()) for c in _codes(u)})
    out: dict[int, list[Target]] = {}
    memo: dict[int, list[Target]] = {}
    for uid in ids:
        unit = m.by_id.get(uid)
        if unit is None:
            continue
        anchor = anchors.get(uid)
        if anchor is None:
            out[uid] = m.current_chain(unit, 1.0, False)
            continue
        if anchor not in memo:
            memo[anchor] = _forward(m, anchor)
        out[uid] = memo[anchor]
    return out


def _forward(m: _Map, anchor: int) -> list[Target]:
    """Return the open units (and their open ancestors) ``anchor``'s edges lead to."""
    found: dict[tuple[int, int], float] = defaultdict(float)
    edges = m.edges or {}

    def walk(pid: int, acc: float, depth: int) -> None:
        for sid, w in edges.get(pid, ()):
            if w <= 0:
                continue
            succ = m.by_id.get(sid)
            if succ is None:
                continue
            if succ.current:
                for tid, level, _w, _f in m.current_chain(succ, 1.0, True):
                    found[(tid, level)] += acc * w
            if depth < MAX_CHAIN:
                walk(sid, acc * w, depth + 1)

    walk(anchor, 1.0, 1)
    return [Target(tid, level, w, True) for (tid, level), w in found.items()]


# --- state ---------------------------------------------------------------------------------


def usable() -> bool:
    """Return True when the cells match the map's structure (and rollups are on)."""
    if not enabled():
        return False
    # One round trip for both counters (a missing row reads as 0), on every engine call,
    # on the connection the engine reads (the replica's cells must match the replica's map).
    with read_connection().cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT structure_version FROM {RollupState._meta.db_table} WHERE id = 1),"  # noqa: S608
            f" (SELECT version FROM {StructureVersion._meta.db_table} WHERE id = 1)"
        )
        built, current = cursor.fetchone()
    return int(built or 0) == int(current or 0)


def _state_save(seconds: float) -> None:
    RollupState.objects.update_or_create(
        pk=1,
        defaults={
            "structure_version": current_version(),
            "built_at": timezone.now(),
            "seconds": round(seconds, 3),
        },
    )


# --- writes --------------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class Change:
    """A change of one stored value: ``delta`` to its value, ``rows`` +1 new, -1 removed."""

    metric_id: int
    unit_id: int
    period_end: date
    option: str
    delta: float
    rows: int


class Cell(NamedTuple):
    """The key of one rollup cell."""

    grain: str
    level: int
    metric_id: int
    period_end: date
    unit_id: int
    option: str


def apply(changes: Sequence[Change]) -> int:
    """Add ``changes`` to the cells (in the caller's transaction); return cells touched.

    Does nothing while the cells are out of date with the map: the next rebuild counts
    these values anyway.
    """
    changes = [c for c in changes if c.delta or c.rows]
    if not changes or not usable():
        return 0
    targets = contributions({c.unit_id for c in changes})
    deepest = period_levels()
    cells: dict[Cell, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0, 0.0])
    for c in changes:
        for tid, level, w, fwd in targets.get(c.unit_id, ()):
            grains = [(Grain.YEAR.value, year_end(c.period_end))]
            if level <= deepest:
                grains.append((Grain.PERIOD.value, c.period_end))
            for grain, end in grains:
                cell = cells[Cell(grain, level, c.metric_id, end, tid, c.option)]
                cell[0] += w * c.delta
                cell[1] += w * c.rows
                cell[2] += c.rows
                cell[3] += c.rows if fwd else 0
    _upsert(cells)
    return len(cells)


def _upsert(cells: dict[Cell, list[float]]) -> None:
    table = Rollup._meta.db_table
    sql = f"""
INSERT INTO {table} (grain, level, metric_id, period_end, unit_id, option,
                     total, weight, value_count, forwarded)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
ON CONFLICT (grain, level, metric_id, period_end, unit_id, option) DO UPDATE SET
  total = {table}.total + excluded.total,
  weight = {table}.weight + excluded.weight,
  value_count = {table}.value_count + excluded.value_count,
  forwarded = {table}.forwarded + excluded.forwarded"""  # noqa: S608
    # A fixed order, so concurrent writers lock shared cells (the country's) alike.
    keys = sorted(cells)
    iso = connection.vendor != "postgresql"  # SQLite stores dates as ISO text

    def key(k: Cell) -> tuple[Any, ...]:
        end = k.period_end.isoformat() if iso else k.period_end
        return (k.grain, k.level, k.metric_id, end, k.unit_id, k.option)

    params = [(*key(k), cells[k][0], cells[k][1], int(cells[k][2]), int(cells[k][3])) for k in keys]
    shrunk = [key(k) for k in keys if cells[k][2] < 0]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
        if shrunk:
            cursor.executemany(
                f"DELETE FROM {table} WHERE grain = %s AND level = %s AND metric_id = %s"  # noqa: S608
                " AND period_end = %s AND unit_id = %s AND option = %s AND value_count <= 0",
                shrunk,
            )


class ValueMove(NamedTuple):
    """One stored value going from ``old`` to ``new`` (None: absent before or after)."""

    metric_id: int
    unit_id: int
    period_end: date
    option: str
    old: float | None
    new: float | None


def value_changes(rows: Iterable[ValueMove]) -> list[Change]:
    """Return the changes of the moves of stored values."""
    out = []
    for metric_id, unit_id, end, option, old, new in rows:
        if old is None and new is None:
            continue
        rows_delta = (new is not None) - (old is not None)
        out.append(
            Change(metric_id, unit_id, end, option or "", (new or 0.0) - (old or 0.0), rows_delta)
        )
    return out


# --- rebuild -------------------------------------------------------------------------------


@transaction.atomic
def rebuild() -> dict[str, Any]:
    """Recompute every cell from the stored values and the current map."""
    t0 = time.perf_counter()
    table = Rollup._meta.db_table
    dv = DataValue._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        cursor.execute(f"SELECT DISTINCT orgunit_id FROM {dv}")  # noqa: S608
        unit_ids = [r[0] for r in cursor.fetchall()]
    targets = contributions(unit_ids, whole_map=len(unit_ids) > 2000)
    mapping = [
        (uid, tid, level, w, 1 if fwd else 0)
        for uid, ts in targets.items()
        for tid, level, w, fwd in ts
    ]
    pg = connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS rollup_map")
        cursor.execute(
            "CREATE TEMP TABLE rollup_map (unit_id BIGINT, target_id BIGINT,"
            " level INTEGER, w DOUBLE PRECISION, fwd INTEGER)" + (" ON COMMIT DROP" if pg else "")
        )
        try:
            if pg:
                with cursor.cursor.copy(
                    "COPY rollup_map (unit_id, target_id, level, w, fwd) FROM STDIN"
                ) as copy:
                    for row in mapping:
                        copy.write_row(row)
                cursor.execute("ANALYZE rollup_map")
            else:
                cursor.executemany("INSERT INTO rollup_map VALUES (%s, %s, %s, %s, %s)", mapping)
                cursor.execute("CREATE INDEX rollup_map_unit ON rollup_map (unit_id)")
            year = (
                "MAKE_DATE(CAST(EXTRACT(YEAR FROM dv.period_end) AS INTEGER), 12, 31)"
                if pg
                else "strftime('%%Y', dv.period_end) || '-12-31'"
            )
            for grain, end, where in (
                (Grain.PERIOD.value, "dv.period_end", "WHERE m.level <= %s"),
                (Grain.YEAR.value, year, ""),
            ):
                cursor.execute(
                    f"""
INSERT INTO {table} (grain, level, metric_id, period_end, unit_id, option,
                     total, weight, value_count, forwarded)
SELECT %s, m.level, dv.metric_id, {end}, m.target_id, dv.option,
       SUM(dv.value * m.w), SUM(m.w), COUNT(*), SUM(m.fwd)
FROM {dv} dv JOIN rollup_map m ON m.unit_id = dv.orgunit_id
{where}
GROUP BY m.level, dv.metric_id, {end}, m.target_id, dv.option
ORDER BY m.level, dv.metric_id, {end}, m.target_id""",  # noqa: S608
                    [grain, period_levels()] if where else [grain],
                )
            distinct_ids = list(
                Metric.objects.filter(counting="distinct").values_list("pk", flat=True)
            )
            _distinct_cells(distinct_ids, None)
            if pg:
                cursor.execute(f"ANALYZE {table}")  # the planner must know the new sizes
            cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
            cells = int(cursor.fetchone()[0])
        finally:
            if not pg:  # PostgreSQL rolls the table back with a failed transaction
                cursor.execute("DROP TABLE IF EXISTS rollup_map")
        if pg:
            cursor.execute("DROP TABLE rollup_map")
    seconds = time.perf_counter() - t0
    _state_save(seconds)
    return {"cells": cells, "units": len(unit_ids), "seconds": round(seconds, 2)}


# The engine's distinct count (``engine.distinct.cell_rows``), registered when the engine
# loads (the engine reads the cells, so this module cannot import it): (windows of
# (metric ids, start, end, span), target paths) → (path, metric, end, span start, count,
# forwarded) rows, with the lineage followed.
distinct_counter: Callable[..., list[tuple[Any, ...]]] | None = None


def _distinct_targets() -> list[OrgUnit]:
    return list(
        OrgUnit.objects.filter(valid_to__isnull=True, level__lte=period_levels()).only(
            "id", "path", "level", "valid_to"
        )
    )


def _distinct_cells(metric_ids: Sequence[int], ends: Sequence[date] | None) -> int:
    """Recompute the distinct cells of ``metric_ids`` (at ``ends``, or all); return how many."""
    from binhyen.indicators.models import DataItem

    if distinct_counter is None:
        raise RuntimeError("the engine has not registered its distinct count")

    if not metric_ids:
        return 0
    items = DataItem.objects.filter(metric_id__in=metric_ids)
    if ends is not None:
        items = items.filter(period_end__in=ends)
    found = sorted(set(items.values_list("period_end", flat=True)))
    table = Rollup._meta.db_table
    with connection.cursor() as cursor:
        ids_sql = ", ".join(str(int(i)) for i in metric_ids)
        sql = f"DELETE FROM {table} WHERE grain = %s AND metric_id IN ({ids_sql})"  # noqa: S608
        params: list[Any] = [Grain.DISTINCT.value]
        if ends is not None:
            sql += f" AND period_end IN ({', '.join(['%s'] * len(ends))})"
            params.extend(_db_dates(ends))
        cursor.execute(sql, params)
    if not found:
        return 0
    windows = [(tuple(metric_ids), a, b, False) for a, b in _runs(found)]
    by_len: dict[int, list[OrgUnit]] = defaultdict(list)
    for unit in _distinct_targets():
        by_len[len(unit.path)].append(unit)
    rows: list[tuple[Any, ...]] = []
    iso = connection.vendor != "postgresql"
    for group in by_len.values():
        by_path = {u.path: u for u in group}
        counted = distinct_counter(windows, sorted(by_path), item_units=ends is not None)
        for path, metric_id, end, _span, count, pred in counted:
            unit = by_path[path]
            day = end if isinstance(end, date) else date.fromisoformat(str(end)[:10])
            rows.append(
                (
                    Grain.DISTINCT.value,
                    unit.level,
                    metric_id,
                    day.isoformat() if iso else day,
                    unit.pk,
                    "",
                    float(count),
                    1.0,
                    1,
                    1 if pred else 0,
                )
            )
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} (grain, level, metric_id, period_end, unit_id, option,"  # noqa: S608
                " total, weight, value_count, forwarded)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
    return len(rows)


def _db_dates(days: Sequence[date]) -> list[Any]:
    """Dates as the database compares them (SQLite stores ISO text)."""
    return list(days) if connection.vendor == "postgresql" else [d.isoformat() for d in days]


def _runs(ends: Sequence[date]) -> list[tuple[date, date]]:
    """Return windows covering ``ends`` (one per year, so a window stays selective)."""
    by_year: dict[int, list[date]] = defaultdict(list)
    for end in ends:
        by_year[end.year].append(end)
    return [(min(v), max(v)) for _y, v in sorted(by_year.items())]


def distinct_refresh(metric: Metric, period_end: date) -> None:
    """Recompute the distinct cells of ``metric`` at ``period_end`` (in the caller's
    transaction), after its items changed; nothing while the cells are out of date."""
    if metric.is_distinct and usable():
        _distinct_cells([metric.pk], [period_end])


@receiver(map_structure_changed)
def _rebuild_on_map_change(sender: Any, **kwargs: Any) -> None:
    if enabled():
        rebuild()


# --- reads ---------------------------------------------------------------------------------


def plan(
    requests: Sequence[tuple[Sequence[Metric], Sequence[Period]]], *, level: int
) -> dict[int, str]:
    """Return the metrics (id → grain) whose figures for current targets at ``level`` can
    be read from cells; the caller has checked ``usable()``.

    A metric is served when it sums or averages and either every period asked of it is a
    calendar year (``y`` cells at any level) or the targets are at most at the period
    levels (``p`` cells, any periods). A "last value" metric is served from ``p`` cells
    (one cell per stored period end, the engine's own grouping), and from ``y`` cells only
    when it is captured per year (one stored period per calendar year: the population of
    per-1,000 rates). One grain per metric, so no value counts twice.
    """
    periods: dict[int, list[Period]] = defaultdict(list)
    metrics: dict[int, Metric] = {}
    for ms, ps in requests:
        for metric in ms:
            metrics[metric.pk] = metric
            periods[metric.pk].extend(ps)
    out: dict[int, str] = {}
    for pk, metric in metrics.items():
        last = metric.aggregation == Aggregation.LAST
        if (metric.aggregation not in SERVED and not last) or metric.is_distinct:
            continue
        ps = periods[pk]
        if (
            ps
            and all(p.kind == PeriodKind.YEAR for p in ps)
            and (KIND_RANK[metric.period_kind] <= KIND_RANK[PeriodKind.YEAR])
            and (not last or metric.period_kind == PeriodKind.YEAR)
        ):
            out[pk] = Grain.YEAR.value
        elif level <= period_levels():
            out[pk] = Grain.PERIOD.value
    return out


def distinct_plan(
    requests: Sequence[tuple[Sequence[Metric], Sequence[Period]]],
    *,
    level: int,
    by_option: bool,
) -> set[int]:
    """Return the distinct metrics whose per-period counts for current targets at ``level``
    can be read from the ``d`` cells (the caller has checked ``usable()``)."""
    if by_option or level > period_levels():
        return set()
    return {m.pk for ms, _ps in requests for m in ms if m.is_distinct}


def distinct_read(
    *, metric_ids: Sequence[int], ranges: Sequence[tuple[date, date]], units: Sequence[OrgUnit]
) -> list[tuple[Any, ...]]:
    """Return (unit id, metric id, end, count, forwarded) of the ``d`` cells."""
    if not metric_ids or not ranges or not units:
        return []
    table = Rollup._meta.db_table
    unit_ids = [u.pk for u in units]
    when = " OR ".join(["period_end BETWEEN %s AND %s"] * len(ranges))
    sql = (
        f"SELECT unit_id, metric_id, period_end, total, forwarded FROM {table}"  # noqa: S608
        f" WHERE grain = %s AND level IN ({', '.join(['%s'] * len({u.level for u in units}))})"
        f" AND metric_id IN ({', '.join(['%s'] * len(metric_ids))}) AND ({when})"
        f" AND unit_id IN ({', '.join(['%s'] * len(unit_ids))})"
    )
    params: list[Any] = [Grain.DISTINCT.value, *sorted({u.level for u in units}), *metric_ids]
    for start, end in ranges:
        params.extend(_db_dates([start, end]))
    params.extend(unit_ids)
    with read_connection().cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


# Above this many units, ``read`` filters the cells of their levels in Python.
UNIT_LIST_MAX = 500


def read(
    *,
    served: dict[int, str],
    requests: Sequence[tuple[Sequence[Metric], Sequence[Period]]],
    units: Sequence[OrgUnit],
    by_option: bool,
) -> list[tuple[Any, ...]]:
    """Return the cells of the served metrics for current ``units``, summed over options
    unless ``by_option``: (unit id, metric id, end[, option], total, weight, forwarded)."""
    if not served or not units:
        return []
    table = Rollup._meta.db_table
    spans: dict[tuple[str, int], set[tuple[date, date]]] = defaultdict(set)
    for ms, ps in requests:
        for metric in ms:
            grain = served.get(metric.pk)
            if grain is None:
                continue
            for p in ps:
                spans[(grain, metric.pk)].add(
                    (p.end, p.end) if grain == Grain.YEAR.value else (p.start, p.end)
                )
    by_grain: dict[tuple[str, tuple[tuple[date, date], ...]], list[int]] = defaultdict(list)
    for (grain, pk), spans_of in spans.items():
        by_grain[(grain, tuple(sorted(spans_of)))].append(pk)
    option_col = ", option" if by_option else ""
    pg = connection.vendor == "postgresql"
    levels = sorted({u.level for u in units})
    units_sql, unit_params, keep = _unit_condition(units)
    parts: list[str] = []
    params: list[Any] = []
    for (grain, ranges), ids in by_grain.items():
        if grain == Grain.YEAR.value:  # a list of ends: an index condition on every column
            when = f"period_end IN ({', '.join(['%s'] * len(ranges))})"
            spans_params = [end for _start, end in ranges]
        else:
            when = " OR ".join(["period_end BETWEEN %s AND %s"] * len(ranges))
            spans_params = [d for span in ranges for d in span]
        parts.append(
            f"(grain = %s AND level IN ({', '.join(['%s'] * len(levels))})"
            f" AND metric_id IN ({', '.join(['%s'] * len(ids))}) AND ({when}))"
        )
        params.extend([grain, *levels, *ids, *spans_params])
    # SQLite: the end as stored text, not converted to a date object row by row.
    end = "period_end" if pg else "period_end || ''"
    one_per_cell = by_option or not any(
        m.disaggregation_id for ms, _ps in requests for m in ms if m.pk in served
    )
    if one_per_cell:
        # One cell per row already (per option, or metrics without options).
        select = f"{end}{option_col}, total, weight, forwarded"
        group = ""
    else:
        select = f"{end}, SUM(total), SUM(weight), MAX(forwarded)"
        group = "GROUP BY unit_id, metric_id, period_end"
    sql = f"""
SELECT unit_id, metric_id, {select}
FROM {table}
WHERE ({" OR ".join(parts)}) AND {units_sql}
{group}"""  # noqa: S608
    with read_connection().cursor() as cursor:
        cursor.execute(sql, [*params, *unit_params])
        rows = cursor.fetchall()
    if keep is None:
        return list(rows)
    return [row for row in rows if row[0] in keep]


def _unit_condition(units: Sequence[OrgUnit]) -> tuple[str, list[Any], set[int] | None]:
    """Return the SQL condition on ``unit_id`` for ``units``, its parameters, and the ids to
    keep from the rows (None: the condition keeps exactly them).

    Many units (a national table of communes): the levels' cells are read whole and the
    asked units kept by the caller; an index search per unit costs more than the rows not
    asked."""
    unit_ids = [u.pk for u in units]
    if len(unit_ids) > UNIT_LIST_MAX:
        return "1 = 1", [], set(unit_ids)
    if connection.vendor == "postgresql":
        return "unit_id = ANY(CAST(%s AS BIGINT[]))", [unit_ids], None
    return f"unit_id IN ({', '.join(['%s'] * len(unit_ids))})", list(unit_ids), None


def read_years(
    *, metrics: Sequence[Metric], ends: Sequence[date], units: Sequence[OrgUnit]
) -> dict[tuple[int, int], dict[int, float]]:
    """Return the yearly cells of ``metrics`` for current ``units`` as columns:
    (metric id, index of the year end in ``ends``) → {unit id: value}.

    Options are summed; an average is total ÷ weight, and a cell of an average without
    weight gives no value. The caller has checked that the cells serve these figures
    (``plan``). One statement whose rows carry only what a column needs."""
    if not metrics or not ends or not units:
        return {}
    table = Rollup._meta.db_table
    units_sql, unit_params, keep = _unit_condition(units)
    levels = sorted({u.level for u in units})
    ids = [m.pk for m in metrics]
    averages = [m.pk for m in metrics if m.aggregation == Aggregation.AVERAGE]
    grouped = any(m.disaggregation_id for m in metrics)
    total, weight = ("SUM(total)", "SUM(weight)") if grouped else ("total", "weight")
    value = total
    if averages:
        value = (
            f"CASE WHEN metric_id IN ({', '.join(['%s'] * len(averages))})"
            f" THEN {total} / NULLIF({weight}, 0) ELSE {total} END"
        )
    which = " ".join(f"WHEN %s THEN {i}" for i in range(len(ends)))
    sql = f"""
SELECT unit_id, metric_id, CASE period_end {which} END, {value}
FROM {table}
WHERE grain = %s AND level IN ({", ".join(["%s"] * len(levels))})
  AND metric_id IN ({", ".join(["%s"] * len(ids))})
  AND period_end IN ({", ".join(["%s"] * len(ends))}) AND {units_sql}
{"GROUP BY unit_id, metric_id, period_end" if grouped else ""}"""  # noqa: S608
    params = [*ends, *averages, Grain.YEAR.value, *levels, *ids, *ends, *unit_params]
    with read_connection().cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    out: dict[tuple[int, int], dict[int, float]] = defaultdict(dict)
    for unit_id, metric_id, index, amount in rows:
        if amount is not None and (keep is None or unit_id in keep):
            out[(metric_id, index)][unit_id] = amount
    return dict(out)

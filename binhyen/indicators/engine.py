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
  ``yearly_values``, ``populations``, ``served_from_rollups``) are analytics reads: with a
  replica configured they read it, except in a request that has written or inside a
  transaction on the primary (``binhyen/core/db_router.py``), where they read the primary.
  Raw SQL takes its connection from ``read_connection()``, never ``django.db.connection``.
  On the replica "at once" means after the replication delay (normally well under a second).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import pairwise
from typing import Any, NamedTuple

from django.db import connection, transaction

from binhyen.core.db_router import analytics, read_connection
from binhyen.indicators import rollups
from binhyen.indicators.models import Aggregation, DataValue, Metric, RollupGrain, ValueType
from binhyen.indicators.periods import KIND_RANK, Period, PeriodKind
from binhyen.orgunits.models import Lineage, OrgUnit

POPULATION_METRIC = "population"
ORDINARY_P = 0.05


class Agg(NamedTuple):
    """The grouped figures of one unit, metric, option and period end."""

    total: float  # sum of weighted values
    weight: float  # sum of weights
    low: float  # smallest value
    high: float  # largest value
    predecessors: bool  # some value came from a predecessor through the lineage


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


# --- statistics ----------------------------------------------------------------------------


def _binom_logpmf(k: int, n: int, p: float) -> float:
    if p <= 0.0:
        return 0.0 if k == 0 else -math.inf
    if p >= 1.0:
        return 0.0 if k == n else -math.inf
    return (
        math.lgamma(n + 1)
        - math.lgamma(k + 1)
        - math.lgamma(n - k + 1)
        + k * math.log(p)
        + (n - k) * math.log1p(-p)
    )


def poisson_change_p_value(
    current: float, previous: float, t_current: float = 1.0, t_previous: float = 1.0
) -> float:
    """Return the two-sided p-value that two Poisson counts come from the same rate (cached)."""
    return _poisson_p(round(max(current, 0.0)), round(max(previous, 0.0)), t_current, t_previous)


@lru_cache(maxsize=65536)
def _poisson_p(k: int, m: int, t_current: float, t_previous: float) -> float:
    """Return the two-sided p-value that two Poisson counts come from the same rate.

    Conditional test (Przyborowski–Wilenski, R's ``poisson.test`` for two samples): given
    ``n = current + previous``, ``current`` is Binomial(n, t_c / (t_c + t_p)) under equal
    rates, where ``t`` are the exposures (days in each period). The exact two-sided p-value
    is the probability of every outcome no more likely than the observed one, computed as
    1 − (mass of the more likely outcomes): those form one interval around the mode, walked
    outward with the pmf ratio, so the cost grows with the distance from the mode, not with
    n. SciPy is not needed.
    """
    n = k + m
    if n == 0:
        return 1.0
    p = t_current / (t_current + t_previous)
    observed = _binom_logpmf(k, n, p)
    limit = observed + 1e-7 * abs(observed) + 1e-12
    mode = min(n, int((n + 1) * p))
    log_mode = _binom_logpmf(mode, n, p)
    if log_mode <= limit:
        return 1.0
    ratio = p / (1.0 - p) if p < 1.0 else math.inf
    inner = math.exp(log_mode)
    lp = log_mode
    i = mode
    while i < n:  # walk up from the mode
        lp += math.log((n - i) / (i + 1) * ratio)
        i += 1
        if lp <= limit:
            break
        inner += math.exp(lp)
    lp = log_mode
    i = mode
    while i > 0:  # walk down from the mode
        lp -= math.log((n - i + 1) / i * ratio)
        i -= 1
        if lp <= limit:
            break
        inner += math.exp(lp)
    return min(1.0, max(0.0, 1.0 - inner))


# --- SQL -----------------------------------------------------------------------------------


def _tables() -> dict[str, str]:
    return {
        "dv": DataValue._meta.db_table,
        "ou": OrgUnit._meta.db_table,
        "ln": Lineage._meta.db_table,
    }


def _prefix_condition(column: str, prefix: str) -> tuple[str, list[Any]]:
    """Return SQL for "``column`` starts with ``prefix``" that can use the path index."""
    if connection.vendor == "postgresql":
        escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"{column} LIKE %s", [escaped + "%"]
    # SQLite: a range on the BINARY-collated unique index; "/" + 1 is "0".
    return f"({column} >= %s AND {column} < %s)", [prefix, prefix[:-1] + "0"]


def _common_prefix(paths: Sequence[str]) -> str:
    first, last = min(paths), max(paths)
    i = 0
    while i < min(len(first), len(last)) and first[i] == last[i]:
        i += 1
    common = first[:i]
    return common[: common.rfind("/") + 1] if "/" in common else "/"


# Lineage resolution, restricted to what can reach the targets (index seeks only):
# rb: predecessors reachable backwards from current units under the targets (chains too);
# lstat/edge: the weights of their edges (shares normalised, else the default successor,
#   else the lowest successor id, so nothing is ever dropped);
# back: each such predecessor with the target key it reaches and the product of weights;
# cand/anchor: closed units whose nearest ancestor-or-self having edges is such a
#   predecessor (a unit with its own edges follows them, not its parent's);
# excl: closed units under the targets that have lineage, counted through it, not by path.
_HAS_EDGES = "EXISTS (SELECT 1 FROM {ln} x WHERE x.predecessor_id = {col})"
_NEAREST = (
    "CASE WHEN " + _HAS_EDGES.format(ln="{ln}", col="u.id") + " THEN u.id"  # noqa: S608
    " WHEN " + _HAS_EDGES.format(ln="{ln}", col="u.parent_id") + " THEN u.parent_id"
    # Deeper ancestors are looked up only for the rare units that need them.
    " ELSE (SELECT CASE WHEN "
    + _HAS_EDGES.format(ln="{ln}", col="p1.parent_id")
    + " THEN p1.parent_id WHEN "
    + _HAS_EDGES.format(ln="{ln}", col="p2.parent_id")
    + " THEN p2.parent_id END"
    " FROM {ou} p1 LEFT JOIN {ou} p2 ON p2.id = p1.parent_id WHERE p1.id = u.parent_id) END"
)
_LINEAGE_CTES = """
{reach}lstat AS (
  SELECT predecessor_id AS pid,
         SUM(CASE WHEN share IS NOT NULL THEN CAST(share AS DOUBLE PRECISION) ELSE 0 END) AS ssum,
         MAX(CASE WHEN is_default THEN 1 ELSE 0 END) AS hasdef,
         MIN(successor_id) AS minsid
  FROM {ln} {only_reached}GROUP BY predecessor_id
),
edge AS (
  SELECT l.predecessor_id AS pid, l.successor_id AS sid,
         CASE WHEN s.ssum > 0 THEN COALESCE(CAST(l.share AS DOUBLE PRECISION), 0) / s.ssum
              WHEN l.is_default THEN 1.0
              WHEN s.hasdef = 0 AND l.successor_id = s.minsid THEN 1.0
              ELSE 0.0 END AS w
  FROM {ln} l JOIN lstat s ON s.pid = l.predecessor_id
),
back(pid, k, w, depth) AS (
  SELECT e.pid, SUBSTR(cu.path, 1, {n}), e.w, 1
  FROM edge e JOIN {ou} cu ON cu.id = e.sid
  WHERE cu.valid_to IS NULL AND e.w > 0 AND SUBSTR(cu.path, 1, {n}) IN (SELECT k FROM tgt){cu_scope}
  UNION ALL
  SELECT e.pid, b.k, b.w * e.w, b.depth + 1
  FROM back b JOIN edge e ON e.sid = b.pid
  WHERE e.w > 0 AND b.depth < {max_chain}
),
"""

# Small subtrees first find the predecessors that can reach the targets (walking the edges
# backwards through the successor index) and weigh only their edges.
_REACH = """
rb(pid, depth) AS (
  SELECT l.predecessor_id, 1
  FROM {ou} cu JOIN {ln} l ON l.successor_id = cu.id
  WHERE {cu_prefix} AND cu.valid_to IS NULL AND SUBSTR(cu.path, 1, {n}) IN (SELECT k FROM tgt)
  UNION
  SELECT l.predecessor_id, r.depth + 1
  FROM rb r JOIN {ln} l ON l.successor_id = r.pid
  WHERE r.depth < {max_chain}
),
bpid AS (SELECT DISTINCT pid FROM rb),
"""

# Small subtrees: only the closed units that can reach the targets, found by index seeks.
_ANCHOR_SMALL = """
down(id, depth) AS (
  SELECT pid, 0 FROM bpid
  UNION ALL
  SELECT u.id, d.depth + 1 FROM down d {children} WHERE d.depth < 3
),
cand AS (SELECT DISTINCT id FROM down),
anchor AS {mat}(
  SELECT u.id AS unit_id, u.kind AS kind, {nearest} AS aid
  FROM cand c JOIN {ou} u ON u.id = c.id
  WHERE u.valid_to IS NOT NULL
),
excl AS {mat}(
  SELECT u.id AS unit_id
  FROM {ou} u
  WHERE {u_prefix} AND u.valid_to IS NOT NULL AND ({nearest}) IS NOT NULL
),
"""

# Large subtrees (national): every closed unit once; its lineage excludes it from the path.
_ANCHOR_LARGE = """
anchor AS {mat}(
  SELECT u.id AS unit_id, u.kind AS kind, {nearest} AS aid
  FROM {ou} u
  WHERE u.valid_to IS NOT NULL
),
excl AS (SELECT unit_id FROM anchor WHERE aid IS NOT NULL),
"""


SMALL_SUBTREE = 20_000

# One slice of a query: these metrics over these date ranges (of period ends).
Slice = tuple[Sequence[int], Sequence[tuple[date, date]]]


def _subtree_size(prefix: str) -> int:
    """Count the units under ``prefix`` (the whole country is known to be large)."""
    if prefix.count("/") <= 2:
        return SMALL_SUBTREE + 1
    cond, params = _prefix_condition("path", prefix)
    with read_connection().cursor() as cursor:
        table = OrgUnit._meta.db_table
        cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {cond}", params)  # noqa: S608
        return int(cursor.fetchone()[0])


def _lineage_ctes(*, n: int, prefix: str, small: bool) -> tuple[str, list[Any]]:
    """Return the lineage CTEs (ending with a comma) and their parameters."""
    t = _tables()
    cu_sql, cu_params = _prefix_condition("cu.path", prefix)
    u_sql, u_params = _prefix_condition("u.path", prefix)
    ou = t["ou"]
    # The children of each predecessor, read through the parent index (PostgreSQL needs
    # LATERAL to do that inside a recursive CTE; SQLite does it unasked).
    children = (
        f"CROSS JOIN LATERAL (SELECT c.id FROM {ou} c WHERE c.parent_id = d.id OFFSET 0) u"  # noqa: S608
        if connection.vendor == "postgresql"
        else f"JOIN {ou} u ON u.parent_id = d.id"
    )
    template = _LINEAGE_CTES + (_ANCHOR_SMALL if small else _ANCHOR_LARGE)
    template = template.replace("{reach}", _REACH if small else "")
    sql = template.format(
        only_reached="WHERE predecessor_id IN (SELECT pid FROM bpid) " if small else "",
        cu_scope="" if small else f" AND {cu_sql}",
        children=children,
        # PostgreSQL would inline these and could not hash-join on the computed anchor.
        mat="MATERIALIZED " if connection.vendor == "postgresql" else "",
        n=n,
        max_chain=rollups.MAX_CHAIN,
        cu_prefix=cu_sql,
        u_prefix=u_sql,
        nearest=_NEAREST.format(ln=t["ln"], ou=t["ou"]),
        **t,
    )
    return sql, (cu_params + u_params) if small else cu_params


def _value_filter(slices: Sequence[Slice]) -> tuple[str, list[Any]]:
    """Return "the value is of a requested metric in one of its date ranges" as SQL."""
    conditions = []
    params: list[Any] = []
    for ids, ranges in slices:
        spans = " OR ".join(["dv.period_end BETWEEN %s AND %s"] * len(ranges))
        conditions.append(f"(dv.metric_id IN ({', '.join(['%s'] * len(ids))}) AND ({spans}))")
        params.extend(ids)
        for start, end in ranges:
            params.extend([start.isoformat(), end.isoformat()])
    return " OR ".join(conditions), params


# Metrics whose stored periods can be folded into a longer requested period in SQL: their
# value over the period is the same GROUP BY over every value ending inside it.
_FOLDABLE = (Aggregation.SUM, Aggregation.AVERAGE, Aggregation.MIN, Aggregation.MAX)


def _folds(
    requests: Sequence[tuple[Sequence[Metric], Sequence[Period]]],
) -> list[tuple[list[int], list[Period]]]:
    """Return the metrics whose values are grouped by requested period, with those periods.

    A metric is folded when it is asked in one request only, its aggregation is foldable,
    every requested period is longer than its capture period (``combine`` then takes all
    stored periods ending inside) and the periods do not overlap, so each value belongs to
    exactly one of them and the folded row, keyed by the period's end, is the only row
    ``combine`` finds inside that period.
    """
    asked: dict[int, int] = defaultdict(int)
    for ms, _ps in requests:
        for m in {m.pk: m for m in ms}.values():
            asked[m.pk] += 1
    out: list[tuple[list[int], list[Period]]] = []
    for ms, ps in requests:
        spans = sorted({(p.start, p.end) for p in ps})
        if any(a[1] >= b[0] for a, b in pairwise(spans)):
            continue
        ids = [
            m.pk
            for m in {m.pk: m for m in ms}.values()
            if m.aggregation in _FOLDABLE
            and asked[m.pk] == 1
            and all(
                m.period_kind != p.kind and KIND_RANK[m.period_kind] <= KIND_RANK[p.kind]
                for p in ps
            )
        ]
        if ids:
            out.append((ids, sorted(set(ps), key=lambda p: p.start)))
    return out


def _period_key(folds: Sequence[tuple[Sequence[int], Sequence[Period]]]) -> str:
    """Return the SQL grouping a value by period: the end of the requested period it falls
    in for folded metrics, else its own stored period end.

    Only ids and dates are inlined (integers and ISO dates), never user input.
    """
    if not folds:
        return "dv.period_end"
    date_sql = "DATE '{}'" if connection.vendor == "postgresql" else "'{}'"
    whens = []
    for ids, periods in folds:
        id_list = ", ".join(str(int(i)) for i in ids)
        for p in periods:
            start, end = p.start.isoformat(), p.end.isoformat()
            whens.append(
                f"WHEN dv.metric_id IN ({id_list}) AND dv.period_end >= {date_sql.format(start)}"
                f" AND dv.period_end <= {date_sql.format(end)} THEN {date_sql.format(end)}"
            )
    return "(CASE " + " ".join(whens) + " ELSE dv.period_end END)"


def _grouped(
    *,
    slices: Sequence[Slice],
    kinds: dict[int, list[str]],
    target_paths: Sequence[str],
    forward: bool,
    by_option: bool,
    need_stats: bool,
    folds: Sequence[tuple[Sequence[int], Sequence[Period]]] = (),
) -> list[tuple[Any, ...]]:
    """Run the GROUP BY for targets sharing one path length; return raw grouped rows.

    Rows: (key, metric id, period end[, option], sum of weighted values, sum of weights,
    min, max, includes predecessors). Two shapes: for a small subtree (a province, a
    commune) the query starts from the units and seeks each unit's values by index; for
    national questions it scans the requested values once and hashes the units, like a
    hand-written GROUP BY would.
    """
    t = _tables()
    n = len(target_paths[0])
    prefix = _common_prefix(target_paths)
    small = _subtree_size(prefix) <= SMALL_SUBTREE
    params: list[Any] = list(target_paths)
    # Each target's position too: the PostgreSQL national shape groups by it. A VALUES list,
    # not a compound SELECT, so SQLite's limit of 500 compound terms does not apply.
    ctes = (
        "tgt(k, i) AS (VALUES " + ", ".join(f"(%s, {i})" for i in range(len(target_paths))) + "),\n"
    )
    if forward:
        lineage_sql, lineage_params = _lineage_ctes(n=n, prefix=prefix, small=small)
        ctes += lineage_sql
        params.extend(lineage_params)
    option_col = ", dv.option" if by_option else ""
    pe = _period_key(folds)
    u_prefix, u_params = _prefix_condition("u.path", prefix)
    if not small:
        rows = _run(
            *_national_sql(
                ctes=ctes,
                params=params,
                n=n,
                forward=forward,
                slices=slices,
                option_col=option_col,
                need_stats=need_stats,
                pe=pe,
                u_prefix=u_prefix,
                u_params=u_params,
            )
        )
        if connection.vendor == "postgresql":
            # That shape returns the target's position, not its path.
            return [(target_paths[row[0]], *row[1:]) for row in rows]
        return rows
    umap = f"""
umap AS (
  SELECT u.id AS unit_id, SUBSTR(u.path, 1, {n}) AS k, 1.0 AS w, 0 AS pred, u.kind AS kind
  FROM {t["ou"]} u
  WHERE {u_prefix} AND SUBSTR(u.path, 1, {n}) IN (SELECT k FROM tgt){
        " AND u.id NOT IN (SELECT unit_id FROM excl)" if forward else ""
    }{
        '''
  UNION ALL
  SELECT a.unit_id, b.k, b.w, 1, a.kind FROM anchor a JOIN back b ON b.pid = a.aid'''
        if forward
        else ""
    }
)"""  # noqa: S608 - table names and placeholders only; values are bound parameters
    params.extend(u_params)
    stats = "SUM(m.w), MIN(dv.value), MAX(dv.value)" if need_stats else "SUM(m.w), 0, 0"
    # PostgreSQL folds the period in the inner selects below; SQLite here.
    outer_pe = "dv.period_end" if connection.vendor == "postgresql" else pe
    select = f"""
SELECT m.k, dv.metric_id, {outer_pe}{option_col},
       SUM(dv.value * m.w), {stats}, MAX(m.pred)"""
    group = f"GROUP BY m.k, dv.metric_id, {outer_pe}{option_col}"
    # Values exist only at a metric's capture kinds (services enforce it), so a unit is
    # only searched for the metrics captured at its kind.
    by_kind: dict[str, set[int]] = defaultdict(set)
    for ids, _ranges in slices:
        for i in ids:
            for kind in kinds[i]:
                by_kind[kind].add(i)
    if connection.vendor == "postgresql":
        # Per slice and capture kinds, one index scan for the units of those kinds (an array
        # computed once from the unit map), its metrics and its window; then the exact
        # ranges. The metric id bounds narrow each unit's index range, since PostgreSQL
        # does not seek a list on the index's second column in an index-only scan.
        parts = []
        for ids, ranges in slices:
            spans = " OR ".join(["dv.period_end BETWEEN %s AND %s"] * len(ranges))
            by_kinds: dict[tuple[str, ...], list[int]] = defaultdict(list)
            for i in ids:
                by_kinds[tuple(sorted(kinds.get(i) or []))].append(i)
            for unit_kinds, kind_ids in by_kinds.items():
                of_kind = " WHERE kind = ANY(%s)" if unit_kinds else ""
                parts.append(
                    f"""  SELECT dv.orgunit_id, dv.metric_id, {pe} AS period_end,
    dv.value{option_col}
  FROM {t["dv"]} dv
  WHERE dv.orgunit_id = ANY(ARRAY(SELECT unit_id FROM umap{of_kind}))
    AND dv.metric_id = ANY(%s) AND dv.metric_id >= %s AND dv.metric_id <= %s
    AND dv.period_end >= %s AND dv.period_end <= %s AND ({spans})"""  # noqa: S608
                )
                if unit_kinds:
                    params.append(list(unit_kinds))
                params.extend([kind_ids, min(kind_ids), max(kind_ids)])
                params.extend([min(r[0] for r in ranges), max(r[1] for r in ranges)])
                for start, end in ranges:
                    params.extend([start, end])
        union = "\n  UNION ALL\n".join(parts)
        sql = f"""
WITH RECURSIVE {ctes}{umap}{select}
FROM (
{union}
) dv JOIN umap m ON m.unit_id = dv.orgunit_id
{group}"""
        return _run(sql, params)
    # SQLite: one row per (metric, kind, date range), so each is one index range seek, in
    # the order written (SQLite keeps the order of CROSS JOINs).
    want_rows = []
    for ids, ranges in slices:
        for metric_id in ids:
            for kind in kinds[metric_id]:
                for start, end in ranges:
                    want_rows.append("(%s, %s, %s, %s)")
                    params.extend([metric_id, kind, start.isoformat(), end.isoformat()])
    sql = f"""
WITH RECURSIVE {ctes}{umap},
want(mid, kind, ds, de) AS (VALUES {", ".join(want_rows)}){select}
FROM umap m CROSS JOIN want w CROSS JOIN {t["dv"]} dv
WHERE w.kind = m.kind AND dv.orgunit_id = m.unit_id AND dv.metric_id = w.mid
  AND dv.period_end >= w.ds AND dv.period_end <= w.de
{group}"""
    return _run(sql, params)


def _national_sql(
    *,
    ctes: str,
    params: list[Any],
    n: int,
    forward: bool,
    slices: Sequence[Slice],
    option_col: str,
    need_stats: bool,
    pe: str,
    u_prefix: str,
    u_params: list[Any],
) -> tuple[str, list[Any]]:
    """Return the national shape: the values of current units by their path (as a
    hand-written GROUP BY would), plus the values of forwarded predecessors."""
    t = _tables()
    value_sql, value_params = _value_filter(slices)
    option_sel = option_col.replace("dv.", "x.")
    own = f"""
  SELECT SUBSTR(u.path, 1, {n}) AS k, dv.metric_id, {pe} AS period_end{option_col},
         dv.value AS v, 1.0 AS w, 0 AS pred
  FROM {t["dv"]} dv JOIN {t["ou"]} u ON u.id = dv.orgunit_id
  WHERE ({value_sql}) AND {u_prefix}"""  # noqa: S608
    sql_params = [*params, *value_params, *u_params]
    if connection.vendor == "postgresql":
        # Each current unit's target position is computed once per unit, not per value row,
        # and grouping by an integer hashes faster than by a path.
        excl = " AND (u.valid_to IS NULL OR u.id NOT IN (SELECT unit_id FROM excl))"
        own = f"""
  SELECT u.k, dv.metric_id, {pe} AS period_end{option_col}, dv.value AS v, 1.0 AS w, 0 AS pred
  FROM {t["dv"]} dv JOIN (
    SELECT u.id, t.i AS k FROM {t["ou"]} u JOIN tgt t ON t.k = SUBSTR(u.path, 1, {n})
    WHERE {u_prefix}{excl if forward else ""} OFFSET 0
  ) u ON u.id = dv.orgunit_id
  WHERE ({value_sql})"""  # noqa: S608
        sql_params = [*params, *u_params, *value_params]
    if forward:
        fmap_key = "t.i" if connection.vendor == "postgresql" else "b.k"
        fmap_tgt = " JOIN tgt t ON t.k = b.k" if connection.vendor == "postgresql" else ""
        fmap = f"SELECT a.unit_id, {fmap_key} AS k, b.w FROM anchor a JOIN back b ON b.pid = a.aid"  # noqa: S608
        ctes += f"\nfmap AS ({fmap}{fmap_tgt}),"
        if connection.vendor == "sqlite":
            # One pass: each value row looks its unit up by rowid and the (small) map of
            # forwarded predecessors through an automatic index.
            own = f"""
  SELECT COALESCE(f.k, SUBSTR(u.path, 1, {n})) AS k, dv.metric_id,
         {pe} AS period_end{option_col},
         dv.value AS v, COALESCE(f.w, 1.0) AS w, CASE WHEN f.k IS NULL THEN 0 ELSE 1 END AS pred
  FROM {t["dv"]} dv JOIN {t["ou"]} u ON u.id = dv.orgunit_id
  LEFT JOIN fmap f ON f.unit_id = dv.orgunit_id
  WHERE ({value_sql}) AND (f.unit_id IS NOT NULL OR ({u_prefix}
    AND (u.valid_to IS NULL OR u.id NOT IN (SELECT unit_id FROM excl))))"""  # noqa: S608
        else:
            # PostgreSQL: two inner joins it hashes the right way round (a LEFT JOIN
            # makes it hash the value rows instead of the small map).
            own += f"""
  UNION ALL
  SELECT f.k, dv.metric_id, {pe} AS period_end{option_col}, dv.value, f.w, 1
  FROM {t["dv"]} dv JOIN fmap f ON f.unit_id = dv.orgunit_id
  WHERE dv.orgunit_id = ANY(ARRAY(SELECT unit_id FROM fmap)) AND ({value_sql})"""  # noqa: S608
            sql_params.extend(value_params)
    stats = "SUM(x.w), MIN(x.v), MAX(x.v)" if need_stats else "SUM(x.w), 0, 0"
    with_sql = ctes.rstrip().rstrip(",")
    sql = f"""
WITH RECURSIVE {with_sql}
SELECT x.k, x.metric_id, x.period_end{option_sel}, SUM(x.v * x.w), {stats}, MAX(x.pred)
FROM ({own}
) x
GROUP BY x.k, x.metric_id, x.period_end{option_sel}"""  # noqa: S608
    return sql, sql_params


def _run(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    conn = read_connection()
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            # JIT compilation costs more than it saves on these sub-second aggregates,
            # and a merge join would sort every value row where hashing is far cheaper.
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL enable_mergejoin = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _merge_ranges(periods: Iterable[Period]) -> list[tuple[date, date]]:
    spans = sorted((p.start, p.end) for p in periods)
    merged: list[list[date]] = []
    for start, end in spans:
        if merged and start.toordinal() <= merged[-1][1].toordinal() + 1:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


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
    result: Grouped = defaultdict(dict)
    requests = [(list(metrics), list(periods))] + [(list(m), list(p)) for m, p in also]
    requests = [(m, p) for m, p in requests if m and p]
    if not units or not requests:
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
            for row in rows:
                target = by_path.get(row[0])
                if target is None:
                    continue
                if by_option:
                    _path, metric_id, end, option, total, weight, low, high, pred = row
                else:
                    _path, metric_id, end, total, weight, low, high, pred = row
                    option = ""
                result[(target.pk, metric_id, option)][_as_date(end)] = Agg(
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
def yearly_values(
    *, metrics: Sequence[Metric], units: Sequence[OrgUnit], years: Sequence[Period]
) -> dict[tuple[int, int], dict[date, float]] | None:
    """Return {(unit id, metric id): {year end: value}} read straight from the yearly cells,
    or None when some figure is not served by them (the caller then uses ``aggregate``).

    The bulk path for many units and whole years (programme windows): the same numbers as
    ``aggregate`` + ``combine``, without building a series per unit and metric.
    """
    if not metrics or any(p.kind != PeriodKind.YEAR for p in years):
        return None
    if not served_from_rollups(metrics=metrics, units=units, periods=years):
        return None
    served = {m.pk: RollupGrain.YEAR.value for m in metrics}
    averages = {m.pk for m in metrics if m.aggregation == Aggregation.AVERAGE}
    out: dict[tuple[int, int], dict[date, float]] = defaultdict(dict)
    ends: dict[Any, date] = {}
    cells = rollups.read(served=served, requests=[(metrics, years)], units=units, by_option=False)
    for unit_id, metric_id, end, total, weight, _pred in cells:
        day = ends.get(end)
        if day is None:
            day = ends[end] = _as_date(end)
        if metric_id in averages:
            if not weight:
                continue
            total = total / weight
        out[(unit_id, metric_id)][day] = total
    return out


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
    if not series:
        return None, False
    if KIND_RANK[metric.period_kind] > KIND_RANK[period.kind]:
        return None, False
    if metric.aggregation == Aggregation.NONE and metric.period_kind != period.kind:
        return None, False
    if metric.period_kind == period.kind:
        # Same kind as captured: exactly one stored period can end inside it.
        one = series.get(period.end)
        inside = [(period.end, one)] if one is not None else []
    else:
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


# --- population for rates ------------------------------------------------------------------


def population_request(periods: Sequence[Period]) -> tuple[Metric | None, list[Period]]:
    """Return the population metric and the years to read for rates over ``periods``."""
    metric = Metric.objects.filter(code=POPULATION_METRIC, is_active=True).first()
    years = sorted({p.end.year for p in periods})
    if metric is None or not years:
        return None, []
    return metric, [Period(PeriodKind.YEAR, y) for y in range(years[0] - 5, years[-1] + 1)]


@analytics
def populations(
    units: Sequence[OrgUnit],
    periods: Sequence[Period],
    *,
    grouped: Grouped | None = None,
    metric: Metric | None = None,
) -> dict[tuple[int, str], float]:
    """Return population per (unit id, period code) for per-1,000 rates.

    The ``population`` metric (latest year up to the period's end year, looking back five
    years) is preferred; otherwise the unit's own ``population`` field, else the sum of the
    populations of the current units one level below it (or of its current communes).
    """
    out: dict[tuple[int, str], float] = {}
    if grouped is None:
        metric, years = population_request(periods)
        grouped = aggregate(metrics=[metric], units=units, periods=years) if metric else {}
    if metric is not None:
        for unit in units:
            series = grouped.get((unit.pk, metric.pk, ""))
            if not series:
                continue
            for period in periods:
                for y in range(period.end.year, period.end.year - 6, -1):
                    value, _pred = combine(metric, series, Period(PeriodKind.YEAR, y))
                    if value:
                        out[(unit.pk, period.code)] = value
                        break
    missing = [u for u in units if any((u.pk, p.code) not in out for p in periods)]
    if missing:
        fallback = _field_populations(missing)
        for unit in missing:
            if fallback.get(unit.pk):
                for period in periods:
                    out.setdefault((unit.pk, period.code), fallback[unit.pk])
    return out


def _field_populations(units: Sequence[OrgUnit]) -> dict[int, float]:
    from django.db.models import Sum

    out: dict[int, float] = {}
    for unit in units:
        if unit.population:
            out[unit.pk] = float(unit.population)
            continue
        below = (
            OrgUnit.objects.current()
            .filter(path__startswith=unit.path, level=unit.level + 1)
            .aggregate(total=Sum("population"))["total"]
        )
        if not below:
            below = (
                OrgUnit.objects.current()
                .filter(path__startswith=unit.path, kind="commune")
                .aggregate(total=Sum("population"))["total"]
            )
        if below:
            out[unit.pk] = float(below)
    return out


# --- the query -----------------------------------------------------------------------------


def _pct(new: float | None, old: float | None) -> float | None:
    if new is None or old is None or old == 0:
        return None
    return round((new - old) / abs(old) * 100.0, 2)


def _diff(new: float | None, old: float | None) -> float | None:
    if new is None or old is None:
        return None
    return new - old


def _variation(
    metric: Metric, new: float | None, old: float | None, p_new: Period, p_old: Period
) -> tuple[bool | None, float | None]:
    if not metric.is_count or new is None or old is None or new < 0 or old < 0:
        return None, None
    p = poisson_change_p_value(new, old, p_new.days, p_old.days)
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
    slots = [
        (p, *pairs[p], position[p], position.get(pairs[p][0], 0), position.get(pairs[p][1], 0))
        for p in periods
    ]
    rows: list[Row] = []
    for metric in metrics:
        metric_pk = metric.pk
        options = option_order.get(metric_pk, [""]) if disaggregate else [""]
        for unit in units:
            unit_pk = unit.pk
            for option in options:
                series = grouped.get((unit_pk, metric_pk, option))
                combined = [combine(metric, series, p) for p in distinct]
                for period, prev_p, ly_p, at, at_prev, at_last in slots:
                    value, pred = combined[at]
                    row = Row(
                        metric=metric.code,
                        unit=unit.code,
                        unit_name=unit.name,
                        period=period.code,
                        option=option,
                        value=value,
                        includes_predecessors=pred,
                    )
                    if per_1000 and _rate_applies(metric):
                        pop = pops.get((unit_pk, period.code))
                        row.population = pop
                        if pop and value is not None:
                            row.value_per_1000 = round(value / pop * 1000.0, 4)
                    if compare:
                        prev, prev_pred = combined[at_prev]
                        last, last_pred = combined[at_last]
                        row.previous_period, row.last_year_period = prev_p.code, ly_p.code
                        row.previous, row.last_year = prev, last
                        row.change_abs, row.change_pct = _diff(value, prev), _pct(value, prev)
                        row.yoy_abs, row.yoy_pct = _diff(value, last), _pct(value, last)
                        row.within_ordinary_variation, row.p_value = _variation(
                            metric, value, prev, period, prev_p
                        )
                        row.yoy_within_ordinary_variation, row.yoy_p_value = _variation(
                            metric, value, last, period, ly_p
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

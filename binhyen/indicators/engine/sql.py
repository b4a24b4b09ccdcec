"""The engine's one SQL GROUP BY: where each value counts (the unit's key in the map, or its
successor's through the lineage with the edge weight) and how it is grouped.

Invariants (see the package docstring for the rules themselves):
- One statement per call, on SQLite and PostgreSQL alike; two shapes of the same query, a
  small subtree (at most ``SMALL_SUBTREE`` units, seeking each unit's values by index) and a
  national one (one scan of the requested values, hashing the units).
- Raw SQL reads ``read_connection()``, never ``django.db.connection``; on PostgreSQL the
  statement runs with ``jit`` and merge joins off and a larger ``work_mem`` (``SET LOCAL``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from itertools import pairwise
from typing import Any

from django.db import connection, transaction

from binhyen.core.db_router import read_connection
from binhyen.indicators import rollups
from binhyen.indicators.models import Aggregation, DataValue, Metric
from binhyen.indicators.periods import KIND_RANK, Period
from binhyen.orgunits.models import Lineage, OrgUnit


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
  WHERE u.valid_to IS NOT NULL{anchor_filter}
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
  WHERE u.valid_to IS NOT NULL{anchor_filter}
),
excl AS (SELECT unit_id FROM anchor WHERE aid IS NOT NULL),
"""


# Villages across the reform (closed targets only). A village or establishment that sits
# under its current commune and keeps the commune it belonged to before (``former_parent``)
# counts for that old commune, and the old commune's old ancestors, with the values whose own
# period ends on or before the old commune's last day. Current targets read it by path as
# any unit (it sits under its current commune), so nothing is counted twice: the branch is
# added only for closed targets, whose subtrees never hold current units. The key is the
# old commune's path cut to the target's length; a value outside that window is dropped by
# ``until`` (compared with the value's own period end, before any folding into a longer
# requested period).
def _former_branch_umap(*, n: int, fp_prefix: str) -> str:
    """Return the ``umap`` rows of villages counted through their former commune."""
    t = _tables()
    return f"""
  UNION ALL
  SELECT v.id, SUBSTR(fp.path, 1, {n}), 1.0, 0, v.kind, fp.valid_to
  FROM {t["ou"]} fp JOIN {t["ou"]} v ON v.former_parent_id = fp.id
  WHERE {fp_prefix} AND SUBSTR(fp.path, 1, {n}) IN (SELECT k FROM tgt)
    AND SUBSTR(v.path, 1, {n}) <> SUBSTR(fp.path, 1, {n})"""  # noqa: S608


def _former_branch_national(
    *, n: int, pe: str, option_col: str, value_sql: str, fp_prefix: str
) -> str:
    """Return the national shape's rows of values on villages counted through their former
    commune (one more branch of the same statement)."""
    t = _tables()
    postgres = connection.vendor == "postgresql"
    key = "t.i" if postgres else f"SUBSTR(fp.path, 1, {n})"
    tgt = f" JOIN tgt t ON t.k = SUBSTR(fp.path, 1, {n})" if postgres else ""
    return f"""
  UNION ALL
  SELECT {key}, dv.metric_id, {pe} AS period_end{option_col}, dv.value, 1.0, 0
  FROM {t["ou"]} v JOIN {t["ou"]} fp ON fp.id = v.former_parent_id{tgt}
  JOIN {t["dv"]} dv ON dv.orgunit_id = v.id
  WHERE v.former_parent_id IS NOT NULL AND {fp_prefix}
    AND SUBSTR(v.path, 1, {n}) <> SUBSTR(fp.path, 1, {n})
    AND dv.period_end <= fp.valid_to AND ({value_sql})"""  # noqa: S608


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


def _lineage_ctes(
    *, n: int, prefix: str, small: bool, only_units: str = ""
) -> tuple[str, list[Any]]:
    """Return the lineage CTEs (ending with a comma) and their parameters.

    ``only_units`` (a subquery of unit ids, without parameters) limits the closed units
    forwarded to those: a statement that reads only those units' rows need not map the
    others (see ``distinct.distinct_rows``).
    """
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
        anchor_filter=f" AND u.id IN ({only_units})" if only_units else "",
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
    # Closed targets also count the villages that belonged to them (see ``_former_branch_umap``).
    villages = not forward
    fp_prefix, fp_params = _prefix_condition("fp.path", prefix)
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
                former=(fp_prefix, fp_params) if villages else None,
            )
        )
        if connection.vendor == "postgresql":
            # That shape returns the target's position, not its path.
            return [(target_paths[row[0]], *row[1:]) for row in rows]
        return rows
    umap = f"""
umap AS (
  SELECT u.id AS unit_id, SUBSTR(u.path, 1, {n}) AS k, 1.0 AS w, 0 AS pred, u.kind AS kind{
        ", CAST(NULL AS DATE) AS upto" if villages else ""
    }
  FROM {t["ou"]} u
  WHERE {u_prefix} AND SUBSTR(u.path, 1, {n}) IN (SELECT k FROM tgt){
        " AND u.id NOT IN (SELECT unit_id FROM excl)" if forward else ""
    }{
        '''
  UNION ALL
  SELECT a.unit_id, b.k, b.w, 1, a.kind FROM anchor a JOIN back b ON b.pid = a.aid'''
        if forward
        else ""
    }{_former_branch_umap(n=n, fp_prefix=fp_prefix) if villages else ""}
)"""  # noqa: S608 - table names and placeholders only; values are bound parameters
    params.extend(u_params)
    if villages:
        params.extend(fp_params)
    # A village counted through its former commune: only values up to that commune's last day.
    upto = " AND (m.upto IS NULL OR {end} <= m.upto)" if villages else ""
    stats = "SUM(m.w), MIN(dv.value), MAX(dv.value)" if need_stats else "SUM(m.w), 0, 0"
    # PostgreSQL folds the period in the inner selects below; SQLite here.
    outer_pe = "dv.period_end" if connection.vendor == "postgresql" else pe
    # SQLite: the end as text, converted once per distinct end by the caller, not per row.
    shown_pe = outer_pe if connection.vendor == "postgresql" else f"({outer_pe}) || ''"
    select = f"""
SELECT m.k, dv.metric_id, {shown_pe}{option_col},
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
    dv.value{option_col}{", dv.period_end AS raw_end" if villages else ""}
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
) dv JOIN umap m ON m.unit_id = dv.orgunit_id{upto.format(end="dv.raw_end")}
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
  AND dv.period_end >= w.ds AND dv.period_end <= w.de{upto.format(end="dv.period_end")}
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
    former: tuple[str, list[Any]] | None = None,
) -> tuple[str, list[Any]]:
    """Return the national shape: the values of current units by their path (as a
    hand-written GROUP BY would), plus the values of forwarded predecessors, or (closed
    targets, ``former`` given) of villages counted through their former commune."""
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
    if former is not None:
        fp_prefix, fp_params = former
        own += _former_branch_national(
            n=n, pe=pe, option_col=option_col, value_sql=value_sql, fp_prefix=fp_prefix
        )
        sql_params.extend([*fp_params, *value_params])
    stats = "SUM(x.w), MIN(x.v), MAX(x.v)" if need_stats else "SUM(x.w), 0, 0"
    with_sql = ctes.rstrip().rstrip(",")
    shown_pe = "x.period_end" if connection.vendor == "postgresql" else "x.period_end || ''"
    sql = f"""
WITH RECURSIVE {with_sql}
SELECT x.k, x.metric_id, {shown_pe}{option_sel}, SUM(x.v * x.w), {stats}, MAX(x.pred)
FROM ({own}
) x
GROUP BY x.k, x.metric_id, x.period_end{option_sel}"""  # noqa: S608
    return sql, sql_params


def _run(sql: str, params: list[Any]) -> list[tuple[Any, ...]]:
    conn = read_connection()
    if conn.vendor != "postgresql":
        # No transaction: on SQLite it would begin IMMEDIATE, a write lock taken for a read
        # (the page then waits for, or fails behind, any writer).
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())
    with transaction.atomic(using=conn.alias), conn.cursor() as cursor:
        # JIT compilation costs more than it saves on these sub-second aggregates,
        # and a merge join would sort every value row where hashing is far cheaper.
        # ``set_config(…, true)`` is ``SET LOCAL``: three settings in one round trip.
        cursor.execute(
            "SELECT set_config('jit', 'off', true),"
            " set_config('enable_mergejoin', 'off', true),"
            " set_config('work_mem', '64MB', true)"
        )
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

"""Benchmark of the programmes app, called by ``tools/bench.py`` on each benchmark database.

One JSON line: a 34-criterion set (28 CEL rules over the 30 synthetic metrics, this year and
last year, plus 6 evidence criteria) evaluated for every current commune (3,321) for the
year 2025: ``ours`` is the whole path (figures for both windows from the indicators engine,
every rule compiled once and evaluated over all communes at once, x/y and the recognition
condition per commune); ``baseline`` is one hand-written GROUP BY fetching the same window
totals (no lineage forwarding, no rule evaluation). ``fetch_ms`` and ``evaluate_ms`` split ours.
``match`` says the engine's window totals equal the baseline's for current units' values.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from decimal import Decimal
from typing import Any

REPEATS = int(os.environ.get("BENCH_PROGRAMS_REPEATS", "3"))
CODE = "bench-34-tieu-chi"
TARGET_MS = 500.0


def _criteria() -> list[Any]:
    from binhyen.programs.services import CriterionInput

    items = []
    for i in range(1, 29):
        code = f"b{i:02d}" if i <= 27 else f"b{i + 1:02d}"
        expression = (
            f"m.{code} <= prev.{code} * 1.05"
            if i % 2
            else f"m.{code} >= 1.0 && m.{code} <= prev.{code} + 50.0"
        )
        items.append(
            CriterionInput(
                code=f"R{i:02d}",
                title=f"Quy tắc đo {i:02d}",
                kind="rule",
                expression=expression,
                mandatory=i % 4 != 0,
                order=i,
            )
        )
    for i in range(1, 7):
        items.append(
            CriterionInput(code=f"E{i}", title=f"Minh chứng đo {i}", kind="evidence", order=100 + i)
        )
    return items


def _program(admin: Any) -> Any:
    from binhyen.programs import services
    from binhyen.programs.models import Program

    program = Program.objects.filter(code=CODE).first()
    if program is not None and program.current_set is not None:
        return program
    program = program or services.program_create(
        actor=admin,
        owner=None,
        fields={
            "code": CODE,
            "name": "Bộ 34 tiêu chí đo hiệu năng",
            "unit_kinds": ["commune"],
            "period_kind": "year",
        },
    )
    criteria_set = program.sets.order_by("-version")[0]
    services.criteria_set_replace(
        actor=admin,
        criteria_set=criteria_set,
        settings=services.SetInput(min_optional_met=5),
        criteria=_criteria(),
    )
    services.criteria_set_publish(actor=admin, criteria_set=criteria_set)
    program.refresh_from_db()
    return program


def measure(db: str, admin: Any) -> None:
    """Print the programmes line for ``db`` (the caller has set Django up on it)."""
    from django.core.management import call_command
    from django.db import connection

    from binhyen.indicators.models import DataValue, Metric
    from binhyen.indicators.periods import parse_period
    from binhyen.orgunits.models import Lineage, OrgUnit
    from binhyen.programs import evaluation, figures

    call_command("migrate", "programs", verbosity=0)
    program = _program(admin)
    criteria = list(program.current_set.criteria.all())
    rule_criteria = [c for c in criteria if c.kind == "rule"]
    units = list(OrgUnit.objects.filter(kind="commune", valid_to__isnull=True))
    period = parse_period("2025")
    split: dict[str, list[float]] = {"fetch": [], "evaluate": []}

    def ours() -> dict[str, Any]:
        t0 = time.perf_counter()
        compiled = evaluation.compile_criteria(criteria)
        figs = figures.fetch(units=units, period=period, metric_codes=compiled.metric_codes)
        t1 = time.perf_counter()
        outcomes = evaluation.evaluate_units(compiled, figs)
        results: dict[int, bool] = {}
        for unit_id, by_criterion in outcomes.items():
            items = [(c.mandatory, by_criterion[c.pk].status == "met") for c in rule_criteria]
            results[unit_id] = evaluation.condition_met(
                items, min_optional_met=0, points_total=Decimal(0), min_points=None
            )
        t2 = time.perf_counter()
        split["fetch"].append((t1 - t0) * 1000.0)
        split["evaluate"].append((t2 - t1) * 1000.0)
        return {"figures": figs, "results": results}

    codes = evaluation.compile_criteria(criteria).metric_codes
    metric_ids = dict(Metric.objects.filter(code__in=codes).values_list("pk", "code"))
    dv, ou = DataValue._meta.db_table, OrgUnit._meta.db_table
    marks = ", ".join(["%s"] * len(metric_ids))
    width = len(units[0].path)  # every 2025 commune path is /VN/<2 digits>/<5 digits>/
    sql = f"""
        SELECT SUBSTR(u.path, 1, {width}), dv.metric_id,
               CASE WHEN dv.period_end >= %s THEN 1 ELSE 0 END, SUM(dv.value)
        FROM {dv} dv JOIN {ou} u ON u.id = dv.orgunit_id
        WHERE dv.metric_id IN ({marks}) AND dv.period_end BETWEEN %s AND %s
          AND u.valid_to IS NULL
        GROUP BY 1, 2, 3"""
    params: list[Any] = [
        period.start.isoformat(),
        *metric_ids,
        period.previous().start.isoformat(),
        period.end.isoformat(),
    ]

    def base() -> list[tuple[Any, ...]]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return list(cursor.fetchall())

    ours()
    base()
    ours_times, base_times = [], []
    result: dict[str, Any] = {}
    rows: list[tuple[Any, ...]] = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        result = ours()
        ours_times.append((time.perf_counter() - t0) * 1000.0)
        t0 = time.perf_counter()
        rows = base()
        base_times.append((time.perf_counter() - t0) * 1000.0)
    by_path = {u.path: u.pk for u in units}
    baseline: dict[tuple[int, str, int], float] = {}
    for path, metric_id, current, total in rows:
        unit_id = by_path.get(path)
        if unit_id is not None:
            baseline[(unit_id, metric_ids[metric_id], int(current))] = float(total)
    engine: dict[tuple[int, str, int], float] = {}
    for unit_id, fig in result["figures"].items():
        for code, value in fig.current.items():
            engine[(unit_id, code, 1)] = value
        for code, value in fig.previous.items():
            engine[(unit_id, code, 0)] = value
    # Old communes' values reach their successors through the engine's lineage forwarding,
    # which the plain query does not do: compare the communes no predecessor value reaches.
    forwarded = set(
        Lineage.objects.filter(
            predecessor__in=DataValue.objects.filter(metric_id__in=list(metric_ids)).values(
                "orgunit_id"
            )
        ).values_list("successor_id", flat=True)
    )
    keys = {k for k in set(baseline) | set(engine) if k[0] not in forwarded}
    match = bool(keys) and all(
        abs(engine.get(k, -1.0) - baseline.get(k, -2.0)) < 1e-6 for k in keys
    )
    ours_ms = statistics.median(ours_times)
    base_ms = statistics.median(base_times)
    recognisable = sum(1 for ok in result["results"].values() if ok)
    print(
        json.dumps(
            {
                "op": f"programs_evaluate_{len(criteria)}_criteria_{len(units)}_communes",
                "db": db,
                "ours_ms": round(ours_ms, 1),
                "baseline_ms": round(base_ms, 1),
                "ratio": round(ours_ms / base_ms, 2) if base_ms else None,
                "rows": len(units),
                "match": match,
                "target_ms": TARGET_MS,
                "fetch_ms": round(statistics.median(split["fetch"]), 1),
                "evaluate_ms": round(statistics.median(split["evaluate"]), 1),
                "rule_criteria": sum(1 for c in criteria if c.kind == "rule"),
                "communes_meeting_all_mandatory_rules": recognisable,
            }
        ),
        flush=True,
    )

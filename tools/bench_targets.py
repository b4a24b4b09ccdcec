"""Benchmark of the targets app, called by ``tools/bench.py`` on each benchmark database.

One JSON line: 10 targets (one per synthetic metric b01–b10, year 2026) at every current
commune (3,321 × 10 target rows, created in a transaction that is rolled back), and their
progress as the unit pages show it: actual, percent, status, projection (the year is
running on 1 July 2026, so last year's seasonal shape is read too) and traffic light.
``ours`` is the whole path (reading the target rows with ``selectors.progress_targets``,
then ``selectors.progress_of``: one engine call per question — the year with last year
from the yearly cells, last year's first half for the seasonal shape — and the judgement
of each target from dicts keyed by unit id); ``baseline`` is one hand-written GROUP BY fetching the
same actuals (no lineage forwarding, no projection). ``match`` compares the actuals of the
communes no predecessor value reaches.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from datetime import date
from typing import Any

REPEATS = int(os.environ.get("BENCH_TARGETS_REPEATS", "5"))
TARGET_MS = 1000.0
TODAY = date(2026, 7, 1)
CODES = [f"b{i:02d}" for i in range(1, 11)]


def measure(db: str) -> None:
    """Print the targets line for ``db`` (the caller has set Django up on it)."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from binhyen.indicators.models import DataValue, Metric
    from binhyen.orgunits.models import Lineage, OrgUnit
    from binhyen.targets import selectors
    from binhyen.targets.models import Target, TargetKind

    call_command("migrate", "targets", verbosity=0)
    metrics = list(Metric.objects.filter(code__in=CODES).order_by("code"))
    units = list(OrgUnit.objects.filter(kind="commune", valid_to__isnull=True))
    with transaction.atomic():
        Target.objects.bulk_create(
            [
                Target(
                    orgunit=u,
                    metric=m,
                    name=m.name,
                    name_folded=m.code,
                    kind=TargetKind.COUNT,
                    value=100.0,
                    period="2026",
                    period_start=date(2026, 1, 1),
                    period_end=date(2026, 12, 31),
                )
                for u in units
                for m in metrics
            ],
            batch_size=5000,
        )

        def ours() -> list[Any]:
            targets = selectors.progress_targets(
                Target.objects.filter(period="2026", metric__in=metrics)
            )
            return selectors.progress_of(targets, today=TODAY)

        dv, ou = DataValue._meta.db_table, OrgUnit._meta.db_table
        marks = ", ".join(["%s"] * len(metrics))
        sql = f"""
            SELECT dv.orgunit_id, dv.metric_id, SUM(dv.value)
            FROM {dv} dv JOIN {ou} u ON u.id = dv.orgunit_id
            WHERE dv.metric_id IN ({marks}) AND dv.period_end BETWEEN %s AND %s
              AND u.kind = 'commune' AND u.valid_to IS NULL
            GROUP BY 1, 2"""
        params: list[Any] = [*(m.pk for m in metrics), "2026-01-01", "2026-12-31"]

        def base() -> list[tuple[Any, ...]]:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return list(cursor.fetchall())

        ours()
        base()
        ours_times, base_times = [], []
        result: list[Any] = []
        rows: list[tuple[Any, ...]] = []
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            result = ours()
            ours_times.append((time.perf_counter() - t0) * 1000.0)
            t0 = time.perf_counter()
            rows = base()
            base_times.append((time.perf_counter() - t0) * 1000.0)
        forwarded = set(
            Lineage.objects.filter(
                predecessor__in=DataValue.objects.filter(metric__in=metrics).values("orgunit_id")
            ).values_list("successor_id", flat=True)
        )
        baseline = {(u, m): float(v) for u, m, v in rows if u not in forwarded}
        engine = {
            (p.target.orgunit_id, p.target.metric_id): p.actual
            for p in result
            if p.target.orgunit_id not in forwarded
        }
        keys = set(baseline) | {k for k, v in engine.items() if v is not None}
        match = bool(keys) and all(
            abs((engine.get(k) or 0.0) - baseline.get(k, 0.0)) < 1e-6 for k in keys
        )
        statuses: dict[str, int] = {}
        for p in result:
            statuses[p.light] = statuses.get(p.light, 0) + 1
        transaction.set_rollback(True)
    ours_ms = statistics.median(ours_times)
    base_ms = statistics.median(base_times)
    print(
        json.dumps(
            {
                "op": f"targets_progress_{len(metrics)}_targets_{len(units)}_communes",
                "db": db,
                "ours_ms": round(ours_ms, 1),
                "baseline_ms": round(base_ms, 1),
                "ratio": round(ours_ms / base_ms, 2) if base_ms else None,
                "rows": len(result),
                "match": match,
                "target_ms": TARGET_MS,
                "seasonal": sum(1 for p in result if p.seasonal),
                "lights": statuses,
            }
        ),
        flush=True,
    )

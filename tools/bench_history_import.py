"""Benchmark of the history import (``make bench`` line; also runs on its own).

One JSON line per database: 100,000 monthly values (400 pre-2025 communes × 10 metrics ×
25 months) imported from one ``.xlsx`` workbook as the background job does it: reading the
sheet, checking every row (units, metrics, periods, options, ranges, duplicates, permission)
and writing the values with the pre-aggregated figures moved once. ``baseline`` is a plain-SQL
``executemany`` INSERT of the same 100,000 rows (no reading, no checks, no rollups). Both run
in a transaction that is rolled back, on a small old province built for the purpose (units and
lineage inserted in bulk, so the map's structure version and the cells stay as they were).

Standalone::

    .venv/bin/python tools/bench_history_import.py            # SQLite: var/bench/history.sqlite3
    DATABASE_URL=postgres://... .venv/bin/python tools/bench_history_import.py
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
COMMUNES = 400
METRICS = 10
MONTHS = 25  # 2023M01 … 2025M01
TARGET_MS = 60_000.0


class _Rollback(Exception):
    pass


def _workbook(codes: list[str], metric_codes: list[str], months: list[str]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Số liệu lịch sử")
    sheet.append(["Mã đơn vị", "Tên đơn vị", "Mã chỉ tiêu", "Kỳ", "Phân tổ", "Giá trị"])
    n = 0
    for code in codes:
        for metric in metric_codes:
            for month in months:
                n += 1
                sheet.append([code, None, metric, month, None, n % 97])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _world() -> tuple[Any, list[Any], list[Any]]:
    """Insert an old province with its communes, a new province and the lineage, in bulk."""
    from binhyen.core.text import fold
    from binhyen.indicators.models import Metric
    from binhyen.orgunits.models import ROOT_CODE, Lineage, LineageKind, OrgUnit

    root = OrgUnit.objects.filter(code=ROOT_CODE).first()
    if root is None:
        root = OrgUnit(code=ROOT_CODE, name="Việt Nam", kind="country", subkind="country")
        root.path, root.level, root.name_folded = f"/{ROOT_CODE}/", 0, fold(root.name)
        root.save()
    closed = date(2025, 6, 30)

    def unit(code: str, name: str, kind: str, subkind: str, parent: Any, valid_to: Any) -> Any:
        u = OrgUnit(
            code=code, name=name, kind=kind, subkind=subkind, parent=parent, valid_to=valid_to
        )
        u.path, u.level, u.name_folded = f"{parent.path}{code}/", parent.level + 1, fold(name)
        return u

    old = unit("LBH", "Tỉnh Cũ Thử", "province", "tinh", root, closed)
    new = unit("BH", "Tỉnh Mới Thử", "province", "tinh", root, None)
    OrgUnit.objects.bulk_create([old, new])
    old = OrgUnit.objects.get(code="LBH")
    new = OrgUnit.objects.get(code="BH")
    target = unit("BH001", "Xã Mới Thử", "commune", "xa", new, None)
    communes = [
        unit(f"LBH{i:04d}", f"Xã Cũ {i}", "commune", "xa", old, closed) for i in range(COMMUNES)
    ]
    OrgUnit.objects.bulk_create([target, *communes])
    target = OrgUnit.objects.get(code="BH001")
    communes = list(OrgUnit.objects.filter(code__startswith="LBH0").order_by("code"))
    reform = date(2025, 7, 1)
    Lineage.objects.bulk_create(
        [Lineage(predecessor=old, successor=new, kind=LineageKind.MERGE, effective_date=reform)]
        + [
            Lineage(predecessor=c, successor=target, kind=LineageKind.MERGE, effective_date=reform)
            for c in communes
        ]
    )
    metrics = [
        Metric(
            code=f"hb{i:02d}",
            name=f"Chỉ tiêu lịch sử {i}",
            value_type="integer",
            aggregation="sum",
            period_kind="month",
            capture_kinds=["commune"],
            source="form",
        )
        for i in range(1, METRICS + 1)
    ]
    Metric.objects.bulk_create(metrics)
    return old, communes, list(Metric.objects.filter(code__startswith="hb").order_by("code"))


def measure(db: str) -> None:
    """Print the history-import line for ``db`` (the caller has set Django up on it)."""
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection, transaction

    from binhyen.indicators import history_import, rollups
    from binhyen.indicators.models import DataValue
    from binhyen.indicators.periods import parse_period

    months = [f"{(i % 12) + 1:02d}/{2023 + i // 12}" for i in range(MONTHS)]
    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            admin = get_user_model().objects.create_superuser(
                "bench_history", "bench@example.org", "x"
            )
            old, communes, metrics = _world()
            data = _workbook([c.code for c in communes], [m.code for m in metrics], months)
            upload = SimpleUploadedFile("lich-su.xlsx", data)
            t0 = time.perf_counter()
            rows = history_import.read_upload(upload)
            t_read = time.perf_counter() - t0
            with transaction.atomic():
                t1 = time.perf_counter()
                if os.environ.get("BENCH_PROFILE"):
                    import cProfile
                    import pstats

                    profile = cProfile.Profile()
                    outcome = profile.runcall(
                        history_import.history_import, actor=admin, source=old, rows=rows
                    )
                    pstats.Stats(profile, stream=sys.stderr).sort_stats("cumulative").print_stats(
                        30
                    )
                else:
                    outcome = history_import.history_import(actor=admin, source=old, rows=rows)
                t_import = time.perf_counter() - t1
                stored = DataValue.objects.filter(metric__in=metrics).count()
                transaction.set_rollback(True)
            # the baseline: the same rows, one plain INSERT statement executed for each
            unit_ids = {c.code: c.pk for c in communes}
            metric_ids = {m.code: m.pk for m in metrics}
            periods = {
                text: history_import.parse_history_period(text) or parse_period("2023M01")
                for text in months
            }
            params = [
                (
                    metric_ids[r.metric],
                    unit_ids[r.unit],
                    periods[r.period].code,
                    periods[r.period].start,
                    periods[r.period].end,
                    "",
                    float(r.value),
                    "import",
                )
                for r in rows
            ]
            table = DataValue._meta.db_table
            now = "CURRENT_TIMESTAMP"
            sql = (
                f"INSERT INTO {table} (metric_id, orgunit_id, period, period_start, period_end,"
                f" option, value, source, created_at, updated_at)"
                f" VALUES (%s, %s, %s, %s, %s, %s, %s, %s, {now}, {now})"
            )
            with transaction.atomic():
                t2 = time.perf_counter()
                with connection.cursor() as cursor:
                    cursor.executemany(sql, params)
                t_base = time.perf_counter() - t2
                transaction.set_rollback(True)
            result = {
                "op": f"history_import_{len(rows)}_values",
                "db": db,
                "ours_ms": round((t_read + t_import) * 1000.0, 1),
                "read_ms": round(t_read * 1000.0, 1),
                "check_write_ms": round(t_import * 1000.0, 1),
                "baseline_ms": round(t_base * 1000.0, 1),
                "ratio": round((t_read + t_import) / t_base, 2) if t_base else None,
                "rows": len(rows),
                "match": outcome.ok and stored == len(rows) == outcome.created,
                "rollups_usable": rollups.usable(),
                "target_ms": TARGET_MS,
            }
            raise _Rollback
    except _Rollback:
        pass
    print(json.dumps(result), flush=True)


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if not os.environ.get("DATABASE_URL"):
        (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench' / 'history.sqlite3'}"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from binhyen.indicators import rollups

    call_command("migrate", verbosity=0)
    if rollups.enabled() and not rollups.usable():
        rollups.rebuild()
    measure(connection.vendor)


if __name__ == "__main__":
    main()

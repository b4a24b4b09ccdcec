"""Benchmark distinct counts across the 2025 reform (part of ``make bench``; also standalone).

"Distinct count of 50,000 schemes spanning old communes, national by province, 12 months":
each scheme covers one to three pre-2025 communes (sometimes communes of two successors);
its items sit on those old communes for 2025M01–2025M06 and on their successors for
2025M07–2025M12 (where the providers put a running record after the reform). Prints JSON
lines like ``tools/bench.py``:

- ``distinct_national_by_province_12m``: the engine as dashboards call it (``engine.run``,
  the distinct cells of the provinces);
- ``distinct_national_by_province_12m_sql``: the same question with the cells off (the
  engine's COUNT(DISTINCT) statement over the items and the lineage);

both against one hand-written COUNT(DISTINCT) over the items joined to the current unit or
the successor through the lineage, run in the same process.

Standalone (``python tools/bench_history.py``) it builds its own map (the real 2025 map and
its lineage, through ``bench_data``) in ``var/bench/history.sqlite3`` and, when a server
answers, in ``BENCH_HISTORY_PG_URL``; inside ``tools/bench.py`` it adds its items to the
bench database once.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
SQLITE_FILE = VAR / "history.sqlite3"
PG_URL = os.environ.get(
    "BENCH_HISTORY_PG_URL", "postgres://postgres@127.0.0.1:5432/binhyen_history"
)
METRIC = "bh_schemes"
SCHEMES = 50_000
SEED = 20251201
TARGET_MS = 300.0


def log(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


def _map_if_empty() -> None:
    """Load the 2025 map and its lineage (no values) into an empty database."""
    import bench_data
    from django.db import connection, transaction

    from binhyen.orgunits.models import Lineage, OrgUnit

    if OrgUnit.objects.filter(kind="province").exists():
        return
    units, edges, _info = bench_data._unit_rows(random.Random(bench_data.SEED))
    ou, ln = OrgUnit._meta.db_table, Lineage._meta.db_table
    with connection.cursor() as cursor, transaction.atomic():
        placeholders = ", ".join(["%s"] * 22)
        cols = bench_data.UNIT_COLS
        cursor.executemany(f"INSERT INTO {ou} ({cols}) VALUES ({placeholders})", units)
        cursor.executemany(
            f"INSERT INTO {ln} ({bench_data.EDGE_COLS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            edges,
        )
        if connection.vendor == "postgresql":
            for table in (ou, ln):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {table}))"
                )
    log(f"map: {len(units)} units, {len(edges)} lineage edges")


def _months() -> list[Any]:
    from binhyen.indicators.periods import parse_period

    return [parse_period(f"2025M{m:02d}") for m in range(1, 13)]


def ensure_dataset() -> Any:
    """Create the distinct metric and its items once; return the metric."""
    from django.db import connection, transaction

    from binhyen.indicators import rollups
    from binhyen.indicators.models import DataItem, Metric
    from binhyen.orgunits.models import Lineage, OrgUnit

    _map_if_empty()
    metric, created = Metric.objects.get_or_create(
        code=METRIC,
        defaults={
            "name": "Mô hình đo (đếm không trùng)",
            "value_type": "integer",
            "aggregation": "last",
            "counting": "distinct",
            "source": "provider",
            "provider_key": "bench.history",
            "period_kind": "month",
            "capture_kinds": ["commune"],
            "sort_order": 2000,
        },
    )
    if not created and DataItem.objects.filter(metric=metric).exists():
        return metric
    t0 = time.perf_counter()
    rng = random.Random(SEED)
    commune_ids = set(
        OrgUnit.objects.filter(kind="commune", valid_to__isnull=False).values_list("pk", flat=True)
    )
    successor: dict[int, int] = {}
    olds_of: dict[int, list[int]] = {}
    for pid, sid, default in Lineage.objects.filter(predecessor_id__in=commune_ids).values_list(
        "predecessor_id", "successor_id", "is_default"
    ):
        if default:
            successor[pid] = sid
            olds_of.setdefault(sid, []).append(pid)
    news = sorted(olds_of)
    months = _months()
    rows: list[tuple[Any, ...]] = []
    iso = connection.vendor != "postgresql"
    for n in range(1, SCHEMES + 1):
        new = rng.choice(news)
        pool = olds_of[new]
        olds = rng.sample(pool, min(len(pool), rng.randint(1, 3)))
        if rng.random() < 0.2:  # a cluster reaching a commune of another successor
            olds = list(dict.fromkeys([*olds, olds_of[rng.choice(news)][0]]))
        item = f"scheme:{n}"
        for p in months:
            places = olds if p.end < date(2025, 7, 1) else sorted({successor[o] for o in olds})
            for unit_id in places:
                start, end = (p.start.isoformat(), p.end.isoformat()) if iso else (p.start, p.end)
                rows.append((metric.pk, unit_id, p.code, start, end, "", item))
    table = DataItem._meta.db_table
    cols = "metric_id, orgunit_id, period, period_start, period_end, option, item"
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"ANALYZE {table}")
        else:
            cursor.executemany(
                f"INSERT INTO {table} ({cols}) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                rows,
            )
            cursor.execute("ANALYZE")
        if rollups.usable():
            rollups._distinct_cells([metric.pk], None)
        else:
            rollups.rebuild()
    log(f"{len(rows)} items of {SCHEMES} schemes ({time.perf_counter() - t0:.0f} s)")
    return metric


def measure(db: str) -> None:
    from django.db import connection
    from django.test import override_settings

    from binhyen.indicators import engine
    from binhyen.indicators.models import DataItem
    from binhyen.orgunits.models import Lineage, OrgUnit

    sys.path.insert(0, str(ROOT / "tools"))
    from bench import _close, _emit, _month, _timed_pair

    metric = ensure_dataset()
    provinces = list(OrgUnit.objects.filter(kind="province", valid_to__isnull=True))
    months = _months()
    n = len(provinces[0].path)

    def ours() -> dict[tuple[str, str], float]:
        rows = engine.run(metrics=[metric], units=provinces, periods=months, compare=False)
        return {(r.unit, r.period): r.value for r in rows if r.value is not None}

    di, ou, ln = DataItem._meta.db_table, OrgUnit._meta.db_table, Lineage._meta.db_table
    by_path = {p.path: p.code for p in provinces}
    baseline_sql = f"""
SELECT SUBSTR(s.path, 1, {n}), di.period_end, COUNT(DISTINCT di.item)
FROM {di} di
JOIN (SELECT id AS uid, id AS sid FROM {ou} WHERE valid_to IS NULL
      UNION ALL
      SELECT predecessor_id, successor_id FROM {ln}
      WHERE is_default OR CAST(share AS DOUBLE PRECISION) > 0) m ON m.uid = di.orgunit_id
JOIN {ou} s ON s.id = m.sid
WHERE di.metric_id = %s AND di.period_end >= %s AND di.period_end <= %s
GROUP BY SUBSTR(s.path, 1, {n}), di.period_end"""
    first, last = months[0].start, months[-1].end
    params = [metric.pk, *((first, last) if db == "postgresql" else (str(first), str(last)))]

    def base() -> dict[tuple[str, str], float]:
        with connection.cursor() as cursor:
            cursor.execute(baseline_sql, params)
            return {
                (by_path[k], _month(end)): float(c)
                for k, end, c in cursor.fetchall()
                if k in by_path
            }

    ours_ms, got, base_ms, want = _timed_pair(ours, base)
    _emit(
        "distinct_national_by_province_12m", db, ours_ms, base_ms, len(got), _close(got, want),
        TARGET_MS,
    )  # fmt: skip
    with override_settings(INDICATORS_ROLLUPS=False):
        ours_ms, got, base_ms, want = _timed_pair(ours, base)
    _emit(
        "distinct_national_by_province_12m_sql", db, ours_ms, base_ms, len(got),
        _close(got, want), None,
    )  # fmt: skip


def child(db: str) -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tools"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    measure(db)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    if args.db:
        child(args.db)
        return 0
    VAR.mkdir(parents=True, exist_ok=True)
    targets = [("sqlite", f"sqlite:///{SQLITE_FILE}")]
    if not args.sqlite_only and _pg_reachable_at(PG_URL):
        targets.append(("postgresql", PG_URL))
    status = 0
    for db, url in targets:
        env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1", "CONN_MAX_AGE": "0"}
        proc = subprocess.run([sys.executable, __file__, "--db", db], env=env, check=False)  # noqa: S603
        status = status or proc.returncode
    return status


def _pg_reachable_at(url: str) -> bool:
    import socket
    from urllib.parse import urlparse

    parsed = urlparse(url)
    try:
        socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5432), 2).close()
    except OSError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())

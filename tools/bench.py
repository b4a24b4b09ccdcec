"""Benchmark the indicators engine against hand-written SQL on the same rows (``make bench``).

Prints one JSON line per measurement::

    {"op", "db", "ours_ms", "baseline_ms", "ratio", "rows", "match", "target_ms"}

``ours`` is the full engine path (``selectors.analytics`` for a national administrator:
input checks, scope, SQL, comparisons, Python rows); ``baseline`` is one plain GROUP BY
written by hand for that question, run on the same database in the same process. Times are
medians of several runs after a warm-up. ``match`` says both gave the same totals.
The national Excel export line (``tools/bench_exports.py``) also reports the peak RSS of
each side, measured in its own process.

The synthetic dataset (see ``tools/bench_data.py``) is built once and cached: a SQLite file
in ``var/bench/`` and the PostgreSQL database ``binhyen_bench`` (``BENCH_PG_URL``); a marker
file records the dataset version. Set ``BENCH_REBUILD=1`` to rebuild. PostgreSQL is skipped
when no server answers.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
VERSION = "5"
SQLITE_FILE = VAR / "bench.sqlite3"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/binhyen_bench")
REPEATS = int(os.environ.get("BENCH_REPEATS", "7"))


def log(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


# --- orchestration (parent process) --------------------------------------------------------


def _pg_reachable() -> bool:
    url = urlparse(PG_URL)
    try:
        socket.create_connection((url.hostname or "127.0.0.1", url.port or 5432), 2).close()
    except OSError:
        return False
    return True


def _marker(db: str) -> Path:
    return VAR / f"{db}.json"


def _marker_ok(db: str) -> bool:
    path = _marker(db)
    if os.environ.get("BENCH_REBUILD") == "1" or not path.exists():
        return False
    try:
        return json.loads(path.read_text()).get("version") == VERSION
    except ValueError:
        return False


def _reset_pg() -> None:
    import psycopg

    url = urlparse(PG_URL)
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def orchestrate(script: str = __file__) -> int:
    """Run ``script --db <db>`` once per database, each in its own process."""
    VAR.mkdir(parents=True, exist_ok=True)
    targets = [("sqlite", f"sqlite:///{SQLITE_FILE}")]
    if _pg_reachable():
        targets.append(("postgresql", PG_URL))
    else:
        log("PostgreSQL not reachable: measuring SQLite only")
    status = 0
    for db, url in targets:
        if not _marker_ok(db):
            if db == "sqlite":
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
            else:
                _reset_pg()
            _marker(db).unlink(missing_ok=True)
        env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1", "CONN_MAX_AGE": "0"}
        proc = subprocess.run([sys.executable, script, "--db", db], env=env, check=False)  # noqa: S603
        status = status or proc.returncode
    return status


# --- measurement (child process, one database) ---------------------------------------------


def _timed_pair(ours: Any, base: Any) -> tuple[float, Any, float, Any]:
    """Time both alternately (after a warm-up) so both see the same machine load."""
    ours()  # warm-up: plans and caches as in a running server
    base()
    ours_times, base_times = [], []
    ours_result = base_result = None
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        ours_result = ours()
        ours_times.append((time.perf_counter() - t0) * 1000.0)
        t0 = time.perf_counter()
        base_result = base()
        base_times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(ours_times), ours_result, statistics.median(base_times), base_result


def _emit(
    op: str, db: str, ours: float, base: float, rows: int, match: bool, target: float | None
) -> None:
    print(
        json.dumps(
            {
                "op": op,
                "db": db,
                "ours_ms": round(ours, 1),
                "baseline_ms": round(base, 1),
                "ratio": round(ours / base, 2) if base else None,
                "rows": rows,
                "match": match,
                "target_ms": target,
            }
        ),
        flush=True,
    )


def setup_django() -> None:
    """Set Django up in this (child) process, with the project and ``tools`` importable."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "tools"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def prepare(db: str) -> None:
    """Build the synthetic dataset once (or reuse it), migrate it and build its cells."""
    import bench_data
    from django.core.management import call_command
    from django.db import connection

    if not _marker_ok(db):
        log(f"{db}: building the synthetic dataset (once)")
        call_command("migrate", verbosity=0)
        t0 = time.perf_counter()
        counts = bench_data.build(log)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
        counts.update({"version": VERSION, "peak_rss_mb": round(peak_mb, 1)})
        _marker(db).write_text(json.dumps(counts))
        print(
            json.dumps(
                {
                    "op": "dataset_build",
                    "db": db,
                    "seconds": round(time.perf_counter() - t0, 1),
                    "peak_rss_mb": round(peak_mb, 1),
                    "rows": counts["values"],
                    "units": counts["units"],
                    "lineage_edges": counts["lineage_edges"],
                }
            ),
            flush=True,
        )
    else:
        counts = json.loads(_marker(db).read_text())
        print(
            json.dumps(
                {
                    "op": "dataset_cached",
                    "db": db,
                    "build_seconds": counts.get("seconds"),
                    "peak_rss_mb": counts.get("peak_rss_mb"),
                    "rows": counts.get("values"),
                }
            ),
            flush=True,
        )
    call_command("migrate", verbosity=0)  # a cached dataset may predate new migrations
    _rollups(db, built_now="rollups" not in counts)
    connection.ensure_connection()


def child(db: str) -> None:
    setup_django()
    prepare(db)
    measure(db)
    import bench_programs  # the programmes app's measurement (tools/bench_programs.py)

    bench_programs.measure(db, _admin())
    import bench_exports  # the national Excel export (tools/bench_exports.py)

    bench_exports.measure(db)
    import bench_documents  # the documents app's measurement (tools/bench_documents.py)

    bench_documents.measure(db, _admin())
    import bench_targets  # the targets app's measurement (tools/bench_targets.py)

    bench_targets.measure(db)
    import bench_offline  # the offline field app's sync and shell (tools/bench_offline.py)

    bench_offline.measure(db)
    import bench_history  # distinct counts across the reform (tools/bench_history.py)

    bench_history.measure(db)
    import bench_history_import  # the history import (tools/bench_history_import.py)

    bench_history_import.measure(db)


def _rollups(db: str, *, built_now: bool) -> None:
    """Build the pre-aggregated figures once per dataset (the values were bulk-loaded
    outside the services) and print how long that took."""
    from binhyen.indicators import rollups

    if not built_now and rollups.usable():
        return
    log(f"{db}: building the pre-aggregated figures")
    report = rollups.rebuild()
    counts = json.loads(_marker(db).read_text())
    counts["rollups"] = report
    _marker(db).write_text(json.dumps(counts))
    print(json.dumps({"op": "rollups_build", "db": db, **report}), flush=True)


def _admin() -> Any:
    from binhyen.accounts.models import User

    user, _created = User.objects.get_or_create(
        username="bench-admin", defaults={"is_superuser": True, "is_staff": True}
    )
    return user


def _sql(query: str, params: list[Any]) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return list(cursor.fetchall())


def _month(end: Any) -> str:
    text = str(end)[:10]
    return f"{text[:4]}M{text[5:7]}"


def _close(a: dict[Any, float], b: dict[Any, float]) -> bool:
    keys = set(a) | set(b)
    return all(
        abs(a.get(k, 0.0) - b.get(k, 0.0)) < 1e-6 * max(1.0, abs(b.get(k, 0.0))) for k in keys
    )


def measure(db: str) -> None:
    from binhyen.indicators import selectors
    from binhyen.indicators.models import DataValue, Metric
    from binhyen.indicators.periods import parse_period
    from binhyen.orgunits.models import Lineage, OrgUnit

    user = _admin()
    dv, ou, ln = DataValue._meta.db_table, OrgUnit._meta.db_table, Lineage._meta.db_table
    metric_codes = [f"b{i:02d}" for i in range(1, 10)] + ["b28"]
    metric_ids = {m.code: m.pk for m in Metric.objects.filter(code__in=metric_codes)}
    ids = [metric_ids[c] for c in metric_codes]
    by_id = {v: k for k, v in metric_ids.items()}
    in_ids = ", ".join(["%s"] * len(ids))

    # (1) national rollup: 10 metrics × 12 months (2025, across the reform) by province.
    months = [f"2025M{m:02d}" for m in range(1, 13)]
    provinces = list(
        OrgUnit.objects.filter(kind="province", valid_to__isnull=True).values_list(
            "code", flat=True
        )
    )

    def ours_national() -> Any:
        return selectors.analytics(
            user=user,
            metric_codes=metric_codes,
            unit_codes=["VN"],
            period_codes=months,
            children=True,
            compare=False,
        )

    base_sql = f"""
        SELECT SUBSTR(COALESCE(s.path, u.path), 1, 7) AS prov, dv.metric_id, dv.period_end,
               SUM(dv.value)
        FROM {dv} dv
        JOIN {ou} u ON u.id = dv.orgunit_id
        LEFT JOIN {ln} l ON l.predecessor_id = dv.orgunit_id AND l.is_default
        LEFT JOIN {ou} s ON s.id = l.successor_id
        WHERE dv.metric_id IN ({in_ids}) AND dv.period_end BETWEEN %s AND %s
        GROUP BY 1, 2, 3"""

    def base_national() -> Any:
        return _sql(base_sql, [*ids, "2025-01-01", "2025-12-31"])

    ours_ms, result, base_ms, base_rows = _timed_pair(ours_national, base_national)
    ours_map = {(r.unit, r.metric, r.period): r.value for r in result.rows if r.value is not None}
    base_map = {
        (path.strip("/").split("/")[-1], by_id[mid], _month(end)): float(total)
        for path, mid, end, total in base_rows
    }
    _emit(
        "national_rollup_10m_12mo_by_province",
        db,
        ours_ms,
        base_ms,
        len(result.rows),
        _close(ours_map, base_map) and len(provinces) == 34,
        300.0 if db == "postgresql" else None,
    )

    # (2) one province's dashboard: all its communes, 3 months, previous + last year, rates.
    province = "01"
    periods = ["2026M04", "2026M05", "2026M06"]
    needed = sorted(
        {
            p
            for code in periods
            for p in (
                parse_period(code),
                parse_period(code).previous(),
                parse_period(code).same_period_last_year(),
            )
        },
        key=lambda p: p.start,
    )
    windows = [
        needed[0].start.isoformat(),
        needed[2].end.isoformat(),
        needed[3].start.isoformat(),
        needed[-1].end.isoformat(),
    ]

    def ours_province() -> Any:
        return selectors.analytics(
            user=user,
            metric_codes=metric_codes,
            unit_codes=[province],
            period_codes=periods,
            children=True,
            compare=True,
            per_1000=True,
        )

    prov_sql = f"""
        SELECT SUBSTR(COALESCE(s.path, u.path), 1, 13) AS commune, dv.metric_id, dv.period_end,
               SUM(dv.value)
        FROM {dv} dv
        JOIN {ou} u ON u.id = dv.orgunit_id
        LEFT JOIN {ln} l ON l.predecessor_id = dv.orgunit_id AND l.is_default
        LEFT JOIN {ou} s ON s.id = l.successor_id
        WHERE dv.metric_id IN ({in_ids})
          AND (dv.period_end BETWEEN %s AND %s OR dv.period_end BETWEEN %s AND %s)
          AND dv.orgunit_id IN (
              SELECT id FROM {ou} WHERE path >= %s AND path < %s
              UNION SELECT l2.predecessor_id FROM {ln} l2 JOIN {ou} s2 ON s2.id = l2.successor_id
                    WHERE l2.is_default AND s2.path >= %s AND s2.path < %s)
        GROUP BY 1, 2, 3"""
    lo, hi = f"/VN/{province}/", f"/VN/{province}0"

    def base_province() -> Any:
        return _sql(prov_sql, [*ids, *windows, lo, hi, lo, hi])

    ours_ms, result, base_ms, base_rows = _timed_pair(ours_province, base_province)
    base_map = {}
    for path, mid, end, total in base_rows:
        if _month(end) in periods:
            base_map[(path.strip("/").split("/")[-1], by_id[mid], _month(end))] = float(total)
    ours_map = {(r.unit, r.metric, r.period): r.value for r in result.rows if r.value is not None}
    _emit(
        "province_dashboard_communes_3mo_compare",
        db,
        ours_ms,
        base_ms,
        len(result.rows),
        _close(ours_map, base_map),
        150.0,
    )

    # (3) one commune's 60-month trend, including its pre-2025 predecessors.
    commune_id = _sql(
        f"""SELECT l.successor_id FROM {ln} l JOIN {dv} dv ON dv.orgunit_id = l.predecessor_id
            WHERE dv.metric_id = %s AND dv.period = %s GROUP BY l.successor_id
            ORDER BY COUNT(*) DESC, l.successor_id LIMIT 1""",
        [ids[0], "2024M01"],
    )[0][0]
    commune = OrgUnit.objects.get(pk=commune_id)
    trend = [parse_period("2021M07").shift(i).code for i in range(60)]

    def ours_trend() -> Any:
        return selectors.analytics(
            user=user,
            metric_codes=metric_codes,
            unit_codes=[commune.code],
            period_codes=trend,
            compare=False,
        )

    trend_sql = f"""
        SELECT dv.metric_id, dv.period_end, SUM(dv.value)
        FROM {dv} dv
        WHERE dv.metric_id IN ({in_ids}) AND dv.period_end BETWEEN %s AND %s
          AND dv.orgunit_id IN (
              SELECT id FROM {ou} WHERE path >= %s AND path < %s
              UNION SELECT predecessor_id FROM {ln} WHERE successor_id = %s AND is_default)
        GROUP BY 1, 2"""

    def base_trend() -> Any:
        return _sql(
            trend_sql,
            [*ids, "2021-07-01", "2026-06-30", commune.path, commune.path[:-1] + "0", commune.pk],
        )

    ours_ms, result, base_ms, base_rows = _timed_pair(ours_trend, base_trend)
    trend_ours = {(r.metric, r.period): r.value for r in result.rows if r.value is not None}
    trend_base = {(by_id[mid], _month(end)): float(total) for mid, end, total in base_rows}
    predecessors = any(r.includes_predecessors for r in result.rows)
    _emit(
        f"commune_trend_60mo_with_predecessors({commune.code})",
        db,
        ours_ms,
        base_ms,
        len(result.rows),
        _close(trend_ours, trend_base) and predecessors,
        150.0,
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.db:
        child(args.db)
        return 0
    return orchestrate()


if __name__ == "__main__":
    sys.exit(main())

"""Build the synthetic national dataset the benchmark measures (development tool).

The real map (34 provinces, 3,321 communes, the pre-2025 units and their lineage) comes from
the unit packages through ``binhyen.orgunits.importer.load_map_source``; on top of it:
~30 villages per commune, 30 monthly metrics (27 captured by communes for every month, 3 by
villages, each village reporting one month in four), 60 months (2021M07–2026M06), and
pre-2025 values on the old communes of a few old provinces for the months before the reform
(so a 2025 commune's trend continues through its predecessors).

Rows are streamed in batches (COPY on PostgreSQL, executemany on SQLite) with the value
table's indexes dropped during the load and rebuilt afterwards.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

from django.db import connection, transaction

from binhyen.core.text import fold
from binhyen.indicators.models import DataValue, Metric
from binhyen.indicators.periods import Period, PeriodKind, parse_period
from binhyen.orgunits.importer import load_map_source
from binhyen.orgunits.models import Lineage, OrgUnit

FIRST_MONTH = "2021M07"
MONTHS = 60
COMMUNE_METRICS = 27
VILLAGE_METRICS = 3
VILLAGES_PER_COMMUNE = 30
VILLAGE_FILL = 4  # a village reports one month in four
OLD_PROVINCES_WITH_VALUES = ("L01", "L26", "L27")  # Hà Nội, Vĩnh Phúc, Bắc Ninh before 2025
REFORM = date(2025, 7, 1)
STAMP = "2026-07-01T00:00:00+00:00"
SEED = 20250701


def months() -> list[Period]:
    first = parse_period(FIRST_MONTH)
    return [first.shift(i) for i in range(MONTHS)]


def _q(cursor: Any, sql: str, params: Any = None) -> None:
    cursor.execute(sql, params or [])


def create_metrics() -> list[Metric]:
    """Create the 30 bench metrics (b01–b27 by communes, b28–b30 by villages)."""
    metrics = []
    for i in range(1, COMMUNE_METRICS + VILLAGE_METRICS + 1):
        village = i > COMMUNE_METRICS
        metric, _created = Metric.objects.get_or_create(
            code=f"b{i:02d}",
            defaults={
                "name": f"Chỉ tiêu đo {i:02d}",
                "value_type": "integer",
                "aggregation": "sum",
                "period_kind": PeriodKind.MONTH,
                "capture_kinds": ["village"] if village else ["commune"],
                "sort_order": 1000 + i,
            },
        )
        metrics.append(metric)
    return metrics


def _unit_rows(
    rng: random.Random,
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], dict[str, Any]]:
    source = load_map_source()
    ids: dict[str, int] = {}
    paths: dict[str, str] = {}
    levels: dict[str, int] = {}
    rows: list[tuple[Any, ...]] = []
    info: dict[str, Any] = {"communes": [], "old_with_values": [], "villages": []}
    next_id = 1

    def add(
        code: str,
        name: str,
        kind: str,
        subkind: str,
        parent: str | None,
        valid_from: date | None,
        valid_to: date | None,
        population: int | None,
        lat: float | None,
        lon: float | None,
        official: str = "",
    ) -> int:
        nonlocal next_id
        uid = next_id
        next_id += 1
        path = f"{paths[parent]}{code}/" if parent else f"/{code}/"
        level = levels[parent] + 1 if parent else 0
        ids[code], paths[code], levels[code] = uid, path, level
        rows.append(
            (
                uid,
                STAMP,
                STAMP,
                code,
                official,
                name,
                name,
                fold(name)[:200],
                kind,
                subkind,
                ids[parent] if parent else None,
                path,
                level,
                valid_from.isoformat() if valid_from else None,
                valid_to.isoformat() if valid_to else None,
                lat,
                lon,
                None,
                population,
                (population // 4) if population else None,
                "",
                "",
            )
        )
        return uid

    old_root_of: dict[str, str] = {}
    for u in source.units:
        population = (
            rng.randint(4000, 60000) if u.kind == "commune" and u.valid_to is None else None
        )
        uid = add(
            u.code,
            u.name,
            u.kind,
            u.subkind,
            u.parent_code,
            u.valid_from,
            u.valid_to,
            population,
            u.latitude,
            u.longitude,
            u.official_code,
        )
        if u.valid_to is not None:
            root = u.code if u.kind == "province" else old_root_of.get(u.parent_code or "", "")
            old_root_of[u.code] = root
            if u.kind == "commune" and root in OLD_PROVINCES_WITH_VALUES:
                info["old_with_values"].append(uid)
        elif u.kind == "commune":
            info["communes"].append((uid, u.code, population))
    for _uid, code, population in list(info["communes"]):
        for n in range(1, VILLAGES_PER_COMMUNE + 1):
            vid = add(
                f"{code}-T{n:03d}",
                f"Thôn {n}",
                "village",
                "thon",
                code,
                REFORM,
                None,
                (population or 0) // VILLAGES_PER_COMMUNE,
                None,
                None,
            )
            info["villages"].append(vid)
    edges = [
        (
            STAMP,
            STAMP,
            ids[e.predecessor],
            ids[e.successor],
            e.kind,
            e.is_default,
            None,
            REFORM.isoformat(),
        )
        for e in source.edges
    ]
    info["ids"] = ids
    return rows, edges, info


UNIT_COLS = (
    "id, created_at, updated_at, code, official_code, name, short_name, name_folded, kind, "
    "subkind, parent_id, path, level, valid_from, valid_to, latitude, longitude, area_km2, "
    "population, households, address, note"
)
EDGE_COLS = (
    "created_at, updated_at, predecessor_id, successor_id, kind, is_default, share, effective_date"
)
DV_COLS = (
    "created_at, updated_at, metric_id, orgunit_id, period, period_start, period_end, option, "
    "value, source"
)


def _value_rows(
    metrics: list[Metric], info: dict[str, Any], rng: random.Random
) -> Iterator[tuple[Any, ...]]:
    ms = months()
    commune_metrics = metrics[:COMMUNE_METRICS]
    village_metrics = metrics[COMMUNE_METRICS:]
    rates = [rng.uniform(0.5, 30.0) for _ in metrics]
    for uid, _code, population in info["communes"]:
        scale = (population or 10000) / 20000.0
        for mi, metric in enumerate(commune_metrics):
            rate = rates[mi] * scale
            for p in ms:
                yield (metric.pk, uid, p, int(rate * rng.uniform(0.5, 1.5)))
    for vid in info["villages"]:
        offset = vid % VILLAGE_FILL
        for mi, metric in enumerate(village_metrics):
            rate = rates[COMMUNE_METRICS + mi] / 10.0
            for i in range(offset, len(ms), VILLAGE_FILL):
                yield (metric.pk, vid, ms[i], int(rate * rng.uniform(0.5, 1.5)))
    before = [p for p in ms if p.end < REFORM]
    for uid in info["old_with_values"]:
        for mi, metric in enumerate(commune_metrics):
            rate = rates[mi] / 3.0
            for p in before:
                yield (metric.pk, uid, p, int(rate * rng.uniform(0.5, 1.5)))


def _drop_value_indexes(cursor: Any) -> list[str]:
    table = DataValue._meta.db_table
    restore: list[str] = []
    if connection.vendor == "postgresql":
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype <> 'p'",
            [table],
        )
        for name, definition in cursor.fetchall():
            restore.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexname NOT LIKE %s",
            [table, "%pkey"],
        )
        for name, definition in cursor.fetchall():
            restore.append(definition)
            cursor.execute(f'DROP INDEX "{name}"')
    else:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NOT NULL",
            [table],
        )
        for name, definition in cursor.fetchall():
            restore.append(definition)
            cursor.execute(f'DROP INDEX "{name}"')
    return restore


def _sqlite_batch(raw: Any, sql: str, batch: list[tuple[Any, ...]]) -> None:
    """Insert one batch in one transaction (the connection is in autocommit mode)."""
    raw.execute("BEGIN")
    raw.executemany(sql, batch)
    raw.execute("COMMIT")


def _load_values(cursor: Any, rows: Iterator[tuple[Any, ...]]) -> int:
    table = DataValue._meta.db_table
    count = 0
    if connection.vendor == "postgresql":
        raw = cursor.cursor
        with raw.copy(f"COPY {table} ({DV_COLS}) FROM STDIN") as copy:
            buf: list[str] = []
            for metric_id, unit_id, p, value in rows:
                buf.append(
                    f"{STAMP}\t{STAMP}\t{metric_id}\t{unit_id}\t{p.code}\t{p.start}\t{p.end}\t\t{value}\tform\n"
                )
                if len(buf) >= 50000:
                    copy.write("".join(buf))
                    count += len(buf)
                    buf.clear()
            if buf:
                copy.write("".join(buf))
                count += len(buf)
        return count
    # SQLite: the driver's own executemany, foreign-key checks off for the load.
    raw = connection.connection
    raw.execute("PRAGMA foreign_keys=OFF")
    sql = f"INSERT INTO {table} ({DV_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, '', ?, 'form')"
    batch: list[tuple[Any, ...]] = []
    spans: dict[Period, tuple[str, str, str]] = {}
    for metric_id, unit_id, p, value in rows:
        span = spans.get(p)
        if span is None:
            span = spans[p] = (p.code, p.start.isoformat(), p.end.isoformat())
        batch.append((STAMP, STAMP, metric_id, unit_id, *span, float(value)))
        if len(batch) >= 100000:
            _sqlite_batch(raw, sql, batch)
            count += len(batch)
            batch.clear()
    if batch:
        _sqlite_batch(raw, sql, batch)
        count += len(batch)
    raw.execute("PRAGMA foreign_keys=ON")
    return count


def build(log: Any) -> dict[str, Any]:
    """Fill an empty, migrated database with the synthetic dataset; return counts."""
    rng = random.Random(SEED)
    t0 = time.perf_counter()
    metrics = create_metrics()
    units, edges, info = _unit_rows(rng)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-200000")
        ou, ln = OrgUnit._meta.db_table, Lineage._meta.db_table
        placeholders = ", ".join(["%s"] * 22)
        with transaction.atomic():
            cursor.executemany(f"INSERT INTO {ou} ({UNIT_COLS}) VALUES ({placeholders})", units)
            cursor.executemany(
                f"INSERT INTO {ln} ({EDGE_COLS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", edges
            )
        if connection.vendor == "postgresql":
            for table in (ou, ln):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT MAX(id) FROM {table}))"
                )
        log(f"units: {len(units)}, lineage edges: {len(edges)} ({time.perf_counter() - t0:.0f} s)")
        restore = _drop_value_indexes(cursor)
        n = _load_values(cursor, _value_rows(metrics, info, rng))
        log(f"values: {n} ({time.perf_counter() - t0:.0f} s)")
        for statement in restore:
            cursor.execute(statement)
        log(f"indexes rebuilt ({time.perf_counter() - t0:.0f} s)")
        # A live database is vacuumed by autovacuum; do it now so index-only scans work.
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    return {
        "units": len(units),
        "villages": len(info["villages"]),
        "lineage_edges": len(edges),
        "values": n,
        "old_units_with_values": len(info["old_with_values"]),
        "seconds": round(time.perf_counter() - t0, 1),
    }
